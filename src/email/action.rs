//! The shape every portal email shares: a branded header, a few paragraphs and one link to
//! follow (as a button and as text), in one language throughout, HTML and plain text. Each
//! kind of email only names its messages.

use askama::Template;
use chrono::NaiveDate;

use crate::i18n::Language;

/// What a link email says, before it is put into words.
pub struct LinkFacts<'a> {
    /// The email's language.
    pub language: Language,
    /// The organisation's name.
    pub organisation: &'a str,
    /// The organisation's colour (`#rrggbb`).
    pub colour: &'a str,
    /// The seller who asks.
    pub seller: &'a str,
    /// The buyer's company.
    pub company: &'a str,
    /// The link to follow.
    pub link: &'a str,
    /// The last day the link works.
    pub expires_on: NaiveDate,
    /// Whom to ask for help.
    pub contact: &'a str,
    /// The organisation's logo as an absolute URL, when there is one.
    pub logo_url: Option<&'a str>,
}

/// The message ids of one kind of link email. `subject` takes `$seller` and `$company`; `intro` takes
/// `$seller`, `$company` and `$organisation`; `expiry` takes `$date`; `help` takes
/// `$contact`; `signature` takes `$organisation`.
pub struct Messages {
    /// Subject line.
    pub subject: &'static str,
    /// The salutation.
    pub greeting: &'static str,
    /// Who asks for what.
    pub intro: &'static str,
    /// The button's label.
    pub button: &'static str,
    /// What to do when the button does not work.
    pub link_hint: &'static str,
    /// Until when the link works.
    pub expiry: &'static str,
    /// Whom to ask.
    pub help: &'static str,
    /// What to do with an unexpected email.
    pub ignore: &'static str,
    /// The closing.
    pub signature: &'static str,
}

#[derive(Template)]
#[template(path = "email/action.html")]
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

/// Puts `facts` into the words of `messages`, in the facts' language, both parts.
pub fn render(messages: &Messages, facts: &LinkFacts<'_>) -> Result<RenderedEmail, askama::Error> {
    let l = facts.language;
    let subject = l.text_with(
        messages.subject,
        &[("seller", facts.seller), ("company", facts.company)],
    );
    let greeting = l.text(messages.greeting);
    let intro = l.text_with(
        messages.intro,
        &[
            ("seller", facts.seller),
            ("company", facts.company),
            ("organisation", facts.organisation),
        ],
    );
    let button = l.text(messages.button);
    let link_hint = l.text(messages.link_hint);
    let expiry = l.text_with(messages.expiry, &[("date", &l.date(facts.expires_on))]);
    let help = l.text_with(messages.help, &[("contact", facts.contact)]);
    let ignore = l.text(messages.ignore);
    let signature = l.text_with(messages.signature, &[("organisation", facts.organisation)]);
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
