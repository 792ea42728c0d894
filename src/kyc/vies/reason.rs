//! Why a VIES check has no verdict, or a negative one: the texts the portal stores (and the API
//! shows as `reason`, in English), and what kind of trouble each one names, so that a page can
//! say it in its reader's language. The texts are written here and read back here only.

/// VIES answered that the number is not registered.
pub const NOT_REGISTERED: &str = "VIES does not know this VAT number";
/// The call timed out.
pub const NO_ANSWER_IN_TIME: &str = "VIES did not answer in time";
/// The connection failed (followed by the transport's own words).
const UNREACHABLE: &str = "VIES could not be reached: ";
/// VIES answered with an error code (followed by the code and its message).
const ANSWERED_CODE: &str = "VIES answered ";
/// VIES answered HTTP 200 without `valid`.
pub const NO_VERDICT: &str = "VIES answered without a verdict";
/// VIES answered an HTTP error status (followed by the status).
const ANSWERED_HTTP: &str = "VIES answered HTTP ";
/// The check ran out of attempts (followed by the count and the last reason).
const GAVE_UP: &str = "VIES gave no answer after ";
/// The job itself could not finish (followed by the queue's words).
const NOT_COMPLETED: &str = "the check could not be completed: ";

/// The error codes of a member state's register that is down or busy.
const REGISTER_DOWN: [&str; 2] = ["MS_UNAVAILABLE", "MS_MAX_CONCURRENT_REQ"];
/// The error codes of VIES itself being down or busy.
const VIES_DOWN: [&str; 3] = [
    "SERVICE_UNAVAILABLE",
    "TIMEOUT",
    "GLOBAL_MAX_CONCURRENT_REQ",
];

/// The stored text for a failed connection.
pub fn unreachable(transport: &str) -> String {
    format!("{UNREACHABLE}{transport}")
}

/// The stored text for an error code in VIES's answer.
pub fn answered_code(code: &str, message: Option<&str>) -> String {
    match message {
        Some(message) if !message.is_empty() => format!("{ANSWERED_CODE}{code}: {message}"),
        _ => format!("{ANSWERED_CODE}{code}"),
    }
}

/// The stored text for an HTTP error status.
pub fn answered_http(status: impl std::fmt::Display) -> String {
    format!("{ANSWERED_HTTP}{status}")
}

/// The stored text when the attempts ran out.
pub fn gave_up(attempts: i64, last: &str) -> String {
    format!("{GAVE_UP}{attempts} attempts; the last: {last}")
}

/// The stored text when the job could not finish.
pub fn not_completed(error: &str) -> String {
    format!("{NOT_COMPLETED}{error}")
}

/// What kind of trouble a stored reason names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReasonKind {
    /// The number is not registered.
    NotRegistered,
    /// VIES took too long.
    NoAnswerInTime,
    /// VIES could not be reached.
    Unreachable,
    /// The member state's register is down or busy.
    RegisterDown,
    /// VIES itself is down or busy.
    ViesDown,
    /// VIES refused the request (e.g. `INVALID_INPUT`, `INVALID_REQUESTER_INFO`).
    Refused {
        /// VIES's error code.
        code: String,
    },
    /// VIES answered without a verdict, or with an HTTP error.
    NoVerdict,
    /// The attempts ran out; the last one's kind.
    GaveUp {
        /// How many times VIES was asked.
        attempts: i64,
        /// Why the last attempt failed.
        last: Box<ReasonKind>,
    },
    /// Anything else (the job could not finish, or a text from an older version).
    Other,
}

impl ReasonKind {
    /// The kind of a stored reason.
    pub fn of(reason: &str) -> ReasonKind {
        if reason == NOT_REGISTERED {
            ReasonKind::NotRegistered
        } else if reason == NO_ANSWER_IN_TIME {
            ReasonKind::NoAnswerInTime
        } else if reason.starts_with(UNREACHABLE) {
            ReasonKind::Unreachable
        } else if reason == NO_VERDICT || reason.starts_with(ANSWERED_HTTP) {
            ReasonKind::NoVerdict
        } else if let Some(rest) = reason.strip_prefix(GAVE_UP) {
            let (count, last) = rest
                .split_once(" attempts; the last: ")
                .unwrap_or((rest, ""));
            ReasonKind::GaveUp {
                attempts: count.parse().unwrap_or(0),
                last: Box::new(ReasonKind::of(last)),
            }
        } else if let Some(rest) = reason.strip_prefix(ANSWERED_CODE) {
            let code = rest.split(':').next().unwrap_or(rest).trim();
            if REGISTER_DOWN.contains(&code) {
                ReasonKind::RegisterDown
            } else if VIES_DOWN.contains(&code) {
                ReasonKind::ViesDown
            } else {
                ReasonKind::Refused {
                    code: code.to_owned(),
                }
            }
        } else {
            ReasonKind::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_written_is_read_back_as_its_kind() {
        assert_eq!(ReasonKind::of(NOT_REGISTERED), ReasonKind::NotRegistered);
        assert_eq!(
            ReasonKind::of(NO_ANSWER_IN_TIME),
            ReasonKind::NoAnswerInTime
        );
        let refused = "error sending request for url (http://127.0.0.1:9/): connection refused";
        assert_eq!(
            ReasonKind::of(&unreachable(refused)),
            ReasonKind::Unreachable
        );
        assert_eq!(ReasonKind::of(NO_VERDICT), ReasonKind::NoVerdict);
        assert_eq!(
            ReasonKind::of(&answered_http("502 Bad Gateway")),
            ReasonKind::NoVerdict
        );
        let down = answered_code("MS_UNAVAILABLE", Some("The member state is unavailable"));
        assert_eq!(ReasonKind::of(&down), ReasonKind::RegisterDown);
        assert_eq!(
            ReasonKind::of(&answered_code("TIMEOUT", None)),
            ReasonKind::ViesDown
        );
        assert_eq!(
            ReasonKind::of(&answered_code("INVALID_INPUT", Some(""))),
            ReasonKind::Refused {
                code: "INVALID_INPUT".into()
            }
        );
        assert_eq!(
            ReasonKind::of(&gave_up(12, &down)),
            ReasonKind::GaveUp {
                attempts: 12,
                last: Box::new(ReasonKind::RegisterDown)
            }
        );
        assert_eq!(
            ReasonKind::of(&not_completed("lease lost")),
            ReasonKind::Other
        );
    }
}
