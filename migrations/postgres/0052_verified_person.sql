-- The person an identity verification verified, as the provider read the identity document:
-- the signed KYC profile names them. Erased with the buyer's other personal data.
ALTER TABLE verifications ADD COLUMN person_first_name TEXT;
ALTER TABLE verifications ADD COLUMN person_last_name TEXT;
ALTER TABLE verifications ADD COLUMN person_birth_date TEXT;
