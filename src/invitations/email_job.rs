//! The background job that emails an invitation: rendered in its language, branded, sent over
//! SMTP (or into the outbox); retried by the queue, and marked FAILED when it gives up.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde_json::Value;

use super::model::{EmailStatus, Unavailable};
use super::{InvitationStatus, Links, store};
use crate::buyers;
use crate::config::Settings;
use crate::db::{Db, now};
use crate::email::{Mailer, invitation};
use crate::jobs::{JobError, JobHandler};
use crate::organisation;
use crate::server_key::ServerKey;

/// The job kind.
pub const EMAIL_JOB: &str = "invitation.email";

/// Sends invitation emails.
pub struct InvitationEmailJob {
    /// The database.
    pub db: Db,
    /// Settings (public URL, sender).
    pub settings: Arc<Settings>,
    /// The key links derive from.
    pub key: ServerKey,
    /// The mail transport.
    pub mailer: Mailer,
}

fn invitation_id(payload: &Value) -> Result<&str, JobError> {
    payload["invitationId"]
        .as_str()
        .ok_or_else(|| JobError::Permanent("payload without invitationId".into()))
}

impl InvitationEmailJob {
    async fn send(&self, id: &str) -> Result<(), JobError> {
        let retry = |e: crate::errors::Error| JobError::Retry(e.to_string());
        let Some(invitation) = store::find(self.db.pool(), id)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?
        else {
            return Err(JobError::Permanent(format!(
                "invitation {id} does not exist"
            )));
        };
        let Some(recipient) = invitation.recipient_email.clone() else {
            // A print-only invitation has no one to email; nothing is queued for one, but a
            // job that finds one anyway has nothing to do.
            return Ok(());
        };
        let (buyer, seller) = buyers::get_with_seller_name(&self.db, &invitation.buyer_id)
            .await
            .map_err(retry)?;
        let skipped = match invitation.status_at(now()) {
            InvitationStatus::Active if buyer.is_ended() => Some(Unavailable::BuyerEnded),
            InvitationStatus::Active if buyer.is_blocked() => Some(Unavailable::BuyerBlocked),
            InvitationStatus::Active => None,
            InvitationStatus::Expired => Some(Unavailable::Expired),
            InvitationStatus::Revoked => Some(Unavailable::Revoked),
            InvitationStatus::Exhausted => Some(Unavailable::Exhausted),
        };
        if let Some(reason) = skipped {
            // Revoked, used up, expired or blocked meanwhile: an email with a dead link helps
            // nobody, and the invitation says why none was sent.
            return self
                .set_status(id, EmailStatus::Skipped, Some(reason.as_str()))
                .await;
        }
        let organisation = organisation::load(&self.db).await.map_err(retry)?;
        let links = Links {
            key: &self.key,
            public_url: &self.settings.public_url,
        };
        let link = links.of(&invitation);
        let contact = organisation.contact(Some(&seller)).to_string();
        let brand = organisation.brand(&self.settings.public_url);
        let l = invitation.language;
        let documents: Vec<String> = organisation
            .required_document_types
            .iter()
            .map(|t| t.label(l))
            .collect();
        // The buyer's contact with this address, greeted by name.
        let recipient_name = buyer
            .contacts
            .iter()
            .find(|c| c.email.as_str().eq_ignore_ascii_case(recipient.as_str()))
            .map(|c| format!("{} {}", c.first_name, c.last_name));
        let email = invitation::render(&invitation::InvitationFacts {
            language: l,
            brand: &brand,
            recipient_name: recipient_name.as_deref(),
            documents: &documents,
            seller: &seller,
            company: &buyer.company_name,
            link: &link,
            expires_on: organisation.time_zone.day(invitation.expires_at),
            contact: &contact,
        })
        .map_err(|e| JobError::Permanent(format!("the email could not be rendered: {e}")))?;
        self.mailer
            .send(recipient.as_str(), email)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        self.set_status(id, EmailStatus::Sent, None).await
    }

    async fn set_status(
        &self,
        id: &str,
        status: EmailStatus,
        error: Option<&str>,
    ) -> Result<(), JobError> {
        let failed = |e: sqlx::Error| JobError::Retry(e.to_string());
        let mut tx = self.db.begin_write().await.map_err(failed)?;
        store::set_email_status(&mut tx, id, status, error, now())
            .await
            .map_err(failed)?;
        tx.commit().await.map_err(failed)
    }
}

impl JobHandler for InvitationEmailJob {
    fn run<'a>(&'a self, payload: &'a Value) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move { self.send(invitation_id(payload)?).await })
    }

    fn gave_up<'a>(&'a self, payload: &'a Value, error: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let Ok(id) = invitation_id(payload) else {
                return;
            };
            if let Err(e) = self.set_status(id, EmailStatus::Failed, Some(error)).await {
                tracing::error!(invitation = id, error = %e, "could not record a failed invitation email");
            }
        })
    }
}
