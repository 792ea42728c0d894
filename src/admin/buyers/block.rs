//! Block and unblock a buyer, each behind a confirmation page (a GET page with the POST
//! form), so it works without JavaScript and never happens by one stray click. Blocking asks
//! for the reason on a page of its own; unblocking asks on the common confirmation page.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{BuyerHeader, buyer_of};
use crate::admin::confirm::ConfirmView;
use crate::admin::guard::{NoFields, SignedIn, StaffForm};
use crate::admin::page::{self, Chrome, Section};
use crate::buyers;
use crate::errors::Error;
use crate::state::AppState;
use crate::write;

/// The page that asks for the reason of a block.
#[derive(Template)]
#[template(path = "admin/buyer/block.html")]
pub struct BlockView {
    /// The frame.
    pub chrome: Chrome,
    /// Heading and sub-navigation.
    pub header: BuyerHeader,
    /// The reason as typed.
    pub reason: String,
    /// What is wrong with the reason.
    pub error: Option<String>,
}

async fn block_page(
    req: &HttpRequest,
    me: &SignedIn,
    state: &AppState,
    id: &str,
    refused: Option<(String, String)>,
) -> Result<HttpResponse, Error> {
    // A refused reason comes back as typed, with why it was refused.
    let (status, reason, error) = match refused {
        Some((reason, error)) => (StatusCode::UNPROCESSABLE_ENTITY, reason, Some(error)),
        None => (StatusCode::OK, String::new(), None),
    };
    let buyer = buyer_of(&state.db, id).await?;
    let l = me.language();
    let view = BlockView {
        chrome: Chrome::new(req, me, Section::Buyers, l.text("admin-buyers-block-title")),
        header: BuyerHeader::of(&buyer, "overview"),
        reason,
        error,
    };
    page::html(req, status, &view)
}

/// `GET /admin/buyers/{id}/block` — every staff member: asks for the reason.
pub async fn block_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    block_page(&req, &me, &state, &path, None).await
}

/// The block form.
#[derive(Deserialize)]
pub struct BlockForm {
    #[serde(default)]
    reason: String,
}

/// `POST /admin/buyers/{id}/block` — every staff member: the API's block, with the reason.
pub async fn block_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<BlockForm>,
) -> Result<HttpResponse, Error> {
    let reason = match buyers::parse_block_reason(Some(&form.reason)) {
        Ok(reason) => reason,
        Err(_) => {
            let refused = (form.reason, me.language().text("admin-buyers-error-reason"));
            return block_page(&req, &me, &state, &path, Some(refused)).await;
        }
    };
    let buyer = buyer_of(&state.db, &path).await?;
    write::apply(&state.db, me.actor(), async |tx| {
        buyers::block(tx, &buyer.seller_id, &buyer.uuid, reason).await
    })
    .await?;
    Ok(page::done(
        &format!("/admin/buyers/{}", buyer.uuid),
        "admin-flash-buyer-blocked",
    ))
}

/// `GET /admin/buyers/{id}/unblock` — every staff member: asks to confirm.
pub async fn unblock_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let buyer = buyer_of(&state.db, &path).await?;
    let l = me.language();
    let view = ConfirmView {
        chrome: Chrome::new(
            &req,
            &me,
            Section::Buyers,
            l.text("admin-buyers-unblock-title"),
        ),
        header: Some(BuyerHeader::of(&buyer, "overview")),
        question: None,
        facts: Vec::new(),
        effect: Some(l.text("admin-buyers-unblock-explain")),
        action: format!("/admin/buyers/{}/unblock", buyer.uuid),
        button: Some(l.text("admin-buyers-unblock-confirm")),
        danger: false,
        cancel: format!("/admin/buyers/{}", buyer.uuid),
    };
    page::html(&req, StatusCode::OK, &view)
}

/// `POST /admin/buyers/{id}/unblock` — every staff member: the API's unblock.
pub async fn unblock_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm { who: me, .. }: StaffForm<NoFields>,
) -> Result<HttpResponse, Error> {
    let buyer = buyer_of(&state.db, &path).await?;
    write::apply(&state.db, me.actor(), async |tx| {
        buyers::unblock(tx, &buyer.seller_id, &buyer.uuid).await
    })
    .await?;
    Ok(page::done(
        &format!("/admin/buyers/{}", buyer.uuid),
        "admin-flash-buyer-unblocked",
    ))
}
