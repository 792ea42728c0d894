-- Indexes for pruning operational rows in small batches (see src/retention.rs): each batch
-- finds its rows by age through an index instead of reading the whole table.
CREATE INDEX jobs_finished ON jobs (status, updated_at);
CREATE INDEX webhook_deliveries_by_job ON webhook_deliveries (job_id);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id);
CREATE INDEX portal_sessions_idle ON portal_sessions (last_seen_at);
CREATE INDEX staff_sessions_idle ON staff_sessions (last_seen_at);
CREATE INDEX staff_sessions_age ON staff_sessions (created_at);
CREATE INDEX rate_limits_age ON rate_limits (window_start);
