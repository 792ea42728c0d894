//! The outbox's relay: every recorded event gets a dispatch job (in the event's transaction),
//! which hands the event to each endpoint subscribed to it as a delivery with its own job.
//! Running a dispatch twice hands nothing out twice.

use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use sqlx::Row;

use super::store::{self, NewDelivery};
use super::{DELIVER_JOB, DeliveryOptions};
use crate::db::{Db, Timestamp, now};
use crate::jobs::{self, JobError, JobHandler};

/// Runs `webhooks.dispatch` jobs: `{"eventId": ...}`.
pub struct DispatchJob {
    db: Db,
    options: DeliveryOptions,
}

impl DispatchJob {
    /// A dispatcher whose deliveries get `options.max_attempts` attempts.
    pub fn new(db: Db, options: DeliveryOptions) -> DispatchJob {
        DispatchJob { db, options }
    }

    async fn dispatch(&self, payload: &Value) -> Result<(), JobError> {
        let event_id = payload["eventId"]
            .as_str()
            .ok_or_else(|| JobError::Permanent("the job names no eventId".into()))?;
        self.fan_out(event_id)
            .await
            .map_err(|e| JobError::Retry(format!("dispatching {event_id}: {e}")))
    }

    async fn fan_out(&self, event_id: &str) -> Result<(), sqlx::Error> {
        let mut tx = self.db.begin_write().await?;
        let Some(row) =
            sqlx::query("SELECT type, occurred_at, seller_id FROM events WHERE id = $1")
                .bind(event_id)
                .fetch_optional(&mut *tx)
                .await?
        else {
            return Ok(());
        };
        let event_type: String = row.try_get("type")?;
        let occurred_at = Timestamp::from_millis(row.try_get("occurred_at")?);
        let seller_id: Option<String> = row.try_get("seller_id")?;
        let subscribers =
            store::subscribers(&mut tx, &event_type, occurred_at, seller_id.as_deref()).await?;
        for endpoint_id in subscribers {
            if store::delivery_exists(&mut tx, &endpoint_id, event_id).await? {
                continue;
            }
            let delivery_id = uuid::Uuid::now_v7().to_string();
            let job_id = jobs::enqueue(
                &mut tx,
                DELIVER_JOB,
                &json!({ "deliveryId": delivery_id }),
                Some(self.options.max_attempts),
            )
            .await?;
            let delivery = NewDelivery {
                id: &delivery_id,
                endpoint_id: &endpoint_id,
                event_id,
                event_type: &event_type,
                job_id: &job_id,
                at: now(),
            };
            store::insert_delivery(&mut tx, &delivery).await?;
        }
        tx.commit().await
    }
}

impl JobHandler for DispatchJob {
    fn run<'a>(&'a self, payload: &'a Value) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(self.dispatch(payload))
    }
}
