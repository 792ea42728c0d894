//! Email: addresses (parsed once), the messages the portal sends, and sending them.

mod address;
pub mod invitation;
mod mailer;

pub use address::EmailAddress;
pub use mailer::{MailError, Mailer};
