//! The organisation's settings (one installation serves one organisation), as stored: one
//! JSON document, so that a new setting is a new field with a default, not a migration.

use crate::time_zone::TimeZone;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use super::guidance::TypeGuidance;
use super::reminders::ReminderSettings;
use crate::db::Db;
use crate::documents::model::{Document, DocumentType, ExpiryDate};
use crate::email::action::Brand;
use crate::errors::Error;
use crate::i18n::Language;

pub(crate) const KEY: &str = "organisation";
/// The brand colour until one is chosen.
const DEFAULT_COLOUR: &str = "#1d4f91";

/// Days an invitation link works when the request names no expiry, unless the organisation
/// has chosen otherwise.
pub const DEFAULT_INVITATION_EXPIRY_DAYS: i64 = 14;

/// Expiry days an invitation may have (the API's `expiresInDays` range).
pub const EXPIRY_DAYS: std::ops::RangeInclusive<i64> = 1..=90;

/// What the marketplace has decided for itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrganisationSettings {
    /// Whether sellers may register buyers whose KYC the marketplace runs itself.
    pub allow_marketplace_led_kyc: bool,
    /// The document types a buyer's KYC needs before it can be complete.
    pub required_document_types: Vec<DocumentType>,
    /// How many days after its document date a document still counts, per type; a type not
    /// listed never gets too old.
    pub document_max_age_days: BTreeMap<DocumentType, u32>,
    /// The marketplace's own VAT number, sent to VIES as the requester so that VIES answers
    /// with a `requestIdentifier` (the consultation number that proves the check).
    pub vies_requester_vat_number: Option<String>,
    /// The organisation's name, as buyers see it on pages and in emails.
    pub name: String,
    /// Primary colour of pages and emails (`#rrggbb`).
    pub primary_colour: String,
    /// Whom buyers write to with questions.
    pub support_email: Option<String>,
    /// Whom buyers call with questions.
    pub support_phone: Option<String>,
    /// Language of invitations that do not name one.
    pub default_language: Language,
    /// Days an invitation link works when the request names no expiry (1 to 90).
    pub default_invitation_expiry_days: i64,
    /// The marketplace's imprint (legal notice), linked from the buyer's pages.
    pub imprint_url: Option<String>,
    /// The marketplace's privacy notice, linked from the buyer's pages.
    pub privacy_url: Option<String>,
    /// When the current logo was uploaded (ms); None without a logo. Part of the logo's URL,
    /// so a new logo is never hidden behind a cached old one.
    pub logo_version: Option<i64>,
    /// When buyers are reminded of links and documents.
    #[serde(flatten)]
    pub reminders: ReminderSettings,
    /// Whether documents need staff approval: only the latest ACCEPTED version of each type
    /// counts. Off by default: every upload counts at once.
    pub require_document_review: bool,
    /// Four-eyes review: a staff member's decision on a document counts only once a second
    /// staff member confirms it. Off by default.
    pub four_eyes_review: bool,
    /// Days the records of an ended relationship are kept after its end before the buyer's
    /// personal data is erased (0: at the next run of the retention job).
    pub retention_days_after_end: u32,
    /// Days a buyer that never completed KYC is kept after its last activity (0: at the
    /// next run).
    pub retention_days_inactive: u32,
    /// Whether an erased buyer keeps its company's VAT number (a fact of the company, not of
    /// a person, that some bookkeeping needs).
    pub retention_keeps_vat_number: bool,
    /// The zone every time a person reads is shown in (staff pages, emails, the profile).
    pub time_zone: TimeZone,
    /// Per type: help texts staff wrote in place of the portal's own, and a template.
    pub document_guidance: BTreeMap<DocumentType, TypeGuidance>,
    /// Whether administrators must use a second factor (TOTP): one without it enrols before
    /// anything else.
    pub totp_required_for_administrators: bool,
}

/// Days the records of an ended relationship are kept unless the organisation says otherwise:
/// five years (§ 8 GwG) and a leap day.
pub const DEFAULT_RETENTION_DAYS_AFTER_END: u32 = 1826;
/// Days an inactive buyer that never completed KYC is kept: two years.
pub const DEFAULT_RETENTION_DAYS_INACTIVE: u32 = 730;
/// Longest retention period a setting may name: a hundred years.
pub const MAX_RETENTION_DAYS: u32 = 36_500;

impl OrganisationSettings {
    /// The path of the logo (below the public URL), changing with each new logo; None without
    /// a logo.
    pub fn logo_path(&self) -> Option<String> {
        self.logo_version
            .map(|version| format!("/kyc/logo?v={version}"))
    }

    /// Whose emails they are, for emails: name, colour, logo and legal pages.
    pub fn brand(&self, public_url: &str) -> Brand {
        Brand {
            organisation: self.name.clone(),
            colour: self.brand_colour().to_owned(),
            logo_url: self.logo_url(public_url),
            imprint_url: self.imprint_url.clone(),
            privacy_url: self.privacy_url.clone(),
        }
    }

    /// The logo's absolute URL, for emails; None without a logo.
    pub fn logo_url(&self, public_url: &str) -> Option<String> {
        self.logo_path().map(|path| format!("{public_url}{path}"))
    }

    /// The brand colour, as pages and emails may use it: the saved one if it is `#rrggbb`
    /// (settings saved before the form checked it may hold anything), else the default.
    pub fn brand_colour(&self) -> &str {
        if is_hex_colour(&self.primary_colour) {
            &self.primary_colour
        } else {
            DEFAULT_COLOUR
        }
    }

    /// The maximum age of `document_type` when a document dated `date` is, on `today`, older
    /// than it may be to count; None when it counts (or the type has no maximum age).
    pub fn too_old(
        &self,
        document_type: DocumentType,
        date: chrono::NaiveDate,
        today: chrono::NaiveDate,
    ) -> Option<u32> {
        let max = *self.document_max_age_days.get(&document_type)?;
        ((today - date).num_days() > i64::from(max)).then_some(max)
    }

    /// Whether `document` no longer counts on `today`: an identity document with an expiry
    /// date once that day has passed (its age does not matter), any other once it is older
    /// than its type's maximum age.
    pub fn lapsed(&self, document: &Document, today: chrono::NaiveDate) -> bool {
        self.lapsed_on(
            document.document_type,
            document.document_date.date(),
            document.expires_on.map(ExpiryDate::date),
            today,
        )
    }

    /// [`Self::lapsed`] of a document known by its type and dates.
    pub fn lapsed_on(
        &self,
        document_type: DocumentType,
        date: chrono::NaiveDate,
        expires_on: Option<chrono::NaiveDate>,
        today: chrono::NaiveDate,
    ) -> bool {
        match expires_on {
            Some(last_day) => last_day < today,
            None => self.too_old(document_type, date, today).is_some(),
        }
    }

    /// Whether the buyer's pages can name someone to ask: staff invite only once a support
    /// address or phone is set (an invitation a seller's system makes names the seller).
    pub fn has_support_contact(&self) -> bool {
        self.support_email.is_some() || self.support_phone.is_some()
    }

    /// Whom a buyer asks for help: the support address and phone, else the seller, who asked
    /// for the documents (else the organisation itself).
    pub fn contact(&self, seller: Option<&str>) -> Contact {
        let by_name =
            (!self.has_support_contact()).then(|| seller.unwrap_or(&self.name).to_owned());
        Contact {
            email: self.support_email.clone(),
            phone: self.support_phone.clone(),
            by_name,
        }
    }
}

/// Whom a buyer asks for help: written as "support@example.com, +49 30 1234" or as a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// The support address.
    pub email: Option<String>,
    /// The support phone number.
    pub phone: Option<String>,
    /// Who to ask when there is neither (the seller or the organisation).
    pub by_name: Option<String>,
}

impl std::fmt::Display for Contact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<&str> = [&self.email, &self.phone, &self.by_name]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        f.write_str(&parts.join(", "))
    }
}

impl Default for OrganisationSettings {
    fn default() -> OrganisationSettings {
        OrganisationSettings {
            allow_marketplace_led_kyc: true,
            required_document_types: vec![
                DocumentType::CocExtract,
                DocumentType::BankConfirmation,
                DocumentType::VatCertificate,
                DocumentType::ContactId,
                DocumentType::AmlDeclaration,
            ],
            document_max_age_days: BTreeMap::from([(DocumentType::CocExtract, 365)]),
            vies_requester_vat_number: None,
            name: "KYC Portal".into(),
            primary_colour: DEFAULT_COLOUR.into(),
            support_email: None,
            support_phone: None,
            default_language: Language::En,
            default_invitation_expiry_days: DEFAULT_INVITATION_EXPIRY_DAYS,
            imprint_url: None,
            privacy_url: None,
            logo_version: None,
            reminders: ReminderSettings::default(),
            require_document_review: false,
            four_eyes_review: false,
            retention_days_after_end: DEFAULT_RETENTION_DAYS_AFTER_END,
            retention_days_inactive: DEFAULT_RETENTION_DAYS_INACTIVE,
            retention_keeps_vat_number: false,
            time_zone: TimeZone::default(),
            document_guidance: BTreeMap::new(),
            totp_required_for_administrators: false,
        }
    }
}

/// The current settings (defaults where nothing was saved).
pub async fn load(db: &Db) -> Result<OrganisationSettings, Error> {
    load_in(db.pool()).await
}

/// The current settings, read through `conn` (inside a transaction, so that it needs no second
/// connection from the pool while it holds one).
pub async fn load_in<'e>(conn: impl sqlx::AnyExecutor<'e>) -> Result<OrganisationSettings, Error> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(KEY)
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        Some(row) => serde_json::from_str(&row.try_get::<String, _>("value")?).unwrap_or_default(),
        None => OrganisationSettings::default(),
    })
}

/// Writes `settings` inside the caller's transaction (the caller records the change).
pub(crate) async fn write_in(
    conn: &mut AnyConnection,
    settings: &OrganisationSettings,
) -> Result<(), Error> {
    let value = serde_json::to_string(settings).map_err(|e| Error::Internal(e.into()))?;
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2",
    )
    .bind(KEY)
    .bind(&value)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether `text` is a colour written `#rrggbb`.
pub(crate) fn is_hex_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text.bytes().skip(1).all(|b| b.is_ascii_hexdigit())
}
