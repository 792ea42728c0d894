//! Which required documents a buyer has: the state of each required type, from the documents
//! that count (the latest ACTIVE of each type) and the organisation's max ages.

use chrono::NaiveDate;

use crate::documents::{Document, DocumentType};
use crate::organisation::RequiredDocument;

/// Where one required type stands.
#[derive(Debug, Clone)]
pub enum DocumentState {
    /// Nothing counting of this type.
    Missing,
    /// A counting document that is fresh enough.
    Received(Document),
    /// A counting document older than the type's max age.
    TooOld(Document),
}

/// One required type and its state.
#[derive(Debug, Clone)]
pub struct Requirement {
    /// The type.
    pub document_type: DocumentType,
    /// How old it may be.
    pub max_age_days: Option<u32>,
    /// Its state.
    pub state: DocumentState,
}

impl Requirement {
    /// Whether this requirement is met.
    pub fn is_met(&self) -> bool {
        matches!(self.state, DocumentState::Received(_))
    }
}

/// The state of every required type on `today`.
pub fn evaluate(
    required: &[RequiredDocument],
    counting: &[Document],
    today: NaiveDate,
) -> Vec<Requirement> {
    required
        .iter()
        .map(|r| {
            let document = counting.iter().find(|d| d.document_type == r.document_type);
            let state = match document {
                None => DocumentState::Missing,
                Some(d) => {
                    let too_old = r.max_age_days.is_some_and(|days| {
                        d.document_date
                            .date()
                            .checked_add_days(chrono::Days::new(u64::from(days)))
                            .is_none_or(|limit| limit < today)
                    });
                    if too_old {
                        DocumentState::TooOld(d.clone())
                    } else {
                        DocumentState::Received(d.clone())
                    }
                }
            };
            Requirement {
                document_type: r.document_type,
                max_age_days: r.max_age_days,
                state,
            }
        })
        .collect()
}
