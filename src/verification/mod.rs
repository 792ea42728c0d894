//! NT24_LED identity verification: a session with the provider (iDenfy) for the buyer's
//! contact, its signed result from the provider's callback, a staff decision when the result is
//! held (SUSPECTED or an AML hit), and the signed KYC profile PDF once verified.
//!
//! The buyer's current verification is the one that most recently started or reported a
//! result. A new one starts only when the current one is not running (a pending session whose
//! link still works is returned instead), does not wait for staff and did not verify the
//! buyer; so after an expiry, a rejection, or once a pending session's link has lapsed.

pub mod aml;
mod callback;
mod email_job;
pub mod idenfy;
pub mod model;
mod pdf;
mod pdf_font;
mod pdf_image;
pub mod profile;
pub mod provider;
pub mod signing;
pub(crate) mod store;

pub use callback::{CallbackOutcome, receive_idenfy_callback};
pub use email_job::{EMAIL_JOB, VerificationEmailJob};
pub use model::{
    Decision, ProviderResult, ProviderVerdict, StartOptions, Started, Verification,
    VerificationState,
};
pub use provider::{ProviderError, Session, SessionRequest, VerificationProvider};

use serde_json::json;

use crate::audit::Subject;
use crate::buyers::{self, Buyer, KycMode};
use crate::db::{Db, now};
use crate::errors::{Conflict, Error, Rule, Unavailability, Upstream};
use crate::events::EventType;
use crate::invitations::model::EmailStatus;
use crate::jobs;
use crate::organisation;
use crate::write::WriteTx;

/// How long a session link works: long enough for an emailed link to be opened after a
/// weekend (iDenfy allows up to 30 days).
const SESSION_LIFETIME_SECS: i64 = 7 * 24 * 3600;

/// What a start needs besides the buyer.
#[derive(Clone, Copy)]
pub struct StartContext<'a> {
    /// The provider.
    pub provider: &'a dyn VerificationProvider,
    /// The portal's public base URL (the provider's results are posted below it).
    pub public_url: &'a str,
}

/// Starts an identity verification of an NT24_LED buyer's contact, or returns the one still
/// running. 409 for MARKETPLACE_LED and blocked buyers, and while a verification waits for
/// staff or has verified the buyer; 503 when the provider cannot open a session.
pub async fn start(
    tx: &mut WriteTx,
    context: StartContext<'_>,
    seller_id: &str,
    buyer_id: &str,
    options: StartOptions,
) -> Result<Started, Error> {
    let db = tx.db().clone();
    let buyer = buyers::get(&db, seller_id, buyer_id).await?;
    may_start(&buyer)?;
    let current = store::latest(db.pool(), buyer_id).await?;
    if let Some(running) = ready_or_running(current)? {
        return Ok(Started::Running(running));
    }
    let language = match options.language {
        Some(language) => language,
        None => organisation::load(&db).await?.default_language,
    };
    let contact = buyer.contacts.first();
    let recipient = match (options.send_email, contact) {
        (false, _) => None,
        (true, Some(contact)) => Some(contact.email.as_str().to_owned()),
        (true, None) => {
            return Err(Error::invalid("sendEmail", Rule::NoContact));
        }
    };
    let callback_url = format!("{}{}", context.public_url, context.provider.callback_path());
    let request = SessionRequest {
        client_id: &buyer.uuid,
        first_name: contact.map(|c| c.first_name.as_str()),
        last_name: contact.map(|c| c.last_name.as_str()),
        callback_url: &callback_url,
        language,
        lifetime_secs: SESSION_LIFETIME_SECS,
    };
    // The provider is asked outside any transaction: a slow provider must not hold the
    // database's write lock.
    let session = context
        .provider
        .start_session(&request)
        .await
        .map_err(|e| {
            // The provider's own words (which may name our account's trouble) go to the log,
            // not to the caller.
            tracing::warn!(buyer = %buyer.uuid, error = %e, "no verification session");
            match e {
                // Not set up: nothing changes by itself; an hour is a polite pause.
                ProviderError::NotConfigured => Error::Unavailable {
                    what: Unavailability::ProviderNotConfigured,
                    retry_after: 3600,
                },
                ProviderError::Failed(_) => Error::Unavailable {
                    what: Unavailability::ProviderFailed,
                    retry_after: 60,
                },
            }
        })?;
    let created_at = now();
    let verification = Verification {
        uuid: uuid::Uuid::now_v7().to_string(),
        buyer_id: buyer.uuid.clone(),
        provider: context.provider.name().to_owned(),
        scan_ref: session.scan_ref,
        auth_token: session.auth_token,
        session_url: session.session_url,
        language,
        status: VerificationState::Pending,
        created_at,
        expires_at: created_at.plus(chrono::Duration::seconds(session.lifetime_secs)),
        provider_status: None,
        provider_details: None,
        aml: None,
        aml_hit: false,
        settled_at: None,
        decided_at: None,
        reviewed_by: None,
        review_reason: None,
        email_status: recipient.as_ref().map(|_| EmailStatus::Queued),
        email_to: recipient,
        person: None,
        email_error: None,
    };
    // Decided again under the buyer's lock: a concurrent start may have won meanwhile (its
    // session is then the one returned, and this provider session is left unused).
    let buyer = buyers::lock_in(tx, buyer_id).await?;
    may_start(&buyer)?;
    if let Some(running) = ready_or_running(store::latest(tx.conn().await?, buyer_id).await?)? {
        return Ok(Started::Running(running));
    }
    // A provider that repeats a session reference would tie two buyers' results together;
    // nothing is started, and the log says so (the caller sees a 502).
    if let Some(earlier) = store::find_by_scan_ref(tx.conn().await?, &verification.scan_ref).await?
    {
        tracing::error!(
            buyer = %buyer_id,
            scan_ref = %verification.scan_ref,
            earlier = %earlier.uuid,
            "the identity provider repeated a session reference"
        );
        return Err(Error::BadGateway(Upstream::RepeatedSessionReference));
    }
    store::insert(tx.conn().await?, &verification).await?;
    record(tx, "started", None, &verification);
    if verification.email_to.is_some() {
        jobs::enqueue(
            tx.conn().await?,
            EMAIL_JOB,
            &json!({ "verificationId": verification.uuid }),
            None,
        )
        .await?;
    }
    Ok(Started::New(verification))
}

fn may_start(buyer: &Buyer) -> Result<(), Error> {
    if buyer.kyc_mode != KycMode::Nt24Led {
        return Err(Error::Conflict(Conflict::NotNt24Led));
    }
    if let Some(conflict) = buyer.refusal() {
        return Err(Error::Conflict(conflict));
    }
    Ok(())
}

/// Ok(Some) with the running verification, Ok(None) when a new one may start, or the
/// conflict that forbids one.
fn ready_or_running(current: Option<Verification>) -> Result<Option<Verification>, Error> {
    let Some(current) = current else {
        return Ok(None);
    };
    if current.is_running(now()) {
        return Ok(Some(current));
    }
    match current.status {
        VerificationState::Review => Err(Error::Conflict(Conflict::VerificationInReview {
            current: snapshot(&current),
        })),
        VerificationState::Verified => Err(Error::Conflict(Conflict::AlreadyVerified {
            current: snapshot(&current),
        })),
        // A rejected or lapsed session, or a pending one whose link no longer works.
        _ => Ok(None),
    }
}

/// The buyer's current verification, if one was ever started.
pub async fn latest(db: &Db, buyer_id: &str) -> Result<Option<Verification>, Error> {
    Ok(store::latest(db.pool(), buyer_id).await?)
}

/// Every verification of a buyer, oldest first.
pub async fn all_of(db: &Db, buyer_id: &str) -> Result<Vec<Verification>, Error> {
    Ok(store::all_of(db.pool(), buyer_id).await?)
}

/// [`latest`] for a seller's buyer: 404 when the seller, the buyer or any verification is
/// missing.
pub async fn latest_of(db: &Db, seller_id: &str, buyer_id: &str) -> Result<Verification, Error> {
    buyers::get(db, seller_id, buyer_id).await?;
    latest(db, buyer_id)
        .await?
        .ok_or(Error::NotFound("verification"))
}

/// A staff decision on the buyer's held verification (SUSPECTED, or an AML hit): VERIFIED or
/// REJECTED, announced and fed into the KYC status like a provider's result. 409 when no
/// verification of the buyer waits for review.
pub async fn review(
    tx: &mut WriteTx,
    buyer_id: &str,
    decision: Decision,
) -> Result<Verification, Error> {
    let (state, reason) = match &decision {
        Decision::Approve { reason } => (VerificationState::Verified, reason),
        Decision::Reject { reason } => (VerificationState::Rejected, reason),
    };
    let reason = Some(buyers::parse_block_reason(Some(reason))?);
    let buyer = buyers::lock_in(tx, buyer_id).await?;
    let current = store::latest(tx.conn().await?, buyer_id)
        .await?
        .filter(Verification::review_required)
        .ok_or_else(|| Error::Conflict(Conflict::NothingToReview))?;
    let at = now();
    let reviewer = tx.actor().to_string();
    if !store::decide(
        tx.conn().await?,
        &current.uuid,
        state,
        &reviewer,
        reason.as_deref(),
        at,
    )
    .await?
    {
        return Err(Error::Conflict(Conflict::DecidedMeanwhile));
    }
    let decided = Verification {
        status: state,
        decided_at: Some(at),
        reviewed_by: Some(reviewer),
        review_reason: reason,
        ..current.clone()
    };
    record(tx, "reviewed", Some(&current), &decided);
    announce(tx, &buyer, &decided);
    Ok(decided)
}

/// The verification as a conflict carries it (the caller may see its session).
fn snapshot(verification: &Verification) -> serde_json::Value {
    serde_json::to_value(verification).unwrap_or_default()
}

/// Announces `kyc.verification_completed` for a decided verification.
fn announce(tx: &mut WriteTx, buyer: &Buyer, verification: &Verification) {
    tx.announce(
        EventType::VerificationCompleted,
        &buyer.uuid,
        json!({
            "verificationId": verification.uuid,
            "verificationStatus": verification.status.kyc_status(),
            "provider": verification.provider,
            "scanRef": verification.scan_ref,
            "providerStatus": verification.provider_status,
            "amlHit": verification.aml_hit,
            "reviewedBy": verification.reviewed_by,
            "completedAt": verification.decided_at,
        }),
    );
}

/// `kyc.verification_review_required`: the provider's result is held for staff, who decide
/// it (the seller hears `kyc.verification_completed` then).
fn announce_review(tx: &mut WriteTx, buyer: &Buyer, verification: &Verification) {
    tx.announce(
        EventType::VerificationReviewRequired,
        &buyer.uuid,
        json!({
            "verificationId": verification.uuid,
            "provider": verification.provider,
            "scanRef": verification.scan_ref,
            "providerStatus": verification.provider_status,
            "amlHit": verification.aml_hit,
            "heldAt": verification.settled_at,
        }),
    );
}

/// A verification as the history and the export keep it: everything but the session URL,
/// which carries the session's token.
pub fn without_session_url(verification: &Verification) -> Option<serde_json::Value> {
    let mut value = serde_json::to_value(verification).ok()?;
    value.as_object_mut()?.remove("sessionUrl");
    Some(value)
}

fn record(tx: &mut WriteTx, action: &str, before: Option<&Verification>, after: &Verification) {
    tx.record(
        Subject::Verification {
            id: &after.uuid,
            buyer_id: &after.buyer_id,
        },
        action,
        before.and_then(without_session_url),
        without_session_url(after),
    );
}
