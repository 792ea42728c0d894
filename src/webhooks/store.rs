//! Webhook endpoints, deliveries and attempts in the database.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyExecutor, Row};

use super::model::{Delivery, DeliveryAttempt, DeliveryStatus, WebhookEndpoint, WebhookUrl};
use crate::db::Timestamp;
use crate::events::EventType;
use crate::pagination::Page;

fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored webhook endpoint has an invalid {what}").into())
}

fn events_json(events: &[EventType]) -> String {
    serde_json::to_string(events).unwrap_or_else(|_| "[]".into())
}

fn parse_events(text: &str) -> Result<Vec<EventType>, sqlx::Error> {
    let names: Vec<String> = serde_json::from_str(text).map_err(|_| corrupt("event list"))?;
    names
        .iter()
        .map(|n| EventType::parse(n).ok_or_else(|| corrupt("event type")))
        .collect()
}

fn endpoint_from_row(row: &AnyRow) -> Result<WebhookEndpoint, sqlx::Error> {
    Ok(WebhookEndpoint {
        id: row.try_get("id")?,
        seller_id: row.try_get("seller_id")?,
        url: WebhookUrl::from_stored(row.try_get("url")?),
        events: parse_events(&row.try_get::<String, _>("events")?)?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
    })
}

/// Inserts a new endpoint with its secret.
pub async fn insert_endpoint(
    conn: &mut AnyConnection,
    endpoint: &WebhookEndpoint,
    stored_secret: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, url, events, secret, created_at, seller_id) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&endpoint.id)
    .bind(endpoint.url.as_str())
    .bind(events_json(&endpoint.events))
    .bind(stored_secret)
    .bind(endpoint.created_at.millis())
    .bind(endpoint.seller_id.as_deref())
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets the events of an endpoint that was not deleted; false when there is none.
pub async fn set_events(
    conn: &mut AnyConnection,
    id: &str,
    events: &[EventType],
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE webhook_endpoints SET events = $1 WHERE id = $2 AND deleted_at IS NULL",
    )
    .bind(events_json(events))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An endpoint that was not deleted.
pub async fn find_endpoint<'e>(
    conn: impl AnyExecutor<'e>,
    id: &str,
) -> Result<Option<WebhookEndpoint>, sqlx::Error> {
    sqlx::query(
        "SELECT id, url, events, created_at, seller_id FROM webhook_endpoints \
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(|row| endpoint_from_row(&row))
    .transpose()
}

/// A page of endpoints, newest first (one more than the page size); with `seller_id`, only
/// that seller's.
pub async fn list_endpoints<'e>(
    conn: impl AnyExecutor<'e>,
    seller_id: Option<&str>,
    page: &Page,
) -> Result<Vec<WebhookEndpoint>, sqlx::Error> {
    let (at, id) = page.after_or_max();
    let rows = sqlx::query(
        "SELECT id, url, events, created_at, seller_id FROM webhook_endpoints \
         WHERE deleted_at IS NULL AND ($4 IS NULL OR seller_id = $4) \
         AND (created_at < $1 OR (created_at = $1 AND id < $2)) \
         ORDER BY created_at DESC, id DESC LIMIT $3",
    )
    .bind(at)
    .bind(id)
    .bind(page.fetch_limit())
    .bind(seller_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(endpoint_from_row).collect()
}

/// Deletes an endpoint (its delivery log stays); true when it existed.
pub async fn delete_endpoint(
    conn: &mut AnyConnection,
    id: &str,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE webhook_endpoints SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
    )
    .bind(at.millis())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The endpoints that existed when an event of `event_type` happened and subscribe to it.
/// One created in the event's own millisecond came after it as far as anyone can tell (its
/// creator had the answer of the change that raised the event), so it is not one of them.
pub async fn subscribers(
    conn: &mut AnyConnection,
    event_type: &str,
    occurred_at: Timestamp,
    seller_id: Option<&str>,
) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, url, events, created_at, seller_id FROM webhook_endpoints \
         WHERE deleted_at IS NULL AND created_at < $1 \
         AND (seller_id IS NULL OR seller_id = $2) ORDER BY created_at, id",
    )
    .bind(occurred_at.millis())
    .bind(seller_id)
    .fetch_all(conn)
    .await?;
    let mut ids = Vec::new();
    for row in &rows {
        let endpoint = endpoint_from_row(row)?;
        if endpoint.events.iter().any(|e| e.as_str() == event_type) {
            ids.push(endpoint.id);
        }
    }
    Ok(ids)
}

/// Whether the event was already handed to the endpoint.
pub async fn delivery_exists(
    conn: &mut AnyConnection,
    endpoint_id: &str,
    event_id: &str,
) -> Result<bool, sqlx::Error> {
    let row =
        sqlx::query("SELECT id FROM webhook_deliveries WHERE endpoint_id = $1 AND event_id = $2")
            .bind(endpoint_id)
            .bind(event_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.is_some())
}

/// A delivery about to be recorded.
pub struct NewDelivery<'a> {
    /// Its id.
    pub id: &'a str,
    /// The endpoint.
    pub endpoint_id: &'a str,
    /// The event.
    pub event_id: &'a str,
    /// The event's type.
    pub event_type: &'a str,
    /// The job that makes its attempts.
    pub job_id: &'a str,
    /// Now.
    pub at: Timestamp,
}

/// Records an event meant for one endpoint only (a test event): without a dispatch job, since
/// no subscription reaches it.
pub async fn insert_direct_event(
    conn: &mut AnyConnection,
    id: &str,
    event_type: &str,
    at: Timestamp,
    data: &serde_json::Value,
    seller_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO events (id, type, occurred_at, data, seller_id) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(event_type)
    .bind(at.millis())
    .bind(data.to_string())
    .bind(seller_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a delivery.
pub async fn insert_delivery(
    conn: &mut AnyConnection,
    delivery: &NewDelivery<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, job_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(delivery.id)
    .bind(delivery.endpoint_id)
    .bind(delivery.event_id)
    .bind(delivery.event_type)
    .bind(delivery.job_id)
    .bind(delivery.at.millis())
    .execute(conn)
    .await?;
    Ok(())
}

const DELIVERY_COLUMNS: &str = "d.id, d.endpoint_id, d.event_id, d.event_type, d.created_at, \
                                d.succeeded_at, j.status AS job_status, j.run_at AS job_run_at";

fn delivery_from_row(row: &AnyRow) -> Result<Delivery, sqlx::Error> {
    let succeeded_at: Option<i64> = row.try_get("succeeded_at")?;
    let job_status: Option<String> = row.try_get("job_status")?;
    let run_at: Option<i64> = row.try_get("job_run_at")?;
    let status = match (succeeded_at, job_status.as_deref()) {
        (Some(_), _) => DeliveryStatus::Succeeded,
        (None, Some("queued" | "running")) => DeliveryStatus::Pending,
        // Given up, or dropped because its endpoint was deleted.
        (None, _) => DeliveryStatus::Failed,
    };
    Ok(Delivery {
        id: row.try_get("id")?,
        endpoint_id: row.try_get("endpoint_id")?,
        event_id: row.try_get("event_id")?,
        event_type: row.try_get("event_type")?,
        status,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        succeeded_at: succeeded_at.map(Timestamp::from_millis),
        next_attempt_at: run_at
            .filter(|_| status == DeliveryStatus::Pending)
            .map(Timestamp::from_millis),
        attempts: Vec::new(),
    })
}

/// A page of an endpoint's deliveries, newest first (one more than the page size), without
/// their attempts.
pub async fn list_deliveries<'e>(
    conn: impl AnyExecutor<'e>,
    endpoint_id: &str,
    page: &Page,
) -> Result<Vec<Delivery>, sqlx::Error> {
    let (at, id) = page.after_or_max();
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d LEFT JOIN jobs j ON j.id = d.job_id \
         WHERE d.endpoint_id = $1 AND (d.created_at < $2 OR (d.created_at = $2 AND d.id < $3)) \
         ORDER BY d.created_at DESC, d.id DESC LIMIT $4"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(endpoint_id)
        .bind(at)
        .bind(id)
        .bind(page.fetch_limit())
        .fetch_all(conn)
        .await?;
    rows.iter().map(delivery_from_row).collect()
}

/// One delivery of an endpoint, without its attempts.
pub async fn find_delivery<'e>(
    conn: impl AnyExecutor<'e>,
    endpoint_id: &str,
    delivery_id: &str,
) -> Result<Option<Delivery>, sqlx::Error> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d LEFT JOIN jobs j ON j.id = d.job_id \
         WHERE d.endpoint_id = $1 AND d.id = $2"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(endpoint_id)
        .bind(delivery_id)
        .fetch_optional(conn)
        .await?
        .map(|row| delivery_from_row(&row))
        .transpose()
}

/// The attempts of one delivery, oldest first.
pub async fn attempts<'e>(
    conn: impl AnyExecutor<'e>,
    delivery_id: &str,
) -> Result<Vec<DeliveryAttempt>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT attempted_at, response_status, duration_ms, error FROM webhook_attempts \
         WHERE delivery_id = $1 ORDER BY attempted_at, id",
    )
    .bind(delivery_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(DeliveryAttempt {
                attempted_at: Timestamp::from_millis(row.try_get("attempted_at")?),
                response_status: row.try_get("response_status")?,
                duration_ms: row.try_get("duration_ms")?,
                error: row.try_get("error")?,
            })
        })
        .collect()
}

/// How many attempts the delivery's current round was given.
pub async fn round_attempts(
    conn: &mut AnyConnection,
    delivery_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT j.max_attempts FROM webhook_deliveries d JOIN jobs j ON j.id = d.job_id \
         WHERE d.id = $1",
    )
    .bind(delivery_id)
    .fetch_optional(conn)
    .await?;
    row.map(|row| row.try_get("max_attempts")).transpose()
}

/// Starts a new round of attempts for a delivery, made by `job_id`.
pub async fn restart_delivery(
    conn: &mut AnyConnection,
    delivery_id: &str,
    job_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE webhook_deliveries SET job_id = $1, succeeded_at = NULL WHERE id = $2")
        .bind(job_id)
        .bind(delivery_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Everything an attempt needs to send one delivery.
pub struct Outgoing {
    /// Where to.
    pub url: String,
    /// The endpoint's secret, as stored (sealed).
    pub secret: String,
    /// Whether the endpoint was deleted meanwhile.
    pub endpoint_deleted: bool,
    /// Whether the receiver already accepted it.
    pub succeeded: bool,
    /// The event's id.
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// When it happened.
    pub occurred_at: Timestamp,
    /// Its data, as stored (JSON).
    pub data: String,
}

/// The delivery with its endpoint and event.
pub async fn outgoing<'e>(
    conn: impl AnyExecutor<'e>,
    delivery_id: &str,
) -> Result<Option<Outgoing>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT w.url, w.secret, w.deleted_at, d.succeeded_at, e.id AS event_id, e.type, \
         e.occurred_at, e.data \
         FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id \
         JOIN events e ON e.id = d.event_id WHERE d.id = $1",
    )
    .bind(delivery_id)
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        Ok(Outgoing {
            url: row.try_get("url")?,
            secret: row.try_get("secret")?,
            endpoint_deleted: row.try_get::<Option<i64>, _>("deleted_at")?.is_some(),
            succeeded: row.try_get::<Option<i64>, _>("succeeded_at")?.is_some(),
            event_id: row.try_get("event_id")?,
            event_type: row.try_get("type")?,
            occurred_at: Timestamp::from_millis(row.try_get("occurred_at")?),
            data: row.try_get("data")?,
        })
    })
    .transpose()
}

/// Endpoints whose secret is still stored in plain text (from before secrets were sealed).
pub async fn plain_secrets(conn: &mut AnyConnection) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, secret FROM webhook_endpoints WHERE secret LIKE 'whsec_%'")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("id")?, row.try_get("secret")?)))
        .collect()
}

/// Replaces an endpoint's plain secret by its sealed form.
pub async fn reseal_secret(
    conn: &mut AnyConnection,
    id: &str,
    plain: &str,
    sealed: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE webhook_endpoints SET secret = $1 WHERE id = $2 AND secret = $3")
        .bind(sealed)
        .bind(id)
        .bind(plain)
        .execute(conn)
        .await?;
    Ok(())
}

/// Logs an attempt; a successful one also marks its delivery succeeded.
pub async fn record_attempt(
    conn: &mut AnyConnection,
    delivery_id: &str,
    attempt: &DeliveryAttempt,
    succeeded: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhook_attempts (id, delivery_id, attempted_at, response_status, duration_ms, error) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(delivery_id)
    .bind(attempt.attempted_at.millis())
    .bind(attempt.response_status)
    .bind(attempt.duration_ms)
    .bind(attempt.error.as_deref())
    .execute(&mut *conn)
    .await?;
    if succeeded {
        sqlx::query(
            "UPDATE webhook_deliveries SET succeeded_at = $1 WHERE id = $2 AND succeeded_at IS NULL",
        )
        .bind(attempt.attempted_at.millis())
        .bind(delivery_id)
        .execute(conn)
        .await?;
    }
    Ok(())
}
