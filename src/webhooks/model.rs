//! What webhook endpoints and deliveries are.

use serde::Serialize;

use crate::db::Timestamp;
use crate::errors::{Error, Rule};
use crate::events::EventType;

/// Where deliveries go: an absolute http or https URL with a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    /// Checks a URL a caller gave; 422 on `url` otherwise.
    pub fn parse(text: Option<&str>) -> Result<WebhookUrl, Error> {
        let text = text.map(str::trim).unwrap_or_default();
        if text.is_empty() {
            return Err(Error::invalid("url", Rule::Required));
        }
        if text.len() > 2000 {
            return Err(Error::invalid("url", Rule::TooLong { max: 2000 }));
        }
        let parsed =
            reqwest::Url::parse(text).map_err(|_| Error::invalid("url", Rule::UrlNotAbsolute))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::invalid("url", Rule::UrlScheme));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(Error::invalid("url", Rule::UrlHost));
        }
        Ok(WebhookUrl(parsed.to_string()))
    }

    /// The URL, parsed (it was checked when made, so only a damaged stored one is `None`).
    pub fn url(&self) -> Option<reqwest::Url> {
        reqwest::Url::parse(&self.0).ok()
    }

    /// A URL read back from storage.
    pub fn from_stored(text: String) -> WebhookUrl {
        WebhookUrl(text)
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The schema of an endpoint's `events` in the API's document: at least one known type.
pub fn events_json_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(EventType::ALL.iter().map(|t| t.as_str()))),
        )
        .min_items(Some(1))
        .build()
}

/// The event types an endpoint subscribes to: at least one, each known, no repeats.
pub fn parse_events(names: Option<&[String]>) -> Result<Vec<EventType>, Error> {
    let names = names.unwrap_or_default();
    if names.is_empty() {
        return Err(Error::invalid("events", Rule::NoEvents));
    }
    let mut events = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let event = EventType::parse(name).ok_or_else(|| {
            let known: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
            Error::invalid(
                format!("events[{i}]"),
                Rule::OneOf {
                    allowed: known.iter().map(|k| (*k).to_owned()).collect(),
                },
            )
        })?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    Ok(events)
}

/// A receiver of events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEndpoint {
    /// The endpoint's id.
    pub id: String,
    /// The seller whose events it receives (made with that seller's token); none: every
    /// seller's.
    pub seller_id: Option<String>,
    /// Where deliveries go.
    pub url: WebhookUrl,
    /// The event types it receives.
    pub events: Vec<EventType>,
    /// When it was made.
    pub created_at: Timestamp,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryStatus {
    /// Not yet accepted by the receiver; attempts go on.
    Pending,
    /// The receiver answered 2xx.
    Succeeded,
    /// Every attempt failed; a manual redelivery starts a new round.
    Failed,
}

/// One attempt to deliver, as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryAttempt {
    /// When it was made.
    pub attempted_at: Timestamp,
    /// The receiver's HTTP status, if it answered.
    pub response_status: Option<i64>,
    /// How long it took.
    pub duration_ms: i64,
    /// What went wrong (no answer, or a status other than 2xx).
    pub error: Option<String>,
}

/// One event on its way to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// The delivery's id.
    pub id: String,
    /// The endpoint.
    pub endpoint_id: String,
    /// The event (and the `webhook-id` of every attempt).
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// When the event was handed to the endpoint.
    pub created_at: Timestamp,
    /// When the receiver accepted it.
    pub succeeded_at: Option<Timestamp>,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<Timestamp>,
    /// Every attempt, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}
