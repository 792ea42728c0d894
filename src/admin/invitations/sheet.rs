//! The printable QR sheet of an invitation: one A4 page for the buyer, in the invitation's
//! language (not the staff member's), with the QR code, the company, short instructions, the
//! link as text and the expiry date. Only an active invitation of a buyer who is not blocked
//! gets one: a printed dead link would only confuse the buyer.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::super::page::{self, Chrome, Section};
use super::status_label;
use crate::access::SellerScope;
use crate::admin::guard::SignedIn;
use crate::buyers::{self, Buyer};
use crate::db::now;
use crate::errors::Error;
use crate::invitations::{self, InvitationStatus, qr};
use crate::organisation;
use crate::partners;
use crate::state::AppState;

/// The sheet; every text but the staff toolbar is in the invitation's language.
#[derive(Template)]
#[template(path = "admin/invitations/sheet.html")]
pub struct SheetView {
    /// The invitation's language code (`<html lang>`).
    pub lang: &'static str,
    /// The staff member's language code (the toolbar's `lang`).
    pub staff_lang: &'static str,
    /// The invitation's id (for the QR image).
    pub id: String,
    /// The buyer, for the link back.
    pub buyer_id: String,
    /// The organisation's name.
    pub organisation: String,
    /// The heading.
    pub heading: String,
    /// The buyer's company.
    pub company: String,
    /// Who asks for what.
    pub intro: String,
    /// The steps.
    pub steps: Vec<String>,
    /// The QR image's text alternative.
    pub qr_alt: String,
    /// "Or type this link:".
    pub link_label: String,
    /// The link.
    pub link: String,
    /// "Valid until ...".
    pub expiry: String,
    /// Whom to ask.
    pub contact: String,
    /// Staff toolbar: said right after a print-only invitation was made.
    pub created: Option<String>,
    /// Staff toolbar: the print hint.
    pub print_hint: String,
    /// Staff toolbar: back to the invitations.
    pub back: String,
    /// Staff toolbar: its landmark's name.
    pub toolbar_label: String,
}

/// Why an invitation has no sheet.
#[derive(Template)]
#[template(path = "admin/invitations/unavailable.html")]
pub struct UnavailableView {
    /// The frame.
    pub chrome: Chrome,
    /// The buyer.
    pub buyer: Buyer,
    /// Why not.
    pub reason: String,
}

/// What the sheet's address may say besides the invitation.
#[derive(Deserialize)]
pub struct SheetQuery {
    /// `print-only` right after a print-only invitation was made: the toolbar says that no
    /// email went out and this sheet (or the link) is how it reaches the buyer.
    created: Option<String>,
}

/// `GET /admin/invitations/{id}/sheet` — every staff role.
pub async fn sheet_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<SheetQuery>,
) -> Result<HttpResponse, Error> {
    let invitation = invitations::find(&state.db, &SellerScope::Organisation, &path).await?;
    let buyer = buyers::get_by_id(&state.db, &invitation.buyer_id).await?;
    let status = invitation.status_at(now());
    let staff = me.language();
    let refusal = if status != InvitationStatus::Active {
        Some(staff.text_with(
            "admin-sheet-unavailable",
            &[("status", &status_label(staff, status))],
        ))
    } else if buyer.is_blocked() {
        Some(staff.text("admin-sheet-unavailable-blocked"))
    } else {
        None
    };
    if let Some(reason) = refusal {
        let chrome = Chrome::new(
            &req,
            &me,
            Section::Buyers,
            staff.text("admin-sheet-unavailable-title"),
        );
        let view = UnavailableView {
            chrome,
            reason,
            buyer,
        };
        return page::html(&req, StatusCode::CONFLICT, &view);
    }
    let seller = partners::get(&state.db, &buyer.seller_id).await?;
    let organisation = organisation::load(&state.db).await?;
    let l = invitation.language;
    let contact = organisation.contact(Some(&seller.name)).to_string();
    let view = SheetView {
        lang: l.code(),
        staff_lang: staff.code(),
        id: invitation.id.clone(),
        buyer_id: buyer.uuid.clone(),
        heading: l.text("admin-sheet-heading"),
        intro: l.text_with(
            "admin-sheet-intro",
            &[("seller", &seller.name), ("company", &buyer.company_name)],
        ),
        steps: [
            "admin-sheet-step-scan",
            "admin-sheet-step-upload",
            "admin-sheet-step-date",
        ]
        .iter()
        .map(|id| l.text(id))
        .collect(),
        qr_alt: l.text("admin-sheet-qr-alt"),
        link_label: l.text("admin-sheet-link"),
        link: state.links().of(&invitation),
        expiry: l.text_with(
            "admin-sheet-expiry",
            &[(
                "date",
                &l.date(organisation.time_zone.day(invitation.expires_at)),
            )],
        ),
        contact: l.text_with("admin-sheet-contact", &[("contact", &contact)]),
        created: (query.created.as_deref() == Some("print-only"))
            .then(|| staff.text("admin-sheet-created-print-only")),
        print_hint: staff.text("admin-sheet-print-hint"),
        back: staff.text("admin-sheet-back"),
        toolbar_label: staff.text("admin-sheet-toolbar"),
        company: buyer.company_name,
        organisation: organisation.name,
    };
    page::html(&req, StatusCode::OK, &view)
}

/// `GET /admin/invitations/{id}/qr.svg` — every staff role: the link as a QR code (the
/// sheet's image; the link is a secret, so it is served behind the login and never cached).
pub async fn qr_svg_get(
    _me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let link =
        invitations::link(&state.db, &SellerScope::Organisation, state.links(), &path).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(qr::svg(&link)?))
}
