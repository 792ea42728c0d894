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
use crate::http::error::ProblemDocument;
use crate::invitations::InvitationView;
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
#[utoipa::path(
    post,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/kyc/self-service-invitations",
    tag = "Invitations",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    request_body(content = RawInvitation, content_type = "application/json"),
    responses(
        (status = 201, description = "The invitation with its link", body = InvitationView, headers(("Location" = String, description = "Where the new resource is"))),
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
pub(super) async fn create_invitation(
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
#[utoipa::path(
    get,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/kyc/self-service-invitations",
    tag = "Invitations",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Page size, 1 to 200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses(
        (status = 200, description = "Invitations, newest first", body = Listing<InvitationView>),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn list_invitations(
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
#[utoipa::path(
    get,
    path = "/v1/invitations/{id}",
    tag = "Invitations",
    params(
        ("id" = String, Path, description = "The invitation (inv_...)"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer: 304 while nothing changed"),
    ),
    responses(
        (status = 200, description = "The invitation", body = InvitationView, headers(("ETag" = String, description = "The entity tag of the body"))),
        (status = 304, description = "Not modified", headers(("ETag" = String, description = "The entity tag of the body"))),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn get_invitation(
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
#[utoipa::path(
    post,
    path = "/v1/invitations/{id}/revoke",
    tag = "Invitations",
    params(
        ("id" = String, Path, description = "The invitation (inv_...)"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    responses(
        (status = 200, description = "The revoked invitation", body = InvitationView),
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
pub(super) async fn revoke_invitation(
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
#[utoipa::path(
    post,
    path = "/v1/invitations/{id}/resend",
    tag = "Invitations",
    params(
        ("id" = String, Path, description = "The invitation (inv_...)"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    responses(
        (status = 202, description = "The invitation; its email is queued", body = InvitationView),
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
pub(super) async fn resend_invitation(
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
#[utoipa::path(
    get,
    path = "/v1/invitations/{id}/qr.svg",
    tag = "Invitations",
    params(
        ("id" = String, Path, description = "The invitation (inv_...)"),
    ),
    responses(
        (status = 200, description = "The link as an SVG QR code", content_type = "image/svg+xml", body = Vec<u8>),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn qr_svg(
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
pub(super) struct PngQuery {
    size: Option<u32>,
}

/// `GET /v1/invitations/{id}/qr.png?size=N` — any API client: N pixels wide (default 512).
#[utoipa::path(
    get,
    path = "/v1/invitations/{id}/qr.png",
    tag = "Invitations",
    params(
        ("id" = String, Path, description = "The invitation (inv_...)"),
        ("size" = Option<u32>, Query, minimum = 64, maximum = 4096, description = "Width in pixels, 64 to 4096 (default 512)"),
    ),
    responses(
        (status = 200, description = "The link as a PNG QR code", content_type = "image/png", body = Vec<u8>),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn qr_png(
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
