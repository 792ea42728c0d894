//! The effective settings as `check-config` prints them: secrets only as set or unset, and the
//! password of a URL replaced.

use secrecy::{ExposeSecret, SecretString};

use crate::config::Settings;

/// Every setting with its value as shown. Destructured in full, so a new setting cannot be
/// left out of the listing.
pub fn settings(settings: &Settings) -> Vec<(&'static str, String)> {
    let Settings {
        database_url,
        database_acquire_timeout_seconds,
        bind,
        public_url,
        data_dir,
        storage_url,
        smtp_url,
        mail_from,
        vies_url,
        idenfy_url,
        idenfy_api_key,
        idenfy_api_secret,
        idenfy_callback_key,
        max_upload_bytes,
        secret_key,
        signing_key,
        trusted_proxy,
        metrics_token,
        webhook_allow_private_networks,
        link_session_files_per_hour,
        link_session_bytes_per_day,
        link_buyer_files_per_hour,
        link_buyer_bytes_per_day,
        pdftoppm,
        retention_finished_jobs_days,
        retention_delivered_events_days,
        retention_rate_limits_days,
    } = settings;
    let data = data_dir.display();
    vec![
        (
            "database_url",
            without_password(database_url.expose_secret()),
        ),
        (
            "database_acquire_timeout_seconds",
            database_acquire_timeout_seconds.to_string(),
        ),
        ("bind", bind.clone()),
        ("public_url", public_url.clone()),
        ("data_dir", data.to_string()),
        (
            "storage_url",
            storage_url
                .clone()
                .unwrap_or_else(|| format!("unset: the folder {data}/documents")),
        ),
        (
            "smtp_url",
            smtp_url.as_ref().map_or_else(
                || format!("unset: mail is written to {data}/outbox, not sent"),
                |url| without_password(url.expose_secret()),
            ),
        ),
        ("mail_from", mail_from.clone()),
        ("vies_url", vies_url.clone()),
        ("idenfy_url", idenfy_url.clone()),
        ("idenfy_api_key", set_or_unset(idenfy_api_key)),
        ("idenfy_api_secret", set_or_unset(idenfy_api_secret)),
        ("idenfy_callback_key", set_or_unset(idenfy_callback_key)),
        ("max_upload_bytes", max_upload_bytes.to_string()),
        (
            "secret_key",
            secret_key.as_ref().map_or_else(
                || format!("unset: the file {data}/secret.key"),
                |_| "set".to_owned(),
            ),
        ),
        (
            "signing_key",
            signing_key.as_ref().map_or_else(
                || format!("unset: the file {data}/signing.key"),
                |_| "set".to_owned(),
            ),
        ),
        (
            "trusted_proxy",
            if trusted_proxy.is_empty() {
                "unset: X-Forwarded-For is ignored".to_owned()
            } else {
                trusted_proxy.to_string()
            },
        ),
        ("metrics_token", set_or_unset(metrics_token)),
        (
            "webhook_allow_private_networks",
            webhook_allow_private_networks.to_string(),
        ),
        (
            "link_session_files_per_hour",
            link_session_files_per_hour.to_string(),
        ),
        (
            "link_session_bytes_per_day",
            link_session_bytes_per_day.to_string(),
        ),
        (
            "link_buyer_files_per_hour",
            link_buyer_files_per_hour.to_string(),
        ),
        (
            "link_buyer_bytes_per_day",
            link_buyer_bytes_per_day.to_string(),
        ),
        (
            "pdftoppm",
            pdftoppm.as_ref().map_or_else(
                || "unset: pdftoppm on PATH".to_owned(),
                |p| p.display().to_string(),
            ),
        ),
        (
            "retention_finished_jobs_days",
            retention_finished_jobs_days.to_string(),
        ),
        (
            "retention_delivered_events_days",
            retention_delivered_events_days.to_string(),
        ),
        (
            "retention_rate_limits_days",
            retention_rate_limits_days.to_string(),
        ),
    ]
}

fn set_or_unset(secret: &Option<SecretString>) -> String {
    if secret.is_some() { "set" } else { "unset" }.to_owned()
}

/// A URL with its password (if any) replaced, so the user and host still show.
pub fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            if parsed.set_password(Some("(set)")).is_err() {
                return "set (a URL with a password)".to_owned();
            }
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_shows_its_user_and_host_but_never_its_password() {
        let shown = without_password("postgres://kyc:hunter2@db.internal:5432/kyc");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.starts_with("postgres://kyc:"), "{shown}");
        assert!(shown.ends_with("@db.internal:5432/kyc"), "{shown}");
        assert_eq!(
            without_password("sqlite://./data/kyc-portal.db"),
            "sqlite://./data/kyc-portal.db"
        );
    }

    #[test]
    fn secrets_are_shown_only_as_set() {
        let mut settings =
            Settings::for_data_dir("postgres://kyc:hunter2@db/kyc", std::path::Path::new("/d"));
        settings.metrics_token = Some("metrics-visible-nowhere".to_owned().into());
        settings.secret_key = Some("ab".repeat(32).into());
        settings.smtp_url = Some("smtps://mailer:mail-pass@mail.example".to_owned().into());
        let shown = format!("{:?}", super::settings(&settings));
        for hidden in [
            "hunter2",
            "metrics-visible-nowhere",
            &"ab".repeat(32),
            "mail-pass",
        ] {
            assert!(!shown.contains(hidden), "{shown}");
        }
        assert!(shown.contains("\"metrics_token\", \"set\""), "{shown}");
    }
}
