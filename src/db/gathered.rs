//! Reads of one kind, by one key each, made together for the requests that wait for them at
//! the same time (on PostgreSQL).
//!
//! Every read on PostgreSQL is a round trip: the serving thread writes the statement, sleeps
//! until the server answers and is woken, and the server sets up one execution for it. Under
//! load the buyer's pages of many sessions wait for a turn on a kept connection (see
//! [`super::readers`]); those waiting on one thread are read in one statement instead
//! (`key = ANY($1)`) by the first of them to get a turn, and each maps the rows of its own key.
//! A request alone reads its key alone, in a list of one. A request a read has taken stops
//! waiting for a turn, so that the turns go to requests still waiting. Should a gathered read
//! fail, the request that made it meets the error, and the others it took wait for a turn
//! again, as they do when that request goes away half-way.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::ThreadId;

use sqlx::postgres::{PgConnection, PgRow};
use tokio::sync::oneshot;

use super::readers::{Lent, Readers};
use super::{Arg, Db, Kept, Row, bound};

/// The column a gathered read selects its key as, so that its rows can be told apart.
pub const KEY: &str = "gathered_key";

/// At most this many keys are read in one statement.
const MOST_KEYS: usize = 32;

/// A read by one text key: the statement for one key (`$1`) and the one for many (`$1` a list
/// of keys), the same otherwise; later arguments are shared by every key (see
/// [`Db::read_gathered`]). Both select the key as [`KEY`].
pub struct GatheredRead {
    one: String,
    many: String,
}

impl GatheredRead {
    /// The read `sql` writes around its condition on the key column `key`, a column it
    /// selects as [`KEY`].
    pub fn new(key: &str, sql: impl Fn(&str) -> String) -> GatheredRead {
        GatheredRead {
            one: sql(&format!("{key} = $1")),
            many: sql(&format!("{key} = ANY($1)")),
        }
    }
}

/// The requests waiting for a gathered read, by read and by the thread they wait on, and
/// how many reads answered how many requests so far.
#[derive(Default)]
pub(super) struct Waiting {
    lists: Mutex<HashMap<(usize, ThreadId), Vec<Waiter>>>,
    next: AtomicU64,
    reads: AtomicU64,
    answered: AtomicU64,
}

/// A request waiting for the rows of its key.
struct Waiter {
    id: u64,
    key: String,
    /// The read's rows; dropped unsent when the read failed or was abandoned.
    answer: oneshot::Sender<Arc<Gathered>>,
    /// Dropped when a read takes the request, which then no longer waits for a turn.
    _taken: oneshot::Sender<()>,
}

/// A request a read is for: its key and where its rows go.
struct Taken {
    key: String,
    answer: oneshot::Sender<Arc<Gathered>>,
}

/// The rows of one gathered read, with the places of each key's rows.
struct Gathered {
    rows: Vec<PgRow>,
    places: HashMap<String, Vec<usize>>,
}

/// A request on its list: taken off it when it goes, whether answered, refused or abandoned.
struct Joined<'a> {
    waiting: &'a Waiting,
    list: (usize, ThreadId),
    id: u64,
    answered: oneshot::Receiver<Arc<Gathered>>,
    /// Ready once a read has taken this request.
    taken: oneshot::Receiver<()>,
    /// Whether `taken` was seen ready (it may not be waited for again).
    seen_taken: bool,
}

impl Waiting {
    /// The lists; a panic elsewhere while they were held leaves them usable (each change to
    /// them is one push or removal).
    fn lists(&self) -> MutexGuard<'_, HashMap<(usize, ThreadId), Vec<Waiter>>> {
        self.lists.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a request for `key` to `read`'s list of this thread.
    fn join(&self, read: &GatheredRead, key: &str) -> Joined<'_> {
        let (answer, answered) = oneshot::channel();
        let (taken, taken_seen) = oneshot::channel();
        let joined = Joined {
            waiting: self,
            list: (
                std::ptr::from_ref(read) as usize,
                std::thread::current().id(),
            ),
            id: self.next.fetch_add(1, Ordering::Relaxed),
            answered,
            taken: taken_seen,
            seen_taken: false,
        };
        self.lists().entry(joined.list).or_default().push(Waiter {
            id: joined.id,
            key: key.to_owned(),
            answer,
            _taken: taken,
        });
        joined
    }
}

impl Joined<'_> {
    /// Takes this request off its list with the longest waiting others there, up to
    /// [`MOST_KEYS`] with this one: those its read is for.
    fn take_others(&self) -> Vec<Taken> {
        let mut lists = self.waiting.lists();
        let Some(list) = lists.get_mut(&self.list) else {
            return Vec::new();
        };
        list.retain(|w| w.id != self.id);
        // Told at once that they are taken, they stop waiting for a turn of their own.
        let others = list
            .drain(..list.len().min(MOST_KEYS - 1))
            .map(|w| Taken {
                key: w.key,
                answer: w.answer,
            })
            .collect();
        if list.is_empty() {
            lists.remove(&self.list);
        }
        others
    }

    /// Takes this request off its list; false when a read has taken it already.
    fn leave(&self) -> bool {
        let mut lists = self.waiting.lists();
        let Some(list) = lists.get_mut(&self.list) else {
            return false;
        };
        let before = list.len();
        list.retain(|w| w.id != self.id);
        let left = list.len() < before;
        if list.is_empty() {
            lists.remove(&self.list);
        }
        left
    }
}

impl Drop for Joined<'_> {
    fn drop(&mut self) {
        self.leave();
    }
}

impl Gathered {
    /// `rows` by the key each selects as [`KEY`].
    fn of(rows: Vec<PgRow>) -> Result<Gathered, sqlx::Error> {
        let mut places: HashMap<String, Vec<usize>> = HashMap::new();
        for (place, row) in rows.iter().enumerate() {
            let key: String = sqlx::Row::try_get(row, KEY)?;
            places.entry(key).or_default().push(place);
        }
        Ok(Gathered { rows, places })
    }

    /// The rows of `key`.
    fn rows_of<'a>(&'a self, key: &str) -> impl Iterator<Item = &'a PgRow> {
        self.places
            .get(key)
            .into_iter()
            .flatten()
            .map(|&place| &self.rows[place])
    }
}

impl Db {
    /// The rows `read` reads for `key`, with `shared` as its later arguments (`$2`…), each
    /// mapped by `map` with its place among them, as [`Db::read_rows`] reads them. On
    /// PostgreSQL the read is made together with those of other requests waiting for it at
    /// the same time (see [`self`]), with the arguments of whichever of them reads: `shared`
    /// may not depend on the request, except on the moment it is made.
    pub(crate) async fn read_gathered<T>(
        &self,
        read: &GatheredRead,
        key: &str,
        shared: &[Arg<'_>],
        map: impl Fn(usize, &Row<'_, '_>) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, sqlx::Error> {
        if let Kept::Postgres(readers) = self.kept.as_ref() {
            let gathered = self.gather(readers, read, key, shared).await?;
            return gathered
                .rows_of(key)
                .enumerate()
                .map(|(place, row)| map(place, &Row::Postgres(row)))
                .collect();
        }
        let args: Vec<Arg<'_>> = std::iter::once(Arg::Text(key))
            .chain(shared.iter().copied())
            .collect();
        self.read_rows(&read.one, &args, map).await
    }

    /// The rows of the gathered read that answered `key`: made by another request while
    /// this one waited for its turn, or else by this one with its turn.
    async fn gather(
        &self,
        readers: &Readers<PgConnection>,
        read: &GatheredRead,
        key: &str,
        shared: &[Arg<'_>],
    ) -> Result<Arc<Gathered>, sqlx::Error> {
        let mut joined = self.waiting.join(read, key);
        let deadline = tokio::time::Instant::now() + self.acquire_timeout;
        // Waited for until a read takes this request, so that the turns go to requests still
        // waiting; waited for again, by the same deadline, when that read fails or is
        // abandoned.
        let mut turn = Some(Box::pin(super::turn_by(readers, deadline)));
        loop {
            tokio::select! {
                biased;
                answer = &mut joined.answered => match answer {
                    Ok(gathered) => return Ok(gathered),
                    // The read that took this request failed or was abandoned.
                    Err(_) => {
                        joined = self.waiting.join(read, key);
                        if turn.is_none() {
                            turn = Some(Box::pin(super::turn_by(readers, deadline)));
                        }
                    }
                },
                _ = &mut joined.taken, if !joined.seen_taken => {
                    joined.seen_taken = true;
                    turn = None;
                },
                got = async {
                    match turn.as_mut() {
                        Some(turn) => turn.await,
                        None => std::future::pending().await,
                    }
                }, if turn.is_some() => {
                    // With its turn this request reads, for itself and those waiting: a
                    // connection it opens is not abandoned half-way for an answer (that would
                    // leave the turns with fewer connections, each opened again and again).
                    let lent = match got {
                        Ok(turn) => super::connect_by(turn, async |_| Ok(()), deadline).await,
                        Err(error) => Err(error),
                    };
                    let lent = match lent {
                        Ok(lent) => lent,
                        Err(error) => {
                            // Taken by a read under way, it is answered by it all the same.
                            if !joined.leave()
                                && let Ok(gathered) = (&mut joined.answered).await
                            {
                                return Ok(gathered);
                            }
                            return Err(error);
                        }
                    };
                    let others = joined.take_others();
                    return read_for(lent, &self.waiting, read, key, shared, others).await;
                }
            }
        }
    }

    /// Prometheus text: how many gathered reads answered how many requests, so that an
    /// operator sees how many requests each statement served.
    pub fn render_metrics(&self) -> String {
        format!(
            "# HELP kyc_portal_db_gathered_reads_total Reads of buyer sessions made together for the requests waiting for them (PostgreSQL).\n\
             # TYPE kyc_portal_db_gathered_reads_total counter\n\
             kyc_portal_db_gathered_reads_total {}\n\
             # HELP kyc_portal_db_gathered_requests_total Requests answered by gathered reads.\n\
             # TYPE kyc_portal_db_gathered_requests_total counter\n\
             kyc_portal_db_gathered_requests_total {}\n",
            self.waiting.reads.load(Ordering::Relaxed),
            self.waiting.answered.load(Ordering::Relaxed),
        )
    }
}

/// Reads the rows of `key` and of every key of `others` on `lent`, and answers each of them.
/// Should the read fail, the others are left unanswered, to wait on for their own turn.
async fn read_for(
    mut lent: Lent<'_, PgConnection>,
    waiting: &Waiting,
    read: &GatheredRead,
    key: &str,
    shared: &[Arg<'_>],
    others: Vec<Taken>,
) -> Result<Arc<Gathered>, sqlx::Error> {
    let keys: Vec<&str> = std::iter::once(key)
        .chain(others.iter().map(|w| w.key.as_str()))
        .collect();
    let query = bound(
        sqlx::query(sqlx::AssertSqlSafe(read.many.as_str())).bind(&keys),
        shared,
    );
    let result = query.fetch_all(&mut lent.conn).await;
    lent.end(&result);
    let gathered = Arc::new(Gathered::of(result?)?);
    waiting.reads.fetch_add(1, Ordering::Relaxed);
    waiting
        .answered
        .fetch_add(keys.len() as u64, Ordering::Relaxed);
    for waiter in others {
        // One whose request is gone answers no one.
        let _ = waiter.answer.send(Arc::clone(&gathered));
    }
    Ok(gathered)
}
