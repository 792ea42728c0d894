-- Reminders the schedule decided to send: one row per reminded step (an invitation not used
-- some days after it was sent, an invitation about to expire, a document about to lapse).
-- due_key is unique, so however many instances run the schedule at once, each step is
-- claimed, queued and sent once.
CREATE TABLE reminders (
    id TEXT PRIMARY KEY,
    due_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    buyer_id TEXT NOT NULL REFERENCES buyers (id),
    invitation_id TEXT REFERENCES invitations (id),
    document_id TEXT,
    due_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    skipped_reason TEXT,
    sent_at INTEGER,
    fresh_link INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX reminders_invitation ON reminders (invitation_id);
CREATE INDEX reminders_buyer ON reminders (buyer_id, due_at);
CREATE INDEX reminders_document ON reminders (document_id);

-- What the invitation shows of its reminders.
ALTER TABLE invitations ADD COLUMN reminders_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invitations ADD COLUMN last_reminder_at INTEGER;
