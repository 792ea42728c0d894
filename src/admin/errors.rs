//! Errors on staff pages: an HTML page in the user's language that says what went wrong,
//! never the API's problem+json.

use actix_web::HttpResponse;
use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::ErrorHandlerResponse;
use askama::Template;

use super::page::Chrome;
use crate::http::unavailable;

/// A page with a heading and a sentence.
#[derive(Template)]
#[template(path = "admin/message.html")]
pub struct MessageView {
    /// The frame.
    pub chrome: Chrome,
    /// What happened.
    pub text: String,
}

/// Any problem+json that escaped a staff handler, as a page. Validation and conflict details
/// are shown (they say what to correct); internal errors only say that something failed.
pub fn error_page<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let l = super::page::language_without_session(res.request());
    let status = res.status();
    let (title, text) = match status {
        StatusCode::NOT_FOUND => ("admin-error-not-found-title", "admin-error-not-found"),
        StatusCode::FORBIDDEN => ("admin-error-forbidden-title", "admin-error-forbidden"),
        StatusCode::CONFLICT => ("admin-error-conflict-title", "admin-error-conflict"),
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => {
            ("admin-error-invalid-title", "admin-error-invalid")
        }
        StatusCode::SERVICE_UNAVAILABLE => {
            ("admin-error-unavailable-title", "admin-error-unavailable")
        }
        StatusCode::INSUFFICIENT_STORAGE => ("admin-error-full-title", "admin-error-full"),
        _ => ("admin-error-title", "admin-error-generic"),
    };
    let view = MessageView {
        chrome: Chrome::anonymous(
            l,
            l.text(title),
            res.request().uri().to_string(),
            String::new(),
        ),
        text: l.text(text),
    };
    let body = view.render().unwrap_or_default();
    let (req, problem) = res.into_parts();
    let mut response = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body);
    unavailable::carry(&problem, &mut response);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}
