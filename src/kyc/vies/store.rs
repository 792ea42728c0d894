//! VIES checks in the database.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyExecutor, Row};

use super::model::{CheckStatus, ViesCheck, ViesEvidence, ViesResult};
use crate::db::Timestamp;
use crate::pagination::Page;

const COLUMNS: &str = "id, buyer_id, vat_number, status, result, reason, attempts, requested_at, \
                       checked_at, vies_request_date, vies_request_identifier, vies_name, vies_address";

fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored VIES check has an invalid {what}").into())
}

fn from_row(row: &AnyRow) -> Result<ViesCheck, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let result: Option<String> = row.try_get("result")?;
    let checked_at: Option<i64> = row.try_get("checked_at")?;
    let evidence = ViesEvidence {
        request_date: row.try_get("vies_request_date")?,
        request_identifier: row.try_get("vies_request_identifier")?,
        name: row.try_get("vies_name")?,
        address: row.try_get("vies_address")?,
    };
    Ok(ViesCheck {
        uuid: row.try_get("id")?,
        buyer_id: row.try_get("buyer_id")?,
        vat_number: row.try_get("vat_number")?,
        status: CheckStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
        result: result
            .map(|r| ViesResult::parse(&r).ok_or_else(|| corrupt("result")))
            .transpose()?,
        reason: row.try_get("reason")?,
        attempts: row.try_get("attempts")?,
        requested_at: Timestamp::from_millis(row.try_get("requested_at")?),
        checked_at: checked_at.map(Timestamp::from_millis),
        evidence: (evidence != ViesEvidence::default()).then_some(evidence),
    })
}

/// Inserts a new, pending check.
pub async fn insert(conn: &mut AnyConnection, check: &ViesCheck) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO vies_checks (id, buyer_id, vat_number, status, attempts, requested_at) \
         VALUES ($1, $2, $3, $4, 0, $5)",
    )
    .bind(&check.uuid)
    .bind(&check.buyer_id)
    .bind(&check.vat_number)
    .bind(check.status.as_str())
    .bind(check.requested_at.millis())
    .execute(conn)
    .await?;
    Ok(())
}

/// One check.
pub async fn find<'e>(
    conn: impl AnyExecutor<'e>,
    id: &str,
) -> Result<Option<ViesCheck>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM vies_checks WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// A page of a buyer's checks, newest first (one more than the page size).
pub async fn list<'e>(
    conn: impl AnyExecutor<'e>,
    buyer_id: &str,
    page: &Page,
) -> Result<Vec<ViesCheck>, sqlx::Error> {
    let (at, id) = page.after_or_max();
    let sql = format!(
        "SELECT {COLUMNS} FROM vies_checks WHERE buyer_id = $1 \
         AND (requested_at < $2 OR (requested_at = $2 AND id < $3)) \
         ORDER BY requested_at DESC, id DESC LIMIT $4"
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

/// The job kind that runs a check.
pub const CHECK_JOB: &str = "kyc.vies_check";

/// What the job of a check carries.
pub fn job_payload(check_id: &str) -> serde_json::Value {
    serde_json::json!({ "checkId": check_id })
}

/// When the portal asks VIES again for a check it could not settle yet (None while it asks).
pub async fn next_attempt<'e>(
    conn: impl AnyExecutor<'e>,
    check_id: &str,
) -> Result<Option<Timestamp>, sqlx::Error> {
    crate::jobs::next_run(conn, CHECK_JOB, &job_payload(check_id)).await
}

/// Every check of a buyer, oldest first (for the buyer's export).
pub async fn all_of<'e>(
    conn: impl AnyExecutor<'e>,
    buyer_id: &str,
) -> Result<Vec<ViesCheck>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM vies_checks WHERE buyer_id = $1 ORDER BY requested_at, id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// The newest check of a buyer that has not settled yet (still being tried), if any.
pub async fn in_progress<'e>(
    conn: impl AnyExecutor<'e>,
    buyer_id: &str,
) -> Result<Option<ViesCheck>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM vies_checks WHERE buyer_id = $1 AND status = 'PENDING' \
         ORDER BY requested_at DESC, id DESC LIMIT 1"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .fetch_optional(conn)
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// The most recently settled check of a buyer.
pub async fn latest_completed<'e>(
    conn: impl AnyExecutor<'e>,
    buyer_id: &str,
) -> Result<Option<ViesCheck>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM vies_checks WHERE buyer_id = $1 AND status = 'COMPLETED' \
         ORDER BY checked_at DESC, id DESC LIMIT 1"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .fetch_optional(conn)
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// Counts a call that failed for now and keeps why; returns the calls made so far.
pub async fn note_temporary_failure(
    conn: &mut AnyConnection,
    id: &str,
    reason: &str,
) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE vies_checks SET attempts = attempts + 1, reason = $1 \
         WHERE id = $2 AND status = 'PENDING' RETURNING attempts",
    )
    .bind(reason)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map_or(Ok(0), |row| row.try_get("attempts"))
}

/// What a settled check records.
pub struct Settlement<'a> {
    /// The outcome.
    pub result: ViesResult,
    /// Why, for INVALID and ERROR.
    pub reason: Option<&'a str>,
    /// Calls made to VIES by this settling run (0 or 1).
    pub calls: i64,
    /// VIES's answer, if it gave one.
    pub evidence: Option<&'a ViesEvidence>,
    /// When.
    pub at: Timestamp,
}

/// Settles a pending check; false when it was already settled (a job that ran twice).
pub async fn complete(
    conn: &mut AnyConnection,
    id: &str,
    settlement: &Settlement<'_>,
) -> Result<bool, sqlx::Error> {
    let evidence = settlement.evidence;
    let done = sqlx::query(
        "UPDATE vies_checks SET status = 'COMPLETED', result = $1, reason = $2, \
         attempts = attempts + $3, checked_at = $4, vies_request_date = $5, \
         vies_request_identifier = $6, vies_name = $7, vies_address = $8 \
         WHERE id = $9 AND status = 'PENDING'",
    )
    .bind(settlement.result.as_str())
    .bind(settlement.reason)
    .bind(settlement.calls)
    .bind(settlement.at.millis())
    .bind(evidence.and_then(|e| e.request_date.as_deref()))
    .bind(evidence.and_then(|e| e.request_identifier.as_deref()))
    .bind(evidence.and_then(|e| e.name.as_deref()))
    .bind(evidence.and_then(|e| e.address.as_deref()))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
