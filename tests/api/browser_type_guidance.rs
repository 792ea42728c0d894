//! The buyer's page in Chromium: what each type is, its template, and an identity document's
//! expiry checked before anything is sent.

use serde_json::json;

use crate::browser::*;
use crate::fixtures::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_identity_document_is_refused_at_its_date_before_it_is_sent() {
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let (app, _, _, invitation) = app_with_invitation("de", |_| {}).await;
    let patched = app
        .patch_json(
            "/v1/organisation",
            &json!({"helpTexts": [{"type": "AML_DECLARATION", "de": "Bitte unterschreiben Sie die Erklärung."}]}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    let files = tempfile::tempdir().unwrap();
    let pdf = write_file(&files, "ausweis.pdf", &small_pdf());

    browser.open_link(&app.link_path(&invitation)).await;
    assert_eq!(
        browser.text("#type-AML_DECLARATION .help").await,
        "Bitte unterschreiben Sie die Erklärung."
    );
    assert!(
        browser
            .text("#type-BANK_CONFIRMATION .help")
            .await
            .contains("Ihre Bank stellt es auf Anfrage aus")
    );
    browser.screenshots("upload-page-de-guidance").await;
    browser.screenshot("upload-page-de-guidance-390", 390).await;
    browser
        .assert_accessible("help texts under each type")
        .await;

    browser.client.execute(WATCH_SENDING, vec![]).await.unwrap();
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    browser
        .client
        .execute(
            &format!("document.getElementById('date-CONTACT_ID').value = '{yesterday}';"),
            vec![],
        )
        .await
        .unwrap();
    browser.type_into("#file-CONTACT_ID", &pdf).await;
    browser.click("#type-CONTACT_ID button[type=submit]").await;

    let message = text_once_shown(&browser, "date-error-CONTACT_ID").await;
    assert!(
        message.starts_with("Gültig bis: Dieses Dokument ist abgelaufen"),
        "{message}"
    );
    assert_eq!(browser.text("#file-error-CONTACT_ID").await, "");
    assert_eq!(focused_id(&browser).await, "date-CONTACT_ID");
    assert_eq!(
        attribute(&browser, "#date-CONTACT_ID", "aria-invalid")
            .await
            .as_deref(),
        Some("true")
    );
    assert_nothing_sent(&browser, "nothing left the browser").await;
    browser
        .screenshot("upload-page-de-id-expired-390", 390)
        .await;
    browser
        .assert_accessible("an expired identity document")
        .await;
    browser.close().await;
}
