//! Buyer lists in the database: searched, filtered, newest first (or by name or last
//! activity), a page at a time by keyset (never OFFSET), with their seller's name and KYC
//! status. The SQL names only the filters present, so that each query can use the index made
//! for it and its order (see migrations 0020 and 0043).

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyPool, Row};

use super::filter::{BuyerFilter, SearchText};
use super::model::Buyer;
use super::sort::{Position, SortKey};
use super::store::{columns_of, corrupt, from_row, like_pattern};
use crate::db::{Backend, Timestamp};
use crate::kyc::status::OverallStatus;

/// A buyer as the staff's list shows it: with its seller's name and its KYC status.
#[derive(Debug, Clone)]
pub struct ListedBuyer {
    /// The buyer.
    pub buyer: Buyer,
    /// Its seller's name.
    pub seller_name: String,
    /// The last announced overall KYC status (a buyer without one is `PENDING`).
    pub kyc_status: OverallStatus,
    /// When anything of the buyer last happened: a change of its details or status, or an
    /// upload.
    pub last_activity_at: Timestamp,
    /// The lower-cased name the list sorts by.
    pub sort_name: String,
}

/// Which part of the list (in the filter's order) a page is.
#[derive(Debug, Clone)]
pub enum Window {
    /// The buyers after this position, or from the first when `None`.
    After(Option<Position>),
    /// The buyers just before this position: the previous page.
    Before(Position),
}

impl Window {
    /// The window in `filter`'s order: a position of another order is not one in this list,
    /// so the list starts from its first buyer instead of showing a wrong page.
    pub fn fitting(&self, filter: &BuyerFilter) -> Window {
        match self {
            Window::After(Some(at)) | Window::Before(at) if at.sort() != filter.sort => {
                Window::After(None)
            }
            other => other.clone(),
        }
    }
}

/// Trigram search needs three characters; shorter fragments are matched row by row.
const TRIGRAM: usize = 3;

/// A name fragment with at least this many matches is looked for row by row along the list's
/// order (a page fills within the first few thousand rows), not by collecting and sorting
/// every match from the trigram index.
const COMMON: i64 = 2000;

/// How a name fragment is looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameLookup {
    /// Through the trigram index.
    Trigrams,
    /// Row by row along the order of the list.
    RowByRow,
    /// Through the index of whole words (PostgreSQL), when the fragment holds a word few names
    /// have. A fragment whose trigrams most names share (`ndel 4711 g` among a million
    /// "… handel <n> gmbh") makes the trigram index read most of its posting lists; the word
    /// "4711" is one short list.
    Words,
    /// Through the trigram index by one whole word of the fragment (SQLite: the `n`-th of
    /// [`SearchText::whole_words`]) that few names have, then the fragment checked on those
    /// rows. FTS5 reads every trigram's posting list of a phrase, and `ndel` is in every
    /// "… handel <n> gmbh"; the trigrams of "4711" are in few names.
    RareWord(usize),
}

/// How many of a fragment's words (the longest first) SQLite counts to find a rare one.
const WORDS_TRIED: usize = 2;

/// The lower-cased name's words, as PostgreSQL's `buyers_name_words` index holds them.
const NAME_WORDS: &str = "string_to_array(search_name, ' ')";

/// `words` as a text array of placeholders.
fn words_array(on: &mut Conditions, words: &[&str]) -> String {
    let placeholders: Vec<String> = words.iter().map(|word| on.text(*word)).collect();
    format!("ARRAY[{}]::text[]", placeholders.join(", "))
}

/// A fragment as an FTS5 phrase: quoted, it matches exactly the names containing it.
fn phrase(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// SQLite cannot tell a rare fragment from a common one when it plans; a capped count on the
/// trigram index can. PostgreSQL's planner judges a fragment from its statistics, but not
/// whether a whole word in it is rarer than its trigrams: a capped count on the word index
/// says so.
async fn name_lookup(
    pool: &AnyPool,
    backend: Backend,
    filter: &BuyerFilter,
) -> Result<NameLookup, sqlx::Error> {
    let Some(search) = &filter.search else {
        return Ok(NameLookup::Trigrams);
    };
    if search.vat_number().is_some() {
        return Ok(NameLookup::Trigrams);
    }
    match backend {
        Backend::Sqlite => {
            if search.name().chars().count() < TRIGRAM {
                return Ok(NameLookup::Trigrams);
            }
            let mut words: Vec<(usize, &str)> = search
                .whole_words()
                .into_iter()
                .enumerate()
                .filter(|(_, word)| word.chars().count() >= TRIGRAM)
                .collect();
            words.sort_by_key(|(_, word)| std::cmp::Reverse(word.chars().count()));
            for (n, word) in words.into_iter().take(WORDS_TRIED) {
                let matches: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM buyers_fts WHERE buyers_fts MATCH $1 LIMIT $2)",
                )
                .bind(phrase(word))
                .bind(COMMON)
                .fetch_one(pool)
                .await?;
                if matches < COMMON {
                    return Ok(NameLookup::RareWord(n));
                }
            }
            let matches: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM (SELECT 1 FROM buyers_fts WHERE buyers_fts MATCH $1 LIMIT $2)",
            )
            .bind(phrase(search.name()))
            .bind(COMMON)
            .fetch_one(pool)
            .await?;
            Ok(if matches >= COMMON {
                NameLookup::RowByRow
            } else {
                NameLookup::Trigrams
            })
        }
        Backend::Postgres => {
            let words = search.whole_words();
            if words.is_empty() {
                return Ok(NameLookup::Trigrams);
            }
            let mut on = Conditions::default();
            let array = words_array(&mut on, &words);
            let limit = on.value(Value::Int(COMMON));
            let sql = format!(
                "SELECT COUNT(*) AS found FROM \
                 (SELECT 1 FROM buyers WHERE {NAME_WORDS} @> {array} LIMIT {limit}) AS named"
            );
            let row = on
                .bind(sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false))
                .fetch_one(pool)
                .await?;
            let matches: i64 = row.try_get("found")?;
            Ok(if matches < COMMON {
                NameLookup::Words
            } else {
                NameLookup::Trigrams
            })
        }
    }
}

/// A value bound to a placeholder.
enum Value {
    Text(String),
    Int(i64),
}

/// A WHERE clause and its values, numbered as they are added.
#[derive(Default)]
struct Conditions {
    clauses: Vec<String>,
    values: Vec<Value>,
    /// Common table expressions the clauses read (`name AS MATERIALIZED (…)`).
    with: Vec<String>,
}

impl Conditions {
    /// Adds a value and returns its placeholder.
    fn value(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    fn text(&mut self, text: impl Into<String>) -> String {
        self.value(Value::Text(text.into()))
    }

    fn add(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    /// The `WITH` that precedes the query, if a clause needs one.
    fn with(&self) -> String {
        if self.with.is_empty() {
            String::new()
        } else {
            format!("WITH {} ", self.with.join(", "))
        }
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }

    fn bind<'q>(&self, mut query: Query<'q, Any, AnyArguments>) -> Query<'q, Any, AnyArguments> {
        for value in &self.values {
            query = match value {
                Value::Text(text) => query.bind(text.clone()),
                Value::Int(n) => query.bind(*n),
            };
        }
        query
    }
}

/// The clause for part of a name or the start of a VAT number.
fn search_clause(
    backend: Backend,
    lookup: NameLookup,
    search: &SearchText,
    on: &mut Conditions,
) -> String {
    // Byte-wise, as the VAT number index across sellers is ordered.
    let collate = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " COLLATE \"C\"",
    };
    if let Some(number) = search.vat_number() {
        return format!("b.vat_number{collate} = {}", on.text(number.as_str()));
    }
    let name = search.name();
    let prefix = search.vat_prefix();
    // A prefix as a range on the byte-wise ordered index; U+10FFFF sorts after every character
    // a VAT number holds.
    let vat_range = |on: &mut Conditions, column: &str| {
        let low = on.text(prefix);
        let high = on.text(format!("{prefix}\u{10FFFF}"));
        format!("({column}{collate} >= {low} AND {column}{collate} < {high})")
    };
    if lookup == NameLookup::Words {
        // The few rows with the words (and those with the VAT prefix) are gathered first, as
        // their own step, so that the planner cannot walk the whole list instead; the fragment
        // is then checked on them alone (`strpos`, which no trigram index serves).
        let array = words_array(on, &search.whole_words());
        let mut named = format!("SELECT id FROM buyers WHERE {NAME_WORDS} @> {array}");
        let fragment = format!("strpos(b.search_name, {}) > 0", on.text(name));
        if prefix.is_empty() {
            on.with.push(format!("named AS MATERIALIZED ({named})"));
            return format!("b.id IN (SELECT id FROM named) AND {fragment}");
        }
        named.push_str(&format!(
            " UNION SELECT id FROM buyers WHERE {}",
            vat_range(on, "vat_number")
        ));
        on.with.push(format!("named AS MATERIALIZED ({named})"));
        let by_number = vat_range(on, "b.vat_number");
        return format!("b.id IN (SELECT id FROM named) AND ({fragment} OR {by_number})");
    }
    if let NameLookup::RareWord(n) = lookup
        && let Some(word) = search.whole_words().get(n)
    {
        let by_name = format!(
            "(b.rowid IN (SELECT rowid FROM buyers_fts WHERE buyers_fts MATCH {}) \
             AND instr(b.search_name, {}) > 0)",
            on.text(phrase(word)),
            on.text(name)
        );
        if prefix.is_empty() {
            return by_name;
        }
        return format!("({by_name} OR {})", vat_range(on, "b.vat_number"));
    }
    let by_name = if name.chars().count() < TRIGRAM || lookup == NameLookup::RowByRow {
        format!(
            "b.search_name LIKE {} ESCAPE '\\'",
            on.text(like_pattern(name))
        )
    } else {
        match backend {
            // A quoted FTS5 phrase of trigrams matches exactly the names containing the text.
            Backend::Sqlite => format!(
                "b.rowid IN (SELECT rowid FROM buyers_fts WHERE buyers_fts MATCH {})",
                on.text(phrase(name))
            ),
            // The pg_trgm GIN index serves LIKE with a leading wildcard.
            Backend::Postgres => {
                format!(
                    "b.search_name LIKE {} ESCAPE '\\'",
                    on.text(like_pattern(name))
                )
            }
        }
    };
    if prefix.is_empty() {
        return by_name;
    }
    format!("({by_name} OR {})", vat_range(on, "b.vat_number"))
}

/// The conditions for the filters present.
fn conditions(backend: Backend, lookup: NameLookup, filter: &BuyerFilter) -> Conditions {
    let mut on = Conditions::default();
    if let Some(seller) = &filter.seller_id {
        let seller = on.text(seller.clone());
        on.add(format!("b.seller_id = {seller}"));
    }
    if let Some(status) = filter.status {
        let status = on.text(status.as_str());
        on.add(format!("b.status = {status}"));
    }
    if let Some(kyc) = filter.kyc_status {
        let kyc = on.text(kyc.as_str());
        on.add(format!("b.kyc_status = {kyc}"));
    }
    if let Some(mode) = filter.kyc_mode {
        let mode = on.text(mode.as_str());
        on.add(format!("b.kyc_mode = {mode}"));
    }
    if let Some(since) = filter.updated_since {
        let since = on.value(Value::Int(since.millis()));
        on.add(format!("b.updated_at >= {since}"));
    }
    if let Some(search) = &filter.search {
        let clause = search_clause(backend, lookup, search, &mut on);
        on.add(clause);
    }
    on
}

/// The SELECT for a window of the filtered list, `limit` rows; rows come in the list's order
/// for [`Window::After`] and in reverse for [`Window::Before`].
fn select(
    backend: Backend,
    lookup: NameLookup,
    filter: &BuyerFilter,
    window: &Window,
    limit: i64,
) -> (String, Conditions) {
    let mut on = conditions(backend, lookup, filter);
    let sort = filter.sort;
    let (position, forward) = match window.fitting(filter) {
        Window::After(position) => (position, true),
        Window::Before(position) => (Some(position), false),
    };
    // Reading on in a descending order, or back in an ascending one, goes to smaller values.
    let (compare, order) = if forward == sort.descending() {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let column = sort.column();
    if let Some(position) = position {
        let key = match position.key() {
            SortKey::At(at) => on.value(Value::Int(*at)),
            SortKey::Name(name) => on.text(name.clone()),
        };
        let id = on.text(position.id());
        on.add(format!("({column}, b.id) {compare} ({key}, {id})"));
    }
    let limit = on.value(Value::Int(limit));
    let sql = format!(
        "{}SELECT {}, b.kyc_status, b.last_activity_at, b.search_name AS sort_name, \
         p.name AS seller_name FROM buyers b JOIN partners p ON p.id = b.seller_id \
         {} ORDER BY {column} {order}, b.id {order} LIMIT {limit}",
        on.with(),
        columns_of("b"),
        on.sql()
    );
    (sql, on)
}

/// Up to `limit` buyers of the window, in the filter's order.
pub async fn list(
    pool: &AnyPool,
    backend: Backend,
    filter: &BuyerFilter,
    window: &Window,
    limit: i64,
) -> Result<Vec<ListedBuyer>, sqlx::Error> {
    if filter.matches_nothing() {
        return Ok(Vec::new());
    }
    let lookup = name_lookup(pool, backend, filter).await?;
    let (sql, on) = select(backend, lookup, filter, window, limit);
    // Not kept as a prepared statement: PostgreSQL then plans with the actual values (a name
    // fragment, a rare or common status) instead of a generic plan.
    let query = on.bind(sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false));
    let rows = query.fetch_all(pool).await?;
    let mut listed = rows
        .iter()
        .map(|row| {
            let kyc_status: String = row.try_get("kyc_status")?;
            Ok(ListedBuyer {
                buyer: from_row(row)?,
                seller_name: row.try_get("seller_name")?,
                kyc_status: OverallStatus::parse(&kyc_status)
                    .ok_or_else(|| corrupt("KYC status"))?,
                last_activity_at: Timestamp::from_millis(row.try_get("last_activity_at")?),
                sort_name: row.try_get("sort_name")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    if matches!(window.fitting(filter), Window::Before(_)) {
        listed.reverse();
    }
    Ok(listed)
}

/// The plan the database chooses for a window of the filtered list (`EXPLAIN QUERY PLAN` on
/// SQLite, `EXPLAIN` on PostgreSQL), one line per step, for tests and the operator.
pub async fn plan(
    pool: &AnyPool,
    backend: Backend,
    filter: &BuyerFilter,
    window: &Window,
) -> Result<Vec<String>, sqlx::Error> {
    let lookup = name_lookup(pool, backend, filter).await?;
    let (sql, on) = select(backend, lookup, filter, window, 26);
    let (explain, column) = match backend {
        Backend::Sqlite => ("EXPLAIN QUERY PLAN", "detail"),
        Backend::Postgres => ("EXPLAIN", "QUERY PLAN"),
    };
    let query =
        on.bind(sqlx::query(sqlx::AssertSqlSafe(format!("{explain} {sql}"))).persistent(false));
    let rows = query.fetch_all(pool).await?;
    rows.iter()
        .map(|row| row.try_get::<String, _>(column))
        .collect()
}
