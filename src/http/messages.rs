//! The domain's typed problems in the words of a page's language: every rule, conflict,
//! refusal and unavailability has its own message (`locales/*/rules.ftl`), so no page has to
//! guess a meaning from the API's English.

use crate::errors::{Conflict, FieldProblem, Forbidden, Unavailability};
use crate::i18n::Language;

/// A field problem as a sentence, `label` being the field's name in `l`.
pub fn field_problem(l: Language, label: &str, problem: &FieldProblem) -> String {
    with_rule_args(label, problem, |id, args| l.text_with(id, args))
}

/// [`field_problem`] for a rule whose arguments are settings (a maximum age) and a field
/// label from the translations, as the buyer's page shows ahead of any upload: kept once
/// formatted (see [`Language::text_with_settings`]).
pub fn settings_problem(l: Language, label: &str, problem: &FieldProblem) -> String {
    with_rule_args(label, problem, |id, args| l.text_with_settings(id, args))
}

fn with_rule_args(
    label: &str,
    problem: &FieldProblem,
    format: impl FnOnce(&str, &[(&'static str, &str)]) -> String,
) -> String {
    let args = problem.rule.args();
    let mut refs: Vec<(&'static str, &str)> = args
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    refs.push(("field", label));
    format(problem.rule.message_id(), &refs)
}

/// A conflict as a sentence.
pub fn conflict(l: Language, conflict: &Conflict) -> String {
    l.text(conflict.message_id())
}

/// A refusal as a sentence.
pub fn forbidden(l: Language, forbidden: Forbidden) -> String {
    l.text(forbidden.message_id())
}

/// An unavailability as a sentence.
pub fn unavailable(l: Language, what: Unavailability) -> String {
    l.text(what.message_id())
}
