//! Webhooks: seller systems subscribe endpoints to event types and receive every event of
//! those types, signed per the Standard Webhooks spec, at least once. Events come from the
//! outbox (`events`): a dispatch job fans each out into deliveries, and each delivery's job
//! makes attempts until the receiver answers 2xx or the attempts run out.

mod delivery;
mod dispatch;
mod model;
mod signature;
mod store;
mod target;

use std::time::Duration;

use serde::Serialize;
use serde_json::json;

pub use crate::events::DISPATCH_JOB;
pub use delivery::DeliverJob;
pub use dispatch::DispatchJob;
pub use model::{
    Delivery, DeliveryAttempt, DeliveryStatus, WebhookEndpoint, WebhookUrl, events_json_schema,
    parse_events,
};
pub use signature::{WebhookSecret, secret_seal};
pub use target::{NetworkPolicy, is_internal};

use crate::access::SellerScope;
use crate::audit::Subject;
use crate::db::{Db, now};
use crate::errors::{Error, Rule};
use crate::events::EventType;
use crate::jobs;
use crate::pagination::{Cursor, Page};
use crate::seal::Seal;
use crate::write::WriteTx;

/// The job kind that makes a delivery's attempts.
pub const DELIVER_JOB: &str = "webhooks.deliver";

/// How deliveries are made.
#[derive(Debug, Clone)]
pub struct DeliveryOptions {
    /// How long a receiver may take to answer.
    pub timeout: Duration,
    /// Attempts per round before a delivery is FAILED (a manual redelivery starts a new round).
    pub max_attempts: i64,
}

impl Default for DeliveryOptions {
    fn default() -> DeliveryOptions {
        DeliveryOptions {
            timeout: Duration::from_secs(10),
            // With the worker's backoff (5 s doubling to 1 h) this spans about a day.
            max_attempts: 30,
        }
    }
}

/// A new endpoint, the only time its secret is shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedEndpoint {
    /// The endpoint.
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    /// Its signing secret, `whsec_...`.
    pub secret: String,
}

/// Registers an endpoint for `events`; it receives the events that happen from now on, of
/// the scope's seller only when the scope is one seller's.
pub async fn create(
    tx: &mut WriteTx,
    scope: &SellerScope,
    policy: NetworkPolicy,
    seal: &Seal,
    url: WebhookUrl,
    events: Vec<EventType>,
) -> Result<CreatedEndpoint, Error> {
    let parsed = url
        .url()
        .ok_or_else(|| Error::invalid("url", Rule::UrlNotAbsolute))?;
    policy.check_registration(&parsed).await?;
    let secret = WebhookSecret::generate()
        .map_err(|e| Error::Internal(anyhow::anyhow!("no random source: {e}")))?;
    let endpoint = WebhookEndpoint {
        id: uuid::Uuid::now_v7().to_string(),
        seller_id: scope.seller_id().map(str::to_owned),
        url,
        events,
        created_at: now(),
    };
    let stored = secret
        .to_stored(seal)
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("sealing a webhook secret")))?;
    store::insert_endpoint(tx.conn().await?, &endpoint, &stored).await?;
    tx.record(
        Subject::WebhookEndpoint(&endpoint.id),
        "created",
        None,
        serde_json::to_value(&endpoint).ok(),
    );
    Ok(CreatedEndpoint {
        endpoint,
        secret: secret.expose().to_owned(),
    })
}

/// Seals the secrets still stored in plain text (endpoints made before secrets were sealed);
/// run at start-up, so that a database copied away later holds none in the clear.
pub async fn seal_plain_secrets(db: &Db, seal: &Seal) -> Result<usize, Error> {
    let mut tx = db.begin_write().await?;
    let plain = store::plain_secrets(&mut tx).await?;
    for (id, secret) in &plain {
        let sealed = WebhookSecret::from_stored(secret, seal)
            .and_then(|s| s.to_stored(seal))
            .map_err(|e| {
                Error::Internal(anyhow::Error::new(e).context("sealing a webhook secret"))
            })?;
        store::reseal_secret(&mut tx, id, secret, &sealed).await?;
    }
    tx.commit().await?;
    Ok(plain.len())
}

/// One endpoint; 404 when unknown, deleted, or another seller's (a seller's scope sees the
/// endpoints made with its own tokens only).
pub async fn get(db: &Db, scope: &SellerScope, id: &str) -> Result<WebhookEndpoint, Error> {
    store::find_endpoint(db.pool(), id)
        .await?
        .filter(|endpoint| match scope.seller_id() {
            None => true,
            Some(seller) => endpoint.seller_id.as_deref() == Some(seller),
        })
        .ok_or(Error::NotFound("webhook endpoint"))
}

/// The endpoints within the scope, newest first.
pub async fn list(
    db: &Db,
    scope: &SellerScope,
    page: &Page,
) -> Result<(Vec<WebhookEndpoint>, Option<Cursor>), Error> {
    let endpoints = store::list_endpoints(db.pool(), scope.seller_id(), page).await?;
    Ok(page.split(endpoints, |e| Cursor::new(e.created_at.millis(), &e.id)))
}

/// Deletes an endpoint: nothing more is sent to it; 404 when unknown.
pub async fn delete(tx: &mut WriteTx, scope: &SellerScope, id: &str) -> Result<(), Error> {
    let endpoint = get(tx.db(), scope, id).await?;
    if !store::delete_endpoint(tx.conn().await?, id, now()).await? {
        return Err(Error::NotFound("webhook endpoint"));
    }
    tx.record(
        Subject::WebhookEndpoint(id),
        "deleted",
        serde_json::to_value(&endpoint).ok(),
        None,
    );
    Ok(())
}

/// Changes which events an endpoint receives, from now on; 404 when unknown.
pub async fn change_events(
    tx: &mut WriteTx,
    scope: &SellerScope,
    id: &str,
    events: Vec<EventType>,
) -> Result<WebhookEndpoint, Error> {
    let before = get(tx.db(), scope, id).await?;
    if !store::set_events(tx.conn().await?, id, &events).await? {
        return Err(Error::NotFound("webhook endpoint"));
    }
    let after = WebhookEndpoint {
        events,
        ..before.clone()
    };
    tx.record(
        Subject::WebhookEndpoint(id),
        "updated",
        serde_json::to_value(&before).ok(),
        serde_json::to_value(&after).ok(),
    );
    Ok(after)
}

/// An endpoint's deliveries with their attempts, newest first.
pub async fn deliveries(
    db: &Db,
    scope: &SellerScope,
    endpoint_id: &str,
    page: &Page,
) -> Result<(Vec<Delivery>, Option<Cursor>), Error> {
    get(db, scope, endpoint_id).await?;
    let mut deliveries = store::list_deliveries(db.pool(), endpoint_id, page).await?;
    for delivery in &mut deliveries {
        delivery.attempts = store::attempts(db.pool(), &delivery.id).await?;
    }
    Ok(page.split(deliveries, |d| Cursor::new(d.created_at.millis(), &d.id)))
}

/// Sends a delivery again, now, with a new round of as many attempts as the first round had
/// (same `webhook-id`).
pub async fn redeliver(
    tx: &mut WriteTx,
    scope: &SellerScope,
    endpoint_id: &str,
    delivery_id: &str,
) -> Result<Delivery, Error> {
    get(tx.db(), scope, endpoint_id).await?;
    let conn = tx.conn().await?;
    let Some(mut delivery) = store::find_delivery(&mut *conn, endpoint_id, delivery_id).await?
    else {
        return Err(Error::NotFound("delivery"));
    };
    let attempts = store::round_attempts(&mut *conn, delivery_id).await?;
    let job_id = jobs::enqueue(
        &mut *conn,
        DELIVER_JOB,
        &json!({ "deliveryId": delivery_id }),
        attempts,
    )
    .await?;
    store::restart_delivery(&mut *conn, delivery_id, &job_id).await?;
    delivery.status = DeliveryStatus::Pending;
    delivery.succeeded_at = None;
    delivery.next_attempt_at = Some(now());
    delivery.attempts = store::attempts(&mut *conn, delivery_id).await?;
    Ok(delivery)
}
