//! The rules an input can break, each with the English sentence the API answers with and the
//! message a page shows in its own language (`rule-*` in `locales/`), so no page ever has to
//! guess a meaning from English text.

use serde::{Serialize, Serializer};

use crate::documents::inspect::Rejection;
use crate::kyc::vat::{VatFormatError, VatFormatErrorKind};

/// A rule an input broke.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Nothing was given.
    Required,
    /// Only white space was given.
    Empty,
    /// Longer than `max` characters.
    TooLong {
        /// The most characters allowed.
        max: usize,
    },
    /// Not one line: control characters (line breaks, tabs, ...).
    ControlCharacters,
    /// Not one of the values allowed.
    OneOf {
        /// The allowed values, as the API spells them.
        allowed: Vec<String>,
    },
    /// A number outside `min..=max`.
    Between {
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
    /// A number of days outside `min..=max` (or, when `optional`, not empty either).
    Days {
        /// Fewest days allowed.
        min: i64,
        /// Most days allowed.
        max: i64,
        /// Whether leaving it empty is allowed.
        optional: bool,
    },
    /// A number below `min`.
    AtLeast {
        /// Smallest allowed.
        min: i64,
    },
    /// More than `max` entries.
    TooMany {
        /// The most entries allowed.
        max: usize,
        /// What the entries are, in the API's English ("contacts").
        what: &'static str,
    },
    /// Fewer than `min` characters.
    TooShort {
        /// The fewest characters allowed.
        min: usize,
    },
    /// Not a date written `YYYY-MM-DD`.
    Date,
    /// Not a time written as RFC 3339.
    DateTime,
    /// A date in the future.
    DateInFuture,
    /// A date before 1900.
    DateTooEarly,
    /// Not the name of a time zone of the IANA database.
    TimeZone,
    /// A document dated longer ago than its type may be to count.
    TooOldToCount {
        /// The most days a document of the type counts.
        max_age_days: u32,
    },
    /// An identity document whose expiry date has passed.
    Expired,
    /// An expiry date for a type that is not an identity document.
    ExpiryOnlyForIdentity,
    /// Not a VAT number, and why.
    Vat(VatFormatError),
    /// Not an email address.
    Email,
    /// Not an ISO 3166-1 alpha-2 country code.
    Country,
    /// Not a phone number.
    Phone,
    /// Not a colour written `#rrggbb`.
    Colour,
    /// A colour too light for white text on it.
    ColourTooLight,
    /// Not an http(s) link.
    Link,
    /// A webhook URL that is not absolute http(s).
    UrlNotAbsolute,
    /// A webhook URL with another scheme.
    UrlScheme,
    /// A webhook URL without a host.
    UrlHost,
    /// A webhook URL inside a private or reserved network.
    UrlInternal,
    /// An empty list of webhook events.
    NoEvents,
    /// A document type that does not exist.
    UnknownDocumentType,
    /// A field that never changes.
    Immutable,
    /// A field a PATCH cannot change.
    NotPatchable,
    /// A field this resource does not have.
    UnknownField,
    /// A query parameter this request does not take.
    UnknownParameter,
    /// A query parameter given more than once.
    RepeatedParameter,
    /// Not a whole number.
    WholeNumber,
    /// A KYC mode that would go back from NT24_LED.
    ModeDowngrade,
    /// A body that is not a JSON object.
    JsonObject,
    /// A value of the wrong kind (the parser's words, for the API).
    Malformed(String),
    /// A file that was refused, and why.
    File(Rejection),
    /// More files than one upload may carry.
    TooManyFiles {
        /// The most files allowed.
        max: usize,
    },
    /// A PDF among several files: a PDF is a document of its own; several files are photos.
    PdfAlone,
    /// Text that is not UTF-8.
    Utf8,
    /// A seller that does not exist.
    UnknownSeller,
    /// A page cursor this API did not hand out.
    Cursor,
    /// An `Idempotency-Key` that is not 1 to 255 visible ASCII characters.
    IdempotencyKey,
    /// An `Idempotency-Key` used before with another request.
    IdempotencyKeyReused,
    /// A logo that is not a PNG or JPEG image.
    LogoKind,
    /// A document type's template that is not a PDF.
    TemplateKind,
    /// A buyer without a contact to email.
    NoContact,
    /// An archived document asked to be active again.
    ArchivedStays,
    /// A document rejected without saying why (the buyer must learn what to change).
    RejectionNeedsReason,
    /// A version that is not a non-negative integer.
    Version,
    /// No version where one is needed.
    VersionRequired,
    /// An `If-Match` that is not a version.
    IfMatch,
    /// A body `version` and an `If-Match` that name different versions.
    VersionsDisagree {
        /// The body's version.
        body: i64,
        /// The header's version.
        header: i64,
    },
}

impl Rule {
    /// The English sentence (after the field name) the API answers with.
    pub fn english(&self) -> String {
        match self {
            Rule::Required => "is required".into(),
            Rule::Empty => "must not be empty".into(),
            Rule::TooLong { max } => format!("must be at most {max} characters"),
            Rule::ControlCharacters => "must not contain control characters".into(),
            Rule::OneOf { allowed } => match allowed.as_slice() {
                [one] => format!("must be {one}"),
                [one, two] => format!("must be {one} or {two}"),
                many => format!("must be one of {}", many.join(", ")),
            },
            Rule::Between { min, max } => format!("must be between {min} and {max}"),
            Rule::Days { min, max, optional } => format!(
                "must be a whole number of days from {min} to {max}{}",
                if *optional { ", or empty" } else { "" }
            ),
            Rule::AtLeast { min } => format!("must be at least {min}"),
            Rule::TooMany { max, what } => format!("at most {max} {what}"),
            Rule::TooShort { min } => format!("must be at least {min} characters"),
            Rule::Date => "must be a date written YYYY-MM-DD".into(),
            Rule::DateTime => {
                "must be a time written as RFC 3339, such as 2026-04-22T10:00:00Z".into()
            }
            Rule::DateInFuture => "must not be in the future".into(),
            Rule::TimeZone => {
                "must be a time zone of the IANA database, such as Europe/Berlin".into()
            }
            Rule::DateTooEarly => "must be after 1900".into(),
            Rule::TooOldToCount { max_age_days } => format!(
                "is more than {max_age_days} days ago: a document of this type counts for \
                 {max_age_days} days from its date, so this one would not count"
            ),
            Rule::Expired => {
                "has passed: an identity document counts until its expiry date, so an expired \
                 one would not count"
                    .into()
            }
            Rule::ExpiryOnlyForIdentity => {
                "is given for identity documents only (CONTACT_ID); send documentDate".into()
            }
            Rule::Vat(e) => e.to_string(),
            Rule::Email => "is not a valid email address".into(),
            Rule::Country => "must be an ISO 3166-1 alpha-2 country code, such as DE".into(),
            Rule::Phone => "must be a phone number (digits, spaces, + - ( ) / .)".into(),
            Rule::Colour => "must be a colour written #rrggbb".into(),
            Rule::ColourTooLight => {
                "must be dark enough for white text on it (contrast at least 4.5:1)".into()
            }
            Rule::Link => "must be an http:// or https:// link".into(),
            Rule::UrlNotAbsolute => "must be an absolute http or https URL".into(),
            Rule::UrlScheme => "must start with http:// or https://".into(),
            Rule::UrlHost => "must name a host".into(),
            Rule::UrlInternal => {
                "must be reachable on the public Internet (internal addresses are not allowed)"
                    .into()
            }
            Rule::NoEvents => "must name at least one event type".into(),
            Rule::UnknownDocumentType => "names an unknown document type".into(),
            Rule::Immutable => "cannot be changed".into(),
            Rule::NotPatchable => "cannot be changed with PATCH".into(),
            Rule::UnknownField => "unknown field".into(),
            Rule::UnknownParameter => "is not a query parameter of this request".into(),
            Rule::RepeatedParameter => "must be given once".into(),
            Rule::WholeNumber => "must be a whole number".into(),
            Rule::ModeDowngrade => "can only change from MARKETPLACE_LED to NT24_LED".into(),
            Rule::JsonObject => "must be a JSON object".into(),
            Rule::Malformed(detail) => detail.clone(),
            Rule::File(rejection) => rejection.to_string(),
            Rule::TooManyFiles { max } => format!("send at most {max} files per upload"),
            Rule::PdfAlone => {
                "a PDF is sent on its own; several files must be JPEG or PNG photos".into()
            }
            Rule::Utf8 => "must be UTF-8 text".into(),
            Rule::UnknownSeller => "is not a known seller".into(),
            Rule::Cursor => "is not a cursor this API handed out".into(),
            Rule::IdempotencyKey => "must be 1 to 255 visible ASCII characters".into(),
            Rule::IdempotencyKeyReused => "was already used with a different request".into(),
            Rule::LogoKind => "must be a PNG or JPEG image".into(),
            Rule::TemplateKind => "must be a PDF".into(),
            Rule::NoContact => "the buyer has no contact to send the session link to".into(),
            Rule::ArchivedStays => "an archived document stays archived".into(),
            Rule::RejectionNeedsReason => {
                "is required when a document is rejected (UNREADABLE, WRONG_DOCUMENT, EXPIRED, \
                 NAME_MISMATCH, INCOMPLETE or OTHER)"
                    .into()
            }
            Rule::Version => "must be a non-negative integer".into(),
            Rule::VersionRequired => {
                "is required (in the body, or as If-Match: \"<version>\")".into()
            }
            Rule::IfMatch => "must be the resource's version, e.g. \"3\"".into(),
            Rule::VersionsDisagree { body, header } => format!(
                "names version {header}, but the body's version is {body}; send one, or the same in both"
            ),
        }
    }

    /// The message a page shows (`locales/*/rules.ftl`); it takes the arguments of
    /// [`Rule::args`] and `field`, the field's name in the page's language.
    pub fn message_id(&self) -> &'static str {
        match self {
            Rule::Required | Rule::Empty => "rule-required",
            Rule::TooLong { .. } => "rule-too-long",
            Rule::ControlCharacters => "rule-control-characters",
            Rule::OneOf { .. } => "rule-one-of",
            Rule::Between { .. } => "rule-between",
            Rule::Days {
                optional: false, ..
            } => "rule-days",
            Rule::Days { optional: true, .. } => "rule-days-or-empty",
            Rule::AtLeast { .. } => "rule-at-least",
            Rule::TooMany { .. } => "rule-too-many",
            Rule::TooShort { .. } => "rule-too-short",
            Rule::Date | Rule::DateTime => "rule-date",
            Rule::DateInFuture => "rule-date-in-future",
            Rule::TimeZone => "rule-time-zone",
            Rule::DateTooEarly => "rule-date-too-early",
            Rule::TooOldToCount { .. } => "rule-too-old-to-count",
            Rule::Expired => "rule-expired",
            Rule::ExpiryOnlyForIdentity => "rule-expiry-only-for-identity",
            Rule::Vat(e) => match e.kind() {
                VatFormatErrorKind::Empty => "rule-vat-empty",
                VatFormatErrorKind::UnknownPrefix { found } if found == "GR" => "rule-vat-greece",
                VatFormatErrorKind::UnknownPrefix { found } if found == "GB" => "rule-vat-britain",
                VatFormatErrorKind::UnknownPrefix { .. } => "rule-vat-prefix",
                _ => "rule-vat-shape",
            },
            Rule::Email => "rule-email",
            Rule::Country => "rule-country",
            Rule::Phone => "rule-phone",
            Rule::Colour => "rule-colour",
            Rule::ColourTooLight => "rule-colour-too-light",
            Rule::Link => "rule-link",
            Rule::UrlNotAbsolute | Rule::UrlScheme | Rule::UrlHost => "rule-url",
            Rule::UrlInternal => "rule-url-internal",
            Rule::NoEvents => "rule-no-events",
            Rule::UnknownDocumentType => "rule-unknown-document-type",
            Rule::Immutable | Rule::NotPatchable => "rule-immutable",
            Rule::UnknownField | Rule::UnknownParameter => "rule-unknown-field",
            Rule::RepeatedParameter | Rule::WholeNumber => "rule-malformed",
            Rule::ModeDowngrade => "rule-mode-downgrade",
            Rule::JsonObject | Rule::Malformed(_) | Rule::Utf8 => "rule-malformed",
            Rule::File(Rejection::PdfPasswordProtected) => "rule-file-password",
            Rule::File(_) => "rule-file-refused",
            Rule::TooManyFiles { .. } => "rule-too-many-files",
            Rule::PdfAlone => "rule-pdf-alone",
            Rule::UnknownSeller => "rule-unknown-seller",
            Rule::Cursor => "rule-cursor",
            Rule::IdempotencyKey | Rule::IdempotencyKeyReused => "rule-idempotency-key",
            Rule::LogoKind => "rule-logo-kind",
            Rule::TemplateKind => "rule-template-kind",
            Rule::NoContact => "rule-no-contact",
            Rule::ArchivedStays => "rule-archived-stays",
            Rule::RejectionNeedsReason => "rule-rejection-needs-reason",
            Rule::Version
            | Rule::VersionRequired
            | Rule::IfMatch
            | Rule::VersionsDisagree { .. } => "rule-version",
        }
    }

    /// The arguments of its page message (besides `field`).
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Rule::TooLong { max } => vec![("max", max.to_string())],
            Rule::OneOf { allowed } => vec![("allowed", allowed.join(", "))],
            Rule::Between { min, max } | Rule::Days { min, max, .. } => {
                vec![("min", min.to_string()), ("max", max.to_string())]
            }
            Rule::AtLeast { min } => vec![("min", min.to_string())],
            Rule::TooMany { max, .. } => vec![("max", max.to_string())],
            Rule::TooManyFiles { max } => vec![("max", max.to_string())],
            Rule::TooShort { min } => vec![("min", min.to_string())],
            Rule::TooOldToCount { max_age_days } => vec![("days", max_age_days.to_string())],
            Rule::Vat(e) => match e.kind() {
                VatFormatErrorKind::UnknownPrefix { found } => vec![("prefix", found.clone())],
                VatFormatErrorKind::WrongShape { prefix } => vec![("prefix", (*prefix).to_owned())],
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// One sample of every kind of rule, for checking that each has its messages.
    pub fn samples() -> Vec<Rule> {
        let vat = |text: &str| crate::kyc::vat::VatNumber::parse(text).err();
        let mut samples = vec![
            Rule::Required,
            Rule::TooLong { max: 1 },
            Rule::ControlCharacters,
            Rule::OneOf {
                allowed: vec!["A".into(), "B".into()],
            },
            Rule::Between { min: 1, max: 2 },
            Rule::Days {
                min: 1,
                max: 2,
                optional: false,
            },
            Rule::Days {
                min: 1,
                max: 2,
                optional: true,
            },
            Rule::AtLeast { min: 1 },
            Rule::TooMany {
                max: 1,
                what: "contacts",
            },
            Rule::TooShort { min: 12 },
            Rule::Date,
            Rule::DateTime,
            Rule::DateInFuture,
            Rule::DateTooEarly,
            Rule::TimeZone,
            Rule::TooOldToCount { max_age_days: 365 },
            Rule::Expired,
            Rule::ExpiryOnlyForIdentity,
            Rule::TemplateKind,
            Rule::Email,
            Rule::Country,
            Rule::Phone,
            Rule::Colour,
            Rule::ColourTooLight,
            Rule::Link,
            Rule::UrlNotAbsolute,
            Rule::UrlInternal,
            Rule::NoEvents,
            Rule::UnknownDocumentType,
            Rule::Immutable,
            Rule::UnknownField,
            Rule::UnknownParameter,
            Rule::RepeatedParameter,
            Rule::WholeNumber,
            Rule::ModeDowngrade,
            Rule::Malformed(String::new()),
            Rule::File(Rejection::Empty),
            Rule::File(Rejection::PdfPasswordProtected),
            Rule::TooManyFiles { max: 1 },
            Rule::PdfAlone,
            Rule::UnknownSeller,
            Rule::Cursor,
            Rule::IdempotencyKey,
            Rule::LogoKind,
            Rule::NoContact,
            Rule::ArchivedStays,
            Rule::RejectionNeedsReason,
            Rule::Version,
            Rule::VersionsDisagree { body: 1, header: 2 },
        ];
        samples.extend(
            ["", "GR1", "GB123456789", "QQ123", "DE12"]
                .into_iter()
                .filter_map(vat)
                .map(Rule::Vat),
        );
        samples
    }
}

/// One broken rule of one input field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldProblem {
    /// The field, as the caller spelled it (`address.country`, `contacts[0].email`).
    pub field: String,
    /// What is wrong.
    pub rule: Rule,
}

impl FieldProblem {
    /// `field` broke `rule`.
    pub fn new(field: impl Into<String>, rule: Rule) -> FieldProblem {
        FieldProblem {
            field: field.into(),
            rule,
        }
    }
}

/// As the API lists it: `{"field": ..., "message": ...}`.
impl Serialize for FieldProblem {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("FieldProblem", 2)?;
        out.serialize_field("field", &self.field)?;
        out.serialize_field("message", &self.rule.english())?;
        out.end()
    }
}
