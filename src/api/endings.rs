//! `/v1/partners/{sellerId}/buyers/{buyerId}/end` and `/reopen`: the end of the business
//! relationship with a buyer, which starts the retention period of its records.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::body::JsonBody;
use super::conditional;
use super::idempotent::run;
use super::json;
use super::query::{NoParameters, Query};
use crate::api_tokens::ApiClient;
use crate::buyers::{self, Buyer, Ending};
use crate::db::now;
use crate::errors::Error;
use crate::http::error::ProblemDocument;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/end")
            .route(web::post().to(end_relationship)),
    )
    .service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/reopen")
            .route(web::post().to(reopen_relationship)),
    );
}

fn buyer_response(buyer: &Buyer) -> HttpResponse {
    let mut response = json(StatusCode::OK, buyer);
    if let Ok(etag) = HeaderValue::from_str(&conditional::version_tag(buyer.version)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    response
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EndRequest {
    /// When the relationship ended (RFC 3339, not in the future; now when absent).
    #[schema(value_type = Option<String>, format = DateTime, nullable = false)]
    ended_at: Option<String>,
    /// Why it ended.
    #[schema(value_type = String, required = true, nullable = false, min_length = 1, max_length = 1000, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    reason: Option<String>,
}

impl EndRequest {
    fn ending(&self) -> Result<Ending, Error> {
        Ending::parse(self.ended_at.as_deref(), self.reason.as_deref(), now())
    }
}

/// `POST .../end` — any API client: `{endedAt?, reason}`; ending an ended buyer changes nothing.
#[utoipa::path(
    post,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/end",
    tag = "Buyers",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    request_body(content = EndRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The buyer, its relationship ended: no new invitations, uploads or checks, its links answer 410, and its retention period runs", body = Buyer, headers(("ETag" = String, description = "The entity tag of the body"))),
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
pub(super) async fn end_relationship(
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
        let input: EndRequest = body.to()?;
        let buyer = buyers::end(tx, &seller_id, &buyer_id, input.ending()?).await?;
        Ok(buyer_response(&buyer))
    })
    .await
}

/// `POST .../reopen` — any API client: the relationship goes on; reopening an open one
/// changes nothing.
#[utoipa::path(
    post,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/reopen",
    tag = "Buyers",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    responses(
        (status = 200, description = "The buyer, its relationship going on", body = Buyer, headers(("ETag" = String, description = "The entity tag of the body"))),
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
pub(super) async fn reopen_relationship(
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
        let buyer = buyers::reopen(tx, &seller_id, &buyer_id).await?;
        Ok(buyer_response(&buyer))
    })
    .await
}
