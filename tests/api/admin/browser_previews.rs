//! A PDF's preview in headless Chromium: the staff member sees its pages as images rendered
//! on the server, and the browser never fetches the PDF's bytes (no request for the
//! document's `inline` or `file` address in the Resource Timing entries, no frame, embed or
//! object on the page), at 1280 pixels and on a phone, in English and German; screenshots
//! `admin-buyers-preview-pdf-*`.

use fantoccini::{Client, Locator};
use kyc_portal::staff::StaffRole;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use super::PASSWORD;
use crate::browser::Browser;
use crate::documents::documents_path;
use crate::fixtures::*;
use crate::helpers::*;

const KIM: &str = "kim@marketplace.example";

/// For each page image: whether it loaded, its natural width, and whether it fits the
/// width of the page's main column.
const PAGE_IMAGES: &str = "const main = document.querySelector('main').getBoundingClientRect();\
    return [...document.querySelectorAll('ol.pages img')].map(img => [img.complete, img.naturalWidth,\
      img.getBoundingClientRect().width <= main.width + 0.5]);";

/// Every address the page fetched, and the frames, embeds and objects it holds.
const FETCHED: &str = "return [performance.getEntriesByType('resource').map(e => e.name),\
    document.querySelectorAll('iframe, embed, object').length];";

/// Waits until every page image of the current page has loaded, and returns what
/// [`PAGE_IMAGES`] says of them.
async fn loaded_page_images(browser: &Browser) -> Vec<Value> {
    browser
        .wait_for("the page images", async |c: &Client| {
            let images = c.execute(PAGE_IMAGES, vec![]).await.unwrap();
            let images = images.as_array().cloned().unwrap_or_default();
            !images.is_empty() && images.iter().all(|i| i[0] == true)
        })
        .await;
    let images = browser.client.execute(PAGE_IMAGES, vec![]).await.unwrap();
    images.as_array().cloned().unwrap()
}

/// Asserts that nothing the page fetched is the document's bytes and that it frames nothing.
async fn assert_no_pdf_fetched(browser: &Browser, id: &str) {
    let fetched = browser.client.execute(FETCHED, vec![]).await.unwrap();
    let addresses: Vec<&str> = fetched[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        addresses
            .iter()
            .any(|a| a.ends_with(&format!("/admin/documents/{id}/pages/1.png"))),
        "the page images are among the fetched addresses: {addresses:?}"
    );
    for bytes in ["inline", "file"] {
        let address = format!("/admin/documents/{id}/{bytes}");
        assert!(
            !addresses.iter().any(|a| a.contains(&address)),
            "{address} was fetched: {addresses:?}"
        );
    }
    assert_eq!(fetched[1], 0, "no iframe, embed or object");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_member_sees_a_pdf_as_page_images_and_the_browser_never_fetches_the_pdf() {
    if !tool_available(
        "poppler-utils",
        &["pdftoppm", "-v"],
        "apt-get install poppler-utils",
    ) {
        return;
    }
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let (seller, buyer) = app.create_buyer().await;
    let response = app
        .upload(
            &documents_path(&seller, &buyer),
            Form::new()
                .text("type", "COC_EXTRACT")
                .text("documentDate", "2026-01-15")
                .part(
                    "file",
                    Part::bytes(pdf_with_pages(2)).file_name("handelsregister.pdf"),
                ),
        )
        .await;
    assert_eq!(response.status(), 201);
    let id = body_json(response).await["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    app.staff_user(KIM, StaffRole::Staff).await;
    let url = |path: &str| format!("{}{}", app.address, path);

    browser.client.goto(&url("/admin/login")).await.unwrap();
    browser.type_into("#email", KIM).await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser.wait_for_path("/admin").await;

    // From the documents list, as an officer gets there.
    let buyer_id = buyer["uuid"].as_str().unwrap();
    browser
        .client
        .goto(&url(&format!("/admin/buyers/{buyer_id}/documents")))
        .await
        .unwrap();
    browser
        .click(&format!("a[href='/admin/documents/{id}/preview']"))
        .await;
    browser
        .wait_for_path(&format!("/admin/documents/{id}/preview"))
        .await;
    let images = loaded_page_images(&browser).await;
    assert_eq!(images.len(), 2, "{images:?}");
    for image in &images {
        assert!(image[1].as_u64().unwrap() > 0, "rendered: {images:?}");
        assert_eq!(image[2], true, "fits the column at 1280 pixels: {images:?}");
    }
    let alt = browser
        .client
        .find(Locator::Css("ol.pages li:nth-child(2) img"))
        .await
        .unwrap()
        .attr("alt")
        .await
        .unwrap();
    assert_eq!(alt.as_deref(), Some("Page 2 of 2 of handelsregister.pdf"));
    assert_no_pdf_fetched(&browser, &id).await;
    browser.assert_accessible("the PDF preview (en)").await;
    browser.screenshots("admin-buyers-preview-pdf-en").await;

    // On a phone the pages shrink to the column.
    browser.client.set_window_size(360, 900).await.unwrap();
    let images = loaded_page_images(&browser).await;
    assert!(
        images.iter().all(|i| i[2] == true),
        "fits the column at 360 pixels: {images:?}"
    );
    browser
        .client
        .execute(
            "document.querySelector('ol.pages').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    browser
        .screenshot_sized("admin-buyers-preview-pdf-pages-en-360", 360, 900)
        .await;

    // In German, after a reload (the render is kept, the bytes still never fetched).
    browser.click("button[value=de]").await;
    browser
        .wait_for("the German page", async |c: &Client| {
            c.find(Locator::Css("html[lang=de]")).await.is_ok()
        })
        .await;
    let images = loaded_page_images(&browser).await;
    assert!(images.iter().all(|i| i[1].as_u64().unwrap() > 0));
    let alt = browser
        .client
        .find(Locator::Css("ol.pages li:first-child img"))
        .await
        .unwrap()
        .attr("alt")
        .await
        .unwrap();
    assert_eq!(
        alt.as_deref(),
        Some("Seite 1 von 2 der Datei handelsregister.pdf")
    );
    assert_no_pdf_fetched(&browser, &id).await;
    browser.assert_accessible("the PDF preview (de)").await;
    browser.screenshots("admin-buyers-preview-pdf-de").await;
    browser.close().await;
}
