use kyc_portal::idempotency::{self, Begin, IdempotencyKey, Scope};
use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends! {
    async fn a_retried_request_gets_the_first_response_byte_for_byte(app) {
        let seller = app.create_seller().await;
        let path = buyers_path(&seller);
        let first = app.post_json_with_key(&path, &reference_buyer(), "retry-1").await;
        assert_eq!(first.status(), 201);
        let location = first.headers()["location"].clone();
        assert!(!first.headers().contains_key("idempotent-replayed"));
        let first_body = first.bytes().await.unwrap();

        let again = app.post_json_with_key(&path, &reference_buyer(), "retry-1").await;
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.headers()["location"], location);
        assert_eq!(again.bytes().await.unwrap(), first_body);
    }

    async fn the_same_key_with_another_body_is_a_422(app) {
        let seller = app.create_seller().await;
        let path = buyers_path(&seller);
        app.post_json_with_key(&path, &reference_buyer(), "k").await;
        let mut other = reference_buyer();
        other["companyName"] = json!("Other GmbH");
        let problem = expect_problem(app.post_json_with_key(&path, &other, "k").await, 422).await;
        assert_eq!(problem_fields(&problem), ["Idempotency-Key"]);
    }

    async fn the_same_key_while_the_first_request_runs_is_a_409(app) {
        let seller = app.create_seller().await;
        let path = buyers_path(&seller);
        let body = serde_json::to_vec(&json!({"name": "x"})).unwrap();
        // Reserve the key as a request in flight would.
        let client = kyc_portal::api_tokens::authenticate(&app.db, &app.token).await.unwrap().unwrap();
        let scope = Scope { client_id: client.id, method: "POST".into(), path: "/v1/partners".into(), key: IdempotencyKey::parse("busy").unwrap() };
        let canonical: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let fingerprint = idempotency::fingerprint(&[canonical.to_string().as_bytes()]);
        let seal = idempotency::ResponseSeal::new(&kyc_portal::server_key::ServerKey::load_or_create(&kyc_portal::Settings::for_data_dir("sqlite::memory:", app.dir.path())).unwrap());
        let Begin::Started(_held) = idempotency::begin(&app.db, &seal, scope, &fingerprint).await.unwrap() else { panic!("key was free") };

        expect_problem(app.post_json_with_key("/v1/partners", &json!({"name": "x"}), "busy").await, 409).await;
        let _ = path;
    }

    async fn a_key_left_in_flight_by_a_request_that_died_is_taken_over_after_its_lease(app) {
        let body = json!({"name": "After A Crash"});
        let canonical = body.to_string();
        let fingerprint = idempotency::fingerprint(&[canonical.as_bytes()]);
        let client = kyc_portal::api_tokens::authenticate(&app.db, &app.token).await.unwrap().unwrap();
        let scope = Scope { client_id: client.id, method: "POST".into(), path: "/v1/partners".into(), key: IdempotencyKey::parse("died").unwrap() };
        let seal = idempotency::ResponseSeal::new(&kyc_portal::server_key::ServerKey::load_or_create(&kyc_portal::Settings::for_data_dir("sqlite::memory:", app.dir.path())).unwrap());
        // A request reserved the key and died: its work, which commits with its response, never did.
        let Begin::Started(died) = idempotency::begin(&app.db, &seal, scope, &fingerprint).await.unwrap() else { panic!("key was free") };
        expect_problem(app.post_json_with_key("/v1/partners", &body, "died").await, 409).await;
        let long_ago = kyc_portal::db::now().plus(-idempotency::LEASE).millis() - 1000;
        sqlx::query("UPDATE idempotency_keys SET created_at = $1 WHERE idempotency_key = 'died'")
            .bind(long_ago).execute(app.db.pool()).await.unwrap();

        let retried = app.post_json_with_key("/v1/partners", &body, "died").await;

        assert_eq!(retried.status(), 201, "the retry does the work");
        let created = body_json(retried).await;
        let replay = app.post_json_with_key("/v1/partners", &body, "died").await;
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
        assert_eq!(body_json(replay).await["uuid"], created["uuid"]);
        // Should the first request come back to life, it cannot complete what it no longer holds.
        let mut conn = app.db.begin_write().await.unwrap();
        let saved = idempotency::SavedResponse { status: 201, headers: vec![], body: b"{}".to_vec() };
        assert!(died.complete_in(&mut conn, &seal, &saved).await.is_err());
        let sellers = body_json(app.get("/v1/partners").await).await;
        let named = sellers["items"].as_array().unwrap().iter().filter(|s| s["name"] == "After A Crash").count();
        assert_eq!(named, 1, "one effect");
    }

    async fn concurrent_retries_with_one_key_have_exactly_one_effect(app) {
        let body = json!({"name": "Once Only"});
        let calls = (0..12).map(|_| app.post_json_with_key("/v1/partners", &body, "once"));
        let responses = futures_util::future::join_all(calls).await;
        let statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
        assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
        let sellers = body_json(app.get("/v1/partners").await).await;
        let named: Vec<_> = sellers["items"].as_array().unwrap().iter().filter(|s| s["name"] == "Once Only").collect();
        assert_eq!(named.len(), 1);
        // Once the first has finished, every retry is a replay of it.
        let replay = app.post_json_with_key("/v1/partners", &json!({"name": "Once Only"}), "once").await;
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
        assert_eq!(body_json(replay).await["uuid"], named[0]["uuid"]);
    }

    async fn keys_of_different_tokens_do_not_meet(app) {
        let other = kyc_portal::api_tokens::create(&app.db, "another-seller-system").await.unwrap().token;
        let first = app.post_json_with_key("/v1/partners", &json!({"name": "A"}), "shared").await;
        let second = app.client.post(format!("{}/v1/partners", app.address)).bearer_auth(&other)
            .header("Idempotency-Key", "shared").json(&json!({"name": "A"})).send().await.unwrap();
        assert_eq!(second.status(), 201);
        assert!(!second.headers().contains_key("idempotent-replayed"));
        assert_ne!(body_json(first).await["uuid"], body_json(second).await["uuid"]);
    }

    async fn a_kept_invitation_response_does_not_hold_the_link_in_the_clear(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = format!("{}/kyc/self-service-invitations", buyer_path(&seller, &buyer));
        let body = json!({"recipientEmail": "a@example.com"});
        let first = body_json(app.post_json_with_key(&path, &body, "invite-once").await).await;
        let link = first["publicLinkUrl"].as_str().unwrap().to_owned();
        note_issued_link(&link);
        let token = link.rsplit('/').next().unwrap();
        let stored: Vec<u8> = sqlx::query_scalar("SELECT response_body FROM idempotency_keys WHERE idempotency_key = 'invite-once'")
            .fetch_one(app.db.pool()).await.unwrap();
        assert!(!stored.windows(token.len()).any(|w| w == token.as_bytes()));
        let replay = app.post_json_with_key(&path, &body, "invite-once").await;
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
        assert_eq!(body_json(replay).await["publicLinkUrl"], link.as_str());
    }

    async fn a_validation_error_is_kept_and_replayed_like_any_completed_response(app) {
        let first = app.post_json_with_key("/v1/partners", &json!({"name": ""}), "bad").await;
        assert_eq!(first.status(), 422);
        let again = app.post_json_with_key("/v1/partners", &json!({"name": ""}), "bad").await;
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        expect_problem(again, 422).await;
    }
}
