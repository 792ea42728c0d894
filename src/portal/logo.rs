//! `GET /kyc/logo`: the organisation's logo, public (the buyer's pages and emails show it),
//! cacheable, and typed by what was checked at upload, never sniffed.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::errors::Error;
use crate::organisation;
use crate::state::AppState;

/// `GET /kyc/logo` — anyone: 404 while there is none. Pages and emails ask for it with the
/// logo's version in the query, so a new logo is fetched at once despite the caching.
pub async fn logo_get(state: web::Data<AppState>) -> Result<HttpResponse, Error> {
    let logo = organisation::logo::load(&state.db)
        .await?
        .ok_or(Error::NotFound("logo"))?;
    Ok(HttpResponse::Ok()
        .content_type(logo.content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_DISPOSITION, "inline; filename=\"logo\""))
        .body(logo.bytes))
}
