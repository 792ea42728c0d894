//! A buyer's KYC status and its VIES checks.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use super::body::JsonBody;
use super::conditional;
use super::idempotent::run;
use super::json;
use super::partners::PageQuery;
use super::query::{NoParameters, Query};
use crate::api_tokens::ApiClient;
use crate::errors::Error;
use crate::http::error::ProblemDocument;
use crate::kyc::status::KycStatus;
use crate::kyc::vies::model::ViesCheck;
use crate::kyc::{self, vies};
use crate::pagination::Listing;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/kyc").route(web::get().to(get_kyc)),
    )
    .service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/kyc/vies-check")
            .route(web::post().to(request_vies_check)),
    )
    .service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/kyc/vies-checks")
            .route(web::get().to(list_vies_checks)),
    )
    .service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/kyc/vies-checks/{checkId}")
            .route(web::get().to(get_vies_check)),
    );
}

/// `GET .../buyers/{buyerId}/kyc` — any API client: the buyer's KYC status; 304 for a current
/// `If-None-Match`.
#[utoipa::path(
    get,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/kyc",
    tag = "KYC",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer: 304 while nothing changed"),
    ),
    responses(
        (status = 200, description = "The KYC status", body = KycStatus, headers(("ETag" = String, description = "The entity tag of the body"))),
        (status = 304, description = "Not modified", headers(("ETag" = String, description = "The entity tag of the body"))),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn get_kyc(
    _query: Query<NoParameters>,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (seller_id, buyer_id) = path.into_inner();
    let status = kyc::status_of(&state.db, &seller_id, &buyer_id).await?;
    conditional::fresh_json(&req, &status, None)
}

/// `POST .../kyc/vies-check` — any API client: 202 with the pending check; the result follows
/// in `GET .../kyc` and `GET .../kyc/vies-checks/{checkId}`.
#[utoipa::path(
    post,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/kyc/vies-check",
    tag = "KYC",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    responses(
        (status = 202, description = "The pending check", body = ViesCheck, headers(("Location" = String, description = "Where the new resource is"))),
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
pub(super) async fn request_vies_check(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    let body = JsonBody::parse(&body)?;
    let (seller_id, buyer_id) = path.into_inner();
    run(&req, &state, &client, body.fingerprint(), async |tx| {
        let check = vies::request(tx, &seller_id, &buyer_id).await?;
        let mut response = json(StatusCode::ACCEPTED, &check);
        let location = format!(
            "/v1/partners/{seller_id}/buyers/{buyer_id}/kyc/vies-checks/{}",
            check.uuid
        );
        if let Ok(location) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        Ok(response)
    })
    .await
}

/// `GET .../kyc/vies-checks` — any API client: every check, newest first.
#[utoipa::path(
    get,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/kyc/vies-checks",
    tag = "KYC",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Page size, 1 to 200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses(
        (status = 200, description = "Every check, newest first", body = Listing<ViesCheck>),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn list_vies_checks(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, Error> {
    let (seller_id, buyer_id) = path.into_inner();
    let page = vies::list(&state.db, &seller_id, &buyer_id, &query.page()?).await?;
    Ok(json(StatusCode::OK, &Listing::new(page)))
}

/// `GET .../kyc/vies-checks/{checkId}` — any API client.
#[utoipa::path(
    get,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/kyc/vies-checks/{checkId}",
    tag = "KYC",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("checkId" = String, Path, description = "The VIES check"),
    ),
    responses(
        (status = 200, description = "The check", body = ViesCheck),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn get_vies_check(
    _query: Query<NoParameters>,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, Error> {
    let (seller_id, buyer_id, check_id) = path.into_inner();
    let check = vies::get(&state.db, &seller_id, &buyer_id, &check_id).await?;
    Ok(json(StatusCode::OK, &check))
}
