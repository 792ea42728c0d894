//! How the domain's [`Error`] answers over HTTP. Under `/v1` it renders as RFC 9457
//! `application/problem+json`; the page areas turn problem documents into HTML pages of their
//! own (their error handlers), and localise field problems and conflicts by their type.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::Value;

use super::unavailable;
use crate::errors::{Error, FieldProblem};

/// A short machine-readable name of the problem, used in its `type` (one of
/// [`super::problem_types::ALL`]).
fn slug(error: &Error) -> &'static str {
    match error {
        Error::Malformed(_) => "bad-request",
        Error::Invalid(_) => "validation",
        Error::Unauthorized => "unauthorized",
        Error::Forbidden(_) => "forbidden",
        Error::NotFound(_) => "not-found",
        Error::Conflict(_) => "conflict",
        Error::TooLarge { .. } => "payload-too-large",
        Error::TooMany { .. } => "too-many-requests",
        Error::Unavailable { .. } => "unavailable",
        Error::BadGateway(_) => "bad-gateway",
        Error::StorageFull => "insufficient-storage",
        Error::Internal(_) => "internal",
    }
}

/// The problem document for `error`.
pub fn problem_of(error: &Error) -> ProblemDocument {
    let status = error.status_code();
    ProblemDocument {
        kind: format!("/problems/{}", slug(error)),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: error.to_string(),
        errors: match error {
            Error::Invalid(errors) => Some(errors.clone()),
            _ => None,
        },
        current: match error {
            Error::Conflict(conflict) => conflict.current().cloned(),
            _ => None,
        },
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemDocument {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// The HTTP status phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// Per-field problems (422 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldProblem>>,
    /// The resource as it is now (409 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<Value>,
}

impl ProblemDocument {
    /// As an HTTP response with the problem+json content type.
    pub fn into_response(self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = HttpResponse::build(status);
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        response.body(body)
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        match self {
            Error::Malformed(_) => StatusCode::BAD_REQUEST,
            Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Error::BadGateway(_) => StatusCode::BAD_GATEWAY,
            Error::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Error::Internal(cause) = self {
            // One line with the whole chain of causes (`{:#}`), so it is found with its id.
            tracing::error!(error = %format_args!("{cause:#}"), "request failed");
        }
        let mut response = problem_of(self).into_response();
        if let Some(seconds) = self.retry_after()
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        unavailable::tag(&mut response, self);
        response
    }
}
