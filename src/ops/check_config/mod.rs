//! `kyc-portal check-config`: the effective settings, then each outside part checked through
//! the code the portal itself uses: the database, the document store (a probe object written,
//! read back and deleted), the SMTP server (connect and EHLO), the public URL's scheme and the
//! key files' permissions. All must pass.

mod permissions;
mod shown;

use std::path::Path;
use std::time::Duration;

use secrecy::ExposeSecret;

use crate::config::Settings;
use crate::db::{Db, DbError};
use crate::email::Mailer;
use crate::storage::{BlobKey, BlobStore};

pub use shown::without_password;

/// The outcome of one check.
pub struct Check {
    /// What was checked.
    pub name: &'static str,
    /// Whether it passed.
    pub passed: bool,
    /// What was found, in words.
    pub detail: String,
}

fn pass(name: &'static str, detail: impl Into<String>) -> Check {
    Check {
        name,
        passed: true,
        detail: detail.into(),
    }
}

fn fail(name: &'static str, detail: impl Into<String>) -> Check {
    Check {
        name,
        passed: false,
        detail: detail.into(),
    }
}

/// A check that does not answer within this is failed (an unreachable host must not hang it).
const PATIENCE: Duration = Duration::from_secs(20);

/// Prints the settings and the checks; true when every check passed.
pub async fn run(settings: &Settings, config_file: Option<&Path>) -> bool {
    println!(
        "settings (built-in defaults, then {}, then the environment):",
        config_file.map_or_else(|| "no file".to_owned(), |f| f.display().to_string())
    );
    for (name, value) in shown::settings(settings) {
        println!("  {name:<32}{value}");
    }
    let checks = vec![
        bounded("database", database(settings)).await,
        bounded("document store", store(settings)).await,
        bounded("mail", mail(settings)).await,
        public_url(settings),
        permissions::key_files(settings),
    ];
    println!("checks:");
    for check in &checks {
        let verdict = if check.passed { "ok  " } else { "FAIL" };
        println!("  {verdict}  {:<16}{}", check.name, check.detail);
    }
    let passed = checks.iter().filter(|c| c.passed).count();
    println!("{passed} of {} checks passed", checks.len());
    passed == checks.len()
}

async fn bounded(name: &'static str, check: impl Future<Output = Check>) -> Check {
    tokio::time::timeout(PATIENCE, check)
        .await
        .unwrap_or_else(|_| fail(name, format!("no answer within {} s", PATIENCE.as_secs())))
}

/// The chain of causes, for the operator.
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

async fn database(settings: &Settings) -> Check {
    const NAME: &str = "database";
    let shown = without_password(settings.database_url());
    let db = match Db::connect_existing(settings.database_url()).await {
        Ok(db) => db,
        Err(DbError::Missing(path)) => {
            return permissions::creatable(NAME, &path, "the database");
        }
        Err(e) => return fail(NAME, format!("{shown}: {}", causes(&e))),
    };
    let result = async {
        db.ping().await?;
        db.schema().await
    }
    .await;
    db.close().await;
    match result {
        Err(e) => fail(NAME, format!("{shown}: {}", causes(&e))),
        Ok(schema) if !schema.unknown().is_empty() => fail(
            NAME,
            format!(
                "{shown} has migrations this kyc-portal does not know ({:?}): it was written by \
                 a newer release",
                schema.unknown()
            ),
        ),
        Ok(schema) if !schema.pending().is_empty() => pass(
            NAME,
            format!(
                "{shown} answers; the next start applies migrations {:?} (take a backup first)",
                schema.pending()
            ),
        ),
        Ok(schema) => pass(
            NAME,
            format!(
                "{shown} answers; schema up to date (migration {})",
                schema.latest().unwrap_or_default()
            ),
        ),
    }
}

/// Writes a probe blob through the store's own path, reads it back and deletes it.
async fn store(settings: &Settings) -> Check {
    const NAME: &str = "document store";
    let blobs = match BlobStore::attach(settings) {
        Ok(blobs) => blobs,
        Err(e) => return fail(NAME, causes(&e)),
    };
    let location = blobs.location();
    match probe(&blobs).await {
        Ok(()) => pass(
            NAME,
            format!("{location}: wrote, read back and deleted a probe object"),
        ),
        Err(e) => fail(NAME, format!("{location}: {e:#}")),
    }
}

async fn probe(blobs: &BlobStore) -> anyhow::Result<()> {
    use anyhow::Context;
    let id = uuid::Uuid::new_v4();
    // A document key: should the delete fail, the orphan sweep removes it within the hour.
    let key = BlobKey::for_document(&id);
    let content = format!("kyc-portal check-config probe {id}\n");
    tokio::fs::create_dir_all(blobs.staging_dir())
        .await
        .with_context(|| format!("making {}", blobs.staging_dir().display()))?;
    let staged = blobs.staging_dir().join(format!("probe-{}", id.simple()));
    tokio::fs::write(&staged, &content)
        .await
        .with_context(|| format!("writing {}", staged.display()))?;
    let stored = blobs
        .store(&key, &staged)
        .await
        .context("storing the probe");
    if stored.is_err() {
        let _ = tokio::fs::remove_file(&staged).await;
    }
    stored?;
    let read = async {
        let stream = blobs.read(&key).await.context("reading the probe back")?;
        let digested = crate::ops::files::digest_stream(stream)
            .await
            .context("reading the probe back")?;
        anyhow::ensure!(
            digested.size == content.len() as u64,
            "the probe came back with {} bytes instead of {}",
            digested.size,
            content.len()
        );
        Ok(())
    }
    .await;
    let deleted = blobs.delete(&key).await.context("deleting the probe");
    read.and(deleted)
}

async fn mail(settings: &Settings) -> Check {
    const NAME: &str = "mail";
    let Some(url) = &settings.smtp_url else {
        return pass(
            NAME,
            format!(
                "no SMTP server set: mail is written to {}/outbox as .eml files, nothing is sent",
                settings.data_dir.display()
            ),
        );
    };
    let shown = without_password(url.expose_secret());
    let mailer = match Mailer::from_settings(settings) {
        Ok(mailer) => mailer,
        Err(e) => return fail(NAME, causes(&e)),
    };
    match mailer.test_connection().await {
        Some(Ok(true)) => pass(NAME, format!("{shown}: connected and greeted (EHLO)")),
        Some(Ok(false)) => fail(NAME, format!("{shown}: the server did not answer EHLO")),
        Some(Err(e)) => fail(NAME, format!("{shown}: {}", causes(&e))),
        None => fail(NAME, "the SMTP transport was not made"),
    }
}

/// https, or plain http on this machine only (trying it out): elsewhere links, session
/// cookies and uploads would cross the network unencrypted.
fn public_url(settings: &Settings) -> Check {
    const NAME: &str = "public url";
    let url = &settings.public_url;
    let Ok(parsed) = url::Url::parse(url) else {
        return fail(NAME, format!("{url} is not a URL"));
    };
    let loopback = match parsed.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => pass(NAME, format!("{url}: https")),
        "http" if loopback => pass(
            NAME,
            format!(
                "{url}: plain http, for this machine only; use https before anyone else opens a link"
            ),
        ),
        _ => fail(
            NAME,
            format!(
                "{url}: links, session cookies and uploads would cross the network unencrypted; \
                 use https (a TLS proxy in front of the portal)"
            ),
        ),
    }
}
