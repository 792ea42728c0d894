//! The audit log and the event outbox, as the write transaction writes them.

use serde_json::Value;
use sqlx::AnyConnection;

use crate::db::Timestamp;
use crate::events::{DISPATCH_JOB, EventType};
use crate::jobs;

/// An audit entry waiting for the commit.
pub struct Entry {
    pub entity_type: &'static str,
    pub entity_id: String,
    pub action: String,
    pub at: Timestamp,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// An event waiting for the commit.
pub struct Announced {
    pub event: EventType,
    pub buyer_id: String,
    pub data: Value,
}

pub async fn write_entries(
    conn: &mut AnyConnection,
    actor: &str,
    entries: &[Entry],
) -> Result<(), sqlx::Error> {
    for entry in entries {
        sqlx::query(
            "INSERT INTO audit_log (id, entity_type, entity_id, action, actor, at, before_state, after_state) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(entry.entity_type)
        .bind(&entry.entity_id)
        .bind(&entry.action)
        .bind(actor)
        .bind(entry.at.millis())
        .bind(entry.before.as_ref().map(Value::to_string))
        .bind(entry.after.as_ref().map(Value::to_string))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Each event notes its buyer's seller (its data says `buyerId` and `sellerId`), so that
/// endpoints bound to one seller receive that seller's events only; each gets its dispatch job
/// in this transaction, so an event that commits is always delivered and one that rolls back
/// never is.
pub async fn write_events(
    conn: &mut AnyConnection,
    events: &[Announced],
) -> Result<(), sqlx::Error> {
    for announced in events {
        let seller_id: Option<String> =
            sqlx::query_scalar("SELECT seller_id FROM buyers WHERE id = $1")
                .bind(&announced.buyer_id)
                .fetch_optional(&mut *conn)
                .await?;
        let mut data = announced.data.clone();
        if let Some(fields) = data.as_object_mut() {
            fields.insert("buyerId".into(), Value::from(announced.buyer_id.as_str()));
            fields.insert("sellerId".into(), Value::from(seller_id.clone()));
        }
        let id = format!("evt_{}", uuid::Uuid::now_v7().simple());
        sqlx::query(
            "INSERT INTO events (id, type, occurred_at, data, seller_id) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(announced.event.as_str())
        .bind(crate::db::now().millis())
        .bind(data.to_string())
        .bind(seller_id)
        .execute(&mut *conn)
        .await?;
        jobs::enqueue(
            conn,
            DISPATCH_JOB,
            &serde_json::json!({ "eventId": id }),
            None,
        )
        .await?;
    }
    Ok(())
}
