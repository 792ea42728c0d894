//! What a document's download sends: its file as stored, or, for a version of several photos,
//! one PDF of them (so a reader that takes one file per document gets every page), or one of
//! its files as stored when asked for by position.

use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::combined::combine;
use super::inspect::FileKind;
use super::model::{DocumentFile, FileName};
use crate::access::SellerScope;
use crate::db::Db;
use crate::errors::{Error, Rule};
use crate::storage::{BlobKey, BlobStore, BlobStream};

/// A file to send and its bytes.
pub struct Content {
    /// Name, type, size and hash of what is sent.
    pub file: DocumentFile,
    /// The bytes.
    pub body: BlobStream,
}

/// The download of document `id`: with `position` (1 for the first), that file as stored;
/// without, the document's only file as stored, or its photos combined into one PDF.
pub async fn open(
    db: &Db,
    blobs: &BlobStore,
    scope: &SellerScope,
    id: &str,
    position: Option<usize>,
) -> Result<Content, Error> {
    let stored = super::find(db, scope, id).await?;
    let keys = stored.blob_keys();
    let files = stored.document.files;
    let read = |key: BlobKey| async move {
        blobs
            .read(&key)
            .await
            .map_err(|e| e.into_error("reading a document"))
    };
    let pick = match position {
        Some(n) if (1..=files.len()).contains(&n) => Some(n - 1),
        Some(_) => {
            return Err(Error::invalid(
                "file",
                Rule::Between {
                    min: 1,
                    max: i64::try_from(files.len()).unwrap_or(i64::MAX),
                },
            ));
        }
        None if files.len() == 1 => Some(0),
        None => None,
    };
    if let Some(index) = pick {
        let (Some(file), Some(key)) = (files.get(index), keys.get(index)) else {
            return Err(Error::NotFound("file"));
        };
        return Ok(Content {
            file: file.clone(),
            body: read(key.clone()).await?,
        });
    }
    let mut images = Vec::with_capacity(files.len());
    for (file, key) in files.iter().zip(keys) {
        let kind = match file.content_type.as_str() {
            "image/jpeg" => FileKind::Jpeg,
            "image/png" => FileKind::Png,
            _ => FileKind::Pdf,
        };
        images.push((kind, whole(read(key).await?).await?));
    }
    let pdf = tokio::task::spawn_blocking(move || combine(&images))
        .await
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("combining a document")))?
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("combining a document")))?;
    let first = files
        .first()
        .map_or("document", |f| f.file_name.as_str())
        .to_owned();
    let stem = first
        .rsplit_once('.')
        .map_or(first.as_str(), |(stem, _)| stem);
    let file = DocumentFile {
        file_name: FileName::from_stored(format!("{stem}.pdf")),
        content_type: FileKind::Pdf.content_type().to_owned(),
        size_bytes: i64::try_from(pdf.len()).unwrap_or(i64::MAX),
        sha256: hex::encode(Sha256::digest(&pdf)),
    };
    let body = futures_util::stream::once(async move { Ok(bytes::Bytes::from(pdf)) }).boxed();
    Ok(Content { file, body })
}

/// All of a stream's bytes (a photo: small enough to hold; the upload limit bounds it).
async fn whole(mut stream: BlobStream) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            Error::Internal(anyhow::Error::new(e).context("reading a document's file"))
        })?;
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
