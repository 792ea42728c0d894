-- The optional second factor of staff sign-in (TOTP). The secrets are sealed under the server
-- key (hex); the last step a code was accepted for refuses a code used twice.

ALTER TABLE staff_users ADD COLUMN totp_secret TEXT;
ALTER TABLE staff_users ADD COLUMN totp_pending_secret TEXT;
ALTER TABLE staff_users ADD COLUMN totp_last_step BIGINT;

-- A sign-in whose password was right and whose code is still asked for. Only the cookie's
-- hash is kept; it is worth nothing after a few minutes.
CREATE TABLE staff_sign_in_challenges (
    id_hash TEXT PRIMARY KEY,
    staff_user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
