//! Fixed-window rate limits kept in the database, so that they hold across instances.

use crate::db::{Db, now};
use crate::error::AppError;

/// A limit: at most `max` hits per `window`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Hits allowed per window.
    pub max: i64,
    /// The window.
    pub window: chrono::Duration,
}

/// Counts one hit for `bucket`; false when the bucket is over its limit in this window.
pub async fn hit(db: &Db, bucket: &str, limit: Limit) -> Result<bool, AppError> {
    let at = now().millis();
    let window = limit.window.num_milliseconds().max(1);
    let start = at - at.rem_euclid(window);
    let mut tx = db.begin_write().await?;
    let hits: i64 = sqlx::query_scalar(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits",
    )
    .bind(bucket)
    .bind(start)
    .fetch_one(&mut *tx)
    .await?;
    // Old windows are of no use; clear them as we go.
    sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
        .bind(start - window)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(hits <= limit.max)
}

/// Whether `bucket` is over its limit now, without counting a hit.
pub async fn is_limited(db: &Db, bucket: &str, limit: Limit) -> Result<bool, AppError> {
    let at = now().millis();
    let window = limit.window.num_milliseconds().max(1);
    let start = at - at.rem_euclid(window);
    let hits: Option<i64> =
        sqlx::query_scalar("SELECT hits FROM rate_limits WHERE bucket = $1 AND window_start = $2")
            .bind(bucket)
            .bind(start)
            .fetch_optional(db.pool())
            .await?;
    Ok(hits.unwrap_or(0) >= limit.max)
}
