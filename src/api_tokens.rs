//! API tokens: how seller systems authenticate. Made by the CLI or the staff pages, shown once,
//! stored as a hash.

use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::access::{SellerScope, TokenAccess};
use crate::audit::{Actor, Subject};
use crate::db::{Db, Timestamp, now};
use crate::errors::{Error, Rule};
use crate::secret_token;
use crate::write::WriteTx;

/// The holder of a valid token, as seen by a request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiClient {
    /// The token's id (scopes idempotency keys).
    pub id: String,
    /// The token's name (the actor in the audit history).
    pub name: String,
    /// The sellers it reaches.
    #[serde(skip)]
    pub scope: SellerScope,
    /// Whether it may change anything.
    #[serde(skip)]
    pub access: TokenAccess,
}

impl ApiClient {
    /// How the audit history names this client.
    pub fn actor(&self) -> Actor {
        Actor::ApiToken(self.name.clone())
    }
}

/// A token just made: the only time its plain text exists.
pub struct IssuedToken {
    /// The token's id.
    pub id: String,
    /// The bearer token to hand to the seller system.
    pub token: String,
}

/// What a new token is for.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    /// Whose it is, in words.
    pub name: &'a str,
    /// The sellers it reaches (a seller scope's seller must exist).
    pub scope: SellerScope,
    /// Whether it may change anything.
    pub access: TokenAccess,
}

impl<'a> NewToken<'a> {
    /// An organisation token that may read and write.
    pub fn organisation(name: &'a str) -> NewToken<'a> {
        NewToken {
            name,
            scope: SellerScope::Organisation,
            access: TokenAccess::ReadWrite,
        }
    }
}

/// Makes an organisation token named `name` (the operator, at the command line).
pub async fn create(db: &Db, name: &str) -> Result<IssuedToken, Error> {
    create_by(db, &Actor::System, NewToken::organisation(name)).await
}

/// Makes a token for `actor`, recorded in the audit history (never the token). A seller
/// scope names a seller that exists, else 422 on `seller`.
pub async fn create_by(db: &Db, actor: &Actor, new: NewToken<'_>) -> Result<IssuedToken, Error> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", Rule::Empty));
    }
    if let Some(seller_id) = new.scope.seller_id()
        && crate::partners::get(db, seller_id).await.is_err()
    {
        return Err(Error::invalid("seller", Rule::UnknownSeller));
    }
    let secret = secret_token::generate("kyc_")
        .map_err(|e| Error::Internal(anyhow::anyhow!("no secure random source: {e}")))?;
    let id = uuid::Uuid::now_v7().to_string();
    let created_at = now();
    let mut tx = WriteTx::new(db, actor.clone());
    sqlx::query(
        "INSERT INTO api_tokens (id, name, token_hash, created_at, seller_id, access) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(name)
    .bind(&secret.hash)
    .bind(created_at.millis())
    .bind(new.scope.seller_id())
    .bind(new.access.as_str())
    .execute(tx.conn().await?)
    .await?;
    let after = json!({
        "id": id,
        "name": name,
        "createdAt": created_at,
        "sellerId": new.scope.seller_id(),
        "access": new.access.as_str(),
    });
    tx.record(Subject::ApiToken(&id), "created", None, Some(after));
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
    /// When it was last used (noted at most once a minute).
    pub last_used_at: Option<Timestamp>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
    /// The seller it is bound to; none for an organisation token.
    pub seller_id: Option<String>,
    /// That seller's name.
    pub seller_name: Option<String>,
    /// Whether it may change anything.
    #[serde(skip)]
    pub access: TokenAccess,
}

impl ApiTokenSummary {
    /// Whether it may only read.
    pub fn is_read_only(&self) -> bool {
        self.access == TokenAccess::ReadOnly
    }
}

const SUMMARY_COLUMNS: &str = "t.id, t.name, t.created_at, t.last_used_at, t.revoked_at, \
     t.seller_id, t.access, p.name AS seller_name";
const SUMMARY_FROM: &str = "api_tokens t LEFT JOIN partners p ON p.id = t.seller_id";

fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<ApiTokenSummary, sqlx::Error> {
    let at = |value: Option<i64>| value.map(Timestamp::from_millis);
    Ok(ApiTokenSummary {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        last_used_at: at(row.try_get("last_used_at")?),
        revoked_at: at(row.try_get("revoked_at")?),
        seller_id: row.try_get("seller_id")?,
        seller_name: row.try_get("seller_name")?,
        access: TokenAccess::parse(&row.try_get::<String, _>("access")?),
    })
}

/// Every token, newest first (there are few: one per seller system).
pub async fn list(db: &Db) -> Result<Vec<ApiTokenSummary>, Error> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM {SUMMARY_FROM} ORDER BY t.created_at DESC, t.id DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .map(summary_from_row)
        .collect::<Result<_, _>>()?)
}

/// One token; 404 when unknown.
pub async fn get(db: &Db, id: &str) -> Result<ApiTokenSummary, Error> {
    let sql = format!("SELECT {SUMMARY_COLUMNS} FROM {SUMMARY_FROM} WHERE t.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(Error::NotFound("API token"))?;
    Ok(summary_from_row(&row)?)
}

/// How stale a token's "last used" may get: recording every call would make each API call a
/// write; once a minute is plenty for "is this system still calling us?".
const LAST_USED_GRANULARITY: chrono::Duration = chrono::Duration::minutes(1);

/// The client holding `token`, if it is a live token. Notes when the token was last used (at
/// most once a minute).
pub async fn authenticate(db: &Db, token: &str) -> Result<Option<ApiClient>, Error> {
    let row = sqlx::query(
        "SELECT id, name, last_used_at, seller_id, access FROM api_tokens \
         WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(secret_token::hash(token))
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let seller_id: Option<String> = row.try_get("seller_id")?;
    let client = ApiClient {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        scope: seller_id.map_or(SellerScope::Organisation, SellerScope::Seller),
        access: TokenAccess::parse(&row.try_get::<String, _>("access")?),
    };
    let last_used: Option<i64> = row.try_get("last_used_at")?;
    let stale_before = now().plus(-LAST_USED_GRANULARITY).millis();
    if last_used.is_none_or(|at| at < stale_before)
        && let Err(e) = touch(db, &client.id, stale_before).await
    {
        // Only a note for the token list: the call itself goes on.
        tracing::warn!(error = %e, "could not note when an API token was used");
    }
    Ok(Some(client))
}

async fn touch(db: &Db, id: &str, stale_before: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 \
         AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(now().millis())
    .bind(id)
    .bind(stale_before)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Stops a token from working, recorded in the audit history. A token revoked already (a
/// second click, or someone else meanwhile) is left as it is; 404 when there is no such token.
pub async fn revoke(db: &Db, actor: &Actor, id: &str) -> Result<(), Error> {
    let at = now();
    let mut tx = WriteTx::new(db, actor.clone());
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(at.millis())
            .bind(id)
            .execute(tx.conn().await?)
            .await?;
    if done.rows_affected() == 0 {
        drop(tx);
        return get(db, id).await.map(|_| ());
    }
    let after = json!({ "id": id, "revokedAt": at });
    tx.record(Subject::ApiToken(id), "revoked", None, Some(after));
    tx.commit().await
}
