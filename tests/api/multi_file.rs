//! A document version of several files: the pages of an extract or an ID's front and back
//! photographed on a phone, sent as one document, listed, downloaded as one PDF or one by one,
//! and kept, exported and erased together.

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::documents::documents_path;
use crate::fixtures::*;
use crate::helpers::*;
use crate::on_both_backends;

/// An upload form of `files` (name, bytes), each a `file` part.
pub(crate) fn files_form(document_type: &str, files: &[(&str, Vec<u8>)]) -> Form {
    let mut form = Form::new()
        .text("type", document_type.to_owned())
        .text("documentDate", "2026-01-15");
    for (name, bytes) in files {
        form = form.part(
            "file",
            Part::bytes(bytes.clone()).file_name((*name).to_owned()),
        );
    }
    form
}

pub(crate) fn front_and_back() -> Vec<(&'static str, Vec<u8>)> {
    vec![("Ausweis vorne.jpg", jpeg()), ("Ausweis hinten.png", png())]
}

/// The page count poppler reads from `pdf`.
fn pdf_pages(pdf: &[u8]) -> usize {
    assert!(
        tool_available(
            "pdfinfo",
            &["pdfinfo", "-v"],
            "apt-get install poppler-utils"
        ),
        "pdfinfo is needed to read the combined PDF"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("combined.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = std::process::Command::new("pdfinfo")
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "pdfinfo: {text} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "pdfinfo complained: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    text.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|n| n.trim().parse().unwrap())
        .unwrap()
}

async fn uploaded_front_and_back(app: &TestApp) -> (String, Value, Value) {
    let (seller, buyer) = app.create_buyer().await;
    let response = app
        .upload(
            &documents_path(&seller, &buyer),
            files_form("CONTACT_ID", &front_and_back()),
        )
        .await;
    assert_eq!(response.status(), 201);
    let document = body_json(response).await;
    (seller, buyer, document)
}

async fn content(app: &TestApp, document: &Value, query: &str) -> reqwest::Response {
    app.get(&format!(
        "/v1/documents/{}/content{query}",
        document["uuid"].as_str().unwrap()
    ))
    .await
}

on_both_backends! {
    async fn front_and_back_are_one_document_listed_with_both_files_and_downloaded_as_one_pdf(app) {
        let (seller, buyer, document) = uploaded_front_and_back(&app).await;
        let sent = front_and_back();
        let files = document["files"].as_array().unwrap();
        assert_eq!(files.len(), 2);
        for (file, (name, bytes)) in files.iter().zip(&sent) {
            assert_eq!(file["fileName"], *name);
            assert_eq!(file["sizeBytes"], bytes.len());
            assert_eq!(file["sha256"], hex::encode(Sha256::digest(bytes)));
        }
        assert_eq!(files[0]["contentType"], "image/jpeg");
        assert_eq!(files[1]["contentType"], "image/png");
        assert_eq!(document["fileName"], "Ausweis vorne.jpg", "the document describes its first file");
        assert_eq!(document["version"], 1);

        let listed = body_json(app.get(&documents_path(&seller, &buyer)).await).await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 1, "one document, not two");
        assert_eq!(listed["items"][0]["files"], document["files"]);
        let shown = body_json(app.get(&format!("/v1/documents/{}", document["uuid"].as_str().unwrap())).await).await;
        assert_eq!(shown["files"], document["files"]);

        let combined = content(&app, &document, "").await;
        assert_eq!(combined.status(), 200);
        assert_eq!(combined.headers()["content-type"], "application/pdf");
        let disposition = combined.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(disposition.contains("Ausweis vorne.pdf"), "{disposition}");
        let pdf = combined.bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(pdf_pages(&pdf), 2, "one page per photo");

        for (n, (name, bytes)) in sent.iter().enumerate() {
            let one = content(&app, &document, &format!("?file={}", n + 1)).await;
            assert_eq!(one.status(), 200);
            let disposition = one.headers()["content-disposition"].to_str().unwrap().to_owned();
            assert!(disposition.contains(&name.replace(' ', "%20")) || disposition.contains(name), "{disposition}");
            assert_eq!(one.bytes().await.unwrap().as_ref(), bytes.as_slice(), "file {} as uploaded", n + 1);
        }
        expect_problem(content(&app, &document, "?file=3").await, 422).await;
        expect_problem(content(&app, &document, "?file=0").await, 422).await;
    }

    async fn a_document_of_one_file_lists_it_and_sends_it_unchanged(app) {
        let (seller, buyer) = app.create_buyer().await;
        let bytes = pdf_with("Auszug", "", 0);
        let response = app
            .upload(&documents_path(&seller, &buyer), files_form("COC_EXTRACT", &[("Auszug.pdf", bytes.clone())]))
            .await;
        assert_eq!(response.status(), 201);
        let document = body_json(response).await;
        assert_eq!(
            document["files"],
            json!([{"fileName": "Auszug.pdf", "contentType": "application/pdf", "sizeBytes": bytes.len(), "sha256": hex::encode(Sha256::digest(&bytes))}])
        );
        for query in ["", "?file=1"] {
            let download = content(&app, &document, query).await;
            assert_eq!(download.status(), 200);
            assert_eq!(download.headers()["content-type"], "application/pdf");
            assert_eq!(download.bytes().await.unwrap().as_ref(), bytes.as_slice());
        }
    }

    async fn too_many_files_a_pdf_among_photos_or_a_spoofed_photo_store_nothing_and_keep_the_version_that_counts(app) {
        let (seller, buyer, kept) = uploaded_front_and_back(&app).await;
        let path = documents_path(&seller, &buyer);
        let stored = app.stored_files();
        assert_eq!(stored, (2, 0));

        let eleven: Vec<(&str, Vec<u8>)> = (0..11).map(|_| ("Seite.jpg", jpeg())).collect();
        let problem = expect_problem(app.upload(&path, files_form("CONTACT_ID", &eleven)).await, 422).await;
        assert_eq!(problem_fields(&problem), vec!["file"]);
        assert!(problem.to_string().contains("at most 10 files"), "{problem}");

        let mixed = vec![("Seite 1.jpg", jpeg()), ("Auszug.pdf", small_pdf())];
        let problem = expect_problem(app.upload(&path, files_form("CONTACT_ID", &mixed)).await, 422).await;
        assert!(problem.to_string().contains("a PDF is sent on its own"), "{problem}");

        let spoofed = vec![("vorne.jpg", jpeg()), ("hinten.jpg", b"MZ\x90\x00 not a photo".to_vec())];
        let problem = expect_problem(app.upload(&path, files_form("CONTACT_ID", &spoofed)).await, 422).await;
        assert_eq!(problem_fields(&problem), vec!["file"]);

        assert_eq!(app.stored_files(), stored, "nothing of the refused uploads is kept");
        let listed = body_json(app.get(&format!("{path}?type=CONTACT_ID")).await).await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);
        assert_eq!(listed["items"][0]["uuid"], kept["uuid"]);
        assert_eq!(listed["items"][0]["status"], "ACTIVE");
    }

    async fn the_export_holds_every_file_of_a_version(app) {
        let (seller, buyer, _) = uploaded_front_and_back(&app).await;
        let response = app.get(&format!("{}/export", buyer_path(&seller, &buyer))).await;
        assert_eq!(response.status(), 200);
        let (dir, names) = crate::export::unzip(&response.bytes().await.unwrap());
        for (n, (name, bytes)) in front_and_back().iter().enumerate() {
            let entry = format!("documents/CONTACT_ID/v1-{}-{name}", n + 1);
            assert!(names.contains(&entry), "{entry} in {names:?}");
            assert_eq!(&std::fs::read(dir.path().join("out").join(&entry)).unwrap(), bytes);
        }
        let listed: Value = serde_json::from_slice(&std::fs::read(dir.path().join("out").join("documents.json")).unwrap()).unwrap();
        assert_eq!(listed[0]["filePaths"].as_array().unwrap().len(), 2);
        assert_eq!(listed[0]["files"].as_array().unwrap().len(), 2);
    }

    async fn erasing_a_buyer_removes_every_file_of_its_documents(app) {
        erasing_removes_every_file(&app).await;
    }
}

/// Uploads front and back, ends and erases the buyer: no blob is left in the store.
async fn erasing_removes_every_file(app: &TestApp) {
    let (seller, buyer, _) = uploaded_front_and_back(app).await;
    assert_eq!(app.blobs.list().await.unwrap().len(), 2);
    let ended = app
        .post_json(
            &format!("{}/end", buyer_path(&seller, &buyer)),
            &json!({"reason": "Vertrag beendet", "endedAt": (chrono::Utc::now() - chrono::Duration::days(365 * 7)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)}),
        )
        .await;
    assert_eq!(ended.status(), 200);
    let erased = kyc_portal::erasure::run(&app.db, &app.blobs, kyc_portal::db::now())
        .await
        .unwrap();
    assert_eq!(erased.len(), 1);
    assert_eq!(erased[0].files, 2);
    assert!(
        app.blobs.list().await.unwrap().is_empty(),
        "both files are gone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_a_buyer_removes_every_file_from_s3_on_sqlite() {
    if let Some(app) = crate::storage_s3::app_on_s3(Backend::Sqlite).await {
        erasing_removes_every_file(&app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_a_buyer_removes_every_file_from_s3_on_postgres() {
    if let Some(app) = crate::storage_s3::app_on_s3(Backend::Postgres).await {
        erasing_removes_every_file(&app).await;
    }
}

/// The size limit holds for the files together: two photos within it each but not together
/// are refused whole (413, as a single file over the limit), and nothing is kept.
async fn files_together_over_the_limit_are_refused_whole(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.max_upload_bytes = 200 * 1024).await else {
        return;
    };
    let (seller, buyer) = app.create_buyer().await;
    let mut big = jpeg();
    // Bytes after the end of image are kept as phones write them; they make it large.
    big.extend(std::iter::repeat_n(0u8, 120 * 1024));
    let one = app
        .upload(
            &documents_path(&seller, &buyer),
            files_form("CONTACT_ID", &[("vorne.jpg", big.clone())]),
        )
        .await;
    assert_eq!(one.status(), 201, "one of them is within the limit");
    let stored = app.stored_files();
    let problem = expect_problem(
        app.upload(
            &documents_path(&seller, &buyer),
            files_form(
                "CONTACT_ID",
                &[("vorne.jpg", big.clone()), ("hinten.jpg", big)],
            ),
        )
        .await,
        413,
    )
    .await;
    assert!(problem.to_string().contains("204800"), "{problem}");
    assert_eq!(app.stored_files(), stored);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_together_over_the_limit_are_refused_whole_on_sqlite() {
    files_together_over_the_limit_are_refused_whole(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_together_over_the_limit_are_refused_whole_on_postgres() {
    files_together_over_the_limit_are_refused_whole(Backend::Postgres).await;
}

on_both_backends! {
    async fn the_buyer_sends_front_and_back_in_one_form_without_javascript(app) {
        let (seller, buyer, invitation) = app
            .invited_buyer(json!({"recipientEmail": "a@example.com", "language": "de"}))
            .await;
        let browser = crate::portal::browser();
        let page = app.open_link(&browser, &invitation).await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains(r#"name="file" required multiple"#), "the file field takes several files");
        assert!(html.contains("Vorder- und Rückseite"), "the page says so in German");
        let csrf = crate::portal::csrf_of(&html);

        let mut form = Form::new()
            .text("csrf", csrf.clone())
            .text("type", "CONTACT_ID")
            .text("documentDate", "2026-01-15");
        for (name, bytes) in front_and_back() {
            form = form.part("file", Part::bytes(bytes).file_name(name.to_owned()));
        }
        let answer = browser
            .post(format!("{}/kyc/documents", app.address))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "the page again, after the redirect");
        let html = answer.text().await.unwrap();
        assert!(html.contains("Ausweis vorne.jpg (2 Dateien)"), "the page names the file count");

        let listed = body_json(app.get(&format!("{}?type=CONTACT_ID", documents_path(&seller, &buyer))).await).await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);
        assert_eq!(listed["items"][0]["files"].as_array().unwrap().len(), 2);
        assert_eq!(listed["items"][0]["source"], "INVITATION");

        let mut form = Form::new()
            .text("csrf", csrf)
            .text("type", "COC_EXTRACT")
            .text("documentDate", "2026-01-15");
        for _ in 0..11 {
            form = form.part("file", Part::bytes(jpeg()).file_name("Seite.jpg"));
        }
        let refused = browser
            .post(format!("{}/kyc/documents", app.address))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        assert!(html.contains("Bitte wählen Sie höchstens 10 Dateien für ein Dokument."), "{html}");
        assert_eq!(app.stored_files(), (2, 0));
    }
}

/// A backup copies and verifies every file of a multi-file document, and a missing later file
/// fails the verification.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_copies_and_verifies_every_file_of_a_document() {
    use crate::backup::{Install, backup_folder, stderr, stdout};
    let install = Install::new(Backend::Sqlite).await.unwrap();
    let token = install.api_token().await;
    let server = install.serve();
    let documents = server.buyer_documents_url(&token).await;
    let uploaded = reqwest::Client::new()
        .post(&documents)
        .bearer_auth(&token)
        .multipart(files_form("CONTACT_ID", &front_and_back()))
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 201);
    drop(server);

    let (_parent, backup) = backup_folder();
    let taken = install
        .run(&["backup", "--to", backup.to_str().unwrap()])
        .await;
    assert!(taken.status.success(), "{}", stderr(&taken));
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap();
    let listed = manifest["store"]["blobs"].as_array().unwrap();
    assert_eq!(listed.len(), 2, "both files: {manifest}");
    let sizes: Vec<u64> = listed.iter().map(|b| b["size"].as_u64().unwrap()).collect();
    let sent: Vec<u64> = front_and_back()
        .iter()
        .map(|(_, b)| b.len() as u64)
        .collect();
    assert!(sent.iter().all(|s| sizes.contains(s)), "{sizes:?}");
    let verified = install
        .run(&["verify-backup", backup.to_str().unwrap()])
        .await;
    assert!(verified.status.success(), "{}", stderr(&verified));
    assert!(
        stdout(&verified).contains("is good"),
        "{}",
        stdout(&verified)
    );

    let later = listed
        .iter()
        .map(|b| b["key"].as_str().unwrap())
        .find(|k| k.ends_with("-2"))
        .expect("the second file has its own key");
    std::fs::remove_file(backup.join("documents").join(later)).unwrap();
    let broken = install
        .run(&["verify-backup", backup.to_str().unwrap()])
        .await;
    assert!(!broken.status.success(), "{}", stdout(&broken));
}

on_both_backends! {
    async fn the_sweep_keeps_every_file_of_a_document_and_removes_a_stray_later_file(app) {
        let (_, _, document) = uploaded_front_and_back(&app).await;
        let settings = kyc_portal::Settings::for_data_dir("sqlite::memory:", app.dir.path());
        let blobs = kyc_portal::storage::BlobStore::open(&settings).await.unwrap();
        let stray = app.dir.path().join("stray.jpg");
        std::fs::write(&stray, jpeg()).unwrap();
        let key = kyc_portal::storage::BlobKey::for_document_file(&uuid::Uuid::new_v4(), 1);
        blobs.store(&key, &stray).await.unwrap();
        assert_eq!(app.stored_files(), (3, 0));

        let removed = kyc_portal::documents::sweep_orphans(&app.db, &blobs, std::time::Duration::ZERO).await.unwrap();
        assert_eq!(removed, 1);
        assert_eq!(app.stored_files(), (2, 0));
        let second = content(&app, &document, "?file=2").await;
        assert_eq!(second.bytes().await.unwrap().as_ref(), png().as_slice());
    }
}
