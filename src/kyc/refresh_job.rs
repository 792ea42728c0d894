//! The background job that re-evaluates every buyer after the organisation changed what KYC
//! needs. Queued in the transaction that saves the settings, so a change of requirements is
//! always followed by the `kyc.status_changed` events it causes, even across a crash.

use futures_util::future::BoxFuture;
use serde_json::Value;

use super::status;
use crate::db::Db;
use crate::jobs::{JobError, JobHandler};

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
            let changed = status::refresh_all(&self.db)
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
