//! The JSON API under `/v1`, for seller systems. Every route needs a Bearer token; every error is
//! problem+json.

mod auth;
mod body;
mod buyers;
mod callbacks;
mod conditional;
mod docs;
mod documents;
mod endings;
mod export;
mod idempotent;
mod invitations;
mod kyc;
pub mod openapi;
mod organisation;
mod partners;
mod problems;
mod profile;
mod query;
mod verification;
mod webhooks;

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, ErrorHandlerResponse, ErrorHandlers, from_fn};
use actix_web::{HttpResponse, ResponseError, web};

use crate::errors::{Error, Rule};
use crate::http::error::ProblemDocument;
use crate::http::problem_types;

/// Mounts `/v1`, and beside it what needs no API token: the profile signing key and the
/// providers' callbacks.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // Before the `/v1` scope, so that its token check never sees these.
    cfg.configure(openapi::configure_public)
        .configure(docs::configure)
        .configure(profile::configure_public)
        .configure(problems::configure)
        .configure(callbacks::configure);
    cfg.service(
        web::scope("/v1")
            .wrap(ErrorHandlers::new().default_handler(problem_for_bare_errors))
            .wrap(from_fn(auth::require_api_token))
            .wrap(
                DefaultHeaders::new()
                    .add((header::CACHE_CONTROL, "no-store"))
                    .add((
                        header::CONTENT_SECURITY_POLICY,
                        "default-src 'none'; frame-ancestors 'none'",
                    )),
            )
            .app_data(web::PayloadConfig::new(1024 * 1024))
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                Error::invalid("query", Rule::Malformed(e.to_string())).into()
            }))
            .configure(organisation::configure)
            .configure(partners::configure)
            .configure(buyers::configure)
            .configure(endings::configure)
            .configure(export::configure)
            .configure(documents::configure)
            .configure(invitations::configure)
            .configure(kyc::configure)
            .configure(verification::configure)
            .configure(profile::configure)
            .configure(webhooks::configure)
            .default_service(web::to(not_found)),
    );
}

async fn not_found() -> Result<HttpResponse, Error> {
    Err(Error::NotFound("resource"))
}

/// Errors raised by actix itself (405, 413 from the payload limit, ...) come with an empty or
/// plain-text body; under `/v1` they become problem+json too.
fn problem_for_bare_errors<B>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let detail = match status.as_u16() {
        405 => "this method is not allowed here".to_owned(),
        413 => "the request body is too large".to_owned(),
        _ => status.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    // Every problem names its kind the same way; a status outside the catalogue is reported
    // as the portal's own fault rather than as a type that explains nothing.
    let kind = problem_types::by_status(status)
        .or_else(|| problem_types::by_slug("internal"))
        .map_or_else(|| "/problems/internal".to_owned(), |p| p.uri());
    let problem = ProblemDocument {
        kind,
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail,
        errors: None,
        current: None,
    };
    let (req, original) = res.into_parts();
    let mut response: HttpResponse<BoxBody> = problem.into_response();
    if let Some(allow) = original.headers().get(header::ALLOW) {
        response.headers_mut().insert(header::ALLOW, allow.clone());
    }
    let response = ServiceResponse::new(req, response).map_into_right_body::<B>();
    Ok(ErrorHandlerResponse::Response(response))
}

/// A JSON response with a status.
fn json<T: serde::Serialize>(status: actix_web::http::StatusCode, value: &T) -> HttpResponse {
    match serde_json::to_vec(value) {
        Ok(body) => HttpResponse::build(status)
            .insert_header((
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ))
            .body(body),
        Err(e) => Error::Internal(e.into()).error_response(),
    }
}
