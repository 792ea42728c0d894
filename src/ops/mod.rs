//! Running the portal for years: consistent backups taken while it serves, their verification
//! and restore, and a check of the settings against the real database, store and mail server.

pub mod backup;
pub mod check_config;
mod files;
pub mod manifest;
mod progress;
pub mod restore;
pub mod retention;
pub mod verify;

use std::path::PathBuf;

use secrecy::SecretString;

use crate::config::Settings;

/// One of the server's keys: a file in the data folder unless a setting gives it.
pub struct KeyFile<'a> {
    /// The file's name (`secret.key`, `signing.key`).
    pub name: &'static str,
    /// The variable that gives it instead.
    pub variable: &'static str,
    /// The setting's value, when given.
    pub setting: Option<&'a SecretString>,
    /// Where the file is, or would be made.
    pub path: PathBuf,
}

/// The server key (invitation links, sealed secrets) and the profile signing key.
pub fn key_files(settings: &Settings) -> [KeyFile<'_>; 2] {
    [
        KeyFile {
            name: "secret.key",
            variable: "KYC_PORTAL_SECRET_KEY",
            setting: settings.secret_key.as_ref(),
            path: settings.data_dir.join("secret.key"),
        },
        KeyFile {
            name: "signing.key",
            variable: "KYC_PORTAL_SIGNING_KEY",
            setting: settings.signing_key.as_ref(),
            path: settings.data_dir.join("signing.key"),
        },
    ]
}
