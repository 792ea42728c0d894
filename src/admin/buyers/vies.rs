//! `GET /admin/buyers/{id}/vies`: the buyer's VIES checks, newest first, and `POST` to start
//! one (the same background check as the API's `POST .../kyc/vies-check`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{BuyerHeader, buyer_of};
use crate::admin::guard::{NoFields, SignedIn, StaffForm};
use crate::admin::page::{self, Chrome, Section};
use crate::db::Timestamp;
use crate::errors::Error;
use crate::i18n::Language;
use crate::kyc::vies::reason::ReasonKind;
use crate::kyc::vies::{self, CheckStatus, ViesCheck};
use crate::pagination::Page;
use crate::state::AppState;
use crate::time_zone::TimeZone;
use crate::write;

/// One check as the page shows it.
pub struct CheckRow {
    /// When it was asked for.
    pub requested: String,
    /// When it was settled.
    pub checked: Option<String>,
    /// The result in words (or "pending").
    pub result: String,
    /// VIES's consultation number.
    pub request_identifier: Option<String>,
    /// Registered name.
    pub name: Option<String>,
    /// Registered address.
    pub address: Option<String>,
    /// Why it failed (or the last temporary failure), in the reader's language.
    pub error: Option<String>,
    /// The stored reason word for word, for support.
    pub error_detail: Option<String>,
    /// The number checked.
    pub vat: String,
    /// While VIES has not answered yet: how often it was asked, and that the portal goes on.
    pub retrying: Option<String>,
}

impl CheckRow {
    /// The row of `check`; `next_attempt` is when a pending one is tried again.
    fn of(
        l: Language,
        zone: TimeZone,
        check: ViesCheck,
        next_attempt: Option<Timestamp>,
    ) -> CheckRow {
        let result = match (check.status, check.result) {
            (CheckStatus::Completed, Some(result)) => l.text(&format!(
                "admin-buyers-vies-{}",
                result.as_str().to_lowercase()
            )),
            _ => l.text("admin-buyers-vies-pending"),
        };
        let retrying = (check.status == CheckStatus::Pending && check.attempts > 0).then(|| {
            let attempts = check.attempts.to_string();
            match next_attempt {
                Some(at) => l.text_with(
                    "admin-vies-retrying-next",
                    &[
                        ("attempts", attempts.as_str()),
                        ("next", &zone.moment(l, at)),
                    ],
                ),
                None => l.text_with("admin-buyers-vies-retrying", &[("attempts", &attempts)]),
            }
        });
        let evidence = check.evidence.unwrap_or_default();
        CheckRow {
            requested: zone.moment(l, check.requested_at),
            checked: check.checked_at.map(|at| zone.moment(l, at)),
            result,
            request_identifier: evidence.request_identifier,
            name: evidence.name,
            address: evidence.address,
            error: check
                .reason
                .as_deref()
                .map(|r| reason_text(l, &ReasonKind::of(r))),
            error_detail: check.reason,
            vat: check.vat_number,
            retrying,
        }
    }
}

/// A stored reason in plain words of `l`.
fn reason_text(l: Language, kind: &ReasonKind) -> String {
    match kind {
        ReasonKind::NotRegistered => l.text("admin-vies-reason-not-registered"),
        ReasonKind::NoAnswerInTime => l.text("admin-vies-reason-no-answer-in-time"),
        ReasonKind::Unreachable => l.text("admin-vies-reason-unreachable"),
        ReasonKind::RegisterDown => l.text("admin-vies-reason-register-down"),
        ReasonKind::ViesDown => l.text("admin-vies-reason-vies-down"),
        ReasonKind::Refused { code } => {
            l.text_with("admin-vies-reason-refused", &[("code", code.as_str())])
        }
        ReasonKind::NoVerdict => l.text("admin-vies-reason-no-verdict"),
        ReasonKind::GaveUp { attempts, last } => l.text_with(
            "admin-vies-reason-gave-up",
            &[
                ("attempts", attempts.to_string().as_str()),
                ("last", reason_text(l, last).as_str()),
            ],
        ),
        ReasonKind::Other => l.text("admin-vies-reason-other"),
    }
}

/// The VIES page.
#[derive(Template)]
#[template(path = "admin/buyer/vies.html")]
pub struct ViesView {
    /// The frame.
    pub chrome: Chrome,
    /// Heading and sub-navigation.
    pub header: BuyerHeader,
    /// Checks, newest first.
    pub checks: Vec<CheckRow>,
}

/// `GET /admin/buyers/{id}/vies` — every staff member.
pub async fn vies_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let zone = me.zone();
    let buyer = buyer_of(&state.db, &path).await?;
    let page = Page::parse(Some(200), None)?;
    let (checks, _) = vies::list(&state.db, &buyer.seller_id, &buyer.uuid, &page).await?;
    let mut rows = Vec::with_capacity(checks.len());
    for check in checks {
        let next = match check.status {
            CheckStatus::Pending => vies::next_attempt_of(&state.db, &check.uuid).await?,
            CheckStatus::Completed => None,
        };
        rows.push(CheckRow::of(l, zone, check, next));
    }
    let view = ViesView {
        chrome: Chrome::new(
            &req,
            &me,
            Section::Buyers,
            format!(
                "{} – {}",
                l.text("admin-buyers-tab-vies"),
                buyer.company_name
            ),
        ),
        header: BuyerHeader::of(&buyer, "vies"),
        checks: rows,
    };
    page::html(&req, StatusCode::OK, &view)
}

/// `POST /admin/buyers/{id}/vies` — every staff member: starts a check in the background.
pub async fn vies_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm { who: me, .. }: StaffForm<NoFields>,
) -> Result<HttpResponse, Error> {
    let buyer = buyer_of(&state.db, &path).await?;
    write::apply(&state.db, me.actor(), async |tx| {
        vies::request(tx, &buyer.seller_id, &buyer.uuid).await
    })
    .await?;
    Ok(page::done(
        &format!("/admin/buyers/{}/vies", buyer.uuid),
        "admin-flash-vies-started",
    ))
}
