//! The end of a business relationship with a buyer, and the legal hold that keeps its records.
//!
//! Ending a relationship starts the retention period after which the buyer's personal data is
//! erased (src/erasure); an ended buyer gets no new invitations, uploads or checks. A legal
//! hold keeps the records for as long as it lasts, whatever the period says.

use super::{Buyer, record, store};
use crate::db::{Timestamp, now};
use crate::errors::{Conflict, Error, Rule};
use crate::partners;
use crate::write::WriteTx;

/// How far ahead of the server's clock a client's "now" may be.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(5);

/// What ending a relationship states, checked: only [`Ending::parse`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    /// When it ended (now when not given; a past date for relationships ended before).
    ended_at: Timestamp,
    /// Why it ended.
    reason: String,
}

impl Ending {
    /// An ending as stated: when (RFC 3339; `at` when not given) and why. A relationship
    /// cannot end after `at`: its retention period would run from a date nobody knows yet.
    pub fn parse(
        ended_at: Option<&str>,
        reason: Option<&str>,
        at: Timestamp,
    ) -> Result<Ending, Error> {
        let reason = parse_reason(reason)?;
        let ended_at = match ended_at {
            None => at,
            Some(text) => Timestamp::parse_rfc3339(text)
                .ok_or_else(|| Error::invalid("endedAt", Rule::DateTime))?,
        };
        // A client's clock may run a little ahead of the server's: "now" by its clock is not
        // the future.
        if ended_at > at.plus(CLOCK_SKEW) {
            return Err(Error::invalid("endedAt", Rule::DateInFuture));
        }
        let ended_at = ended_at.min(at);
        Ok(Ending { ended_at, reason })
    }
}

/// A non-empty reason of at most 1000 characters, checked.
pub fn parse_reason(reason: Option<&str>) -> Result<String, Error> {
    let reason = reason.map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        Err(Error::invalid("reason", Rule::Required))
    } else if reason.chars().count() > 1000 {
        Err(Error::invalid("reason", Rule::TooLong { max: 1000 }))
    } else {
        Ok(reason.to_owned())
    }
}

async fn current(tx: &mut WriteTx, seller_id: &str, buyer_id: &str) -> Result<Buyer, Error> {
    partners::get(tx.db(), seller_id).await?;
    let lock = tx.for_update();
    let buyer = store::lock(tx.conn().await?, lock, buyer_id)
        .await?
        .filter(|b| b.seller_id == seller_id)
        .ok_or(Error::NotFound("buyer"))?;
    if buyer.erased_at.is_some() {
        return Err(Error::Conflict(Conflict::BuyerErased));
    }
    Ok(buyer)
}

/// Ends the relationship; ending an ended one again changes nothing.
pub async fn end(
    tx: &mut WriteTx,
    seller_id: &str,
    buyer_id: &str,
    ending: Ending,
) -> Result<Buyer, Error> {
    let before = current(tx, seller_id, buyer_id).await?;
    if before.is_ended() {
        return Ok(before);
    }
    let at = now();
    let written = store::set_ending(
        tx.conn().await?,
        buyer_id,
        before.version,
        Some((ending.ended_at, &ending.reason)),
        at,
    )
    .await?;
    if !written {
        return Err(Error::Conflict(Conflict::ChangedMeanwhile));
    }
    let after = Buyer {
        ended_at: Some(ending.ended_at),
        end_reason: Some(ending.reason),
        version: before.version + 1,
        updated_at: at,
        ..before.clone()
    };
    record(tx, "ended", Some(&before), &after);
    Ok(after)
}

/// Reopens an ended relationship (its retention period no longer runs).
pub async fn reopen(tx: &mut WriteTx, seller_id: &str, buyer_id: &str) -> Result<Buyer, Error> {
    let before = current(tx, seller_id, buyer_id).await?;
    if !before.is_ended() {
        return Ok(before);
    }
    let at = now();
    if !store::set_ending(tx.conn().await?, buyer_id, before.version, None, at).await? {
        return Err(Error::Conflict(Conflict::ChangedMeanwhile));
    }
    let after = Buyer {
        ended_at: None,
        end_reason: None,
        version: before.version + 1,
        updated_at: at,
        ..before.clone()
    };
    record(tx, "reopened", Some(&before), &after);
    Ok(after)
}

/// Puts the buyer on legal hold with a reason (a new reason replaces the old one).
pub async fn hold(
    tx: &mut WriteTx,
    seller_id: &str,
    buyer_id: &str,
    reason: String,
) -> Result<Buyer, Error> {
    set_hold(tx, seller_id, buyer_id, Some(reason), "held").await
}

/// Lifts the legal hold; its retention period applies again.
pub async fn release(tx: &mut WriteTx, seller_id: &str, buyer_id: &str) -> Result<Buyer, Error> {
    set_hold(tx, seller_id, buyer_id, None, "released").await
}

async fn set_hold(
    tx: &mut WriteTx,
    seller_id: &str,
    buyer_id: &str,
    reason: Option<String>,
    action: &str,
) -> Result<Buyer, Error> {
    let before = current(tx, seller_id, buyer_id).await?;
    if before.hold_reason == reason {
        return Ok(before);
    }
    let at = now();
    if !store::set_hold(
        tx.conn().await?,
        buyer_id,
        before.version,
        reason.as_deref(),
        at,
    )
    .await?
    {
        return Err(Error::Conflict(Conflict::ChangedMeanwhile));
    }
    let after = Buyer {
        hold_reason: reason,
        version: before.version + 1,
        updated_at: at,
        ..before.clone()
    };
    record(tx, action, Some(&before), &after);
    Ok(after)
}
