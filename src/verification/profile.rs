//! The KYC profile: a PDF of what the portal knows about a verified buyer (company, VIES
//! evidence, the documents that count with their SHA-256, the verification outcome and the
//! person verified), under the organisation's logo, signed with the portal's Ed25519 key.
//!
//! A profile is issued once per state: the facts it shows (and the key that signs it) are
//! hashed into a fingerprint, and the first request for a fingerprint and language renders,
//! signs and stores the PDF with that moment as its time of issue. Every later request for the
//! same state gets the stored bytes and signature back, so `profile` and `profile.sig` always
//! match; any change to the facts issues a new profile.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::model::{Verification, VerificationState, VerifiedPerson};
use super::pdf;
use super::signing::{ProfileSigner, encode_signature};
use super::store;
use crate::buyers::{self, Address};
use crate::db::{Db, Timestamp, now};
use crate::documents::{self, DocumentType};
use crate::errors::{Conflict, Error};
use crate::i18n::Language;
use crate::kyc::vies::{self, ViesResult};
use crate::organisation;
use crate::partners;
use crate::time_zone::TimeZone;

/// What a profile shows; hashed (with the signing key) into the profile's fingerprint.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileFacts {
    /// The organisation that issues it.
    pub issuer: String,
    /// The seller the buyer belongs to.
    pub seller: String,
    /// The buyer's id.
    pub buyer_id: String,
    /// Registered company name.
    pub company_name: String,
    /// VAT number.
    pub vat_number: String,
    /// Registered address.
    pub address: Address,
    /// The latest settled VIES check.
    pub vies: Option<ViesFacts>,
    /// The documents that count, one per type.
    pub documents: Vec<DocumentFacts>,
    /// The verification that verified the buyer.
    pub verification: VerificationFacts,
    /// The public key (base64) whose private half signs the profile.
    pub signing_key: String,
    /// The zone its times are written in (the organisation's).
    pub time_zone: TimeZone,
    /// The organisation's logo shown in the header, if it has one.
    pub logo: Option<LogoFacts>,
}

/// The logo a profile shows: its bytes, and their hash in the fingerprint.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogoFacts {
    /// `image/png` or `image/jpeg`.
    pub content_type: String,
    /// SHA-256 of the image, hex.
    pub sha256: String,
    /// The image.
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// The VIES check's evidence.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViesFacts {
    /// VALID, INVALID or ERROR.
    pub result: Option<ViesResult>,
    /// When the check was settled.
    pub checked_at: Option<Timestamp>,
    /// VIES's own date of the request, as VIES wrote it.
    pub request_date: Option<String>,
    /// VIES's consultation number.
    pub request_identifier: Option<String>,
    /// The name VIES has registered.
    pub name: Option<String>,
}

/// A counting document.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentFacts {
    /// Its type.
    pub document_type: DocumentType,
    /// The date printed on it (`YYYY-MM-DD`).
    pub document_date: String,
    /// An identity document's last valid day (`YYYY-MM-DD`); absent for other documents, so
    /// the facts of profiles issued before it existed keep their fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<String>,
    /// SHA-256 of its bytes, hex (of its first file when it has several).
    pub sha256: String,
    /// SHA-256 of its further files (an ID's back, an extract's later pages), in order; absent
    /// for a document of one file, so the facts of earlier profiles keep their fingerprint.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub more_sha256: Vec<String>,
}

/// The verification outcome.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationFacts {
    /// The provider (`IDENFY`).
    pub provider: String,
    /// The provider's reference of the session.
    pub scan_ref: String,
    /// When it became VERIFIED.
    pub decided_at: Option<Timestamp>,
    /// Whether AML screening results came with it.
    pub aml_screened: bool,
    /// Whether the screening found something (cleared by staff, or it would not be verified).
    pub aml_hit: bool,
    /// The staff member who cleared a held verification.
    pub reviewed_by: Option<String>,
    /// The person verified, as the identity document names them; None for verifications
    /// settled before the portal kept the name.
    pub person: Option<VerifiedPerson>,
    /// In which role they were verified.
    pub role: PersonRole,
}

/// The role in which a person was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PersonRole {
    /// The buyer's contact, to whom the portal issues the verification session.
    BuyerContact,
}

impl PersonRole {
    /// The message id of its label.
    pub fn message_id(self) -> &'static str {
        match self {
            PersonRole::BuyerContact => "profile-person-role-buyer-contact",
        }
    }
}

/// An issued profile.
#[derive(Debug, Clone)]
pub struct IssuedProfile {
    /// The profile's id.
    pub id: String,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// The PDF.
    pub pdf: Vec<u8>,
    /// The Ed25519 signature of the PDF's bytes, base64.
    pub signature: String,
}

/// The buyer's profile in `language` (the organisation's default when absent): the one issued
/// for the current state, or a new one. 409 unless the buyer is verified.
pub async fn issue(
    db: &Db,
    signer: &ProfileSigner,
    seller_id: &str,
    buyer_id: &str,
    language: Option<Language>,
) -> Result<IssuedProfile, Error> {
    let buyer = buyers::get(db, seller_id, buyer_id).await?;
    let verification = store::latest(db.pool(), buyer_id)
        .await?
        .filter(|v| v.status == VerificationState::Verified)
        .ok_or_else(|| Error::Conflict(Conflict::NotVerified))?;
    let settings = organisation::load(db).await?;
    let language = language.unwrap_or(settings.default_language);
    let seller = partners::get(db, seller_id).await?;
    let vies = vies::latest_completed(db.pool(), buyer_id).await?;
    let documents = documents::counting(db, buyer_id).await?;
    let facts = ProfileFacts {
        issuer: settings.name,
        seller: seller.name,
        buyer_id: buyer.uuid.clone(),
        company_name: buyer.company_name.clone(),
        vat_number: buyer.vat_number.as_str().to_owned(),
        address: buyer.address.clone(),
        vies: vies.map(|check| {
            let evidence = check.evidence.unwrap_or_default();
            ViesFacts {
                result: check.result,
                checked_at: check.checked_at,
                request_date: evidence.request_date,
                request_identifier: evidence.request_identifier.filter(|r| !r.is_empty()),
                name: evidence.name,
            }
        }),
        documents: documents
            .iter()
            .map(|d| DocumentFacts {
                document_type: d.document_type,
                document_date: d.document_date.to_iso(),
                expires_on: d.expires_on.map(|day| day.to_iso()),
                sha256: d.sha256.clone(),
                more_sha256: d.files.iter().skip(1).map(|f| f.sha256.clone()).collect(),
            })
            .collect(),
        verification: verification_facts(&verification),
        signing_key: signer.public_key().raw_base64(),
        time_zone: settings.time_zone,
        logo: organisation::logo::load(db).await?.map(|logo| LogoFacts {
            sha256: hex::encode(Sha256::digest(&logo.bytes)),
            content_type: logo.content_type,
            bytes: logo.bytes,
        }),
    };
    let fingerprint = fingerprint(&facts)?;
    if let Some(issued) = find(db, buyer_id, language, &fingerprint).await? {
        return Ok(issued);
    }
    let id = uuid::Uuid::now_v7().to_string();
    let issued_at = now();
    let bytes = pdf::render(&facts, language, issued_at, &id, &signer.public_key())
        .map_err(Error::Internal)?;
    let signature = encode_signature(&signer.sign(&bytes));
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO kyc_profiles (id, buyer_id, language, fingerprint, issued_at, pdf, signature) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (buyer_id, language, fingerprint) DO NOTHING",
    )
    .bind(&id)
    .bind(buyer_id)
    .bind(language.code())
    .bind(&fingerprint)
    .bind(issued_at.millis())
    .bind(&bytes)
    .bind(&signature)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    // A concurrent request for the same state may have stored its profile first: everybody
    // gets the stored one.
    find(db, buyer_id, language, &fingerprint)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("an issued profile vanished")))
}

fn verification_facts(verification: &Verification) -> VerificationFacts {
    VerificationFacts {
        provider: verification.provider.clone(),
        scan_ref: verification.scan_ref.clone(),
        decided_at: verification.decided_at,
        aml_screened: verification.aml.is_some(),
        aml_hit: verification.aml_hit,
        reviewed_by: verification.reviewed_by.clone(),
        person: verification.person.clone(),
        role: PersonRole::BuyerContact,
    }
}

fn fingerprint(facts: &ProfileFacts) -> Result<String, Error> {
    let canonical = serde_json::to_vec(facts).map_err(|e| Error::Internal(e.into()))?;
    Ok(hex::encode(Sha256::digest(&canonical)))
}

async fn find(
    db: &Db,
    buyer_id: &str,
    language: Language,
    fingerprint: &str,
) -> Result<Option<IssuedProfile>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, issued_at, pdf, signature FROM kyc_profiles \
         WHERE buyer_id = $1 AND language = $2 AND fingerprint = $3",
    )
    .bind(buyer_id)
    .bind(language.code())
    .bind(fingerprint)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        Ok(IssuedProfile {
            id: row.try_get("id")?,
            issued_at: Timestamp::from_millis(row.try_get("issued_at")?),
            pdf: row.try_get("pdf")?,
            signature: row.try_get("signature")?,
        })
    })
    .transpose()
}
