//! Where document bytes live: a local folder (the default) or S3-compatible object storage.
//! Uploads are first staged in a temp file (streamed, hashed, fsynced); `store` then makes the
//! blob durable before any row may point to it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as ObjectPath;
use object_store::{
    BackoffConfig, ClientConfigKey, ObjectStore, ObjectStoreExt, RetryConfig, WriteMultipart,
};
use tokio::io::AsyncReadExt;

use crate::config::Settings;
use crate::db::Timestamp;
use crate::errors::{Error, Unavailability};

/// A blob's name, made by the server (never from a client's file name).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobKey(String);

impl BlobKey {
    /// The key for a document id: fanned out over 256 folders so none grows huge, by the
    /// id's last (random) digits, since time-ordered ids share their first ones.
    pub fn for_document(document_id: &uuid::Uuid) -> BlobKey {
        let simple = document_id.simple().to_string();
        let fan = simple.get(simple.len().saturating_sub(2)..).unwrap_or("00");
        BlobKey(format!("{fan}/{simple}"))
    }

    /// The key of a document's file at `position` (0: the first, whose key is the document's;
    /// the later pages of a multi-file version get `-2`, `-3`, ...).
    pub fn for_document_file(document_id: &uuid::Uuid, position: usize) -> BlobKey {
        let BlobKey(first) = BlobKey::for_document(document_id);
        match position {
            0 => BlobKey(first),
            n => BlobKey(format!("{first}-{}", n + 1)),
        }
    }

    /// A key as written in a backup's manifest: only when it has the shape of the keys made
    /// here (anything else, such as `../x`, could name a file outside the store).
    pub fn parse(text: &str) -> Option<BlobKey> {
        let key = BlobKey(text.to_owned());
        key.is_well_formed().then_some(key)
    }

    /// A key read back from the database or a listing.
    pub fn from_stored(text: String) -> BlobKey {
        BlobKey(text)
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Keys are two path segments of hex, the second perhaps with a file position (`-2`);
    /// anything else was not made here.
    fn is_well_formed(&self) -> bool {
        let mut parts = self.0.split('/');
        let ok = |p: Option<&str>, len: usize| {
            p.is_some_and(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_hexdigit()))
        };
        let fan = parts.next();
        // The id, and for a later file of a document its position (`-2` ...).
        let (id, position) = match parts.next() {
            Some(second) => match second.split_once('-') {
                Some((id, position)) => (Some(id), Some(position)),
                None => (Some(second), None),
            },
            None => (None, None),
        };
        let position_ok = position
            .is_none_or(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()));
        ok(fan, 2) && ok(id, 32) && position_ok && parts.next().is_none()
    }
}

/// A blob as the store lists it.
#[derive(Debug, Clone)]
pub struct StoredObject {
    /// Its key.
    pub key: BlobKey,
    /// Its size in bytes.
    pub size: u64,
    /// When it was last written.
    pub last_modified: Timestamp,
    /// The bucket's ETag for it (none for files).
    pub etag: Option<String>,
}

/// A failure of the blob store.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A local file operation failed.
    #[error("storage I/O failed")]
    Io(#[from] std::io::Error),
    /// The object store refused or failed.
    #[error("object storage failed")]
    Object(#[from] object_store::Error),
    /// The storage URL makes no sense.
    #[error("unsupported storage URL {0:?} (use file:///path or s3://bucket)")]
    Url(String),
}

impl StorageError {
    /// Whether the disk (or the quota) is full: nothing more can be written until space is
    /// freed.
    pub fn is_full(&self) -> bool {
        matches!(self, StorageError::Io(e) if is_full(e))
    }

    /// Whether the blob was not there (deleting it again is done, not a failure).
    pub fn is_not_found(&self) -> bool {
        match self {
            StorageError::Io(e) => e.kind() == std::io::ErrorKind::NotFound,
            StorageError::Object(e) => matches!(e, object_store::Error::NotFound { .. }),
            StorageError::Url(_) => false,
        }
    }

    /// Whether the store cannot be reached or refuses for now (a bucket that is down, times
    /// out or denies access), as opposed to a fault such as a missing blob.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StorageError::Object(e) => !matches!(
                e,
                object_store::Error::NotFound { .. }
                    | object_store::Error::InvalidPath { .. }
                    | object_store::Error::NotSupported { .. }
                    | object_store::Error::NotImplemented { .. }
                    | object_store::Error::UnknownConfigurationKey { .. }
                    | object_store::Error::AlreadyExists { .. }
                    | object_store::Error::Precondition { .. }
                    | object_store::Error::NotModified { .. }
            ),
            StorageError::Io(_) | StorageError::Url(_) => false,
        }
    }

    /// As the domain's error: a full disk, an unreachable store (503), or a fault with what was
    /// being done.
    pub fn into_error(self, doing: &'static str) -> Error {
        if self.is_full() {
            Error::StorageFull
        } else if self.is_unavailable() {
            let cause = match &self {
                StorageError::Object(e) => e.to_string(),
                other => other.to_string(),
            };
            Error::unavailable(Unavailability::Store, &cause)
        } else {
            Error::internal(doing, self)
        }
    }
}

/// Whether a file operation failed because the disk or the user's quota is full.
pub fn is_full(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// How a request to the bucket is retried: a few quick attempts, so an upload is answered
/// "unavailable" within seconds while the store is down rather than held for minutes.
fn quick_retries() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            base: 2.0,
        },
        max_retries: 3,
        retry_timeout: Duration::from_secs(10),
    }
}

enum Backend {
    Local {
        root: PathBuf,
    },
    Remote {
        store: Arc<dyn ObjectStore>,
        url: String,
    },
}

/// The document blob store.
pub struct BlobStore {
    backend: Backend,
    staging: PathBuf,
    /// Set: every store answers "no space left on device", as a full disk would (tests).
    full: AtomicBool,
}

/// A stream of a blob's bytes.
pub type BlobStream = BoxStream<'static, std::io::Result<bytes::Bytes>>;

impl BlobStore {
    /// Opens the store the settings name, creating local folders and clearing staged files
    /// left by a previous run (an upload that never finished).
    pub async fn open(settings: &Settings) -> Result<BlobStore, StorageError> {
        let store = BlobStore::attach(settings)?;
        if tokio::fs::try_exists(&store.staging).await? {
            tokio::fs::remove_dir_all(&store.staging).await?;
        }
        tokio::fs::create_dir_all(&store.staging).await?;
        Ok(store)
    }

    /// The store the settings name, opened beside a portal that may be serving from it: nothing
    /// is made or cleared, since a running upload may be staging a file right now (backups and
    /// `check-config` use this).
    pub fn attach(settings: &Settings) -> Result<BlobStore, StorageError> {
        match settings.storage_url.as_deref() {
            None | Some("") => Ok(BlobStore::local(settings.data_dir.join("documents"))),
            Some(url) if url.starts_with("file://") => Ok(BlobStore::local(PathBuf::from(
                url.trim_start_matches("file://"),
            ))),
            Some(url) if url.starts_with("s3://") => {
                let store = AmazonS3Builder::from_env()
                    .with_url(url)
                    .with_retry(quick_retries())
                    // Added to what the environment set (AWS_ALLOW_HTTP and the like).
                    .with_config(
                        AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout),
                        "3s",
                    )
                    .build()?;
                Ok(BlobStore {
                    backend: Backend::Remote {
                        store: Arc::new(store),
                        url: url.to_owned(),
                    },
                    staging: settings.data_dir.join("staging"),
                    full: AtomicBool::new(false),
                })
            }
            Some(url) => Err(StorageError::Url(url.to_owned())),
        }
    }

    /// A store of files under `root` (also a backup's copy of the blobs).
    pub fn local(root: PathBuf) -> BlobStore {
        let staging = root.join(".staging");
        BlobStore {
            backend: Backend::Local { root },
            staging,
            full: AtomicBool::new(false),
        }
    }

    /// Whether the blobs are files on this machine (a backup copies them) rather than objects
    /// in a bucket (a backup lists them).
    pub fn is_local(&self) -> bool {
        matches!(self.backend, Backend::Local { .. })
    }

    /// Where the blobs are, for the operator: a folder or a bucket URL.
    pub fn location(&self) -> String {
        match &self.backend {
            Backend::Local { root } => root.display().to_string(),
            Backend::Remote { url, .. } => url.clone(),
        }
    }

    /// The folder for staged uploads (on the same file system as a local store, so that
    /// storing is a rename).
    pub fn staging_dir(&self) -> &Path {
        &self.staging
    }

    /// Makes the staged file `staged` the durable blob `key`. Local: rename and fsync the
    /// folder; remote: a completed (multipart) PUT.
    pub async fn store(&self, key: &BlobKey, staged: &Path) -> Result<(), StorageError> {
        if self.full.load(Ordering::SeqCst) {
            return Err(StorageError::Io(std::io::Error::from(
                std::io::ErrorKind::StorageFull,
            )));
        }
        match &self.backend {
            Backend::Local { root } => {
                let target = root.join(key.as_str());
                let folder = target.parent().unwrap_or(root).to_owned();
                tokio::fs::create_dir_all(&folder).await?;
                tokio::fs::rename(staged, &target).await?;
                // The rename is durable only once the folder's entry is on disk.
                tokio::task::spawn_blocking(move || std::fs::File::open(&folder)?.sync_all())
                    .await
                    .map_err(std::io::Error::other)??;
                Ok(())
            }
            Backend::Remote { store, .. } => {
                let upload = store.put_multipart(&ObjectPath::from(key.as_str())).await?;
                let mut writer = WriteMultipart::new(upload);
                match send(&mut writer, staged).await {
                    Ok(()) => {
                        writer.finish().await?;
                    }
                    Err(e) => {
                        // No half-written upload left in the bucket (parts are kept, and
                        // billed, until the upload is aborted).
                        if let Err(abort) = writer.abort().await {
                            tracing::debug!(error = %abort, "could not abort a multipart upload");
                        }
                        return Err(e);
                    }
                }
                tokio::fs::remove_file(staged).await?;
                Ok(())
            }
        }
    }

    /// Makes every following store fail as on a full disk (`full`), or work again. Only for
    /// tests of what a full disk does, where no small file system can be mounted.
    #[doc(hidden)]
    pub fn simulate_full_disk(&self, full: bool) {
        self.full.store(full, Ordering::SeqCst);
    }

    /// Whether the store answers: a local folder that exists, a bucket that can be listed.
    pub async fn probe(&self) -> Result<(), StorageError> {
        match &self.backend {
            Backend::Local { root } => {
                tokio::fs::metadata(root).await?;
                Ok(())
            }
            Backend::Remote { store, .. } => {
                store.list_with_delimiter(None).await?;
                Ok(())
            }
        }
    }

    /// The blob's bytes as a stream.
    pub async fn read(&self, key: &BlobKey) -> Result<BlobStream, StorageError> {
        match &self.backend {
            Backend::Local { root } => {
                let file = tokio::fs::File::open(root.join(key.as_str())).await?;
                Ok(tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024).boxed())
            }
            Backend::Remote { store, .. } => {
                let result = store.get(&ObjectPath::from(key.as_str())).await?;
                Ok(result.into_stream().map_err(std::io::Error::other).boxed())
            }
        }
    }

    /// Every blob with when it was last written (for the orphan sweep).
    pub async fn list(&self) -> Result<Vec<(BlobKey, Timestamp)>, StorageError> {
        Ok(self
            .inventory()
            .await?
            .into_iter()
            .map(|object| (object.key, object.last_modified))
            .collect())
    }

    /// Every blob with its size, when it was last written and, in a bucket, its ETag (a backup
    /// of a bucket records these, since the objects themselves stay there).
    pub async fn inventory(&self) -> Result<Vec<StoredObject>, StorageError> {
        match &self.backend {
            Backend::Local { root } => {
                let root = root.clone();
                tokio::task::spawn_blocking(move || list_local(&root))
                    .await
                    .map_err(std::io::Error::other)?
            }
            Backend::Remote { store, .. } => {
                let objects: Vec<_> = store.list(None).try_collect().await?;
                Ok(objects
                    .into_iter()
                    .map(|o| StoredObject {
                        key: BlobKey(o.location.to_string()),
                        size: o.size,
                        last_modified: Timestamp::from(o.last_modified),
                        etag: o.e_tag,
                    })
                    .filter(|object| object.key.is_well_formed())
                    .collect())
            }
        }
    }

    /// Removes a blob (orphans only: documents are never deleted).
    pub async fn delete(&self, key: &BlobKey) -> Result<(), StorageError> {
        match &self.backend {
            Backend::Local { root } => Ok(tokio::fs::remove_file(root.join(key.as_str())).await?),
            Backend::Remote { store, .. } => {
                Ok(store.delete(&ObjectPath::from(key.as_str())).await?)
            }
        }
    }
}

/// Streams the staged file into a multipart upload.
async fn send(writer: &mut WriteMultipart, staged: &Path) -> Result<(), StorageError> {
    let mut file = tokio::fs::File::open(staged).await?;
    let mut buffer = vec![0u8; 1024 * 1024];
    loop {
        let read = file.read(&mut buffer).await?;
        if read == 0 {
            return Ok(());
        }
        writer.wait_for_capacity(2).await?;
        writer.write(buffer.get(..read).unwrap_or_default());
    }
}

fn list_local(root: &Path) -> Result<Vec<StoredObject>, StorageError> {
    let mut blobs = Vec::new();
    let Ok(folders) = std::fs::read_dir(root) else {
        return Ok(blobs);
    };
    for folder in folders {
        let folder = folder?;
        if !folder.file_type()?.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(folder.path())? {
            let file = file?;
            let key = BlobKey(format!(
                "{}/{}",
                folder.file_name().to_string_lossy(),
                file.file_name().to_string_lossy()
            ));
            if !key.is_well_formed() {
                continue;
            }
            let metadata = file.metadata()?;
            blobs.push(StoredObject {
                key,
                size: metadata.len(),
                last_modified: Timestamp::from(chrono::DateTime::<chrono::Utc>::from(
                    metadata.modified()?,
                )),
                etag: None,
            });
        }
    }
    Ok(blobs)
}

#[cfg(test)]
mod full_disk_tests {
    use super::*;

    #[test]
    fn no_space_and_an_exceeded_quota_are_a_full_disk() {
        // ENOSPC and EDQUOT on Linux.
        assert!(is_full(&std::io::Error::from_raw_os_error(28)));
        assert!(is_full(&std::io::Error::from_raw_os_error(122)));
        assert!(!is_full(&std::io::Error::from(
            std::io::ErrorKind::NotFound
        )));
        let error = StorageError::Io(std::io::Error::from_raw_os_error(28)).into_error("storing");
        assert!(matches!(error, Error::StorageFull));
    }
}

#[cfg(test)]
mod key_tests {
    use super::BlobKey;

    #[test]
    fn later_files_of_a_document_have_keys_of_the_same_shape() {
        let id = uuid::Uuid::now_v7();
        let first = BlobKey::for_document_file(&id, 0);
        assert_eq!(first, BlobKey::for_document(&id));
        let second = BlobKey::for_document_file(&id, 1);
        assert_eq!(second.as_str(), format!("{}-2", first.as_str()));
        for key in [&first, &second] {
            assert_eq!(BlobKey::parse(key.as_str()).as_ref(), Some(key));
        }
        let simple = id.simple().to_string();
        for bad in [
            format!("00/{simple}-"),
            format!("00/{simple}-x"),
            format!("00/{simple}-1234"),
            format!("00/{simple}-2/x"),
            "../x".to_owned(),
        ] {
            assert!(BlobKey::parse(&bad).is_none(), "{bad}");
        }
    }
}
