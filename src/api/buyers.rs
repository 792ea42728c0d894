//! `/v1/partners/{sellerId}/buyers`: upsert, read, list, patch, block, unblock, history.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::body::JsonBody;
use super::idempotent::run;
use super::json;
use super::partners::PageQuery;
use crate::api_tokens::ApiClient;
use crate::buyers::{self, Buyer, BuyerFilter, BuyerStatus, RawBuyer, SearchText, Upserted};
use crate::errors::{Error, Rule};
use crate::pagination::{Listing, Page};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/partners/{sellerId}/buyers")
            .route(web::post().to(upsert_buyer))
            .route(web::get().to(list_buyers)),
    )
    .service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}")
            .route(web::get().to(get_buyer))
            .route(web::patch().to(patch_buyer)),
    )
    .service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/block")
            .route(web::post().to(block_buyer)),
    )
    .service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/unblock")
            .route(web::post().to(unblock_buyer)),
    )
    .service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/history")
            .route(web::get().to(buyer_history)),
    );
}

/// The buyer as JSON, with its version as ETag.
fn buyer_response(status: StatusCode, buyer: &Buyer) -> HttpResponse {
    let mut response = json(status, buyer);
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", buyer.version)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// `POST .../buyers` — any API client: creates the buyer, or returns it unchanged (200), or 409.
async fn upsert_buyer(
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    let body = JsonBody::parse(&body)?;
    run(&req, &state, &client, body.fingerprint(), async |tx| {
        let (vat, details) = body.to::<RawBuyer>()?.parse()?;
        match buyers::upsert(tx, &path, vat, details).await? {
            Upserted::Created(buyer) => {
                let mut response = buyer_response(StatusCode::CREATED, &buyer);
                let location = format!("/v1/partners/{}/buyers/{}", buyer.seller_id, buyer.uuid);
                if let Ok(location) = HeaderValue::from_str(&location) {
                    response.headers_mut().insert(header::LOCATION, location);
                }
                Ok(response)
            }
            Upserted::Unchanged(buyer) => Ok(buyer_response(StatusCode::OK, &buyer)),
        }
    })
    .await
}

/// `GET .../buyers/{buyerId}` — any API client.
async fn get_buyer(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (seller_id, buyer_id) = path.into_inner();
    let buyer = buyers::get(&state.db, &seller_id, &buyer_id).await?;
    Ok(buyer_response(StatusCode::OK, &buyer))
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    q: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// `GET .../buyers?status=&q=` — any API client: newest first.
async fn list_buyers(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, Error> {
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(text) => Some(BuyerStatus::parse(text).ok_or_else(|| {
            Error::invalid(
                "status",
                Rule::OneOf {
                    allowed: vec!["ACTIVE".into(), "BLOCKED".into()],
                },
            )
        })?),
    };
    let filter = BuyerFilter {
        status,
        search: query.q.as_deref().and_then(SearchText::parse),
        ..BuyerFilter::default()
    };
    let page = buyers::list(
        &state.db,
        &path,
        &filter,
        &Page::parse(query.limit, query.cursor.as_deref())?,
    )
    .await?;
    Ok(json(StatusCode::OK, &Listing::new(page)))
}

/// The version the caller based a change on: `version` in the body, or `If-Match: "<version>"`.
fn expected_version(req: &HttpRequest, body: &serde_json::Value) -> Result<i64, Error> {
    if let Some(version) = body.get("version") {
        return version
            .as_i64()
            .filter(|v| *v >= 0)
            .ok_or_else(|| Error::invalid("version", Rule::Version));
    }
    let header = req
        .headers()
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok());
    match header {
        Some(text) => text
            .trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .parse::<i64>()
            .map_err(|_| Error::invalid("If-Match", Rule::IfMatch)),
        None => Err(Error::invalid("version", Rule::VersionRequired)),
    }
}

/// `PATCH .../buyers/{buyerId}` — any API client: merge patch with the caller's version.
async fn patch_buyer(
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    let body = JsonBody::parse(&body)?;
    let (seller_id, buyer_id) = path.into_inner();
    let if_match = req
        .headers()
        .get(header::IF_MATCH)
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let fingerprint = crate::idempotency::fingerprint(&[body.canonical.as_bytes(), &if_match]);
    run(&req, &state, &client, fingerprint, async |tx| {
        let version = expected_version(&req, &body.value)?;
        let buyer = buyers::update(tx, &seller_id, &buyer_id, version, &body.value).await?;
        Ok(buyer_response(StatusCode::OK, &buyer))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockRequest {
    reason: Option<String>,
}

/// `POST .../block` — any API client: `{reason}` required.
async fn block_buyer(
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    let body = JsonBody::parse(&body)?;
    let (seller_id, buyer_id) = path.into_inner();
    run(&req, &state, &client, body.fingerprint(), async |tx| {
        let input: BlockRequest = body.to()?;
        let reason = buyers::parse_block_reason(input.reason.as_deref())?;
        let buyer = buyers::block(tx, &seller_id, &buyer_id, reason).await?;
        Ok(buyer_response(StatusCode::OK, &buyer))
    })
    .await
}

/// `POST .../unblock` — any API client.
async fn unblock_buyer(
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    let body = JsonBody::parse(&body)?;
    let (seller_id, buyer_id) = path.into_inner();
    run(&req, &state, &client, body.fingerprint(), async |tx| {
        let buyer = buyers::unblock(tx, &seller_id, &buyer_id).await?;
        Ok(buyer_response(StatusCode::OK, &buyer))
    })
    .await
}

/// `GET .../buyers/{buyerId}/history` — any API client: audit entries, newest first.
async fn buyer_history(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, Error> {
    let (seller_id, buyer_id) = path.into_inner();
    let page = buyers::history(&state.db, &seller_id, &buyer_id, &query.page()?).await?;
    Ok(json(StatusCode::OK, &Listing::new(page)))
}
