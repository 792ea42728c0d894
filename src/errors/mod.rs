//! The domain's own vocabulary of what can go wrong. Nothing here knows HTTP: the faces map an
//! [`Error`] to a status and a problem document (the API) or to a page in the reader's language
//! (`crate::http::error`), from typed rules and conflicts rather than from English text.

pub mod availability;
mod conflict;
mod rule;

pub use conflict::{Conflict, Forbidden, Unavailability, Upstream};
pub use rule::{FieldProblem, Rule};

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request could not be read as the format it claims (broken JSON, bad multipart).
    #[error("{0}")]
    Malformed(String),
    /// The input was understood but breaks rules.
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldProblem>),
    /// No or an unknown credential.
    #[error("missing or invalid credentials")]
    Unauthorized,
    /// The caller may not do this.
    #[error("{}", .0.english())]
    Forbidden(Forbidden),
    /// The resource does not exist (or is not the caller's to see).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request contradicts the current state.
    #[error("{}", .0.english())]
    Conflict(Conflict),
    /// More bytes than allowed.
    #[error("{what} is larger than the limit of {max} bytes")]
    TooLarge {
        /// What was too large, in English ("the file", "the logo").
        what: &'static str,
        /// The limit.
        max: u64,
    },
    /// Too many attempts; try again after `retry_after` seconds.
    #[error("too many requests; try again in {retry_after} seconds")]
    TooMany {
        /// Seconds until the limit's window ends (`Retry-After`).
        retry_after: u64,
    },
    /// Something the request needs is not available now.
    #[error("{}", .what.english())]
    Unavailable {
        /// What is unavailable.
        what: Unavailability,
        /// Seconds after which trying again is sensible (`Retry-After`).
        retry_after: u64,
    },
    /// A service the portal depends on answered with something it cannot use.
    #[error("{}", .0.english())]
    BadGateway(Upstream),
    /// The disk of the document store or of the staging folder is full (or over its quota).
    #[error("there is no storage space left; the file was not kept, try again later")]
    StorageFull,
    /// A fault of ours. The cause is logged, never sent.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl Error {
    /// A problem with one field.
    pub fn invalid(field: impl Into<String>, rule: Rule) -> Error {
        Error::Invalid(vec![FieldProblem::new(field, rule)])
    }

    /// The `Retry-After` of a 429 or 503, in seconds.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Error::TooMany { retry_after } | Error::Unavailable { retry_after, .. } => {
                Some(*retry_after)
            }
            _ => None,
        }
    }

    /// `what` cannot be reached now; the caller may try again after a few seconds. Noted for
    /// the log, which says so once rather than once per request.
    pub fn unavailable(what: Unavailability, cause: &dyn std::fmt::Display) -> Error {
        availability::lost(what, cause);
        Error::Unavailable {
            what,
            retry_after: UNAVAILABLE_RETRY_AFTER,
        }
    }

    /// An unexpected fault, with what was being done.
    pub fn internal(context: &'static str, cause: impl Into<anyhow::Error>) -> Error {
        Error::Internal(cause.into().context(context))
    }
}

/// Seconds after which a request refused because the database or the store was unreachable
/// is worth repeating: a restart or failover takes about that long.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 5;

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Error {
        if crate::db::is_unavailable(&e) {
            Error::unavailable(Unavailability::Database, &e)
        } else {
            Error::Internal(anyhow::Error::new(e).context("database"))
        }
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Error {
        Error::Internal(e)
    }
}
