//! The organisation's settings (one installation serves one organisation). Stored as one JSON
//! document so that a new setting is a new field with a default, not a migration.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit::{self, Actor, Change};
use crate::db::Db;
use crate::documents::DocumentType;
use crate::error::AppError;
use crate::i18n::Language;

const KEY: &str = "organisation";

/// What the marketplace has decided for itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrganisationSettings {
    /// Whether sellers may register buyers whose KYC the marketplace runs itself.
    pub allow_marketplace_led_kyc: bool,
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
    /// The document types every buyer must provide, with how old each may be.
    pub required_documents: Vec<RequiredDocument>,
}

/// A document type a buyer must provide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequiredDocument {
    /// The type.
    #[serde(rename = "type")]
    pub document_type: DocumentType,
    /// Days after its document date that a document stops counting; unlimited when absent.
    pub max_age_days: Option<u32>,
}

fn required(document_type: DocumentType, max_age_days: Option<u32>) -> RequiredDocument {
    RequiredDocument {
        document_type,
        max_age_days,
    }
}

impl Default for OrganisationSettings {
    fn default() -> OrganisationSettings {
        OrganisationSettings {
            allow_marketplace_led_kyc: true,
            name: "KYC Portal".into(),
            primary_colour: "#1d4f91".into(),
            support_email: None,
            support_phone: None,
            default_language: Language::En,
            required_documents: vec![
                required(DocumentType::CocExtract, Some(365)),
                required(DocumentType::BankConfirmation, None),
                required(DocumentType::VatCertificate, None),
                required(DocumentType::ContactId, None),
                required(DocumentType::AmlDeclaration, None),
            ],
        }
    }
}

/// The current settings (defaults where nothing was saved).
pub async fn load(db: &Db) -> Result<OrganisationSettings, AppError> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(KEY)
        .fetch_optional(db.pool())
        .await?;
    Ok(match row {
        Some(row) => serde_json::from_str(&row.try_get::<String, _>("value")?).unwrap_or_default(),
        None => OrganisationSettings::default(),
    })
}

/// Saves new settings, with an audit entry.
pub async fn save(db: &Db, actor: &Actor, settings: &OrganisationSettings) -> Result<(), AppError> {
    let before = load(db).await?;
    let value = serde_json::to_string(settings).map_err(|e| AppError::Internal(e.into()))?;
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2",
    )
    .bind(KEY)
    .bind(&value)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Change {
            entity_type: "settings",
            entity_id: KEY,
            action: "updated",
            actor,
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(settings).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
