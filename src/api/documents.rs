//! KYC documents: upload, list, read, download, archive, history.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::body::JsonBody;
use super::conditional;
use super::idempotent::run;
use super::json;
use super::partners::PageQuery;
use super::query::{NoParameters, Query};
use crate::api_tokens::ApiClient;
use crate::audit::AuditEntry;
use crate::buyers;
use crate::documents::Document;
use crate::documents::{
    self, DocumentFilter, DocumentSource, DocumentStatus, DocumentType, NewDocument, ReviewInput,
    ReviewReason, ReviewStatus, StagedFiles,
};
use crate::errors::{Error, Rule};
use crate::http::error::ProblemDocument;
use crate::http::{download, upload_form};
use crate::idempotency::fingerprint;
use crate::pagination::{Listing, Page};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/kyc/documents")
            .route(web::post().to(upload_document))
            .route(web::get().to(list_documents)),
    )
    .service(
        web::resource("/documents/{docId}")
            .route(web::get().to(get_document))
            .route(web::patch().to(patch_document)),
    )
    .service(web::resource("/documents/{docId}/review").route(web::post().to(review_document)))
    .service(web::resource("/documents/{docId}/content").route(web::get().to(download_document)))
    .service(web::resource("/documents/{docId}/history").route(web::get().to(document_history)));
}

/// The upload form, as the OpenAPI document describes it (the handler reads the parts as they
/// stream in).
#[allow(dead_code)]
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct UploadForm {
    /// A document type.
    #[serde(rename = "type")]
    document_type: DocumentType,
    /// The document's own date, YYYY-MM-DD, not in the future. Required, except for an
    /// identity document (`CONTACT_ID`) sent with `expiresOn`, where it is the optional issue
    /// date (the day of the upload stands in for it).
    #[schema(format = Date)]
    document_date: Option<String>,
    /// Identity documents (`CONTACT_ID`) only: the last day the document is valid ("valid
    /// until"), YYYY-MM-DD, today or later (an expired one is refused with 422). The document
    /// counts until that day, whatever the type's maximum age. Sent for another type: 422.
    #[schema(format = Date)]
    expires_on: Option<String>,
    /// PDF, JPEG or PNG; repeated for a document of several photos (pages, front and back: at
    /// most 10 JPEG or PNG files, together within the size limit; a PDF comes alone).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Multipart overhead allowed on top of the file limit before a declared length is refused.
const FORM_OVERHEAD: u64 = 64 * 1024;

/// `POST .../kyc/documents` — any API client: multipart `type`, `documentDate` (and for identity
/// documents `expiresOn`), `file`.
#[utoipa::path(
    post,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/kyc/documents",
    tag = "Documents",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The stored document", body = Document, headers(("Location" = String, description = "Where the new resource is"))),
        (status = 400, description = "The request could not be read (broken JSON or form)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "The token may not do this", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The request contradicts the current state", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "The body is not of a content type this operation reads", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn upload_document(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    payload: Multipart,
) -> Result<HttpResponse, Error> {
    let (seller_id, buyer_id) = path.into_inner();
    let buyer = buyers::get(&state.db, &seller_id, &buyer_id).await?;
    if let Some(conflict) = buyer.refusal() {
        return Err(Error::Conflict(conflict));
    }
    let max = state.settings.max_upload_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max.saturating_add(FORM_OVERHEAD)) {
        return Err(Error::TooLarge {
            what: "the file",
            max,
        });
    }
    let limits = upload_form::FileLimits {
        max_files: documents::MAX_FILES,
        max_bytes: max,
    };
    let form = upload_form::read(payload, "file", state.blobs.staging_dir(), limits)
        .await
        .complete()?;
    let mut parts = vec![
        form.field("type").unwrap_or_default().as_bytes(),
        form.field("documentDate").unwrap_or_default().as_bytes(),
        form.field("expiresOn").unwrap_or_default().as_bytes(),
    ];
    for file in &form.files {
        parts.push(file.sha256.as_bytes());
        parts.push(file.file_name.as_str().as_bytes());
    }
    let request_id = fingerprint(&parts);
    run(&req, &state, &client, request_id, async |tx| {
        let document_type = DocumentType::parse_field(form.field("type"));
        let dates = documents::parse_dates(
            document_type.as_ref().ok().copied(),
            form.field("documentDate"),
            form.field("expiresOn"),
            chrono::Utc::now().date_naive(),
        );
        let files = StagedFiles::new(form.files);
        let (document_type, (document_date, expires_on), files) =
            match (document_type, dates, files) {
                (Ok(t), Ok(d), Ok(f)) => (t, d, f),
                (t, d, f) => {
                    let mut errors = Vec::new();
                    if let Err(Error::Invalid(mut list)) = t {
                        errors.append(&mut list);
                    }
                    if let Err(mut list) = d {
                        errors.append(&mut list);
                    }
                    if let Err(Error::Invalid(mut list)) = f {
                        errors.append(&mut list);
                    }
                    return Err(Error::Invalid(errors));
                }
            };
        let new = NewDocument {
            document_type,
            document_date,
            expires_on,
            files,
            source: DocumentSource::Api,
            invitation_id: None,
        };
        let document = documents::upload(tx, &state.blobs, &buyer.uuid, new).await?;
        let mut response = json(StatusCode::CREATED, &document);
        if let Ok(location) =
            header::HeaderValue::from_str(&format!("/v1/documents/{}", document.uuid))
        {
            response.headers_mut().insert(header::LOCATION, location);
        }
        Ok(response)
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DocumentsQuery {
    #[serde(rename = "type")]
    document_type: Option<String>,
    status: Option<String>,
    #[serde(rename = "reviewStatus")]
    review_status: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

impl DocumentsQuery {
    fn filter(&self) -> Result<DocumentFilter, Error> {
        let document_type = match self.document_type.as_deref() {
            None | Some("") => None,
            Some(text) => Some(
                DocumentType::parse(text)
                    .ok_or_else(|| Error::invalid("type", Rule::UnknownDocumentType))?,
            ),
        };
        let status = match self.status.as_deref() {
            None | Some("") => None,
            Some(text) => Some(DocumentStatus::parse(text).ok_or_else(|| {
                Error::invalid(
                    "status",
                    Rule::OneOf {
                        allowed: vec!["ACTIVE".into(), "ARCHIVED".into()],
                    },
                )
            })?),
        };
        let review_status = match self.review_status.as_deref() {
            None | Some("") => None,
            Some(text) => Some(ReviewStatus::parse(text).ok_or_else(|| {
                Error::invalid(
                    "reviewStatus",
                    Rule::OneOf {
                        allowed: ReviewStatus::names(),
                    },
                )
            })?),
        };
        Ok(DocumentFilter {
            document_type,
            status,
            review_status,
        })
    }
}

/// `GET .../kyc/documents?type=&status=&reviewStatus=` — any API client: every version,
/// newest first.
#[utoipa::path(
    get,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/kyc/documents",
    tag = "Documents",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("type" = Option<String>, Query, pattern = "^(COC_EXTRACT|COC_ARTICLES|BANK_CONFIRMATION|BANK_STATEMENT|VAT_CERTIFICATE|CONTACT_ID|CONTACT_AUTHORIZATION|ADDRESS_PROOF|TP_UBO_DECLARATION|TP_TRADE_LICENSE|AML_DECLARATION)?$", description = "A document type (empty: any)"),
        ("status" = Option<String>, Query, pattern = "^(ACTIVE|ARCHIVED)?$", description = "ACTIVE or ARCHIVED (empty: any)"),
        ("reviewStatus" = Option<ReviewStatus>, Query, description = "PENDING_REVIEW, ACCEPTED or REJECTED (empty: any)"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Page size, 1 to 200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses(
        (status = 200, description = "Every version, newest first", body = Listing<Document>),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn list_documents(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: Query<DocumentsQuery>,
) -> Result<HttpResponse, Error> {
    let (seller_id, buyer_id) = path.into_inner();
    let filter = query.filter()?;
    let page = Page::parse(query.limit, query.cursor.as_deref())?;
    let page = documents::list(&state.db, &seller_id, &buyer_id, &filter, &page).await?;
    Ok(json(StatusCode::OK, &Listing::new(page)))
}

/// `GET /v1/documents/{docId}` — any API client; 304 for a current `If-None-Match`.
#[utoipa::path(
    get,
    path = "/v1/documents/{docId}",
    tag = "Documents",
    params(
        ("docId" = String, Path, description = "The document"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer: 304 while nothing changed"),
    ),
    responses(
        (status = 200, description = "The document", body = Document, headers(("ETag" = String, description = "The entity tag of the body"))),
        (status = 304, description = "Not modified", headers(("ETag" = String, description = "The entity tag of the body"))),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn get_document(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let document = documents::get(&state.db, &client.scope, &path).await?;
    conditional::fresh_json(&req, &document, None)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ContentQuery {
    file: Option<u32>,
}

/// `GET /v1/documents/{docId}/content?file=` — any API client: the bytes, as an attachment;
/// a document of several files as one PDF of them, or one of its files by position.
#[utoipa::path(
    get,
    path = "/v1/documents/{docId}/content",
    tag = "Documents",
    params(
        ("docId" = String, Path, description = "The document"),
        ("file" = Option<u32>, Query, minimum = 1, maximum = 10, description = "One file of the document as uploaded, by position (1: the first); without it, a document of several files comes as one PDF with a page per image"),
    ),
    responses(
        (status = 200, description = "The file's bytes, as an attachment, in the type its bytes showed at upload (a document of several files: one PDF of them)", content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn download_document(
    query: Query<ContentQuery>,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let position = query.file.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    let content =
        documents::content::open(&state.db, &state.blobs, &client.scope, &path, position).await?;
    Ok(download::file_attachment(&content.file, content.body))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct DocumentPatch {
    /// Only `ARCHIVED`: a document is never deleted.
    #[schema(value_type = String, required = true, nullable = false, pattern = "^ARCHIVED$")]
    status: Option<String>,
}

/// `PATCH /v1/documents/{docId}` — any API client: `{"status": "ARCHIVED"}` only.
#[utoipa::path(
    patch,
    path = "/v1/documents/{docId}",
    tag = "Documents",
    params(
        ("docId" = String, Path, description = "The document"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    request_body(content = DocumentPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "The archived document", body = Document),
        (status = 400, description = "The request could not be read (broken JSON or form)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "The token may not do this", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The request contradicts the current state", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "The body is not of a content type this operation reads", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn patch_document(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    let body = JsonBody::parse_patch(&body)?;
    run(&req, &state, &client, body.fingerprint(), async |tx| {
        let patch: DocumentPatch = body.to()?;
        let status = match patch.status.as_deref() {
            None => return Err(Error::invalid("status", Rule::Required)),
            Some(text) => DocumentStatus::parse(text).ok_or_else(|| {
                Error::invalid(
                    "status",
                    Rule::OneOf {
                        allowed: vec!["ARCHIVED".into()],
                    },
                )
            })?,
        };
        let document = documents::set_status(tx, &client.scope, &path, status).await?;
        Ok(json(StatusCode::OK, &document))
    })
    .await
}

/// `POST /v1/documents/{docId}/review`: a reviewer's decision on one version.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ReviewRequest {
    /// ACCEPTED or REJECTED.
    #[schema(value_type = String, required = true, pattern = "^(ACCEPTED|REJECTED)$")]
    decision: Option<String>,
    /// Why it is rejected; required for REJECTED.
    #[schema(value_type = Option<ReviewReason>)]
    reason: Option<String>,
    /// Free text for the buyer and the history.
    #[schema(max_length = 2000)]
    note: Option<String>,
}

/// `POST /v1/documents/{docId}/review` — any writing API client (seller tokens: their
/// sellers' documents): accept or reject a version; 200 with the document.
#[utoipa::path(
    post,
    path = "/v1/documents/{docId}/review",
    tag = "Documents",
    params(
        ("docId" = String, Path, description = "The document"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    request_body(content = ReviewRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The reviewed document", body = Document),
        (status = 400, description = "The request could not be read (broken JSON or form)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "The token may not do this", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The request contradicts the current state", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "The body is not of a content type this operation reads", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule (a rejection without a reason)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn review_document(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    let body = JsonBody::parse(&body)?;
    run(&req, &state, &client, body.fingerprint(), async |tx| {
        let request: ReviewRequest = body.to()?;
        let input = ReviewInput::parse(
            request.decision.as_deref(),
            request.reason.as_deref(),
            request.note.as_deref(),
        )?;
        let document = documents::review::decide(tx, &client.scope, &path, input).await?;
        Ok(json(StatusCode::OK, &document))
    })
    .await
}

/// `GET /v1/documents/{docId}/history` — any API client: audit entries, newest first.
#[utoipa::path(
    get,
    path = "/v1/documents/{docId}/history",
    tag = "Documents",
    params(
        ("docId" = String, Path, description = "The document"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Page size, 1 to 200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses(
        (status = 200, description = "Audit entries, newest first", body = Listing<AuditEntry>),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn document_history(
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, Error> {
    let page = documents::history(&state.db, &client.scope, &path, &query.page()?).await?;
    Ok(json(StatusCode::OK, &Listing::new(page)))
}
