//! The kinds of problem the API answers with: each has one `type` URI, `/problems/{slug}`, and
//! a page at that address that explains it (`GET /problems/{slug}`).

use actix_web::http::StatusCode;

/// A kind of problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemType {
    /// The last part of its URI.
    pub slug: &'static str,
    /// The HTTP status it comes with.
    pub status: u16,
    /// Its short name.
    pub title: &'static str,
    /// What it means and what the caller can do.
    pub explanation: &'static str,
}

impl ProblemType {
    /// Its `type` URI, relative to the portal.
    pub fn uri(&self) -> String {
        format!("/problems/{}", self.slug)
    }
}

/// Every kind of problem, by status.
pub const ALL: &[ProblemType] = &[
    ProblemType {
        slug: "bad-request",
        status: 400,
        title: "Bad Request",
        explanation: "The request could not be read as what it claims to be: broken JSON, a \
            broken multipart form, or a header in the wrong form. Fix the request; sending it \
            again unchanged gives the same answer.",
    },
    ProblemType {
        slug: "unauthorized",
        status: 401,
        title: "Unauthorized",
        explanation: "No API token, or one the portal does not know (revoked, mistyped). Send \
            `Authorization: Bearer <token>` with a live token.",
    },
    ProblemType {
        slug: "forbidden",
        status: 403,
        title: "Forbidden",
        explanation: "The token is known but may not do this: a read-only token that writes, a \
            seller's token reaching for organisation settings, or a capability of the \
            organisation that is switched off (for example `allowMarketplaceLedKyc`). The \
            `detail` says which.",
    },
    ProblemType {
        slug: "not-found",
        status: 404,
        title: "Not Found",
        explanation: "No such resource, or one the token may not see (another seller's buyers \
            look exactly like buyers that do not exist).",
    },
    ProblemType {
        slug: "method-not-allowed",
        status: 405,
        title: "Method Not Allowed",
        explanation: "The resource exists but does not take this method. The `Allow` header \
            lists the methods it takes.",
    },
    ProblemType {
        slug: "conflict",
        status: 409,
        title: "Conflict",
        explanation: "The request contradicts the resource as it is now: a stale `version` (the \
            `detail` names the version sent and the current one, and `current` carries the \
            resource), a buyer with the same VAT number and other details, a blocked buyer, or \
            a request with the same `Idempotency-Key` still running. Read the resource again \
            and decide.",
    },
    ProblemType {
        slug: "payload-too-large",
        status: 413,
        title: "Payload Too Large",
        explanation: "The body is larger than the portal takes: 1 MiB of JSON, or the configured \
            upload limit for a file (20 MiB unless the operator chose otherwise).",
    },
    ProblemType {
        slug: "unsupported-media-type",
        status: 415,
        title: "Unsupported Media Type",
        explanation: "The body is not of a content type this operation reads: JSON for JSON \
            operations, `multipart/form-data` for uploads.",
    },
    ProblemType {
        slug: "validation",
        status: 422,
        title: "Unprocessable Content",
        explanation: "The request was understood but breaks rules. `errors` lists every field \
            or query parameter at fault, each with a message: a missing or malformed field, a \
            query parameter the operation does not take, an `If-Match` that disagrees with the \
            body's `version`, an `Idempotency-Key` reused with another body.",
    },
    ProblemType {
        slug: "too-many-requests",
        status: 429,
        title: "Too Many Requests",
        explanation: "A rate limit was reached. `Retry-After` says in how many seconds trying \
            again makes sense.",
    },
    ProblemType {
        slug: "internal",
        status: 500,
        title: "Internal Server Error",
        explanation: "A fault of the portal. Nothing about it is sent; it is logged with the \
            request's id (`X-Request-Id`), which the operator can look up.",
    },
    ProblemType {
        slug: "bad-gateway",
        status: 502,
        title: "Bad Gateway",
        explanation: "A service the portal depends on (the identity verification provider) \
            answered with something the portal cannot use, such as a session reference it had \
            already given for another session. Nothing was started; the operator finds the \
            answer in the log. Trying again later usually helps.",
    },
    ProblemType {
        slug: "insufficient-storage",
        status: 507,
        title: "Insufficient Storage",
        explanation: "The portal's document store has no space left; the file was not kept. \
            Nothing else changed; try again later, after the operator has made room.",
    },
    ProblemType {
        slug: "unavailable",
        status: 503,
        title: "Service Unavailable",
        explanation: "Something the request needs is not available now: the identity \
            verification provider is not configured or did not answer. `Retry-After` says in \
            how many seconds trying again makes sense.",
    },
];

/// The kind of problem with this slug.
pub fn by_slug(slug: &str) -> Option<&'static ProblemType> {
    ALL.iter().find(|p| p.slug == slug)
}

/// The kind of problem of a status (the first listed for it); None for a status the API does
/// not answer with.
pub fn by_status(status: StatusCode) -> Option<&'static ProblemType> {
    ALL.iter().find(|p| p.status == status.as_u16())
}

#[cfg(test)]
mod tests {
    use super::ALL;

    #[test]
    fn slugs_are_unique() {
        for (i, p) in ALL.iter().enumerate() {
            assert!(ALL[i + 1..].iter().all(|q| q.slug != p.slug), "{}", p.slug);
        }
    }
}
