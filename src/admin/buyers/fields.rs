//! The buyer form's inputs as the templates render them (label tied to input, problem tied
//! to both), and the domain's field problems in the user's language: the common rules have
//! their own sentence, any other keeps the domain's English rule after the field's name.

use crate::error::{AppError, FieldError};
use crate::i18n::Language;

use super::form::BuyerForm;

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

/// The form's problems, localised: per input in the form's order, and of the whole form.
#[derive(Debug, Default)]
pub struct Problems {
    /// (field name, text), one per field, in the order of the form.
    by_field: Vec<(String, String)>,
    /// Problems of the whole form (not of one input), localised.
    pub general: Vec<String>,
}

impl Problems {
    /// A problem of the whole form.
    pub fn general(text: String) -> Problems {
        Problems {
            by_field: Vec::new(),
            general: vec![text],
        }
    }

    /// The problem of `field`.
    pub fn of(&self, field: &str) -> Option<String> {
        self.by_field
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, text)| text.clone())
    }

    /// Whether there is any problem.
    pub fn any(&self) -> bool {
        !self.by_field.is_empty() || !self.general.is_empty()
    }

    /// Every problem of an input, for the summary at the top of the form: (input id, text).
    pub fn summary(&self) -> Vec<(String, String)> {
        self.by_field
            .iter()
            .map(|(field, text)| (input_id(field), text.clone()))
            .collect()
    }

    /// The domain's field problems in `l`; `known` are the form's inputs, in order. A
    /// problem of no input (e.g. "at most 20 contacts") is a problem of the whole form.
    pub fn from_fields(l: Language, errors: &[FieldError], known: &[String]) -> Problems {
        let mut problems = Problems::default();
        for field in known {
            if let Some(e) = errors.iter().find(|e| &e.field == field) {
                problems.by_field.push((field.clone(), localise(l, e)));
            }
        }
        problems.general = errors
            .iter()
            .filter(|e| !known.contains(&e.field))
            .map(|e| localise(l, e))
            .collect();
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
        "address" => "admin-buyers-field-address",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_ids_are_plain_words() {
        assert_eq!(input_id("contacts[0].email"), "f-contacts-0-email");
        assert_eq!(input_id("address.postCode"), "f-address-postCode");
    }

    #[test]
    fn common_rules_get_a_sentence_and_others_keep_the_rule_after_the_field_name() {
        let required = FieldError::new("contacts[1].email", "is required");
        assert_eq!(
            localise(Language::De, &required),
            "E-Mail: Bitte ausfüllen."
        );
        let other = FieldError::new("address", "something new");
        assert_eq!(localise(Language::En, &other), "Address: something new");
    }

    #[test]
    fn problems_follow_the_form_order_and_unknown_fields_concern_the_whole_form() {
        let errors = [
            FieldError::new("address.city", "is required"),
            FieldError::new("contacts", "at most 20 contacts"),
            FieldError::new("companyName", "is required"),
        ];
        let known = ["companyName", "address.city"].map(String::from);
        let problems = Problems::from_fields(Language::En, &errors, &known);
        let ids: Vec<String> = problems.summary().into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["f-companyName", "f-address-city"]);
        assert_eq!(problems.general, ["Contacts: at most 20 contacts"]);
    }
}
