//! Email: addresses (parsed once), the messages the portal sends, and sending them.

pub mod action;
mod address;
pub mod digest;
pub mod invitation;
mod mailer;
pub mod verification;

pub use address::EmailAddress;
pub use mailer::{MailError, Mailer};
