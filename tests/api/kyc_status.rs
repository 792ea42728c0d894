//! `GET .../kyc` and the `kyc.status_changed` events of every change that moves it.

use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;
use crate::stubs::*;
use crate::with_vies_on_both_backends;

const REQUIRED: [&str; 5] = [
    "COC_EXTRACT",
    "BANK_CONFIRMATION",
    "VAT_CERTIFICATE",
    "CONTACT_ID",
    "AML_DECLARATION",
];

impl TestApp {
    async fn kyc(&self, buyer_path: &str) -> Value {
        let response = self.get(&format!("{buyer_path}/kyc")).await;
        assert_eq!(response.status(), 200);
        body_json(response).await
    }

    /// The `kyc.status_changed` events so far, oldest first, as (previous, new).
    async fn status_changes(&self) -> Vec<(String, String)> {
        let mut events = kyc_portal::events::recent(&self.db, 100).await.unwrap();
        events.reverse();
        events
            .into_iter()
            .filter(|e| e.event_type == "kyc.status_changed")
            .map(|e| {
                (
                    e.data["previousStatus"].as_str().unwrap().to_owned(),
                    e.data["overallStatus"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}

fn changes(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

on_both_backends! {
    async fn a_new_buyer_is_pending_with_every_required_document_missing(app) {
        let (seller, buyer) = app.create_buyer().await;

        let kyc = app.kyc(&buyer_path(&seller, &buyer)).await;

        assert_eq!(kyc, json!({
            "buyerId": buyer["uuid"],
            "kycMode": "MARKETPLACE_LED",
            "overallStatus": "PENDING",
            "viesLastCheckedAt": null,
            "viesResult": null,
            "vatNumberCheck": {
                "checkDigits": "INVALID",
                "reason": "the check digit of this German VAT number is wrong",
            },
            "viesCheckInProgress": null,
            "documentsComplete": false,
            "missingDocumentTypes": REQUIRED,
            "expiredDocumentTypes": [],
        }));
        assert!(app.status_changes().await.is_empty());
    }

    async fn an_nt24_led_buyer_shows_its_verification_status(app) {
        let seller = app.create_seller().await;
        let mut body = reference_buyer();
        body["kycMode"] = json!("NT24_LED");
        let buyer = body_json(app.post_json(&buyers_path(&seller), &body).await).await;

        let kyc = app.kyc(&buyer_path(&seller, &buyer)).await;

        assert_eq!(kyc["verificationStatus"], "NOT_STARTED");
        assert_eq!(kyc["overallStatus"], "PENDING");
    }

    async fn a_document_too_old_to_count_is_refused_and_the_valid_one_keeps_counting(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        let documents = format!("{path}/kyc/documents");
        for kind in REQUIRED {
            app.upload_pdf(&documents, kind).await;
        }
        assert_eq!(app.kyc(&path).await["documentsComplete"], true);
        let stored = app.stored_files();
        let dated = |date: &str| {
            reqwest::multipart::Form::new()
                .text("type", "COC_EXTRACT")
                .text("documentDate", date.to_owned())
                .part("file", reqwest::multipart::Part::bytes(crate::fixtures::small_pdf()).file_name("old.pdf"))
        };
        let too_old = (chrono::Utc::now() - chrono::Duration::days(366)).format("%Y-%m-%d").to_string();

        let problem = expect_problem(app.upload(&documents, dated(&too_old)).await, 422).await;

        assert_eq!(problem_fields(&problem), ["documentDate"]);
        assert!(problem["errors"][0]["message"].as_str().unwrap().contains("365 days"), "{problem}");
        let kyc = app.kyc(&path).await;
        assert_eq!(kyc["documentsComplete"], true);
        assert_eq!(kyc["missingDocumentTypes"], json!([]));
        assert_eq!(app.stored_files(), stored, "nothing of the refused upload is kept");
        let listed = body_json(app.get(&documents).await).await;
        assert_eq!(listed["items"].as_array().unwrap().len(), REQUIRED.len());
        // A day younger counts, and is taken.
        let just_fresh = (chrono::Utc::now() - chrono::Duration::days(365)).format("%Y-%m-%d").to_string();
        assert_eq!(app.upload(&documents, dated(&just_fresh)).await.status(), 201);
    }

    async fn blocking_and_unblocking_move_the_status_and_announce_each_change(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);

        app.post_json(&format!("{path}/block"), &json!({"reason": "hold"})).await;
        assert_eq!(app.kyc(&path).await["overallStatus"], "BLOCKED");
        app.post_json(&format!("{path}/unblock"), &json!({})).await;

        assert_eq!(app.kyc(&path).await["overallStatus"], "PENDING");
        assert_eq!(app.status_changes().await, changes(&[("PENDING", "BLOCKED"), ("BLOCKED", "PENDING")]));
        let events = kyc_portal::events::recent(&app.db, 10).await.unwrap();
        let last = events.iter().find(|e| e.event_type == "kyc.status_changed").unwrap();
        assert_eq!(last.data["buyerId"], buyer["uuid"]);
        assert_eq!(last.data["sellerId"], json!(seller));
    }
}

with_vies_on_both_backends! {
    async fn documents_and_a_valid_vies_check_make_a_buyer_valid_and_each_change_is_announced(app, vies) {
        check_vat_number().respond_with(vies_verdict("DE", "136695976", true)).mount(&vies).await;
        let (seller, buyer) = app.create_buyer_with_vat("DE136695976").await;
        let path = buyer_path(&seller, &buyer);
        let documents = format!("{path}/kyc/documents");
        let mut uploaded = Vec::new();
        for kind in REQUIRED {
            uploaded.push(app.upload_pdf(&documents, kind).await);
        }
        assert_eq!(app.kyc(&path).await["overallStatus"], "PENDING", "no VIES check yet");

        app.settled_vies_check(&path).await;
        let kyc = app.kyc(&path).await;
        assert_eq!(kyc["overallStatus"], "VALID");
        assert_eq!(kyc["documentsComplete"], true);
        assert_eq!(kyc["missingDocumentTypes"], json!([]));

        // Archiving a required document, re-uploading it, then moving the buyer to NT24_LED.
        app.patch_json(&format!("/v1/documents/{}", uploaded[3]["uuid"].as_str().unwrap()), &json!({"status": "ARCHIVED"})).await;
        assert_eq!(app.kyc(&path).await["missingDocumentTypes"], json!(["CONTACT_ID"]));
        app.upload_pdf(&documents, "CONTACT_ID").await;
        let patched = app.patch_json(&path, &json!({"version": 0, "kycMode": "NT24_LED"})).await;
        assert_eq!(patched.status(), 200);

        assert_eq!(app.kyc(&path).await["overallStatus"], "PENDING");
        assert_eq!(app.status_changes().await, changes(&[
            ("PENDING", "VALID"),
            ("VALID", "PENDING"),
            ("PENDING", "VALID"),
            ("VALID", "PENDING"),
        ]));
    }

    async fn a_status_that_lapses_as_a_document_ages_is_refreshed_and_announced(app, vies) {
        check_vat_number().respond_with(vies_verdict("DE", "136695976", true)).mount(&vies).await;
        let (seller, buyer) = app.create_buyer_with_vat("DE136695976").await;
        let path = buyer_path(&seller, &buyer);
        for kind in REQUIRED {
            app.upload_pdf(&format!("{path}/kyc/documents"), kind).await;
        }
        app.settled_vies_check(&path).await;
        assert_eq!(app.kyc(&path).await["overallStatus"], "VALID");
        // Time passes: the register extract (at most 365 days old) is now two years old. No
        // change is made, so nothing but the scheduled refresh can notice.
        let two_years_ago = (chrono::Utc::now().date_naive() - chrono::Duration::days(730)).to_string();
        sqlx::query("UPDATE documents SET document_date = $1 WHERE type = 'COC_EXTRACT'")
            .bind(two_years_ago).execute(app.db.pool()).await.unwrap();

        let changed = kyc_portal::kyc::refresh_job::refresh_lapsed(&app.db, kyc_portal::db::now()).await.unwrap();

        assert_eq!(changed, 1);
        let kyc = app.kyc(&path).await;
        assert_eq!(kyc["missingDocumentTypes"], json!([]));
        assert_eq!(kyc["expiredDocumentTypes"], json!(["COC_EXTRACT"]));
        assert_eq!(kyc["documentsComplete"], false);
        assert_eq!(app.status_changes().await.last().unwrap(), &("VALID".to_owned(), "PENDING".to_owned()));
        assert_eq!(kyc_portal::kyc::refresh_job::refresh_lapsed(&app.db, kyc_portal::db::now()).await.unwrap(), 0);
    }
}

/// A VIES check still being tried shows in the KYC status; the offline verdict on the VAT
/// number shows at create and before any check.
mod work_in_progress {
    use super::*;

    async fn check(backend: Backend) {
        // No worker: the VIES check stays pending for as long as the test looks at it.
        let Some(app) =
            TestApp::spawn_with_options(backend, |_| {}, |o| o.run_worker = false).await
        else {
            return;
        };
        let seller = app.create_seller().await;
        let created = body_json(
            app.post_json(&buyers_path(&seller), &reference_buyer())
                .await,
        )
        .await;
        assert_eq!(
            created["vatNumberCheck"]["checkDigits"], "INVALID",
            "DE123456789 has a wrong check digit: {created}"
        );
        assert!(
            created["vatNumberCheck"]["reason"]
                .as_str()
                .unwrap()
                .contains("check digit")
        );
        let mut good = reference_buyer();
        good["vatNumber"] = json!("DE136695976");
        let good = body_json(app.post_json(&buyers_path(&seller), &good).await).await;
        assert_eq!(
            good["vatNumberCheck"],
            json!({"checkDigits": "VALID", "reason": null})
        );

        let path = buyer_path(&seller, &good);
        let requested = app
            .post_json(&format!("{path}/kyc/vies-check"), &json!({}))
            .await;
        assert_eq!(requested.status(), 202);
        let requested = body_json(requested).await;
        let kyc = app.kyc(&path).await;
        assert_eq!(kyc["viesResult"], Value::Null);
        assert_eq!(kyc["viesCheckInProgress"]["checkId"], requested["uuid"]);
        assert_eq!(kyc["vatNumberCheck"]["checkDigits"], "VALID");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shows_on_sqlite() {
        check(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn shows_on_postgres() {
        check(Backend::Postgres).await
    }
}
