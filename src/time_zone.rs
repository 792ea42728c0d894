//! The organisation's time zone: every time a person reads (the staff pages, the emails, the
//! signed profile PDF) is shown in it, with its abbreviation (`01.12.2026 17:42 CET`). What
//! machines read (the API, webhooks, the export's JSON) stays in UTC.

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::db::Timestamp;
use crate::i18n::Language;

/// An IANA time zone (`Europe/Berlin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(Tz);

impl Default for TimeZone {
    /// Where the portal's first marketplaces are.
    fn default() -> TimeZone {
        TimeZone(Tz::Europe__Berlin)
    }
}

impl TimeZone {
    /// A zone by its IANA name, exactly as the database spells it; None for any other text.
    pub fn parse(name: &str) -> Option<TimeZone> {
        name.parse::<Tz>().ok().map(TimeZone)
    }

    /// Its IANA name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// Every zone's name, in the database's order.
    pub fn names() -> impl Iterator<Item = &'static str> {
        chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
    }

    /// The OpenAPI schema of a zone's name: one of the database's names.
    pub fn json_schema() -> utoipa::openapi::schema::Object {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(TimeZone::names()))
            .description(Some("An IANA time zone, e.g. Europe/Berlin"))
            .build()
    }

    fn local(self, at: Timestamp) -> DateTime<Tz> {
        at.to_datetime().with_timezone(&self.0)
    }

    /// The wall-clock time of `at` here (for formats that store local times, as ZIP does).
    pub fn wall_clock(self, at: Timestamp) -> chrono::NaiveDateTime {
        self.local(at).naive_local()
    }

    /// The day `at` falls on here.
    pub fn day(self, at: Timestamp) -> NaiveDate {
        self.local(at).date_naive()
    }

    /// `at` to the minute, as `l` writes dates, with the zone's abbreviation:
    /// `01.12.2026 17:42 CET`, `1 December 2026 17:42 CET`.
    pub fn moment(self, l: Language, at: Timestamp) -> String {
        let local = self.local(at);
        format!(
            "{} {}",
            l.date(local.date_naive()),
            local.format("%H:%M %Z")
        )
    }

    /// `at` to the second, for records: `01.12.2026, 17:42:05 CET`.
    pub fn moment_to_the_second(self, l: Language, at: Timestamp) -> String {
        let local = self.local(at);
        format!(
            "{}, {}",
            l.date(local.date_naive()),
            local.format("%H:%M:%S %Z")
        )
    }
}

impl Serialize for TimeZone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for TimeZone {
    /// A stored name the zone database no longer knows reads as the default, so that the
    /// rest of the settings it is stored with still reads.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TimeZone, D::Error> {
        let name = String::deserialize(d)?;
        Ok(TimeZone::parse(&name).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn times_read_in_the_zone_with_its_abbreviation_summer_and_winter() {
        let berlin = TimeZone::default();
        assert_eq!(berlin.name(), "Europe/Berlin");
        assert_eq!(
            berlin.moment(Language::De, at("2026-12-01T16:42:00Z")),
            "01.12.2026 17:42 CET"
        );
        assert_eq!(
            berlin.moment(Language::En, at("2026-07-01T16:42:00Z")),
            "1 July 2026 18:42 CEST"
        );
        // Late in the evening in UTC is already the next day in Berlin.
        let late = at("2026-12-31T23:30:00Z");
        assert_eq!(berlin.day(late).to_string(), "2027-01-01");
        let new_york = TimeZone::parse("America/New_York").unwrap();
        assert_eq!(
            new_york.moment_to_the_second(Language::En, at("2026-12-01T16:42:05Z")),
            "1 December 2026, 11:42:05 EST"
        );
    }

    #[test]
    fn only_names_of_the_zone_database_are_zones() {
        assert!(TimeZone::parse("europe/berlin").is_none());
        assert!(TimeZone::parse("CET ").is_none());
        assert!(TimeZone::parse("").is_none());
        assert!(TimeZone::names().any(|n| n == "Asia/Kolkata"));
        let stored: TimeZone = serde_json::from_str("\"Mars/Olympus_Mons\"").unwrap();
        assert_eq!(stored, TimeZone::default());
    }
}
