//! VIES checks against a stub of the EU VIES REST service.

use std::time::Duration;

use kyc_portal::organisation::{self, OrganisationSettings};
use serde_json::json;
use wiremock::matchers::body_json;

use crate::helpers::*;
use crate::stubs::*;
use crate::with_vies_on_both_backends;

/// A German number with correct check digits (the reference buyer's DE123456789 has wrong ones).
const VALID_DE: &str = "DE136695976";

fn failed_events(events: &[kyc_portal::events::Event]) -> Vec<&kyc_portal::events::Event> {
    events
        .iter()
        .filter(|e| e.event_type == "kyc.vies_check_failed")
        .collect()
}

with_vies_on_both_backends! {
    async fn the_reference_flow_answers_202_at_once_and_then_shows_the_result_in_the_kyc_status(app, vies) {
        check_vat_number()
            .and(body_json(json!({"countryCode": "DE", "vatNumber": "136695976"})))
            .respond_with(vies_verdict("DE", "136695976", true))
            .expect(1)
            .mount(&vies)
            .await;
        let (seller, buyer) = app.create_buyer_with_vat(VALID_DE).await;
        let path = buyer_path(&seller, &buyer);

        let response = app.post_json(&format!("{path}/kyc/vies-check"), &json!({})).await;
        assert_eq!(response.status(), 202);
        let accepted = crate::helpers::body_json(response).await;
        assert_eq!(accepted["status"], "PENDING");
        assert!(accepted["uuid"].is_string());

        let kyc = eventually("the KYC status shows the VIES result", || async {
            let kyc = crate::helpers::body_json(app.get(&format!("{path}/kyc")).await).await;
            (!kyc["viesResult"].is_null()).then_some(kyc)
        }).await;
        assert_eq!(kyc["viesResult"], "VALID");
        assert!(kyc["viesLastCheckedAt"].as_str().unwrap().ends_with('Z'));
        assert_eq!(kyc["buyerId"], buyer["uuid"]);
        assert_eq!(kyc["kycMode"], "MARKETPLACE_LED");

        let check = crate::helpers::body_json(app.get(&format!("{path}/kyc/vies-checks/{}", accepted["uuid"].as_str().unwrap())).await).await;
        assert_eq!(check["result"], "VALID");
        assert_eq!(check["attempts"], 1);
        assert_eq!(check["evidence"]["name"], "AUTOHANDEL MUSTERMANN GMBH");
        assert_eq!(check["evidence"]["address"], "HAUPTSTRASSE 42\n10115 BERLIN");
        assert_eq!(check["evidence"]["requestDate"], "2026-04-22T10:01:30.123Z");
    }

    async fn a_number_with_wrong_check_digits_is_invalid_without_any_call_to_vies(app, vies) {
        check_vat_number().respond_with(vies_verdict("DE", "123456789", true)).expect(0).mount(&vies).await;
        let (seller, buyer) = app.create_buyer().await;

        let check = app.settled_vies_check(&buyer_path(&seller, &buyer)).await;

        assert_eq!(check["result"], "INVALID");
        assert_eq!(check["attempts"], 0);
        assert!(check["reason"].as_str().unwrap().contains("check digit"), "{check}");
        let events = kyc_portal::events::recent(&app.db, 10).await.unwrap();
        let failed = failed_events(&events);
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].data["result"], "INVALID");
        assert_eq!(failed[0].data["checkId"], check["uuid"]);
        assert_eq!(failed[0].data["buyerId"], buyer["uuid"]);
    }

    async fn a_number_vies_does_not_know_is_invalid_and_announced(app, vies) {
        check_vat_number().respond_with(vies_verdict("DE", "136695976", false)).mount(&vies).await;
        let (seller, buyer) = app.create_buyer_with_vat(VALID_DE).await;
        let path = buyer_path(&seller, &buyer);

        let check = app.settled_vies_check(&path).await;

        assert_eq!(check["result"], "INVALID");
        let kyc = crate::helpers::body_json(app.get(&format!("{path}/kyc")).await).await;
        assert_eq!(kyc["overallStatus"], "INVALID");
        let events = kyc_portal::events::recent(&app.db, 10).await.unwrap();
        assert_eq!(failed_events(&events).len(), 1);
    }

    async fn every_temporary_vies_error_is_retried_and_ends_as_error_when_the_attempts_run_out(app, vies) {
        let (seller, buyer) = app.create_buyer_with_vat(VALID_DE).await;
        let path = buyer_path(&seller, &buyer);
        let answers = [
            vies_error(200, "MS_UNAVAILABLE"),
            vies_error(503, "SERVICE_UNAVAILABLE"),
            vies_error(200, "TIMEOUT"),
            vies_error(429, "MS_MAX_CONCURRENT_REQ"),
            vies_error(200, "GLOBAL_MAX_CONCURRENT_REQ"),
            wiremock::ResponseTemplate::new(502).set_body_string("<html>Bad gateway</html>"),
        ];
        for (n, answer) in answers.into_iter().enumerate() {
            vies.reset().await;
            check_vat_number().respond_with(answer).mount(&vies).await;

            let check = app.settled_vies_check(&path).await;

            assert_eq!(check["result"], "ERROR", "answer {n}: {check}");
            assert_eq!(check["attempts"], 3, "answer {n}");
            assert_eq!(vies_requests(&vies).await.len(), 3, "answer {n}: three calls, no more");
            assert!(check["reason"].as_str().unwrap().contains("after 3 attempts"), "{check}");
        }
        let events = kyc_portal::events::recent(&app.db, 50).await.unwrap();
        assert!(failed_events(&events).iter().all(|e| e.data["result"] == "ERROR"));
        assert_eq!(failed_events(&events).len(), 6);
    }

    async fn a_check_succeeds_after_two_temporary_failures(app, vies) {
        check_vat_number().respond_with(vies_error(200, "MS_UNAVAILABLE")).up_to_n_times(2).with_priority(1).mount(&vies).await;
        check_vat_number().respond_with(vies_verdict("DE", "136695976", true)).with_priority(2).mount(&vies).await;
        let (seller, buyer) = app.create_buyer_with_vat(VALID_DE).await;

        let check = app.settled_vies_check(&buyer_path(&seller, &buyer)).await;

        assert_eq!(check["result"], "VALID");
        assert_eq!(check["attempts"], 3);
        assert!(check["reason"].is_null());
        assert_eq!(vies_requests(&vies).await.len(), 3);
        let events = kyc_portal::events::recent(&app.db, 10).await.unwrap();
        assert!(failed_events(&events).is_empty());
    }

    async fn a_vies_that_hangs_is_given_up_on_after_the_timeout_and_the_retries(app, vies) {
        check_vat_number()
            .respond_with(vies_verdict("DE", "136695976", true).set_delay(Duration::from_secs(10)))
            .mount(&vies)
            .await;
        let (seller, buyer) = app.create_buyer_with_vat(VALID_DE).await;

        let check = app.settled_vies_check(&buyer_path(&seller, &buyer)).await;

        assert_eq!(check["result"], "ERROR");
        assert_eq!(check["attempts"], 3);
        assert!(check["reason"].as_str().unwrap().contains("in time"), "{check}");
    }

    async fn a_request_vies_refuses_is_an_error_at_once_without_retries(app, vies) {
        check_vat_number().respond_with(vies_error(400, "INVALID_INPUT")).mount(&vies).await;
        let (seller, buyer) = app.create_buyer_with_vat(VALID_DE).await;

        let check = app.settled_vies_check(&buyer_path(&seller, &buyer)).await;

        assert_eq!(check["result"], "ERROR");
        assert_eq!(check["attempts"], 1);
        assert!(check["reason"].as_str().unwrap().contains("INVALID_INPUT"));
    }

    async fn the_requester_from_the_settings_is_sent_and_the_request_identifier_kept(app, vies) {
        let settings = OrganisationSettings { vies_requester_vat_number: Some("NL 8197.38.116.B01".into()), ..Default::default() };
        as_system(&app.db, async |tx| organisation::save(tx, &settings).await).await;
        check_vat_number()
            .and(body_json(json!({
                "countryCode": "EL", "vatNumber": "094327684",
                "requesterMemberStateCode": "NL", "requesterNumber": "819738116B01"
            })))
            .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(json!({
                "countryCode": "EL", "vatNumber": "094327684", "requestDate": "2026-04-22T10:01:30.123Z",
                "valid": true, "requestIdentifier": "WAPIAAAAY8pGyQqf", "name": "---", "address": "---"
            })))
            .expect(1)
            .mount(&vies)
            .await;
        let (seller, buyer) = app.create_buyer_with_vat("EL094327684").await;

        let check = app.settled_vies_check(&buyer_path(&seller, &buyer)).await;

        assert_eq!(check["result"], "VALID");
        assert_eq!(check["evidence"]["requestIdentifier"], "WAPIAAAAY8pGyQqf");
        assert!(check["evidence"]["name"].is_null(), "--- is not a name");
    }

    async fn every_check_stays_in_the_history_newest_first(app, vies) {
        check_vat_number().respond_with(vies_error(200, "MS_UNAVAILABLE")).up_to_n_times(3).with_priority(1).mount(&vies).await;
        check_vat_number().respond_with(vies_verdict("DE", "136695976", true)).with_priority(2).mount(&vies).await;
        let (seller, buyer) = app.create_buyer_with_vat(VALID_DE).await;
        let path = buyer_path(&seller, &buyer);
        let first = app.settled_vies_check(&path).await;
        let second = app.settled_vies_check(&path).await;

        let history = crate::helpers::body_json(app.get(&format!("{path}/kyc/vies-checks")).await).await;

        let items = history["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["uuid"], second["uuid"]);
        assert_eq!(items[0]["result"], "VALID");
        assert_eq!(items[1]["uuid"], first["uuid"]);
        assert_eq!(items[1]["result"], "ERROR");
        let kyc = crate::helpers::body_json(app.get(&format!("{path}/kyc")).await).await;
        assert_eq!(kyc["viesResult"], "VALID", "the latest check counts");
    }

    async fn a_check_of_an_unknown_buyer_is_a_404(app, vies) {
        let seller = app.create_seller().await;
        let response = app.post_json(&format!("/v1/partners/{seller}/buyers/nope/kyc/vies-check"), &json!({})).await;
        expect_problem(response, 404).await;
        assert!(vies_requests(&vies).await.is_empty());
    }
}
