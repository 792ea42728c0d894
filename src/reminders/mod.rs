//! Reminders: the scheduled round that finds what is due (a link not used some days after it
//! was sent, a link about to expire, a counting document about to grow too old), claims each
//! due step once in the database and queues its email. The round takes the instant it runs
//! for, so the schedule is the same whether the background loop runs it now or a test or the
//! operator (`kyc-portal reminders run --at`) runs it for another day.

pub mod digest;
mod due;
mod email_job;
mod store;

pub use email_job::ReminderEmailJob;
pub use store::Reminder;

use serde::Serialize;
use serde_json::json;

use crate::audit::{Actor, Subject};
use crate::db::{Db, Timestamp};
use crate::errors::Error;
use crate::events::EventType;
use crate::jobs;
use crate::kyc::refresh_job;
use crate::organisation;
use crate::write::WriteTx;

/// The job kind of a reminder's email; the payload is `{"reminderId": ...}`.
pub const REMINDER_JOB: &str = "reminder.email";

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReminderKind {
    /// The link was not used some days after it was sent.
    InvitationUnused,
    /// The link expires in a few days.
    InvitationExpiring,
    /// A counting document will soon be too old.
    DocumentExpiring,
}

impl ReminderKind {
    /// The storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::InvitationUnused => "INVITATION_UNUSED",
            ReminderKind::InvitationExpiring => "INVITATION_EXPIRING",
            ReminderKind::DocumentExpiring => "DOCUMENT_EXPIRING",
        }
    }

    /// The kind with this name.
    pub fn parse(text: &str) -> Option<ReminderKind> {
        [
            ReminderKind::InvitationUnused,
            ReminderKind::InvitationExpiring,
            ReminderKind::DocumentExpiring,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// Where a reminder stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReminderStatus {
    /// Its email waits in the queue.
    Queued,
    /// Its email was handed to the mail server.
    Sent,
    /// Not sent: by its turn it was no longer needed (`skipped_reason` says why).
    Skipped,
    /// Its email could not be sent after the last attempt.
    Failed,
}

impl ReminderStatus {
    /// The storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderStatus::Queued => "QUEUED",
            ReminderStatus::Sent => "SENT",
            ReminderStatus::Skipped => "SKIPPED",
            ReminderStatus::Failed => "FAILED",
        }
    }

    /// The status with this name.
    pub fn parse(text: &str) -> Option<ReminderStatus> {
        [
            ReminderStatus::Queued,
            ReminderStatus::Sent,
            ReminderStatus::Skipped,
            ReminderStatus::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Buyers whose KYC status lapsed by the round's instant.
    pub statuses_changed: usize,
    /// Invitation reminders queued.
    pub invitation_reminders: usize,
    /// Document reminders queued (each with its `kyc.document_expiring`).
    pub document_reminders: usize,
    /// Staff daily digests queued.
    pub digests: usize,
}

/// One scheduled round as of `at`: refreshes the KYC statuses that lapsed, then claims and
/// queues every reminder due and the staff's digests of the day. Each due step is claimed by a unique key, so rounds running at
/// once in several instances queue it once.
pub async fn run_round(db: &Db, at: Timestamp) -> Result<Round, Error> {
    let statuses_changed = refresh_job::refresh_lapsed(db, at).await?;
    let settings = organisation::load(db).await?;
    let mut round = Round {
        statuses_changed,
        ..Round::default()
    };
    for due in due::invitations(db, &settings, at).await? {
        if schedule(db, &due, at).await? {
            round.invitation_reminders += 1;
        }
    }
    for due in due::documents(db, &settings, at).await? {
        if schedule(db, &due, at).await? {
            round.document_reminders += 1;
        }
    }
    round.digests = digest::schedule(db, at).await?;
    Ok(round)
}

/// Claims `due` and queues its email in one change; false when another round claimed it.
async fn schedule(db: &Db, due: &due::Due, at: Timestamp) -> Result<bool, Error> {
    let mut tx = WriteTx::new(db, Actor::System).as_of(at);
    let id = format!("rem_{}", uuid::Uuid::now_v7().simple());
    if !store::claim(tx.conn().await?, &id, due, at).await? {
        // Dropping the change rolls it back: the other round's claim stands.
        return Ok(false);
    }
    jobs::enqueue(
        tx.conn().await?,
        REMINDER_JOB,
        &json!({ "reminderId": id }),
        None,
    )
    .await?;
    if let Some(document) = &due.document {
        let facts = json!({
            "documentId": document.id,
            "type": document.document_type.as_str(),
            "documentDate": document.document_date.to_string(),
            "lapsesOn": document.lapses_on.to_string(),
        });
        tx.record(
            Subject::Document {
                id: &document.id,
                buyer_id: &due.buyer_id,
            },
            "expiry_reminder",
            None,
            Some(facts.clone()),
        );
        tx.announce(EventType::DocumentExpiring, &due.buyer_id, facts);
    }
    tx.commit().await?;
    Ok(true)
}

/// The reminders of an invitation, newest first (staff pages).
pub async fn of_invitation(db: &Db, invitation_id: &str) -> Result<Vec<Reminder>, Error> {
    Ok(store::of_invitation(db.pool(), invitation_id).await?)
}

/// A buyer's latest reminders, newest first (staff pages), in one query.
pub async fn of_buyer(db: &Db, buyer_id: &str) -> Result<Vec<Reminder>, Error> {
    Ok(store::of_buyer(db.pool(), buyer_id).await?)
}
