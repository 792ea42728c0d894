//! Languages and translated text. Every message lives in `locales/<lang>/*.ftl`; adding a
//! language is adding a folder (and a variant here).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

use chrono::{Datelike, NaiveDate};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};
use serde::{Deserialize, Serialize};

/// The months' names in English dates.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Isolation marks around arguments would show up as stray characters in plain-text mail.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Messages without arguments, formatted once per language and kept: they never change while
/// the portal runs (the `.ftl` files are compiled in), and a page asks for dozens of them on
/// every view. Ids come from the code, never from a request, so the map stays small.
static PLAIN: LazyLock<[RwLock<HashMap<String, String>>; Language::ALL.len()]> =
    LazyLock::new(Default::default);

/// Messages whose arguments are settings and counts (a maximum age, the upload limit),
/// formatted once per language and arguments and kept, as [`PLAIN`]. Never a buyer's data:
/// only [`Language::text_with_settings`] fills it, and it starts afresh past [`MAX_KEPT`]
/// texts, so a setting changed many times cannot make it grow.
static WITH_SETTINGS: LazyLock<[RwLock<HashMap<String, String>>; Language::ALL.len()]> =
    LazyLock::new(Default::default);

/// Texts kept with their arguments at most, per language.
const MAX_KEPT: usize = 1024;

/// A language the portal speaks.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Deutsch.
    De,
    /// English.
    En,
}

impl Language {
    /// Every language, in the order a switch shows them.
    pub const ALL: [Language; 2] = [Language::De, Language::En];

    /// The language's name in itself: "Deutsch", "English".
    pub fn native_name(self) -> &'static str {
        match self {
            Language::De => "Deutsch",
            Language::En => "English",
        }
    }

    /// The language with this code (`de`, `en`).
    pub fn parse(code: &str) -> Option<Language> {
        match code.trim().to_ascii_lowercase().as_str() {
            "de" => Some(Language::De),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// The language a request's `field` names; 422 naming the field otherwise.
    pub fn parse_field(field: &str, code: &str) -> Result<Language, crate::errors::Error> {
        Language::parse(code).ok_or_else(|| {
            crate::errors::Error::invalid(
                field,
                crate::errors::Rule::OneOf {
                    allowed: vec!["de".into(), "en".into()],
                },
            )
        })
    }

    /// The ISO 639-1 code, as in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Language::De => "de",
            Language::En => "en",
        }
    }

    fn identifier(self) -> LanguageIdentifier {
        match self {
            Language::De => fluent_templates::langid!("de"),
            Language::En => fluent_templates::langid!("en"),
        }
    }

    /// The message `id`.
    pub fn text(self, id: &str) -> String {
        let kept = &PLAIN[self as usize];
        if let Ok(kept) = kept.read()
            && let Some(text) = kept.get(id)
        {
            return text.clone();
        }
        let text = LOCALES.lookup(&self.identifier(), id);
        if let Ok(mut kept) = kept.write() {
            kept.insert(id.to_owned(), text.clone());
        }
        text
    }

    /// The message `id` with arguments that come from settings or are counts, never from a
    /// buyer's data: formatted once and kept (the buyer's page asks for the same few on every
    /// view). Anything else goes through [`Language::text_with`].
    pub fn text_with_settings(self, id: &str, args: &[(&'static str, &str)]) -> String {
        let mut key = String::with_capacity(64);
        key.push_str(id);
        for (name, value) in args {
            // Ids and argument names have no control characters, so the key is unambiguous.
            key.push('\u{1f}');
            key.push_str(name);
            key.push('\u{1e}');
            key.push_str(value);
        }
        let kept = &WITH_SETTINGS[self as usize];
        if let Ok(kept) = kept.read()
            && let Some(text) = kept.get(&key)
        {
            return text.clone();
        }
        let text = self.text_with(id, args);
        if let Ok(mut kept) = kept.write() {
            if kept.len() >= MAX_KEPT {
                kept.clear();
            }
            kept.insert(key, text.clone());
        }
        text
    }

    /// The message `id` with its arguments filled in.
    pub fn text_with(self, id: &str, args: &[(&'static str, &str)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(*value)))
            .collect();
        LOCALES.lookup_with_args(&self.identifier(), id, &args)
    }

    /// The first of our languages an `Accept-Language` header asks for (quality weights
    /// aside: browsers list languages best first).
    pub fn from_accept_language(header: &str) -> Option<Language> {
        header
            .split(',')
            .filter_map(|tag| tag.split(';').next())
            .find_map(|tag| Language::parse(tag.trim().get(..2).unwrap_or_default()))
    }

    /// A date as this language writes it: `24.11.2026`, `24 November 2026`.
    pub fn date(self, date: NaiveDate) -> String {
        // Written out rather than through chrono's format strings, which are parsed on every
        // call (the buyer's page writes a date for every document on it); the test holds the
        // two equal.
        let (day, month, year) = (date.day(), date.month0() as usize, date.year());
        match self {
            Language::De => format!("{day:02}.{:02}.{year:04}", month + 1),
            Language::En => format!("{day} {} {year:04}", MONTHS[month]),
        }
    }
}

/// Every message id of one language, read from its `.ftl` files (for the completeness test).
pub fn message_ids(language: Language) -> std::io::Result<std::collections::BTreeSet<String>> {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(language.code());
    let mut ids = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(folder)? {
        let text = std::fs::read_to_string(entry?.path())?;
        ids.extend(
            text.lines()
                .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
                .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_owned())),
        );
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_with_settings_is_the_text_with_them_and_the_kept_ones_stay_few() {
        let args = [("days", "90")];
        assert_eq!(
            Language::De.text_with_settings("portal-max-age", &args),
            Language::De.text_with("portal-max-age", &args)
        );
        assert_eq!(
            Language::De.text_with_settings("portal-max-age", &args),
            Language::De.text_with("portal-max-age", &args),
            "once kept"
        );
        for days in 0..=MAX_KEPT {
            Language::En.text_with_settings("portal-max-age", &[("days", &days.to_string())]);
        }
        let kept = WITH_SETTINGS[Language::En as usize].read().unwrap().len();
        assert!(kept <= MAX_KEPT, "{kept} kept");
    }

    #[test]
    fn every_language_has_the_same_message_ids() {
        let english = message_ids(Language::En).unwrap();
        assert!(!english.is_empty());
        for language in Language::ALL {
            assert_eq!(message_ids(language).unwrap(), english, "{language:?}");
        }
    }

    #[test]
    fn messages_fill_in_their_arguments_without_isolation_marks() {
        let text = Language::De.text_with("email-invitation-expiry", &[("date", "06.05.2026")]);
        assert_eq!(text, "Der Link ist gültig bis zum 06.05.2026.");
    }

    #[test]
    fn dates_are_written_the_way_each_language_writes_them() {
        let date = NaiveDate::from_ymd_opt(2026, 5, 6).unwrap();
        assert_eq!(Language::De.date(date), "06.05.2026");
        assert_eq!(Language::En.date(date), "6 May 2026");
    }

    #[test]
    fn dates_are_written_as_chronos_formats_write_them() {
        let mut date = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        while date <= last {
            assert_eq!(Language::De.date(date), date.format("%d.%m.%Y").to_string());
            assert_eq!(
                Language::En.date(date),
                date.format("%-d %B %Y").to_string()
            );
            // Every day of the years around now, and a day of each month further off.
            date = if (2000..2100).contains(&date.year()) {
                date.succ_opt().unwrap()
            } else {
                date.checked_add_months(chrono::Months::new(1)).unwrap() + chrono::Days::new(1)
            };
        }
    }
}
