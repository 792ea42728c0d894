-- no-transaction
-- A print-only invitation has no recipient and so no email: its link is printed (the QR
-- sheet) or handed over. SQLite cannot drop NOT NULL in place, so the table is rebuilt with
-- its data and indexes. Foreign keys are switched off around the rebuild (possible only
-- outside a transaction, hence this migration opens its own): with them on, dropping the old
-- table would count as deleting every invitation that sessions, renewals and reminders point
-- to. Every row is copied under its id, so those references resolve as before.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE invitations_rebuilt (
    id TEXT PRIMARY KEY,
    buyer_id TEXT NOT NULL REFERENCES buyers (id),
    kind TEXT NOT NULL,
    recipient_email TEXT,
    language TEXT NOT NULL,
    token_nonce TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    usage_count INTEGER NOT NULL,
    max_uses INTEGER,
    last_used_at INTEGER,
    revoked_at INTEGER,
    email_status TEXT,
    email_error TEXT,
    email_sent_at INTEGER,
    reminders_sent INTEGER NOT NULL DEFAULT 0,
    last_reminder_at INTEGER
);
INSERT INTO invitations_rebuilt (id, buyer_id, kind, recipient_email, language, token_nonce,
    token_hash, created_at, expires_at, usage_count, max_uses, last_used_at, revoked_at,
    email_status, email_error, email_sent_at, reminders_sent, last_reminder_at)
SELECT id, buyer_id, kind, recipient_email, language, token_nonce,
    token_hash, created_at, expires_at, usage_count, max_uses, last_used_at, revoked_at,
    email_status, email_error, email_sent_at, reminders_sent, last_reminder_at
FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_rebuilt RENAME TO invitations;
CREATE INDEX invitations_by_buyer ON invitations (buyer_id, created_at DESC, id DESC);
CREATE INDEX invitations_by_expiry ON invitations (expires_at, buyer_id);
COMMIT;
PRAGMA foreign_keys = ON;
