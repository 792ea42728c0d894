//! `kyc-portal retention run`: the erasure round now (it also runs daily in `serve`), printing
//! each buyer it erased.

use crate::config::Settings;
use crate::db::{Db, Timestamp};
use crate::erasure::{self, Erased};
use crate::storage::BlobStore;

/// Runs the round as if it were `at` and returns what it erased.
pub async fn run(settings: &Settings, at: Timestamp) -> anyhow::Result<Vec<Erased>> {
    let db = Db::connect(settings.database_url()).await?;
    db.migrate().await?;
    // Beside a portal that may be serving: `attach` clears no staged uploads.
    let blobs = BlobStore::attach(settings)?;
    let erased = erasure::run(&db, &blobs, at)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(erased)
}

/// One line per erased buyer, then the count.
pub fn print(erased: &[Erased]) {
    for buyer in erased {
        println!(
            "erased buyer {} ({}, {} document files)",
            buyer.buyer_id,
            buyer.rule.as_str(),
            buyer.files
        );
    }
    println!("{} buyers erased", erased.len());
}
