-- A buyer's request for a new link after theirs expired or was used up: one row per old
-- invitation, answered (renewed_by) when staff send a new one.
CREATE TABLE invitation_renewals (
    invitation_id TEXT PRIMARY KEY REFERENCES invitations (id),
    requested_at BIGINT NOT NULL,
    renewed_by TEXT
);
