//! Fixed-window rate limits kept in the database, so that they hold across instances. A hit is
//! counted and judged in one statement (an upsert that returns the new count), so parallel
//! requests cannot all read "under the limit" before any of them is counted.

use crate::db::{Db, now};
use crate::errors::Error;

/// A limit: at most `max` units (hits, or bytes) per `window`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Units allowed per window.
    pub max: i64,
    /// The window.
    pub window: chrono::Duration,
}

/// What a bucket says about one more hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the limit.
    Allowed,
    /// Over it; the window ends in this many seconds (at least 1).
    Limited {
        /// Seconds until the window ends.
        retry_after: u64,
    },
}

impl Verdict {
    /// Whether the hit was within the limit.
    pub fn is_allowed(self) -> bool {
        self == Verdict::Allowed
    }

    /// The 429 for a hit over the limit, with its `Retry-After`.
    pub fn or_too_many(self) -> Result<(), Error> {
        match self {
            Verdict::Allowed => Ok(()),
            Verdict::Limited { retry_after } => Err(Error::TooMany { retry_after }),
        }
    }
}

/// The start of the current window and the seconds left in it.
fn window(limit: Limit) -> (i64, u64) {
    let at = now().millis();
    let window = limit.window.num_milliseconds().max(1);
    let start = at - at.rem_euclid(window);
    let left_ms = start + window - at;
    (
        start,
        u64::try_from(left_ms.div_euclid(1000) + 1).unwrap_or(1),
    )
}

/// Counts one hit for `bucket` and judges it.
pub async fn hit(db: &Db, bucket: &str, limit: Limit) -> Result<Verdict, Error> {
    add(db, bucket, limit, 1).await
}

/// Counts `amount` units (bytes of an upload, say) for `bucket` and judges the total.
pub async fn add(db: &Db, bucket: &str, limit: Limit, amount: i64) -> Result<Verdict, Error> {
    let (start, retry_after) = window(limit);
    let mut tx = db.begin_write().await?;
    let hits: i64 = sqlx::query_scalar(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, $3) \
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + $3 \
         RETURNING hits",
    )
    .bind(bucket)
    .bind(start)
    .bind(amount)
    .fetch_one(&mut *tx)
    .await?;
    // Old windows are of no use; clear them as we go.
    sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
        .bind(start - limit.window.num_milliseconds().max(1))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(if hits <= limit.max {
        Verdict::Allowed
    } else {
        Verdict::Limited { retry_after }
    })
}

/// Takes back one hit counted in the current window (an attempt that turned out to be
/// legitimate, or that could not be judged).
pub async fn refund(db: &Db, bucket: &str, limit: Limit) -> Result<(), Error> {
    let (start, _) = window(limit);
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE rate_limits SET hits = hits - 1 WHERE bucket = $1 AND window_start = $2 AND hits > 0",
    )
    .bind(bucket)
    .bind(start)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether `bucket` has reached its limit now, without counting anything.
pub async fn check(db: &Db, bucket: &str, limit: Limit) -> Result<Verdict, Error> {
    let (start, retry_after) = window(limit);
    let hits: Option<i64> =
        sqlx::query_scalar("SELECT hits FROM rate_limits WHERE bucket = $1 AND window_start = $2")
            .bind(bucket)
            .bind(start)
            .fetch_optional(db.pool())
            .await?;
    Ok(if hits.unwrap_or(0) >= limit.max {
        Verdict::Limited { retry_after }
    } else {
        Verdict::Allowed
    })
}
