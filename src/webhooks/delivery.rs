//! One attempt to deliver an event to an endpoint, per the Standard Webhooks spec: a POST of
//! `{type, timestamp, data}` with `webhook-id` (the event's id, the same on every attempt),
//! `webhook-timestamp` (this attempt's time) and `webhook-signature`. Anything but a 2xx within
//! the timeout is a failed attempt, retried with backoff by the job queue; redirects are not
//! followed. Every attempt is logged.

use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use super::model::DeliveryAttempt;
use super::signature::WebhookSecret;
use super::store::{self, Outgoing};
use super::target::{GuardedResolver, InternalAddress, NetworkPolicy};
use crate::db::{Db, now};
use crate::jobs::{JobError, JobHandler};
use crate::seal::Seal;

/// Runs `webhooks.deliver` jobs: `{"deliveryId": ...}`.
pub struct DeliverJob {
    db: Db,
    http: reqwest::Client,
    policy: NetworkPolicy,
    seal: Seal,
}

impl DeliverJob {
    /// A sender whose attempts give up after `timeout` and go only where `policy` allows.
    /// Proxy variables of the environment are ignored: a proxy would connect on our behalf
    /// to wherever the URL says, past the address check.
    pub fn new(
        db: Db,
        timeout: Duration,
        policy: NetworkPolicy,
        seal: Seal,
    ) -> Result<DeliverJob, reqwest::Error> {
        let mut http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("kyc-portal-webhooks/", env!("CARGO_PKG_VERSION")));
        if !policy.allow_private {
            http = http.dns_resolver(GuardedResolver);
        }
        Ok(DeliverJob {
            db,
            http: http.build()?,
            policy,
            seal,
        })
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
        let secret = match WebhookSecret::from_stored(&outgoing.secret, &self.seal) {
            Ok(secret) => secret,
            Err(e) => {
                tracing::error!(event = %outgoing.event_id, error = %e, "a webhook secret does not open");
                let attempt = DeliveryAttempt {
                    attempted_at,
                    response_status: None,
                    duration_ms: 0,
                    error: Some("the endpoint's secret cannot be read with this server key".into()),
                };
                return (attempt, false);
            }
        };
        let signature = secret.sign(&outgoing.event_id, timestamp, body.as_bytes());
        let started = Instant::now();
        let literal_refused = reqwest::Url::parse(&outgoing.url)
            .ok()
            .is_some_and(|url| self.policy.check_literal(&url).is_err());
        if literal_refused {
            tracing::info!(event = %outgoing.event_id, "webhook target refused: an internal address");
            let attempt = DeliveryAttempt {
                attempted_at,
                response_status: None,
                duration_ms: 0,
                error: Some(FailureClass::InternalAddress.text()),
            };
            return (attempt, false);
        }
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
                Some(format!(
                    "the receiver answered HTTP {}",
                    response.status().as_u16()
                )),
            ),
            Err(e) => {
                let class = FailureClass::of(&e);
                // The transport's own words (which port refused, which name did not
                // resolve) stay in the log: shown to callers they would make a port scanner.
                tracing::info!(
                    event = %outgoing.event_id,
                    error = %describe(&e.without_url()),
                    "a webhook attempt failed"
                );
                (None, Some(class.text()))
            }
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

/// What kind of failure an attempt met, as far as the caller may know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FailureClass {
    /// The target is an internal address and private networks are not allowed.
    InternalAddress,
    /// No answer within the timeout.
    Timeout,
    /// No connection (name not found, refused, unreachable).
    Unreachable,
    /// Connected, but the exchange failed (TLS, a reset, a broken answer).
    Transport,
}

impl FailureClass {
    fn of(error: &reqwest::Error) -> FailureClass {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(cause) = source {
            // The resolver's error may come back boxed, so its type is not always visible.
            if cause.is::<InternalAddress>() || cause.to_string() == InternalAddress.to_string() {
                return FailureClass::InternalAddress;
            }
            source = cause.source();
        }
        if error.is_timeout() {
            FailureClass::Timeout
        } else if error.is_connect() {
            FailureClass::Unreachable
        } else {
            FailureClass::Transport
        }
    }

    fn text(self) -> String {
        match self {
            FailureClass::InternalAddress => {
                "the receiver's address is in a private or reserved network, which is not allowed"
            }
            FailureClass::Timeout => "the receiver did not answer in time",
            FailureClass::Unreachable => "the receiver could not be reached",
            FailureClass::Transport => "the connection to the receiver failed",
        }
        .to_owned()
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
