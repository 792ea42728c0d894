//! Sellers: trade partners in the seller role, the owners of buyers.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::access::SellerScope;
use crate::audit::Subject;
use crate::db::{Db, Timestamp, now};
use crate::errors::{Error, Rule};
use crate::pagination::{Cursor, Page};
use crate::write::WriteTx;

/// A seller.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Seller {
    /// The seller's id.
    pub uuid: String,
    /// Its name.
    pub name: String,
    /// Always `SELLER`.
    pub role: &'static str,
    /// When it was created.
    pub created_at: Timestamp,
}

fn from_row(row: &AnyRow) -> Result<Seller, sqlx::Error> {
    Ok(Seller {
        uuid: row.try_get("id")?,
        name: row.try_get("name")?,
        role: "SELLER",
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
    })
}

/// A seller's name, checked.
pub fn parse_name(name: Option<&str>) -> Result<String, Error> {
    let name = name.map(str::trim).unwrap_or_default();
    if name.is_empty() {
        Err(Error::invalid("name", Rule::Required))
    } else if name.chars().count() > 200 || name.chars().any(char::is_control) {
        Err(Error::invalid("name", Rule::TooLong { max: 200 }))
    } else {
        Ok(name.to_owned())
    }
}

/// Creates a seller.
pub async fn create(tx: &mut WriteTx, name: String) -> Result<Seller, Error> {
    let seller = Seller {
        uuid: uuid::Uuid::now_v7().to_string(),
        name,
        role: "SELLER",
        created_at: now(),
    };
    sqlx::query("INSERT INTO partners (id, name, role, created_at) VALUES ($1, $2, 'SELLER', $3)")
        .bind(&seller.uuid)
        .bind(&seller.name)
        .bind(seller.created_at.millis())
        .execute(tx.conn().await?)
        .await?;
    tx.record(
        Subject::Seller(&seller.uuid),
        "created",
        None,
        serde_json::to_value(&seller).ok(),
    );
    Ok(seller)
}

/// The seller with this id; 404 when there is none.
pub async fn get(db: &Db, id: &str) -> Result<Seller, Error> {
    sqlx::query("SELECT id, name, created_at FROM partners WHERE id = $1 AND role = 'SELLER'")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .map(|row| from_row(&row))
        .transpose()?
        .ok_or(Error::NotFound("seller"))
}

/// Sellers within `scope`, newest first.
pub async fn list(
    db: &Db,
    scope: &SellerScope,
    page: &Page,
) -> Result<(Vec<Seller>, Option<Cursor>), Error> {
    let (at, id) = page.after_or_max();
    let rows = sqlx::query(
        "SELECT id, name, created_at FROM partners WHERE role = 'SELLER' \
         AND ($4 IS NULL OR id = $4) \
         AND (created_at < $1 OR (created_at = $1 AND id < $2)) ORDER BY created_at DESC, id DESC LIMIT $3",
    )
    .bind(at)
    .bind(id)
    .bind(page.fetch_limit())
    .bind(scope.seller_id())
    .fetch_all(db.pool())
    .await?;
    let sellers = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    Ok(page.split(sellers, |s| Cursor::new(s.created_at.millis(), &s.uuid)))
}
