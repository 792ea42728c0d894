//! Conditional requests (RFC 9110 §13): an `ETag` on what a GET returns, `If-None-Match` that
//! answers 304 when the caller's copy is current, and the version a change is based on, from
//! the body's `version` or `If-Match` (both given: they must agree).

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::errors::{Error, Rule};

/// The entity tag of a response body: a hash of its bytes, so it changes with any field.
fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// Whether `If-None-Match` names `etag` (or is `*`); weak comparison, as for GET.
fn none_match(req: &HttpRequest, etag: &str) -> bool {
    let Some(value) = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag.trim_start_matches("W/"))
}

/// `value` as a 200 JSON response with `etag` (or one computed from the body), or a 304
/// without a body when the caller's `If-None-Match` already names it.
pub fn fresh_json<T: Serialize>(
    req: &HttpRequest,
    value: &T,
    etag: Option<String>,
) -> Result<HttpResponse, Error> {
    let body = serde_json::to_vec(value).map_err(|e| Error::Internal(e.into()))?;
    let etag = etag.unwrap_or_else(|| etag_of(&body));
    let mut response = if none_match(req, &etag) {
        HttpResponse::NotModified().finish()
    } else {
        HttpResponse::Ok()
            .insert_header((
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ))
            .body(body)
    };
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    Ok(response)
}

/// A resource's version as its entity tag: `"3"`.
pub fn version_tag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version the caller based a change on: `version` in the body, or `If-Match:
/// "<version>"`; when both are given and disagree, a 422 naming both.
pub fn expected_version(req: &HttpRequest, body: &serde_json::Value) -> Result<i64, Error> {
    let from_body = match body.get("version") {
        Some(version) => Some(
            version
                .as_i64()
                .filter(|v| *v >= 0)
                .ok_or_else(|| Error::invalid("version", Rule::Version))?,
        ),
        None => None,
    };
    let from_header = match req.headers().get(header::IF_MATCH) {
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .map(|text| text.trim().trim_start_matches("W/").trim_matches('"'))
                .and_then(|text| text.parse::<i64>().ok())
                .filter(|v| *v >= 0)
                .ok_or_else(|| Error::invalid("If-Match", Rule::IfMatch))?,
        ),
        None => None,
    };
    match (from_body, from_header) {
        (Some(body), Some(header)) if body != header => Err(Error::invalid(
            "If-Match",
            Rule::VersionsDisagree { body, header },
        )),
        (Some(version), _) | (None, Some(version)) => Ok(version),
        (None, None) => Err(Error::invalid("version", Rule::VersionRequired)),
    }
}
