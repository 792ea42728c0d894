//! A buyer's full record as one ZIP, to answer a data subject's request or an auditor: the
//! buyer and its KYC status, every document version's metadata and file, the VIES checks
//! with their evidence, the identity verifications, the invitations without their links, the
//! audit history in plain words, and the signed KYC profile when the buyer is verified.
//!
//! Everything but the files is read before the first byte is sent, so a buyer that is not
//! there or not exportable gets a clear error; the files are then streamed from the store.

mod zip;

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Value, json};

use self::zip::Part;
use crate::audit::words::sentence;
use crate::audit::{self, Actor, AuditEntry, Subject};
use crate::buyers;
use crate::db::{Db, Timestamp, now};
use crate::documents::{self, Document};
use crate::errors::{Conflict, Error};
use crate::i18n::Language;
use crate::invitations;
use crate::kyc;
use crate::organisation;
use crate::storage::{BlobStore, BlobStream};
use crate::time_zone::TimeZone;
use crate::verification;
use crate::verification::profile::{self, IssuedProfile};
use crate::verification::signing::ProfileSigner;
use crate::write;

/// The ZIP of one buyer, ready to be sent.
pub struct BuyerExport {
    /// The name to save it under.
    pub file_name: String,
    /// Its bytes, written as they are read.
    pub body: BlobStream,
}

/// Who takes the export: what the provider found about a person (the identity check's
/// details, the AML screening) is for staff, never for seller systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Staff, on the buyer's page.
    Staff,
    /// A seller system, through the API.
    SellerSystem,
}

/// What an export needs besides the buyer.
pub struct Exporting<'a> {
    /// The database.
    pub db: &'a Db,
    /// Where the files are.
    pub blobs: Arc<BlobStore>,
    /// Signs the KYC profile.
    pub signer: &'a ProfileSigner,
    /// Who asks (recorded in the audit history).
    pub actor: Actor,
    /// The language of the history and the profile (the organisation's when absent).
    pub language: Option<Language>,
    /// Who takes it.
    pub audience: Audience,
}

/// The export of a seller's buyer; 404 when either is unknown, 409 once it is erased (nothing
/// personal is left to export, and the tombstone is in the history).
pub async fn export(
    exporting: Exporting<'_>,
    seller_id: &str,
    buyer_id: &str,
) -> Result<BuyerExport, Error> {
    let db = exporting.db;
    let buyer = buyers::get(db, seller_id, buyer_id).await?;
    if buyer.erased_at.is_some() {
        return Err(Error::Conflict(Conflict::BuyerErased));
    }
    let organisation = organisation::load(db).await?;
    let language = exporting.language.unwrap_or(organisation.default_language);
    let zone = organisation.time_zone;
    let at = now();
    let kyc_status = kyc::status_of(db, seller_id, buyer_id).await?;
    let documents = documents::every_version(db, buyer_id).await?;
    let vies_checks = kyc::vies::all_of(db, buyer_id).await?;
    let verifications = verification::all_of(db, buyer_id).await?;
    let invitations = invitations::all_without_links(db, buyer_id).await?;
    let history = audit::record_of_buyer(db, buyer_id).await?;
    let profile = signed_profile(&exporting, seller_id, buyer_id, language).await?;

    let mut parts = vec![
        json_part(
            "buyer.json",
            &json!({
                "exportedAt": at,
                "buyer": buyer,
                "kycStatus": kyc_status,
            }),
            at,
        )?,
        json_part(
            "documents.json",
            &documents
                .iter()
                .map(|(document, _)| DocumentEntry {
                    file: file_path(document, 0),
                    file_paths: (0..document.files.len())
                        .map(|n| file_path(document, n))
                        .collect(),
                    document,
                })
                .collect::<Vec<_>>(),
            at,
        )?,
        json_part("vies-checks.json", &vies_checks, at)?,
        json_part(
            "verifications.json",
            &verifications
                .iter()
                .map(|v| verification_entry(v, exporting.audience))
                .collect::<Result<Vec<_>, _>>()?,
            at,
        )?,
        json_part("invitations.json", &invitations, at)?,
        json_part("history.json", &history, at)?,
        Part::Made {
            name: "history.txt".to_owned(),
            bytes: history_text(language, zone, &history).into_bytes(),
            at,
        },
    ];
    let files = documents.iter().map(|(_, keys)| keys.len()).sum::<usize>();
    for (document, keys) in documents {
        for (n, (file, key)) in document.files.iter().zip(keys).enumerate() {
            parts.push(Part::Stored {
                name: file_path(&document, n),
                key,
                at: document.created_at,
                size: u64::try_from(file.size_bytes).unwrap_or_default(),
                sha256: file.sha256.clone(),
            });
        }
    }
    if let Some(profile) = profile {
        parts.push(Part::Made {
            name: "kyc-profile.pdf".to_owned(),
            bytes: profile.pdf,
            at: profile.issued_at,
        });
        parts.push(Part::Made {
            name: "kyc-profile.pdf.sig".to_owned(),
            bytes: profile.signature.into_bytes(),
            at: profile.issued_at,
        });
    }

    // Who took a copy of whose personal data is part of the record.
    write::apply(db, exporting.actor, async |tx| {
        tx.record(
            Subject::Buyer(buyer_id),
            "exported",
            None,
            Some(json!({ "documentFiles": files })),
        );
        Ok(())
    })
    .await?;
    Ok(BuyerExport {
        file_name: format!("kyc-export-{buyer_id}.zip"),
        body: zip::stream(parts, exporting.blobs, zone),
    })
}

/// A document version's metadata and where its file is in the archive.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DocumentEntry<'a> {
    #[serde(flatten)]
    document: &'a Document,
    /// Its first (or only) file.
    file: String,
    /// Every file, first to last.
    file_paths: Vec<String>,
}

/// `documents/<TYPE>/v<version>-<file name>`: one folder per type, versions in order; the
/// files of a version of several files are numbered (`v2-1-front.jpg`, `v2-2-back.jpg`), since
/// photos often share a name. File names were cleaned at upload (no folders, no control
/// characters).
fn file_path(document: &Document, n: usize) -> String {
    let name = document
        .files
        .get(n)
        .map_or(document.file_name.as_str(), |f| f.file_name.as_str());
    let kind = document.document_type.as_str();
    if document.files.len() > 1 {
        format!("documents/{kind}/v{}-{}-{name}", document.version, n + 1)
    } else {
        format!("documents/{kind}/v{}-{name}", document.version)
    }
}

/// A verification without the session link (it holds the provider's token); for staff with
/// what the provider found about the person, which seller systems never see.
fn verification_entry(v: &verification::Verification, audience: Audience) -> Result<Value, Error> {
    let mut value = verification::without_session_url(v)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("a verification did not serialise")))?;
    if audience == Audience::Staff
        && let Some(fields) = value.as_object_mut()
    {
        fields.insert(
            "providerDetails".to_owned(),
            v.provider_details.clone().unwrap_or(Value::Null),
        );
        fields.insert("aml".to_owned(), v.aml.clone().unwrap_or(Value::Null));
    }
    Ok(value)
}

fn json_part(name: &str, value: &impl Serialize, at: Timestamp) -> Result<Part, Error> {
    Ok(Part::Made {
        name: name.to_owned(),
        bytes: serde_json::to_vec_pretty(value).map_err(|e| Error::Internal(e.into()))?,
        at,
    })
}

/// One line per entry: when (in the organisation's time zone) and what happened, by whom, in
/// `language`.
fn history_text(language: Language, zone: TimeZone, history: &[AuditEntry]) -> String {
    history
        .iter()
        .map(|entry| {
            format!(
                "{}  {}\n",
                zone.moment_to_the_second(language, entry.at),
                sentence(language, entry)
            )
        })
        .collect()
}

/// The signed profile of a verified buyer; None for any other.
async fn signed_profile(
    exporting: &Exporting<'_>,
    seller_id: &str,
    buyer_id: &str,
    language: Language,
) -> Result<Option<IssuedProfile>, Error> {
    match profile::issue(
        exporting.db,
        exporting.signer,
        seller_id,
        buyer_id,
        Some(language),
    )
    .await
    {
        Ok(issued) => Ok(Some(issued)),
        Err(Error::Conflict(Conflict::NotVerified)) => Ok(None),
        Err(e) => Err(e),
    }
}
