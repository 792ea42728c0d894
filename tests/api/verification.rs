//! NT24_LED identity verification against the iDenfy stub: starting sessions, signed
//! callbacks of every outcome, staff review, the session email and the webhook it ends with.

use kyc_portal::audit::Actor;
use kyc_portal::verification::{self, Decision, VerificationState};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::idenfy_stub::*;
use crate::stubs::*;
use crate::with_idenfy_on_both_backends;
use crate::with_vies_on_both_backends;

fn uuid_of(buyer: &Value) -> String {
    buyer["uuid"].as_str().unwrap().to_owned()
}

fn scan_ref_of(verification: &Value) -> String {
    verification["scanRef"].as_str().unwrap().to_owned()
}

impl TestApp {
    async fn verification(&self, buyer_path: &str) -> Value {
        let response = self.get(&format!("{buyer_path}/kyc/verification")).await;
        assert_eq!(response.status(), 200);
        body_json(response).await
    }

    /// The data of every `kyc.verification_completed` recorded so far.
    async fn completions(&self) -> Vec<Value> {
        kyc_portal::events::recent(&self.db, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event_type == "kyc.verification_completed")
            .map(|e| e.data)
            .collect()
    }

    /// Sends a correctly signed final callback and expects it to be taken.
    async fn settle(&self, verification: &Value, buyer: &Value, overall: &str, aml: Option<Value>) {
        let body = idenfy_result(
            &scan_ref_of(verification),
            &uuid_of(buyer),
            overall,
            true,
            aml,
        );
        let response = self.idenfy_callback(&body, Signed::Correctly).await;
        assert_eq!(response.status(), 200);
        assert_eq!(body_json(response).await["outcome"], "settled");
    }
}

with_idenfy_on_both_backends! {
    async fn starting_asks_idenfy_for_a_session_for_the_buyers_contact_and_returns_its_url(app, idenfy, _vies) {
        let (path, buyer) = app.create_nt24_buyer("DE136695976").await;

        let response = app.post_json(&format!("{path}/kyc/verify"), &json!({"language": "de", "sendEmail": false})).await;

        assert_eq!(response.status(), 201);
        assert!(response.headers()["location"].to_str().unwrap().ends_with("/kyc/verification"));
        let started = body_json(response).await;
        assert_eq!(started["status"], "PENDING");
        assert_eq!(started["amlHit"], false);
        assert_eq!(started["buyerId"], buyer["uuid"]);
        assert_eq!(started["provider"], "IDENFY");
        assert!(started["sessionUrl"].as_str().unwrap().starts_with(&format!("{}/api/v2/redirect?authToken=", idenfy.uri())));
        assert!(started["expiresAt"].as_str().unwrap() > started["createdAt"].as_str().unwrap());
        let requests = token_requests(&idenfy).await;
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0]["clientId"], buyer["uuid"]);
        assert_eq!(requests[0]["firstName"], "Erika");
        assert_eq!(requests[0]["lastName"], "Mustermann");
        assert_eq!(requests[0]["callbackUrl"], "http://localhost:8080/callbacks/idenfy");
        assert_eq!(requests[0]["locale"], "de");
        assert_eq!(requests[0]["expiryTime"], 7 * 24 * 3600);
        let kyc = app.kyc_status(&path).await;
        assert_eq!(kyc["verificationStatus"], "PENDING");
        assert_eq!(kyc["overallStatus"], "PENDING");
    }

    async fn a_second_start_returns_the_running_session_without_asking_idenfy_again(app, idenfy, _vies) {
        let (path, _) = app.create_nt24_buyer("DE136695976").await;
        let first = app.start_verification(&path).await;

        let again = app.post_json(&format!("{path}/kyc/verify"), &json!({"sendEmail": false})).await;

        assert_eq!(again.status(), 200);
        let again = body_json(again).await;
        assert_eq!(again["uuid"], first["uuid"]);
        assert_eq!(again["sessionUrl"], first["sessionUrl"]);
        assert_eq!(token_requests(&idenfy).await.len(), 1);
        assert_eq!(app.verification(&path).await["uuid"], first["uuid"]);
    }

    async fn concurrent_starts_share_one_verification(app, _idenfy, _vies) {
        let (path, _) = app.create_nt24_buyer("DE136695976").await;
        let url = format!("{path}/kyc/verify");
        let body = json!({"sendEmail": false});

        let (first, second) = tokio::join!(app.post_json(&url, &body), app.post_json(&url, &body));

        let mut statuses = [first.status().as_u16(), second.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 201]);
        let (first, second) = (body_json(first).await, body_json(second).await);
        assert_eq!(first["uuid"], second["uuid"]);
        assert_eq!(app.verification(&path).await["uuid"], first["uuid"]);
    }

    async fn marketplace_led_and_blocked_buyers_cannot_start_one(app, idenfy, _vies) {
        let (seller, buyer) = app.create_buyer().await;
        let marketplace_led = buyer_path(&seller, &buyer);
        let problem = expect_problem(app.post_json(&format!("{marketplace_led}/kyc/verify"), &json!({})).await, 409).await;
        assert!(problem["detail"].as_str().unwrap().contains("MARKETPLACE_LED"));

        let (path, _) = app.create_nt24_buyer("DE136695976").await;
        app.post_json(&format!("{path}/block"), &json!({"reason": "hold"})).await;
        expect_problem(app.post_json(&format!("{path}/kyc/verify"), &json!({})).await, 409).await;

        assert!(token_requests(&idenfy).await.is_empty());
        expect_problem(app.get(&format!("{path}/kyc/verification")).await, 404).await;
        expect_problem(app.post_json(&format!("{path}/kyc/verify"), &json!({"language": "fr"})).await, 422).await;
    }

    async fn an_approved_result_verifies_the_buyer_and_is_announced_once_to_subscribers(app, _idenfy, _vies) {
        let hooks = receiver().await;
        let endpoint = app.subscribe(&hooks.uri(), &["kyc.verification_completed"]).await;
        let (path, buyer) = app.create_nt24_buyer("DE136695976").await;
        let started = app.start_verification(&path).await;

        app.settle(&started, &buyer, "APPROVED", Some(aml_section(false))).await;
        let duplicate = app.idenfy_callback(&idenfy_result(&scan_ref_of(&started), &uuid_of(&buyer), "APPROVED", true, Some(aml_section(false))), Signed::Correctly).await;

        assert_eq!(duplicate.status(), 200);
        assert_eq!(body_json(duplicate).await["outcome"], "unchanged");
        let kyc = app.kyc_status(&path).await;
        assert_eq!(kyc["verificationStatus"], "VERIFIED");
        assert_eq!(kyc["overallStatus"], "PENDING", "VIES and documents are still missing");
        let verification = app.verification(&path).await;
        assert_eq!(verification["status"], "VERIFIED");
        assert_eq!(verification["providerStatus"], "APPROVED");
        assert_eq!(verification["amlHit"], false);
        let completions = app.completions().await;
        assert_eq!(completions.len(), 1, "{completions:?}");
        assert_eq!(completions[0]["verificationStatus"], "VERIFIED");
        assert_eq!(completions[0]["scanRef"], started["scanRef"]);
        assert_eq!(completions[0]["buyerId"], buyer["uuid"]);
        assert_eq!(completions[0]["sellerId"], buyer["sellerId"]);
        let delivered = await_deliveries(&hooks, 1).await;
        assert_eq!(delivered[0].json()["type"], "kyc.verification_completed");
        assert_eq!(delivered[0].json()["data"], completions[0]);
        verify_with_standard_webhooks(endpoint["secret"].as_str().unwrap(), &delivered);
    }

    async fn a_denied_result_rejects_the_buyer_and_a_new_attempt_may_start(app, idenfy, _vies) {
        let (path, buyer) = app.create_nt24_buyer("DE136695976").await;
        let started = app.start_verification(&path).await;

        app.settle(&started, &buyer, "DENIED", None).await;

        let kyc = app.kyc_status(&path).await;
        assert_eq!(kyc["verificationStatus"], "REJECTED");
        assert_eq!(kyc["overallStatus"], "INVALID");
        assert_eq!(app.completions().await[0]["verificationStatus"], "REJECTED");
        let retry = app.start_verification(&path).await;
        assert_ne!(retry["scanRef"], started["scanRef"]);
        assert_eq!(token_requests(&idenfy).await.len(), 2);
        assert_eq!(app.kyc_status(&path).await["overallStatus"], "PENDING");
    }

    async fn an_aml_hit_holds_an_approval_for_staff_who_approve_it(app, _idenfy, _vies) {
        let (path, buyer) = app.create_nt24_buyer("DE136695976").await;
        let started = app.start_verification(&path).await;

        app.settle(&started, &buyer, "APPROVED", Some(aml_section(true))).await;

        let held = verification::latest(&app.db, &uuid_of(&buyer)).await.unwrap().unwrap();
        assert_eq!(held.status, VerificationState::Review);
        assert!(held.review_required() && held.aml_hit);
        assert_eq!(held.aml, Some(aml_section(true)), "the screening is kept for staff");
        let kyc = app.kyc_status(&path).await;
        assert_eq!(kyc["verificationStatus"], "PENDING");
        assert_eq!(kyc["verificationReviewRequired"], true, "the hold is visible: {kyc}");
        assert!(app.completions().await.is_empty(), "nothing is decided yet");
        let holds: Vec<_> = kyc_portal::events::recent(&app.db, 100).await.unwrap().into_iter()
            .filter(|e| e.event_type == "kyc.verification_review_required").collect();
        assert_eq!(holds.len(), 1, "the hold is announced once");
        assert_eq!(holds[0].data["verificationId"], json!(held.uuid));
        assert_eq!(holds[0].data["amlHit"], true);
        expect_problem(app.post_json(&format!("{path}/kyc/verify"), &json!({})).await, 409).await;

        let staff = Actor::Staff("compliance@example.com".into());
        let decided = kyc_portal::write::apply(&app.db, staff.clone(), async |tx| verification::review(tx, &uuid_of(&buyer), Decision::Approve { reason: "Namesake: other birth date".into() }).await).await.unwrap();

        assert_eq!(decided.status, VerificationState::Verified);
        assert_eq!(decided.reviewed_by.as_deref(), Some("staff:compliance@example.com"));
        let kyc = app.kyc_status(&path).await;
        assert_eq!(kyc["verificationStatus"], "VERIFIED");
        assert_eq!(kyc["verificationReviewRequired"], false);
        let completions = app.completions().await;
        assert_eq!(completions.len(), 1);
        assert_eq!(completions[0]["amlHit"], true);
        assert_eq!(completions[0]["reviewedBy"], "staff:compliance@example.com");
        let again = kyc_portal::write::apply(&app.db, staff.clone(), async |tx| verification::review(tx, &uuid_of(&buyer), Decision::Approve { reason: "Namesake: other birth date".into() }).await).await;
        assert!(again.is_err(), "nothing waits for review any more");
    }

    async fn a_suspected_result_waits_for_staff_who_reject_it_with_a_reason(app, _idenfy, _vies) {
        let (path, buyer) = app.create_nt24_buyer("DE136695976").await;
        let started = app.start_verification(&path).await;
        app.settle(&started, &buyer, "SUSPECTED", None).await;
        assert_eq!(app.verification(&path).await["status"], "REVIEW");
        let staff = Actor::Staff("compliance@example.com".into());
        let no_reason = kyc_portal::write::apply(&app.db, staff.clone(), async |tx| verification::review(tx, &uuid_of(&buyer), Decision::Reject { reason: " ".into() }).await).await;
        assert!(no_reason.is_err());

        kyc_portal::write::apply(&app.db, staff.clone(), async |tx| verification::review(tx, &uuid_of(&buyer), Decision::Reject { reason: "Name does not match the register".into() }).await).await.unwrap();

        let verification = app.verification(&path).await;
        assert_eq!(verification["status"], "REJECTED");
        assert_eq!(verification["reviewReason"], "Name does not match the register");
        let kyc = app.kyc_status(&path).await;
        assert_eq!(kyc["verificationStatus"], "REJECTED");
        assert_eq!(kyc["overallStatus"], "INVALID");
        assert_eq!(app.completions().await[0]["verificationStatus"], "REJECTED");
    }

    async fn an_expired_session_can_be_restarted_with_a_new_one(app, idenfy, _vies) {
        let (path, buyer) = app.create_nt24_buyer("DE136695976").await;
        let started = app.start_verification(&path).await;

        app.settle(&started, &buyer, "EXPIRED", None).await;

        assert_eq!(app.verification(&path).await["status"], "EXPIRED");
        assert_eq!(app.kyc_status(&path).await["verificationStatus"], "NOT_STARTED");
        assert!(app.completions().await.is_empty());
        let restarted = app.start_verification(&path).await;
        assert_ne!(restarted["uuid"], started["uuid"]);
        assert_ne!(restarted["scanRef"], started["scanRef"]);
        assert_eq!(token_requests(&idenfy).await.len(), 2);
        assert_eq!(app.kyc_status(&path).await["verificationStatus"], "PENDING");
    }

    async fn a_late_result_of_a_lapsed_session_counts_over_a_newer_one_still_running(app, idenfy, _vies) {
        let (path, buyer) = app.create_nt24_buyer("DE136695976").await;
        let first = app.start_verification(&path).await;
        // The first link lapses unused (as far as the portal knows) and a new session starts.
        sqlx::query("UPDATE verifications SET expires_at = $2 WHERE id = $1")
            .bind(first["uuid"].as_str().unwrap())
            .bind(kyc_portal::db::now().millis() - 3_600_000)
            .execute(app.db.pool()).await.unwrap();
        let second = app.start_verification(&path).await;
        assert_eq!(token_requests(&idenfy).await.len(), 2);

        app.settle(&first, &buyer, "APPROVED", None).await;

        assert_eq!(app.verification(&path).await["uuid"], first["uuid"]);
        assert_eq!(app.kyc_status(&path).await["verificationStatus"], "VERIFIED");
        app.settle(&second, &buyer, "EXPIRED", None).await;
        assert_eq!(app.kyc_status(&path).await["verificationStatus"], "VERIFIED", "a lapse never hides a result");
    }

    async fn a_lapse_of_an_older_session_does_not_hide_the_running_one(app, _idenfy, _vies) {
        let (path, buyer) = app.create_nt24_buyer("DE136695976").await;
        let first = app.start_verification(&path).await;
        sqlx::query("UPDATE verifications SET expires_at = $2 WHERE id = $1")
            .bind(first["uuid"].as_str().unwrap())
            .bind(kyc_portal::db::now().millis() - 3_600_000)
            .execute(app.db.pool()).await.unwrap();
        let second = app.start_verification(&path).await;

        app.settle(&first, &buyer, "EXPIRED", None).await;

        assert_eq!(app.verification(&path).await["uuid"], second["uuid"]);
        assert_eq!(app.kyc_status(&path).await["verificationStatus"], "PENDING");
    }

    async fn an_interim_result_changes_nothing_until_the_final_one_arrives(app, _idenfy, _vies) {
        let (path, buyer) = app.create_nt24_buyer("DE136695976").await;
        let started = app.start_verification(&path).await;

        let interim = app.idenfy_callback(&idenfy_result(&scan_ref_of(&started), &uuid_of(&buyer), "APPROVED", false, None), Signed::Correctly).await;

        assert_eq!(interim.status(), 200);
        assert_eq!(body_json(interim).await["outcome"], "unchanged");
        assert_eq!(app.verification(&path).await["status"], "PENDING");
        assert_eq!(app.kyc_status(&path).await["verificationStatus"], "PENDING");
        app.settle(&started, &buyer, "APPROVED", None).await;
        assert_eq!(app.kyc_status(&path).await["verificationStatus"], "VERIFIED");
    }

    async fn a_session_reference_the_provider_repeats_is_a_502_and_starts_nothing(app, idenfy, _vies) {
        let (first_path, _) = app.create_nt24_buyer("DE136695976").await;
        let (second_path, _) = app.create_nt24_buyer("DE136695976").await;
        let repeated = json!({
            "authToken": "repeated-token",
            "scanRef": "repeated-scan-ref",
            "redirectUrl": format!("{}/api/v2/redirect?authToken=repeated-token", idenfy.uri()),
            "expiryTime": 3600,
        });
        wiremock::Mock::given(wiremock::matchers::method("POST"))
            .and(wiremock::matchers::path("/api/v2/token"))
            .respond_with(wiremock::ResponseTemplate::new(201).set_body_json(repeated))
            .with_priority(1)
            .mount(&idenfy)
            .await;
        let verify = json!({"sendEmail": false});
        assert_eq!(app.post_json(&format!("{first_path}/kyc/verify"), &verify).await.status(), 201);

        let problem = expect_problem(app.post_json(&format!("{second_path}/kyc/verify"), &verify).await, 502).await;
        assert_eq!(problem["type"], "/problems/bad-gateway");
        assert!(problem["detail"].as_str().unwrap().contains("session reference"), "{problem}");
        expect_problem(app.get(&format!("{second_path}/kyc/verification")).await, 404).await;
    }

    async fn a_callback_with_a_wrong_or_missing_signature_is_refused_and_changes_nothing(app, _idenfy, _vies) {
        let (path, buyer) = app.create_nt24_buyer("DE136695976").await;
        let started = app.start_verification(&path).await;
        let approved = idenfy_result(&scan_ref_of(&started), &uuid_of(&buyer), "APPROVED", true, None);
        let events_before = kyc_portal::events::recent(&app.db, 100).await.unwrap().len();

        let wrong = app.idenfy_callback(&approved, Signed::Wrongly).await;
        let missing = app.idenfy_callback(&approved, Signed::Unsigned).await;
        let signed_for_other_bytes = app.client
            .post(format!("{}/callbacks/idenfy", app.address))
            .header("Idenfy-Signature", idenfy_signature(IDENFY_CALLBACK_KEY, b"{\"final\":false}"))
            .body(serde_json::to_vec(&approved).unwrap())
            .send().await.unwrap();
        let not_json = app.client
            .post(format!("{}/callbacks/idenfy", app.address))
            .header("Idenfy-Signature", "zz-not-hex")
            .body("not json at all")
            .send().await.unwrap();

        for response in [wrong, missing, signed_for_other_bytes, not_json] {
            assert_eq!(response.status(), 401);
        }
        assert_eq!(app.verification(&path).await["status"], "PENDING");
        assert_eq!(kyc_portal::events::recent(&app.db, 100).await.unwrap().len(), events_before);
    }

    async fn a_result_for_a_session_long_past_its_lifetime_is_refused_as_a_replay(app, _idenfy, _vies) {
        let (path, buyer) = app.create_nt24_buyer("DE136695976").await;
        let started = app.start_verification(&path).await;
        sqlx::query("UPDATE verifications SET expires_at = $2 WHERE id = $1")
            .bind(started["uuid"].as_str().unwrap())
            .bind(kyc_portal::db::now().millis() - 8 * 24 * 3_600_000)
            .execute(app.db.pool()).await.unwrap();

        let replayed = app.idenfy_callback(&idenfy_result(&scan_ref_of(&started), &uuid_of(&buyer), "APPROVED", true, Some(aml_section(false))), Signed::Correctly).await;

        assert_eq!(replayed.status(), 200, "acknowledged, so that it is not sent again");
        assert_eq!(body_json(replayed).await["outcome"], "past-lifetime");
        assert_eq!(app.verification(&path).await["status"], "PENDING");
        assert_ne!(app.kyc_status(&path).await["verificationStatus"], "VERIFIED");
        assert!(app.completions().await.is_empty());
    }

    async fn a_signed_callback_for_an_unknown_session_is_acknowledged_and_ignored(app, _idenfy, _vies) {
        let response = app.idenfy_callback(&idenfy_result("no-such-scan", "no-such-buyer", "APPROVED", true, None), Signed::Correctly).await;

        assert_eq!(response.status(), 200);
        assert_eq!(body_json(response).await["outcome"], "unknown-session");
        assert!(app.completions().await.is_empty());
    }

    async fn without_smtp_the_session_link_is_emailed_to_the_contact_in_its_language(app, _idenfy, _vies) {
        let (path, _) = app.create_nt24_buyer("DE136695976").await;

        let response = app.post_json(&format!("{path}/kyc/verify"), &json!({"language": "de"})).await;

        assert_eq!(response.status(), 201);
        let started = body_json(response).await;
        assert_eq!(started["emailTo"], "erika@autohandel-mustermann.de");
        let outbox = app.dir.path().join("outbox");
        let file = eventually("the email lands in the outbox", || async {
            std::fs::read_dir(&outbox).ok()?.flatten()
                .find(|e| e.path().extension().is_some_and(|x| x == "eml"))
                .map(|e| e.path())
        }).await;
        let raw = std::fs::read(file).unwrap();
        let parsed = mailparse::parse_mail(&raw).unwrap();
        let subject = parsed.headers.iter().find(|h| h.get_key() == "Subject").unwrap().get_value();
        assert!(subject.contains("Identität"), "{subject}");
        let text = parsed.subparts.iter().find(|p| p.ctype.mimetype == "text/plain").unwrap().get_body().unwrap();
        assert!(text.contains(started["sessionUrl"].as_str().unwrap()), "{text}");
        assert!(text.contains("Identität bestätigen"), "{text}");
        let html = parsed.subparts.iter().find(|p| p.ctype.mimetype == "text/html").unwrap().get_body().unwrap();
        assert!(html.contains("lang=\"de\""));
        eventually("the email status becomes SENT", || async {
            (app.verification(&path).await["emailStatus"] == "SENT").then_some(())
        }).await;
    }
}

mod without_a_redirect_url_in_the_token_answer {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_session_url_is_built_from_the_idenfy_base() {
        let idenfy = idenfy_stub(false).await;
        let url = idenfy.uri();
        let Some(app) = TestApp::spawn_with(Backend::Sqlite, |s| {
            s.idenfy_url = url;
            s.idenfy_api_key = Some(IDENFY_API_KEY.to_owned().into());
            s.idenfy_api_secret = Some(IDENFY_API_SECRET.to_owned().into());
        })
        .await
        else {
            return;
        };
        let (path, _) = app.create_nt24_buyer("DE136695976").await;

        let started = app.start_verification(&path).await;

        let expected = format!("{}/api/v2/redirect?authToken=", idenfy.uri());
        assert!(
            started["sessionUrl"]
                .as_str()
                .unwrap()
                .starts_with(&expected),
            "{started}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn wrong_credentials_or_none_are_a_503_and_store_nothing() {
        let idenfy = idenfy_stub(true).await;
        let url = idenfy.uri();
        let Some(app) = TestApp::spawn_with(Backend::Sqlite, |s| {
            s.idenfy_url = url;
            s.idenfy_api_key = Some("wrong".to_owned().into());
            s.idenfy_api_secret = Some(IDENFY_API_SECRET.to_owned().into());
        })
        .await
        else {
            return;
        };
        let (path, _) = app.create_nt24_buyer("DE136695976").await;

        let response = app
            .post_json(&format!("{path}/kyc/verify"), &json!({}))
            .await;
        assert_eq!(response.headers()["retry-after"], "60");
        let problem = expect_problem(response, 503).await;

        let detail = problem["detail"].as_str().unwrap();
        assert!(
            !detail.contains("API key"),
            "the provider's words stay in the log: {detail}"
        );
        expect_problem(app.get(&format!("{path}/kyc/verification")).await, 404).await;
        let unconfigured = TestApp::spawn(Backend::Sqlite).await.unwrap();
        let (path, _) = unconfigured.create_nt24_buyer("DE136695976").await;
        let response = unconfigured
            .post_json(&format!("{path}/kyc/verify"), &json!({}))
            .await;
        assert_eq!(response.headers()["retry-after"], "3600");
        expect_problem(response, 503).await;
        let refused = unconfigured
            .idenfy_callback(
                &idenfy_result("s", "b", "APPROVED", true, None),
                Signed::Correctly,
            )
            .await;
        assert_eq!(
            refused.status(),
            401,
            "no callback key: every callback is refused"
        );
    }
}

with_vies_on_both_backends! {
    async fn moving_a_buyer_to_nt24_led_keeps_its_documents_and_vies_results(app, vies) {
        check_vat_number().respond_with(vies_verdict("DE", "136695976", true)).mount(&vies).await;
        let (seller, buyer) = app.create_buyer_with_vat("DE136695976").await;
        let path = buyer_path(&seller, &buyer);
        let document = app.upload_pdf(&format!("{path}/kyc/documents"), "COC_EXTRACT").await;
        let check = app.settled_vies_check(&path).await;

        let patched = app.patch_json(&path, &json!({"version": 0, "kycMode": "NT24_LED"})).await;

        assert_eq!(patched.status(), 200);
        let documents = body_json(app.get(&format!("{path}/kyc/documents")).await).await;
        assert_eq!(documents["items"].as_array().unwrap().len(), 1);
        assert_eq!(documents["items"][0]["uuid"], document["uuid"]);
        assert_eq!(documents["items"][0]["status"], "ACTIVE");
        let checks = body_json(app.get(&format!("{path}/kyc/vies-checks")).await).await;
        assert_eq!(checks["items"][0]["uuid"], check["uuid"]);
        let kyc = app.kyc_status(&path).await;
        assert_eq!(kyc["kycMode"], "NT24_LED");
        assert_eq!(kyc["viesResult"], "VALID");
        assert_eq!(kyc["missingDocumentTypes"].as_array().unwrap().len(), 4);
        assert_eq!(kyc["verificationStatus"], "NOT_STARTED");
    }
}
