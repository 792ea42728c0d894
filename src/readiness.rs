//! Whether this instance can serve: the database and the document store both answer. A load
//! balancer asks `/readyz` and takes the instance out while one does not; a watcher notices
//! when a dependency that was lost answers again, so the log says when it came back.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::db::Db;
use crate::errors::Unavailability;
use crate::errors::availability;
use crate::storage::BlobStore;

/// How long a probe may take before its dependency counts as unreachable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// How often a lost dependency is tried again.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// The dependencies that do not answer now (empty: ready).
pub async fn unavailable(db: &Db, blobs: &BlobStore) -> Vec<Unavailability> {
    let (database, store) = tokio::join!(probe_database(db), probe_store(blobs));
    [
        (Unavailability::Database, database),
        (Unavailability::Store, store),
    ]
    .into_iter()
    .filter_map(|(what, answered)| (!answered).then_some(what))
    .collect()
}

async fn probe_database(db: &Db) -> bool {
    let outcome = match tokio::time::timeout(PROBE_TIMEOUT, db.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("no answer in time".to_owned()),
    };
    noted(Unavailability::Database, outcome)
}

async fn probe_store(blobs: &BlobStore) -> bool {
    let outcome = match tokio::time::timeout(PROBE_TIMEOUT, blobs.probe()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(match e {
            crate::storage::StorageError::Object(e) => e.to_string(),
            other => other.to_string(),
        }),
        Err(_) => Err("no answer in time".to_owned()),
    };
    noted(Unavailability::Store, outcome)
}

fn noted(what: Unavailability, outcome: Result<(), String>) -> bool {
    match outcome {
        Ok(()) => {
            availability::back(what);
            true
        }
        Err(cause) => {
            availability::lost(what, &cause);
            false
        }
    }
}

/// While a dependency is lost, tries it every second until it answers (which logs that it is
/// back); until `stop`.
pub async fn watch(db: Db, blobs: Arc<BlobStore>, stop: CancellationToken) {
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(WATCH_EVERY) => {}
        }
        if availability::is_lost(Unavailability::Database) {
            probe_database(&db).await;
        }
        if availability::is_lost(Unavailability::Store) {
            probe_store(&blobs).await;
        }
    }
}
