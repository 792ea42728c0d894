//! What the buyer is told of each document type (help texts and templates set on the staff
//! settings page and through the API), and identity documents dated by their expiry.

use chrono::{Duration, Utc};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::admin::StaffBrowser;
use crate::fixtures::*;
use crate::helpers::*;
use crate::on_both_backends;
use crate::portal::{browser, csrf_of};
use crate::stubs::*;
use crate::with_vies_on_both_backends;

const REQUIRED: [&str; 5] = [
    "COC_EXTRACT",
    "BANK_CONFIRMATION",
    "VAT_CERTIFICATE",
    "CONTACT_ID",
    "AML_DECLARATION",
];

fn day(offset_days: i64) -> String {
    (Utc::now().date_naive() + Duration::days(offset_days)).to_string()
}

/// Uploads `bytes` as the template of `document_type` with the CSRF token of the last page.
async fn upload_template(
    admin: &StaffBrowser,
    document_type: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = Form::new()
        .text("csrf", admin.csrf.clone())
        .part("template", Part::bytes(bytes).file_name(name.to_owned()));
    admin
        .client
        .post(format!(
            "{}/admin/settings/templates/{document_type}",
            admin.base
        ))
        .header("accept-language", "en")
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// A buyer's browser on its page, and the page.
async fn buyer_on_page(app: &TestApp, language: &str) -> (reqwest::Client, String, String, Value) {
    let (seller, buyer, invitation) = app
        .invited_buyer(json!({"recipientEmail": "kyc@example.com", "language": language}))
        .await;
    let browser = browser();
    let page = app.open_link(&browser, &invitation).await;
    assert_eq!(page.status(), 200);
    (browser, page.text().await.unwrap(), seller, buyer)
}

/// The part of the buyer's page about `document_type`.
fn type_section<'a>(page: &'a str, document_type: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"type-{document_type}\""))
        .unwrap_or_else(|| panic!("{document_type} on the page"));
    let rest = &page[start..];
    &rest[..rest.find("</li>").unwrap()]
}

fn identity_form(csrf: &str, expires_on: &str, bytes: Vec<u8>) -> Form {
    Form::new()
        .text("csrf", csrf.to_owned())
        .text("type", "CONTACT_ID")
        .text("expiresOn", expires_on.to_owned())
        .part("file", Part::bytes(bytes).file_name("ausweis.pdf"))
}

fn api_form(document_type: &str, fields: &[(&str, &str)]) -> Form {
    let mut form = Form::new().text("type", document_type.to_owned());
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    form.part(
        "file",
        Part::bytes(small_pdf())
            .file_name("id.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    )
}

async fn kyc_of(app: &TestApp, buyer_path: &str) -> Value {
    let response = app.get(&format!("{buyer_path}/kyc")).await;
    assert_eq!(response.status(), 200);
    body_json(response).await
}

on_both_backends! {
    async fn staff_set_a_help_text_and_a_template_that_buyers_see_in_their_language(app) {
        let mut admin = app.admin_browser().await;
        let settings = admin.page("/admin/settings").await;
        assert!(settings.contains("placeholder=\"A letter or form from your bank confirming"), "the default shows as the placeholder");

        let saved = admin.save_settings(&[
            ("help_de_AML_DECLARATION", "Bitte <b>unterschreiben</b> Sie das Formular."),
            ("help_en_AML_DECLARATION", "Please <b>sign</b> the form."),
        ]).await;
        assert_eq!(saved.status(), 303);
        let too_long = "x".repeat(601);
        let refused = admin.save_settings(&[("help_en_BANK_CONFIRMATION", too_long.as_str())]).await;
        assert_eq!(refused.status(), 422);
        assert!(refused.text().await.unwrap().contains("Please shorten the help text to at most 600 characters"));

        // Without the page's CSRF token nothing is kept.
        admin.page("/admin/settings").await;
        let token = std::mem::replace(&mut admin.csrf, "forged".into());
        let forged = upload_template(&admin, "AML_DECLARATION", "form.pdf", small_pdf()).await;
        assert_eq!(forged.status(), 403);
        admin.csrf = token;
        assert_eq!(body_json(app.get("/v1/organisation").await).await["documentTypes"][10]["hasTemplate"], false);

        // A file that is not a PDF is refused next to its type, in the staff's language.
        admin.page("/admin/settings").await;
        let png = upload_template(&admin, "AML_DECLARATION", "form.pdf", png()).await;
        assert_eq!(png.status(), 422);
        let page = png.text().await.unwrap();
        assert!(page.contains("id=\"template-AML_DECLARATION-error\" role=\"alert\">This file is not a PDF."), "{page}");
        assert!(page.contains("No template."));
        let template = small_pdf();
        let uploaded = upload_template(&admin, "AML_DECLARATION", "GwG-Erklärung.pdf", template.clone()).await;
        assert_eq!(uploaded.status(), 303);
        let page = admin.page("/admin/settings").await;
        assert!(page.contains("The template was saved.") && page.contains("Current template: GwG-Erklärung.pdf"), "{page}");
        // Another wrong file leaves the saved template as it was.
        let html = upload_template(&admin, "AML_DECLARATION", "form.pdf", b"<html>form</html>".to_vec()).await;
        assert_eq!(html.status(), 422);
        assert!(html.text().await.unwrap().contains("Current template: GwG-Erklärung.pdf"));
        // The template's blob is no orphan: the sweep keeps it, and removes the refused ones.
        kyc_portal::documents::sweep_orphans(&app.db, &app.blobs, std::time::Duration::ZERO).await.unwrap();

        let (browser, german, _, _) = buyer_on_page(&app, "de").await;
        let aml = type_section(&german, "AML_DECLARATION");
        assert!(aml.contains("Bitte &#60;b&#62;unterschreiben&#60;/b&#62; Sie das Formular.") || aml.contains("Bitte &lt;b&gt;unterschreiben&lt;/b&gt; Sie das Formular."), "escaped: {aml}");
        assert!(aml.contains(">Vorlage herunterladen (PDF)</a>"), "{aml}");
        assert!(type_section(&german, "BANK_CONFIRMATION").contains("Ihre Bank stellt es auf Anfrage aus"), "the default text in German");
        assert!(!type_section(&german, "BANK_CONFIRMATION").contains("/kyc/templates/"), "no template, no link");
        let link = aml.split("href=\"").nth(1).unwrap().split('"').next().unwrap().replace("&#38;", "&").replace("&amp;", "&");
        assert!(link.starts_with("/kyc/templates/AML_DECLARATION?v="), "{link}");

        let download = browser.get(format!("{}{link}", app.address)).send().await.unwrap();
        assert_eq!(download.status(), 200);
        assert_eq!(download.headers()["content-type"], "application/pdf");
        let disposition = download.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.starts_with("attachment") && disposition.contains("Erkl%C3%A4rung.pdf"), "{disposition}");
        assert_eq!(download.headers()["x-content-type-options"], "nosniff");
        assert_eq!(download.bytes().await.unwrap().to_vec(), template);
        let stranger = reqwest::Client::new().get(format!("{}{link}", app.address)).send().await.unwrap();
        assert_eq!(stranger.status(), 401, "only a buyer in a session gets the template");
        let unknown = browser.get(format!("{}/kyc/templates/BANK_CONFIRMATION", app.address)).send().await.unwrap();
        assert_eq!(unknown.status(), 404);

        let (_, english, _, _) = buyer_on_page(&app, "en").await;
        let aml = type_section(&english, "AML_DECLARATION");
        assert!(aml.contains("sign") && aml.contains("the form.") && aml.contains(">Download template (PDF)</a>"), "{aml}");
        assert!(type_section(&english, "BANK_CONFIRMATION").contains("A letter or form from your bank confirming"));

        let organisation = body_json(app.get("/v1/organisation").await).await;
        let types = organisation["documentTypes"].as_array().unwrap();
        let of = |t: &str| types.iter().find(|d| d["type"] == t).unwrap().clone();
        assert_eq!(of("AML_DECLARATION")["hasTemplate"], true);
        assert_eq!(of("AML_DECLARATION")["helpText"]["en"], "Please <b>sign</b> the form.");
        assert_eq!(of("BANK_CONFIRMATION")["hasTemplate"], false);
        assert_eq!(of("CONTACT_ID")["identityDocument"], true);
        assert_eq!(of("COC_EXTRACT")["identityDocument"], false);

        // Removing needs the box ticked; then the page offers no template.
        admin.page("/admin/settings").await;
        let unticked = admin.post("/admin/settings/templates/AML_DECLARATION/remove", &[]).await;
        assert_eq!(unticked.status(), 303);
        assert_eq!(body_json(app.get("/v1/organisation").await).await["documentTypes"][10]["hasTemplate"], true);
        let removed = admin.post("/admin/settings/templates/AML_DECLARATION/remove", &[("confirm", "yes")]).await;
        assert_eq!(removed.status(), 303);
        assert!(admin.page("/admin/settings").await.contains("The template was removed."));
        assert_eq!(browser.get(format!("{}{link}", app.address)).send().await.unwrap().status(), 404);
    }

    async fn the_api_sets_help_texts_and_returns_to_the_defaults(app) {
        let patched = app.patch_json("/v1/organisation", &json!({
            "helpTexts": [{"type": "BANK_CONFIRMATION", "de": "Bestätigung Ihrer Hausbank.", "en": "Your bank's confirmation."}]
        })).await;
        assert_eq!(patched.status(), 200);
        let body = body_json(patched).await;
        let bank = body["documentTypes"].as_array().unwrap().iter().find(|d| d["type"] == "BANK_CONFIRMATION").unwrap().clone();
        assert_eq!(bank["helpText"], json!({"de": "Bestätigung Ihrer Hausbank.", "en": "Your bank's confirmation."}));
        let (_, page, _, _) = buyer_on_page(&app, "de").await;
        assert!(type_section(&page, "BANK_CONFIRMATION").contains("Bestätigung Ihrer Hausbank."));

        let too_long = app.patch_json("/v1/organisation", &json!({"helpTexts": [{"type": "BANK_CONFIRMATION", "en": "x".repeat(601)}]})).await;
        let problem = expect_problem(too_long, 422).await;
        assert_eq!(problem_fields(&problem), ["helpTexts.BANK_CONFIRMATION.en"]);
        let unknown = app.patch_json("/v1/organisation", &json!({"helpTexts": [{"type": "NOPE", "de": "x"}]})).await;
        assert_eq!(problem_fields(&expect_problem(unknown, 422).await), ["helpTexts[0].type"]);

        let reset = body_json(app.patch_json("/v1/organisation", &json!({"helpTexts": [{"type": "BANK_CONFIRMATION", "de": null}]})).await).await;
        let bank = reset["documentTypes"].as_array().unwrap().iter().find(|d| d["type"] == "BANK_CONFIRMATION").unwrap().clone();
        assert!(bank["helpText"]["de"].as_str().unwrap().starts_with("Ein Schreiben oder Formular Ihrer Bank"), "{bank}");
        assert_eq!(bank["helpText"]["en"], "Your bank's confirmation.", "a language left out keeps its text");
    }

    async fn the_api_takes_an_identity_document_with_its_expiry_and_refuses_an_expired_one(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        let documents = format!("{path}/kyc/documents");

        let expired = app.upload(&documents, api_form("CONTACT_ID", &[("expiresOn", &day(-1))])).await;
        let problem = expect_problem(expired, 422).await;
        assert_eq!(problem_fields(&problem), ["expiresOn"]);
        assert!(problem.to_string().contains("has passed"), "{problem}");
        let not_identity = app.upload(&documents, api_form("COC_EXTRACT", &[("documentDate", "2026-01-15"), ("expiresOn", &day(30))])).await;
        assert_eq!(problem_fields(&expect_problem(not_identity, 422).await), ["expiresOn"]);
        let neither = app.upload(&documents, api_form("CONTACT_ID", &[])).await;
        assert_eq!(problem_fields(&expect_problem(neither, 422).await), ["expiresOn"]);
        assert_eq!(kyc_of(&app, &path).await["missingDocumentTypes"], json!(REQUIRED));

        let valid = app.upload(&documents, api_form("CONTACT_ID", &[("expiresOn", &day(0))])).await;
        assert_eq!(valid.status(), 201, "valid until today still counts");
        let document = body_json(valid).await;
        assert_eq!(document["expiresOn"], day(0));
        assert_eq!(document["documentDate"], day(0), "the day of upload stands in for the issue date");
        let kyc = kyc_of(&app, &path).await;
        assert!(!kyc["missingDocumentTypes"].as_array().unwrap().contains(&json!("CONTACT_ID")), "{kyc}");
        assert_eq!(kyc["expiredDocumentTypes"], json!([]));

        // An integration from before expiresOn still sends the issue date alone.
        let old_style = app.upload(&documents, api_form("CONTACT_ID", &[("documentDate", "2026-01-15")])).await;
        assert_eq!(old_style.status(), 201);
        assert_eq!(body_json(old_style).await["expiresOn"], Value::Null);
        let with_both = app.upload(&documents, api_form("CONTACT_ID", &[("documentDate", "2020-03-01"), ("expiresOn", &day(3650))])).await;
        assert_eq!(with_both.status(), 201);
        assert_eq!(body_json(with_both).await["documentDate"], "2020-03-01");
    }

    async fn the_buyers_page_asks_for_an_identity_documents_expiry_and_refuses_an_expired_one(app) {
        for (language, label, refusal, received) in [
            ("de", "Gültig bis", "Gültig bis: Dieses Dokument ist abgelaufen", "gültig bis"),
            ("en", "Valid until", "Valid until: this document has expired", "valid until"),
        ] {
            let (browser, page, seller, buyer) = buyer_on_page(&app, language).await;
            let id = type_section(&page, "CONTACT_ID");
            assert!(id.contains(&format!(">{label}</label>")) && id.contains("name=\"expiresOn\""), "{id}");
            let input = id.split("<input type=\"date\"").nth(1).unwrap().split('>').next().unwrap();
            assert!(input.contains(&format!("min=\"{}\"", day(0))) && !input.contains("max="), "today or later: {input}");
            assert!(type_section(&page, "COC_EXTRACT").contains("name=\"documentDate\""));

            let csrf = csrf_of(&page);
            let expired = browser.post(format!("{}/kyc/documents", app.address))
                .multipart(identity_form(&csrf, &day(-1), small_pdf())).send().await.unwrap();
            assert_eq!(expired.status(), 422);
            let html = expired.text().await.unwrap();
            let id = type_section(&html, "CONTACT_ID");
            let at_field = id.split("id=\"date-error-CONTACT_ID\">").nth(1).unwrap();
            assert!(at_field.starts_with(refusal), "at the date field: {id}");
            assert!(id.contains("aria-invalid=\"true\" aria-describedby=\"date-error-CONTACT_ID\""));
            let documents = body_json(app.get(&format!("{}/kyc/documents", buyer_path(&seller, &buyer))).await).await;
            assert!(documents["items"].as_array().unwrap().is_empty(), "nothing stored");

            let accepted = browser.post(format!("{}/kyc/documents", app.address))
                .multipart(identity_form(&csrf, &day(400), small_pdf())).send().await.unwrap();
            assert_eq!(accepted.status(), 200, "followed the redirect");
            let html = accepted.text().await.unwrap();
            assert!(type_section(&html, "CONTACT_ID").contains(&format!("ausweis.pdf, {received}")), "{html}");
            let thanks = if language == "de" { "Wir haben erhalten: Ausweis der Kontaktperson: ausweis.pdf, gültig bis" } else { "We received ID document of the contact person: ausweis.pdf, valid until" };
            assert!(html.contains(thanks), "the confirmation names the expiry: {html}");
        }
    }
}

with_vies_on_both_backends! {
    async fn an_identity_document_counts_until_it_expires_and_the_status_then_falls_back(app, vies) {
        check_vat_number().respond_with(vies_verdict("DE", "136695976", true)).mount(&vies).await;
        let (seller, buyer) = app.create_buyer_with_vat("DE136695976").await;
        let path = buyer_path(&seller, &buyer);
        let documents = format!("{path}/kyc/documents");
        for kind in REQUIRED.into_iter().filter(|t| *t != "CONTACT_ID") {
            app.upload_pdf(&documents, kind).await;
        }
        // A maximum age does not apply to an identity document dated by its expiry.
        assert_eq!(app.patch_json("/v1/organisation", &json!({"requiredDocumentTypes": REQUIRED.map(|t| json!({"type": t, "maxAgeDays": if t == "CONTACT_ID" { json!(1) } else if t == "COC_EXTRACT" { json!(365) } else { Value::Null }}))})).await.status(), 200);
        let uploaded = app.upload(&documents, api_form("CONTACT_ID", &[("documentDate", "2024-01-01"), ("expiresOn", &day(60))])).await;
        assert_eq!(uploaded.status(), 201);
        app.settled_vies_check(&path).await;
        let kyc = kyc_of(&app, &path).await;
        assert_eq!(kyc["overallStatus"], "VALID", "{kyc}");
        assert_eq!(kyc["documentsComplete"], true);

        // Time passes: the ID's last valid day was yesterday.
        sqlx::query("UPDATE documents SET expires_on = $1 WHERE type = 'CONTACT_ID'")
            .bind(day(-1)).execute(app.db.pool()).await.unwrap();
        let changed = kyc_portal::kyc::refresh_job::refresh_lapsed(&app.db, kyc_portal::db::now()).await.unwrap();
        assert_eq!(changed, 1);
        let kyc = kyc_of(&app, &path).await;
        assert_eq!(kyc["overallStatus"], "PENDING");
        assert_eq!(kyc["documentsComplete"], false);
        assert_eq!(kyc["missingDocumentTypes"], json!([]));
        assert_eq!(kyc["expiredDocumentTypes"], json!(["CONTACT_ID"]));
        let events = kyc_portal::events::recent(&app.db, 100).await.unwrap();
        let changed = events.iter().find(|e| e.event_type == "kyc.status_changed").unwrap();
        assert_eq!(changed.data["overallStatus"], "PENDING");
        assert_eq!(changed.data["expiredDocumentTypes"], json!(["CONTACT_ID"]));
    }
}

on_both_backends! {
    async fn an_identity_document_about_to_expire_shows_to_staff_and_its_buyer_is_reminded(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        let uploaded = app.upload(&format!("{path}/kyc/documents"), api_form("CONTACT_ID", &[("expiresOn", &day(10))])).await;
        assert_eq!(uploaded.status(), 201);
        let document = body_json(uploaded).await;
        let buyer_id = buyer["uuid"].as_str().unwrap();

        let mut admin = app.admin_browser().await;
        let start = admin.page("/admin").await;
        let lapsing = start.split("<h2 id=\"lapsing\">").nth(1).unwrap().split("<h2 ").next().unwrap();
        assert!(lapsing.contains("<span class=\"count\">(1)</span>") && lapsing.contains(&format!("/admin/buyers/{buyer_id}/documents")), "{lapsing}");
        let documents = admin.page(&format!("/admin/buyers/{buyer_id}/documents")).await;
        let valid_until = (Utc::now().date_naive() + Duration::days(10)).format("%-d %B %Y").to_string();
        assert!(documents.contains(&format!("valid until {valid_until}")), "{documents}");

        let reminders = app.patch_json("/v1/organisation", &json!({"documentExpiryReminderDays": 14})).await;
        assert_eq!(reminders.status(), 200);
        let round = kyc_portal::reminders::run_round(&app.db, kyc_portal::db::now()).await.unwrap();
        assert_eq!(round.document_reminders, 1, "reminded 14 days ahead of the expiry");
        let reminded: String = sqlx::query_scalar("SELECT document_id FROM reminders WHERE document_id IS NOT NULL")
            .fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(reminded, document["uuid"].as_str().unwrap());

        // Its last day passed: staff see it expired, and it no longer counts.
        sqlx::query("UPDATE documents SET expires_on = $1 WHERE type = 'CONTACT_ID'")
            .bind(day(-1)).execute(app.db.pool()).await.unwrap();
        let documents = admin.page(&format!("/admin/buyers/{buyer_id}/documents")).await;
        assert!(documents.contains("Expired: the identity document that counted is past its expiry date."), "{documents}");
        assert!(documents.contains("expired: valid until"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_lives_in_s3_survives_the_sweep_and_a_replaced_one_is_deleted() {
    let Some(app) = crate::storage_s3::app_on_s3(Backend::Sqlite).await else {
        return;
    };
    let mut admin = app.admin_browser().await;
    admin.page("/admin/settings").await;
    let first = upload_template(&admin, "AML_DECLARATION", "form.pdf", small_pdf()).await;
    assert_eq!(first.status(), 303);
    kyc_portal::documents::sweep_orphans(&app.db, &app.blobs, std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(
        app.blobs.list().await.unwrap().len(),
        1,
        "kept by the sweep"
    );

    admin.page("/admin/settings").await;
    let second = pdf_of_size(4096);
    let replaced = upload_template(&admin, "AML_DECLARATION", "form-v2.pdf", second.clone()).await;
    assert_eq!(replaced.status(), 303);
    assert_eq!(
        app.blobs.list().await.unwrap().len(),
        1,
        "the replaced template is gone from the bucket"
    );

    let (browser, page, _, _) = buyer_on_page(&app, "en").await;
    assert!(type_section(&page, "AML_DECLARATION").contains("/kyc/templates/AML_DECLARATION?v="));
    let download = browser
        .get(format!("{}/kyc/templates/AML_DECLARATION", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().to_vec(), second);
}
