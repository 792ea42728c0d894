//! What a KYC document is.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::review_state::{Proposal, ReviewReason, ReviewStatus};
use crate::db::Timestamp;
use crate::errors::{Error, FieldProblem, Rule};

/// The kinds of KYC document (the platform's `DocumentType`, KYC part).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentType {
    /// Extract from the chamber of commerce (trade register).
    CocExtract,
    /// Articles of association.
    CocArticles,
    /// Bank's confirmation of the account.
    BankConfirmation,
    /// Bank statement.
    BankStatement,
    /// VAT registration certificate.
    VatCertificate,
    /// Identity document of a contact.
    ContactId,
    /// A contact's authorisation to act for the company.
    ContactAuthorization,
    /// Proof of address.
    AddressProof,
    /// Declaration of the ultimate beneficial owners.
    TpUboDeclaration,
    /// Trade licence.
    TpTradeLicense,
    /// Anti-money-laundering declaration.
    AmlDeclaration,
}

impl DocumentType {
    /// The type's name for people, in `l` (the `doc-<TYPE>` messages).
    pub fn label(self, l: crate::i18n::Language) -> String {
        l.text(&format!("doc-{}", self.as_str()))
    }

    /// Every type, in the order forms list them.
    pub const ALL: [DocumentType; 11] = [
        DocumentType::CocExtract,
        DocumentType::CocArticles,
        DocumentType::BankConfirmation,
        DocumentType::BankStatement,
        DocumentType::VatCertificate,
        DocumentType::ContactId,
        DocumentType::ContactAuthorization,
        DocumentType::AddressProof,
        DocumentType::TpUboDeclaration,
        DocumentType::TpTradeLicense,
        DocumentType::AmlDeclaration,
    ];

    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentType::CocExtract => "COC_EXTRACT",
            DocumentType::CocArticles => "COC_ARTICLES",
            DocumentType::BankConfirmation => "BANK_CONFIRMATION",
            DocumentType::BankStatement => "BANK_STATEMENT",
            DocumentType::VatCertificate => "VAT_CERTIFICATE",
            DocumentType::ContactId => "CONTACT_ID",
            DocumentType::ContactAuthorization => "CONTACT_AUTHORIZATION",
            DocumentType::AddressProof => "ADDRESS_PROOF",
            DocumentType::TpUboDeclaration => "TP_UBO_DECLARATION",
            DocumentType::TpTradeLicense => "TP_TRADE_LICENSE",
            DocumentType::AmlDeclaration => "AML_DECLARATION",
        }
    }

    /// Whether it is an identity document (an ID card or passport): it is asked for with the
    /// day it stops being valid, and counts until that day rather than for a maximum age.
    pub fn is_identity(self) -> bool {
        matches!(self, DocumentType::ContactId)
    }

    /// The type with this name.
    pub fn parse(text: &str) -> Option<DocumentType> {
        DocumentType::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// The type named in a request's `type` field; 422 otherwise.
    pub fn parse_field(text: Option<&str>) -> Result<DocumentType, Error> {
        match text.map(str::trim) {
            None | Some("") => Err(Error::invalid("type", Rule::Required)),
            Some(text) => DocumentType::parse(text).ok_or_else(|| {
                Error::invalid(
                    "type",
                    Rule::OneOf {
                        allowed: DocumentType::ALL.map(|t| t.as_str().to_owned()).to_vec(),
                    },
                )
            }),
        }
    }
}

/// The date a document was issued: a calendar date, not in the future.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DocumentDate(NaiveDate);

impl DocumentDate {
    /// Parses `YYYY-MM-DD`. "The future" starts after today anywhere in the world (UTC+14), so
    /// a buyer east of Greenwich can date a document today just after midnight.
    pub fn parse(text: Option<&str>) -> Result<DocumentDate, Error> {
        let text = text.map(str::trim).unwrap_or_default();
        if text.is_empty() {
            return Err(Error::invalid("documentDate", Rule::Required));
        }
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|_| text.len() == 10)
            .ok_or_else(|| Error::invalid("documentDate", Rule::Date))?;
        let latest = (chrono::Utc::now() + chrono::Duration::hours(14)).date_naive();
        if date > latest {
            return Err(Error::invalid("documentDate", Rule::DateInFuture));
        }
        if date.year_ce().1 < 1900 {
            return Err(Error::invalid("documentDate", Rule::DateTooEarly));
        }
        Ok(DocumentDate(date))
    }

    /// A date read back from storage.
    pub fn from_stored(text: &str) -> Option<DocumentDate> {
        // Stored as `YYYY-MM-DD`, which chrono's own ISO parser reads without a format string.
        text.parse::<NaiveDate>().ok().map(DocumentDate)
    }

    /// The date.
    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// `YYYY-MM-DD`.
    pub fn to_iso(self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }
}

use chrono::Datelike;

/// The last day an identity document is valid ("valid until"): a calendar date, today or later
/// when it is received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ExpiryDate(NaiveDate);

impl ExpiryDate {
    /// Parses `YYYY-MM-DD` as sent in `expiresOn`; 422 when it is before `today` (the
    /// document has expired and would not count).
    pub fn parse(text: &str, today: NaiveDate) -> Result<ExpiryDate, Error> {
        let text = text.trim();
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|_| text.len() == 10)
            .ok_or_else(|| Error::invalid("expiresOn", Rule::Date))?;
        if date < today {
            return Err(Error::invalid("expiresOn", Rule::Expired));
        }
        Ok(ExpiryDate(date))
    }

    /// A date read back from storage.
    pub fn from_stored(text: &str) -> Option<ExpiryDate> {
        // Stored as `YYYY-MM-DD`, which chrono's own ISO parser reads without a format string.
        text.parse::<NaiveDate>().ok().map(ExpiryDate)
    }

    /// The date.
    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// `YYYY-MM-DD`.
    pub fn to_iso(self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }
}

/// The dates of an upload, checked against its type: an identity document is dated by the
/// day it expires (`expiresOn`, today or later) and its issue date is optional (the day it is
/// received stands in for it); an integration that sends only `documentDate` for it, as
/// before `expiresOn` existed, is kept to the issue date and the type's maximum age. Other
/// types take `documentDate` only. Every wrong field is named at once.
pub fn parse_dates(
    document_type: Option<DocumentType>,
    document_date: Option<&str>,
    expires_on: Option<&str>,
    today: NaiveDate,
) -> Result<(DocumentDate, Option<ExpiryDate>), Vec<FieldProblem>> {
    fn given(text: Option<&str>) -> Option<&str> {
        text.map(str::trim).filter(|t| !t.is_empty())
    }
    let identity = document_type.is_some_and(DocumentType::is_identity);
    let mut problems = Vec::new();
    let mut keep = |e: Error| {
        if let Error::Invalid(mut list) = e {
            problems.append(&mut list);
        }
    };
    let expiry = match given(expires_on) {
        None => None,
        Some(_) if document_type.is_some() && !identity => {
            keep(Error::invalid("expiresOn", Rule::ExpiryOnlyForIdentity));
            None
        }
        Some(text) => ExpiryDate::parse(text, today).map_err(&mut keep).ok(),
    };
    let date = match given(document_date) {
        None if identity && given(expires_on).is_some() => Some(DocumentDate(today)),
        None if identity => {
            keep(Error::invalid("expiresOn", Rule::Required));
            None
        }
        text => DocumentDate::parse(text).map_err(&mut keep).ok(),
    };
    match date {
        Some(date) if problems.is_empty() => Ok((date, expiry)),
        _ => Err(problems),
    }
}

/// Whether a document counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentStatus {
    /// Counts (if it is the latest of its type).
    Active,
    /// Superseded; stays archived.
    Archived,
}

impl DocumentStatus {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Active => "ACTIVE",
            DocumentStatus::Archived => "ARCHIVED",
        }
    }

    /// The status with this name.
    pub fn parse(text: &str) -> Option<DocumentStatus> {
        match text {
            "ACTIVE" => Some(DocumentStatus::Active),
            "ARCHIVED" => Some(DocumentStatus::Archived),
            _ => None,
        }
    }
}

/// Who uploaded a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentSource {
    /// A seller system through the API (or staff on the buyer's behalf).
    Api,
    /// The buyer through an invitation link.
    Invitation,
}

impl DocumentSource {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentSource::Api => "API",
            DocumentSource::Invitation => "INVITATION",
        }
    }

    /// The source with this name.
    pub fn parse(text: &str) -> Option<DocumentSource> {
        match text {
            "API" => Some(DocumentSource::Api),
            "INVITATION" => Some(DocumentSource::Invitation),
            _ => None,
        }
    }
}

/// A file name fit to show and to offer on download: the last path segment of what the client
/// sent, without control, format (zero-width, bidirectional overrides) or line-separator
/// characters, at most 200 characters, and
/// ending in the extension of what the file really is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileName(String);

impl FileName {
    /// Cleans the client's name; `extension` is the detected type's (`pdf`, `jpg`, `png`).
    pub fn sanitise(client_name: Option<&str>, extension: &str) -> FileName {
        let raw = client_name.unwrap_or_default();
        let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let cleaned: String = last
            .chars()
            .filter(|c| !c.is_control() && !is_invisible_format(*c))
            .collect();
        let cleaned = cleaned.trim().trim_start_matches('.').trim().to_owned();
        let mut name: String = cleaned.chars().take(200).collect();
        if name.is_empty() {
            name = "document".into();
        }
        let lower = name.to_lowercase();
        let matches = match extension {
            "jpg" => lower.ends_with(".jpg") || lower.ends_with(".jpeg"),
            other => lower.ends_with(&format!(".{other}")),
        };
        if !matches {
            name.push('.');
            name.push_str(extension);
        }
        FileName(name)
    }

    /// A name read back from storage (it was cleaned when stored).
    pub fn from_stored(text: String) -> FileName {
        FileName(text)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A plain-ASCII stand-in for old clients' `filename=` (RFC 6266 fallback).
    pub fn ascii_fallback(&self) -> String {
        self.0
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-() ".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }
}

/// Format characters and line or paragraph separators (Unicode categories Cf, Zl, Zp): they
/// are invisible or break lines, and can reorder text on screen (U+202E makes `gpj.exe` look
/// like `exe.jpg`) or make two names that look alike differ (a zero-width space).
fn is_invisible_format(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    matches!(
        c.general_category(),
        GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    )
}

/// One file of a document version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentFile {
    /// The cleaned file name.
    #[schema(value_type = String)]
    pub file_name: FileName,
    /// What the bytes are (`application/pdf`, `image/jpeg`, `image/png`).
    pub content_type: String,
    /// Size of the file.
    pub size_bytes: i64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
}

/// A stored KYC document (one version of one type for one buyer).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    /// The document's id.
    pub uuid: String,
    /// Its buyer.
    pub buyer_id: String,
    /// Its type.
    #[serde(rename = "type")]
    pub document_type: DocumentType,
    /// The date it was issued (for an identity document sent with `expiresOn` alone, the day
    /// it was received).
    #[serde(serialize_with = "serialize_date")]
    pub document_date: DocumentDate,
    /// Identity documents: the last day it is valid; it counts until then, whatever its age.
    /// Null for other types.
    #[schema(value_type = Option<String>, format = Date)]
    pub expires_on: Option<ExpiryDate>,
    /// Active or archived.
    pub status: DocumentStatus,
    /// The nth upload of this type for this buyer.
    pub version: i64,
    /// The cleaned file name.
    pub file_name: FileName,
    /// What the bytes are (`application/pdf`, `image/jpeg`, `image/png`).
    pub content_type: String,
    /// Size of the file.
    pub size_bytes: i64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Every file of this version in order (the pages, or front and back); the fields above
    /// describe the first. One entry for a document of one file.
    pub files: Vec<DocumentFile>,
    /// API or invitation.
    pub source: DocumentSource,
    /// The invitation it came through, if any.
    pub invitation_id: Option<String>,
    /// When it was uploaded.
    pub created_at: Timestamp,
    /// When it was archived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<Timestamp>,
    /// Where staff's review of this version stands.
    pub review_status: ReviewStatus,
    /// Why it was rejected (REJECTED only).
    pub review_reason: Option<ReviewReason>,
    /// The reviewer's note, if any.
    pub review_note: Option<String>,
    /// Who decided (kept in the audit history and on staff pages, not sent to sellers).
    #[serde(skip)]
    pub reviewed_by: Option<String>,
    /// When it was decided.
    pub reviewed_at: Option<Timestamp>,
    /// A staff decision waiting for a second staff member's confirmation (four-eyes review);
    /// it does not count yet.
    #[serde(skip)]
    pub proposal: Option<Proposal>,
}

fn serialize_date<S: serde::Serializer>(date: &DocumentDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&date.to_iso())
}

/// The documents that count for compliance: the latest ACTIVE version of each type, from the
/// active ones in any order, ordered by type as stored. When the organisation requires review
/// (`require_review`), the latest ACCEPTED one: a newer version waiting for review or rejected
/// does not displace it.
pub fn counting(mut active: Vec<Document>, require_review: bool) -> Vec<Document> {
    // Sorted here rather than by the read: a buyer has a few active documents, and on SQLite
    // an ORDER BY over the buyer's page's joined row sorts all of its eighty columns.
    active.sort_by(|a, b| {
        (a.document_type.as_str(), b.version).cmp(&(b.document_type.as_str(), a.version))
    });
    let mut counting: Vec<Document> = Vec::new();
    for document in active {
        if require_review && document.review_status != ReviewStatus::Accepted {
            continue;
        }
        if counting
            .last()
            .is_none_or(|d| d.document_type != document.document_type)
        {
            counting.push(document);
        }
    }
    counting
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(document_type: DocumentType, version: i64, review: ReviewStatus) -> Document {
        Document {
            uuid: format!("{}-{version}", document_type.as_str()),
            buyer_id: "buyer".into(),
            document_type,
            document_date: DocumentDate::from_stored("2026-01-15").unwrap(),
            expires_on: None,
            status: DocumentStatus::Active,
            version,
            file_name: FileName::from_stored("scan.pdf".into()),
            content_type: "application/pdf".into(),
            size_bytes: 1,
            sha256: String::new(),
            files: Vec::new(),
            source: DocumentSource::Api,
            invitation_id: None,
            created_at: Timestamp::from_millis(version),
            archived_at: None,
            review_status: review,
            review_reason: None,
            review_note: None,
            reviewed_by: None,
            reviewed_at: None,
            proposal: None,
        }
    }

    #[test]
    fn what_counts_is_the_latest_version_of_each_type_whatever_order_they_were_read_in() {
        use DocumentType::{BankConfirmation, CocExtract, VatCertificate};
        use ReviewStatus::{Accepted, PendingReview};
        let active = vec![
            version(VatCertificate, 1, Accepted),
            version(CocExtract, 2, PendingReview),
            version(BankConfirmation, 1, Accepted),
            version(CocExtract, 1, Accepted),
            version(VatCertificate, 3, Accepted),
            version(BankConfirmation, 2, Accepted),
        ];
        let ids = |documents: Vec<Document>| -> Vec<String> {
            documents.into_iter().map(|d| d.uuid).collect()
        };
        assert_eq!(
            ids(counting(active.clone(), false)),
            ["BANK_CONFIRMATION-2", "COC_EXTRACT-2", "VAT_CERTIFICATE-3"]
        );
        // With review, a newer version waiting for it does not displace the accepted one.
        assert_eq!(
            ids(counting(active, true)),
            ["BANK_CONFIRMATION-2", "COC_EXTRACT-1", "VAT_CERTIFICATE-3"]
        );
    }

    #[test]
    fn file_names_lose_paths_controls_and_bidi_overrides_and_get_the_real_extension() {
        assert_eq!(
            FileName::sanitise(Some("../../etc/passwd"), "pdf").as_str(),
            "passwd.pdf"
        );
        assert_eq!(
            FileName::sanitise(Some("C:\\docs\\scan.PDF"), "pdf").as_str(),
            "scan.PDF"
        );
        assert_eq!(
            FileName::sanitise(Some("a\r\nb\".pdf"), "pdf").as_str(),
            "ab\".pdf"
        );
        assert_eq!(
            FileName::sanitise(Some("invoice\u{202E}fdp.exe"), "pdf").as_str(),
            "invoicefdp.exe.pdf"
        );
        assert_eq!(
            FileName::sanitise(
                Some("scan\u{200B}\u{FEFF}\u{2028}\u{2029}\u{00AD}.pdf"),
                "pdf"
            )
            .as_str(),
            "scan.pdf",
            "zero-width, BOM, line and paragraph separators and soft hyphens are invisible"
        );
        assert_eq!(FileName::sanitise(Some(""), "png").as_str(), "document.png");
        assert_eq!(
            FileName::sanitise(Some(".."), "jpg").as_str(),
            "document.jpg"
        );
        assert_eq!(
            FileName::sanitise(Some(&"x".repeat(300)), "pdf")
                .as_str()
                .chars()
                .count(),
            204
        );
    }

    #[test]
    fn the_ascii_fallback_keeps_only_harmless_characters() {
        let name = FileName::sanitise(Some("Bestätigung \"Bank\";.pdf"), "pdf");
        assert_eq!(name.ascii_fallback(), "Best_tigung _Bank__.pdf");
    }

    #[test]
    fn identity_documents_are_dated_by_their_expiry_and_other_types_by_their_date() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let id = Some(DocumentType::ContactId);
        let fields = |result: Result<_, Vec<FieldProblem>>| -> Vec<String> {
            result.unwrap_err().into_iter().map(|p| p.field).collect()
        };

        let (date, expiry) = parse_dates(id, None, Some("2026-12-01"), today).unwrap();
        assert_eq!(
            (date.date(), expiry.map(ExpiryDate::date)),
            (today, Some(today))
        );
        let (date, _) = parse_dates(id, Some("2020-05-04"), Some("2030-05-03"), today).unwrap();
        assert_eq!(date.to_iso(), "2020-05-04", "the issue date, when given");
        let (_, expiry) = parse_dates(id, Some("2026-01-15"), None, today).unwrap();
        assert_eq!(expiry, None, "the issue date alone, as before expiresOn");

        assert_eq!(
            fields(parse_dates(id, None, Some("2026-11-30"), today)),
            ["expiresOn"]
        );
        assert_eq!(fields(parse_dates(id, None, None, today)), ["expiresOn"]);
        assert_eq!(
            fields(parse_dates(id, Some("x"), Some("31.12.2030"), today)),
            ["expiresOn", "documentDate"]
        );
        let extract = Some(DocumentType::CocExtract);
        assert_eq!(
            fields(parse_dates(
                extract,
                Some("2026-01-15"),
                Some("2030-01-01"),
                today
            )),
            ["expiresOn"]
        );
        assert_eq!(
            fields(parse_dates(extract, None, None, today)),
            ["documentDate"]
        );
    }

    #[test]
    fn document_dates_must_be_real_past_dates_written_iso() {
        assert!(DocumentDate::parse(Some("2026-01-15")).is_ok());
        for bad in [
            "2026-02-30",
            "15.01.2026",
            "2026-1-5",
            "",
            "9999-01-01",
            "0001-01-01",
        ] {
            assert!(DocumentDate::parse(Some(bad)).is_err(), "{bad}");
        }
        assert!(DocumentDate::parse(None).is_err());
    }
}
