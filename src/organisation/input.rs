//! The settings as a person types them (the staff pages' form): every field checked at once,
//! so a form can show each mistake next to its field, and turned into the settings document.

use std::collections::BTreeMap;

use super::guidance;
use super::reminders::MAX_REMINDER_DAYS;
use super::settings::{EXPIRY_DAYS, MAX_RETENTION_DAYS, OrganisationSettings, is_hex_colour};
use crate::documents::model::DocumentType;
use crate::email::EmailAddress;
use crate::errors::{Error, FieldProblem, Rule};
use crate::i18n::Language;
use crate::kyc::vat::VatNumber;
use crate::time_zone::TimeZone;

/// Longest organisation name: it heads pages and email subjects.
const MAX_NAME_CHARS: usize = 200;
/// Longest phone number as written (with spaces and a prefix).
const MAX_PHONE_CHARS: usize = 40;
/// Longest link.
const MAX_URL_CHARS: usize = 2000;
/// Longest max age of a document type: ten years.
const MAX_AGE_DAYS: u32 = 3650;
/// The contrast white text needs on the primary colour (WCAG AA for normal text): the buyer's
/// pages and emails write white on it.
const MIN_CONTRAST: f64 = 4.5;

/// The settings as entered; text fields untrimmed, empty meaning "not set".
#[derive(Debug, Clone, Default)]
pub struct RawSettings {
    /// The organisation's name.
    pub name: String,
    /// `#rrggbb`.
    pub primary_colour: String,
    /// Support email (optional).
    pub support_email: String,
    /// Support phone (optional).
    pub support_phone: String,
    /// Imprint link (optional).
    pub imprint_url: String,
    /// Privacy notice link (optional).
    pub privacy_url: String,
    /// `de` or `en`.
    pub default_language: String,
    /// Days, 1 to 90.
    pub default_invitation_expiry_days: String,
    /// Whether sellers may register MARKETPLACE_LED buyers.
    pub allow_marketplace_led_kyc: bool,
    /// Type names, as `DocumentType` writes them.
    pub required_document_types: Vec<String>,
    /// Max age in days per type name; empty means unlimited.
    pub document_max_age_days: BTreeMap<String, String>,
    /// The marketplace's own VAT number, sent to VIES as the requester (optional).
    pub vies_requester_vat_number: String,
    /// Reminder days by setting name (`invitationReminderAfterDays`); empty means 0 (off),
    /// a setting left out keeps its value.
    pub reminders: BTreeMap<String, String>,
    /// Whether documents need staff approval before they count.
    pub require_document_review: bool,
    /// Whether a staff decision needs a second staff member's confirmation.
    pub four_eyes_review: bool,
    /// Days the records of an ended relationship are kept, 0 to 36500.
    pub retention_days_after_end: String,
    /// Days an inactive buyer that never completed KYC is kept, 0 to 36500.
    pub retention_days_inactive: String,
    /// Whether an erased buyer keeps its VAT number.
    pub retention_keeps_vat_number: bool,
    /// An IANA time zone name; None (a form from before this field) keeps the current zone.
    pub time_zone: Option<String>,
    /// Help texts by type name and language; empty means the portal's own text, a type and
    /// language left out keeps its text.
    pub help_texts: BTreeMap<(String, Language), String>,
    /// Whether administrators must use a second factor.
    pub totp_required_for_administrators: bool,
}

impl RawSettings {
    /// The form filled with the current settings.
    pub fn from_settings(settings: &OrganisationSettings) -> RawSettings {
        RawSettings {
            name: settings.name.clone(),
            primary_colour: settings.primary_colour.clone(),
            support_email: settings.support_email.clone().unwrap_or_default(),
            support_phone: settings.support_phone.clone().unwrap_or_default(),
            imprint_url: settings.imprint_url.clone().unwrap_or_default(),
            privacy_url: settings.privacy_url.clone().unwrap_or_default(),
            default_language: settings.default_language.code().to_owned(),
            default_invitation_expiry_days: settings.default_invitation_expiry_days.to_string(),
            allow_marketplace_led_kyc: settings.allow_marketplace_led_kyc,
            required_document_types: settings
                .required_document_types
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
            document_max_age_days: settings
                .document_max_age_days
                .iter()
                .map(|(t, days)| (t.as_str().to_owned(), days.to_string()))
                .collect(),
            vies_requester_vat_number: settings
                .vies_requester_vat_number
                .clone()
                .unwrap_or_default(),
            reminders: settings
                .reminders
                .fields()
                .iter()
                .map(|(name, days)| ((*name).to_owned(), days.to_string()))
                .collect(),
            require_document_review: settings.require_document_review,
            four_eyes_review: settings.four_eyes_review,
            retention_days_after_end: settings.retention_days_after_end.to_string(),
            retention_days_inactive: settings.retention_days_inactive.to_string(),
            retention_keeps_vat_number: settings.retention_keeps_vat_number,
            time_zone: Some(settings.time_zone.name().to_owned()),
            help_texts: settings
                .document_guidance
                .iter()
                .flat_map(|(t, g)| {
                    [Language::De, Language::En].into_iter().map(move |l| {
                        let text = g.custom_help(l).unwrap_or_default().to_owned();
                        ((t.as_str().to_owned(), l), text)
                    })
                })
                .collect(),
            totp_required_for_administrators: settings.totp_required_for_administrators,
        }
    }

    /// The help text of the type `code` in `l` as entered (empty: the portal's own).
    pub fn help_text(&self, code: &str, l: Language) -> &str {
        self.help_texts
            .get(&(code.to_owned(), l))
            .map_or("", String::as_str)
    }

    /// The reminder setting `name` as entered (empty when not given).
    pub fn reminder(&self, name: &str) -> &str {
        self.reminders.get(name).map_or("", String::as_str)
    }

    /// Checks every field and applies them to `current` (which keeps what the form does not
    /// carry: the logo). Otherwise a 422 with one error per wrong field,
    /// named like the settings document (`primaryColour`, `documentMaxAgeDays.COC_EXTRACT`).
    pub fn apply_to(&self, current: &OrganisationSettings) -> Result<OrganisationSettings, Error> {
        let mut errors = Vec::new();
        let mut refuse = |field: &str, rule: Rule| errors.push(FieldProblem::new(field, rule));

        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            refuse("name", Rule::TooLong { max: 200 });
        }
        let colour = self.primary_colour.trim().to_ascii_lowercase();
        if !is_hex_colour(&colour) {
            refuse("primaryColour", Rule::Colour);
        } else if contrast_with_white(&colour) < MIN_CONTRAST {
            refuse("primaryColour", Rule::ColourTooLight);
        }
        let support_email = optional(&self.support_email);
        if let Some(email) = support_email.as_deref()
            && EmailAddress::parse(email).is_err()
        {
            refuse("supportEmail", Rule::Email);
        }
        let support_phone = optional(&self.support_phone);
        if let Some(phone) = support_phone.as_deref()
            && !is_phone(phone)
        {
            refuse("supportPhone", Rule::Phone);
        }
        let imprint_url = optional(&self.imprint_url);
        if imprint_url.as_deref().is_some_and(|u| !is_web_link(u)) {
            refuse("imprintUrl", Rule::Link);
        }
        let privacy_url = optional(&self.privacy_url);
        if privacy_url.as_deref().is_some_and(|u| !is_web_link(u)) {
            refuse("privacyUrl", Rule::Link);
        }
        let language = Language::parse(&self.default_language);
        if language.is_none() {
            refuse(
                "defaultLanguage",
                Rule::OneOf {
                    allowed: vec!["de".into(), "en".into()],
                },
            );
        }
        let expiry = self
            .default_invitation_expiry_days
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|d| EXPIRY_DAYS.contains(d));
        if expiry.is_none() {
            refuse(
                "defaultInvitationExpiryDays",
                Rule::Days {
                    min: 1,
                    max: 90,
                    optional: false,
                },
            );
        }
        let mut required = Vec::new();
        for name in &self.required_document_types {
            match DocumentType::parse(name) {
                Some(t) if !required.contains(&t) => required.push(t),
                Some(_) => {}
                None => refuse("requiredDocumentTypes", Rule::UnknownDocumentType),
            }
        }
        // In the order of `DocumentType::ALL`, which is the order the buyer's page lists them.
        required.sort_by_key(|t| DocumentType::ALL.iter().position(|a| a == t));
        let mut max_ages = BTreeMap::new();
        for (name, days) in &self.document_max_age_days {
            let Some(document_type) = DocumentType::parse(name) else {
                refuse("documentMaxAgeDays", Rule::UnknownDocumentType);
                continue;
            };
            let days = days.trim();
            if days.is_empty() {
                continue;
            }
            match days.parse::<u32>() {
                Ok(d) if (1..=MAX_AGE_DAYS).contains(&d) => {
                    max_ages.insert(document_type, d);
                }
                _ => refuse(
                    &format!("documentMaxAgeDays.{name}"),
                    Rule::Days {
                        min: 1,
                        max: 3650,
                        optional: true,
                    },
                ),
            }
        }
        // Kept as VIES must see it: normalised, and shaped like a VAT number of its country.
        let vies_requester_vat_number = match optional(&self.vies_requester_vat_number) {
            None => None,
            Some(text) => match VatNumber::parse(&text) {
                Ok(number) => Some(number.as_str().to_owned()),
                Err(e) => {
                    refuse("viesRequesterVatNumber", Rule::Vat(e));
                    None
                }
            },
        };
        let mut reminders = current.reminders;
        for (name, days) in &self.reminders {
            let days = days.trim();
            let parsed = if days.is_empty() {
                Some(0)
            } else {
                days.parse::<u32>().ok().filter(|d| *d <= MAX_REMINDER_DAYS)
            };
            match parsed {
                Some(days) if reminders.set(name, days) => {}
                Some(_) => refuse(name, Rule::UnknownField),
                None => refuse(
                    name,
                    Rule::Days {
                        min: 0,
                        max: i64::from(MAX_REMINDER_DAYS),
                        optional: true,
                    },
                ),
            }
        }
        // Left empty (a form from before these fields), a period keeps its value: empty is
        // not 0, which erases at the next run.
        let mut retention_days = |field: &str, text: &str, kept: u32| {
            if text.trim().is_empty() {
                return kept;
            }
            let days = text
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|d| *d <= MAX_RETENTION_DAYS);
            if days.is_none() {
                refuse(
                    field,
                    Rule::Days {
                        min: 0,
                        max: i64::from(MAX_RETENTION_DAYS),
                        optional: false,
                    },
                );
            }
            days.unwrap_or_default()
        };
        let retention_days_after_end = retention_days(
            "retentionDaysAfterEnd",
            &self.retention_days_after_end,
            current.retention_days_after_end,
        );
        let retention_days_inactive = retention_days(
            "retentionDaysInactive",
            &self.retention_days_inactive,
            current.retention_days_inactive,
        );

        let time_zone = match &self.time_zone {
            None => Some(current.time_zone),
            Some(name) => TimeZone::parse(name.trim()),
        };
        if time_zone.is_none() {
            refuse("timeZone", Rule::TimeZone);
        }

        let document_guidance =
            match guidance::apply_help_texts(&current.document_guidance, &self.help_texts) {
                Ok(guidance) => guidance,
                Err(mut problems) => {
                    errors.append(&mut problems);
                    current.document_guidance.clone()
                }
            };

        match (language, expiry, time_zone) {
            (Some(default_language), Some(default_invitation_expiry_days), Some(time_zone))
                if errors.is_empty() =>
            {
                Ok(OrganisationSettings {
                    allow_marketplace_led_kyc: self.allow_marketplace_led_kyc,
                    required_document_types: required,
                    document_max_age_days: max_ages,
                    name: name.to_owned(),
                    primary_colour: colour,
                    support_email,
                    support_phone,
                    default_language,
                    default_invitation_expiry_days,
                    imprint_url,
                    privacy_url,
                    vies_requester_vat_number,
                    reminders,
                    require_document_review: self.require_document_review,
                    four_eyes_review: self.four_eyes_review,
                    retention_days_after_end,
                    retention_days_inactive,
                    retention_keeps_vat_number: self.retention_keeps_vat_number,
                    time_zone,
                    document_guidance,
                    totp_required_for_administrators: self.totp_required_for_administrators,
                    ..current.clone()
                })
            }
            _ => Err(Error::Invalid(errors)),
        }
    }
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The WCAG contrast ratio of white on `#rrggbb` (1 to 21).
fn contrast_with_white(colour: &str) -> f64 {
    let channel = |i: usize| {
        let value = colour
            .get(i..i + 2)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .map_or(0.0, |v| f64::from(v) / 255.0);
        if value <= 0.04045 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    1.05 / (luminance + 0.05)
}

fn is_phone(text: &str) -> bool {
    text.chars().count() <= MAX_PHONE_CHARS
        && text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || " +-/().".contains(c))
}

/// An absolute http(s) link with a host: the only kind a buyer's page may point to (no
/// `javascript:` or `data:` links in the footer).
fn is_web_link(text: &str) -> bool {
    text.len() <= MAX_URL_CHARS
        && reqwest::Url::parse(text).is_ok_and(|u| {
            matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> RawSettings {
        RawSettings::from_settings(&OrganisationSettings::default())
    }

    fn fields(error: Error) -> Vec<String> {
        match error {
            Error::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn the_defaults_pass_unchanged() {
        let current = OrganisationSettings::default();
        assert_eq!(valid().apply_to(&current).unwrap(), current);
    }

    #[test]
    fn each_wrong_field_is_named() {
        let raw = RawSettings {
            name: "  ".into(),
            primary_colour: "red".into(),
            support_email: "not an address".into(),
            support_phone: "call us".into(),
            imprint_url: "javascript:alert(1)".into(),
            privacy_url: "ftp://example.com/privacy".into(),
            default_language: "fr".into(),
            default_invitation_expiry_days: "91".into(),
            document_max_age_days: BTreeMap::from([("COC_EXTRACT".into(), "-1".into())]),
            ..valid()
        };
        assert_eq!(
            fields(raw.apply_to(&OrganisationSettings::default()).unwrap_err()),
            [
                "name",
                "primaryColour",
                "supportEmail",
                "supportPhone",
                "imprintUrl",
                "privacyUrl",
                "defaultLanguage",
                "defaultInvitationExpiryDays",
                "documentMaxAgeDays.COC_EXTRACT"
            ]
        );
    }

    #[test]
    fn a_colour_too_light_for_white_text_is_refused() {
        for light in ["#ffff00", "#a0c4ff", "#ffffff"] {
            let raw = RawSettings {
                primary_colour: light.into(),
                ..valid()
            };
            let error = raw.apply_to(&OrganisationSettings::default()).unwrap_err();
            assert_eq!(fields(error), ["primaryColour"], "{light}");
        }
        for dark in ["#1d4f91", "#000000", "#a4161a"] {
            let raw = RawSettings {
                primary_colour: dark.into(),
                ..valid()
            };
            assert!(
                raw.apply_to(&OrganisationSettings::default()).is_ok(),
                "{dark}"
            );
        }
    }

    #[test]
    fn optional_fields_may_be_empty_and_colours_are_kept_lower_case() {
        let raw = RawSettings {
            primary_colour: "#AA3300".into(),
            support_email: "help@marketplace.example".into(),
            support_phone: "+49 30 1234-567".into(),
            imprint_url: "https://marketplace.example/imprint".into(),
            required_document_types: vec!["VAT_CERTIFICATE".into(), "COC_EXTRACT".into()],
            document_max_age_days: BTreeMap::from([
                ("COC_EXTRACT".into(), "90".into()),
                ("BANK_CONFIRMATION".into(), String::new()),
            ]),
            ..valid()
        };
        let saved = raw.apply_to(&OrganisationSettings::default()).unwrap();
        assert_eq!(saved.primary_colour, "#aa3300");
        assert_eq!(saved.privacy_url, None);
        assert_eq!(
            saved.required_document_types,
            [DocumentType::CocExtract, DocumentType::VatCertificate]
        );
        assert_eq!(
            saved.document_max_age_days,
            BTreeMap::from([(DocumentType::CocExtract, 90)])
        );
    }
}
