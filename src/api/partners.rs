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
use crate::pagination::{Listing, Page};
use crate::partners;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/partners")
            .route(web::post().to(create_seller))
            .route(web::get().to(list_sellers)),
    )
    .service(web::resource("/partners/{sellerId}").route(web::get().to(get_seller)));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSeller {
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
async fn create_seller(
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
async fn get_seller(
    _query: Query<NoParameters>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let seller = partners::get(&state.db, &path).await?;
    Ok(json(StatusCode::OK, &seller))
}

/// `GET /v1/partners` — any API client: sellers within its reach, newest first.
async fn list_sellers(
    client: ApiClient,
    state: web::Data<AppState>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, Error> {
    let page = partners::list(&state.db, &client.scope, &query.page()?).await?;
    Ok(json(StatusCode::OK, &Listing::new(page)))
}
