-- Staff page sessions (stored here so that any instance serves them) and each staff member's
-- language.

CREATE TABLE staff_sessions (
    id_hash TEXT PRIMARY KEY,
    staff_user_id TEXT NOT NULL REFERENCES staff_users (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE INDEX staff_sessions_by_user ON staff_sessions (staff_user_id);

ALTER TABLE staff_users ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
