//! Webhook URLs cannot reach inside the portal's network: refused when registered, refused
//! again when connecting (names that resolve inward, addresses stored earlier), and the
//! delivery log says only what kind of failure happened.

use serde_json::{Value, json};

use crate::helpers::*;
use crate::stubs::*;

/// A portal whose webhooks may not reach private networks (the default outside the suite).
async fn strict(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |s| s.webhook_allow_private_networks = false).await
}

async fn internal_urls_are_refused_at_registration(backend: Backend) {
    let Some(app) = strict(backend).await else {
        return;
    };
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost:8080/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
        "http://192.168.1.10/hook",
        "http://172.16.4.4/hook",
        "http://0.0.0.0:9000/",
        "http://[::1]:8080/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fd00::1]/hook",
        "http://2130706433/hook",
    ] {
        let response = app
            .post_json(
                "/v1/webhook-endpoints",
                &json!({"url": url, "events": ["buyer.blocked"]}),
            )
            .await;
        let problem = expect_problem(response, 422).await;
        assert_eq!(problem_fields(&problem), vec!["url"], "{url}");
    }
    let listed = body_json(app.get("/v1/webhook-endpoints").await).await;
    assert!(
        listed["items"].as_array().unwrap().is_empty(),
        "nothing was registered"
    );
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_webhook_urls_are_refused_at_registration_on_sqlite() {
    internal_urls_are_refused_at_registration(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_webhook_urls_are_refused_at_registration_on_postgres() {
    internal_urls_are_refused_at_registration(Backend::Postgres).await;
}

/// An endpoint stored as if its name had resolved to a public address when it was registered.
async fn stored_endpoint(app: &TestApp, url: &str) -> String {
    let seal = kyc_portal::webhooks::secret_seal(
        &kyc_portal::server_key::ServerKey::load_or_create(&kyc_portal::Settings::for_data_dir(
            "sqlite::memory:",
            app.dir.path(),
        ))
        .unwrap(),
    );
    let secret = kyc_portal::webhooks::WebhookSecret::generate()
        .unwrap()
        .to_stored(&seal)
        .unwrap();
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, url, events, secret, created_at) VALUES ($1, $2, '[\"buyer.blocked\"]', $3, 0)",
    )
    .bind(&id)
    .bind(url)
    .bind(secret)
    .execute(app.db.pool())
    .await
    .unwrap();
    id
}

async fn first_attempt(app: &TestApp, endpoint: &str) -> Value {
    let path = format!("/v1/webhook-endpoints/{endpoint}/deliveries");
    eventually("an attempt is logged", || async {
        let listing = body_json(app.get(&path).await).await;
        listing["items"][0]["attempts"][0]
            .is_object()
            .then(|| listing["items"][0]["attempts"][0].clone())
    })
    .await
}

async fn nothing_inward_at_connect_time(backend: Backend) {
    let Some(app) = strict(backend).await else {
        return;
    };
    let inside = receiver().await;
    let port = inside.address().port();
    // A name that resolves to loopback now (DNS rebinding), and a literal stored before the
    // check existed.
    let by_name = stored_endpoint(&app, &format!("http://localhost:{port}/hook")).await;
    let by_literal = stored_endpoint(&app, &format!("http://127.0.0.1:{port}/hook")).await;
    let (seller, buyer) = app.create_buyer().await;

    app.post_json(
        &format!("{}/block", buyer_path(&seller, &buyer)),
        &json!({"reason": "x"}),
    )
    .await;

    for endpoint in [by_name, by_literal] {
        let attempt = first_attempt(&app, &endpoint).await;
        assert_eq!(
            attempt["error"],
            "the receiver's address is in a private or reserved network, which is not allowed"
        );
        assert!(attempt["responseStatus"].is_null());
    }
    assert!(
        deliveries(&inside).await.is_empty(),
        "nothing reached the inside"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_never_connect_to_internal_addresses_on_sqlite() {
    nothing_inward_at_connect_time(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_never_connect_to_internal_addresses_on_postgres() {
    nothing_inward_at_connect_time(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_connection_is_logged_as_its_kind_without_the_transports_words() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let endpoint = app
        .subscribe(&format!("http://127.0.0.1:{port}/hook"), &["buyer.blocked"])
        .await;
    let (seller, buyer) = app.create_buyer().await;
    app.post_json(
        &format!("{}/block", buyer_path(&seller, &buyer)),
        &json!({"reason": "x"}),
    )
    .await;
    let attempt = first_attempt(&app, endpoint["id"].as_str().unwrap()).await;
    assert_eq!(attempt["error"], "the receiver could not be reached");
    let text = attempt.to_string().to_lowercase();
    assert!(
        !text.contains("refused") && !text.contains(&port.to_string()),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_networks_can_be_allowed_for_receivers_inside_the_operators_network() {
    let Some(app) =
        TestApp::spawn_with(Backend::Sqlite, |s| s.webhook_allow_private_networks = true).await
    else {
        return;
    };
    let inside = receiver().await;
    app.subscribe(&inside.uri(), &["buyer.blocked"]).await;
    let (seller, buyer) = app.create_buyer().await;
    app.post_json(
        &format!("{}/block", buyer_path(&seller, &buyer)),
        &json!({"reason": "x"}),
    )
    .await;
    assert_eq!(await_deliveries(&inside, 1).await.len(), 1);
}
