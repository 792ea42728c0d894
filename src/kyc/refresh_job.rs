//! Re-evaluating KYC statuses that change without a change of their own: documents grow too
//! old with time, and the organisation may change what KYC needs. The job is queued in the
//! transaction that saves new requirements, so such a change is always followed by the
//! `kyc.status_changed` events it causes, even across a crash.

use futures_util::future::BoxFuture;
use serde_json::Value;
use sqlx::Row;

use super::status::{self, OverallStatus};
use crate::audit::Actor;
use crate::buyers::store as buyers_store;
use crate::db::{Db, Timestamp, now};
use crate::errors::Error;
use crate::jobs::{JobError, JobHandler};
use crate::organisation::settings;
use crate::write::WriteTx;

/// The job kind; the payload is `{}`.
pub const REFRESH_JOB: &str = "kyc.refresh_statuses";

/// Runs `kyc.refresh_statuses` jobs. Running twice announces nothing twice: only buyers whose
/// status differs from the one announced are refreshed.
pub struct RefreshStatusesJob {
    /// The database.
    pub db: Db,
}

impl JobHandler for RefreshStatusesJob {
    fn run<'a>(&'a self, _payload: &'a Value) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let changed = refresh_all(&self.db)
                .await
                .map_err(|e| JobError::Retry(format!("refreshing KYC statuses: {e}")))?;
            tracing::info!(
                changed,
                "KYC statuses refreshed after a change of requirements"
            );
            Ok(())
        })
    }
}

/// Documents grow old without any change being made: finds the buyers announced VALID whose
/// status has lapsed by `at` and refreshes them. Returns how many changed.
pub async fn refresh_lapsed(db: &Db, at: Timestamp) -> Result<usize, Error> {
    let rows = sqlx::query("SELECT buyer_id FROM kyc_statuses WHERE overall_status = 'VALID'")
        .fetch_all(db.pool())
        .await?;
    let ids = rows
        .iter()
        .map(|row| row.try_get::<String, _>("buyer_id"))
        .collect::<Result<Vec<_>, _>>()?;
    refresh_where_changed(db, &ids, at).await
}

/// The organisation changed what KYC needs (required document types, max ages): refreshes
/// every buyer whose status moved, each with its `kyc.status_changed`. Returns how many changed.
pub async fn refresh_all(db: &Db) -> Result<usize, Error> {
    let rows = sqlx::query("SELECT id FROM buyers ORDER BY id")
        .fetch_all(db.pool())
        .await?;
    let ids = rows
        .iter()
        .map(|row| row.try_get::<String, _>("id"))
        .collect::<Result<Vec<_>, _>>()?;
    refresh_where_changed(db, &ids, now()).await
}

/// Refreshes those of `buyer_ids` whose computed status differs from the one announced, each
/// in its own write transaction (looked at first without one, so that buyers that did not
/// change cost no write). Returns how many changed.
async fn refresh_where_changed(
    db: &Db,
    buyer_ids: &[String],
    at: Timestamp,
) -> Result<usize, Error> {
    let settings = settings::load(db).await?;
    let mut changed = 0;
    for buyer_id in buyer_ids {
        let mut conn = db.pool().acquire().await?;
        let Some(buyer) = buyers_store::find_any(&mut *conn, buyer_id).await? else {
            continue;
        };
        let computed = status::compute_at(&mut conn, &settings, &buyer, at).await?;
        let announced: OverallStatus = status::stored(&mut conn, buyer_id).await?;
        drop(conn);
        if computed.overall_status == announced {
            continue;
        }
        let mut tx = WriteTx::new(db, Actor::System).as_of(at);
        tx.touch(buyer_id);
        tx.commit().await?;
        changed += 1;
    }
    Ok(changed)
}
