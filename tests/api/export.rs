//! The export of a buyer's full record as one ZIP, read back with Python's `zipfile` (an
//! independent reader that checks every entry's CRC): every document version byte-identical,
//! the JSON valid, no invitation link inside, and the export recorded in the history.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kyc_portal::audit::Actor;
use kyc_portal::db::now;
use kyc_portal::staff::StaffRole;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::documents::{documents_path, form};
use crate::fixtures::{pdf_with, png};
use crate::helpers::*;
use crate::on_both_backends;

/// Unpacks `zip` into a new folder with `python3 -m zipfile`, which first tests every
/// entry's CRC; returns the folder and the entries' names.
pub fn unzip(zip: &[u8]) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.zip");
    std::fs::write(&file, zip).unwrap();
    let out = dir.path().join("out");
    let script = "import json, sys, zipfile\n\
        args = json.load(sys.stdin)\n\
        with zipfile.ZipFile(args['zip']) as z:\n\
        \x20   bad = z.testzip()\n\
        \x20   assert bad is None, bad\n\
        \x20   z.extractall(args['out'])\n\
        \x20   print(json.dumps(z.namelist()))\n";
    let output = run_python(
        script,
        &json!({"zip": file.to_str().unwrap(), "out": out.to_str().unwrap()}),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let names: Vec<String> = serde_json::from_slice(&output.stdout).unwrap();
    (dir, names)
}

fn read_json(dir: &Path, name: &str) -> Value {
    let path: PathBuf = dir.join("out").join(name);
    serde_json::from_slice(&std::fs::read(&path).unwrap())
        .unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

/// A buyer with an invitation and three document versions (two of one type), and what was
/// uploaded by file name.
async fn buyer_with_documents(app: &TestApp) -> (String, Value, Value, BTreeMap<String, Vec<u8>>) {
    let (seller, buyer) = app.create_buyer().await;
    let invitation = app
        .invite(
            &seller,
            &buyer,
            json!({"recipientEmail": "anna.mueller@example.com"}),
        )
        .await;
    let uploads = [
        (
            "COC_EXTRACT",
            "Handelsregister.pdf",
            pdf_with("Erste Fassung", "", 0),
        ),
        (
            "COC_EXTRACT",
            "Handelsregister neu.pdf",
            pdf_with("Zweite Fassung", "", 70_000),
        ),
        ("CONTACT_ID", "Ausweis Müller.png", png()),
    ];
    let mut sent = BTreeMap::new();
    for (document_type, name, bytes) in uploads {
        let response = app
            .upload(
                &documents_path(&seller, &buyer),
                form(document_type, "2026-01-15", name, bytes.clone()),
            )
            .await;
        assert_eq!(response.status(), 201);
        sent.insert(name.to_owned(), bytes);
    }
    (seller, buyer, invitation, sent)
}

async fn the_export_holds_the_whole_record(app: &TestApp) {
    let (seller, buyer, invitation, sent) = buyer_with_documents(app).await;
    let path = buyer_path(&seller, &buyer);
    let buyer_id = buyer["uuid"].as_str().unwrap();

    let response = app.get(&format!("{path}/export?lang=de")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let disposition = response.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(
        disposition.contains(&format!("kyc-export-{buyer_id}.zip")),
        "{disposition}"
    );
    let zip = response.bytes().await.unwrap();
    let (dir, names) = unzip(&zip);

    for name in [
        "buyer.json",
        "documents.json",
        "vies-checks.json",
        "verifications.json",
        "invitations.json",
        "history.json",
        "history.txt",
    ] {
        assert!(
            names.contains(&name.to_owned()),
            "{name} is missing from {names:?}"
        );
    }
    assert!(
        !names.iter().any(|n| n.starts_with("kyc-profile")),
        "an unverified buyer has no profile: {names:?}"
    );

    let record = read_json(dir.path(), "buyer.json");
    assert_eq!(record["buyer"]["uuid"], buyer_id);
    assert_eq!(record["buyer"]["companyName"], buyer["companyName"]);
    assert_eq!(record["buyer"]["contacts"], buyer["contacts"]);
    assert_eq!(record["kycStatus"]["buyerId"], buyer_id);
    assert!(record["kycStatus"]["overallStatus"].is_string(), "{record}");

    // Every version, each with its file byte for byte.
    let documents = read_json(dir.path(), "documents.json");
    let documents = documents.as_array().unwrap();
    assert_eq!(documents.len(), 3, "{documents:?}");
    for document in documents {
        let name = document["fileName"].as_str().unwrap();
        let file = document["file"].as_str().unwrap();
        assert!(
            names.contains(&file.to_owned()),
            "{file} is not in {names:?}"
        );
        let bytes = std::fs::read(dir.path().join("out").join(file)).unwrap();
        assert_eq!(&bytes, &sent[name], "{file} differs from what was uploaded");
        assert_eq!(
            hex::encode(Sha256::digest(&bytes)),
            document["sha256"].as_str().unwrap()
        );
    }
    let versions: Vec<(&str, i64)> = documents
        .iter()
        .map(|d| (d["type"].as_str().unwrap(), d["version"].as_i64().unwrap()))
        .collect();
    assert!(
        versions.contains(&("COC_EXTRACT", 1)) && versions.contains(&("COC_EXTRACT", 2)),
        "{versions:?}"
    );

    // The invitation, without its link: the link's token appears nowhere in the archive.
    let invitations = read_json(dir.path(), "invitations.json");
    assert_eq!(invitations[0]["recipientEmail"], "anna.mueller@example.com");
    assert!(
        invitations[0].get("publicLinkUrl").is_none(),
        "{invitations}"
    );
    let link = invitation["publicLinkUrl"].as_str().unwrap();
    let token = link.rsplit('/').next().unwrap();
    for name in &names {
        let bytes = std::fs::read(dir.path().join("out").join(name)).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(token),
            "{name} holds the link's token"
        );
    }

    // The history in plain words, in the language asked for, oldest first.
    let history = std::fs::read_to_string(dir.path().join("out").join("history.txt")).unwrap();
    assert!(
        history.contains("Handelsregister neu.pdf") && history.contains("hochgeladen"),
        "{history}"
    );
    let first = history.lines().next().unwrap();
    assert!(
        first.contains("angelegt") || first.contains("erstellt"),
        "the oldest entry comes first: {history}"
    );
    assert_eq!(
        read_json(dir.path(), "history.json")
            .as_array()
            .unwrap()
            .len(),
        history.lines().count()
    );

    // Taking a copy is recorded.
    let recorded = body_json(app.get(&format!("{path}/history")).await).await;
    assert_eq!(recorded["items"][0]["action"], "exported", "{recorded}");

    // Another seller's path does not reach the buyer.
    let other = app.create_seller().await;
    expect_problem(
        app.get(&format!("{}/export", buyer_path(&other, &buyer)))
            .await,
        404,
    )
    .await;
    expect_problem(app.get(&format!("{path}/export?lang=fr")).await, 422).await;
}

on_both_backends! {
    async fn the_export_holds_every_document_version_byte_identical_and_valid_json(app) {
        the_export_holds_the_whole_record(&app).await;
    }

    async fn a_file_whose_stored_bytes_changed_breaks_the_download_instead_of_passing_as_complete(app) {
        let (seller, buyer, _, _) = buyer_with_documents(&app).await;
        let path = buyer_path(&seller, &buyer);
        // The store's copy of one document changes behind the portal's back.
        let key: String = sqlx::query_scalar("SELECT blob_key FROM documents WHERE buyer_id = $1 AND type = 'CONTACT_ID'")
            .bind(buyer["uuid"].as_str().unwrap())
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let staged = app.blobs.staging_dir().join("tampered");
        std::fs::write(&staged, b"not the uploaded image").unwrap();
        app.blobs.store(&kyc_portal::storage::BlobKey::from_stored(key), &staged).await.unwrap();

        let response = app.get(&format!("{path}/export")).await;
        assert_eq!(response.status(), 200, "the archive starts before the files are read");
        assert!(response.bytes().await.is_err(), "the download breaks off");
    }

    async fn an_erased_buyer_has_nothing_left_to_export(app) {
        let (seller, buyer, _, _) = buyer_with_documents(&app).await;
        let path = buyer_path(&seller, &buyer);
        let buyer_id = buyer["uuid"].as_str().unwrap();
        assert_eq!(app.post_json(&format!("{path}/end"), &json!({"reason": "Vertrag beendet"})).await.status(), 200);
        kyc_portal::erasure::erase_on_request(&app.db, &app.blobs, Actor::System, buyer_id, "Antrag der Person".into(), now())
            .await
            .unwrap();
        let problem = expect_problem(app.get(&format!("{path}/export")).await, 409).await;
        assert!(problem["detail"].as_str().unwrap().contains("erased"), "{problem}");
    }

    async fn staff_download_the_export_from_the_buyer_page(app) {
        let (_, buyer, _, sent) = buyer_with_documents(&app).await;
        let buyer_id = buyer["uuid"].as_str().unwrap();
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let overview = staff.page(&format!("/admin/buyers/{buyer_id}")).await;
        assert!(overview.contains(&format!("href=\"/admin/buyers/{buyer_id}/export\"")), "{overview}");

        let response = staff.get(&format!("/admin/buyers/{buyer_id}/export")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/zip");
        let (dir, names) = unzip(&response.bytes().await.unwrap());
        assert_eq!(names.iter().filter(|n| n.starts_with("documents/")).count(), sent.len(), "{names:?}");
        let history = std::fs::read_to_string(dir.path().join("out").join("history.txt")).unwrap();
        assert!(history.contains("uploaded"), "the staff member's language (English): {history}");

        let page = staff.page(&format!("/admin/buyers/{buyer_id}/history")).await;
        assert!(page.contains("kim@marketplace.example exported the buyer"), "{page}");
    }
}

async fn on_s3(backend: Backend) {
    if let Some(app) = crate::storage_s3::app_on_s3(backend).await {
        the_export_holds_the_whole_record(&app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_streams_files_from_s3_on_sqlite() {
    on_s3(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_streams_files_from_s3_on_postgres() {
    on_s3(Backend::Postgres).await;
}
