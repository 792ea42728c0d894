//! `GET /admin/buyers/{id}/history`: the audit history of the buyer, its documents and its
//! invitations in plain words ("12.03.2026 14:02 UTC — staff member anna@… blocked the
//! buyer: reason …"). One message per known (entity, action); anything else gets a generic
//! sentence, so a new kind of entry still shows.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::Value;

use super::{BuyerHeader, buyer_of, moment};
use crate::admin::guard::SignedIn;
use crate::admin::page::{self, Chrome, CursorQuery, Section};
use crate::audit::{Actor, AuditEntry};
use crate::buyers;
use crate::documents::DocumentType;
use crate::errors::Error;
use crate::i18n::Language;
use crate::state::AppState;

/// Entries per page.
const PAGE_SIZE: u32 = 50;

/// One entry in words.
pub struct Line {
    /// When.
    pub at: String,
    /// What happened, by whom.
    pub text: String,
}

/// The history page.
#[derive(Template)]
#[template(path = "admin/buyer/history.html")]
pub struct HistoryView {
    /// The frame.
    pub chrome: Chrome,
    /// Heading and sub-navigation.
    pub header: BuyerHeader,
    /// Entries, newest first.
    pub lines: Vec<Line>,
    /// Link to older entries.
    pub older: Option<String>,
    /// Whether this is not the first page.
    pub later: bool,
}

/// Who did it, in words.
fn actor_text(l: Language, actor: &str) -> String {
    match Actor::parse(actor) {
        Some(Actor::Staff(email)) => l.text_with("admin-buyers-actor-staff", &[("name", &email)]),
        Some(Actor::ApiToken(name)) => l.text_with("admin-buyers-actor-api", &[("name", &name)]),
        Some(Actor::Invitation(_)) => l.text("admin-buyers-actor-invitation"),
        Some(Actor::System) => l.text("admin-buyers-actor-system"),
        None => actor.to_owned(),
    }
}

fn text_of(state: Option<&Value>, key: &str) -> String {
    state
        .and_then(|s| s.get(key))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// An entry as one sentence in `l`.
pub fn sentence(l: Language, entry: &AuditEntry) -> String {
    let actor = actor_text(l, &entry.actor);
    let after = entry.after.as_ref().or(entry.before.as_ref());
    let document_type = DocumentType::parse(&text_of(after, "type"))
        .map(|t| t.label(l))
        .unwrap_or_default();
    let file = text_of(after, "fileName");
    let email = text_of(after, "recipientEmail");
    let reason = text_of(after, "blockedReason");
    let id = match (entry.entity_type.as_str(), entry.action.as_str()) {
        ("buyer", "created") => "admin-buyers-history-buyer-created",
        ("buyer", "updated") => "admin-buyers-history-buyer-updated",
        ("buyer", "blocked") => "admin-buyers-history-buyer-blocked",
        ("buyer", "unblocked") => "admin-buyers-history-buyer-unblocked",
        ("document", "uploaded") => "admin-buyers-history-document-uploaded",
        ("document", "archived") => "admin-buyers-history-document-archived",
        ("invitation", "created") => "admin-buyers-history-invitation-created",
        ("invitation", "revoked") => "admin-buyers-history-invitation-revoked",
        ("invitation", "resent") => "admin-buyers-history-invitation-resent",
        ("invitation", "renewal_requested") => "admin-buyers-history-invitation-renewal-requested",
        ("invitation", "renewed") => "admin-buyers-history-invitation-renewed",
        ("invitation", "reminder_sent") => "admin-buyers-history-invitation-reminder-sent",
        ("document", "expiry_reminder") => "admin-buyers-history-document-expiry-reminder",
        _ => "admin-buyers-history-other",
    };
    let changed = changed_fields(l, entry);
    let text = l.text_with(
        id,
        &[
            ("changed", &changed),
            ("actor", &actor),
            ("reason", &reason),
            ("type", &document_type),
            ("file", &file),
            ("email", &email),
            ("entity", &entry.entity_type),
            ("action", &entry.action),
        ],
    );
    capitalised(&text)
}

/// What an update changed, as a list of field names in `l`.
fn changed_fields(l: Language, entry: &AuditEntry) -> String {
    let (Some(before), Some(after)) = (&entry.before, &entry.after) else {
        return String::new();
    };
    [
        ("companyName", "admin-buyers-col-company"),
        ("address", "admin-buyers-field-address"),
        ("contacts", "admin-buyers-field-contacts"),
        ("kycMode", "admin-buyers-field-mode"),
    ]
    .into_iter()
    .filter(|(key, _)| before.get(key) != after.get(key))
    .map(|(_, id)| l.text(id))
    .collect::<Vec<_>>()
    .join(", ")
}

/// The sentence with its first letter upper case (it may start with the actor).
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `GET /admin/buyers/{id}/history` — every staff member.
pub async fn history_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<CursorQuery>,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let buyer = buyer_of(&state.db, &path).await?;
    let page = query.page_of(PAGE_SIZE)?;
    let (entries, next) = buyers::full_history(&state.db, &buyer.uuid, &page).await?;
    let view = HistoryView {
        chrome: Chrome::new(
            &req,
            &me,
            Section::Buyers,
            format!(
                "{} – {}",
                l.text("admin-buyers-tab-history"),
                buyer.company_name
            ),
        ),
        header: BuyerHeader::of(&buyer, "history"),
        lines: entries
            .iter()
            .map(|e| Line {
                at: moment(l, e.at),
                text: sentence(l, e),
            })
            .collect(),
        older: next.map(|c| format!("/admin/buyers/{}/history?cursor={}", buyer.uuid, c.encode())),
        later: query.is_later(),
    };
    page::html(&req, StatusCode::OK, &view)
}
