//! The buyer pages in headless Chromium: a staff member signs in through the form, creates a
//! buyer, uploads a PDF on its documents page, archives it through the confirmation and
//! blocks the buyer with a reason; axe-core checks the list, the buyer page and the
//! documents page in English and German; screenshots go to `target/tmp/screenshots`.

use fantoccini::{Client, Locator};
use kyc_portal::staff::StaffRole;
use serde_json::json;

use super::PASSWORD;
use crate::browser::Browser;
use crate::fixtures::*;
use crate::helpers::*;

const KIM: &str = "kim@marketplace.example";

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

async fn type_into(browser: &Browser, css: &str, text: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

/// Waits for the flash message of the last action and returns it.
async fn flash(browser: &Browser) -> String {
    browser
        .wait_for("a flash message", async |c: &Client| {
            c.find(Locator::Css("p.flash")).await.is_ok()
        })
        .await;
    browser.text("p.flash").await
}

/// Asserts that axe-core finds no serious or critical violation on the current page.
async fn accessible(browser: &Browser, what: &str) {
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "{what}: {violations:?}");
}

async fn screenshots(browser: &Browser, name: &str) {
    for width in [1280, 360] {
        browser
            .screenshot(&format!("admin-buyers-{name}-{width}"), width)
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_member_creates_a_buyer_uploads_and_archives_a_document_and_blocks_the_buyer() {
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let response = app
        .post_json("/v1/partners", &json!({"name": "Nord Handel GmbH"}))
        .await;
    assert_eq!(response.status(), 201);
    app.create_buyer().await;
    app.staff_user(KIM, StaffRole::Staff).await;
    let files = tempfile::tempdir().unwrap();
    let pdf_path = files.path().join("handelsregister.pdf");
    std::fs::write(&pdf_path, small_pdf()).unwrap();
    let url = |path: &str| format!("{}{}", app.address, path);

    // Sign in through the form.
    browser.client.goto(&url("/admin/login")).await.unwrap();
    type_into(&browser, "#email", KIM).await;
    type_into(&browser, "#password", PASSWORD).await;
    click(&browser, "form button[type=submit]").await;
    browser
        .wait_for("the buyers list", async |c: &Client| {
            c.current_url()
                .await
                .is_ok_and(|u| u.path() == "/admin/buyers")
        })
        .await;
    assert_eq!(browser.text("h1").await, "Buyers");
    accessible(&browser, "the list (en)").await;
    screenshots(&browser, "list-en").await;

    // Create a buyer through the form.
    click(&browser, "a[href='/admin/buyers/new']").await;
    browser
        .wait_for("the new buyer form", async |c: &Client| {
            c.find(Locator::Id("f-vatNumber")).await.is_ok()
        })
        .await;
    let seller = browser
        .client
        .find(Locator::Id("f-sellerId"))
        .await
        .unwrap();
    seller.select_by_label("Nord Handel GmbH").await.unwrap();
    type_into(&browser, "#f-vatNumber", "DE136695976").await;
    type_into(&browser, "#f-companyName", "Bäckerei Schmidt KG").await;
    type_into(&browser, "#f-address-street", "Marktplatz 1").await;
    type_into(&browser, "#f-address-postCode", "80331").await;
    type_into(&browser, "#f-address-city", "München").await;
    type_into(&browser, "#f-address-country", "DE").await;
    type_into(&browser, "#f-contacts-0-firstName", "Anna").await;
    type_into(&browser, "#f-contacts-0-lastName", "Schmidt").await;
    type_into(&browser, "#f-contacts-0-email", "anna@baeckerei-schmidt.de").await;
    accessible(&browser, "the new buyer form").await;
    screenshots(&browser, "new-en").await;
    click(&browser, "form.narrow button[type=submit]").await;
    assert_eq!(flash(&browser).await, "The buyer was created.");
    let buyer_path = browser
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .to_owned();
    assert!(browser.text("h1").await.starts_with("Bäckerei Schmidt KG"));
    accessible(&browser, "the buyer page (en)").await;
    screenshots(&browser, "buyer-en").await;

    // Upload a PDF on its documents page.
    click(&browser, &format!("a[href='{buyer_path}/documents']")).await;
    browser
        .wait_for("the documents page", async |c: &Client| {
            c.find(Locator::Id("upload-file")).await.is_ok()
        })
        .await;
    accessible(&browser, "the documents page, empty (en)").await;
    browser
        .client
        .find(Locator::Id("upload-type"))
        .await
        .unwrap()
        .select_by_value("COC_EXTRACT")
        .await
        .unwrap();
    browser
        .client
        .execute(
            "document.getElementById('upload-date').value = '2026-01-15';",
            vec![],
        )
        .await
        .unwrap();
    type_into(&browser, "#upload-file", &pdf_path.display().to_string()).await;
    click(&browser, "form[enctype] button[type=submit]").await;
    assert_eq!(flash(&browser).await, "The document was uploaded.");
    assert!(browser.text("table").await.contains("handelsregister.pdf"));
    accessible(&browser, "the documents page (en)").await;
    screenshots(&browser, "documents-en").await;

    // The preview: Chromium shows the sandboxed PDF frame (or nothing), the page stays ours.
    click(&browser, "a[href$='/preview']").await;
    browser
        .wait_for("the preview page", async |c: &Client| {
            c.find(Locator::Css("iframe.preview")).await.is_ok()
        })
        .await;
    accessible(&browser, "the preview page").await;
    screenshots(&browser, "preview-en").await;
    // What Chromium does with the sandboxed PDF: it shows it in its own viewer (the frame's
    // document is the viewer's, typed application/pdf) rather than refusing it.
    let frame = browser
        .client
        .find(Locator::Css("iframe.preview"))
        .await
        .unwrap();
    let pdf_id = frame
        .attr("src")
        .await
        .unwrap()
        .unwrap()
        .trim_start_matches("/admin/documents/")
        .trim_end_matches("/inline")
        .to_owned();
    frame.clone().enter_frame().await.unwrap();
    let framed: serde_json::Value = browser
        .client
        .execute(
            "return [document.contentType, String(window.origin)];",
            vec![],
        )
        .await
        .unwrap();
    browser.client.enter_parent_frame().await.unwrap();
    assert_eq!(framed[0], "application/pdf", "{framed}");
    // An image opened at its inline address on its own runs in an opaque origin: the sandbox
    // holds for what the browser renders itself.
    let id = buyer_path.trim_start_matches("/admin/buyers/");
    let buyer = kyc_portal::buyers::get_by_id(&app.db, id).await.unwrap();
    let image = app
        .upload(
            &format!("/v1/partners/{}/buyers/{id}/kyc/documents", buyer.seller_id),
            reqwest::multipart::Form::new()
                .text("type", "CONTACT_ID")
                .text("documentDate", "2026-01-15")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(png()).file_name("id.png"),
                ),
        )
        .await;
    assert_eq!(image.status(), 201);
    let image = body_json(image).await;
    browser
        .client
        .goto(&url(&format!(
            "/admin/documents/{}/inline",
            image["uuid"].as_str().unwrap()
        )))
        .await
        .unwrap();
    let origin: serde_json::Value = browser
        .client
        .execute("return String(window.origin);", vec![])
        .await
        .unwrap();
    assert_eq!(origin, "null", "the image document is sandboxed");
    browser
        .client
        .goto(&url(&format!(
            "/admin/documents/{}/preview",
            image["uuid"].as_str().unwrap()
        )))
        .await
        .unwrap();
    accessible(&browser, "the image preview").await;
    screenshots(&browser, "preview-image-en").await;
    browser
        .client
        .goto(&url(&format!("{buyer_path}/documents")))
        .await
        .unwrap();

    // Archive it through the confirmation.
    click(
        &browser,
        &format!("a[href='/admin/documents/{pdf_id}/archive']"),
    )
    .await;
    browser
        .wait_for("the confirmation", async |c: &Client| {
            c.find(Locator::Css("button.danger")).await.is_ok()
        })
        .await;
    accessible(&browser, "the archive confirmation").await;
    click(&browser, "button.danger").await;
    assert_eq!(flash(&browser).await, "The document was archived.");
    assert!(browser.text("table").await.contains("Archived"));
    assert!(
        browser.text("table").await.contains("Active"),
        "the image stays active"
    );

    // Block the buyer with a reason, through its confirmation.
    browser.client.goto(&url(&buyer_path)).await.unwrap();
    click(&browser, &format!("a[href='{buyer_path}/block']")).await;
    browser
        .wait_for("the block confirmation", async |c: &Client| {
            c.find(Locator::Id("reason")).await.is_ok()
        })
        .await;
    type_into(&browser, "#reason", "Forged bank statement").await;
    accessible(&browser, "the block confirmation").await;
    click(&browser, "button.danger").await;
    assert_eq!(flash(&browser).await, "The buyer was blocked.");
    assert!(browser.text("main").await.contains("Forged bank statement"));
    screenshots(&browser, "blocked-en").await;
    for tab in ["vies", "history"] {
        browser
            .client
            .goto(&url(&format!("{buyer_path}/{tab}")))
            .await
            .unwrap();
        accessible(&browser, tab).await;
        screenshots(&browser, &format!("{tab}-en")).await;
    }
    browser.client.goto(&url(&buyer_path)).await.unwrap();

    // The same pages in German.
    click(&browser, "button[value=de]").await;
    browser
        .wait_for("the German page", async |c: &Client| {
            c.find(Locator::Css("html[lang=de]")).await.is_ok()
        })
        .await;
    accessible(&browser, "the buyer page (de)").await;
    screenshots(&browser, "buyer-de").await;
    browser
        .client
        .goto(&url(&format!("{buyer_path}/documents")))
        .await
        .unwrap();
    accessible(&browser, "the documents page (de)").await;
    screenshots(&browser, "documents-de").await;
    browser.client.goto(&url("/admin/buyers")).await.unwrap();
    assert_eq!(browser.text("h1").await, "Käufer");
    accessible(&browser, "the list (de)").await;
    screenshots(&browser, "list-de").await;
    browser.close().await;

    // What the browser did is what the API shows.
    let buyer = kyc_portal::buyers::get_by_id(&app.db, id).await.unwrap();
    assert_eq!(buyer.company_name, "Bäckerei Schmidt KG");
    assert_eq!(
        buyer.blocked_reason.as_deref(),
        Some("Forged bank statement")
    );
    let stored = body_json(
        app.get(&format!(
            "/v1/partners/{}/buyers/{id}/kyc/documents",
            buyer.seller_id
        ))
        .await,
    )
    .await;
    let pdf = stored["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["uuid"] == pdf_id.as_str())
        .unwrap();
    assert_eq!(pdf["status"], "ARCHIVED");
    assert_eq!(pdf["fileName"], "handelsregister.pdf");
    assert_eq!(pdf["type"], "COC_EXTRACT");
}
