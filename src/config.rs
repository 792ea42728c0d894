//! Typed settings: built-in defaults, then an optional TOML file, then `KYC_PORTAL_*` variables
//! (and `DATABASE_URL`). Secrets are wrapped so that `Debug` never prints them.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Everything the operator can set. Each field is also a `KYC_PORTAL_<NAME>` variable
/// (upper case), except `database_url`, which is `DATABASE_URL`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Database to use: `sqlite://path` (created on first start) or `postgres://...`.
    pub database_url: SecretString,
    /// Address the HTTP server listens on; port 0 picks a free port (tests).
    pub bind: String,
    /// Public base URL of the portal; every link the portal hands out starts with it.
    pub public_url: String,
    /// Folder for the SQLite file, local documents and the mail outbox.
    pub data_dir: PathBuf,
    /// Where documents are stored: unset for a folder in the data dir, `file:///path`,
    /// or `s3://bucket` (endpoint and credentials from the usual `AWS_*` variables).
    pub storage_url: Option<String>,
    /// SMTP server (`smtp://host:port`, `smtps://user:pass@host`); unset writes `.eml` files.
    pub smtp_url: Option<SecretString>,
    /// Sender of every email.
    pub mail_from: String,
    /// Base URL of the EU VIES REST service.
    pub vies_url: String,
    /// Base URL of the iDenfy identity verification API (also the base of its session
    /// links, `{idenfy_url}/api/v2/redirect?authToken=...`, when a token answer carries none).
    pub idenfy_url: String,
    /// iDenfy API key (the user name of its Basic auth); unset: no verifications can start.
    pub idenfy_api_key: Option<SecretString>,
    /// iDenfy API secret (the password of its Basic auth).
    pub idenfy_api_secret: Option<SecretString>,
    /// The signing key set for the callback in iDenfy's dashboard: callbacks must carry
    /// `Idenfy-Signature`, the hex HMAC-SHA256 of their body under it. Unset: every callback
    /// is refused.
    pub idenfy_callback_key: Option<SecretString>,
    /// Largest document upload accepted, in bytes.
    pub max_upload_bytes: u64,
    /// 32-byte key (hex) from which the server derives secrets such as invitation link tokens.
    /// Unset: generated into `<data_dir>/secret.key` on first start. Instances that share a
    /// database must share this key.
    pub secret_key: Option<SecretString>,
    /// Ed25519 private key (64 hex digits, its 32-byte seed) that signs KYC profile PDFs.
    /// Unset: generated into `<data_dir>/signing.key` on first start. Instances that share a
    /// database must share it; only its public half ever leaves the server.
    pub signing_key: Option<SecretString>,
    /// IP address of a reverse proxy in front of the portal. Requests from it are attributed
    /// to the client its `Forwarded` / `X-Forwarded-For` header names (for rate limits);
    /// from anyone else those headers are ignored.
    pub trusted_proxy: Option<std::net::IpAddr>,
    /// poppler's `pdftoppm`, which renders the pages of PDF previews (`pdfinfo` is taken from
    /// the same folder). Unset: `pdftoppm` on `PATH`. When it cannot be started, previews of
    /// PDFs offer the download only.
    pub pdftoppm: Option<PathBuf>,
}

/// The defaults as a serialisable shape (secrets cannot be serialised, so they travel as text).
#[derive(Serialize)]
struct Defaults {
    database_url: &'static str,
    bind: &'static str,
    public_url: &'static str,
    data_dir: &'static str,
    mail_from: &'static str,
    vies_url: &'static str,
    idenfy_url: &'static str,
    max_upload_bytes: u64,
}

const DEFAULTS: Defaults = Defaults {
    database_url: "sqlite://./data/kyc-portal.db",
    bind: "127.0.0.1:8080",
    public_url: "http://localhost:8080",
    data_dir: "./data",
    mail_from: "KYC Portal <no-reply@localhost>",
    vies_url: "https://ec.europa.eu/taxation_customs/vies/rest-api",
    idenfy_url: "https://ivs.idenfy.com",
    max_upload_bytes: 20 * 1024 * 1024,
};

/// A setting that could not be read or makes no sense.
#[derive(Debug, thiserror::Error)]
#[error("invalid settings: {0}")]
pub struct SettingsError(String);

impl Settings {
    /// Defaults, overridden by `file` (if given), overridden by the environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, SettingsError> {
        let mut figment = Figment::from(Serialized::defaults(DEFAULTS));
        if let Some(file) = file {
            if !file.exists() {
                return Err(SettingsError(format!(
                    "config file {} does not exist",
                    file.display()
                )));
            }
            figment = figment.merge(Toml::file(file));
        }
        let figment = figment
            // KYC_PORTAL_LOG_JSON is read by the logger before settings exist.
            .merge(Env::prefixed("KYC_PORTAL_").ignore(&["log_json"]))
            .merge(Env::raw().only(&["DATABASE_URL"]));
        let settings: Settings = figment
            .extract()
            .map_err(|e| SettingsError(e.to_string()))?;
        settings.validated()
    }

    /// Settings for tests and embedding: the defaults with the given database and data dir,
    /// bound to a free loopback port.
    pub fn for_data_dir(database_url: &str, data_dir: &Path) -> Settings {
        Settings {
            database_url: SecretString::from(database_url.to_owned()),
            bind: "127.0.0.1:0".into(),
            public_url: DEFAULTS.public_url.into(),
            data_dir: data_dir.to_owned(),
            storage_url: None,
            smtp_url: None,
            mail_from: DEFAULTS.mail_from.into(),
            vies_url: DEFAULTS.vies_url.into(),
            idenfy_url: DEFAULTS.idenfy_url.into(),
            idenfy_api_key: None,
            idenfy_api_secret: None,
            idenfy_callback_key: None,
            max_upload_bytes: DEFAULTS.max_upload_bytes,
            secret_key: None,
            signing_key: None,
            trusted_proxy: None,
            pdftoppm: None,
        }
    }

    fn validated(mut self) -> Result<Settings, SettingsError> {
        let public = self.public_url.trim_end_matches('/').to_owned();
        if !(public.starts_with("http://") || public.starts_with("https://")) {
            return Err(SettingsError(
                "public_url must start with http:// or https://".into(),
            ));
        }
        self.public_url = public;
        if self.max_upload_bytes == 0 {
            return Err(SettingsError("max_upload_bytes must be positive".into()));
        }
        Ok(self)
    }

    /// The database URL (a secret: it may carry a password).
    pub fn database_url(&self) -> &str {
        self.database_url.expose_secret()
    }

    /// Whether links are served over https (decides the `Secure` flag of cookies).
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_database_password() {
        let settings = Settings::for_data_dir("postgres://kyc:hunter2@db/kyc", Path::new("/tmp"));
        let printed = format!("{settings:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
    }

    #[test]
    fn debug_output_hides_the_provider_secrets_and_the_signing_key() {
        let mut settings = Settings::for_data_dir("sqlite::memory:", Path::new("/tmp"));
        settings.idenfy_api_key = Some("key-visible-nowhere".to_owned().into());
        settings.idenfy_api_secret = Some("secret-visible-nowhere".to_owned().into());
        settings.idenfy_callback_key = Some("callback-visible-nowhere".to_owned().into());
        settings.signing_key = Some("ab".repeat(32).into());
        let printed = format!("{settings:?}");
        for hidden in [
            "key-visible-nowhere",
            "secret-visible-nowhere",
            "callback-visible-nowhere",
            &"ab".repeat(32),
        ] {
            assert!(!printed.contains(hidden), "{printed}");
        }
    }
}
