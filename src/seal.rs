//! Sealing secrets the database must keep but must not hold in the clear (kept API responses
//! that carry invitation links, webhook signing secrets): ChaCha20-Poly1305 under a key derived
//! from the server key for one purpose, a random nonce per value. A database copied away
//! without the key file reveals none of them, and a value moved between purposes does not open.

use chacha20poly1305::aead::Aead;
use chacha20poly1305::{ChaCha20Poly1305, KeyInit};

use crate::server_key::ServerKey;

/// A value could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// No secure random source for the nonce.
    #[error("no secure random source")]
    Random,
    /// The value is damaged, or was sealed under another key or purpose.
    #[error("a sealed value does not open with this server key")]
    Open,
}

/// The seal of one purpose.
pub struct Seal(ChaCha20Poly1305);

impl Seal {
    /// The seal for `purpose` under `key`.
    pub fn new(key: &ServerKey, purpose: &str) -> Seal {
        let derived = key.derive(purpose, b"");
        Seal(ChaCha20Poly1305::new(&derived.into()))
    }

    /// `nonce || ciphertext || tag`.
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|_| SealError::Random)?;
        let sealed = self
            .0
            .encrypt(&nonce.into(), plain)
            .map_err(|_| SealError::Open)?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// The plain value of what [`Seal::seal`] made.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let (nonce, body) = sealed.split_at_checked(12).ok_or(SealError::Open)?;
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| SealError::Open)?;
        self.0
            .decrypt(&nonce.into(), body)
            .map_err(|_| SealError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> ServerKey {
        ServerKey::from_bytes([byte; 32])
    }

    #[test]
    fn a_sealed_value_opens_only_under_its_key_and_purpose() {
        let seal = Seal::new(&key(1), "webhook-secret");
        let sealed = seal.seal(b"whsec_abc").unwrap();
        assert!(!sealed.windows(9).any(|w| w == b"whsec_abc"));
        assert_eq!(seal.open(&sealed).unwrap(), b"whsec_abc");
        assert!(Seal::new(&key(2), "webhook-secret").open(&sealed).is_err());
        assert!(
            Seal::new(&key(1), "idempotency-response")
                .open(&sealed)
                .is_err()
        );
        assert!(seal.open(&sealed[..5]).is_err());
    }
}
