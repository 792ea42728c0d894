//! Times travel through the database as BIGINT milliseconds since the Unix epoch (the `Any`
//! driver carries no date types); this is the one place that converts.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde::{Serialize, Serializer};

/// An instant in UTC, stored as milliseconds and written as RFC 3339.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// The current time, truncated to milliseconds so that what is stored is what is returned.
pub fn now() -> Timestamp {
    Timestamp(Utc::now().timestamp_millis())
}

impl Timestamp {
    /// From stored milliseconds.
    pub fn from_millis(ms: i64) -> Timestamp {
        Timestamp(ms)
    }

    /// For storing.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// As a chrono time (for formatting and date arithmetic).
    pub fn to_datetime(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0)
            .single()
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// This instant plus a duration.
    pub fn plus(self, d: chrono::Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(d.num_milliseconds()))
    }

    /// Reads an RFC 3339 time with any offset (`2026-04-22T10:00:00Z`, `...+02:00`).
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| Timestamp(t.timestamp_millis()))
    }

    /// RFC 3339 in UTC, e.g. `2026-04-22T10:00:00.123Z`.
    pub fn rfc3339(self) -> String {
        self.to_datetime()
            .to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.rfc3339())
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Timestamp {
        Timestamp(t.timestamp_millis())
    }
}
