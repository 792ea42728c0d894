//! What is due at an instant, by the organisation's reminder settings.

use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, NaiveDate};
use sqlx::Row;

use super::ReminderKind;
use crate::db::{Db, Timestamp};
use crate::documents::{self, DocumentType};
use crate::errors::Error;
use crate::kyc::requirements::{self, DocumentState};
use crate::organisation::OrganisationSettings;

/// A step due for a reminder.
#[derive(Debug, Clone)]
pub struct Due {
    /// What it is about.
    pub kind: ReminderKind,
    /// The buyer reminded.
    pub buyer_id: String,
    /// The invitation reminded of (invitation reminders).
    pub invitation_id: Option<String>,
    /// The document about to lapse (document reminders).
    pub document: Option<Lapsing>,
}

impl Due {
    /// The step's unique key: a step is claimed once, however often rounds find it.
    pub fn key(&self) -> String {
        let subject = match (&self.invitation_id, &self.document) {
            (_, Some(document)) => document.id.as_str(),
            (Some(invitation), None) => invitation.as_str(),
            (None, None) => self.buyer_id.as_str(),
        };
        format!("{}:{subject}", self.kind.as_str())
    }
}

/// A counting document that grows too old soon.
#[derive(Debug, Clone)]
pub struct Lapsing {
    /// The document.
    pub id: String,
    /// Its type.
    pub document_type: DocumentType,
    /// Its document date.
    pub document_date: NaiveDate,
    /// The first day it no longer counts.
    pub lapses_on: NaiveDate,
}

/// Invitations due for a reminder at `at`: emailed links (a print-only one has no one to
/// remind) of active buyers that still work, whose
/// buyer has not completed the required documents, and that were not reminded of this step
/// yet. "Not used" reminders need a link never opened; "about to expire" ones a link sent
/// before the reminder window opened (a link sent with a shorter life already named its
/// date).
pub async fn invitations(
    db: &Db,
    settings: &OrganisationSettings,
    at: Timestamp,
) -> Result<Vec<Due>, Error> {
    let days = |n: u32| Duration::days(i64::from(n)).num_milliseconds();
    let after = settings.reminders.invitation_reminder_after_days;
    let before = settings.reminders.invitation_reminder_before_expiry_days;
    let base = "SELECT i.id, i.buyer_id FROM invitations i JOIN buyers b ON b.id = i.buyer_id \
                WHERE b.status = 'ACTIVE' AND i.revoked_at IS NULL AND i.recipient_email IS NOT NULL \
                AND i.expires_at > $1 \
                AND (i.max_uses IS NULL OR i.usage_count < i.max_uses)";
    let mut candidates = Vec::new();
    if after > 0 {
        let sql = format!(
            "{base} AND i.usage_count = 0 AND COALESCE(i.email_sent_at, i.created_at) <= $2 \
             AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.invitation_id = i.id AND r.kind = $3) \
             ORDER BY i.created_at"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(at.millis())
            .bind(at.millis() - days(after))
            .bind(ReminderKind::InvitationUnused.as_str())
            .fetch_all(db.pool())
            .await?;
        for row in rows {
            candidates.push((
                ReminderKind::InvitationUnused,
                row.try_get::<String, _>("id")?,
                row.try_get::<String, _>("buyer_id")?,
            ));
        }
    }
    if before > 0 {
        let sql = format!(
            "{base} AND i.expires_at <= $2 AND COALESCE(i.email_sent_at, i.created_at) < i.expires_at - $4 \
             AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.invitation_id = i.id AND r.kind = $3) \
             ORDER BY i.created_at"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(at.millis())
            .bind(at.millis() + days(before))
            .bind(ReminderKind::InvitationExpiring.as_str())
            .bind(days(before))
            .fetch_all(db.pool())
            .await?;
        for row in rows {
            candidates.push((
                ReminderKind::InvitationExpiring,
                row.try_get::<String, _>("id")?,
                row.try_get::<String, _>("buyer_id")?,
            ));
        }
    }
    let today = at.to_datetime().date_naive();
    let mut complete: HashMap<String, bool> = HashMap::new();
    let mut due = Vec::new();
    for (kind, invitation_id, buyer_id) in candidates {
        let done = match complete.get(&buyer_id) {
            Some(done) => *done,
            None => {
                let counting = documents::counting(db, &buyer_id).await?;
                let done = requirements::missing(&requirements::assess(settings, &counting, today))
                    .is_empty();
                complete.insert(buyer_id.clone(), done);
                done
            }
        };
        if !done {
            due.push(Due {
                kind,
                buyer_id,
                invitation_id: Some(invitation_id),
                document: None,
            });
        }
    }
    Ok(due)
}

/// Counting documents of required types of active buyers that grow too old within the
/// organisation's reminder days after `at` (and count still), not reminded of yet.
pub async fn documents(
    db: &Db,
    settings: &OrganisationSettings,
    at: Timestamp,
) -> Result<Vec<Due>, Error> {
    let window = settings.reminders.document_expiry_reminder_days;
    let identity_required = settings
        .required_document_types
        .iter()
        .any(|t| t.is_identity());
    if window == 0 || (settings.document_max_age_days.is_empty() && !identity_required) {
        return Ok(Vec::new());
    }
    let today = at.to_datetime().date_naive();
    let horizon = today + Duration::days(i64::from(window));
    // Only buyers with an active document in the window of some required type are looked at
    // closely (an index on type, status and date finds them).
    let mut buyers = BTreeSet::new();
    for (document_type, max) in &settings.document_max_age_days {
        if !settings.required_document_types.contains(document_type) {
            continue;
        }
        let max = Duration::days(i64::from(*max));
        let counts_today_from = today - max;
        let lapses_by = horizon - max - Duration::days(1);
        let rows = sqlx::query(
            "SELECT DISTINCT d.buyer_id FROM documents d JOIN buyers b ON b.id = d.buyer_id \
             WHERE d.type = $1 AND d.status = 'ACTIVE' AND d.document_date >= $2 \
             AND d.document_date <= $3 AND b.status = 'ACTIVE' \
             AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.document_id = d.id)",
        )
        .bind(document_type.as_str())
        .bind(counts_today_from.to_string())
        .bind(lapses_by.to_string())
        .fetch_all(db.pool())
        .await?;
        for row in rows {
            buyers.insert(row.try_get::<String, _>("buyer_id")?);
        }
    }
    // Identity documents lapse the day after their expiry date, whatever their age.
    for document_type in &settings.required_document_types {
        if !document_type.is_identity() {
            continue;
        }
        let rows = sqlx::query(
            "SELECT DISTINCT d.buyer_id FROM documents d JOIN buyers b ON b.id = d.buyer_id \
             WHERE d.type = $1 AND d.status = 'ACTIVE' AND d.expires_on >= $2 \
             AND d.expires_on < $3 AND b.status = 'ACTIVE' \
             AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.document_id = d.id)",
        )
        .bind(document_type.as_str())
        .bind(today.to_string())
        .bind(horizon.to_string())
        .fetch_all(db.pool())
        .await?;
        for row in rows {
            buyers.insert(row.try_get::<String, _>("buyer_id")?);
        }
    }
    let mut due = Vec::new();
    for buyer_id in buyers {
        let counting = documents::counting(db, &buyer_id).await?;
        let mut reminded: Option<Vec<String>> = None;
        for requirement in requirements::evaluate(settings, &counting, today) {
            let (DocumentState::Fresh, Some(document)) = (requirement.state, requirement.document)
            else {
                continue;
            };
            let document_date = document.document_date.date();
            let lapses_on = match (document.expires_on, requirement.max_age_days) {
                (Some(last_day), _) => last_day.date() + Duration::days(1),
                (None, Some(max)) => document_date + Duration::days(i64::from(max) + 1),
                (None, None) => continue,
            };
            if lapses_on > horizon {
                continue;
            }
            let reminded = match &mut reminded {
                Some(ids) => ids,
                None => reminded.insert(reminded_documents(db, &buyer_id).await?),
            };
            if reminded.contains(&document.uuid) {
                continue;
            }
            due.push(Due {
                kind: ReminderKind::DocumentExpiring,
                buyer_id: buyer_id.clone(),
                invitation_id: None,
                document: Some(Lapsing {
                    id: document.uuid,
                    document_type: requirement.document_type,
                    document_date,
                    lapses_on,
                }),
            });
        }
    }
    Ok(due)
}

async fn reminded_documents(db: &Db, buyer_id: &str) -> Result<Vec<String>, Error> {
    let rows = sqlx::query(
        "SELECT document_id FROM reminders WHERE buyer_id = $1 AND kind = $2 AND document_id IS NOT NULL",
    )
    .bind(buyer_id)
    .bind(ReminderKind::DocumentExpiring.as_str())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| row.try_get::<String, _>("document_id"))
        .collect::<Result<_, _>>()
        .map_err(Error::from)
}
