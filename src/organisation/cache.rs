//! The organisation's settings kept in memory: the buyer's page needs them on every view, and
//! they change a few times a year. A save in this process is seen at once (every cache checks
//! the save counter); a save by another instance within [`MAX_AGE`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use super::OrganisationSettings;
use crate::db::Db;
use crate::error::AppError;

/// How long another instance's save may go unseen.
pub const MAX_AGE: Duration = Duration::from_secs(5);

/// Saves made by this process, so that caches know theirs may be stale.
static SAVES: AtomicU64 = AtomicU64::new(0);

/// Called by every save.
pub(super) fn note_save() {
    SAVES.fetch_add(1, Ordering::SeqCst);
}

struct Entry {
    settings: Arc<OrganisationSettings>,
    read_at: Instant,
    saves: u64,
}

/// The settings of one database, read at most every [`MAX_AGE`].
#[derive(Default)]
pub struct SettingsCache {
    entry: RwLock<Option<Entry>>,
}

impl SettingsCache {
    /// The current settings.
    pub async fn get(&self, db: &Db) -> Result<Arc<OrganisationSettings>, AppError> {
        let saves = SAVES.load(Ordering::SeqCst);
        if let Ok(entry) = self.entry.read()
            && let Some(entry) = entry.as_ref()
            && entry.saves == saves
            && entry.read_at.elapsed() < MAX_AGE
        {
            return Ok(entry.settings.clone());
        }
        let settings = Arc::new(super::load(db).await?);
        if let Ok(mut entry) = self.entry.write() {
            *entry = Some(Entry {
                settings: settings.clone(),
                read_at: Instant::now(),
                saves,
            });
        }
        Ok(settings)
    }
}
