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
    browser.assert_accessible("login-en").await;
    browser.screenshots("admin-login-en").await;
    browser.type_into("#email", ADMIN).await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser.wait_for_path("/admin").await;

    browser.client.goto(&url("/admin/users")).await.unwrap();
    browser.assert_accessible("users-en").await;
    browser.screenshots("admin-users-en").await;

    let verification_page = format!("/admin/buyers/{buyer_id}/verification");
    browser.client.goto(&url(&verification_page)).await.unwrap();
    assert!(browser.text("main").await.contains("Held for review"));
    browser.assert_accessible("verification-review-en").await;
    browser.screenshots("admin-verification-review-en").await;
    browser.fill("reason", "Namesake: other birth date").await;
    browser.click("button[name=decision][value=approve]").await;
    assert_eq!(browser.flash().await, "The verification was approved.");
    assert_eq!(
        app.kyc_status(&path).await["verificationStatus"],
        "VERIFIED"
    );
    browser.assert_accessible("verification-verified-en").await;
    browser.screenshots("admin-verification-verified-en").await;

    browser
        .client
        .goto(&url("/admin/settings/signing-key"))
        .await
        .unwrap();
    browser.assert_accessible("signing-key-en").await;
    browser.screenshots("admin-signing-key-en").await;

    // The language switch in the header.
    browser.click("form.language button[value=de]").await;
    browser
        .wait_for("the German page", async |c: &Client| {
            c.find(Locator::Css("html[lang=de]")).await.is_ok()
        })
        .await;
    assert_eq!(
        browser.text("h1").await,
        "Signaturschlüssel der KYC-Profile"
    );
    browser.assert_accessible("signing-key-de").await;
    browser.screenshots("admin-signing-key-de").await;
    browser.client.goto(&url("/admin/users")).await.unwrap();
    browser.assert_accessible("users-de").await;
    browser.screenshots("admin-users-de").await;
    browser.client.goto(&url(&verification_page)).await.unwrap();
    assert!(browser.text("main").await.contains("Verifiziert"));
    browser.assert_accessible("verification-verified-de").await;
    browser.screenshots("admin-verification-verified-de").await;
    browser.close().await;
}
