-- What the start page asks across all buyers: held verifications, failed VIES checks, links
-- that ran out lately, documents about to lapse and recent uploads.
CREATE INDEX verifications_by_status ON verifications (status, buyer_id);
CREATE INDEX vies_checks_by_status ON vies_checks (status, result, buyer_id);
CREATE INDEX invitations_by_expiry ON invitations (expires_at, buyer_id);
CREATE INDEX documents_by_type_and_date ON documents (type, status, document_date, buyer_id);
CREATE INDEX documents_by_source_and_age ON documents (source, created_at, buyer_id);
