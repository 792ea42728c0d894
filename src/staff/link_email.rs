//! The job that emails a staff account link (an invitation or a password reset), in the
//! link's language and the organisation's brand. The link is written from the server key at
//! sending time, so the queue never holds it; a link that stopped working meanwhile (used,
//! revoked, sent again, expired) is not sent.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde_json::Value;

use super::links::{self, LinkKind};
use crate::config::Settings;
use crate::db::Db;
use crate::email::{Mailer, action};
use crate::errors::Error;
use crate::jobs::{JobError, JobHandler};
use crate::organisation;
use crate::server_key::ServerKey;

const INVITATION: action::Messages = action::Messages {
    subject: "email-staff-invitation-subject",
    greeting: "email-staff-greeting",
    intro: "email-staff-invitation-intro",
    button: "email-staff-invitation-button",
    link_hint: "email-staff-link-hint",
    expiry: "email-staff-invitation-expiry",
    help: "email-staff-help",
    ignore: "email-staff-invitation-ignore",
    signature: "email-staff-signature",
};

const RESET: action::Messages = action::Messages {
    subject: "email-staff-reset-subject",
    greeting: "email-staff-greeting",
    intro: "email-staff-reset-intro",
    button: "email-staff-reset-button",
    link_hint: "email-staff-link-hint",
    expiry: "email-staff-reset-expiry",
    help: "email-staff-help",
    ignore: "email-staff-reset-ignore",
    signature: "email-staff-signature",
};

/// Sends staff account links.
pub struct LinkEmailJob {
    /// The database.
    pub db: Db,
    /// Settings (public URL).
    pub settings: Arc<Settings>,
    /// The key links derive from.
    pub key: ServerKey,
    /// The mail transport.
    pub mailer: Mailer,
}

impl LinkEmailJob {
    async fn send(&self, id: &str) -> Result<(), JobError> {
        let retry = |e: Error| JobError::Retry(e.to_string());
        let link = match links::get(&self.db, id).await {
            Ok(link) => link,
            Err(Error::NotFound(_)) => {
                return Err(JobError::Permanent(format!(
                    "staff link {id} does not exist"
                )));
            }
            Err(e) => return Err(retry(e)),
        };
        if !link.is_usable() {
            return Ok(());
        }
        let organisation = organisation::load(&self.db).await.map_err(retry)?;
        let brand = organisation.brand(&self.settings.public_url);
        let url = link.token(&self.key).link(&self.settings.public_url);
        let contact = organisation.contact(None).to_string();
        let messages = match link.kind {
            LinkKind::Invitation => &INVITATION,
            LinkKind::Reset => &RESET,
        };
        let email = action::render(
            messages,
            &action::LinkFacts {
                language: link.language,
                brand: &brand,
                recipient_name: None,
                documents: &[],
                seller: &organisation.name,
                company: &organisation.name,
                link: &url,
                expires_on: organisation.time_zone.day(link.expires_at),
                contact: &contact,
            },
        )
        .map_err(|e| JobError::Permanent(format!("the email could not be rendered: {e}")))?;
        self.mailer
            .send(&link.email, email)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))
    }
}

fn link_id(payload: &Value) -> Result<&str, JobError> {
    payload["linkId"]
        .as_str()
        .ok_or_else(|| JobError::Permanent("payload without linkId".into()))
}

impl JobHandler for LinkEmailJob {
    fn run<'a>(&'a self, payload: &'a Value) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move { self.send(link_id(payload)?).await })
    }

    fn gave_up<'a>(&'a self, payload: &'a Value, error: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            tracing::error!(
                link = payload["linkId"].as_str().unwrap_or_default(),
                error,
                "could not email a staff account link"
            );
        })
    }
}
