//! The organisation's settings kept in memory: the buyer's page needs them on every view, and
//! they change a few times a year. A save of them this process commits makes the next read go
//! to the database again (see [`Db::settings_saves`]); a save by another instance is seen
//! within [`MAX_AGE`]. Other writes (an upload, a session seen) leave them in memory, so the
//! first view of the buyer's page after an upload reads no more than the next one.

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
    saves: u64,
}

/// The settings of one database, read again after a local save of them or after [`MAX_AGE`].
#[derive(Default)]
pub struct SettingsCache {
    entry: RwLock<Option<Entry>>,
}

impl SettingsCache {
    /// The current settings.
    pub async fn get(&self, db: &Db) -> Result<Arc<OrganisationSettings>, Error> {
        // Read before the settings, so a save committed meanwhile is never taken for older.
        let saves = db.settings_saves();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Actor;
    use crate::write;

    #[tokio::test]
    async fn settings_stay_in_memory_through_other_writes_and_are_read_again_after_a_save() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/settings.db", dir.path().display()))
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let cache = SettingsCache::default();
        let first = cache.get(&db).await.unwrap();

        // Another write (a session seen, an upload) leaves the settings as they were read.
        write::apply(&db, Actor::System, async |tx| {
            sqlx::query("CREATE TABLE unrelated (n INTEGER)")
                .execute(tx.conn().await?)
                .await?;
            Ok(())
        })
        .await
        .unwrap();
        assert!(Arc::ptr_eq(&first, &cache.get(&db).await.unwrap()));

        // A save is read at once.
        let renamed = OrganisationSettings {
            name: "Renamed Marketplace".into(),
            ..(*first).clone()
        };
        write::apply(&db, Actor::System, async |tx| {
            crate::organisation::save(tx, &renamed).await
        })
        .await
        .unwrap();
        assert_eq!(cache.get(&db).await.unwrap().name, "Renamed Marketplace");
    }
}
