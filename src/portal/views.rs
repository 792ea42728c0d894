//! The buyer's pages as askama views; every text comes from `locales/`.

use askama::Template;

use super::forms::{Escaped, FormError, FormFields, PageTexts, TypeForm};
use crate::documents::Document;
use crate::http::page::LanguageSwitch;
use crate::i18n::Language;
use crate::kyc::requirements::{DocumentState, Requirement};

/// What every page shows around its content.
pub struct Chrome {
    /// `<html lang>`.
    pub lang: &'static str,
    /// The version the stylesheet's and script's URLs carry (see `portal::assets`).
    pub assets: &'static str,
    /// The page title.
    pub title: String,
    /// The organisation's name.
    pub organisation: String,
    /// Whom to contact.
    pub contact: ContactView,
    /// The session's CSRF token; empty on pages without a session (no forms then).
    pub csrf: String,
    /// The language switch (in a session only: it is saved with the session).
    pub switch: Option<LanguageSwitch>,
    /// The logo's URL (with its version), when there is a logo.
    pub logo_url: Option<String>,
    /// The imprint link and its label, when the organisation has one.
    pub imprint: Option<(String, String)>,
    /// The privacy notice link and its label, when the organisation has one.
    pub privacy: Option<(String, String)>,
}

/// Whom to contact, for the footer.
pub struct ContactView {
    /// "Questions? Write or call us:", or the whole sentence with a name.
    pub lead: String,
    /// The `mailto:` link and the address.
    pub email: Option<(String, String)>,
    /// The `tel:` link and the number as written.
    pub phone: Option<(String, String)>,
}

/// One document type with its state and its upload form.
pub struct TypeRow<'a> {
    /// Its form, as every buyer sees it.
    pub form: &'a TypeForm,
    /// What we have of it, if it is a required type.
    pub state: Option<String>,
    /// `missing`, `received`, `too-old`, `rejected` or `optional`.
    pub state_class: &'static str,
    /// Why the last upload of this type failed.
    pub error: Option<FormError>,
    /// Whether it is a required type that counts: shown folded, its form to replace it.
    pub done: bool,
    /// "Thank you, we received ..." when the buyer lands here after an upload.
    pub notice: Option<String>,
}

impl<'a> TypeRow<'a> {
    /// The fields of its form: as every buyer sees them, or with the last upload's error.
    pub fn fields(&'a self, texts: &'a PageTexts) -> Fields<'a> {
        match &self.error {
            None if !self.form.fields.is_empty() => Fields::Kept(&self.form.fields),
            error => Fields::Rendered(FormFields {
                form: self.form,
                texts,
                error: error.as_ref(),
            }),
        }
    }
}

/// A form's fields as the page writes them (already HTML).
pub enum Fields<'a> {
    /// As rendered once for every buyer.
    Kept(&'a Escaped),
    /// Rendered for this page.
    Rendered(FormFields<'a>),
}

impl std::fmt::Display for Fields<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fields::Kept(html) => html.fmt(f),
            Fields::Rendered(fields) => fields.render_into(f).map_err(|_| std::fmt::Error),
        }
    }
}

impl askama::filters::HtmlSafe for Fields<'_> {}

/// The upload page.
#[derive(Template)]
#[template(path = "portal/upload.html")]
pub struct UploadPageView<'a> {
    /// Around the content.
    pub chrome: Chrome,
    /// The buyer's company.
    pub company: String,
    /// Who asks for what.
    pub intro: String,
    /// "We received ..." after an upload, when it is not shown at the next missing type.
    pub confirmation: Option<String>,
    /// "3 of 5 required documents are in" and the numbers for the bar.
    pub progress: Progress,
    /// When every required document counts: what happens next.
    pub finished: Option<Finished>,
    /// A failure not tied to one form.
    pub general_error: Option<String>,
    /// Whether the optional part starts open (an optional upload just failed).
    pub optional_open: bool,
    /// The required types.
    pub required: Vec<TypeRow<'a>>,
    /// Every other type.
    pub optional: Vec<TypeRow<'a>>,
    /// When the link stops working.
    pub expiry: String,
    /// The labels, the same on every buyer's page.
    pub texts: &'a PageTexts,
}

/// How far the buyer is.
pub struct Progress {
    /// "3 of 5 required documents are in."
    pub text: String,
    /// Required types that count.
    pub done: usize,
    /// Required types.
    pub total: usize,
}

/// The finished state at the top of the page.
pub struct Finished {
    /// "All required documents are in."
    pub heading: String,
    /// What happens next, and until when documents can still be changed.
    pub paragraphs: Vec<String>,
}

/// A page with a heading and a few sentences (404, 410, 429, no session).
#[derive(Template)]
#[template(path = "portal/message.html")]
pub struct MessagePageView {
    /// Around the content.
    pub chrome: Chrome,
    /// The heading.
    pub heading: String,
    /// The sentences.
    pub paragraphs: Vec<String>,
    /// The one action the page offers, if any (asking for a new link).
    pub action: Option<PageAction>,
}

/// A button that posts a form with its token.
pub struct PageAction {
    /// Where it posts.
    pub url: String,
    /// The form's token.
    pub token: String,
    /// The button's label.
    pub label: String,
}

/// The page behind a link before its use is counted: whose documents, and a Continue button.
#[derive(Template)]
#[template(path = "portal/landing.html")]
pub struct LandingPageView {
    /// Around the content.
    pub chrome: Chrome,
    /// The heading.
    pub heading: String,
    /// Who asks for what.
    pub intro: String,
    /// When another company's session is open in this browser: what continuing changes.
    pub switch_notice: Option<String>,
    /// The link to stay with that other company.
    pub stay_label: String,
    /// Why the form is shown again, if it is.
    pub notice: Option<String>,
    /// Where the form posts: the link itself.
    pub action: String,
    /// The form's token (its cookie's twin).
    pub form_token: String,
    /// The button.
    pub continue_label: String,
}

impl LandingPageView {
    /// The landing page in `l`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        l: Language,
        organisation: &crate::organisation::OrganisationSettings,
        seller: &str,
        company: &str,
        other_company: Option<&str>,
        token: &str,
        form_token: String,
        notice: Option<&str>,
        chrome: Chrome,
    ) -> LandingPageView {
        LandingPageView {
            heading: l.text_with(
                "portal-landing-heading",
                &[("organisation", &organisation.name)],
            ),
            intro: l.text_with(
                "portal-landing-intro",
                &[("seller", seller), ("company", company)],
            ),
            switch_notice: other_company.map(|other| {
                l.text_with(
                    "portal-landing-switch",
                    &[("other", other), ("company", company)],
                )
            }),
            stay_label: other_company
                .map(|other| l.text_with("portal-landing-stay", &[("other", other)]))
                .unwrap_or_default(),
            notice: notice.map(|id| l.text(id)),
            action: format!("/kyc/{token}"),
            form_token,
            continue_label: l.text("portal-landing-continue"),
            chrome,
        }
    }
}

/// A document's file as the page names it: its name, with the number of files when it has
/// several (the pages or the front and back sent together).
pub fn files_named(l: Language, d: &Document) -> String {
    match d.files.len() {
        0 | 1 => d.file_name.as_str().to_owned(),
        count => l.text_with(
            "portal-files-named",
            &[
                ("file", d.file_name.as_str()),
                ("count", &count.to_string()),
            ],
        ),
    }
}

/// "Received: scan.pdf, dated 15.01.2026" and the like, with the row's CSS class.
pub fn state_row(l: Language, requirement: &Requirement) -> (String, &'static str) {
    let described = |id: &str, d: &Document| {
        // An identity document is described by the day it expires.
        let (id, day) = match d.expires_on {
            Some(last_day) if id == "portal-state-received" => {
                ("type-guidance-state-valid-until", last_day.date())
            }
            Some(last_day) => ("type-guidance-state-expired", last_day.date()),
            None => (id, d.document_date.date()),
        };
        l.text_with(id, &[("file", &files_named(l, d)), ("date", &l.date(day))])
    };
    match (&requirement.state, &requirement.document) {
        (DocumentState::Fresh, Some(d)) => (described("portal-state-received", d), "received"),
        (DocumentState::TooOld, Some(d)) => (described("portal-state-too-old", d), "too-old"),
        _ => (l.text("portal-state-missing"), "missing"),
    }
}
