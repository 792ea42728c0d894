//! The invitation email: one language throughout, branded, HTML and plain text.

use chrono::NaiveDate;

use super::action::{self, ActionEmail, RenderedEmail};
use crate::i18n::Language;

/// What the email says, before it is put into words.
pub struct InvitationFacts<'a> {
    /// The invitation's language.
    pub language: Language,
    /// The organisation's name.
    pub organisation: &'a str,
    /// The organisation's colour (`#rrggbb`).
    pub colour: &'a str,
    /// The seller who asks.
    pub seller: &'a str,
    /// The buyer's company.
    pub company: &'a str,
    /// The upload link.
    pub link: &'a str,
    /// The last day the link works.
    pub expires_on: NaiveDate,
    /// Whom to ask for help.
    pub contact: &'a str,
}

/// Puts the invitation into words in its language.
pub fn render(facts: &InvitationFacts<'_>) -> Result<RenderedEmail, askama::Error> {
    let l = facts.language;
    let subject = l.text_with("email-invitation-subject", &[("seller", facts.seller)]);
    let greeting = l.text("email-invitation-greeting");
    let intro = l.text_with(
        "email-invitation-intro",
        &[
            ("seller", facts.seller),
            ("company", facts.company),
            ("organisation", facts.organisation),
        ],
    );
    let button = l.text("email-invitation-button");
    let link_hint = l.text("email-invitation-link-hint");
    let expiry = l.text_with(
        "email-invitation-expiry",
        &[("date", &l.date(facts.expires_on))],
    );
    let help = l.text_with("email-invitation-help", &[("contact", facts.contact)]);
    let ignore = l.text("email-invitation-ignore");
    let signature = l.text_with(
        "email-invitation-signature",
        &[("organisation", facts.organisation)],
    );
    action::render(&ActionEmail {
        language: l,
        subject: &subject,
        colour: facts.colour,
        organisation: facts.organisation,
        greeting: &greeting,
        intro: &intro,
        button: &button,
        link_hint: &link_hint,
        link: facts.link,
        expiry: &expiry,
        help: &help,
        ignore: &ignore,
        signature: &signature,
    })
}
