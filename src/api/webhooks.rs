//! `/v1/webhook-endpoints`: subscriptions, their deliveries, manual redelivery.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::body::JsonBody;
use super::idempotent::run;
use super::json;
use super::partners::PageQuery;
use super::query::{NoParameters, Query};
use crate::api_tokens::ApiClient;
use crate::errors::Error;
use crate::http::error::ProblemDocument;
use crate::pagination::Listing;
use crate::state::AppState;
use crate::webhooks::{self, WebhookUrl};
use crate::webhooks::{CreatedEndpoint, Delivery, WebhookEndpoint};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/webhook-endpoints")
            .route(web::post().to(create_endpoint))
            .route(web::get().to(list_endpoints)),
    )
    .service(
        web::resource("/webhook-endpoints/{endpointId}")
            .route(web::get().to(get_endpoint))
            .route(web::delete().to(delete_endpoint)),
    )
    .service(
        web::resource("/webhook-endpoints/{endpointId}/deliveries")
            .route(web::get().to(list_deliveries)),
    )
    .service(
        web::resource("/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/redeliver")
            .route(web::post().to(redeliver)),
    );
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewEndpoint {
    /// An absolute http or https URL of a public host.
    #[schema(value_type = String, required = true, nullable = false, format = "uri", max_length = 2000, pattern = "^https?://")]
    url: Option<String>,
    /// The event types to receive.
    #[schema(schema_with = crate::webhooks::events_json_schema, required = true)]
    events: Option<Vec<String>>,
}

/// `POST /v1/webhook-endpoints` — any API client: `{url, events}`; 201 with the secret, shown
/// this once. A seller's token makes an endpoint that receives that seller's events only.
#[utoipa::path(
    post,
    path = "/v1/webhook-endpoints",
    tag = "Webhooks",
    params(
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    request_body(content = NewEndpoint, content_type = "application/json"),
    responses(
        (status = 201, description = "The endpoint with its secret, shown this once", body = CreatedEndpoint, headers(("Location" = String, description = "Where the new resource is"))),
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
pub(super) async fn create_endpoint(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    let body = JsonBody::parse(&body)?;
    run(&req, &state, &client, body.fingerprint(), async |tx| {
        let input: NewEndpoint = body.to()?;
        let url = WebhookUrl::parse(input.url.as_deref());
        let events = webhooks::parse_events(input.events.as_deref());
        let (url, events) = match (url, events) {
            (Ok(url), Ok(events)) => (url, events),
            (url, events) => {
                let mut errors = Vec::new();
                for e in [url.err(), events.err()].into_iter().flatten() {
                    if let Error::Invalid(mut list) = e {
                        errors.append(&mut list);
                    }
                }
                return Err(Error::Invalid(errors));
            }
        };
        let created = webhooks::create(
            tx,
            &client.scope,
            state.webhook_policy(),
            &state.webhook_seal,
            url,
            events,
        )
        .await?;
        let mut response = json(StatusCode::CREATED, &created);
        let location = format!("/v1/webhook-endpoints/{}", created.endpoint.id);
        if let Ok(location) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        Ok(response)
    })
    .await
}

/// `GET /v1/webhook-endpoints` — any API client: newest first, without secrets.
#[utoipa::path(
    get,
    path = "/v1/webhook-endpoints",
    tag = "Webhooks",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Page size, 1 to 200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses(
        (status = 200, description = "Endpoints, newest first", body = Listing<WebhookEndpoint>),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn list_endpoints(
    client: ApiClient,
    state: web::Data<AppState>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, Error> {
    let page = webhooks::list(&state.db, &client.scope, &query.page()?).await?;
    Ok(json(StatusCode::OK, &Listing::new(page)))
}

/// `GET /v1/webhook-endpoints/{endpointId}` — any API client: without the secret.
#[utoipa::path(
    get,
    path = "/v1/webhook-endpoints/{endpointId}",
    tag = "Webhooks",
    params(
        ("endpointId" = String, Path, description = "The webhook endpoint"),
    ),
    responses(
        (status = 200, description = "The endpoint", body = WebhookEndpoint),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn get_endpoint(
    _query: Query<NoParameters>,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let endpoint = webhooks::get(&state.db, &client.scope, &path).await?;
    Ok(json(StatusCode::OK, &endpoint))
}

/// `DELETE /v1/webhook-endpoints/{endpointId}` — any API client: 204; nothing more is sent.
#[utoipa::path(
    delete,
    path = "/v1/webhook-endpoints/{endpointId}",
    tag = "Webhooks",
    params(
        ("endpointId" = String, Path, description = "The webhook endpoint"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    responses(
        (status = 204, description = "Deleted"),
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
pub(super) async fn delete_endpoint(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    // Through the idempotent path like every write: a retry with the same key gets the
    // first 204 again rather than a 404.
    let fingerprint = crate::idempotency::fingerprint(&[b"DELETE"]);
    run(&req, &state, &client, fingerprint, async |tx| {
        webhooks::delete(tx, &client.scope, &path).await?;
        Ok(HttpResponse::NoContent().finish())
    })
    .await
}

/// `GET .../deliveries` — any API client: each delivery with every attempt, newest first.
#[utoipa::path(
    get,
    path = "/v1/webhook-endpoints/{endpointId}/deliveries",
    tag = "Webhooks",
    params(
        ("endpointId" = String, Path, description = "The webhook endpoint"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Page size, 1 to 200 (default 50)"),
        ("cursor" = Option<String>, Query, description = "nextCursor of the previous page"),
    ),
    responses(
        (status = 200, description = "Deliveries, newest first", body = Listing<Delivery>),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn list_deliveries(
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, Error> {
    let page = webhooks::deliveries(&state.db, &client.scope, &path, &query.page()?).await?;
    Ok(json(StatusCode::OK, &Listing::new(page)))
}

/// `POST .../deliveries/{deliveryId}/redeliver` — any API client: 202; a new round of
/// attempts starts now.
#[utoipa::path(
    post,
    path = "/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/redeliver",
    tag = "Webhooks",
    params(
        ("endpointId" = String, Path, description = "The webhook endpoint"),
        ("deliveryId" = String, Path, description = "The delivery"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    responses(
        (status = 202, description = "The delivery, queued again", body = Delivery),
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
pub(super) async fn redeliver(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    let body = JsonBody::parse(&body)?;
    let (endpoint_id, delivery_id) = path.into_inner();
    run(&req, &state, &client, body.fingerprint(), async |tx| {
        let delivery = webhooks::redeliver(tx, &client.scope, &endpoint_id, &delivery_id).await?;
        Ok(json(StatusCode::ACCEPTED, &delivery))
    })
    .await
}
