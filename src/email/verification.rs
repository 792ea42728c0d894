//! The email that sends a buyer's contact to the identity verification session (the
//! provider's session URL), in the verification's language, branded, HTML and plain text.

use super::action::{self, Messages, RenderedEmail};

/// What the email says, before it is put into words.
pub use super::action::LinkFacts as VerificationFacts;

const MESSAGES: Messages = Messages {
    subject: "email-verification-subject",
    greeting: "email-verification-greeting",
    intro: "email-verification-intro",
    button: "email-verification-button",
    link_hint: "email-verification-link-hint",
    expiry: "email-verification-expiry",
    help: "email-verification-help",
    ignore: "email-verification-ignore",
    signature: "email-verification-signature",
};

/// Puts the verification email into words in its language.
pub fn render(facts: &VerificationFacts<'_>) -> Result<RenderedEmail, askama::Error> {
    action::render(&MESSAGES, facts)
}
