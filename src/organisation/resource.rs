//! The organisation as the API shows it (`GET /v1/organisation`) and changes it (`PATCH`):
//! its capabilities, the document types KYC requires with their maximum ages, and the VAT
//! number VIES checks are sent with.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::guidance;
use super::input::RawSettings;
use super::reminders::ReminderSettings;
use super::settings::OrganisationSettings;
use crate::documents::model::DocumentType;
use crate::errors::{Error, FieldProblem, Rule};
use crate::i18n::Language;

/// `GET /v1/organisation`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganisationView {
    /// The organisation's name.
    pub name: String,
    /// What sellers may do.
    pub capabilities: Capabilities,
    /// The types a buyer's KYC needs, each with how long a document counts.
    pub required_document_types: Vec<RequiredType>,
    /// Sent to VIES as the requester, so that checks carry a `requestIdentifier`.
    pub vies_requester_vat_number: Option<String>,
    /// When buyers are reminded (days; 0: never).
    #[serde(flatten)]
    pub reminders: ReminderSettings,
    /// Whether documents need staff approval: only the latest ACCEPTED version of each type
    /// counts for `documentsComplete`.
    pub require_document_review: bool,
    /// Four-eyes review: a decision a staff member makes on the staff pages counts only once a
    /// second staff member confirms it (decisions through the API count at once: the
    /// marketplace's own tools hold their own rules).
    pub four_eyes_review: bool,
    /// Days the records of an ended relationship are kept after its end (0: erased at the
    /// next run of the retention job).
    pub retention_days_after_end: u32,
    /// Days a buyer that never completed KYC is kept after its last activity (0: erased at
    /// the next run).
    pub retention_days_inactive: u32,
    /// Whether an erased buyer keeps its VAT number.
    pub retention_keeps_vat_number: bool,
    /// The zone every time a person reads is shown in: staff pages, emails, the profile PDF
    /// (the API's times stay UTC).
    #[schema(schema_with = crate::time_zone::TimeZone::json_schema)]
    pub time_zone: String,
    /// Whether administrators must use a second factor (TOTP) on the staff pages; one without
    /// it enrols before anything else.
    pub totp_required_for_administrators: bool,
    /// Every document type with what the buyer's page says of it.
    pub document_types: Vec<DocumentTypeGuidance>,
}

/// A document type as the buyer's page presents it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentTypeGuidance {
    /// The type.
    #[serde(rename = "type")]
    pub document_type: DocumentType,
    /// Whether it is an identity document: uploaded with `expiresOn` (valid until), counting
    /// until that day rather than for a maximum age.
    pub identity_document: bool,
    /// The help text shown under the type (staff's own text, else the portal's).
    pub help_text: HelpTexts,
    /// Whether a template can be downloaded from the buyer's page.
    pub has_template: bool,
}

/// A text in each language of the buyer's page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HelpTexts {
    /// German.
    pub de: String,
    /// English.
    pub en: String,
}

/// New help texts of one type: text replaces, `null` or `""` returns to the portal's own
/// text, a language left out keeps its text.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HelpTextPatch {
    /// The type.
    #[serde(rename = "type")]
    #[schema(value_type = crate::documents::DocumentType)]
    pub document_type: String,
    /// German; plain text, shown as written (line breaks kept, no other control characters).
    #[serde(default, with = "present")]
    #[schema(value_type = Option<String>, max_length = 600, pattern = r"^[^\x00-\x09\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub de: Option<Option<String>>,
    /// English; plain text, shown as written (line breaks kept, no other control characters).
    #[serde(default, with = "present")]
    #[schema(value_type = Option<String>, max_length = 600, pattern = r"^[^\x00-\x09\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub en: Option<Option<String>>,
}

/// What sellers may do.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Capabilities {
    /// Whether sellers may register MARKETPLACE_LED buyers.
    pub allow_marketplace_led_kyc: bool,
}

/// A required document type and its maximum age.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequiredType {
    /// The type.
    #[serde(rename = "type")]
    #[schema(value_type = crate::documents::DocumentType)]
    pub document_type: String,
    /// Days after its document date a document counts, 1 to 3650; null: always.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 3650)]
    pub max_age_days: Option<u32>,
}

impl OrganisationView {
    /// The view of `settings`.
    pub fn of(settings: &OrganisationSettings) -> OrganisationView {
        OrganisationView {
            name: settings.name.clone(),
            capabilities: Capabilities {
                allow_marketplace_led_kyc: settings.allow_marketplace_led_kyc,
            },
            required_document_types: settings
                .required_document_types
                .iter()
                .map(|t| RequiredType {
                    document_type: t.as_str().to_owned(),
                    max_age_days: settings.document_max_age_days.get(t).copied(),
                })
                .collect(),
            vies_requester_vat_number: settings.vies_requester_vat_number.clone(),
            reminders: settings.reminders,
            require_document_review: settings.require_document_review,
            four_eyes_review: settings.four_eyes_review,
            retention_days_after_end: settings.retention_days_after_end,
            retention_days_inactive: settings.retention_days_inactive,
            retention_keeps_vat_number: settings.retention_keeps_vat_number,
            time_zone: settings.time_zone.name().to_owned(),
            document_types: DocumentType::ALL
                .into_iter()
                .map(|t| DocumentTypeGuidance {
                    document_type: t,
                    identity_document: t.is_identity(),
                    help_text: HelpTexts {
                        de: guidance::help_text(&settings.document_guidance, t, Language::De),
                        en: guidance::help_text(&settings.document_guidance, t, Language::En),
                    },
                    has_template: settings
                        .document_guidance
                        .get(&t)
                        .is_some_and(|g| g.template.is_some()),
                })
                .collect(),
            totp_required_for_administrators: settings.totp_required_for_administrators,
        }
    }
}

/// `PATCH /v1/organisation`: a merge patch; a field left out keeps its value.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganisationPatch {
    /// What sellers may do.
    capabilities: Option<Capabilities>,
    /// The required types with their maximum ages (replaces the list).
    required_document_types: Option<Vec<RequiredType>>,
    /// `null` removes it; absent keeps it.
    #[serde(default, with = "present")]
    #[schema(schema_with = crate::kyc::vat::VatNumber::nullable_json_schema)]
    vies_requester_vat_number: Option<Option<String>>,
    /// Days after an invitation was sent that an unused link is recalled; 0: never.
    #[schema(nullable = false, minimum = 0, maximum = 365)]
    invitation_reminder_after_days: Option<u32>,
    /// Days before an invitation expires that its buyer is reminded; 0: never.
    #[schema(nullable = false, minimum = 0, maximum = 365)]
    invitation_reminder_before_expiry_days: Option<u32>,
    /// Days before a counting document grows too old that its buyer is asked for a new one;
    /// 0: never.
    #[schema(nullable = false, minimum = 0, maximum = 365)]
    document_expiry_reminder_days: Option<u32>,
    /// Whether documents need staff approval before they count.
    require_document_review: Option<bool>,
    /// Whether a staff decision needs a second staff member's confirmation.
    four_eyes_review: Option<bool>,
    /// Days the records of an ended relationship are kept (0 to 36500; 0: at the next run).
    #[schema(nullable = false, minimum = 0, maximum = 36500)]
    retention_days_after_end: Option<u32>,
    /// Days an inactive buyer that never completed KYC is kept (0 to 36500; 0: at the next
    /// run).
    #[schema(nullable = false, minimum = 0, maximum = 36500)]
    retention_days_inactive: Option<u32>,
    /// Whether an erased buyer keeps its VAT number.
    #[schema(nullable = false)]
    retention_keeps_vat_number: Option<bool>,
    /// An IANA time zone, e.g. Europe/Berlin.
    #[schema(schema_with = crate::time_zone::TimeZone::json_schema)]
    time_zone: Option<String>,
    /// Help texts of the buyer's page, per type (types left out keep theirs).
    #[schema(nullable = false)]
    help_texts: Option<Vec<HelpTextPatch>>,
    /// Whether administrators must use a second factor (TOTP) on the staff pages.
    #[schema(nullable = false)]
    totp_required_for_administrators: Option<bool>,
}

/// Tells an explicit `null` (Some(None)) from a field left out (None).
mod present {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(deserializer).map(Some)
    }
}

/// The settings after `patch`, checked like the staff's settings form; a 422 naming each
/// field at fault otherwise. The types listed get the maximum age given with them (none:
/// unlimited); other types keep theirs.
pub fn apply_patch(
    current: &OrganisationSettings,
    patch: Value,
) -> Result<OrganisationSettings, Error> {
    let patch: OrganisationPatch = serde_path_to_error::deserialize(patch).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        if let Some(name) = message
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.split_once('`'))
            .map(|(name, _)| name)
        {
            let field = match path.rsplit_once('.') {
                Some((parent, _)) if parent != "." && !parent.is_empty() => {
                    format!("{parent}.{name}")
                }
                _ => name.to_owned(),
            };
            return Error::invalid(field, Rule::UnknownField);
        }
        let field = if path == "." { "body".to_owned() } else { path };
        Error::invalid(field, Rule::Malformed(message))
    })?;
    let mut raw = RawSettings::from_settings(current);
    if let Some(capabilities) = patch.capabilities {
        raw.allow_marketplace_led_kyc = capabilities.allow_marketplace_led_kyc;
    }
    if let Some(types) = patch.required_document_types {
        let mut problems = Vec::new();
        raw.required_document_types.clear();
        for (i, required) in types.iter().enumerate() {
            if DocumentType::parse(&required.document_type).is_none() {
                problems.push(FieldProblem::new(
                    format!("requiredDocumentTypes[{i}].type"),
                    Rule::UnknownDocumentType,
                ));
                continue;
            }
            raw.required_document_types
                .push(required.document_type.clone());
            raw.document_max_age_days.insert(
                required.document_type.clone(),
                required
                    .max_age_days
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            );
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
    }
    for (name, days) in [
        (
            "invitationReminderAfterDays",
            patch.invitation_reminder_after_days,
        ),
        (
            "invitationReminderBeforeExpiryDays",
            patch.invitation_reminder_before_expiry_days,
        ),
        (
            "documentExpiryReminderDays",
            patch.document_expiry_reminder_days,
        ),
    ] {
        if let Some(days) = days {
            raw.reminders.insert(name.to_owned(), days.to_string());
        }
    }
    if let Some(require) = patch.require_document_review {
        raw.require_document_review = require;
    }
    if let Some(four_eyes) = patch.four_eyes_review {
        raw.four_eyes_review = four_eyes;
    }
    if let Some(requester) = patch.vies_requester_vat_number {
        raw.vies_requester_vat_number = requester.unwrap_or_default();
    }
    if let Some(days) = patch.retention_days_after_end {
        raw.retention_days_after_end = days.to_string();
    }
    if let Some(days) = patch.retention_days_inactive {
        raw.retention_days_inactive = days.to_string();
    }
    if let Some(keep) = patch.retention_keeps_vat_number {
        raw.retention_keeps_vat_number = keep;
    }
    if let Some(zone) = patch.time_zone {
        raw.time_zone = Some(zone);
    }
    for (i, texts) in patch.help_texts.into_iter().flatten().enumerate() {
        if DocumentType::parse(&texts.document_type).is_none() {
            return Err(Error::invalid(
                format!("helpTexts[{i}].type"),
                Rule::UnknownDocumentType,
            ));
        }
        for (l, text) in [(Language::De, texts.de), (Language::En, texts.en)] {
            if let Some(text) = text {
                raw.help_texts
                    .insert((texts.document_type.clone(), l), text.unwrap_or_default());
            }
        }
    }
    if let Some(required) = patch.totp_required_for_administrators {
        raw.totp_required_for_administrators = required;
    }
    raw.apply_to(current)
}
