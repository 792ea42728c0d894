//! The staff pages in headless Chromium: sign in through the form, issue an invitation, open
//! its printable sheet and read the QR code back from a screenshot with zbarimg; axe-core on
//! every page of this part; screenshots `admin-*.png` for people to look at.

use std::process::Command;

use fantoccini::Locator;
use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintSize};
use kyc_portal::staff::StaffRole;
use serde_json::{Value, json};

use super::PASSWORD;
use crate::browser::{Browser, screenshots_folder};
use crate::helpers::*;

/// A 240 x 64 logo: a dark mark and three bars on white, as a PNG.
fn logo_png() -> Vec<u8> {
    let (width, height) = (240u32, 64u32);
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let mark = (8..56).contains(&x) && (8..56).contains(&y);
            let bar = (72..232).contains(&x)
                && [(12, 22), (28, 36), (42, 52)]
                    .iter()
                    .any(|(a, b)| (*a..*b).contains(&y));
            let rgb: [u8; 3] = if mark {
                [0xaa, 0x33, 0x00]
            } else if bar {
                [0x33, 0x33, 0x33]
            } else {
                [0xff, 0xff, 0xff]
            };
            pixels.extend_from_slice(&rgb);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    out
}

/// The pages a PDF has (each page object says `/Type /Page`; the tree says `/Pages`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.matches("/Type /Page")
        .count()
        .saturating_sub(text.matches("/Type /Pages").count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_member_signs_in_issues_an_invitation_and_prints_a_sheet_whose_qr_code_is_the_link()
{
    if !tool_available(
        "zbarimg",
        &["zbarimg", "--version"],
        "apt-get install zbar-tools",
    ) {
        return;
    }
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.staff_user("admin@marketplace.example", StaffRole::Admin)
        .await;
    app.with_support_contact().await;
    let (seller, buyer) = app.create_buyer().await;
    let buyer_id = buyer["uuid"].as_str().unwrap();

    browser
        .client
        .goto(&format!("{}/admin/login", app.address))
        .await
        .unwrap();
    browser.fill("email", "admin@marketplace.example").await;
    browser.fill("password", PASSWORD).await;
    browser.click("form.narrow button[type=submit]").await;
    browser
        .wait_for("the session", async |c| {
            c.current_url()
                .await
                .is_ok_and(|u| u.path() != "/admin/login")
        })
        .await;

    let invitations = format!("{}/admin/buyers/{buyer_id}/invitations", app.address);
    browser.client.goto(&invitations).await.unwrap();
    assert!(
        browser
            .text("h1")
            .await
            .starts_with("AutoHandel Mustermann GmbH")
    );
    assert_eq!(browser.text("main h2").await, "Invitations");
    browser
        .fill("inv-recipient", "kyc@autohandel-mustermann.de")
        .await;
    browser.click("#inv-language option[value=de]").await;
    browser.fill("inv-expiry", "21").await;
    browser
        .click("form[aria-labelledby=new-invitation] button")
        .await;
    assert_eq!(
        browser.flash().await,
        "The invitation was created; the email is on its way."
    );
    browser.screenshots("admin-invitations").await;
    browser.assert_accessible("invitations page").await;

    let listing = body_json(
        app.get(&format!(
            "{}/kyc/self-service-invitations",
            buyer_path(&seller, &buyer)
        ))
        .await,
    )
    .await;
    let invitation: &Value = &listing["items"][0];
    let link = invitation["publicLinkUrl"].as_str().unwrap();
    note_issued_link(link);
    assert_eq!(invitation["language"], "de");

    browser.click("a[href$='/sheet']").await;
    browser
        .wait_for("the sheet", async |c| {
            c.find(Locator::Css("html[lang=de] img.qr")).await.is_ok()
        })
        .await;
    browser
        .wait_for("the QR image", async |c| {
            c.execute(
                "const i = document.querySelector('img.qr'); return i.complete && i.naturalWidth > 0;",
                vec![],
            )
            .await
            .is_ok_and(|v| v == Value::Bool(true))
        })
        .await;
    assert_eq!(
        browser.text("h1").await,
        "Laden Sie Ihre Firmenunterlagen hoch"
    );
    assert_eq!(browser.text(".link").await, link);
    let png = browser
        .screenshot_sized("admin-sheet-de-a4", 794, 1123)
        .await;
    let output = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&png)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "zbarimg found no QR code on the sheet"
    );
    assert_eq!(String::from_utf8(output.stdout).unwrap().trim_end(), link);
    browser.assert_accessible("printable sheet").await;
    let print = PrintConfiguration::builder()
        .size(PrintSize::A4)
        .margins(PrintMargins {
            top: 0.0,
            bottom: 0.0,
            left: 0.0,
            right: 0.0,
        })
        .shrink_to_fit(false)
        .build()
        .unwrap();
    let pdf = browser.client.print(print).await.unwrap();
    std::fs::write(screenshots_folder().join("admin-sheet-de.pdf"), &pdf).unwrap();
    assert_eq!(pdf_pages(&pdf), 1, "the sheet prints on one A4 page");

    for (path, name) in [
        ("/admin/webhooks", "admin-webhooks"),
        ("/admin/settings", "admin-settings"),
        ("/admin/settings/tokens", "admin-tokens"),
    ] {
        browser
            .client
            .goto(&format!("{}{path}", app.address))
            .await
            .unwrap();
        browser.screenshots(name).await;
        browser.assert_accessible(path).await;
    }

    browser
        .client
        .goto(&format!("{}/admin/webhooks", app.address))
        .await
        .unwrap();
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
        .wait_for("the secret", async |c| {
            c.find(Locator::Css(".secret")).await.is_ok()
        })
        .await;
    assert!(browser.text(".secret").await.starts_with("whsec_"));
    let endpoints = body_json(app.get("/v1/webhook-endpoints").await).await;
    let endpoints = endpoints["items"].as_array().unwrap();
    assert_eq!(endpoints.len(), 1, "{endpoints:?}");
    assert_eq!(endpoints[0]["url"], "https://erp.example.com/hooks");
    assert_eq!(endpoints[0]["events"], json!(["buyer.blocked"]));
    browser
        .screenshot("admin-webhooks-created-1280", 1280)
        .await;
    browser.assert_accessible("webhook created").await;

    browser
        .client
        .goto(&format!("{}/admin/settings", app.address))
        .await
        .unwrap();
    browser.fill("s-imprint", "javascript:alert(1)").await;
    browser.click("form[action='/admin/settings'] button").await;
    browser
        .wait_for("the error", async |c| {
            c.find(Locator::Id("s-imprint-error")).await.is_ok()
        })
        .await;
    browser.screenshot("admin-settings-error-360", 360).await;
    browser.assert_accessible("settings with an error").await;

    // Branding, then a look at the buyer's page it shapes.
    browser.fill("s-name", "AutoMarkt Marktplatz").await;
    browser
        .fill("s-imprint", "https://automarkt.example/impressum")
        .await;
    browser
        .fill("s-privacy", "https://automarkt.example/datenschutz")
        .await;
    browser.click("form[action='/admin/settings'] button").await;
    assert_eq!(browser.flash().await, "The settings were saved.");
    let files = tempfile::tempdir().unwrap();
    let logo = files.path().join("logo.png");
    std::fs::write(&logo, logo_png()).unwrap();
    browser
        .client
        .find(Locator::Id("s-logo"))
        .await
        .unwrap()
        .send_keys(&logo.display().to_string())
        .await
        .unwrap();
    browser
        .click("form[action='/admin/settings/logo'] button")
        .await;
    browser
        .wait_for("the logo saved", async |c| {
            c.find(Locator::Css("img.logo-preview")).await.is_ok()
        })
        .await;
    assert_eq!(browser.text(".flash-ok").await, "The logo was saved.");
    browser.screenshot("admin-settings-logo-1280", 1280).await;
    browser.assert_accessible("settings with a logo").await;

    browser.open_link(&app.link_path(invitation)).await;
    browser
        .wait_for("the buyer's page with the logo", async |c| {
            c.execute(
                "const i = document.querySelector('img.brand-logo'); return !!i && i.complete && i.naturalWidth === 240;",
                vec![],
            )
            .await
            .is_ok_and(|v| v == Value::Bool(true))
        })
        .await;
    assert_eq!(browser.text("footer .legal a").await, "Impressum");
    browser
        .screenshot("admin-branded-buyer-page-de-360", 360)
        .await;
    browser.assert_accessible("the branded buyer's page").await;
    browser.close().await;
}
