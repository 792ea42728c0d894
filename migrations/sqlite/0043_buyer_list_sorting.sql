-- The staff's buyer list sorted by company name (A-Z) or by last activity (most recent first)
-- besides newest first, each a page at a time by keyset: the buyer's last activity (a change
-- of its details or status, or a document uploaded) kept on its row, and for each sort an
-- index per filter the list offers, as migration 0020 made them for newest first.

ALTER TABLE buyers ADD COLUMN last_activity_at INTEGER NOT NULL DEFAULT 0;
UPDATE buyers SET last_activity_at = MAX(updated_at,
    COALESCE((SELECT MAX(d.created_at) FROM documents d WHERE d.buyer_id = buyers.id), 0));

CREATE INDEX buyers_all_name ON buyers (search_name, id);
CREATE INDEX buyers_status_name ON buyers (status, search_name, id);
CREATE INDEX buyers_kyc_name ON buyers (kyc_status, search_name, id);
CREATE INDEX buyers_seller_name ON buyers (seller_id, search_name, id);
CREATE INDEX buyers_seller_status_name ON buyers (seller_id, status, search_name, id);
CREATE INDEX buyers_seller_kyc_name ON buyers (seller_id, kyc_status, search_name, id);
CREATE INDEX buyers_all_activity ON buyers (last_activity_at DESC, id DESC);
CREATE INDEX buyers_status_activity ON buyers (status, last_activity_at DESC, id DESC);
CREATE INDEX buyers_kyc_activity ON buyers (kyc_status, last_activity_at DESC, id DESC);
CREATE INDEX buyers_seller_activity ON buyers (seller_id, last_activity_at DESC, id DESC);
CREATE INDEX buyers_seller_status_activity ON buyers (seller_id, status, last_activity_at DESC, id DESC);
CREATE INDEX buyers_seller_kyc_activity ON buyers (seller_id, kyc_status, last_activity_at DESC, id DESC);
