//! The database: one pool for SQLite or PostgreSQL, chosen by the URL, and the few places where
//! the two backends must differ.

mod copy;
mod gathered;
mod here;
mod readers;
mod row;
mod schema;
mod time;
mod unavailable;

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

pub use copy::open_copy;
pub use gathered::{GatheredRead, KEY as GATHERED_KEY};
pub use row::{Arg, Column, Columns, Prefixed, Row};
pub use schema::{SchemaStatus, schema_of};
pub use time::{Timestamp, now};
pub use unavailable::is_unavailable;

/// Which database engine the pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file: one machine, the embedded default.
    Sqlite,
    /// PostgreSQL: shared by many instances.
    Postgres,
}

/// The application's database handle; cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer at a time; queueing writers here (instead of in SQLite's busy
    /// loop) keeps concurrent requests from failing with "database is locked".
    writer: Option<Arc<Mutex<()>>>,
    /// How long a request waits for a connection (or, on SQLite, for its turn to write) before
    /// it is answered "unavailable" rather than queued further.
    acquire_timeout: Duration,
    /// Write transactions committed through this handle (and its clones), so that what is
    /// kept in memory can tell whether the database may have changed since it was read.
    commits: Arc<AtomicU64>,
    /// Saves of the organisation's settings committed through this handle (see
    /// [`Db::settings_saves`]).
    settings_saves: Arc<AtomicU64>,
    /// Connections kept aside for [`Db::read`].
    kept: Arc<Kept>,
    /// On an SQLite file, connections for [`Db::read_rows`] on the serving thread.
    here: Option<Arc<here::HereReaders>>,
    /// On PostgreSQL, the requests waiting for [`Db::read_gathered`].
    waiting: Arc<gathered::Waiting>,
}

/// Failure to open or prepare the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL names no supported backend.
    #[error("unsupported database URL (use sqlite://... or postgres://...)")]
    UnsupportedUrl,
    /// The database could not be reached or opened.
    #[error("cannot connect to the database")]
    Connect(#[source] sqlx::Error),
    /// A migration failed.
    #[error("database migration failed")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// The folder for the SQLite file could not be made.
    #[error("cannot create the folder for the SQLite database")]
    Folder(#[source] std::io::Error),
    /// A command that must not make a database found none.
    #[error("there is no SQLite database at {0}")]
    Missing(PathBuf),
}

/// Sets up a new SQLite connection: write-ahead log, waiting for the write lock, foreign keys.
async fn prepare_sqlite(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(
        "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
         PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// How long a request waits for a database connection unless the settings say otherwise.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Opens a pool for `url` that waits at most [`DEFAULT_ACQUIRE_TIMEOUT`] for a connection.
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        Db::connect_waiting(url, DEFAULT_ACQUIRE_TIMEOUT).await
    }

    /// Opens a pool for `url` that waits at most `acquire_timeout` for a connection. An SQLite
    /// file (and its folder) is created when missing and put in WAL mode.
    pub async fn connect_waiting(url: &str, acquire_timeout: Duration) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(DbError::UnsupportedUrl);
        };
        let url = match backend {
            Backend::Sqlite => sqlite_url_creating_folder(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(DbError::Connect)?;
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(acquire_timeout)
                    // A connection to a local file does not go stale; pinging it before each
                    // use costs a hand-off to its worker thread and back, as much as a query.
                    .test_before_acquire(false)
                    .after_connect(|conn, _meta| Box::pin(prepare_sqlite(conn)))
                    .connect_with(options.clone())
                    .await
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(acquire_timeout)
                    // No round trip to the server before each use (it doubled every query's
                    // cost): a connection a restart or failover has cut fails its next query
                    // instead, which is a 503 with Retry-After (see `unavailable`), and the
                    // pool drops it.
                    .test_before_acquire(false)
                    .connect_with(options.clone())
                    .await
            }
        }
        .map_err(DbError::Connect)?;
        let writer = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        Ok(Db {
            pool,
            backend,
            writer,
            acquire_timeout,
            commits: Arc::default(),
            settings_saves: Arc::default(),
            kept: Arc::new(match backend {
                Backend::Sqlite => Kept::Any(readers::Readers::new(options)),
                Backend::Postgres => Kept::Postgres(readers::Readers::new(
                    PgConnectOptions::from_str(&url).map_err(DbError::Connect)?,
                )),
            }),
            here: here::file_of(&url).map(|path| Arc::new(here::HereReaders::new(path))),
            waiting: Arc::default(),
        })
    }

    /// Opens the database `url` names only when it exists already: commands that run beside the
    /// portal (backups, `check-config`) must not leave an empty SQLite file, made by whoever ran
    /// them, where the portal will make its own.
    pub async fn connect_existing(url: &str) -> Result<Db, DbError> {
        match sqlite_path(url) {
            Some(path) if !path.exists() => Err(DbError::Missing(path)),
            Some(_) if !url.contains("mode=") => {
                let joiner = if url.contains('?') { '&' } else { '?' };
                Db::connect(&format!("{url}{joiner}mode=rw")).await
            }
            _ => Db::connect(url).await,
        }
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<(), DbError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await.map_err(DbError::Migrate)
    }

    /// The pool, for reads outside a transaction.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which engine this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so it never fails half-way when upgrading from read to write.
    /// Changes to buyers and what belongs to them go through [`crate::write::WriteTx`], which
    /// wraps this one and adds the audit history, the events and the KYC status refresh.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        let guard = match &self.writer {
            // Bounded like the pool: writers queued behind a stuck one are refused in time.
            Some(lock) => Some(
                tokio::time::timeout(self.acquire_timeout, Arc::clone(lock).lock_owned())
                    .await
                    .map_err(|_| sqlx::Error::PoolTimedOut)?,
            ),
            None => None,
        };
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx {
            tx,
            _guard: guard,
            commits: Arc::clone(&self.commits),
            settings_saves: Arc::clone(&self.settings_saves),
            backend: self.backend,
        })
    }

    /// How many write transactions this process has committed to the database so far. Equal
    /// counts mean this process wrote nothing in between (other instances may have).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::SeqCst)
    }

    /// How many saves of the organisation's settings this process has committed so far: the
    /// settings are read on every page, and kept in memory until they may have changed, which
    /// other writes (an upload, a session seen) do not make them.
    pub fn settings_saves(&self) -> u64 {
        self.settings_saves.load(Ordering::SeqCst)
    }

    /// The clause that lets several instances claim rows of one queue without waiting for each
    /// other. SQLite has a single writer, so it needs none.
    pub fn skip_locked(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        }
    }

    /// The clause that locks the rows a SELECT reads until the transaction ends. SQLite's
    /// write transaction already excludes every other writer.
    pub fn for_update(&self) -> &'static str {
        lock_clause(self.backend)
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Runs `read` on a connection kept aside for hot reads (see [`readers`]): one that
    /// skips the pool's test on every return, `set_up` as the pool sets up its own. For reads
    /// only, outside any transaction; the domain reads through [`Db::read_rows`].
    async fn read<C: sqlx::Connection, T>(
        &self,
        readers: &readers::Readers<C>,
        set_up: impl AsyncFnOnce(&mut C) -> Result<(), sqlx::Error>,
        read: impl AsyncFnOnce(&mut C) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        let mut lent = self.lend(readers, set_up).await?;
        let result = read(&mut lent.conn).await;
        lent.end(&result);
        result
    }

    /// A turn and a kept connection (see [`readers`]), opened and set up by `set_up` when
    /// every other is lent. Waiting for the turn and opening the connection share one acquire
    /// timeout, as taking a connection from the pool does.
    async fn lend<'r, C: sqlx::Connection>(
        &self,
        readers: &'r readers::Readers<C>,
        set_up: impl AsyncFnOnce(&mut C) -> Result<(), sqlx::Error>,
    ) -> Result<readers::Lent<'r, C>, sqlx::Error> {
        let deadline = tokio::time::Instant::now() + self.acquire_timeout;
        let turn = turn_by(readers, deadline).await?;
        connect_by(turn, set_up, deadline).await
    }

    /// The rows `sql` reads with `args` (`$1` is the first), each mapped by `map` with its
    /// place among them (a read of several tables' rows may map what repeats only once). For the
    /// hottest reads (the buyer's page), outside any transaction: on an SQLite file they run on
    /// the serving thread (see [`here`]), else (and whenever that fails) on a kept connection
    /// as [`Db::read`] runs them.
    pub(crate) async fn read_rows<T>(
        &self,
        sql: &str,
        args: &[Arg<'_>],
        map: impl Fn(usize, &Row<'_, '_>) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, sqlx::Error> {
        if let Some(here) = &self.here
            && let Some(rows) = here.read(sql, args, &map)
        {
            return Ok(rows);
        }
        match self.kept.as_ref() {
            Kept::Any(readers) => {
                let query = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), args);
                let rows = self
                    .read(
                        readers,
                        async |conn| prepare_sqlite(conn).await,
                        async |conn| query.fetch_all(conn).await,
                    )
                    .await?;
                rows.iter()
                    .enumerate()
                    .map(|(index, row)| map(index, &Row::Pooled(row)))
                    .collect()
            }
            Kept::Postgres(readers) => {
                let query = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), args);
                let rows = self
                    .read(
                        readers,
                        async |_| Ok(()),
                        async |conn| query.fetch_all(conn).await,
                    )
                    .await?;
                rows.iter()
                    .enumerate()
                    .map(|(index, row)| map(index, &Row::Postgres(row)))
                    .collect()
            }
        }
    }

    /// Closes every connection (tests drop their databases afterwards).
    pub async fn close(&self) {
        if let Some(here) = &self.here {
            here.close();
        }
        // Closing politely is a courtesy; the connection goes either way.
        match self.kept.as_ref() {
            Kept::Any(readers) => {
                for conn in readers.close() {
                    let _ = sqlx::Connection::close(conn).await;
                }
            }
            Kept::Postgres(readers) => {
                for conn in readers.close() {
                    let _ = sqlx::Connection::close(conn).await;
                }
            }
        }
        self.pool.close().await;
    }
}

/// The connections kept for hot reads: sqlx's backend-neutral ones on SQLite (for the reads
/// the serving thread could not make), the driver's own on PostgreSQL.
#[expect(
    clippy::large_enum_variant,
    reason = "one for each database, made once and kept behind an Arc"
)]
enum Kept {
    Any(readers::Readers<AnyConnection>),
    Postgres(readers::Readers<PgConnection>),
}

/// A turn of `readers` by `deadline`.
async fn turn_by<C: sqlx::Connection>(
    readers: &readers::Readers<C>,
    deadline: tokio::time::Instant,
) -> Result<readers::Turn<'_, C>, sqlx::Error> {
    tokio::time::timeout_at(deadline, readers.turn())
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)?
        .ok_or(sqlx::Error::PoolClosed)
}

/// `turn` with a kept connection, or with one opened and set up by `set_up` by `deadline`
/// when every other is lent.
async fn connect_by<'r, C: sqlx::Connection>(
    turn: readers::Turn<'r, C>,
    set_up: impl AsyncFnOnce(&mut C) -> Result<(), sqlx::Error>,
    deadline: tokio::time::Instant,
) -> Result<readers::Lent<'r, C>, sqlx::Error> {
    if let Some((opener, conn)) = turn.take() {
        return Ok(turn.lent(opener, conn));
    }
    let opening = async {
        let mut conn = turn.open().await?;
        set_up(&mut conn).await?;
        Ok::<_, sqlx::Error>(conn)
    };
    let conn = tokio::time::timeout_at(deadline, opening)
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)??;
    Ok(turn.lent(std::thread::current().id(), conn))
}

/// `query` with `args` bound in order.
fn bound<'q, DB: sqlx::Database>(
    mut query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    args: &[Arg<'q>],
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    for arg in args {
        query = match *arg {
            Arg::Text(text) => query.bind(text),
            Arg::Int(int) => query.bind(int),
        };
    }
    query
}

/// A write transaction that knows its backend; derefs to the connection so queries run on it.
pub struct Tx {
    tx: Transaction<'static, Any>,
    _guard: Option<OwnedMutexGuard<()>>,
    commits: Arc<AtomicU64>,
    settings_saves: Arc<AtomicU64>,
    backend: Backend,
}

impl Tx {
    /// Makes every change of the transaction durable.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await?;
        self.commits.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    /// [`Tx::commit`] of a transaction that saved the organisation's settings (see
    /// [`Db::settings_saves`]). The save is counted before the commit is: whatever kept in
    /// memory sees the new commit count sees the new settings too.
    pub(crate) async fn commit_saving_settings(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await?;
        self.settings_saves.fetch_add(1, Ordering::SeqCst);
        self.commits.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    /// The clause that locks the rows a SELECT reads until the transaction ends (none on
    /// SQLite, whose write transaction already excludes every other writer).
    pub fn for_update(&self) -> &'static str {
        lock_clause(self.backend)
    }
}

fn lock_clause(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => "FOR UPDATE",
    }
}

impl Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

/// A column list (`"id, name"`) under a table alias (`"b.id, b.name"`), for joins that read
/// each table's columns by their plain names.
pub fn aliased(columns: &str, alias: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A column list under a table alias, each column renamed with `prefix` (`"b.id AS
/// buyer__id, ..."`), for joins that read two tables' columns of the same names.
pub fn renamed(columns: &str, alias: &str, prefix: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{alias}.{c} AS {prefix}{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The file an SQLite URL names (`sqlite://./data/x.db` -> `./data/x.db`), as sqlx reads the
/// URL (its path percent-decoded: `my%20kyc.db` is `my kyc.db`), so that the folder made for
/// it and the file checked for are those sqlx opens; None for other backends and for
/// in-memory databases.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    if !url.starts_with("sqlite:") {
        return None;
    }
    // The pool's options parse the URL as a URL first (which resolves `..` and `.` in its
    // path), and then as SQLite's: so here.
    let url = url::Url::parse(url).ok()?;
    let url = url.as_str();
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).ok()?;
    let path = options.get_filename();
    // sqlx names the database of `sqlite::memory:` `file:sqlx-in-memory-…`; `mode=memory`
    // keeps any other name in memory (the query read as sqlx reads it, percent-decoded).
    let in_memory = path.as_os_str().is_empty()
        || path.to_string_lossy().starts_with("file:sqlx-in-memory-")
        || url.split_once('?').is_some_and(|(_, query)| {
            url::form_urlencoded::parse(query.as_bytes())
                .any(|(key, value)| key == "mode" && value == "memory")
        });
    (!in_memory).then(|| path.to_path_buf())
}

/// `sqlite://./data/x.db` -> the same URL with create-if-missing, after making its folder.
fn sqlite_url_creating_folder(url: &str) -> Result<String, DbError> {
    let parent = sqlite_path(url)
        .and_then(|path| path.parent().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent {
        std::fs::create_dir_all(parent).map_err(DbError::Folder)?;
    }
    Ok(if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::{Db, DbError, sqlite_path};

    #[test]
    fn an_sqlite_url_names_the_file_sqlx_opens() {
        for (url, file) in [
            ("sqlite://data/kyc.db", "data/kyc.db"),
            ("sqlite:data/kyc.db?mode=rwc", "data/kyc.db"),
            ("sqlite:///srv/kyc portal/kyc.db", "/srv/kyc portal/kyc.db"),
            (
                "sqlite:///srv/kyc%20portal/my%25kyc.db",
                "/srv/kyc portal/my%kyc.db",
            ),
            ("sqlite://data/old/../kyc.db", "data/kyc.db"),
        ] {
            assert_eq!(sqlite_path(url), Some(PathBuf::from(file)), "{url}");
        }
        for none in [
            "sqlite::memory:",
            "sqlite://data/kyc.db?mode=memory",
            "sqlite://data/kyc.db?cache=shared&mode=%6Demory",
            "postgres://localhost/kyc",
        ] {
            assert_eq!(sqlite_path(none), None, "{none}");
        }
    }

    #[tokio::test]
    async fn a_percent_encoded_folder_is_made_and_checked_as_sqlx_opens_it() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}/kyc%20portal/kyc.db", dir.path().display());
        match Db::connect_existing(&url).await {
            Err(DbError::Missing(path)) => {
                assert_eq!(path, dir.path().join("kyc portal/kyc.db"));
            }
            Err(other) => panic!("not the missing file: {other}"),
            Ok(_) => panic!("a missing file was opened"),
        }
        let db = Db::connect(&url).await.expect("made with its folder");
        db.close().await;
        assert!(dir.path().join("kyc portal/kyc.db").is_file());
        assert!(!dir.path().join("kyc%20portal").exists());
        let again = Db::connect_existing(&url)
            .await
            .expect("found where it was made");
        again.close().await;
    }
}
