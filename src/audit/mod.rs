//! The audit history: who changed what, when, with the state before and after. Written by the
//! write transaction of the change ([`crate::write::WriteTx`]), so the history can never miss
//! one.

pub mod words;

use serde::Serialize;
use serde_json::Value;
use sqlx::Row;

use crate::db::{Db, Timestamp};
use crate::errors::Error;
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

impl Actor {
    /// What kind of actor this is, without naming it: `api-token`, `staff`, `invitation` or
    /// `system`.
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::ApiToken(_) => "api-token",
            Actor::Staff(_) => "staff",
            Actor::Invitation(_) => "invitation",
            Actor::System => "system",
        }
    }
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
    /// Whom a recorded `actor` text names, as a reader knows them: a staff member's email, a
    /// token's name; anything else as recorded.
    pub fn name_of(text: &str) -> String {
        match Actor::parse(text) {
            Some(Actor::Staff(email)) => email,
            Some(Actor::ApiToken(name)) => name,
            _ => text.to_owned(),
        }
    }

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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

/// What a change was made to, as the audit history names it. Changes are recorded through
/// [`crate::write::WriteTx::record`].
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// A seller.
    Seller(&'a str),
    /// A buyer.
    Buyer(&'a str),
    /// A document of a buyer.
    Document {
        /// The document.
        id: &'a str,
        /// Its buyer.
        buyer_id: &'a str,
    },
    /// An invitation of a buyer.
    Invitation {
        /// The invitation.
        id: &'a str,
        /// Its buyer.
        buyer_id: &'a str,
    },
    /// A VIES check of a buyer.
    ViesCheck {
        /// The check.
        id: &'a str,
        /// Its buyer.
        buyer_id: &'a str,
    },
    /// An identity verification of a buyer.
    Verification {
        /// The verification.
        id: &'a str,
        /// Its buyer.
        buyer_id: &'a str,
    },
    /// An API token.
    ApiToken(&'a str),
    /// A staff user.
    StaffUser(&'a str),
    /// An invitation of a staff member, or a password reset link.
    StaffAccountLink(&'a str),
    /// A webhook endpoint.
    WebhookEndpoint(&'a str),
    /// The organisation's settings.
    Settings,
}

impl Subject<'_> {
    /// The `entity_type` of its entries.
    pub fn entity_type(&self) -> &'static str {
        match self {
            Subject::Seller(_) => "seller",
            Subject::Buyer(_) => "buyer",
            Subject::Document { .. } => "document",
            Subject::Invitation { .. } => "invitation",
            Subject::ViesCheck { .. } => "vies_check",
            Subject::Verification { .. } => "verification",
            Subject::ApiToken(_) => "api_token",
            Subject::StaffUser(_) => "staff_user",
            Subject::StaffAccountLink(_) => "staff_account_link",
            Subject::WebhookEndpoint(_) => "webhook_endpoint",
            Subject::Settings => "settings",
        }
    }

    /// The `entity_id` of its entries.
    pub fn entity_id(&self) -> &str {
        match self {
            Subject::Seller(id)
            | Subject::Buyer(id)
            | Subject::ApiToken(id)
            | Subject::StaffUser(id)
            | Subject::StaffAccountLink(id)
            | Subject::WebhookEndpoint(id)
            | Subject::Document { id, .. }
            | Subject::Invitation { id, .. }
            | Subject::ViesCheck { id, .. }
            | Subject::Verification { id, .. } => id,
            Subject::Settings => "organisation",
        }
    }

    /// The buyer it belongs to, if any.
    pub fn buyer_id(&self) -> Option<&str> {
        match self {
            Subject::Buyer(id) => Some(id),
            Subject::Document { buyer_id, .. }
            | Subject::Invitation { buyer_id, .. }
            | Subject::ViesCheck { buyer_id, .. }
            | Subject::Verification { buyer_id, .. } => Some(buyer_id),
            _ => None,
        }
    }

    /// Whether a change of it can change its buyer's KYC status: the buyer itself, its
    /// documents, VIES checks and verifications (invitations cannot).
    pub fn affects_kyc(&self) -> bool {
        matches!(
            self,
            Subject::Buyer(_)
                | Subject::Document { .. }
                | Subject::ViesCheck { .. }
                | Subject::Verification { .. }
        )
    }
}

/// The history of one resource, newest first.
pub async fn history(
    db: &Db,
    entity_type: &str,
    entity_id: &str,
    page: &Page,
) -> Result<(Vec<AuditEntry>, Option<Cursor>), Error> {
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
) -> Result<(Vec<AuditEntry>, Option<Cursor>), Error> {
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

/// The whole record of a buyer, oldest first: its own entries and those of its documents,
/// invitations, VIES checks and identity verifications (for the buyer's export).
pub async fn record_of_buyer(db: &Db, buyer_id: &str) -> Result<Vec<AuditEntry>, Error> {
    let rows = sqlx::query(
        "SELECT id, entity_type, entity_id, action, actor, at, before_state, after_state \
         FROM audit_log WHERE (entity_type = 'buyer' AND entity_id = $1) \
         OR (entity_type = 'document' AND entity_id IN (SELECT id FROM documents WHERE buyer_id = $1)) \
         OR (entity_type = 'invitation' AND entity_id IN (SELECT id FROM invitations WHERE buyer_id = $1)) \
         OR (entity_type = 'vies_check' AND entity_id IN (SELECT id FROM vies_checks WHERE buyer_id = $1)) \
         OR (entity_type = 'verification' AND entity_id IN (SELECT id FROM verifications WHERE buyer_id = $1)) \
         ORDER BY at, id",
    )
    .bind(buyer_id)
    .fetch_all(db.pool())
    .await?;
    entries(rows)
}

/// A page of entries from their rows.
fn entries_of(
    page: &Page,
    rows: Vec<sqlx::any::AnyRow>,
) -> Result<(Vec<AuditEntry>, Option<Cursor>), Error> {
    Ok(page.split(entries(rows)?, |e| Cursor::new(e.at.millis(), &e.id)))
}

/// The entries of their rows.
fn entries(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<AuditEntry>, Error> {
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
    Ok(entries)
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
