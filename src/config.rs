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
    /// Seconds a request waits for a database connection (on SQLite also for its turn to
    /// write) before it is answered 503 with `Retry-After`, so that requests do not pile up
    /// while the database restarts or is overloaded.
    pub database_acquire_timeout_seconds: u64,
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
    /// The reverse proxies in front of the portal: addresses or networks (`10.0.0.1`,
    /// `10.0.0.0/8`), separated by commas. A request from one of them is attributed to the
    /// rightmost `X-Forwarded-For` address that is not itself a trusted proxy (what the client
    /// wrote further left is not believed); from anyone else the header is ignored.
    pub trusted_proxy: TrustedProxies,
    /// Bearer token that `GET /metrics` requires; unset: the metrics are open to whoever
    /// reaches the port.
    pub metrics_token: Option<SecretString>,
    /// Allow webhook endpoints on loopback, private, link-local and other internal addresses
    /// (for receivers inside the operator's own network). Off: such URLs are refused when
    /// registered and again when connecting, so the portal cannot be used to reach inside.
    pub webhook_allow_private_networks: bool,
    /// Files one buyer session may upload through its link per hour.
    pub link_session_files_per_hour: u32,
    /// Bytes one buyer session may upload through its link per day.
    pub link_session_bytes_per_day: u64,
    /// Files all of a buyer's link sessions together may upload per hour.
    pub link_buyer_files_per_hour: u32,
    /// Bytes all of a buyer's link sessions together may upload per day.
    pub link_buyer_bytes_per_day: u64,
    /// poppler's `pdftoppm`, which renders the pages of PDF previews (`pdfinfo` is taken from
    /// the same folder). Unset: `pdftoppm` on `PATH`. When it cannot be started, previews of
    /// PDFs offer the download only.
    pub pdftoppm: Option<PathBuf>,
    /// Days finished jobs (done, or failed for good) are kept before they are pruned.
    pub retention_finished_jobs_days: u32,
    /// Days events are kept once every webhook delivery of them succeeded (then pruned with
    /// their deliveries and attempts; events with an unsent delivery stay).
    pub retention_delivered_events_days: u32,
    /// Days rate-limit counters are kept (longer than the longest window a limit counts in).
    pub retention_rate_limits_days: u32,
}

/// Addresses and networks of trusted reverse proxies: from a comma-separated text or a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

impl TrustedProxies {
    /// Reads `10.0.0.1, 192.168.0.0/16, ::1`; a bare address is a network of one.
    pub fn parse(text: &str) -> Result<TrustedProxies, String> {
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<ipnet::IpNet>()
                    .or_else(|_| part.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| format!("trusted_proxy: {part:?} is not an address or network"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    /// Whether `address` is one of the proxies.
    pub fn contains(&self, address: std::net::IpAddr) -> bool {
        let address = canonical(address);
        self.0.iter().any(|net| net.contains(&address))
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for TrustedProxies {
    /// As the setting is written: networks separated by commas.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let written: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&written.join(", "))
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is that IPv4 address.
pub fn canonical(address: std::net::IpAddr) -> std::net::IpAddr {
    match address {
        std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, std::net::IpAddr::V4),
        v4 => v4,
    }
}

impl<'de> Deserialize<'de> for TrustedProxies {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Text(String),
            List(Vec<String>),
        }
        let text = match Written::deserialize(d)? {
            Written::Text(text) => text,
            Written::List(list) => list.join(","),
        };
        TrustedProxies::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The defaults as a serialisable shape (secrets cannot be serialised, so they travel as text).
#[derive(Serialize)]
struct Defaults {
    database_url: &'static str,
    database_acquire_timeout_seconds: u64,
    bind: &'static str,
    public_url: &'static str,
    data_dir: &'static str,
    mail_from: &'static str,
    vies_url: &'static str,
    idenfy_url: &'static str,
    max_upload_bytes: u64,
    trusted_proxy: &'static str,
    webhook_allow_private_networks: bool,
    link_session_files_per_hour: u32,
    link_session_bytes_per_day: u64,
    link_buyer_files_per_hour: u32,
    link_buyer_bytes_per_day: u64,
    retention_finished_jobs_days: u32,
    retention_delivered_events_days: u32,
    retention_rate_limits_days: u32,
}

const DEFAULTS: Defaults = Defaults {
    database_url: "sqlite://./data/kyc-portal.db",
    database_acquire_timeout_seconds: 3,
    bind: "127.0.0.1:8080",
    public_url: "http://localhost:8080",
    data_dir: "./data",
    mail_from: "KYC Portal <no-reply@localhost>",
    vies_url: "https://ec.europa.eu/taxation_customs/vies/rest-api",
    idenfy_url: "https://ivs.idenfy.com",
    max_upload_bytes: 20 * 1024 * 1024,
    trusted_proxy: "",
    webhook_allow_private_networks: false,
    // A company's documents are a dozen files, some re-sent: far above what a buyer needs,
    // far below what would fill a disk through one link.
    link_session_files_per_hour: 30,
    link_session_bytes_per_day: 200 * 1024 * 1024,
    link_buyer_files_per_hour: 60,
    link_buyer_bytes_per_day: 500 * 1024 * 1024,
    // Long enough to look into what went wrong last month; the audit history keeps the
    // record of every change regardless.
    retention_finished_jobs_days: 30,
    retention_delivered_events_days: 90,
    retention_rate_limits_days: 2,
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
            database_acquire_timeout_seconds: DEFAULTS.database_acquire_timeout_seconds,
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
            trusted_proxy: TrustedProxies::default(),
            metrics_token: None,
            webhook_allow_private_networks: DEFAULTS.webhook_allow_private_networks,
            link_session_files_per_hour: DEFAULTS.link_session_files_per_hour,
            link_session_bytes_per_day: DEFAULTS.link_session_bytes_per_day,
            link_buyer_files_per_hour: DEFAULTS.link_buyer_files_per_hour,
            link_buyer_bytes_per_day: DEFAULTS.link_buyer_bytes_per_day,
            pdftoppm: None,
            retention_finished_jobs_days: DEFAULTS.retention_finished_jobs_days,
            retention_delivered_events_days: DEFAULTS.retention_delivered_events_days,
            retention_rate_limits_days: DEFAULTS.retention_rate_limits_days,
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
        if self.database_acquire_timeout_seconds == 0 {
            return Err(SettingsError(
                "database_acquire_timeout_seconds must be positive".into(),
            ));
        }
        if self.max_upload_bytes == 0 {
            return Err(SettingsError("max_upload_bytes must be positive".into()));
        }
        Ok(self)
    }

    /// How long a request waits for a database connection.
    pub fn database_acquire_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.database_acquire_timeout_seconds)
    }

    /// The database URL (a secret: it may carry a password).
    pub fn database_url(&self) -> &str {
        self.database_url.expose_secret()
    }

    /// Whether links are served over https (decides the `Secure` flag of cookies).
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// Whether emails still go out from the default sender address, which no real mail
    /// server accepts as a sender.
    pub fn mail_from_is_default(&self) -> bool {
        self.mail_from == DEFAULTS.mail_from
    }

    /// Whether identity verifications can start: the provider's key and secret are both set.
    pub fn identity_provider_configured(&self) -> bool {
        self.idenfy_api_key.is_some() && self.idenfy_api_secret.is_some()
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
    fn trusted_proxies_are_addresses_or_networks_and_mapped_addresses_count_as_ipv4() {
        let proxies = TrustedProxies::parse("10.0.0.1, 192.168.0.0/16 ,::1").unwrap();
        assert!(proxies.contains("10.0.0.1".parse().unwrap()));
        assert!(proxies.contains("::ffff:10.0.0.1".parse().unwrap()));
        assert!(proxies.contains("192.168.44.2".parse().unwrap()));
        assert!(proxies.contains("::1".parse().unwrap()));
        assert!(!proxies.contains("10.0.0.2".parse().unwrap()));
        assert!(TrustedProxies::parse("").unwrap().is_empty());
        assert!(TrustedProxies::parse("10.0.0.1, proxy.local").is_err());
    }

    #[test]
    fn debug_output_hides_the_provider_secrets_and_the_signing_key() {
        let mut settings = Settings::for_data_dir("sqlite::memory:", Path::new("/tmp"));
        settings.idenfy_api_key = Some("key-visible-nowhere".to_owned().into());
        settings.idenfy_api_secret = Some("secret-visible-nowhere".to_owned().into());
        settings.idenfy_callback_key = Some("callback-visible-nowhere".to_owned().into());
        settings.signing_key = Some("ab".repeat(32).into());
        settings.metrics_token = Some("metrics-visible-nowhere".to_owned().into());
        let printed = format!("{settings:?}");
        for hidden in [
            "key-visible-nowhere",
            "secret-visible-nowhere",
            "callback-visible-nowhere",
            "metrics-visible-nowhere",
            &"ab".repeat(32),
        ] {
            assert!(!printed.contains(hidden), "{printed}");
        }
    }
}
