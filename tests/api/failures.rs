//! When what the portal depends on fails: the database restarts or stops, the S3 server stops,
//! the disk fills. Each is answered with a clear 503 (507 for a full disk) that says when to
//! retry, nothing half-done remains, `/readyz` says so meanwhile, and the portal recovers by
//! itself. Against real parts: a PostgreSQL cluster and a moto server owned by the test.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::crash::start_server_logged;
use crate::fixtures::*;
use crate::helpers::*;
use crate::on_both_backends;

/// A port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn require_or_skip(what: &str) -> bool {
    if std::env::var("KYC_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
        panic!("KYC_TEST_REQUIRE_ALL=1 but {what} is not available");
    }
    announce(&format!("SKIPPED: {what} is not available"));
    false
}

/// A PostgreSQL cluster of the test's own, in a temp folder on a free port, so that it can be
/// stopped and restarted without touching anyone else's databases.
struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl Cluster {
    fn start() -> Option<Cluster> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| {
                let mut found: Vec<PathBuf> = versions
                    .filter_map(Result::ok)
                    .map(|v| v.path().join("bin"))
                    .filter(|bin| bin.join("pg_ctl").exists())
                    .collect();
                found.sort();
                found.pop()
            });
        let Some(bin) = bin else {
            require_or_skip("PostgreSQL's initdb and pg_ctl (/usr/lib/postgresql/*/bin)");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        if running_as_root() {
            let chowned = Command::new("chown")
                .args(["postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(chowned.success(), "chown the cluster folder to postgres");
        }
        let cluster = Cluster {
            bin,
            dir,
            port: free_port(),
        };
        let data = cluster.data();
        cluster.run(&format!(
            "'{}' -D '{}' -U postgres --auth=trust -E UTF8 --no-locale",
            cluster.bin.join("initdb").display(),
            data.display()
        ));
        cluster.pg_ctl("-w start");
        Some(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `pg_ctl` with `action` (`-w start`, `-m fast -w restart`, `-m fast -w stop`).
    fn pg_ctl(&self, action: &str) {
        self.run(&format!(
            "'{}' -D '{}' -l '{}' -o \"-F -p {} -k '{}' -c listen_addresses=127.0.0.1\" {action}",
            self.bin.join("pg_ctl").display(),
            self.data().display(),
            self.dir.path().join("log").display(),
            self.port,
            self.dir.path().display(),
        ));
    }

    fn run(&self, command: &str) {
        let output = if running_as_root() {
            Command::new("su")
                .args(["postgres", "-c", command])
                .output()
                .unwrap()
        } else {
            Command::new("sh").args(["-c", command]).output().unwrap()
        };
        assert!(
            output.status.success(),
            "{command}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = std::panic::catch_unwind(|| self.pg_ctl("-m immediate stop"));
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A 503 says when to retry and, from the API, is problem+json.
async fn expect_unavailable(response: reqwest::Response) -> Value {
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    assert!(retry_after.is_some_and(|s| s > 0), "Retry-After on a 503");
    expect_problem(response, 503).await
}

/// Asks `/readyz` until it answers `status` (the watcher and the pool need a moment).
async fn wait_for_readiness(client: &reqwest::Client, base: &str, status: u16) {
    for _ in 0..300 {
        let answer = client.get(format!("{base}/readyz")).send().await;
        if answer.is_ok_and(|r| r.status() == status) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("/readyz never answered {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarting_database_gets_503s_with_retry_after_and_retried_writes_happen_once() {
    let Some(cluster) = Cluster::start() else {
        return;
    };
    let url = cluster.url();
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.database_url = url.clone().into();
        s.database_acquire_timeout_seconds = 1;
    })
    .await
    .unwrap();
    assert_eq!(app.get("/readyz").await.status(), 200);
    assert_eq!(app.get("/healthz").await.status(), 200);

    // Four writers, each creating partners under keys of its own until the restart is over; a
    // 503 is retried with the same Idempotency-Key (and a 409 "still in flight" too) until it
    // is created.
    let restarted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            let client = app.client.clone();
            let token = app.token.clone();
            let base = app.address.clone();
            let restarted = restarted.clone();
            tokio::spawn(async move {
                let mut unavailable = 0;
                let mut written = 0;
                for n in 0.. {
                    if restarted.load(std::sync::atomic::Ordering::SeqCst) {
                        break;
                    }
                    written = n + 1;
                    let key = format!("writer-{writer}-{n}");
                    loop {
                        let response = client
                            .post(format!("{base}/v1/partners"))
                            .bearer_auth(&token)
                            .header("Idempotency-Key", &key)
                            .json(&json!({ "name": key }))
                            .send()
                            .await
                            .unwrap();
                        match response.status().as_u16() {
                            201 => break,
                            503 => {
                                unavailable += 1;
                                expect_unavailable(response).await;
                            }
                            409 => {}
                            other => panic!(
                                "a write during a restart answered {other}: {}",
                                response.text().await.unwrap_or_default()
                            ),
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
                (written, unavailable)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    cluster.pg_ctl("-m fast -w restart");
    tokio::time::sleep(Duration::from_millis(500)).await;
    restarted.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut refused = 0;
    let mut written = Vec::new();
    for writer in writers {
        let (count, unavailable) = writer.await.unwrap();
        written.push(count);
        refused += unavailable;
    }
    // A restart the pool rides out within its acquire timeout refuses nothing; whatever it
    // caught was a 503 (the writers panic on anything else), and the stop below refuses for sure.
    announce(&format!("the restart refused {refused} writes with 503"));
    for (writer, count) in written.into_iter().enumerate() {
        for n in 0..count {
            let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM partners WHERE name = $1")
                .bind(format!("writer-{writer}-{n}"))
                .fetch_one(app.db.pool())
                .await
                .unwrap();
            assert_eq!(count, 1, "writer-{writer}-{n} was created exactly once");
        }
    }

    // Stopped: the API answers 503 problem+json with Retry-After, a page a localised 503
    // page, /readyz 503 (/healthz is about the process, and unchanged).
    cluster.pg_ctl("-m fast -w stop");
    let refused = app
        .post_json("/v1/partners", &json!({"name": "while down"}))
        .await;
    let problem = expect_unavailable(refused).await;
    assert_eq!(problem["type"], "/problems/unavailable");
    let page = app
        .client
        .get(format!("{}/kyc/{}", app.address, "a".repeat(43)))
        .header("Accept-Language", "de")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 503);
    assert!(page.headers().contains_key("retry-after"));
    let text = page.text().await.unwrap();
    assert!(text.contains("Vorübergehend nicht verfügbar"), "{text}");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    assert!(ready.headers().contains_key("retry-after"));
    assert!(ready.text().await.unwrap().contains("database"));
    assert!(
        app.metric("http_unavailable_total{cause=\"database\"}")
            .await
            >= 2.0
    );

    // Back: without restarting the portal.
    cluster.pg_ctl("-w start");
    wait_for_readiness(&app.client, &app.address, 200).await;
    let created = app
        .post_json("/v1/partners", &json!({"name": "after"}))
        .await;
    assert_eq!(created.status(), 201);
    // The worker, refused while the database was stopped, takes up jobs again by itself: an
    // invitation's email is written.
    let (seller, buyer) = app.create_buyer().await;
    app.invite(
        &seller,
        &buyer,
        json!({"recipientEmail": "after@example.com", "language": "en"}),
    )
    .await;
    let outbox = app.dir.path().join("outbox");
    for _ in 0..300 {
        if std::fs::read_dir(&outbox).is_ok_and(|files| {
            files
                .flatten()
                .any(|file| file.path().extension().is_some_and(|x| x == "eml"))
        }) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the worker did not resume: no invitation email was written");
}

fn upload_form(bytes: Vec<u8>) -> Form {
    Form::new()
        .text("type", "COC_EXTRACT")
        .text("documentDate", "2026-01-15")
        .part("file", Part::bytes(bytes).file_name("scan.pdf"))
}

/// How many files wait in a staging folder.
fn staged(folder: &Path) -> usize {
    std::fs::read_dir(folder).map(|d| d.count()).unwrap_or(0)
}

on_both_backends! {
    async fn a_full_disk_answers_507_keeps_nothing_and_serves_reads(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = format!("{}/kyc/documents", buyer_path(&seller, &buyer));
        let upload = |bytes| app.request(reqwest::Method::POST, &path).multipart(upload_form(bytes)).send();
        let first: Value = body_json(upload(small_pdf()).await.unwrap()).await;
        let first_id = first["uuid"].as_str().unwrap().to_owned();
        let staging = app.blobs.staging_dir().to_owned();

        app.blobs.simulate_full_disk(true);
        let full = upload(pdf_of_size(100_000)).await.unwrap();
        let problem = expect_problem(full, 507).await;
        assert_eq!(problem["type"], "/problems/insufficient-storage");
        assert_eq!(staged(&staging), 0, "the staged file is removed");
        assert_eq!(app.blobs.inventory().await.unwrap().len(), 1, "no blob was kept");
        let listed: Value = body_json(app.get(&format!("{}/kyc/documents", buyer_path(&seller, &buyer))).await).await;
        assert_eq!(listed["items"].as_array().map(Vec::len), Some(1), "no row: {listed}");
        let read = app.get(&format!("/v1/documents/{first_id}/content")).await;
        assert_eq!(read.status(), 200, "reads are still served");
        assert_eq!(app.get("/readyz").await.status(), 200);

        // From the buyer's page: the page again, 507, saying so in the buyer's language.
        let (_, _, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com", "language": "de"})).await;
        let browser = crate::portal::browser();
        let page = app.open_link(&browser, &invitation).await.text().await.unwrap();
        let refused = browser
            .post(format!("{}/kyc/documents", app.address))
            .multipart(crate::portal::upload_form(&crate::portal::csrf_of(&page), "COC_EXTRACT", "2026-01-15", "scan.pdf", small_pdf()))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 507);
        assert!(refused.text().await.unwrap().contains("Es ist kein Speicherplatz mehr frei"));
        assert_eq!(staged(&staging), 0, "the staged file is removed");

        // From a staff page: the form again, 507, with the reason.
        let id = buyer["uuid"].as_str().unwrap();
        let mut kim = app.signed_in("kim@marketplace.example", kyc_portal::staff::StaffRole::Staff).await;
        kim.page(&format!("/admin/buyers/{id}/documents")).await;
        let refused = kim.upload(&format!("/admin/buyers/{id}/documents"), "COC_EXTRACT", "2026-01-15", "a.pdf", small_pdf()).await;
        assert_eq!(refused.status(), 507);
        assert!(refused.text().await.unwrap().contains("There is no storage space left"));
        assert_eq!(staged(&staging), 0, "the staged file is removed");

        app.blobs.simulate_full_disk(false);
        assert_eq!(upload(small_pdf()).await.unwrap().status(), 201);
    }
}

/// A moto S3 server of the test's own on a free port.
struct S3Server {
    child: Child,
    port: u16,
}

impl S3Server {
    async fn start(port: u16) -> S3Server {
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = S3Server { child, port };
        for _ in 0..200 {
            if reqwest::get(server.endpoint()).await.is_ok() {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("moto did not start");
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn stop(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn create_bucket(endpoint: &str, bucket: &str) {
    let created = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success(), "create bucket");
}

async fn an_unreachable_store_answers_503_keeps_nothing_and_recovers(backend: Backend) {
    let moto = Command::new("python3")
        .args(["-c", "import moto.server"])
        .status()
        .is_ok_and(|s| s.success());
    if !moto && !require_or_skip("moto (python3 -m moto.server)") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(database_url) = fresh_database(backend, &dir).await else {
        return;
    };
    let port = free_port();
    let s3 = S3Server::start(port).await;
    let bucket = "kyc-failures";
    create_bucket(&s3.endpoint(), bucket).await;
    let token_output = Command::new(env!("CARGO_BIN_EXE_kyc-portal"))
        .args(["create-api-token", "--name", "store-test"])
        .env("DATABASE_URL", &database_url)
        .output()
        .unwrap();
    let token = String::from_utf8(token_output.stdout)
        .unwrap()
        .trim()
        .to_owned();
    let endpoint = s3.endpoint();
    let storage_url = format!("s3://{bucket}");
    let (mut server, portal_port, log) = start_server_logged(
        dir.path(),
        &database_url,
        &[
            ("AWS_ENDPOINT", &endpoint),
            ("KYC_PORTAL_STORAGE_URL", &storage_url),
        ],
    );
    let base = format!("http://127.0.0.1:{portal_port}");
    let client = reqwest::Client::new();
    let seller = body_json(
        client
            .post(format!("{base}/v1/partners"))
            .bearer_auth(&token)
            .json(&json!({"name": "Store GmbH"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let seller = seller["uuid"].as_str().expect("seller made").to_owned();
    let buyer = body_json(
        client
            .post(format!("{base}{}", buyers_path(&seller)))
            .bearer_auth(&token)
            .json(&reference_buyer())
            .send()
            .await
            .unwrap(),
    )
    .await;
    let documents = format!("{base}{}/kyc/documents", buyer_path(&seller, &buyer));
    let upload = || {
        client
            .post(&documents)
            .bearer_auth(&token)
            .multipart(upload_form(pdf_of_size(300_000)))
            .send()
    };
    let count = || async {
        let listed = body_json(
            client
                .get(&documents)
                .bearer_auth(&token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        listed["items"].as_array().map_or(0, Vec::len)
    };
    let first = body_json(upload().await.unwrap()).await;
    let first_id = first["uuid"]
        .as_str()
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    let staging = dir.path().join("staging");

    // Stopped while uploads run: each is either kept whole (201) or refused (503).
    let running: Vec<_> = (0..4).map(|_| tokio::spawn(upload())).collect();
    s3.stop();
    let mut kept = 1;
    for outcome in running {
        let response = outcome.await.unwrap().unwrap();
        match response.status().as_u16() {
            201 => kept += 1,
            503 => {
                expect_unavailable(response).await;
            }
            other => panic!("an upload while the store stopped answered {other}"),
        }
    }
    let refused = upload().await.unwrap();
    let problem = expect_unavailable(refused).await;
    assert_eq!(problem["type"], "/problems/unavailable");
    assert_eq!(count().await, kept, "no row for a refused upload");
    assert_eq!(staged(&staging), 0, "no staged file left behind");
    let download = client
        .get(format!("{base}/v1/documents/{first_id}/content"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    expect_unavailable(download).await;
    wait_for_readiness(&client, &base, 503).await;

    // Back on the same port (an empty moto: the bucket is made again), without a restart of
    // the portal.
    let s3 = S3Server::start(port).await;
    create_bucket(&s3.endpoint(), bucket).await;
    wait_for_readiness(&client, &base, 200).await;
    let again = upload().await.unwrap();
    assert_eq!(again.status(), 201);
    let again = body_json(again).await;
    let download = client
        .get(format!(
            "{base}/v1/documents/{}/content",
            again["uuid"].as_str().unwrap()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("http_unavailable_total{cause=\"store\"}"),
        "{metrics}"
    );
    // Said once that it was gone and once that it was back, not once per refused request.
    let said = |what: &str| {
        log.lock()
            .unwrap()
            .iter()
            .filter(|line| line.contains(what))
            .count()
    };
    // Once for the outage; a second time at most for the moment the empty moto is back before
    // its bucket is made again, which the readiness probe may see. Each said once both ways,
    // and far fewer times than requests were refused.
    // The watcher probes every second: give it a few to say the last "back".
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while said("store available again") < said("store unavailable;")
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (gone, back) = (said("store unavailable;"), said("store available again"));
    assert!((1..=2).contains(&gone), "{:#?}", log.lock().unwrap());
    assert_eq!(back, gone, "{:#?}", log.lock().unwrap());
    assert!(said("status=503") > gone, "{:#?}", log.lock().unwrap());
    server.kill().unwrap();
    server.wait().unwrap();
}

mod an_unreachable_store_answers_503_keeps_nothing_and_recovers {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        an_unreachable_store_answers_503_keeps_nothing_and_recovers(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        an_unreachable_store_answers_503_keeps_nothing_and_recovers(Backend::Postgres).await;
    }
}

/// Every connection of the pool taken (by the test): a request waits the configured second for
/// one, then is answered 503 rather than queued further; freed, it works again.
async fn a_full_pool_answers_503_after_the_acquire_timeout(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.database_acquire_timeout_seconds = 1).await
    else {
        return;
    };
    let pool = app.db.pool().clone();
    let max = pool.options().get_max_connections() as usize;
    let mut held = Vec::new();
    while held.len() < max {
        if let Ok(connection) = pool.acquire().await {
            held.push(connection);
        }
    }
    let refused = app
        .post_json("/v1/partners", &json!({"name": "Voll GmbH"}))
        .await;
    let problem = expect_unavailable(refused).await;
    assert_eq!(problem["type"], "/problems/unavailable");
    drop(held);
    let created = app
        .post_json("/v1/partners", &json!({"name": "Frei GmbH"}))
        .await;
    assert_eq!(created.status(), 201);
}

mod a_full_pool_answers_503_after_the_acquire_timeout {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        a_full_pool_answers_503_after_the_acquire_timeout(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        a_full_pool_answers_503_after_the_acquire_timeout(Backend::Postgres).await;
    }
}

/// The buyer's page reads through connections it keeps without the pool's test on return. When
/// the server has cut them, a view fails (503, never 500) and every kept connection is dropped:
/// no cut connection is tried twice, so the 503s are at most as many as the connections cut
/// (the pool's own fail once each too), and then the page is back for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_buyers_page_drops_connections_the_server_cut_and_comes_back() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let (_, _, invitation) = app
        .invited_buyer(json!({"recipientEmail": "a@example.com", "language": "de"}))
        .await;
    let browser = crate::portal::browser();
    assert_eq!(app.open_link(&browser, &invitation).await.status(), 200);
    // Rendered, not kept in memory: the page reads the database at each view.
    let page = format!("{}/kyc?received=none", app.address);
    for _ in 0..4 {
        assert_eq!(browser.get(&page).send().await.unwrap().status(), 200);
    }
    let cut = app.cut_database_connections().await;
    assert!(cut > 0, "the page's connections were open");
    let (mut refused, mut served_in_a_row) = (0, 0);
    while served_in_a_row < 8 {
        let response = browser.get(&page).send().await.unwrap();
        match response.status().as_u16() {
            200 => served_in_a_row += 1,
            503 => {
                assert!(response.headers().contains_key("retry-after"));
                (refused, served_in_a_row) = (refused + 1, 0);
                assert!(refused <= cut, "a cut connection was tried again");
            }
            other => panic!("a view after the cut answered {other}"),
        }
    }
    announce(&format!(
        "cutting {cut} connections refused {refused} views with 503"
    ));
}
