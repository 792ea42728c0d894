//! The buyer form (new buyer and edit): its values as typed, their conversion into the
//! domain's input (`RawBuyer` / a merge patch), and the domain's field problems turned into
//! localised messages next to the fields. Input names are the API's field names
//! (`address.city`, `contacts[0].email`), so a problem names its input directly.

use std::collections::HashMap;

use serde_json::json;

use crate::buyers::{Buyer, RawAddress, RawBuyer, RawContact};
use crate::error::{AppError, FieldError};
use crate::i18n::Language;

/// The most contact rows a form is read with (the domain allows 20).
const MAX_CONTACT_ROWS: usize = 20;

/// One contact row as typed.
#[derive(Debug, Clone, Default)]
pub struct ContactRow {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
}

impl ContactRow {
    fn is_blank(&self) -> bool {
        [&self.first_name, &self.last_name, &self.email, &self.phone]
            .iter()
            .all(|v| v.trim().is_empty())
    }
}

/// The buyer form as typed (or as stored, for editing).
#[derive(Debug, Clone, Default)]
pub struct BuyerForm {
    /// The CSRF token sent.
    pub csrf: String,
    /// The seller (new buyers only).
    pub seller_id: String,
    /// The VAT number (new buyers only; it never changes).
    pub vat_number: String,
    /// Company name.
    pub company_name: String,
    /// Street.
    pub street: String,
    /// Postal code.
    pub post_code: String,
    /// City.
    pub city: String,
    /// Country code.
    pub country: String,
    /// `MARKETPLACE_LED` or `NT24_LED`.
    pub kyc_mode: String,
    /// Contacts, with blank rows.
    pub contacts: Vec<ContactRow>,
    /// The version the edit is based on.
    pub version: String,
}

impl BuyerForm {
    /// Reads the submitted pairs; unknown names are ignored.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> BuyerForm {
        let mut form = BuyerForm::default();
        let mut contacts: Vec<ContactRow> = Vec::new();
        for (name, value) in pairs {
            match name.as_str() {
                "csrf" => form.csrf = value,
                "sellerId" => form.seller_id = value,
                "vatNumber" => form.vat_number = value,
                "companyName" => form.company_name = value,
                "address.street" => form.street = value,
                "address.postCode" => form.post_code = value,
                "address.city" => form.city = value,
                "address.country" => form.country = value,
                "kycMode" => form.kyc_mode = value,
                "version" => form.version = value,
                other => {
                    let Some((index, part)) = contact_field(other) else {
                        continue;
                    };
                    if contacts.len() <= index {
                        contacts.resize_with(index + 1, ContactRow::default);
                    }
                    let row = &mut contacts[index];
                    match part {
                        "firstName" => row.first_name = value,
                        "lastName" => row.last_name = value,
                        "email" => row.email = value,
                        _ => row.phone = value,
                    }
                }
            }
        }
        // Blank rows are the form's spare rows, not contacts; dropping them here keeps the
        // domain's `contacts[i]` indexes equal to the rows shown again.
        contacts.retain(|c| !c.is_blank());
        form.contacts = contacts;
        form
    }

    /// The form filled in with a stored buyer.
    pub fn from_buyer(buyer: &Buyer) -> BuyerForm {
        BuyerForm {
            csrf: String::new(),
            seller_id: buyer.seller_id.clone(),
            vat_number: buyer.vat_number.as_str().to_owned(),
            company_name: buyer.company_name.clone(),
            street: buyer.address.street.clone(),
            post_code: buyer.address.post_code.clone(),
            city: buyer.address.city.clone(),
            country: buyer.address.country.as_str().to_owned(),
            kyc_mode: buyer.kyc_mode.as_str().to_owned(),
            contacts: buyer
                .contacts
                .iter()
                .map(|c| ContactRow {
                    first_name: c.first_name.clone(),
                    last_name: c.last_name.clone(),
                    email: c.email.as_str().to_owned(),
                    phone: c.phone.clone().unwrap_or_default(),
                })
                .collect(),
            version: buyer.version.to_string(),
        }
    }

    fn raw_address(&self) -> RawAddress {
        RawAddress {
            street: Some(self.street.clone()),
            post_code: Some(self.post_code.clone()),
            city: Some(self.city.clone()),
            country: Some(self.country.trim().to_uppercase()),
        }
    }

    fn raw_contacts(&self) -> Vec<RawContact> {
        self.contacts
            .iter()
            .map(|c| RawContact {
                first_name: Some(c.first_name.clone()),
                last_name: Some(c.last_name.clone()),
                email: Some(c.email.clone()),
                phone: Some(c.phone.clone()),
            })
            .collect()
    }

    /// What the API's `POST .../buyers` would receive.
    pub fn raw(&self) -> RawBuyer {
        RawBuyer {
            kyc_mode: Some(self.kyc_mode.clone()),
            vat_number: Some(self.vat_number.clone()),
            company_name: Some(self.company_name.clone()),
            address: Some(self.raw_address()),
            contacts: Some(self.raw_contacts()),
        }
    }

    /// What the API's `PATCH .../buyers/{id}` would receive (everything but the version).
    pub fn patch(&self) -> serde_json::Value {
        json!({
            "companyName": self.company_name,
            "address": self.raw_address(),
            "contacts": self.raw_contacts(),
            "kycMode": self.kyc_mode,
        })
    }

    /// The version the edit is based on, if it is a number.
    pub fn version(&self) -> Option<i64> {
        self.version.trim().parse().ok().filter(|v| *v >= 0)
    }

    /// The contact rows to show: the typed ones and one spare row, at least two in all (the
    /// first required, the last optional).
    pub fn rows(&self) -> Vec<ContactRow> {
        let mut rows = self.contacts.clone();
        rows.push(ContactRow::default());
        if rows.len() < 2 {
            rows.push(ContactRow::default());
        }
        rows
    }
}

/// `contacts[3].email` -> (3, "email").
fn contact_field(name: &str) -> Option<(usize, &str)> {
    let rest = name.strip_prefix("contacts[")?;
    let (index, part) = rest.split_once("].")?;
    let index: usize = index.parse().ok()?;
    let known = ["firstName", "lastName", "email", "phone"].contains(&part);
    (index < MAX_CONTACT_ROWS && known).then_some((index, part))
}

/// One input of the form, ready to render: label tied to the input, error tied to both.
pub struct Field {
    /// The input's name (the API's field name).
    pub name: String,
    /// The input's id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Its value.
    pub value: String,
    /// What is wrong with it.
    pub error: Option<String>,
    /// `text`, `email`, `tel`.
    pub input_type: &'static str,
    /// Whether the browser should insist on a value.
    pub required: bool,
    /// The `autocomplete` token.
    pub autocomplete: &'static str,
    /// The `maxlength`.
    pub max: usize,
}

/// The form's problems, localised, by field name.
#[derive(Debug, Default)]
pub struct Problems {
    by_field: HashMap<String, String>,
    /// Problems of the whole form (not of one input), localised.
    pub general: Vec<String>,
}

impl Problems {
    /// A problem of the whole form.
    pub fn general(text: String) -> Problems {
        Problems {
            by_field: HashMap::new(),
            general: vec![text],
        }
    }

    /// The problem of `field`.
    pub fn of(&self, field: &str) -> Option<String> {
        self.by_field.get(field).cloned()
    }

    /// Whether there is any problem.
    pub fn any(&self) -> bool {
        !self.by_field.is_empty() || !self.general.is_empty()
    }

    /// Every problem, for the summary at the top of the form: (input id, text).
    pub fn summary(&self) -> Vec<(String, String)> {
        let mut list: Vec<(String, String)> = self
            .by_field
            .iter()
            .map(|(field, text)| (input_id(field), text.clone()))
            .collect();
        list.sort();
        list
    }

    /// The domain's field problems, in `l`.
    pub fn from_fields(l: Language, errors: &[FieldError], known: &[String]) -> Problems {
        let mut problems = Problems::default();
        for e in errors {
            let text = localise(l, e);
            if known.contains(&e.field) {
                problems.by_field.entry(e.field.clone()).or_insert(text);
            } else {
                problems.general.push(text);
            }
        }
        problems
    }
}

/// The id of the input named `name`: `contacts[0].email` -> `f-contacts-0-email`.
pub fn input_id(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("f-{}", cleaned.trim_end_matches('-').replace("--", "-"))
}

/// The message id of a field's label.
fn label_id(field: &str) -> &'static str {
    match field.rsplit('.').next().unwrap_or(field) {
        "sellerId" => "admin-buyers-field-seller",
        "vatNumber" => "admin-buyers-field-vat",
        "companyName" => "admin-buyers-field-company",
        "street" => "admin-buyers-field-street",
        "postCode" => "admin-buyers-field-post-code",
        "city" => "admin-buyers-field-city",
        "country" => "admin-buyers-field-country",
        "kycMode" => "admin-buyers-field-mode",
        "firstName" => "admin-buyers-field-first-name",
        "lastName" => "admin-buyers-field-last-name",
        "email" => "admin-buyers-field-email",
        "phone" => "admin-buyers-field-phone",
        "version" => "admin-buyers-field-version",
        "contacts" => "admin-buyers-field-contacts",
        _ => "admin-buyers-field-other",
    }
}

/// A domain problem in plain words of `l`: the common rules have their own sentence; any
/// other keeps the domain's English rule after the localised field name.
pub fn localise(l: Language, error: &FieldError) -> String {
    let field = error.field.as_str();
    let last = field.rsplit('.').next().unwrap_or(field);
    let message = error.message.as_str();
    let label = l.text(label_id(field));
    let id = if message == "is required" || message == "must not be empty" {
        Some("admin-buyers-error-required")
    } else if message.starts_with("must be at most") {
        Some("admin-buyers-error-too-long")
    } else if message.contains("control characters") {
        Some("admin-buyers-error-control")
    } else if message.starts_with("can only change from") {
        Some("admin-buyers-error-mode-down")
    } else {
        match last {
            "vatNumber" => Some("admin-buyers-error-vat"),
            "email" => Some("admin-buyers-error-email"),
            "country" => Some("admin-buyers-error-country"),
            "phone" => Some("admin-buyers-error-phone"),
            "kycMode" => Some("admin-buyers-error-mode"),
            _ => None,
        }
    };
    match id {
        Some(id) => l.text_with(id, &[("field", &label)]),
        None => format!("{label}: {message}"),
    }
}

/// The form's problems from a failed create or edit; `None` for errors that are no problem
/// of the input (they become an error page).
pub fn problems_of(l: Language, error: &AppError, fields: &[String]) -> Option<Problems> {
    match error {
        AppError::Validation(errors) => Some(Problems::from_fields(l, errors, fields)),
        AppError::Forbidden(_) => Some(Problems::general(
            l.text("admin-buyers-error-marketplace-led"),
        )),
        _ => None,
    }
}

/// The inputs of the address part and the company name, with values and problems.
pub fn main_fields(l: Language, form: &BuyerForm, problems: &Problems) -> Vec<Field> {
    let field = |name: &str, value: &str, autocomplete: &'static str, max: usize| Field {
        name: name.to_owned(),
        id: input_id(name),
        label: l.text(label_id(name)),
        value: value.to_owned(),
        error: problems.of(name),
        input_type: "text",
        required: true,
        autocomplete,
        max,
    };
    vec![
        field("companyName", &form.company_name, "organization", 200),
        field("address.street", &form.street, "street-address", 200),
        field("address.postCode", &form.post_code, "postal-code", 20),
        field("address.city", &form.city, "address-level2", 100),
        field("address.country", &form.country, "country", 2),
    ]
}

/// The inputs of each contact row; the first row is required, the spare row is not.
pub fn contact_fields(l: Language, form: &BuyerForm, problems: &Problems) -> Vec<Vec<Field>> {
    form.rows()
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let field = |part: &str,
                         value: &str,
                         input_type: &'static str,
                         autocomplete: &'static str,
                         required: bool,
                         max: usize| {
                let name = format!("contacts[{i}].{part}");
                Field {
                    id: input_id(&name),
                    label: l.text(label_id(part)),
                    value: value.to_owned(),
                    error: problems.of(&name),
                    input_type,
                    required: required && i == 0,
                    autocomplete,
                    max,
                    name,
                }
            };
            vec![
                field("firstName", &row.first_name, "text", "off", true, 100),
                field("lastName", &row.last_name, "text", "off", true, 100),
                field("email", &row.email, "email", "off", true, 254),
                field("phone", &row.phone, "tel", "off", false, 40),
            ]
        })
        .collect()
}

/// Every field name a buyer form has inputs for.
pub fn field_names(form: &BuyerForm, with_key: bool) -> Vec<String> {
    let mut names: Vec<String> = [
        "companyName",
        "address.street",
        "address.postCode",
        "address.city",
        "address.country",
        "kycMode",
    ]
    .map(String::from)
    .to_vec();
    if with_key {
        names.push("sellerId".into());
        names.push("vatNumber".into());
    }
    for i in 0..form.rows().len() {
        for part in ["firstName", "lastName", "email", "phone"] {
            names.push(format!("contacts[{i}].{part}"));
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_rows_are_read_by_index_and_blank_rows_dropped() {
        let pairs = vec![
            ("contacts[1].email".to_owned(), "b@example.com".to_owned()),
            ("contacts[0].firstName".to_owned(), String::new()),
            ("contacts[2].firstName".to_owned(), "Erika".to_owned()),
            ("contacts[99].firstName".to_owned(), "ignored".to_owned()),
        ];
        let form = BuyerForm::from_pairs(pairs);
        assert_eq!(form.contacts.len(), 2);
        assert_eq!(form.contacts[0].email, "b@example.com");
        assert_eq!(form.contacts[1].first_name, "Erika");
    }

    #[test]
    fn input_ids_are_plain_words() {
        assert_eq!(input_id("contacts[0].email"), "f-contacts-0-email");
        assert_eq!(input_id("address.postCode"), "f-address-postCode");
    }
}
