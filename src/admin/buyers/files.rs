//! One document's file: download, a preview page with the review decision beside it, the
//! image served for that preview, and archiving behind a confirmation.
//!
//! An image is previewed from its stored bytes, served inline with their byte-sniffed
//! content type, `nosniff` and a CSP `sandbox`: even a file that passed the checks and still
//! carries active content runs in an opaque origin with no script (the browser test checks
//! that Chromium honours it for images). A PDF never is: Chromium shows PDF bytes in its own
//! viewer, whose document keeps the portal's origin whatever sandbox the response asks for.
//! So the inline route answers 404 for PDFs, and their preview shows page images rendered on
//! the server (`pages.rs`), or only the download link.

use actix_web::http::StatusCode;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
    HeaderValue,
};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::pages::PdfPagesView;
use super::review::ReviewPanel;
use super::{BuyerHeader, buyer_of};
use crate::access::SellerScope;
use crate::admin::confirm::ConfirmView;
use crate::admin::guard::{NoFields, SignedIn, StaffForm};
use crate::admin::page::{self, Chrome, Section};
use crate::documents::review::{self, ReviewInput};
use crate::documents::{self, Document, DocumentStatus, ReviewStatus};
use crate::errors::Error;
use crate::http::{download, messages};
use crate::state::AppState;
use crate::write;

/// The policy of a previewed image: a sandbox (no script, an opaque origin), nothing loaded
/// but itself, framed only by our pages.
pub(super) const PREVIEW_POLICY: &str = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'";

/// `GET /admin/documents/{id}/file` — every staff member: the bytes, as an attachment.
pub async fn file_get(
    _me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let content = documents::content::open(
        &state.db,
        &state.blobs,
        &SellerScope::Organisation,
        &path,
        None,
    )
    .await?;
    Ok(download::file_attachment(&content.file, content.body))
}

/// `GET /admin/documents/{id}/inline` — every staff member: an image's bytes for the
/// preview page; 404 for a PDF (or anything else that is not an image).
pub async fn inline_get(
    _me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let (document, stream) = documents::open_image(&state.db, &state.blobs, &path).await?;
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
    /// A PDF's preview (on the preview page of a PDF only).
    pub pdf: Option<PdfPagesView>,
    /// The review decision beside the preview.
    pub review: ReviewPanel,
}

impl DocumentView {
    /// Whether the file is an image its preview shows as it is.
    pub fn is_image(&self) -> bool {
        documents::is_inline_image(&self.document)
    }

    /// Whether it is still active.
    pub fn is_active(&self) -> bool {
        self.document.status == DocumentStatus::Active
    }
}

/// Where the preview page was opened from.
#[derive(Deserialize, Default)]
pub struct PreviewQuery {
    /// `queue` when opened from the review queue.
    #[serde(default)]
    from: String,
}

/// `GET /admin/documents/{id}/preview` — every staff member: the file with its review
/// decision form beside it.
pub async fn preview_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PreviewQuery>,
) -> Result<HttpResponse, Error> {
    preview_page(&req, &me, &state, &path, query.from == "queue", None).await
}

/// The preview page; `refused` brings back a decision form as typed, with why it was refused.
pub(super) async fn preview_page(
    req: &HttpRequest,
    me: &SignedIn,
    state: &AppState,
    id: &str,
    from_queue: bool,
    refused: Option<((String, String, String), String)>,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let zone = me.zone();
    let (document, preview) =
        documents::for_preview(&state.db, &state.blobs, &state.previews, id).await?;
    let pdf = preview.map(|preview| PdfPagesView::of(l, &document, &preview));
    let buyer = buyer_of(&state.db, &document.buyer_id).await?;
    let title = l.text_with(
        "admin-buyers-preview-title",
        &[("file", document.file_name.as_str())],
    );
    let mut review = ReviewPanel::of(l, zone, &document, from_queue);
    let status = match refused {
        Some((typed, error)) => {
            review.typed = typed;
            review.error = Some(error);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    let section = if from_queue {
        Section::Reviews
    } else {
        Section::Buyers
    };
    let view = DocumentView {
        chrome: Chrome::new(req, me, section, title),
        header: BuyerHeader::of(&buyer, "documents"),
        type_label: document.document_type.label(l),
        date: l.date(document.document_date.date()),
        document,
        pdf,
        review,
    };
    page::html(req, status, &view)
}

/// `GET /admin/documents/{id}/archive` — every staff member: asks to confirm.
pub async fn archive_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let document = documents::get(&state.db, &SellerScope::Organisation, &path).await?;
    let buyer = buyer_of(&state.db, &document.buyer_id).await?;
    let active = document.status == DocumentStatus::Active;
    let title = l.text_with(
        "admin-buyers-archive-title",
        &[("file", document.file_name.as_str())],
    );
    let status = if active {
        "admin-buyers-doc-active"
    } else {
        "admin-buyers-doc-archived"
    };
    let view = ConfirmView {
        chrome: Chrome::new(&req, &me, Section::Buyers, title),
        header: Some(BuyerHeader::of(&buyer, "documents")),
        question: None,
        facts: vec![
            (
                l.text("admin-buyers-doc-type"),
                format!(
                    "{} (v{})",
                    document.document_type.label(l),
                    document.version
                ),
            ),
            (
                l.text("admin-buyers-doc-date"),
                l.date(document.document_date.date()),
            ),
            (
                l.text("admin-buyers-doc-file"),
                document.file_name.as_str().to_owned(),
            ),
            (l.text("admin-buyers-doc-sha"), document.sha256.clone()),
            (l.text("admin-buyers-doc-status"), l.text(status)),
        ],
        effect: Some(l.text(if active {
            "admin-buyers-archive-explain"
        } else {
            "admin-buyers-archive-already"
        })),
        action: format!("/admin/documents/{}/archive", document.uuid),
        button: active.then(|| l.text("admin-buyers-archive-confirm")),
        danger: true,
        cancel: format!("/admin/buyers/{}/documents", buyer.uuid),
    };
    page::html(&req, StatusCode::OK, &view)
}

/// `POST /admin/documents/{id}/archive` — every staff member: the API's
/// `PATCH {"status": "ARCHIVED"}`.
pub async fn archive_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm { who: me, .. }: StaffForm<NoFields>,
) -> Result<HttpResponse, Error> {
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

/// The decision form.
#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    /// `queue` when the decision returns to the review queue.
    #[serde(default)]
    from: String,
}

/// `POST /admin/documents/{id}/review` — every staff member: the API's review decision, the
/// staff member as the reviewer;
/// a refused form comes back on the preview page with the reason why.
pub async fn review_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<DecisionForm>,
) -> Result<HttpResponse, Error> {
    let from_queue = form.from == "queue";
    let input = match ReviewInput::parse(Some(&form.decision), Some(&form.reason), Some(&form.note))
    {
        Ok(input) => input,
        Err(error) => {
            let l = me.language();
            let message = match &error {
                Error::Invalid(problems) => problems
                    .iter()
                    .map(|p| {
                        let label = l.text(&format!("admin-review-{}", p.field));
                        messages::field_problem(l, &label, p)
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                other => other.to_string(),
            };
            let typed = (form.decision, form.reason, form.note);
            return preview_page(&req, &me, &state, &path, from_queue, Some((typed, message)))
                .await;
        }
    };
    let document = write::apply(&state.db, me.actor(), async |tx| {
        review::decide(tx, &SellerScope::Organisation, &path, input).await
    })
    .await?;
    let flash = match (&document.proposal, document.review_status) {
        (Some(_), _) => "admin-flash-document-proposed",
        (None, ReviewStatus::Rejected) => "admin-flash-document-rejected",
        (None, _) => "admin-flash-document-accepted",
    };
    let back = if from_queue {
        "/admin/reviews".to_owned()
    } else {
        format!("/admin/buyers/{}/documents", document.buyer_id)
    };
    Ok(page::done(&back, flash))
}
