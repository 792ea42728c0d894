//! The staff's daily digest: what needs someone (the counts of the staff start page) and the
//! buyers whose KYC status changed since the day before, in the staff user's language, HTML
//! and plain text, with a link to the start page.

use askama::Template;

use super::action::{Brand, RenderedEmail};
use crate::i18n::Language;

/// One line of the digest: a count and what it counts.
pub struct Count {
    /// How many.
    pub count: i64,
    /// What, in the digest's language.
    pub what: String,
}

/// A buyer whose status changed.
pub struct Change {
    /// The company.
    pub company: String,
    /// Where it stands now, in the digest's language.
    pub change: String,
    /// The buyer's staff page.
    pub link: String,
}

/// What the digest says, before it is put into words.
pub struct DigestFacts<'a> {
    /// Its language (the staff user's).
    pub language: Language,
    /// Whose portal it is.
    pub brand: &'a Brand,
    /// The day it covers, as written in its language.
    pub day: &'a str,
    /// What needs someone.
    pub counts: &'a [Count],
    /// Status changes since the day before.
    pub changes: &'a [Change],
    /// The staff start page.
    pub link: &'a str,
}

#[derive(Template)]
#[template(path = "email/digest.html")]
struct HtmlPart<'a> {
    lang: &'a str,
    subject: &'a str,
    colour: &'a str,
    organisation: &'a str,
    intro: &'a str,
    counts: &'a [Count],
    changes_heading: &'a str,
    changes: &'a [Change],
    no_changes: &'a str,
    button: &'a str,
    link: &'a str,
    why: &'a str,
}

#[derive(Template)]
#[template(path = "email/digest.txt")]
struct TextPart<'a> {
    intro: &'a str,
    counts: &'a [Count],
    changes_heading: &'a str,
    changes: &'a [Change],
    no_changes: &'a str,
    button: &'a str,
    link: &'a str,
    why: &'a str,
}

/// Puts the digest into words in its language, both parts.
pub fn render(facts: &DigestFacts<'_>) -> Result<RenderedEmail, askama::Error> {
    let l = facts.language;
    let organisation = facts.brand.organisation.as_str();
    let subject = l.text_with(
        "email-digest-subject",
        &[("organisation", organisation), ("day", facts.day)],
    );
    let intro = l.text_with("email-digest-intro", &[("day", facts.day)]);
    let changes_heading = l.text("email-digest-changes");
    let no_changes = l.text("email-digest-no-changes");
    let button = l.text("email-digest-button");
    let why = l.text("email-digest-why");
    let html = HtmlPart {
        lang: l.code(),
        subject: &subject,
        colour: &facts.brand.colour,
        organisation,
        intro: &intro,
        counts: facts.counts,
        changes_heading: &changes_heading,
        changes: facts.changes,
        no_changes: &no_changes,
        button: &button,
        link: facts.link,
        why: &why,
    }
    .render()?;
    let text = TextPart {
        intro: &intro,
        counts: facts.counts,
        changes_heading: &changes_heading,
        changes: facts.changes,
        no_changes: &no_changes,
        button: &button,
        link: facts.link,
        why: &why,
    }
    .render()?;
    Ok(RenderedEmail {
        sender_name: organisation.to_owned(),
        subject,
        html,
        text,
    })
}
