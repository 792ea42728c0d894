//! The sign-in cannot be turned against the server or against its users: password hashing
//! is bounded and costs the same for every attempt, attempts are counted before they are
//! checked, and one client's failures do not lock the owner out elsewhere.

use std::time::Duration;

use kyc_portal::config::TrustedProxies;
use kyc_portal::staff::{HashingLimits, StaffRole};

use super::*;
use crate::helpers::{Backend, TestApp};

const HASHES: &str = "kyc_portal_password_hashes_total";

/// A sign-in attempt from a fresh browser, optionally as `client` behind the trusted proxy.
async fn attempt(app: &TestApp, email: &str, password: &str, client: Option<&str>) -> Response {
    let browser = app.staff_browser();
    let form = browser.get("/admin/login").await.text().await.unwrap();
    let mut request = browser
        .client
        .post(format!("{}/admin/login", app.address))
        .form(&[
            ("csrf", csrf_of(&form).as_str()),
            ("email", email),
            ("password", password),
        ]);
    if let Some(client) = client {
        request = request.header("X-Forwarded-For", client);
    }
    request.send().await.unwrap()
}

async fn parallel_attempts(app: &TestApp, n: usize, email: impl Fn(usize) -> String) -> Vec<u16> {
    let attempts = (0..n).map(|i| {
        let email = email(i);
        async move {
            attempt(app, &email, "a wrong password here", None)
                .await
                .status()
                .as_u16()
        }
    });
    futures_util::future::join_all(attempts).await
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

async fn forty_parallel_wrong_passwords_are_five_checks(backend: Backend) {
    // A long wait for a hashing slot: this is about counting, not about being busy.
    let Some(app) = TestApp::spawn_with_options(
        backend,
        |_| {},
        |o| {
            o.password_hashing = HashingLimits {
                slots: 2,
                wait: Duration::from_secs(60),
            }
        },
    )
    .await
    else {
        return;
    };
    app.staff_user("kim@marketplace.example", StaffRole::Staff)
        .await;
    let before = app.metric(HASHES).await;
    let statuses = parallel_attempts(&app, 40, |_| "kim@marketplace.example".into()).await;
    assert_eq!(count(&statuses, 401), 5, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 35, "{statuses:?}");
    assert_eq!(
        app.metric(HASHES).await - before,
        5.0,
        "one hash per checked attempt"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_parallel_wrong_passwords_for_one_account_are_five_checks_and_35_refusals_on_sqlite()
{
    forty_parallel_wrong_passwords_are_five_checks(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_parallel_wrong_passwords_for_one_account_are_five_checks_and_35_refusals_on_postgres()
 {
    forty_parallel_wrong_passwords_are_five_checks(Backend::Postgres).await;
}

async fn unknown_addresses_cost_one_check(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.staff_user("kim@marketplace.example", StaffRole::Staff)
        .await;
    let before = app.metric(HASHES).await;
    assert_eq!(
        attempt(&app, "nobody@marketplace.example", PASSWORD, None)
            .await
            .status(),
        401
    );
    let unknown = app.metric(HASHES).await - before;
    assert_eq!(
        attempt(
            &app,
            "kim@marketplace.example",
            "a wrong password here",
            None
        )
        .await
        .status(),
        401
    );
    let known = app.metric(HASHES).await - before - unknown;
    assert_eq!(
        (unknown, known),
        (1.0, 1.0),
        "an unknown address costs what a known one costs"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_address_costs_exactly_one_password_check_like_a_known_one_on_sqlite() {
    unknown_addresses_cost_one_check(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_address_costs_exactly_one_password_check_like_a_known_one_on_postgres() {
    unknown_addresses_cost_one_check(Backend::Postgres).await;
}

async fn others_failures_do_not_lock_the_owner_out(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.trusted_proxy = TrustedProxies::parse("127.0.0.1").unwrap();
    })
    .await
    else {
        return;
    };
    app.staff_user("kim@marketplace.example", StaffRole::Staff)
        .await;
    let mut last = 0;
    for _ in 0..7 {
        last = attempt(
            &app,
            "kim@marketplace.example",
            "guess",
            Some("203.0.113.7"),
        )
        .await
        .status()
        .as_u16();
    }
    assert_eq!(last, 429, "the guessing client is stopped");
    let spoofed = attempt(
        &app,
        "kim@marketplace.example",
        "guess",
        Some("198.51.100.1, 203.0.113.7"),
    )
    .await;
    assert_eq!(
        spoofed.status(),
        429,
        "writing another address in front does not help it"
    );
    let owner = attempt(
        &app,
        "kim@marketplace.example",
        PASSWORD,
        Some("198.51.100.9"),
    )
    .await;
    assert_eq!(owner.status(), 303, "the owner signs in from elsewhere");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_elses_failures_do_not_lock_the_owner_out_on_sqlite() {
    others_failures_do_not_lock_the_owner_out(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_elses_failures_do_not_lock_the_owner_out_on_postgres() {
    others_failures_do_not_lock_the_owner_out(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_ins_beyond_the_free_hashing_slots_get_503_with_retry_after() {
    let Some(app) = TestApp::spawn_with_options(
        Backend::Sqlite,
        |_| {},
        |o| {
            o.password_hashing = HashingLimits {
                slots: 1,
                wait: Duration::ZERO,
            }
        },
    )
    .await
    else {
        return;
    };
    let browser = app.staff_browser();
    let form = browser.get("/admin/login").await.text().await.unwrap();
    let csrf = csrf_of(&form);
    let attempts = (0..12).map(|i| {
        let email = format!("nobody{i}@marketplace.example");
        let request = browser
            .client
            .post(format!("{}/admin/login", app.address))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", email.as_str()),
                ("password", "guess"),
            ]);
        async move { request.send().await.unwrap() }
    });
    let responses = futures_util::future::join_all(attempts).await;
    let busy: Vec<&Response> = responses.iter().filter(|r| r.status() == 503).collect();
    assert!(
        !busy.is_empty(),
        "twelve at once found the one slot free each time"
    );
    for response in &busy {
        assert!(response.headers().contains_key("retry-after"));
    }
    assert!(
        responses
            .iter()
            .all(|r| matches!(r.status().as_u16(), 401 | 503))
    );
    let checked = responses.iter().filter(|r| r.status() == 401).count();
    assert_eq!(
        app.metric(HASHES).await,
        checked as f64,
        "the busy ones hashed nothing"
    );
    assert_eq!(
        app.metric("kyc_portal_password_checks_busy_total").await,
        busy.len() as f64
    );
}
