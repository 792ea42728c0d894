//! Which KYC documents a buyer still needs: every required type (a setting) must have a latest
//! ACTIVE document that is fresh enough (a maximum age per type, counted from its document date).

use chrono::NaiveDate;
use serde::Serialize;

use crate::documents::model::{Document, DocumentType};
use crate::organisation::settings::OrganisationSettings;

/// How one required document type stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentState {
    /// No active document of this type.
    Missing,
    /// The latest active one is older than the type's maximum age, or an identity document
    /// past its expiry date.
    TooOld,
    /// The latest active one counts.
    Fresh,
}

/// One required type: its state, its max age and the document that decides it.
#[derive(Debug, Clone)]
pub struct Requirement {
    /// The type.
    pub document_type: DocumentType,
    /// Days a document of this type counts; unlimited when absent.
    pub max_age_days: Option<u32>,
    /// Where it stands.
    pub state: DocumentState,
    /// The latest active document of the type, if any.
    pub document: Option<Document>,
}

/// Every required type, in the settings' order, with the document that decides it.
/// `counting` holds the latest ACTIVE document of each type (see `documents::counting`).
pub fn evaluate(
    settings: &OrganisationSettings,
    counting: &[Document],
    today: NaiveDate,
) -> Vec<Requirement> {
    settings
        .required_document_types
        .iter()
        .map(|&required| {
            let max_age_days = settings.document_max_age_days.get(&required).copied();
            let document = counting
                .iter()
                .find(|d| d.document_type == required)
                .cloned();
            let state = match &document {
                None => DocumentState::Missing,
                Some(document) if settings.lapsed(document, today) => DocumentState::TooOld,
                Some(_) => DocumentState::Fresh,
            };
            Requirement {
                document_type: required,
                max_age_days,
                state,
                document,
            }
        })
        .collect()
}

/// The state of each required type, in the settings' order.
pub fn assess(
    settings: &OrganisationSettings,
    counting: &[Document],
    today: NaiveDate,
) -> Vec<(DocumentType, DocumentState)> {
    evaluate(settings, counting, today)
        .into_iter()
        .map(|r| (r.document_type, r.state))
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
