//! The buyer's page in a real browser: headless Chromium through chromedriver (started by
//! `.ci/run`), with axe-core checking accessibility and screenshots written for people to see.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::fixtures::*;
use crate::helpers::*;

/// A browser session; closed when the test ends.
pub struct Browser {
    pub client: Client,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A fresh headless Chromium, with or without JavaScript; None when no driver is here.
    pub async fn start(javascript: bool) -> Option<Browser> {
        let Ok(driver) = std::env::var("KYC_TEST_WEBDRIVER_URL") else {
            if std::env::var("KYC_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
                panic!(
                    "KYC_TEST_REQUIRE_ALL=1 but KYC_TEST_WEBDRIVER_URL (chromedriver) is not set"
                );
            }
            announce(
                "SKIPPED (browser): set KYC_TEST_WEBDRIVER_URL to a running chromedriver to run the browser tests",
            );
            return None;
        };
        let profile = tempfile::tempdir().unwrap();
        let mut prefs = json!({});
        if !javascript {
            prefs = json!({"profile.managed_default_content_settings.javascript": 2});
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--lang=en-US",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": prefs,
            }
        });
        let capabilities = capabilities.as_object().unwrap().clone();
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver)
            .await
            .expect("chromedriver session");
        Some(Browser {
            client,
            _profile: profile,
        })
    }

    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Waits until `condition` holds for the current page.
    pub async fn wait_for(&self, what: &str, mut condition: impl AsyncFnMut(&Client) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !condition(&self.client).await {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the first element matching `css`.
    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
    }

    /// Types `text` into the first element matching `css`, after what it already holds.
    pub async fn type_into(&self, css: &str, text: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
    }

    /// Replaces what the field with the id `id` holds by `text`.
    pub async fn fill(&self, id: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("#{id}: {e}"));
        field.clear().await.unwrap_or_else(|e| panic!("#{id}: {e}"));
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("#{id}: {e}"));
    }

    /// Opens an invitation link as a person does: its landing page, then Continue.
    pub async fn open_link(&self, url: &str) {
        self.client.goto(url).await.unwrap();
        self.click("main form button[type=submit]").await;
        self.wait_for_path("/kyc").await;
    }

    /// Waits until the current page's path is `path`.
    pub async fn wait_for_path(&self, path: &str) {
        self.wait_for(path, async |c: &Client| {
            c.current_url().await.is_ok_and(|u| u.path() == path)
        })
        .await;
    }

    /// Waits for the flash message of the last action (the one in `main` with a role: the
    /// blocked-buyer banner is a `p.flash` too, without one) and returns its text.
    pub async fn flash(&self) -> String {
        const FLASH: &str = "main > p.flash[role]";
        self.wait_for("a flash message", async |c: &Client| {
            c.find(Locator::Css(FLASH)).await.is_ok()
        })
        .await;
        self.text(FLASH).await
    }

    /// Asserts that axe-core finds no serious or critical violation on the current page.
    pub async fn assert_accessible(&self, what: &str) {
        let violations = self.accessibility_violations().await;
        assert!(violations.is_empty(), "{what}: {violations:?}");
    }

    /// Screenshots `{name}-1280` and `{name}-360` of the current page.
    pub async fn screenshots(&self, name: &str) {
        for width in [1280, 360] {
            self.screenshot(&format!("{name}-{width}"), width).await;
        }
    }

    /// A screenshot of the viewport at `width` x `height`, saved as `name.png`; returns its path.
    pub async fn screenshot_sized(&self, name: &str, width: u32, height: u32) -> PathBuf {
        self.client.set_window_size(width, height).await.unwrap();
        let png = self.client.screenshot().await.unwrap();
        let path = screenshots_folder().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        self.client.set_window_size(1280, 900).await.unwrap();
        path
    }

    pub async fn screenshot(&self, name: &str, width: u32) {
        self.screenshot_sized(name, width, 900).await;
    }

    /// Serious and critical accessibility violations axe-core finds on the current page.
    pub async fn accessibility_violations(&self) -> Vec<Value> {
        let axe = std::fs::read_to_string(
            std::env::var("KYC_TEST_AXE_JS").expect("KYC_TEST_AXE_JS names axe.min.js"),
        )
        .unwrap();
        self.client.execute(&axe, vec![]).await.unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations\
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')\
                   .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))));",
                vec![],
            )
            .await
            .unwrap();
        result.as_array().cloned().unwrap_or_default()
    }

    pub async fn close(self) {
        self.client.close().await.unwrap();
    }
}

pub fn screenshots_folder() -> PathBuf {
    let folder = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

pub(crate) fn write_file(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

/// Records upload progress events in `window.name`, which outlives the navigation after the
/// upload, so the test can see that the page's script sent the file and reported progress.
const WATCH_PROGRESS: &str = "const send = XMLHttpRequest.prototype.send;\
    XMLHttpRequest.prototype.send = function (body) {\
      this.upload.addEventListener('progress', e => { window.name = 'progress:' + e.loaded + '/' + e.total; });\
      return send.call(this, body);\
    };";

pub(crate) async fn app_with_invitation(
    language: &str,
    adjust: impl FnOnce(&mut kyc_portal::Settings),
) -> (TestApp, String, Value, Value) {
    let app = TestApp::spawn_with(Backend::Sqlite, adjust).await.unwrap();
    let (seller, buyer) = app.create_buyer().await;
    let invitation = app
        .invite(
            &seller,
            &buyer,
            json!({"recipientEmail": "kyc@example.com", "language": language}),
        )
        .await;
    (app, seller, buyer, invitation)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_switches_language_uploads_with_a_progress_bar_and_sees_the_document_received() {
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let (app, seller, buyer, invitation) = app_with_invitation("de", |_| {}).await;
    let files = tempfile::tempdir().unwrap();
    let pdf = write_file(&files, "handelsregister.pdf", &pdf_of_size(400_000));

    browser
        .client
        .goto(&app.link_path(&invitation))
        .await
        .unwrap();
    browser.screenshots("landing-page-de").await;
    browser
        .assert_accessible("the landing page of a link")
        .await;
    browser.open_link(&app.link_path(&invitation)).await;
    assert_eq!(browser.text("h1").await, "Firmenunterlagen");
    assert!(browser.client.current_url().await.unwrap().path() == "/kyc");
    browser.screenshots("upload-page-de").await;
    browser.assert_accessible("the upload page (de)").await;

    browser.click("button[value=en]").await;
    browser
        .wait_for("the English page", async |c| {
            c.find(Locator::Css("html[lang=en]")).await.is_ok()
        })
        .await;
    assert_eq!(browser.text("h1").await, "Company documents");
    browser.screenshots("upload-page-en").await;
    browser.assert_accessible("the upload page (en)").await;

    browser
        .client
        .execute(WATCH_PROGRESS, vec![])
        .await
        .unwrap();
    browser
        .client
        .execute(
            "document.getElementById('date-COC_EXTRACT').value = '2026-01-15';",
            vec![],
        )
        .await
        .unwrap();
    browser.type_into("#file-COC_EXTRACT", &pdf).await;
    browser.click("#type-COC_EXTRACT button[type=submit]").await;
    browser
        .wait_for("the confirmation", async |c| {
            c.current_url()
                .await
                .is_ok_and(|u| u.query().is_some_and(|q| q.contains("received=")))
        })
        .await;

    let progress: Value = browser
        .client
        .execute("return window.name;", vec![])
        .await
        .unwrap();
    assert_eq!(
        progress.as_str().unwrap(),
        format!(
            "progress:{0}/{0}",
            progress.as_str().unwrap().split('/').nth(1).unwrap()
        ),
        "progress reached the end"
    );
    assert!(browser.text("[role=status]").await.contains(
        "We received Commercial register extract: handelsregister.pdf, dated 15 January 2026"
    ));
    assert!(
        browser
            .text("#type-COC_EXTRACT .state")
            .await
            .starts_with("Received: handelsregister.pdf")
    );
    browser.screenshot("upload-page-en-received-360", 360).await;
    browser.close().await;

    let documents = body_json(
        app.get(&format!("{}/kyc/documents", buyer_path(&seller, &buyer)))
            .await,
    )
    .await;
    assert_eq!(documents["items"][0]["source"], "INVITATION");
    assert_eq!(app.usage_count(&invitation).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_upload_works_without_javascript() {
    let Some(browser) = Browser::start(false).await else {
        return;
    };
    let (app, _, _, invitation) = app_with_invitation("en", |_| {}).await;
    let files = tempfile::tempdir().unwrap();
    let png_file = write_file(&files, "bank.png", &png());

    browser.open_link(&app.link_path(&invitation)).await;
    browser
        .type_into("#date-BANK_CONFIRMATION", "01152026")
        .await;
    browser
        .type_into("#file-BANK_CONFIRMATION", &png_file)
        .await;
    browser
        .click("#type-BANK_CONFIRMATION button[type=submit]")
        .await;
    browser
        .wait_for("the confirmation", async |c| {
            c.find(Locator::Css("[role=status]")).await.is_ok()
        })
        .await;
    assert!(
        browser
            .text("[role=status]")
            .await
            .contains("We received Bank confirmation: bank.png, dated 15 January 2026")
    );
    assert!(
        browser
            .text("#type-BANK_CONFIRMATION .state")
            .await
            .starts_with("Received: bank.png")
    );
    browser.close().await;
}

/// Notes in `window.name` that the page sent a request, so a test can see that a check
/// stopped an upload before anything travelled.
pub(crate) const WATCH_SENDING: &str = "const send = XMLHttpRequest.prototype.send;\
    XMLHttpRequest.prototype.send = function (body) { window.name = 'sent'; return send.call(this, body); };";

/// The text of the element with the id `id` once it has some.
pub(crate) async fn text_once_shown(browser: &Browser, id: &str) -> String {
    browser
        .wait_for(id, async |c| match c.find(Locator::Id(id)).await {
            Ok(e) => e.text().await.is_ok_and(|t| !t.is_empty()),
            Err(_) => false,
        })
        .await;
    browser.text(&format!("#{id}")).await
}

/// Asserts that the page's script sent no upload (see `WATCH_SENDING`).
pub(crate) async fn assert_nothing_sent(browser: &Browser, what: &str) {
    let sent: Value = browser
        .client
        .execute("return window.name;", vec![])
        .await
        .unwrap();
    assert_ne!(sent, "sent", "{what}");
}

pub(crate) async fn focused_id(browser: &Browser) -> String {
    let id: Value = browser
        .client
        .execute(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await
        .unwrap();
    id.as_str().unwrap_or_default().to_owned()
}

pub(crate) async fn attribute(browser: &Browser, css: &str, name: &str) -> Option<String> {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .attr(name)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_too_large_file_is_refused_before_it_is_sent_in_the_buyers_language() {
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let (app, _, _, invitation) =
        app_with_invitation("de", |s| s.max_upload_bytes = 1024 * 1024).await;
    let files = tempfile::tempdir().unwrap();
    let big = write_file(&files, "gross.pdf", &pdf_of_size(2 * 1024 * 1024));

    browser.open_link(&app.link_path(&invitation)).await;
    browser.client.execute(WATCH_SENDING, vec![]).await.unwrap();
    browser
        .client
        .execute(
            "document.getElementById('date-VAT_CERTIFICATE').value = '2026-01-15';",
            vec![],
        )
        .await
        .unwrap();
    browser.type_into("#file-VAT_CERTIFICATE", &big).await;
    browser
        .click("#type-VAT_CERTIFICATE button[type=submit]")
        .await;

    assert_eq!(
        text_once_shown(&browser, "file-error-VAT_CERTIFICATE").await,
        "Diese Datei ist zu groß. Dateien dürfen höchstens 1 MB groß sein."
    );
    assert_eq!(focused_id(&browser).await, "file-VAT_CERTIFICATE");
    assert_eq!(
        attribute(&browser, "#file-VAT_CERTIFICATE", "aria-invalid")
            .await
            .as_deref(),
        Some("true")
    );
    assert_nothing_sent(&browser, "the file never left the browser").await;
    browser
        .screenshot("upload-page-de-too-large-360", 360)
        .await;
    browser.assert_accessible("a refused file").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_mistake_is_shown_at_its_field_before_anything_is_sent() {
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let (app, _, _, invitation) = app_with_invitation("en", |_| {}).await;
    let files = tempfile::tempdir().unwrap();
    let pdf = write_file(&files, "extract.pdf", &small_pdf());

    browser.open_link(&app.link_path(&invitation)).await;
    browser.client.execute(WATCH_SENDING, vec![]).await.unwrap();
    browser.click("#type-COC_EXTRACT button[type=submit]").await;

    assert_eq!(
        text_once_shown(&browser, "date-error-COC_EXTRACT").await,
        "Please enter the date printed on the document. It cannot be in the future."
    );
    assert_eq!(
        browser.text("#file-error-COC_EXTRACT").await,
        "Please choose a file."
    );
    assert_eq!(
        focused_id(&browser).await,
        "date-COC_EXTRACT",
        "focus on the first mistake"
    );
    browser
        .screenshot("upload-page-en-two-mistakes-360", 360)
        .await;
    browser
        .assert_accessible("two mistakes at their fields")
        .await;

    // A date the type's maximum age (365 days) no longer counts: said before sending.
    let too_old = (chrono::Utc::now() - chrono::Duration::days(400))
        .format("%Y-%m-%d")
        .to_string();
    browser
        .client
        .execute(
            &format!("document.getElementById('date-COC_EXTRACT').value = '{too_old}';"),
            vec![],
        )
        .await
        .unwrap();
    browser.type_into("#file-COC_EXTRACT", &pdf).await;
    browser.click("#type-COC_EXTRACT button[type=submit]").await;
    let message = text_once_shown(&browser, "date-error-COC_EXTRACT").await;
    assert!(
        message.contains("365 days") && message.contains("too old"),
        "{message}"
    );
    assert_eq!(
        browser.text("#file-error-COC_EXTRACT").await,
        "",
        "the file is fine now"
    );
    assert_eq!(focused_id(&browser).await, "date-COC_EXTRACT");
    assert_nothing_sent(&browser, "nothing left the browser").await;

    // More files than one document takes: said at the file, from the page's one statement
    // of the limits that every form shares.
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    browser
        .client
        .execute(
            &format!("document.getElementById('date-COC_EXTRACT').value = '{today}';"),
            vec![],
        )
        .await
        .unwrap();
    let pages: Vec<String> = (0..11)
        .map(|n| write_file(&files, &format!("page-{n}.pdf"), &small_pdf()))
        .collect();
    browser
        .type_into("#file-COC_EXTRACT", &pages.join("\n"))
        .await;
    browser.click("#type-COC_EXTRACT button[type=submit]").await;
    assert_eq!(
        text_once_shown(&browser, "file-error-COC_EXTRACT").await,
        "Please choose at most 10 files for one document."
    );
    assert_eq!(browser.text("#date-error-COC_EXTRACT").await, "");
    assert_eq!(focused_id(&browser).await, "file-COC_EXTRACT");
    assert_nothing_sent(&browser, "nothing left the browser").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_a_too_old_document_is_refused_at_its_date_and_the_valid_one_stays() {
    let Some(browser) = Browser::start(false).await else {
        return;
    };
    let (app, seller, buyer, invitation) = app_with_invitation("de", |_| {}).await;
    let documents = format!("{}/kyc/documents", buyer_path(&seller, &buyer));
    app.upload_pdf(&documents, "COC_EXTRACT").await;
    let files = tempfile::tempdir().unwrap();
    let pdf = write_file(&files, "alt.pdf", &small_pdf());

    browser.open_link(&app.link_path(&invitation)).await;
    browser.click("#type-COC_EXTRACT summary").await;
    let too_old = chrono::Utc::now() - chrono::Duration::days(400);
    browser
        .type_into("#date-COC_EXTRACT", &too_old.format("%m%d%Y").to_string())
        .await;
    browser.type_into("#file-COC_EXTRACT", &pdf).await;
    browser.click("#type-COC_EXTRACT button[type=submit]").await;
    let message = text_once_shown(&browser, "date-error-COC_EXTRACT").await;

    assert!(
        message.contains("365 Tage") && message.contains("zu alt"),
        "{message}"
    );
    assert_eq!(
        attribute(&browser, "#date-COC_EXTRACT", "aria-invalid")
            .await
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        focused_id(&browser).await,
        "date-COC_EXTRACT",
        "the page opens at the mistake"
    );
    assert!(
        browser
            .text("#type-COC_EXTRACT .state")
            .await
            .starts_with("Erhalten"),
        "the valid extract still counts"
    );
    browser
        .screenshot("upload-page-de-too-old-nojs-360", 360)
        .await;
    browser.close().await;
    let listed = body_json(app.get(&documents).await).await;
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        1,
        "nothing new was stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_link_shows_the_expired_page_and_a_new_link_is_one_tap_away() {
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let (app, _, _, invitation) = app_with_invitation("de", |_| {}).await;
    sqlx::query("UPDATE invitations SET expires_at = 0 WHERE id = $1")
        .bind(invitation["uuid"].as_str().unwrap())
        .execute(app.db.pool())
        .await
        .unwrap();

    browser
        .client
        .goto(&app.link_path(&invitation))
        .await
        .unwrap();
    assert_eq!(
        browser.text("h1").await,
        "Dieser Link ist nicht mehr verfügbar"
    );
    assert!(
        browser
            .text("main")
            .await
            .contains("Dieser Link ist abgelaufen.")
    );
    browser.assert_accessible("the expired page").await;
    browser.screenshot("expired-de-360", 360).await;
    browser.screenshot_sized("expired-de-390", 390, 844).await;

    browser.click("main form button[type=submit]").await;
    browser
        .wait_for("the answer page", async |c| {
            c.source()
                .await
                .is_ok_and(|s| s.contains("Ein neuer Link ist unterwegs"))
        })
        .await;
    assert!(browser.text("main").await.contains("k•••@example.com"));
    browser
        .assert_accessible("the page after asking for a new link")
        .await;
    browser
        .screenshot_sized("renewal-requested-de-390", 390, 844)
        .await;
    assert_eq!(
        kyc_portal::events::recent(&app.db, 10)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.event_type.as_str() == "self_service_invitation.renewal_requested")
            .count(),
        1
    );
    browser.close().await;
}

/// Whether the element with the id `id` is inside the viewport.
async fn in_view(browser: &Browser, id: &str) -> bool {
    let seen: Value = browser
        .client
        .execute(
            "const r = document.getElementById(arguments[0]).getBoundingClientRect();\
             return r.top > -2 && r.top < window.innerHeight;",
            vec![json!(id)],
        )
        .await
        .unwrap();
    seen == json!(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_on_a_phone_sees_what_is_left_after_each_upload_and_when_they_are_done() {
    let Some(browser) = Browser::start(true).await else {
        return;
    };
    let (app, seller, buyer, invitation) = app_with_invitation("de", |_| {}).await;
    let files = tempfile::tempdir().unwrap();
    let pdf = write_file(&files, "unterlage.pdf", &small_pdf());
    browser.client.set_window_size(390, 844).await.unwrap();
    browser.open_link(&app.link_path(&invitation)).await;
    assert_eq!(
        browser.text("#progress-text").await,
        "0 von 5 erforderlichen Unterlagen sind da."
    );
    browser
        .screenshot_sized("journey-de-390-start", 390, 844)
        .await;

    let required = [
        "COC_EXTRACT",
        "BANK_CONFIRMATION",
        "VAT_CERTIFICATE",
        "CONTACT_ID",
        "AML_DECLARATION",
    ];
    for (index, kind) in required.iter().enumerate() {
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        browser
            .client
            .execute(
                &format!("document.getElementById('date-{kind}').value = '{today}';"),
                vec![],
            )
            .await
            .unwrap();
        browser.type_into(&format!("#file-{kind}"), &pdf).await;
        browser
            .click(&format!("#type-{kind} button[type=submit]"))
            .await;
        let next = required
            .get(index + 1)
            .map(|k| format!("type-{k}"))
            .unwrap_or_else(|| "done".into());
        browser
            .wait_for("the next stop", async |c| {
                c.current_url()
                    .await
                    .is_ok_and(|u| u.fragment() == Some(next.as_str()))
            })
            .await;
        browser
            .wait_for("the page at the next stop", async |c| {
                c.find(Locator::Id(&next)).await.is_ok()
            })
            .await;
        assert_eq!(
            browser.text("#progress-text").await,
            format!("{} von 5 erforderlichen Unterlagen sind da.", index + 1)
        );
        assert!(
            in_view(&browser, &next).await,
            "{next} is where the buyer looks"
        );
        assert!(
            browser
                .text(&format!("#{next} [role=status]"))
                .await
                .starts_with("Vielen Dank. Wir haben erhalten"),
            "the confirmation is where the buyer looks"
        );
        // What is done is folded, with a way to replace it.
        let folded: Value = browser
            .client
            .execute(
                &format!("return !document.querySelector('#type-{kind} details.done').open;"),
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(folded, json!(true), "{kind} is folded");
        if index == 1 {
            browser
                .screenshot_sized("journey-de-390-two-done", 390, 844)
                .await;
            browser.assert_accessible("two of five done").await;
        }
    }
    assert_eq!(
        browser.text("#done-heading").await,
        "Alle erforderlichen Unterlagen sind da. Vielen Dank!"
    );
    assert!(
        browser
            .text("#done")
            .await
            .contains("AutoMarkt Seller GmbH ist informiert")
    );
    browser
        .screenshot_sized("journey-de-390-done", 390, 844)
        .await;
    browser
        .screenshot_sized("journey-de-1280-done", 1280, 900)
        .await;
    browser.assert_accessible("the finished state").await;

    // Replacing a finished type: unfold, send, and the page says so.
    browser.click("#type-BANK_CONFIRMATION summary").await;
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    browser
        .client
        .execute(
            &format!("document.getElementById('date-BANK_CONFIRMATION').value = '{today}';"),
            vec![],
        )
        .await
        .unwrap();
    browser.type_into("#file-BANK_CONFIRMATION", &pdf).await;
    assert_eq!(
        browser
            .text("#type-BANK_CONFIRMATION button[type=submit]")
            .await,
        "Ersetzen"
    );
    browser
        .click("#type-BANK_CONFIRMATION button[type=submit]")
        .await;
    browser
        .wait_for("the finished state again", async |c| {
            c.current_url().await.is_ok_and(|u| {
                u.fragment() == Some("done") && u.query().is_some_and(|q| q.contains("received="))
            })
        })
        .await;
    browser.close().await;
    let kyc = body_json(
        app.get(&format!("{}/kyc", buyer_path(&seller, &buyer)))
            .await,
    )
    .await;
    assert_eq!(kyc["documentsComplete"], true);
}
