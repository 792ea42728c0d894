//! `GET /kyc/templates/{type}`: a document type's template, for a buyer in a session only
//! (the link in the page is a plain link, so it works without JavaScript).

use actix_web::{HttpResponse, web};

use super::page::OpenSession;
use crate::documents::{DocumentType, FileName};
use crate::errors::Error;
use crate::http::download;
use crate::organisation::template;
use crate::state::AppState;

/// `GET /kyc/templates/{type}` — the buyer in a session: the PDF as an attachment; 404 for a
/// type without a template. The `v` query (the template's version) only keeps caches apart.
pub async fn template_get(
    _opened: OpenSession,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let document_type = DocumentType::parse(&path).ok_or(Error::NotFound("template"))?;
    let (file, stream) = template::open(&state.db, &state.blobs, document_type).await?;
    Ok(download::file(
        &FileName::from_stored(file.file_name),
        "application/pdf",
        file.size_bytes,
        stream,
    ))
}
