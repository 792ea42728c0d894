//! Conditional requests: versions named in conflicts, `If-Match` against the body's version,
//! and `If-None-Match` with the ETags of buyers, documents, invitations and the KYC status.

use reqwest::Method;
use serde_json::json;

use crate::documents::documents_path;
use crate::helpers::*;
use crate::on_both_backends;

impl TestApp {
    /// GETs `path` with `If-None-Match: etag`.
    async fn get_if_none_match(&self, path: &str, etag: &str) -> reqwest::Response {
        self.request(Method::GET, path)
            .header("If-None-Match", etag)
            .send()
            .await
            .unwrap()
    }

    /// The ETag of `path`, after checking that it answers 304 to itself. Background work (the
    /// invitation's email, a document's preview) may change a resource between two reads, so
    /// a few rounds are allowed until it is still.
    async fn etag_that_answers_304(&self, path: &str) -> String {
        for _ in 0..50 {
            let first = self.get(path).await;
            assert_eq!(first.status(), 200, "{path}");
            let etag = first.headers()["etag"].to_str().unwrap().to_owned();
            let again = self.get_if_none_match(path, &etag).await;
            if again.status() == 304 {
                assert_eq!(again.headers()["etag"], etag.as_str());
                assert!(again.bytes().await.unwrap().is_empty());
                return etag;
            }
            assert_eq!(again.status(), 200, "{path}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{path} never answered 304 to its own ETag");
    }
}

on_both_backends! {
    async fn a_stale_version_names_the_one_sent_and_the_current_one(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        assert_eq!(app.patch_json(&path, &json!({"version": 0, "companyName": "Erste"})).await.status(), 200);
        let problem = expect_problem(app.patch_json(&path, &json!({"version": 0, "companyName": "Zweite"})).await, 409).await;
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("you sent version 0") && detail.contains("current version is 1"), "{detail}");
        assert_eq!(problem["current"]["version"], 1);
    }

    async fn a_body_version_and_an_if_match_that_disagree_are_a_422(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        let response = app.request(Method::PATCH, &path)
            .header("If-Match", "\"1\"")
            .json(&json!({"version": 0, "companyName": "Widerspruch"}))
            .send().await.unwrap();
        let problem = expect_problem(response, 422).await;
        assert_eq!(problem_fields(&problem), ["If-Match"]);
        let unchanged = body_json(app.get(&path).await).await;
        assert_eq!(unchanged["version"], 0);
        let agreeing = app.request(Method::PATCH, &path)
            .header("If-Match", "\"0\"")
            .json(&json!({"version": 0, "companyName": "Einig"}))
            .send().await.unwrap();
        assert_eq!(agreeing.status(), 200);
    }

    async fn buyers_documents_invitations_and_the_kyc_status_answer_304_while_unchanged(app) {
        let (seller, buyer) = app.create_buyer().await;
        let buyer_url = buyer_path(&seller, &buyer);
        let document = app.upload_pdf(&documents_path(&seller, &buyer), "COC_EXTRACT").await;
        let document_url = format!("/v1/documents/{}", document["uuid"].as_str().unwrap());
        let invitation = body_json(app.post_json(
            &format!("{buyer_url}/kyc/self-service-invitations"),
            &json!({"recipientEmail": "erika@example.com"}),
        ).await).await;
        let invitation_url = format!("/v1/invitations/{}", invitation["uuid"].as_str().unwrap());
        let kyc_url = format!("{buyer_url}/kyc");

        let buyer_tag = app.etag_that_answers_304(&buyer_url).await;
        let document_tag = app.etag_that_answers_304(&document_url).await;
        let invitation_tag = app.etag_that_answers_304(&invitation_url).await;
        let kyc_tag = app.etag_that_answers_304(&kyc_url).await;

        assert_eq!(app.post_json(&format!("{buyer_url}/block"), &json!({"reason": "checks"})).await.status(), 200);
        assert_eq!(app.patch_json(&document_url, &json!({"status": "ARCHIVED"})).await.status(), 200);
        assert_eq!(app.post_json(&format!("{invitation_url}/revoke"), &json!({})).await.status(), 200);
        for (url, old) in [(&buyer_url, &buyer_tag), (&document_url, &document_tag), (&invitation_url, &invitation_tag), (&kyc_url, &kyc_tag)] {
            let changed = app.get_if_none_match(url, old).await;
            assert_eq!(changed.status(), 200, "{url}");
            assert_ne!(changed.headers()["etag"], old.as_str(), "{url}");
        }
    }
}
