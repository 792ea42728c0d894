//! iDenfy on the wire: `POST {base}/api/v2/token` (Basic auth with the API key and secret)
//! opens a session; its callback posts the result as JSON signed with `Idenfy-Signature`
//! (the hex HMAC-SHA256 of the raw body under the callback signing key).

use std::time::Duration;

use futures_util::future::BoxFuture;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;

use super::model::{ProviderResult, ProviderVerdict, VerifiedPerson};
use super::provider::{ProviderError, Session, SessionRequest, VerificationProvider};
use crate::config::Settings;

/// The provider's name as stored.
pub const IDENFY: &str = "IDENFY";

/// A client of iDenfy's token API.
pub struct IdenfyClient {
    http: reqwest::Client,
    base_url: String,
    credentials: Option<(SecretString, SecretString)>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenRequest<'a> {
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<&'a str>,
    callback_url: &'a str,
    locale: &'a str,
    expiry_time: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenResponse {
    auth_token: String,
    scan_ref: String,
    redirect_url: Option<String>,
    expiry_time: Option<i64>,
}

impl IdenfyClient {
    /// A client for the settings' iDenfy account; without credentials every start fails with
    /// [`ProviderError::NotConfigured`].
    pub fn new(settings: &Settings, timeout: Duration) -> Result<IdenfyClient, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let credentials = settings
            .idenfy_api_key
            .clone()
            .zip(settings.idenfy_api_secret.clone());
        Ok(IdenfyClient {
            http,
            base_url: settings.idenfy_url.trim_end_matches('/').to_owned(),
            credentials,
        })
    }

    async fn token(&self, request: &SessionRequest<'_>) -> Result<Session, ProviderError> {
        let Some((key, secret)) = &self.credentials else {
            return Err(ProviderError::NotConfigured);
        };
        let body = TokenRequest {
            client_id: request.client_id,
            first_name: request.first_name,
            last_name: request.last_name,
            callback_url: request.callback_url,
            locale: request.language.code(),
            expiry_time: request.lifetime_secs,
        };
        let response = self
            .http
            .post(format!("{}/api/v2/token", self.base_url))
            .basic_auth(key.expose_secret(), Some(secret.expose_secret()))
            .json(&body)
            .send()
            .await
            .map_err(|e| ProviderError::Failed(format!("token request: {e}")))?;
        let status = response.status();
        if !status.is_success() {
            // iDenfy's error bodies name the problem (`{"message": ..., "identifier": ...}`);
            // they carry no secret, so keep a little of it for the operator.
            let text = response.text().await.unwrap_or_default();
            let excerpt: String = text.chars().take(300).collect();
            return Err(ProviderError::Failed(format!(
                "token request answered {status}: {excerpt}"
            )));
        }
        let token: TokenResponse = response
            .json()
            .await
            .map_err(|e| ProviderError::Failed(format!("token answer unreadable: {e}")))?;
        let session_url = token
            .redirect_url
            .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
            .unwrap_or_else(|| {
                format!(
                    "{}/api/v2/redirect?authToken={}",
                    self.base_url, token.auth_token
                )
            });
        Ok(Session {
            scan_ref: token.scan_ref,
            auth_token: token.auth_token,
            session_url,
            lifetime_secs: token.expiry_time.unwrap_or(request.lifetime_secs),
        })
    }
}

impl VerificationProvider for IdenfyClient {
    fn name(&self) -> &'static str {
        IDENFY
    }

    fn callback_path(&self) -> &'static str {
        "/callbacks/idenfy"
    }

    fn start_session<'a>(
        &'a self,
        request: &'a SessionRequest<'a>,
    ) -> BoxFuture<'a, Result<Session, ProviderError>> {
        Box::pin(self.token(request))
    }
}

/// Whether `signature` (the `Idenfy-Signature` header: hex) is the HMAC-SHA256 of `body`
/// under `key`. The comparison takes the same time wherever the first difference is.
pub fn signature_is_valid(key: &SecretString, body: &[u8], signature: &str) -> bool {
    let Ok(claimed) = hex::decode(signature.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.expose_secret().as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&claimed).is_ok()
}

/// What a callback means for the portal.
#[derive(Debug, Clone, PartialEq)]
pub enum Callback {
    /// A final result.
    Final(ProviderResult),
    /// An interim result (`final: false`): a manual review at iDenfy follows.
    Interim {
        /// The session.
        scan_ref: String,
    },
    /// A final status the portal does not act on (e.g. `REVIEWING`).
    Unknown {
        /// The session.
        scan_ref: String,
        /// iDenfy's status.
        status: String,
    },
}

#[derive(Deserialize)]
struct CallbackBody {
    #[serde(rename = "final")]
    is_final: bool,
    #[serde(rename = "scanRef")]
    scan_ref: String,
    status: Value,
    #[serde(rename = "AML", default)]
    aml: Option<Value>,
    #[serde(default)]
    data: Value,
}

/// The person the document names (`data.docFirstName`, `docLastName`, `docDob`); None
/// without both names.
fn verified_person(data: &Value) -> Option<VerifiedPerson> {
    let text = |field: &str| {
        data[field]
            .as_str()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    Some(VerifiedPerson {
        first_name: text("docFirstName")?,
        last_name: text("docLastName")?,
        birth_date: text("docDob"),
    })
}

/// Reads a (signature-checked) callback body: `final`, `scanRef`, `status.overall` and the
/// `AML` screening array, and the name and date of birth the document shows. Everything else
/// (the rest of the document data, photos' URLs) is not kept.
pub fn parse_callback(body: &[u8]) -> Result<Callback, String> {
    let body: CallbackBody =
        serde_json::from_slice(body).map_err(|e| format!("not an iDenfy callback: {e}"))?;
    if !body.is_final {
        return Ok(Callback::Interim {
            scan_ref: body.scan_ref,
        });
    }
    let overall = body.status["overall"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let verdict = match overall.as_str() {
        "APPROVED" => ProviderVerdict::Approved,
        "DENIED" => ProviderVerdict::Denied,
        "SUSPECTED" => ProviderVerdict::Suspected,
        "EXPIRED" | "EXPIRED-DELETED" => ProviderVerdict::Expired,
        _ => {
            return Ok(Callback::Unknown {
                scan_ref: body.scan_ref,
                status: overall,
            });
        }
    };
    let aml = body.aml.filter(|a| !a.is_null());
    let aml_hit =
        aml.as_ref().is_some_and(aml_found_something) || status_has_aml_match(&body.status);
    Ok(Callback::Final(ProviderResult {
        scan_ref: body.scan_ref,
        verdict,
        provider_status: overall,
        details: body.status,
        aml,
        aml_hit,
        person: verified_person(&body.data),
    }))
}

/// An AML service that suspects the person (`status.serviceSuspected`, or an
/// `overallStatus` of `SUSPECTED`) is a hit; a service that merely ran (`serviceUsed`,
/// `checkSuccessful`) and found nothing suspicious is not.
fn aml_found_something(aml: &Value) -> bool {
    aml.as_array().is_some_and(|services| {
        services.iter().any(|service| {
            let status = &service["status"];
            status["serviceSuspected"].as_bool() == Some(true)
                || status["overallStatus"].as_str() == Some("SUSPECTED")
        })
    })
}

/// The status section's own summary of the screening (`pepsStatus`, `sanctionsStatus`,
/// `adverseMediaStatus`): `MATCH` or `SUSPECTED` is a hit.
fn status_has_aml_match(status: &Value) -> bool {
    ["pepsStatus", "sanctionsStatus", "adverseMediaStatus"]
        .iter()
        .any(|field| matches!(status[*field].as_str(), Some("MATCH" | "SUSPECTED")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn callback(overall: &str, is_final: bool, aml: Value) -> Vec<u8> {
        json!({
            "final": is_final,
            "platform": "PC",
            "status": {"overall": overall, "fraudTags": [], "mismatchTags": [], "autoFace": "FACE_MATCH",
                       "manualFace": null, "autoDocument": "DOC_VALIDATED", "manualDocument": null},
            "data": {"docFirstName": "ERIKA", "docLastName": "MUSTERMANN"},
            "fileUrls": {},
            "scanRef": "scan-1",
            "clientId": "buyer-1",
            "AML": aml,
        })
        .to_string()
        .into_bytes()
    }

    fn aml_service(suspected: bool) -> Value {
        json!([{"status": {"serviceSuspected": suspected, "serviceUsed": true, "serviceFound": true,
                           "checkSuccessful": true, "overallStatus": if suspected {"SUSPECTED"} else {"NOT_SUSPECTED"}},
                "serviceName": "PilotApiAmlV2", "serviceGroupType": "AML", "uid": "u1", "errorMessage": null, "data": []}])
    }

    #[test]
    fn only_the_exact_hmac_of_the_body_is_a_valid_signature() {
        let key = SecretString::from("callback-key");
        let body = b"{\"final\":true}";
        let mut mac = Hmac::<Sha256>::new_from_slice(b"callback-key").unwrap();
        mac.update(body);
        let good = hex::encode(mac.finalize().into_bytes());
        assert!(signature_is_valid(&key, body, &good));
        assert!(signature_is_valid(&key, body, &good.to_uppercase()));
        assert!(!signature_is_valid(&key, b"{\"final\":false}", &good));
        assert!(!signature_is_valid(
            &SecretString::from("other"),
            body,
            &good
        ));
        assert!(!signature_is_valid(&key, body, "not hex"));
        assert!(!signature_is_valid(&key, body, &good[..62]));
    }

    #[test]
    fn final_callbacks_carry_a_verdict_and_interim_ones_do_not() {
        let Callback::Final(result) =
            parse_callback(&callback("APPROVED", true, Value::Null)).unwrap()
        else {
            panic!("a final callback");
        };
        assert_eq!(result.verdict, ProviderVerdict::Approved);
        assert_eq!(result.scan_ref, "scan-1");
        assert!(!result.aml_hit);
        assert_eq!(result.aml, None);
        assert_eq!(
            result.person,
            Some(VerifiedPerson {
                first_name: "ERIKA".into(),
                last_name: "MUSTERMANN".into(),
                birth_date: None,
            })
        );
        assert_eq!(
            parse_callback(&callback("APPROVED", false, Value::Null)).unwrap(),
            Callback::Interim {
                scan_ref: "scan-1".into()
            }
        );
        assert!(matches!(
            parse_callback(&callback("REVIEWING", true, Value::Null)).unwrap(),
            Callback::Unknown { .. }
        ));
        assert!(parse_callback(b"[]").is_err());
    }

    #[test]
    fn a_suspecting_aml_service_is_a_hit_and_a_clean_one_is_not() {
        let Callback::Final(hit) =
            parse_callback(&callback("APPROVED", true, aml_service(true))).unwrap()
        else {
            panic!("a final callback");
        };
        assert!(hit.aml_hit);
        assert_eq!(hit.aml, Some(aml_service(true)));
        let Callback::Final(clean) =
            parse_callback(&callback("APPROVED", true, aml_service(false))).unwrap()
        else {
            panic!("a final callback");
        };
        assert!(!clean.aml_hit);
    }
}
