//! The review decision form beside a document's preview: where the review stands, and the
//! form as shown or as refused (the decision is posted to `files.rs`'s `review_post`).

use crate::documents::{Document, Proposal, ReviewReason, ReviewStatus};
use crate::i18n::Language;
use crate::time_zone::TimeZone;

/// The decision form and what was decided before, as the preview page shows them.
pub struct ReviewPanel {
    /// Where the review stands, in words.
    pub state: String,
    /// Whether it waits for a decision.
    pub pending: bool,
    /// The reason of a rejection, in words.
    pub reason: Option<String>,
    /// The reviewer's note.
    pub note: Option<String>,
    /// Who decided and when.
    pub decided: Option<String>,
    /// Every reason, with its label.
    pub reasons: Vec<(&'static str, String)>,
    /// The form as sent, when it was refused: decision, reason, note.
    pub typed: (String, String, String),
    /// Why the form was refused.
    pub error: Option<String>,
    /// Whether the page was opened from the review queue (the decision returns there).
    pub from_queue: bool,
    /// A decision waiting for a second reviewer, in words.
    pub proposal: Option<String>,
}

/// `admin-review-status-pending-review` and so on.
pub fn status_label_id(status: ReviewStatus) -> String {
    format!(
        "admin-review-status-{}",
        status.as_str().to_lowercase().replace('_', "-")
    )
}

impl ReviewPanel {
    /// The panel of `document`, in `l`.
    pub fn of(l: Language, zone: TimeZone, document: &Document, from_queue: bool) -> ReviewPanel {
        ReviewPanel {
            state: l.text(&status_label_id(document.review_status)),
            pending: document.review_status == ReviewStatus::PendingReview,
            reason: document.review_reason.map(|r| r.label(l)),
            note: document.review_note.clone(),
            decided: document.reviewed_at.map(|at| {
                let who = document
                    .reviewed_by
                    .as_deref()
                    .map(crate::audit::Actor::name_of)
                    .unwrap_or_default();
                l.text_with(
                    "admin-review-decided-by",
                    &[("who", who.as_str()), ("when", &zone.moment(l, at))],
                )
            }),
            reasons: ReviewReason::ALL
                .into_iter()
                .map(|r| (r.as_str(), r.label(l)))
                .collect(),
            typed: Default::default(),
            error: None,
            from_queue,
            proposal: document
                .proposal
                .as_ref()
                .map(|p| proposal_text(l, zone, p)),
        }
    }

    /// Whether `reason` is the one typed into the refused form.
    pub fn chose(&self, reason: &str) -> bool {
        self.typed.1 == reason
    }
}

/// "Rejected (Unreadable), proposed by kim@…, 1 Dec 2026 14:02": a decision waiting for a
/// second reviewer.
pub fn proposal_text(l: Language, zone: TimeZone, proposal: &Proposal) -> String {
    let mut decision = l.text(&status_label_id(proposal.decision));
    if let Some(reason) = proposal.reason {
        decision.push_str(&format!(" ({})", reason.label(l)));
    }
    l.text_with(
        "admin-review-proposed-by",
        &[
            ("decision", decision.as_str()),
            ("who", &crate::audit::Actor::name_of(&proposal.by)),
            ("when", &zone.moment(l, proposal.at)),
        ],
    )
}
