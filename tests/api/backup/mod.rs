//! Backups taken while the portal serves and uploads go on, their verification and restore:
//! an installation as an operator runs it (the real binary, settings in its environment).

mod local;
mod postgres;
mod s3;
mod tampering;
mod templates;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::crash::start_server_with;
use crate::fixtures::pdf_with;
use crate::helpers::*;

/// One installation: a data folder, a database and the settings every command gets.
pub struct Install {
    pub dir: TempDir,
    pub database_url: String,
    pub env: Vec<(&'static str, String)>,
}

impl Install {
    /// A new installation on `backend`; None when it is unavailable here.
    pub async fn new(backend: Backend) -> Option<Install> {
        let dir = tempfile::tempdir().unwrap();
        let database_url = fresh_database(backend, &dir).await?;
        Some(Install {
            dir,
            database_url,
            env: Vec::new(),
        })
    }

    /// The same kind of installation with another, empty data folder and database: the
    /// "other machine" a backup is restored on.
    pub async fn elsewhere(&self, backend: Backend) -> Option<Install> {
        let mut other = Install::new(backend).await?;
        other.env = self.env.clone();
        Some(other)
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// `kyc-portal ARGS` with this installation's settings.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = crate::cli::portal();
        command
            .args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("KYC_PORTAL_DATA_DIR", self.dir.path())
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())));
        command
    }

    /// Runs `kyc-portal ARGS` to its end (off the async threads).
    pub async fn run(&self, args: &[&str]) -> Output {
        let mut command = self.command(args);
        tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap()
    }

    /// A new API token, made by the command line.
    pub async fn api_token(&self) -> String {
        let output = self
            .run(&["create-api-token", "--name", "backup-test"])
            .await;
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }

    /// `kyc-portal serve` on a free port.
    pub fn serve(&self) -> Server {
        let env: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (child, port) = start_server_with(self.dir.path(), &self.database_url, &env);
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// The ids of the documents in the database, read directly.
    pub async fn document_ids(&self) -> Vec<String> {
        let db = kyc_portal::db::Db::connect(&self.database_url)
            .await
            .unwrap();
        let ids = sqlx::query_scalar("SELECT id FROM documents ORDER BY id")
            .fetch_all(db.pool())
            .await
            .unwrap();
        db.close().await;
        ids
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A running `serve`; killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// A seller and a buyer, made through the API; the buyer's documents URL.
    pub async fn buyer_documents_url(&self, token: &str) -> String {
        let client = reqwest::Client::new();
        let seller: Value = client
            .post(format!("{}/v1/partners", self.base))
            .bearer_auth(token)
            .json(&json!({"name": "Backup Seller GmbH"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let seller = seller["uuid"].as_str().unwrap().to_owned();
        let buyer: Value = client
            .post(format!("{}{}", self.base, buyers_path(&seller)))
            .bearer_auth(token)
            .json(&reference_buyer())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        format!("{}{}/kyc/documents", self.base, buyer_path(&seller, &buyer))
    }

    /// A document's bytes as the API serves them.
    pub async fn download(&self, token: &str, id: &str) -> Vec<u8> {
        let response = reqwest::Client::new()
            .get(format!("{}/v1/documents/{id}/content", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "document {id}");
        response.bytes().await.unwrap().to_vec()
    }
}

/// An upload the portal acknowledged (201), with when it was sent and answered.
#[derive(Clone)]
pub struct Acked {
    pub id: String,
    pub bytes: Vec<u8>,
    pub started: Instant,
    pub acked: Instant,
}

/// Uploads sent one after the other by a few clients until stopped.
pub struct UploadStream {
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<Acked>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl UploadStream {
    /// Starts `clients` clients uploading distinct PDFs of 20 to 200 KB to `url`.
    pub fn start(url: &str, token: &str, clients: usize) -> UploadStream {
        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(Mutex::new(Vec::new()));
        let counter = Arc::new(AtomicUsize::new(0));
        let tasks = (0..clients)
            .map(|_| {
                let (stop, acked, counter) = (stop.clone(), acked.clone(), counter.clone());
                let (url, token) = (url.to_owned(), token.to_owned());
                tokio::spawn(async move {
                    let client = reqwest::Client::new();
                    while !stop.load(Ordering::SeqCst) {
                        let n = counter.fetch_add(1, Ordering::SeqCst);
                        let bytes = pdf_with(
                            &format!("upload {n} {}", uuid::Uuid::new_v4()),
                            "",
                            20_000 + (n % 10) * 20_000,
                        );
                        let form = Form::new()
                            .text("type", "COC_EXTRACT")
                            .text("documentDate", "2026-01-15")
                            .part("file", Part::bytes(bytes.clone()).file_name("scan.pdf"));
                        let started = Instant::now();
                        let response = client
                            .post(&url)
                            .bearer_auth(&token)
                            .multipart(form)
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(response.status(), 201, "an upload during the backup");
                        let body: Value = response.json().await.unwrap();
                        acked.lock().unwrap().push(Acked {
                            id: body["uuid"].as_str().unwrap().to_owned(),
                            bytes,
                            started,
                            acked: Instant::now(),
                        });
                    }
                })
            })
            .collect();
        UploadStream { stop, acked, tasks }
    }

    /// Waits until `count` uploads that started after `since` were acknowledged.
    pub async fn wait_for(&self, count: usize, since: Instant) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let done = self
                .acked
                .lock()
                .unwrap()
                .iter()
                .filter(|a| a.started > since)
                .count();
            if done >= count {
                return;
            }
            assert!(Instant::now() < deadline, "uploads stalled");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the clients and returns every acknowledged upload.
    pub async fn stop(self) -> Vec<Acked> {
        self.stop.store(true, Ordering::SeqCst);
        for task in self.tasks {
            task.await.unwrap();
        }
        Arc::try_unwrap(self.acked)
            .ok()
            .unwrap()
            .into_inner()
            .unwrap()
    }
}

/// A backup folder in its own temporary folder.
pub fn backup_folder() -> (TempDir, PathBuf) {
    let parent = tempfile::tempdir().unwrap();
    let folder = parent.path().join("backup");
    (parent, folder)
}

/// The backup holds exactly what had committed when it began: every upload acknowledged
/// before `began` is restored, none sent after `ended` is, nothing else is there, and each
/// restored document downloads byte for byte as it was sent.
pub async fn assert_restored_as_acknowledged(
    restored: &Install,
    server: &Server,
    token: &str,
    acked: &[Acked],
    began: Instant,
    ended: Instant,
) {
    let ids = restored.document_ids().await;
    for upload in acked.iter().filter(|a| a.acked < began) {
        assert!(
            ids.contains(&upload.id),
            "acknowledged before the backup began, so it is in it"
        );
    }
    for upload in acked.iter().filter(|a| a.started > ended) {
        assert!(
            !ids.contains(&upload.id),
            "sent after the backup ended, so not in it"
        );
    }
    assert!(
        acked.iter().any(|a| a.started > ended),
        "uploads went on after the backup"
    );
    for id in &ids {
        let sent = acked
            .iter()
            .find(|a| &a.id == id)
            .unwrap_or_else(|| panic!("restored document {id} was never acknowledged"));
        assert!(
            server.download(token, id).await == sent.bytes,
            "document {id} downloads as it was sent"
        );
    }
}

/// The mode bits of a path.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
