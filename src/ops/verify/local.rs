//! A local store's blobs: each as the manifest lists it, nothing more, and each document row's
//! blob among them.

use std::collections::{HashMap, HashSet};

use anyhow::Context;

use super::{Report, same_size};
use crate::documents::store::BlobRecord;
use crate::ops::files;
use crate::ops::manifest::BlobEntry;
use crate::ops::progress::{Progress, human_bytes};
use crate::storage::{BlobKey, BlobStore};

/// Every blob the manifest lists is in `store` with its hash and size, and nothing else is.
pub(super) async fn check_blobs(
    blobs: &[BlobEntry],
    store: &BlobStore,
    report: &mut Report,
) -> anyhow::Result<()> {
    let mut progress = Progress::new("verify", blobs.len(), blobs.iter().map(|b| b.size).sum());
    for blob in blobs {
        let Some(key) = BlobKey::parse(&blob.key) else {
            report.problems.push(format!(
                "the manifest names {:?}, which is no blob key",
                blob.key
            ));
            continue;
        };
        let found = match store.read(&key).await {
            Ok(stream) => files::digest_stream(stream).await,
            Err(e) => Err(std::io::Error::other(e)),
        };
        match found {
            Ok(found) if found.sha256 == blob.sha256 && found.size == blob.size => {}
            Ok(found) => report.problems.push(format!(
                "blob {} in {} was changed ({} bytes, sha256 {}; the manifest says {} bytes, \
                 sha256 {})",
                blob.key,
                store.location(),
                found.size,
                found.sha256,
                blob.size,
                blob.sha256
            )),
            Err(e) => report.problems.push(format!(
                "blob {} is missing from {}: {e}",
                blob.key,
                store.location()
            )),
        }
        progress.advance(blob.size);
    }
    progress.finish();
    let listed: HashSet<&str> = blobs.iter().map(|b| b.key.as_str()).collect();
    let present = store
        .list()
        .await
        .with_context(|| format!("listing {}", store.location()))?;
    for (key, _) in &present {
        if !listed.contains(key.as_str()) {
            report.problems.push(format!(
                "blob {} in {} is not in the manifest",
                key.as_str(),
                store.location()
            ));
        }
    }
    report.checked.push(format!(
        "documents: {} blobs ({}) in {} match the manifest's SHA-256 and size",
        blobs.len(),
        human_bytes(blobs.iter().map(|b| b.size).sum()),
        store.location()
    ));
    Ok(())
}

/// Each document row's blob is listed with the hash and size the row names.
pub(super) fn rows_have_blobs(rows: &[BlobRecord], blobs: &[BlobEntry], report: &mut Report) {
    let listed: HashMap<&str, (&str, u64)> = blobs
        .iter()
        .map(|b| (b.key.as_str(), (b.sha256.as_str(), b.size)))
        .collect();
    for row in rows {
        match listed.get(row.key.as_str()) {
            None => report.problems.push(format!(
                "document row's blob {} is not in the backup",
                row.key.as_str()
            )),
            Some((sha256, size)) if *sha256 != row.sha256 || !same_size(*size, row) => {
                report.problems.push(format!(
                    "blob {} does not match its document row ({size} bytes, sha256 {sha256}; \
                     the row says {} bytes, sha256 {})",
                    row.key.as_str(),
                    row.size,
                    row.sha256
                ))
            }
            Some(_) => {}
        }
    }
}
