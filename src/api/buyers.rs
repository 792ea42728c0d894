//! `/v1/partners/{sellerId}/buyers`: upsert, read, list, patch, block, unblock, history.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::body::JsonBody;
use super::conditional::{self, expected_version};
use super::idempotent::run;
use super::json;
use super::partners::PageQuery;
use super::query::{NoParameters, Query};
use crate::api_tokens::ApiClient;
use crate::audit::AuditEntry;
use crate::buyers::{
    self, Buyer, BuyerFilter, BuyerSort, BuyerStatus, KycMode, RawBuyer, SearchText, Upserted,
};
use crate::db::Timestamp;
use crate::errors::{Error, Rule};
use crate::http::error::ProblemDocument;
use crate::kyc::status::OverallStatus;
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
    if let Ok(etag) = HeaderValue::from_str(&conditional::version_tag(buyer.version)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

/// `POST .../buyers` — any API client: creates the buyer, or returns it unchanged (200), or 409.
#[utoipa::path(
    post,
    path = "/v1/partners/{sellerId}/buyers",
    tag = "Buyers",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    request_body(content = RawBuyer, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = Buyer, headers(("Location" = String, description = "Where the new resource is"), ("ETag" = String, description = "The entity tag of the body"))),
        (status = 200, description = "The same buyer existed with the same details: nothing changed", body = Buyer, headers(("ETag" = String, description = "The entity tag of the body"))),
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
pub(super) async fn upsert_buyer(
    _query: Query<NoParameters>,
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

/// `GET .../buyers/{buyerId}` — any API client; 304 for a current `If-None-Match`.
#[utoipa::path(
    get,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}",
    tag = "Buyers",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer: 304 while nothing changed"),
    ),
    responses(
        (status = 200, description = "The buyer", body = Buyer, headers(("ETag" = String, description = "The entity tag of the body"))),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match", headers(("ETag" = String, description = "The entity tag of the body"))),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn get_buyer(
    _query: Query<NoParameters>,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (seller_id, buyer_id) = path.into_inner();
    let buyer = buyers::get(&state.db, &seller_id, &buyer_id).await?;
    let etag = conditional::version_tag(buyer.version);
    conditional::fresh_json(&req, &buyer, Some(etag))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ListQuery {
    status: Option<String>,
    q: Option<String>,
    kyc_mode: Option<String>,
    overall_status: Option<String>,
    updated_since: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// An optional query value that must be one of `allowed` (empty counts as absent).
fn one_of<T>(
    field: &str,
    text: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    allowed: &[&str],
) -> Result<Option<T>, Error> {
    match text {
        None | Some("") => Ok(None),
        Some(text) => parse(text).map(Some).ok_or_else(|| {
            Error::invalid(
                field,
                Rule::OneOf {
                    allowed: allowed.iter().map(|a| (*a).to_owned()).collect(),
                },
            )
        }),
    }
}

impl ListQuery {
    fn filter(&self) -> Result<BuyerFilter, Error> {
        let overall = OverallStatus::ALL.map(OverallStatus::as_str);
        Ok(BuyerFilter {
            status: one_of(
                "status",
                self.status.as_deref(),
                BuyerStatus::parse,
                &["ACTIVE", "BLOCKED"],
            )?,
            search: self.q.as_deref().and_then(SearchText::parse),
            kyc_mode: one_of(
                "kycMode",
                self.kyc_mode.as_deref(),
                KycMode::parse,
                &["MARKETPLACE_LED", "NT24_LED"],
            )?,
            kyc_status: one_of(
                "overallStatus",
                self.overall_status.as_deref(),
                OverallStatus::parse,
                &overall,
            )?,
            // Unlike the other filters, an empty time is not "any": a reconciliation that
            // lost its last time must not silently read everything as changed.
            updated_since: match self.updated_since.as_deref() {
                None => None,
                Some(text) => Some(
                    Timestamp::parse_rfc3339(text)
                        .ok_or_else(|| Error::invalid("updatedSince", Rule::DateTime))?,
                ),
            },
            seller_id: None,
            // The API's lists are newest first (their cursor is a creation time).
            sort: BuyerSort::Newest,
        })
    }
}

/// `GET .../buyers?status=&q=&kycMode=&overallStatus=&updatedSince=` — any API client: newest
/// first.
#[utoipa::path(
    get,
    path = "/v1/partners/{sellerId}/buyers",
    tag = "Buyers",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("status" = Option<String>, Query, pattern = "^(ACTIVE|BLOCKED)?$", description = "ACTIVE or BLOCKED (empty: any)"),
        ("q" = Option<String>, Query, description = "Part of the company name or the VAT number"),
        ("kycMode" = Option<String>, Query, pattern = "^(MARKETPLACE_LED|NT24_LED)?$", description = "MARKETPLACE_LED or NT24_LED (empty: any)"),
        ("overallStatus" = Option<String>, Query, pattern = "^(PENDING|VALID|INVALID|BLOCKED)?$", description = "PENDING, VALID, INVALID or BLOCKED (empty: any)"),
        ("updatedSince" = Option<String>, Query, format = DateTime, description = "Only buyers changed at or after this RFC 3339 time"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Page size, 1 to 200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses(
        (status = 200, description = "Buyers, newest first", body = Listing<Buyer>),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn list_buyers(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: Query<ListQuery>,
) -> Result<HttpResponse, Error> {
    let filter = query.filter()?;
    let page = buyers::list(
        &state.db,
        &path,
        &filter,
        &Page::parse(query.limit, query.cursor.as_deref())?,
    )
    .await?;
    Ok(json(StatusCode::OK, &Listing::new(page)))
}

/// `PATCH .../buyers/{buyerId}` — any API client: merge patch with the caller's version.
#[utoipa::path(
    patch,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}",
    tag = "Buyers",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
        ("If-Match" = Option<String>, Header, pattern = "^((W/)?\"?[0-9]{1,18}\"?)?$", description = "The version the change is based on, written \"3\" (instead of version in the body; empty: none)"),
    ),
    request_body(content = BuyerPatch, content_type = "application/json", description = "A JSON merge patch of companyName, address, contacts and kycMode, with version"),
    responses(
        (status = 200, description = "The changed buyer", body = Buyer, headers(("ETag" = String, description = "The entity tag of the body"))),
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
pub(super) async fn patch_buyer(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    let body = JsonBody::parse_patch(&body)?;
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

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct BlockRequest {
    #[schema(value_type = String, required = true, nullable = false, min_length = 1, max_length = 1000, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    reason: Option<String>,
}

/// A buyer's PATCH body, as the OpenAPI document describes it: a JSON merge patch (RFC 7386).
#[allow(dead_code)]
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct BuyerPatch {
    /// The version the change is based on (or `If-Match`).
    #[schema(nullable = false, minimum = 0)]
    version: Option<i64>,
    /// Registered company name.
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    company_name: Option<String>,
    /// Fields of the address to change.
    #[schema(nullable = false)]
    address: Option<crate::buyers::RawAddress>,
    /// The whole list of contacts.
    #[schema(nullable = false, max_items = 20)]
    contacts: Option<Vec<crate::buyers::RawContact>>,
    /// MARKETPLACE_LED may become NT24_LED, never back.
    #[schema(nullable = false)]
    kyc_mode: Option<KycMode>,
}

/// `POST .../block` — any API client: `{reason}` required.
#[utoipa::path(
    post,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/block",
    tag = "Buyers",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    request_body(content = BlockRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The blocked buyer", body = Buyer, headers(("ETag" = String, description = "The entity tag of the body"))),
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
pub(super) async fn block_buyer(
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
        let input: BlockRequest = body.to()?;
        let reason = buyers::parse_block_reason(input.reason.as_deref())?;
        let buyer = buyers::block(tx, &seller_id, &buyer_id, reason).await?;
        Ok(buyer_response(StatusCode::OK, &buyer))
    })
    .await
}

/// `POST .../unblock` — any API client.
#[utoipa::path(
    post,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/unblock",
    tag = "Buyers",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    responses(
        (status = 200, description = "The active buyer", body = Buyer, headers(("ETag" = String, description = "The entity tag of the body"))),
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
pub(super) async fn unblock_buyer(
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
        let buyer = buyers::unblock(tx, &seller_id, &buyer_id).await?;
        Ok(buyer_response(StatusCode::OK, &buyer))
    })
    .await
}

/// `GET .../buyers/{buyerId}/history` — any API client: audit entries, newest first.
#[utoipa::path(
    get,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/history",
    tag = "Buyers",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
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
pub(super) async fn buyer_history(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, Error> {
    let (seller_id, buyer_id) = path.into_inner();
    let page = buyers::history(&state.db, &seller_id, &buyer_id, &query.page()?).await?;
    Ok(json(StatusCode::OK, &Listing::new(page)))
}
