//! A buyer's KYC status: computed from the facts (the buyer, its latest VIES result, its
//! documents and, for NT24_LED buyers, its identity verification), read as model types. The
//! last overall status is stored so that a change can be announced (`kyc.status_changed`) in
//! the transaction of the change that caused it: the write transaction calls [`refresh_in`]
//! for every buyer whose facts it touched, just before it commits.

use serde::Serialize;
use serde_json::{Value, json};
use sqlx::{AnyConnection, Row};

use super::requirements::{self, DocumentState};
use super::vat::OfflineVerdict;
use super::vies::model::ViesResult;
use super::vies::store as vies_store;
use crate::buyers::model::{Buyer, KycMode};
use crate::buyers::store as buyers_store;
use crate::db::{Timestamp, now};
use crate::documents::model::{DocumentType, counting};
use crate::documents::store as documents_store;
use crate::errors::Error;
use crate::organisation::settings::{self, OrganisationSettings};
use crate::verification::model::VerificationState;
pub use crate::verification::model::VerificationStatus;
use crate::verification::store as verification_store;

/// The one-word verdict on a buyer's KYC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OverallStatus {
    /// Not decided yet: something is missing or not checked.
    Pending,
    /// Everything the buyer's mode needs is there and checked.
    Valid,
    /// VIES or the identity verification said no.
    Invalid,
    /// The buyer is blocked.
    Blocked,
}

impl OverallStatus {
    /// Every status, in the order a filter lists them.
    pub const ALL: [OverallStatus; 4] = [
        OverallStatus::Pending,
        OverallStatus::Valid,
        OverallStatus::Invalid,
        OverallStatus::Blocked,
    ];

    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            OverallStatus::Pending => "PENDING",
            OverallStatus::Valid => "VALID",
            OverallStatus::Invalid => "INVALID",
            OverallStatus::Blocked => "BLOCKED",
        }
    }

    /// The status with this name.
    pub fn parse(text: &str) -> Option<OverallStatus> {
        OverallStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// `GET .../kyc`: a buyer's KYC status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KycStatus {
    /// The buyer.
    pub buyer_id: String,
    /// Who runs the buyer's KYC.
    pub kyc_mode: KycMode,
    /// The verdict.
    pub overall_status: OverallStatus,
    /// When the latest VIES check was settled.
    pub vies_last_checked_at: Option<Timestamp>,
    /// The latest VIES check's result.
    pub vies_result: Option<ViesResult>,
    /// The offline check of the VAT number, known before any VIES check.
    pub vat_number_check: OfflineVerdict,
    /// Whether every required document type has a fresh, active latest document.
    pub documents_complete: bool,
    /// A VIES check that is still being tried (its result is not in `viesResult` yet).
    pub vies_check_in_progress: Option<ViesCheckInProgress>,
    /// The required types without an active document.
    pub missing_document_types: Vec<DocumentType>,
    /// The required types whose latest active document is older than the type's maximum
    /// age (a new one is needed).
    pub expired_document_types: Vec<DocumentType>,
    /// NT24_LED buyers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_status: Option<VerificationStatus>,
    /// NT24_LED buyers only: the provider's result is held for staff review (an AML
    /// screening hit or a suspected result); `verificationStatus` stays PENDING until staff
    /// decide.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_review_required: Option<bool>,
}

/// A VIES check that has not settled yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ViesCheckInProgress {
    /// The check (`GET .../kyc/vies-checks/{checkId}`).
    pub check_id: String,
    /// When it was asked for.
    pub requested_at: Timestamp,
    /// Calls to VIES so far.
    pub attempts: i64,
    /// When the portal asks VIES again after a failed call (null before the first call and
    /// while it is asking).
    pub next_attempt_at: Option<Timestamp>,
}

/// The inputs of the overall status, for [`overall`].
#[derive(Debug, Clone, Copy)]
pub struct Inputs {
    /// Whether the buyer is blocked.
    pub blocked: bool,
    /// Who runs KYC.
    pub mode: KycMode,
    /// The latest VIES result.
    pub vies_result: Option<ViesResult>,
    /// Whether the documents are complete.
    pub documents_complete: bool,
    /// The verification, for NT24_LED buyers.
    pub verification: Option<VerificationStatus>,
}

/// BLOCKED if blocked; INVALID if VIES said INVALID or the verification was rejected; VALID
/// if VIES said VALID, the documents are complete and (MARKETPLACE_LED, or verified);
/// otherwise PENDING.
pub fn overall(inputs: Inputs) -> OverallStatus {
    if inputs.blocked {
        return OverallStatus::Blocked;
    }
    if inputs.vies_result == Some(ViesResult::Invalid)
        || inputs.verification == Some(VerificationStatus::Rejected)
    {
        return OverallStatus::Invalid;
    }
    let verified = match inputs.mode {
        KycMode::MarketplaceLed => true,
        KycMode::Nt24Led => inputs.verification == Some(VerificationStatus::Verified),
    };
    if inputs.vies_result == Some(ViesResult::Valid) && inputs.documents_complete && verified {
        OverallStatus::Valid
    } else {
        OverallStatus::Pending
    }
}

/// The buyer's status from the facts, read on `conn`.
pub async fn compute(
    conn: &mut AnyConnection,
    settings: &OrganisationSettings,
    buyer: &Buyer,
) -> Result<KycStatus, Error> {
    compute_at(conn, settings, buyer, now()).await
}

/// The buyer's status as it stands at `at` (documents age with the days).
pub async fn compute_at(
    conn: &mut AnyConnection,
    settings: &OrganisationSettings,
    buyer: &Buyer,
    at: Timestamp,
) -> Result<KycStatus, Error> {
    let latest_check = vies_store::latest_completed(&mut *conn, &buyer.uuid).await?;
    let in_progress = match vies_store::in_progress(&mut *conn, &buyer.uuid).await? {
        Some(check) => Some(ViesCheckInProgress {
            // Before the first call the check is simply queued: there is no "next" try yet.
            next_attempt_at: match check.attempts {
                0 => None,
                _ => vies_store::next_attempt(&mut *conn, &check.uuid).await?,
            },
            check_id: check.uuid,
            requested_at: check.requested_at,
            attempts: check.attempts,
        }),
        None => None,
    };
    let counting = counting(
        documents_store::active(&mut *conn, &buyer.uuid).await?,
        settings.require_document_review,
    );
    let assessment = requirements::assess(settings, &counting, at.to_datetime().date_naive());
    let of_state = |wanted: DocumentState| -> Vec<DocumentType> {
        assessment
            .iter()
            .filter(|(_, state)| *state == wanted)
            .map(|(t, _)| *t)
            .collect()
    };
    let missing = of_state(DocumentState::Missing);
    let expired = of_state(DocumentState::TooOld);
    let documents_complete = requirements::missing(&assessment).is_empty();
    let latest_verification = match buyer.kyc_mode {
        KycMode::MarketplaceLed => None,
        KycMode::Nt24Led => Some(verification_store::latest(&mut *conn, &buyer.uuid).await?),
    };
    let verification = latest_verification.as_ref().map(|latest| {
        latest
            .as_ref()
            .map_or(VerificationStatus::NotStarted, |v| v.status.kyc_status())
    });
    let review_required = latest_verification.as_ref().map(|latest| {
        latest
            .as_ref()
            .is_some_and(|v| v.status == VerificationState::Review)
    });
    let vies_result = latest_check.as_ref().and_then(|c| c.result);
    let overall_status = overall(Inputs {
        blocked: buyer.is_blocked(),
        mode: buyer.kyc_mode,
        vies_result,
        documents_complete,
        verification,
    });
    Ok(KycStatus {
        buyer_id: buyer.uuid.clone(),
        kyc_mode: buyer.kyc_mode,
        overall_status,
        vies_last_checked_at: latest_check.and_then(|c| c.checked_at),
        vies_result,
        vat_number_check: buyer.vat_number_check.clone(),
        documents_complete,
        vies_check_in_progress: in_progress,
        missing_document_types: missing,
        expired_document_types: expired,
        verification_status: verification,
        verification_review_required: review_required,
    })
}

/// Inside a write transaction, before its commit: recomputes the buyer's overall status and,
/// when it differs from the last one announced, stores it and returns the data of the
/// `kyc.status_changed` to announce. Locks the buyer's row (`lock` is the backend's clause),
/// so concurrent changes refresh in turn. `at` is the instant the status is judged at (now,
/// except for a scheduled round run for another instant).
pub async fn refresh_in(
    conn: &mut AnyConnection,
    lock: &str,
    buyer_id: &str,
    at: Timestamp,
) -> Result<Option<Value>, Error> {
    let Some(buyer) = buyers_store::lock(&mut *conn, lock, buyer_id).await? else {
        return Ok(None);
    };
    let settings = settings::load_in(&mut *conn).await?;
    let status = compute_at(conn, &settings, &buyer, at).await?;
    let previous = stored(conn, buyer_id).await?;
    if status.overall_status == previous {
        return Ok(None);
    }
    sqlx::query(
        "INSERT INTO kyc_statuses (buyer_id, overall_status, changed_at) VALUES ($1, $2, $3) \
         ON CONFLICT (buyer_id) DO UPDATE SET overall_status = $2, changed_at = $3",
    )
    .bind(buyer_id)
    .bind(status.overall_status.as_str())
    .bind(at.millis())
    .execute(&mut *conn)
    .await?;
    // The copy on the buyer's row is what the staff list filters on (through an index).
    sqlx::query("UPDATE buyers SET kyc_status = $1 WHERE id = $2")
        .bind(status.overall_status.as_str())
        .bind(buyer_id)
        .execute(&mut *conn)
        .await?;
    let mut data = serde_json::to_value(&status).map_err(|e| Error::Internal(e.into()))?;
    if let Some(fields) = data.as_object_mut() {
        fields.insert("previousStatus".into(), json!(previous));
    }
    Ok(Some(data))
}

/// The last overall status announced; a buyer starts PENDING.
pub async fn stored(conn: &mut AnyConnection, buyer_id: &str) -> Result<OverallStatus, Error> {
    let row = sqlx::query("SELECT overall_status FROM kyc_statuses WHERE buyer_id = $1")
        .bind(buyer_id)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(row) => OverallStatus::parse(&row.try_get::<String, _>("overall_status")?)
            .unwrap_or(OverallStatus::Pending),
        None => OverallStatus::Pending,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> Inputs {
        Inputs {
            blocked: false,
            mode: KycMode::MarketplaceLed,
            vies_result: Some(ViesResult::Valid),
            documents_complete: true,
            verification: None,
        }
    }

    #[test]
    fn a_marketplace_led_buyer_with_vies_valid_and_complete_documents_is_valid() {
        assert_eq!(overall(inputs()), OverallStatus::Valid);
    }

    #[test]
    fn blocked_wins_over_everything_and_invalid_over_pending() {
        let blocked = Inputs {
            blocked: true,
            vies_result: Some(ViesResult::Invalid),
            ..inputs()
        };
        assert_eq!(overall(blocked), OverallStatus::Blocked);
        let invalid = Inputs {
            vies_result: Some(ViesResult::Invalid),
            documents_complete: false,
            ..inputs()
        };
        assert_eq!(overall(invalid), OverallStatus::Invalid);
    }

    #[test]
    fn missing_documents_an_error_or_no_check_leave_the_buyer_pending() {
        for pending in [
            Inputs {
                documents_complete: false,
                ..inputs()
            },
            Inputs {
                vies_result: Some(ViesResult::Error),
                ..inputs()
            },
            Inputs {
                vies_result: None,
                ..inputs()
            },
        ] {
            assert_eq!(overall(pending), OverallStatus::Pending, "{pending:?}");
        }
    }

    #[test]
    fn an_nt24_led_buyer_needs_a_verification_and_a_rejection_makes_it_invalid() {
        let nt24 = |verification| Inputs {
            mode: KycMode::Nt24Led,
            verification: Some(verification),
            ..inputs()
        };
        assert_eq!(
            overall(nt24(VerificationStatus::NotStarted)),
            OverallStatus::Pending
        );
        assert_eq!(
            overall(nt24(VerificationStatus::Verified)),
            OverallStatus::Valid
        );
        assert_eq!(
            overall(nt24(VerificationStatus::Rejected)),
            OverallStatus::Invalid
        );
    }
}
