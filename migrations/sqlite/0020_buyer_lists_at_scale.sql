-- Buyer lists and searches that stay fast with a million buyers: the KYC status on the buyer's
-- row (the staff list filters on it without a join), an index for every filter and order the
-- lists offer, and a trigram index over the lower-cased name for substring search.

ALTER TABLE buyers ADD COLUMN kyc_status TEXT NOT NULL DEFAULT 'PENDING';
UPDATE buyers SET kyc_status = (SELECT overall_status FROM kyc_statuses WHERE buyer_id = buyers.id)
WHERE id IN (SELECT buyer_id FROM kyc_statuses);

-- Every seller's buyers, newest first (the staff list), and per filter.
CREATE INDEX buyers_all_newest ON buyers (created_at DESC, id DESC);
CREATE INDEX buyers_status_newest ON buyers (status, created_at DESC, id DESC);
CREATE INDEX buyers_kyc_newest ON buyers (kyc_status, created_at DESC, id DESC);
-- One seller's buyers per filter (buyers_newest serves the unfiltered list).
CREATE INDEX buyers_seller_status_newest ON buyers (seller_id, status, created_at DESC, id DESC);
CREATE INDEX buyers_seller_kyc_newest ON buyers (seller_id, kyc_status, created_at DESC, id DESC);
-- A VAT number (stored normalised) by equality or prefix across sellers; per seller the
-- UNIQUE (seller_id, vat_number) index serves.
CREATE INDEX buyers_vat ON buyers (vat_number);

-- Substring search on the name: FTS5's trigram tokenizer over buyers.search_name, kept in step
-- by triggers (external content: the names are not stored twice).
CREATE VIRTUAL TABLE buyers_fts USING fts5 (
    search_name,
    content = 'buyers',
    content_rowid = 'rowid',
    tokenize = 'trigram'
);
INSERT INTO buyers_fts (buyers_fts) VALUES ('rebuild');

CREATE TRIGGER buyers_fts_insert AFTER INSERT ON buyers BEGIN
    INSERT INTO buyers_fts (rowid, search_name) VALUES (new.rowid, new.search_name);
END;
CREATE TRIGGER buyers_fts_delete AFTER DELETE ON buyers BEGIN
    INSERT INTO buyers_fts (buyers_fts, rowid, search_name) VALUES ('delete', old.rowid, old.search_name);
END;
CREATE TRIGGER buyers_fts_update AFTER UPDATE OF search_name ON buyers BEGIN
    INSERT INTO buyers_fts (buyers_fts, rowid, search_name) VALUES ('delete', old.rowid, old.search_name);
    INSERT INTO buyers_fts (rowid, search_name) VALUES (new.rowid, new.search_name);
END;
