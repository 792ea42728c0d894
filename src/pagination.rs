//! Newest-first keyset pagination: `limit` and an opaque `cursor` naming the last item seen.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use crate::errors::{Error, Rule};

/// Default and largest page sizes.
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 200;

/// Where a listing continues: after the item with this time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    at: i64,
    id: String,
}

impl Cursor {
    /// The position after an item.
    pub fn new(at: i64, id: &str) -> Cursor {
        Cursor {
            at,
            id: id.to_owned(),
        }
    }

    /// The time of the item.
    pub fn at(&self) -> i64 {
        self.at
    }

    /// The id of the item.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The opaque text handed to clients.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", self.at, self.id))
    }

    /// Reads a cursor a client sent back.
    pub fn decode(text: &str) -> Result<Cursor, Error> {
        let bad = || Error::invalid("cursor", Rule::Cursor);
        let raw = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
        let raw = String::from_utf8(raw).map_err(|_| bad())?;
        let (at, id) = raw.split_once(':').ok_or_else(bad)?;
        Ok(Cursor {
            at: at.parse().map_err(|_| bad())?,
            id: id.to_owned(),
        })
    }
}

/// A requested page.
#[derive(Debug, Clone)]
pub struct Page {
    limit: u32,
    after: Option<Cursor>,
}

impl Page {
    /// From the query's `limit` and `cursor` (both optional).
    pub fn parse(limit: Option<u32>, cursor: Option<&str>) -> Result<Page, Error> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(Error::invalid(
                "limit",
                Rule::Between {
                    min: 1,
                    max: i64::from(MAX_LIMIT),
                },
            ));
        }
        let after = match cursor {
            Some(c) if !c.is_empty() => Some(Cursor::decode(c)?),
            _ => None,
        };
        Ok(Page { limit, after })
    }

    /// The first page of the default size.
    pub fn first() -> Page {
        Page {
            limit: DEFAULT_LIMIT,
            after: None,
        }
    }

    /// The position the page continues after (`None` for the first page).
    pub fn after(&self) -> Option<&Cursor> {
        self.after.as_ref()
    }

    /// The page size.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// The keyset bound for `(at, id) < bound`; the largest possible for the first page.
    pub fn after_or_max(&self) -> (i64, String) {
        match &self.after {
            Some(c) => (c.at, c.id.clone()),
            None => (i64::MAX, String::new()),
        }
    }

    /// One more than the page size, to learn whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// Cuts the fetched rows to the page and computes the next cursor.
    pub fn split<T>(
        &self,
        mut rows: Vec<T>,
        cursor_of: impl Fn(&T) -> Cursor,
    ) -> (Vec<T>, Option<Cursor>) {
        let limit = self.limit as usize;
        if rows.len() > limit {
            rows.truncate(limit);
            let next = rows.last().map(cursor_of);
            (rows, next)
        } else {
            (rows, None)
        }
    }
}

/// A page of a listing as the API returns it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Listing<T> {
    /// The items, newest first.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Listing<T> {
    /// From a page of items and the cursor after them.
    pub fn new((items, next): (Vec<T>, Option<Cursor>)) -> Listing<T> {
        Listing {
            items,
            next_cursor: next.map(|c| c.encode()),
        }
    }
}
