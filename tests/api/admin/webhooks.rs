//! Webhook endpoints on the staff pages: the secret is shown once, the API sees what the page
//! made, and deliveries to a stub receiver are listed and can be sent again.

use kyc_portal::staff::StaffRole;
use serde_json::{Value, json};

use super::*;
use crate::helpers::*;
use crate::on_both_backends;
use crate::stubs::*;

/// The first `whsec_...` in a page.
fn secret_in(page: &str) -> Option<String> {
    let start = page.find("whsec_")?;
    Some(
        page[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "_-+/=".contains(*c))
            .collect(),
    )
}

impl StaffBrowser {
    /// Creates an endpoint on the page; returns the response page.
    pub async fn create_endpoint(&mut self, url: &str, events: &[&str]) -> String {
        self.page("/admin/webhooks").await;
        let mut fields = vec![("url", url)];
        fields.extend(events.iter().map(|e| ("events", *e)));
        let response = self.post("/admin/webhooks", &fields).await;
        assert_eq!(response.status(), 201);
        let cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert!(
            cookies.iter().all(|c| !c.contains("whsec_")),
            "never in a cookie"
        );
        response.text().await.unwrap()
    }
}

async fn endpoints(app: &TestApp) -> Vec<Value> {
    body_json(app.get("/v1/webhook-endpoints").await).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

on_both_backends! {
    async fn a_new_endpoint_shows_its_secret_once_and_the_api_lists_it(app) {
        let mut admin = app.admin_browser().await;
        let form = admin.page("/admin/webhooks").await;
        for event in kyc_portal::events::EventType::ALL {
            let hint = format!("<code>{}</code> <span class=\"muted\">", event.as_str());
            let start = form.find(&hint).unwrap_or_else(|| panic!("{hint} in {form}")) + hint.len();
            assert!(!form[start..].starts_with("admin-event-"), "every event is described: {}", &form[start..start + 60]);
        }
        assert!(form.contains("overall KYC status changed."));

        let page = admin.create_endpoint("https://erp.example.com/hooks", &["buyer.blocked", "kyc.status_changed"]).await;

        let secret = secret_in(&page).expect("the secret on the response page");
        assert!(secret.len() > 20);
        assert!(page.contains("it is shown only this once"));
        let listed = endpoints(&app).await;
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["url"], "https://erp.example.com/hooks");
        assert_eq!(listed[0]["events"], json!(["buyer.blocked", "kyc.status_changed"]));
        let stored: String = sqlx::query_scalar("SELECT secret FROM webhook_endpoints")
            .fetch_one(app.db.pool()).await.unwrap();
        assert!(!stored.contains(&secret), "kept sealed");
        let key = kyc_portal::server_key::ServerKey::load_or_create(
            &kyc_portal::Settings::for_data_dir("sqlite::memory:", app.dir.path()),
        ).unwrap();
        let opened = kyc_portal::webhooks::WebhookSecret::from_stored(&stored, &kyc_portal::webhooks::secret_seal(&key)).unwrap();
        assert_eq!(opened.expose(), secret, "the secret shown is the one that signs");
        let later = admin.page("/admin/webhooks").await;
        assert!(later.contains("https://erp.example.com/hooks"));
        assert!(secret_in(&later).is_none(), "never shown again");
        // The suite log exists from the first portal started (`TestApp::spawn`) on.
        let log = std::fs::read_to_string(suite_log_path()).expect("the suite log");
        assert!(log.contains("route=/admin/webhooks status=201"), "the log has this test's requests");
        assert!(!log.contains(&secret), "never logged");
    }

    async fn a_wrong_url_or_no_event_is_refused_with_the_form_kept(app) {
        let mut admin = app.admin_browser().await;
        admin.page("/admin/webhooks").await;

        let response = admin.post("/admin/webhooks", &[("url", "ftp://erp.example.com/hooks")]).await;

        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains("value=\"ftp://erp.example.com/hooks\""));
        assert!(page.contains("id=\"webhook-url-error\""));
        assert!(page.contains("Please choose at least one event."));
        assert!(endpoints(&app).await.is_empty());
    }

    async fn deleting_asks_first_and_then_the_api_no_longer_lists_it(app) {
        let endpoint = app.subscribe("https://erp.example.com/hooks", &["buyer.blocked"]).await;
        let id = endpoint["id"].as_str().unwrap();
        let mut admin = app.admin_browser().await;

        let confirm = admin.page(&format!("/admin/webhooks/{id}/delete")).await;
        assert!(confirm.contains("Delete the webhook endpoint?"));
        assert_eq!(endpoints(&app).await.len(), 1, "asking changes nothing");
        let response = admin.post(&format!("/admin/webhooks/{id}/delete"), &[]).await;

        assert_eq!(location(&response), "/admin/webhooks");
        assert!(endpoints(&app).await.is_empty());
        assert!(admin.page("/admin/webhooks").await.contains("The webhook endpoint was deleted."));
    }

    async fn an_endpoints_events_are_changed_on_its_page_and_the_next_event_follows_them(app) {
        let server = receiver().await;
        let endpoint = app.subscribe(&format!("{}/hooks", server.uri()), &["buyer.blocked"]).await;
        let id = endpoint["id"].as_str().unwrap();
        let mut admin = app.admin_browser().await;
        let page = admin.page(&format!("/admin/webhooks/{id}")).await;
        assert!(page.contains("value=\"buyer.blocked\" checked"), "the current events are ticked");

        let refused = admin.post(&format!("/admin/webhooks/{id}/events"), &[]).await;
        assert_eq!(location(&refused), format!("/admin/webhooks/{id}"));
        assert!(admin.page(&format!("/admin/webhooks/{id}")).await.contains("please choose at least one event."));
        assert_eq!(endpoints(&app).await[0]["events"], json!(["buyer.blocked"]), "nothing changed");

        admin.page(&format!("/admin/webhooks/{id}")).await;
        let saved = admin.post(&format!("/admin/webhooks/{id}/events"), &[("events", "buyer.unblocked")]).await;
        assert_eq!(location(&saved), format!("/admin/webhooks/{id}"));
        assert!(admin.page(&format!("/admin/webhooks/{id}")).await.contains("The endpoint receives the chosen events from now on."));
        assert_eq!(endpoints(&app).await[0]["events"], json!(["buyer.unblocked"]));

        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        app.post_json(&format!("{path}/block"), &json!({"reason": "review"})).await;
        app.post_json(&format!("{path}/unblock"), &json!({})).await;
        let got = await_deliveries(&server, 1).await;
        assert_eq!(got[0].json()["type"], "buyer.unblocked");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(deliveries(&server).await.len(), 1, "the block was not sent");
    }

    async fn a_test_event_goes_to_that_endpoint_only_signed_and_listed_with_its_deliveries(app) {
        let server = receiver().await;
        let other = receiver().await;
        let endpoint = app.subscribe(&format!("{}/hooks", server.uri()), &["buyer.blocked"]).await;
        app.subscribe(&format!("{}/hooks", other.uri()), &["buyer.blocked"]).await;
        let id = endpoint["id"].as_str().unwrap();
        let secret = endpoint["secret"].as_str().unwrap();
        let mut admin = app.admin_browser().await;
        let page = admin.page(&format!("/admin/webhooks/{id}")).await;
        assert!(page.contains(&format!("action=\"/admin/webhooks/{id}/test\"")), "{page}");

        let response = admin.post(&format!("/admin/webhooks/{id}/test"), &[]).await;
        assert_eq!(location(&response), format!("/admin/webhooks/{id}#deliveries"));
        let got = await_deliveries(&server, 1).await;
        let event = got[0].json();
        assert_eq!(event["type"], "webhook.test");
        assert_eq!(event["data"]["endpointId"], id);
        verify_with_standard_webhooks(secret, &got);
        let page = admin.page(&format!("/admin/webhooks/{id}")).await;
        assert!(page.contains("A test event is on its way"), "{page}");
        assert!(page.contains("webhook.test"), "listed with the deliveries: {page}");
        // The other endpoint got nothing: a test event reaches the endpoint it was sent to.
        let (seller, buyer) = app.create_buyer().await;
        app.post_json(&format!("{}/block", buyer_path(&seller, &buyer)), &json!({"reason": "review"})).await;
        let theirs = await_deliveries(&other, 1).await;
        assert_eq!(theirs[0].json()["type"], "buyer.blocked", "the first the other endpoint got");

        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        staff.page("/admin").await;
        assert_eq!(staff.post(&format!("/admin/webhooks/{id}/test"), &[]).await.status(), 403);
    }

    async fn deliveries_are_listed_and_a_redelivery_sends_the_event_again(app) {
        let server = receiver().await;
        let mut admin = app.admin_browser().await;
        admin.create_endpoint(&format!("{}/hooks", server.uri()), &["buyer.blocked"]).await;
        let id = endpoints(&app).await[0]["id"].as_str().unwrap().to_owned();
        let (seller, buyer) = app.create_buyer().await;
        app.post_json(&format!("{}/block", buyer_path(&seller, &buyer)), &json!({"reason": "review"})).await;
        let first = await_deliveries(&server, 1).await;

        let page = eventually("the delivery is shown as delivered", || {
            let admin = &admin;
            let id = &id;
            async move {
                let page = admin.get(&format!("/admin/webhooks/{id}")).await.text().await.unwrap();
                page.contains("Delivered").then_some(page)
            }
        })
        .await;
        assert!(page.contains("buyer.blocked"));
        assert!(page.contains("Answer: HTTP 200"));
        assert!(page.contains("Attempts: 1"));
        let delivery = page
            .split("/deliveries/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap()
            .to_owned();
        admin.page(&format!("/admin/webhooks/{id}")).await;
        let response = admin.post(&format!("/admin/webhooks/{id}/deliveries/{delivery}/redeliver"), &[]).await;

        assert_eq!(location(&response), format!("/admin/webhooks/{id}"));
        let both = await_deliveries(&server, 2).await;
        assert_eq!(both[1].id, first[0].id, "the same webhook-id");
        assert_eq!(both[1].json()["type"], "buyer.blocked");
        assert!(admin.page(&format!("/admin/webhooks/{id}")).await.contains("The delivery was queued again."));
    }

    async fn staff_who_are_not_administrators_get_no_webhook_pages(app) {
        let endpoint = app.subscribe("https://erp.example.com/hooks", &["buyer.blocked"]).await;
        let id = endpoint["id"].as_str().unwrap();
        let (_, buyer) = app.create_buyer().await;
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        staff.page(&format!("/admin/buyers/{}/invitations", buyer["uuid"].as_str().unwrap())).await;

        for path in ["/admin/webhooks".to_owned(), format!("/admin/webhooks/{id}"), format!("/admin/webhooks/{id}/delete")] {
            assert_eq!(staff.get(&path).await.status(), 403, "{path}");
        }
        let response = staff.post("/admin/webhooks", &[("url", "https://evil.example"), ("events", "buyer.blocked")]).await;
        assert_eq!(response.status(), 403);
        assert_eq!(staff.post(&format!("/admin/webhooks/{id}/delete"), &[]).await.status(), 403);
        assert_eq!(endpoints(&app).await.len(), 1);
    }
}
