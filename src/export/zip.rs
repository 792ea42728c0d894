//! The export's ZIP, written while it is sent: each document's bytes go from the store to the
//! client in chunks, so a buyer with hundreds of MiB of documents costs a few buffers, not
//! its size, in memory.

use std::io;
use std::sync::Arc;

use async_zip::base::write::ZipFileWriter;
use async_zip::{Compression, ZipDateTimeBuilder, ZipEntryBuilder};
use chrono::{Datelike, Timelike};
use futures_util::{AsyncWriteExt, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::DuplexStream;
use tokio_util::io::ReaderStream;

use crate::db::Timestamp;
use crate::storage::{BlobKey, BlobStore, BlobStream};
use crate::time_zone::TimeZone;

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
    /// already) and checked against what was stored at upload.
    Stored {
        /// Its path in the archive.
        name: String,
        /// Where its bytes are.
        key: BlobKey,
        /// Its time (the upload's).
        at: Timestamp,
        /// Its SHA-256 at upload, hex.
        sha256: String,
        /// Its size at upload.
        size: u64,
    },
}

/// The archive of `parts`, in their order, its entries dated in `zone` (ZIP stores wall-clock
/// times), as a stream of bytes. A failure half-way (a file missing from the store, or whose
/// bytes are not those uploaded) ends the stream with an error, so the client sees a broken
/// download rather than an archive that looks complete.
pub fn stream(parts: Vec<Part>, blobs: Arc<BlobStore>, zone: TimeZone) -> BlobStream {
    let (writer, reader) = tokio::io::duplex(BUFFER);
    let task = tokio::spawn(write(parts, blobs, zone, writer));
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

async fn write(
    parts: Vec<Part>,
    blobs: Arc<BlobStore>,
    zone: TimeZone,
    out: DuplexStream,
) -> anyhow::Result<()> {
    let mut zip = ZipFileWriter::with_tokio(out);
    for part in parts {
        match part {
            Part::Made { name, bytes, at } => {
                zip.write_entry_whole(entry(name, Compression::Deflate, zone, at), &bytes)
                    .await?;
            }
            Part::Stored {
                name,
                key,
                at,
                sha256,
                size,
            } => {
                let mut bytes = blobs.read(&key).await?;
                let mut file = zip
                    .write_entry_stream(entry(name.clone(), Compression::Stored, zone, at))
                    .await?;
                let mut hash = Sha256::new();
                let mut copied = 0u64;
                while let Some(chunk) = bytes.next().await {
                    let chunk = chunk?;
                    hash.update(&chunk);
                    copied += chunk.len() as u64;
                    file.write_all(&chunk).await?;
                }
                if copied != size || hex::encode(hash.finalize()) != sha256 {
                    anyhow::bail!("{name}: the stored bytes are not those uploaded");
                }
                file.close().await?;
            }
        }
    }
    zip.close().await?;
    Ok(())
}

fn entry(name: String, compression: Compression, zone: TimeZone, at: Timestamp) -> ZipEntryBuilder {
    let local = zone.wall_clock(at);
    let date = ZipDateTimeBuilder::new()
        .year(local.year())
        .month(local.month())
        .day(local.day())
        .hour(local.hour())
        .minute(local.minute())
        .second(local.second());
    ZipEntryBuilder::new(name.into(), compression)
        .last_modification_date(date.build())
        .unix_permissions(0o644)
}
