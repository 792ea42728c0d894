//! Which database failures mean "not reachable now" (a restart, a failover, a full pool, a
//! lock held too long) rather than a fault: those are answered with 503 and tried again later.

/// PostgreSQL's codes for a server going away: admin shutdown, crash shutdown, cannot connect
/// now (starting up or shutting down); class 08 is any connection exception; 53300 is too many
/// connections.
const POSTGRES_UNAVAILABLE: [&str; 4] = ["57P01", "57P02", "57P03", "53300"];

/// SQLite's primary result codes for a database that stayed busy or locked beyond its timeout.
const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;

/// Whether `error` means the database cannot be used now but may be in a moment.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(database) => {
            let Some(code) = database.code() else {
                return false;
            };
            if database
                .try_downcast_ref::<sqlx::sqlite::SqliteError>()
                .is_some()
            {
                // SQLite reports its extended code; the primary code is its low byte.
                code.parse::<i64>()
                    .is_ok_and(|code| matches!(code & 0xff, SQLITE_BUSY | SQLITE_LOCKED))
            } else {
                POSTGRES_UNAVAILABLE.contains(&code.as_ref()) || code.starts_with("08")
            }
        }
        // A connection cut off in the middle of a message.
        sqlx::Error::Protocol(message) => {
            message.contains("unexpected end") || message.contains("closed")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use sqlx::Connection;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

    use super::*;

    #[test]
    fn a_lost_connection_or_a_full_pool_is_unavailable_a_missing_row_is_not() {
        assert!(is_unavailable(&sqlx::Error::PoolTimedOut));
        assert!(is_unavailable(&sqlx::Error::Io(std::io::Error::from(
            std::io::ErrorKind::ConnectionReset
        ))));
        assert!(!is_unavailable(&sqlx::Error::RowNotFound));
        assert!(!is_unavailable(&sqlx::Error::Protocol(
            "bad message".into()
        )));
    }

    #[tokio::test]
    async fn an_sqlite_database_locked_beyond_its_timeout_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("busy.db"))
            .create_if_missing(true)
            .busy_timeout(std::time::Duration::ZERO);
        let mut holder = SqliteConnection::connect_with(&options).await.unwrap();
        sqlx::raw_sql("CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);")
            .execute(&mut holder)
            .await
            .unwrap();
        let mut other = SqliteConnection::connect_with(&options).await.unwrap();
        let busy = sqlx::raw_sql("BEGIN IMMEDIATE")
            .execute(&mut other)
            .await
            .unwrap_err();
        assert!(is_unavailable(&busy), "{busy:?}");
        let constraint =
            sqlx::raw_sql("CREATE TABLE u (x INTEGER NOT NULL); INSERT INTO u VALUES (NULL);")
                .execute(&mut holder)
                .await
                .unwrap_err();
        assert!(!is_unavailable(&constraint), "{constraint:?}");
    }
}
