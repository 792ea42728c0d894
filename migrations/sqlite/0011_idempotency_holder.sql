-- Who holds an in-flight idempotency key: the response is now kept in the transaction of the
-- work itself, so a key left in flight by a request that died is taken over after its lease,
-- and the holder's check makes sure only one of two overlapping requests can complete it.

ALTER TABLE idempotency_keys ADD COLUMN holder TEXT;
