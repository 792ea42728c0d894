-- Self-service invitations. The link token is derived from the server key and token_nonce;
-- only its hash is stored, and lookups go by that hash.

CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    buyer_id TEXT NOT NULL REFERENCES buyers (id),
    kind TEXT NOT NULL,
    recipient_email TEXT NOT NULL,
    language TEXT NOT NULL,
    token_nonce TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    usage_count INTEGER NOT NULL,
    max_uses INTEGER,
    last_used_at INTEGER,
    revoked_at INTEGER,
    email_status TEXT NOT NULL,
    email_error TEXT,
    email_sent_at INTEGER
);
CREATE INDEX invitations_by_buyer ON invitations (buyer_id, created_at DESC, id DESC);
