-- KYC documents: append-only versions per buyer and type; the bytes live in the blob store
-- under blob_key.

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    buyer_id TEXT NOT NULL REFERENCES buyers (id),
    type TEXT NOT NULL,
    document_date TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    blob_key TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    invitation_id TEXT,
    created_at BIGINT NOT NULL,
    archived_at BIGINT,
    UNIQUE (buyer_id, type, version)
);
CREATE INDEX documents_by_buyer ON documents (buyer_id, created_at DESC, id DESC);
