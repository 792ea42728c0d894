//! `GET /admin/buyers`: every seller's buyers, searchable and filtered, a page at a time.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::access::SellerScope;
use crate::admin::guard::SignedIn;
use crate::admin::page::{self, Chrome, Section};
use crate::buyers::{
    self, BuyerFilter, BuyerSort, BuyerStatus, ListedBuyer, Position, SearchText, Window,
};
use crate::errors::Error;
use crate::kyc::status::OverallStatus;
use crate::pagination::Page;
use crate::partners::{self, Seller};
use crate::state::AppState;

/// Buyers per page.
const PAGE_SIZE: u32 = 25;

/// The list's query string, as typed; unknown filter values are ignored.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    kyc: String,
    #[serde(default)]
    seller: String,
    /// The order: `newest` (when absent or unknown), `name` or `activity`.
    #[serde(default)]
    sort: String,
    /// The next page: buyers after this position (an opaque cursor).
    #[serde(default)]
    after: String,
    /// The previous page: buyers before this position.
    #[serde(default)]
    before: String,
    /// The page's number, only for the caption (pages are found by position).
    #[serde(default)]
    page: Option<u32>,
}

/// One row of the list.
pub struct Row {
    /// The buyer's id.
    pub id: String,
    /// Company.
    pub company: String,
    /// VAT number.
    pub vat: String,
    /// Seller's name.
    pub seller: String,
    /// Status, localised.
    pub status: String,
    /// KYC status, localised.
    pub kyc: String,
    /// Created, as staff read it.
    pub created: String,
    /// Required document types that count, of all required: `3 / 5`.
    pub documents: String,
    /// When anything of the buyer last changed (its details or a document).
    pub last_activity: String,
}

/// The buyers list.
#[derive(Template)]
#[template(path = "admin/buyers/list.html")]
pub struct ListView {
    /// The frame.
    pub chrome: Chrome,
    /// The search text.
    pub q: String,
    /// The status filter (`ACTIVE`, `BLOCKED` or empty).
    pub status: String,
    /// The KYC filter (`PENDING`, ... or empty).
    pub kyc: String,
    /// The seller filter (an id or empty).
    pub seller: String,
    /// The order (`newest`, `name` or `activity`).
    pub sort: String,
    /// Every seller, for the filter.
    pub sellers: Vec<Seller>,
    /// This page's buyers.
    pub rows: Vec<Row>,
    /// Link to the previous page.
    pub previous: Option<String>,
    /// Link to the next page.
    pub next: Option<String>,
    /// 1-based page number.
    pub page: u32,
}

impl ListView {
    /// The orders the list offers, with their labels.
    pub fn sort_options(&self) -> Vec<(&'static str, String)> {
        BuyerSort::ALL
            .into_iter()
            .map(|s| {
                (
                    s.as_str(),
                    self.chrome.t(&format!("admin-buyers-sort-{}", s.as_str())),
                )
            })
            .collect()
    }

    /// The table's caption id: it names the order.
    pub fn caption_id(&self) -> &'static str {
        match self.sort.as_str() {
            "name" => "admin-buyers-caption-name",
            "activity" => "admin-buyers-caption-activity",
            _ => "admin-buyers-caption",
        }
    }

    /// `aria-sort` of the column that holds `sort`'s values, when the list is in that order.
    pub fn aria_sort(&self, sort: &str) -> &'static str {
        match (self.sort == sort, sort) {
            (false, _) => "none",
            (true, "name") => "ascending",
            (true, _) => "descending",
        }
    }

    /// The KYC statuses a filter can choose, with their labels.
    pub fn kyc_options(&self) -> Vec<(&'static str, String)> {
        OverallStatus::ALL
            .into_iter()
            .map(|s| (s.as_str(), self.chrome.t(&kyc_label_id(s.as_str()))))
            .collect()
    }
}

/// `admin-buyers-kyc-pending` and so on.
pub fn kyc_label_id(status: &str) -> String {
    format!("admin-buyers-kyc-{}", status.to_lowercase())
}

/// `admin-buyers-status-active` or `admin-buyers-status-blocked`.
pub fn status_label_id(status: BuyerStatus) -> &'static str {
    match status {
        BuyerStatus::Active => "admin-buyers-status-active",
        BuyerStatus::Blocked => "admin-buyers-status-blocked",
    }
}

/// Every seller (the portal's sellers are a handful of trade partners; the API's page limit
/// is the most a select shows).
pub async fn all_sellers(state: &AppState) -> Result<Vec<Seller>, Error> {
    let (sellers, _) = partners::list(
        &state.db,
        &SellerScope::Organisation,
        &Page::parse(Some(200), None)?,
    )
    .await?;
    Ok(sellers)
}

/// The list from `position` (`after` or `before` it) with the same search, filters and order
/// (empty ones and the default order left out).
fn link(query: &ListQuery, sort: BuyerSort, position: (&str, &Position), page: u32) -> String {
    let cursor = position.1.encode();
    let page = page.to_string();
    let sort = match sort {
        BuyerSort::Newest => "",
        other => other.as_str(),
    };
    let pairs: Vec<(&str, &str)> = [
        ("q", query.q.as_str()),
        ("status", query.status.as_str()),
        ("kyc", query.kyc.as_str()),
        ("seller", query.seller.as_str()),
        ("sort", sort),
        (position.0, cursor.as_str()),
        ("page", page.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    format!("/admin/buyers?{query}")
}

/// The window the query asks for in `sort`; a position that does not read, or is one of
/// another order, starts from the list's first buyer.
fn window_of(query: &ListQuery, sort: BuyerSort) -> Window {
    match (
        Position::decode(&query.before, sort),
        Position::decode(&query.after, sort),
    ) {
        (Some(before), _) => Window::Before(before),
        (_, Some(after)) => Window::After(Some(after)),
        _ => Window::After(None),
    }
}

/// `GET /admin/buyers` — every staff member.
pub async fn list_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, Error> {
    let query = query.into_inner();
    let l = me.language();
    let zone = me.zone();
    let sort = BuyerSort::parse(&query.sort).unwrap_or_default();
    let filter = BuyerFilter {
        seller_id: Some(query.seller.clone()).filter(|s| !s.is_empty()),
        status: BuyerStatus::parse(&query.status),
        kyc_status: OverallStatus::parse(&query.kyc),
        search: SearchText::parse(&query.q),
        sort,
        ..BuyerFilter::default()
    };
    let window = window_of(&query, sort);
    let found = buyers::search(&state.db, &filter, &window, PAGE_SIZE).await?;
    let page = match &found.previous {
        None => 1,
        Some(_) => query.page.unwrap_or(2).clamp(2, 1_000_000),
    };
    let settings = state.organisation().await?;
    let ids: Vec<&str> = found.buyers.iter().map(|b| b.buyer.uuid.as_str()).collect();
    let today = crate::db::now().to_datetime().date_naive();
    let progress = crate::documents::progress::of_buyers(&state.db, &settings, &ids, today).await?;
    let rows = found
        .buyers
        .into_iter()
        .map(
            |ListedBuyer {
                 buyer,
                 seller_name,
                 kyc_status,
                 last_activity_at,
                 ..
             }| Row {
                id: buyer.uuid.clone(),
                company: buyer.company_name.clone(),
                vat: buyer.vat_number.as_str().to_owned(),
                seller: seller_name,
                status: l.text(status_label_id(buyer.status)),
                kyc: l.text(&kyc_label_id(kyc_status.as_str())),
                created: zone.moment(l, buyer.created_at),
                documents: {
                    let p = progress.get(&buyer.uuid);
                    format!(
                        "{} / {}",
                        p.map_or(0, |p| p.done),
                        settings.required_document_types.len()
                    )
                },
                last_activity: zone.moment(l, last_activity_at),
            },
        )
        .collect();
    let view = ListView {
        chrome: Chrome::new(&req, &me, Section::Buyers, l.text("admin-buyers-title")),
        sellers: all_sellers(&state).await?,
        rows,
        previous: found
            .previous
            .as_ref()
            .map(|at| link(&query, sort, ("before", at), page - 1)),
        next: found
            .next
            .as_ref()
            .map(|at| link(&query, sort, ("after", at), page + 1)),
        page,
        q: query.q,
        status: filter
            .status
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        kyc: filter
            .kyc_status
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        seller: query.seller,
        sort: sort.as_str().to_owned(),
    };
    page::html(&req, StatusCode::OK, &view)
}
