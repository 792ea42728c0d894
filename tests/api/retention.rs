//! Pruning of operational rows: what is past its retention goes, in batches; what is recent,
//! still pending or still referenced stays, and the audit history is never touched.

use kyc_portal::db::{Db, now};
use kyc_portal::retention::{self, Retention};

use crate::on_both_backends;

async fn exec(db: &Db, sql: String) {
    sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
        .execute(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn count(db: &Db, table: &str, condition: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE {condition}");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn exists(db: &Db, table: &str, column: &str, id: &str) -> bool {
    count(db, table, &format!("{column} = '{id}'")).await == 1
}

fn ago(hours: i64) -> i64 {
    now().plus(-chrono::Duration::hours(hours)).millis()
}

async fn job(db: &Db, id: &str, status: &str, updated_at: i64) {
    exec(
        db,
        format!(
            "INSERT INTO jobs (id, kind, payload, status, attempts, max_attempts, run_at, locked_by, \
             locked_until, last_error, created_at, updated_at) \
             VALUES ('{id}', 'test.nothing', '{{}}', '{status}', 1, 3, {updated_at}, NULL, NULL, NULL, {updated_at}, {updated_at})"
        ),
    )
    .await;
}

/// An event with one delivery (sent or not) on `endpoint` and one attempt.
async fn event(db: &Db, id: &str, endpoint: &str, at: i64, sent: bool) {
    exec(db, format!("INSERT INTO events (id, type, occurred_at, data, seller_id) VALUES ('{id}', 'buyer.blocked', {at}, '{{}}', NULL)")).await;
    let status = if sent { "done" } else { "failed" };
    job(db, &format!("{id}-job"), status, at).await;
    let succeeded = if sent { at.to_string() } else { "NULL".into() };
    exec(
        db,
        format!(
            "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, job_id, created_at, succeeded_at) \
             VALUES ('{id}-delivery', '{endpoint}', '{id}', 'buyer.blocked', '{id}-job', {at}, {succeeded})"
        ),
    )
    .await;
    exec(
        db,
        format!(
            "INSERT INTO webhook_attempts (id, delivery_id, attempted_at, response_status, duration_ms, error) \
             VALUES ('{id}-attempt', '{id}-delivery', {at}, 200, 5, NULL)"
        ),
    )
    .await;
}

on_both_backends! {
    async fn old_operational_rows_go_in_batches_and_recent_pending_or_referenced_ones_stay(app) {
        let db = &app.db;
        let (_, buyer) = app.create_buyer().await;
        let buyer = buyer["uuid"].as_str().unwrap().to_owned();
        let long_ago = ago(24 * 100);
        let lately = ago(1);

        job(db, "old-done", "done", long_ago).await;
        job(db, "old-failed", "failed", long_ago).await;
        job(db, "old-queued", "queued", long_ago).await;
        job(db, "recent-done", "done", lately).await;

        exec(db, format!("INSERT INTO webhook_endpoints (id, url, events, secret, created_at, deleted_at, seller_id) \
                          VALUES ('endpoint', 'https://example.com/hook', '[]', 'secret', {long_ago}, NULL, NULL)")).await;
        event(db, "old-sent", "endpoint", long_ago, true).await;
        event(db, "old-unsent", "endpoint", long_ago, false).await;
        event(db, "recent-sent", "endpoint", lately, true).await;

        exec(db, format!("INSERT INTO invitations (id, buyer_id, kind, recipient_email, language, token_nonce, token_hash, \
                          created_at, expires_at, usage_count, max_uses, last_used_at, revoked_at, email_status, email_error, email_sent_at) \
                          VALUES ('invitation', '{buyer}', 'SELF_SERVICE', 'a@example.com', 'de', 'n', 'h', {long_ago}, {long_ago}, 0, NULL, NULL, NULL, 'SENT', NULL, NULL)")).await;
        for (id, seen) in [("portal-idle", ago(9)), ("portal-live", lately)] {
            exec(db, format!("INSERT INTO portal_sessions (id_hash, invitation_id, language, csrf_token, created_at, last_seen_at) \
                              VALUES ('{id}', 'invitation', 'de', 'c', {seen}, {seen})")).await;
        }
        exec(db, format!("INSERT INTO staff_users (id, email, password_hash, role, disabled_at, created_at, language) \
                          VALUES ('kim', 'kim@example.com', 'x', 'STAFF', NULL, {long_ago}, 'en')")).await;
        for (id, created, seen) in [("staff-idle", ago(2), ago(1)), ("staff-too-long", ago(13), now().millis()), ("staff-live", lately, now().millis())] {
            exec(db, format!("INSERT INTO staff_sessions (id_hash, staff_user_id, csrf_token, created_at, last_seen_at) \
                              VALUES ('{id}', 'kim', 'c', {created}, {seen})")).await;
        }
        // More than one batch of old windows.
        for n in 0..1_200 {
            exec(db, format!("INSERT INTO rate_limits (bucket, window_start, hits) VALUES ('old-{n}', {long_ago}, 1)")).await;
        }
        exec(db, format!("INSERT INTO rate_limits (bucket, window_start, hits) VALUES ('recent', {lately}, 1)")).await;
        for (key, at) in [("old-key", ago(26)), ("recent-key", lately)] {
            exec(db, format!("INSERT INTO idempotency_keys (token_id, method, path, idempotency_key, request_hash, state, \
                              response_status, response_headers, response_body, created_at, holder) \
                              VALUES ('t', 'POST', '/v1/partners', '{key}', 'h', 'DONE', 201, NULL, NULL, {at}, NULL)")).await;
        }
        // Links: an old reset, an old used and an old withdrawn invitation go; an old invitation
        // still pending (listed to be sent again) and a recent reset stay.
        for (id, kind, expires, used, revoked) in [
            ("old-reset", "RESET", long_ago, "NULL", "NULL"),
            ("old-used", "INVITATION", long_ago, "1", "NULL"),
            ("old-withdrawn", "INVITATION", long_ago, "NULL", "1"),
            ("old-pending", "INVITATION", long_ago, "NULL", "NULL"),
            ("recent-reset", "RESET", lately, "NULL", "NULL"),
        ] {
            exec(db, format!("INSERT INTO staff_account_links (id, kind, email, role, staff_user_id, language, nonce, \
                              token_hash, created_at, expires_at, used_at, revoked_at) \
                              VALUES ('{id}', '{kind}', 'kim@example.com', 'STAFF', NULL, 'en', 'n', '{id}-hash', \
                              {expires}, {expires}, {used}, {revoked})")).await;
        }
        exec(db, format!("INSERT INTO audit_log (id, entity_type, entity_id, action, actor, at, before_state, after_state) \
                          VALUES ('old-audit', 'buyer', '{buyer}', 'created', 'system', {long_ago}, NULL, NULL)")).await;

        let retention = Retention {
            finished_jobs: chrono::Duration::days(30),
            delivered_events: chrono::Duration::days(90),
            rate_limits: chrono::Duration::days(2),
        };
        retention::prune(db, &retention, now()).await.unwrap();
        // The delivered event's job is no longer referenced once its delivery went.
        retention::prune(db, &retention, now()).await.unwrap();

        assert!(!exists(db, "jobs", "id", "old-done").await);
        assert!(!exists(db, "jobs", "id", "old-failed").await);
        assert!(exists(db, "jobs", "id", "old-queued").await, "pending work stays");
        assert!(exists(db, "jobs", "id", "recent-done").await);

        assert!(!exists(db, "events", "id", "old-sent").await);
        assert!(!exists(db, "webhook_deliveries", "id", "old-sent-delivery").await);
        assert!(!exists(db, "webhook_attempts", "id", "old-sent-attempt").await);
        assert!(!exists(db, "jobs", "id", "old-sent-job").await);
        assert!(exists(db, "events", "id", "old-unsent").await, "an unsent delivery keeps its event");
        assert!(exists(db, "webhook_deliveries", "id", "old-unsent-delivery").await);
        assert!(exists(db, "webhook_attempts", "id", "old-unsent-attempt").await);
        assert!(exists(db, "jobs", "id", "old-unsent-job").await, "a delivery keeps its job");
        assert!(exists(db, "events", "id", "recent-sent").await);
        assert!(exists(db, "webhook_attempts", "id", "recent-sent-attempt").await);

        assert!(!exists(db, "portal_sessions", "id_hash", "portal-idle").await);
        assert!(exists(db, "portal_sessions", "id_hash", "portal-live").await);
        assert!(!exists(db, "staff_sessions", "id_hash", "staff-idle").await);
        assert!(!exists(db, "staff_sessions", "id_hash", "staff-too-long").await);
        assert!(exists(db, "staff_sessions", "id_hash", "staff-live").await);

        assert_eq!(count(db, "rate_limits", "bucket LIKE 'old-%'").await, 0);
        assert!(exists(db, "rate_limits", "bucket", "recent").await);
        assert!(!exists(db, "idempotency_keys", "idempotency_key", "old-key").await);
        assert!(exists(db, "idempotency_keys", "idempotency_key", "recent-key").await);

        for gone in ["old-reset", "old-used", "old-withdrawn"] {
            assert!(!exists(db, "staff_account_links", "id", gone).await, "{gone}");
        }
        assert!(exists(db, "staff_account_links", "id", "old-pending").await, "a pending invitation stays");
        assert!(exists(db, "staff_account_links", "id", "recent-reset").await);

        assert!(exists(db, "audit_log", "id", "old-audit").await, "the audit history is kept");
        assert!(exists(db, "invitations", "id", "invitation").await);
    }
}
