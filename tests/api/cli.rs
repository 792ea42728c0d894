//! The `kyc-portal` binary as an operator uses it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kyc_portal::api_tokens;
use kyc_portal::db::Db;

/// The `kyc-portal` binary, without the caller's `DATABASE_URL`.
pub fn portal() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kyc-portal"));
    command.env_remove("DATABASE_URL");
    command
}

#[tokio::test]
async fn create_api_token_prints_only_a_token_that_then_authenticates() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/cli.db", dir.path().display());
    let output = portal()
        .args(["create-api-token", "--name", "erp"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let token = stdout.trim_end_matches('\n');
    assert!(
        !token.contains(char::is_whitespace) && token.starts_with("kyc_"),
        "{stdout:?}"
    );

    let db = Db::connect(&url).await.unwrap();
    let client = api_tokens::authenticate(&db, token).await.unwrap().unwrap();
    assert_eq!(client.name, "erp");
}

#[test]
fn settings_come_from_the_config_file_and_a_bad_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("portal.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = \"sqlite://{}/from-file.db\"\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let status = portal()
        .args(["--config", config.to_str().unwrap(), "migrate"])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(dir.path().join("from-file.db").exists());

    let json_logs = portal()
        .args(["--config", config.to_str().unwrap(), "migrate"])
        .env("KYC_PORTAL_LOG_JSON", "1")
        .status()
        .unwrap();
    assert!(
        json_logs.success(),
        "the logger's own variable is not a setting"
    );

    std::fs::write(&config, "databse_url = \"typo\"\n").unwrap();
    let output = portal()
        .args(["--config", config.to_str().unwrap(), "migrate"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("databse_url"));
}

#[test]
fn serve_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = portal()
        .arg("serve")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/serve.db", dir.path().display()),
        )
        .env("KYC_PORTAL_BIND", "127.0.0.1:0")
        .env("KYC_PORTAL_DATA_DIR", dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it has migrated and bound: the database file appears before the listener.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !dir.path().join("serve.db").exists() {
        assert!(Instant::now() < deadline, "serve did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn check_vat_says_valid_or_invalid_with_the_reason_and_the_exit_code() {
    let valid = portal()
        .args(["check-vat", "DE 136.695.976"])
        .output()
        .unwrap();
    assert_eq!(valid.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&valid.stdout).trim(),
        "valid: DE136695976 (Germany)"
    );

    let wrong_digit = portal()
        .args(["check-vat", "DE123456789"])
        .output()
        .unwrap();
    assert_eq!(wrong_digit.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong_digit.stdout).contains("check digit"));

    let unknown = portal().args(["check-vat", "QQ123"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stdout).starts_with("invalid: "));
}

#[tokio::test]
async fn create_admin_reads_the_password_from_stdin_and_stores_only_an_argon2id_hash() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/admin.db", dir.path().display());
    let run = |email: &str, password: &str| {
        let mut child = portal()
            .args(["create-admin", "--email", email])
            .env("DATABASE_URL", &url)
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let made = run("Ops@Example.com", "correct horse battery staple");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );

    let db = Db::connect(&url).await.unwrap();
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM staff_users WHERE email = 'ops@example.com'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains("correct horse"));
    let hashing = kyc_portal::staff::PasswordHashing::new(Default::default());
    let user = kyc_portal::staff::authenticate(
        &db,
        &hashing,
        "ops@example.com",
        "correct horse battery staple",
    )
    .await
    .unwrap();
    assert_eq!(user.unwrap().role, kyc_portal::staff::StaffRole::Admin);
    assert!(
        kyc_portal::staff::authenticate(
            &db,
            &hashing,
            "ops@example.com",
            "wrong horse battery staple"
        )
        .await
        .unwrap()
        .is_none()
    );
    assert!(
        kyc_portal::staff::authenticate(
            &db,
            &hashing,
            "nobody@example.com",
            "correct horse battery staple"
        )
        .await
        .unwrap()
        .is_none()
    );

    let again = run("ops@example.com", "another long password");
    assert!(!again.status.success(), "the address is taken");
    let short = run("second@example.com", "short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 12 characters"));
}
