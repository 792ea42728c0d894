//! The key that signs KYC profiles: Ed25519, so that anyone holding the portal's published
//! public key can check a profile offline with any implementation (OpenSSL, Python's
//! `cryptography`, `kyc-portal verify-profile`). The private half never leaves the server.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePublicKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::config::Settings;
use crate::server_key::{ServerKeyError, load_key_file, load_or_create_key_file};

/// The file in the data dir that holds the key (as 64 hex digits of its seed).
const KEY_FILE: &str = "signing.key";

/// Signs profiles.
#[derive(Clone)]
pub struct ProfileSigner {
    key: SigningKey,
}

impl std::fmt::Debug for ProfileSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProfileSigner(..)")
    }
}

impl ProfileSigner {
    /// The key from the settings, else from `<data_dir>/signing.key`, made there (readable by
    /// the owner only) on first start.
    pub fn load_or_create(settings: &Settings) -> Result<ProfileSigner, ServerKeyError> {
        let seed = load_or_create_key_file(
            settings.signing_key.as_ref(),
            &settings.data_dir.join(KEY_FILE),
        )?;
        Ok(ProfileSigner::from_seed(seed))
    }

    /// The configured key if there is one; never makes one (for offline checks).
    pub fn load(settings: &Settings) -> Result<Option<ProfileSigner>, ServerKeyError> {
        let seed = load_key_file(
            settings.signing_key.as_ref(),
            &settings.data_dir.join(KEY_FILE),
        )?;
        Ok(seed.map(ProfileSigner::from_seed))
    }

    /// The key with this 32-byte seed.
    pub fn from_seed(seed: [u8; 32]) -> ProfileSigner {
        ProfileSigner {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// The Ed25519 signature of `bytes`.
    pub fn sign(&self, bytes: &[u8]) -> [u8; 64] {
        self.key.sign(bytes).to_bytes()
    }

    /// The public half, to publish.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.key.verifying_key())
    }
}

/// An Ed25519 public key that checks profiles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// The 32 raw bytes, base64 (what `Ed25519PublicKey.from_public_bytes` takes).
    pub fn raw_base64(&self) -> String {
        STANDARD.encode(self.0.as_bytes())
    }

    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), what OpenSSL reads.
    pub fn pem(&self) -> String {
        self.0.to_public_key_pem(LineEnding::LF).unwrap_or_default()
    }

    /// SHA-256 of the raw key, hex: a short way to compare keys by eye.
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }

    /// A key as PEM (SPKI) or as base64 of its 32 raw bytes.
    pub fn parse(text: &str) -> Result<PublicKey, String> {
        let text = text.trim();
        if text.starts_with("-----BEGIN") {
            return VerifyingKey::from_public_key_pem(text)
                .map(PublicKey)
                .map_err(|e| format!("not an Ed25519 public key in PEM: {e}"));
        }
        let bytes = STANDARD
            .decode(text)
            .map_err(|_| "neither PEM nor base64".to_owned())?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "a raw Ed25519 public key has 32 bytes".to_owned())?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|e| format!("not an Ed25519 public key: {e}"))
    }

    /// Whether `signature` is this key's signature of `bytes` (strict: no malleable forms).
    pub fn verifies(&self, bytes: &[u8], signature: &[u8; 64]) -> bool {
        self.0
            .verify_strict(bytes, &Signature::from_bytes(signature))
            .is_ok()
    }
}

/// A signature as delivered: base64 text (the header, `profile.sig`), or 64 raw bytes.
pub fn parse_signature(bytes: &[u8]) -> Option<[u8; 64]> {
    if let Ok(raw) = <[u8; 64]>::try_from(bytes) {
        return Some(raw);
    }
    let text = std::str::from_utf8(bytes).ok()?.trim();
    STANDARD.decode(text).ok()?.try_into().ok()
}

/// A signature as text.
pub fn encode_signature(signature: &[u8; 64]) -> String {
    STANDARD.encode(signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_the_public_key_in_every_published_form_and_fails_on_change() {
        let signer = ProfileSigner::from_seed([7; 32]);
        let signature = signer.sign(b"%PDF-1.7 profile");
        let public = signer.public_key();
        for form in [public.raw_base64(), public.pem()] {
            let key = PublicKey::parse(&form).unwrap();
            assert!(key.verifies(b"%PDF-1.7 profile", &signature));
            assert!(!key.verifies(b"%PDF-1.7 profilE", &signature));
        }
        assert!(public.pem().starts_with("-----BEGIN PUBLIC KEY-----\n"));
        let text = encode_signature(&signature);
        assert_eq!(parse_signature(text.as_bytes()), Some(signature));
        assert_eq!(
            parse_signature(format!("{text}\n").as_bytes()),
            Some(signature)
        );
        assert_eq!(parse_signature(&signature), Some(signature));
        assert_eq!(parse_signature(b"short"), None);
        assert!(!format!("{signer:?}").contains("7"));
    }
}
