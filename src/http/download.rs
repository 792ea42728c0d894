//! Sending a stored document: as an attachment, never rendered by the browser.

use actix_web::HttpResponse;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
    HeaderValue,
};

use crate::documents::{Document, DocumentFile, FileName};
use crate::export::BuyerExport;
use crate::storage::BlobStream;

/// Never read a download as another type than the one it is sent as.
const NOSNIFF: (header::HeaderName, HeaderValue) = (
    header::X_CONTENT_TYPE_OPTIONS,
    HeaderValue::from_static("nosniff"),
);
/// Personal data: no shared cache keeps it, no cache stores it.
const PRIVATE: (header::HeaderName, HeaderValue) = (
    header::CACHE_CONTROL,
    HeaderValue::from_static("private, no-store"),
);

/// The response for a document download: `Content-Disposition: attachment` with an ASCII
/// fallback name and the exact UTF-8 name (RFC 6266 / RFC 8187 encoded), the stored content
/// type, `nosniff`, and the SHA-256 as ETag.
pub fn attachment(document: &Document, body: BlobStream) -> HttpResponse {
    let file = DocumentFile {
        file_name: document.file_name.clone(),
        content_type: document.content_type.clone(),
        size_bytes: document.size_bytes,
        sha256: document.sha256.clone(),
    };
    file_attachment(&file, body)
}

/// The response for one file of a document (or the one PDF of its photos), as [`attachment`]
/// describes: the file's name, type and size, and its SHA-256 as ETag.
pub fn file_attachment(document: &DocumentFile, body: BlobStream) -> HttpResponse {
    let size = u64::try_from(document.size_bytes).unwrap_or_default();
    let mut response = file(&document.file_name, &document.content_type, size, body);
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", document.sha256)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// A stored file of `size` bytes as an attachment named `file_name`, sent as `content_type`
/// (what its bytes were found to be), `nosniff`, kept by no cache.
pub fn file(file_name: &FileName, content_type: &str, size: u64, body: BlobStream) -> HttpResponse {
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(file_name.ascii_fallback()),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: file_name.as_str().as_bytes().to_vec(),
            }),
        ],
    };
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header(disposition)
        .insert_header(NOSNIFF)
        .insert_header(PRIVATE);
    response.no_chunking(size).streaming(body)
}

/// The response for a buyer's export: a ZIP as an attachment, sent while it is written
/// (chunked, since its size is known only at the end).
pub fn archive(export: BuyerExport) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/zip"))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(export.file_name)],
        })
        .insert_header(NOSNIFF)
        .insert_header(PRIVATE)
        .streaming(export.body)
}
