-- API tokens are bound to the whole organisation (seller_id NULL, as every token made before)
-- or to one seller, and may be read-only. Webhook endpoints made with a seller's token receive
-- only that seller's events, so every event notes the seller it concerns.

ALTER TABLE api_tokens ADD COLUMN seller_id TEXT REFERENCES partners (id);
ALTER TABLE api_tokens ADD COLUMN access TEXT NOT NULL DEFAULT 'READ_WRITE';
ALTER TABLE webhook_endpoints ADD COLUMN seller_id TEXT REFERENCES partners (id);
ALTER TABLE events ADD COLUMN seller_id TEXT;
