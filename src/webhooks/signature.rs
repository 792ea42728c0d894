//! Standard Webhooks signing: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
//! with the key that the endpoint's `whsec_<base64>` secret encodes.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::seal::{Seal, SealError};
use crate::server_key::ServerKey;

const PREFIX: &str = "whsec_";
/// How a sealed secret starts in the database (a plain one, from before secrets were sealed,
/// starts with `whsec_`).
const SEALED_PREFIX: &str = "sealed:";

/// The seal webhook secrets are kept under.
pub fn secret_seal(key: &ServerKey) -> Seal {
    Seal::new(key, "webhook-secret")
}

/// An endpoint's signing secret, `whsec_` and the base64 of its key.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

impl WebhookSecret {
    /// A new secret with a 32-byte key from the operating system's random source.
    pub fn generate() -> Result<WebhookSecret, getrandom::Error> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)?;
        Ok(WebhookSecret(format!("{PREFIX}{}", STANDARD.encode(key))))
    }

    /// The form the database keeps: sealed under the server key.
    pub fn to_stored(&self, seal: &Seal) -> Result<String, SealError> {
        Ok(format!(
            "{SEALED_PREFIX}{}",
            STANDARD.encode(seal.seal(self.0.as_bytes())?)
        ))
    }

    /// A secret from its stored form (sealed, or plain from before secrets were sealed).
    pub fn from_stored(stored: &str, seal: &Seal) -> Result<WebhookSecret, SealError> {
        if stored.starts_with(PREFIX) {
            return Ok(WebhookSecret(stored.to_owned()));
        }
        let sealed = stored
            .strip_prefix(SEALED_PREFIX)
            .and_then(|b64| STANDARD.decode(b64).ok())
            .ok_or(SealError::Open)?;
        let plain = String::from_utf8(seal.open(&sealed)?).map_err(|_| SealError::Open)?;
        Ok(WebhookSecret(plain))
    }

    /// Whether a stored form is still plain text.
    pub fn is_plain(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }

    /// The secret as shown once to the endpoint's owner.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The `webhook-signature` header value for one message.
    pub fn sign(&self, message_id: &str, timestamp: i64, body: &[u8]) -> String {
        let encoded = self.0.strip_prefix(PREFIX).unwrap_or(&self.0);
        // Secrets are made here, so they always decode; a mangled one signs with its bytes.
        let key = STANDARD
            .decode(encoded)
            .unwrap_or_else(|_| encoded.as_bytes().to_vec());
        let mut mac = match Hmac::<Sha256>::new_from_slice(&key) {
            Ok(mac) => mac,
            // HMAC takes keys of any length; this arm cannot be reached.
            Err(_) => return String::new(),
        };
        mac.update(message_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_test_vector_of_the_standard_webhooks_specification() {
        let secret = WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into());
        let signature = secret.sign(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_secret_is_stored_sealed_and_read_back_and_plain_old_ones_still_read() {
        let seal = secret_seal(&ServerKey::from_bytes([7; 32]));
        let secret = WebhookSecret::generate().unwrap();
        let stored = secret.to_stored(&seal).unwrap();
        assert!(stored.starts_with(SEALED_PREFIX));
        assert!(!stored.contains(secret.expose()));
        assert!(!WebhookSecret::is_plain(&stored));
        assert_eq!(WebhookSecret::from_stored(&stored, &seal).unwrap(), secret);
        let other = secret_seal(&ServerKey::from_bytes([8; 32]));
        assert!(WebhookSecret::from_stored(&stored, &other).is_err());
        let old = WebhookSecret::from_stored(secret.expose(), &seal).unwrap();
        assert_eq!(old, secret);
    }

    #[test]
    fn a_new_secret_carries_a_32_byte_key_and_is_never_printed() {
        let secret = WebhookSecret::generate().unwrap();
        let key = secret.expose().strip_prefix("whsec_").unwrap();
        assert_eq!(STANDARD.decode(key).unwrap().len(), 32);
        assert!(!format!("{secret:?}").contains(key));
        assert_ne!(secret, WebhookSecret::generate().unwrap());
    }
}
