-- The end of a business relationship with a buyer starts the retention period of its records;
-- a legal hold stops their erasure; an erased buyer keeps its row as a fact without personal
-- data (see src/erasure).
ALTER TABLE buyers ADD COLUMN ended_at INTEGER;
ALTER TABLE buyers ADD COLUMN end_reason TEXT;
ALTER TABLE buyers ADD COLUMN hold_reason TEXT;
ALTER TABLE buyers ADD COLUMN erased_at INTEGER;
CREATE INDEX buyers_ended ON buyers (ended_at);
