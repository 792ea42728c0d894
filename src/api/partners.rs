//! `/v1/partners`: sellers.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::body::JsonBody;
use super::idempotent::run;
use super::json;
use super::query::{NoParameters, Query};
use crate::access::SellerScope;
use crate::api_tokens::ApiClient;
use crate::errors::{Error, Forbidden};
use crate::http::error::ProblemDocument;
use crate::pagination::{Listing, Page};
use crate::partners;
use crate::partners::Seller;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/partners")
            .route(web::post().to(create_seller))
            .route(web::get().to(list_sellers)),
    )
    .service(web::resource("/partners/{sellerId}").route(web::get().to(get_seller)));
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewSeller {
    #[schema(value_type = String, required = true, nullable = false, min_length = 1, max_length = 200, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    name: Option<String>,
}

/// Query of every listing: page size and cursor.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PageQuery {
    limit: Option<u32>,
    cursor: Option<String>,
}

impl PageQuery {
    pub(super) fn page(&self) -> Result<Page, Error> {
        Page::parse(self.limit, self.cursor.as_deref())
    }
}

/// `POST /v1/partners` — organisation API clients: creates a seller. A seller's token may not
/// make other sellers.
#[utoipa::path(
    post,
    path = "/v1/partners",
    tag = "Sellers",
    params(
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    request_body(content = NewSeller, content_type = "application/json"),
    responses(
        (status = 201, description = "The seller", body = Seller, headers(("Location" = String, description = "Where the new resource is"))),
        (status = 400, description = "The request could not be read (broken JSON or form)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "The token may not do this", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The request contradicts the current state", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "The body is not of a content type this operation reads", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn create_seller(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    if client.scope != SellerScope::Organisation {
        return Err(Error::Forbidden(Forbidden::SellerTokenCreatesSeller));
    }
    let body = JsonBody::parse(&body)?;
    run(&req, &state, &client, body.fingerprint(), async |tx| {
        let input: NewSeller = body.to()?;
        let name = partners::parse_name(input.name.as_deref())?;
        let seller = partners::create(tx, name).await?;
        let mut response = json(StatusCode::CREATED, &seller);
        if let Ok(location) =
            header::HeaderValue::from_str(&format!("/v1/partners/{}", seller.uuid))
        {
            response.headers_mut().insert(header::LOCATION, location);
        }
        Ok(response)
    })
    .await
}

/// `GET /v1/partners/{sellerId}` — any API client (a seller's token reaches its own only: the
/// token check answers 404 for the others).
#[utoipa::path(
    get,
    path = "/v1/partners/{sellerId}",
    tag = "Sellers",
    params(
        ("sellerId" = String, Path, description = "The seller"),
    ),
    responses(
        (status = 200, description = "The seller", body = Seller),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn get_seller(
    _query: Query<NoParameters>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let seller = partners::get(&state.db, &path).await?;
    Ok(json(StatusCode::OK, &seller))
}

/// `GET /v1/partners` — any API client: sellers within its reach, newest first.
#[utoipa::path(
    get,
    path = "/v1/partners",
    tag = "Sellers",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Page size, 1 to 200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses(
        (status = 200, description = "Sellers within the token's reach, newest first", body = Listing<Seller>),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn list_sellers(
    client: ApiClient,
    state: web::Data<AppState>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, Error> {
    let page = partners::list(&state.db, &client.scope, &query.page()?).await?;
    Ok(json(StatusCode::OK, &Listing::new(page)))
}
