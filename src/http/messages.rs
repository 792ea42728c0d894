//! The domain's typed problems in the words of a page's language: every rule, conflict,
//! refusal and unavailability has its own message (`locales/*/rules.ftl`), so no page has to
//! guess a meaning from the API's English.

use crate::errors::{Conflict, FieldProblem, Forbidden, Unavailability};
use crate::i18n::Language;

/// A field problem as a sentence, `label` being the field's name in `l`.
pub fn field_problem(l: Language, label: &str, problem: &FieldProblem) -> String {
    let args = problem.rule.args();
    let mut refs: Vec<(&'static str, &str)> = args
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    refs.push(("field", label));
    l.text_with(problem.rule.message_id(), &refs)
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
