-- Four-eyes review: with the organisation's `fourEyesReview` on, a staff member's decision is
-- first a proposal, and counts once a second staff member confirms it.

ALTER TABLE documents ADD COLUMN proposed_status TEXT;
ALTER TABLE documents ADD COLUMN proposed_reason TEXT;
ALTER TABLE documents ADD COLUMN proposed_note TEXT;
ALTER TABLE documents ADD COLUMN proposed_by TEXT;
ALTER TABLE documents ADD COLUMN proposed_at INTEGER;
