//! Callbacks from outside services, outside `/v1` and without an API token: each proves
//! itself with its own signature.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::errors::Error;
use crate::state::AppState;
use crate::verification::{self, CallbackOutcome};

/// iDenfy's result callbacks carry document data and file URLs; a few MiB is ample.
const MAX_CALLBACK_BYTES: usize = 4 * 1024 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/callbacks/idenfy")
            .app_data(web::PayloadConfig::new(MAX_CALLBACK_BYTES))
            .route(web::post().to(idenfy_callback)),
    );
}

/// `POST /callbacks/idenfy` — iDenfy, proven by `Idenfy-Signature` (hex HMAC-SHA256 of the
/// raw body under the callback signing key): 401 without a valid one, changing nothing. A
/// session this portal did not start, or one that ended long ago (a replay), is acknowledged
/// (200) and changes nothing, so that iDenfy stops retrying.
async fn idenfy_callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    let signature = req
        .headers()
        .get("idenfy-signature")
        .and_then(|v| v.to_str().ok());
    let outcome = verification::receive_idenfy_callback(
        &state.db,
        state.settings.idenfy_callback_key.as_ref(),
        signature,
        &body,
    )
    .await?;
    let outcome = match outcome {
        CallbackOutcome::Settled => "settled",
        CallbackOutcome::Unchanged => "unchanged",
        CallbackOutcome::UnknownSession => "unknown-session",
        CallbackOutcome::PastLifetime => "past-lifetime",
    };
    Ok(HttpResponse::Ok().json(json!({ "received": true, "outcome": outcome })))
}
