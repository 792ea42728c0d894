//! API tokens: how seller systems authenticate. Made by the CLI or the staff pages, shown once,
//! stored as a hash.

use serde::Serialize;
use sqlx::Row;

use crate::db::{Db, Timestamp, now};
use crate::error::AppError;
use crate::secret_token;

/// The holder of a valid token, as seen by a request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiClient {
    /// The token's id (scopes idempotency keys).
    pub id: String,
    /// The token's name (the actor in the audit history).
    pub name: String,
}

/// A token just made: the only time its plain text exists.
pub struct IssuedToken {
    /// The token's id.
    pub id: String,
    /// The bearer token to hand to the seller system.
    pub token: String,
}

/// Makes a token named `name`.
pub async fn create(db: &Db, name: &str) -> Result<IssuedToken, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "must not be empty"));
    }
    let secret = secret_token::generate("kyc_")
        .map_err(|e| AppError::Internal(anyhow::anyhow!("no secure random source: {e}")))?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO api_tokens (id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&id)
    .bind(name)
    .bind(&secret.hash)
    .bind(now().millis())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(IssuedToken {
        id,
        token: secret.plain,
    })
}

/// A token as its list shows it: never its secret (only the hash is stored anyway).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiTokenSummary {
    /// The token's id.
    pub id: String,
    /// Whose it is.
    pub name: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was last used, where that is recorded.
    pub last_used_at: Option<Timestamp>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
}

const SUMMARY_COLUMNS: &str = "id, name, created_at, last_used_at, revoked_at";

fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<ApiTokenSummary, sqlx::Error> {
    let at = |value: Option<i64>| value.map(Timestamp::from_millis);
    Ok(ApiTokenSummary {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        last_used_at: at(row.try_get("last_used_at")?),
        revoked_at: at(row.try_get("revoked_at")?),
    })
}

/// Every token, newest first (there are few: one per seller system).
pub async fn list(db: &Db) -> Result<Vec<ApiTokenSummary>, AppError> {
    let sql = format!("SELECT {SUMMARY_COLUMNS} FROM api_tokens ORDER BY created_at DESC, id DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .map(summary_from_row)
        .collect::<Result<_, _>>()?)
}

/// One token; 404 when unknown.
pub async fn get(db: &Db, id: &str) -> Result<ApiTokenSummary, AppError> {
    let sql = format!("SELECT {SUMMARY_COLUMNS} FROM api_tokens WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::NotFound("API token"))?;
    Ok(summary_from_row(&row)?)
}

/// The client holding `token`, if it is a live token.
pub async fn authenticate(db: &Db, token: &str) -> Result<Option<ApiClient>, AppError> {
    let row =
        sqlx::query("SELECT id, name FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(secret_token::hash(token))
            .fetch_optional(db.pool())
            .await?;
    Ok(match row {
        Some(row) => Some(ApiClient {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
        }),
        None => None,
    })
}

/// Stops a token from working.
pub async fn revoke(db: &Db, id: &str) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now().millis())
            .bind(id)
            .execute(&mut *tx)
            .await?;
    tx.commit().await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound("API token"));
    }
    Ok(())
}
