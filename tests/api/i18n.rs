//! Every message the code asks for exists in every language.

use kyc_portal::documents::DocumentType;
use kyc_portal::i18n::{Language, message_ids};

/// Every string literal in the sources that looks like a message id (a known prefix such as
/// `portal-` followed by lower-case words), wherever it is passed on from.
fn ids_used_in(folder: &std::path::Path, prefixes: &[String], found: &mut Vec<String>) {
    for entry in std::fs::read_dir(folder).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            ids_used_in(&path, prefixes, found);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
            let source = std::fs::read_to_string(&path).unwrap();
            for literal in source.split('"').skip(1).step_by(2) {
                let looks_like_id = prefixes.iter().any(|p| literal.starts_with(p.as_str()))
                    && literal.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                    && !literal.ends_with('-');
                if looks_like_id {
                    found.push(literal.to_owned());
                }
            }
        }
    }
}

#[test]
fn every_language_has_the_same_messages_and_every_message_the_code_uses() {
    let english = message_ids(Language::En).unwrap();
    for language in Language::ALL {
        assert_eq!(
            message_ids(language).unwrap(),
            english,
            "{language:?} differs from English"
        );
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let prefixes: Vec<String> = [
        "email-",
        "portal-",
        "admin-",
        "profile-",
        "rule-",
        "conflict-",
        "forbidden-",
        "unavailable-",
        "type-guidance-",
    ]
    .map(String::from)
    .to_vec();
    let mut used = Vec::new();
    ids_used_in(&root.join("src"), &prefixes, &mut used);
    ids_used_in(&root.join("templates"), &prefixes, &mut used);
    assert!(used.len() > 30, "the scan found the calls: {used:?}");
    for id in &used {
        assert!(english.contains(id), "{id} is used but not defined");
    }
    for document_type in DocumentType::ALL {
        let id = format!("doc-{}", document_type.as_str());
        assert!(english.contains(&id), "{id} is missing");
        let help = format!("type-guidance-help-{}", document_type.as_str());
        assert!(english.contains(&help), "{help} is missing");
    }
}

#[test]
fn every_rule_conflict_refusal_and_unavailability_has_a_message_in_every_language() {
    use kyc_portal::errors::{Conflict, Forbidden, Rule, Unavailability};
    let ids: Vec<&'static str> = Rule::samples()
        .iter()
        .map(Rule::message_id)
        .chain(Conflict::samples().iter().map(Conflict::message_id))
        .chain(Forbidden::ALL.map(Forbidden::message_id))
        .chain(Unavailability::ALL.map(Unavailability::message_id))
        .collect();
    assert!(
        ids.len() > 50,
        "the samples cover every kind: {}",
        ids.len()
    );
    for language in Language::ALL {
        let defined = message_ids(language).unwrap();
        for id in &ids {
            assert!(defined.contains(*id), "{id} is missing in {language:?}");
        }
    }
    // Each kind of VAT mistake has its own sentence, not one for all.
    let vat: std::collections::BTreeSet<&str> = Rule::samples()
        .iter()
        .filter(|r| matches!(r, Rule::Vat(_)))
        .map(Rule::message_id)
        .collect();
    assert!(vat.len() >= 4, "{vat:?}");
}
