//! Killing the server (SIGKILL) while uploads are in flight loses nothing that was confirmed
//! and leaves nothing dangling: every document row has its blob, and the sweep removes orphans.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use futures_util::StreamExt;
use kyc_portal::db::Db;
use kyc_portal::documents;
use kyc_portal::pagination::Page;
use kyc_portal::storage::{BlobKey, BlobStore};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::fixtures::*;
use crate::helpers::*;

/// A `kyc-portal serve` process on a free port, and that port.
pub fn start_server(dir: &Path, database_url: &str) -> (Child, u16) {
    start_server_with(dir, database_url, &[])
}

/// Like `start_server`, with more settings in its environment.
pub fn start_server_with(dir: &Path, database_url: &str, env: &[(&str, &str)]) -> (Child, u16) {
    let (child, port, _) = start_server_logged(dir, database_url, env);
    (child, port)
}

/// Like `start_server_with`, and the lines it writes to its log as they come.
pub fn start_server_logged(
    dir: &Path,
    database_url: &str,
    env: &[(&str, &str)],
) -> (Child, u16, Arc<Mutex<Vec<String>>>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kyc-portal"))
        .arg("serve")
        .envs(env.iter().copied())
        .env("DATABASE_URL", database_url)
        .env("KYC_PORTAL_BIND", "127.0.0.1:0")
        .env("KYC_PORTAL_DATA_DIR", dir)
        // The tests' webhook receivers listen on loopback.
        .env("KYC_PORTAL_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (found, port) = mpsc::channel();
    let log = Arc::new(Mutex::new(Vec::new()));
    let written = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            written.lock().unwrap().push(line.clone());
            if let Some(rest) = line
                .split("port=")
                .nth(1)
                .filter(|_| line.contains("listening"))
            {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let _ = found.send(digits.parse::<u16>().unwrap());
            }
        }
    });
    let port = port
        .recv_timeout(Duration::from_secs(30))
        .expect("server started");
    (child, port, log)
}

fn upload_form(bytes: Vec<u8>) -> Form {
    Form::new()
        .text("type", "COC_EXTRACT")
        .text("documentDate", "2026-01-15")
        .part("file", Part::bytes(bytes).file_name("scan.pdf"))
}

/// A form whose file arrives slowly, so the upload is still running when the server dies.
fn slow_upload_form(bytes: Vec<u8>) -> Form {
    let length = bytes.len() as u64;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        bytes.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    let stream = futures_util::stream::iter(chunks).then(|chunk| async move {
        tokio::time::sleep(Duration::from_millis(40)).await;
        chunk
    });
    Form::new()
        .text("type", "BANK_STATEMENT")
        .text("documentDate", "2026-01-15")
        .part(
            "file",
            Part::stream_with_length(reqwest::Body::wrap_stream(stream), length)
                .file_name("slow.pdf"),
        )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_leaves_every_document_with_its_blob_and_the_sweep_clears_orphans() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/kyc-portal.db", dir.path().display());
    let token_output = Command::new(env!("CARGO_BIN_EXE_kyc-portal"))
        .args(["create-api-token", "--name", "crash-test"])
        .env("DATABASE_URL", &database_url)
        .output()
        .unwrap();
    let token = String::from_utf8(token_output.stdout)
        .unwrap()
        .trim()
        .to_owned();
    let client = reqwest::Client::new();

    let (mut server, port) = start_server(dir.path(), &database_url);
    let base = format!("http://127.0.0.1:{port}");
    let post_json = |path: String, body: Value| {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let seller = body_json(
        post_json("/v1/partners".into(), json!({"name": "Crash GmbH"}))
            .await
            .unwrap(),
    )
    .await;
    let seller = seller["uuid"].as_str().unwrap().to_owned();
    let buyer = body_json(
        post_json(buyers_path(&seller), reference_buyer())
            .await
            .unwrap(),
    )
    .await;
    let documents_url = format!("{base}{}/kyc/documents", buyer_path(&seller, &buyer));

    for _ in 0..2 {
        let done = client
            .post(&documents_url)
            .bearer_auth(&token)
            .multipart(upload_form(pdf_of_size(200_000)))
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), 201);
    }
    let in_flight: Vec<_> = (0..6)
        .map(|_| {
            let request = client
                .post(&documents_url)
                .bearer_auth(&token)
                .multipart(slow_upload_form(pdf_of_size(2 * 1024 * 1024)));
            tokio::spawn(request.send())
        })
        .collect();
    // Let the slow uploads get under way (the first chunks reach the staging folder), then kill.
    let staging = dir.path().join("documents").join(".staging");
    for _ in 0..200 {
        if std::fs::read_dir(&staging).map(|d| d.count()).unwrap_or(0) >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    for upload in in_flight {
        let outcome = upload.await.unwrap();
        assert!(
            outcome.map(|r| r.status() != 201).unwrap_or(true),
            "an upload cannot be confirmed by a dead server"
        );
    }

    // Restart: the half-received files are cleared and the portal works on.
    let (mut server, port) = start_server(dir.path(), &database_url);
    assert_eq!(std::fs::read_dir(&staging).unwrap().count(), 0);
    let documents_url = documents_url.replace(&base, &format!("http://127.0.0.1:{port}"));
    let after = client
        .post(&documents_url)
        .bearer_auth(&token)
        .multipart(upload_form(small_pdf()))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 201);
    server.kill().unwrap();
    server.wait().unwrap();

    let db = Db::connect(&database_url).await.unwrap();
    let blobs = BlobStore::open(&kyc_portal::Settings::for_data_dir(
        &database_url,
        dir.path(),
    ))
    .await
    .unwrap();
    let buyer_id = buyer["uuid"].as_str().unwrap();
    let (rows, _) = documents::list(&db, &seller, buyer_id, &Default::default(), &Page::first())
        .await
        .unwrap();
    assert_eq!(
        rows.len(),
        3,
        "the two confirmed uploads and the one after the restart"
    );
    for row in &rows {
        let (_, mut stream) = documents::open_content(
            &db,
            &blobs,
            &kyc_portal::access::SellerScope::Organisation,
            &row.uuid,
        )
        .await
        .unwrap();
        let mut hasher = Sha256::new();
        while let Some(chunk) = stream.next().await {
            hasher.update(chunk.unwrap());
        }
        assert_eq!(hex::encode(hasher.finalize()), row.sha256);
    }

    let orphan = dir.path().join("orphan.pdf");
    std::fs::write(&orphan, small_pdf()).unwrap();
    blobs
        .store(&BlobKey::for_document(&uuid::Uuid::new_v4()), &orphan)
        .await
        .unwrap();
    assert_eq!(
        documents::sweep_orphans(&db, &blobs, Duration::ZERO)
            .await
            .unwrap(),
        1
    );
    assert_eq!(blobs.list().await.unwrap().len(), 3);
}
