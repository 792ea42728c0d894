//! `kyc-portal restore --from DIR`: a verified backup into an empty data folder, then the same
//! checks on what was restored.

use std::path::{Path, PathBuf};

use anyhow::Context;
use secrecy::ExposeSecret;

use super::files;
use super::manifest::{
    BLOBS_DIR, DATABASE_FILE, DatabaseCopy, KEYS_DIR, KeySource, Manifest, StoreCopy,
};
use super::progress::Progress;
use super::verify::{self, DatabaseSource, Layout, Report};
use crate::config::Settings;
use crate::db::{Backend, Db};
use crate::storage::{BlobKey, BlobStore};

/// Restores the backup in `from` where `settings` put the portal's data. Refuses (an error)
/// a backup that does not verify and a target that is not empty; Ok with the checks of the
/// restored data, which name any mismatch.
pub async fn run(settings: &Settings, from: &Path) -> anyhow::Result<Report> {
    let manifest = Manifest::read(from)?;
    let backup = verify::check(&manifest, &Layout::of_backup(from, &manifest)).await?;
    if !backup.is_good() {
        backup.print();
        anyhow::bail!("{} does not verify; nothing was restored", from.display());
    }
    let database = target_database(settings, &manifest)?;
    let store = BlobStore::attach(settings)?;
    check_store_kind(&manifest, &store)?;
    check_keys(settings, &manifest)?;
    check_empty(settings, database.as_deref(), &store)?;
    if rustix::process::geteuid().is_root() {
        eprintln!(
            "restore: running as root, so what it writes belongs to root; the portal's own \
             user must own it (chown -R, or run restore as that user)"
        );
    }

    files::make_private_dir(&settings.data_dir)?;
    if let Some(path) = &database {
        restore_database(from, path).await?;
    }
    restore_keys(settings, &manifest, from)?;
    if let StoreCopy::Local { blobs } = &manifest.store {
        let store = BlobStore::open(settings).await?;
        restore_blobs(from, blobs, &store).await?;
    }

    let source = match &database {
        Some(path) => DatabaseSource::File(path.clone()),
        None => DatabaseSource::Live(Db::connect_existing(settings.database_url()).await?),
    };
    let restored = Layout {
        database: source,
        keys: settings.data_dir.clone(),
        blobs: Some(BlobStore::attach(settings)?),
    };
    let report = verify::check(&manifest, &restored).await?;
    if let DatabaseSource::Live(db) = &restored.database {
        db.close().await;
    }
    println!("restored into {}", settings.data_dir.display());
    Ok(report)
}

/// Where the SQLite copy goes; None for PostgreSQL, which `pg_restore` fills.
fn target_database(settings: &Settings, manifest: &Manifest) -> anyhow::Result<Option<PathBuf>> {
    let url = settings.database_url();
    let backend = if url.starts_with("sqlite:") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    match (&manifest.database, backend) {
        (DatabaseCopy::Sqlite { .. }, Backend::Sqlite) => crate::db::sqlite_path(url)
            .map(Some)
            .context("DATABASE_URL names no SQLite file to restore into"),
        (DatabaseCopy::Postgres { .. }, Backend::Postgres) => {
            println!(
                "database: PostgreSQL; restore the dump with pg_restore before this command \
                 (see README, \"Restore\"); its document rows are checked against the blobs below"
            );
            Ok(None)
        }
        (DatabaseCopy::Sqlite { .. }, Backend::Postgres) => {
            anyhow::bail!("the backup holds an SQLite database but DATABASE_URL names PostgreSQL")
        }
        (DatabaseCopy::Postgres { .. }, Backend::Sqlite) => {
            anyhow::bail!("the backup was taken of PostgreSQL but DATABASE_URL names SQLite")
        }
    }
}

fn check_store_kind(manifest: &Manifest, store: &BlobStore) -> anyhow::Result<()> {
    match (&manifest.store, store.is_local()) {
        (StoreCopy::Local { .. }, true) => Ok(()),
        (StoreCopy::S3 { url, .. }, false) => {
            if *url != store.location() {
                eprintln!(
                    "restore: the backup listed {url}; KYC_PORTAL_STORAGE_URL now names {}. \
                     The objects are checked there.",
                    store.location()
                );
            }
            Ok(())
        }
        (StoreCopy::Local { .. }, false) => anyhow::bail!(
            "the backup holds the blobs of a local folder, but KYC_PORTAL_STORAGE_URL names {}; \
             restore with the local store (unset KYC_PORTAL_STORAGE_URL)",
            store.location()
        ),
        (StoreCopy::S3 { url, .. }, true) => anyhow::bail!(
            "the backup lists the objects of {url}, but the settings name a local folder; set \
             KYC_PORTAL_STORAGE_URL to the bucket"
        ),
    }
}

/// A key given as a setting when the backup was taken must be given again, and a key file in
/// the backup must not be overridden by another key: either way invitation links, sealed
/// webhook secrets and profile signatures would stop working.
fn check_keys(settings: &Settings, manifest: &Manifest) -> anyhow::Result<()> {
    for key in super::key_files(settings) {
        let copy = manifest.keys.iter().find(|k| k.name == key.name);
        match (copy.map(|k| k.source), key.setting) {
            (Some(KeySource::Setting), None) => anyhow::bail!(
                "the backup was taken with {} set; set it to the same value before restoring",
                key.variable
            ),
            (Some(KeySource::File), Some(setting)) => {
                let given = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
                    setting.expose_secret().trim().as_bytes(),
                ));
                if copy.and_then(|k| k.sha256.as_deref()) != Some(given.as_str()) {
                    anyhow::bail!(
                        "{} is set to another key than the backup's {}; unset it to restore the file",
                        key.variable,
                        key.name
                    );
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Nothing may be overwritten: the data folder, the database file and a store folder outside
/// the data folder must all be missing or hold no files (empty folders are fine).
fn check_empty(
    settings: &Settings,
    database: Option<&Path>,
    store: &BlobStore,
) -> anyhow::Result<()> {
    if !files::holds_no_files(&settings.data_dir)? {
        anyhow::bail!(
            "the data folder {} holds files; restore goes into an empty one",
            settings.data_dir.display()
        );
    }
    if let Some(path) = database.filter(|p| p.exists()) {
        anyhow::bail!(
            "the database {} exists; restore goes into an empty data folder",
            path.display()
        );
    }
    if store.is_local() && !files::holds_no_files(Path::new(&store.location()))? {
        anyhow::bail!(
            "the document folder {} holds files; restore goes into an empty one",
            store.location()
        );
    }
    Ok(())
}

async fn restore_database(from: &Path, target: &Path) -> anyhow::Result<()> {
    if let Some(folder) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).with_context(|| format!("making {}", folder.display()))?;
    }
    let mut partial = target.as_os_str().to_owned();
    partial.push(".restoring");
    let partial = PathBuf::from(partial);
    files::copy_file(&from.join(DATABASE_FILE), &partial).await?;
    std::fs::rename(&partial, target)
        .with_context(|| format!("renaming to {}", target.display()))?;
    files::sync_folder_of(target)?;
    println!("database: restored to {}", target.display());
    Ok(())
}

fn restore_keys(settings: &Settings, manifest: &Manifest, from: &Path) -> anyhow::Result<()> {
    for key in super::key_files(settings) {
        let in_backup = manifest
            .keys
            .iter()
            .any(|k| k.name == key.name && k.source == KeySource::File);
        if in_backup && key.setting.is_none() {
            let bytes = std::fs::read(from.join(KEYS_DIR).join(key.name))
                .with_context(|| format!("reading the backup's {}", key.name))?;
            files::write_atomically(&key.path, &bytes)?;
            println!("key {}: restored to {}", key.name, key.path.display());
        }
    }
    Ok(())
}

/// Each blob goes through the store's own path: staged (synced), then renamed into place.
async fn restore_blobs(
    from: &Path,
    blobs: &[super::manifest::BlobEntry],
    store: &BlobStore,
) -> anyhow::Result<()> {
    let mut progress = Progress::new("restore", blobs.len(), blobs.iter().map(|b| b.size).sum());
    for blob in blobs {
        let key = BlobKey::parse(&blob.key)
            .with_context(|| format!("the manifest names {:?}, which is no blob key", blob.key))?;
        // A name of its own in the staging folder; `store` renames it into place (a run that
        // dies in between leaves it for the next start to clear).
        let staged = store
            .staging_dir()
            .join(format!("restore-{}", uuid::Uuid::new_v4().simple()));
        files::copy_file(&from.join(BLOBS_DIR).join(key.as_str()), &staged).await?;
        store
            .store(&key, &staged)
            .await
            .with_context(|| format!("storing blob {}", key.as_str()))?;
        progress.advance(blob.size);
    }
    progress.finish();
    println!(
        "documents: {} blobs restored to {}",
        blobs.len(),
        store.location()
    );
    Ok(())
}
