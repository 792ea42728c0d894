-- Staff review each document version. The file and its facts stay as uploaded (append-only);
-- the review is a decision about them, changed only by the write path, which audits it.
-- Documents that were there before review existed were never looked at: they wait for review
-- (they still count while the organisation does not require review, its default).

ALTER TABLE documents ADD COLUMN review_status TEXT NOT NULL DEFAULT 'PENDING_REVIEW';
ALTER TABLE documents ADD COLUMN review_reason TEXT;
ALTER TABLE documents ADD COLUMN review_note TEXT;
ALTER TABLE documents ADD COLUMN reviewed_by TEXT;
ALTER TABLE documents ADD COLUMN reviewed_at INTEGER;

-- The review queue: waiting versions, oldest first.
CREATE INDEX documents_review_queue ON documents (review_status, created_at, id);
