//! The organisation's settings (administrators only): branding used by the buyer's pages and
//! emails, the default language and expiry of invitations, allowMarketplaceLedKyc, and the
//! required document types with their max ages. Every field is checked at once by the domain
//! (`organisation::RawSettings`); a refused form comes back with the values kept and a
//! localised error next to each wrong field.

mod logo;
mod signing_key;
mod template;

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::page::{self, Chrome, Section};
use crate::admin::guard::{Admin, SignedIn, StaffForm};
use crate::db::now;
use crate::documents::DocumentType;
use crate::erasure;
use crate::errors::Error;
use crate::i18n::Language;
use crate::organisation::guidance::{self, MAX_TEMPLATE_BYTES};
use crate::organisation::{self, OrganisationSettings, RawSettings, logo::MAX_LOGO_BYTES};
use crate::state::AppState;
use crate::time_zone::TimeZone;
use crate::write;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/settings", web::get().to(settings_get))
        .route("/settings", web::post().to(settings_post))
        .route("/settings/logo", web::post().to(logo::upload_post))
        .route("/settings/logo/remove", web::post().to(logo::remove_post))
        .route(
            "/settings/templates/{type}",
            web::post().to(template::upload_post),
        )
        .route(
            "/settings/templates/{type}/remove",
            web::post().to(template::remove_post),
        )
        .route(
            "/settings/signing-key",
            web::get().to(signing_key::signing_key_get),
        );
}

/// One document type on the form.
pub struct TypeOption {
    /// `COC_EXTRACT`, ...
    pub code: &'static str,
    /// Its name in the staff member's language.
    pub label: String,
    /// Whether it is required.
    pub required: bool,
    /// Its max age as typed; empty for unlimited.
    pub max_age: String,
    /// What is wrong with the max age.
    pub max_age_error: Option<String>,
    /// Its help texts as typed (empty: the portal's own).
    pub help_de: String,
    /// The English one.
    pub help_en: String,
    /// The portal's own help texts, shown as the fields' placeholders.
    pub default_de: String,
    /// The English one.
    pub default_en: String,
    /// What is wrong with the German help text.
    pub help_de_error: Option<String>,
    /// What is wrong with the English help text.
    pub help_en_error: Option<String>,
    /// The name of its template, if it has one.
    pub template: Option<String>,
    /// Why the last template upload for it was refused.
    pub template_error: Option<String>,
}

/// A file upload of the settings page that was refused, and why (in the staff's language).
pub(super) enum RefusedFile {
    /// The logo.
    Logo(String),
    /// A document type's template.
    Template(DocumentType, String),
}

/// The settings page.
#[derive(Template)]
#[template(path = "admin/settings/form.html")]
pub struct SettingsView {
    /// The frame.
    pub chrome: Chrome,
    /// The settings' sub-page (`organisation` here).
    pub current_tab: &'static str,
    /// The form's values.
    pub form: RawSettings,
    /// Localised errors by field name (`name`, `primaryColour`, ...).
    pub errors: BTreeMap<String, String>,
    /// The document types with their state on the form.
    pub types: Vec<TypeOption>,
    /// The current logo's version, if there is one.
    pub logo_version: Option<i64>,
    /// What went wrong with the last logo upload.
    pub logo_error: Option<String>,
    /// The template's size limit in MiB.
    pub max_template_mib: String,
    /// The logo's size limit in KiB.
    pub max_logo_kib: String,
    /// The sender address of the portal's emails, when it is still the default one that no
    /// mail server delivers (the operator sets `KYC_PORTAL_MAIL_FROM`).
    pub default_sender: Option<String>,
    /// The retention overview: buyers due within 30 days, and the last round in words.
    pub retention_due_soon: String,
    /// When the retention round last ran and what it erased, in words.
    pub retention_last_run: String,
    /// Every time zone's name, for the zone's list.
    pub time_zones: Vec<&'static str>,
}

impl SettingsView {
    /// The error of `field`, if any.
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    /// Whether `field` has an error (for `aria-invalid`).
    pub fn invalid(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }
}

/// The message id telling how to correct `field`.
fn error_id(field: &str) -> &'static str {
    match field {
        "name" => "admin-settings-error-name",
        "primaryColour" => "admin-settings-error-colour",
        "supportEmail" => "admin-settings-error-email",
        "supportPhone" => "admin-settings-error-phone",
        "imprintUrl" | "privacyUrl" => "admin-settings-error-url",
        "defaultLanguage" => "admin-settings-error-language",
        "defaultInvitationExpiryDays" => "admin-settings-error-expiry",
        "viesRequesterVatNumber" => "admin-settings-error-vies-requester",
        "timeZone" => "admin-settings-error-time-zone",
        "retentionDaysAfterEnd" | "retentionDaysInactive" => "admin-settings-error-retention-days",
        f if f.starts_with("documentMaxAgeDays") => "admin-settings-error-max-age",
        f if f.starts_with("helpTexts") => "type-guidance-error-help",
        "invitationReminderAfterDays"
        | "invitationReminderBeforeExpiryDays"
        | "documentExpiryReminderDays" => "admin-settings-error-reminder-days",
        _ => "admin-settings-error-types",
    }
}

fn localised_errors(l: Language, error: &Error) -> BTreeMap<String, String> {
    match error {
        Error::Invalid(fields) => fields
            .iter()
            .map(|f| (f.field.clone(), l.text(error_id(&f.field))))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// The settings page for `form`, with `errors` and the logo's state.
pub(super) async fn render(
    req: &HttpRequest,
    me: &SignedIn,
    current: &OrganisationSettings,
    status: StatusCode,
    form: RawSettings,
    errors: BTreeMap<String, String>,
    refused: Option<RefusedFile>,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let (logo_error, template_error) = match refused {
        Some(RefusedFile::Logo(message)) => (Some(message), None),
        Some(RefusedFile::Template(t, message)) => (None, Some((t, message))),
        None => (None, None),
    };
    let zone = me.zone();
    let types = DocumentType::ALL
        .into_iter()
        .map(|t| TypeOption {
            code: t.as_str(),
            label: t.label(l),
            required: form.required_document_types.iter().any(|r| r == t.as_str()),
            max_age: form
                .document_max_age_days
                .get(t.as_str())
                .cloned()
                .unwrap_or_default(),
            max_age_error: errors
                .get(&format!("documentMaxAgeDays.{}", t.as_str()))
                .cloned(),
            help_de: form.help_text(t.as_str(), Language::De).to_owned(),
            help_en: form.help_text(t.as_str(), Language::En).to_owned(),
            default_de: guidance::help_text(&BTreeMap::new(), t, Language::De),
            default_en: guidance::help_text(&BTreeMap::new(), t, Language::En),
            help_de_error: errors.get(&format!("helpTexts.{}.de", t.as_str())).cloned(),
            help_en_error: errors.get(&format!("helpTexts.{}.en", t.as_str())).cloned(),
            template: current
                .document_guidance
                .get(&t)
                .and_then(|g| g.template.as_ref())
                .map(|template| template.file_name.clone()),
            template_error: template_error
                .as_ref()
                .filter(|(failed, _)| *failed == t)
                .map(|(_, message)| message.clone()),
        })
        .collect();
    let chrome = Chrome::new(req, me, Section::Settings, l.text("admin-settings-title"));
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("no application state")))?;
    let overview = erasure::overview(&state.db, current, now()).await?;
    let view = SettingsView {
        chrome,
        current_tab: "organisation",
        form,
        errors,
        types,
        logo_version: current.logo_version,
        logo_error,
        max_template_mib: (MAX_TEMPLATE_BYTES / (1024 * 1024)).to_string(),
        max_logo_kib: (MAX_LOGO_BYTES / 1024).to_string(),
        default_sender: req
            .app_data::<web::Data<AppState>>()
            .filter(|state| state.settings.mail_from_is_default())
            .map(|state| state.settings.mail_from.clone()),
        retention_due_soon: l.text_with(
            "admin-settings-retention-due-soon",
            &[
                ("count", overview.due_soon.to_string().as_str()),
                ("days", erasure::OVERVIEW_DAYS.to_string().as_str()),
            ],
        ),
        time_zones: TimeZone::names().collect(),
        retention_last_run: match overview.last_run {
            None => l.text("admin-settings-retention-never-ran"),
            Some(run) => match run.erased {
                Some(erased) => l.text_with(
                    "admin-settings-retention-last-run",
                    &[
                        ("when", zone.moment(l, run.at).as_str()),
                        ("count", erased.to_string().as_str()),
                    ],
                ),
                None => l.text_with(
                    "admin-settings-retention-running",
                    &[("when", zone.moment(l, run.at).as_str())],
                ),
            },
        },
    };
    page::html(req, status, &view)
}

/// `GET /admin/settings` — administrators.
async fn settings_get(
    req: HttpRequest,
    me: Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let current = organisation::load(&state.db).await?;
    let form = RawSettings::from_settings(&current);
    render(
        &req,
        &me,
        &current,
        StatusCode::OK,
        form,
        BTreeMap::new(),
        None,
    )
    .await
}

/// Reads the form's pairs: checkboxes repeat their name, max ages are `max_age_<TYPE>`.
fn read_form(pairs: Vec<(String, String)>) -> RawSettings {
    let mut raw = RawSettings::default();
    for (name, value) in pairs {
        match name.as_str() {
            "name" => raw.name = value,
            "primary_colour" => raw.primary_colour = value,
            "support_email" => raw.support_email = value,
            "support_phone" => raw.support_phone = value,
            "imprint_url" => raw.imprint_url = value,
            "privacy_url" => raw.privacy_url = value,
            "default_language" => raw.default_language = value,
            "default_invitation_expiry_days" => raw.default_invitation_expiry_days = value,
            "allow_marketplace_led_kyc" => raw.allow_marketplace_led_kyc = value == "true",
            "require_document_review" => raw.require_document_review = value == "true",
            "four_eyes_review" => raw.four_eyes_review = value == "true",
            "required" => raw.required_document_types.push(value),
            "vies_requester_vat_number" => raw.vies_requester_vat_number = value,
            "retention_days_after_end" => raw.retention_days_after_end = value,
            "retention_days_inactive" => raw.retention_days_inactive = value,
            "retention_keeps_vat_number" => raw.retention_keeps_vat_number = value == "true",
            "time_zone" => raw.time_zone = Some(value),
            "totp_required_for_administrators" => {
                raw.totp_required_for_administrators = value == "true"
            }
            other => {
                if let Some(code) = other.strip_prefix("help_de_") {
                    raw.help_texts
                        .insert((code.to_owned(), Language::De), value);
                } else if let Some(code) = other.strip_prefix("help_en_") {
                    raw.help_texts
                        .insert((code.to_owned(), Language::En), value);
                } else if let Some(code) = other.strip_prefix("max_age_") {
                    raw.document_max_age_days.insert(code.to_owned(), value);
                } else if let Some(setting) = other.strip_prefix("reminder_") {
                    raw.reminders.insert(setting.to_owned(), value);
                }
            }
        }
    }
    raw
}

/// `POST /admin/settings` — administrators: saves every setting at once, with an audit entry.
async fn settings_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    StaffForm { who: me, fields }: StaffForm<Vec<(String, String)>, Admin>,
) -> Result<HttpResponse, Error> {
    let raw = read_form(fields);
    let current = organisation::load(&state.db).await?;
    match raw.apply_to(&current) {
        Ok(settings) => {
            write::apply(&state.db, me.actor(), async |tx| {
                organisation::save(tx, &settings).await
            })
            .await?;
            Ok(page::done("/admin/settings", "admin-flash-settings-saved"))
        }
        Err(e @ Error::Invalid(_)) => {
            let errors = localised_errors(me.language(), &e);
            render(
                &req,
                &me,
                &current,
                StatusCode::UNPROCESSABLE_ENTITY,
                raw,
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// The form that removes an uploaded file (the logo, a type's template): its checkbox must be
/// ticked, so one click alone removes nothing.
#[derive(serde::Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    confirm: String,
}

impl RemoveForm {
    /// Whether the checkbox was ticked.
    pub fn confirmed(&self) -> bool {
        self.confirm == "yes"
    }
}
