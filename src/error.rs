//! The one error type of the request path. Under `/v1` it renders as RFC 9457
//! `application/problem+json`; the page areas render their own HTML from the same variants.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::Value;

/// One problem with one input field (422 responses list them all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field, as the caller spelled it (`address.country`, `contacts[0].email`).
    pub field: String,
    /// What is wrong, in plain words.
    pub message: String,
    /// A stable name of the problem for pages that word it themselves (not sent to API
    /// callers, who get `message`).
    #[serde(skip)]
    pub code: Option<&'static str>,
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
            code: None,
        }
    }

    /// The same problem, named by `code` for the pages.
    pub fn with_code(mut self, code: Option<&'static str>) -> FieldError {
        self.code = code;
        self
    }
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The body could not be read as the format it claims (broken JSON, bad multipart).
    #[error("{0}")]
    BadRequest(String),
    /// The input was understood but breaks the rules.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    /// No or an unknown credential.
    #[error("missing or invalid credentials")]
    Unauthorized,
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The resource does not exist (or is not the caller's to see).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request contradicts the current state; `current` is that state, when there is one.
    #[error("{detail}")]
    Conflict {
        /// What conflicts.
        detail: String,
        /// The resource as it is now.
        current: Option<Value>,
    },
    /// The body is larger than allowed.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Too many attempts; try again later.
    #[error("too many requests")]
    TooManyRequests,
    /// A service the request needs (the identity verification provider) is not set up or
    /// did not answer; trying again later may help.
    #[error("{0}")]
    Unavailable(String),
    /// A fault of ours. The cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    /// A 422 about one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    /// A 409 that carries the resource as it is now.
    pub fn conflict_with(detail: impl Into<String>, current: impl Serialize) -> AppError {
        AppError::Conflict {
            detail: detail.into(),
            current: serde_json::to_value(current).ok(),
        }
    }

    /// A 409 without a resource.
    pub fn conflict(detail: impl Into<String>) -> AppError {
        AppError::Conflict {
            detail: detail.into(),
            current: None,
        }
    }

    /// A short machine-readable name of the problem, used in its `type`.
    fn slug(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad-request",
            AppError::Validation(_) => "validation",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not-found",
            AppError::Conflict { .. } => "conflict",
            AppError::PayloadTooLarge(_) => "payload-too-large",
            AppError::TooManyRequests => "too-many-requests",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        Problem {
            kind: format!("/problems/{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            errors: match self {
                AppError::Validation(errors) => Some(errors.clone()),
                _ => None,
            },
            current: match self {
                AppError::Conflict { current, .. } => current.clone(),
                _ => None,
            },
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize)]
pub struct Problem {
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
    pub errors: Option<Vec<FieldError>>,
    /// The resource as it is now (409 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<Value>,
}

impl Problem {
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

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(cause) = self {
            tracing::error!(error = ?cause, "request failed");
        }
        self.problem().into_response()
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> AppError {
        AppError::Internal(anyhow::Error::new(e).context("database"))
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> AppError {
        AppError::Internal(e)
    }
}
