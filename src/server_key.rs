//! The server's secret key: the root of secrets the server must be able to make again later
//! (an invitation's link token is derived from it, so that only the token's hash is stored and
//! yet the link can be sent again or printed as a QR code).

use std::io::Write;
use std::path::Path;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::config::Settings;

/// 32 secret bytes.
#[derive(Clone)]
pub struct ServerKey([u8; 32]);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(..)")
    }
}

/// The key could not be read or made.
#[derive(Debug, thiserror::Error)]
pub enum ServerKeyError {
    /// The setting or the key file is not 64 hex digits.
    #[error("a key must be 64 hex digits (32 bytes)")]
    Malformed,
    /// The key file could not be read or written.
    #[error("cannot read or write a key file")]
    Io(#[from] std::io::Error),
    /// No secure random source.
    #[error("no secure random source")]
    Random,
}

impl ServerKey {
    /// The key from the settings, else from `<data_dir>/secret.key`, made there (readable by
    /// the owner only) when missing.
    pub fn load_or_create(settings: &Settings) -> Result<ServerKey, ServerKeyError> {
        load_or_create_key_file(
            settings.secret_key.as_ref(),
            &settings.data_dir.join("secret.key"),
        )
        .map(ServerKey)
    }

    /// A key of these bytes (tests, and keys given in full).
    pub fn from_bytes(bytes: [u8; 32]) -> ServerKey {
        ServerKey(bytes)
    }

    /// HMAC-SHA256 of `message` under this key, for `purpose` (so that keys derived for
    /// different uses never coincide).
    pub fn derive(&self, purpose: &str, message: &[u8]) -> [u8; 32] {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else {
            return [0; 32];
        };
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(message);
        mac.finalize().into_bytes().into()
    }
}

/// 32 secret bytes written as 64 hex digits: `setting` when given, else the file at `path`,
/// made there (readable by the owner only) when missing. Keys the server makes for itself
/// (the server key, the profile signing key) all live this way.
pub fn load_or_create_key_file(
    setting: Option<&SecretString>,
    path: &Path,
) -> Result<[u8; 32], ServerKeyError> {
    match load_key_file(setting, path)? {
        Some(key) => Ok(key),
        None => create_key_file(path),
    }
}

/// Like [`load_or_create_key_file`] but never makes one: None when neither is there (for
/// offline commands that must not invent a key).
pub fn load_key_file(
    setting: Option<&SecretString>,
    path: &Path,
) -> Result<Option<[u8; 32]>, ServerKeyError> {
    if let Some(hex) = setting {
        return from_hex(hex.expose_secret()).map(Some);
    }
    match std::fs::read_to_string(path) {
        Ok(text) => from_hex(text.trim()).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn from_hex(text: &str) -> Result<[u8; 32], ServerKeyError> {
    let bytes = hex::decode(text).map_err(|_| ServerKeyError::Malformed)?;
    bytes.try_into().map_err(|_| ServerKeyError::Malformed)
}

fn create_key_file(path: &Path) -> Result<[u8; 32], ServerKeyError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| ServerKeyError::Random)?;
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(hex::encode(bytes).as_bytes())?;
            file.sync_all()?;
            Ok(bytes)
        }
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            from_hex(std::fs::read_to_string(path)?.trim())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_and_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::for_data_dir("sqlite::memory:", dir.path());
        let first = ServerKey::load_or_create(&settings).unwrap();
        let second = ServerKey::load_or_create(&settings).unwrap();
        assert_eq!(first.derive("x", b"m"), second.derive("x", b"m"));
        assert_ne!(first.derive("x", b"m"), first.derive("y", b"m"));
        assert!(!format!("{first:?}").contains(&hex::encode(first.0)));
    }

    #[cfg(unix)]
    #[test]
    fn a_made_key_file_is_readable_by_its_owner_only_and_never_made_by_a_plain_load() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("some.key");
        assert_eq!(load_key_file(None, &path).unwrap(), None);
        assert!(!path.exists());
        let made = load_or_create_key_file(None, &path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(load_key_file(None, &path).unwrap(), Some(made));
        let given = SecretString::from("11".repeat(32));
        assert_eq!(
            load_or_create_key_file(Some(&given), &path).unwrap(),
            [0x11; 32]
        );
    }
}
