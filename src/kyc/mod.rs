//! KYC: VAT numbers, VIES checks and the buyer's KYC status.

pub mod attention;
pub mod offline_check;
pub mod refresh_job;
pub mod requirements;
pub mod status;
pub mod vat;
pub mod vies;

use crate::buyers;
use crate::db::Db;
use crate::errors::Error;
use crate::organisation;

/// A seller's buyer's KYC status; 404 when the seller or the buyer is unknown.
pub async fn status_of(
    db: &Db,
    seller_id: &str,
    buyer_id: &str,
) -> Result<status::KycStatus, Error> {
    let buyer = buyers::get(db, seller_id, buyer_id).await?;
    let settings = organisation::load(db).await?;
    let mut conn = db.pool().acquire().await?;
    status::compute(&mut conn, &settings, &buyer).await
}
