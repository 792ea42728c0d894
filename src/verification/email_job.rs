//! The background job that emails the session URL to the buyer's contact: in the
//! verification's language, branded, sent over SMTP (or into the outbox); retried by the
//! queue, and marked FAILED when it gives up.

use futures_util::future::BoxFuture;
use serde_json::Value;

use super::store;
use crate::buyers;
use crate::db::{Db, now};
use crate::email::{Mailer, verification};
use crate::invitations::EmailStatus;
use crate::jobs::{JobError, JobHandler};
use crate::organisation;

/// The job kind.
pub const EMAIL_JOB: &str = "verification.email";

/// Sends verification emails.
pub struct VerificationEmailJob {
    /// The database.
    pub db: Db,
    /// The mail transport.
    pub mailer: Mailer,
    /// The public URL the logo is linked below.
    pub public_url: String,
}

fn verification_id(payload: &Value) -> Result<&str, JobError> {
    payload["verificationId"]
        .as_str()
        .ok_or_else(|| JobError::Permanent("payload without verificationId".into()))
}

impl VerificationEmailJob {
    async fn send(&self, id: &str) -> Result<(), JobError> {
        let retry = |e: crate::errors::Error| JobError::Retry(e.to_string());
        let Some(verification) = store::find(self.db.pool(), id)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?
        else {
            return Err(JobError::Permanent(format!(
                "verification {id} does not exist"
            )));
        };
        let Some(recipient) = verification.email_to.as_deref() else {
            return Ok(());
        };
        if !verification.is_running(now()) {
            // Settled or lapsed meanwhile: an email with a dead link helps nobody.
            return Ok(());
        }
        let (buyer, seller) = buyers::get_with_seller_name(&self.db, &verification.buyer_id)
            .await
            .map_err(retry)?;
        let organisation = organisation::load(&self.db).await.map_err(retry)?;
        let contact = organisation.contact(Some(&seller)).to_string();
        let brand = organisation.brand(&self.public_url);
        let email = verification::render(&verification::VerificationFacts {
            language: verification.language,
            brand: &brand,
            recipient_name: None,
            documents: &[],
            seller: &seller,
            company: &buyer.company_name,
            link: &verification.session_url,
            expires_on: organisation.time_zone.day(verification.expires_at),
            contact: &contact,
        })
        .map_err(|e| JobError::Permanent(format!("the email could not be rendered: {e}")))?;
        self.mailer
            .send(recipient, email)
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
        store::set_email_status(&mut tx, id, status, error)
            .await
            .map_err(failed)?;
        tx.commit().await.map_err(failed)
    }
}

impl JobHandler for VerificationEmailJob {
    fn run<'a>(&'a self, payload: &'a Value) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move { self.send(verification_id(payload)?).await })
    }

    fn gave_up<'a>(&'a self, payload: &'a Value, error: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let Ok(id) = verification_id(payload) else {
                return;
            };
            if let Err(e) = self.set_status(id, EmailStatus::Failed, Some(error)).await {
                tracing::error!(verification = id, error = %e, "could not record a failed verification email");
            }
        })
    }
}
