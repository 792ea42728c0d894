//! A 503 carries what was unavailable to the request metrics (`/metrics` counts 503s by
//! cause), also when a page area turns the problem into a page of its own.

use actix_web::HttpResponse;
use actix_web::http::header::RETRY_AFTER;

use crate::errors::Error;

/// What a 503 was unavailable for (`database`, `store`, ...), in the response's extensions.
#[derive(Debug, Clone, Copy)]
pub struct Cause(pub &'static str);

/// Marks `response` with the cause of `error`, when it is an unavailability.
pub fn tag(response: &mut HttpResponse, error: &Error) {
    if let Error::Unavailable { what, .. } = error {
        response.extensions_mut().insert(Cause(what.cause()));
    }
}

/// Carries the cause and `Retry-After` of `from` over to `to`, its replacement.
pub fn carry<B>(from: &actix_web::HttpResponse<B>, to: &mut HttpResponse) {
    if let Some(cause) = from.extensions().get::<Cause>().copied() {
        to.extensions_mut().insert(cause);
    }
    if let Some(value) = from.headers().get(RETRY_AFTER) {
        to.headers_mut().insert(RETRY_AFTER, value.clone());
    }
}
