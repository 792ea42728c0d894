-- Foundation: API tokens, sellers, buyers, audit history, outbox events, jobs, idempotency keys,
-- organisation settings. Times are milliseconds since the Unix epoch.

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE partners (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX partners_newest ON partners (created_at DESC, id DESC);

CREATE TABLE buyers (
    id TEXT PRIMARY KEY,
    seller_id TEXT NOT NULL REFERENCES partners (id),
    vat_number TEXT NOT NULL,
    company_name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    street TEXT NOT NULL,
    post_code TEXT NOT NULL,
    city TEXT NOT NULL,
    country TEXT NOT NULL,
    contacts TEXT NOT NULL,
    kyc_mode TEXT NOT NULL,
    status TEXT NOT NULL,
    blocked_reason TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (seller_id, vat_number)
);
CREATE INDEX buyers_newest ON buyers (seller_id, created_at DESC, id DESC);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    before_state TEXT,
    after_state TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, at DESC, id DESC);

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX events_newest ON events (occurred_at DESC, id DESC);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    run_at BIGINT NOT NULL,
    locked_by TEXT,
    locked_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);

CREATE TABLE idempotency_keys (
    token_id TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    response_status BIGINT,
    response_headers TEXT,
    response_body BYTEA,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (token_id, method, path, idempotency_key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
