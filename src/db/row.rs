//! A row read either through sqlx or, for the buyer's page on SQLite, on the serving thread
//! (see [`super::here`]), so that one mapping from columns to a domain type serves both.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::postgres::PgRow;
use sqlx::{Any, Postgres};

/// A value a column can be read as, by either way of reading: only those both read alike
/// (rusqlite would also read an integer as a bool or a float, which sqlx's SQLite refuses).
pub trait Column:
    sealed::Alike
    + for<'r> sqlx::Decode<'r, Any>
    + sqlx::Type<Any>
    + for<'r> sqlx::Decode<'r, Postgres>
    + sqlx::Type<Postgres>
    + rusqlite::types::FromSql
{
}

impl<T> Column for T where
    T: sealed::Alike
        + for<'r> sqlx::Decode<'r, Any>
        + sqlx::Type<Any>
        + for<'r> sqlx::Decode<'r, Postgres>
        + sqlx::Type<Postgres>
        + rusqlite::types::FromSql
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

/// The columns of a row whose names carry `prefix`, by their names without it: one table's
/// columns read along with another's under names of their own (`buyer__id` beside `id`).
pub struct Prefixed<'r, R> {
    row: &'r R,
    prefix: &'static str,
}

impl<'r, R: Columns> Prefixed<'r, R> {
    /// The columns of `row` named `prefix` and then the name asked for.
    pub fn new(row: &'r R, prefix: &'static str) -> Prefixed<'r, R> {
        Prefixed { row, prefix }
    }
}

/// Longest prefixed name put together without allocating.
const NAME_ROOM: usize = 64;

impl<R: Columns> Columns for Prefixed<'_, R> {
    fn try_get<T: Column>(&self, name: &str) -> Result<T, sqlx::Error> {
        if self.prefix.is_empty() {
            return self.row.try_get(name);
        }
        // Names are looked up for every column of every row read: no allocation for each.
        let length = self.prefix.len() + name.len();
        if length > NAME_ROOM {
            return self.row.try_get(&format!("{}{name}", self.prefix));
        }
        let mut room = [0u8; NAME_ROOM];
        room[..self.prefix.len()].copy_from_slice(self.prefix.as_bytes());
        room[self.prefix.len()..length].copy_from_slice(name.as_bytes());
        // Two strings one after the other are a string.
        let full = std::str::from_utf8(&room[..length])
            .map_err(|_| sqlx::Error::ColumnNotFound(name.to_owned()))?;
        self.row.try_get(full)
    }
}

/// A statement's columns' places by name. Every column of every row read on the serving
/// thread is found here by name; the names are the statements' own, never a request's, so
/// a fast hash without flood resistance is enough (SipHash was a tenth of a row's mapping).
pub type ColumnPlaces = HashMap<String, usize, foldhash::fast::RandomState>;

/// A row of a read: through sqlx, or on the serving thread.
pub enum Row<'a, 'stmt> {
    /// Read through sqlx.
    Pooled(&'a AnyRow),
    /// Read through sqlx's PostgreSQL driver itself.
    Postgres(&'a PgRow),
    /// Read on the serving thread, with its statement's columns by name.
    Here(&'a rusqlite::Row<'stmt>, &'a ColumnPlaces),
}

impl Columns for Row<'_, '_> {
    fn try_get<T: Column>(&self, name: &str) -> Result<T, sqlx::Error> {
        match self {
            Row::Pooled(row) => Columns::try_get(*row, name),
            Row::Postgres(row) => sqlx::Row::try_get(*row, name),
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
