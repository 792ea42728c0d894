//! One document's file: download, a preview page, the file served for that preview, and
//! archiving behind a confirmation.
//!
//! The preview serves the stored bytes inline, with their byte-sniffed content type, `nosniff`
//! and a CSP `sandbox`: even a file that passed the checks and still carries active content
//! runs in an opaque origin with no script, and only our own pages may frame it.
//!
//! What Chromium does with it (checked by the browser test, Chromium 156): an image opened
//! at its inline address gets the opaque origin the sandbox asks for; a PDF is still shown in
//! the frame, by Chromium's own PDF viewer, whose document keeps the portal's origin (the
//! sandbox does not reach the viewer). We keep the sandbox header anyway (it holds for all
//! the browser renders itself, and a browser that refuses the PDF shows nothing harmful) and
//! put the download link above the frame for browsers that show nothing.

use actix_web::http::StatusCode;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
    HeaderValue,
};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{BuyerHeader, buyer_of, type_label};
use crate::access::SellerScope;
use crate::admin::auth::{CsrfOnly, SignedIn};
use crate::admin::page::{self, Chrome, Section};
use crate::documents::{self, Document, DocumentStatus};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::download;
use crate::write;

/// The policy of a previewed file: a sandbox (no script, an opaque origin), nothing loaded
/// but itself, framed only by our pages.
const PREVIEW_POLICY: &str = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'";

/// `GET /admin/documents/{id}/file` — every staff member: the bytes, as an attachment.
pub async fn file_get(
    _me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (document, stream) =
        documents::open_content(&state.db, &state.blobs, &SellerScope::Organisation, &path).await?;
    Ok(download::attachment(&document, stream))
}

/// `GET /admin/documents/{id}/inline` — every staff member: the bytes for the preview page.
pub async fn inline_get(
    _me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let (document, stream) =
        documents::open_content(&state.db, &state.blobs, &SellerScope::Organisation, &path).await?;
    // The download's response (type, nosniff, no-store, length), shown instead of saved.
    let mut response = download::attachment(&document, stream);
    let inline = ContentDisposition {
        disposition: DispositionType::Inline,
        parameters: vec![
            DispositionParam::Filename(document.file_name.ascii_fallback()),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: document.file_name.as_str().as_bytes().to_vec(),
            }),
        ],
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&inline.to_string()) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PREVIEW_POLICY),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    Ok(response)
}

/// The preview page and the archive confirmation.
#[derive(Template)]
#[template(path = "admin/buyer/preview.html")]
pub struct DocumentView {
    /// The frame.
    pub chrome: Chrome,
    /// Heading and sub-navigation.
    pub header: BuyerHeader,
    /// The document.
    pub document: Document,
    /// Its type in words.
    pub type_label: String,
    /// Its date in words.
    pub date: String,
    /// The archive confirmation (true) or the preview.
    pub confirm_archive: bool,
}

impl DocumentView {
    /// Whether the file is an image (else a PDF).
    pub fn is_image(&self) -> bool {
        self.document.content_type.starts_with("image/")
    }

    /// Whether it is still active.
    pub fn is_active(&self) -> bool {
        self.document.status == DocumentStatus::Active
    }
}

async fn document_page(
    req: &HttpRequest,
    me: &SignedIn,
    state: &AppState,
    id: &str,
    confirm_archive: bool,
) -> Result<HttpResponse, AppError> {
    let l = me.language();
    let document = documents::get(&state.db, &SellerScope::Organisation, id).await?;
    let buyer = buyer_of(&state.db, &document.buyer_id).await?;
    let title = if confirm_archive {
        l.text_with(
            "admin-buyers-archive-title",
            &[("file", document.file_name.as_str())],
        )
    } else {
        l.text_with(
            "admin-buyers-preview-title",
            &[("file", document.file_name.as_str())],
        )
    };
    let view = DocumentView {
        chrome: Chrome::new(req, me, Section::Buyers, title),
        header: BuyerHeader::of(&buyer, "documents"),
        type_label: type_label(l, document.document_type),
        date: l.date(document.document_date.date()),
        document,
        confirm_archive,
    };
    page::html(req, StatusCode::OK, &view)
}

/// `GET /admin/documents/{id}/preview` — every staff member.
pub async fn preview_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    document_page(&req, &me, &state, &path, false).await
}

/// `GET /admin/documents/{id}/archive` — every staff member: asks to confirm.
pub async fn archive_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    document_page(&req, &me, &state, &path, true).await
}

/// `POST /admin/documents/{id}/archive` — every staff member: the API's
/// `PATCH {"status": "ARCHIVED"}`.
pub async fn archive_post(
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    me.check_csrf(&form.csrf)?;
    let document = write::apply(&state.db, me.actor(), async |tx| {
        documents::set_status(
            tx,
            &SellerScope::Organisation,
            &path,
            DocumentStatus::Archived,
        )
        .await
    })
    .await?;
    Ok(page::done(
        &format!("/admin/buyers/{}/documents", document.buyer_id),
        "admin-flash-document-archived",
    ))
}
