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
async fn get_kyc(
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
async fn request_vies_check(
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
async fn list_vies_checks(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, Error> {
    let (seller_id, buyer_id) = path.into_inner();
    let page = vies::list(&state.db, &seller_id, &buyer_id, &query.page()?).await?;
    Ok(json(StatusCode::OK, &Listing::new(page)))
}

/// `GET .../kyc/vies-checks/{checkId}` — any API client.
async fn get_vies_check(
    _query: Query<NoParameters>,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, Error> {
    let (seller_id, buyer_id, check_id) = path.into_inner();
    let check = vies::get(&state.db, &seller_id, &buyer_id, &check_id).await?;
    Ok(json(StatusCode::OK, &check))
}
