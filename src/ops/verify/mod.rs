//! `kyc-portal verify-backup DIR`, and the same checks on a restored portal: every blob against
//! the manifest, the database's document rows against the blobs, the key files against their
//! hashes.

mod bucket;
mod database;
mod local;

use std::path::{Path, PathBuf};

use super::manifest::{
    BLOBS_DIR, DATABASE_FILE, DatabaseCopy, KEYS_DIR, KeySource, Manifest, POSTGRES_DUMP, StoreCopy,
};
use crate::db::Db;
use crate::documents::store::BlobRecord;
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
    let rows = database::read_rows(manifest, &layout.database, &mut report).await?;
    check_keys(manifest, &layout.keys, &mut report);
    match &manifest.store {
        StoreCopy::Local { blobs } => {
            if let Some(store) = &layout.blobs {
                local::check_blobs(blobs, store, &mut report).await?;
            }
            if let Some(rows) = &rows {
                local::rows_have_blobs(rows, blobs, &mut report);
            }
        }
        StoreCopy::S3 { url, objects } => {
            if let Some(rows) = &rows {
                bucket::rows_were_listed(rows, url, objects, &mut report);
            }
            if let Some(store) = &layout.blobs {
                bucket::check_bucket(objects, rows.as_deref(), store, &mut report).await?;
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

/// Whether a stored size is the one a document row names.
fn same_size(size: u64, row: &BlobRecord) -> bool {
    i64::try_from(size).ok() == Some(row.size)
}

/// Each key file the backup holds is there, unchanged and a key.
fn check_keys(manifest: &Manifest, folder: &Path, report: &mut Report) {
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
}
