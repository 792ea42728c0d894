//! Which KYC documents a buyer still needs: every required type (a setting) must have a latest
//! ACTIVE document that is fresh enough (a maximum age per type, counted from its document date).

use chrono::NaiveDate;
use serde::Serialize;

use crate::documents::{Document, DocumentType};
use crate::organisation::OrganisationSettings;

/// How one required document type stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentState {
    /// No active document of this type.
    Missing,
    /// The latest active one is older than the type's maximum age.
    TooOld,
    /// The latest active one counts.
    Fresh,
}

/// The state of each required type, in the settings' order. `counting` holds the latest ACTIVE
/// document of each type (see `documents::counting`).
pub fn assess(
    settings: &OrganisationSettings,
    counting: &[Document],
    today: NaiveDate,
) -> Vec<(DocumentType, DocumentState)> {
    settings
        .required_document_types
        .iter()
        .map(|&required| {
            let latest = counting.iter().find(|d| d.document_type == required);
            let state = match latest {
                None => DocumentState::Missing,
                Some(document) => {
                    let age_days = (today - document.document_date.date()).num_days();
                    match settings.document_max_age_days.get(&required) {
                        Some(&max) if age_days > i64::from(max) => DocumentState::TooOld,
                        _ => DocumentState::Fresh,
                    }
                }
            };
            (required, state)
        })
        .collect()
}

/// The required types that do not count yet (missing or too old).
pub fn missing(assessment: &[(DocumentType, DocumentState)]) -> Vec<DocumentType> {
    assessment
        .iter()
        .filter(|(_, state)| *state != DocumentState::Fresh)
        .map(|(t, _)| *t)
        .collect()
}
