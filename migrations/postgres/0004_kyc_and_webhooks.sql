-- KYC status and VIES checks; webhook endpoints and their deliveries.

-- Every VIES check a buyer had: pending until its job settles it, then kept as evidence.
CREATE TABLE vies_checks (
    id TEXT PRIMARY KEY,
    buyer_id TEXT NOT NULL REFERENCES buyers (id),
    vat_number TEXT NOT NULL,
    status TEXT NOT NULL,
    result TEXT,
    reason TEXT,
    attempts BIGINT NOT NULL,
    requested_at BIGINT NOT NULL,
    checked_at BIGINT,
    vies_request_date TEXT,
    vies_request_identifier TEXT,
    vies_name TEXT,
    vies_address TEXT
);
CREATE INDEX vies_checks_by_buyer ON vies_checks (buyer_id, requested_at DESC, id DESC);

-- The last overall KYC status announced per buyer (no row: PENDING, as for a new buyer).
CREATE TABLE kyc_statuses (
    buyer_id TEXT PRIMARY KEY REFERENCES buyers (id),
    overall_status TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);

CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX webhook_endpoints_newest ON webhook_endpoints (created_at DESC, id DESC);

-- One event for one endpoint; job_id is the job of the current round of attempts.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id),
    event_id TEXT NOT NULL REFERENCES events (id),
    event_type TEXT NOT NULL,
    job_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    succeeded_at BIGINT,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_newest ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);

CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempted_at BIGINT NOT NULL,
    response_status BIGINT,
    duration_ms BIGINT NOT NULL,
    error TEXT
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id, attempted_at, id);
