//! What lives outside the portal, on loopback: a VIES stub speaking the EU REST API's JSON, a
//! webhook receiver, and the reference Standard Webhooks library (Python) to verify what the
//! receiver got.

use std::future::Future;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::*;

/// Polls `probe` until it yields a value, for at most fifteen seconds.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: not reached in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A VIES answer with a verdict, as the EU REST API writes it.
pub fn vies_verdict(country: &str, number: &str, valid: bool) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "countryCode": country,
        "vatNumber": number,
        "requestDate": "2026-04-22T10:01:30.123Z",
        "valid": valid,
        "requestIdentifier": "",
        "name": if valid { "AUTOHANDEL MUSTERMANN GMBH" } else { "---" },
        "address": if valid { "HAUPTSTRASSE 42\n10115 BERLIN" } else { "---" },
        "traderName": "",
        "traderStreet": "",
        "traderPostalCode": "",
        "traderCity": "",
        "traderCompanyType": "",
        "traderNameMatch": "NOT_PROCESSED",
        "traderStreetMatch": "NOT_PROCESSED",
        "traderPostalCodeMatch": "NOT_PROCESSED",
        "traderCityMatch": "NOT_PROCESSED",
        "traderCompanyTypeMatch": "NOT_PROCESSED"
    }))
}

/// A VIES error answer: `{"actionSucceed": false, "errorWrappers": [...]}` with an HTTP status.
pub fn vies_error(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "actionSucceed": false,
        "errorWrappers": [{ "error": code, "message": format!("{code} (stub)") }]
    }))
}

/// `POST /check-vat-number` on the stub.
pub fn check_vat_number() -> wiremock::MockBuilder {
    Mock::given(method("POST")).and(path("/check-vat-number"))
}

/// The JSON bodies VIES received.
pub async fn vies_requests(vies: &MockServer) -> Vec<Value> {
    vies.received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

impl TestApp {
    /// Creates a buyer with `vat_number` for a new seller; returns (seller id, buyer).
    pub async fn create_buyer_with_vat(&self, vat_number: &str) -> (String, Value) {
        let seller = self.create_seller().await;
        let mut body = reference_buyer();
        body["vatNumber"] = json!(vat_number);
        let response = self.post_json(&buyers_path(&seller), &body).await;
        assert_eq!(response.status(), 201);
        (seller, body_json(response).await)
    }

    /// Asks for a VIES check and waits until it is settled; returns the settled check.
    pub async fn settled_vies_check(&self, buyer_path: &str) -> Value {
        let response = self
            .post_json(&format!("{buyer_path}/kyc/vies-check"), &json!({}))
            .await;
        assert_eq!(response.status(), 202);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        eventually("the VIES check settles", || async {
            let check = body_json(self.get(&location).await).await;
            (check["status"] == "COMPLETED").then_some(check)
        })
        .await
    }

    /// Subscribes `url` to `events`; returns the created endpoint (with its secret).
    pub async fn subscribe(&self, url: &str, events: &[&str]) -> Value {
        let response = self
            .post_json(
                "/v1/webhook-endpoints",
                &json!({"url": url, "events": events}),
            )
            .await;
        assert_eq!(response.status(), 201);
        body_json(response).await
    }
}

/// A webhook receiver answering 200 to every POST.
pub async fn receiver() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    server
}

/// A delivery as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

fn received(request: &Request) -> Received {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .unwrap_or_else(|| panic!("a delivery without {name}"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: String::from_utf8(request.body.clone()).unwrap(),
    }
}

/// Every POST the receiver got, oldest first.
pub async fn deliveries(receiver: &MockServer) -> Vec<Received> {
    receiver
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.method == wiremock::http::Method::POST)
        .map(received)
        .collect()
}

/// Waits until the receiver got `count` deliveries; returns them.
pub async fn await_deliveries(receiver: &MockServer, count: usize) -> Vec<Received> {
    eventually(&format!("{count} deliveries arrive"), || async {
        let got = deliveries(receiver).await;
        (got.len() >= count).then_some(got)
    })
    .await
}

const VERIFY_SCRIPT: &str = r#"
import json, sys
from standardwebhooks.webhooks import Webhook
request = json.load(sys.stdin)
webhook = Webhook(request["secret"])
for d in request["deliveries"]:
    headers = {"webhook-id": d["id"], "webhook-timestamp": d["timestamp"], "webhook-signature": d["signature"]}
    webhook.verify(d["body"], headers)
    # A control: the same delivery with one byte more must be refused.
    try:
        webhook.verify(d["body"] + " ", headers)
    except Exception:
        pass
    else:
        sys.exit("a tampered body verified")
print("verified", len(request["deliveries"]))
"#;

/// Verifies each delivery with the reference `standardwebhooks` library (Python), which
/// raises on a bad signature or a stale timestamp. Skipped, and said so, where the library
/// is missing, unless `KYC_TEST_REQUIRE_ALL=1`.
pub fn verify_with_standard_webhooks(secret: &str, deliveries: &[Received]) {
    let available = tool_available(
        "the standardwebhooks Python package",
        &["python3", "-c", "import standardwebhooks"],
        "pip install standardwebhooks",
    );
    if !available {
        return;
    }
    let request = json!({
        "secret": secret,
        "deliveries": deliveries.iter().map(|d| json!({
            "id": d.id, "timestamp": d.timestamp, "signature": d.signature, "body": d.body,
        })).collect::<Vec<_>>(),
    });
    let output = run_python(VERIFY_SCRIPT, &request);
    assert!(
        output.status.success(),
        "the reference library refused a delivery: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("verified {}", deliveries.len())
    );
}

/// Like `on_both_backends!`, with a VIES stub on loopback that the portal is pointed at.
#[macro_export]
macro_rules! with_vies_on_both_backends {
    ($(async fn $name:ident($app:ident, $vies:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run(backend: $crate::helpers::Backend) {
                let $vies = wiremock::MockServer::start().await;
                let url = $vies.uri();
                let Some($app) = $crate::helpers::TestApp::spawn_with(backend, |s| s.vies_url = url).await else { return };
                $body
            }
            $crate::tests_of_run_on_both_backends!();
        }
    )*};
}
