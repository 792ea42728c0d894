use kyc_portal::documents;
use kyc_portal::storage::BlobStore;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::fixtures::*;
use crate::helpers::*;
use crate::on_both_backends;

pub fn documents_path(seller: &str, buyer: &Value) -> String {
    format!("{}/kyc/documents", buyer_path(seller, buyer))
}

pub fn form(document_type: &str, date: &str, file_name: &str, bytes: Vec<u8>) -> Form {
    Form::new()
        .text("type", document_type.to_owned())
        .text("documentDate", date.to_owned())
        .part(
            "file",
            Part::bytes(bytes)
                .file_name(file_name.to_owned())
                .mime_str("application/pdf")
                .unwrap(),
        )
}

impl TestApp {
    pub async fn upload(&self, path: &str, form: Form) -> reqwest::Response {
        self.request(reqwest::Method::POST, path)
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn upload_pdf(&self, path: &str, document_type: &str) -> Value {
        let response = self
            .upload(
                path,
                form(document_type, "2026-01-15", "coc-extract.pdf", small_pdf()),
            )
            .await;
        assert_eq!(response.status(), 201);
        body_json(response).await
    }

    /// Files left in the document store and in its staging folder.
    pub fn stored_files(&self) -> (usize, usize) {
        let root = self.dir.path().join("documents");
        let count = |dir: std::path::PathBuf| walk(&dir);
        let staged = count(root.join(".staging"));
        (count(root) - staged, staged)
    }
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

on_both_backends! {
    async fn the_reference_upload_and_archive_calls_work_as_written(app) {
        let (seller, buyer) = app.create_buyer().await;
        let pdf = small_pdf();
        let response = app.upload(&documents_path(&seller, &buyer), form("COC_EXTRACT", "2026-01-15", "coc-extract.pdf", pdf.clone())).await;
        assert_eq!(response.status(), 201);
        let document = body_json(response).await;
        assert_eq!(document["buyerId"], buyer["uuid"]);
        assert_eq!(document["type"], "COC_EXTRACT");
        assert_eq!(document["documentDate"], "2026-01-15");
        assert_eq!(document["status"], "ACTIVE");
        assert_eq!(document["version"], 1);
        assert_eq!(document["fileName"], "coc-extract.pdf");
        assert_eq!(document["contentType"], "application/pdf");
        assert_eq!(document["sizeBytes"], pdf.len());
        assert_eq!(document["sha256"], sha256(&pdf));
        assert_eq!(document["source"], "API");
        assert!(document["invitationId"].is_null());
        assert!(document["createdAt"].is_string());

        let path = format!("/v1/documents/{}", document["uuid"].as_str().unwrap());
        let archived = app.patch_json(&path, &json!({"status": "ARCHIVED"})).await;
        assert_eq!(archived.status(), 200);
        assert_eq!(body_json(archived).await["status"], "ARCHIVED");
        let problem = expect_problem(app.patch_json(&path, &json!({"status": "ACTIVE"})).await, 422).await;
        assert_eq!(problem_fields(&problem), ["status"]);
        expect_problem(app.patch_json(&path, &json!({"status": "ARCHIVED", "type": "BANK_STATEMENT"})).await, 422).await;
        assert_eq!(body_json(app.get(&path).await).await["status"], "ARCHIVED");
    }

    async fn each_upload_of_a_type_is_a_new_version_and_the_latest_active_one_counts(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = documents_path(&seller, &buyer);
        let first = app.upload_pdf(&path, "COC_EXTRACT").await;
        let second = app.upload_pdf(&path, "COC_EXTRACT").await;
        let bank = app.upload_pdf(&path, "BANK_CONFIRMATION").await;
        assert_eq!((first["version"].as_i64(), second["version"].as_i64(), bank["version"].as_i64()), (Some(1), Some(2), Some(1)));

        let buyer_id = buyer["uuid"].as_str().unwrap();
        let counting = |docs: Vec<documents::Document>| docs.into_iter().map(|d| d.uuid).collect::<Vec<_>>();
        assert_eq!(counting(documents::counting(&app.db, buyer_id).await.unwrap()), [bank["uuid"].as_str().unwrap(), second["uuid"].as_str().unwrap()]);

        app.patch_json(&format!("/v1/documents/{}", second["uuid"].as_str().unwrap()), &json!({"status": "ARCHIVED"})).await;
        assert_eq!(counting(documents::counting(&app.db, buyer_id).await.unwrap()), [bank["uuid"].as_str().unwrap(), first["uuid"].as_str().unwrap()]);

        let listing = body_json(app.get(&path).await).await;
        assert_eq!(listing["items"].as_array().unwrap().len(), 3);
        assert_eq!(listing["items"][0]["uuid"], bank["uuid"]);
    }

    async fn every_file_type_comes_back_byte_for_byte_with_safe_headers(app) {
        let (seller, buyer) = app.create_buyer().await;
        let files = [
            ("../../etc/passwd", pdf_of_size(300_000), "application/pdf", "passwd.pdf"),
            ("Bestätigung \"Bank\".pdf", small_pdf(), "application/pdf", "Bestätigung \"Bank\".pdf"),
            ("line%0D%0Abreak\t.png", png(), "image/png", "line%0D%0Abreak.png"),
            ("photo\u{202E}gpj.exe", jpeg(), "image/jpeg", "photogpj.exe.jpg"),
            (&*"a".repeat(300), small_pdf(), "application/pdf", &*format!("{}.pdf", "a".repeat(200))),
        ];
        for (name, bytes, content_type, expected_name) in files {
            let response = app.upload(&documents_path(&seller, &buyer), form("ADDRESS_PROOF", "2025-12-01", name, bytes.clone())).await;
            assert_eq!(response.status(), 201, "{name:?}");
            let document = body_json(response).await;
            assert_eq!(document["fileName"], expected_name, "{name:?}");
            assert_eq!(document["contentType"], content_type);

            let download = app.get(&format!("/v1/documents/{}/content", document["uuid"].as_str().unwrap())).await;
            assert_eq!(download.status(), 200);
            let headers = download.headers().clone();
            assert_eq!(headers["content-type"], content_type);
            assert_eq!(headers["x-content-type-options"], "nosniff");
            assert_eq!(headers["etag"].to_str().unwrap(), format!("\"{}\"", sha256(&bytes)));
            let disposition = headers["content-disposition"].to_str().unwrap();
            assert!(disposition.starts_with("attachment; filename=\""), "{disposition}");
            let fallback = disposition.trim_start_matches("attachment; filename=\"").split('"').next().unwrap();
            assert!(fallback.chars().all(|c| c.is_ascii_alphanumeric() || "._-() ".contains(c)), "{disposition}");
            assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
            assert_eq!(download.bytes().await.unwrap().as_ref(), bytes.as_slice());
        }
    }

    async fn every_bad_file_is_refused_with_a_422_and_leaves_nothing_behind(app) {
        let (seller, buyer) = app.create_buyer().await;
        for (what, name, bytes) in malicious_corpus() {
            let response = app.upload(&documents_path(&seller, &buyer), form("COC_EXTRACT", "2026-01-15", name, bytes)).await;
            let problem = expect_problem(response, 422).await;
            assert_eq!(problem_fields(&problem), ["file"], "{what}");
            assert!(!problem["errors"][0]["message"].as_str().unwrap().is_empty());
        }
        let listing = body_json(app.get(&documents_path(&seller, &buyer)).await).await;
        assert!(listing["items"].as_array().unwrap().is_empty());
        assert_eq!(app.stored_files(), (0, 0));
    }

    async fn unknown_types_and_bad_or_future_dates_are_422s_naming_the_field(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = documents_path(&seller, &buyer);
        for (document_type, date, field) in [("PASSPORT_SELFIE", "2026-01-15", "type"), ("COC_EXTRACT", "15.01.2026", "documentDate"), ("COC_EXTRACT", "2999-01-01", "documentDate"), ("COC_EXTRACT", "", "documentDate")] {
            let problem = expect_problem(app.upload(&path, form(document_type, date, "a.pdf", small_pdf())).await, 422).await;
            assert_eq!(problem_fields(&problem), [field], "{document_type} {date}");
        }
        let without_file = Form::new().text("type", "COC_EXTRACT").text("documentDate", "2026-01-15");
        let problem = expect_problem(app.upload(&path, without_file).await, 422).await;
        assert_eq!(problem_fields(&problem), ["file"]);
        assert_eq!(app.stored_files(), (0, 0));
    }

    async fn a_blocked_buyer_cannot_upload(app) {
        let (seller, buyer) = app.create_buyer().await;
        app.post_json(&format!("{}/block", buyer_path(&seller, &buyer)), &json!({"reason": "hold"})).await;
        expect_problem(app.upload(&documents_path(&seller, &buyer), form("COC_EXTRACT", "2026-01-15", "a.pdf", small_pdf())).await, 409).await;
        assert_eq!(app.stored_files(), (0, 0));
    }

    async fn a_retried_upload_with_its_idempotency_key_stores_one_document(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = documents_path(&seller, &buyer);
        let send = || app.request(reqwest::Method::POST, &path).header("Idempotency-Key", "upload-1").multipart(form("COC_EXTRACT", "2026-01-15", "a.pdf", small_pdf())).send();
        let first = send().await.unwrap();
        assert_eq!(first.status(), 201);
        let first = body_json(first).await;
        let again = send().await.unwrap();
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(body_json(again).await, first);
        assert_eq!(body_json(app.get(&path).await).await["items"].as_array().unwrap().len(), 1);
        assert_eq!(app.stored_files(), (1, 0));
    }

    async fn uploads_and_archiving_are_in_the_history_and_uploads_are_events(app) {
        let (seller, buyer) = app.create_buyer().await;
        let document = app.upload_pdf(&documents_path(&seller, &buyer), "VAT_CERTIFICATE").await;
        let path = format!("/v1/documents/{}", document["uuid"].as_str().unwrap());
        app.patch_json(&path, &json!({"status": "ARCHIVED"})).await;
        let history = body_json(app.get(&format!("{path}/history")).await).await;
        let actions: Vec<_> = history["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
        assert_eq!(actions, ["archived", "uploaded"]);
        let events = kyc_portal::events::recent(&app.db, 5).await.unwrap();
        assert_eq!(events[0].event_type, "kyc.document_uploaded");
        assert_eq!(events[0].data["documentId"], document["uuid"]);
    }

    async fn a_multipart_header_broken_by_a_raw_line_break_is_a_400_and_stores_nothing(app) {
        let (seller, buyer) = app.create_buyer().await;
        let response = app.upload(&documents_path(&seller, &buyer), form("COC_EXTRACT", "2026-01-15", "line\r\nbreak.pdf", small_pdf())).await;
        expect_problem(response, 400).await;
        assert_eq!(app.stored_files(), (0, 0));
    }

    async fn unknown_documents_are_404s(app) {
        expect_problem(app.get("/v1/documents/nope").await, 404).await;
        expect_problem(app.get("/v1/documents/nope/content").await, 404).await;
        expect_problem(app.patch_json("/v1/documents/nope", &json!({"status": "ARCHIVED"})).await, 404).await;
    }

    async fn the_sweep_removes_orphan_blobs_and_keeps_every_referenced_one(app) {
        let (seller, buyer) = app.create_buyer().await;
        let document = app.upload_pdf(&documents_path(&seller, &buyer), "COC_EXTRACT").await;
        let settings = kyc_portal::Settings::for_data_dir("sqlite::memory:", app.dir.path());
        let blobs = BlobStore::open(&settings).await.unwrap();
        let orphan = app.dir.path().join("orphan.pdf");
        std::fs::write(&orphan, small_pdf()).unwrap();
        blobs.store(&kyc_portal::storage::BlobKey::for_document(&uuid::Uuid::new_v4()), &orphan).await.unwrap();
        assert_eq!(app.stored_files(), (2, 0));

        let removed = documents::sweep_orphans(&app.db, &blobs, std::time::Duration::ZERO).await.unwrap();
        assert_eq!(removed, 1);
        assert_eq!(app.stored_files(), (1, 0));
        let download = app.get(&format!("/v1/documents/{}/content", document["uuid"].as_str().unwrap())).await;
        assert_eq!(download.bytes().await.unwrap().as_ref(), small_pdf().as_slice());
    }
}

mod a_file_one_byte_over_the_limit {
    use super::*;

    async fn check(backend: Backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.max_upload_bytes = 64 * 1024).await
        else {
            return;
        };
        let (seller, buyer) = app.create_buyer().await;
        let path = documents_path(&seller, &buyer);
        let over = pdf_of_exact_size(64 * 1024 + 1);
        assert_eq!(over.len(), 64 * 1024 + 1);
        let problem = expect_problem(
            app.upload(&path, form("COC_EXTRACT", "2026-01-15", "big.pdf", over))
                .await,
            413,
        )
        .await;
        assert!(problem["detail"].as_str().unwrap().contains("65536"));
        assert_eq!(app.stored_files(), (0, 0));
        let fits = pdf_of_exact_size(64 * 1024);
        assert_eq!(
            app.upload(&path, form("COC_EXTRACT", "2026-01-15", "fits.pdf", fits))
                .await
                .status(),
            201
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn is_refused_with_413_and_nothing_is_stored_on_sqlite() {
        check(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn is_refused_with_413_and_nothing_is_stored_on_postgres() {
        check(Backend::Postgres).await;
    }
}
