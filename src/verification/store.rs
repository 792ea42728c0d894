//! Verifications in the database.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyExecutor, Row};

use super::model::{ProviderResult, Verification, VerificationState, VerifiedPerson};
use crate::db::Timestamp;
use crate::i18n::Language;
use crate::invitations::model::EmailStatus;

const COLUMNS: &str = "id, buyer_id, provider, scan_ref, auth_token, session_url, language, status, \
                       created_at, expires_at, provider_status, provider_details, aml, aml_hit, \
                       settled_at, decided_at, reviewed_by, review_reason, email_to, email_status, \
                       email_error, person_first_name, person_last_name, person_birth_date";

fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored verification has an invalid {what}").into())
}

fn json(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

fn from_row(row: &AnyRow) -> Result<Verification, sqlx::Error> {
    let language: String = row.try_get("language")?;
    let status: String = row.try_get("status")?;
    let email_status: Option<String> = row.try_get("email_status")?;
    let time = |name: &str| -> Result<Option<Timestamp>, sqlx::Error> {
        Ok(row
            .try_get::<Option<i64>, _>(name)?
            .map(Timestamp::from_millis))
    };
    Ok(Verification {
        uuid: row.try_get("id")?,
        buyer_id: row.try_get("buyer_id")?,
        provider: row.try_get("provider")?,
        scan_ref: row.try_get("scan_ref")?,
        auth_token: row.try_get("auth_token")?,
        session_url: row.try_get("session_url")?,
        language: Language::parse(&language).ok_or_else(|| corrupt("language"))?,
        status: VerificationState::parse(&status).ok_or_else(|| corrupt("status"))?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        expires_at: Timestamp::from_millis(row.try_get("expires_at")?),
        provider_status: row.try_get("provider_status")?,
        provider_details: json(row.try_get("provider_details")?),
        aml: json(row.try_get("aml")?),
        aml_hit: row.try_get::<i64, _>("aml_hit")? != 0,
        settled_at: time("settled_at")?,
        decided_at: time("decided_at")?,
        reviewed_by: row.try_get("reviewed_by")?,
        review_reason: row.try_get("review_reason")?,
        email_to: row.try_get("email_to")?,
        email_status: email_status
            .map(|s| EmailStatus::parse(&s).ok_or_else(|| corrupt("email status")))
            .transpose()?,
        email_error: row.try_get("email_error")?,
        person: person(row)?,
    })
}

fn person(row: &AnyRow) -> Result<Option<VerifiedPerson>, sqlx::Error> {
    let first_name: Option<String> = row.try_get("person_first_name")?;
    let last_name: Option<String> = row.try_get("person_last_name")?;
    Ok(match (first_name, last_name) {
        (Some(first_name), Some(last_name)) => Some(VerifiedPerson {
            first_name,
            last_name,
            birth_date: row.try_get("person_birth_date")?,
        }),
        _ => None,
    })
}

/// Inserts a new verification.
pub async fn insert(conn: &mut AnyConnection, v: &Verification) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO verifications (id, buyer_id, provider, scan_ref, auth_token, session_url, \
         language, status, created_at, expires_at, aml_hit, email_to, email_status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12)",
    )
    .bind(&v.uuid)
    .bind(&v.buyer_id)
    .bind(&v.provider)
    .bind(&v.scan_ref)
    .bind(&v.auth_token)
    .bind(&v.session_url)
    .bind(v.language.code())
    .bind(v.status.as_str())
    .bind(v.created_at.millis())
    .bind(v.expires_at.millis())
    .bind(v.email_to.as_deref())
    .bind(v.email_status.map(EmailStatus::as_str))
    .execute(conn)
    .await?;
    Ok(())
}

/// One verification.
pub async fn find<'e>(
    conn: impl AnyExecutor<'e>,
    id: &str,
) -> Result<Option<Verification>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM verifications WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// The verification of a provider session.
pub async fn find_by_scan_ref<'e>(
    conn: impl AnyExecutor<'e>,
    scan_ref: &str,
) -> Result<Option<Verification>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM verifications WHERE scan_ref = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(scan_ref)
        .fetch_optional(conn)
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// The buyer's current verification: the one that most recently started or reported a
/// result. A session whose link lapsed may still report (iDenfy reviews by hand after the
/// person is done), and its result then counts over a newer session that is still running; a
/// lapse itself counts from the session's start, so it never hides a newer session.
pub async fn latest<'e>(
    conn: impl AnyExecutor<'e>,
    buyer_id: &str,
) -> Result<Option<Verification>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM verifications WHERE buyer_id = $1 \
         ORDER BY CASE WHEN settled_at IS NULL OR status = 'EXPIRED' THEN created_at \
                       ELSE settled_at END DESC, created_at DESC, id DESC LIMIT 1"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .fetch_optional(conn)
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// Every verification of a buyer, oldest first (for the buyer's export).
pub async fn all_of<'e>(
    conn: impl AnyExecutor<'e>,
    buyer_id: &str,
) -> Result<Vec<Verification>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM verifications WHERE buyer_id = $1 ORDER BY created_at, id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Records the provider's final result on a pending verification; false when it was settled
/// before (the same callback again).
pub async fn settle(
    conn: &mut AnyConnection,
    id: &str,
    result: &ProviderResult,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let state = result.next_state();
    let done = sqlx::query(
        "UPDATE verifications SET status = $1, provider_status = $2, provider_details = $3, \
         aml = $4, aml_hit = $5, settled_at = $6, decided_at = $7, person_first_name = $8, \
         person_last_name = $9, person_birth_date = $10 \
         WHERE id = $11 AND status = 'PENDING'",
    )
    .bind(state.as_str())
    .bind(&result.provider_status)
    .bind(result.details.to_string())
    .bind(result.aml.as_ref().map(ToString::to_string))
    .bind(i64::from(result.aml_hit))
    .bind(at.millis())
    .bind(state.is_decided().then_some(at.millis()))
    .bind(result.person.as_ref().map(|p| p.first_name.as_str()))
    .bind(result.person.as_ref().map(|p| p.last_name.as_str()))
    .bind(result.person.as_ref().and_then(|p| p.birth_date.as_deref()))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a staff decision on a held verification; false when it is no longer held.
pub async fn decide(
    conn: &mut AnyConnection,
    id: &str,
    state: VerificationState,
    reviewer: &str,
    reason: Option<&str>,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE verifications SET status = $1, reviewed_by = $2, review_reason = $3, \
         decided_at = $4 WHERE id = $5 AND status = 'REVIEW'",
    )
    .bind(state.as_str())
    .bind(reviewer)
    .bind(reason)
    .bind(at.millis())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records where the session email stands.
pub async fn set_email_status(
    conn: &mut AnyConnection,
    id: &str,
    status: EmailStatus,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE verifications SET email_status = $1, email_error = $2 WHERE id = $3")
        .bind(status.as_str())
        .bind(error)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
