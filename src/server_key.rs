//! The server's secret key: the root of secrets the server must be able to make again later
//! (an invitation's link token is derived from it, so that only the token's hash is stored and
//! yet the link can be sent again or printed as a QR code).

use std::io::Write;
use std::path::Path;

use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
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
    #[error("the secret key must be 64 hex digits (32 bytes)")]
    Malformed,
    /// The key file could not be read or written.
    #[error("cannot read or write the secret key file")]
    Io(#[from] std::io::Error),
    /// No secure random source.
    #[error("no secure random source")]
    Random,
}

impl ServerKey {
    /// The key from the settings, else from `<data_dir>/secret.key`, made there (readable by
    /// the owner only) when missing.
    pub fn load_or_create(settings: &Settings) -> Result<ServerKey, ServerKeyError> {
        if let Some(hex) = &settings.secret_key {
            return ServerKey::from_hex(hex.expose_secret());
        }
        let path = settings.data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => ServerKey::from_hex(text.trim()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ServerKey::create(&path),
            Err(e) => Err(e.into()),
        }
    }

    fn from_hex(text: &str) -> Result<ServerKey, ServerKeyError> {
        let bytes = hex::decode(text).map_err(|_| ServerKeyError::Malformed)?;
        Ok(ServerKey(
            bytes.try_into().map_err(|_| ServerKeyError::Malformed)?,
        ))
    }

    fn create(path: &Path) -> Result<ServerKey, ServerKeyError> {
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
                Ok(ServerKey(bytes))
            }
            // Another process made it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                ServerKey::from_hex(std::fs::read_to_string(path)?.trim())
            }
            Err(e) => Err(e.into()),
        }
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
}
