//! What the portal keeps to itself: files for its own user only, webhook secrets sealed at
//! rest, metrics behind a token when one is set, HSTS over https, and the CLI's scoped tokens.

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use kyc_portal::access::{SellerScope, TokenAccess};
use kyc_portal::api_tokens;
use kyc_portal::db::Db;
use kyc_portal::webhooks::{WebhookSecret, secret_seal};
use secrecy::SecretString;
use serde_json::json;

use crate::cli::portal;
use crate::crash::start_server;
use crate::helpers::*;
use crate::on_both_backends;
use crate::stubs::eventually;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_serve_writes_is_for_its_own_user_only_whatever_the_umask() {
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    // The operator's shell has a lax umask; the portal must not inherit it for its files.
    lax_umask();
    let url = format!("sqlite://{}/kyc-portal.db", data.display());
    let (mut child, port) = start_server(&data, &url);
    let base = format!("http://127.0.0.1:{port}");
    let db = Db::connect(&url).await.unwrap();
    let token = api_tokens::create(&db, "erp").await.unwrap().token;
    let client = reqwest::Client::new();
    let seller: serde_json::Value = client
        .post(format!("{base}/v1/partners"))
        .bearer_auth(&token)
        .json(&json!({"name": "Seller"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let buyer: serde_json::Value = client
        .post(format!(
            "{base}{}",
            buyers_path(seller["uuid"].as_str().unwrap())
        ))
        .bearer_auth(&token)
        .json(&reference_buyer())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let invitation = client
        .post(format!(
            "{base}{}/kyc/self-service-invitations",
            buyer_path(seller["uuid"].as_str().unwrap(), &buyer)
        ))
        .bearer_auth(&token)
        .json(&json!({"recipientEmail": "kyc@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(invitation.status(), 201);
    let invitation: serde_json::Value = invitation.json().await.unwrap();
    note_issued_link(invitation["publicLinkUrl"].as_str().unwrap());
    let outbox = data.join("outbox");
    let eml = eventually("the invitation email is written", || async {
        std::fs::read_dir(&outbox)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p: &std::path::PathBuf| p.extension().is_some_and(|x| x == "eml"))
    })
    .await;
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();

    assert_eq!(mode(&data), 0o700, "the data folder");
    assert_eq!(mode(&data.join("kyc-portal.db")), 0o600, "the database");
    assert_eq!(mode(&data.join("secret.key")), 0o600, "the server key");
    assert_eq!(mode(&outbox), 0o700, "the outbox folder");
    assert_eq!(mode(&eml), 0o600, "an email with a live link");
}

/// Sets this process's umask to 022 for the children it starts next (a shell's usual one).
fn lax_umask() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o022));
}

on_both_backends! {
    async fn webhook_secrets_are_stored_sealed_and_old_plain_ones_are_sealed_at_start(app) {
        let created = app.subscribe("https://erp.example.com/hooks", &["buyer.blocked"]).await;
        let secret = created["secret"].as_str().unwrap();
        let stored: String = sqlx::query_scalar("SELECT secret FROM webhook_endpoints")
            .fetch_one(app.db.pool()).await.unwrap();
        assert!(!stored.contains(secret) && !stored.contains(secret.trim_start_matches("whsec_")));

        sqlx::query("UPDATE webhook_endpoints SET secret = $1").bind(secret).execute(app.db.pool()).await.unwrap();
        let key = kyc_portal::server_key::ServerKey::load_or_create(
            &kyc_portal::Settings::for_data_dir("sqlite::memory:", app.dir.path()),
        ).unwrap();
        let sealed = kyc_portal::webhooks::seal_plain_secrets(&app.db, &secret_seal(&key)).await.unwrap();
        assert_eq!(sealed, 1);
        let resealed: String = sqlx::query_scalar("SELECT secret FROM webhook_endpoints")
            .fetch_one(app.db.pool()).await.unwrap();
        assert!(!resealed.contains(secret));
        assert_eq!(WebhookSecret::from_stored(&resealed, &secret_seal(&key)).unwrap().expose(), secret);
    }
}

on_both_backends! {
    async fn invisible_characters_are_stripped_from_uploaded_file_names(app) {
        let (seller, buyer) = app.create_buyer().await;
        let form = reqwest::multipart::Form::new()
            .text("type", "COC_EXTRACT")
            .text("documentDate", "2026-01-15")
            .part("file", reqwest::multipart::Part::bytes(crate::fixtures::small_pdf())
                .file_name("auszug\u{200B}\u{2060}\u{2028}final.pdf"));
        let response = app.request(reqwest::Method::POST, &crate::documents::documents_path(&seller, &buyer))
            .multipart(form).send().await.unwrap();
        assert_eq!(response.status(), 201);
        assert_eq!(body_json(response).await["fileName"], "auszugfinal.pdf");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_the_token_when_one_is_set() {
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.metrics_token = Some(SecretString::from("scrape-me-0123456789"))
    })
    .await
    else {
        return;
    };
    let url = format!("{}/metrics", app.address);
    let anonymous = app.client.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong = app
        .client
        .get(&url)
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let scraper = app
        .client
        .get(&url)
        .bearer_auth("scrape-me-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(scraper.status(), 200);
    assert!(
        scraper
            .text()
            .await
            .unwrap()
            .contains("kyc_portal_password_hashes_total")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_is_sent_when_the_public_url_is_https_and_not_otherwise() {
    let Some(https) = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.public_url = "https://onboard.example.com".into()
    })
    .await
    else {
        return;
    };
    let response = https
        .client
        .get(format!("{}/healthz", https.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let Some(http) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let response = http
        .client
        .get(format!("{}/healthz", http.address))
        .send()
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("strict-transport-security")
            .is_none()
    );
}

#[tokio::test]
async fn create_api_token_binds_a_token_to_a_seller_and_makes_read_only_ones() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/cli.db", dir.path().display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let seller = as_system(&db, async |tx| {
        kyc_portal::partners::create(tx, "Seller".into()).await
    })
    .await;
    let run = |args: &[&str]| {
        let output = portal()
            .args(["create-api-token", "--name", "erp"])
            .args(args)
            .env("DATABASE_URL", &url)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (ok, token, _) = run(&["--seller", &seller.uuid, "--read-only"]);
    assert!(ok);
    let client = api_tokens::authenticate(&db, token.trim())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(client.scope, SellerScope::Seller(seller.uuid.clone()));
    assert_eq!(client.access, TokenAccess::ReadOnly);
    let (ok, _, stderr) = run(&["--seller", "no-such-seller"]);
    assert!(!ok);
    assert!(stderr.contains("not a known seller"), "{stderr}");
}
