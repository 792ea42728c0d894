-- Marketplace staff who sign in to /admin.

CREATE TABLE staff_users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    disabled_at BIGINT,
    created_at BIGINT NOT NULL
);
