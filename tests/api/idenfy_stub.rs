//! iDenfy on loopback: a stub of its token API (`POST /api/v2/token` with Basic auth, answering
//! like iDenfy with `authToken`, `scanRef`, `redirectUrl`, `expiryTime`) and a sender of
//! callbacks shaped like iDenfy's result webhooks, signed with `Idenfy-Signature`.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::helpers::*;

pub const IDENFY_API_KEY: &str = "idenfy-test-key";
pub const IDENFY_API_SECRET: &str = "idenfy-test-secret";
pub const IDENFY_CALLBACK_KEY: &str = "idenfy-callback-signing-key";

/// Answers a token request the way iDenfy does, echoing what it was given.
struct TokenAnswer {
    base: String,
    with_redirect_url: bool,
}

impl Respond for TokenAnswer {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            return ResponseTemplate::new(400)
                .set_body_json(json!({"message": "Invalid JSON", "identifier": "INVALID_BODY"}));
        };
        let Some(client_id) = body["clientId"].as_str() else {
            return ResponseTemplate::new(400).set_body_json(
                json!({"message": "clientId is required", "identifier": "MISSING_PARAMETER"}),
            );
        };
        let auth_token: String = uuid::Uuid::new_v4().simple().to_string();
        let upper = |field: &str| body[field].as_str().map(str::to_uppercase);
        let mut answer = json!({
            "message": "Token created successfully",
            "authToken": auth_token,
            "scanRef": uuid::Uuid::new_v4().to_string(),
            "clientId": client_id,
            "firstName": upper("firstName"),
            "lastName": upper("lastName"),
            "successUrl": null,
            "errorUrl": null,
            "unverifiedUrl": null,
            "callbackUrl": body["callbackUrl"],
            "locale": body["locale"],
            "country": null,
            "expiryTime": body["expiryTime"].as_i64().unwrap_or(3600),
            "sessionLength": 600,
            "documents": [],
            "tokenType": "IDENTIFICATION",
            "showInstructions": true,
            "digitString": "1234567890",
        });
        if self.with_redirect_url {
            answer["redirectUrl"] = json!(format!(
                "{}/api/v2/redirect?authToken={auth_token}",
                self.base
            ));
        }
        ResponseTemplate::new(201).set_body_json(answer)
    }
}

/// The stub: token requests with the right Basic auth get a session, others a 401 (from
/// wiremock's fallback, a 404, for any other path).
pub async fn idenfy_stub(with_redirect_url: bool) -> MockServer {
    let server = MockServer::start().await;
    let credentials = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{IDENFY_API_KEY}:{IDENFY_API_SECRET}"),
    );
    Mock::given(method("POST"))
        .and(path("/api/v2/token"))
        .and(header("authorization", format!("Basic {credentials}")))
        .respond_with(TokenAnswer {
            base: server.uri(),
            with_redirect_url,
        })
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"message": "Provided API key is invalid", "identifier": "UNAUTHORIZED"}),
        ))
        .mount(&server)
        .await;
    server
}

/// The token requests the stub answered, as JSON.
pub async fn token_requests(idenfy: &MockServer) -> Vec<Value> {
    idenfy
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/api/v2/token")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// An AML screening section as iDenfy sends it, suspecting the person or not.
pub fn aml_section(suspected: bool) -> Value {
    json!([{
        "status": {
            "serviceSuspected": suspected,
            "serviceUsed": true,
            "serviceFound": true,
            "checkSuccessful": true,
            "overallStatus": if suspected { "SUSPECTED" } else { "NOT_SUSPECTED" }
        },
        "data": if suspected { json!([{
            "name": "ERIKA", "surname": "MUSTERMANN", "nationality": "DE", "dob": "1980-01-01",
            "suspicion": "PEP", "reason": "Member of parliament", "listNumber": "1", "listName": "PEP list",
            "score": 97, "lastUpdate": "2026-01-01", "isPerson": true, "isActive": true,
            "checkDate": "2026-04-22 10:05:00"
        }]) } else { json!([]) },
        "serviceName": "PilotApiAmlV2",
        "serviceGroupType": "AML",
        "uid": "OHT8GR5ESRF5XROWE5ZGCC49H",
        "errorMessage": null
    }])
}

/// A result webhook as iDenfy posts it.
pub fn idenfy_result(
    scan_ref: &str,
    client_id: &str,
    overall: &str,
    is_final: bool,
    aml: Option<Value>,
) -> Value {
    let approved = overall == "APPROVED";
    json!({
        "final": is_final,
        "platform": "PC",
        "status": {
            "overall": overall,
            "suspicionReasons": [],
            "denyReasons": if overall == "DENIED" { json!(["DOC_NOT_FOUND"]) } else { json!([]) },
            "fraudTags": [],
            "mismatchTags": if overall == "SUSPECTED" { json!(["NAME"]) } else { json!([]) },
            "autoFace": if approved { "FACE_MATCH" } else { "FACE_MISMATCH" },
            "manualFace": null,
            "autoDocument": "DOC_VALIDATED",
            "manualDocument": null,
            "additionalSteps": null
        },
        "data": {
            "docFirstName": "ERIKA",
            "docLastName": "MUSTERMANN",
            "docNumber": "C01X00T47",
            "docPersonalCode": null,
            "docExpiry": "2031-08-01",
            "docDob": "1980-01-01",
            "docDateOfIssue": "2021-08-02",
            "docType": "ID_CARD",
            "docSex": "FEMALE",
            "docNationality": "DE",
            "docIssuingCountry": "DE",
            "manuallyDataChanged": false,
            "fullName": "ERIKA MUSTERMANN",
            "selectedCountry": "DE",
            "ageEstimate": "OVER_25",
            "clientIpProxyRiskLevel": "LOW",
            "duplicateFaces": [],
            "duplicateDocFaces": [],
            "additionalData": {}
        },
        "fileUrls": {
            "FRONT": "https://s3.eu-west-1.amazonaws.com/production.users.storage/users_storage/front.png",
            "FACE": "https://s3.eu-west-1.amazonaws.com/production.users.storage/users_storage/face.png"
        },
        "AML": aml,
        "LID": null,
        "scanRef": scan_ref,
        "externalRef": null,
        "clientId": client_id,
        "companyId": null,
        "beneficiaryId": null,
        "startTime": 1776852000,
        "finishTime": 1776852300,
        "clientIp": "192.0.2.10",
        "clientIpCountry": "DE",
        "clientLocation": "Berlin, Germany",
        "additionalStepPdfUrls": {}
    })
}

/// How a callback is signed.
#[derive(Debug, Clone, Copy)]
pub enum Signed {
    /// With the portal's callback key.
    Correctly,
    /// With another key.
    Wrongly,
    /// Not at all.
    Unsigned,
}

/// The hex HMAC-SHA256 of `body` under `key`, as iDenfy computes `Idenfy-Signature`.
pub fn idenfy_signature(key: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

impl TestApp {
    /// Posts `body` to the portal's iDenfy callback, signed as `signed` says.
    pub async fn idenfy_callback(&self, body: &Value, signed: Signed) -> reqwest::Response {
        let bytes = serde_json::to_vec(body).unwrap();
        let mut request = self
            .client
            .post(format!("{}/callbacks/idenfy", self.address))
            .header("content-type", "application/json");
        match signed {
            Signed::Correctly => {
                request = request.header(
                    "Idenfy-Signature",
                    idenfy_signature(IDENFY_CALLBACK_KEY, &bytes),
                );
            }
            Signed::Wrongly => {
                request = request.header(
                    "Idenfy-Signature",
                    idenfy_signature("some-other-key", &bytes),
                );
            }
            Signed::Unsigned => {}
        }
        request.body(bytes).send().await.expect("callback")
    }

    /// Creates an NT24_LED buyer (with `vat_number`) for a new seller; returns its path and
    /// the buyer.
    pub async fn create_nt24_buyer(&self, vat_number: &str) -> (String, Value) {
        let seller = self.create_seller().await;
        let mut body = reference_buyer();
        body["kycMode"] = json!("NT24_LED");
        body["vatNumber"] = json!(vat_number);
        let response = self.post_json(&buyers_path(&seller), &body).await;
        assert_eq!(response.status(), 201);
        let buyer = body_json(response).await;
        (buyer_path(&seller, &buyer), buyer)
    }

    /// Starts a verification (without the session email) and returns it.
    pub async fn start_verification(&self, buyer_path: &str) -> Value {
        let response = self
            .post_json(
                &format!("{buyer_path}/kyc/verify"),
                &json!({"sendEmail": false}),
            )
            .await;
        assert_eq!(response.status(), 201);
        body_json(response).await
    }

    /// The buyer's KYC status.
    pub async fn kyc_status(&self, buyer_path: &str) -> Value {
        let response = self.get(&format!("{buyer_path}/kyc")).await;
        assert_eq!(response.status(), 200);
        body_json(response).await
    }
}

/// Like `on_both_backends!`, with an iDenfy stub and a VIES stub on loopback that the portal
/// is pointed at, and the iDenfy credentials and callback key set.
#[macro_export]
macro_rules! with_idenfy_on_both_backends {
    ($(async fn $name:ident($app:ident, $idenfy:ident, $vies:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run(backend: $crate::helpers::Backend) {
                let $idenfy = $crate::idenfy_stub::idenfy_stub(true).await;
                let $vies = wiremock::MockServer::start().await;
                let (idenfy_url, vies_url) = ($idenfy.uri(), $vies.uri());
                let Some($app) = $crate::helpers::TestApp::spawn_with(backend, |s| {
                    s.idenfy_url = idenfy_url;
                    s.vies_url = vies_url;
                    s.idenfy_api_key = Some($crate::idenfy_stub::IDENFY_API_KEY.to_owned().into());
                    s.idenfy_api_secret = Some($crate::idenfy_stub::IDENFY_API_SECRET.to_owned().into());
                    s.idenfy_callback_key = Some($crate::idenfy_stub::IDENFY_CALLBACK_KEY.to_owned().into());
                }).await else { return };
                $body
            }
            $crate::tests_of_run_on_both_backends!();
        }
    )*};
}
