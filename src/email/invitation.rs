//! The invitation email: one language throughout, branded, HTML and plain text.

use askama::Template;
use chrono::NaiveDate;

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
    /// The organisation's logo as an absolute URL, when there is one.
    pub logo_url: Option<&'a str>,
}

/// The texts both parts share.
#[derive(Template)]
#[template(path = "email/invitation.html")]
struct HtmlPart<'a> {
    lang: &'a str,
    subject: &'a str,
    colour: &'a str,
    organisation: &'a str,
    logo_url: Option<&'a str>,
    greeting: &'a str,
    intro: &'a str,
    button: &'a str,
    link_hint: &'a str,
    link: &'a str,
    expiry: &'a str,
    help: &'a str,
    ignore: &'a str,
    signature: &'a str,
}

#[derive(Template)]
#[template(path = "email/invitation.txt")]
struct TextPart<'a> {
    greeting: &'a str,
    intro: &'a str,
    button: &'a str,
    link: &'a str,
    expiry: &'a str,
    help: &'a str,
    ignore: &'a str,
    signature: &'a str,
}

/// A rendered email.
pub struct RenderedEmail {
    /// Subject line.
    pub subject: String,
    /// The HTML part.
    pub html: String,
    /// The plain-text part.
    pub text: String,
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
    let html = HtmlPart {
        lang: l.code(),
        subject: &subject,
        colour: facts.colour,
        organisation: facts.organisation,
        logo_url: facts.logo_url,
        greeting: &greeting,
        intro: &intro,
        button: &button,
        link_hint: &link_hint,
        link: facts.link,
        expiry: &expiry,
        help: &help,
        ignore: &ignore,
        signature: &signature,
    }
    .render()?;
    let text = TextPart {
        greeting: &greeting,
        intro: &intro,
        button: &button,
        link: facts.link,
        expiry: &expiry,
        help: &help,
        ignore: &ignore,
        signature: &signature,
    }
    .render()?;
    Ok(RenderedEmail {
        subject,
        html,
        text,
    })
}
