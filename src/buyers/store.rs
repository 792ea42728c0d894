//! Buyers in the database.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyExecutor, Row};

use super::model::{Address, Buyer, BuyerDetails, BuyerStatus, KycMode, PageBuyer, Standing};
use crate::buyers::country::Country;
use crate::db::Timestamp;
use crate::kyc::vat::VatNumber;

/// The buyer with this id and its seller's name, in one round trip (the buyer's page reads
/// both on every view).
pub async fn find_with_seller_name<'e>(
    conn: impl AnyExecutor<'e>,
    buyer_id: &str,
) -> Result<Option<(Buyer, String)>, sqlx::Error> {
    let sql = format!(
        "SELECT {}, p.name AS seller_name FROM buyers b JOIN partners p ON p.id = b.seller_id WHERE b.id = $1",
        columns_of("b")
    );
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .fetch_optional(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some((from_row(&row)?, row.try_get("seller_name")?)))
}

const COLUMNS: &str = "id, seller_id, vat_number, company_name, street, post_code, city, country, \
                       contacts, kyc_mode, status, blocked_reason, version, created_at, updated_at, \
                       ended_at, end_reason, hold_reason, erased_at";

pub(super) fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored buyer has an invalid {what}").into())
}

pub(super) fn from_row(row: &AnyRow) -> Result<Buyer, sqlx::Error> {
    let vat: String = row.try_get("vat_number")?;
    let country: String = row.try_get("country")?;
    let contacts: String = row.try_get("contacts")?;
    let mode: String = row.try_get("kyc_mode")?;
    let status: String = row.try_get("status")?;
    let erased: Option<i64> = row.try_get("erased_at")?;
    let vat_number = match VatNumber::parse(&vat) {
        Ok(number) => number,
        // An erased buyer that kept no VAT number holds a placeholder.
        Err(_) if erased.is_some() => VatNumber::erased(),
        Err(_) => return Err(corrupt("VAT number")),
    };
    Ok(Buyer {
        uuid: row.try_get("id")?,
        seller_id: row.try_get("seller_id")?,
        vat_number_check: vat_number.offline_verdict(),
        vat_number,
        company_name: row.try_get("company_name")?,
        address: Address {
            street: row.try_get("street")?,
            post_code: row.try_get("post_code")?,
            city: row.try_get("city")?,
            country: Country::parse(&country).map_err(|_| corrupt("country"))?,
        },
        contacts: serde_json::from_str(&contacts).map_err(|_| corrupt("contact list"))?,
        kyc_mode: KycMode::parse(&mode).ok_or_else(|| corrupt("KYC mode"))?,
        status: BuyerStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
        blocked_reason: row.try_get("blocked_reason")?,
        version: row.try_get("version")?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        updated_at: Timestamp::from_millis(row.try_get("updated_at")?),
        ended_at: row
            .try_get::<Option<i64>, _>("ended_at")?
            .map(Timestamp::from_millis),
        end_reason: row.try_get("end_reason")?,
        hold_reason: row.try_get("hold_reason")?,
        erased_at: erased.map(Timestamp::from_millis),
    })
}

/// Lower-cased name for case-insensitive search on both backends (SQLite's `lower` is ASCII-only).
fn search_name(details: &BuyerDetails) -> String {
    details.company_name.to_lowercase()
}

fn contacts_json(details: &BuyerDetails) -> String {
    serde_json::to_string(&details.contacts).unwrap_or_else(|_| "[]".into())
}

/// Inserts the buyer unless one with its (seller, VAT number) exists; true when inserted.
pub async fn insert_if_absent(
    conn: &mut AnyConnection,
    buyer: &Buyer,
) -> Result<bool, sqlx::Error> {
    let details = buyer.details();
    let row = sqlx::query(
        "INSERT INTO buyers (id, seller_id, vat_number, company_name, search_name, street, post_code, city, \
         country, contacts, kyc_mode, status, blocked_reason, version, created_at, updated_at, last_activity_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, 0, $13, $13, $13) \
         ON CONFLICT (seller_id, vat_number) DO NOTHING RETURNING id",
    )
    .bind(&buyer.uuid)
    .bind(&buyer.seller_id)
    .bind(buyer.vat_number.as_str())
    .bind(&buyer.company_name)
    .bind(search_name(&details))
    .bind(&buyer.address.street)
    .bind(&buyer.address.post_code)
    .bind(&buyer.address.city)
    .bind(buyer.address.country.as_str())
    .bind(contacts_json(&details))
    .bind(buyer.kyc_mode.as_str())
    .bind(buyer.status.as_str())
    .bind(buyer.created_at.millis())
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// The buyer of `seller_id` with this VAT number.
pub async fn find_by_vat<'e>(
    conn: impl AnyExecutor<'e>,
    seller_id: &str,
    vat: &VatNumber,
) -> Result<Option<Buyer>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM buyers WHERE seller_id = $1 AND vat_number = $2");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(seller_id)
        .bind(vat.as_str())
        .fetch_optional(conn)
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// The buyer with this id, if it belongs to `seller_id`.
pub async fn find<'e>(
    conn: impl AnyExecutor<'e>,
    seller_id: &str,
    buyer_id: &str,
) -> Result<Option<Buyer>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM buyers WHERE seller_id = $1 AND id = $2");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(seller_id)
        .bind(buyer_id)
        .fetch_optional(conn)
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// The buyer with this id, whoever its seller.
pub async fn find_any<'e>(
    conn: impl AnyExecutor<'e>,
    buyer_id: &str,
) -> Result<Option<Buyer>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM buyers WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .fetch_optional(conn)
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// The buyer with this id, its row locked until the transaction ends.
pub async fn lock(
    conn: &mut AnyConnection,
    for_update: &str,
    buyer_id: &str,
) -> Result<Option<Buyer>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM buyers WHERE id = $1 {for_update}");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .fetch_optional(conn)
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// Escapes LIKE wildcards so that a search for "50%" means the characters.
pub(super) fn like_pattern(text: &str) -> String {
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            _ => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

/// Writes new details if the stored version is `expected_version`; true when written.
pub async fn update_details(
    conn: &mut AnyConnection,
    buyer_id: &str,
    expected_version: i64,
    details: &BuyerDetails,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE buyers SET company_name = $1, search_name = $2, street = $3, post_code = $4, city = $5, \
         country = $6, contacts = $7, kyc_mode = $8, version = version + 1, updated_at = $9, \
         last_activity_at = $9 WHERE id = $10 AND version = $11",
    )
    .bind(&details.company_name)
    .bind(search_name(details))
    .bind(&details.address.street)
    .bind(&details.address.post_code)
    .bind(&details.address.city)
    .bind(details.address.country.as_str())
    .bind(contacts_json(details))
    .bind(details.kyc_mode.as_str())
    .bind(at.millis())
    .bind(buyer_id)
    .bind(expected_version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets the status (and reason) if the stored version is `expected_version`; true when written.
pub async fn set_status(
    conn: &mut AnyConnection,
    buyer_id: &str,
    expected_version: i64,
    status: BuyerStatus,
    reason: Option<&str>,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE buyers SET status = $1, blocked_reason = $2, version = version + 1, updated_at = $3, \
         last_activity_at = $3 WHERE id = $4 AND version = $5",
    )
    .bind(status.as_str())
    .bind(reason)
    .bind(at.millis())
    .bind(buyer_id)
    .bind(expected_version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Locks the buyer's row for the rest of the transaction and returns its status and whether
/// its relationship has ended, so that a change that depends on it (an upload, an invitation)
/// cannot race a block or an end.
pub async fn lock_status(
    conn: &mut AnyConnection,
    for_update: &str,
    buyer_id: &str,
) -> Result<Option<(BuyerStatus, bool)>, sqlx::Error> {
    let sql = format!("SELECT status, ended_at, erased_at FROM buyers WHERE id = $1 {for_update}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .fetch_optional(conn)
        .await?;
    match row {
        Some(row) => {
            let (status, standing) = standing_from_row(&row)?;
            Ok(Some((status, standing.ended)))
        }
        None => Ok(None),
    }
}

/// A buyer's status and where it stands, from its `status`, `ended_at` and `erased_at`.
fn standing_from_row(
    row: &impl crate::db::Columns,
) -> Result<(BuyerStatus, Standing), sqlx::Error> {
    let status: String = row.try_get("status")?;
    let status = BuyerStatus::parse(&status).ok_or_else(|| corrupt("status"))?;
    let ended = row.try_get::<Option<i64>>("ended_at")?.is_some();
    let erased = row.try_get::<Option<i64>>("erased_at")?.is_some();
    Ok((status, Standing::of(status, ended, erased)))
}

/// Sets or clears the end of the relationship if the stored version is `expected_version`;
/// true when written.
pub async fn set_ending(
    conn: &mut AnyConnection,
    buyer_id: &str,
    expected_version: i64,
    ending: Option<(Timestamp, &str)>,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE buyers SET ended_at = $1, end_reason = $2, version = version + 1, updated_at = $3, \
         last_activity_at = $3 WHERE id = $4 AND version = $5",
    )
    .bind(ending.map(|(ended, _)| ended.millis()))
    .bind(ending.map(|(_, reason)| reason))
    .bind(at.millis())
    .bind(buyer_id)
    .bind(expected_version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets or lifts the legal hold if the stored version is `expected_version`; true when written.
pub async fn set_hold(
    conn: &mut AnyConnection,
    buyer_id: &str,
    expected_version: i64,
    reason: Option<&str>,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE buyers SET hold_reason = $1, version = version + 1, updated_at = $2, \
         last_activity_at = $2 WHERE id = $3 AND version = $4",
    )
    .bind(reason)
    .bind(at.millis())
    .bind(buyer_id)
    .bind(expected_version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The buyer columns under the table alias `alias` (`b.id, b.seller_id, ...`), for queries
/// that join buyers with other tables and read them with [`from_row`].
pub(super) fn columns_of(alias: &str) -> String {
    crate::db::aliased(COLUMNS, alias)
}

/// The columns a [`PageBuyer`] is read from under the table alias `alias`, each renamed with
/// `prefix` (`b.id AS buyer__id, ...`) for a query that also reads another table's columns of
/// the same names; read them with [`page_buyer_from_joined_row`].
pub(crate) fn page_columns(alias: &str, prefix: &str) -> String {
    crate::db::renamed(PAGE_COLUMNS, alias, prefix)
}

const PAGE_COLUMNS: &str = "id, company_name, status, ended_at, erased_at";

/// A buyer as its own pages need it, from a row of [`page_columns`].
pub(crate) fn page_buyer_from_joined_row(
    row: &impl crate::db::Columns,
    prefix: &'static str,
) -> Result<PageBuyer, sqlx::Error> {
    use crate::db::Columns;
    let row = crate::db::Prefixed::new(row, prefix);
    Ok(PageBuyer {
        uuid: row.try_get("id")?,
        company_name: row.try_get("company_name")?,
        standing: standing_from_row(&row)?.1,
    })
}
