//! The EU VIES REST service on the wire: `POST {base}/check-vat-number` with the number split
//! into its country prefix (`EL` for Greece, `XI` for Northern Ireland) and national part.
//!
//! VIES reports trouble in more than one way: an HTTP 4xx/5xx, or an HTTP 200 whose body says
//! `{"actionSucceed": false, "errorWrappers": [{"error": "MS_UNAVAILABLE", ...}]}`. A 200 is a
//! verdict only when it carries `valid`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::reason;
use crate::kyc::vat::VatNumber;

/// Error codes that mean "not now": the member state's service or VIES itself is busy or down.
const TEMPORARY_ERRORS: [&str; 5] = [
    "MS_UNAVAILABLE",
    "SERVICE_UNAVAILABLE",
    "TIMEOUT",
    "MS_MAX_CONCURRENT_REQ",
    "GLOBAL_MAX_CONCURRENT_REQ",
];

/// What VIES said about a number, kept as evidence of the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the number is registered for intra-EU trade.
    pub valid: bool,
    /// VIES's own time of the request.
    pub request_date: Option<String>,
    /// The consultation number (only when a requester VAT number was sent).
    pub request_identifier: Option<String>,
    /// The registered name, where the member state shares it.
    pub name: Option<String>,
    /// The registered address, where the member state shares it.
    pub address: Option<String>,
}

/// Why VIES gave no verdict.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViesFailure {
    /// Worth asking again later (busy, down, timed out).
    #[error("{0}")]
    Temporary(String),
    /// Asking again will not help (the request itself was refused).
    #[error("{0}")]
    Permanent(String),
}

/// A client of the VIES REST service.
#[derive(Clone)]
pub struct ViesClient {
    http: reqwest::Client,
    check_url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckRequest<'a> {
    country_code: &'a str,
    vat_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    requester_member_state_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    requester_number: Option<&'a str>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct CheckResponse {
    valid: Option<bool>,
    request_date: Option<String>,
    request_identifier: Option<String>,
    name: Option<String>,
    address: Option<String>,
    user_error: Option<String>,
    #[serde(default)]
    error_wrappers: Vec<ErrorWrapper>,
}

#[derive(Deserialize)]
struct ErrorWrapper {
    error: Option<String>,
    message: Option<String>,
}

impl ViesClient {
    /// A client for the service at `base_url` whose calls give up after `timeout`.
    pub fn new(base_url: &str, timeout: Duration) -> Result<ViesClient, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(ViesClient {
            http,
            check_url: format!("{}/check-vat-number", base_url.trim_end_matches('/')),
        })
    }

    /// Asks VIES about `number`, naming `requester` (the marketplace's own number) if given.
    pub async fn check(
        &self,
        number: &VatNumber,
        requester: Option<&VatNumber>,
    ) -> Result<Verdict, ViesFailure> {
        let request = CheckRequest {
            country_code: number.country_prefix(),
            vat_number: number.national_part(),
            requester_member_state_code: requester.map(VatNumber::country_prefix),
            requester_number: requester.map(VatNumber::national_part),
        };
        let response = self
            .http
            .post(&self.check_url)
            .json(&request)
            .send()
            .await
            .map_err(|e| transport_failure(&e))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| transport_failure(&e))?;
        interpret(status, &body)
    }
}

fn transport_failure(error: &reqwest::Error) -> ViesFailure {
    if error.is_timeout() {
        ViesFailure::Temporary(reason::NO_ANSWER_IN_TIME.into())
    } else {
        ViesFailure::Temporary(reason::unreachable(&error.to_string()))
    }
}

/// Turns an answer into a verdict or a failure, looking at the error codes in the body first
/// (they come with any HTTP status), then at `valid`, then at the HTTP status.
fn interpret(status: reqwest::StatusCode, body: &[u8]) -> Result<Verdict, ViesFailure> {
    let parsed: Option<CheckResponse> = serde_json::from_slice(body).ok();
    let parsed = parsed.unwrap_or_default();
    let code = parsed
        .error_wrappers
        .iter()
        .find_map(|w| w.error.clone().map(|e| (e, w.message.clone())))
        .or_else(|| {
            parsed
                .user_error
                .clone()
                .filter(|e| e != "VALID" && e != "INVALID")
                .map(|e| (e, None))
        });
    if let Some((code, message)) = code {
        let text = reason::answered_code(&code, message.as_deref());
        return Err(if TEMPORARY_ERRORS.contains(&code.as_str()) {
            ViesFailure::Temporary(text)
        } else {
            ViesFailure::Permanent(text)
        });
    }
    match parsed.valid {
        Some(valid) if status.is_success() => Ok(Verdict {
            valid,
            request_date: parsed.request_date,
            request_identifier: parsed.request_identifier.filter(|s| !s.is_empty()),
            name: shared(parsed.name),
            address: shared(parsed.address),
        }),
        _ if status.is_success() => Err(ViesFailure::Temporary(reason::NO_VERDICT.into())),
        _ if status.is_server_error()
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            || status == reqwest::StatusCode::REQUEST_TIMEOUT =>
        {
            Err(ViesFailure::Temporary(reason::answered_http(status)))
        }
        _ => Err(ViesFailure::Permanent(reason::answered_http(status))),
    }
}

/// Member states that do not share a trader's details answer "---".
fn shared(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty() && v.trim() != "---")
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    #[test]
    fn a_200_with_valid_is_a_verdict_with_its_evidence() {
        let body = br#"{"countryCode":"DE","vatNumber":"136695976","requestDate":"2026-04-22T10:01:30.000Z",
            "valid":true,"requestIdentifier":"WAPIAAAAY1234","name":"---","address":"---"}"#;
        let verdict = interpret(StatusCode::OK, body).unwrap();
        assert!(verdict.valid);
        assert_eq!(verdict.request_identifier.as_deref(), Some("WAPIAAAAY1234"));
        assert_eq!(verdict.name, None, "--- means not shared");
    }

    #[test]
    fn an_error_code_in_a_200_body_is_not_a_verdict() {
        let body = br#"{"actionSucceed":false,"errorWrappers":[{"error":"MS_UNAVAILABLE","message":"down"}]}"#;
        assert!(matches!(
            interpret(StatusCode::OK, body),
            Err(ViesFailure::Temporary(_))
        ));
    }

    #[test]
    fn a_refused_request_is_permanent_and_a_server_error_temporary() {
        let body = br#"{"actionSucceed":false,"errorWrappers":[{"error":"INVALID_INPUT"}]}"#;
        assert!(matches!(
            interpret(StatusCode::BAD_REQUEST, body),
            Err(ViesFailure::Permanent(_))
        ));
        assert!(matches!(
            interpret(StatusCode::BAD_GATEWAY, b"<html>"),
            Err(ViesFailure::Temporary(_))
        ));
        assert!(matches!(
            interpret(StatusCode::OK, b"{}"),
            Err(ViesFailure::Temporary(_))
        ));
    }
}
