//! How the API's own value types appear in the OpenAPI document: the ones that serialize as
//! plain strings (times, dates, VAT numbers, addresses) and the field problem of a 422.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::buyers::Country;
use crate::db::Timestamp;
use crate::documents::model::{DocumentDate, FileName};
use crate::email::EmailAddress;
use crate::errors::FieldProblem;
use crate::kyc::vat::VatNumber;
use crate::webhooks::WebhookUrl;

/// A string schema with an optional format and description.
fn string(format: Option<KnownFormat>, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(format.map(SchemaFormat::KnownFormat))
        .description(Some(description))
        .into()
}

macro_rules! string_schema {
    ($ty:ty, $name:literal, $format:expr, $description:literal) => {
        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                string($format, $description)
            }
        }

        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

string_schema!(
    Timestamp,
    "Timestamp",
    Some(KnownFormat::DateTime),
    "RFC 3339 in UTC with milliseconds, e.g. 2026-04-22T10:00:00.123Z"
);
string_schema!(
    DocumentDate,
    "DocumentDate",
    Some(KnownFormat::Date),
    "A date written YYYY-MM-DD"
);
string_schema!(FileName, "FileName", None, "The file's name as uploaded");
string_schema!(WebhookUrl, "WebhookUrl", None, "An absolute http(s) URL");
string_schema!(
    Country,
    "Country",
    None,
    "ISO 3166-1 alpha-2 country code, e.g. DE"
);
string_schema!(
    EmailAddress,
    "EmailAddress",
    Some(KnownFormat::Email),
    "An email address"
);
string_schema!(
    VatNumber,
    "VatNumber",
    None,
    "A normalised EU VAT number with its VIES prefix, e.g. DE123456789"
);

impl PartialSchema for FieldProblem {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some("One field or query parameter at fault"))
            .property(
                "field",
                string(None, "The field, e.g. address.country or contacts[0].email"),
            )
            .property("message", string(None, "What is wrong, in English"))
            .required("field")
            .required("message")
            .into()
    }
}

impl ToSchema for FieldProblem {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("FieldProblem")
    }
}
