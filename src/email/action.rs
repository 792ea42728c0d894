//! The shape every portal email shares: a branded header, a few paragraphs and one link to
//! follow (as a button and as text), in one language throughout, HTML and plain text. Each
//! kind of email only names its messages.

use askama::Template;
use chrono::NaiveDate;

use crate::i18n::Language;

/// Whose email it is: the organisation's name (also the sender's), colour, logo and legal
/// pages.
#[derive(Debug, Clone, Default)]
pub struct Brand {
    /// The organisation's name.
    pub organisation: String,
    /// The organisation's colour (`#rrggbb`).
    pub colour: String,
    /// The organisation's logo as an absolute URL, when there is one.
    pub logo_url: Option<String>,
    /// The imprint page, when set.
    pub imprint_url: Option<String>,
    /// The privacy notice, when set.
    pub privacy_url: Option<String>,
}

/// What a link email says, before it is put into words.
pub struct LinkFacts<'a> {
    /// The email's language.
    pub language: Language,
    /// Whose email it is.
    pub brand: &'a Brand,
    /// The person it is for, when known (greeted by name).
    pub recipient_name: Option<&'a str>,
    /// What to have at hand (document labels in the email's language); may be empty.
    pub documents: &'a [String],
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
    documents_intro: &'a str,
    documents: &'a [String],
    button: &'a str,
    link_hint: &'a str,
    link: &'a str,
    expiry: &'a str,
    help: &'a str,
    ignore: &'a str,
    signature: &'a str,
    legal: &'a [(String, String)],
}

#[derive(Template)]
#[template(path = "email/action.txt")]
struct TextPart<'a> {
    greeting: &'a str,
    intro: &'a str,
    documents_intro: &'a str,
    documents: &'a [String],
    button: &'a str,
    link: &'a str,
    expiry: &'a str,
    help: &'a str,
    ignore: &'a str,
    signature: &'a str,
    legal: &'a [(String, String)],
}

/// A rendered email.
pub struct RenderedEmail {
    /// The sender's display name (the organisation's), beside the configured address.
    pub sender_name: String,
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
    let brand = facts.brand;
    let greeting = match facts.recipient_name {
        Some(name) => l.text_with("email-greeting-named", &[("name", name)]),
        None => l.text(messages.greeting),
    };
    let intro = l.text_with(
        messages.intro,
        &[
            ("seller", facts.seller),
            ("company", facts.company),
            ("organisation", &brand.organisation),
        ],
    );
    let documents_intro = l.text("email-documents-intro");
    let legal: Vec<(String, String)> = [
        ("email-imprint", &brand.imprint_url),
        ("email-privacy", &brand.privacy_url),
    ]
    .into_iter()
    .filter_map(|(id, url)| url.as_ref().map(|url| (l.text(id), url.clone())))
    .collect();
    let button = l.text(messages.button);
    let link_hint = l.text(messages.link_hint);
    let expiry = l.text_with(messages.expiry, &[("date", &l.date(facts.expires_on))]);
    let help = l.text_with(messages.help, &[("contact", facts.contact)]);
    let ignore = l.text(messages.ignore);
    let signature = l.text_with(
        messages.signature,
        &[("organisation", brand.organisation.as_str())],
    );
    let html = HtmlPart {
        lang: l.code(),
        subject: &subject,
        colour: &brand.colour,
        organisation: &brand.organisation,
        logo_url: brand.logo_url.as_deref(),
        greeting: &greeting,
        intro: &intro,
        documents_intro: &documents_intro,
        documents: facts.documents,
        button: &button,
        link_hint: &link_hint,
        link: facts.link,
        expiry: &expiry,
        help: &help,
        ignore: &ignore,
        signature: &signature,
        legal: &legal,
    }
    .render()?;
    let text = TextPart {
        greeting: &greeting,
        intro: &intro,
        documents_intro: &documents_intro,
        documents: facts.documents,
        button: &button,
        link: facts.link,
        expiry: &expiry,
        help: &help,
        ignore: &ignore,
        signature: &signature,
        legal: &legal,
    }
    .render()?;
    Ok(RenderedEmail {
        sender_name: brand.organisation.clone(),
        subject,
        html,
        text,
    })
}
