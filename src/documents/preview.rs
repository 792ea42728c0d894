//! What a preview may show of a document: an image's own bytes (a browser renders images
//! itself, inside the sandbox the response asks for), a PDF only as pictures of its pages
//! (a browser's PDF viewer keeps the portal's origin, so PDF bytes are never handed to one
//! for showing).

use super::model::Document;
use super::store;
use crate::db::Db;
use crate::errors::Error;
use crate::previews::{PdfPreviews, Preview};
use crate::storage::{BlobStore, BlobStream};

/// The content types a browser may be given to show inline.
const INLINE_TYPES: [&str; 2] = ["image/png", "image/jpeg"];

/// Whether the document is a PDF.
pub fn is_pdf(document: &Document) -> bool {
    document.content_type == "application/pdf"
}

/// Whether the document is an image a browser may show inline.
pub fn is_inline_image(document: &Document) -> bool {
    INLINE_TYPES.contains(&document.content_type.as_str())
}

/// An image document and a stream of its bytes; 404 for any other document.
pub async fn open_image(
    db: &Db,
    blobs: &BlobStore,
    id: &str,
) -> Result<(Document, BlobStream), Error> {
    let stored = store::find(db.pool(), id)
        .await?
        .ok_or(Error::NotFound("document"))?;
    if !is_inline_image(&stored.document) {
        return Err(Error::NotFound("image"));
    }
    let stream = blobs
        .read(&stored.blob_key)
        .await
        .map_err(|e| e.into_error("reading a document"))?;
    Ok((stored.document, stream))
}

/// A document and, for a PDF, the preview of its first pages (kept, or rendered now); 404
/// when unknown.
pub async fn for_preview(
    db: &Db,
    blobs: &BlobStore,
    previews: &PdfPreviews,
    id: &str,
) -> Result<(Document, Option<Preview>), Error> {
    let stored = store::find(db.pool(), id)
        .await?
        .ok_or(Error::NotFound("document"))?;
    if !is_pdf(&stored.document) {
        return Ok((stored.document, None));
    }
    let preview = previews
        .preview(&stored.document.sha256, || blobs.read(&stored.blob_key))
        .await;
    Ok((stored.document, Some(preview)))
}
