//! The audit history: who changed what, when, with the state before and after. Written in the
//! same transaction as the change, so the history can never miss one.

use serde::Serialize;
use serde_json::Value;
use sqlx::{AnyConnection, Row};

use crate::db::{Db, Timestamp, now};
use crate::error::AppError;
use crate::pagination::{Cursor, Page};

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A seller system, by its API token's name.
    ApiToken(String),
    /// A staff member, by email.
    Staff(String),
    /// A buyer using an invitation link, by the invitation's id.
    Invitation(String),
    /// The portal itself (background jobs).
    System,
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::ApiToken(name) => write!(f, "api-token:{name}"),
            Actor::Staff(email) => write!(f, "staff:{email}"),
            Actor::Invitation(id) => write!(f, "invitation:{id}"),
            Actor::System => f.write_str("system"),
        }
    }
}

impl Actor {
    /// The actor a recorded `actor` text names (the inverse of `Display`).
    pub fn parse(text: &str) -> Option<Actor> {
        match text.split_once(':') {
            Some(("api-token", name)) => Some(Actor::ApiToken(name.to_owned())),
            Some(("staff", email)) => Some(Actor::Staff(email.to_owned())),
            Some(("invitation", id)) => Some(Actor::Invitation(id.to_owned())),
            _ if text == "system" => Some(Actor::System),
            _ => None,
        }
    }
}

/// One recorded change.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// The entry's id.
    pub id: String,
    /// `buyer`, `document`, `invitation`, ...
    pub entity_type: String,
    /// The changed resource's id.
    pub entity_id: String,
    /// What happened: `created`, `updated`, `blocked`, ...
    pub action: String,
    /// Who did it.
    pub actor: String,
    /// When.
    pub at: Timestamp,
    /// The resource before (absent on creation).
    pub before: Option<Value>,
    /// The resource after.
    pub after: Option<Value>,
}

/// A change about to be recorded.
pub struct Change<'a> {
    /// `buyer`, `document`, `invitation`, ...
    pub entity_type: &'a str,
    /// The resource's id.
    pub entity_id: &'a str,
    /// What happened.
    pub action: &'a str,
    /// Who did it.
    pub actor: &'a Actor,
    /// The state before, if any.
    pub before: Option<Value>,
    /// The state after, if any.
    pub after: Option<Value>,
}

/// Records `change` inside the caller's transaction.
pub async fn record(conn: &mut AnyConnection, change: Change<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (id, entity_type, entity_id, action, actor, at, before_state, after_state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(change.entity_type)
    .bind(change.entity_id)
    .bind(change.action)
    .bind(change.actor.to_string())
    .bind(now().millis())
    .bind(change.before.map(|v| v.to_string()))
    .bind(change.after.map(|v| v.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

/// The history of one resource, newest first.
pub async fn history(
    db: &Db,
    entity_type: &str,
    entity_id: &str,
    page: &Page,
) -> Result<(Vec<AuditEntry>, Option<Cursor>), AppError> {
    let (at, id) = page.after_or_max();
    let rows = sqlx::query(
        "SELECT id, entity_type, entity_id, action, actor, at, before_state, after_state \
         FROM audit_log WHERE entity_type = $1 AND entity_id = $2 AND (at < $3 OR (at = $3 AND id < $4)) \
         ORDER BY at DESC, id DESC LIMIT $5",
    )
    .bind(entity_type)
    .bind(entity_id)
    .bind(at)
    .bind(id)
    .bind(page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    entries_of(page, rows)
}

/// The history of a buyer and of everything that belongs to it (its documents and
/// invitations), newest first.
pub async fn history_of_buyer(
    db: &Db,
    buyer_id: &str,
    page: &Page,
) -> Result<(Vec<AuditEntry>, Option<Cursor>), AppError> {
    let (at, id) = page.after_or_max();
    let rows = sqlx::query(
        "SELECT id, entity_type, entity_id, action, actor, at, before_state, after_state \
         FROM audit_log WHERE ((entity_type = 'buyer' AND entity_id = $1) \
         OR (entity_type = 'document' AND entity_id IN (SELECT id FROM documents WHERE buyer_id = $1)) \
         OR (entity_type = 'invitation' AND entity_id IN (SELECT id FROM invitations WHERE buyer_id = $1))) \
         AND (at < $2 OR (at = $2 AND id < $3)) \
         ORDER BY at DESC, id DESC LIMIT $4",
    )
    .bind(buyer_id)
    .bind(at)
    .bind(id)
    .bind(page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    entries_of(page, rows)
}

/// A page of entries from their rows.
fn entries_of(
    page: &Page,
    rows: Vec<sqlx::any::AnyRow>,
) -> Result<(Vec<AuditEntry>, Option<Cursor>), AppError> {
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
        entries.push(AuditEntry {
            id: row.try_get("id")?,
            entity_type: row.try_get("entity_type")?,
            entity_id: row.try_get("entity_id")?,
            action: row.try_get("action")?,
            actor: row.try_get("actor")?,
            at: Timestamp::from_millis(row.try_get("at")?),
            before: parse(row.try_get("before_state")?),
            after: parse(row.try_get("after_state")?),
        });
    }
    Ok(page.split(entries, |e| Cursor::new(e.at.millis(), &e.id)))
}

#[cfg(test)]
mod tests {
    use super::Actor;

    #[test]
    fn an_actor_reads_back_from_its_recorded_text() {
        for actor in [
            Actor::ApiToken("seller-system".into()),
            Actor::Staff("kim@marketplace.example".into()),
            Actor::Invitation("inv_1".into()),
            Actor::System,
        ] {
            assert_eq!(Actor::parse(&actor.to_string()), Some(actor));
        }
        assert_eq!(Actor::parse("someone"), None);
    }
}
