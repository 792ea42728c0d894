//! What the upload page says whatever the buyer sent: each type's name, the date its form
//! asks for with the browser's messages about it, the help around it, and the page's labels.
//! They are the same for every buyer in one language, on one day, under the same settings,
//! and they are most of the page's texts: made once for all buyers and shared, so that a
//! page rendered afresh formats only what is the buyer's own.

use std::sync::{Arc, Mutex};

use askama::Template;
use chrono::NaiveDate;

use crate::documents::{self, DocumentType};
use crate::errors::{FieldProblem, Rule};
use crate::http::messages;
use crate::i18n::Language;
use crate::kyc::requirements;
use crate::organisation::{OrganisationSettings, guidance};

/// A type's upload form as every buyer sees it.
pub struct TypeForm {
    /// The type.
    pub document_type: DocumentType,
    /// `COC_EXTRACT`, ...
    pub code: &'static str,
    /// Its name in the page's language.
    pub label: Escaped,
    /// "At most N days old", when it is required with a max age.
    pub max_age: Option<Escaped>,
    /// The date the form asks for: the document's date, or an identity document's expiry.
    pub date: DateField,
    /// What the type is, and its template to download.
    pub guidance: Guidance,
    /// Its fields as a form without errors shows them, rendered once (see [`FormFields`]).
    pub fields: Escaped,
}

/// The fields of a type's upload form (all but the CSRF token and the button), with the last
/// upload's error, if any, at its field.
#[derive(Template)]
#[template(path = "portal/_fields.html")]
pub struct FormFields<'a> {
    /// The form.
    pub form: &'a TypeForm,
    /// The page's labels.
    pub texts: &'a PageTexts,
    /// Why the last upload of this type failed.
    pub error: Option<&'a FormError>,
}

impl FormFields<'_> {
    /// The message at `field` (`date`, `file`), if the last upload failed there.
    pub fn error_at(&self, field: &str) -> Option<&str> {
        let error = self.error?;
        let at = match error.field? {
            UploadField::Date | UploadField::Expiry => "date",
            UploadField::File => "file",
        };
        (at == field).then_some(error.message.as_str())
    }

    /// The message for the form as a whole, if the last upload failed there.
    pub fn form_error(&self) -> Option<&str> {
        let error = self.error?;
        error.field.is_none().then_some(error.message.as_str())
    }
}

/// Why an upload failed, and at which field.
pub struct FormError {
    /// The field; None for the form as a whole.
    pub field: Option<UploadField>,
    /// What to tell the buyer.
    pub message: String,
}

/// The date field of a type's form.
pub struct DateField {
    /// `documentDate`, or `expiresOn` for an identity document.
    pub name: &'static str,
    /// "Document date" or "Valid until".
    pub label: Escaped,
    /// The earliest date that counts (`YYYY-MM-DD`): by the max age, or today for an expiry.
    pub min: Option<String>,
    /// The latest date allowed (`YYYY-MM-DD`): today for a document's own date.
    pub max: Option<String>,
    /// What the browser says of a date before `min` (empty without one).
    pub too_old_message: Escaped,
    /// What the browser says when no date was entered.
    pub missing: Escaped,
}

/// What helps the buyer find the right document.
pub struct Guidance {
    /// What the type is, in the page's language (plain text; empty: nothing to say).
    pub help: Escaped,
    /// Where its template downloads from, and the link's text, when it has one.
    pub template: Option<(String, Escaped)>,
}

/// Text escaped for HTML once, when the forms are made, rather than on every page: only
/// escaping makes one, or a template (which escapes what it fills in), so the template writes
/// it as it is.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Escaped(String);

impl Escaped {
    fn of(text: &str) -> Escaped {
        let mut escaped = String::with_capacity(text.len());
        // Writing into a String cannot fail.
        let _ =
            askama::filters::Escaper::write_escaped_str(&askama::filters::Html, &mut escaped, text);
        Escaped(escaped)
    }

    /// What `template` renders.
    fn rendered(template: &impl Template) -> askama::Result<Escaped> {
        template.render().map(Escaped)
    }

    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for Escaped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl askama::filters::HtmlSafe for Escaped {}

/// A field of an upload form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadField {
    /// The document's date.
    Date,
    /// An identity document's expiry date (in the place of the date).
    Expiry,
    /// The file.
    File,
}

impl UploadField {
    /// The field's name in the form (`documentDate`, `expiresOn`, `file`).
    pub fn name(self) -> &'static str {
        match self {
            UploadField::Date => "documentDate",
            UploadField::Expiry => "expiresOn",
            UploadField::File => "file",
        }
    }
}

/// The page's labels and the browser's messages, the same on every form.
pub struct PageTexts {
    /// The label of the button of a type that is done.
    pub replace_label: Escaped,
    /// Heading of the required types.
    pub required_heading: Escaped,
    /// Heading of the optional types.
    pub optional_heading: Escaped,
    /// Intro of the optional types.
    pub optional_intro: Escaped,
    /// Label of the file input.
    pub file_label: Escaped,
    /// Label of the button.
    pub upload_label: Escaped,
    /// Label of the progress bar.
    pub uploading_label: Escaped,
    /// Message when an upload fails without an answer.
    pub generic_error: Escaped,
    /// What the browser says when no file was chosen.
    pub file_missing: Escaped,
    /// What the browser says of a file over the limit.
    pub too_large: Escaped,
    /// "Several pages, or front and back? Choose them together."
    pub files_hint: Escaped,
    /// The most files of one upload, for the browser's own check.
    pub max_files: usize,
    /// What the browser says of more files than that.
    pub too_many: Escaped,
    /// The upload limit, for the browser's own check.
    pub max_bytes: u64,
}

/// Every type's form and the page's texts, in one language.
pub struct Forms {
    /// The day they were made for (the dates they allow depend on it).
    pub day: NaiveDate,
    /// The required types, in the settings' order.
    pub required: Vec<TypeForm>,
    /// Every other type.
    pub optional: Vec<TypeForm>,
    /// The labels.
    pub texts: PageTexts,
}

impl Forms {
    /// The form of `t` among the required types, else among the others.
    pub fn of(&self, t: DocumentType) -> Option<&TypeForm> {
        self.required
            .iter()
            .chain(&self.optional)
            .find(|form| form.document_type == t)
    }

    fn new(
        l: Language,
        organisation: &OrganisationSettings,
        today: NaiveDate,
        max_bytes: u64,
    ) -> Forms {
        let date_label = l.text("portal-document-date");
        let expiry_label = l.text("type-guidance-expires-on");
        let form = |t: DocumentType, max_age_days: Option<u32>| TypeForm {
            document_type: t,
            code: t.as_str(),
            label: Escaped::of(&t.label(l)),
            max_age: max_age_days.filter(|_| !t.is_identity()).map(|days| {
                Escaped::of(&l.text_with_settings("portal-max-age", &[("days", &days.to_string())]))
            }),
            date: date_field(l, t, max_age_days, today, &date_label, &expiry_label),
            guidance: guidance_of(l, organisation, t),
            fields: Escaped::default(),
        };
        // Which types are required, and their max ages, are the settings' alone.
        let mut required: Vec<TypeForm> = requirements::evaluate(organisation, &[], today)
            .iter()
            .map(|r| form(r.document_type, r.max_age_days))
            .collect();
        let mut optional: Vec<TypeForm> = DocumentType::ALL
            .into_iter()
            .filter(|t| !required.iter().any(|form| form.document_type == *t))
            .map(|t| form(t, None))
            .collect();
        let max_files = documents::MAX_FILES;
        let e = |text: String| Escaped::of(&text);
        let texts = PageTexts {
            replace_label: e(l.text("portal-replace")),
            required_heading: e(l.text("portal-required")),
            optional_heading: e(l.text("portal-optional")),
            optional_intro: e(l.text("portal-optional-intro")),
            file_label: e(l.text_with_settings("portal-file", &[("size", &megabytes(max_bytes))])),
            upload_label: e(l.text("portal-upload")),
            uploading_label: e(l.text("portal-uploading")),
            generic_error: e(l.text("portal-error-generic")),
            file_missing: e(l.text("portal-error-file-missing")),
            too_large: e(
                l.text_with_settings("portal-error-too-large", &[("size", &megabytes(max_bytes))])
            ),
            files_hint: e(
                l.text_with_settings("portal-files-hint", &[("max", &max_files.to_string())])
            ),
            max_files,
            too_many: e(l.text_with_settings(
                "portal-error-too-many-files",
                &[("max", &max_files.to_string())],
            )),
            max_bytes,
        };
        for form in required.iter_mut().chain(optional.iter_mut()) {
            let fields = FormFields {
                form,
                texts: &texts,
                error: None,
            };
            // Nothing kept (a rendering failed) is rendered again with each page instead.
            form.fields = Escaped::rendered(&fields).unwrap_or_default();
        }
        Forms {
            day: today,
            required,
            optional,
            texts,
        }
    }
}

/// An identity document is asked for with the day it expires: today or later, whatever the
/// type's maximum age. Any other with its own date: not in the future, nor older than the
/// maximum age.
fn date_field(
    l: Language,
    t: DocumentType,
    max_age_days: Option<u32>,
    today: NaiveDate,
    date_label: &str,
    expiry_label: &str,
) -> DateField {
    let iso = |day: NaiveDate| day.format("%Y-%m-%d").to_string();
    if t.is_identity() {
        let rule = FieldProblem::new("expiresOn", Rule::Expired);
        DateField {
            name: UploadField::Expiry.name(),
            label: Escaped::of(expiry_label),
            min: Some(iso(today)),
            max: None,
            too_old_message: Escaped::of(&messages::settings_problem(l, expiry_label, &rule)),
            missing: Escaped::of(&l.text("type-guidance-error-expiry-missing")),
        }
    } else {
        DateField {
            name: UploadField::Date.name(),
            label: Escaped::of(date_label),
            min: max_age_days.map(|days| iso(today - chrono::Duration::days(i64::from(days)))),
            max: Some(iso(today)),
            too_old_message: max_age_days
                .map(|max_age_days| {
                    let rule =
                        FieldProblem::new("documentDate", Rule::TooOldToCount { max_age_days });
                    Escaped::of(&messages::settings_problem(l, date_label, &rule))
                })
                .unwrap_or_else(|| Escaped::of("")),
            missing: Escaped::of(&l.text("portal-error-date")),
        }
    }
}

fn guidance_of(l: Language, organisation: &OrganisationSettings, t: DocumentType) -> Guidance {
    let guidance = &organisation.document_guidance;
    Guidance {
        help: Escaped::of(&guidance::help_text(guidance, t, l)),
        template: guidance
            .get(&t)
            .and_then(|g| g.template.as_ref())
            .map(|template| {
                (
                    format!("/kyc/templates/{}?v={}", t.as_str(), template.uploaded_at),
                    Escaped::of(&l.text("type-guidance-download")),
                )
            }),
    }
}

/// The forms made for one language, day, upload limit and settings.
struct Kept {
    language: Language,
    day: NaiveDate,
    max_bytes: u64,
    organisation: Arc<OrganisationSettings>,
    forms: Arc<Forms>,
}

/// Forms kept at most: two languages of one organisation, and more for several portals in
/// one process (tests) or a day's turn.
const MAX_KEPT: usize = 8;

static KEPT: Mutex<Vec<Kept>> = Mutex::new(Vec::new());

/// The forms in `l` on `today` under `organisation`'s settings, made once and then shared.
pub fn forms(
    l: Language,
    organisation: &Arc<OrganisationSettings>,
    today: NaiveDate,
    max_bytes: u64,
) -> Arc<Forms> {
    if let Ok(mut kept) = KEPT.lock()
        && let Some(found) = kept.iter_mut().find(|k| {
            k.language == l
                && k.day == today
                && k.max_bytes == max_bytes
                // The settings are read again after every write: the same when they equal.
                && (Arc::ptr_eq(&k.organisation, organisation) || *k.organisation == **organisation)
        })
    {
        // The next look finds them by address.
        found.organisation = organisation.clone();
        return found.forms.clone();
    }
    let forms = Arc::new(Forms::new(l, organisation, today, max_bytes));
    if let Ok(mut kept) = KEPT.lock() {
        if kept.len() >= MAX_KEPT {
            kept.remove(0);
        }
        kept.push(Kept {
            language: l,
            day: today,
            max_bytes,
            organisation: organisation.clone(),
            forms: forms.clone(),
        });
    }
    forms
}

/// The upload limit in whole megabytes (at least 1), for messages.
pub fn megabytes(bytes: u64) -> String {
    (bytes / (1024 * 1024)).max(1).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn shared_texts_are_escaped_as_the_template_escapes_everything_else() {
        let typed = "<script>alert('x')</script> & \"AG\"";
        let escaped = Escaped::of(typed).to_string();
        assert_eq!(
            escaped,
            askama::filters::escape(typed, askama::filters::Html)
                .unwrap()
                .to_string()
        );
        assert!(
            !escaped.contains('<') && !escaped.contains('"'),
            "{escaped}"
        );
    }

    #[test]
    fn forms_are_shared_while_language_day_and_settings_stay_the_same() {
        let settings = OrganisationSettings {
            name: "Forms Test Marketplace".into(),
            ..OrganisationSettings::default()
        };
        let first = forms(Language::De, &Arc::new(settings.clone()), day(2), 1 << 20);
        // Settings read again after a write are another copy of the same settings.
        let again = forms(Language::De, &Arc::new(settings.clone()), day(2), 1 << 20);
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(first.day, day(2));

        let english = forms(Language::En, &Arc::new(settings.clone()), day(2), 1 << 20);
        assert!(!Arc::ptr_eq(&first, &english));
        let next_day = forms(Language::De, &Arc::new(settings.clone()), day(3), 1 << 20);
        assert!(!Arc::ptr_eq(&first, &next_day));
        assert_eq!(next_day.day, day(3));
        let mut fewer = settings.clone();
        fewer.required_document_types.pop();
        let changed = forms(Language::De, &Arc::new(fewer.clone()), day(2), 1 << 20);
        assert!(!Arc::ptr_eq(&first, &changed));
        assert_eq!(changed.required.len(), fewer.required_document_types.len());
        assert_eq!(
            changed.required.len() + changed.optional.len(),
            DocumentType::ALL.len(),
            "every type has one form"
        );
    }

    #[test]
    fn a_required_types_form_allows_dates_within_its_max_age_and_an_identity_document_from_today() {
        let mut settings = OrganisationSettings {
            required_document_types: vec![DocumentType::ALL[0]],
            ..OrganisationSettings::default()
        };
        settings
            .document_max_age_days
            .insert(DocumentType::ALL[0], 90);
        let made = forms(Language::En, &Arc::new(settings), day(31), 1 << 20);
        let required = &made.required[0];
        assert_eq!(required.date.max.as_deref(), Some("2026-03-31"));
        assert_eq!(required.date.min.as_deref(), Some("2025-12-31"));
        assert!(required.max_age.is_some());
        for form in &made.optional {
            if form.document_type.is_identity() {
                assert_eq!(form.date.min.as_deref(), Some("2026-03-31"));
                assert_eq!(form.date.max, None);
            } else {
                assert_eq!(form.date.min, None, "{}", form.code);
                assert_eq!(form.max_age, None);
            }
        }
    }

    #[test]
    fn the_fields_kept_for_every_buyer_are_those_a_form_without_an_error_renders() {
        let settings = Arc::new(OrganisationSettings::default());
        let made = forms(Language::De, &settings, day(4), 1 << 20);
        for form in made.required.iter().chain(&made.optional) {
            let fresh = FormFields {
                form,
                texts: &made.texts,
                error: None,
            }
            .render()
            .unwrap();
            assert_eq!(form.fields.to_string(), fresh, "{}", form.code);
            assert!(fresh.contains(&format!("id=\"date-{}\"", form.code)));
            assert!(!fresh.contains("aria-invalid"), "{fresh}");
        }
        // An error is shown at its field, escaped, on that form alone.
        let form = &made.required[0];
        let error = FormError {
            field: Some(UploadField::File),
            message: "<b>zu groß</b>".into(),
        };
        let with_error = FormFields {
            form,
            texts: &made.texts,
            error: Some(&error),
        }
        .render()
        .unwrap();
        assert!(
            with_error.contains("&#60;b&#62;zu groß&#60;/b&#62;")
                || with_error.contains("&lt;b&gt;zu groß&lt;/b&gt;"),
            "{with_error}"
        );
        assert!(with_error.contains(&format!("aria-describedby=\"file-error-{}\"", form.code)));
        assert_ne!(with_error, form.fields.to_string());
    }
}
