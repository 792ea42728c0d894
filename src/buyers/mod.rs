//! Buyers: trade partners in the buyer role, unique per seller and VAT number.

mod country;
mod ending;
mod filter;
mod input;
mod listing;
pub mod model;
mod sort;
pub(crate) mod store;

pub use country::Country;
pub use ending::{Ending, end, hold, parse_reason, release, reopen};
pub use filter::{BuyerFilter, SearchText};
pub use input::{RawAddress, RawBuyer, RawContact, apply_patch, from_json};
pub use listing::{ListedBuyer, Window};
pub use model::{Address, Buyer, BuyerDetails, BuyerStatus, Contact, KycMode, PageBuyer, Standing};
pub use sort::{BuyerSort, Position, SortKey};

use serde_json::json;

use crate::access::SellerScope;
use crate::audit::{self, Subject};
use crate::db::{Db, now};
use crate::errors::{Conflict, Error, Forbidden};
use crate::events::EventType;
use crate::kyc::vat::VatNumber;
use crate::organisation;
use crate::pagination::{Cursor, Page};
use crate::partners;
use crate::write::WriteTx;

/// What an upsert did.
#[derive(Debug)]
pub enum Upserted {
    /// The buyer is new.
    Created(Buyer),
    /// The buyer existed with exactly these details; nothing changed.
    Unchanged(Buyer),
}

fn snapshot(buyer: &Buyer) -> Option<serde_json::Value> {
    serde_json::to_value(buyer).ok()
}

fn record(tx: &mut WriteTx, action: &str, before: Option<&Buyer>, after: &Buyer) {
    tx.record(
        Subject::Buyer(&after.uuid),
        action,
        before.and_then(snapshot),
        snapshot(after),
    );
}

/// Creates the buyer keyed on (seller, VAT number), or returns the existing one when the details
/// are the same; different details are a conflict carrying the current buyer.
pub async fn upsert(
    tx: &mut WriteTx,
    seller_id: &str,
    vat_number: VatNumber,
    details: BuyerDetails,
) -> Result<Upserted, Error> {
    partners::get(tx.db(), seller_id).await?;
    if details.kyc_mode == KycMode::MarketplaceLed
        && !organisation::load(tx.db()).await?.allow_marketplace_led_kyc
    {
        // The capability stops new MARKETPLACE_LED buyers; re-posting one that exists
        // unchanged creates nothing, so it is answered like any other repeated upsert.
        let existing = store::find_by_vat(tx.conn().await?, seller_id, &vat_number).await?;
        return match existing {
            Some(existing) if existing.details() == details => Ok(Upserted::Unchanged(existing)),
            _ => Err(Error::Forbidden(Forbidden::MarketplaceLedNotAllowed)),
        };
    }
    let at = now();
    let candidate = Buyer {
        uuid: uuid::Uuid::now_v7().to_string(),
        seller_id: seller_id.to_owned(),
        vat_number_check: vat_number.offline_verdict(),
        vat_number,
        company_name: details.company_name,
        address: details.address,
        contacts: details.contacts,
        kyc_mode: details.kyc_mode,
        status: BuyerStatus::Active,
        blocked_reason: None,
        version: 0,
        created_at: at,
        updated_at: at,
        ended_at: None,
        end_reason: None,
        hold_reason: None,
        erased_at: None,
    };
    if store::insert_if_absent(tx.conn().await?, &candidate).await? {
        record(tx, "created", None, &candidate);
        return Ok(Upserted::Created(candidate));
    }
    let existing = store::find_by_vat(tx.conn().await?, seller_id, &candidate.vat_number)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("buyer vanished during upsert")))?;
    if existing.details() == candidate.details() {
        Ok(Upserted::Unchanged(existing))
    } else {
        Err(Error::Conflict(Conflict::BuyerExists {
            current: snapshot(&existing).unwrap_or_default(),
        }))
    }
}

/// One buyer of a seller; 404 when the seller or the buyer is unknown.
pub async fn get(db: &Db, seller_id: &str, buyer_id: &str) -> Result<Buyer, Error> {
    partners::get(db, seller_id).await?;
    store::find(db.pool(), seller_id, buyer_id)
        .await?
        .ok_or(Error::NotFound("buyer"))
}

/// A buyer by id alone (for pages and jobs that start from a buyer).
pub async fn get_by_id(db: &Db, buyer_id: &str) -> Result<Buyer, Error> {
    store::find_any(db.pool(), buyer_id)
        .await?
        .ok_or(Error::NotFound("buyer"))
}

/// Refuses a buyer outside `scope` as if it did not exist: "`not_found` not found", for the
/// resource (document, invitation) that was asked for through it.
pub async fn ensure_in_scope(
    db: &Db,
    scope: &SellerScope,
    buyer_id: &str,
    not_found: &'static str,
) -> Result<(), Error> {
    let Some(seller_id) = scope.seller_id() else {
        return Ok(());
    };
    match store::find_any(db.pool(), buyer_id).await? {
        Some(buyer) if buyer.seller_id == seller_id => Ok(()),
        _ => Err(Error::NotFound(not_found)),
    }
}

/// The buyer with this id, whoever its seller, and its seller's name.
pub async fn get_with_seller_name(db: &Db, buyer_id: &str) -> Result<(Buyer, String), Error> {
    store::find_with_seller_name(db.pool(), buyer_id)
        .await?
        .ok_or(Error::NotFound("buyer"))
}

/// A seller's buyers, newest first, filtered (the filter's seller is set to `seller_id`).
pub async fn list(
    db: &Db,
    seller_id: &str,
    filter: &BuyerFilter,
    page: &Page,
) -> Result<(Vec<Buyer>, Option<Cursor>), Error> {
    partners::get(db, seller_id).await?;
    let filter = BuyerFilter {
        seller_id: Some(seller_id.to_owned()),
        ..filter.clone()
    };
    let window = Window::After(page.after().cloned().map(Position::from));
    let rows = listing::list(
        db.pool(),
        db.backend(),
        &filter,
        &window,
        page.fetch_limit(),
    )
    .await?;
    let buyers = rows.into_iter().map(|listed| listed.buyer).collect();
    Ok(page.split(buyers, |b| Cursor::new(b.created_at.millis(), &b.uuid)))
}

/// One page of the staff's list of buyers (every seller's unless the filter names one), in
/// the filter's order, and the positions of the pages before and after it (if there are any).
#[derive(Debug)]
pub struct BuyerPage {
    /// The buyers, in the list's order.
    pub buyers: Vec<ListedBuyer>,
    /// Where the previous page ends, if there is one.
    pub previous: Option<Position>,
    /// Where the next page starts, if there is one.
    pub next: Option<Position>,
}

/// Where `listed` stands in a list in `sort`.
fn position(sort: BuyerSort, listed: &ListedBuyer) -> Option<Position> {
    let key = match sort {
        BuyerSort::Newest => SortKey::At(listed.buyer.created_at.millis()),
        BuyerSort::Name => SortKey::Name(listed.sort_name.clone()),
        BuyerSort::LastActivity => SortKey::At(listed.last_activity_at.millis()),
    };
    Position::new(sort, key, &listed.buyer.uuid)
}

/// A page of `size` buyers for the staff pages. Pages are keyed by the first or last buyer
/// shown, not by number, so the links stay right while buyers are added.
pub async fn search(
    db: &Db,
    filter: &BuyerFilter,
    window: &Window,
    size: u32,
) -> Result<BuyerPage, Error> {
    let size = size.clamp(1, 200) as usize;
    let fetch = i64::try_from(size + 1).unwrap_or(i64::MAX);
    let sort = filter.sort;
    let at = |listed: &ListedBuyer| position(sort, listed);
    let window = window.fitting(filter);
    if let Window::Before(_) = window {
        let mut rows = listing::list(db.pool(), db.backend(), filter, &window, fetch).await?;
        if rows.len() > size {
            // In the list's order: the extra row is the first, beyond this page.
            rows.remove(0);
            return Ok(BuyerPage {
                previous: rows.first().and_then(at),
                next: rows.last().and_then(at),
                buyers: rows,
            });
        }
        // Not a full page newer than this: the previous page is the first one.
    }
    let after = match window {
        Window::After(after) => after,
        Window::Before(_) => None,
    };
    let from_start = after.is_none();
    let mut rows = listing::list(
        db.pool(),
        db.backend(),
        filter,
        &Window::After(after),
        fetch,
    )
    .await?;
    let more = rows.len() > size;
    rows.truncate(size);
    Ok(BuyerPage {
        previous: rows.first().filter(|_| !from_start).and_then(at),
        next: rows.last().filter(|_| more).and_then(at),
        buyers: rows,
    })
}

/// The audit history of a buyer together with that of its documents and invitations,
/// newest first (what the staff's history page tells).
pub async fn full_history(
    db: &Db,
    buyer_id: &str,
    page: &Page,
) -> Result<(Vec<audit::AuditEntry>, Option<Cursor>), Error> {
    get_by_id(db, buyer_id).await?;
    audit::history_of_buyer(db, buyer_id, page).await
}

/// Applies a merge patch if the caller saw the current version.
pub async fn update(
    tx: &mut WriteTx,
    seller_id: &str,
    buyer_id: &str,
    expected_version: i64,
    patch: &serde_json::Value,
) -> Result<Buyer, Error> {
    partners::get(tx.db(), seller_id).await?;
    let current = store::find(tx.conn().await?, seller_id, buyer_id)
        .await?
        .ok_or(Error::NotFound("buyer"))?;
    if current.erased_at.is_some() {
        // Its personal data must not come back.
        return Err(Error::Conflict(Conflict::BuyerErased));
    }
    if current.version != expected_version {
        return Err(stale(expected_version, &current));
    }
    let details = apply_patch(&current, patch)?;
    if details == current.details() {
        return Ok(current);
    }
    let at = now();
    if !store::update_details(tx.conn().await?, buyer_id, expected_version, &details, at).await? {
        return Err(Error::Conflict(Conflict::ChangedMeanwhile));
    }
    let updated = Buyer {
        company_name: details.company_name,
        address: details.address,
        contacts: details.contacts,
        kyc_mode: details.kyc_mode,
        version: current.version + 1,
        updated_at: at,
        ..current.clone()
    };
    record(tx, "updated", Some(&current), &updated);
    Ok(updated)
}

fn stale(sent: i64, current: &Buyer) -> Error {
    Error::Conflict(Conflict::StaleVersion {
        sent,
        current_version: current.version,
        current: snapshot(current).unwrap_or_default(),
    })
}

/// A non-empty reason for blocking, checked like every other reason (ending, hold, erasure).
pub fn parse_block_reason(reason: Option<&str>) -> Result<String, Error> {
    ending::parse_reason(reason)
}

/// Blocks a buyer (no invitations, no uploads); blocking a blocked buyer changes nothing.
pub async fn block(
    tx: &mut WriteTx,
    seller_id: &str,
    buyer_id: &str,
    reason: String,
) -> Result<Buyer, Error> {
    set_status(tx, seller_id, buyer_id, BuyerStatus::Blocked, Some(reason)).await
}

/// Lifts a block; unblocking an active buyer changes nothing.
pub async fn unblock(tx: &mut WriteTx, seller_id: &str, buyer_id: &str) -> Result<Buyer, Error> {
    set_status(tx, seller_id, buyer_id, BuyerStatus::Active, None).await
}

async fn set_status(
    tx: &mut WriteTx,
    seller_id: &str,
    buyer_id: &str,
    status: BuyerStatus,
    reason: Option<String>,
) -> Result<Buyer, Error> {
    partners::get(tx.db(), seller_id).await?;
    let current = store::find(tx.conn().await?, seller_id, buyer_id)
        .await?
        .ok_or(Error::NotFound("buyer"))?;
    if current.status == status {
        return Ok(current);
    }
    let at = now();
    if !store::set_status(
        tx.conn().await?,
        buyer_id,
        current.version,
        status,
        reason.as_deref(),
        at,
    )
    .await?
    {
        return Err(Error::Conflict(Conflict::ChangedMeanwhile));
    }
    let updated = Buyer {
        status,
        blocked_reason: reason,
        version: current.version + 1,
        updated_at: at,
        ..current.clone()
    };
    let (action, event) = match status {
        BuyerStatus::Blocked => ("blocked", EventType::BuyerBlocked),
        BuyerStatus::Active => ("unblocked", EventType::BuyerUnblocked),
    };
    record(tx, action, Some(&current), &updated);
    tx.announce(
        event,
        buyer_id,
        json!({
            "status": updated.status,
            "reason": updated.blocked_reason,
        }),
    );
    Ok(updated)
}

/// The audit history of a buyer, newest first.
pub async fn history(
    db: &Db,
    seller_id: &str,
    buyer_id: &str,
    page: &Page,
) -> Result<(Vec<audit::AuditEntry>, Option<Cursor>), Error> {
    get(db, seller_id, buyer_id).await?;
    audit::history(db, "buyer", buyer_id, page).await
}

/// Inside a write transaction: fails unless the buyer exists and is active, and holds its row
/// until the transaction ends.
pub async fn ensure_active_in(tx: &mut WriteTx, buyer_id: &str) -> Result<(), Error> {
    let lock = tx.for_update();
    match store::lock_status(tx.conn().await?, lock, buyer_id).await? {
        None => Err(Error::NotFound("buyer")),
        Some((_, true)) => Err(Error::Conflict(Conflict::BuyerEnded)),
        Some((BuyerStatus::Blocked, false)) => Err(Error::Conflict(Conflict::BuyerBlocked)),
        Some((BuyerStatus::Active, false)) => Ok(()),
    }
}

/// Inside a write transaction: the buyer's status and whether its relationship has ended
/// (None when unknown), holding its row until the transaction ends.
pub async fn lock_status_in(
    tx: &mut WriteTx,
    buyer_id: &str,
) -> Result<Option<(BuyerStatus, bool)>, Error> {
    let lock = tx.for_update();
    Ok(store::lock_status(tx.conn().await?, lock, buyer_id).await?)
}

/// Inside a write transaction: the buyer, its row held until the transaction ends (so that
/// what is decided from it cannot race another change).
pub async fn lock_in(tx: &mut WriteTx, buyer_id: &str) -> Result<Buyer, Error> {
    let lock = tx.for_update();
    store::lock(tx.conn().await?, lock, buyer_id)
        .await?
        .ok_or(Error::NotFound("buyer"))
}

/// The steps of the database's plan for a page of the list with this filter, to check that
/// it is served by the indexes made for it.
pub async fn plan(db: &Db, filter: &BuyerFilter, window: &Window) -> Result<Vec<String>, Error> {
    Ok(listing::plan(db.pool(), db.backend(), filter, window).await?)
}
