//! The organisation's settings and branding, and how they are changed.

pub mod cache;
pub mod guidance;
mod input;
pub mod logo;
pub mod reminders;
pub mod resource;
pub mod settings;
pub mod template;

pub use input::RawSettings;
pub use settings::{
    DEFAULT_INVITATION_EXPIRY_DAYS, EXPIRY_DAYS, OrganisationSettings, load, load_in,
};

use crate::audit::Subject;
use crate::errors::Error;
use crate::jobs;
use crate::kyc::refresh_job::REFRESH_JOB;
use crate::write::WriteTx;

/// Saves new settings, with an audit entry. When what KYC needs changed (required types, max
/// ages), every buyer is re-evaluated in the background (queued in this transaction), so each
/// status that moves is announced.
pub async fn save(tx: &mut WriteTx, settings: &OrganisationSettings) -> Result<(), Error> {
    let before = load_in(&mut *tx.conn().await?).await?;
    replace(tx, "updated", &before, settings).await?;
    let requirements_changed = before.required_document_types != settings.required_document_types
        || before.document_max_age_days != settings.document_max_age_days;
    if requirements_changed {
        jobs::enqueue(tx.conn().await?, REFRESH_JOB, &serde_json::json!({}), None).await?;
    }
    Ok(())
}

/// Writes `settings`, recording `action` with the state `before` in the audit history.
pub(crate) async fn replace(
    tx: &mut WriteTx,
    action: &str,
    before: &OrganisationSettings,
    settings: &OrganisationSettings,
) -> Result<(), Error> {
    settings::write_in(tx.conn().await?, settings).await?;
    tx.record(
        Subject::Settings,
        action,
        serde_json::to_value(before).ok(),
        serde_json::to_value(settings).ok(),
    );
    Ok(())
}
