//! Copies of an SQLite database: SQLite's own online copy for backups, and opening such a copy
//! without changing a byte of it.

use std::path::Path;

use sqlx::{AnyConnection, Connection};

use super::{Backend, Db};

impl Db {
    /// Writes a consistent copy of the whole SQLite database to `file` (which must not exist)
    /// with `VACUUM INTO`: it reads one snapshot, like any reader in WAL mode, so the portal
    /// goes on writing meanwhile and the copy holds exactly what had committed when it began.
    /// PostgreSQL has `pg_dump` for this.
    pub async fn snapshot_into(&self, file: &Path) -> Result<(), sqlx::Error> {
        if self.backend != Backend::Sqlite {
            return Err(sqlx::Error::Configuration(
                "only an SQLite database can be copied by the portal; use pg_dump".into(),
            ));
        }
        let target = file.to_str().ok_or_else(|| {
            sqlx::Error::Configuration("the copy's path is not valid UTF-8".into())
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// One read-only connection to the SQLite copy at `file`, opened as immutable so that not even
/// a journal or shared-memory file is made beside it (verifying a backup changes nothing).
pub async fn open_copy(file: &Path) -> Result<AnyConnection, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let path = file
        .to_str()
        .ok_or_else(|| sqlx::Error::Configuration("the copy's path is not valid UTF-8".into()))?;
    // The URL's path is percent-decoded when read: keep `%`, `?` and `#` in names literal.
    let escaped = path
        .replace('%', "%25")
        .replace('?', "%3F")
        .replace('#', "%23");
    AnyConnection::connect(&format!("sqlite://{escaped}?mode=ro&immutable=true")).await
}
