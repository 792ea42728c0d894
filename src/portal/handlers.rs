//! Handlers of the buyer's pages. Anyone holding a link may call them; everything after the
//! link itself needs the session cookie the link opened.

use actix_multipart::Multipart;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use bytes::Bytes;
use serde::Deserialize;

use super::cache::PageCache;
use super::forms::{UploadField, megabytes};
use super::page::{self, Failure, OpenSession, PageContext};
use super::session::{BuyerForm, Refused};
use super::views::PageAction;
use crate::audit::Actor;
use crate::documents::{self, DocumentSource, DocumentType, NewDocument, StagedFiles};
use crate::errors::{Error, FieldProblem, Rule};
use crate::http::client::browser_language;
use crate::http::messages;
use crate::http::retry_after;
use crate::http::unavailable;
use crate::http::upload_form;
use crate::i18n::Language;
use crate::invitations::upload_quota::{self, UploadQuota, Uploader};
use crate::invitations::{Invitation, Unavailable, sessions};
use crate::organisation::OrganisationSettings;
use crate::secret_token;
use crate::state::AppState;
use crate::write;

pub(super) const SESSION_COOKIE: &str = "kyc_session";

pub(super) use crate::http::page::{html, see_other};

/// Any error that escaped a handler, as an HTML page in the browser's language (never the
/// API's problem+json on a buyer's screen).
pub fn error_page<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let l = browser_language(res.request());
    let status = res.status();
    let (title, text) = match status {
        StatusCode::SERVICE_UNAVAILABLE => ("portal-error-down-title", "portal-error-down"),
        StatusCode::INSUFFICIENT_STORAGE => ("portal-error-title", "storage-full"),
        _ => ("portal-error-title", "portal-error-generic"),
    };
    let view = page::message(l, &OrganisationSettings::default(), None, title, &[text]);
    let body = view.render().unwrap_or_default();
    let (req, problem) = res.into_parts();
    let mut response = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body);
    unavailable::carry(&problem, &mut response);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

pub(super) async fn message_page(
    state: &AppState,
    l: Language,
    status: StatusCode,
    seller: Option<&str>,
    heading: &str,
    paragraphs: &[&str],
) -> Result<HttpResponse, Error> {
    let organisation = state.organisation().await?;
    html(
        status,
        &page::message(l, &organisation, seller, heading, paragraphs),
    )
}

/// The page of a link that cannot be used. A link that ran out (expired, used up) offers to
/// ask for a new one, posting to `renewal` (its URL and the form's token); a withdrawn link or
/// a blocked buyer points to the contact instead.
pub(super) async fn unavailable_page(
    state: &AppState,
    invitation: &Invitation,
    reason: Unavailable,
    renewal: Option<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (reason_id, can_renew) = match reason {
        Unavailable::Expired => ("portal-unavailable-expired", true),
        Unavailable::Exhausted => ("portal-unavailable-exhausted", true),
        Unavailable::Revoked => ("portal-unavailable-revoked", false),
        Unavailable::BuyerBlocked => ("portal-unavailable-blocked", false),
        Unavailable::BuyerEnded => ("portal-unavailable-ended", false),
    };
    let renewal = renewal.filter(|_| can_renew);
    let next = if renewal.is_some() {
        "portal-unavailable-renew"
    } else {
        "portal-unavailable-contact"
    };
    let l = invitation.language;
    let seller = seller_name(state, invitation).await;
    let organisation = state.organisation().await?;
    let mut view = page::message(
        l,
        &organisation,
        seller.as_deref(),
        "portal-unavailable-title",
        &[reason_id, next],
    );
    view.action = renewal.map(|(url, token)| PageAction {
        url,
        token,
        label: l.text("portal-renewal-button"),
    });
    html(StatusCode::GONE, &view)
}

async fn seller_name(state: &AppState, invitation: &Invitation) -> Option<String> {
    let buyer = crate::buyers::get_by_id(&state.db, &invitation.buyer_id)
        .await
        .ok()?;
    Some(
        crate::partners::get(&state.db, &buyer.seller_id)
            .await
            .ok()?
            .name,
    )
}

pub(super) fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/kyc")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.is_https())
        .finish()
}

#[derive(Deserialize)]
pub struct PageQuery {
    received: Option<String>,
}

/// `GET /kyc` — the buyer in a session: the upload page.
pub async fn view_upload_page_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<PageCache>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, Error> {
    // The plain page (no confirmation on it) may come from memory; see `portal::cache`.
    let cookie = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
    let plain = query.received.is_none();
    if plain
        && let Some(cookie) = &cookie
        && let Some(body) = pages.get(cookie, state.db.commits())
    {
        return Ok(html_body(StatusCode::OK, body));
    }
    // Counted before the reads the page shows: a write meanwhile (this request's own touch
    // of the session included) leaves the page kept below stale, never a stale page fresh.
    let commits = state.db.commits();
    // Not an extractor argument: the cached page above is served without reading the session.
    let (opened, active) = match OpenSession::open_with_documents(&req, &state).await {
        Ok(opened) => opened,
        Err(refused) => return refused.into_response(),
    };
    if opened.session.needs_touch() {
        sessions::touch(&state.db, &opened.cookie, None).await?;
    }
    let session_cookie = opened.cookie.clone();
    let context = PageContext::load(&state, opened).await?;
    let forms = page::forms_of(&state, &context);
    let view = page::upload_page_showing(&context, &forms, active, query.received.as_deref());
    // About 24 KB with every type on it: one buffer of that size rather than one doubling
    // its way up, each step a copy.
    let mut html = String::with_capacity(UPLOAD_PAGE_BYTES);
    view.render_into(&mut html)
        .map_err(|e| Error::Internal(anyhow::anyhow!("rendering a page: {e}")))?;
    let body = Bytes::from(html);
    if plain {
        let expires_at = context.invitation.expires_at;
        pages.put(&session_cookie, commits, expires_at, body.clone());
    }
    Ok(html_body(StatusCode::OK, body))
}

/// Room for the rendered upload page.
const UPLOAD_PAGE_BYTES: usize = 32 * 1024;

fn html_body(status: StatusCode, body: Bytes) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// What to tell the buyer about a failed upload, in their language, and at which field of
/// the form (none: at the form as a whole).
fn failure_message(
    l: Language,
    error: &Error,
    max_bytes: u64,
) -> (StatusCode, Option<UploadField>, String) {
    match error {
        Error::TooLarge { .. } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            Some(UploadField::File),
            l.text_with("portal-error-too-large", &[("size", &megabytes(max_bytes))]),
        ),
        Error::Invalid(errors) => {
            let (field, text) = match errors.first() {
                Some(e) if e.field == "type" => (None, l.text("portal-error-type")),
                Some(
                    e @ FieldProblem {
                        rule: Rule::TooOldToCount { .. },
                        ..
                    },
                ) => (
                    Some(UploadField::Date),
                    messages::field_problem(l, &l.text("portal-document-date"), e),
                ),
                Some(e) if e.field == "documentDate" => {
                    (Some(UploadField::Date), l.text("portal-error-date"))
                }
                Some(
                    e @ FieldProblem {
                        rule: Rule::Expired,
                        ..
                    },
                ) => (
                    Some(UploadField::Expiry),
                    messages::field_problem(l, &l.text("type-guidance-expires-on"), e),
                ),
                Some(e) if e.field == "expiresOn" => (
                    Some(UploadField::Expiry),
                    l.text("type-guidance-error-expiry-missing"),
                ),
                Some(e) if e.field == "file" && e.rule == Rule::Required => {
                    (Some(UploadField::File), l.text("portal-error-file-missing"))
                }
                Some(
                    e @ FieldProblem {
                        rule: Rule::File(_),
                        ..
                    },
                ) => (Some(UploadField::File), messages::field_problem(l, "", e)),
                Some(FieldProblem {
                    rule: Rule::TooManyFiles { max },
                    ..
                }) => (
                    Some(UploadField::File),
                    l.text_with("portal-error-too-many-files", &[("max", &max.to_string())]),
                ),
                Some(FieldProblem {
                    rule: Rule::PdfAlone,
                    ..
                }) => (Some(UploadField::File), l.text("portal-error-pdf-alone")),
                _ => (Some(UploadField::File), l.text("portal-error-file-type")),
            };
            (StatusCode::UNPROCESSABLE_ENTITY, field, text)
        }
        Error::Conflict(_) => (StatusCode::CONFLICT, None, l.text("portal-error-blocked")),
        Error::TooMany { retry_after } => (
            StatusCode::TOO_MANY_REQUESTS,
            None,
            l.text_with(
                "portal-error-quota",
                &[("minutes", &retry_after.div_ceil(60).to_string())],
            ),
        ),
        Error::Unavailable { what, .. } => (
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            messages::unavailable(l, *what),
        ),
        Error::StorageFull => (
            StatusCode::INSUFFICIENT_STORAGE,
            Some(UploadField::File),
            l.text("storage-full"),
        ),
        Error::Internal(cause) => {
            tracing::error!(error = %format_args!("{cause:#}"), "an upload from the buyer page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                None,
                l.text("portal-error-generic"),
            )
        }
        _ => (
            StatusCode::BAD_REQUEST,
            None,
            l.text("portal-error-generic"),
        ),
    }
}

/// `POST /kyc/documents` — the buyer in a session: one document (type, date, file). Answers
/// JSON to the page's script, or redirects (success) / re-renders the page (failure) without it.
pub async fn upload_document_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    opened: OpenSession,
    payload: Multipart,
) -> Result<HttpResponse, Refused> {
    let invitation = &opened.invitation;
    let max = state.settings.max_upload_bytes;
    let quota = UploadQuota::of(&state.settings);
    let session_key = secret_token::hash(&opened.cookie);
    let uploader = Uploader {
        session: &session_key,
        buyer_id: &invitation.buyer_id,
    };
    if let Err(refused) = upload_quota::admit(&state.db, &quota, &uploader).await {
        upload_form::discard(payload, max.saturating_add(64 * 1024)).await;
        return Ok(upload_failed(&req, &state, opened, None, &refused).await?);
    }
    let limits = upload_form::FileLimits {
        max_files: documents::MAX_FILES,
        max_bytes: max,
    };
    let form = upload_form::read(payload, "file", state.blobs.staging_dir(), limits).await;
    opened.check_form(&state, form.field("csrf")).await?;
    let document_type = form.field("type").and_then(DocumentType::parse);
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
            source: DocumentSource::Invitation,
            invitation_id: Some(invitation.id.clone()),
        };
        write::apply(
            &state.db,
            Actor::Invitation(invitation.id.clone()),
            async |tx| documents::upload(tx, &state.blobs, &invitation.buyer_id, new).await,
        )
        .await
    }
    .await;
    match outcome {
        Ok(document) => {
            upload_quota::record_bytes(&state.db, &quota, &uploader, document.size_bytes).await?;
            // The buyer lands at the next type still missing (or at "done"), where the
            // confirmation shows, rather than at the top of a long page.
            let stop = page::next_stop(&state, &invitation.buyer_id).await?;
            let target = format!("/kyc?received={}#{stop}", document.uuid);
            if wants_json(&req) {
                Ok(HttpResponse::Created().json(serde_json::json!({ "redirect": target })))
            } else {
                Ok(see_other(&target))
            }
        }
        Err(error) => Ok(upload_failed(&req, &state, opened, document_type, &error).await?),
    }
}

/// The answer to a failed upload: the page again with the message at its form (or JSON to
/// the page's script), with `Retry-After` when a limit was reached.
async fn upload_failed(
    req: &HttpRequest,
    state: &AppState,
    opened: OpenSession,
    document_type: Option<DocumentType>,
    error: &Error,
) -> Result<HttpResponse, Error> {
    let l = opened.session.language;
    let (status, field, message) = failure_message(l, error, state.settings.max_upload_bytes);
    let mut response = if wants_json(req) {
        HttpResponse::build(status).json(serde_json::json!({
            "message": message,
            "field": field.map(UploadField::name),
        }))
    } else {
        let context = PageContext::load(state, opened).await?;
        let failure = Failure {
            document_type,
            field,
            message,
        };
        let forms = page::forms_of(state, &context);
        let view = page::upload_page(state, &context, &forms, None, Some(failure)).await?;
        html(status, &view)?
    };
    if let Some(seconds) = error.retry_after() {
        retry_after::set(&mut response, seconds);
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
}

/// `POST /kyc/language` — the buyer in a session: switches and remembers the language.
pub async fn switch_language_post(
    state: web::Data<AppState>,
    BuyerForm {
        opened,
        fields: form,
    }: BuyerForm<LanguageForm>,
) -> Result<HttpResponse, Error> {
    let language = Language::parse_field("lang", &form.lang)?;
    sessions::touch(&state.db, &opened.cookie, Some(language)).await?;
    Ok(see_other("/kyc"))
}

/// `GET /kyc/brand.css` — anyone: the organisation's colour as a CSS variable (a stylesheet,
/// because the pages allow no inline style).
pub async fn brand_css_get(state: web::Data<AppState>) -> Result<HttpResponse, Error> {
    let organisation = state.organisation().await?;
    let colour = organisation.brand_colour();
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .body(format!(":root {{ --brand: {colour}; }}\n")))
}
