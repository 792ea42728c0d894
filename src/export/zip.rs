//! The export's ZIP, written while it is sent: each document's bytes go from the store to the
//! client in chunks, so a buyer with hundreds of MiB of documents costs a few buffers, not
//! its size, in memory.

use std::io;
use std::sync::Arc;

use async_zip::base::write::ZipFileWriter;
use async_zip::{Compression, ZipDateTime, ZipEntryBuilder};
use futures_util::{AsyncWriteExt, StreamExt};
use tokio::io::DuplexStream;
use tokio_util::io::ReaderStream;

use crate::db::Timestamp;
use crate::storage::{BlobKey, BlobStore, BlobStream};

/// How much of the archive may wait between the writer and the client.
const BUFFER: usize = 64 * 1024;

/// One file of the archive.
pub enum Part {
    /// Small content made here (the JSON and the history), compressed.
    Made {
        /// Its path in the archive.
        name: String,
        /// Its bytes.
        bytes: Vec<u8>,
        /// Its time.
        at: Timestamp,
    },
    /// A document's file, streamed from the store as it is (PDFs and images are compressed
    /// already).
    Stored {
        /// Its path in the archive.
        name: String,
        /// Where its bytes are.
        key: BlobKey,
        /// Its time (the upload's).
        at: Timestamp,
    },
}

/// The archive of `parts`, in their order, as a stream of bytes. A failure half-way (a file
/// missing from the store) ends the stream with an error, so the client sees a broken
/// download rather than an archive that looks complete.
pub fn stream(parts: Vec<Part>, blobs: Arc<BlobStore>) -> BlobStream {
    let (writer, reader) = tokio::io::duplex(BUFFER);
    let task = tokio::spawn(write(parts, blobs, writer));
    let outcome = futures_util::stream::once(async move {
        match task.await {
            Ok(Ok(())) => None,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "writing an export failed");
                Some(Err(io::Error::other(e)))
            }
            Err(e) => Some(Err(io::Error::other(e))),
        }
    })
    .filter_map(|end| async move { end });
    ReaderStream::new(reader).chain(outcome).boxed()
}

async fn write(parts: Vec<Part>, blobs: Arc<BlobStore>, out: DuplexStream) -> anyhow::Result<()> {
    let mut zip = ZipFileWriter::with_tokio(out);
    for part in parts {
        match part {
            Part::Made { name, bytes, at } => {
                zip.write_entry_whole(entry(name, Compression::Deflate, at), &bytes)
                    .await?;
            }
            Part::Stored { name, key, at } => {
                let mut bytes = blobs.read(&key).await?;
                let mut file = zip
                    .write_entry_stream(entry(name, Compression::Stored, at))
                    .await?;
                while let Some(chunk) = bytes.next().await {
                    file.write_all(&chunk?).await?;
                }
                file.close().await?;
            }
        }
    }
    zip.close().await?;
    Ok(())
}

fn entry(name: String, compression: Compression, at: Timestamp) -> ZipEntryBuilder {
    ZipEntryBuilder::new(name.into(), compression)
        .last_modification_date(ZipDateTime::from_chrono(&at.to_datetime()))
        .unix_permissions(0o644)
}
