//! The OpenAPI document: served without a token, 3.1 with webhooks and the bearer scheme, and
//! every `/v1` route the code mounts is in it with a description (and nothing else is); the
//! reference page renders it.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::expect_problem;
use crate::on_both_backends;

/// (METHOD, path) of every route the API's `configure` functions mount under `/v1`, read from
/// the sources so that a new route cannot be missed.
fn mounted_routes() -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // Not under the token-guarded /v1 scope: the providers' callbacks, the public key,
        // the document itself and the pages.
        if [
            "callbacks.rs",
            "openapi.rs",
            "docs.rs",
            "problems.rs",
            "mod.rs",
        ]
        .contains(&name.as_str())
        {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        let Some(start) = source.find("pub fn configure(") else {
            continue;
        };
        let body = &source[start..];
        let body = &body[..body.find("\n}\n").unwrap()];
        for (i, chunk) in body.split("web::resource(\"").enumerate() {
            if i == 0 {
                continue;
            }
            let resource = &chunk[..chunk.find('"').unwrap()];
            for method in ["get", "post", "patch", "put", "delete"] {
                if chunk.contains(&format!("web::{method}()")) {
                    routes.insert((method.to_uppercase(), format!("/v1{resource}")));
                }
            }
        }
    }
    routes
}

fn documented(document: &Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let described = [&operation["summary"], &operation["description"]]
                .iter()
                .any(|t| t.as_str().is_some_and(|t| !t.trim().is_empty()));
            assert!(described, "{method} {path} has no description");
            operations.insert((method.to_uppercase(), path.clone()));
        }
    }
    operations
}

#[test]
fn the_route_reader_finds_the_routes() {
    let routes = mounted_routes();
    assert!(
        routes.contains(&("POST".into(), "/v1/partners/{sellerId}/buyers".into())),
        "{routes:?}"
    );
    assert!(routes.contains(&("DELETE".into(), "/v1/webhook-endpoints/{endpointId}".into())));
    assert!(routes.len() >= 39, "{}", routes.len());
}

#[test]
fn every_mounted_route_is_documented_with_a_description_and_nothing_else_is() {
    let document = kyc_portal::api::openapi::document().unwrap();
    let documented = documented(&document);
    let mounted = mounted_routes();
    let missing: Vec<_> = mounted.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "routes without a description: {missing:?}"
    );
    let stale: Vec<_> = documented.difference(&mounted).collect();
    assert!(stale.is_empty(), "documented but not mounted: {stale:?}");
}

on_both_backends! {
    async fn the_document_is_served_without_a_token_and_describes_the_contract(app) {
        let response = reqwest::get(format!("{}/v1/openapi.json", app.address)).await.unwrap();
        assert_eq!(response.status(), 200);
        let document: Value = response.json().await.unwrap();
        assert_eq!(document["openapi"], "3.1.0");
        assert_eq!(document["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
        for event in kyc_portal::events::EventType::ALL {
            assert!(document["webhooks"][event.as_str()]["post"].is_object(), "{}", event.as_str());
        }
        assert!(document["webhooks"]["webhook.test"]["post"].is_object(), "the test event");
        let upsert = &document["paths"]["/v1/partners/{sellerId}/buyers"]["post"];
        let parameters = upsert["parameters"].to_string();
        assert!(parameters.contains("Idempotency-Key"), "{parameters}");
        assert!(upsert["responses"]["201"]["headers"]["Location"].is_object(), "{upsert}");
        assert!(upsert["responses"]["422"]["content"]["application/problem+json"].is_object(), "{upsert}");
        assert!(upsert["responses"]["429"]["headers"]["Retry-After"].is_object(), "{upsert}");
        let get = &document["paths"]["/v1/partners/{sellerId}/buyers/{buyerId}"]["get"];
        assert!(get["responses"]["200"]["headers"]["ETag"].is_object(), "{get}");
        assert!(get["responses"]["304"].is_object(), "{get}");
        let upload = &document["paths"]["/v1/partners/{sellerId}/buyers/{buyerId}/kyc/documents"]["post"];
        assert!(upload["requestBody"]["content"]["multipart/form-data"].is_object(), "{upload}");
        let profile = &document["paths"]["/v1/partners/{sellerId}/buyers/{buyerId}/kyc/profile"]["get"];
        assert!(profile["responses"]["200"]["headers"]["KYC-Profile-Signature"].is_object(), "{profile}");
        assert!(document["components"]["schemas"]["Buyer"]["properties"]["vatNumberCheck"].is_object());
    }

    async fn the_schema_states_the_rules_a_request_is_checked_against(app) {
        let document: Value = reqwest::get(format!("{}/v1/openapi.json", app.address)).await.unwrap().json().await.unwrap();
        let schemas = &document["components"]["schemas"];
        // The document-type filter is written out in an attribute: it must name every type.
        let list = &document["paths"]["/v1/partners/{sellerId}/buyers/{buyerId}/kyc/documents"]["get"]["parameters"];
        let type_filter = list.as_array().unwrap().iter().find(|p| p["name"] == "type").unwrap();
        let pattern = type_filter["schema"]["pattern"].as_str().unwrap();
        for document_type in kyc_portal::documents::DocumentType::ALL {
            assert!(pattern.contains(document_type.as_str()), "{pattern} lacks {}", document_type.as_str());
        }
        let limit = &list.as_array().unwrap().iter().find(|p| p["name"] == "limit").unwrap()["schema"];
        assert_eq!((limit["minimum"].as_i64(), limit["maximum"].as_i64()), (Some(1), Some(200)), "{limit}");
        // Required fields are required and not nullable; the tables give the patterns and lists.
        let buyer = &schemas["RawBuyer"];
        let required: Vec<&str> = buyer["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        for field in ["kycMode", "vatNumber", "companyName", "address"] {
            assert!(required.contains(&field), "{field} not required: {buyer}");
        }
        assert_eq!(buyer["properties"]["companyName"]["type"], "string", "{buyer}");
        let vat = buyer["properties"]["vatNumber"]["pattern"].as_str().unwrap();
        for prefix in ["ATU[0-9]{8}", "DE[0-9]{9}", "FR[0-9A-HJ-NP-Z]{2}[0-9]{9}", "NL[0-9]{9}B[0-9]{2}"] {
            assert!(vat.contains(prefix), "{vat} lacks {prefix}");
        }
        let countries = schemas["RawAddress"]["properties"]["country"]["enum"].as_array().unwrap();
        assert!(countries.contains(&json!("DE")) && countries.len() > 240, "{countries:?}");
        // A rejection names its reason: a rule across two fields, stated with if/then.
        assert_eq!(schemas["ReviewRequest"]["then"]["required"], json!(["reason"]), "{}", schemas["ReviewRequest"]);
        assert!(schemas["ReviewReason"].is_object(), "the reason's schema exists");
        let endpoint = &schemas["NewEndpoint"]["properties"]["events"];
        assert_eq!(endpoint["minItems"], 1, "{endpoint}");
        assert_eq!(endpoint["items"]["enum"].as_array().unwrap().len(), kyc_portal::events::EventType::ALL.len());
    }

    async fn a_whole_number_written_with_a_fraction_is_read_as_that_number(app) {
        let (seller, buyer) = app.create_buyer().await;
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "kyc@example.com", "expiresInDays": 14.0, "maxUses": 3.0})).await;
        assert_eq!(invitation["maxUses"], 3, "{invitation}");
        let path = crate::invitations::invitations_path(&seller, &buyer);
        let problem = expect_problem(app.post_json(&path, &json!({"recipientEmail": "kyc@example.com", "maxUses": 2.5})).await, 422).await;
        assert_eq!(problem["errors"][0]["field"], "maxUses", "{problem}");
    }

    async fn a_patch_without_a_body_changes_nothing_and_says_so(app) {
        let response = app.request(reqwest::Method::PATCH, "/v1/organisation").send().await.unwrap();
        let problem = expect_problem(response, 422).await;
        assert_eq!(problem["errors"][0]["field"], "body", "{problem}");
    }

    async fn the_reference_page_renders_the_document_with_a_strict_policy(app) {
        let response = reqwest::get(format!("{}/docs", app.address)).await.unwrap();
        assert_eq!(response.status(), 200);
        let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(policy.starts_with("default-src 'none'"), "{policy}");
        let page = response.text().await.unwrap();
        assert!(!page.contains("<script") && !page.contains("https://"), "nothing from elsewhere");
        for (method, path) in mounted_routes() {
            assert!(page.contains(&format!("{method} {path}")), "{method} {path}");
        }
        assert!(page.contains("kyc.verification_review_required"));
    }
}
