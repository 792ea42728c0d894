-- SQLite's FTS5 trigram table (buyers_fts) answers name fragments without a word index; this
-- number is kept in step with PostgreSQL's migrations.
SELECT 1;
