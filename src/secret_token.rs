//! Secret tokens (API tokens, invitation links): 256 bits from the operating system's random
//! source, URL-safe, and stored only as a SHA-256 hash. High-entropy tokens need no slow hash;
//! looking them up by hash also means comparing them never depends on their content.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A freshly made secret, as handed out once.
pub struct NewToken {
    /// The token to give to its holder (never stored, never logged).
    pub plain: String,
    /// What is stored and looked up.
    pub hash: String,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("hash", &self.hash)
            .finish()
    }
}

/// Makes a token: `prefix` followed by 43 URL-safe characters (32 random bytes).
pub fn generate(prefix: &str) -> Result<NewToken, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    let plain = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash(&plain);
    Ok(NewToken { plain, hash })
}

/// The stored form of a token.
pub fn hash(plain: &str) -> String {
    hex::encode(Sha256::digest(plain.as_bytes()))
}

/// Whether a secret someone sent is the expected one. Compared through hashes, so the time
/// taken tells nothing about the expected value; an empty expectation matches nothing.
pub fn same(sent: &str, expected: &str) -> bool {
    !expected.is_empty() && Sha256::digest(sent.as_bytes()) == Sha256::digest(expected.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_tokens_differ_and_carry_256_bits() {
        let a = generate("kyc_").unwrap();
        let b = generate("kyc_").unwrap();
        assert_ne!(a.plain, b.plain);
        assert_eq!(a.plain.len(), 4 + 43);
        assert_eq!(a.hash, hash(&a.plain));
    }

    #[test]
    fn secrets_match_only_themselves_and_nothing_matches_an_empty_one() {
        assert!(same("abc", "abc"));
        assert!(!same("abd", "abc"));
        assert!(!same("", ""));
    }

    #[test]
    fn debug_output_does_not_show_the_token() {
        let t = generate("kyc_").unwrap();
        assert!(!format!("{t:?}").contains(&t.plain));
    }
}
