//! VIES checks of a buyer's VAT number: asked for through the API (202 at once), run by a
//! background job (offline check digits first, then the EU VIES service with retries), kept
//! with VIES's answer as evidence.

mod client;
mod job;
pub mod model;
pub mod reason;
pub(crate) mod store;

use std::time::Duration;

use serde_json::json;

pub use client::{Verdict, ViesClient, ViesFailure};
pub use job::ViesCheckJob;
pub use model::{CheckStatus, ViesCheck, ViesEvidence, ViesResult};
pub use store::latest_completed;

use crate::audit::{Actor, Subject};
use crate::buyers;
use crate::db::{Db, Timestamp, now};
use crate::errors::{Conflict, Error};
use crate::events::EventType;
use crate::jobs;
use crate::pagination::{Cursor, Page};
use crate::write::{self, WriteTx};

pub use store::{CHECK_JOB, next_attempt};

/// A guard for the queue: the job settles the check itself after `ViesOptions::max_attempts`
/// calls; the queue only stops a job that keeps failing for other reasons (the database).
const JOB_ATTEMPTS_CAP: i64 = 50;

/// How checks talk to VIES.
#[derive(Debug, Clone)]
pub struct ViesOptions {
    /// How long one call may take.
    pub timeout: Duration,
    /// Calls made before temporary failures settle a check as ERROR.
    pub max_attempts: i64,
}

impl Default for ViesOptions {
    fn default() -> ViesOptions {
        ViesOptions {
            // Some member states take well over ten seconds to answer.
            timeout: Duration::from_secs(30),
            // With the worker's backoff (5 s, doubling) the last call is about 40 minutes after
            // the first: long enough to ride out a member state's usual outage.
            max_attempts: 10,
        }
    }
}

/// Asks for a check of the buyer's VAT number; it runs in the background.
pub async fn request(
    tx: &mut WriteTx,
    seller_id: &str,
    buyer_id: &str,
) -> Result<ViesCheck, Error> {
    let buyer = buyers::get(tx.db(), seller_id, buyer_id).await?;
    if buyer.is_ended() {
        return Err(Error::Conflict(Conflict::BuyerEnded));
    }
    let check = ViesCheck {
        uuid: uuid::Uuid::now_v7().to_string(),
        buyer_id: buyer.uuid.clone(),
        vat_number: buyer.vat_number.as_str().to_owned(),
        status: CheckStatus::Pending,
        result: None,
        reason: None,
        attempts: 0,
        requested_at: now(),
        checked_at: None,
        evidence: None,
    };
    store::insert(tx.conn().await?, &check).await?;
    record(tx, "requested", &check);
    jobs::enqueue(
        tx.conn().await?,
        CHECK_JOB,
        &store::job_payload(&check.uuid),
        Some(JOB_ATTEMPTS_CAP),
    )
    .await?;
    Ok(check)
}

/// [`next_attempt`], read on its own.
pub async fn next_attempt_of(db: &Db, check_id: &str) -> Result<Option<Timestamp>, Error> {
    Ok(next_attempt(db.pool(), check_id).await?)
}

fn record(tx: &mut WriteTx, action: &str, check: &ViesCheck) {
    tx.record(
        Subject::ViesCheck {
            id: &check.uuid,
            buyer_id: &check.buyer_id,
        },
        action,
        None,
        serde_json::to_value(check).ok(),
    );
}

/// One check of a buyer; 404 when the seller, the buyer or the check is unknown.
pub async fn get(
    db: &Db,
    seller_id: &str,
    buyer_id: &str,
    check_id: &str,
) -> Result<ViesCheck, Error> {
    buyers::get(db, seller_id, buyer_id).await?;
    store::find(db.pool(), check_id)
        .await?
        .filter(|check| check.buyer_id == buyer_id)
        .ok_or(Error::NotFound("VIES check"))
}

/// A buyer's checks, newest first.
pub async fn list(
    db: &Db,
    seller_id: &str,
    buyer_id: &str,
    page: &Page,
) -> Result<(Vec<ViesCheck>, Option<Cursor>), Error> {
    buyers::get(db, seller_id, buyer_id).await?;
    let checks = store::list(db.pool(), buyer_id, page).await?;
    Ok(page.split(checks, |c| Cursor::new(c.requested_at.millis(), &c.uuid)))
}

/// Every check of a buyer, oldest first.
pub async fn all_of(db: &Db, buyer_id: &str) -> Result<Vec<ViesCheck>, Error> {
    Ok(store::all_of(db.pool(), buyer_id).await?)
}

/// Settles a pending check, refreshes the buyer's KYC status and, for INVALID and ERROR,
/// announces `kyc.vies_check_failed`, all in one transaction. A check settled before (by an
/// earlier run of the same job) stays as it was.
async fn settle(
    db: &Db,
    check: &ViesCheck,
    settlement: store::Settlement<'_>,
) -> Result<(), Error> {
    write::apply(db, Actor::System, async |tx| {
        if !store::complete(tx.conn().await?, &check.uuid, &settlement).await? {
            return Ok(());
        }
        let settled = store::find(tx.conn().await?, &check.uuid)
            .await?
            .unwrap_or_else(|| check.clone());
        record(tx, "settled", &settled);
        if settlement.result != ViesResult::Valid {
            tx.announce(
                EventType::ViesCheckFailed,
                &check.buyer_id,
                json!({
                    "checkId": check.uuid,
                    "vatNumber": check.vat_number,
                    "result": settlement.result,
                    "reason": settlement.reason,
                }),
            );
        }
        Ok(())
    })
    .await
}
