//! The email that tells staff a buyer asked for a new link: to the organisation's support
//! address, in the organisation's language, with a link to the buyer's invitations page where
//! the new link is one click away. Retried by the queue; without a support address there is
//! no one to write to, and the request waits on the staff pages.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde_json::Value;

use super::store;
use crate::buyers;
use crate::config::Settings;
use crate::db::Db;
use crate::email::{Mailer, action};
use crate::jobs::{JobError, JobHandler};
use crate::organisation;

const MESSAGES: action::Messages = action::Messages {
    subject: "email-renewal-subject",
    greeting: "email-renewal-greeting",
    intro: "email-renewal-intro",
    button: "email-renewal-button",
    link_hint: "email-renewal-link-hint",
    expiry: "email-renewal-expiry",
    help: "email-renewal-help",
    ignore: "email-renewal-ignore",
    signature: "email-renewal-signature",
};

/// Sends the staff's renewal emails.
pub struct RenewalEmailJob {
    /// The database.
    pub db: Db,
    /// Settings (public URL).
    pub settings: Arc<Settings>,
    /// The mail transport.
    pub mailer: Mailer,
}

impl RenewalEmailJob {
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
        let organisation = organisation::load(&self.db).await.map_err(retry)?;
        let Some(support) = organisation.support_email.as_deref() else {
            tracing::info!(
                invitation = id,
                "a buyer asked for a new link; no support address is set, so no email was sent"
            );
            return Ok(());
        };
        let (buyer, seller) = buyers::get_with_seller_name(&self.db, &invitation.buyer_id)
            .await
            .map_err(retry)?;
        let link = format!(
            "{}/admin/buyers/{}/invitations",
            self.settings.public_url, buyer.uuid
        );
        let brand = organisation.brand(&self.settings.public_url);
        // A used-up link stopped at its last use, an expired one at its expiry.
        let stopped = match invitation.status_at(crate::db::now()) {
            super::InvitationStatus::Exhausted => {
                invitation.last_used_at.unwrap_or(invitation.expires_at)
            }
            _ => invitation.expires_at,
        };
        // Whom the old link went to; a print-only one went to no address.
        let contact = match &invitation.recipient_email {
            Some(email) => email.as_str().to_owned(),
            None => organisation
                .default_language
                .text("invitation-print-only-recipient"),
        };
        let email = action::render(
            &MESSAGES,
            &action::LinkFacts {
                language: organisation.default_language,
                brand: &brand,
                recipient_name: None,
                documents: &[],
                seller: &seller,
                company: &buyer.company_name,
                link: &link,
                expires_on: organisation.time_zone.day(stopped),
                contact: &contact,
            },
        )
        .map_err(|e| JobError::Permanent(format!("the email could not be rendered: {e}")))?;
        self.mailer
            .send(support, email)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))
    }
}

impl JobHandler for RenewalEmailJob {
    fn run<'a>(&'a self, payload: &'a Value) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let id = payload["invitationId"]
                .as_str()
                .ok_or_else(|| JobError::Permanent("payload without invitationId".into()))?;
            self.send(id).await
        })
    }

    fn gave_up<'a>(&'a self, payload: &'a Value, error: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            tracing::error!(
                invitation = payload["invitationId"].as_str().unwrap_or_default(),
                error,
                "could not tell staff that a buyer asked for a new link"
            );
        })
    }
}
