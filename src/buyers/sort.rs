//! The orders of the staff's buyer list and the keyset positions within each: a position
//! names its order, so a position from one order never picks a page of another.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::pagination::Cursor;

/// The order of a buyer list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BuyerSort {
    /// Newest first (by creation).
    #[default]
    Newest,
    /// Company name, A to Z.
    Name,
    /// Most recent activity first: a change of the buyer's details or status, or an upload.
    LastActivity,
}

impl BuyerSort {
    /// Every order, as the list offers them.
    pub const ALL: [BuyerSort; 3] = [BuyerSort::Newest, BuyerSort::Name, BuyerSort::LastActivity];

    /// The name in the page's address.
    pub fn as_str(self) -> &'static str {
        match self {
            BuyerSort::Newest => "newest",
            BuyerSort::Name => "name",
            BuyerSort::LastActivity => "activity",
        }
    }

    /// The order with this name.
    pub fn parse(text: &str) -> Option<BuyerSort> {
        BuyerSort::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The column of `buyers` (aliased `b`) the order goes by, before the id.
    pub(super) fn column(self) -> &'static str {
        match self {
            BuyerSort::Newest => "b.created_at",
            BuyerSort::Name => "b.search_name",
            BuyerSort::LastActivity => "b.last_activity_at",
        }
    }

    /// Whether the list goes from the largest value down.
    pub(super) fn descending(self) -> bool {
        self != BuyerSort::Name
    }
}

/// The value of the order's column at a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKey {
    /// A time in milliseconds (newest, last activity).
    At(i64),
    /// A lower-cased company name.
    Name(String),
}

/// A place in a list in one order: the order's value and the id of the buyer there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    sort: BuyerSort,
    key: SortKey,
    id: String,
}

impl Position {
    /// The position of the buyer with `id` whose value in `sort` is `key`; None when the key
    /// is not of the order's kind.
    pub fn new(sort: BuyerSort, key: SortKey, id: &str) -> Option<Position> {
        let fits = matches!(
            (sort, &key),
            (BuyerSort::Name, SortKey::Name(_))
                | (BuyerSort::Newest | BuyerSort::LastActivity, SortKey::At(_))
        );
        fits.then(|| Position {
            sort,
            key,
            id: id.to_owned(),
        })
    }

    /// The order it is a position in.
    pub fn sort(&self) -> BuyerSort {
        self.sort
    }

    /// The order's value there.
    pub fn key(&self) -> &SortKey {
        &self.key
    }

    /// The buyer's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The opaque text a page link carries.
    pub fn encode(&self) -> String {
        let key = match &self.key {
            SortKey::At(at) => at.to_string(),
            SortKey::Name(name) => name.clone(),
        };
        URL_SAFE_NO_PAD.encode(format!("{}:{key}:{}", self.sort.as_str(), self.id))
    }

    /// Reads a position a link carried, when it is one of `sort`; a position of another
    /// order, or text that is none, gives None (the list then starts from its beginning).
    pub fn decode(text: &str, sort: BuyerSort) -> Option<Position> {
        let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(text).ok()?).ok()?;
        let (name, rest) = raw.split_once(':')?;
        // The name may hold a colon; an id never does.
        let (key, id) = rest.rsplit_once(':')?;
        if BuyerSort::parse(name)? != sort || id.is_empty() {
            return None;
        }
        let key = match sort {
            BuyerSort::Name => SortKey::Name(key.to_owned()),
            BuyerSort::Newest | BuyerSort::LastActivity => SortKey::At(key.parse().ok()?),
        };
        Position::new(sort, key, id)
    }
}

impl From<Cursor> for Position {
    /// A cursor of the API's newest-first lists.
    fn from(cursor: Cursor) -> Position {
        Position {
            sort: BuyerSort::Newest,
            key: SortKey::At(cursor.at()),
            id: cursor.id().to_owned(),
        }
    }
}
