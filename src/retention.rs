//! Operational tables do not grow without bound: finished jobs, delivered events with their
//! deliveries and attempts, expired portal and staff sessions, old rate-limit windows,
//! idempotency keys and staff account links that can no longer be used are deleted once they are older than their retention period. The audit
//! history and the documents are the compliance record and are never pruned here.
//!
//! Deletion goes in small batches, each its own short write transaction, so that SQLite's one
//! writer is never held for long and requests go on between batches.

use sqlx::AnyExecutor;

use crate::config::Settings;
use crate::db::{Db, Timestamp};

/// Rows deleted per statement.
const BATCH: i64 = 500;

/// Batches per table in one round; what is left waits for the next round.
const MAX_BATCHES: u32 = 200;

/// How long a used, withdrawn or expired staff account link is kept after its expiry (its
/// creation, use and withdrawal stay in the audit history).
const STAFF_LINKS_KEPT: chrono::Duration = chrono::Duration::days(30);

/// How long finished rows are kept.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// Jobs done or failed for good (a job a webhook delivery still names is kept with it).
    pub finished_jobs: chrono::Duration,
    /// Events every delivery of which succeeded, with those deliveries and their attempts.
    pub delivered_events: chrono::Duration,
    /// Rate-limit windows (longer than the longest window any limit counts in).
    pub rate_limits: chrono::Duration,
}

impl Retention {
    /// The periods the settings give.
    pub fn from_settings(settings: &Settings) -> Retention {
        let days = |n: u32| chrono::Duration::days(i64::from(n));
        Retention {
            finished_jobs: days(settings.retention_finished_jobs_days),
            delivered_events: days(settings.retention_delivered_events_days),
            rate_limits: days(settings.retention_rate_limits_days),
        }
    }
}

/// How many rows one round deleted, per table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Finished jobs.
    pub jobs: u64,
    /// Delivered events.
    pub events: u64,
    /// Their deliveries.
    pub deliveries: u64,
    /// Their deliveries' attempts.
    pub attempts: u64,
    /// Expired buyer (link) sessions.
    pub portal_sessions: u64,
    /// Expired staff sessions.
    pub staff_sessions: u64,
    /// Old rate-limit windows.
    pub rate_limits: u64,
    /// Idempotency keys past their replay period.
    pub idempotency_keys: u64,
    /// Staff invitation and password reset links that can no longer be used.
    pub staff_account_links: u64,
}

/// Deletes, in batches, what is older than its retention as of `at`.
pub async fn prune(db: &Db, retention: &Retention, at: Timestamp) -> Result<Pruned, sqlx::Error> {
    let before = |period: chrono::Duration| at.plus(-period).millis();
    let mut pruned = Pruned {
        jobs: batches(db, |limit| {
            sqlx::query(
                "DELETE FROM jobs WHERE id IN (SELECT j.id FROM jobs j \
                 WHERE j.status IN ('done', 'failed') AND j.updated_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.job_id = j.id) LIMIT $2)",
            )
            .bind(before(retention.finished_jobs))
            .bind(limit)
        })
        .await?,
        portal_sessions: batches(db, |limit| {
            sqlx::query(
                "DELETE FROM portal_sessions WHERE id_hash IN \
                 (SELECT id_hash FROM portal_sessions WHERE last_seen_at < $1 LIMIT $2)",
            )
            .bind(before(crate::invitations::sessions::IDLE_TIMEOUT))
            .bind(limit)
        })
        .await?,
        staff_sessions: batches(db, |limit| {
            sqlx::query(
                "DELETE FROM staff_sessions WHERE id_hash IN (SELECT id_hash FROM staff_sessions \
                 WHERE last_seen_at < $1 OR created_at < $2 LIMIT $3)",
            )
            .bind(before(crate::staff::sessions::IDLE_TIMEOUT))
            .bind(before(crate::staff::sessions::ABSOLUTE_TIMEOUT))
            .bind(limit)
        })
        .await?,
        rate_limits: batches(db, |limit| {
            sqlx::query(
                "DELETE FROM rate_limits WHERE (bucket, window_start) IN \
                 (SELECT bucket, window_start FROM rate_limits WHERE window_start < $1 LIMIT $2)",
            )
            .bind(before(retention.rate_limits))
            .bind(limit)
        })
        .await?,
        idempotency_keys: batches(db, |limit| {
            sqlx::query(
                "DELETE FROM idempotency_keys WHERE (token_id, method, path, idempotency_key) IN \
                 (SELECT token_id, method, path, idempotency_key FROM idempotency_keys \
                  WHERE created_at < $1 LIMIT $2)",
            )
            .bind(before(crate::idempotency::KEEP_FOR))
            .bind(limit)
        })
        .await?,
        staff_account_links: batches(db, |limit| {
            // An invitation neither used nor withdrawn stays, expired or not: the staff page
            // lists it to be sent again.
            sqlx::query(
                "DELETE FROM staff_account_links WHERE id IN (SELECT id FROM staff_account_links \
                 WHERE expires_at < $1 AND (kind <> 'INVITATION' OR used_at IS NOT NULL \
                 OR revoked_at IS NOT NULL) LIMIT $2)",
            )
            .bind(before(STAFF_LINKS_KEPT))
            .bind(limit)
        })
        .await?,
        ..Pruned::default()
    };
    prune_events(db, before(retention.delivered_events), &mut pruned).await?;
    Ok(pruned)
}

type Delete<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Runs a batched DELETE (`limit` rows at most) until a batch deletes fewer than a full one.
async fn batches<'q>(db: &Db, delete: impl Fn(i64) -> Delete<'q>) -> Result<u64, sqlx::Error> {
    let mut total = 0;
    for _ in 0..MAX_BATCHES {
        let mut tx = db.begin_write().await?;
        let done = delete(BATCH).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        total += done;
        if done < BATCH.unsigned_abs() {
            break;
        }
        // Let waiting writers in between batches.
        tokio::task::yield_now().await;
    }
    Ok(total)
}

/// A delivered event older than `before`: no delivery of it is still unsent.
const DELIVERED: &str = "e.occurred_at < $1 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d \
                         WHERE d.event_id = e.id AND d.succeeded_at IS NULL)";

async fn prune_events(db: &Db, before: i64, pruned: &mut Pruned) -> Result<(), sqlx::Error> {
    for _ in 0..MAX_BATCHES {
        let ids = delivered_events(db.pool(), before).await?;
        if ids.is_empty() {
            break;
        }
        let list = (2..ids.len() + 2)
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut tx = db.begin_write().await?;
        let mut run = async |sql: String| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(before);
            for id in &ids {
                query = query.bind(id.as_str());
            }
            query
                .execute(&mut *tx)
                .await
                .map(|done| done.rows_affected())
        };
        // The condition is asked again at each step: a delivery added meanwhile keeps its event.
        pruned.attempts += run(format!(
            "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT d.id FROM webhook_deliveries d \
             JOIN events e ON e.id = d.event_id WHERE e.id IN ({list}) AND {DELIVERED})"
        ))
        .await?;
        pruned.deliveries += run(format!(
            "DELETE FROM webhook_deliveries WHERE id IN (SELECT d.id FROM webhook_deliveries d \
             JOIN events e ON e.id = d.event_id WHERE e.id IN ({list}) AND {DELIVERED})"
        ))
        .await?;
        pruned.events += run(format!(
            "DELETE FROM events WHERE id IN (SELECT e.id FROM events e WHERE e.id IN ({list}) AND {DELIVERED})"
        ))
        .await?;
        tx.commit().await?;
        if ids.len() < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            break;
        }
        tokio::task::yield_now().await;
    }
    Ok(())
}

async fn delivered_events<'e>(
    conn: impl AnyExecutor<'e>,
    before: i64,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = format!("SELECT e.id FROM events e WHERE {DELIVERED} LIMIT $2");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(before)
        .bind(BATCH)
        .fetch_all(conn)
        .await
}
