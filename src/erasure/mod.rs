//! Erasure of a buyer's personal data once the law no longer asks to keep it: the records of an
//! ended relationship after `retentionDaysAfterEnd`, those of a buyer that never completed KYC
//! after `retentionDaysInactive` without activity, or earlier on an administrator's request.
//!
//! One transaction overwrites every personal field, points the buyer's documents at no file,
//! keeps the audit entries as facts without their snapshots, purges the buyer's webhook
//! payloads from the outbox and writes the tombstone entry and `kyc.buyer_erased`. Only then
//! are the files deleted from the store, never leaving a row pointing at a deleted file. The
//! same transaction notes the files in `erasure_pending_files`, and each note goes once its file
//! is gone: a round interrupted between the commit and the deletions (a crash, a SIGKILL, a
//! store that is down) leaves the list, which every round finishes first. The buyer's row is
//! locked and must not be erased yet, so two instances running the round erase it once.

mod store;

use serde::Serialize;
use serde_json::json;

use crate::audit::{Actor, Subject};
use crate::buyers;
use crate::db::{Db, Timestamp};
use crate::errors::{Conflict, Error};
use crate::events::EventType;
use crate::organisation;
use crate::storage::{BlobKey, BlobStore};
use crate::write::{self, WriteTx};

/// Why a buyer was erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErasureRule {
    /// `retentionDaysAfterEnd` after the end of the relationship.
    AfterEnd,
    /// `retentionDaysInactive` without activity, KYC never completed.
    Inactive,
    /// An administrator's request.
    OnRequest,
}

impl ErasureRule {
    /// The name the tombstone and the CLI use.
    pub fn as_str(self) -> &'static str {
        match self {
            ErasureRule::AfterEnd => "AFTER_END",
            ErasureRule::Inactive => "INACTIVE",
            ErasureRule::OnRequest => "ON_REQUEST",
        }
    }
}

/// One erased buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Erased {
    /// The buyer.
    pub buyer_id: String,
    /// Under which rule.
    pub rule: ErasureRule,
    /// How many document files it took from the buyer (deleted from the store, or noted for
    /// the next round when the store refused).
    pub files: usize,
}

/// Erases every buyer whose retention period has run out at `at` (the clock is the caller's,
/// so that tests and the CLI's `--at` can name the day).
pub async fn run(db: &Db, blobs: &BlobStore, at: Timestamp) -> Result<Vec<Erased>, Error> {
    finish_pending(db, blobs).await?;
    let settings = organisation::load(db).await?;
    let days = |n: u32| chrono::Duration::days(-i64::from(n));
    let due = store::due(
        db.pool(),
        at.plus(days(settings.retention_days_after_end)),
        at.plus(days(settings.retention_days_inactive)),
    )
    .await?;
    let mut erased = Vec::new();
    for (buyer_id, ended) in due {
        let rule = if ended {
            ErasureRule::AfterEnd
        } else {
            ErasureRule::Inactive
        };
        match erase(db, blobs, Actor::System, &buyer_id, rule, None, at).await {
            Ok(Some(done)) => erased.push(done),
            // Held, reopened or erased by another instance meanwhile.
            Ok(None) => {}
            Err(e) => tracing::warn!(buyer_id, error = %e, "erasing a buyer failed"),
        }
    }
    Ok(erased)
}

/// How many buyers are due within a period, and what the last round did: for the retention
/// overview on the staff settings page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overview {
    /// Buyers the rules will erase within [`OVERVIEW_DAYS`] (held buyers are not counted).
    pub due_soon: usize,
    /// The last round, if one ran.
    pub last_run: Option<LastRun>,
}

/// The period the overview looks ahead.
pub const OVERVIEW_DAYS: i64 = 30;

/// The overview as of `at` under `settings`.
pub async fn overview(
    db: &Db,
    settings: &organisation::OrganisationSettings,
    at: Timestamp,
) -> Result<Overview, Error> {
    let ahead = at.plus(chrono::Duration::days(OVERVIEW_DAYS));
    let days = |n: u32| chrono::Duration::days(-i64::from(n));
    let due = store::due(
        db.pool(),
        ahead.plus(days(settings.retention_days_after_end)),
        ahead.plus(days(settings.retention_days_inactive)),
    )
    .await?;
    Ok(Overview {
        due_soon: due.len(),
        last_run: last_run(db).await?,
    })
}

/// What the last round did: when it ran and whom it erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastRun {
    /// When it ran (by its own clock).
    pub at: Timestamp,
    /// How many buyers it erased (None while it runs).
    pub erased: Option<usize>,
}

/// How a round is recorded in the settings table.
#[derive(Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredRun {
    at_millis: i64,
    erased: Option<usize>,
}

fn from_json(value: &str) -> Option<LastRun> {
    let stored: StoredRun = serde_json::from_str(value).ok()?;
    Some(LastRun {
        at: Timestamp::from_millis(stored.at_millis),
        erased: stored.erased,
    })
}

fn to_json(run: &LastRun) -> Result<String, Error> {
    serde_json::to_string(&StoredRun {
        at_millis: run.at.millis(),
        erased: run.erased,
    })
    .map_err(|e| Error::Internal(e.into()))
}

/// The last round, if one ran.
pub async fn last_run(db: &Db) -> Result<Option<LastRun>, Error> {
    Ok(store::last_run(db.pool())
        .await?
        .as_deref()
        .and_then(from_json))
}

/// The daily round of `serve`: runs when the last round is a day old or none ran, once
/// among however many instances (the first to record the round runs it); None when it was
/// not due. The deletions an interrupted erasure left are finished every time, so that a
/// portal killed in a round cleans up when it starts again, not a day later.
pub async fn run_daily(
    db: &Db,
    blobs: &BlobStore,
    at: Timestamp,
) -> Result<Option<Vec<Erased>>, Error> {
    finish_pending(db, blobs).await?;
    let seen = store::last_run(db.pool()).await?;
    let last = seen.as_deref().and_then(from_json);
    if last.is_some_and(|last| at.millis() - last.at.millis() < DAY_MILLIS) {
        return Ok(None);
    }
    let started = to_json(&LastRun { at, erased: None })?;
    if !store::record_run(db.pool(), seen.as_deref(), &started).await? {
        return Ok(None);
    }
    let erased = run(db, blobs, at).await?;
    let done = to_json(&LastRun {
        at,
        erased: Some(erased.len()),
    })?;
    store::record_run(db.pool(), Some(&started), &done).await?;
    Ok(Some(erased))
}

const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// Erases an ended buyer now, on an administrator's request with a reason; refused while the
/// buyer is on legal hold or its relationship goes on.
pub async fn erase_on_request(
    db: &Db,
    blobs: &BlobStore,
    actor: Actor,
    buyer_id: &str,
    reason: String,
    at: Timestamp,
) -> Result<Erased, Error> {
    let buyer = buyers::get_by_id(db, buyer_id).await?;
    if buyer.erased_at.is_some() {
        return Err(Error::Conflict(Conflict::BuyerErased));
    }
    if buyer.hold_reason.is_some() {
        return Err(Error::Conflict(Conflict::BuyerOnHold));
    }
    if !buyer.is_ended() {
        return Err(Error::Conflict(Conflict::BuyerNotEnded));
    }
    erase(
        db,
        blobs,
        actor,
        buyer_id,
        ErasureRule::OnRequest,
        Some(reason),
        at,
    )
    .await?
    .ok_or(Error::Conflict(Conflict::ChangedMeanwhile))
}

/// Erases one buyer unless it is held, reopened (for AFTER_END) or erased meanwhile (None).
async fn erase(
    db: &Db,
    blobs: &BlobStore,
    actor: Actor,
    buyer_id: &str,
    rule: ErasureRule,
    reason: Option<String>,
    at: Timestamp,
) -> Result<Option<Erased>, Error> {
    let keep_vat = organisation::load(db).await?.retention_keeps_vat_number;
    let keys = write::apply(db, actor, async |tx: &mut WriteTx| {
        let buyer = buyers::lock_in(tx, buyer_id).await?;
        let still_due = buyer.erased_at.is_none()
            && buyer.hold_reason.is_none()
            && (rule != ErasureRule::AfterEnd || buyer.is_ended());
        if !still_due {
            return Ok(None);
        }
        let keys = store::blob_keys(tx.conn().await?, buyer_id).await?;
        store::note_pending(tx.conn().await?, buyer_id, &keys, at).await?;
        store::overwrite(tx.conn().await?, buyer_id, keep_vat, at).await?;
        tx.record(
            Subject::Buyer(buyer_id),
            "erased",
            None,
            Some(json!({
                "rule": rule.as_str(),
                "reason": reason,
                "erasedAt": at,
                "endedAt": buyer.ended_at,
                "documentFiles": keys.len(),
                "vatNumberKept": keep_vat,
                "erased": [
                    "companyName", "address", "contacts", "documentFileNames",
                    "documentFiles", "invitationRecipients", "viesTraderNamesAndAddresses",
                    "verificationProviderDetails", "kycProfiles", "auditSnapshots",
                    "webhookPayloads", "reviewNotes", "keptApiResponses", "jobErrors",
                    "webhookAttemptErrors",
                ],
            })),
        );
        tx.announce(
            EventType::BuyerErased,
            buyer_id,
            json!({ "rule": rule.as_str(), "erasedAt": at }),
        );
        Ok(Some(keys))
    })
    .await?;
    let Some(keys) = keys else {
        return Ok(None);
    };
    // After the commit: no row points at these files any more.
    for key in &keys {
        delete_file(db, blobs, buyer_id, key).await?;
    }
    Ok(Some(Erased {
        buyer_id: buyer_id.to_owned(),
        rule,
        files: keys.len(),
    }))
}

/// Deletes the files an interrupted round left noted (a crash after an erasure's commit).
async fn finish_pending(db: &Db, blobs: &BlobStore) -> Result<(), Error> {
    let pending = store::pending(db.pool()).await?;
    if !pending.is_empty() {
        tracing::info!(
            files = pending.len(),
            "finishing the file deletions of an interrupted erasure"
        );
    }
    for (key, buyer_id) in pending {
        delete_file(db, blobs, &buyer_id, &key).await?;
    }
    Ok(())
}

/// Deletes one erased file from the store, then its note; a file already gone counts as
/// deleted. A store that fails keeps the note for the next round.
async fn delete_file(db: &Db, blobs: &BlobStore, buyer_id: &str, key: &str) -> Result<(), Error> {
    match blobs.delete(&BlobKey::from_stored(key.to_owned())).await {
        Ok(()) => {}
        Err(e) if e.is_not_found() => {}
        Err(e) => {
            tracing::warn!(buyer_id, error = %e, "deleting an erased document's file failed");
            return Ok(());
        }
    }
    store::forget_pending(db.pool(), key).await?;
    Ok(())
}
