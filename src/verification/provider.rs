//! The one small interface between the portal and an identity verification provider: open a
//! session for a person. Results come back through the provider's own signed callback.

use futures_util::future::BoxFuture;

use crate::i18n::Language;

/// What the portal asks a provider for.
#[derive(Debug, Clone)]
pub struct SessionRequest<'a> {
    /// Our reference of the person's company (the buyer's id); the provider echoes it.
    pub client_id: &'a str,
    /// The contact's given name, to cross-check against the document.
    pub first_name: Option<&'a str>,
    /// The contact's family name.
    pub last_name: Option<&'a str>,
    /// Where the provider posts the result.
    pub callback_url: &'a str,
    /// The language of the provider's pages.
    pub language: Language,
    /// How long the session link may be used, in seconds.
    pub lifetime_secs: i64,
}

/// A session the provider opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The provider's reference of the session (its callbacks name it).
    pub scan_ref: String,
    /// The session's token.
    pub auth_token: String,
    /// Where the person goes to verify.
    pub session_url: String,
    /// How long the link works, in seconds, as the provider confirmed it.
    pub lifetime_secs: i64,
}

/// Why no session could be opened.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The operator has not configured the provider's credentials.
    #[error("identity verification is not configured (API key and secret)")]
    NotConfigured,
    /// The provider could not be reached or answered with an error.
    #[error("the identity verification provider failed: {0}")]
    Failed(String),
}

/// An identity verification provider (iDenfy in production, anything in tests).
pub trait VerificationProvider: Send + Sync {
    /// The provider's name as stored with each verification (`IDENFY`).
    fn name(&self) -> &'static str;

    /// The portal's path that receives this provider's results (`/callbacks/idenfy`).
    fn callback_path(&self) -> &'static str;

    /// Opens a verification session.
    fn start_session<'a>(
        &'a self,
        request: &'a SessionRequest<'a>,
    ) -> BoxFuture<'a, Result<Session, ProviderError>>;
}
