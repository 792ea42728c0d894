//! A row read either through sqlx or, for the buyer's page on SQLite, on the serving thread
//! (see [`super::here`]), so that one mapping from columns to a domain type serves both.

use std::collections::HashMap;

use sqlx::Any;
use sqlx::any::AnyRow;

/// A value a column can be read as, by either way of reading: only those both read alike
/// (rusqlite would also read an integer as a bool or a float, which sqlx's SQLite refuses).
pub trait Column:
    sealed::Alike + for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any> + rusqlite::types::FromSql
{
}

impl<T> Column for T where
    T: sealed::Alike + for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any> + rusqlite::types::FromSql
{
}

mod sealed {
    /// Read alike by sqlx and rusqlite: text, integers, and either missing.
    pub trait Alike {}
    impl Alike for String {}
    impl Alike for i64 {}
    impl Alike for Option<String> {}
    impl Alike for Option<i64> {}
}

/// Columns by name.
pub trait Columns {
    /// The column `name`, read as `T`.
    fn try_get<T: Column>(&self, name: &str) -> Result<T, sqlx::Error>;
}

impl Columns for AnyRow {
    fn try_get<T: Column>(&self, name: &str) -> Result<T, sqlx::Error> {
        sqlx::Row::try_get(self, name)
    }
}

/// A row of a read: through sqlx, or on the serving thread.
pub enum Row<'a, 'stmt> {
    /// Read through sqlx.
    Pooled(&'a AnyRow),
    /// Read on the serving thread, with its statement's columns by name.
    Here(&'a rusqlite::Row<'stmt>, &'a HashMap<String, usize>),
}

impl Columns for Row<'_, '_> {
    fn try_get<T: Column>(&self, name: &str) -> Result<T, sqlx::Error> {
        match self {
            Row::Pooled(row) => Columns::try_get(*row, name),
            Row::Here(row, columns) => {
                let index = *columns
                    .get(name)
                    .ok_or_else(|| sqlx::Error::ColumnNotFound(name.to_owned()))?;
                row.get(index).map_err(|e| sqlx::Error::ColumnDecode {
                    index: name.to_owned(),
                    source: Box::new(e),
                })
            }
        }
    }
}

/// A value bound to a read's `$n`.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// Text.
    Text(&'a str),
    /// An integer.
    Int(i64),
}
