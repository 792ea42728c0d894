//! The buyer form's inputs as the templates render them (label tied to input, problem tied
//! to both), and the domain's field problems in the user's language, by their typed rule.

use crate::errors::{Error, FieldProblem};
use crate::http::messages;
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
    pub fn from_fields(l: Language, errors: &[FieldProblem], known: &[String]) -> Problems {
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

/// A domain problem in plain words of `l`, after the field's localised name.
pub fn localise(l: Language, error: &FieldProblem) -> String {
    messages::field_problem(l, &l.text(label_id(&error.field)), error)
}

/// The form's problems from a failed create or edit; `None` for errors that are no problem
/// of the input (they become an error page).
pub fn problems_of(l: Language, error: &Error, fields: &[String]) -> Option<Problems> {
    match error {
        Error::Invalid(errors) => Some(Problems::from_fields(l, errors, fields)),
        Error::Forbidden(reason) => Some(Problems::general(messages::forbidden(l, *reason))),
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
    use crate::errors::Rule;

    #[test]
    fn input_ids_are_plain_words() {
        assert_eq!(input_id("contacts[0].email"), "f-contacts-0-email");
        assert_eq!(input_id("address.postCode"), "f-address-postCode");
    }

    #[test]
    fn every_rule_gets_a_sentence_in_the_users_language_after_the_field_name() {
        let required = FieldProblem::new("contacts[1].email", Rule::Required);
        assert_eq!(
            localise(Language::De, &required),
            "E-Mail: Bitte ausfüllen."
        );
        let too_many = FieldProblem::new(
            "contacts",
            Rule::TooMany {
                max: 20,
                what: "contacts",
            },
        );
        assert_eq!(
            localise(Language::De, &too_many),
            "Ansprechpartner: Es sind höchstens 20 Einträge möglich."
        );
    }

    #[test]
    fn problems_follow_the_form_order_and_unknown_fields_concern_the_whole_form() {
        let errors = [
            FieldProblem::new("address.city", Rule::Required),
            FieldProblem::new(
                "contacts",
                Rule::TooMany {
                    max: 20,
                    what: "contacts",
                },
            ),
            FieldProblem::new("companyName", Rule::Required),
        ];
        let known = ["companyName", "address.city"].map(String::from);
        let problems = Problems::from_fields(Language::En, &errors, &known);
        let ids: Vec<String> = problems.summary().into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["f-companyName", "f-address-city"]);
        assert_eq!(
            problems.general,
            ["Contacts: at most 20 entries are possible."]
        );
    }
}
