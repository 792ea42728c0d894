//! Sending mail: SMTP when configured, else `.eml` files in the outbox folder (so a portal
//! without a mail server still shows what it would have sent).

use std::path::PathBuf;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use super::action::RenderedEmail;
use crate::config::Settings;

/// A failure to build or send a message.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The SMTP URL or the sender address is not usable.
    #[error("mail is misconfigured: {0}")]
    Config(String),
    /// The message could not be built (a bad address).
    #[error("the message could not be built: {0}")]
    Message(String),
    /// The SMTP server refused or could not be reached.
    #[error("the mail server did not take the message: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    /// The outbox folder could not be written.
    #[error("the outbox could not be written: {0}")]
    File(#[from] lettre::transport::file::Error),
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>),
}

/// Sends the portal's mail; clones share the SMTP connection pool.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    /// The mailer the settings describe.
    pub fn from_settings(settings: &Settings) -> Result<Mailer, MailError> {
        let from: Mailbox = settings
            .mail_from
            .parse()
            .map_err(|e| MailError::Config(format!("mail_from: {e}")))?;
        let transport = match &settings.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .map_err(|_| MailError::Config("smtp_url is not a valid SMTP URL".into()))?
                    .build(),
            ),
            None => {
                let outbox: PathBuf = settings.data_dir.join("outbox");
                std::fs::create_dir_all(&outbox)
                    .map_err(|e| MailError::Config(format!("outbox: {e}")))?;
                Transport::Outbox(AsyncFileTransport::new(outbox))
            }
        };
        Ok(Mailer { transport, from })
    }

    /// Connects to the SMTP server and greets it (EHLO, with TLS as the URL asks) without
    /// sending anything (`check-config`); None when mail goes to the outbox.
    pub async fn test_connection(&self) -> Option<Result<bool, MailError>> {
        match &self.transport {
            Transport::Smtp(smtp) => Some(smtp.test_connection().await.map_err(MailError::from)),
            Transport::Outbox(_) => None,
        }
    }

    /// Sends `email` to `to`.
    pub async fn send(&self, to: &str, email: RenderedEmail) -> Result<(), MailError> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| MailError::Message(format!("recipient: {e}")))?;
        // The configured address, under the organisation's name: a rebranded portal does not
        // write as "KYC Portal".
        let from = match email.sender_name.trim() {
            "" => self.from.clone(),
            name => Mailbox::new(Some(name.to_owned()), self.from.email.clone()),
        };
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(email.subject)
            .multipart(MultiPart::alternative_plain_html(email.text, email.html))
            .map_err(|e| MailError::Message(e.to_string()))?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
            }
            Transport::Outbox(files) => {
                files.send(message).await?;
            }
        }
        Ok(())
    }
}
