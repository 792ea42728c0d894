//! Test harness: a portal started in-process on port 0 with a fresh database per test, on
//! SQLite or on PostgreSQL (a new database on the server named by `KYC_TEST_POSTGRES_URL`).

use std::io::Write;
use std::time::Duration;

use kyc_portal::db::Db;
use kyc_portal::jobs::{Backoff, WorkerOptions};
use kyc_portal::kyc::vies::ViesOptions;
use kyc_portal::webhooks::DeliveryOptions;
use kyc_portal::{Application, RunOptions, Settings, api_tokens};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};
use tempfile::TempDir;

/// Runs `work` as one change by the portal itself and commits it (arranging a test's state
/// through the domain, as a background job would).
pub async fn as_system<T>(
    db: &Db,
    work: impl AsyncFnOnce(&mut kyc_portal::write::WriteTx) -> Result<T, kyc_portal::errors::Error>,
) -> T {
    kyc_portal::write::apply(db, kyc_portal::audit::Actor::System, work)
        .await
        .expect("the change commits")
}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Prints past the test harness's output capture, so skips are visible in a plain `cargo test`.
/// Now in the organisation's default time zone (Europe/Berlin), as staff pages and emails
/// show times: near midnight its date is not the UTC date.
pub fn now_in_berlin() -> chrono::DateTime<chrono_tz::Tz> {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Berlin)
}

pub fn announce(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// Whether `command` runs here (a tool the test needs); a missing one is SKIPPED, or fails
/// the test under `KYC_TEST_REQUIRE_ALL=1` (as in `.ci/run`).
pub fn tool_available(what: &str, command: &[&str], install: &str) -> bool {
    let (program, args) = command.split_first().expect("a command");
    let available = std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        if std::env::var("KYC_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
            panic!("KYC_TEST_REQUIRE_ALL=1 but {what} is missing ({install})");
        }
        announce(&format!("SKIPPED ({what}): {install} to run this test"));
    }
    available
}

/// Runs a Python script with `input` as JSON on its stdin.
pub fn run_python(script: &str, input: &Value) -> std::process::Output {
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.to_string().as_bytes())
        .expect("script input");
    child.wait_with_output().expect("script output")
}

/// A database URL for a fresh, empty database, or None when the backend is unavailable here
/// (which fails the test when `KYC_TEST_REQUIRE_ALL=1`, as in `.ci/run`).
pub async fn fresh_database(backend: Backend, dir: &TempDir) -> Option<String> {
    match backend {
        Backend::Sqlite => Some(format!("sqlite://{}/kyc-portal.db", dir.path().display())),
        Backend::Postgres => {
            let Ok(admin_url) = std::env::var("KYC_TEST_POSTGRES_URL") else {
                if std::env::var("KYC_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
                    panic!("KYC_TEST_REQUIRE_ALL=1 but KYC_TEST_POSTGRES_URL is not set");
                }
                announce(
                    "SKIPPED (PostgreSQL): set KYC_TEST_POSTGRES_URL to run this test on PostgreSQL too",
                );
                return None;
            };
            let name = format!("kyc_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Db::connect(&admin_url)
                .await
                .expect("PostgreSQL admin connection");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(admin.pool())
                .await
                .expect("create test database");
            admin.close().await;
            let (base, _) = admin_url
                .rsplit_once('/')
                .expect("URL with a database name");
            Some(format!("{base}/{name}"))
        }
    }
}

/// Where the suite's server log goes (`.ci/run` greps it for issued tokens afterwards).
pub fn suite_log_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("suite.log")
}

/// Where every issued invitation token is noted, for that grep.
pub fn issued_tokens_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("issued-tokens.txt")
}

/// Sends the log of every portal the suite starts to `suite_log_path()`, at debug level.
fn init_suite_log() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(suite_log_path())
            .expect("suite log");
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "debug,sqlx=info,hyper=info,h2=info,rustls=info",
            ))
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(file))
            .try_init();
    });
}

/// Notes the token of an invitation link the suite was given.
pub fn note_issued_link(link: &str) {
    let token = link.rsplit('/').next().expect("token");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(issued_tokens_path())
        .expect("token list");
    // One write per line: tests note tokens at the same time, and `writeln!` may write the
    // token and its newline separately, which interleaves two tokens on one line.
    file.write_all(format!("{token}\n").as_bytes())
        .expect("note token");
}

/// Short worker timings so tests see jobs run promptly.
pub fn quick_worker() -> WorkerOptions {
    WorkerOptions {
        lease: Duration::from_secs(30),
        idle_poll: Duration::from_millis(50),
        backoff: Backoff {
            base: Duration::from_millis(50),
            max: Duration::from_millis(500),
        },
    }
}

/// A running portal and an API client holding a token.
pub struct TestApp {
    pub address: String,
    pub db: Db,
    pub token: String,
    pub client: reqwest::Client,
    /// The document store the portal writes to.
    #[allow(dead_code)]
    pub blobs: std::sync::Arc<kyc_portal::storage::BlobStore>,
    /// The data dir; removed when the test ends.
    #[allow(dead_code)]
    pub dir: TempDir,
}

impl TestApp {
    /// Starts a portal on `backend`; None when the backend is unavailable (the test then ends).
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        TestApp::spawn_with(backend, |_| {}).await
    }

    /// Like `spawn`, with settings adjusted by `adjust`.
    pub async fn spawn_with(
        backend: Backend,
        adjust: impl FnOnce(&mut Settings),
    ) -> Option<TestApp> {
        TestApp::spawn_with_options(backend, adjust, |_| {}).await
    }

    /// Like `spawn`, with settings and run options adjusted.
    pub async fn spawn_with_options(
        backend: Backend,
        adjust: impl FnOnce(&mut Settings),
        adjust_options: impl FnOnce(&mut RunOptions),
    ) -> Option<TestApp> {
        init_suite_log();
        let dir = tempfile::tempdir().expect("temp dir");
        let url = fresh_database(backend, &dir).await?;
        let mut settings = Settings::for_data_dir(&url, dir.path());
        // The suite's webhook receivers listen on loopback; the tests of the network
        // policy itself turn this off again.
        settings.webhook_allow_private_networks = true;
        adjust(&mut settings);
        let mut options = RunOptions {
            worker: quick_worker(),
            run_worker: true,
            vies: ViesOptions {
                timeout: Duration::from_millis(500),
                max_attempts: 3,
            },
            webhooks: DeliveryOptions {
                timeout: Duration::from_millis(500),
                max_attempts: 3,
            },
            provider_timeout: Duration::from_secs(5),
            password_hashing: Default::default(),
            previews: Default::default(),
        };
        adjust_options(&mut options);
        let app = Application::build(settings, options)
            .await
            .expect("portal starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let db = app.db().clone();
        let blobs = app.blobs().clone();
        tokio::spawn(app.run_until_stopped());
        let token = api_tokens::create(&db, "test-seller-system")
            .await
            .expect("token")
            .token;
        Some(TestApp {
            address,
            db,
            token,
            client: reqwest::Client::new(),
            blobs,
            dir,
        })
    }

    /// Has PostgreSQL end every other connection to this portal's database, as a restart or
    /// failover does; how many it ended.
    pub async fn cut_database_connections(&self) -> usize {
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_all(self.db.pool())
        .await
        .unwrap()
        .len()
    }

    /// A request to `path` with the API token.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.address, path))
            .bearer_auth(&self.token)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path)
            .send()
            .await
            .expect("request")
    }

    /// A counter of `/metrics` (0 when it is not there yet).
    pub async fn metric(&self, name: &str) -> f64 {
        let text = self
            .client
            .get(format!("{}/metrics", self.address))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text");
        text.lines()
            .filter(|line| !line.starts_with('#'))
            .find_map(|line| {
                line.strip_prefix(name)?
                    .strip_prefix(' ')?
                    .trim()
                    .parse()
                    .ok()
            })
            .unwrap_or(0.0)
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.request(Method::POST, path)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json_with_key(&self, path: &str, body: &Value, key: &str) -> Response {
        self.request(Method::POST, path)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch_json(&self, path: &str, body: &Value) -> Response {
        self.request(Method::PATCH, path)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Creates a seller and returns its id.
    pub async fn create_seller(&self) -> String {
        let response = self
            .post_json("/v1/partners", &json!({"name": "AutoMarkt Seller GmbH"}))
            .await;
        assert_eq!(response.status(), 201);
        body_json(response).await["uuid"]
            .as_str()
            .expect("uuid")
            .to_owned()
    }

    /// Creates the reference guide's buyer for a new seller; returns (seller id, buyer).
    pub async fn create_buyer(&self) -> (String, Value) {
        let seller = self.create_seller().await;
        let response = self
            .post_json(&buyers_path(&seller), &reference_buyer())
            .await;
        assert_eq!(response.status(), 201);
        (seller, body_json(response).await)
    }
}

pub fn buyers_path(seller: &str) -> String {
    format!("/v1/partners/{seller}/buyers")
}

pub fn buyer_path(seller: &str, buyer: &Value) -> String {
    format!(
        "/v1/partners/{seller}/buyers/{}",
        buyer["uuid"].as_str().expect("buyer uuid")
    )
}

/// The buyer of the reference guide's upsert example.
pub fn reference_buyer() -> Value {
    json!({
        "kycMode": "MARKETPLACE_LED",
        "vatNumber": "DE123456789",
        "companyName": "AutoHandel Mustermann GmbH",
        "address": {
            "street": "Hauptstraße 42",
            "postCode": "10115",
            "city": "Berlin",
            "country": "DE"
        },
        "contacts": [
            { "firstName": "Erika", "lastName": "Mustermann", "email": "erika@autohandel-mustermann.de" }
        ]
    })
}

pub async fn body_json(response: Response) -> Value {
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts a problem+json response with `status` and returns its document.
pub async fn expect_problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let problem = body_json(response).await;
    assert_eq!(problem["status"], status);
    assert!(
        problem["type"].is_string()
            && problem["title"].is_string()
            && problem["detail"].is_string()
    );
    problem
}

/// The fields a 422 problem names.
pub fn problem_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs the test body once on SQLite and once on PostgreSQL, as `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let Some($app) = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await else { return };
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await else { return };
                $body
            }
        }
    )*};
}

/// The tests `sqlite` and `postgres` of a module whose `async fn run(backend)` sets up the
/// portal with what the test needs and runs its body: the shape of every `with_…` macro.
#[macro_export]
macro_rules! tests_of_run_on_both_backends {
    () => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn sqlite() {
            run($crate::helpers::Backend::Sqlite).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn postgres() {
            run($crate::helpers::Backend::Postgres).await
        }
    };
}

/// Like `on_both_backends!`, with the portal sending its email to the suite's SMTP sink; the
/// body also gets the sink's maildir. Ends the test when no sink is available.
#[macro_export]
macro_rules! with_smtp_on_both_backends {
    ($(async fn $name:ident($app:ident, $maildir:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run(backend: $crate::helpers::Backend) {
                let Some((smtp_url, $maildir)) = $crate::invitations::smtp_sink() else { return };
                let Some($app) = $crate::helpers::TestApp::spawn_with(backend, |s| s.smtp_url = Some(smtp_url.into())).await else { return };
                $body
            }
            $crate::tests_of_run_on_both_backends!();
        }
    )*};
}
