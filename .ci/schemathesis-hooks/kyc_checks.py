"""Schemathesis checks of kyc-portal's own.

`schema_predicts_rejections` is Schemathesis' positive_data_acceptance with one difference: a
422 whose every error names a rule that depends on state, time or file content rather than on
the request's shape is not a failure. Those rules cannot be written into a JSON schema:

- `cursor`: only cursors the API handed out can be read back;
- `Idempotency-Key` "was already used with a different request": a key's first use decides;
- `If-Match` disagreeing with the body's `version`: the two must agree with each other;
- `version` missing from a PATCH body that has no `If-Match` either: one of the two is needed
  (a rule across the body and a header);
- `documentDate`: not in the future (today is not in the schema); `expiresOn`: not passed, and
  for identity documents only (today is not in the schema, nor is a rule across two fields);
- `endedAt`: the end of a relationship, not in the future (now is not in the schema either);
- `file`: a document is typed by its bytes (PDF, JPEG or PNG, no active content);
- `kycMode` "can only change from MARKETPLACE_LED to NT24_LED": it depends on the current mode;
- `sendEmail` when the buyer has no contact to send a verification link to.

Any other 4xx for schema-valid data fails, as in Schemathesis' own check.

`created_resources_found` is Schemathesis' ensure_resource_availability except for the identity
verification of a buyer: a buyer exists before any verification of it does, so
GET .../kyc/verification answers 404 until one is started; that is not a resource that
disappeared after it was created.
"""

import schemathesis
from schemathesis.specs.openapi.checks import ensure_resource_availability

NOT_CREATED_WITH_PARENT = {"GET /v1/partners/{sellerId}/buyers/{buyerId}/kyc/verification"}

ALLOWED = {200, 201, 202, 204, 206, 301, 302, 303, 304, 307, 308, 401, 403, 404, 409, 429}
# Field -> a part of the message that names the state-dependent rule (None: any message).
STATE_RULES = {
    "cursor": None,
    "If-Match": None,
    "documentDate": None,
    "expiresOn": None,
    "endedAt": None,
    "file": None,
    "Idempotency-Key": "already used",
    "kycMode": "can only change from",
    "version": "in the body, or as If-Match",
    "sendEmail": "has no contact",
}


def _state_dependent(response):
    if response.status_code != 422:
        return False
    try:
        errors = response.json().get("errors") or []
    except Exception:
        return False
    if not errors:
        return False
    for error in errors:
        field = error.get("field")
        if field not in STATE_RULES:
            return False
        part = STATE_RULES[field]
        if part is not None and part not in (error.get("message") or ""):
            return False
    return True


@schemathesis.check
def schema_predicts_rejections(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if status in ALLOWED or status >= 500 or _state_dependent(response):
        return None
    raise AssertionError(
        f"Schema-valid request rejected with {status}: {response.text[:500]}"
    )


@schemathesis.check
def created_resources_found(ctx, response, case):
    if case.operation.label in NOT_CREATED_WITH_PARENT:
        return None
    return ensure_resource_availability(ctx, response, case)
