-- The organisation's logo, shown on the buyer's pages and in emails. One row at most; small
-- (the staff pages accept at most 512 KiB), so it lives in the database every instance shares.

CREATE TABLE organisation_logo (
    id INTEGER PRIMARY KEY,
    content_type TEXT NOT NULL,
    bytes BLOB NOT NULL,
    updated_at INTEGER NOT NULL
);
