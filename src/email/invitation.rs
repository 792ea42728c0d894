//! The invitation email: the upload link, one language throughout, branded, HTML and plain
//! text.

use super::action::{self, Messages, RenderedEmail};

/// What the email says, before it is put into words.
pub use super::action::LinkFacts as InvitationFacts;

const MESSAGES: Messages = Messages {
    subject: "email-invitation-subject",
    greeting: "email-invitation-greeting",
    intro: "email-invitation-intro",
    button: "email-invitation-button",
    link_hint: "email-invitation-link-hint",
    expiry: "email-invitation-expiry",
    help: "email-invitation-help",
    ignore: "email-invitation-ignore",
    signature: "email-invitation-signature",
};

/// Puts the invitation into words in its language.
pub fn render(facts: &InvitationFacts<'_>) -> Result<RenderedEmail, askama::Error> {
    action::render(&MESSAGES, facts)
}
