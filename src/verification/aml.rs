//! The people an AML screening matched, read from the screening as the provider sent it, so
//! that staff compare names, birth dates and lists with the buyer's contact before deciding,
//! rather than reading the provider's raw answer.

use serde_json::Value;

/// One person a screening service matched.
#[derive(Debug, Clone, PartialEq)]
pub struct AmlMatch {
    /// Given name and surname as the list writes them.
    pub name: String,
    /// Birth date as the list gives it (`1980-01-01`), if it does.
    pub birth_date: Option<String>,
    /// Nationality (a country code), if given.
    pub nationality: Option<String>,
    /// The list that matched (`PEP list`), or the service's name.
    pub list: String,
    /// What the list suspects (`PEP`, `SANCTION`, ...).
    pub suspicion: Option<String>,
    /// Why the person is on the list.
    pub reason: Option<String>,
    /// How closely the names match, 0 to 100, if scored.
    pub score: Option<f64>,
}

fn text(value: &Value, field: &str) -> Option<String> {
    match &value[field] {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Every matched person of every screening service in `aml` (iDenfy's `AML` section: a list
/// of services, each with its `data` of matches). Anything else gives no matches.
pub fn matches(aml: &Value) -> Vec<AmlMatch> {
    let Some(services) = aml.as_array() else {
        return Vec::new();
    };
    services
        .iter()
        .flat_map(|service| {
            let service_name = text(service, "serviceName").unwrap_or_default();
            service["data"]
                .as_array()
                .into_iter()
                .flatten()
                .map(move |person| {
                    let name = [text(person, "name"), text(person, "surname")]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                    AmlMatch {
                        name,
                        birth_date: text(person, "dob"),
                        nationality: text(person, "nationality"),
                        list: text(person, "listName").unwrap_or_else(|| service_name.clone()),
                        suspicion: text(person, "suspicion"),
                        reason: text(person, "reason"),
                        score: person["score"].as_f64(),
                    }
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_screening_gives_its_people_and_anything_else_none() {
        let aml = json!([{
            "serviceName": "PilotApiAmlV2",
            "data": [
                {"name": "ERIKA", "surname": "MUSTERMANN", "dob": "1980-01-01", "nationality": "DE",
                 "listName": "PEP list", "suspicion": "PEP", "reason": "Member of parliament", "score": 97},
                {"surname": "DOE", "score": "high"}
            ]
        }, {"serviceName": "Other", "data": []}]);
        let found = matches(&aml);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, "ERIKA MUSTERMANN");
        assert_eq!(found[0].birth_date.as_deref(), Some("1980-01-01"));
        assert_eq!(found[0].list, "PEP list");
        assert_eq!(found[0].score, Some(97.0));
        assert_eq!(
            (
                found[1].name.as_str(),
                found[1].list.as_str(),
                found[1].score
            ),
            ("DOE", "PilotApiAmlV2", None)
        );
        assert!(matches(&json!({"data": []})).is_empty());
        assert!(matches(&Value::Null).is_empty());
    }
}
