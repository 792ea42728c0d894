//! The shape every portal email shares: a branded header, a few paragraphs and one link to
//! follow (as a button and as text), in one language throughout, HTML and plain text.

use askama::Template;

use crate::i18n::Language;

/// The words of an email that asks its reader to follow one link.
pub struct ActionEmail<'a> {
    /// The email's language.
    pub language: Language,
    /// Subject line.
    pub subject: &'a str,
    /// The organisation's colour (`#rrggbb`).
    pub colour: &'a str,
    /// The organisation's name, in the header.
    pub organisation: &'a str,
    /// The salutation.
    pub greeting: &'a str,
    /// Who asks for what.
    pub intro: &'a str,
    /// The button's label.
    pub button: &'a str,
    /// What to do when the button does not work.
    pub link_hint: &'a str,
    /// The link.
    pub link: &'a str,
    /// Until when the link works.
    pub expiry: &'a str,
    /// Whom to ask.
    pub help: &'a str,
    /// What to do with an unexpected email.
    pub ignore: &'a str,
    /// The closing.
    pub signature: &'a str,
}

#[derive(Template)]
#[template(path = "email/action.html")]
struct HtmlPart<'a> {
    lang: &'a str,
    subject: &'a str,
    colour: &'a str,
    organisation: &'a str,
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
#[template(path = "email/action.txt")]
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

/// Renders both parts.
pub fn render(email: &ActionEmail<'_>) -> Result<RenderedEmail, askama::Error> {
    let html = HtmlPart {
        lang: email.language.code(),
        subject: email.subject,
        colour: email.colour,
        organisation: email.organisation,
        greeting: email.greeting,
        intro: email.intro,
        button: email.button,
        link_hint: email.link_hint,
        link: email.link,
        expiry: email.expiry,
        help: email.help,
        ignore: email.ignore,
        signature: email.signature,
    }
    .render()?;
    let text = TextPart {
        greeting: email.greeting,
        intro: email.intro,
        button: email.button,
        link: email.link,
        expiry: email.expiry,
        help: email.help,
        ignore: email.ignore,
        signature: email.signature,
    }
    .render()?;
    Ok(RenderedEmail {
        subject: email.subject.to_owned(),
        html,
        text,
    })
}
