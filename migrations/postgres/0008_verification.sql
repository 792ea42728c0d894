-- NT24_LED identity verifications with the provider, and the signed KYC profiles issued.

-- One session with the provider per row; the latest by created_at is the buyer's current one.
-- aml_hit is 0 or 1. status: PENDING (session issued), REVIEW (held for staff: SUSPECTED or an AML hit),
-- VERIFIED, REJECTED, EXPIRED (the session lapsed; a new one may be started).
CREATE TABLE verifications (
    id TEXT PRIMARY KEY,
    buyer_id TEXT NOT NULL REFERENCES buyers (id),
    provider TEXT NOT NULL,
    scan_ref TEXT NOT NULL UNIQUE,
    auth_token TEXT NOT NULL,
    session_url TEXT NOT NULL,
    language TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    provider_status TEXT,
    provider_details TEXT,
    aml TEXT,
    aml_hit BIGINT NOT NULL DEFAULT 0,
    settled_at BIGINT,
    decided_at BIGINT,
    reviewed_by TEXT,
    review_reason TEXT,
    email_to TEXT,
    email_status TEXT,
    email_error TEXT
);
CREATE INDEX verifications_by_buyer ON verifications (buyer_id, created_at DESC, id DESC);

-- Every profile PDF issued, with its signature: the same state and language give back the
-- same bytes (and signature) instead of a new issue.
CREATE TABLE kyc_profiles (
    id TEXT PRIMARY KEY,
    buyer_id TEXT NOT NULL REFERENCES buyers (id),
    language TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    pdf BYTEA NOT NULL,
    signature TEXT NOT NULL,
    UNIQUE (buyer_id, language, fingerprint)
);
