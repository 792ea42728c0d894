//! `GET /admin/buyers/{id}/history`: the audit history of the buyer, its documents and its
//! invitations in plain words ("12.03.2026 14:02 UTC — staff member anna@… blocked the
//! buyer: reason …"), as `audit::words` tells them.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{BuyerHeader, buyer_of};
use crate::admin::guard::SignedIn;
use crate::admin::page::{self, Chrome, CursorQuery, Section};
use crate::audit::words::sentence;
use crate::buyers;
use crate::errors::Error;
use crate::state::AppState;

/// Entries per page.
const PAGE_SIZE: u32 = 50;

/// One entry in words.
pub struct Line {
    /// When.
    pub at: String,
    /// What happened, by whom.
    pub text: String,
}

/// The history page.
#[derive(Template)]
#[template(path = "admin/buyer/history.html")]
pub struct HistoryView {
    /// The frame.
    pub chrome: Chrome,
    /// Heading and sub-navigation.
    pub header: BuyerHeader,
    /// Entries, newest first.
    pub lines: Vec<Line>,
    /// Link to older entries.
    pub older: Option<String>,
    /// Whether this is not the first page.
    pub later: bool,
}

/// `GET /admin/buyers/{id}/history` — every staff member.
pub async fn history_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<CursorQuery>,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let zone = me.zone();
    let buyer = buyer_of(&state.db, &path).await?;
    let page = query.page_of(PAGE_SIZE)?;
    let (entries, next) = buyers::full_history(&state.db, &buyer.uuid, &page).await?;
    let view = HistoryView {
        chrome: Chrome::new(
            &req,
            &me,
            Section::Buyers,
            format!(
                "{} – {}",
                l.text("admin-buyers-tab-history"),
                buyer.company_name
            ),
        ),
        header: BuyerHeader::of(&buyer, "history"),
        lines: entries
            .iter()
            .map(|e| Line {
                at: zone.moment(l, e.at),
                text: sentence(l, e),
            })
            .collect(),
        older: next.map(|c| format!("/admin/buyers/{}/history?cursor={}", buyer.uuid, c.encode())),
        later: query.is_later(),
    };
    page::html(&req, StatusCode::OK, &view)
}
