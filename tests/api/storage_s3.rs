//! The document store on a real S3-compatible server (moto on loopback, started by `.ci/run`;
//! endpoint and credentials from the usual `AWS_*` variables).

use kyc_portal::documents;
use kyc_portal::staff::StaffRole;
use kyc_portal::storage::{BlobKey, BlobStore};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::fixtures::*;
use crate::helpers::*;

/// An app on `backend` whose documents go to a fresh bucket, or None when the S3 server or
/// the database is not there.
pub async fn app_on_s3(backend: Backend) -> Option<TestApp> {
    let url = format!("s3://{}", fresh_bucket().await?);
    let app = TestApp::spawn_with(backend, |s| s.storage_url = Some(url.clone())).await?;
    assert!(!app.blobs.is_local());
    Some(app)
}

/// A fresh bucket on the S3 server named by `AWS_ENDPOINT`, or None when there is none here.
pub async fn fresh_bucket() -> Option<String> {
    let Ok(endpoint) = std::env::var("AWS_ENDPOINT") else {
        if std::env::var("KYC_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
            panic!("KYC_TEST_REQUIRE_ALL=1 but AWS_ENDPOINT (the S3 server) is not set");
        }
        announce("SKIPPED (S3): set AWS_ENDPOINT and credentials to run the S3 storage tests");
        return None;
    };
    let bucket = format!("kyc-test-{}", uuid::Uuid::new_v4().simple());
    let created = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(
        created.status().is_success(),
        "create bucket: {}",
        created.status()
    );
    Some(bucket)
}

fn upload_form(file_name: &str, bytes: Vec<u8>) -> Form {
    Form::new()
        .text("type", "BANK_STATEMENT")
        .text("documentDate", "2026-03-31")
        .part("file", Part::bytes(bytes).file_name(file_name.to_owned()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_round_trip_through_s3_and_refused_files_leave_no_object() {
    let Some(bucket) = fresh_bucket().await else {
        return;
    };
    let url = format!("s3://{bucket}");
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.storage_url = Some(url.clone()))
        .await
        .unwrap();
    let settings = kyc_portal::Settings {
        storage_url: Some(url.clone()),
        ..kyc_portal::Settings::for_data_dir("sqlite::memory:", app.dir.path())
    };
    let blobs = BlobStore::open(&settings).await.unwrap();
    let (seller, buyer) = app.create_buyer().await;
    let path = format!("{}/kyc/documents", buyer_path(&seller, &buyer));

    let pdf = pdf_of_size(6 * 1024 * 1024);
    let response = app
        .request(reqwest::Method::POST, &path)
        .multipart(upload_form("statement.pdf", pdf.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let document: Value = body_json(response).await;
    let download = app
        .get(&format!(
            "/v1/documents/{}/content",
            document["uuid"].as_str().unwrap()
        ))
        .await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().as_ref(), pdf.as_slice());

    for (what, name, bytes) in malicious_corpus() {
        let response = app
            .request(reqwest::Method::POST, &path)
            .multipart(upload_form(name, bytes))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{what}");
    }
    assert_eq!(
        blobs.list().await.unwrap().len(),
        1,
        "only the accepted document is in the bucket"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_removes_orphan_objects_from_s3() {
    let Some(bucket) = fresh_bucket().await else {
        return;
    };
    let url = format!("s3://{bucket}");
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.storage_url = Some(url.clone()))
        .await
        .unwrap();
    let settings = kyc_portal::Settings {
        storage_url: Some(url.clone()),
        ..kyc_portal::Settings::for_data_dir("sqlite::memory:", app.dir.path())
    };
    let blobs = BlobStore::open(&settings).await.unwrap();
    let (seller, buyer) = app.create_buyer().await;
    let path = format!("{}/kyc/documents", buyer_path(&seller, &buyer));
    let kept = app
        .request(reqwest::Method::POST, &path)
        .multipart(upload_form("kept.pdf", small_pdf()))
        .send()
        .await
        .unwrap();
    assert_eq!(kept.status(), 201);

    let orphan = app.dir.path().join("orphan.pdf");
    std::fs::write(&orphan, small_pdf()).unwrap();
    blobs
        .store(&BlobKey::for_document(&uuid::Uuid::new_v4()), &orphan)
        .await
        .unwrap();
    assert_eq!(blobs.list().await.unwrap().len(), 2);

    assert_eq!(
        documents::sweep_orphans(&app.db, &blobs, std::time::Duration::ZERO)
            .await
            .unwrap(),
        1
    );
    let left = blobs.list().await.unwrap();
    assert_eq!(left.len(), 1);
    let document: Value = body_json(kept).await;
    let download = app
        .get(&format!(
            "/v1/documents/{}/content",
            document["uuid"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        download.bytes().await.unwrap().as_ref(),
        small_pdf().as_slice()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_in_s3_is_previewed_from_a_temporary_copy_that_is_removed_afterwards() {
    if !tool_available(
        "poppler-utils",
        &["pdftoppm", "-v"],
        "apt-get install poppler-utils",
    ) {
        return;
    }
    let Some(bucket) = fresh_bucket().await else {
        return;
    };
    let url = format!("s3://{bucket}");
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.storage_url = Some(url))
        .await
        .unwrap();
    let (seller, buyer) = app.create_buyer().await;
    let path = format!("{}/kyc/documents", buyer_path(&seller, &buyer));
    let response = app
        .request(reqwest::Method::POST, &path)
        .multipart(upload_form("statement.pdf", pdf_with_pages(3)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let id = body_json(response).await["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut kim = app
        .signed_in("kim@marketplace.example", StaffRole::Staff)
        .await;

    let page = kim.page(&format!("/admin/documents/{id}/preview")).await;
    assert!(
        page.contains("alt=\"Page 3 of 3 of statement.pdf\""),
        "{page}"
    );
    let image = kim.get(&format!("/admin/documents/{id}/pages/3.png")).await;
    assert_eq!(image.status(), 200);
    assert!(image.bytes().await.unwrap().starts_with(b"\x89PNG"));
    let staging = app.dir.path().join("staging");
    let empty = || std::fs::read_dir(&staging).unwrap().next().is_none();
    for _ in 0..100 {
        if empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(empty(), "the render's copy and folder are gone");
}
