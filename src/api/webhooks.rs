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
use crate::pagination::Listing;
use crate::state::AppState;
use crate::webhooks::{self, WebhookUrl};
use crate::write;

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewEndpoint {
    url: Option<String>,
    events: Option<Vec<String>>,
}

/// `POST /v1/webhook-endpoints` — any API client: `{url, events}`; 201 with the secret, shown
/// this once. A seller's token makes an endpoint that receives that seller's events only.
async fn create_endpoint(
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
async fn list_endpoints(
    client: ApiClient,
    state: web::Data<AppState>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, Error> {
    let page = webhooks::list(&state.db, &client.scope, &query.page()?).await?;
    Ok(json(StatusCode::OK, &Listing::new(page)))
}

/// `GET /v1/webhook-endpoints/{endpointId}` — any API client: without the secret.
async fn get_endpoint(
    _query: Query<NoParameters>,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let endpoint = webhooks::get(&state.db, &client.scope, &path).await?;
    Ok(json(StatusCode::OK, &endpoint))
}

/// `DELETE /v1/webhook-endpoints/{endpointId}` — any API client: 204; nothing more is sent.
async fn delete_endpoint(
    _query: Query<NoParameters>,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    write::apply(&state.db, client.actor(), async |tx| {
        webhooks::delete(tx, &client.scope, &path).await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET .../deliveries` — any API client: each delivery with every attempt, newest first.
async fn list_deliveries(
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
async fn redeliver(
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
