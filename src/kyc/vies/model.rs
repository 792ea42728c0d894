//! What a VIES check is.

use serde::Serialize;

use crate::db::Timestamp;

/// The outcome of a VIES check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ViesResult {
    /// VIES confirmed the number.
    Valid,
    /// The number failed its check digits, or VIES said it is not registered.
    Invalid,
    /// VIES could not answer, even after retries, or refused the request.
    Error,
}

impl ViesResult {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            ViesResult::Valid => "VALID",
            ViesResult::Invalid => "INVALID",
            ViesResult::Error => "ERROR",
        }
    }

    /// The result with this name.
    pub fn parse(text: &str) -> Option<ViesResult> {
        match text {
            "VALID" => Some(ViesResult::Valid),
            "INVALID" => Some(ViesResult::Invalid),
            "ERROR" => Some(ViesResult::Error),
            _ => None,
        }
    }
}

/// Where a check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckStatus {
    /// Waiting for its background job (or for VIES, between retries).
    Pending,
    /// Settled with a result.
    Completed,
}

impl CheckStatus {
    /// The storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pending => "PENDING",
            CheckStatus::Completed => "COMPLETED",
        }
    }

    /// The status with this name.
    pub fn parse(text: &str) -> Option<CheckStatus> {
        match text {
            "PENDING" => Some(CheckStatus::Pending),
            "COMPLETED" => Some(CheckStatus::Completed),
            _ => None,
        }
    }
}

/// What VIES answered, kept to prove the check was made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ViesEvidence {
    /// VIES's time of the request.
    pub request_date: Option<String>,
    /// VIES's consultation number.
    pub request_identifier: Option<String>,
    /// The registered name, where shared.
    pub name: Option<String>,
    /// The registered address, where shared.
    pub address: Option<String>,
}

/// One VIES check of a buyer's VAT number; every check stays in the buyer's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ViesCheck {
    /// The check's id.
    pub uuid: String,
    /// The buyer checked.
    pub buyer_id: String,
    /// The number as it was checked.
    pub vat_number: String,
    /// Pending or completed.
    pub status: CheckStatus,
    /// The outcome, once completed.
    pub result: Option<ViesResult>,
    /// Why the result is INVALID or ERROR (or, while pending, the last temporary failure).
    pub reason: Option<String>,
    /// Calls made to VIES so far.
    pub attempts: i64,
    /// When the check was asked for.
    pub requested_at: Timestamp,
    /// When it was settled.
    pub checked_at: Option<Timestamp>,
    /// What VIES answered, when it gave a verdict.
    pub evidence: Option<ViesEvidence>,
}
