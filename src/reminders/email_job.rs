//! The reminder's email: in the invitation's language, branded, with the link (the
//! invitation's own, derived again from the server key, since only its hash is stored; for a
//! lapsing document the buyer's open link or a fresh one). Whether it is still needed is
//! decided again when its turn comes: a buyer blocked, a link used or withdrawn, documents
//! completed meanwhile, and the reminder is skipped.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde_json::Value;

use super::{Reminder, ReminderKind, ReminderStatus, store};
use crate::access::SellerScope;
use crate::audit::Actor;
use crate::buyers::{self, Buyer};
use crate::config::Settings;
use crate::db::{Db, now};
use crate::documents::{self, DocumentType};
use crate::email::{Mailer, action};
use crate::errors::Error;
use crate::invitations::{self, Invitation, InvitationStatus, Links, NewInvitation};
use crate::jobs::{JobError, JobHandler};
use crate::kyc::requirements;
use crate::organisation::{self, OrganisationSettings};
use crate::server_key::ServerKey;
use crate::write;

/// The words shared by every reminder, around the kind's own subject and intro.
const fn messages(
    subject: &'static str,
    intro: &'static str,
    button: &'static str,
) -> action::Messages {
    action::Messages {
        subject,
        greeting: "email-reminder-greeting",
        intro,
        button,
        link_hint: "email-reminder-link-hint",
        expiry: "email-reminder-expiry",
        help: "email-reminder-help",
        ignore: "email-reminder-ignore",
        signature: "email-reminder-signature",
    }
}

const UNUSED: action::Messages = messages(
    "email-reminder-unused-subject",
    "email-reminder-unused-intro",
    "email-reminder-button",
);
const EXPIRING: action::Messages = messages(
    "email-reminder-expiring-subject",
    "email-reminder-expiring-intro",
    "email-reminder-button",
);
const DOCUMENT: action::Messages = messages(
    "email-reminder-document-subject",
    "email-reminder-document-intro",
    "email-reminder-document-button",
);
/// An identity document does not grow too old: it expires on the day it states.
const IDENTITY: action::Messages = messages(
    "email-reminder-identity-subject",
    "email-reminder-identity-intro",
    "email-reminder-identity-button",
);

/// Sends reminder emails.
pub struct ReminderEmailJob {
    /// The database.
    pub db: Db,
    /// Settings (public URL, sender).
    pub settings: Arc<Settings>,
    /// The key links derive from.
    pub key: ServerKey,
    /// The mail transport.
    pub mailer: Mailer,
}

/// Why a reminder was not sent.
const BUYER_BLOCKED: &str = "BUYER_BLOCKED";
const LINK_UNAVAILABLE: &str = "LINK_UNAVAILABLE";
const LINK_USED: &str = "LINK_USED";
const DOCUMENTS_COMPLETE: &str = "DOCUMENTS_COMPLETE";
const NO_CONTACT: &str = "NO_CONTACT";
const DOCUMENT_REPLACED: &str = "DOCUMENT_REPLACED";

fn reminder_id(payload: &Value) -> Result<&str, JobError> {
    payload["reminderId"]
        .as_str()
        .ok_or_else(|| JobError::Permanent("payload without reminderId".into()))
}

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::Retry(e.to_string())
}

impl ReminderEmailJob {
    fn links(&self) -> Links<'_> {
        Links {
            key: &self.key,
            public_url: &self.settings.public_url,
        }
    }

    async fn send(&self, id: &str) -> Result<(), JobError> {
        let Some(reminder) = store::find(self.db.pool(), id).await.map_err(retry)? else {
            return Err(JobError::Permanent(format!("reminder {id} does not exist")));
        };
        if reminder.status != ReminderStatus::Queued {
            return Ok(());
        }
        let (buyer, seller) = buyers::get_with_seller_name(&self.db, &reminder.buyer_id)
            .await
            .map_err(retry)?;
        if buyer.is_blocked() {
            return self.skip(&reminder, BUYER_BLOCKED).await;
        }
        let organisation = organisation::load(&self.db).await.map_err(retry)?;
        let today = now().to_datetime().date_naive();
        let counting = documents::counting(&self.db, &buyer.uuid)
            .await
            .map_err(retry)?;
        let missing = requirements::missing(&requirements::assess(&organisation, &counting, today));
        let (invitation, documents, messages, fresh) = match reminder.kind {
            ReminderKind::InvitationUnused | ReminderKind::InvitationExpiring => {
                let invitation = self.invitation_of(&reminder).await?;
                if invitation.status_at(now()) != InvitationStatus::Active {
                    return self.skip(&reminder, LINK_UNAVAILABLE).await;
                }
                if reminder.kind == ReminderKind::InvitationUnused && invitation.usage_count > 0 {
                    return self.skip(&reminder, LINK_USED).await;
                }
                if missing.is_empty() {
                    return self.skip(&reminder, DOCUMENTS_COMPLETE).await;
                }
                let messages = if reminder.kind == ReminderKind::InvitationUnused {
                    &UNUSED
                } else {
                    &EXPIRING
                };
                (invitation, missing, messages, false)
            }
            ReminderKind::DocumentExpiring => {
                // A newer document of the type came meanwhile, or this one was archived.
                let Some(lapsing) = self.lapsing_type(&reminder, &counting) else {
                    return self.skip(&reminder, DOCUMENT_REPLACED).await;
                };
                let Some((invitation, fresh)) =
                    self.link_for(&reminder, &buyer, &organisation).await?
                else {
                    return self.skip(&reminder, NO_CONTACT).await;
                };
                let messages = if lapsing.is_identity() {
                    &IDENTITY
                } else {
                    &DOCUMENT
                };
                (invitation, vec![lapsing], messages, fresh)
            }
        };
        let Some(recipient) = invitation.recipient_email.clone() else {
            // A print-only link went to no address: there is no one to remind.
            return self.skip(&reminder, NO_CONTACT).await;
        };
        let l = invitation.language;
        let labels: Vec<String> = documents.iter().map(|t| t.label(l)).collect();
        let recipient_name = buyer
            .contacts
            .iter()
            .find(|c| c.email.as_str().eq_ignore_ascii_case(recipient.as_str()))
            .map(|c| format!("{} {}", c.first_name, c.last_name));
        let link = self.links().of(&invitation);
        let contact = organisation.contact(Some(&seller)).to_string();
        let brand = organisation.brand(&self.settings.public_url);
        let email = action::render(
            messages,
            &action::LinkFacts {
                language: l,
                brand: &brand,
                recipient_name: recipient_name.as_deref(),
                documents: &labels,
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
            .map_err(retry)?;
        // A link reminder counts on its invitation; a link made for a document reminder was
        // first sent in it.
        let how = if fresh {
            invitations::Reminded::FirstEmail
        } else if reminder.kind == ReminderKind::DocumentExpiring {
            invitations::Reminded::Carried
        } else {
            invitations::Reminded::Counted
        };
        let at = now();
        write::apply(&self.db, Actor::System, async |tx| {
            store::settle(
                tx.conn().await?,
                &reminder.id,
                ReminderStatus::Sent,
                None,
                at,
            )
            .await?;
            invitations::reminded(tx, &invitation, reminder.kind.as_str(), how, at).await
        })
        .await
        .map_err(retry)
    }

    async fn invitation_of(&self, reminder: &Reminder) -> Result<Invitation, JobError> {
        let id = reminder
            .invitation_id
            .as_deref()
            .ok_or_else(|| JobError::Permanent("an invitation reminder without one".into()))?;
        invitations::find(&self.db, &SellerScope::Organisation, id)
            .await
            .map_err(retry)
    }

    /// The type of the document the reminder is about.
    fn lapsing_type(
        &self,
        reminder: &Reminder,
        counting: &[documents::Document],
    ) -> Option<DocumentType> {
        let id = reminder.document_id.as_deref()?;
        counting
            .iter()
            .find(|d| d.uuid == id)
            .map(|d| d.document_type)
    }

    /// The link a document reminder carries: the one chosen on an earlier attempt, else the
    /// buyer's newest working link, else a new one for the buyer's first contact in the
    /// organisation's language; with whether it was made for the reminder. None when the
    /// buyer has no contact to write to.
    async fn link_for(
        &self,
        reminder: &Reminder,
        buyer: &Buyer,
        organisation: &OrganisationSettings,
    ) -> Result<Option<(Invitation, bool)>, JobError> {
        if reminder.invitation_id.is_some() {
            let chosen = self.invitation_of(reminder).await?;
            if chosen.status_at(now()) == InvitationStatus::Active {
                return Ok(Some((chosen, reminder.fresh_link)));
            }
        }
        if let Some(open) = invitations::open_for(&self.db, &buyer.uuid, now())
            .await
            .map_err(retry)?
        {
            self.note_link(reminder, &open.id, false).await?;
            return Ok(Some((open, false)));
        }
        let Some(contact) = buyer.contacts.first() else {
            return Ok(None);
        };
        let new = NewInvitation {
            recipient_email: Some(contact.email.clone()),
            expires_in_days: organisation.default_invitation_expiry_days,
            language: organisation.default_language,
            max_uses: None,
        };
        let links = self.links();
        let reminder_id = reminder.id.clone();
        let fresh = write::apply(&self.db, Actor::System, async |tx| {
            let made =
                invitations::create_for_reminder(tx, links, &buyer.seller_id, &buyer.uuid, new)
                    .await?;
            store::set_link(tx.conn().await?, &reminder_id, &made.id, true).await?;
            Ok::<_, Error>(made)
        })
        .await
        .map_err(retry)?;
        Ok(Some((fresh, true)))
    }

    async fn note_link(
        &self,
        reminder: &Reminder,
        invitation_id: &str,
        fresh: bool,
    ) -> Result<(), JobError> {
        let mut conn = self.db.pool().acquire().await.map_err(retry)?;
        store::set_link(&mut conn, &reminder.id, invitation_id, fresh)
            .await
            .map_err(retry)
    }

    async fn skip(&self, reminder: &Reminder, reason: &str) -> Result<(), JobError> {
        store::settle(
            self.db.pool(),
            &reminder.id,
            ReminderStatus::Skipped,
            Some(reason),
            now(),
        )
        .await
        .map_err(retry)
    }
}

impl JobHandler for ReminderEmailJob {
    fn run<'a>(&'a self, payload: &'a Value) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move { self.send(reminder_id(payload)?).await })
    }

    fn gave_up<'a>(&'a self, payload: &'a Value, error: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let Ok(id) = reminder_id(payload) else {
                return;
            };
            tracing::error!(reminder = id, error, "could not send a reminder");
            if let Err(e) =
                store::settle(self.db.pool(), id, ReminderStatus::Failed, None, now()).await
            {
                tracing::error!(reminder = id, error = %e, "could not record a failed reminder");
            }
        })
    }
}
