//! Killing the server (SIGKILL) between a change and its webhook delivery loses no event: after
//! a restart every event is delivered, signed, with the id it was recorded with.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use kyc_portal::buyers;
use kyc_portal::db::{Db, now};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::crash::start_server;
use crate::helpers::*;
use crate::stubs::*;

/// Answers 500 until told to accept, then 200.
struct Receiver(Arc<AtomicBool>);

impl Respond for Receiver {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        ResponseTemplate::new(if self.0.load(Ordering::SeqCst) {
            200
        } else {
            500
        })
    }
}

/// Waits until every job has run at least once and none is running or due within a second,
/// so that a kill now lands between attempts, not inside one.
async fn await_quiet_queue(db: &Db, deliver_jobs: i64) {
    eventually("every delivery failed once and waits for its retry", || async {
        let soon = now().millis() + 1000;
        let busy: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = 'running' OR (status = 'queued' AND run_at < $1)")
            .bind(soon)
            .fetch_one(db.pool())
            .await
            .unwrap();
        let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = 'webhooks.deliver' AND status = 'queued' AND attempts = 1")
            .fetch_one(db.pool())
            .await
            .unwrap();
        (busy == 0 && waiting == deliver_jobs).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_between_a_change_and_its_delivery_delivers_it_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/kyc-portal.db", dir.path().display());
    let token = Command::new(env!("CARGO_BIN_EXE_kyc-portal"))
        .args(["create-api-token", "--name", "crash-test"])
        .env("DATABASE_URL", &database_url)
        .output()
        .unwrap();
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    let accepting = Arc::new(AtomicBool::new(false));
    let receiver = MockServer::start().await;
    Mock::given(wiremock::matchers::method("POST"))
        .respond_with(Receiver(accepting.clone()))
        .mount(&receiver)
        .await;
    let client = reqwest::Client::new();
    let (mut server, port) = start_server(dir.path(), &database_url);
    let base = format!("http://127.0.0.1:{port}");
    let post = |path: String, body: Value| {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let endpoint = body_json(post("/v1/webhook-endpoints".into(), json!({"url": receiver.uri(), "events": ["buyer.blocked", "buyer.unblocked", "kyc.status_changed"]})).await.unwrap()).await;
    let seller = body_json(
        post("/v1/partners".into(), json!({"name": "Crash GmbH"}))
            .await
            .unwrap(),
    )
    .await;
    let seller = seller["uuid"].as_str().unwrap().to_owned();
    let buyer = body_json(post(buyers_path(&seller), reference_buyer()).await.unwrap()).await;
    let buyer_id = buyer["uuid"].as_str().unwrap().to_owned();

    // A block (buyer.blocked and kyc.status_changed) whose deliveries the receiver refuses;
    // the server dies while they wait for their retry.
    let blocked = post(
        format!("{}/block", buyer_path(&seller, &buyer)),
        json!({"reason": "hold"}),
    )
    .await
    .unwrap();
    assert_eq!(blocked.status(), 200);
    let db = Db::connect(&database_url).await.unwrap();
    await_quiet_queue(&db, 2).await;
    server.kill().unwrap();
    server.wait().unwrap();
    // While it is down, an unblock commits (as a server would that died right after it).
    as_system(&db, async |tx| {
        buyers::unblock(tx, &seller, &buyer_id).await
    })
    .await;
    accepting.store(true, Ordering::SeqCst);

    let (mut server, _) = start_server(dir.path(), &database_url);
    let got = eventually("all four events are accepted", || async {
        let got = deliveries(&receiver).await;
        let accepted: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE succeeded_at IS NOT NULL",
        )
        .fetch_one(db.pool())
        .await
        .unwrap();
        (accepted == 4).then_some(got)
    })
    .await;
    server.kill().unwrap();
    server.wait().unwrap();

    let recorded = kyc_portal::events::recent(&db, 10).await.unwrap();
    let mut recorded_ids: Vec<&str> = recorded.iter().map(|e| e.id.as_str()).collect();
    recorded_ids.sort_unstable();
    let mut delivered_ids: Vec<&str> = got.iter().map(|d| d.id.as_str()).collect();
    delivered_ids.sort_unstable();
    delivered_ids.dedup();
    assert_eq!(
        recorded.len(),
        4,
        "blocked, unblocked and two status changes"
    );
    assert_eq!(
        delivered_ids, recorded_ids,
        "every event reached the receiver"
    );
    verify_with_standard_webhooks(endpoint["secret"].as_str().unwrap(), &got);
}
