-- The files of an erased buyer still to be deleted from the store: written in the erasing
-- transaction, each row removed once its file is gone, so a round interrupted after the commit
-- finishes the deletions at its next start (see src/erasure).
CREATE TABLE erasure_pending_files (
    blob_key TEXT PRIMARY KEY,
    buyer_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
