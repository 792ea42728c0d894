//! Webhook endpoints and deliveries, received on loopback and verified with the reference
//! Standard Webhooks library.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::*;
use crate::on_both_backends;
use crate::stubs::*;

const ALL_EVENTS: [&str; 7] = [
    "self_service_invitation.used",
    "kyc.vies_check_failed",
    "kyc.verification_completed",
    "kyc.document_uploaded",
    "kyc.status_changed",
    "buyer.blocked",
    "buyer.unblocked",
];

impl TestApp {
    /// The endpoint's deliveries, once `done` holds for the listing.
    async fn deliveries_when(&self, endpoint: &Value, done: impl Fn(&Value) -> bool) -> Vec<Value> {
        let path = format!(
            "/v1/webhook-endpoints/{}/deliveries",
            endpoint["id"].as_str().unwrap()
        );
        eventually("the deliveries reach the expected state", || async {
            let listing = body_json(self.get(&path).await).await;
            let items = listing["items"].as_array().unwrap().clone();
            done(&listing).then_some(items)
        })
        .await
    }
}

fn statuses(listing: &Value) -> Vec<String> {
    listing["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap().to_owned())
        .collect()
}

on_both_backends! {
    async fn an_endpoint_shows_its_secret_once_and_can_be_deleted(app) {
        let created = app.subscribe("https://erp.example.com/hooks?tenant=7", &["buyer.blocked", "buyer.blocked", "kyc.status_changed"]).await;
        assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
        assert_eq!(created["events"], json!(["buyer.blocked", "kyc.status_changed"]));
        let path = format!("/v1/webhook-endpoints/{}", created["id"].as_str().unwrap());

        let read = body_json(app.get(&path).await).await;
        let listed = body_json(app.get("/v1/webhook-endpoints").await).await;

        assert_eq!(read["url"], "https://erp.example.com/hooks?tenant=7");
        assert!(read.get("secret").is_none());
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);
        assert!(listed["items"][0].get("secret").is_none());
        let bad_key = app.request(reqwest::Method::DELETE, &path).header("Idempotency-Key", "a key").send().await.unwrap();
        assert_eq!(problem_fields(&expect_problem(bad_key, 422).await), ["Idempotency-Key"]);
        let delete = || app.request(reqwest::Method::DELETE, &path).header("Idempotency-Key", "delete-hooks-1");
        let deleted = delete().send().await.unwrap();
        assert_eq!(deleted.status(), 204);
        let retried = delete().send().await.unwrap();
        assert_eq!(retried.status(), 204, "a retry with the same key gets the first answer");
        expect_problem(app.get(&path).await, 404).await;
        assert!(body_json(app.get("/v1/webhook-endpoints").await).await["items"].as_array().unwrap().is_empty());
    }

    async fn an_endpoint_needs_an_http_url_and_known_events(app) {
        for (body, fields) in [
            (json!({"url": "ftp://erp.example.com/hooks", "events": ["buyer.blocked"]}), vec!["url"]),
            (json!({"url": "/relative", "events": ["buyer.blocked"]}), vec!["url"]),
            (json!({"url": "https://erp.example.com", "events": []}), vec!["events"]),
            (json!({"url": "javascript:alert(1)", "events": ["buyer.blocked", "order.created"]}), vec!["url", "events[1]"]),
        ] {
            let problem = expect_problem(app.post_json("/v1/webhook-endpoints", &body).await, 422).await;
            assert_eq!(problem_fields(&problem), fields, "{body}");
        }
    }

    async fn every_event_is_delivered_once_and_verifies_with_the_reference_library(app) {
        let all = receiver().await;
        let only_blocks = receiver().await;
        let endpoint = app.subscribe(&format!("{}/hooks", all.uri()), &ALL_EVENTS).await;
        let blocks = app.subscribe(&only_blocks.uri(), &["buyer.blocked"]).await;
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);

        // An upload, a VIES check that fails its check digits, a block (with a status change)
        // and an unblock (with another).
        app.upload_pdf(&format!("{path}/kyc/documents"), "COC_EXTRACT").await;
        app.settled_vies_check(&path).await;
        app.post_json(&format!("{path}/block"), &json!({"reason": "Manual review"})).await;
        app.post_json(&format!("{path}/unblock"), &json!({})).await;

        let recorded = kyc_portal::events::recent(&app.db, 50).await.unwrap();
        let types: HashSet<&str> = recorded.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(types, HashSet::from(["kyc.document_uploaded", "kyc.vies_check_failed", "kyc.status_changed", "buyer.blocked", "buyer.unblocked"]));
        let got = await_deliveries(&all, recorded.len()).await;
        app.deliveries_when(&endpoint, |l| statuses(l).iter().all(|s| s == "SUCCEEDED")).await;
        assert_eq!(deliveries(&all).await.len(), recorded.len(), "one delivery per event");
        let mut ids: Vec<&str> = got.iter().map(|d| d.id.as_str()).collect();
        ids.sort_unstable();
        let mut expected: Vec<&str> = recorded.iter().map(|e| e.id.as_str()).collect();
        expected.sort_unstable();
        assert_eq!(ids, expected);
        for delivery in &got {
            let body = delivery.json();
            let event = recorded.iter().find(|e| e.id == delivery.id).unwrap();
            assert_eq!(body["type"], event.event_type);
            assert_eq!(body["data"], event.data);
            assert_eq!(body["timestamp"], event.occurred_at.rfc3339());
        }
        verify_with_standard_webhooks(endpoint["secret"].as_str().unwrap(), &got);

        let blocked = await_deliveries(&only_blocks, 1).await;
        assert_eq!(blocked.len(), 1);
        assert_eq!(blocked[0].json()["type"], "buyer.blocked");
        assert_eq!(blocked[0].json()["data"]["reason"], "Manual review");
        verify_with_standard_webhooks(blocks["secret"].as_str().unwrap(), &blocked);
    }

    async fn a_delivery_answered_with_500_is_retried_and_every_attempt_is_logged(app) {
        let server = wiremock::MockServer::start().await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(500)).up_to_n_times(1).with_priority(1).mount(&server).await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).with_priority(2).mount(&server).await;
        let endpoint = app.subscribe(&server.uri(), &["buyer.blocked"]).await;
        let (seller, buyer) = app.create_buyer().await;

        app.post_json(&format!("{}/block", buyer_path(&seller, &buyer)), &json!({"reason": "fraud signal"})).await;

        let listed = app.deliveries_when(&endpoint, |l| statuses(l) == ["SUCCEEDED"]).await;
        let attempts = listed[0]["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 2);
        assert_eq!(attempts[0]["responseStatus"], 500);
        assert!(attempts[0]["error"].as_str().unwrap().contains("500"));
        assert!(attempts[0]["durationMs"].is_i64());
        assert_eq!(attempts[1]["responseStatus"], 204);
        assert!(attempts[1]["error"].is_null());
        let got = deliveries(&server).await;
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].id, got[1].id, "a retry keeps the webhook-id");
        assert_eq!(got[0].id, listed[0]["eventId"].as_str().unwrap());
        verify_with_standard_webhooks(endpoint["secret"].as_str().unwrap(), &got);
    }

    async fn redirects_are_not_followed_and_a_failed_delivery_can_be_sent_again_by_hand(app) {
        let server = wiremock::MockServer::start().await;
        let moved = Mock::given(method("POST")).and(path("/hooks"))
            .respond_with(ResponseTemplate::new(307).insert_header("location", format!("{}/elsewhere", server.uri())))
            .mount_as_scoped(&server).await;
        Mock::given(method("POST")).and(path("/elsewhere")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
        let endpoint = app.subscribe(&format!("{}/hooks", server.uri()), &["buyer.blocked"]).await;
        let (seller, buyer) = app.create_buyer().await;
        app.post_json(&format!("{}/block", buyer_path(&seller, &buyer)), &json!({"reason": "hold"})).await;

        let failed = app.deliveries_when(&endpoint, |l| statuses(l) == ["FAILED"]).await;
        let attempts = failed[0]["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 3, "the test portal makes three attempts");
        assert!(attempts.iter().all(|a| a["responseStatus"] == 307));
        drop(moved);
        Mock::given(method("POST")).and(path("/hooks")).respond_with(ResponseTemplate::new(200)).mount(&server).await;

        let redeliver = format!(
            "/v1/webhook-endpoints/{}/deliveries/{}/redeliver",
            endpoint["id"].as_str().unwrap(),
            failed[0]["id"].as_str().unwrap()
        );
        let response = app.post_json(&redeliver, &json!({})).await;
        assert_eq!(response.status(), 202);
        assert_eq!(body_json(response).await["status"], "PENDING");

        let done = app.deliveries_when(&endpoint, |l| statuses(l) == ["SUCCEEDED"]).await;
        assert_eq!(done[0]["attempts"].as_array().unwrap().len(), 4);
        let got = deliveries(&server).await;
        assert_eq!(got.iter().map(|d| d.id.as_str()).collect::<HashSet<_>>().len(), 1, "one webhook-id throughout");
    }

    async fn a_receiver_that_hangs_is_given_up_on_after_the_timeout(app) {
        let server = wiremock::MockServer::start().await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(10))).mount(&server).await;
        let endpoint = app.subscribe(&server.uri(), &["buyer.blocked"]).await;
        let (seller, buyer) = app.create_buyer().await;

        app.post_json(&format!("{}/block", buyer_path(&seller, &buyer)), &json!({"reason": "hold"})).await;

        let failed = app.deliveries_when(&endpoint, |l| statuses(l) == ["FAILED"]).await;
        let attempts = failed[0]["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 3);
        assert!(attempts.iter().all(|a| a["responseStatus"].is_null() && a["error"].as_str().unwrap().contains("in time")));
    }

    async fn a_deleted_endpoint_receives_nothing_more(app) {
        let server = receiver().await;
        let endpoint = app.subscribe(&server.uri(), &["buyer.blocked", "buyer.unblocked"]).await;
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        app.post_json(&format!("{path}/block"), &json!({"reason": "hold"})).await;
        await_deliveries(&server, 1).await;

        app.request(reqwest::Method::DELETE, &format!("/v1/webhook-endpoints/{}", endpoint["id"].as_str().unwrap())).send().await.unwrap();
        app.post_json(&format!("{path}/unblock"), &json!({})).await;
        let later = app.subscribe(&receiver().await.uri(), &["buyer.unblocked"]).await;

        // The unblock was dispatched once its job ran: to no endpoint, as the only subscriber
        // was deleted and the later one did not exist yet.
        eventually("the unblock's dispatch job ran", || async {
            let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'webhooks.dispatch' AND status <> 'done'")
                .fetch_one(app.db.pool()).await.unwrap();
            (pending == 0).then_some(())
        }).await;
        assert_eq!(deliveries(&server).await.len(), 1);
        let later_deliveries = body_json(app.get(&format!("/v1/webhook-endpoints/{}/deliveries", later["id"].as_str().unwrap())).await).await;
        assert!(later_deliveries["items"].as_array().unwrap().is_empty());
    }
}
