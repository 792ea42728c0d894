//! Reminders in the database.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyExecutor, Row};

use super::due::Due;
use super::{ReminderKind, ReminderStatus};
use crate::db::Timestamp;

const COLUMNS: &str = "id, kind, buyer_id, invitation_id, document_id, due_at, status, \
                       skipped_reason, sent_at, fresh_link";

/// A reminder the schedule claimed.
#[derive(Debug, Clone)]
pub struct Reminder {
    /// `rem_` and a unique id.
    pub id: String,
    /// What it is about.
    pub kind: ReminderKind,
    /// The buyer reminded.
    pub buyer_id: String,
    /// The invitation whose link it carries (for a document reminder: once chosen).
    pub invitation_id: Option<String>,
    /// The document about to lapse (document reminders).
    pub document_id: Option<String>,
    /// The instant of the round that found it due.
    pub due_at: Timestamp,
    /// Where it stands.
    pub status: ReminderStatus,
    /// Why it was not sent.
    pub skipped_reason: Option<String>,
    /// When its email was sent.
    pub sent_at: Option<Timestamp>,
    /// Whether its link was made for it (no open link was at hand).
    pub fresh_link: bool,
}

fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored reminder has an invalid {what}").into())
}

fn from_row(row: &AnyRow) -> Result<Reminder, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    Ok(Reminder {
        id: row.try_get("id")?,
        kind: ReminderKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
        buyer_id: row.try_get("buyer_id")?,
        invitation_id: row.try_get("invitation_id")?,
        document_id: row.try_get("document_id")?,
        due_at: Timestamp::from_millis(row.try_get("due_at")?),
        status: ReminderStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
        skipped_reason: row.try_get("skipped_reason")?,
        sent_at: row
            .try_get::<Option<i64>, _>("sent_at")?
            .map(Timestamp::from_millis),
        fresh_link: row.try_get::<i64, _>("fresh_link")? != 0,
    })
}

/// Claims `due` under its unique key; false when it was claimed already (by an earlier round
/// or one running at the same time in another instance, which this insert waits for).
pub async fn claim(
    conn: &mut AnyConnection,
    id: &str,
    due: &Due,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let claimed: Option<String> = sqlx::query_scalar(
        "INSERT INTO reminders (id, due_key, kind, buyer_id, invitation_id, document_id, due_at, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'QUEUED') ON CONFLICT (due_key) DO NOTHING RETURNING id",
    )
    .bind(id)
    .bind(due.key())
    .bind(due.kind.as_str())
    .bind(&due.buyer_id)
    .bind(due.invitation_id.as_deref())
    .bind(due.document.as_ref().map(|d| d.id.as_str()))
    .bind(at.millis())
    .fetch_optional(conn)
    .await?;
    Ok(claimed.is_some())
}

/// One reminder.
pub async fn find<'e>(
    conn: impl AnyExecutor<'e>,
    id: &str,
) -> Result<Option<Reminder>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM reminders WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(|r| from_row(&r))
        .transpose()
}

/// An invitation's reminders, newest first.
pub async fn of_invitation<'e>(
    conn: impl AnyExecutor<'e>,
    invitation_id: &str,
) -> Result<Vec<Reminder>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM reminders WHERE invitation_id = $1 ORDER BY due_at DESC, id DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(invitation_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// How many of a buyer's reminders the staff pages show.
const SHOWN: i64 = 200;

/// A buyer's latest reminders, newest first.
pub async fn of_buyer<'e>(
    conn: impl AnyExecutor<'e>,
    buyer_id: &str,
) -> Result<Vec<Reminder>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM reminders WHERE buyer_id = $1 ORDER BY due_at DESC, id DESC LIMIT $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .bind(SHOWN)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Notes the link a document reminder carries (kept, so that a retried email sends the same
/// link rather than making another).
pub async fn set_link(
    conn: &mut AnyConnection,
    id: &str,
    invitation_id: &str,
    fresh: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE reminders SET invitation_id = $1, fresh_link = $2 WHERE id = $3")
        .bind(invitation_id)
        .bind(i64::from(fresh))
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records where the reminder ended.
pub async fn settle<'e>(
    conn: impl AnyExecutor<'e>,
    id: &str,
    status: ReminderStatus,
    reason: Option<&str>,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    let sent_at = (status == ReminderStatus::Sent).then_some(at.millis());
    sqlx::query(
        "UPDATE reminders SET status = $1, skipped_reason = $2, sent_at = $3 WHERE id = $4",
    )
    .bind(status.as_str())
    .bind(reason)
    .bind(sent_at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
