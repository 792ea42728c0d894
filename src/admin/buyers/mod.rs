//! The buyer pages: the list of every seller's buyers, a new buyer, and one buyer's pages
//! (overview with edit and block, documents, VIES checks, history). Every action calls the
//! same domain function the JSON API calls, so the rules, audit entries and webhooks are the
//! API's; only the actor differs (the staff member).
//! A document's preview never hands the browser a PDF to render (see `files.rs`).

mod block;
mod create;
mod documents;
mod ending;
mod export;
mod fields;
mod files;
mod form;
mod history;
mod list;
mod overview;
mod pages;
mod queue;
mod review;
mod vies;

use actix_web::web;

use crate::buyers::{self, Buyer};
use crate::db::Db;
use crate::errors::Error;

pub fn configure(cfg: &mut web::ServiceConfig) {
    // `/buyers/new` before `/buyers/{id}`, which would take it as an id.
    cfg.route("/buyers", web::get().to(list::list_get))
        .route("/buyers/new", web::get().to(create::new_get))
        .route("/buyers/new", web::post().to(create::new_post))
        .route("/buyers/{id}", web::get().to(overview::overview_get))
        .route("/buyers/{id}", web::post().to(overview::edit_post))
        .route("/buyers/{id}/block", web::get().to(block::block_get))
        .route("/buyers/{id}/block", web::post().to(block::block_post))
        .route("/buyers/{id}/unblock", web::get().to(block::unblock_get))
        .route("/buyers/{id}/unblock", web::post().to(block::unblock_post))
        .route("/buyers/{id}/end", web::get().to(ending::end_get))
        .route("/buyers/{id}/end", web::post().to(ending::end_post))
        .route("/buyers/{id}/reopen", web::get().to(ending::reopen_get))
        .route("/buyers/{id}/reopen", web::post().to(ending::reopen_post))
        .route("/buyers/{id}/hold", web::get().to(ending::hold_get))
        .route("/buyers/{id}/hold", web::post().to(ending::hold_post))
        .route("/buyers/{id}/release", web::get().to(ending::release_get))
        .route("/buyers/{id}/release", web::post().to(ending::release_post))
        .route("/buyers/{id}/erase", web::get().to(ending::erase_get))
        .route("/buyers/{id}/erase", web::post().to(ending::erase_post))
        .route("/buyers/{id}/export", web::get().to(export::export_get))
        .route(
            "/buyers/{id}/documents",
            web::get().to(documents::documents_get),
        )
        .route(
            "/buyers/{id}/documents",
            web::post().to(documents::upload_post),
        )
        .route("/reviews", web::get().to(queue::queue_get))
        .route("/buyers/{id}/vies", web::get().to(vies::vies_get))
        .route("/buyers/{id}/vies", web::post().to(vies::vies_post))
        .route("/buyers/{id}/history", web::get().to(history::history_get))
        .route("/documents/{id}/file", web::get().to(files::file_get))
        .route("/documents/{id}/inline", web::get().to(files::inline_get))
        .route("/documents/{id}/preview", web::get().to(files::preview_get))
        .route(
            "/documents/{id}/pages/{page:[0-9]+}.png",
            web::get().to(pages::page_get),
        )
        .route("/documents/{id}/review", web::post().to(files::review_post))
        .route("/documents/{id}/archive", web::get().to(files::archive_get))
        .route(
            "/documents/{id}/archive",
            web::post().to(files::archive_post),
        );
}

/// The heading and sub-navigation every page of one buyer shows.
pub struct BuyerHeader {
    /// The buyer's id.
    pub id: String,
    /// Its company name.
    pub company: String,
    /// Its VAT number.
    pub vat: String,
    /// Whether it is blocked.
    pub blocked: bool,
    /// Whether the portal verifies its identity (NT24_LED), which adds a sub-page.
    pub nt24_led: bool,
    /// The current sub-page: `overview`, `documents`, `invitations`, `vies`,
    /// `verification`, `history`.
    pub tab: &'static str,
}

impl BuyerHeader {
    /// The header of `buyer` on the sub-page `tab`.
    pub fn of(buyer: &Buyer, tab: &'static str) -> BuyerHeader {
        BuyerHeader {
            id: buyer.uuid.clone(),
            company: buyer.company_name.clone(),
            vat: buyer.vat_number.as_str().to_owned(),
            blocked: buyer.is_blocked(),
            nt24_led: buyer.kyc_mode == crate::buyers::KycMode::Nt24Led,
            tab,
        }
    }

    /// Whether `tab` is the current sub-page (for `aria-current`).
    pub fn current(&self, tab: &str) -> bool {
        self.tab == tab
    }
}

/// The buyer with this id, whoever its seller; 404 otherwise.
async fn buyer_of(db: &Db, id: &str) -> Result<Buyer, Error> {
    buyers::get_by_id(db, id).await
}
