//! Where a document version's review stands, and why one was rejected.

use serde::{Deserialize, Serialize};

use crate::db::Timestamp;

/// Where a version's review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReviewStatus {
    /// No one has decided yet.
    PendingReview,
    /// Staff accepted it.
    Accepted,
    /// Staff rejected it; the buyer is asked for a new version.
    Rejected,
}

impl ReviewStatus {
    /// Every status, in the order a filter lists them.
    pub const ALL: [ReviewStatus; 3] = [
        ReviewStatus::PendingReview,
        ReviewStatus::Accepted,
        ReviewStatus::Rejected,
    ];

    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::PendingReview => "PENDING_REVIEW",
            ReviewStatus::Accepted => "ACCEPTED",
            ReviewStatus::Rejected => "REJECTED",
        }
    }

    /// The status with this name.
    pub fn parse(text: &str) -> Option<ReviewStatus> {
        ReviewStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Every name, for a 422 that lists them.
    pub fn names() -> Vec<String> {
        ReviewStatus::ALL.map(|s| s.as_str().to_owned()).to_vec()
    }
}

/// Why a version was rejected (the buyer reads it, in their language: `review-reason-*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReviewReason {
    /// It cannot be read.
    Unreadable,
    /// It is not a document of the type it was uploaded as.
    WrongDocument,
    /// It is no longer valid.
    Expired,
    /// The name or company on it is not the buyer's.
    NameMismatch,
    /// Pages or parts are missing.
    Incomplete,
    /// Something else (the note says what).
    Other,
}

impl ReviewReason {
    /// Every reason, in the order forms list them.
    pub const ALL: [ReviewReason; 6] = [
        ReviewReason::Unreadable,
        ReviewReason::WrongDocument,
        ReviewReason::Expired,
        ReviewReason::NameMismatch,
        ReviewReason::Incomplete,
        ReviewReason::Other,
    ];

    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewReason::Unreadable => "UNREADABLE",
            ReviewReason::WrongDocument => "WRONG_DOCUMENT",
            ReviewReason::Expired => "EXPIRED",
            ReviewReason::NameMismatch => "NAME_MISMATCH",
            ReviewReason::Incomplete => "INCOMPLETE",
            ReviewReason::Other => "OTHER",
        }
    }

    /// The reason with this name.
    pub fn parse(text: &str) -> Option<ReviewReason> {
        ReviewReason::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// The reason as people read it, in `l` (the `review-reason-<REASON>` messages).
    pub fn label(self, l: crate::i18n::Language) -> String {
        l.text(&format!("review-reason-{}", self.as_str()))
    }
}

/// A staff member's decision that waits for a second staff member (four-eyes review).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Proposal {
    /// ACCEPTED or REJECTED.
    pub decision: ReviewStatus,
    /// The reason of a proposed rejection.
    pub reason: Option<ReviewReason>,
    /// The proposer's note.
    pub note: Option<String>,
    /// Who proposed it (the actor as recorded).
    pub by: String,
    /// When.
    pub at: Timestamp,
}
