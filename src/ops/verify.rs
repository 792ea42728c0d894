//! `kyc-portal verify-backup DIR`, and the same checks on a restored portal: every blob against
//! the manifest, the database's document rows against the blobs, the key files against their
//! hashes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use sqlx::Row;

use super::files;
use super::manifest::{
    BLOBS_DIR, DATABASE_FILE, DatabaseCopy, KEYS_DIR, KeySource, Manifest, POSTGRES_DUMP, StoreCopy,
};
use super::progress::{Progress, human_bytes};
use crate::db::Db;
use crate::documents::store::{BlobRecord, blob_records};
use crate::storage::BlobStore;

/// Where the parts a manifest describes are: in a backup folder, or restored in place.
pub struct Layout {
    /// The database whose document rows must each have their blob.
    pub database: DatabaseSource,
    /// The folder of the key files.
    pub keys: PathBuf,
    /// The blobs; None for a backup of a bucket (it holds only their listing).
    pub blobs: Option<BlobStore>,
}

/// The database to read document rows from.
pub enum DatabaseSource {
    /// An SQLite file, the backup's copy or the restored one; checked against the manifest.
    File(PathBuf),
    /// A running database (PostgreSQL after `pg_restore`).
    Live(Db),
    /// None to read rows from: a backup of PostgreSQL, with the path of its dump.
    NotHere {
        /// `kyc-portal.pgdump` in the backup folder, when the manifest records one.
        dump: Option<PathBuf>,
    },
}

impl Layout {
    /// The parts of the backup in `dir`.
    pub fn of_backup(dir: &Path, manifest: &Manifest) -> Layout {
        Layout {
            database: match manifest.database {
                DatabaseCopy::Sqlite { .. } => DatabaseSource::File(dir.join(DATABASE_FILE)),
                DatabaseCopy::Postgres { ref dump, .. } => DatabaseSource::NotHere {
                    dump: dump.as_ref().map(|_| dir.join(POSTGRES_DUMP)),
                },
            },
            keys: dir.join(KEYS_DIR),
            blobs: match manifest.store {
                StoreCopy::Local { .. } => Some(BlobStore::local(dir.join(BLOBS_DIR))),
                StoreCopy::S3 { .. } => None,
            },
        }
    }
}

/// What a verification found.
#[derive(Debug, Default)]
pub struct Report {
    /// Every mismatch, in words; empty when all is well.
    pub problems: Vec<String>,
    /// What was checked, in words.
    pub checked: Vec<String>,
}

impl Report {
    /// Whether nothing was found wrong.
    pub fn is_good(&self) -> bool {
        self.problems.is_empty()
    }

    /// Prints what was checked to stdout and the problems to stderr (the first hundred, then
    /// their number).
    pub fn print(&self) {
        for line in &self.checked {
            println!("{line}");
        }
        const SHOWN: usize = 100;
        for problem in self.problems.iter().take(SHOWN) {
            eprintln!("MISMATCH: {problem}");
        }
        if self.problems.len() > SHOWN {
            eprintln!("... and {} more", self.problems.len() - SHOWN);
        }
    }
}

/// `verify-backup DIR`: Ok(report); an error when the folder is no finished backup at all.
pub async fn run(dir: &Path) -> anyhow::Result<Report> {
    let manifest = Manifest::read(dir)?;
    let layout = Layout::of_backup(dir, &manifest);
    let report = check(&manifest, &layout).await?;
    Ok(report)
}

/// Checks `layout` against `manifest`.
pub async fn check(manifest: &Manifest, layout: &Layout) -> anyhow::Result<Report> {
    let mut report = Report::default();
    report.checked.push(format!(
        "backup of {} taken by kyc-portal {} (schema version {})",
        manifest.created_at,
        manifest.portal_version,
        manifest
            .schema_version
            .map_or_else(|| "unknown".to_owned(), |v| v.to_string())
    ));
    let rows = read_rows(manifest, &layout.database, &mut report).await?;
    check_keys(manifest, &layout.keys, &mut report)?;
    match &manifest.store {
        StoreCopy::Local { blobs } => {
            if let Some(store) = &layout.blobs {
                check_blobs(blobs, store, &mut report).await?;
            }
            let listed: HashMap<&str, (&str, u64)> = blobs
                .iter()
                .map(|b| (b.key.as_str(), (b.sha256.as_str(), b.size)))
                .collect();
            if let Some(rows) = &rows {
                for row in rows {
                    match listed.get(row.key.as_str()) {
                        None => report.problems.push(format!(
                            "document row's blob {} is not in the backup",
                            row.key.as_str()
                        )),
                        Some((sha256, size)) if *sha256 != row.sha256 || !same_size(*size, row) => {
                            report.problems.push(format!(
                                "blob {} does not match its document row ({size} bytes, sha256 \
                                 {sha256}; the row says {} bytes, sha256 {})",
                                row.key.as_str(),
                                row.size,
                                row.sha256
                            ))
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        StoreCopy::S3 { url, objects } => {
            let listed: HashMap<&str, u64> =
                objects.iter().map(|o| (o.key.as_str(), o.size)).collect();
            if let Some(rows) = &rows {
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
            if let Some(store) = &layout.blobs {
                check_bucket(manifest, rows.as_deref(), store, &mut report).await?;
            } else {
                report.checked.push(format!(
                    "documents: {} objects listed in {url}; they are not in the backup (the \
                     bucket's versioning keeps them)",
                    objects.len()
                ));
            }
        }
    }
    if let Some(rows) = &rows {
        report.checked.push(format!(
            "database: each of its {} document rows has its blob, of the size and hash the row names",
            rows.len()
        ));
    }
    Ok(report)
}

fn same_size(size: u64, row: &BlobRecord) -> bool {
    i64::try_from(size).ok() == Some(row.size)
}

/// The document rows of the database, after checking an SQLite file against the manifest.
async fn read_rows(
    manifest: &Manifest,
    source: &DatabaseSource,
    report: &mut Report,
) -> anyhow::Result<Option<Vec<BlobRecord>>> {
    match (source, &manifest.database) {
        (DatabaseSource::File(path), DatabaseCopy::Sqlite { sha256, size, .. }) => {
            let found = match files::digest_file(path).await {
                Ok(found) => found,
                Err(e) => {
                    report
                        .problems
                        .push(format!("database {} cannot be read: {e}", path.display()));
                    return Ok(None);
                }
            };
            if found.sha256 != *sha256 || found.size != *size {
                report.problems.push(format!(
                    "database {} is not the one the backup took ({} bytes, sha256 {}; the \
                     manifest says {size} bytes, sha256 {sha256})",
                    path.display(),
                    found.size,
                    found.sha256
                ));
                return Ok(None);
            }
            let mut copy = crate::db::open_copy(path)
                .await
                .with_context(|| format!("opening {}", path.display()))?;
            let verdict: String = sqlx::query("PRAGMA quick_check")
                .fetch_one(&mut copy)
                .await?
                .try_get(0)?;
            if verdict != "ok" {
                report.problems.push(format!(
                    "database {} fails SQLite's quick_check: {verdict}",
                    path.display()
                ));
                return Ok(None);
            }
            report.checked.push(format!(
                "database: {} matches the manifest ({}) and passes SQLite's quick_check",
                path.display(),
                human_bytes(found.size)
            ));
            Ok(Some(blob_records(&mut copy).await?))
        }
        (DatabaseSource::Live(db), _) => {
            Ok(Some(blob_records(db.pool()).await.context(
                "reading the document rows (was the PostgreSQL dump restored first?)",
            )?))
        }
        (DatabaseSource::NotHere { dump }, DatabaseCopy::Postgres { dump: entry, .. }) => {
            match (entry, dump) {
                (Some(entry), Some(path)) => match files::digest_file(path).await {
                    Ok(found) if found.sha256 == entry.sha256 && found.size == entry.size => {
                        report.checked.push(format!(
                            "database: the PostgreSQL dump {} matches the manifest ({}); its rows \
                             are checked against the blobs when `restore` runs after pg_restore",
                            path.display(),
                            human_bytes(found.size)
                        ));
                    }
                    Ok(_) => report.problems.push(format!(
                        "the PostgreSQL dump {} is not the one the backup recorded",
                        path.display()
                    )),
                    Err(e) => report.problems.push(format!(
                        "the PostgreSQL dump {} cannot be read: {e}",
                        path.display()
                    )),
                },
                _ => report.checked.push(
                    "database: PostgreSQL, not in this backup (no pg_dump file was in the folder)"
                        .to_owned(),
                ),
            }
            Ok(None)
        }
        _ => anyhow::bail!("the manifest's database does not match where it was looked for"),
    }
}

/// Each key file the backup holds is there, unchanged and a key.
fn check_keys(manifest: &Manifest, folder: &Path, report: &mut Report) -> anyhow::Result<()> {
    for key in &manifest.keys {
        match key.source {
            KeySource::File => {
                let path = folder.join(&key.name);
                let bytes = match std::fs::read(&path) {
                    Ok(bytes) => bytes,
                    Err(e) => {
                        report
                            .problems
                            .push(format!("key file {} cannot be read: {e}", path.display()));
                        continue;
                    }
                };
                let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
                if key.sha256.as_deref() != Some(sha256.as_str()) {
                    report.problems.push(format!(
                        "key file {} is not the one the backup took",
                        path.display()
                    ));
                } else if crate::server_key::load_key_file(None, &path).is_err() {
                    report
                        .problems
                        .push(format!("key file {} is not a key", path.display()));
                } else {
                    report
                        .checked
                        .push(format!("key {}: {} is intact", key.name, path.display()));
                }
            }
            KeySource::Setting => report.checked.push(format!(
                "key {}: was given as a setting; not in the backup",
                key.name
            )),
            KeySource::Missing => report.checked.push(format!(
                "key {}: had not been made when the backup was taken",
                key.name
            )),
        }
    }
    Ok(())
}

/// Every blob the manifest lists is in `store` with its hash and size, and nothing else is.
async fn check_blobs(
    blobs: &[super::manifest::BlobEntry],
    store: &BlobStore,
    report: &mut Report,
) -> anyhow::Result<()> {
    let mut progress = Progress::new("verify", blobs.len(), blobs.iter().map(|b| b.size).sum());
    for blob in blobs {
        let Some(key) = crate::storage::BlobKey::parse(&blob.key) else {
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
    let listed: std::collections::HashSet<&str> = blobs.iter().map(|b| b.key.as_str()).collect();
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

/// After restoring onto a bucket: every document row's object is still there as listed.
async fn check_bucket(
    manifest: &Manifest,
    rows: Option<&[BlobRecord]>,
    store: &BlobStore,
    report: &mut Report,
) -> anyhow::Result<()> {
    let StoreCopy::S3 { objects, .. } = &manifest.store else {
        return Ok(());
    };
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
