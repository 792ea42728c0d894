//! Domain events: what happened, recorded in the transaction of the change (an outbox, written
//! by [`crate::write::WriteTx`]), so that webhook deliveries can never announce a change that
//! rolled back nor miss one that committed.

use serde::Serialize;
use serde_json::Value;
use sqlx::Row;

use crate::db::{Db, Timestamp};

/// The job kind that hands a recorded event on (its payload `{"eventId": ...}`): queued with
/// the event by the write transaction, run by whatever delivers events (the webhooks).
pub const DISPATCH_JOB: &str = "webhooks.dispatch";

/// Every event the portal announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
pub enum EventType {
    /// A buyer opened an invitation link in a new browser session.
    #[serde(rename = "self_service_invitation.used")]
    InvitationUsed,
    /// A buyer whose link expired or was used up asked for a new one.
    #[serde(rename = "self_service_invitation.renewal_requested")]
    InvitationRenewalRequested,
    /// A VIES check ended INVALID or ERROR.
    #[serde(rename = "kyc.vies_check_failed")]
    ViesCheckFailed,
    /// An identity verification reached its outcome.
    #[serde(rename = "kyc.verification_completed")]
    VerificationCompleted,
    /// An identity verification's result waits for staff (an AML screening hit, or a
    /// suspected result).
    #[serde(rename = "kyc.verification_review_required")]
    VerificationReviewRequired,
    /// A KYC document was uploaded.
    #[serde(rename = "kyc.document_uploaded")]
    DocumentUploaded,
    /// Staff accepted or rejected a KYC document version.
    #[serde(rename = "kyc.document_reviewed")]
    DocumentReviewed,
    /// A buyer's overall KYC status changed.
    #[serde(rename = "kyc.status_changed")]
    StatusChanged,
    /// A counting document of a required type will soon be too old; the buyer was asked for
    /// a new one.
    #[serde(rename = "kyc.document_expiring")]
    DocumentExpiring,
    /// A buyer was blocked.
    #[serde(rename = "buyer.blocked")]
    BuyerBlocked,
    /// A buyer was unblocked.
    #[serde(rename = "buyer.unblocked")]
    BuyerUnblocked,
    /// A buyer's personal data was erased (its retention period ran out, or on request).
    #[serde(rename = "kyc.buyer_erased")]
    BuyerErased,
}

impl EventType {
    /// Every event type, for validating subscriptions.
    pub const ALL: [EventType; 12] = [
        EventType::InvitationUsed,
        EventType::InvitationRenewalRequested,
        EventType::ViesCheckFailed,
        EventType::VerificationCompleted,
        EventType::VerificationReviewRequired,
        EventType::DocumentUploaded,
        EventType::DocumentReviewed,
        EventType::StatusChanged,
        EventType::DocumentExpiring,
        EventType::BuyerBlocked,
        EventType::BuyerUnblocked,
        EventType::BuyerErased,
    ];

    /// The event's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::InvitationUsed => "self_service_invitation.used",
            EventType::InvitationRenewalRequested => "self_service_invitation.renewal_requested",
            EventType::ViesCheckFailed => "kyc.vies_check_failed",
            EventType::VerificationCompleted => "kyc.verification_completed",
            EventType::VerificationReviewRequired => "kyc.verification_review_required",
            EventType::DocumentUploaded => "kyc.document_uploaded",
            EventType::DocumentReviewed => "kyc.document_reviewed",
            EventType::StatusChanged => "kyc.status_changed",
            EventType::DocumentExpiring => "kyc.document_expiring",
            EventType::BuyerBlocked => "buyer.blocked",
            EventType::BuyerUnblocked => "buyer.unblocked",
            EventType::BuyerErased => "kyc.buyer_erased",
        }
    }

    /// The type with this wire name.
    pub fn parse(name: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// One recorded event.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// The event's id (the `webhook-id` of its deliveries).
    pub id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When.
    pub occurred_at: Timestamp,
    /// The event's data.
    pub data: Value,
}

/// The most recent events, newest first (diagnostics and tests).
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<Event>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, type, occurred_at, data FROM events ORDER BY occurred_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|row| {
            let data: String = row.try_get("data")?;
            Ok(Event {
                id: row.try_get("id")?,
                event_type: row.try_get("type")?,
                occurred_at: Timestamp::from_millis(row.try_get("occurred_at")?),
                data: serde_json::from_str(&data).unwrap_or(Value::Null),
            })
        })
        .collect()
}
