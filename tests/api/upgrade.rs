//! Upgrades: a database made by the previous release's migrations, with that release's data in
//! it, is started by this binary (which migrates it on start), and everything reads and works.

use std::path::Path;

use kyc_portal::db::Db;
use kyc_portal::invitations::LinkToken;
use kyc_portal::server_key::ServerKey;
use kyc_portal::storage::BlobKey;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::backup::Install;
use crate::fixtures::*;
use crate::helpers::*;
use crate::stubs::*;

/// The newest migration of the previous release: 0010 (token scopes, per-seller webhooks)
/// and 0011 (idempotency holders) came after it. Migrations are never edited once released
/// (sqlx refuses a database whose applied migrations changed), so this release's files up to
/// this number are exactly what the previous release applied.
const PREVIOUS_RELEASE: i64 = 9;

const SERVER_KEY: [u8; 32] = [7; 32];
const TOKEN: &str = "kyc_upgrade-test-token-from-the-previous-release";
const PLAIN_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const STAFF_PASSWORD: &str = "a passphrase from before the upgrade";

/// This release's migrations for `backend`: each version with its file.
fn migrations(backend: Backend) -> Vec<(i64, std::path::PathBuf)> {
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    let mut found: Vec<_> = std::fs::read_dir(&source)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            (name.split('_').next().unwrap().parse().unwrap(), path)
        })
        .collect();
    found.sort();
    found
}

/// Applies the previous release's migrations to the empty database at `url`.
async fn migrate_as_previous_release(url: &str, backend: Backend) {
    let previous = tempfile::tempdir().unwrap();
    for (version, path) in migrations(backend) {
        if version <= PREVIOUS_RELEASE {
            std::fs::copy(&path, previous.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let db = Db::connect(url).await.unwrap();
    let migrator = sqlx::migrate::Migrator::new(previous.path()).await.unwrap();
    assert_eq!(migrator.iter().count() as i64, PREVIOUS_RELEASE);
    migrator.run(db.pool()).await.unwrap();
    db.close().await;
}

/// The ids of what the previous release's data holds.
struct Old {
    seller: String,
    buyer: String,
    document: String,
    document_bytes: Vec<u8>,
    invitation: String,
    link_token: LinkToken,
    endpoint: String,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Writes, with plain SQL in the previous release's schema, what that release kept: a token,
/// a seller, a buyer with its audit history, a document and its blob, an invitation, a webhook
/// endpoint with its secret in plain text (sealing came later) and a staff user.
async fn previous_release_data(url: &str, data_dir: &Path) -> Old {
    let db = Db::connect(url).await.unwrap();
    let pool = db.pool();
    let at = now_ms() - 86_400_000;
    let old = Old {
        seller: uuid::Uuid::now_v7().to_string(),
        buyer: uuid::Uuid::now_v7().to_string(),
        document: uuid::Uuid::now_v7().to_string(),
        document_bytes: pdf_with("Handelsregisterauszug von 2025", "", 40_000),
        invitation: uuid::Uuid::now_v7().to_string(),
        link_token: LinkToken::derive(&ServerKey::from_bytes(SERVER_KEY), "old-nonce"),
        endpoint: uuid::Uuid::now_v7().to_string(),
    };
    let run = |sql: &'static str| sqlx::query(sql);
    run("INSERT INTO api_tokens (id, name, token_hash, created_at) VALUES ($1, 'erp', $2, $3)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(kyc_portal::secret_token::hash(TOKEN))
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
    run("INSERT INTO partners (id, name, role, created_at) VALUES ($1, 'Alte Händler AG', 'SELLER', $2)")
        .bind(&old.seller)
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
    let contacts =
        json!([{"firstName": "Erika", "lastName": "Mustermann", "email": "erika@example.com"}]);
    run("INSERT INTO buyers (id, seller_id, vat_number, company_name, search_name, street, post_code, \
         city, country, contacts, kyc_mode, status, blocked_reason, version, created_at, updated_at) \
         VALUES ($1, $2, 'DE136695976', 'Autohaus Früher GmbH', 'autohaus früher gmbh', 'Hauptstraße 1', \
         '10115', 'Berlin', 'DE', $3, 'MARKETPLACE_LED', 'ACTIVE', NULL, 0, $4, $4)")
        .bind(&old.buyer)
        .bind(&old.seller)
        .bind(contacts.to_string())
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
    run("INSERT INTO audit_log (id, entity_type, entity_id, action, actor, at, before_state, after_state) \
         VALUES ($1, 'buyer', $2, 'created', 'api-token:erp', $3, NULL, $4)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&old.buyer)
        .bind(at)
        .bind(json!({"uuid": old.buyer, "companyName": "Autohaus Früher GmbH"}).to_string())
        .execute(pool)
        .await
        .unwrap();

    let key = BlobKey::for_document(&old.document.parse().unwrap());
    let blob = data_dir.join("documents").join(key.as_str());
    std::fs::create_dir_all(blob.parent().unwrap()).unwrap();
    std::fs::write(&blob, &old.document_bytes).unwrap();
    run("INSERT INTO documents (id, buyer_id, type, document_date, status, version, file_name, \
         content_type, size_bytes, sha256, blob_key, source, invitation_id, created_at) \
         VALUES ($1, $2, 'COC_EXTRACT', '2025-11-03', 'ACTIVE', 1, 'auszug.pdf', 'application/pdf', \
         $3, $4, $5, 'API', NULL, $6)")
        .bind(&old.document)
        .bind(&old.buyer)
        .bind(old.document_bytes.len() as i64)
        .bind(hex::encode(Sha256::digest(&old.document_bytes)))
        .bind(key.as_str())
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
    run("INSERT INTO audit_log (id, entity_type, entity_id, action, actor, at, before_state, after_state) \
         VALUES ($1, 'document', $2, 'uploaded', 'api-token:erp', $3, NULL, $4)")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&old.document)
        .bind(at)
        .bind(json!({"uuid": old.document}).to_string())
        .execute(pool)
        .await
        .unwrap();

    run("INSERT INTO invitations (id, buyer_id, kind, recipient_email, language, token_nonce, \
         token_hash, created_at, expires_at, usage_count, max_uses, email_status, email_sent_at) \
         VALUES ($1, $2, 'KYC', 'kyc@autohaus-frueher.de', 'de', 'old-nonce', $3, $4, $5, 0, 5, 'SENT', $4)")
        .bind(&old.invitation)
        .bind(&old.buyer)
        .bind(old.link_token.hash())
        .bind(at)
        .bind(now_ms() + 14 * 86_400_000)
        .execute(pool)
        .await
        .unwrap();

    let password_hash = kyc_portal::staff::PasswordHashing::new(Default::default())
        .hash(STAFF_PASSWORD)
        .await
        .unwrap();
    run("INSERT INTO staff_users (id, email, password_hash, role, disabled_at, created_at, language) \
         VALUES ($1, 'ops@marketplace.example', $2, 'ADMIN', NULL, $3, 'de')")
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(password_hash)
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
    db.close().await;

    // The previous release made its server key in the data folder.
    let key_file = data_dir.join("secret.key");
    std::fs::write(&key_file, hex::encode(SERVER_KEY)).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    old
}

/// The webhook endpoint of the previous release, pointing at `url`, with a plain secret.
async fn previous_release_endpoint(database_url: &str, old: &Old, url: &str) {
    let db = Db::connect(database_url).await.unwrap();
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, url, events, secret, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&old.endpoint)
    .bind(url)
    .bind(json!(["buyer.blocked", "kyc.document_uploaded"]).to_string())
    .bind(PLAIN_SECRET)
    .bind(now_ms() - 86_400_000)
    .execute(db.pool())
    .await
    .unwrap();
    db.close().await;
}

async fn upgrade_keeps_everything_readable_and_working(backend: Backend) {
    let Some(install) = Install::new(backend).await else {
        return;
    };
    migrate_as_previous_release(&install.database_url, backend).await;
    let old = previous_release_data(&install.database_url, install.data_dir()).await;
    let receiver = receiver().await;
    previous_release_endpoint(
        &install.database_url,
        &old,
        &format!("{}/hook", receiver.uri()),
    )
    .await;

    let newer: Vec<i64> = migrations(backend)
        .into_iter()
        .map(|(version, _)| version)
        .filter(|v| *v > PREVIOUS_RELEASE)
        .collect();
    assert!(!newer.is_empty(), "this release adds migrations");
    let checked = install.run(&["check-config"]).await;
    assert!(
        String::from_utf8_lossy(&checked.stdout)
            .contains(&format!("the next start applies migrations {newer:?}")),
        "check-config tells what the upgrade will do: {}",
        String::from_utf8_lossy(&checked.stdout)
    );

    let server = install.serve();
    let client = reqwest::Client::new();
    let get = |path: String| {
        client
            .get(format!("{}{path}", server.base))
            .bearer_auth(TOKEN)
            .send()
    };
    let buyer_path = format!("/v1/partners/{}/buyers/{}", old.seller, old.buyer);

    let buyer: Value = get(buyer_path.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(buyer["companyName"], "Autohaus Früher GmbH");
    assert_eq!(buyer["contacts"][0]["email"], "erika@example.com");
    let history: Value = get(format!("{buyer_path}/history"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "created" && e["actor"] == "api-token:erp"),
        "{history}"
    );

    let documents: Value = get(format!("{buyer_path}/kyc/documents"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(documents["items"][0]["uuid"], old.document.as_str());
    let content = get(format!("/v1/documents/{}/content", old.document))
        .await
        .unwrap();
    assert_eq!(content.status(), 200);
    assert!(content.bytes().await.unwrap() == old.document_bytes);
    let document_history: Value = get(format!("/v1/documents/{}/history", old.document))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(document_history["items"][0]["action"], "uploaded");

    let invitation: Value = get(format!("/v1/invitations/{}", old.invitation))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(invitation["status"], "ACTIVE", "{invitation}");
    let landing = client
        .get(old.link_token.link(&server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(landing.status(), 200, "the old link opens with the old key");

    let endpoint: Value = get(format!("/v1/webhook-endpoints/{}", old.endpoint))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(endpoint["id"], old.endpoint.as_str(), "{endpoint}");
    assert_eq!(
        endpoint["sellerId"],
        Value::Null,
        "made before seller scopes: every seller's"
    );
    let db = Db::connect(&install.database_url).await.unwrap();
    let stored: String = sqlx::query_scalar("SELECT secret FROM webhook_endpoints WHERE id = $1")
        .bind(&old.endpoint)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(
        !stored.starts_with("whsec_"),
        "the plain secret was sealed on start"
    );
    assert!(!stored.contains(PLAIN_SECRET));
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(db.pool())
            .await
            .unwrap();
    let all: Vec<i64> = migrations(backend).into_iter().map(|(v, _)| v).collect();
    assert_eq!(applied, all);
    // Print-only invitations (0042) rebuilt the SQLite invitations table: rows, references
    // to them and indexes are all still there.
    assert_eq!(invitation["recipientEmail"], "kyc@autohaus-frueher.de");
    assert_eq!(invitation["emailStatus"], "SENT");
    if backend == Backend::Sqlite {
        let indexes: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'invitations'",
        )
        .fetch_all(db.pool())
        .await
        .unwrap();
        for expected in ["invitations_by_buyer", "invitations_by_expiry"] {
            assert!(indexes.iter().any(|i| i == expected), "{indexes:?}");
        }
        assert!(
            indexes
                .iter()
                .any(|i| i.starts_with("sqlite_autoindex_invitations")),
            "the token hash stays unique: {indexes:?}"
        );
        let broken: Vec<String> =
            sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(db.pool())
                .await
                .unwrap();
        assert!(broken.is_empty(), "dangling references in {broken:?}");
    }
    // The buyer list's last activity (0043) starts from what happened before the upgrade.
    let (activity, updated): (i64, i64) =
        sqlx::query_as("SELECT last_activity_at, updated_at FROM buyers WHERE id = $1")
            .bind(&old.buyer)
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert!(activity >= updated && updated > 0, "{activity} {updated}");
    let hashing = kyc_portal::staff::PasswordHashing::new(Default::default());
    let staff =
        kyc_portal::staff::authenticate(&db, &hashing, "ops@marketplace.example", STAFF_PASSWORD)
            .await
            .unwrap()
            .expect("the old staff user signs in");
    assert_eq!(staff.role, kyc_portal::staff::StaffRole::Admin);
    db.close().await;

    // It works on: an upload, a change that the old endpoint hears, signed with its old secret.
    let upload = client
        .post(format!("{}{buyer_path}/kyc/documents", server.base))
        .bearer_auth(TOKEN)
        .multipart(
            Form::new()
                .text("type", "COC_EXTRACT")
                .text("documentDate", "2026-11-30")
                .part("file", Part::bytes(small_pdf()).file_name("neu.pdf")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 201);
    assert_eq!(upload.json::<Value>().await.unwrap()["version"], 2);
    let blocked = client
        .post(format!("{}{buyer_path}/block", server.base))
        .bearer_auth(TOKEN)
        .json(&json!({"reason": "Upgrade check"}))
        .send()
        .await
        .unwrap();
    assert_eq!(blocked.status(), 200);
    let deliveries = await_deliveries(&receiver, 2).await;
    assert!(
        deliveries
            .iter()
            .any(|d| d.json()["type"] == "buyer.blocked")
    );
    verify_with_standard_webhooks(PLAIN_SECRET, &deliveries);
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_of_the_previous_release_is_migrated_and_reads_and_works_on_sqlite() {
    upgrade_keeps_everything_readable_and_working(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_of_the_previous_release_is_migrated_and_reads_and_works_on_postgres() {
    upgrade_keeps_everything_readable_and_working(Backend::Postgres).await;
}
