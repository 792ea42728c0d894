//! `kyc-portal backup --to DIR`: a consistent copy taken while the portal serves.
//!
//! An upload makes its blob durable before its row commits, documents are never deleted, and
//! the sweep removes only blobs that no row names. So the database is copied first (SQLite's
//! `VACUUM INTO` reads one snapshot while writers go on), then exactly the blobs the copy's
//! rows name: each existed before its row committed and is still there. A blob that arrives
//! later belongs to a row the copy does not hold and is left out with it. The manifest is
//! written last; without it the folder is recognisably unfinished.

use std::path::Path;

use anyhow::Context;
use sha2::Digest as _;

use super::files::{self, Digested};
use super::manifest::{
    BLOBS_DIR, BlobEntry, DATABASE_FILE, DatabaseCopy, FileEntry, KEYS_DIR, KeyCopy, KeySource,
    Manifest, ObjectEntry, POSTGRES_DUMP, StoreCopy,
};
use super::progress::{Progress, human_bytes};
use crate::config::Settings;
use crate::db::{Backend, Db};
use crate::documents::store::{BlobRecord, blob_records};
use crate::organisation::template;
use crate::storage::BlobStore;

/// What a backup found wrong in the live data (it still finishes, and says so).
pub type Problems = Vec<String>;

/// Takes a backup into `dir` (missing or empty). Ok with the problems found in the live data:
/// none means a good backup.
pub async fn run(settings: &Settings, dir: &Path) -> anyhow::Result<Problems> {
    let postgres = !settings.database_url().starts_with("sqlite:");
    if !holds_nothing_but_a_dump(dir, postgres)? {
        anyhow::bail!(
            "{} is not empty; a backup goes into a new or empty folder{}",
            dir.display(),
            if postgres {
                format!(" (with nothing but {POSTGRES_DUMP} from pg_dump)")
            } else {
                String::new()
            }
        );
    }
    files::make_private_dir(dir)?;
    let db = Db::connect_existing(settings.database_url()).await?;
    let (database, rows, schema) = match db.backend() {
        Backend::Sqlite => copy_sqlite(&db, dir).await?,
        Backend::Postgres => {
            let mut rows = blob_records(db.pool()).await?;
            rows.extend(template::blob_records(db.pool()).await?);
            let schema = db.schema().await?.latest();
            let dump = find_dump(dir, rows.len()).await?;
            let documents = rows.len();
            (DatabaseCopy::Postgres { documents, dump }, rows, schema)
        }
    };
    db.close().await;
    let keys = copy_keys(settings, dir)?;
    let blobs = BlobStore::attach(settings)?;
    let mut problems = Problems::new();
    let store = if blobs.is_local() {
        copy_blobs(&blobs, &rows, dir, &mut problems).await?
    } else {
        list_objects(&blobs, &rows, &mut problems).await?
    };
    files::sync_file_system(dir)?;
    Manifest::new(schema, database, keys, store).write(dir)?;
    println!("backup finished: {}", dir.display());
    Ok(problems)
}

/// The SQLite copy, the document rows it holds and its schema version.
async fn copy_sqlite(
    db: &Db,
    dir: &Path,
) -> anyhow::Result<(DatabaseCopy, Vec<BlobRecord>, Option<i64>)> {
    let file = dir.join(DATABASE_FILE);
    eprintln!("backup: copying the SQLite database (VACUUM INTO)");
    db.snapshot_into(&file)
        .await
        .context("copying the SQLite database")?;
    let mut copy = crate::db::open_copy(&file).await?;
    let mut rows = blob_records(&mut copy).await?;
    rows.extend(template::blob_records(&mut copy).await?);
    let schema = crate::db::schema_of(&mut copy, Backend::Sqlite)
        .await?
        .latest();
    drop(copy);
    let Digested { sha256, size } = files::digest_file(&file).await?;
    println!(
        "database: SQLite copied to {DATABASE_FILE} ({}, {} document rows)",
        human_bytes(size),
        rows.len()
    );
    Ok((
        DatabaseCopy::Sqlite {
            sha256,
            size,
            documents: rows.len(),
        },
        rows,
        schema,
    ))
}

/// Whether `dir` is missing, empty, or (for PostgreSQL) holds only the dump made just before.
fn holds_nothing_but_a_dump(dir: &Path, postgres: bool) -> anyhow::Result<bool> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        if !(postgres && entry.file_name() == POSTGRES_DUMP) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Notes the dump `pg_dump` wrote into the folder before this ran. The order matters: the
/// blobs copied after the dump cover every document row it holds (rows are never deleted, and
/// their blobs never while they have rows); rows made after the dump only add blobs, which
/// become orphans after a restore and are swept an hour later.
async fn find_dump(dir: &Path, documents: usize) -> anyhow::Result<Option<FileEntry>> {
    let path = dir.join(POSTGRES_DUMP);
    if !path.exists() {
        println!(
            "database: PostgreSQL is NOT in this backup. Dump it with pg_dump into \
             {POSTGRES_DUMP} in the backup folder BEFORE this command (see README, \"Back up\"), \
             or keep the database's own backups from before this moment"
        );
        return Ok(None);
    }
    let Digested { sha256, size } = files::digest_file(&path).await?;
    println!(
        "database: PostgreSQL dump {POSTGRES_DUMP} ({}) recorded in the manifest; the blobs \
         below cover its document rows ({documents} rows in the database now)",
        human_bytes(size)
    );
    Ok(Some(FileEntry { sha256, size }))
}

/// Copies the key files that are files; notes those given as settings.
fn copy_keys(settings: &Settings, dir: &Path) -> anyhow::Result<Vec<KeyCopy>> {
    let mut copies = Vec::new();
    for key in super::key_files(settings) {
        let (source, sha256) = if key.setting.is_some() {
            println!(
                "key {}: from the setting {}, not in this backup; give the restored portal the same",
                key.name, key.variable
            );
            (KeySource::Setting, None)
        } else if key.path.exists() {
            let bytes = std::fs::read(&key.path)
                .with_context(|| format!("reading {}", key.path.display()))?;
            let folder = dir.join(KEYS_DIR);
            files::make_private_dir(&folder)?;
            files::write_atomically(&folder.join(key.name), &bytes)?;
            println!(
                "key {}: copied from {} to {KEYS_DIR}/{} (keep this backup as secret as the key)",
                key.name,
                key.path.display(),
                key.name
            );
            (
                KeySource::File,
                Some(hex::encode(sha2::Sha256::digest(&bytes))),
            )
        } else {
            println!(
                "key {}: not made yet (the portal makes it on its first start)",
                key.name
            );
            (KeySource::Missing, None)
        };
        copies.push(KeyCopy {
            name: key.name.to_owned(),
            source,
            sha256,
        });
    }
    Ok(copies)
}

/// Copies each row's blob, hashing it on the way and checking it against its row.
async fn copy_blobs(
    blobs: &BlobStore,
    rows: &[BlobRecord],
    dir: &Path,
    problems: &mut Problems,
) -> anyhow::Result<StoreCopy> {
    let total = rows
        .iter()
        .map(|r| u64::try_from(r.size).unwrap_or(0))
        .sum();
    let mut progress = Progress::new("backup", rows.len(), total);
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let stream = match blobs.read(&row.key).await {
            Ok(stream) => stream,
            Err(e) => {
                problems.push(format!(
                    "blob {} of a document row cannot be read from {}: {e}",
                    row.key.as_str(),
                    blobs.location()
                ));
                continue;
            }
        };
        let target = dir.join(BLOBS_DIR).join(row.key.as_str());
        let copied = files::copy_stream(stream, &target, false)
            .await
            .with_context(|| format!("copying blob {}", row.key.as_str()))?;
        if copied.sha256 != row.sha256 || i64::try_from(copied.size).ok() != Some(row.size) {
            problems.push(format!(
                "blob {} in {} does not match its document row ({} bytes, sha256 {}; the row \
                 says {} bytes, sha256 {})",
                row.key.as_str(),
                blobs.location(),
                copied.size,
                copied.sha256,
                row.size,
                row.sha256
            ));
        }
        progress.advance(copied.size);
        entries.push(BlobEntry {
            key: row.key.as_str().to_owned(),
            sha256: copied.sha256,
            size: copied.size,
        });
    }
    progress.finish();
    println!(
        "documents: {} blobs from {} copied to {BLOBS_DIR}/ ({}), each with its SHA-256 in the manifest",
        entries.len(),
        blobs.location(),
        human_bytes(entries.iter().map(|e| e.size).sum())
    );
    Ok(StoreCopy::Local { blobs: entries })
}

/// Lists the bucket: its objects stay there, protected by the bucket's versioning.
async fn list_objects(
    blobs: &BlobStore,
    rows: &[BlobRecord],
    problems: &mut Problems,
) -> anyhow::Result<StoreCopy> {
    let objects = blobs
        .inventory()
        .await
        .with_context(|| format!("listing {}", blobs.location()))?;
    let sizes: std::collections::HashMap<&str, u64> =
        objects.iter().map(|o| (o.key.as_str(), o.size)).collect();
    for row in rows {
        match sizes.get(row.key.as_str()) {
            None => problems.push(format!(
                "object {} of a document row is not in {}",
                row.key.as_str(),
                blobs.location()
            )),
            Some(size) if i64::try_from(*size).ok() != Some(row.size) => problems.push(format!(
                "object {} is {size} bytes; its document row says {}",
                row.key.as_str(),
                row.size
            )),
            Some(_) => {}
        }
    }
    println!(
        "documents: {} objects in {} listed in the manifest (keys, sizes, ETags); the objects \
         themselves are NOT copied. Keep versioning (and, ideally, object lock) on for the \
         bucket so that every object listed here can be read back as it was.",
        objects.len(),
        blobs.location()
    );
    let objects = objects
        .into_iter()
        .map(|o| ObjectEntry {
            key: o.key.as_str().to_owned(),
            size: o.size,
            etag: o.etag,
            last_modified: o.last_modified.rfc3339(),
        })
        .collect();
    Ok(StoreCopy::S3 {
        url: blobs.location(),
        objects,
    })
}
