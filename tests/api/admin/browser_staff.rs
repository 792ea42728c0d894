//! The administrators' and verification pages in headless Chromium: staff users, a held
//! identity verification decided by a click, and the signing key, in English and German, with
//! axe-core and screenshots.

use fantoccini::{Client, Locator};
use kyc_portal::staff::StaffRole;

use super::PASSWORD;
use crate::browser::Browser;
use crate::helpers::*;
use crate::idenfy_stub::*;

const ADMIN: &str = "admin@marketplace.example";

async fn click(browser: &Browser, css: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn accessible_with_screenshots(browser: &Browser, name: &str) {
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "{name}: {violations:?}");
    for width in [1280, 360] {
        browser
            .screenshot(&format!("admin-{name}-{width}"), width)
            .await;
    }
}

async fn wait_for_path(browser: &Browser, path: &str) {
    browser
        .wait_for(path, async |c: &Client| {
            c.current_url().await.is_ok_and(|u| u.path() == path)
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_approves_a_held_verification_and_reads_the_signing_key_in_both_languages()
{
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let idenfy = idenfy_stub(true).await;
    let idenfy_url = idenfy.uri();
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.idenfy_url = idenfy_url;
        s.idenfy_api_key = Some(IDENFY_API_KEY.to_owned().into());
        s.idenfy_api_secret = Some(IDENFY_API_SECRET.to_owned().into());
        s.idenfy_callback_key = Some(IDENFY_CALLBACK_KEY.to_owned().into());
    })
    .await
    .unwrap();
    let (path, buyer) = app.create_nt24_buyer("DE136695976").await;
    let buyer_id = buyer["uuid"].as_str().unwrap();
    let verification = app.start_verification(&path).await;
    let result = idenfy_result(
        verification["scanRef"].as_str().unwrap(),
        buyer_id,
        "APPROVED",
        true,
        Some(aml_section(true)),
    );
    assert_eq!(
        app.idenfy_callback(&result, Signed::Correctly)
            .await
            .status(),
        200
    );
    app.staff_user(ADMIN, StaffRole::Admin).await;
    app.staff_user("kim@marketplace.example", StaffRole::Staff)
        .await;
    let url = |path: &str| format!("{}{}", app.address, path);

    browser.client.goto(&url("/admin/login")).await.unwrap();
    accessible_with_screenshots(&browser, "login-en").await;
    browser
        .client
        .find(Locator::Css("#email"))
        .await
        .unwrap()
        .send_keys(ADMIN)
        .await
        .unwrap();
    browser
        .client
        .find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    click(&browser, "form button[type=submit]").await;
    wait_for_path(&browser, "/admin/buyers").await;

    browser.client.goto(&url("/admin/users")).await.unwrap();
    accessible_with_screenshots(&browser, "users-en").await;

    let verification_page = format!("/admin/buyers/{buyer_id}/verification");
    browser.client.goto(&url(&verification_page)).await.unwrap();
    assert!(browser.text("main").await.contains("Held for review"));
    accessible_with_screenshots(&browser, "verification-review-en").await;
    click(&browser, "button[name=decision][value=approve]").await;
    browser
        .wait_for("the approval", async |c: &Client| {
            c.find(Locator::Css("p.flash")).await.is_ok()
        })
        .await;
    assert_eq!(
        browser.text("p.flash").await,
        "The verification was approved."
    );
    assert_eq!(
        app.kyc_status(&path).await["verificationStatus"],
        "VERIFIED"
    );
    accessible_with_screenshots(&browser, "verification-verified-en").await;

    browser
        .client
        .goto(&url("/admin/settings/signing-key"))
        .await
        .unwrap();
    accessible_with_screenshots(&browser, "signing-key-en").await;

    // The language switch in the header.
    click(&browser, "form.language button[value=de]").await;
    browser
        .wait_for("the German page", async |c: &Client| {
            c.find(Locator::Css("html[lang=de]")).await.is_ok()
        })
        .await;
    assert_eq!(
        browser.text("h1").await,
        "Signaturschlüssel der KYC-Profile"
    );
    accessible_with_screenshots(&browser, "signing-key-de").await;
    browser.client.goto(&url("/admin/users")).await.unwrap();
    accessible_with_screenshots(&browser, "users-de").await;
    browser.client.goto(&url(&verification_page)).await.unwrap();
    assert!(browser.text("main").await.contains("Verifiziert"));
    accessible_with_screenshots(&browser, "verification-verified-de").await;
    browser.close().await;
}
