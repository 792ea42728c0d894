//! What an identity verification is.

use serde::Serialize;
use serde_json::Value;

use crate::db::Timestamp;
use crate::i18n::Language;
use crate::invitations::model::EmailStatus;

/// Where an NT24_LED buyer's identity verification stands, as its KYC status shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VerificationStatus {
    /// No verification was started.
    NotStarted,
    /// Started; the provider has not reported an outcome.
    Pending,
    /// The provider verified the buyer.
    Verified,
    /// The provider rejected the buyer.
    Rejected,
}

/// Where one verification (one session with the provider) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VerificationState {
    /// The session was issued; the provider has not reported a final result.
    Pending,
    /// The provider's result needs a person: SUSPECTED, or an AML screening hit. Staff
    /// decide with [`super::review`].
    Review,
    /// The buyer's contact was verified.
    Verified,
    /// The provider (or staff) rejected the verification.
    Rejected,
    /// The session lapsed without a verification; a new one may be started.
    Expired,
}

impl VerificationState {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationState::Pending => "PENDING",
            VerificationState::Review => "REVIEW",
            VerificationState::Verified => "VERIFIED",
            VerificationState::Rejected => "REJECTED",
            VerificationState::Expired => "EXPIRED",
        }
    }

    /// The state with this name.
    pub fn parse(text: &str) -> Option<VerificationState> {
        [
            VerificationState::Pending,
            VerificationState::Review,
            VerificationState::Verified,
            VerificationState::Rejected,
            VerificationState::Expired,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// What the buyer's KYC status shows for it: a held verification is still PENDING for
    /// the seller, and a lapsed one is as good as none.
    pub fn kyc_status(self) -> VerificationStatus {
        match self {
            VerificationState::Pending | VerificationState::Review => VerificationStatus::Pending,
            VerificationState::Verified => VerificationStatus::Verified,
            VerificationState::Rejected => VerificationStatus::Rejected,
            VerificationState::Expired => VerificationStatus::NotStarted,
        }
    }

    /// Whether the result is decided (and announced with `kyc.verification_completed`).
    pub fn is_decided(self) -> bool {
        matches!(
            self,
            VerificationState::Verified | VerificationState::Rejected
        )
    }
}

/// One identity verification of a buyer's contact with the provider.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// The verification's id.
    pub uuid: String,
    /// The buyer verified.
    pub buyer_id: String,
    /// Who verifies (`IDENFY`).
    pub provider: String,
    /// The provider's reference of the session (iDenfy's `scanRef`).
    pub scan_ref: String,
    /// The provider's session token; it is part of the session URL, so kept like it.
    #[serde(skip)]
    pub auth_token: String,
    /// Where the buyer's contact goes to verify.
    pub session_url: String,
    /// The language of the session and its email.
    pub language: Language,
    /// Where it stands.
    pub status: VerificationState,
    /// When it was started.
    pub created_at: Timestamp,
    /// When the session link stops working.
    pub expires_at: Timestamp,
    /// The provider's own final verdict (`APPROVED`, `DENIED`, `SUSPECTED`, `EXPIRED`).
    pub provider_status: Option<String>,
    /// The provider's status section (fraud and mismatch tags, face and document checks),
    /// for staff; never sent to seller systems.
    #[serde(skip)]
    pub provider_details: Option<Value>,
    /// The provider's AML screening results as it sent them, for staff.
    #[serde(skip)]
    pub aml: Option<Value>,
    /// Whether the AML screening found something (which holds the verification for review).
    pub aml_hit: bool,
    /// When the provider's final result arrived.
    pub settled_at: Option<Timestamp>,
    /// When it became VERIFIED or REJECTED.
    pub decided_at: Option<Timestamp>,
    /// The staff member who decided a held verification.
    pub reviewed_by: Option<String>,
    /// Why staff rejected it.
    pub review_reason: Option<String>,
    /// Who was emailed the session URL.
    pub email_to: Option<String>,
    /// Where that email stands.
    pub email_status: Option<EmailStatus>,
    /// Why the email failed.
    pub email_error: Option<String>,
    /// The person the provider verified, as read from the identity document; personal data,
    /// shown on the profile and never sent to seller systems.
    #[serde(skip)]
    pub person: Option<VerifiedPerson>,
}

/// The person an identity verification verified, as the provider read the identity document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedPerson {
    /// Given name(s).
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Date of birth (`YYYY-MM-DD`), when the document shows one.
    pub birth_date: Option<String>,
}

impl Verification {
    /// Whether the session can still be used: a new start returns it instead of another.
    pub fn is_running(&self, at: Timestamp) -> bool {
        self.status == VerificationState::Pending && self.expires_at > at
    }

    /// Whether it waits for a staff decision.
    pub fn review_required(&self) -> bool {
        self.status == VerificationState::Review
    }
}

/// How to start a verification.
#[derive(Debug, Clone, Copy, Default)]
pub struct StartOptions {
    /// The session's (and email's) language; the organisation's default when absent.
    pub language: Option<Language>,
    /// Whether to email the session URL to the buyer's first contact.
    pub send_email: bool,
}

/// What a start did.
#[derive(Debug, Clone)]
pub enum Started {
    /// A new session.
    New(Verification),
    /// The session already running, returned again.
    Running(Verification),
}

/// A staff decision on a held verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The hit or suspicion was looked at and is no obstacle; `reason` says why, for the
    /// record (a hit let through must be explained as much as one refused).
    Approve {
        /// Why, for the record.
        reason: String,
    },
    /// The buyer does not pass; `reason` is kept.
    Reject {
        /// Why, for the record.
        reason: String,
    },
}

/// The provider's final verdict on a session, as the portal understands it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderVerdict {
    /// The provider verified the person.
    Approved,
    /// The provider refused.
    Denied,
    /// The provider found something a person must look at.
    Suspected,
    /// The session lapsed unused.
    Expired,
}

/// A provider's final result for one session, parsed from its callback.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderResult {
    /// The session.
    pub scan_ref: String,
    /// The verdict.
    pub verdict: ProviderVerdict,
    /// The provider's name for it.
    pub provider_status: String,
    /// The provider's status section, kept for staff.
    pub details: Value,
    /// The AML screening results, when the provider screened.
    pub aml: Option<Value>,
    /// Whether the screening found something.
    pub aml_hit: bool,
    /// The person the document names, when the provider read one.
    pub person: Option<VerifiedPerson>,
}

impl ProviderResult {
    /// The state the verification moves to: an AML hit or a suspicion holds it for staff;
    /// a denial stands whatever the screening said.
    pub fn next_state(&self) -> VerificationState {
        match self.verdict {
            ProviderVerdict::Denied => VerificationState::Rejected,
            ProviderVerdict::Expired => VerificationState::Expired,
            ProviderVerdict::Suspected => VerificationState::Review,
            ProviderVerdict::Approved if self.aml_hit => VerificationState::Review,
            ProviderVerdict::Approved => VerificationState::Verified,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(verdict: ProviderVerdict, aml_hit: bool) -> ProviderResult {
        ProviderResult {
            scan_ref: "s".into(),
            verdict,
            provider_status: String::new(),
            details: Value::Null,
            aml: None,
            aml_hit,
            person: None,
        }
    }

    #[test]
    fn an_aml_hit_holds_an_approval_for_review_but_a_denial_stands() {
        use ProviderVerdict as P;
        use VerificationState as S;
        assert_eq!(result(P::Approved, false).next_state(), S::Verified);
        assert_eq!(result(P::Approved, true).next_state(), S::Review);
        assert_eq!(result(P::Suspected, false).next_state(), S::Review);
        assert_eq!(result(P::Denied, true).next_state(), S::Rejected);
        assert_eq!(result(P::Expired, false).next_state(), S::Expired);
    }

    #[test]
    fn a_held_verification_shows_as_pending_and_a_lapsed_one_as_not_started() {
        assert_eq!(
            VerificationState::Review.kyc_status(),
            VerificationStatus::Pending
        );
        assert_eq!(
            VerificationState::Expired.kyc_status(),
            VerificationStatus::NotStarted
        );
        for state in [
            VerificationState::Pending,
            VerificationState::Review,
            VerificationState::Verified,
            VerificationState::Rejected,
            VerificationState::Expired,
        ] {
            assert_eq!(VerificationState::parse(state.as_str()), Some(state));
        }
    }
}
