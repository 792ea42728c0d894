//! Reads of one kind, by one key each, made together for the requests that wait for them at
//! the same time (on PostgreSQL).
//!
//! Every read on PostgreSQL is a round trip: the serving thread writes the statement, sleeps
//! until the server answers and is woken, and the server sets up one execution for it. Under
//! load the buyer's pages of many sessions wait for a turn on a kept connection (see
//! [`super::readers`]); those waiting on one thread are read in one statement instead
//! (`key = ANY($1)`) by the first of them to get a turn, and each maps the rows of its own key.
//! A request alone reads its key alone, in a list of one. Should the gathered read fail, each
//! request reads alone again and meets its own error.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
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
    /// The rows read for it, or nothing when it must read alone.
    answer: oneshot::Sender<Option<Arc<Gathered>>>,
}

/// The rows of one gathered read, with the places of each key's rows.
struct Gathered {
    rows: Vec<PgRow>,
    places: HashMap<String, Vec<usize>>,
}

/// Where a waiter waits: its list, and itself in it.
struct Place {
    list: (usize, ThreadId),
    id: u64,
}

impl Waiting {
    /// Adds a request for `key` to `read`'s list of this thread.
    fn join(
        &self,
        read: &GatheredRead,
        key: &str,
    ) -> (Place, oneshot::Receiver<Option<Arc<Gathered>>>) {
        let (answer, answered) = oneshot::channel();
        let place = Place {
            list: (
                std::ptr::from_ref(read) as usize,
                std::thread::current().id(),
            ),
            id: self.next.fetch_add(1, Ordering::Relaxed),
        };
        if let Ok(mut lists) = self.lists.lock() {
            lists.entry(place.list).or_default().push(Waiter {
                id: place.id,
                key: key.to_owned(),
                answer,
            });
        }
        (place, answered)
    }

    /// The requests to read for from `place`'s list: itself first while it waits there (it
    /// may have been taken by another's read already), then the longest waiting.
    fn take(&self, place: &Place) -> Vec<Waiter> {
        let Ok(mut lists) = self.lists.lock() else {
            return Vec::new();
        };
        let Some(list) = lists.get_mut(&place.list) else {
            return Vec::new();
        };
        let mut taken = Vec::new();
        if let Some(at) = list.iter().position(|w| w.id == place.id) {
            taken.push(list.remove(at));
        }
        let more = list.len().min(MOST_KEYS - taken.len());
        taken.extend(list.drain(..more));
        if list.is_empty() {
            lists.remove(&place.list);
        }
        taken
    }

    /// Takes `place`'s request off its list, if no read has taken it yet.
    fn leave(&self, place: &Place) {
        if let Ok(mut lists) = self.lists.lock()
            && let Some(list) = lists.get_mut(&place.list)
        {
            list.retain(|w| w.id != place.id);
            if list.is_empty() {
                lists.remove(&place.list);
            }
        }
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
        if let Kept::Postgres(readers) = self.kept.as_ref()
            && let Some(gathered) = self.gather(readers, read, key, shared).await?
        {
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

    /// The gathered read that answered `key`, made by this request or another; none when
    /// this request must read alone.
    async fn gather(
        &self,
        readers: &Readers<PgConnection>,
        read: &GatheredRead,
        key: &str,
        shared: &[Arg<'_>],
    ) -> Result<Option<Arc<Gathered>>, sqlx::Error> {
        let (place, mut answered) = self.waiting.join(read, key);
        tokio::select! {
            biased;
            answer = &mut answered => return Ok(answer.ok().flatten()),
            lent = self.lend(readers, async |_| Ok(())) => match lent {
                Ok(lent) => {
                    let waiters = self.waiting.take(&place);
                    if waiters.is_empty() {
                        // Another request's read took this one: its turn is not needed.
                        lent.end(&Ok(()));
                    } else {
                        read_for(lent, &self.waiting, read, shared, waiters).await;
                    }
                }
                Err(error) => {
                    self.waiting.leave(&place);
                    return Err(error);
                }
            },
        }
        // Answered by this request's read, or by the one that took it; a read abandoned
        // half-way (its request gone) answers nothing, and this one reads alone.
        Ok(answered.await.ok().flatten())
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

/// Reads the rows of every key of `waiters` on `lent` and answers each of them.
async fn read_for(
    mut lent: Lent<'_, PgConnection>,
    waiting: &Waiting,
    read: &GatheredRead,
    shared: &[Arg<'_>],
    waiters: Vec<Waiter>,
) {
    let keys: Vec<&str> = waiters.iter().map(|w| w.key.as_str()).collect();
    let query = bound(
        sqlx::query(sqlx::AssertSqlSafe(read.many.as_str())).bind(&keys),
        shared,
    );
    let result = query.fetch_all(&mut lent.conn).await;
    lent.end(&result);
    let gathered = result.and_then(Gathered::of).ok().map(Arc::new);
    if gathered.is_some() {
        waiting.reads.fetch_add(1, Ordering::Relaxed);
        waiting
            .answered
            .fetch_add(waiters.len() as u64, Ordering::Relaxed);
    }
    for waiter in waiters {
        // One whose request is gone answers no one.
        let _ = waiter.answer.send(gathered.clone());
    }
}
