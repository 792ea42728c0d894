//! Invitations in the database.

use sqlx::{AnyConnection, AnyExecutor};

use super::model::{EmailStatus, Invitation};
use crate::db::Timestamp;
use crate::email::EmailAddress;
use crate::i18n::Language;
use crate::pagination::Page;

const COLUMNS: &str = "id, buyer_id, recipient_email, language, token_nonce, created_at, expires_at, \
                       usage_count, max_uses, last_used_at, revoked_at, email_status, email_error, \
                       reminders_sent, last_reminder_at";

/// [`COLUMNS`] of the table aliased `alias`, for joins.
pub(super) fn columns_of(alias: &str) -> String {
    crate::db::aliased(COLUMNS, alias)
}

fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored invitation has an invalid {what}").into())
}

pub(super) fn from_row(row: &impl crate::db::Columns) -> Result<Invitation, sqlx::Error> {
    let email: Option<String> = row.try_get("recipient_email")?;
    let language: String = row.try_get("language")?;
    let email_status: Option<String> = row.try_get("email_status")?;
    let at = |name: &str| -> Result<Option<Timestamp>, sqlx::Error> {
        Ok(row
            .try_get::<Option<i64>>(name)?
            .map(Timestamp::from_millis))
    };
    Ok(Invitation {
        id: row.try_get("id")?,
        buyer_id: row.try_get("buyer_id")?,
        // An erasure empties the address of an emailed invitation (NULL is print-only's).
        recipient_email: email
            .as_deref()
            .filter(|email| !email.is_empty())
            .map(EmailAddress::parse)
            .transpose()
            .map_err(|_| corrupt("email"))?,
        language: Language::parse(&language).ok_or_else(|| corrupt("language"))?,
        token_nonce: row.try_get("token_nonce")?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        expires_at: Timestamp::from_millis(row.try_get("expires_at")?),
        usage_count: row.try_get("usage_count")?,
        max_uses: row.try_get("max_uses")?,
        last_used_at: at("last_used_at")?,
        revoked_at: at("revoked_at")?,
        email_status: email_status
            .as_deref()
            .map(|s| EmailStatus::parse(s).ok_or_else(|| corrupt("email status")))
            .transpose()?,
        email_error: row.try_get("email_error")?,
        reminders_sent: row.try_get("reminders_sent")?,
        last_reminder_at: at("last_reminder_at")?,
    })
}

/// Inserts a new invitation with the hash of its token.
pub async fn insert(
    conn: &mut AnyConnection,
    invitation: &Invitation,
    token_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO invitations (id, buyer_id, kind, recipient_email, language, token_nonce, token_hash, \
         created_at, expires_at, usage_count, max_uses, email_status) \
         VALUES ($1, $2, 'KYC', $3, $4, $5, $6, $7, $8, 0, $9, $10)",
    )
    .bind(&invitation.id)
    .bind(&invitation.buyer_id)
    .bind(invitation.recipient_email.as_ref().map(|e| e.as_str()))
    .bind(invitation.language.code())
    .bind(&invitation.token_nonce)
    .bind(token_hash)
    .bind(invitation.created_at.millis())
    .bind(invitation.expires_at.millis())
    .bind(invitation.max_uses)
    .bind(invitation.email_status.map(EmailStatus::as_str))
    .execute(conn)
    .await?;
    Ok(())
}

/// One invitation by id.
pub async fn find<'e>(
    conn: impl AnyExecutor<'e>,
    id: &str,
) -> Result<Option<Invitation>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM invitations WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(|r| from_row(&r))
        .transpose()
}

/// One invitation by the hash of its token.
pub async fn find_by_token_hash<'e>(
    conn: impl AnyExecutor<'e>,
    hash: &str,
) -> Result<Option<Invitation>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM invitations WHERE token_hash = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(hash)
        .fetch_optional(conn)
        .await?
        .map(|r| from_row(&r))
        .transpose()
}

/// A page of a buyer's invitations, newest first (one more than the page size).
pub async fn list<'e>(
    conn: impl AnyExecutor<'e>,
    buyer_id: &str,
    page: &Page,
) -> Result<Vec<Invitation>, sqlx::Error> {
    let (at, id) = page.after_or_max();
    let sql = format!(
        "SELECT {COLUMNS} FROM invitations WHERE buyer_id = $1 \
         AND (created_at < $2 OR (created_at = $2 AND id < $3)) ORDER BY created_at DESC, id DESC LIMIT $4"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .bind(at)
        .bind(id)
        .bind(page.fetch_limit())
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Every invitation of a buyer, oldest first (for the buyer's export).
pub async fn all_of<'e>(
    conn: impl AnyExecutor<'e>,
    buyer_id: &str,
) -> Result<Vec<Invitation>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM invitations WHERE buyer_id = $1 ORDER BY created_at, id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Marks an invitation revoked (once); true when this call revoked it.
pub async fn revoke(
    conn: &mut AnyConnection,
    id: &str,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(at.millis())
            .bind(id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts one use if the invitation is usable at `at`: not revoked, not expired, under its
/// limit. One statement, so concurrent uses can never push the count past the limit. True when
/// counted.
pub async fn count_use(
    conn: &mut AnyConnection,
    id: &str,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invitations SET usage_count = usage_count + 1, last_used_at = $1 \
         WHERE id = $2 AND revoked_at IS NULL AND expires_at > $1 \
         AND (max_uses IS NULL OR usage_count < max_uses)",
    )
    .bind(at.millis())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records where the email stands.
pub async fn set_email_status(
    conn: &mut AnyConnection,
    id: &str,
    status: EmailStatus,
    error: Option<&str>,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    let sent_at = (status == EmailStatus::Sent).then_some(at.millis());
    sqlx::query("UPDATE invitations SET email_status = $1, email_error = $2, email_sent_at = COALESCE($3, email_sent_at) WHERE id = $4")
        .bind(status.as_str())
        .bind(error)
        .bind(sent_at)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Counts a reminder sent for the invitation at `at`.
pub async fn count_reminder(
    conn: &mut AnyConnection,
    id: &str,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE invitations SET reminders_sent = reminders_sent + 1, last_reminder_at = $1 WHERE id = $2",
    )
    .bind(at.millis())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The buyer's newest emailed invitation whose link works at `at` (a print-only one has no
/// one to send it to).
pub async fn open_for<'e>(
    conn: impl AnyExecutor<'e>,
    buyer_id: &str,
    at: Timestamp,
) -> Result<Option<Invitation>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM invitations WHERE buyer_id = $1 AND revoked_at IS NULL \
         AND recipient_email IS NOT NULL AND expires_at > $2 AND (max_uses IS NULL OR usage_count < max_uses) \
         ORDER BY created_at DESC, id DESC LIMIT 1"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .bind(at.millis())
        .fetch_optional(conn)
        .await?
        .map(|r| from_row(&r))
        .transpose()
}
