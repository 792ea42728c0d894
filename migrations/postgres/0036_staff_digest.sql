-- Staff who asked for the daily digest email, and the digests queued: one per staff user and
-- day (UTC), so rounds in several instances queue it once.
ALTER TABLE staff_users ADD COLUMN daily_digest BIGINT NOT NULL DEFAULT 0;

CREATE TABLE staff_digests (
    staff_user_id TEXT NOT NULL REFERENCES staff_users (id),
    day TEXT NOT NULL,
    queued_at BIGINT NOT NULL,
    sent_at BIGINT,
    PRIMARY KEY (staff_user_id, day)
);
