//! SQLite reads on the thread that serves the request, for the buyer's page.
//!
//! sqlx runs each SQLite connection on a thread of its own: a query is handed to that thread
//! and its rows handed back, a thread wake-up each way. On the buyer's page those hand-offs
//! cost more CPU than the two reads themselves (half of it in the kernel), while a read of a
//! few rows by an index takes SQLite tens of microseconds. So the page's reads run right here
//! on connections of their own: read-only, kept for the next read of any thread, never more
//! than the threads that read at once (a read holds its connection without yielding).
//!
//! Reading here should not hold the thread waiting: the connections do not wait for a busy
//! database (busy timeout zero), and the reads are a few rows by an index. SQLite may still
//! retry the start of a read a few times while a checkpoint resets the log, which is rare and
//! short. A read that fails here is made again the pooled way, which waits without holding
//! the thread and reports the failure as every other read does; a connection SQLite failed
//! on is dropped with it.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::{Connection, OpenFlags};

use super::row::{Arg, ColumnPlaces, Row};

/// The file an SQLite URL opens, as sqlx reads the URL (its path percent-decoded); None for
/// an in-memory database and for any option but `mode=rw`, `rwc` or `ro` (`immutable`, `vfs`,
/// shared caches), which a plain read-only connection would not honour.
pub(super) fn file_of(url: &str) -> Option<PathBuf> {
    let plain = url.split_once('?').is_none_or(|(_, query)| {
        query
            .split('&')
            .all(|option| matches!(option, "mode=rw" | "mode=rwc" | "mode=ro"))
    });
    // A `file:` name is a URI to SQLite, which a plain connection would open otherwise.
    super::sqlite_path(url).filter(|path| plain && !path.to_string_lossy().starts_with("file:"))
}

/// Read-only connections to one SQLite file, kept between reads.
pub(super) struct HereReaders {
    path: PathBuf,
    idle: Mutex<Vec<Reader>>,
    closed: AtomicBool,
}

/// A kept connection with the column names of the statements it read.
struct Reader {
    conn: Connection,
    /// By statement, its columns' places by name, found at its first read: rusqlite finds a
    /// column by name by asking SQLite for each name in turn, which for a row of eighty read
    /// by name costs more than the read, and so would building this map for every read. (The
    /// statements read here name their columns: a schema change does not change them.)
    named: Vec<(String, ColumnPlaces)>,
}

/// Statements whose column names a connection keeps at most (the page reads one or two).
const MAX_NAMED: usize = 16;

impl HereReaders {
    pub(super) fn new(path: PathBuf) -> HereReaders {
        HereReaders {
            path,
            idle: Mutex::default(),
            closed: AtomicBool::new(false),
        }
    }

    /// The rows `sql` reads with `args`, each mapped by `map`; None when it could not be read
    /// here (closed, busy, any failure), for the caller to read it the pooled way.
    pub(super) fn read<T>(
        &self,
        sql: &str,
        args: &[Arg<'_>],
        map: &impl Fn(usize, &Row<'_, '_>) -> Result<T, sqlx::Error>,
    ) -> Option<Vec<T>> {
        if self.closed.load(Ordering::Acquire) {
            return None;
        }
        let kept = self.idle.lock().ok()?.pop();
        let mut reader = match kept {
            Some(reader) => reader,
            None => match self.open() {
                Ok(conn) => Reader {
                    conn,
                    named: Vec::new(),
                },
                Err(error) => {
                    // The file the pool opened cannot be opened read-only: that will not
                    // change while the portal runs, so every read goes the pooled way.
                    tracing::warn!(%error, "SQLite reads on the serving thread are off");
                    self.close();
                    return None;
                }
            },
        };
        let read = read_on(&mut reader, sql, args, map);
        // Only a connection SQLite failed on is dropped; one whose rows did not map is fine.
        if !matches!(read, Err(ReadFailed::Sqlite(_)))
            && let Ok(mut idle) = self.idle.lock()
            && !self.closed.load(Ordering::Acquire)
        {
            idle.push(reader);
        }
        match read {
            Ok(rows) => Some(rows),
            Err(failed) => {
                tracing::debug!(?failed, "read again the pooled way");
                None
            }
        }
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // Busy means "read it the pooled way", never "hold this thread until it is not".
        conn.busy_timeout(std::time::Duration::ZERO)?;
        Ok(conn)
    }

    /// Drops every kept connection; reads go the pooled way from now on.
    pub(super) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }

    #[cfg(test)]
    pub(super) fn kept(&self) -> usize {
        self.idle.lock().map(|idle| idle.len()).unwrap_or_default()
    }
}

fn read_on<T>(
    reader: &mut Reader,
    sql: &str,
    args: &[Arg<'_>],
    map: &impl Fn(usize, &Row<'_, '_>) -> Result<T, sqlx::Error>,
) -> Result<Vec<T>, ReadFailed> {
    let mut statement = reader.conn.prepare_cached(sql)?;
    // `$n` binds the n-th argument wherever it stands, as sqlx binds it.
    for index in 1..=statement.parameter_count() {
        let arg = statement
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| args.get(n.checked_sub(1)?))
            .ok_or(ReadFailed::Argument(index))?;
        match *arg {
            Arg::Text(text) => statement.raw_bind_parameter(index, text)?,
            Arg::Int(int) => statement.raw_bind_parameter(index, int)?,
        }
    }
    let place = match reader.named.iter().position(|(known, _)| known == sql) {
        Some(place) => place,
        None => {
            let mut columns = ColumnPlaces::default();
            for (index, name) in statement.column_names().into_iter().enumerate() {
                // Where two have one name, the last is the one, as sqlx reads them.
                columns.insert(name.to_owned(), index);
            }
            if reader.named.len() == MAX_NAMED {
                reader.named.clear();
            }
            reader.named.push((sql.to_owned(), columns));
            reader.named.len() - 1
        }
    };
    let columns = &reader.named[place].1;
    let mut rows = statement.raw_query();
    let mut mapped = Vec::new();
    while let Some(row) = rows.next()? {
        mapped.push(map(mapped.len(), &Row::Here(row, columns)).map_err(ReadFailed::Mapping)?);
    }
    Ok(mapped)
}

/// Why a read here failed: whatever it is, it is made again the pooled way, which says.
#[derive(Debug)]
enum ReadFailed {
    /// SQLite failed (busy, or anything else): the connection goes too.
    Sqlite(#[allow(dead_code)] rusqlite::Error),
    /// The `$n` at this index names no argument.
    Argument(#[allow(dead_code)] usize),
    /// A row did not map.
    Mapping(#[allow(dead_code)] sqlx::Error),
}

impl From<rusqlite::Error> for ReadFailed {
    fn from(error: rusqlite::Error) -> ReadFailed {
        ReadFailed::Sqlite(error)
    }
}

#[cfg(test)]
mod tests {
    use crate::db::{Arg, Columns, Db};

    async fn numbers() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/here.db", dir.path().display()))
            .await
            .unwrap();
        let mut tx = db.begin_write().await.unwrap();
        sqlx::query("CREATE TABLE numbers (n INTEGER NOT NULL, word TEXT)")
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query("INSERT INTO numbers VALUES (1, 'one'), (2, 'two'), (3, NULL)")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        (dir, db)
    }

    async fn read(db: &Db) -> Vec<(usize, i64, Option<String>)> {
        // `$2` before `$1`: each binds its own argument wherever it stands.
        db.read_rows(
            "SELECT n, word FROM numbers WHERE n <= $2 AND n >= $1 ORDER BY n",
            &[Arg::Int(2), Arg::Int(3)],
            |index, row| Ok((index, row.try_get("n")?, row.try_get("word")?)),
        )
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn reads_on_an_sqlite_file_run_here_and_read_what_the_pool_reads() {
        let (_dir, db) = numbers().await;
        let here = db.here.clone().unwrap();
        assert_eq!(here.kept(), 0);
        let read_here = read(&db).await;
        assert_eq!(read_here, vec![(0, 2, Some("two".into())), (1, 3, None)]);
        // The read ran here: its connection is kept for the next one.
        assert_eq!(here.kept(), 1);
        here.close();
        assert_eq!(read(&db).await, read_here, "the pooled way reads the same");
        assert_eq!(here.kept(), 0);
    }

    #[tokio::test]
    async fn what_fails_here_is_made_the_pooled_way_and_its_connection_dropped() {
        let (_dir, db) = numbers().await;
        let here = db.here.clone().unwrap();
        read(&db).await;
        assert_eq!(here.kept(), 1);
        // The connections here are read-only: a write is refused here, and only the pooled
        // way can make it.
        let written = db
            .read_rows(
                "INSERT INTO numbers VALUES ($1, 'four') RETURNING n",
                &[Arg::Int(4)],
                |_, row| row.try_get::<i64>("n"),
            )
            .await
            .unwrap();
        assert_eq!(written, vec![4]);
        assert_eq!(here.kept(), 0, "the refused read's connection is dropped");
        // A good read afterwards runs here again, and sees the row.
        let four = db
            .read_rows(
                "SELECT word FROM numbers WHERE n = $1",
                &[Arg::Int(4)],
                |_, row| row.try_get::<String>("word"),
            )
            .await
            .unwrap();
        assert_eq!(four, vec!["four".to_owned()]);
        assert_eq!(here.kept(), 1);
    }

    #[tokio::test]
    async fn a_row_that_does_not_map_is_read_again_the_pooled_way_and_keeps_its_connection() {
        let (_dir, db) = numbers().await;
        let here = db.here.clone().unwrap();
        read(&db).await;
        let words = db
            .read_rows(
                "SELECT word FROM numbers WHERE n = $1",
                &[Arg::Int(3)],
                |_, row| row.try_get::<String>("word"),
            )
            .await;
        assert!(
            words.is_err(),
            "a missing word is no String either way: {words:?}"
        );
        assert_eq!(here.kept(), 1, "SQLite did not fail: the connection stays");
    }

    #[test]
    fn only_a_plain_file_is_read_here() {
        use super::file_of;
        use std::path::PathBuf;
        assert_eq!(
            file_of("sqlite://data/kyc.db"),
            Some(PathBuf::from("data/kyc.db"))
        );
        assert_eq!(
            file_of("sqlite:///srv/kyc.db?mode=rwc"),
            Some(PathBuf::from("/srv/kyc.db"))
        );
        assert_eq!(
            file_of("sqlite://data/my%20kyc.db?mode=rw"),
            Some(PathBuf::from("data/my kyc.db")),
            "the path as sqlx opens it"
        );
        for other in [
            "sqlite::memory:",
            "sqlite://data/kyc.db?mode=memory",
            "sqlite://data/kyc.db?mode=ro&immutable=true",
            "sqlite://data/kyc.db?vfs=unix-dotfile",
            "postgres://localhost/kyc",
        ] {
            assert_eq!(file_of(other), None, "{other}");
        }
    }
}
