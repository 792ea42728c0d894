-- A print-only invitation has no recipient and so no email: its link is printed (the QR
-- sheet) or handed over.
ALTER TABLE invitations ALTER COLUMN recipient_email DROP NOT NULL;
ALTER TABLE invitations ALTER COLUMN email_status DROP NOT NULL;
