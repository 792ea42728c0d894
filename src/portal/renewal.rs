//! What the buyer sees after asking for a new link: that it was asked (and of whom), where the
//! new link will go, and what to do if it does not come. Asking twice within a day tells the
//! same, without telling staff twice.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;

use super::handlers::html;
use super::page;
use crate::audit::Actor;
use crate::errors::Error;
use crate::invitations::Invitation;
use crate::invitations::renewal::{self, Requested};
use crate::state::AppState;
use crate::write;

/// Asks for a new link for `invitation` and answers with the page that says so.
pub async fn answer(state: &AppState, invitation: &Invitation) -> Result<HttpResponse, Error> {
    let requested = write::apply(
        &state.db,
        Actor::Invitation(invitation.id.clone()),
        async |tx| renewal::request(tx, invitation).await,
    )
    .await?;
    let l = invitation.language;
    let (buyer, seller) =
        crate::buyers::get_with_seller_name(&state.db, &invitation.buyer_id).await?;
    let organisation = state.organisation().await?;
    let first = match requested {
        Requested::Now => l.text_with(
            "portal-renewal-sent",
            &[
                ("seller", seller.as_str()),
                ("organisation", organisation.name.as_str()),
            ],
        ),
        Requested::Already { at } => l.text_with(
            "portal-renewal-already",
            &[("date", &l.date(organisation.time_zone.day(at)))],
        ),
    };
    let view = crate::portal::views::MessagePageView {
        chrome: page::chrome(
            l,
            &organisation,
            Some(&seller),
            l.text("portal-renewal-title"),
            String::new(),
        ),
        heading: l.text("portal-renewal-title"),
        paragraphs: vec![
            first,
            match &invitation.recipient_email {
                Some(email) => l.text_with(
                    "portal-renewal-where",
                    &[
                        ("email", email.masked().as_str()),
                        ("company", buyer.company_name.as_str()),
                    ],
                ),
                // A printed link is answered the way it came: printed or handed over again.
                None => l.text_with(
                    "portal-renewal-where-print-only",
                    &[("company", buyer.company_name.as_str())],
                ),
            },
            l.text("portal-renewal-wait"),
        ],
        action: None,
    };
    html(StatusCode::OK, &view)
}
