//! Self-service invitations: create, list, read, revoke, resend, QR codes.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::body::JsonBody;
use super::conditional;
use super::idempotent::run;
use super::json;
use super::partners::PageQuery;
use super::query::{NoParameters, Query};
use crate::api_tokens::ApiClient;
use crate::errors::{Error, Rule};
use crate::invitations::{self, RawInvitation, qr};
use crate::organisation;
use crate::pagination::Listing;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/kyc/self-service-invitations")
            .route(web::post().to(create_invitation))
            .route(web::get().to(list_invitations)),
    )
    .service(web::resource("/invitations/{id}").route(web::get().to(get_invitation)))
    .service(web::resource("/invitations/{id}/revoke").route(web::post().to(revoke_invitation)))
    .service(web::resource("/invitations/{id}/resend").route(web::post().to(resend_invitation)))
    .service(web::resource("/invitations/{id}/qr.svg").route(web::get().to(qr_svg)))
    .service(web::resource("/invitations/{id}/qr.png").route(web::get().to(qr_png)));
}

/// `POST .../kyc/self-service-invitations` — any API client: 201 with the link; the email is
/// sent in the background.
async fn create_invitation(
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
        let defaults = organisation::load(&state.db).await?;
        let new = body.to::<RawInvitation>()?.parse(&defaults)?;
        let view = invitations::create(tx, state.links(), &seller_id, &buyer_id, new).await?;
        let mut response = json(StatusCode::CREATED, &view);
        if let Ok(location) = HeaderValue::from_str(&format!("/v1/invitations/{}", view.uuid)) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        Ok(response)
    })
    .await
}

/// `GET .../kyc/self-service-invitations` — any API client: newest first.
async fn list_invitations(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, Error> {
    let (seller_id, buyer_id) = path.into_inner();
    let page = invitations::list(
        &state.db,
        state.links(),
        &seller_id,
        &buyer_id,
        &query.page()?,
    )
    .await?;
    Ok(json(StatusCode::OK, &Listing::new(page)))
}

/// `GET /v1/invitations/{id}` — any API client; 304 for a current `If-None-Match`.
async fn get_invitation(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let view = invitations::get(&state.db, &client.scope, state.links(), &path).await?;
    conditional::fresh_json(&req, &view, None)
}

/// `POST /v1/invitations/{id}/revoke` — any API client: the link stops working at once.
async fn revoke_invitation(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    let body = JsonBody::parse(&body)?;
    run(&req, &state, &client, body.fingerprint(), async |tx| {
        let view = invitations::revoke(tx, &client.scope, state.links(), &path).await?;
        Ok(json(StatusCode::OK, &view))
    })
    .await
}

/// `POST /v1/invitations/{id}/resend` — any API client: the same link, emailed again.
async fn resend_invitation(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    let body = JsonBody::parse(&body)?;
    run(&req, &state, &client, body.fingerprint(), async |tx| {
        let view = invitations::resend(tx, &client.scope, state.links(), &path).await?;
        Ok(json(StatusCode::ACCEPTED, &view))
    })
    .await
}

/// `GET /v1/invitations/{id}/qr.svg` — any API client: the link as a QR code, for print.
async fn qr_svg(
    _query: Query<NoParameters>,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let link = invitations::link(&state.db, &client.scope, state.links(), &path).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(qr::svg(&link)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PngQuery {
    size: Option<u32>,
}

/// `GET /v1/invitations/{id}/qr.png?size=N` — any API client: N pixels wide (default 512).
async fn qr_png(
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: Query<PngQuery>,
) -> Result<HttpResponse, Error> {
    let size = query.size.unwrap_or(512);
    if !qr::PNG_SIZES.contains(&size) {
        return Err(Error::invalid(
            "size",
            Rule::Between {
                min: i64::from(*qr::PNG_SIZES.start()),
                max: i64::from(*qr::PNG_SIZES.end()),
            },
        ));
    }
    let link = invitations::link(&state.db, &client.scope, state.links(), &path).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/png")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(qr::png(&link, size)?))
}
