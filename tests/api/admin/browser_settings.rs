//! What issue #7 asks of the browser alone, in German: an administrator signs in through the
//! form, switches the pages to German with the header's button, runs a VIES check against a
//! stub and sees its result, creates an API token and revokes it, and creates a webhook
//! endpoint and deletes it; the API sees each change. axe-core checks every page visited;
//! screenshots `admin-settings-*-de`.

use fantoccini::{Client, Locator};
use kyc_portal::staff::StaffRole;
use serde_json::{Value, json};

use super::PASSWORD;
use crate::browser::Browser;
use crate::helpers::*;
use crate::stubs::*;

const ADMIN: &str = "admin@marketplace.example";
const TOKEN_NAME: &str = "ERP von AutoMarkt";

/// Signs in as a new administrator through the form and switches the pages to German.
async fn signed_in_in_german(browser: &Browser, app: &TestApp) {
    app.staff_user(ADMIN, StaffRole::Admin).await;
    browser
        .client
        .goto(&format!("{}/admin/login", app.address))
        .await
        .unwrap();
    browser.type_into("#email", ADMIN).await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser.wait_for_path("/admin").await;
    assert_eq!(browser.text("h1").await, "What needs you today");

    browser.click("form.language button[value=de]").await;
    browser
        .wait_for("the German page", async |c: &Client| {
            c.find(Locator::Css("html[lang=de]")).await.is_ok()
        })
        .await;
    assert_eq!(browser.text("h1").await, "Was heute ansteht");
    browser.assert_accessible("the start page (de)").await;
    browser.screenshots("admin-today-de").await;
}

/// The API's answer to `GET /v1/partners` with `token`.
async fn partners_status(app: &TestApp, token: &str) -> u16 {
    app.client
        .get(format!("{}/v1/partners", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn webhook_endpoints(app: &TestApp) -> Vec<Value> {
    body_json(app.get("/v1/webhook-endpoints").await).await["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_runs_a_vies_check_from_the_buyers_page_in_german() {
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let vies = wiremock::MockServer::start().await;
    check_vat_number()
        .respond_with(vies_verdict("DE", "136695976", true))
        .expect(1)
        .mount(&vies)
        .await;
    let vies_url = vies.uri();
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.vies_url = vies_url)
        .await
        .unwrap();
    let (seller, buyer) = app.create_buyer_with_vat("DE136695976").await;
    let buyer_id = buyer["uuid"].as_str().unwrap();
    signed_in_in_german(&browser, &app).await;
    browser.screenshots("admin-settings-buyers-de").await;

    browser
        .client
        .goto(&format!("{}/admin/buyers/{buyer_id}/vies", app.address))
        .await
        .unwrap();
    assert_eq!(browser.text("main h2").await, "VIES-Prüfungen");
    assert!(
        browser
            .text("main")
            .await
            .contains("Noch keine VIES-Prüfung.")
    );
    browser
        .assert_accessible("the VIES page, no check yet")
        .await;
    browser.screenshots("admin-settings-vies-none-de").await;

    browser
        .click(&format!(
            "form[action='/admin/buyers/{buyer_id}/vies'] button[type=submit]"
        ))
        .await;
    assert_eq!(
        browser.flash().await,
        "Die VIES-Prüfung wurde gestartet. Laden Sie die Seite gleich neu, um das Ergebnis zu sehen."
    );
    browser
        .assert_accessible("the VIES page, check started")
        .await;
    browser
        .wait_for("the result in the history", async |c: &Client| {
            if c.refresh().await.is_err() {
                return false;
            }
            match c.find(Locator::Css("main table tbody")).await {
                Ok(rows) => rows.text().await.is_ok_and(|t| t.contains("Gültig")),
                Err(_) => false,
            }
        })
        .await;
    let history = browser.text("main table").await;
    assert!(
        history.contains("VIES-Prüfungen, neueste zuerst"),
        "{history}"
    );
    assert!(history.contains("DE136695976"), "{history}");
    assert!(history.contains("AUTOHANDEL MUSTERMANN GMBH"), "{history}");
    browser
        .assert_accessible("the VIES page with a result")
        .await;
    browser.screenshots("admin-settings-vies-valid-de").await;
    browser.close().await;

    let kyc = body_json(
        app.get(&format!("{}/kyc", buyer_path(&seller, &buyer)))
            .await,
    )
    .await;
    assert_eq!(kyc["viesResult"], "VALID", "{kyc}");
    assert_eq!(vies_requests(&vies).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_creates_and_revokes_a_token_and_creates_and_deletes_a_webhook_in_german()
{
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    signed_in_in_german(&browser, &app).await;
    let url = |path: &str| format!("{}{}", app.address, path);

    // A token, shown once, that the API takes.
    browser
        .client
        .goto(&url("/admin/settings/tokens"))
        .await
        .unwrap();
    assert_eq!(browser.text("h1").await, "API-Tokens");
    browser.assert_accessible("the tokens page").await;
    browser.screenshots("admin-settings-tokens-de").await;
    browser.fill("token-name", TOKEN_NAME).await;
    browser
        .click("form[action='/admin/settings/tokens'] button[type=submit]")
        .await;
    browser
        .wait_for("the new token", async |c: &Client| {
            c.find(Locator::Css(".created .secret")).await.is_ok()
        })
        .await;
    assert_eq!(
        browser.text("#created-heading").await,
        format!("Token für {TOKEN_NAME}")
    );
    assert!(
        browser
            .text("#token-hint")
            .await
            .contains("nur dieses eine Mal angezeigt")
    );
    let token = browser.text(".created .secret").await;
    browser
        .assert_accessible("the tokens page with a new token")
        .await;
    browser.screenshots("admin-settings-token-created-de").await;
    assert_eq!(
        partners_status(&app, &token).await,
        200,
        "the new token works"
    );

    // Revoked through its confirmation, the API refuses it.
    browser
        .client
        .find(Locator::XPath(&format!(
            "//tr[td[1][normalize-space()='{TOKEN_NAME}']]//a[contains(@href, '/revoke')]"
        )))
        .await
        .expect("the new token's revoke link")
        .click()
        .await
        .unwrap();
    browser
        .wait_for("the revoke confirmation", async |c: &Client| {
            c.find(Locator::Css("button.danger")).await.is_ok()
        })
        .await;
    assert_eq!(browser.text("h1").await, "API-Token widerrufen?");
    assert!(browser.text("main dl").await.contains(TOKEN_NAME));
    assert_eq!(
        partners_status(&app, &token).await,
        200,
        "asking changes nothing"
    );
    browser.assert_accessible("the revoke confirmation").await;
    browser.screenshots("admin-settings-token-revoke-de").await;
    browser.click("button.danger").await;
    assert_eq!(browser.flash().await, "Das API-Token wurde widerrufen.");
    browser.wait_for_path("/admin/settings/tokens").await;
    let row = browser
        .client
        .find(Locator::XPath(&format!(
            "//tr[td[1][normalize-space()='{TOKEN_NAME}']]"
        )))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(row.contains("Widerrufen am"), "{row}");
    assert!(
        browser.client.find(Locator::Css(".secret")).await.is_err(),
        "the token is never shown again"
    );
    browser
        .assert_accessible("the tokens page after revoking")
        .await;
    browser.screenshots("admin-settings-token-revoked-de").await;
    assert_eq!(
        partners_status(&app, &token).await,
        401,
        "the revoked token"
    );
    assert_eq!(
        partners_status(&app, &app.token).await,
        200,
        "the others stay"
    );

    // A webhook endpoint, made and deleted through its confirmation.
    browser.client.goto(&url("/admin/webhooks")).await.unwrap();
    assert_eq!(browser.text("h1").await, "Webhook-Endpunkte");
    assert!(
        browser
            .text("main")
            .await
            .contains("Noch keine Webhook-Endpunkte.")
    );
    browser.assert_accessible("the webhooks page").await;
    browser
        .fill("webhook-url", "https://erp.example.com/hooks")
        .await;
    browser
        .click("input[name=events][value='buyer.blocked']")
        .await;
    browser
        .click("form[aria-labelledby=new-endpoint] button")
        .await;
    browser
        .wait_for("the secret", async |c: &Client| {
            c.find(Locator::Css(".created .secret")).await.is_ok()
        })
        .await;
    assert_eq!(
        browser.text("#created-heading").await,
        "Der Endpunkt wurde angelegt"
    );
    assert!(browser.text(".created .secret").await.starts_with("whsec_"));
    browser
        .assert_accessible("the webhooks page with a new endpoint")
        .await;
    browser
        .screenshots("admin-settings-webhook-created-de")
        .await;
    let endpoints = webhook_endpoints(&app).await;
    assert_eq!(endpoints.len(), 1, "{endpoints:?}");
    assert_eq!(endpoints[0]["url"], "https://erp.example.com/hooks");
    assert_eq!(endpoints[0]["events"], json!(["buyer.blocked"]));
    let id = endpoints[0]["id"].as_str().unwrap();

    browser
        .click(&format!("a[href='/admin/webhooks/{id}/delete']"))
        .await;
    browser
        .wait_for("the delete confirmation", async |c: &Client| {
            c.find(Locator::Css("button.danger")).await.is_ok()
        })
        .await;
    assert_eq!(browser.text("h1").await, "Webhook-Endpunkt löschen?");
    assert_eq!(
        webhook_endpoints(&app).await.len(),
        1,
        "asking changes nothing"
    );
    browser.assert_accessible("the delete confirmation").await;
    browser
        .screenshots("admin-settings-webhook-delete-de")
        .await;
    browser.click("button.danger").await;
    assert_eq!(
        browser.flash().await,
        "Der Webhook-Endpunkt wurde gelöscht."
    );
    browser.wait_for_path("/admin/webhooks").await;
    assert!(
        browser
            .text("main")
            .await
            .contains("Noch keine Webhook-Endpunkte.")
    );
    browser
        .assert_accessible("the webhooks page after deleting")
        .await;
    browser
        .screenshots("admin-settings-webhook-deleted-de")
        .await;
    browser.close().await;

    assert!(webhook_endpoints(&app).await.is_empty());
}
