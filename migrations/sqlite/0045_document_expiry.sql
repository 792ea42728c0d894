-- The day an identity document stops being valid ("valid until"); NULL for every other
-- document, and for identity documents sent with their issue date only.
ALTER TABLE documents ADD COLUMN expires_on TEXT;
