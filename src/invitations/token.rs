//! The link token: 256 bits, derived from the server key and the invitation's random nonce, so
//! that the database holds only the token's hash and the link can still be sent again.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::secret_token;
use crate::server_key::ServerKey;

/// The secret part of an invitation link.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkToken(String);

impl std::fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkToken(..)")
    }
}

impl LinkToken {
    /// The token of the invitation with `nonce`.
    pub fn derive(key: &ServerKey, nonce: &str) -> LinkToken {
        LinkToken(URL_SAFE_NO_PAD.encode(key.derive("invitation-link", nonce.as_bytes())))
    }

    /// A token as it comes in a URL; None for anything that cannot be one.
    pub fn parse(text: &str) -> Option<LinkToken> {
        let plausible = text.len() == 43
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plausible.then(|| LinkToken(text.to_owned()))
    }

    /// What is stored and looked up.
    pub fn hash(&self) -> String {
        secret_token::hash(&self.0)
    }

    /// The link for the buyer.
    pub fn link(&self, public_url: &str) -> String {
        format!("{public_url}/kyc/{}", self.0)
    }
}

/// A fresh random nonce (32 bytes from the operating system).
pub fn new_nonce() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}
