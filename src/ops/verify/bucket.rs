//! A bucket's objects: the backup holds only their listing, so the rows are checked against
//! it, and after a restore against the bucket itself.

use std::collections::HashMap;

use anyhow::Context;

use super::{Report, same_size};
use crate::documents::store::BlobRecord;
use crate::ops::manifest::ObjectEntry;
use crate::storage::BlobStore;

/// Each document row's object was listed, of the size the row names.
pub(super) fn rows_were_listed(
    rows: &[BlobRecord],
    url: &str,
    objects: &[ObjectEntry],
    report: &mut Report,
) {
    let listed: HashMap<&str, u64> = objects.iter().map(|o| (o.key.as_str(), o.size)).collect();
    for row in rows {
        match listed.get(row.key.as_str()) {
            None => report.problems.push(format!(
                "document row's object {} was not in {url} when the backup was taken",
                row.key.as_str()
            )),
            Some(size) if !same_size(*size, row) => report.problems.push(format!(
                "object {} was {size} bytes; its document row says {}",
                row.key.as_str(),
                row.size
            )),
            Some(_) => {}
        }
    }
}

/// After restoring onto a bucket: every document row's object is still there as listed.
pub(super) async fn check_bucket(
    objects: &[ObjectEntry],
    rows: Option<&[BlobRecord]>,
    store: &BlobStore,
    report: &mut Report,
) -> anyhow::Result<()> {
    let listed: HashMap<&str, Option<&str>> = objects
        .iter()
        .map(|o| (o.key.as_str(), o.etag.as_deref()))
        .collect();
    let now: HashMap<String, (u64, Option<String>)> = store
        .inventory()
        .await
        .with_context(|| format!("listing {}", store.location()))?
        .into_iter()
        .map(|o| (o.key.as_str().to_owned(), (o.size, o.etag)))
        .collect();
    let rows = rows.unwrap_or_default();
    for row in rows {
        match now.get(row.key.as_str()) {
            None => report.problems.push(format!(
                "object {} of a document row is not in {}; restore it from the bucket's versions",
                row.key.as_str(),
                store.location()
            )),
            Some((size, _)) if !same_size(*size, row) => report.problems.push(format!(
                "object {} in {} is {size} bytes; its document row says {}",
                row.key.as_str(),
                store.location(),
                row.size
            )),
            Some((_, etag)) => {
                let then = listed.get(row.key.as_str()).copied().flatten();
                if then.is_some() && etag.as_deref() != then {
                    report.problems.push(format!(
                        "object {} in {} was written again since the backup; restore its \
                         earlier version from the bucket's versions",
                        row.key.as_str(),
                        store.location()
                    ));
                }
            }
        }
    }
    report.checked.push(format!(
        "documents: each of the {} document rows has its object in {}",
        rows.len(),
        store.location()
    ));
    Ok(())
}
