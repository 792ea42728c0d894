//! Gathering what a buyer page shows, from the domain.

use crate::buyers::PageBuyer;
use crate::documents::{self, DocumentType, ReviewStatus};
use crate::errors::Error;
use crate::i18n::Language;
use crate::invitations::{Invitation, sessions};
use crate::kyc::requirements::{self, DocumentState};
use crate::organisation::OrganisationSettings;
use crate::state::AppState;

use std::sync::Arc;

use super::forms::{self, FormError, Forms, UploadField};
use super::views::{
    Chrome, ContactView, Finished, MessagePageView, Progress, TypeRow, UploadPageView, state_row,
};
use crate::http::page::LanguageSwitch;

/// A live buyer session with what every view of it reads.
pub struct OpenSession {
    /// The session cookie's value.
    pub cookie: String,
    /// The session.
    pub session: sessions::PortalSession,
    /// Its invitation.
    pub invitation: Invitation,
    /// The invitation's buyer, as its pages need it.
    pub buyer: PageBuyer,
    /// The buyer's seller's name.
    pub seller_name: String,
}

/// Everything a page of one invitation needs.
pub struct PageContext {
    /// The invitation.
    pub invitation: Invitation,
    /// Its buyer, as its pages need it.
    pub buyer: PageBuyer,
    /// The name of the buyer's seller.
    pub seller_name: String,
    /// Branding and requirements.
    pub organisation: std::sync::Arc<OrganisationSettings>,
    /// The page's language.
    pub language: Language,
    /// The session's CSRF token.
    pub csrf: String,
}

impl PageContext {
    /// The context of a session's page, in the session's language: its invitation, with the
    /// buyer and seller name read along with it.
    pub async fn load(state: &AppState, opened: OpenSession) -> Result<PageContext, Error> {
        let organisation = state.organisation().await?;
        Ok(PageContext {
            invitation: opened.invitation,
            buyer: opened.buyer,
            seller_name: opened.seller_name,
            organisation,
            language: opened.session.language,
            csrf: opened.session.csrf_token,
        })
    }

    /// The frame of a page titled `title`.
    pub fn chrome(&self, title: String) -> Chrome {
        chrome(
            self.language,
            &self.organisation,
            Some(&self.seller_name),
            title,
            self.csrf.clone(),
        )
    }
}

/// Whom to contact, as the footer shows it: tappable address and phone number, or a name.
pub fn contact_view(
    l: Language,
    organisation: &OrganisationSettings,
    seller: Option<&str>,
) -> ContactView {
    let contact = organisation.contact(seller);
    match contact.by_name {
        Some(name) => ContactView {
            lead: l.text_with("portal-contact-name", &[("name", name.as_str())]),
            email: None,
            phone: None,
        },
        None => ContactView {
            lead: l.text("portal-contact"),
            email: contact
                .email
                .map(|email| (format!("mailto:{email}"), email)),
            phone: contact.phone.map(|phone| {
                // A `tel:` link dials digits and a leading plus, nothing else.
                let digits: String = phone
                    .chars()
                    .filter(|c| c.is_ascii_digit() || *c == '+')
                    .collect();
                (format!("tel:{digits}"), phone)
            }),
        },
    }
}

/// The frame of any page.
pub fn chrome(
    l: Language,
    organisation: &OrganisationSettings,
    seller: Option<&str>,
    title: String,
    csrf: String,
) -> Chrome {
    Chrome {
        lang: l.code(),
        assets: super::assets::version(),
        title,
        organisation: organisation.name.clone(),
        contact: contact_view(l, organisation, seller),
        switch: (!csrf.is_empty()).then(|| LanguageSwitch {
            label: Some(l.text("portal-language")),
            ..LanguageSwitch::new("/kyc/language", l)
        }),
        csrf,
        logo_url: organisation.logo_path(),
        imprint: organisation
            .imprint_url
            .clone()
            .map(|url| (url, l.text("portal-imprint"))),
        privacy: organisation
            .privacy_url
            .clone()
            .map(|url| (url, l.text("portal-privacy"))),
    }
}

/// A message page.
pub fn message(
    l: Language,
    organisation: &OrganisationSettings,
    seller: Option<&str>,
    heading_id: &str,
    paragraph_ids: &[&str],
) -> MessagePageView {
    let heading = l.text(heading_id);
    MessagePageView {
        chrome: chrome(l, organisation, seller, heading.clone(), String::new()),
        heading,
        paragraphs: paragraph_ids.iter().map(|id| l.text(id)).collect(),
        action: None,
    }
}

/// A failed upload to show: which type's form, which of its fields, and why.
pub struct Failure {
    /// The form it came from, if known.
    pub document_type: Option<DocumentType>,
    /// The field the message belongs at; None for the form as a whole.
    pub field: Option<UploadField>,
    /// What to tell the buyer.
    pub message: String,
}

/// Where the buyer goes after an upload: the next required type that does not count yet, or
/// the finished state at the top.
pub async fn next_stop(state: &AppState, buyer_id: &str) -> Result<String, Error> {
    let organisation = state.organisation().await?;
    let counting = documents::on_page(&state.db, buyer_id, organisation.require_document_review)
        .await?
        .counting;
    let today = chrono::Utc::now().date_naive();
    let next = requirements::evaluate(&organisation, &counting, today)
        .into_iter()
        .find(|r| r.state != DocumentState::Fresh);
    Ok(match next {
        Some(r) => format!("type-{}", r.document_type.as_str()),
        None => "done".into(),
    })
}

/// "We received ..." for a document the buyer just sent.
fn confirmation(l: Language, document: &documents::Document) -> String {
    // An identity document is described by the day it expires, not the day it came.
    let (id, day) = match document.expires_on {
        Some(last_day) => ("type-guidance-received-valid-until", last_day.date()),
        None => ("portal-received", document.document_date.date()),
    };
    l.text_with(
        id,
        &[
            ("type", &document.document_type.label(l)),
            ("file", &super::views::files_named(l, document)),
            ("date", &l.date(day)),
        ],
    )
}

/// The forms of `context`'s page, as of today (see [`forms`]).
pub fn forms_of(state: &AppState, context: &PageContext) -> Arc<Forms> {
    forms::forms(
        context.language,
        &context.organisation,
        chrono::Utc::now().date_naive(),
        state.settings.max_upload_bytes,
    )
}

/// The upload page of `context` with `forms` (see [`forms_of`]).
pub async fn upload_page<'a>(
    state: &AppState,
    context: &PageContext,
    forms: &'a Forms,
    received: Option<&str>,
    failure: Option<Failure>,
) -> Result<UploadPageView<'a>, Error> {
    let on_page = documents::on_page(
        &state.db,
        &context.buyer.uuid,
        context.organisation.require_document_review,
    )
    .await?;
    Ok(upload_page_of(context, forms, on_page, received, failure))
}

/// The upload page of `context` with `forms`, showing `active`, the buyer's active documents
/// read along with the session (see `OpenSession::open_with_documents`).
pub fn upload_page_showing<'a>(
    context: &PageContext,
    forms: &'a Forms,
    active: Vec<documents::Document>,
    received: Option<&str>,
) -> UploadPageView<'a> {
    let on_page = documents::OnPage::of(active, context.organisation.require_document_review);
    upload_page_of(context, forms, on_page, received, None)
}

/// The upload page of `context` with `forms`, showing `on_page`, the buyer's documents read
/// already.
fn upload_page_of<'a>(
    context: &PageContext,
    forms: &'a Forms,
    on_page: documents::OnPage,
    received: Option<&str>,
    failure: Option<Failure>,
) -> UploadPageView<'a> {
    let l = context.language;
    let documents::OnPage { counting, latest } = on_page;
    // The document just received is the latest of its type among those read anyway; one
    // that is not (archived, superseded, another buyer's) gets no confirmation.
    let confirmation = received
        .and_then(|id| latest.iter().find(|d| d.uuid == id))
        .map(|document| confirmation(l, document));
    // The day the forms were made for: what counts and the dates they ask for agree.
    let today = forms.day;
    let evaluated = requirements::evaluate(&context.organisation, &counting, today);
    let total = evaluated.len();
    let done = evaluated
        .iter()
        .filter(|r| r.state == DocumentState::Fresh)
        .count();
    // The confirmation of an upload shows where the buyer lands: at the next type still
    // missing, else in the finished state at the top.
    let next_missing = evaluated
        .iter()
        .find(|r| r.state != DocumentState::Fresh)
        .map(|r| r.document_type);
    let progress_text = l.text_with_settings(
        "portal-progress",
        &[("done", &done.to_string()), ("total", &total.to_string())],
    );
    // Where the buyer lands the progress is scrolled away: the notice repeats it.
    let (mut confirmation, mut notice_at) = (confirmation, None);
    if let Some(next) = next_missing
        && let Some(received) = confirmation.take()
    {
        notice_at = Some((next, Some(format!("{received} {progress_text}"))));
    }
    let failed_type = failure.as_ref().and_then(|f| f.document_type);
    let error_for = |t: DocumentType| {
        failure
            .as_ref()
            .filter(|f| f.document_type == Some(t))
            .map(|f| FormError {
                field: f.field,
                message: f.message.clone(),
            })
    };
    let mut required: Vec<TypeRow> = evaluated
        .iter()
        .filter_map(|r| {
            let (state_text, state_class) = state_row(l, r);
            Some(TypeRow {
                form: forms.of(r.document_type)?,
                state: Some(state_text),
                state_class,
                error: error_for(r.document_type),
                done: r.state == DocumentState::Fresh && failed_type != Some(r.document_type),
                notice: notice_at
                    .as_mut()
                    .filter(|(at, _)| *at == r.document_type)
                    .and_then(|(_, notice)| notice.take()),
            })
        })
        .collect();
    let mut optional: Vec<TypeRow> = forms
        .optional
        .iter()
        .map(|form| TypeRow {
            form,
            state: None,
            state_class: "optional",
            error: error_for(form.document_type),
            done: false,
            notice: None,
        })
        .collect();
    // A type whose latest version staff rejected asks for a new one, with the reason, whether
    // or not the organisation requires review for it to count.
    let mut rejected_required = false;
    for (row, is_required) in required
        .iter_mut()
        .map(|r| (r, true))
        .chain(optional.iter_mut().map(|r| (r, false)))
    {
        let Some(document) = latest
            .iter()
            .find(|d| d.document_type == row.form.document_type)
        else {
            continue;
        };
        let (ReviewStatus::Rejected, Some(reason)) =
            (document.review_status, document.review_reason)
        else {
            continue;
        };
        let mut text = l.text_with(
            "portal-state-rejected",
            &[
                ("file", document.file_name.as_str()),
                ("reason", &reason.label(l)),
            ],
        );
        if let Some(note) = &document.review_note {
            text.push(' ');
            text.push_str(note);
        }
        text.push(' ');
        text.push_str(&l.text("portal-state-rejected-again"));
        row.state = Some(text);
        row.state_class = "rejected";
        row.done = false;
        rejected_required |= is_required;
    }
    let optional_open = failed_type
        .is_some_and(|t| optional.iter().any(|row| row.form.document_type == t))
        || optional.iter().any(|row| row.state_class == "rejected");
    let general_error = failure
        .filter(|f| f.document_type.is_none())
        .map(|f| f.message);
    UploadPageView {
        chrome: context.chrome(l.text("portal-title")),
        company: context.buyer.company_name.clone(),
        intro: l.text_with(
            "portal-intro",
            &[
                ("seller", &context.seller_name),
                ("company", &context.buyer.company_name),
            ],
        ),
        confirmation,
        progress: Progress {
            text: progress_text,
            done,
            total,
        },
        finished: (total > 0 && done == total && !rejected_required).then(|| Finished {
            heading: l.text("portal-finished-heading"),
            paragraphs: vec![
                l.text_with(
                    "portal-finished-next",
                    &[("seller", context.seller_name.as_str())],
                ),
                l.text_with(
                    "portal-finished-until",
                    &[(
                        "date",
                        &l.date(
                            context
                                .organisation
                                .time_zone
                                .day(context.invitation.expires_at),
                        ),
                    )],
                ),
            ],
        }),
        general_error,
        optional_open,
        required,
        optional,
        expiry: l.text_with(
            "portal-expiry",
            &[(
                "date",
                &l.date(
                    context
                        .organisation
                        .time_zone
                        .day(context.invitation.expires_at),
                ),
            )],
        ),
        texts: &forms.texts,
    }
}
