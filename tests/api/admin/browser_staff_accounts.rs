//! Staff accounts in headless Chromium: asking for a reset link, inviting a colleague and
//! setting up the second factor, in English and German, with axe-core and screenshots.

use fantoccini::{Client, Locator};
use kyc_portal::staff::StaffRole;

use super::PASSWORD;
use crate::browser::Browser;
use crate::helpers::*;

const ADMIN: &str = "admin@marketplace.example";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_ask_for_a_reset_link_invite_a_colleague_and_set_up_a_second_factor_in_both_languages()
 {
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.staff_user(ADMIN, StaffRole::Admin).await;
    let url = |path: &str| format!("{}{}", app.address, path);

    browser.client.goto(&url("/admin/login")).await.unwrap();
    browser.click("a[href='/admin/forgot-password']").await;
    browser.wait_for_path("/admin/forgot-password").await;
    browser.assert_accessible("forgot-en").await;
    browser.screenshots("admin-forgot-password-en").await;
    browser.type_into("#email", ADMIN).await;
    browser.click("main form button[type=submit]").await;
    browser
        .wait_for("the neutral answer", async |c: &Client| {
            c.find(Locator::Css("main p[role=status]")).await.is_ok()
        })
        .await;
    assert!(
        browser
            .text("main")
            .await
            .contains("If this address belongs")
    );
    browser.assert_accessible("forgot-sent-en").await;
    browser.screenshots("admin-forgot-password-sent-en").await;

    browser
        .client
        .goto(&url("/admin/password/no-such-link"))
        .await
        .unwrap();
    browser.assert_accessible("dead-link-en").await;
    browser.screenshots("admin-password-dead-link-en").await;

    browser.client.goto(&url("/admin/login")).await.unwrap();
    browser.type_into("#email", ADMIN).await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser.wait_for_path("/admin").await;

    browser.client.goto(&url("/admin/users")).await.unwrap();
    browser
        .type_into("#new-email", "colleague@marketplace.example")
        .await;
    browser.click("#new-role-admin").await;
    browser
        .click("form[action='/admin/users'] button[type=submit]")
        .await;
    assert_eq!(browser.flash().await, "The invitation was sent.");
    assert!(
        browser
            .text("main")
            .await
            .contains("colleague@marketplace.example")
    );
    browser.assert_accessible("users-invited-en").await;
    browser.screenshots("admin-users-invited-en").await;

    browser
        .click("a[href='/admin/account/second-factor']")
        .await;
    browser.wait_for_path("/admin/account/second-factor").await;
    assert!(browser.text("main").await.contains("Scan this QR code"));
    browser.assert_accessible("second-factor-en").await;
    browser.screenshots("admin-second-factor-en").await;

    browser.click("form.language button[value=de]").await;
    browser
        .wait_for("the German page", async |c: &Client| {
            c.find(Locator::Css("html[lang=de]")).await.is_ok()
        })
        .await;
    assert_eq!(browser.text("h1").await, "Zweiter Faktor");
    browser.assert_accessible("second-factor-de").await;
    browser.screenshots("admin-second-factor-de").await;
    browser.client.goto(&url("/admin/users")).await.unwrap();
    assert!(browser.text("main").await.contains("Mitarbeiter einladen"));
    browser.assert_accessible("users-invited-de").await;
    browser.screenshots("admin-users-invited-de").await;
    browser
        .client
        .goto(&url("/admin/forgot-password"))
        .await
        .unwrap();
    assert_eq!(browser.text("h1").await, "Passwort vergessen");
    browser.assert_accessible("forgot-de").await;
    browser.screenshots("admin-forgot-password-de").await;
    browser.close().await;
}
