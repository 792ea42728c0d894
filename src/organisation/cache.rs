//! The organisation's settings kept in memory: the buyer's page needs them on every view, and
//! they change a few times a year. Any write this process commits makes the next read go to
//! the database again (see [`Db::commits`]); a save by another instance is seen within
//! [`MAX_AGE`].

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use super::settings::OrganisationSettings;
use crate::db::Db;
use crate::errors::Error;

/// How long another instance's save may go unseen.
pub const MAX_AGE: Duration = Duration::from_secs(5);

struct Entry {
    settings: Arc<OrganisationSettings>,
    read_at: Instant,
    commits: u64,
}

/// The settings of one database, read again after any local write or after [`MAX_AGE`].
#[derive(Default)]
pub struct SettingsCache {
    entry: RwLock<Option<Entry>>,
}

impl SettingsCache {
    /// The current settings.
    pub async fn get(&self, db: &Db) -> Result<Arc<OrganisationSettings>, Error> {
        // Read before the settings, so a save committed meanwhile is never taken for older.
        let commits = db.commits();
        if let Ok(entry) = self.entry.read()
            && let Some(entry) = entry.as_ref()
            && entry.commits == commits
            && entry.read_at.elapsed() < MAX_AGE
        {
            return Ok(entry.settings.clone());
        }
        let settings = Arc::new(super::load(db).await?);
        if let Ok(mut entry) = self.entry.write() {
            *entry = Some(Entry {
                settings: settings.clone(),
                read_at: Instant::now(),
                commits,
            });
        }
        Ok(settings)
    }
}
