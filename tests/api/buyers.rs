use kyc_portal::events;
use kyc_portal::organisation::{self, OrganisationSettings};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends! {
    async fn the_reference_upsert_gives_201_then_200_then_409_for_a_changed_body(app) {
        let seller = app.create_seller().await;
        let path = buyers_path(&seller);

        let first = app.post_json(&path, &reference_buyer()).await;
        assert_eq!(first.status(), 201);
        let location = first.headers()["location"].to_str().unwrap().to_owned();
        let created = body_json(first).await;
        assert_eq!(location, format!("{path}/{}", created["uuid"].as_str().unwrap()));
        assert_eq!(created["vatNumber"], "DE123456789");
        assert_eq!(created["status"], "ACTIVE");
        assert_eq!(created["version"], 0);
        assert_eq!(created["sellerId"], seller.as_str());
        assert_eq!(created["address"]["country"], "DE");
        assert!(created["createdAt"].as_str().unwrap().ends_with('Z'));

        let second = app.post_json(&path, &reference_buyer()).await;
        assert_eq!(second.status(), 200);
        assert_eq!(body_json(second).await, created);

        let mut changed = reference_buyer();
        changed["companyName"] = json!("AutoHandel Mustermann AG");
        let problem = expect_problem(app.post_json(&path, &changed).await, 409).await;
        assert_eq!(problem["current"], created);
    }

    async fn vat_numbers_are_normalised_before_they_key_the_upsert(app) {
        let (seller, created) = app.create_buyer().await;
        let mut spaced = reference_buyer();
        spaced["vatNumber"] = json!("de 123.456-789");
        let again = app.post_json(&buyers_path(&seller), &spaced).await;
        assert_eq!(again.status(), 200);
        assert_eq!(body_json(again).await["uuid"], created["uuid"]);
    }

    async fn the_same_vat_number_under_another_seller_is_another_buyer(app) {
        let (_, first) = app.create_buyer().await;
        let (_, second) = app.create_buyer().await;
        assert_ne!(first["uuid"], second["uuid"]);
    }

    async fn vat_numbers_outside_the_vies_countries_or_patterns_are_refused(app) {
        let seller = app.create_seller().await;
        for bad in ["GR094327684", "US123456789", "DE12345678", "ATU1234567", "", "DE12345678A"] {
            let mut body = reference_buyer();
            body["vatNumber"] = json!(bad);
            let problem = expect_problem(app.post_json(&buyers_path(&seller), &body).await, 422).await;
            assert_eq!(problem_fields(&problem), ["vatNumber"], "{bad}");
        }
        let mut greek = reference_buyer();
        greek["vatNumber"] = json!("EL094327684");
        assert_eq!(app.post_json(&buyers_path(&seller), &greek).await.status(), 201);
        let mut northern_irish = reference_buyer();
        northern_irish["vatNumber"] = json!("XI 980 7806 84");
        assert_eq!(app.post_json(&buyers_path(&seller), &northern_irish).await.status(), 201);
    }

    async fn every_missing_or_invalid_field_is_named_in_one_422(app) {
        let seller = app.create_seller().await;
        let body = json!({
            "kycMode": "SOMETIMES",
            "vatNumber": "DE123456789",
            "address": {"street": "Hauptstraße 42", "postCode": "", "city": "Berlin", "country": "Germany"},
            "contacts": [{"firstName": "Erika", "lastName": "Mustermann", "email": "erika-at-example.com"}]
        });
        let problem = expect_problem(app.post_json(&buyers_path(&seller), &body).await, 422).await;
        let mut fields = problem_fields(&problem);
        fields.sort();
        assert_eq!(fields, ["address.country", "address.postCode", "companyName", "contacts[0].email", "kycMode"]);
    }

    async fn unknown_fields_are_refused_rather_than_ignored(app) {
        let seller = app.create_seller().await;
        let mut body = reference_buyer();
        body["compnyName"] = json!("typo");
        let problem = expect_problem(app.post_json(&buyers_path(&seller), &body).await, 422).await;
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains("compnyName"));
    }

    async fn sixteen_concurrent_first_calls_create_exactly_one_buyer(app) {
        let seller = app.create_seller().await;
        let path = buyers_path(&seller);
        let body = reference_buyer();
        let calls = (0..16).map(|_| app.post_json(&path, &body));
        let statuses: Vec<u16> = futures_util::future::join_all(calls).await.iter().map(|r| r.status().as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == 201 || *s == 200), "{statuses:?}");
        let listing = body_json(app.get(&path).await).await;
        assert_eq!(listing["items"].as_array().unwrap().len(), 1);
    }

    async fn concurrent_writes_of_different_buyers_all_succeed(app) {
        let seller = app.create_seller().await;
        let path = buyers_path(&seller);
        let numbers: Vec<String> = (0..32).map(|i| format!("DE{:09}", 100_000_000 + i)).collect();
        let app = &app;
        let calls = numbers.iter().map(|vat| {
            let mut body = reference_buyer();
            body["vatNumber"] = json!(vat);
            let path = path.clone();
            async move { app.post_json(&path, &body).await.status().as_u16() }
        });
        let statuses = futures_util::future::join_all(calls).await;
        assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    }

    async fn marketplace_led_is_forbidden_while_the_capability_is_off(app) {
        let seller = app.create_seller().await;
        let settings = OrganisationSettings { allow_marketplace_led_kyc: false, ..Default::default() };
        as_system(&app.db, async |tx| organisation::save(tx, &settings).await).await;

        expect_problem(app.post_json(&buyers_path(&seller), &reference_buyer()).await, 403).await;
        let mut nt24 = reference_buyer();
        nt24["kycMode"] = json!("NT24_LED");
        assert_eq!(app.post_json(&buyers_path(&seller), &nt24).await.status(), 201);
    }

    async fn an_identical_marketplace_led_buyer_reposted_while_the_capability_is_off_is_a_200(app) {
        let (seller, created) = app.create_buyer().await;
        let settings = OrganisationSettings { allow_marketplace_led_kyc: false, ..Default::default() };
        as_system(&app.db, async |tx| organisation::save(tx, &settings).await).await;

        let again = app.post_json(&buyers_path(&seller), &reference_buyer()).await;
        assert_eq!(again.status(), 200);
        assert_eq!(body_json(again).await, created);
        let mut changed = reference_buyer();
        changed["companyName"] = json!("Andere GmbH");
        expect_problem(app.post_json(&buyers_path(&seller), &changed).await, 403).await;
    }

    async fn buyers_are_found_by_name_or_vat_and_filtered_by_status(app) {
        let seller = app.create_seller().await;
        let path = buyers_path(&seller);
        for (vat, name) in [("DE111111111", "Autohaus Müller KG"), ("DE222222222", "Fahrzeuge Schmidt GmbH"), ("DE333333333", "Müller & Söhne 50% OHG")] {
            let mut body = reference_buyer();
            body["vatNumber"] = json!(vat);
            body["companyName"] = json!(name);
            assert_eq!(app.post_json(&path, &body).await.status(), 201);
        }
        let names = |listing: Value| -> Vec<String> {
            listing["items"].as_array().unwrap().iter().map(|b| b["companyName"].as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(names(body_json(app.get(&format!("{path}?q=MÜLLER")).await).await), ["Müller & Söhne 50% OHG", "Autohaus Müller KG"]);
        assert_eq!(names(body_json(app.get(&format!("{path}?q=de%20222.222")).await).await), ["Fahrzeuge Schmidt GmbH"]);
        assert_eq!(names(body_json(app.get(&format!("{path}?q=50%25")).await).await), ["Müller & Söhne 50% OHG"]);

        let schmidt = body_json(app.get(&format!("{path}?q=Schmidt")).await).await["items"][0].clone();
        let block = app.post_json(&format!("{}/block", buyer_path(&seller, &schmidt)), &json!({"reason": "fraud signal"})).await;
        assert_eq!(block.status(), 200);
        assert_eq!(names(body_json(app.get(&format!("{path}?status=BLOCKED")).await).await), ["Fahrzeuge Schmidt GmbH"]);
        assert_eq!(body_json(app.get(&format!("{path}?status=ACTIVE")).await).await["items"].as_array().unwrap().len(), 2);
        expect_problem(app.get(&format!("{path}?status=SLEEPING")).await, 422).await;
    }

    async fn a_patch_with_the_current_version_changes_the_buyer_and_counts_up(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        let response = app.patch_json(&path, &json!({"version": 0, "companyName": "AutoHandel Mustermann AG", "address": {"city": "Potsdam"}})).await;
        assert_eq!(response.status(), 200);
        let updated = body_json(response).await;
        assert_eq!(updated["version"], 1);
        assert_eq!(updated["companyName"], "AutoHandel Mustermann AG");
        assert_eq!(updated["address"]["city"], "Potsdam");
        assert_eq!(updated["address"]["street"], "Hauptstraße 42");
        assert_eq!(body_json(app.get(&path).await).await, updated);
    }

    async fn a_patch_with_a_stale_version_is_a_409_carrying_the_current_buyer(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        assert_eq!(app.patch_json(&path, &json!({"version": 0, "companyName": "First"})).await.status(), 200);
        let problem = expect_problem(app.patch_json(&path, &json!({"version": 0, "companyName": "Second"})).await, 409).await;
        assert_eq!(problem["current"]["companyName"], "First");
        assert_eq!(problem["current"]["version"], 1);
    }

    async fn a_patch_may_carry_its_version_in_if_match(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        let response = app.request(Method::PATCH, &path).header("If-Match", "\"0\"").json(&json!({"companyName": "Via If-Match"})).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let problem = expect_problem(app.patch_json(&path, &json!({"companyName": "No version"})).await, 422).await;
        assert_eq!(problem_fields(&problem), ["version"]);
    }

    async fn kyc_mode_goes_from_marketplace_led_to_nt24_led_only(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        let upgraded = body_json(app.patch_json(&path, &json!({"version": 0, "kycMode": "NT24_LED"})).await).await;
        assert_eq!(upgraded["kycMode"], "NT24_LED");
        let problem = expect_problem(app.patch_json(&path, &json!({"version": 1, "kycMode": "MARKETPLACE_LED"})).await, 422).await;
        assert_eq!(problem_fields(&problem), ["kycMode"]);
    }

    async fn the_vat_number_cannot_be_patched(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        let problem = expect_problem(app.patch_json(&path, &json!({"version": 0, "vatNumber": "DE999999999"})).await, 422).await;
        assert_eq!(problem_fields(&problem), ["vatNumber"]);
        let same = app.patch_json(&path, &json!({"version": 0, "vatNumber": "de123456789", "companyName": "Same VAT"})).await;
        assert_eq!(same.status(), 200);
    }

    async fn blocking_needs_a_reason_and_is_recorded_with_an_event(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        let problem = expect_problem(app.post_json(&format!("{path}/block"), &json!({"reason": " "})).await, 422).await;
        assert_eq!(problem_fields(&problem), ["reason"]);

        let blocked = body_json(app.post_json(&format!("{path}/block"), &json!({"reason": "Manual review"})).await).await;
        assert_eq!(blocked["status"], "BLOCKED");
        assert_eq!(blocked["blockedReason"], "Manual review");
        assert_eq!(blocked["version"], 1);

        let unblocked = body_json(app.post_json(&format!("{path}/unblock"), &json!({})).await).await;
        assert_eq!(unblocked["status"], "ACTIVE");
        assert!(unblocked["blockedReason"].is_null());
        assert_eq!(unblocked["version"], 2);

        let recorded: Vec<String> = events::recent(&app.db, 10).await.unwrap().into_iter().map(|e| e.event_type).filter(|t| t.starts_with("buyer.")).collect();
        assert_eq!(recorded, ["buyer.unblocked", "buyer.blocked"]);
    }

    async fn the_history_records_who_changed_what_before_and_after(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        app.patch_json(&path, &json!({"version": 0, "companyName": "Renamed GmbH"})).await;
        app.post_json(&format!("{path}/block"), &json!({"reason": "regulatory hold"})).await;

        let history = body_json(app.get(&format!("{path}/history")).await).await;
        let entries = history["items"].as_array().unwrap();
        let actions: Vec<_> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["blocked", "updated", "created"]);
        assert!(entries.iter().all(|e| e["actor"] == "api-token:test-seller-system"));
        assert_eq!(entries[1]["before"]["companyName"], "AutoHandel Mustermann GmbH");
        assert_eq!(entries[1]["after"]["companyName"], "Renamed GmbH");
        assert!(entries[2]["before"].is_null());
    }

    async fn an_unchanged_upsert_or_patch_leaves_version_and_history_alone(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        app.post_json(&buyers_path(&seller), &reference_buyer()).await;
        let same = body_json(app.patch_json(&path, &json!({"version": 0, "companyName": "AutoHandel Mustermann GmbH"})).await).await;
        assert_eq!(same["version"], 0);
        let history = body_json(app.get(&format!("{path}/history")).await).await;
        assert_eq!(history["items"].as_array().unwrap().len(), 1);
    }
}
