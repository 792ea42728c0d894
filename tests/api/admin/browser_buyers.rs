//! The buyer pages in headless Chromium: a staff member signs in through the form, creates a
//! buyer, uploads a PDF on its documents page, opens its preview, archives it through the
//! confirmation and blocks the buyer with a reason; axe-core checks the list, the buyer page
//! and the documents page in English and German; screenshots go to `target/tmp/screenshots`.

use fantoccini::{Client, Locator};
use kyc_portal::staff::StaffRole;
use serde_json::json;

use super::PASSWORD;
use crate::browser::Browser;
use crate::fixtures::*;
use crate::helpers::*;

const KIM: &str = "kim@marketplace.example";

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
    browser.type_into("#email", KIM).await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser
        .wait_for("the start page", async |c: &Client| {
            c.current_url().await.is_ok_and(|u| u.path() == "/admin")
        })
        .await;
    assert_eq!(browser.text("h1").await, "What needs you today");
    browser.assert_accessible("the start page").await;
    browser.screenshots("admin-today-en").await;
    browser.client.goto(&url("/admin/buyers")).await.unwrap();
    assert_eq!(browser.text("h1").await, "Buyers");
    browser.assert_accessible("the list (en)").await;
    browser.screenshots("admin-buyers-list-en").await;

    // Create a buyer through the form.
    browser.click("a[href='/admin/buyers/new']").await;
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
    browser.type_into("#f-vatNumber", "DE136695976").await;
    browser
        .type_into("#f-companyName", "Bäckerei Schmidt KG")
        .await;
    browser.type_into("#f-address-street", "Marktplatz 1").await;
    browser.type_into("#f-address-postCode", "80331").await;
    browser.type_into("#f-address-city", "München").await;
    browser.type_into("#f-address-country", "DE").await;
    browser.type_into("#f-contacts-0-firstName", "Anna").await;
    browser.type_into("#f-contacts-0-lastName", "Schmidt").await;
    browser
        .type_into("#f-contacts-0-email", "anna@baeckerei-schmidt.de")
        .await;
    browser.assert_accessible("the new buyer form").await;
    browser.screenshots("admin-buyers-new-en").await;
    browser.click("form.narrow button[type=submit]").await;
    assert_eq!(browser.flash().await, "The buyer was created.");
    let buyer_path = browser
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .to_owned();
    assert!(browser.text("h1").await.starts_with("Bäckerei Schmidt KG"));
    browser.assert_accessible("the buyer page (en)").await;
    browser.screenshots("admin-buyers-buyer-en").await;

    // Upload a PDF on its documents page.
    browser
        .click(&format!("a[href='{buyer_path}/documents']"))
        .await;
    browser
        .wait_for("the documents page", async |c: &Client| {
            c.find(Locator::Id("upload-file")).await.is_ok()
        })
        .await;
    browser
        .assert_accessible("the documents page, empty (en)")
        .await;
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
    browser
        .type_into("#upload-file", &pdf_path.display().to_string())
        .await;
    browser.click("form[enctype] button[type=submit]").await;
    assert_eq!(browser.flash().await, "The document was uploaded.");
    assert!(browser.text("table").await.contains("handelsregister.pdf"));
    browser.assert_accessible("the documents page (en)").await;
    browser.screenshots("admin-buyers-documents-en").await;

    // The preview: the PDF's pages as images (see browser_previews.rs), or, without
    // poppler-utils, the download link; never the PDF itself.
    browser.click("a[href$='/preview']").await;
    browser
        .wait_for("the preview page", async |c: &Client| {
            c.current_url()
                .await
                .is_ok_and(|u| u.path().ends_with("/preview"))
        })
        .await;
    let pdf_id = browser
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .trim_start_matches("/admin/documents/")
        .trim_end_matches("/preview")
        .to_owned();
    assert!(
        browser
            .client
            .find(Locator::Css("iframe, embed, object"))
            .await
            .is_err(),
        "nothing framed"
    );
    browser.assert_accessible("the preview page").await;
    browser.screenshots("admin-buyers-preview-en").await;
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
    browser.assert_accessible("the image preview").await;
    browser.screenshots("admin-buyers-preview-image-en").await;
    browser
        .client
        .goto(&url(&format!("{buyer_path}/documents")))
        .await
        .unwrap();

    // Archive it through the confirmation.
    browser
        .click(&format!("a[href='/admin/documents/{pdf_id}/archive']"))
        .await;
    browser
        .wait_for("the confirmation", async |c: &Client| {
            c.find(Locator::Css("button.danger")).await.is_ok()
        })
        .await;
    browser.assert_accessible("the archive confirmation").await;
    browser.click("button.danger").await;
    assert_eq!(browser.flash().await, "The document was archived.");
    let documents = browser.text("main").await;
    assert!(documents.contains("Archived"), "{documents}");
    assert!(
        documents.contains("Counts"),
        "the image stays the version that counts: {documents}"
    );
    browser
        .screenshots("admin-buyers-documents-by-type-en")
        .await;

    // Block the buyer with a reason, through its confirmation.
    browser.client.goto(&url(&buyer_path)).await.unwrap();
    browser
        .click(&format!("a[href='{buyer_path}/block']"))
        .await;
    browser
        .wait_for("the block confirmation", async |c: &Client| {
            c.find(Locator::Id("reason")).await.is_ok()
        })
        .await;
    browser.type_into("#reason", "Forged bank statement").await;
    browser.assert_accessible("the block confirmation").await;
    browser.click("button.danger").await;
    assert_eq!(browser.flash().await, "The buyer was blocked.");
    assert!(browser.text("main").await.contains("Forged bank statement"));
    browser.screenshots("admin-buyers-blocked-en").await;
    for tab in ["vies", "history"] {
        browser
            .client
            .goto(&url(&format!("{buyer_path}/{tab}")))
            .await
            .unwrap();
        browser.assert_accessible(tab).await;
        browser.screenshots(&format!("admin-buyers-{tab}-en")).await;
    }
    browser.client.goto(&url(&buyer_path)).await.unwrap();

    // The same pages in German.
    browser.click("button[value=de]").await;
    browser
        .wait_for("the German page", async |c: &Client| {
            c.find(Locator::Css("html[lang=de]")).await.is_ok()
        })
        .await;
    browser.assert_accessible("the buyer page (de)").await;
    browser.screenshots("admin-buyers-buyer-de").await;
    browser
        .client
        .goto(&url(&format!("{buyer_path}/documents")))
        .await
        .unwrap();
    browser.assert_accessible("the documents page (de)").await;
    browser.screenshots("admin-buyers-documents-de").await;
    browser.client.goto(&url("/admin/buyers")).await.unwrap();
    assert_eq!(browser.text("h1").await, "Käufer");
    browser.assert_accessible("the list (de)").await;
    browser.screenshots("admin-buyers-list-de").await;
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
