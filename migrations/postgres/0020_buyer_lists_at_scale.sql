-- Buyer lists and searches that stay fast with a million buyers: the KYC status on the buyer's
-- row (the staff list filters on it without a join), an index for every filter and order the
-- lists offer, and a trigram index over the lower-cased name for substring search.

-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database's owner
-- may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE buyers ADD COLUMN kyc_status TEXT NOT NULL DEFAULT 'PENDING';
UPDATE buyers SET kyc_status = k.overall_status FROM kyc_statuses k WHERE k.buyer_id = buyers.id;

-- Every seller's buyers, newest first (the staff list), and per filter.
CREATE INDEX buyers_all_newest ON buyers (created_at DESC, id DESC);
CREATE INDEX buyers_status_newest ON buyers (status, created_at DESC, id DESC);
CREATE INDEX buyers_kyc_newest ON buyers (kyc_status, created_at DESC, id DESC);
-- One seller's buyers per filter (buyers_newest serves the unfiltered list).
CREATE INDEX buyers_seller_status_newest ON buyers (seller_id, status, created_at DESC, id DESC);
CREATE INDEX buyers_seller_kyc_newest ON buyers (seller_id, kyc_status, created_at DESC, id DESC);
-- A VAT number (stored normalised) by equality or prefix across sellers, compared byte-wise
-- so that a prefix is a range; per seller the same.
CREATE INDEX buyers_vat ON buyers (vat_number COLLATE "C");
CREATE INDEX buyers_seller_vat ON buyers (seller_id, vat_number COLLATE "C");

-- Substring search on the lower-cased name.
CREATE INDEX buyers_name_trigrams ON buyers USING gin (search_name gin_trgm_ops);
