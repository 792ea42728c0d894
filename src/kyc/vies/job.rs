//! The background job that runs one VIES check.

use futures_util::future::BoxFuture;
use serde_json::Value;

use super::client::{ViesClient, ViesFailure};
use super::model::{ViesCheck, ViesEvidence, ViesResult};
use super::reason;
use super::store::{self, Settlement};
use super::{ViesOptions, settle};
use crate::db::{Db, now};
use crate::jobs::{JobError, JobHandler};
use crate::kyc::vat::VatNumber;
use crate::organisation;

/// Runs `kyc.vies_check` jobs: `{"checkId": ...}`.
pub struct ViesCheckJob {
    db: Db,
    client: ViesClient,
    options: ViesOptions,
}

impl ViesCheckJob {
    /// A handler that asks VIES through `client`.
    pub fn new(db: Db, client: ViesClient, options: ViesOptions) -> ViesCheckJob {
        ViesCheckJob {
            db,
            client,
            options,
        }
    }

    async fn check(&self, payload: &Value) -> Result<(), JobError> {
        let id = payload["checkId"]
            .as_str()
            .ok_or_else(|| JobError::Permanent("the job names no checkId".into()))?;
        let check = store::find(self.db.pool(), id)
            .await
            .map_err(retry)?
            .ok_or_else(|| JobError::Permanent(format!("VIES check {id} does not exist")))?;
        if check.result.is_some() {
            return Ok(());
        }
        let number = match VatNumber::parse(&check.vat_number) {
            Ok(number) => number,
            Err(e) => {
                return self
                    .finish(&check, ViesResult::Invalid, &e.to_string(), 0)
                    .await;
            }
        };
        // Wrong check digits never reach the network.
        if let Err(e) = number.verify_check_digits() {
            return self
                .finish(&check, ViesResult::Invalid, &e.to_string(), 0)
                .await;
        }
        let requester = self.requester().await?;
        match self.client.check(&number, requester.as_ref()).await {
            Ok(verdict) => {
                let evidence = ViesEvidence {
                    request_date: verdict.request_date,
                    request_identifier: verdict.request_identifier,
                    name: verdict.name,
                    address: verdict.address,
                };
                let (result, reason) = if verdict.valid {
                    (ViesResult::Valid, None)
                } else {
                    (ViesResult::Invalid, Some(reason::NOT_REGISTERED))
                };
                let settlement = Settlement {
                    result,
                    reason,
                    calls: 1,
                    evidence: Some(&evidence),
                    at: now(),
                };
                settle(&self.db, &check, settlement).await.map_err(retry)
            }
            Err(ViesFailure::Permanent(reason)) => {
                self.finish(&check, ViesResult::Error, &reason, 1).await
            }
            Err(ViesFailure::Temporary(reason)) => {
                // The last call counts as an attempt whether it is settled here or retried.
                if check.attempts + 1 >= self.options.max_attempts {
                    let reason = reason::gave_up(check.attempts + 1, &reason);
                    return self.finish(&check, ViesResult::Error, &reason, 1).await;
                }
                let mut tx = self.db.begin_write().await.map_err(retry)?;
                store::note_temporary_failure(&mut tx, &check.uuid, &reason)
                    .await
                    .map_err(retry)?;
                tx.commit().await.map_err(retry)?;
                Err(JobError::Retry(reason))
            }
        }
    }

    async fn finish(
        &self,
        check: &ViesCheck,
        result: ViesResult,
        reason: &str,
        calls: i64,
    ) -> Result<(), JobError> {
        let settlement = Settlement {
            result,
            reason: Some(reason),
            calls,
            evidence: None,
            at: now(),
        };
        settle(&self.db, check, settlement).await.map_err(retry)
    }

    /// The marketplace's own VAT number from the settings, if it has a usable one.
    async fn requester(&self) -> Result<Option<VatNumber>, JobError> {
        let settings = organisation::load(&self.db).await.map_err(retry)?;
        let Some(text) = settings.vies_requester_vat_number else {
            return Ok(None);
        };
        match VatNumber::parse(&text) {
            Ok(number) => Ok(Some(number)),
            Err(e) => {
                tracing::warn!(error = %e, "the requester VAT number in the settings is unusable; asking VIES without it");
                Ok(None)
            }
        }
    }
}

/// Our own trouble (the database) is worth another try, with its whole cause in the job's log.
fn retry(error: impl Into<anyhow::Error>) -> JobError {
    JobError::Retry(format!("{:#}", error.into()))
}

impl JobHandler for ViesCheckJob {
    fn run<'a>(&'a self, payload: &'a Value) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(self.check(payload))
    }

    /// The queue gave up (the database failed on every attempt, or the worker died on the
    /// last one): the check must not stay pending for ever, so it settles as ERROR.
    fn gave_up<'a>(&'a self, payload: &'a Value, error: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let Some(id) = payload["checkId"].as_str() else {
                return;
            };
            let Ok(Some(check)) = store::find(self.db.pool(), id).await else {
                return;
            };
            if check.result.is_none() {
                let reason = reason::not_completed(error);
                if let Err(e) = self.finish(&check, ViesResult::Error, &reason, 0).await {
                    tracing::error!(check = id, error = %e, "could not settle an abandoned VIES check");
                }
            }
        })
    }
}
