//! Buyers of every seller as the staff's list shows them: searched, filtered, with their
//! seller's name and KYC status, a page at a time.

use sqlx::{AnyExecutor, Row};

use super::model::{Buyer, BuyerStatus};
use super::store::{columns_of, corrupt, from_row, like_pattern};
use crate::kyc::status::OverallStatus;

/// What the staff's buyer list filters on (across all sellers).
#[derive(Debug, Clone, Default)]
pub struct BuyerSearch {
    /// Part of the company name or the VAT number.
    pub query: Option<String>,
    /// Only buyers in this status.
    pub status: Option<BuyerStatus>,
    /// Only buyers whose last announced KYC status is this.
    pub kyc_status: Option<OverallStatus>,
    /// Only buyers of this seller.
    pub seller_id: Option<String>,
}

/// A buyer as the staff's list shows it: with its seller's name and its KYC status.
#[derive(Debug, Clone)]
pub struct ListedBuyer {
    /// The buyer.
    pub buyer: Buyer,
    /// Its seller's name.
    pub seller_name: String,
    /// The last announced overall KYC status (a buyer without one is `PENDING`).
    pub kyc_status: OverallStatus,
}

/// A page of buyers of every seller, newest first: `limit` rows from `offset`.
pub async fn search<'e>(
    conn: impl AnyExecutor<'e>,
    search: &BuyerSearch,
    offset: i64,
    limit: i64,
) -> Result<Vec<ListedBuyer>, sqlx::Error> {
    let sql = format!(
        "SELECT {}, p.name AS seller_name, COALESCE(k.overall_status, 'PENDING') AS kyc_status \
         FROM buyers b JOIN partners p ON p.id = b.seller_id \
         LEFT JOIN kyc_statuses k ON k.buyer_id = b.id \
         WHERE ($1 = '' OR b.status = $1) \
         AND ($2 = '' OR COALESCE(k.overall_status, 'PENDING') = $2) \
         AND ($3 = '' OR b.seller_id = $3) \
         AND ($4 = '' OR b.search_name LIKE $5 ESCAPE '\\' OR b.vat_number LIKE $6 ESCAPE '\\') \
         ORDER BY b.created_at DESC, b.id DESC LIMIT $7 OFFSET $8",
        columns_of("b")
    );
    let query = search.query.clone().unwrap_or_default();
    let vat = crate::kyc::vat::normalise(&query);
    // A query without any VAT characters must not match every number: `LIKE ''` matches none.
    let vat_pattern = if vat.is_empty() {
        String::new()
    } else {
        like_pattern(&vat)
    };
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(search.status.map(BuyerStatus::as_str).unwrap_or(""))
        .bind(search.kyc_status.map(OverallStatus::as_str).unwrap_or(""))
        .bind(search.seller_id.as_deref().unwrap_or(""))
        .bind(&query)
        .bind(like_pattern(&query.to_lowercase()))
        .bind(vat_pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| {
            let kyc_status: String = row.try_get("kyc_status")?;
            Ok(ListedBuyer {
                buyer: from_row(row)?,
                seller_name: row.try_get("seller_name")?,
                kyc_status: OverallStatus::parse(&kyc_status)
                    .ok_or_else(|| corrupt("KYC status"))?,
            })
        })
        .collect()
}
