//! The buyer's pages over HTTP (the browser tests drive the same pages in Chromium).

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;
use crate::on_both_backends;

/// A browser: its own cookie jar.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

pub fn csrf_of(page: &str) -> String {
    let start =
        page.find("name=\"csrf\" value=\"").expect("a CSRF field") + "name=\"csrf\" value=\"".len();
    page[start..].split('"').next().unwrap().to_owned()
}

impl TestApp {
    /// A buyer with an invitation; returns (seller, buyer, invitation).
    pub async fn invited_buyer(&self, body: Value) -> (String, Value, Value) {
        let (seller, buyer) = self.create_buyer().await;
        let invitation = self.invite(&seller, &buyer, body).await;
        (seller, buyer, invitation)
    }

    /// The link's path on this test server (links carry the configured public URL).
    pub fn link_path(&self, invitation: &Value) -> String {
        let link = invitation["publicLinkUrl"].as_str().unwrap();
        format!("{}/kyc/{}", self.address, link.rsplit('/').next().unwrap())
    }

    /// Opens the link as a person does: its landing page, then Continue. The final answer
    /// (the buyer's page), or the landing's own when it is not the form (404, 410, 429, or
    /// the page of a session already open).
    pub async fn open_link(
        &self,
        browser: &reqwest::Client,
        invitation: &Value,
    ) -> reqwest::Response {
        let url = self.link_path(invitation);
        let landing = browser.get(&url).send().await.unwrap();
        if landing.status() != 200 || landing.url().path() == "/kyc" {
            return landing;
        }
        let csrf = csrf_of(&landing.text().await.unwrap());
        browser
            .post(&url)
            .form(&[("csrf", csrf)])
            .send()
            .await
            .unwrap()
    }

    pub async fn usage_count(&self, invitation: &Value) -> i64 {
        let current = body_json(
            self.get(&format!(
                "/v1/invitations/{}",
                invitation["uuid"].as_str().unwrap()
            ))
            .await,
        )
        .await;
        current["usageCount"].as_i64().unwrap()
    }
}

pub fn upload_form(
    csrf: &str,
    document_type: &str,
    date: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Form {
    Form::new()
        .text("csrf", csrf.to_owned())
        .text("type", document_type.to_owned())
        .text("documentDate", date.to_owned())
        .part("file", Part::bytes(bytes).file_name(name.to_owned()))
}

on_both_backends! {
    async fn opening_the_link_counts_one_use_per_browser_session_and_leaves_the_token_behind(app) {
        let (_, _, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com", "language": "de"})).await;
        let browser = browser();
        let page = app.open_link(&browser, &invitation).await;
        assert_eq!(page.status(), 200);
        assert_eq!(page.url().path(), "/kyc", "the token is gone from the address");
        let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
        assert_eq!(page.headers()["referrer-policy"], "no-referrer");
        assert_eq!(page.headers()["x-content-type-options"], "nosniff");
        let html = page.text().await.unwrap();
        assert!(html.contains("<html lang=\"de\">"));
        assert!(html.contains("AutoHandel Mustermann GmbH") && html.contains("Handelsregisterauszug"));
        assert_eq!(app.usage_count(&invitation).await, 1);

        browser.get(format!("{}/kyc", app.address)).send().await.unwrap();
        app.open_link(&browser, &invitation).await;
        assert_eq!(app.usage_count(&invitation).await, 1, "reloading in the same session is not a use");

        let other_browser = browser_with_page(&app, &invitation).await;
        drop(other_browser);
        assert_eq!(app.usage_count(&invitation).await, 2);
    }

    async fn the_page_names_its_script_by_version_so_no_cached_older_script_runs_it(app) {
        let (_, _, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com", "language": "en"})).await;
        let browser = browser_with_page(&app, &invitation).await;
        let html = browser.get(format!("{}/kyc", app.address)).send().await.unwrap().text().await.unwrap();
        let script = html.split("<script src=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let version = script.strip_prefix("/static/upload.js?v=").unwrap_or_else(|| panic!("{script}"));
        assert!(version.len() == 12 && version.chars().all(|c| c.is_ascii_hexdigit()), "{version}");
        assert!(html.contains(&format!("href=\"/static/portal.css?v={version}\"")), "the stylesheet too");
        // The script reads the limits where this page writes them.
        assert!(html.contains("id=\"upload-limits\""));
        let served = browser.get(format!("{}{script}", app.address)).send().await.unwrap();
        assert_eq!(served.status(), 200);
        assert_eq!(served.headers()["content-type"], "text/javascript; charset=utf-8");
        assert_eq!(served.headers()["cache-control"], "public, max-age=31536000, immutable", "kept for good under its version");
        assert!(served.text().await.unwrap().contains("getElementById(\"upload-limits\")"));
        // Under another version (a page of another release) or none, it is asked for again.
        for other in ["/static/upload.js", "/static/upload.js?v=000000000000", "/static/portal.css"] {
            let served = browser.get(format!("{}{other}", app.address)).send().await.unwrap();
            assert_eq!(served.status(), 200);
            assert_eq!(served.headers()["cache-control"], "no-cache", "{other}");
        }
        let css = browser.get(format!("{}/static/portal.css?v={version}", app.address)).send().await.unwrap();
        assert_eq!(css.headers()["cache-control"], "public, max-age=31536000, immutable");
    }

    async fn a_page_seen_a_moment_ago_still_shows_every_change_made_since(app) {
        let (seller, buyer, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com", "language": "en"})).await;
        let browser = browser_with_page(&app, &invitation).await;
        let page = format!("{}/kyc", app.address);
        let before = browser.get(&page).send().await.unwrap().text().await.unwrap();
        assert!(!before.contains("coc-extract.pdf"));

        app.upload_pdf(&crate::documents::documents_path(&seller, &buyer), "COC_EXTRACT").await;
        let after_upload = browser.get(&page).send().await.unwrap().text().await.unwrap();
        assert!(after_upload.contains("coc-extract.pdf"), "the seller's upload shows at once");

        app.post_json(&format!("/v1/invitations/{}/revoke", invitation["uuid"].as_str().unwrap()), &json!({})).await;
        let after_revoke = browser.get(&page).send().await.unwrap();
        assert_eq!(after_revoke.status(), 410, "a revoked link ends the page at once");
    }

    async fn an_unknown_token_is_a_bare_404_and_repeated_misses_are_429(app) {
        let browser = browser();
        let response = browser.get(format!("{}/kyc/{}", app.address, "x".repeat(43))).send().await.unwrap();
        assert_eq!(response.status(), 404);
        let html = response.text().await.unwrap();
        assert!(html.contains("Page not found") && !html.contains("invitation") && !html.contains("expired"));
        let mut last = 404;
        for _ in 0..25 {
            last = browser.get(format!("{}/kyc/{}", app.address, "y".repeat(43))).send().await.unwrap().status().as_u16();
        }
        assert_eq!(last, 429);
    }

    async fn expired_revoked_exhausted_and_blocked_links_explain_themselves_with_410(app) {
        let (seller, buyer, expired) = app.invited_buyer(json!({"recipientEmail": "a@example.com", "language": "de"})).await;
        sqlx::query("UPDATE invitations SET expires_at = 0 WHERE id = $1").bind(expired["uuid"].as_str().unwrap()).execute(app.db.pool()).await.unwrap();
        let page = app.open_link(&browser(), &expired).await;
        assert_eq!(page.status(), 410);
        let html = page.text().await.unwrap();
        assert!(html.contains("<html lang=\"de\">") && html.contains("Dieser Link ist abgelaufen."));
        assert!(html.contains("AutoMarkt Seller GmbH"), "whom to contact");

        let revoked = app.invite(&seller, &buyer, json!({"recipientEmail": "a@example.com"})).await;
        app.post_json(&format!("/v1/invitations/{}/revoke", revoked["uuid"].as_str().unwrap()), &json!({})).await;
        let html = app.open_link(&browser(), &revoked).await.text().await.unwrap();
        assert!(html.contains("This link has been withdrawn."));

        let once = app.invite(&seller, &buyer, json!({"recipientEmail": "a@example.com", "maxUses": 1})).await;
        let first = app.open_link(&browser(), &once).await;
        if first.status() != 200 { panic!("{}", first.text().await.unwrap()); }
        let second = app.open_link(&browser(), &once).await;
        assert_eq!(second.status(), 410);
        assert!(second.text().await.unwrap().contains("used as often as allowed"));

        let open = app.invite(&seller, &buyer, json!({"recipientEmail": "a@example.com"})).await;
        app.post_json(&format!("{}/block", buyer_path(&seller, &buyer)), &json!({"reason": "hold"})).await;
        let blocked = app.open_link(&browser(), &open).await;
        assert_eq!(blocked.status(), 410);
        assert!(blocked.text().await.unwrap().contains("Uploads are not possible"));
    }

    async fn an_open_session_ends_with_the_buyers_relationship_and_opens_again_when_it_is_reopened(app) {
        let (seller, buyer, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com"})).await;
        let browser = browser();
        assert_eq!(app.open_link(&browser, &invitation).await.status(), 200);
        let path = buyer_path(&seller, &buyer);
        let ended = app.post_json(&format!("{path}/end"), &json!({"reason": "Contract terminated", "endedAt": "2026-03-01T00:00:00Z"})).await;
        assert_eq!(ended.status(), 200);
        let refused = browser.get(format!("{}/kyc", app.address)).send().await.unwrap();
        assert_eq!(refused.status(), 410);
        assert!(refused.text().await.unwrap().contains("the business relationship has ended"));

        assert_eq!(app.post_json(&format!("{path}/reopen"), &json!({})).await.status(), 200);
        let page = browser.get(format!("{}/kyc", app.address)).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("AutoHandel Mustermann GmbH"), "the buyer's name from the session's read");
    }

    async fn a_refused_session_shows_its_page_whatever_its_documents_hold(app) {
        let (seller, buyer, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com"})).await;
        let browser = browser();
        assert_eq!(app.open_link(&browser, &invitation).await.status(), 200);
        let documents = crate::documents::documents_path(&seller, &buyer);
        let uploaded = app.upload(&documents, crate::documents::form("COC_EXTRACT", "2026-01-15", "auszug.pdf", small_pdf())).await;
        assert_eq!(uploaded.status(), 201);
        // A stored row the page cannot read: the open session's page fails as it should.
        sqlx::query("UPDATE documents SET document_date = 'not a date'").execute(app.db.pool()).await.unwrap();
        let broken = browser.get(format!("{}/kyc", app.address)).send().await.unwrap();
        assert_eq!(broken.status(), 500);

        sqlx::query("UPDATE documents SET document_date = '2026-01-15'").execute(app.db.pool()).await.unwrap();
        let blocked = app.post_json(&format!("{}/block", buyer_path(&seller, &buyer)), &json!({"reason": "hold"})).await;
        assert_eq!(blocked.status(), 200);
        sqlx::query("UPDATE documents SET document_date = 'not a date'").execute(app.db.pool()).await.unwrap();
        let refused = browser.get(format!("{}/kyc", app.address)).send().await.unwrap();
        assert_eq!(refused.status(), 410, "the session's own refusal, not the documents' error");
        assert!(refused.text().await.unwrap().contains("Uploads are not possible"));
    }

    async fn an_upload_without_javascript_is_a_real_document_and_the_page_confirms_it(app) {
        let (seller, buyer, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com"})).await;
        let browser = browser();
        let page = app.open_link(&browser, &invitation).await.text().await.unwrap();
        let response = browser.post(format!("{}/kyc/documents", app.address))
            .multipart(upload_form(&csrf_of(&page), "COC_EXTRACT", "2026-01-15", "auszug.pdf", small_pdf()))
            .send().await.unwrap();
        assert_eq!(response.status(), 200, "followed the redirect to the page");
        let html = response.text().await.unwrap();
        assert!(html.contains("Thank you. We received Commercial register extract: auszug.pdf, dated 15 January 2026."), "{html}");
        assert!(html.contains("Received: auszug.pdf, dated 15 January 2026"));

        let documents = body_json(app.get(&format!("{}/kyc/documents", buyer_path(&seller, &buyer))).await).await;
        let document = &documents["items"][0];
        assert_eq!(document["source"], "INVITATION");
        assert_eq!(document["invitationId"], invitation["uuid"]);
        assert_eq!(document["type"], "COC_EXTRACT");
        let history = body_json(app.get(&format!("/v1/documents/{}/history", document["uuid"].as_str().unwrap())).await).await;
        assert_eq!(history["items"][0]["actor"], format!("invitation:{}", invitation["uuid"].as_str().unwrap()));
    }

    async fn the_page_script_gets_json_answers_in_the_buyers_language(app) {
        let (_, _, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com", "language": "de"})).await;
        let browser = browser();
        let page = app.open_link(&browser, &invitation).await.text().await.unwrap();
        let csrf = csrf_of(&page);
        let refused = browser.post(format!("{}/kyc/documents", app.address)).header("Accept", "application/json")
            .multipart(upload_form(&csrf, "BANK_CONFIRMATION", "2026-01-15", "x.pdf", b"<html>not a pdf</html>".to_vec()))
            .send().await.unwrap();
        assert_eq!(refused.status(), 422);
        assert!(body_json(refused).await["message"].as_str().unwrap().starts_with("Diese Datei kann nicht angenommen werden."));
        let accepted = browser.post(format!("{}/kyc/documents", app.address)).header("Accept", "application/json")
            .multipart(upload_form(&csrf, "BANK_CONFIRMATION", "2026-01-15", "bank.png", png()))
            .send().await.unwrap();
        assert_eq!(accepted.status(), 201);
        assert!(body_json(accepted).await["redirect"].as_str().unwrap().starts_with("/kyc?received="));
    }

    async fn a_form_without_the_session_csrf_token_is_refused_and_stores_nothing(app) {
        let (seller, buyer, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com"})).await;
        let browser = browser();
        app.open_link(&browser, &invitation).await;
        let response = browser.post(format!("{}/kyc/documents", app.address))
            .multipart(upload_form("forged", "COC_EXTRACT", "2026-01-15", "a.pdf", small_pdf()))
            .send().await.unwrap();
        assert_eq!(response.status(), 403);
        let page = response.text().await.unwrap();
        assert!(page.contains("This form is out of date."), "an HTML page, not JSON: {page}");
        let documents = body_json(app.get(&format!("{}/kyc/documents", buyer_path(&seller, &buyer))).await).await;
        assert!(documents["items"].as_array().unwrap().is_empty());
    }

    async fn the_language_switch_is_remembered_for_the_session(app) {
        let (_, _, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com", "language": "de"})).await;
        let browser = browser();
        let page = app.open_link(&browser, &invitation).await.text().await.unwrap();
        let switched = browser.post(format!("{}/kyc/language", app.address))
            .form(&[("csrf", csrf_of(&page).as_str()), ("lang", "en")]).send().await.unwrap();
        let html = switched.text().await.unwrap();
        assert!(html.contains("<html lang=\"en\">") && html.contains("Commercial register extract"));
        let again = browser.get(format!("{}/kyc", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(again.contains("<html lang=\"en\">"));
    }

    async fn without_a_session_the_page_asks_to_open_the_link_again(app) {
        let response = browser().get(format!("{}/kyc", app.address)).header("Accept-Language", "de-DE,de;q=0.9").send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert!(response.text().await.unwrap().contains("Bitte öffnen Sie Ihren Link erneut"));
    }
}

async fn browser_with_page(app: &TestApp, invitation: &Value) -> reqwest::Client {
    let browser = browser();
    assert_eq!(app.open_link(&browser, invitation).await.status(), 200);
    browser
}

mod a_too_large_file_from_the_page {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn is_refused_in_the_buyers_language_and_nothing_is_stored() {
        let app = TestApp::spawn_with(Backend::Sqlite, |s| s.max_upload_bytes = 2 * 1024 * 1024)
            .await
            .unwrap();
        let (seller, buyer, invitation) = app
            .invited_buyer(json!({"recipientEmail": "a@example.com", "language": "de"}))
            .await;
        let browser = browser();
        let page = app
            .open_link(&browser, &invitation)
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("höchstens 2 MB"),
            "the limit is shown before uploading"
        );
        let response = browser
            .post(format!("{}/kyc/documents", app.address))
            .multipart(upload_form(
                &csrf_of(&page),
                "VAT_CERTIFICATE",
                "2026-01-15",
                "big.pdf",
                pdf_of_size(3 * 1024 * 1024),
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413);
        let html = response.text().await.unwrap();
        assert!(html.contains("Diese Datei ist zu groß. Dateien dürfen höchstens 2 MB groß sein."));
        assert!(
            html.contains("aria-describedby=\"file-error-VAT_CERTIFICATE\""),
            "the error is tied to its field"
        );
        let documents = body_json(
            app.get(&format!("{}/kyc/documents", buyer_path(&seller, &buyer)))
                .await,
        )
        .await;
        assert!(documents["items"].as_array().unwrap().is_empty());
    }
}

mod behind_a_trusted_proxy {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn misses_count_per_forwarded_client_and_other_clients_are_not_slowed() {
        let app = TestApp::spawn_with(Backend::Sqlite, |s| {
            s.trusted_proxy = kyc_portal::config::TrustedProxies::parse("127.0.0.1").unwrap()
        })
        .await
        .unwrap();
        let unknown = format!("{}/kyc/{}", app.address, "z".repeat(43));
        let from = |client: &'static str| {
            browser()
                .get(&unknown)
                .header("X-Forwarded-For", client)
                .send()
        };
        let mut last = 0;
        for _ in 0..25 {
            last = from("203.0.113.7").await.unwrap().status().as_u16();
        }
        assert_eq!(last, 429);
        assert_eq!(
            from("198.51.100.9").await.unwrap().status(),
            404,
            "another client behind the proxy"
        );
    }
}
