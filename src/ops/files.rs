//! File work shared by backup, verification and restore: hashing while copying, writing
//! durably, and folders that are the running user's alone.

use std::path::Path;

use anyhow::Context;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::storage::BlobStream;

/// The SHA-256 (hex) and length of what was read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digested {
    /// SHA-256, hex.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
}

/// Reads `stream` to its end, hashing it.
pub async fn digest_stream(mut stream: BlobStream) -> std::io::Result<Digested> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        size += chunk.len() as u64;
        hasher.update(&chunk);
    }
    Ok(Digested {
        sha256: hex::encode(hasher.finalize()),
        size,
    })
}

/// The SHA-256 and length of the file at `path`.
pub async fn digest_file(path: &Path) -> std::io::Result<Digested> {
    let file = tokio::fs::File::open(path).await?;
    digest_stream(tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024).boxed()).await
}

/// Writes `stream` to the new file `target` (readable by this user only), hashing it on the
/// way; with `sync`, the file is on disk before this returns.
pub async fn copy_stream(
    mut stream: BlobStream,
    target: &Path,
    sync: bool,
) -> std::io::Result<Digested> {
    if let Some(folder) = target.parent() {
        tokio::fs::create_dir_all(folder).await?;
    }
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(target)
        .await?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        size += chunk.len() as u64;
        hasher.update(&chunk);
        file.write_all(&chunk).await?;
    }
    file.flush().await?;
    if sync {
        file.sync_all().await?;
    }
    Ok(Digested {
        sha256: hex::encode(hasher.finalize()),
        size,
    })
}

/// Copies the file `from` to the new file `to`, durably, and returns what it wrote.
pub async fn copy_file(from: &Path, to: &Path) -> anyhow::Result<Digested> {
    let source = tokio::fs::File::open(from)
        .await
        .with_context(|| format!("reading {}", from.display()))?;
    let stream = tokio_util::io::ReaderStream::with_capacity(source, 256 * 1024).boxed();
    copy_stream(stream, to, true)
        .await
        .with_context(|| format!("writing {}", to.display()))
}

/// Writes `bytes` to `path` whole or not at all: a temporary name, synced, renamed into place,
/// and the folder synced so the rename lasts.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&partial)
        .with_context(|| format!("writing {}", partial.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("renaming to {}", path.display()))?;
    sync_folder_of(path)
}

/// Syncs the folder that holds `path`, so that a new name in it survives a crash.
pub fn sync_folder_of(path: &Path) -> anyhow::Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::File::open(folder)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("syncing {}", folder.display()))
}

/// Flushes every file written under `dir` to disk at once (one `syncfs` instead of one fsync
/// per blob).
pub fn sync_file_system(dir: &Path) -> anyhow::Result<()> {
    let folder = std::fs::File::open(dir).with_context(|| format!("opening {}", dir.display()))?;
    rustix::fs::syncfs(&folder).with_context(|| format!("syncing {}", dir.display()))
}

/// Whether `dir` is missing or holds no files, only (empty) folders: what `check-config`'s
/// probe or a first start leaves behind is no data to overwrite.
pub fn holds_no_files(dir: &Path) -> anyhow::Result<bool> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        let is_folder = entry
            .file_type()
            .with_context(|| format!("reading {}", dir.display()))?
            .is_dir();
        if !is_folder || !holds_no_files(&entry.path())? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Makes `dir` (and its parents) and closes it to everyone but this user (0700).
pub fn make_private_dir(dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).with_context(|| format!("making {}", dir.display()))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("closing {} to other users", dir.display()))
}
