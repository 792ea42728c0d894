-- Single-use links that let a staff member choose a password: an invitation from an
-- administrator, or a reset the member asked for. Only the token's hash is kept; the token is
-- derived from the server key and the nonce, so a database copied away opens no link.

CREATE TABLE staff_account_links (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    staff_user_id TEXT,
    language TEXT NOT NULL,
    nonce TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    revoked_at BIGINT
);

CREATE INDEX staff_account_links_by_email ON staff_account_links (email, kind);
