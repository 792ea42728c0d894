//! `manifest.json`: what a backup holds, each file with its SHA-256 and size. It is written
//! last, under a temporary name renamed into place, so a backup without it did not finish.

use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::files;

/// The manifest's file name in a backup folder.
pub const MANIFEST: &str = "manifest.json";
/// The SQLite copy's file name in a backup folder.
pub const DATABASE_FILE: &str = "kyc-portal.db";
/// The file `pg_dump` writes into the backup folder before `backup` runs (README).
pub const POSTGRES_DUMP: &str = "kyc-portal.pgdump";
/// The folder of key files in a backup folder.
pub const KEYS_DIR: &str = "keys";
/// The folder of blobs (by key) in a backup folder.
pub const BLOBS_DIR: &str = "documents";

/// This layout's version; a later one that this binary cannot read is refused, not guessed.
const FORMAT: u32 = 1;

/// What one backup holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The layout's version.
    pub format: u32,
    /// The version of the `kyc-portal` that took it.
    pub portal_version: String,
    /// When it was taken (RFC 3339).
    pub created_at: String,
    /// The newest migration applied to the database that was copied (or listed).
    pub schema_version: Option<i64>,
    /// The database, or why it is not here.
    pub database: DatabaseCopy,
    /// The server's key files.
    pub keys: Vec<KeyCopy>,
    /// The document store's blobs, or their listing.
    pub store: StoreCopy,
}

/// The database in a backup.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum DatabaseCopy {
    /// SQLite's online copy, `kyc-portal.db`.
    Sqlite {
        /// Its SHA-256 (hex).
        sha256: String,
        /// Its size in bytes.
        size: u64,
        /// How many stored files its rows name (every file of every document, and the types'
        /// templates).
        documents: usize,
    },
    /// PostgreSQL, dumped with `pg_dump` into `kyc-portal.pgdump` before the backup ran, or
    /// kept elsewhere by the operator.
    Postgres {
        /// How many stored files (documents' and templates') the database named when the blobs
        /// were copied.
        documents: usize,
        /// The dump found in the folder, if any.
        dump: Option<FileEntry>,
    },
}

/// A file's hash and size.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// SHA-256 (hex).
    pub sha256: String,
    /// Bytes.
    pub size: u64,
}

/// One of the server's keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyCopy {
    /// `secret.key` or `signing.key`.
    pub name: String,
    /// Where it came from.
    pub source: KeySource,
    /// The copy's SHA-256 (hex), when it is in the backup.
    pub sha256: Option<String>,
}

/// Where a key was when the backup was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// The file in the data folder, copied to `keys/`.
    File,
    /// A setting (from a secret store): not in the backup; the same setting must be given to
    /// the restored portal.
    Setting,
    /// Neither: the portal had not made it yet.
    Missing,
}

/// The blobs in a backup.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum StoreCopy {
    /// Copies of the local store's blobs under `documents/`.
    Local {
        /// Every blob copied.
        blobs: Vec<BlobEntry>,
    },
    /// The bucket's listing; the objects stay in the bucket, kept by its versioning.
    S3 {
        /// The bucket's URL.
        url: String,
        /// Every object listed.
        objects: Vec<ObjectEntry>,
    },
}

/// A blob copied into the backup.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BlobEntry {
    /// Its key, also its path under `documents/`.
    pub key: String,
    /// SHA-256 (hex) of its bytes.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
}

/// An object listed in the bucket.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectEntry {
    /// Its key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// The bucket's ETag for it.
    pub etag: Option<String>,
    /// When it was last written (RFC 3339).
    pub last_modified: String,
}

impl Manifest {
    /// A manifest of this binary's layout, taken now.
    pub fn new(
        schema_version: Option<i64>,
        database: DatabaseCopy,
        keys: Vec<KeyCopy>,
        store: StoreCopy,
    ) -> Manifest {
        Manifest {
            format: FORMAT,
            portal_version: env!("CARGO_PKG_VERSION").to_owned(),
            created_at: crate::db::now().rfc3339(),
            schema_version,
            database,
            keys,
            store,
        }
    }

    /// Reads the manifest of the backup in `dir`.
    pub fn read(dir: &Path) -> anyhow::Result<Manifest> {
        let path = dir.join(MANIFEST);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
                "{} has no {MANIFEST}: it is not a backup, or one that did not finish",
                dir.display()
            ),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let manifest: Manifest = serde_json::from_str(&text).with_context(|| {
            format!("{} is not a manifest this version can read", path.display())
        })?;
        if manifest.format != FORMAT {
            anyhow::bail!(
                "{} is in backup format {}; this kyc-portal reads format {FORMAT}",
                path.display(),
                manifest.format
            );
        }
        Ok(manifest)
    }

    /// Writes the manifest into `dir` as the backup's last step: to a temporary name, synced,
    /// then renamed into place and the folder synced, so it is there whole or not at all.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        let text = serde_json::to_vec_pretty(self).context("encoding the manifest")?;
        files::write_atomically(&dir.join(MANIFEST), &text)
    }
}
