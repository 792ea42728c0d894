//! Buyer input as callers send it (JSON from the API, forms from the staff pages), and its
//! parsing into `BuyerDetails`, collecting every problem with the caller's field names.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::country::Country;
use super::model::{Address, Buyer, BuyerDetails, Contact, KycMode};
use crate::email::EmailAddress;
use crate::errors::{Error, FieldProblem, Rule};
use crate::kyc::vat::VatNumber;

/// A buyer as sent, before any checks.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawBuyer {
    /// `MARKETPLACE_LED` or `NT24_LED`.
    #[schema(value_type = String, required = true, nullable = false, pattern = "^(MARKETPLACE_LED|NT24_LED)$")]
    pub kyc_mode: Option<String>,
    /// VAT number with its country prefix.
    #[schema(schema_with = crate::kyc::vat::VatNumber::json_schema, required = true)]
    pub vat_number: Option<String>,
    /// Registered company name.
    #[schema(value_type = String, required = true, nullable = false, min_length = 1, max_length = 200, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub company_name: Option<String>,
    /// Registered address.
    #[schema(required = true, nullable = false)]
    pub address: Option<RawAddress>,
    /// Contacts (may be left out).
    #[schema(nullable = false, max_items = 20)]
    pub contacts: Option<Vec<RawContact>>,
}

/// An address as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawAddress {
    /// Street and number.
    #[schema(value_type = String, required = true, nullable = false, min_length = 1, max_length = 200, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub street: Option<String>,
    /// Postal code.
    #[schema(value_type = String, required = true, nullable = false, min_length = 1, max_length = 20, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub post_code: Option<String>,
    /// City.
    #[schema(value_type = String, required = true, nullable = false, min_length = 1, max_length = 100, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 code.
    #[schema(schema_with = super::country::Country::json_schema, required = true)]
    pub country: Option<String>,
}

/// A contact as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawContact {
    /// Given name.
    #[schema(value_type = String, required = true, nullable = false, min_length = 1, max_length = 100, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub first_name: Option<String>,
    /// Family name.
    #[schema(value_type = String, required = true, nullable = false, min_length = 1, max_length = 100, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub last_name: Option<String>,
    /// Email address.
    #[schema(value_type = String, required = true, nullable = false, format = Email, max_length = 254)]
    pub email: Option<String>,
    /// Phone number: digits, spaces and + - ( ) / . (empty: none).
    #[schema(pattern = "^[0-9 +()/.-]{0,40}$")]
    pub phone: Option<String>,
}

/// Collects field problems while parsing.
#[derive(Default)]
struct Problems(Vec<FieldProblem>);

impl Problems {
    fn add(&mut self, field: &str, rule: Rule) {
        self.0.push(FieldProblem::new(field, rule));
    }

    /// A required, trimmed, single-line text of at most `max` characters.
    fn text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let Some(value) = value.map(str::trim) else {
            self.add(field, Rule::Required);
            return None;
        };
        if value.is_empty() {
            self.add(field, Rule::Empty);
            None
        } else if value.chars().count() > max {
            self.add(field, Rule::TooLong { max });
            None
        } else if value.chars().any(char::is_control) {
            self.add(field, Rule::ControlCharacters);
            None
        } else {
            Some(value.to_owned())
        }
    }

    fn into_result<T>(self, value: Option<T>) -> Result<T, Error> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(Error::Invalid(self.0)),
        }
    }
}

impl RawBuyer {
    /// Parses a new buyer: its VAT number (the key) and its details.
    pub fn parse(self) -> Result<(VatNumber, BuyerDetails), Error> {
        let mut problems = Problems::default();
        let vat = match self.vat_number.as_deref() {
            None => {
                problems.add("vatNumber", Rule::Required);
                None
            }
            Some(text) => match VatNumber::parse(text) {
                Ok(vat) => Some(vat),
                Err(e) => {
                    problems.add("vatNumber", Rule::Vat(e));
                    None
                }
            },
        };
        let details = parse_details(&mut problems, self);
        problems.into_result(vat.zip(details))
    }

    /// The raw form of a stored buyer (the base a merge patch applies to).
    pub fn from_buyer(buyer: &Buyer) -> RawBuyer {
        RawBuyer {
            kyc_mode: Some(buyer.kyc_mode.as_str().to_owned()),
            vat_number: Some(buyer.vat_number.as_str().to_owned()),
            company_name: Some(buyer.company_name.clone()),
            address: Some(RawAddress {
                street: Some(buyer.address.street.clone()),
                post_code: Some(buyer.address.post_code.clone()),
                city: Some(buyer.address.city.clone()),
                country: Some(buyer.address.country.as_str().to_owned()),
            }),
            contacts: Some(
                buyer
                    .contacts
                    .iter()
                    .map(|c| RawContact {
                        first_name: Some(c.first_name.clone()),
                        last_name: Some(c.last_name.clone()),
                        email: Some(c.email.as_str().to_owned()),
                        phone: c.phone.clone(),
                    })
                    .collect(),
            ),
        }
    }
}

fn parse_details(problems: &mut Problems, raw: RawBuyer) -> Option<BuyerDetails> {
    let kyc_mode = match raw.kyc_mode.as_deref() {
        None => {
            problems.add("kycMode", Rule::Required);
            None
        }
        Some(text) => {
            let mode = KycMode::parse(text);
            if mode.is_none() {
                problems.add(
                    "kycMode",
                    Rule::OneOf {
                        allowed: vec!["MARKETPLACE_LED".into(), "NT24_LED".into()],
                    },
                );
            }
            mode
        }
    };
    let company_name = problems.text("companyName", raw.company_name.as_deref(), 200);
    let address = match raw.address {
        None => {
            problems.add("address", Rule::Required);
            None
        }
        Some(a) => {
            let street = problems.text("address.street", a.street.as_deref(), 200);
            let post_code = problems.text("address.postCode", a.post_code.as_deref(), 20);
            let city = problems.text("address.city", a.city.as_deref(), 100);
            let country = match a.country.as_deref().map(Country::parse) {
                None => {
                    problems.add("address.country", Rule::Required);
                    None
                }
                Some(Err(_)) => {
                    problems.add("address.country", Rule::Country);
                    None
                }
                Some(Ok(country)) => Some(country),
            };
            match (street, post_code, city, country) {
                (Some(street), Some(post_code), Some(city), Some(country)) => Some(Address {
                    street,
                    post_code,
                    city,
                    country,
                }),
                _ => None,
            }
        }
    };
    let raw_contacts = raw.contacts.unwrap_or_default();
    if raw_contacts.len() > 20 {
        problems.add(
            "contacts",
            Rule::TooMany {
                max: 20,
                what: "contacts",
            },
        );
    }
    let mut contacts = Vec::with_capacity(raw_contacts.len());
    for (i, c) in raw_contacts.into_iter().enumerate() {
        let field = |name: &str| format!("contacts[{i}].{name}");
        let first_name = problems.text(&field("firstName"), c.first_name.as_deref(), 100);
        let last_name = problems.text(&field("lastName"), c.last_name.as_deref(), 100);
        let email = match c.email.as_deref().map(EmailAddress::parse) {
            None => {
                problems.add(&field("email"), Rule::Required);
                None
            }
            Some(Err(_)) => {
                problems.add(&field("email"), Rule::Email);
                None
            }
            Some(Ok(email)) => Some(email),
        };
        let phone = match c.phone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p)
                if p.len() <= 40
                    && p.chars()
                        .all(|ch| ch.is_ascii_digit() || " +-()/.".contains(ch)) =>
            {
                Some(p.to_owned())
            }
            Some(_) => {
                problems.add(&field("phone"), Rule::Phone);
                None
            }
        };
        if let (Some(first_name), Some(last_name), Some(email)) = (first_name, last_name, email) {
            contacts.push(Contact {
                first_name,
                last_name,
                email,
                phone,
            });
        }
    }
    match (kyc_mode, company_name, address) {
        (Some(kyc_mode), Some(company_name), Some(address)) => Some(BuyerDetails {
            kyc_mode,
            company_name,
            address,
            contacts,
        }),
        _ => None,
    }
}

/// Reads a JSON value as `T`, naming the offending field on failure.
pub fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        Error::invalid(field, Rule::Malformed(e.inner().to_string()))
    })
}

/// Applies a JSON merge patch (RFC 7386) of `companyName`, `address`, `contacts` and `kycMode`
/// to `current` and checks the result like a new buyer.
pub fn apply_patch(current: &Buyer, patch: &Value) -> Result<BuyerDetails, Error> {
    let Some(fields) = patch.as_object() else {
        return Err(Error::invalid("body", Rule::JsonObject));
    };
    let mut problems = Problems::default();
    let mut allowed = serde_json::Map::new();
    for (name, value) in fields {
        match name.as_str() {
            "companyName" | "address" | "contacts" | "kycMode" => {
                allowed.insert(name.clone(), value.clone());
            }
            "version" => {}
            "vatNumber" => {
                let same = value
                    .as_str()
                    .and_then(|v| VatNumber::parse(v).ok())
                    .is_some_and(|v| v == current.vat_number);
                if !same {
                    problems.add("vatNumber", Rule::Immutable);
                }
            }
            "uuid" | "sellerId" | "status" | "blockedReason" | "createdAt" | "updatedAt" => {
                problems.add(name, Rule::NotPatchable);
            }
            _ => problems.add(name, Rule::UnknownField),
        }
    }
    if !problems.0.is_empty() {
        return Err(Error::Invalid(problems.0));
    }
    let mut merged = serde_json::to_value(RawBuyer::from_buyer(current))
        .map_err(|e| Error::Internal(e.into()))?;
    json_patch::merge(&mut merged, &Value::Object(allowed));
    let raw: RawBuyer = from_json(merged)?;
    let details = parse_details(&mut problems, raw);
    let details = problems.into_result(details)?;
    if !current.kyc_mode.may_become(details.kyc_mode) {
        return Err(Error::invalid("kycMode", Rule::ModeDowngrade));
    }
    Ok(details)
}
