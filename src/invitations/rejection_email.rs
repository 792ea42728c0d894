//! The email that tells a buyer a document was rejected: in the invitation's language, naming
//! the document type, the reason and the reviewer's note, with the buyer's upload link. The
//! buyer's newest active link is used; without one, a new invitation is issued to whoever got
//! the last one (or the buyer's first contact), and this email is its email. Retried by the
//! queue; a retry finds the link the first attempt issued.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde_json::Value;

use super::model::EmailStatus;
use super::{InvitationStatus, Links, NewInvitation, store};
use crate::audit::Actor;
use crate::buyers;
use crate::config::Settings;
use crate::db::{Db, now};
use crate::documents::ReviewStatus;
use crate::documents::store as documents_store;
use crate::email::{Mailer, action};
use crate::jobs::{JobError, JobHandler};
use crate::organisation;
use crate::pagination::Page;
use crate::server_key::ServerKey;
use crate::write;

const MESSAGES: action::Messages = action::Messages {
    subject: "email-rejected-subject",
    greeting: "email-rejected-greeting",
    intro: "email-rejected-intro",
    button: "email-rejected-button",
    link_hint: "email-rejected-link-hint",
    expiry: "email-rejected-expiry",
    help: "email-rejected-help",
    ignore: "email-rejected-ignore",
    signature: "email-rejected-signature",
};

/// Sends the emails about rejected documents.
pub struct RejectionEmailJob {
    /// The database.
    pub db: Db,
    /// Settings (public URL).
    pub settings: Arc<Settings>,
    /// The key links derive from.
    pub key: ServerKey,
    /// The mail transport.
    pub mailer: Mailer,
}

impl RejectionEmailJob {
    async fn send(&self, document_id: &str) -> Result<(), JobError> {
        let retry = |e: crate::errors::Error| JobError::Retry(e.to_string());
        let Some(stored) = documents_store::find(self.db.pool(), document_id)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?
        else {
            return Err(JobError::Permanent(format!(
                "document {document_id} does not exist"
            )));
        };
        let document = stored.document;
        let Some(reason) = document.review_reason else {
            return Ok(());
        };
        if document.review_status != ReviewStatus::Rejected {
            // Decided again meanwhile: nothing to ask for.
            return Ok(());
        }
        let (buyer, seller) = buyers::get_with_seller_name(&self.db, &document.buyer_id)
            .await
            .map_err(retry)?;
        if buyer.is_blocked() {
            return Ok(());
        }
        let organisation = organisation::load(&self.db).await.map_err(retry)?;
        let links = Links {
            key: &self.key,
            public_url: &self.settings.public_url,
        };
        let invitations = store::list(self.db.pool(), &buyer.uuid, &Page::first())
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        let at = now();
        // Only an emailed link has someone to write to; a print-only one is left out.
        let emailed = || invitations.iter().filter(|i| !i.is_print_only());
        let active = emailed()
            .find(|i| i.status_at(at) == InvitationStatus::Active)
            .cloned();
        let (invitation, issued) = match active {
            Some(invitation) => (invitation, false),
            None => {
                let addressee = emailed()
                    .find_map(|i| Some((i.recipient_email.clone()?, i.language)))
                    .or_else(|| {
                        buyer
                            .contacts
                            .first()
                            .map(|c| (c.email.clone(), organisation.default_language))
                    });
                let Some((recipient_email, language)) = addressee else {
                    tracing::info!(
                        document = document_id,
                        "a document was rejected; the buyer has no contact to tell"
                    );
                    return Ok(());
                };
                let new = NewInvitation {
                    recipient_email: Some(recipient_email),
                    expires_in_days: organisation.default_invitation_expiry_days,
                    language,
                    max_uses: None,
                };
                // Its link goes out in this email, not in an invitation email of its own.
                let invitation = write::apply(&self.db, Actor::System, async |tx| {
                    Ok(super::insert(tx, links, &buyer.seller_id, &buyer.uuid, new)
                        .await?
                        .0)
                })
                .await
                .map_err(retry)?;
                (invitation, true)
            }
        };
        let Some(recipient) = invitation.recipient_email.clone() else {
            return Ok(());
        };
        let l = invitation.language;
        let mut line = format!("{}: {}", document.document_type.label(l), reason.label(l));
        if let Some(note) = &document.review_note {
            line.push_str(&format!(" ({note})"));
        }
        let recipient_name = buyer
            .contacts
            .iter()
            .find(|c| c.email.as_str().eq_ignore_ascii_case(recipient.as_str()))
            .map(|c| format!("{} {}", c.first_name, c.last_name));
        let link = links.of(&invitation);
        let contact = organisation.contact(Some(&seller)).to_string();
        let brand = organisation.brand(&self.settings.public_url);
        let email = action::render(
            &MESSAGES,
            &action::LinkFacts {
                language: l,
                brand: &brand,
                recipient_name: recipient_name.as_deref(),
                documents: &[line],
                seller: &seller,
                company: &buyer.company_name,
                link: &link,
                expires_on: organisation.time_zone.day(invitation.expires_at),
                contact: &contact,
            },
        )
        .map_err(|e| JobError::Permanent(format!("the email could not be rendered: {e}")))?;
        self.mailer
            .send(recipient.as_str(), email)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        if issued {
            // This email carried the new link: the invitation's email is sent.
            let failed = |e: sqlx::Error| JobError::Retry(e.to_string());
            let mut tx = self.db.begin_write().await.map_err(failed)?;
            store::set_email_status(&mut tx, &invitation.id, EmailStatus::Sent, None, now())
                .await
                .map_err(failed)?;
            tx.commit().await.map_err(failed)?;
        }
        Ok(())
    }
}

impl JobHandler for RejectionEmailJob {
    fn run<'a>(&'a self, payload: &'a Value) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let id = payload["documentId"]
                .as_str()
                .ok_or_else(|| JobError::Permanent("payload without documentId".into()))?;
            self.send(id).await
        })
    }

    fn gave_up<'a>(&'a self, payload: &'a Value, error: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            tracing::error!(
                document = payload["documentId"].as_str().unwrap_or_default(),
                error,
                "could not tell a buyer that a document was rejected"
            );
        })
    }
}
