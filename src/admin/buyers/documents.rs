//! `GET /admin/buyers/{id}/documents`: every version of the buyer's documents, and uploads on
//! the buyer's behalf (`POST`), through the same upload path as the API's.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::review::status_label_id as review_status_label_id;
use super::{BuyerHeader, buyer_of};
use crate::admin::guard::SignedIn;
use crate::admin::page::{self, Chrome, Section};
use crate::documents::{
    self, Document, DocumentSource, DocumentStatus, DocumentType, NewDocument, ReviewStatus,
    StagedFiles,
};
use crate::errors::{Error, FieldProblem, Rule};
use crate::http::messages;
use crate::http::upload_form;
use crate::i18n::Language;
use crate::organisation::OrganisationSettings;
use crate::pagination::Page;
use crate::state::AppState;
use crate::time_zone::TimeZone;
use crate::write;

/// One document row.
pub struct DocumentRow {
    /// Its id.
    pub id: String,
    /// Its version of the type.
    pub version: i64,
    /// Document date.
    pub date: String,
    /// File name.
    pub file_name: String,
    /// Size in words.
    pub size: String,
    /// The first 12 hex digits of the SHA-256.
    pub sha_short: String,
    /// The whole SHA-256.
    pub sha256: String,
    /// Source in words.
    pub source: String,
    /// Active (true) or archived.
    pub active: bool,
    /// Uploaded at.
    pub uploaded: String,
    /// Whether it can be previewed (images and PDFs: all the portal accepts).
    pub previewable: bool,
    /// Whether this is the version that counts for the KYC status.
    pub counts: bool,
    /// Whether a newer version replaced it (or it was archived).
    pub superseded: bool,
    /// The type's maximum age in days, when this version is older than that.
    pub too_old: Option<u32>,
    /// An identity document's last valid day, in words.
    pub valid_until: Option<String>,
    /// Whether that day has passed.
    pub expired: bool,
    /// Other types the same file (same SHA-256) was uploaded as, in words.
    pub same_file_as: Vec<String>,
    /// Where its review stands, in words (with the reason of a rejection).
    pub review: String,
    /// Whether it waits for review.
    pub review_pending: bool,
    /// Whether it was rejected.
    pub rejected: bool,
}

/// The versions of one document type, with where the type stands.
pub struct TypeGroup {
    /// The type's code (the anchor).
    pub code: &'static str,
    /// The type in words.
    pub label: String,
    /// Whether the organisation requires it.
    pub required: bool,
    /// Where it stands, in words: counts (with its date), too old, or missing.
    pub state: String,
    /// Whether the state is a problem (missing or too old while required).
    pub problem: bool,
    /// Its versions, newest first.
    pub versions: Vec<DocumentRow>,
}

impl DocumentRow {
    fn of(l: Language, zone: TimeZone, d: &Document) -> DocumentRow {
        DocumentRow {
            id: d.uuid.clone(),
            version: d.version,
            date: l.date(d.document_date.date()),
            file_name: d.file_name.as_str().to_owned(),
            size: size_text(d.size_bytes),
            sha_short: d.sha256.chars().take(12).collect(),
            sha256: d.sha256.clone(),
            source: l.text(match d.source {
                DocumentSource::Api => "admin-buyers-source-api",
                DocumentSource::Invitation => "admin-buyers-source-invitation",
            }),
            active: d.status == DocumentStatus::Active,
            uploaded: zone.moment(l, d.created_at),
            previewable: matches!(
                d.content_type.as_str(),
                "application/pdf" | "image/jpeg" | "image/png"
            ),
            counts: false,
            superseded: false,
            too_old: None,
            valid_until: d.expires_on.map(|day| l.date(day.date())),
            expired: false,
            same_file_as: Vec::new(),
            review: match d.review_reason {
                Some(reason) => format!(
                    "{}: {}",
                    l.text(&review_status_label_id(d.review_status)),
                    reason.label(l)
                ),
                None => l.text(&review_status_label_id(d.review_status)),
            },
            review_pending: d.review_status == ReviewStatus::PendingReview,
            rejected: d.review_status == ReviewStatus::Rejected,
        }
    }
}

/// The buyer's documents grouped by type: the required types first (in the organisation's
/// order, also when nothing was uploaded), then any other type that has documents. In each,
/// the newest active version counts unless it is too old.
fn groups(
    l: Language,
    zone: TimeZone,
    settings: &OrganisationSettings,
    documents: &[Document],
    today: chrono::NaiveDate,
) -> Vec<TypeGroup> {
    let mut order: Vec<DocumentType> = settings.required_document_types.clone();
    for d in documents {
        if !order.contains(&d.document_type) {
            order.push(d.document_type);
        }
    }
    order
        .into_iter()
        .map(|t| {
            let required = settings.required_document_types.contains(&t);
            let mut versions: Vec<DocumentRow> = Vec::new();
            let mut current: Option<(String, Option<u32>, bool)> = None;
            for d in documents.iter().filter(|d| d.document_type == t) {
                let mut row = DocumentRow::of(l, zone, d);
                row.too_old = d
                    .expires_on
                    .is_none()
                    .then(|| settings.too_old(t, d.document_date.date(), today))
                    .flatten();
                row.expired = d.expires_on.is_some_and(|day| day.date() < today);
                row.superseded = !row.active || current.is_some();
                let may_count =
                    !settings.require_document_review || d.review_status == ReviewStatus::Accepted;
                if row.active && current.is_none() && may_count {
                    row.counts = !settings.lapsed(d, today);
                    current = Some((row.date.clone(), row.too_old, row.expired));
                }
                row.same_file_as = documents
                    .iter()
                    .filter(|o| o.sha256 == d.sha256 && o.document_type != t)
                    .map(|o| o.document_type.label(l))
                    .collect();
                row.same_file_as.dedup();
                versions.push(row);
            }
            let (state, problem) = match current {
                Some((_, _, true)) => (l.text("admin-buyers-doc-state-expired"), required),
                Some((date, None, false)) => (
                    l.text_with("admin-buyers-doc-state-counts", &[("date", date.as_str())]),
                    false,
                ),
                Some((_, Some(days), false)) => (
                    l.text_with(
                        "admin-buyers-doc-state-too-old",
                        &[("days", days.to_string().as_str())],
                    ),
                    required,
                ),
                None => (l.text("admin-buyers-doc-state-missing"), required),
            };
            TypeGroup {
                code: t.as_str(),
                label: t.label(l),
                required,
                state,
                problem,
                versions,
            }
        })
        .collect()
}

/// `12.3 KB`, `1.4 MB`.
fn size_text(bytes: i64) -> String {
    let bytes = bytes as f64;
    if bytes < 1024.0 * 1024.0 {
        format!("{:.1} KB", bytes / 1024.0)
    } else {
        format!("{:.1} MB", bytes / (1024.0 * 1024.0))
    }
}

/// The documents page.
#[derive(Template)]
#[template(path = "admin/buyer/documents.html")]
pub struct DocumentsView {
    /// The frame.
    pub chrome: Chrome,
    /// Heading and sub-navigation.
    pub header: BuyerHeader,
    /// The versions by type, required types first.
    pub groups: Vec<TypeGroup>,
    /// Whether there are more than the page shows.
    pub more: bool,
    /// Every type, with its name, for the upload form.
    pub types: Vec<(&'static str, String)>,
    /// The type chosen in a refused upload.
    pub chosen_type: String,
    /// The date typed in a refused upload.
    pub chosen_date: String,
    /// Why the upload was refused.
    pub error: Option<String>,
    /// The largest file, in MB.
    pub max_mb: String,
}

/// What a refused upload is shown with again.
#[derive(Default)]
struct Refused {
    document_type: String,
    date: String,
    error: Option<String>,
}

async fn render(
    req: &HttpRequest,
    me: &SignedIn,
    state: &AppState,
    id: &str,
    status: StatusCode,
    refused: Refused,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let buyer = buyer_of(&state.db, id).await?;
    let settings = state.organisation().await?;
    let (documents, next) = documents::list(
        &state.db,
        &buyer.seller_id,
        &buyer.uuid,
        &documents::DocumentFilter::default(),
        &Page::parse(Some(200), None)?,
    )
    .await?;
    let view = DocumentsView {
        chrome: Chrome::new(
            req,
            me,
            Section::Buyers,
            format!(
                "{} – {}",
                l.text("admin-buyers-tab-documents"),
                buyer.company_name
            ),
        ),
        header: BuyerHeader::of(&buyer, "documents"),
        groups: groups(
            l,
            me.zone(),
            &settings,
            &documents,
            // The day the KYC status judges by (its rules count days in UTC).
            crate::db::now().to_datetime().date_naive(),
        ),
        more: next.is_some(),
        types: DocumentType::ALL
            .into_iter()
            .map(|t| (t.as_str(), t.label(l)))
            .collect(),
        chosen_type: refused.document_type,
        chosen_date: refused.date,
        error: refused.error,
        max_mb: (state.settings.max_upload_bytes / (1024 * 1024))
            .max(1)
            .to_string(),
    };
    page::html(req, status, &view)
}

/// `GET /admin/buyers/{id}/documents` — every staff member.
pub async fn documents_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    render(&req, &me, &state, &path, StatusCode::OK, Refused::default()).await
}

/// Why an upload was refused, in `l`, with the status to answer.
fn refusal(l: Language, error: &Error, max_bytes: u64) -> Option<(StatusCode, String)> {
    let mb = (max_bytes / (1024 * 1024)).max(1).to_string();
    match error {
        Error::TooLarge { .. } => Some((
            StatusCode::PAYLOAD_TOO_LARGE,
            l.text_with("admin-buyers-upload-too-large", &[("size", &mb)]),
        )),
        Error::Invalid(errors) => {
            let text = match errors.first() {
                Some(e) if e.field == "type" => l.text("admin-buyers-upload-type"),
                Some(e) if e.field == "documentDate" && e.rule == Rule::DateInFuture => {
                    l.text("admin-buyers-upload-future")
                }
                Some(e) if e.field == "documentDate" => l.text("admin-buyers-upload-date"),
                Some(e) if e.field == "expiresOn" => {
                    messages::field_problem(l, &l.text("type-guidance-expires-on"), e)
                }
                Some(e) if e.field == "file" && e.rule == Rule::Required => {
                    l.text("admin-buyers-upload-missing")
                }
                Some(
                    e @ FieldProblem {
                        rule: Rule::File(_),
                        ..
                    },
                ) => messages::field_problem(l, "", e),
                _ => l.text("admin-buyers-upload-file-type"),
            };
            Some((StatusCode::UNPROCESSABLE_ENTITY, text))
        }
        Error::Conflict(conflict) => Some((StatusCode::CONFLICT, messages::conflict(l, conflict))),
        Error::StorageFull => Some((StatusCode::INSUFFICIENT_STORAGE, l.text("storage-full"))),
        _ => None,
    }
}

/// `POST /admin/buyers/{id}/documents` — every staff member: multipart `type`, `documentDate`,
/// `file`, kept exactly like an API upload (source `API`: the model has no staff source; the
/// audit entry names the staff member).
pub async fn upload_post(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: Multipart,
) -> Result<HttpResponse, Error> {
    let buyer = buyer_of(&state.db, &path).await?;
    let l = me.language();
    let max = state.settings.max_upload_bytes;
    // The file streams to a staging file and is cut off at the limit, so a body of any size
    // costs at most `max` bytes of disk before it is refused.
    let limits = upload_form::FileLimits {
        max_files: documents::MAX_FILES,
        max_bytes: max,
    };
    let form = upload_form::read(payload, "file", state.blobs.staging_dir(), limits).await;
    me.check_csrf(form.field("csrf").unwrap_or_default())?;
    let typed = Refused {
        document_type: form.field("type").unwrap_or_default().to_owned(),
        date: form.field("documentDate").unwrap_or_default().to_owned(),
        error: None,
    };
    let outcome = async {
        let form = form.complete()?;
        let document_type = DocumentType::parse_field(form.field("type"))?;
        let (document_date, expires_on) = documents::parse_dates(
            Some(document_type),
            form.field("documentDate"),
            form.field("expiresOn"),
            chrono::Utc::now().date_naive(),
        )
        .map_err(Error::Invalid)?;
        let files = StagedFiles::new(form.files)?;
        let new = NewDocument {
            document_type,
            document_date,
            expires_on,
            files,
            source: DocumentSource::Api,
            invitation_id: None,
        };
        write::apply(&state.db, me.actor(), async |tx| {
            documents::upload(tx, &state.blobs, &buyer.uuid, new).await
        })
        .await
    }
    .await;
    match outcome {
        Ok(_) => Ok(page::done(
            &format!("/admin/buyers/{}/documents", buyer.uuid),
            "admin-flash-document-uploaded",
        )),
        Err(e) => match refusal(l, &e, max) {
            Some((status, text)) => {
                let refused = Refused {
                    error: Some(text),
                    ..typed
                };
                render(&req, &me, &state, &path, status, refused).await
            }
            None => Err(e),
        },
    }
}
