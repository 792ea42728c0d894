//! The email that sends a buyer's contact to the identity verification session.

use chrono::NaiveDate;

use super::action::{self, ActionEmail, RenderedEmail};
use crate::i18n::Language;

/// What the email says, before it is put into words.
pub struct VerificationFacts<'a> {
    /// The verification's language.
    pub language: Language,
    /// The organisation's name.
    pub organisation: &'a str,
    /// The organisation's colour (`#rrggbb`).
    pub colour: &'a str,
    /// The seller who asks.
    pub seller: &'a str,
    /// The buyer's company.
    pub company: &'a str,
    /// The provider's session URL.
    pub link: &'a str,
    /// The last day the session works.
    pub expires_on: NaiveDate,
    /// Whom to ask for help.
    pub contact: &'a str,
}

/// Puts the verification email into words in its language.
pub fn render(facts: &VerificationFacts<'_>) -> Result<RenderedEmail, askama::Error> {
    let l = facts.language;
    let subject = l.text_with("email-verification-subject", &[("seller", facts.seller)]);
    let greeting = l.text("email-verification-greeting");
    let intro = l.text_with(
        "email-verification-intro",
        &[
            ("seller", facts.seller),
            ("company", facts.company),
            ("organisation", facts.organisation),
        ],
    );
    let button = l.text("email-verification-button");
    let link_hint = l.text("email-verification-link-hint");
    let expiry = l.text_with(
        "email-verification-expiry",
        &[("date", &l.date(facts.expires_on))],
    );
    let help = l.text_with("email-verification-help", &[("contact", facts.contact)]);
    let ignore = l.text("email-verification-ignore");
    let signature = l.text_with(
        "email-verification-signature",
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
