//! Receiving a file: streamed chunk by chunk into a staged temp file while it is hashed,
//! measured and inspected, so memory stays flat whatever the size and a bad file is refused
//! as soon as its bytes give it away.

use std::path::Path;

use sha2::{Digest, Sha256};
use tempfile::TempPath;
use tokio::io::{AsyncWriteExt, BufWriter};

use super::inspect::{FileKind, Inspector, Limits, Rejection};
use super::model::FileName;
use crate::errors::{Error, Rule};

/// Why a file was not taken.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// Larger than the configured limit.
    #[error("the file is larger than {max} bytes")]
    TooLarge {
        /// The limit.
        max: u64,
    },
    /// Not an acceptable PDF, JPEG or PNG.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The staging folder failed.
    #[error("the upload could not be staged")]
    Io(#[from] std::io::Error),
}

impl From<IntakeError> for Error {
    fn from(e: IntakeError) -> Error {
        match e {
            IntakeError::TooLarge { max } => Error::TooLarge {
                what: "the file",
                max,
            },
            IntakeError::Rejected(rejection) => Error::invalid("file", Rule::File(rejection)),
            IntakeError::Io(e) if crate::storage::is_full(&e) => Error::StorageFull,
            IntakeError::Io(e) => {
                Error::Internal(anyhow::Error::new(e).context("staging an upload"))
            }
        }
    }
}

/// A file being received.
pub struct Intake {
    writer: BufWriter<tokio::fs::File>,
    path: TempPath,
    hasher: Sha256,
    size: u64,
    max_bytes: u64,
    inspector: Inspector,
}

/// A completely received, inspected and fsynced file, waiting to be stored. Its temp file is
/// removed when it is dropped unless it was moved into the blob store.
pub struct StagedFile {
    /// Where it is.
    pub path: TempPath,
    /// SHA-256, hex.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
    /// What it is.
    pub kind: FileKind,
    /// Its cleaned name.
    pub file_name: FileName,
}

impl Intake {
    /// Starts receiving into a new temp file in `staging_dir`.
    pub async fn begin(staging_dir: &Path, max_bytes: u64) -> Result<Intake, IntakeError> {
        let staging_dir = staging_dir.to_owned();
        let temp =
            tokio::task::spawn_blocking(move || tempfile::NamedTempFile::new_in(staging_dir))
                .await
                .map_err(std::io::Error::other)??;
        let (file, path) = temp.into_parts();
        Ok(Intake {
            // Large buffered writes: each write to a tokio file is a trip to a blocking thread.
            writer: BufWriter::with_capacity(1024 * 1024, tokio::fs::File::from_std(file)),
            path,
            hasher: Sha256::new(),
            size: 0,
            max_bytes,
            inspector: Inspector::new(Limits::default()),
        })
    }

    /// Takes the next chunk.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), IntakeError> {
        self.size = self.size.saturating_add(chunk.len() as u64);
        if self.size > self.max_bytes {
            return Err(IntakeError::TooLarge {
                max: self.max_bytes,
            });
        }
        self.inspector.update(chunk)?;
        self.hasher.update(chunk);
        self.writer.write_all(chunk).await?;
        Ok(())
    }

    /// Ends the file: flushed, fsynced and judged.
    pub async fn finish(mut self, client_name: Option<&str>) -> Result<StagedFile, IntakeError> {
        self.writer.flush().await?;
        self.writer.get_mut().sync_all().await?;
        drop(self.writer);
        let path = self.path;
        let inspector = self.inspector;
        let (kind, path) = tokio::task::spawn_blocking(move || {
            let kind = inspector.finish(&path);
            (kind, path)
        })
        .await
        .map_err(std::io::Error::other)?;
        let kind = kind?;
        Ok(StagedFile {
            path,
            sha256: hex::encode(self.hasher.finalize()),
            size: self.size,
            kind,
            file_name: FileName::sanitise(client_name, kind.extension()),
        })
    }
}
