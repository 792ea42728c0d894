//! One attempt to deliver an event to an endpoint, per the Standard Webhooks spec: a POST of
//! `{type, timestamp, data}` with `webhook-id` (the event's id, the same on every attempt),
//! `webhook-timestamp` (this attempt's time) and `webhook-signature`. Anything but a 2xx within
//! the timeout is a failed attempt, retried with backoff by the job queue; redirects are not
//! followed. Every attempt is logged.

use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use super::model::DeliveryAttempt;
use super::store::{self, Outgoing};
use crate::db::{Db, now};
use crate::jobs::{JobError, JobHandler};

/// Runs `webhooks.deliver` jobs: `{"deliveryId": ...}`.
pub struct DeliverJob {
    db: Db,
    http: reqwest::Client,
}

impl DeliverJob {
    /// A sender whose attempts give up after `timeout`.
    pub fn new(db: Db, timeout: Duration) -> Result<DeliverJob, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("kyc-portal-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(DeliverJob { db, http })
    }

    async fn deliver(&self, payload: &Value) -> Result<(), JobError> {
        let delivery_id = payload["deliveryId"]
            .as_str()
            .ok_or_else(|| JobError::Permanent("the job names no deliveryId".into()))?;
        let outgoing = store::outgoing(self.db.pool(), delivery_id)
            .await
            .map_err(database)?
            .ok_or_else(|| JobError::Permanent(format!("delivery {delivery_id} does not exist")))?;
        if outgoing.endpoint_deleted || outgoing.succeeded {
            return Ok(());
        }
        let (attempt, accepted) = self.attempt(&outgoing).await;
        let mut tx = self.db.begin_write().await.map_err(database)?;
        store::record_attempt(&mut tx, delivery_id, &attempt, accepted)
            .await
            .map_err(database)?;
        tx.commit().await.map_err(database)?;
        match attempt.error {
            None => Ok(()),
            Some(error) => Err(JobError::Retry(error)),
        }
    }

    /// Sends once; the logged attempt and whether the receiver accepted it.
    async fn attempt(&self, outgoing: &Outgoing) -> (DeliveryAttempt, bool) {
        let data: Value = serde_json::from_str(&outgoing.data).unwrap_or(Value::Null);
        let body = json!({
            "type": outgoing.event_type,
            "timestamp": outgoing.occurred_at,
            "data": data,
        })
        .to_string();
        let attempted_at = now();
        let timestamp = attempted_at.millis().div_euclid(1000);
        let signature = outgoing
            .secret
            .sign(&outgoing.event_id, timestamp, body.as_bytes());
        let started = Instant::now();
        let sent = self
            .http
            .post(&outgoing.url)
            .header("content-type", "application/json")
            .header("webhook-id", &outgoing.event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let (response_status, error) = match sent {
            Ok(response) if response.status().is_success() => {
                (Some(i64::from(response.status().as_u16())), None)
            }
            Ok(response) => (
                Some(i64::from(response.status().as_u16())),
                Some(format!("the receiver answered HTTP {}", response.status())),
            ),
            Err(e) if e.is_timeout() => (None, Some("the receiver did not answer in time".into())),
            Err(e) => (None, Some(describe(&e.without_url()))),
        };
        let accepted = error.is_none();
        let attempt = DeliveryAttempt {
            attempted_at,
            response_status,
            duration_ms,
            error,
        };
        (attempt, accepted)
    }
}

/// A transport error with its causes ("connection refused" sits a few levels down), without
/// the URL, which may carry a token of the receiver's.
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn database(error: sqlx::Error) -> JobError {
    JobError::Retry(format!("database: {error}"))
}

impl JobHandler for DeliverJob {
    fn run<'a>(&'a self, payload: &'a Value) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(self.deliver(payload))
    }
}
