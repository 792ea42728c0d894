//! Settings and API tokens on the staff pages: what is saved shows on the buyer's pages, in
//! the invitation email and in the API; wrong input comes back with the values kept.

use kyc_portal::staff::StaffRole;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use super::*;
use crate::fixtures::*;
use crate::helpers::*;
use crate::on_both_backends;
use crate::portal::browser;

/// The settings form as it comes, with `changes` applied (a field named twice is sent twice).
fn settings_form(changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("name", "KYC Portal"),
        ("primary_colour", "#1d4f91"),
        ("support_email", ""),
        ("support_phone", ""),
        ("imprint_url", ""),
        ("privacy_url", ""),
        ("default_language", "en"),
        ("default_invitation_expiry_days", "14"),
        ("allow_marketplace_led_kyc", "true"),
        ("required", "COC_EXTRACT"),
        ("required", "BANK_CONFIRMATION"),
        ("required", "VAT_CERTIFICATE"),
        ("required", "CONTACT_ID"),
        ("required", "AML_DECLARATION"),
        ("max_age_COC_EXTRACT", "365"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (name, _) in changes {
        if *name == "required" {
            fields.retain(|(k, _)| k != "required");
        }
    }
    for (name, value) in changes {
        if *name != "required" {
            fields.retain(|(k, _)| k != name);
        }
        fields.push((name.to_string(), value.to_string()));
    }
    fields
}

impl StaffBrowser {
    /// Posts the settings form with `changes`.
    pub async fn save_settings(&mut self, changes: &[(&str, &str)]) -> reqwest::Response {
        self.page("/admin/settings").await;
        let fields = settings_form(changes);
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post("/admin/settings", &pairs).await
    }

    /// Uploads `bytes` as the logo.
    pub async fn upload_logo(&mut self, name: &str, bytes: Vec<u8>) -> reqwest::Response {
        self.page("/admin/settings").await;
        self.upload_logo_without_page(name, bytes).await
    }
}

impl TestApp {
    /// The buyer's page behind `invitation`'s link, opened in a new browser.
    pub async fn buyer_page(&self, invitation: &Value) -> String {
        let response = self.open_link(&browser(), invitation).await;
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    }
}

on_both_backends! {
    async fn saved_branding_shows_on_the_buyers_page_and_in_the_invitation_email(app) {
        let mut admin = app.admin_browser().await;

        let response = admin.save_settings(&[
            ("name", "AutoMarkt Marktplatz"),
            ("primary_colour", "#AA3300"),
            ("support_email", "hilfe@automarkt.example"),
            ("support_phone", "+49 30 1234-567"),
            ("imprint_url", "https://automarkt.example/impressum"),
            ("privacy_url", "https://automarkt.example/datenschutz"),
        ]).await;

        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/admin/settings");
        let page = admin.page("/admin/settings").await;
        assert!(page.contains("The settings were saved."));
        assert!(page.contains("value=\"AutoMarkt Marktplatz\"") && page.contains("value=\"#aa3300\""));
        let (_, _, invitation) = app.invited_buyer(json!({"recipientEmail": "kyc@example.com", "language": "en"})).await;
        let buyer_page = app.buyer_page(&invitation).await;
        assert!(buyer_page.contains("AutoMarkt Marktplatz"));
        assert!(buyer_page.contains("<a href=\"mailto:hilfe@automarkt.example\">hilfe@automarkt.example</a>"), "{buyer_page}");
        assert!(buyer_page.contains("<a href=\"tel:+49301234567\">+49 30 1234-567</a>"), "tappable: {buyer_page}");
        assert!(buyer_page.contains("<a href=\"https://automarkt.example/impressum\" rel=\"noopener noreferrer\">Imprint</a>"));
        assert!(buyer_page.contains("<a href=\"https://automarkt.example/datenschutz\" rel=\"noopener noreferrer\">Privacy notice</a>"));
        assert!(!buyer_page.contains("/kyc/logo"), "no logo yet");
        let css = browser().get(format!("{}/kyc/brand.css", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(css.contains("--brand: #aa3300;"));
        let (_, html) = app.outbox_mail_to("kyc@example.com").await;
        assert!(html.contains("AutoMarkt Marktplatz") && html.contains("#aa3300"), "{html}");
        let actor: String = sqlx::query_scalar("SELECT actor FROM audit_log WHERE entity_type = 'settings' AND action = 'updated'")
            .fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(actor, "staff:admin@marketplace.example");
    }

    async fn a_wrong_colour_or_link_is_refused_with_every_value_kept(app) {
        let mut admin = app.admin_browser().await;

        let response = admin.save_settings(&[
            ("name", "AutoMarkt"),
            ("primary_colour", "red"),
            ("imprint_url", "javascript:alert(1)"),
            ("privacy_url", "ftp://automarkt.example/privacy"),
            ("max_age_BANK_STATEMENT", "-3"),
        ]).await;

        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains("value=\"AutoMarkt\"") && page.contains("value=\"red\""), "kept");
        assert!(page.contains("value=\"javascript:alert(1)\"") && page.contains("value=\"ftp://automarkt.example/privacy\""));
        assert!(page.contains("id=\"s-colour-error\">Please choose a dark colour written as #rrggbb"));
        assert!(page.contains("aria-describedby=\"s-imprint-error\""));
        assert!(page.contains("id=\"s-privacy-error\""));
        assert!(page.contains("id=\"max-age-BANK_STATEMENT-error\""));
        let saved = kyc_portal::organisation::load(&app.db).await.unwrap();
        assert_eq!(saved.name, "KYC Portal", "nothing saved");
    }

    async fn required_document_types_decide_what_the_api_calls_missing(app) {
        let (seller, buyer) = app.create_buyer().await;
        let mut admin = app.admin_browser().await;

        let response = admin.save_settings(&[("required", "VAT_CERTIFICATE"), ("required", "TP_TRADE_LICENSE")]).await;

        assert_eq!(response.status(), 303);
        let kyc = body_json(app.get(&format!("{}/kyc", buyer_path(&seller, &buyer))).await).await;
        assert_eq!(kyc["missingDocumentTypes"], json!(["VAT_CERTIFICATE", "TP_TRADE_LICENSE"]));
        let page = admin.page("/admin/settings").await;
        assert!(page.contains("id=\"required-TP_TRADE_LICENSE\" name=\"required\" value=\"TP_TRADE_LICENSE\" aria-labelledby=\"required-label type-TP_TRADE_LICENSE\" checked"));
    }

    async fn the_vies_requester_is_set_on_the_settings_page_and_shows_in_the_api(app) {
        let mut admin = app.admin_browser().await;

        let refused = admin.save_settings(&[("vies_requester_vat_number", "XX123")]).await;
        assert_eq!(refused.status(), 422);
        let page = refused.text().await.unwrap();
        assert!(page.contains("id=\"s-vies-requester-error\"") && page.contains("value=\"XX123\""), "{page}");

        let saved = admin.save_settings(&[("vies_requester_vat_number", "nl 8197.38.116.B01")]).await;
        assert_eq!(saved.status(), 303);
        let settings = kyc_portal::organisation::load(&app.db).await.unwrap();
        assert_eq!(settings.vies_requester_vat_number.as_deref(), Some("NL819738116B01"));
        assert!(admin.page("/admin/settings").await.contains("value=\"NL819738116B01\""));
        let organisation = body_json(app.get("/v1/organisation").await).await;
        assert_eq!(organisation["viesRequesterVatNumber"], "NL819738116B01");
    }

    async fn marketplace_led_kyc_can_be_switched_off_for_the_api(app) {
        let mut admin = app.admin_browser().await;
        let seller = app.create_seller().await;

        let fields = settings_form(&[]);
        let pairs: Vec<(&str, &str)> = fields.iter().filter(|(k, _)| k != "allow_marketplace_led_kyc").map(|(k, v)| (k.as_str(), v.as_str())).collect();
        admin.page("/admin/settings").await;
        assert_eq!(admin.post("/admin/settings", &pairs).await.status(), 303);

        expect_problem(app.post_json(&buyers_path(&seller), &reference_buyer()).await, 403).await;
    }

    async fn an_uploaded_logo_is_served_and_shown_on_the_buyers_page_and_in_the_email(app) {
        let mut admin = app.admin_browser().await;

        let response = admin.upload_logo("logo.png", png()).await;

        assert_eq!(response.status(), 303);
        assert!(admin.page("/admin/settings").await.contains("The logo was saved."));
        let logo = browser().get(format!("{}/kyc/logo", app.address)).send().await.unwrap();
        assert_eq!(logo.status(), 200);
        assert_eq!(logo.headers()["content-type"], "image/png");
        assert_eq!(logo.headers()["x-content-type-options"], "nosniff");
        assert_eq!(logo.headers()["cache-control"], "no-cache", "without its version, asked again each time");
        assert_eq!(logo.bytes().await.unwrap().to_vec(), png());
        let (_, _, invitation) = app.invited_buyer(json!({"recipientEmail": "kyc@example.com", "language": "de"})).await;
        let page = app.buyer_page(&invitation).await;
        assert!(page.contains("<img class=\"brand-logo\" src=\"/kyc/logo?v="), "{page}");
        let versioned = page.split("<img class=\"brand-logo\" src=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let logo = browser().get(format!("{}{versioned}", app.address)).send().await.unwrap();
        assert_eq!(logo.headers()["cache-control"], "public, max-age=31536000, immutable", "under its version, kept for good");
        // A new logo has a new URL; the old one answers the new logo, not to be kept.
        // Versions are upload times in milliseconds: the next upload comes in a later one.
        let version: i64 = versioned.rsplit("v=").next().unwrap().parse().unwrap();
        while chrono::Utc::now().timestamp_millis() <= version {
            tokio::task::yield_now().await;
        }
        assert_eq!(admin.upload_logo("logo.jpg", jpeg()).await.status(), 303);
        let old = browser().get(format!("{}{versioned}", app.address)).send().await.unwrap();
        assert_eq!(old.headers()["cache-control"], "no-cache");
        assert_eq!(old.bytes().await.unwrap().to_vec(), jpeg());
        let page = app.buyer_page(&invitation).await;
        assert!(page.contains("<img class=\"brand-logo\" src=\"/kyc/logo?v=") && !page.contains(&versioned), "the page names the new logo");
        assert!(page.contains("alt=\"KYC Portal\""));
        let (_, html) = app.outbox_mail_to("kyc@example.com").await;
        assert!(html.contains("src=\"http://localhost:8080/kyc/logo?v="), "{html}");
    }

    async fn only_a_small_png_or_jpeg_is_taken_as_the_logo(app) {
        let mut admin = app.admin_browser().await;

        let svg = admin.upload_logo("logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec()).await;
        assert_eq!(svg.status(), 422);
        assert!(svg.text().await.unwrap().contains("This file is not a PNG or JPEG image."));
        let pdf = admin.upload_logo("logo.png", small_pdf()).await;
        assert_eq!(pdf.status(), 422, "a PDF is a document, not a logo, whatever its name");
        let large = admin.upload_logo("logo.jpg", pdf_of_size(600 * 1024)).await;
        assert_eq!(large.status(), 422);
        assert!(large.text().await.unwrap().contains("at most 512 KiB"));

        assert_eq!(browser().get(format!("{}/kyc/logo", app.address)).send().await.unwrap().status(), 404);
        assert!(admin.upload_logo("logo.jpg", jpeg()).await.status() == 303);
        let logo = browser().get(format!("{}/kyc/logo", app.address)).send().await.unwrap();
        assert_eq!(logo.headers()["content-type"], "image/jpeg");
    }

    async fn a_logo_is_removed_only_with_the_box_ticked(app) {
        let mut admin = app.admin_browser().await;
        admin.upload_logo("logo.png", png()).await;
        admin.page("/admin/settings").await;

        let unticked = admin.post("/admin/settings/logo/remove", &[]).await;
        assert_eq!(location(&unticked), "/admin/settings");
        assert_eq!(browser().get(format!("{}/kyc/logo", app.address)).send().await.unwrap().status(), 200);
        let ticked = admin.post("/admin/settings/logo/remove", &[("confirm", "yes")]).await;

        assert_eq!(location(&ticked), "/admin/settings");
        assert_eq!(browser().get(format!("{}/kyc/logo", app.address)).send().await.unwrap().status(), 404);
        assert!(admin.page("/admin/settings").await.contains("The logo was removed."));
    }

    async fn a_token_is_shown_once_works_and_gets_401_once_revoked(app) {
        let mut admin = app.admin_browser().await;
        admin.page("/admin/settings/tokens").await;

        let response = admin.post("/admin/settings/tokens", &[("name", "ERP of AutoMarkt")]).await;

        assert_eq!(response.status(), 201);
        let page = response.text().await.unwrap();
        let start = page.find("kyc_").expect("the token on the page");
        let token: String = page[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
        let api = |token: String| {
            let client = reqwest::Client::new();
            let url = format!("{}/v1/partners", app.address);
            async move { client.get(url).bearer_auth(token).send().await.unwrap().status() }
        };
        assert_eq!(api(token.clone()).await, 200);
        let list = admin.page("/admin/settings/tokens").await;
        assert!(list.contains("ERP of AutoMarkt") && !list.contains(&token), "listed, never shown again");
        let used: Option<i64> = sqlx::query_scalar("SELECT last_used_at FROM api_tokens WHERE name = 'ERP of AutoMarkt'")
            .fetch_one(app.db.pool()).await.unwrap();
        assert!(used.is_some(), "the call was noted");
        assert_eq!(list.matches("not used yet").count(), 1, "only the unused suite token has none");
        let id: String = sqlx::query_scalar("SELECT id FROM api_tokens WHERE name = 'ERP of AutoMarkt'")
            .fetch_one(app.db.pool()).await.unwrap();
        let confirm = admin.page(&format!("/admin/settings/tokens/{id}/revoke")).await;
        assert!(confirm.contains("Revoke the API token?"));
        assert_eq!(api(token.clone()).await, 200, "asking changes nothing");
        let revoked = admin.post(&format!("/admin/settings/tokens/{id}/revoke"), &[]).await;

        assert_eq!(location(&revoked), "/admin/settings/tokens");
        assert_eq!(api(token).await, 401);
        let list = admin.page("/admin/settings/tokens").await;
        assert!(list.contains("The API token was revoked.") && list.contains("Revoked "));
        assert_eq!(api(app.token.clone()).await, 200, "other tokens still work");
        let again = admin.post(&format!("/admin/settings/tokens/{id}/revoke"), &[]).await;
        assert_eq!(location(&again), "/admin/settings/tokens", "a second click is no error");
        let unknown = admin.post("/admin/settings/tokens/no-such-token/revoke", &[]).await;
        assert_eq!(unknown.status(), 404);
        let audited: Vec<(String, String)> = sqlx::query_as("SELECT action, actor FROM audit_log WHERE entity_type = 'api_token' AND entity_id = $1 ORDER BY at, id")
            .bind(&id).fetch_all(app.db.pool()).await.unwrap();
        assert_eq!(audited, [("created".to_owned(), "staff:admin@marketplace.example".to_owned()), ("revoked".to_owned(), "staff:admin@marketplace.example".to_owned())]);
    }

    async fn a_token_made_on_the_page_can_be_bound_to_one_seller_and_read_only(app) {
        let (seller, buyer) = app.create_buyer().await;
        let (other_seller, _) = app.create_buyer().await;
        let mut admin = app.admin_browser().await;
        let form = admin.page("/admin/settings/tokens").await;
        assert!(form.contains(&format!("<option value=\"{seller}\">")), "the sellers to choose from");
        let response = admin.post("/admin/settings/tokens", &[("name", "Seller ERP"), ("seller", seller.as_str()), ("read_only", "on")]).await;
        assert_eq!(response.status(), 201);
        let page = response.text().await.unwrap();
        let start = page.find("kyc_").expect("the token on the page");
        let token: String = page[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
        let call = |method: reqwest::Method, path: String| {
            let request = app.client.request(method, format!("{}{path}", app.address)).bearer_auth(&token);
            async move { request.send().await.unwrap().status().as_u16() }
        };
        assert_eq!(call(reqwest::Method::GET, buyer_path(&seller, &buyer)).await, 200);
        assert_eq!(call(reqwest::Method::GET, buyers_path(&other_seller)).await, 404);
        assert_eq!(call(reqwest::Method::POST, format!("{}/block", buyer_path(&seller, &buyer))).await, 403);
        let list = admin.page("/admin/settings/tokens").await;
        assert!(list.contains("Only AutoMarkt Seller GmbH") && list.contains("Read only"), "the scope is listed");
        assert!(list.contains("Every seller (organisation)"), "the suite's token reaches every seller");
    }

    async fn a_token_needs_a_name(app) {
        let mut admin = app.admin_browser().await;
        admin.page("/admin/settings/tokens").await;

        let response = admin.post("/admin/settings/tokens", &[("name", "   ")]).await;

        assert_eq!(response.status(), 422);
        assert!(response.text().await.unwrap().contains("id=\"token-name-error\">Please enter a name."));
    }

    async fn the_pages_of_this_part_speak_german_once_the_user_chose_it(app) {
        let (seller, buyer) = app.create_buyer().await;
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "kyc@example.com", "language": "en"})).await;
        let id = invitation["uuid"].as_str().unwrap();
        let mut admin = app.admin_browser().await;
        admin.post("/admin/language", &[("lang", "de"), ("back", "/admin/settings")]).await;

        for (path, heading) in [
            (format!("/admin/buyers/{}/invitations", buyer["uuid"].as_str().unwrap()), "Einladungen"),
            (format!("/admin/invitations/{id}/revoke"), "Einladung widerrufen?"),
            ("/admin/webhooks".to_owned(), "Webhook-Endpunkte"),
            ("/admin/settings".to_owned(), "Einstellungen"),
            ("/admin/settings/tokens".to_owned(), "API-Tokens"),
        ] {
            let page = admin.page(&path).await;
            assert!(page.contains("<html lang=\"de\">"), "{path}");
            let heading_of_page = page.contains(&format!("<h1>{heading}</h1>")) || page.contains(&format!("<h1 id=\"confirm\">{heading}</h1>"));
            let heading_of_buyer_sub_page = page.contains(&format!("<h2>{heading}</h2>"));
            assert!(heading_of_page || heading_of_buyer_sub_page, "{path}");
        }
        let sheet = admin.page(&format!("/admin/invitations/{id}/sheet")).await;
        assert!(sheet.contains("<html lang=\"en\">") && sheet.contains("Upload your company documents"), "the buyer's language");
        assert!(sheet.contains("lang=\"de\" aria-label=\"Werkzeuge des Bogens\""), "the staff member's toolbar");
    }

    async fn staff_who_are_not_administrators_get_no_settings_or_tokens(app) {
        let (_, buyer) = app.create_buyer().await;
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        staff.page(&format!("/admin/buyers/{}/invitations", buyer["uuid"].as_str().unwrap())).await;
        let token_id: String = sqlx::query_scalar("SELECT id FROM api_tokens").fetch_one(app.db.pool()).await.unwrap();

        for path in ["/admin/settings".to_owned(), "/admin/settings/tokens".to_owned(), format!("/admin/settings/tokens/{token_id}/revoke")] {
            assert_eq!(staff.get(&path).await.status(), 403, "{path}");
        }
        let fields = settings_form(&[("name", "Hijacked")]);
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(staff.post("/admin/settings", &pairs).await.status(), 403);
        assert_eq!(staff.post("/admin/settings/tokens", &[("name", "mine")]).await.status(), 403);
        assert_eq!(staff.post(&format!("/admin/settings/tokens/{token_id}/revoke"), &[]).await.status(), 403);
        assert_eq!(staff.upload_logo_without_page("logo.png", png()).await.status(), 403);
        assert_eq!(kyc_portal::organisation::load(&app.db).await.unwrap().name, "KYC Portal");
        assert_eq!(app.get("/v1/partners").await.status(), 200);
    }
}

impl StaffBrowser {
    /// Uploads a logo with the CSRF token of the last page seen.
    async fn upload_logo_without_page(&self, name: &str, bytes: Vec<u8>) -> reqwest::Response {
        let form = Form::new()
            .text("csrf", self.csrf.clone())
            .part("logo", Part::bytes(bytes).file_name(name.to_owned()));
        self.client
            .post(format!("{}/admin/settings/logo", self.base))
            .header("accept-language", "en")
            .multipart(form)
            .send()
            .await
            .unwrap()
    }
}

/// The `kyc.status_changed` events so far, oldest first, as (previous, new).
async fn status_changes(app: &TestApp) -> Vec<(String, String)> {
    let mut events = kyc_portal::events::recent(&app.db, 100).await.unwrap();
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

crate::with_vies_on_both_backends! {
    async fn changing_the_required_types_announces_every_status_it_moves(app, vies) {
        crate::stubs::check_vat_number().respond_with(crate::stubs::vies_verdict("DE", "136695976", true)).mount(&vies).await;
        let (seller, buyer) = app.create_buyer_with_vat("DE136695976").await;
        let path = buyer_path(&seller, &buyer);
        app.upload_pdf(&format!("{path}/kyc/documents"), "VAT_CERTIFICATE").await;
        app.settled_vies_check(&path).await;
        assert_eq!(body_json(app.get(&format!("{path}/kyc")).await).await["overallStatus"], "PENDING");
        let mut admin = app.admin_browser().await;

        admin.save_settings(&[("required", "VAT_CERTIFICATE")]).await;

        crate::stubs::eventually("the buyer is announced VALID", || async {
            (status_changes(&app).await == [("PENDING".to_owned(), "VALID".to_owned())]).then_some(())
        }).await;
        admin.save_settings(&[]).await; // back to the default requirements
        crate::stubs::eventually("the buyer is announced PENDING again", || async {
            (status_changes(&app).await.len() == 2).then_some(())
        }).await;
        assert_eq!(status_changes(&app).await[1], ("VALID".to_owned(), "PENDING".to_owned()));
        let refreshes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'kyc.refresh_statuses'")
            .fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(refreshes, 2, "one per change of the requirements");
    }
}

on_both_backends! {
    async fn the_settings_warn_while_emails_go_out_from_the_default_sender(app) {
        let mut admin = app.admin_browser().await;
        let page = admin.page("/admin/settings").await;
        assert!(page.contains("Emails go out from KYC Portal &lt;no-reply@localhost&gt;") || page.contains("Emails go out from KYC Portal &#60;no-reply@localhost&#62;"), "{page}");
        assert!(page.contains("<code>KYC_PORTAL_MAIL_FROM</code>"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_sender_address_needs_no_warning() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.mail_from = "AutoMarkt <kyc@automarkt.example>".into()
    })
    .await
    .unwrap();
    let mut admin = app.admin_browser().await;
    assert!(
        !admin
            .page("/admin/settings")
            .await
            .contains("KYC_PORTAL_MAIL_FROM")
    );
}
