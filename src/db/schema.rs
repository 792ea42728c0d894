//! Which migrations a database has had, beside those this binary knows: `check-config` reports
//! it before an upgrade, and a backup notes it.

use sqlx::{AnyConnection, Row};

use super::{Backend, Db, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};

/// The migrations a database has had and the ones this binary would apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaStatus {
    /// Versions applied to the database, in order.
    pub applied: Vec<i64>,
    /// Versions this binary carries, in order.
    pub known: Vec<i64>,
}

impl SchemaStatus {
    /// Versions the next `serve` or `migrate` will apply.
    pub fn pending(&self) -> Vec<i64> {
        self.known
            .iter()
            .filter(|v| !self.applied.contains(v))
            .copied()
            .collect()
    }

    /// Versions in the database that this binary does not know: it is older than the data.
    pub fn unknown(&self) -> Vec<i64> {
        self.applied
            .iter()
            .filter(|v| !self.known.contains(v))
            .copied()
            .collect()
    }

    /// The newest version applied, if any.
    pub fn latest(&self) -> Option<i64> {
        self.applied.iter().max().copied()
    }
}

impl Db {
    /// The schema's state, read without changing anything (sqlx's own listing would make its
    /// bookkeeping table first).
    pub async fn schema(&self) -> Result<SchemaStatus, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        schema_of(&mut conn, self.backend).await
    }
}

/// The schema's state of the database behind `conn`.
pub async fn schema_of(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<SchemaStatus, sqlx::Error> {
    let (migrator, exists) = match backend {
        Backend::Sqlite => (
            &SQLITE_MIGRATIONS,
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        ),
        Backend::Postgres => (
            &POSTGRES_MIGRATIONS,
            "SELECT COUNT(*) AS n FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
        ),
    };
    let known = migrator.iter().map(|m| m.version).collect();
    let tables: i64 = sqlx::query(exists)
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
    let applied = if tables == 0 {
        Vec::new()
    } else {
        sqlx::query("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|row| row.try_get::<i64, _>("version"))
            .collect::<Result<_, _>>()?
    };
    Ok(SchemaStatus { applied, known })
}
