//! Staff review of a document version: accepted, or rejected with a reason the buyer is told.
//! The version's file and facts stay as uploaded; the decision is a fact about them, changed
//! only here, in the write path (audited, announced as `kyc.document_reviewed`, and the
//! buyer's KYC refreshed, since with `requireDocumentReview` only accepted versions count).

use serde_json::json;

use super::model::{Document, DocumentType};
pub use super::review_state::{Proposal, ReviewReason, ReviewStatus};
use super::store;
pub use super::store::Waiting;
use crate::access::SellerScope;
use crate::audit::{Actor, Subject};
use crate::db::{Db, now};
use crate::errors::{Error, FieldProblem, Rule};
use crate::events::EventType;
use crate::jobs;
use crate::organisation;
use crate::pagination::{Cursor, Page};
use crate::write::WriteTx;

/// The job kind that tells a buyer about a rejected version (payload `{"documentId": ...}`):
/// queued with the decision, run by the invitations' rejection email.
pub const REJECTION_EMAIL_JOB: &str = "document.rejection_email";

/// Longest note a reviewer may add.
pub const MAX_NOTE_CHARS: usize = 2000;

/// A decision that can be recorded: an acceptance, or a rejection with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The version is fine.
    Accept,
    /// The version is not, for `reason`.
    Reject(ReviewReason),
}

impl Decision {
    /// The status the decision gives.
    pub fn status(&self) -> ReviewStatus {
        match self {
            Decision::Accept => ReviewStatus::Accepted,
            Decision::Reject(_) => ReviewStatus::Rejected,
        }
    }

    /// The rejection's reason.
    pub fn reason(&self) -> Option<ReviewReason> {
        match self {
            Decision::Accept => None,
            Decision::Reject(reason) => Some(*reason),
        }
    }
}

/// A decision with the reviewer's optional note, parsed from what a form or body sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewInput {
    /// Accept or reject.
    pub decision: Decision,
    /// Free text (trimmed; None when empty).
    pub note: Option<String>,
}

impl ReviewInput {
    /// Checks `decision` (ACCEPTED or REJECTED), `reason` (required for a rejection) and
    /// `note`, naming every field at fault at once.
    pub fn parse(
        decision: Option<&str>,
        reason: Option<&str>,
        note: Option<&str>,
    ) -> Result<ReviewInput, Error> {
        let mut problems = Vec::new();
        let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(text) => {
                let parsed = ReviewReason::parse(text);
                if parsed.is_none() {
                    problems.push(FieldProblem::new(
                        "reason",
                        Rule::OneOf {
                            allowed: ReviewReason::ALL.map(|r| r.as_str().to_owned()).to_vec(),
                        },
                    ));
                }
                parsed
            }
        };
        let decision = match decision.map(str::trim).filter(|d| !d.is_empty()) {
            None => {
                problems.push(FieldProblem::new("decision", Rule::Required));
                None
            }
            Some("ACCEPTED") => Some(Decision::Accept),
            Some("REJECTED") => match reason {
                Some(reason) => Some(Decision::Reject(reason)),
                None => {
                    if problems.is_empty() {
                        problems.push(FieldProblem::new("reason", Rule::RejectionNeedsReason));
                    }
                    None
                }
            },
            Some(_) => {
                problems.push(FieldProblem::new(
                    "decision",
                    Rule::OneOf {
                        allowed: vec!["ACCEPTED".into(), "REJECTED".into()],
                    },
                ));
                None
            }
        };
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
            problems.push(FieldProblem::new(
                "note",
                Rule::TooLong {
                    max: MAX_NOTE_CHARS,
                },
            ));
        }
        match decision {
            Some(decision) if problems.is_empty() => Ok(ReviewInput {
                decision,
                note: note.map(str::to_owned),
            }),
            _ => Err(Error::Invalid(problems)),
        }
    }
}

/// Records a decision on a document version in `scope`; 404 when unknown. A new decision
/// replaces an earlier one (both stay in the audit history).
///
/// With four-eyes review on, a staff member's decision is first a proposal (the returned
/// document carries it, its review unchanged); it counts when a second staff member makes the
/// same decision. A different decision replaces the proposal. Decisions through the API count
/// at once: a marketplace reviewing in its own tools keeps its own rules there.
pub async fn decide(
    tx: &mut WriteTx,
    scope: &SellerScope,
    id: &str,
    input: ReviewInput,
) -> Result<Document, Error> {
    // A document never changes buyer, nor a buyer seller: checked once, before the write.
    super::find(tx.db(), scope, id).await?;
    let four_eyes = organisation::settings::load_in(tx.db().pool())
        .await?
        .four_eyes_review
        && matches!(tx.actor(), Actor::Staff(_));
    let lock = tx.for_update();
    let current = store::find_locked(tx.conn().await?, lock, id)
        .await?
        .ok_or(Error::NotFound("document"))?
        .document;
    let at = now();
    let reviewer = tx.actor().to_string();
    let confirms = current.proposal.as_ref().is_some_and(|p| {
        p.by != reviewer
            && p.decision == input.decision.status()
            && p.reason == input.decision.reason()
    });
    if four_eyes && !confirms {
        return propose(tx, current, input, reviewer).await;
    }
    // A confirmation without a note of its own keeps the proposer's.
    let note = input
        .note
        .or_else(|| current.proposal.as_ref().and_then(|p| p.note.clone()));
    let reviewed = Document {
        review_status: input.decision.status(),
        review_reason: input.decision.reason(),
        review_note: note,
        reviewed_by: Some(reviewer),
        reviewed_at: Some(at),
        proposal: None,
        ..current.clone()
    };
    store::set_review(tx.conn().await?, &reviewed).await?;
    if reviewed.review_status == ReviewStatus::Rejected {
        // The buyer learns what to upload again; queued with the decision, so a rejection
        // that rolls back sends nothing.
        jobs::enqueue(
            tx.conn().await?,
            REJECTION_EMAIL_JOB,
            &json!({ "documentId": reviewed.uuid }),
            None,
        )
        .await?;
    }
    tx.record(
        Subject::Document {
            id,
            buyer_id: &reviewed.buyer_id,
        },
        "reviewed",
        serde_json::to_value(&current).ok(),
        serde_json::to_value(&reviewed).ok(),
    );
    tx.announce(
        EventType::DocumentReviewed,
        &reviewed.buyer_id,
        json!({
            "documentId": reviewed.uuid,
            "type": reviewed.document_type,
            "version": reviewed.version,
            "decision": reviewed.review_status,
            "reason": reviewed.review_reason,
        }),
    );
    Ok(reviewed)
}

/// Keeps a staff member's decision as a proposal for a second staff member to confirm.
async fn propose(
    tx: &mut WriteTx,
    current: Document,
    input: ReviewInput,
    proposer: String,
) -> Result<Document, Error> {
    let proposal = Proposal {
        decision: input.decision.status(),
        reason: input.decision.reason(),
        note: input.note,
        by: proposer,
        at: now(),
    };
    let proposed = Document {
        proposal: Some(proposal.clone()),
        ..current.clone()
    };
    store::set_review(tx.conn().await?, &proposed).await?;
    tx.record(
        Subject::Document {
            id: &proposed.uuid,
            buyer_id: &proposed.buyer_id,
        },
        "review-proposed",
        current
            .proposal
            .as_ref()
            .and_then(|p| serde_json::to_value(p).ok()),
        serde_json::to_value(&proposal).ok(),
    );
    Ok(proposed)
}

/// What the review queue shows: every seller and type, or one of each.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Only this seller's buyers.
    pub seller_id: Option<String>,
    /// Only this type.
    pub document_type: Option<DocumentType>,
}

/// A page of the review queue: active versions waiting for review across all buyers, oldest
/// first, and where the next page starts.
pub async fn queue(
    db: &Db,
    filter: &QueueFilter,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<Waiting>, Option<Cursor>), Error> {
    let rows = store::waiting(
        db.pool(),
        filter.seller_id.as_deref(),
        filter.document_type,
        after.map(|c| (c.at(), c.id().to_owned())),
        i64::from(limit) + 1,
    )
    .await?;
    let page = Page::parse(Some(limit), None)?;
    Ok(page.split(rows, |w| {
        Cursor::new(w.document.created_at.millis(), &w.document.uuid)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejection_needs_a_reason_and_an_acceptance_does_not() {
        assert_eq!(
            ReviewInput::parse(Some("ACCEPTED"), None, None)
                .unwrap()
                .decision,
            Decision::Accept
        );
        let Err(Error::Invalid(problems)) = ReviewInput::parse(Some("REJECTED"), None, Some("x"))
        else {
            panic!("a rejection without a reason was taken");
        };
        assert_eq!(
            problems,
            vec![FieldProblem::new("reason", Rule::RejectionNeedsReason)]
        );
        assert_eq!(
            ReviewInput::parse(Some("REJECTED"), Some("UNREADABLE"), Some("  ")).unwrap(),
            ReviewInput {
                decision: Decision::Reject(ReviewReason::Unreadable),
                note: None
            }
        );
        assert!(ReviewInput::parse(Some("MAYBE"), None, None).is_err());
        assert!(ReviewInput::parse(None, None, None).is_err());
        assert!(ReviewInput::parse(Some("REJECTED"), Some("UGLY"), None).is_err());
    }
}
