//! `GET /admin/buyers/{id}/export`: the buyer's full record as one ZIP, for a data subject's
//! request or an auditor; the history it contains is in the staff member's language.

use actix_web::{HttpResponse, web};

use super::buyer_of;
use crate::admin::guard::SignedIn;
use crate::errors::Error;
use crate::export::{self, Audience, Exporting};
use crate::http::download;
use crate::state::AppState;

/// Every staff member (each can read the buyer's documents one by one already); the export
/// is recorded in the buyer's history.
pub async fn export_get(
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let buyer = buyer_of(&state.db, &path).await?;
    let exporting = Exporting {
        db: &state.db,
        blobs: state.blobs.clone(),
        signer: &state.signer,
        actor: me.actor(),
        language: Some(me.language()),
        audience: Audience::Staff,
    };
    let export = export::export(exporting, &buyer.seller_id, &buyer.uuid).await?;
    Ok(download::archive(export))
}
