//! `GET /kyc/logo`: the organisation's logo, public (the buyer's pages and emails show it),
//! cacheable, and typed by what was checked at upload, never sniffed.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::errors::Error;
use crate::http::assets;
use crate::organisation;
use crate::state::AppState;

/// `GET /kyc/logo` — anyone: 404 while there is none. Pages and emails ask for it with the
/// logo's version in the query (when it was uploaded): under the current version browsers
/// keep it for good, as a new logo has a new URL; under another or none (an older email's
/// link) they ask again each time, so that they never show a replaced logo.
pub async fn logo_get(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let logo = organisation::logo::load(&state.db)
        .await?
        .ok_or(Error::NotFound("logo"))?;
    let cache_control = assets::cache_control(
        assets::requested_version(&request).as_deref(),
        &logo.updated_at.to_string(),
    );
    Ok(HttpResponse::Ok()
        .content_type(logo.content_type)
        .insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_DISPOSITION, "inline; filename=\"logo\""))
        .body(logo.bytes))
}
