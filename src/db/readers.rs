//! Connections kept aside for the hottest reads (the buyer's page): on PostgreSQL, and on
//! SQLite for the reads that could not be made on the serving thread (see [`super::here`]).
//!
//! sqlx's pool tests every connection given back to it with a round trip (to SQLite's worker
//! thread, or to the PostgreSQL server), which for a page's short read costs as much as the
//! read itself. And a pooled PostgreSQL connection is watched by the runtime of
//! whichever thread opened it, so a request served on another thread is woken through that
//! one, a thread switch per reply. A connection kept here is lent to the thread that opened it
//! where it can be (to another only when that thread has none free, so that there are never
//! more than [`TURNS`] whatever the number of threads), and goes back without a
//! test: only after a read that succeeded, so one a restart has cut is dropped at its first
//! failure, as is one whose read was abandoned half-way (its future dropped). On PostgreSQL
//! they are the driver's own connections (see [`super::Row::Postgres`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::thread::ThreadId;

use sqlx::{ConnectOptions, Connection};
use tokio::sync::{Semaphore, SemaphorePermit};

/// The kept connections by the thread that opened them; at most [`TURNS`] reads run
/// at once, and there are never more connections than that: a read opens one only when every
/// other is lent. On PostgreSQL they are the driver's own connections, whose rows need no
/// conversion into sqlx's backend-neutral ones.
pub(super) struct Readers<C: Connection> {
    options: C::Options,
    turns: Semaphore,
    idle: Mutex<HashMap<ThreadId, Vec<C>>>,
}

/// A read's turn: while it is held, a kept connection (or a new one) is its own.
pub(super) struct Turn<'a, C: Connection> {
    readers: &'a Readers<C>,
    _permit: SemaphorePermit<'a>,
}

/// Reads at once at most. More wait for their turn, as they would for a pooled
/// connection; a few suffice for a machine's cores since each read is short.
pub(super) const TURNS: usize = 4;

impl<C: Connection> Readers<C> {
    pub(super) fn new(options: C::Options) -> Readers<C> {
        Readers {
            options,
            turns: Semaphore::new(TURNS),
            idle: Mutex::default(),
        }
    }

    /// Waits for a turn; None once [`Readers::close`] was called.
    pub(super) async fn turn(&self) -> Option<Turn<'_, C>> {
        let permit = self.turns.acquire().await.ok()?;
        Some(Turn {
            readers: self,
            _permit: permit,
        })
    }

    /// Lets no more reads in and hands over every kept connection, to be closed.
    pub(super) fn close(&self) -> Vec<C> {
        self.turns.close();
        self.close_idle()
    }

    /// Hands over every kept connection, to be closed or dropped; reads go on with new ones.
    pub(super) fn close_idle(&self) -> Vec<C> {
        self.idle
            .lock()
            .map(|mut idle| idle.drain().flat_map(|(_, conns)| conns).collect())
            .unwrap_or_default()
    }
}

impl<'a, C: Connection> Turn<'a, C> {
    /// A free connection, this thread's own if it has one, with the thread that opened it;
    /// none when every connection is lent (the caller then opens one).
    pub(super) fn take(&self) -> Option<(ThreadId, C)> {
        let mut idle = self.readers.idle.lock().ok()?;
        let here = std::thread::current().id();
        if let Some(conn) = idle.get_mut(&here).and_then(Vec::pop) {
            return Some((here, conn));
        }
        idle.iter_mut()
            .find_map(|(opener, kept)| kept.pop().map(|conn| (*opener, conn)))
    }

    /// Opens a connection on this thread for this turn (the caller sets it up as the pool
    /// does its own).
    pub(super) async fn open(&self) -> Result<C, sqlx::Error> {
        self.readers.options.connect().await
    }

    /// This turn with `conn`, opened by `opener`, to read with.
    pub(super) fn lent(self, opener: ThreadId, conn: C) -> Lent<'a, C> {
        Lent {
            turn: self,
            opener,
            conn,
        }
    }
}

/// A turn with the connection it reads on.
pub(super) struct Lent<'a, C: Connection> {
    turn: Turn<'a, C>,
    opener: ThreadId,
    /// The connection, the turn's own until [`Lent::end`].
    pub(super) conn: C,
}

impl<C: Connection> Lent<'_, C> {
    /// Ends the turn after a read that gave `result`: the connection is kept for its thread's
    /// next read when the read succeeded, and dropped otherwise; a restart or failover has
    /// cut every kept connection, not just this one, so none of them is tried again then.
    pub(super) fn end<T>(self, result: &Result<T, sqlx::Error>) {
        match result {
            Ok(_) => {
                if let Ok(mut idle) = self.turn.readers.idle.lock() {
                    idle.entry(self.opener).or_default().push(self.conn);
                }
            }
            Err(error) if super::is_unavailable(error) => drop(self.turn.readers.close_idle()),
            Err(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::db::Db;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn there_are_never_more_kept_connections_than_turns_whatever_the_threads() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/kept.db", dir.path().display()))
            .await
            .unwrap();
        // Many reads from four threads, each holding its connection a moment, so that every
        // thread finds its own kept connections lent at some point.
        let reads: Vec<_> = (0..64)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    let super::super::Kept::Any(readers) = db.kept.as_ref() else {
                        panic!("an SQLite database keeps sqlx's own connections");
                    };
                    db.read(
                        readers,
                        async |_| Ok(()),
                        async |conn| {
                            sqlx::query("SELECT 1").execute(&mut *conn).await?;
                            tokio::time::sleep(Duration::from_millis(2)).await;
                            Ok(())
                        },
                    )
                    .await
                })
            })
            .collect();
        for read in reads {
            read.await.unwrap().unwrap();
        }
        let super::super::Kept::Any(readers) = db.kept.as_ref() else {
            panic!("an SQLite database keeps sqlx's own connections");
        };
        let kept = readers.close_idle().len();
        assert!((1..=TURNS).contains(&kept), "{kept} kept");
    }
}
