//! The provider's callback: its signature is checked over the raw body before anything is
//! read from it; a final result settles the pending verification once (the same callback
//! again changes nothing), announces a decided one and refreshes the buyer's KYC status, all
//! in one transaction.

use secrecy::SecretString;

use super::idenfy::{self, Callback};
use super::model::{ProviderResult, Verification, VerificationState};
use super::{announce, announce_review, record, store};
use crate::audit::Actor;
use crate::buyers;
use crate::db::{Db, now};
use crate::errors::Error;
use crate::write;

/// What a callback did.
#[derive(Debug, Clone, PartialEq)]
pub enum CallbackOutcome {
    /// A pending verification took the result.
    Settled,
    /// An interim result, or one for a verification settled before: nothing changed.
    Unchanged,
    /// No verification of this portal has that session.
    UnknownSession,
    /// The session ended long ago: a result for it now is a replay, not news.
    PastLifetime,
}

/// How long after a session's end its result may still arrive (the provider's manual review
/// can take days); later callbacks are refused as replays.
const RESULT_GRACE: chrono::Duration = chrono::Duration::days(7);

/// Receives one iDenfy callback. 401 unless `signature` is the body's HMAC under `key` (no
/// key configured: every callback is refused); 400 for a body that is not a callback.
pub async fn receive_idenfy_callback(
    db: &Db,
    key: Option<&SecretString>,
    signature: Option<&str>,
    body: &[u8],
) -> Result<CallbackOutcome, Error> {
    let Some(key) = key else {
        tracing::error!("an iDenfy callback arrived but KYC_PORTAL_IDENFY_CALLBACK_KEY is not set");
        return Err(Error::Unauthorized);
    };
    let signed = signature.is_some_and(|s| idenfy::signature_is_valid(key, body, s));
    if !signed {
        tracing::warn!(
            has_signature = signature.is_some(),
            "refused an iDenfy callback with a wrong or missing signature"
        );
        return Err(Error::Unauthorized);
    }
    match idenfy::parse_callback(body).map_err(Error::Malformed)? {
        Callback::Final(result) => settle(db, &result).await,
        Callback::Interim { scan_ref } => {
            tracing::info!(scan_ref = %scan_ref, "interim iDenfy result; waiting for the final one");
            Ok(CallbackOutcome::Unchanged)
        }
        Callback::Unknown { scan_ref, status } => {
            tracing::warn!(scan_ref = %scan_ref, status = %status, "final iDenfy callback with a status the portal does not act on");
            Ok(CallbackOutcome::Unchanged)
        }
    }
}

async fn settle(db: &Db, result: &ProviderResult) -> Result<CallbackOutcome, Error> {
    let Some(found) = store::find_by_scan_ref(db.pool(), &result.scan_ref).await? else {
        tracing::warn!(scan_ref = %result.scan_ref, "iDenfy callback for a session this portal did not start");
        return Ok(CallbackOutcome::UnknownSession);
    };
    let at = now();
    if found.expires_at.plus(RESULT_GRACE) < at {
        tracing::warn!(scan_ref = %result.scan_ref, "refused an iDenfy callback for a session long past its lifetime");
        return Ok(CallbackOutcome::PastLifetime);
    }
    write::apply(db, Actor::System, async |tx| {
        settle_in(tx, &found, result, at).await
    })
    .await
}

async fn settle_in(
    tx: &mut write::WriteTx,
    found: &Verification,
    result: &ProviderResult,
    at: crate::db::Timestamp,
) -> Result<CallbackOutcome, Error> {
    let buyer = buyers::lock_in(tx, &found.buyer_id).await?;
    if !store::settle(tx.conn().await?, &found.uuid, result, at).await? {
        return Ok(CallbackOutcome::Unchanged);
    }
    let state = result.next_state();
    let settled = Verification {
        status: state,
        provider_status: Some(result.provider_status.clone()),
        provider_details: Some(result.details.clone()),
        aml: result.aml.clone(),
        aml_hit: result.aml_hit,
        settled_at: Some(at),
        decided_at: state.is_decided().then_some(at),
        person: result.person.clone(),
        ..found.clone()
    };
    record(tx, "settled", Some(found), &settled);
    if state.is_decided() {
        announce(tx, &buyer, &settled);
    } else if state == VerificationState::Review {
        announce_review(tx, &buyer, &settled);
    }
    Ok(CallbackOutcome::Settled)
}
