//! `GET /admin/reviews`: the review queue. Every active document version waiting for review,
//! across all buyers, oldest waiting first, filtered by seller and type, a page at a time
//! (keyset pages: a page starts after the last version of the one before, so decisions made
//! meanwhile never make the queue skip a version).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::list::all_sellers;
use crate::admin::guard::SignedIn;
use crate::admin::page::{self, Chrome, Section};
use crate::documents::DocumentType;
use crate::documents::review::{self, QueueFilter};
use crate::errors::Error;
use crate::pagination::Cursor;
use crate::partners::Seller;
use crate::state::AppState;

/// Versions per page.
const PAGE_SIZE: u32 = 25;

/// The queue's query string, as typed; unknown filter values are ignored.
#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    seller: String,
    #[serde(default, rename = "type")]
    document_type: String,
    /// The next page: versions after this position (an opaque cursor).
    #[serde(default)]
    after: String,
}

/// One waiting version.
pub struct QueueRow {
    /// The document's id.
    pub id: String,
    /// Its buyer's id.
    pub buyer_id: String,
    /// The buyer's company.
    pub company: String,
    /// The seller's name.
    pub seller: String,
    /// The type in words, with the version.
    pub document: String,
    /// The file name.
    pub file_name: String,
    /// Uploaded, as staff read it.
    pub uploaded: String,
    /// A decision waiting for a second reviewer, in words.
    pub proposal: Option<String>,
}

/// The review queue.
#[derive(Template)]
#[template(path = "admin/reviews.html")]
pub struct QueueView {
    /// The frame.
    pub chrome: Chrome,
    /// The seller filter (an id or empty).
    pub seller: String,
    /// The type filter (a type code or empty).
    pub document_type: String,
    /// Every seller, for the filter.
    pub sellers: Vec<Seller>,
    /// Every type, with its name, for the filter.
    pub types: Vec<(&'static str, String)>,
    /// This page's versions.
    pub rows: Vec<QueueRow>,
    /// Link to the first page, when this is a later one.
    pub first: Option<String>,
    /// Link to the next page.
    pub next: Option<String>,
}

/// The queue with the same filters (empty ones left out), after `cursor` if any.
fn link(query: &QueueQuery, cursor: Option<&Cursor>) -> String {
    let after = cursor.map(Cursor::encode).unwrap_or_default();
    let pairs: Vec<(&str, &str)> = [
        ("seller", query.seller.as_str()),
        ("type", query.document_type.as_str()),
        ("after", after.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    format!("/admin/reviews?{query}")
}

/// `GET /admin/reviews` — every staff member.
pub async fn queue_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, Error> {
    let query = query.into_inner();
    let l = me.language();
    let zone = me.zone();
    let filter = QueueFilter {
        seller_id: Some(query.seller.clone()).filter(|s| !s.is_empty()),
        document_type: DocumentType::parse(&query.document_type),
    };
    // A cursor that does not read starts from the oldest.
    let after = Cursor::decode(&query.after).ok();
    let (waiting, next) = review::queue(&state.db, &filter, after.as_ref(), PAGE_SIZE).await?;
    let rows = waiting
        .into_iter()
        .map(|w| QueueRow {
            id: w.document.uuid.clone(),
            buyer_id: w.document.buyer_id.clone(),
            company: w.company_name,
            seller: w.seller_name,
            document: format!(
                "{} (v{})",
                w.document.document_type.label(l),
                w.document.version
            ),
            file_name: w.document.file_name.as_str().to_owned(),
            uploaded: zone.moment(l, w.document.created_at),
            proposal: w
                .document
                .proposal
                .as_ref()
                .map(|p| super::review::proposal_text(l, zone, p)),
        })
        .collect();
    let view = QueueView {
        chrome: Chrome::new(
            &req,
            &me,
            Section::Reviews,
            l.text("admin-review-queue-title"),
        ),
        sellers: all_sellers(&state).await?,
        types: DocumentType::ALL
            .into_iter()
            .map(|t| (t.as_str(), t.label(l)))
            .collect(),
        rows,
        first: after.as_ref().map(|_| link(&query, None)),
        next: next.as_ref().map(|at| link(&query, Some(at))),
        seller: query.seller.clone(),
        document_type: filter
            .document_type
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default(),
    };
    page::html(&req, StatusCode::OK, &view)
}
