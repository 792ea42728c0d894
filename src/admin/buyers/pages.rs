//! A PDF's preview: its first pages as PNG images rendered on the server (see
//! [`crate::previews`]), so that no staff page hands a browser the PDF itself to render.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};

use super::files::PREVIEW_POLICY;
use crate::admin::guard::SignedIn;
use crate::documents::{self, Document};
use crate::errors::Error;
use crate::i18n::Language;
use crate::previews::Preview;
use crate::state::AppState;

/// Seconds a browser is asked to wait when every render slot is busy.
const RETRY_AFTER_SECONDS: &str = "5";

/// What the preview page shows of a PDF.
pub struct PdfPagesView {
    /// Its page images, first page first; empty when there are none to show.
    pub pages: Vec<PageView>,
    /// That only the first pages are shown, when the PDF has more.
    pub partial: Option<String>,
    /// Why no pages are shown, when none are.
    pub notice: Option<String>,
}

/// One page image.
pub struct PageView {
    /// Its address.
    pub src: String,
    /// Its text alternative: the page number, the page count and the file.
    pub alt: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Whether the browser may load it only when it scrolls near (all but the first two).
    pub lazy: bool,
}

impl PdfPagesView {
    /// The view of `document`'s `preview` in the language `l`.
    pub fn of(l: Language, document: &Document, preview: &Preview) -> PdfPagesView {
        let rendered = match preview {
            Preview::Rendered(rendered) => rendered,
            Preview::NotInstalled => {
                return PdfPagesView::notice(l, "admin-buyers-preview-unavailable");
            }
            Preview::Failed => return PdfPagesView::notice(l, "admin-buyers-preview-failed"),
            Preview::Busy => return PdfPagesView::notice(l, "admin-buyers-preview-busy"),
        };
        let count = rendered.page_count.to_string();
        let file = document.file_name.as_str();
        let pages: Vec<PageView> = (1..)
            .zip(&rendered.pages)
            .map(|(number, page): (u32, _)| PageView {
                src: format!("/admin/documents/{}/pages/{number}.png", document.uuid),
                alt: l.text_with(
                    "admin-buyers-preview-page-alt",
                    &[
                        ("page", &number.to_string()),
                        ("count", &count),
                        ("file", file),
                    ],
                ),
                width: page.width,
                height: page.height,
                lazy: number > 2,
            })
            .collect();
        let shown = u32::try_from(pages.len()).unwrap_or(u32::MAX);
        PdfPagesView {
            partial: (shown < rendered.page_count).then(|| {
                l.text_with(
                    "admin-buyers-preview-partial",
                    &[("shown", &shown.to_string()), ("count", &count)],
                )
            }),
            pages,
            notice: None,
        }
    }

    fn notice(l: Language, id: &str) -> PdfPagesView {
        PdfPagesView {
            pages: Vec::new(),
            partial: None,
            notice: Some(l.text(id)),
        }
    }
}

/// `GET /admin/documents/{id}/pages/{page}.png` — every staff member: one page image of a
/// PDF's preview; 404 past its last rendered page, for a document that is not a PDF and
/// when no preview could be made; 503 while every render slot is busy.
pub async fn page_get(
    _me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, u32)>,
) -> Result<HttpResponse, Error> {
    let (id, number) = path.into_inner();
    let (_, preview) =
        documents::for_preview(&state.db, &state.blobs, &state.previews, &id).await?;
    let rendered = match preview {
        Some(Preview::Rendered(rendered)) => rendered,
        Some(Preview::Busy) => {
            return Ok(HttpResponse::ServiceUnavailable()
                .insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS))
                .finish());
        }
        _ => return Err(Error::NotFound("page")),
    };
    let page = number
        .checked_sub(1)
        .and_then(|index| rendered.pages.get(usize::try_from(index).ok()?))
        .ok_or(Error::NotFound("page"))?;
    // Made by pdftoppm, not by the uploader, and still only ever an image in a sandbox.
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static("image/png")))
        .insert_header((
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PREVIEW_POLICY),
        ))
        .insert_header((
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        ))
        .body(page.png.clone()))
}
