//! `Retry-After` on pages (the API's problems carry it through `Error`).

use actix_web::HttpResponse;
use actix_web::http::header::{HeaderValue, RETRY_AFTER};

/// Says when trying again makes sense, in seconds, on a 429 or 503 page.
pub fn set(response: &mut HttpResponse, seconds: u64) {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
}
