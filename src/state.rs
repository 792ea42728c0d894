//! What every request handler can reach.

use std::sync::Arc;

use crate::config::Settings;
use crate::db::Db;
use crate::errors::Error;
use crate::idempotency::ResponseSeal;
use crate::invitations::Links;
use crate::organisation::OrganisationSettings;
use crate::organisation::cache::SettingsCache;
use crate::previews::PdfPreviews;
use crate::server_key::ServerKey;
use crate::staff::PasswordHashing;
use crate::storage::BlobStore;
use crate::verification::VerificationProvider;
use crate::verification::signing::ProfileSigner;

/// Shared state, cloned into each worker thread of the HTTP server.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The settings the portal was started with.
    pub settings: Arc<Settings>,
    /// Where document bytes live.
    pub blobs: Arc<BlobStore>,
    /// The server's secret key.
    pub key: ServerKey,
    /// Seals the responses kept for idempotent replays.
    pub seal: Arc<ResponseSeal>,
    /// Seals webhook signing secrets.
    pub webhook_seal: Arc<crate::seal::Seal>,
    /// The organisation's settings, kept in memory.
    pub organisation_cache: Arc<SettingsCache>,
    /// The identity verification provider.
    pub provider: Arc<dyn VerificationProvider>,
    /// Signs KYC profiles.
    pub signer: ProfileSigner,
    /// Hashes and checks staff passwords, a bounded number at once.
    pub passwords: PasswordHashing,
    /// Renders and keeps the page images of PDF previews.
    pub previews: Arc<PdfPreviews>,
}

impl AppState {
    /// The organisation's settings, from memory when fresh.
    pub async fn organisation(&self) -> Result<Arc<OrganisationSettings>, Error> {
        self.organisation_cache.get(&self.db).await
    }

    /// Where webhook deliveries may go.
    pub fn webhook_policy(&self) -> crate::webhooks::NetworkPolicy {
        crate::webhooks::NetworkPolicy {
            allow_private: self.settings.webhook_allow_private_networks,
        }
    }

    /// What turns invitations into links.
    pub fn links(&self) -> Links<'_> {
        Links {
            key: &self.key,
            public_url: &self.settings.public_url,
        }
    }
}
