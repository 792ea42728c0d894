//! Staff review of documents through the API: accepting and rejecting versions, the reason a
//! rejection needs, `requireDocumentReview` and what counts for `documentsComplete`, the list
//! filter, and the `kyc.document_reviewed` event.

use kyc_portal::access::{SellerScope, TokenAccess};
use reqwest::Method;
use serde_json::{Value, json};

use crate::documents::documents_path;
use crate::helpers::*;
use crate::on_both_backends;
use crate::stubs::*;

pub const REQUIRED: [&str; 5] = [
    "COC_EXTRACT",
    "BANK_CONFIRMATION",
    "VAT_CERTIFICATE",
    "CONTACT_ID",
    "AML_DECLARATION",
];

impl TestApp {
    /// `POST /v1/documents/{id}/review` with `body`.
    pub async fn review(&self, document: &Value, body: Value) -> reqwest::Response {
        let path = format!(
            "/v1/documents/{}/review",
            document["uuid"].as_str().unwrap()
        );
        self.post_json(&path, &body).await
    }

    /// Turns `requireDocumentReview` on or off.
    pub async fn require_review(&self, on: bool) {
        let response = self
            .patch_json("/v1/organisation", &json!({"requireDocumentReview": on}))
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(body_json(response).await["requireDocumentReview"], on);
    }

    async fn documents_complete(&self, buyer_path: &str) -> Value {
        let kyc = body_json(self.get(&format!("{buyer_path}/kyc")).await).await;
        kyc["documentsComplete"].clone()
    }
}

on_both_backends! {
    async fn a_new_upload_waits_for_review_and_staff_accept_or_reject_it(app) {
        let (seller, buyer) = app.create_buyer().await;
        let documents = documents_path(&seller, &buyer);
        let coc = app.upload_pdf(&documents, "COC_EXTRACT").await;
        let bank = app.upload_pdf(&documents, "BANK_CONFIRMATION").await;
        assert_eq!(coc["reviewStatus"], "PENDING_REVIEW");
        assert_eq!(coc["reviewedAt"], Value::Null);
        assert_eq!(coc["reviewReason"], Value::Null);

        let accepted = app.review(&coc, json!({"decision": "ACCEPTED"})).await;
        let rejected = app.review(&bank, json!({"decision": "REJECTED", "reason": "UNREADABLE", "note": "The scan is blurred"})).await;

        assert_eq!(accepted.status(), 200);
        let accepted = body_json(accepted).await;
        assert_eq!(accepted["reviewStatus"], "ACCEPTED");
        assert!(accepted["reviewedAt"].as_str().unwrap().ends_with('Z'), "{accepted}");
        assert_eq!(accepted["reviewReason"], Value::Null);
        let rejected = body_json(rejected).await;
        assert_eq!(rejected["reviewStatus"], "REJECTED");
        assert_eq!(rejected["reviewReason"], "UNREADABLE");
        assert_eq!(rejected["reviewNote"], "The scan is blurred");
        let read = body_json(app.get(&format!("/v1/documents/{}", bank["uuid"].as_str().unwrap())).await).await;
        assert_eq!(read["reviewStatus"], "REJECTED");
        let history = body_json(app.get(&format!("/v1/documents/{}/history", bank["uuid"].as_str().unwrap())).await).await;
        assert_eq!(history["items"][0]["action"], "reviewed");
        let events = kyc_portal::events::recent(&app.db, 20).await.unwrap();
        let reviewed: Vec<&Value> = events.iter().filter(|e| e.event_type == "kyc.document_reviewed").map(|e| &e.data).collect();
        assert_eq!(reviewed.len(), 2);
        assert_eq!(reviewed[0]["documentId"], bank["uuid"]);
        assert_eq!(reviewed[0]["type"], "BANK_CONFIRMATION");
        assert_eq!(reviewed[0]["version"], 1);
        assert_eq!(reviewed[0]["decision"], "REJECTED");
        assert_eq!(reviewed[0]["reason"], "UNREADABLE");
        assert_eq!(reviewed[0]["sellerId"], json!(seller));
        assert_eq!(reviewed[1]["decision"], "ACCEPTED");
    }

    async fn a_rejection_without_a_reason_or_with_an_unknown_decision_is_refused(app) {
        let (seller, buyer) = app.create_buyer().await;
        let document = app.upload_pdf(&documents_path(&seller, &buyer), "COC_EXTRACT").await;

        let no_reason = expect_problem(app.review(&document, json!({"decision": "REJECTED", "note": "bad"})).await, 422).await;
        let unknown = expect_problem(app.review(&document, json!({"decision": "MAYBE", "reason": "UGLY"})).await, 422).await;
        let extra = expect_problem(app.review(&document, json!({"decision": "ACCEPTED", "by": "me"})).await, 422).await;

        assert_eq!(problem_fields(&no_reason), ["reason"]);
        assert!(no_reason["errors"][0]["message"].as_str().unwrap().contains("rejected"), "{no_reason}");
        let mut fields = problem_fields(&unknown);
        fields.sort();
        assert_eq!(fields, ["decision", "reason"]);
        assert_eq!(problem_fields(&extra), ["by"]);
        let read = body_json(app.get(&format!("/v1/documents/{}", document["uuid"].as_str().unwrap())).await).await;
        assert_eq!(read["reviewStatus"], "PENDING_REVIEW", "nothing was recorded");
        expect_problem(app.post_json("/v1/documents/nope/review", &json!({"decision": "ACCEPTED"})).await, 404).await;
    }

    async fn a_sellers_token_reviews_its_own_documents_only_and_a_read_only_token_none(app) {
        let (mine, my_buyer) = app.create_buyer().await;
        let (theirs, their_buyer) = app.create_buyer().await;
        let my_document = app.upload_pdf(&documents_path(&mine, &my_buyer), "COC_EXTRACT").await;
        let their_document = app.upload_pdf(&documents_path(&theirs, &their_buyer), "COC_EXTRACT").await;
        let token = app.token(SellerScope::Seller(mine.clone()), TokenAccess::ReadWrite).await;
        let reader = app.token(SellerScope::Organisation, TokenAccess::ReadOnly).await;
        let review = |document: &Value| format!("/v1/documents/{}/review", document["uuid"].as_str().unwrap());
        let accept = Some(json!({"decision": "ACCEPTED"}));

        let own = app.call_as(&token, Method::POST, &review(&my_document), accept.clone()).await;
        let other = app.call_as(&token, Method::POST, &review(&their_document), accept.clone()).await;
        let read_only = app.call_as(&reader, Method::POST, &review(&their_document), accept).await;

        assert_eq!(own.status(), 200);
        expect_problem(other, 404).await;
        expect_problem(read_only, 403).await;
        let read = body_json(app.get(&format!("/v1/documents/{}", their_document["uuid"].as_str().unwrap())).await).await;
        assert_eq!(read["reviewStatus"], "PENDING_REVIEW");
    }

    async fn the_list_filters_by_review_status(app) {
        let (seller, buyer) = app.create_buyer().await;
        let documents = documents_path(&seller, &buyer);
        let first = app.upload_pdf(&documents, "COC_EXTRACT").await;
        let second = app.upload_pdf(&documents, "BANK_CONFIRMATION").await;
        app.upload_pdf(&documents, "CONTACT_ID").await;
        app.review(&first, json!({"decision": "ACCEPTED"})).await;
        app.review(&second, json!({"decision": "REJECTED", "reason": "EXPIRED"})).await;
        let ids = |listing: Value| -> Vec<String> {
            listing["items"].as_array().unwrap().iter().map(|d| d["type"].as_str().unwrap().to_owned()).collect()
        };

        let accepted = ids(body_json(app.get(&format!("{documents}?reviewStatus=ACCEPTED")).await).await);
        let rejected = ids(body_json(app.get(&format!("{documents}?reviewStatus=REJECTED")).await).await);
        let pending = ids(body_json(app.get(&format!("{documents}?reviewStatus=PENDING_REVIEW")).await).await);
        let wrong = expect_problem(app.get(&format!("{documents}?reviewStatus=DONE")).await, 422).await;

        assert_eq!(accepted, ["COC_EXTRACT"]);
        assert_eq!(rejected, ["BANK_CONFIRMATION"]);
        assert_eq!(pending, ["CONTACT_ID"]);
        assert_eq!(problem_fields(&wrong), ["reviewStatus"]);
    }

    async fn without_required_review_every_upload_counts_as_before(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        let organisation = body_json(app.get("/v1/organisation").await).await;
        assert_eq!(organisation["requireDocumentReview"], false);
        let mut uploaded = Vec::new();
        for kind in REQUIRED {
            uploaded.push(app.upload_pdf(&format!("{path}/kyc/documents"), kind).await);
        }
        assert_eq!(app.documents_complete(&path).await, true);

        app.review(&uploaded[0], json!({"decision": "REJECTED", "reason": "OTHER"})).await;

        assert_eq!(app.documents_complete(&path).await, true, "a rejection changes nothing while review is not required");
    }

    async fn with_required_review_only_the_latest_accepted_version_counts(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        let documents = format!("{path}/kyc/documents");
        let mut uploaded = Vec::new();
        for kind in REQUIRED {
            uploaded.push(app.upload_pdf(&documents, kind).await);
        }
        assert_eq!(app.documents_complete(&path).await, true);

        app.require_review(true).await;
        let kyc = body_json(app.get(&format!("{path}/kyc")).await).await;
        assert_eq!(kyc["documentsComplete"], false, "nothing is accepted yet");
        assert_eq!(kyc["missingDocumentTypes"], json!(REQUIRED));
        for document in &uploaded {
            assert_eq!(app.review(document, json!({"decision": "ACCEPTED"})).await.status(), 200);
        }
        assert_eq!(app.documents_complete(&path).await, true);

        // A newer register extract waits for review: the accepted one keeps counting.
        let newer = app.upload_pdf(&documents, "COC_EXTRACT").await;
        assert_eq!(newer["version"], 2);
        assert_eq!(app.documents_complete(&path).await, true);
        app.review(&newer, json!({"decision": "REJECTED", "reason": "WRONG_DOCUMENT"})).await;
        assert_eq!(app.documents_complete(&path).await, true, "a rejected newer version does not displace the accepted one");

        // Rejecting the accepted one afterwards leaves the type without a counting version.
        app.review(&uploaded[0], json!({"decision": "REJECTED", "reason": "EXPIRED"})).await;
        let kyc = body_json(app.get(&format!("{path}/kyc")).await).await;
        assert_eq!(kyc["documentsComplete"], false);
        assert_eq!(kyc["missingDocumentTypes"], json!(["COC_EXTRACT"]));

        app.require_review(false).await;
        assert_eq!(app.documents_complete(&path).await, true, "turned off, the latest active version counts again");
    }

    async fn a_decision_is_delivered_to_webhooks_and_verifies_with_the_reference_library(app) {
        let receiver = receiver().await;
        let endpoint = app.subscribe(&format!("{}/hooks", receiver.uri()), &["kyc.document_reviewed"]).await;
        let (seller, buyer) = app.create_buyer().await;
        let document = app.upload_pdf(&documents_path(&seller, &buyer), "CONTACT_ID").await;

        app.review(&document, json!({"decision": "REJECTED", "reason": "NAME_MISMATCH"})).await;

        let got = await_deliveries(&receiver, 1).await;
        assert_eq!(got.len(), 1);
        let body = got[0].json();
        assert_eq!(body["type"], "kyc.document_reviewed");
        assert_eq!(body["data"]["documentId"], document["uuid"]);
        assert_eq!(body["data"]["type"], "CONTACT_ID");
        assert_eq!(body["data"]["version"], 1);
        assert_eq!(body["data"]["decision"], "REJECTED");
        assert_eq!(body["data"]["reason"], "NAME_MISMATCH");
        verify_with_standard_webhooks(endpoint["secret"].as_str().unwrap(), &got);
    }
}

/// The staff pages: the decision form beside the preview, the review queue, the setting.
mod staff {
    use kyc_portal::staff::StaffRole;
    use serde_json::{Value, json};

    use super::REQUIRED;
    use crate::admin::location;
    use crate::documents::documents_path;
    use crate::helpers::*;
    use crate::on_both_backends;

    async fn review_status(app: &TestApp, document: &Value) -> Value {
        let read = body_json(
            app.get(&format!(
                "/v1/documents/{}",
                document["uuid"].as_str().unwrap()
            ))
            .await,
        )
        .await;
        read["reviewStatus"].clone()
    }

    on_both_backends! {
        async fn staff_accept_and_reject_beside_the_preview_and_a_rejection_needs_a_reason(app) {
            let (seller, buyer) = app.create_buyer().await;
            let documents = documents_path(&seller, &buyer);
            let coc = app.upload_pdf(&documents, "COC_EXTRACT").await;
            let bank = app.upload_pdf(&documents, "BANK_CONFIRMATION").await;
            let mut kim = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
            let buyer_id = buyer["uuid"].as_str().unwrap();
            let tab = kim.page(&format!("/admin/buyers/{buyer_id}/documents")).await;
            assert!(tab.contains("Waiting for review"), "{tab}");
            let coc_id = coc["uuid"].as_str().unwrap();
            let preview = kim.page(&format!("/admin/documents/{coc_id}/preview")).await;
            assert!(preview.contains(&format!("action=\"/admin/documents/{coc_id}/review\"")), "{preview}");
            assert!(preview.contains("Name or company does not match"));

            let accepted = kim.post(&format!("/admin/documents/{coc_id}/review"), &[("decision", "ACCEPTED"), ("reason", ""), ("note", "")]).await;
            let bank_id = bank["uuid"].as_str().unwrap();
            let refused = kim.post(&format!("/admin/documents/{bank_id}/review"), &[("decision", "REJECTED"), ("reason", ""), ("note", "Blurred")]).await;

            assert_eq!(accepted.status(), 303);
            assert_eq!(location(&accepted), format!("/admin/buyers/{buyer_id}/documents"));
            assert_eq!(review_status(&app, &coc).await, "ACCEPTED");
            assert_eq!(refused.status(), 422);
            let page = refused.text().await.unwrap();
            assert!(page.contains("Say why the document is rejected"), "{page}");
            assert!(page.contains("Blurred"), "the note comes back as typed");
            assert_eq!(review_status(&app, &bank).await, "PENDING_REVIEW");

            let rejected = kim.post(&format!("/admin/documents/{bank_id}/review"), &[("decision", "REJECTED"), ("reason", "UNREADABLE"), ("note", "Blurred"), ("from", "queue")]).await;
            assert_eq!(location(&rejected), "/admin/reviews");
            assert_eq!(review_status(&app, &bank).await, "REJECTED");
            let history = body_json(app.get(&format!("/v1/documents/{bank_id}/history")).await).await;
            assert_eq!(history["items"][0]["actor"], "staff:kim@marketplace.example", "{history}");
            let tab = kim.page(&format!("/admin/buyers/{buyer_id}/documents")).await;
            assert!(tab.contains("Rejected: Unreadable"), "{tab}");
        }

        async fn the_review_page_speaks_german_for_a_german_speaking_reviewer(app) {
            let (seller, buyer) = app.create_buyer().await;
            let document = app.upload_pdf(&documents_path(&seller, &buyer), "COC_EXTRACT").await;
            let mut kim = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
            kim.page("/admin").await;
            kim.post("/admin/language", &[("lang", "de"), ("back", "/admin")]).await;
            let id = document["uuid"].as_str().unwrap();

            let preview = kim.page(&format!("/admin/documents/{id}/preview")).await;
            let refused = kim.post(&format!("/admin/documents/{id}/review"), &[("decision", "REJECTED")]).await;
            let queue = kim.page("/admin/reviews").await;

            assert!(preview.contains("Ablehnen") && preview.contains("Nicht lesbar"), "{preview}");
            assert_eq!(refused.status(), 422);
            assert!(refused.text().await.unwrap().contains("Geben Sie an, warum das Dokument abgelehnt wird"));
            assert!(queue.contains("Prüfliste"), "{queue}");
        }

        async fn the_queue_lists_waiting_uploads_oldest_first_filtered_and_a_page_at_a_time(app) {
            let (seller, buyer) = app.create_buyer().await;
            let (other_seller, other_buyer) = app.create_buyer().await;
            let mine = documents_path(&seller, &buyer);
            let theirs = documents_path(&other_seller, &other_buyer);
            let first = app.upload_pdf(&mine, "COC_EXTRACT").await;
            let decided = app.upload_pdf(&mine, "CONTACT_ID").await;
            app.upload_pdf(&theirs, "BANK_CONFIRMATION").await;
            for _ in 0..24 {
                app.upload_pdf(&mine, "AML_DECLARATION").await;
            }
            app.review(&decided, json!({"decision": "ACCEPTED"})).await;
            let mut kim = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
            let links = |page: &str| -> Vec<String> {
                page.split("href=\"/admin/documents/").skip(1).map(|s| s.split('/').next().unwrap().to_owned()).collect()
            };

            let page_one = kim.page("/admin/reviews").await;
            let one = links(&page_one);
            assert_eq!(one.len(), 25);
            assert_eq!(one[0], first["uuid"].as_str().unwrap(), "the oldest waits longest");
            assert!(!one.contains(&decided["uuid"].as_str().unwrap().to_owned()), "decided versions leave the queue");
            let next = page_one.split("rel=\"next\"").next().unwrap().rsplit("href=\"").next().unwrap().split('"').next().unwrap().replace("&amp;", "&");
            let two = links(&kim.page(&next).await);
            assert_eq!(two.len(), 1, "26 waiting, 25 per page");
            assert!(!one.contains(&two[0]));

            let only_theirs = links(&kim.page(&format!("/admin/reviews?seller={other_seller}")).await);
            assert_eq!(only_theirs.len(), 1);
            let only_coc = links(&kim.page("/admin/reviews?type=COC_EXTRACT").await);
            assert_eq!(only_coc, [first["uuid"].as_str().unwrap()]);
        }

        async fn with_four_eyes_a_staff_decision_counts_once_a_second_staff_member_confirms_it(app) {
            let turned_on = app.patch_json("/v1/organisation", &json!({"fourEyesReview": true})).await;
            assert_eq!(body_json(turned_on).await["fourEyesReview"], true);
            let (seller, buyer) = app.create_buyer().await;
            let document = app.upload_pdf(&documents_path(&seller, &buyer), "BANK_CONFIRMATION").await;
            let id = document["uuid"].as_str().unwrap();
            let review = format!("/admin/documents/{id}/review");
            let reject = [("decision", "REJECTED"), ("reason", "UNREADABLE"), ("note", "Blurred")];
            let mut kim = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
            let mut lee = app.signed_in("lee@marketplace.example", StaffRole::Staff).await;
            let reviewed_events = async || {
                kyc_portal::events::recent(&app.db, 50).await.unwrap().iter().filter(|e| e.event_type == "kyc.document_reviewed").count()
            };

            kim.page(&format!("/admin/documents/{id}/preview")).await;
            let proposed = kim.post(&review, &reject).await;
            let again = kim.post(&review, &reject).await;

            assert_eq!(proposed.status(), 303);
            assert_eq!(again.status(), 303);
            assert_eq!(review_status(&app, &document).await, "PENDING_REVIEW", "one reviewer is not enough, however often");
            assert_eq!(reviewed_events().await, 0);
            let queue = lee.page("/admin/reviews").await;
            assert!(queue.contains("Rejected (Unreadable), proposed by kim@marketplace.example"), "{queue}");

            // A different decision replaces the proposal; the same one from someone else counts.
            lee.page(&format!("/admin/documents/{id}/preview")).await;
            lee.post(&review, &[("decision", "ACCEPTED")]).await;
            assert_eq!(review_status(&app, &document).await, "PENDING_REVIEW");
            let confirmed = kim.post(&review, &[("decision", "ACCEPTED")]).await;

            assert_eq!(confirmed.status(), 303);
            assert_eq!(review_status(&app, &document).await, "ACCEPTED");
            assert_eq!(reviewed_events().await, 1);
            let history = body_json(app.get(&format!("/v1/documents/{id}/history")).await).await;
            let actions: Vec<(&str, &str)> = history["items"].as_array().unwrap().iter()
                .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap())).collect();
            assert_eq!(&actions[..4], [
                ("reviewed", "staff:kim@marketplace.example"),
                ("review-proposed", "staff:lee@marketplace.example"),
                ("review-proposed", "staff:kim@marketplace.example"),
                ("review-proposed", "staff:kim@marketplace.example"),
            ]);

            // Through the API a decision counts at once: the marketplace's tools hold their rules.
            let other = app.upload_pdf(&documents_path(&seller, &buyer), "CONTACT_ID").await;
            app.review(&other, json!({"decision": "ACCEPTED"})).await;
            assert_eq!(review_status(&app, &other).await, "ACCEPTED");
        }

        async fn the_settings_page_turns_required_review_on(app) {
            let (seller, buyer) = app.create_buyer().await;
            for kind in REQUIRED {
                app.upload_pdf(&documents_path(&seller, &buyer), kind).await;
            }
            let mut admin = app.admin_browser().await;
            let before = admin.page("/admin").await;
            assert!(!before.contains("id=\"reviews\""), "no review section while nothing is reviewed");
            let form = admin.page("/admin/settings").await;
            assert!(form.contains("name=\"require_document_review\""));

            let saved = admin.save_settings(&[("require_document_review", "true"), ("four_eyes_review", "true")]).await;

            assert_eq!(saved.status(), 303);
            let organisation = body_json(app.get("/v1/organisation").await).await;
            assert_eq!(organisation["requireDocumentReview"], true);
            assert_eq!(organisation["fourEyesReview"], true);
            let kyc = body_json(app.get(&format!("{}/kyc", buyer_path(&seller, &buyer))).await).await;
            assert_eq!(kyc["documentsComplete"], false, "nothing is accepted yet");
            let buyers = admin.page("/admin/buyers").await;
            assert!(buyers.contains("0 / 5"), "the buyer list counts accepted versions only");
            let today = admin.page("/admin").await;
            let waiting = today.split("id=\"reviews\"").nth(1).unwrap().split("</section>").next().unwrap();
            assert!(waiting.contains("(1)") && waiting.contains("AutoHandel Mustermann GmbH"), "the start page names the buyer whose uploads wait: {waiting}");
        }
    }
}

/// The buyer's page after a rejection: the type with its reason, and its upload form open.
mod buyer_page {
    use serde_json::json;

    use crate::documents::documents_path;
    use crate::fixtures::small_pdf;
    use crate::helpers::*;
    use crate::on_both_backends;
    use crate::portal::{browser, csrf_of, upload_form};

    on_both_backends! {
        async fn the_buyers_page_names_the_rejected_type_with_its_reason_and_takes_a_new_version(app) {
            let (seller, buyer, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com", "language": "de"})).await;
            let documents = documents_path(&seller, &buyer);
            let bank = app.upload_pdf(&documents, "BANK_CONFIRMATION").await;
            app.review(&bank, json!({"decision": "REJECTED", "reason": "WRONG_DOCUMENT", "note": "Das ist ein Kontoauszug."})).await;
            let browser = browser();

            let page = app.open_link(&browser, &invitation).await.text().await.unwrap();

            let row = page.split("id=\"type-BANK_CONFIRMATION\"").nth(1).unwrap().split("</li>").next().unwrap();
            assert!(row.contains("Nicht angenommen: coc-extract.pdf (Falsches Dokument). Das ist ein Kontoauszug. Bitte laden Sie eine neue Version hoch."), "{row}");
            assert!(page.contains("class=\"document rejected\""), "{page}");
            assert!(!row.contains("<details class=\"done\">"), "the form is open, not folded away");
            let response = browser.post(format!("{}/kyc/documents", app.address))
                .multipart(upload_form(&csrf_of(&page), "BANK_CONFIRMATION", "2026-01-15", "bank.pdf", small_pdf()))
                .send().await.unwrap();
            assert_eq!(response.status(), 200);
            let after = response.text().await.unwrap();
            assert!(!after.contains("Nicht angenommen"), "the new version waits for review instead");
            let listed = body_json(app.get(&format!("{documents}?type=BANK_CONFIRMATION")).await).await;
            assert_eq!(listed["items"][0]["version"], 2);
            assert_eq!(listed["items"][0]["reviewStatus"], "PENDING_REVIEW");
        }
    }
}

/// The buyer learns of a rejection: by email through the real SMTP sink, in the invitation's
/// language, with an active link or a new one.
mod rejection_email {
    use std::time::{Duration, Instant};

    use serde_json::{Value, json};

    use crate::documents::documents_path;
    use crate::helpers::*;
    use crate::invitations::smtp_sink;

    /// The message to `recipient` whose subject is `subject`, once it arrives.
    async fn mail_with_subject(
        maildir: &std::path::Path,
        recipient: &str,
        subject: &str,
    ) -> Vec<u8> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            for entry in std::fs::read_dir(maildir.join("new")).unwrap().flatten() {
                let raw = std::fs::read(entry.path()).unwrap();
                let parsed = mailparse::parse_mail(&raw).unwrap();
                let header = |name: &str| {
                    parsed
                        .headers
                        .iter()
                        .find(|h| h.get_key_ref().eq_ignore_ascii_case(name))
                        .map(|h| h.get_value())
                        .unwrap_or_default()
                };
                if header("to").contains(recipient) && header("subject") == subject {
                    return raw;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no mail {subject:?} for {recipient}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Both parts of a mail, text and HTML.
    fn parts(raw: &[u8]) -> (String, String) {
        let mail = mailparse::parse_mail(raw).unwrap();
        assert_eq!(mail.ctype.mimetype, "multipart/alternative");
        let part = |mime: &str| {
            mail.subparts
                .iter()
                .find(|p| p.ctype.mimetype == mime)
                .unwrap()
                .get_body()
                .unwrap()
        };
        (part("text/plain"), part("text/html"))
    }

    async fn with_sink(backend: Backend) -> Option<(TestApp, std::path::PathBuf)> {
        let (smtp_url, maildir) = smtp_sink()?;
        let app = TestApp::spawn_with(backend, |s| {
            s.smtp_url = Some(smtp_url.clone().into());
            s.public_url = "https://onboard.example.com".into();
        })
        .await?;
        Some((app, maildir))
    }

    async fn a_rejection_reaches_the_buyer_in_the_invitations_language_with_its_link(
        backend: Backend,
    ) {
        let Some((app, maildir)) = with_sink(backend).await else {
            return;
        };
        let (seller, buyer) = app.create_buyer().await;
        let recipient = format!("buyer-{}@example.com", uuid::Uuid::new_v4().simple());
        let invitation = app
            .invite(
                &seller,
                &buyer,
                json!({"recipientEmail": recipient, "language": "de"}),
            )
            .await;
        let document = app
            .upload_pdf(&documents_path(&seller, &buyer), "BANK_CONFIRMATION")
            .await;

        let rejected = app
            .review(&document, json!({"decision": "REJECTED", "reason": "UNREADABLE", "note": "Der Scan ist unscharf"}))
            .await;

        assert_eq!(rejected.status(), 200);
        let raw = mail_with_subject(
            &maildir,
            &recipient,
            "AutoMarkt Seller GmbH: Bitte laden Sie ein Dokument erneut hoch",
        )
        .await;
        let (text, html) = parts(&raw);
        let link = invitation["publicLinkUrl"].as_str().unwrap();
        for phrase in [
            "Bankbestätigung: Nicht lesbar (Der Scan ist unscharf)",
            link,
            "Neue Version hochladen",
        ] {
            assert!(text.contains(phrase), "text part lacks {phrase:?}:\n{text}");
            assert!(html.contains(phrase), "html part lacks {phrase:?}:\n{html}");
        }
        assert!(html.contains("lang=\"de\""));
        let listed = body_json(
            app.get(&format!(
                "{}/kyc/self-service-invitations",
                buyer_path(&seller, &buyer)
            ))
            .await,
        )
        .await;
        assert_eq!(
            listed["items"].as_array().unwrap().len(),
            1,
            "the active link is used, no new one"
        );
    }

    async fn without_an_active_link_a_new_one_goes_to_the_buyers_contact(backend: Backend) {
        let Some((app, maildir)) = with_sink(backend).await else {
            return;
        };
        let (seller, buyer) = {
            let seller = app.create_seller().await;
            let mut body = reference_buyer();
            let contact = format!("contact-{}@example.com", uuid::Uuid::new_v4().simple());
            body["contacts"][0]["email"] = json!(contact);
            let created = body_json(app.post_json(&buyers_path(&seller), &body).await).await;
            (seller, created)
        };
        let contact = buyer["contacts"][0]["email"].as_str().unwrap().to_owned();
        let document = app
            .upload_pdf(&documents_path(&seller, &buyer), "COC_EXTRACT")
            .await;

        app.review(
            &document,
            json!({"decision": "REJECTED", "reason": "EXPIRED"}),
        )
        .await;

        let raw = mail_with_subject(
            &maildir,
            &contact,
            "AutoMarkt Seller GmbH: please upload a document again",
        )
        .await;
        let (text, _) = parts(&raw);
        assert!(
            text.contains("Erika Mustermann"),
            "the contact is greeted by name: {text}"
        );
        assert!(
            text.contains("Commercial register extract: Expired"),
            "{text}"
        );
        let listed: Value = body_json(
            app.get(&format!(
                "{}/kyc/self-service-invitations",
                buyer_path(&seller, &buyer)
            ))
            .await,
        )
        .await;
        let issued = &listed["items"][0];
        assert_eq!(issued["recipientEmail"], json!(contact));
        assert_eq!(issued["language"], "en");
        assert_eq!(issued["status"], "ACTIVE");
        let link = issued["publicLinkUrl"].as_str().unwrap();
        note_issued_link(link);
        assert!(text.contains(link), "the email carries the new link");
        crate::stubs::eventually("the new link's email is recorded as sent", || async {
            let listed = body_json(
                app.get(&format!(
                    "{}/kyc/self-service-invitations",
                    buyer_path(&seller, &buyer)
                ))
                .await,
            )
            .await;
            (listed["items"][0]["emailStatus"] == "SENT").then_some(())
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_rejection_reaches_the_buyer_in_german_on_sqlite() {
        a_rejection_reaches_the_buyer_in_the_invitations_language_with_its_link(Backend::Sqlite)
            .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_rejection_reaches_the_buyer_in_german_on_postgres() {
        a_rejection_reaches_the_buyer_in_the_invitations_language_with_its_link(Backend::Postgres)
            .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn without_a_link_a_new_one_is_issued_on_sqlite() {
        without_an_active_link_a_new_one_goes_to_the_buyers_contact(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn without_a_link_a_new_one_is_issued_on_postgres() {
        without_an_active_link_a_new_one_goes_to_the_buyers_contact(Backend::Postgres).await
    }
}

/// A compliance officer works through the review queue in Chromium, in English and German.
mod in_the_browser {
    use fantoccini::{Client, Locator};
    use kyc_portal::staff::StaffRole;
    use serde_json::json;

    use crate::admin::PASSWORD;
    use crate::browser::Browser;
    use crate::documents::documents_path;
    use crate::helpers::*;

    const KIM: &str = "kim@marketplace.example";

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_officer_works_through_the_queue_in_english_and_german() {
        let Some(browser) = Browser::start(true).await else {
            return;
        };
        let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
        let (seller, buyer) = app.create_buyer().await;
        let documents = documents_path(&seller, &buyer);
        let coc = app.upload_pdf(&documents, "COC_EXTRACT").await;
        let bank = app.upload_pdf(&documents, "BANK_CONFIRMATION").await;
        let contact = app.upload_pdf(&documents, "CONTACT_ID").await;
        app.staff_user(KIM, StaffRole::Staff).await;
        let url = |path: &str| format!("{}{}", app.address, path);
        browser.client.goto(&url("/admin/login")).await.unwrap();
        browser.type_into("#email", KIM).await;
        browser.type_into("#password", PASSWORD).await;
        browser.click("form button[type=submit]").await;
        browser.wait_for_path("/admin").await;

        // The queue, from the navigation: the oldest upload first.
        browser.click("nav a[href='/admin/reviews']").await;
        browser.wait_for_path("/admin/reviews").await;
        browser.assert_accessible("the review queue (en)").await;
        browser.screenshots("admin-reviews-queue-en").await;
        browser.client.set_window_size(1280, 900).await.unwrap();
        browser.click("table a[href*='/preview?from=queue']").await;
        let coc_id = coc["uuid"].as_str().unwrap();
        browser
            .wait_for_path(&format!("/admin/documents/{coc_id}/preview"))
            .await;
        browser
            .assert_accessible("the review form beside the preview (en)")
            .await;
        browser.screenshots("admin-reviews-decision-en").await;
        browser.client.set_window_size(1280, 900).await.unwrap();

        // Rejecting without a reason is refused on the page; with one it counts.
        browser.click("#review-reject").await;
        browser.click(".review-decision button[type=submit]").await;
        browser
            .wait_for("the refusal", async |c: &Client| {
                c.find(Locator::Css("#review-error")).await.is_ok()
            })
            .await;
        assert!(
            browser
                .text("#review-error")
                .await
                .contains("Say why the document is rejected")
        );
        browser.click("#review-reject").await;
        browser
            .click("#review-reason option[value=UNREADABLE]")
            .await;
        browser.fill("review-note", "Blurred scan").await;
        browser.click(".review-decision button[type=submit]").await;
        assert_eq!(
            browser.flash().await,
            "The document was rejected; the buyer is told by email."
        );
        browser.wait_for_path("/admin/reviews").await;

        // The next in line is accepted.
        browser.click("table a[href*='/preview?from=queue']").await;
        let bank_id = bank["uuid"].as_str().unwrap();
        browser
            .wait_for_path(&format!("/admin/documents/{bank_id}/preview"))
            .await;
        browser.click("#review-accept").await;
        browser.click(".review-decision button[type=submit]").await;
        assert_eq!(browser.flash().await, "The document was accepted.");

        // In German, the last one.
        browser.click("button[value=de]").await;
        browser
            .wait_for("the German page", async |c: &Client| {
                c.find(Locator::Css("html[lang=de]")).await.is_ok()
            })
            .await;
        assert!(browser.text("main h1").await.contains("Prüfliste"));
        browser.assert_accessible("the review queue (de)").await;
        browser.click("table a[href*='/preview?from=queue']").await;
        let contact_id = contact["uuid"].as_str().unwrap();
        browser
            .wait_for_path(&format!("/admin/documents/{contact_id}/preview"))
            .await;
        assert!(browser.text(".review-decision").await.contains("Ablehnen"));
        browser
            .assert_accessible("the review form beside the preview (de)")
            .await;
        browser.screenshots("admin-reviews-decision-de").await;
        browser.client.set_window_size(1280, 900).await.unwrap();
        browser.click("#review-accept").await;
        browser.click(".review-decision button[type=submit]").await;
        assert_eq!(browser.flash().await, "Das Dokument wurde angenommen.");
        assert!(
            browser
                .text("main")
                .await
                .contains("Nichts wartet auf eine Prüfung.")
        );

        let status =
            |d: &serde_json::Value| format!("/v1/documents/{}", d["uuid"].as_str().unwrap());
        let coc = body_json(app.get(&status(&coc)).await).await;
        assert_eq!(coc["reviewStatus"], "REJECTED");
        assert_eq!(coc["reviewReason"], "UNREADABLE");
        assert_eq!(coc["reviewNote"], json!("Blurred scan"));
        assert_eq!(
            body_json(app.get(&status(&bank)).await).await["reviewStatus"],
            "ACCEPTED"
        );
        assert_eq!(
            body_json(app.get(&status(&contact)).await).await["reviewStatus"],
            "ACCEPTED"
        );
        browser.close().await;
    }
}
