//! `kyc-portal check-config`: the effective settings, and each outside part checked for real.

use std::os::unix::fs::PermissionsExt;

use crate::backup::{Install, stderr, stdout};
use crate::helpers::*;

/// The SMTP sink `.ci/run` starts, or None when there is none here.
fn smtp_sink_url() -> Option<String> {
    match std::env::var("KYC_TEST_SMTP_URL") {
        Ok(url) => Some(url),
        Err(_) => {
            if std::env::var("KYC_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
                panic!("KYC_TEST_REQUIRE_ALL=1 but KYC_TEST_SMTP_URL is not set");
            }
            announce("SKIPPED (SMTP): set KYC_TEST_SMTP_URL to run the check-config mail test");
            None
        }
    }
}

fn write_key(path: &std::path::Path, mode: u32) {
    std::fs::write(path, "11".repeat(32)).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[tokio::test]
async fn check_config_passes_a_working_setup_and_shows_secrets_only_as_set() {
    let Some(smtp) = smtp_sink_url() else {
        return;
    };
    let mut install = Install::new(Backend::Sqlite).await.unwrap();
    install.env.extend([
        ("KYC_PORTAL_SMTP_URL", smtp),
        (
            "KYC_PORTAL_PUBLIC_URL",
            "https://kyc.marketplace.example".to_owned(),
        ),
        (
            "KYC_PORTAL_METRICS_TOKEN",
            "metrics-token-seen-nowhere".to_owned(),
        ),
        ("KYC_PORTAL_SIGNING_KEY", "22".repeat(32)),
    ]);
    let migrated = install.run(&["migrate"]).await;
    assert!(migrated.status.success(), "{}", stderr(&migrated));
    write_key(&install.data_dir().join("secret.key"), 0o600);

    let checked = install.run(&["check-config"]).await;
    let said = stdout(&checked);
    assert!(checked.status.success(), "{said}{}", stderr(&checked));
    assert!(said.contains("5 of 5 checks passed"), "{said}");
    assert!(said.contains("connected and greeted (EHLO)"), "{said}");
    assert!(
        said.contains("wrote, read back and deleted a probe object"),
        "{said}"
    );
    assert!(said.contains("schema up to date"), "{said}");
    assert!(
        said.contains("signing.key from KYC_PORTAL_SIGNING_KEY"),
        "{said}"
    );
    let line = |name: &str| {
        said.lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in {said}"))
            .to_owned()
    };
    assert!(line("metrics_token").ends_with(" set"), "{said}");
    assert!(line("signing_key").ends_with(" set"), "{said}");
    assert!(line("idenfy_api_secret").ends_with(" unset"), "{said}");
    assert!(!said.contains("metrics-token-seen-nowhere") && !said.contains(&"22".repeat(32)));
    let blobs = install.data_dir().join("documents");
    let left: Vec<_> = std::fs::read_dir(&blobs)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != ".staging")
        .flat_map(|folder| std::fs::read_dir(folder.path()).unwrap())
        .collect();
    assert!(left.is_empty(), "the probe object was deleted");
}

#[tokio::test]
async fn check_config_fails_and_names_each_part_that_does_not_work() {
    let mut install = Install::new(Backend::Sqlite).await.unwrap();
    // A database file that is no database, a store folder that is a file, an SMTP port
    // where nobody listens, plain http to another host and a key file others may read.
    std::fs::write(install.data_dir().join("kyc-portal.db"), vec![b'x'; 4096]).unwrap();
    let not_a_folder = install.data_dir().join("not-a-folder");
    std::fs::write(&not_a_folder, "").unwrap();
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    install.env.extend([
        (
            "KYC_PORTAL_STORAGE_URL",
            format!("file://{}", not_a_folder.display()),
        ),
        (
            "KYC_PORTAL_SMTP_URL",
            format!("smtp://127.0.0.1:{closed_port}"),
        ),
        (
            "KYC_PORTAL_PUBLIC_URL",
            "http://kyc.marketplace.example".to_owned(),
        ),
    ]);
    write_key(&install.data_dir().join("secret.key"), 0o644);

    let checked = install.run(&["check-config"]).await;
    let said = stdout(&checked);
    assert_eq!(checked.status.code(), Some(1), "{said}");
    assert!(said.contains("0 of 5 checks passed"), "{said}");
    for part in [
        "database",
        "document store",
        "mail",
        "public url",
        "key files",
    ] {
        assert!(
            said.lines()
                .any(|l| l.trim_start().starts_with(&format!("FAIL  {part}"))),
            "{part} fails: {said}"
        );
    }
    assert!(said.contains("has mode 644; it must be 0600"), "{said}");
    assert!(said.contains("unencrypted"), "{said}");
}

#[tokio::test]
async fn check_config_does_not_make_a_database_that_is_not_there() {
    let install = Install::new(Backend::Sqlite).await.unwrap();

    let checked = install.run(&["check-config"]).await;
    let said = stdout(&checked);
    assert!(checked.status.success(), "{said}{}", stderr(&checked));
    assert!(said.contains("does not exist yet"), "{said}");
    assert!(!install.data_dir().join("kyc-portal.db").exists());
}
