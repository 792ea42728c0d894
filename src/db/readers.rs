//! Connections kept aside for the hottest reads (the buyer's page).
//!
//! sqlx's pool tests every connection given back to it with a round trip (to SQLite's worker
//! thread, or to the PostgreSQL server), which for a page of two short reads costs as much as
//! the reads themselves. And a pooled PostgreSQL connection is watched by the runtime of
//! whichever thread opened it, so a request served on another thread is woken through that
//! one, a thread switch per reply. A connection kept here is opened by, and lent only to, one
//! thread, and goes back without a test: only after a read that succeeded, so one a restart
//! has cut is dropped at its first failure, as is one whose read was abandoned half-way (its
//! future dropped).

use std::collections::HashMap;
use std::sync::Mutex;
use std::thread::ThreadId;

use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, ConnectOptions};
use tokio::sync::{Semaphore, SemaphorePermit};

use super::Backend;

/// The kept connections of each thread; at most [`Readers::TURNS`] reads run at once.
pub(super) struct Readers {
    options: AnyConnectOptions,
    turns: Semaphore,
    idle: Mutex<HashMap<ThreadId, Vec<AnyConnection>>>,
}

/// A read's turn: while it is held, a kept connection (or a new one) is its own.
pub(super) struct Turn<'a> {
    readers: &'a Readers,
    _permit: SemaphorePermit<'a>,
}

impl Readers {
    /// Reads at once at most. More wait for their turn, as they would for a pooled
    /// connection; a few suffice for a machine's cores since each read is short.
    const TURNS: usize = 4;

    pub(super) fn new(options: AnyConnectOptions) -> Readers {
        Readers {
            options,
            turns: Semaphore::new(Readers::TURNS),
            idle: Mutex::default(),
        }
    }

    /// Waits for a turn; None once [`Readers::close`] was called.
    pub(super) async fn turn(&self) -> Option<Turn<'_>> {
        let permit = self.turns.acquire().await.ok()?;
        Some(Turn {
            readers: self,
            _permit: permit,
        })
    }

    /// Opens a connection on this thread, set up as the pool sets up its own.
    pub(super) async fn open(&self, backend: Backend) -> Result<AnyConnection, sqlx::Error> {
        let mut conn = self.options.connect().await?;
        if backend == Backend::Sqlite {
            super::prepare_sqlite(&mut conn).await?;
        }
        Ok(conn)
    }

    /// Lets no more reads in and hands over every kept connection, to be closed.
    pub(super) fn close(&self) -> Vec<AnyConnection> {
        self.turns.close();
        self.close_idle()
    }

    /// Hands over every kept connection, to be closed or dropped; reads go on with new ones.
    pub(super) fn close_idle(&self) -> Vec<AnyConnection> {
        self.idle
            .lock()
            .map(|mut idle| idle.drain().flat_map(|(_, conns)| conns).collect())
            .unwrap_or_default()
    }
}

impl Turn<'_> {
    /// A connection this thread kept, if one is free (else the caller opens one).
    pub(super) fn take(&self) -> Option<AnyConnection> {
        let mut idle = self.readers.idle.lock().ok()?;
        idle.get_mut(&std::thread::current().id())?.pop()
    }

    /// Keeps `conn` for this thread's next read, or closes it when the thread keeps enough.
    pub(super) fn give_back(self, conn: AnyConnection) {
        if let Ok(mut idle) = self.readers.idle.lock() {
            let kept = idle.entry(std::thread::current().id()).or_default();
            if kept.len() < Readers::TURNS {
                kept.push(conn);
            }
        }
    }
}
