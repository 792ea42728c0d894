//! An audit entry as one sentence in plain words ("Staff member anna@… blocked the buyer:
//! reason …"), for the staff's history page and the buyer's export. One message per known
//! (entity, action); anything else gets a generic sentence, so a new kind of entry still reads.

use serde_json::Value;

use super::{Actor, AuditEntry};
use crate::documents::DocumentType;
use crate::i18n::Language;

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
    let parsed_type = DocumentType::parse(&text_of(after, "type"));
    let document_type = parsed_type.map(|t| t.label(l)).unwrap_or_default();
    let file = text_of(after, "fileName");
    let email = text_of(after, "recipientEmail");
    let reason = match entry.action.as_str() {
        "ended" => text_of(after, "endReason"),
        "held" => text_of(after, "holdReason"),
        "erased" => text_of(after, "rule"),
        _ => text_of(after, "blockedReason"),
    };
    let id = match (entry.entity_type.as_str(), entry.action.as_str()) {
        ("buyer", "created") => "admin-buyers-history-buyer-created",
        ("buyer", "updated") => "admin-buyers-history-buyer-updated",
        ("buyer", "blocked") => "admin-buyers-history-buyer-blocked",
        ("buyer", "unblocked") => "admin-buyers-history-buyer-unblocked",
        ("buyer", "ended") => "admin-buyers-history-buyer-ended",
        ("buyer", "reopened") => "admin-buyers-history-buyer-reopened",
        ("buyer", "held") => "admin-buyers-history-buyer-held",
        ("buyer", "released") => "admin-buyers-history-buyer-released",
        ("buyer", "erased") => "admin-buyers-history-buyer-erased",
        ("buyer", "exported") => "admin-buyers-history-buyer-exported",
        ("document", "uploaded") => "admin-buyers-history-document-uploaded",
        ("document", "archived") => "admin-buyers-history-document-archived",
        // A print-only invitation names no address.
        ("invitation", "created") if email.is_empty() => {
            "admin-buyers-history-invitation-created-print-only"
        }
        ("invitation", "revoked") if email.is_empty() => {
            "admin-buyers-history-invitation-revoked-print-only"
        }
        ("invitation", "created") => "admin-buyers-history-invitation-created",
        ("invitation", "revoked") => "admin-buyers-history-invitation-revoked",
        ("invitation", "resent") => "admin-buyers-history-invitation-resent",
        ("invitation", "renewal_requested") => "admin-buyers-history-invitation-renewal-requested",
        ("invitation", "renewed") => "admin-buyers-history-invitation-renewed",
        ("invitation", "reminder_sent") => "admin-buyers-history-invitation-reminder-sent",
        // An identity document does not grow too old: it expires.
        ("document", "expiry_reminder") if parsed_type.is_some_and(DocumentType::is_identity) => {
            "admin-buyers-history-identity-expiry-reminder"
        }
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::db::now;

    fn expiry_reminder(document_type: &str) -> AuditEntry {
        AuditEntry {
            id: "entry".into(),
            entity_type: "document".into(),
            entity_id: "document".into(),
            action: "expiry_reminder".into(),
            actor: Actor::System.to_string(),
            at: now(),
            before: None,
            after: Some(json!({"type": document_type, "lapsesOn": "2026-12-20"})),
        }
    }

    #[test]
    fn a_reminder_for_an_identity_document_says_it_expires_not_that_it_grows_too_old() {
        let identity = sentence(Language::En, &expiry_reminder("CONTACT_ID"));
        assert!(identity.contains("expires soon"), "{identity}");
        assert!(!identity.contains("too old"), "{identity}");
        let register = sentence(Language::En, &expiry_reminder("COC_EXTRACT"));
        assert!(register.contains("too old"), "{register}");
        let german = sentence(Language::De, &expiry_reminder("CONTACT_ID"));
        assert!(german.contains("bald abläuft"), "{german}");
    }
}
