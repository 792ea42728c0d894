//! The end of a buyer's business relationship and its reopening (every staff member), the
//! legal hold and the erasure on request (administrators), each behind a page that asks for
//! the reason or a confirmation, so none happens by one stray click.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{BuyerHeader, buyer_of};
use crate::admin::confirm::ConfirmView;
use crate::admin::guard::{Admin, NoFields, SignedIn, StaffForm};
use crate::admin::page::{self, Chrome, Section};
use crate::buyers::{self, Ending};
use crate::db::now;
use crate::erasure;
use crate::errors::Error;
use crate::http::messages;
use crate::state::AppState;
use crate::write;

/// A page that asks for a reason before an action.
#[derive(Template)]
#[template(path = "admin/buyer/reason.html")]
pub struct ReasonView {
    /// The frame.
    pub chrome: Chrome,
    /// Heading and sub-navigation.
    pub header: BuyerHeader,
    /// What the action does.
    pub explain: String,
    /// What will be lost for good (erasure only).
    pub lost: Vec<String>,
    /// Where the form posts.
    pub action: String,
    /// The button's label.
    pub button: String,
    /// The reason as typed.
    pub reason: String,
    /// What is wrong with the reason.
    pub error: Option<String>,
}

/// The actions that ask for a reason.
#[derive(Clone, Copy)]
enum Asking {
    End,
    Hold,
    Erase,
}

impl Asking {
    fn slug(self) -> &'static str {
        match self {
            Asking::End => "end",
            Asking::Hold => "hold",
            Asking::Erase => "erase",
        }
    }
}

async fn reason_page(
    req: &HttpRequest,
    me: &SignedIn,
    state: &AppState,
    id: &str,
    asking: Asking,
    refused: Option<(StatusCode, String, String)>,
) -> Result<HttpResponse, Error> {
    let (status, reason, error) = match refused {
        Some((status, reason, error)) => (status, reason, Some(error)),
        None => (StatusCode::OK, String::new(), None),
    };
    let buyer = buyer_of(&state.db, id).await?;
    let l = me.language();
    let slug = asking.slug();
    let lost = match asking {
        Asking::Erase => [
            "admin-retention-lost-details",
            "admin-retention-lost-documents",
            "admin-retention-lost-checks",
            "admin-retention-lost-history",
        ]
        .iter()
        .map(|id| l.text(id))
        .collect(),
        _ => Vec::new(),
    };
    let view = ReasonView {
        chrome: Chrome::new(
            req,
            me,
            Section::Buyers,
            l.text(&format!("admin-retention-{slug}-title")),
        ),
        header: BuyerHeader::of(&buyer, "overview"),
        explain: l.text(&format!("admin-retention-{slug}-explain")),
        lost,
        action: format!("/admin/buyers/{}/{slug}", buyer.uuid),
        button: l.text(&format!("admin-retention-{slug}-confirm")),
        reason,
        error,
    };
    page::html(req, status, &view)
}

/// The form's reason, checked; else the page that asked for it again, with the reason as
/// typed and a 422.
async fn checked_reason(
    req: &HttpRequest,
    me: &SignedIn,
    state: &AppState,
    id: &str,
    asking: Asking,
    form: &ReasonForm,
) -> Result<Result<String, HttpResponse>, Error> {
    match buyers::parse_reason(Some(&form.reason)) {
        Ok(reason) => Ok(Ok(reason)),
        Err(_) => {
            let refused = (
                StatusCode::UNPROCESSABLE_ENTITY,
                form.reason.clone(),
                me.language().text("admin-buyers-error-reason"),
            );
            reason_page(req, me, state, id, asking, Some(refused))
                .await
                .map(Err)
        }
    }
}

/// The reason form.
#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// `GET /admin/buyers/{id}/end` — every staff member: asks for the reason.
pub async fn end_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    reason_page(&req, &me, &state, &path, Asking::End, None).await
}

/// `POST /admin/buyers/{id}/end` — every staff member: the API's end, now, with the reason.
pub async fn end_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<ReasonForm>,
) -> Result<HttpResponse, Error> {
    let reason = match checked_reason(&req, &me, &state, &path, Asking::End, &form).await? {
        Ok(reason) => reason,
        Err(page) => return Ok(page),
    };
    let buyer = buyer_of(&state.db, &path).await?;
    let ending = Ending::parse(None, Some(&reason), now())?;
    write::apply(&state.db, me.actor(), async |tx| {
        buyers::end(tx, &buyer.seller_id, &buyer.uuid, ending).await
    })
    .await?;
    Ok(page::done(
        &format!("/admin/buyers/{}", buyer.uuid),
        "admin-flash-buyer-ended",
    ))
}

fn confirm(
    req: &HttpRequest,
    me: &SignedIn,
    buyer: &buyers::Buyer,
    slug: &str,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let view = ConfirmView {
        chrome: Chrome::new(
            req,
            me,
            Section::Buyers,
            l.text(&format!("admin-retention-{slug}-title")),
        ),
        header: Some(BuyerHeader::of(buyer, "overview")),
        question: None,
        facts: Vec::new(),
        effect: Some(l.text(&format!("admin-retention-{slug}-explain"))),
        action: format!("/admin/buyers/{}/{slug}", buyer.uuid),
        button: Some(l.text(&format!("admin-retention-{slug}-confirm"))),
        danger: false,
        cancel: format!("/admin/buyers/{}", buyer.uuid),
    };
    page::html(req, StatusCode::OK, &view)
}

/// `GET /admin/buyers/{id}/reopen` — every staff member: asks to confirm.
pub async fn reopen_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let buyer = buyer_of(&state.db, &path).await?;
    confirm(&req, &me, &buyer, "reopen")
}

/// `POST /admin/buyers/{id}/reopen` — every staff member: the API's reopen.
pub async fn reopen_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm { who: me, .. }: StaffForm<NoFields>,
) -> Result<HttpResponse, Error> {
    let buyer = buyer_of(&state.db, &path).await?;
    write::apply(&state.db, me.actor(), async |tx| {
        buyers::reopen(tx, &buyer.seller_id, &buyer.uuid).await
    })
    .await?;
    Ok(page::done(
        &format!("/admin/buyers/{}", buyer.uuid),
        "admin-flash-buyer-reopened",
    ))
}

/// `GET /admin/buyers/{id}/hold` — administrators: asks for the reason of a legal hold.
pub async fn hold_get(
    req: HttpRequest,
    me: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    reason_page(&req, &me, &state, &path, Asking::Hold, None).await
}

/// `POST /admin/buyers/{id}/hold` — administrators: puts the buyer on legal hold.
pub async fn hold_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<ReasonForm, Admin>,
) -> Result<HttpResponse, Error> {
    let reason = match checked_reason(&req, &me, &state, &path, Asking::Hold, &form).await? {
        Ok(reason) => reason,
        Err(page) => return Ok(page),
    };
    let buyer = buyer_of(&state.db, &path).await?;
    write::apply(&state.db, me.actor(), async |tx| {
        buyers::hold(tx, &buyer.seller_id, &buyer.uuid, reason).await
    })
    .await?;
    Ok(page::done(
        &format!("/admin/buyers/{}", buyer.uuid),
        "admin-flash-buyer-held",
    ))
}

/// `GET /admin/buyers/{id}/release` — administrators: asks to confirm lifting the hold.
pub async fn release_get(
    req: HttpRequest,
    me: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let buyer = buyer_of(&state.db, &path).await?;
    confirm(&req, &me, &buyer, "release")
}

/// `POST /admin/buyers/{id}/release` — administrators: lifts the legal hold.
pub async fn release_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm { who: me, .. }: StaffForm<NoFields, Admin>,
) -> Result<HttpResponse, Error> {
    let buyer = buyer_of(&state.db, &path).await?;
    write::apply(&state.db, me.actor(), async |tx| {
        buyers::release(tx, &buyer.seller_id, &buyer.uuid).await
    })
    .await?;
    Ok(page::done(
        &format!("/admin/buyers/{}", buyer.uuid),
        "admin-flash-buyer-released",
    ))
}

/// `GET /admin/buyers/{id}/erase` — administrators: names what will be lost and asks for
/// the reason.
pub async fn erase_get(
    req: HttpRequest,
    me: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    reason_page(&req, &me, &state, &path, Asking::Erase, None).await
}

/// `POST /admin/buyers/{id}/erase` — administrators: erases an ended buyer that is not on
/// hold, now.
pub async fn erase_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<ReasonForm, Admin>,
) -> Result<HttpResponse, Error> {
    let reason = match checked_reason(&req, &me, &state, &path, Asking::Erase, &form).await? {
        Ok(reason) => reason,
        Err(page) => return Ok(page),
    };
    let buyer = buyer_of(&state.db, &path).await?;
    let erased = erasure::erase_on_request(
        &state.db,
        &state.blobs,
        me.actor(),
        &buyer.uuid,
        reason,
        now(),
    )
    .await;
    if let Err(Error::Conflict(conflict)) = &erased {
        // Said on the page that asked, with the reason kept: "on legal hold", "not ended".
        let refused = (
            StatusCode::CONFLICT,
            form.reason,
            messages::conflict(me.language(), conflict),
        );
        return reason_page(&req, &me, &state, &path, Asking::Erase, Some(refused)).await;
    }
    erased?;
    Ok(page::done(
        &format!("/admin/buyers/{}", buyer.uuid),
        "admin-flash-buyer-erased",
    ))
}
