//! EU VAT identification numbers as checked by VIES: normalisation, shape and check digits.
//!
//! A buyer types their VAT number in whatever form their invoices show ("de 123.456-789",
//! "NL-8197.38.116.B.01"). [`VatNumber::parse`] turns that into the canonical form VIES knows
//! ("DE123456789") or explains in plain English what is wrong, so the form can tell the buyer
//! before we spend a VIES call. [`VatNumber::verify_check_digits`] then runs the country's
//! published check-digit algorithm offline, which catches most typos; only VIES can say whether
//! the number is actually registered.
//!
//! Shapes follow the European Commission's VIES FAQ ("VAT number validation", the format table
//! per member state). Check-digit algorithms live in `check_digits.rs`, each with its source.
//!
//! Countries are one entry each in the `COUNTRIES` table; adding one means adding an entry there
//! and a function in `check_digits.rs`.

mod check_digits;

use std::fmt;
use std::str::FromStr;

// ---------------------------------------------------------------------------------------------
// Country table
// ---------------------------------------------------------------------------------------------

/// Everything we know about one VIES country prefix.
struct Country {
    /// The VIES prefix, e.g. "DE", "EL" (Greece), "XI" (Northern Ireland).
    prefix: &'static str,
    /// The country's English name, e.g. "Germany".
    name: &'static str,
    /// The English adjective used in messages: "a German VAT number".
    adjective: &'static str,
    /// The expected shape, in words, completing "a German VAT number is …".
    shape: &'static str,
    /// The accepted shapes of the national part, in the mini-language of [`matches_shape`].
    patterns: &'static [&'static str],
    /// The offline check-digit algorithm for the national part. A country without a published
    /// algorithm would use `|_| Ok(())` here (none of the current 28 needs it).
    check: fn(&str) -> Result<(), CheckDigitReason>,
    /// Rewrites an older, still-circulating form of the national part into today's form.
    legacy: Option<fn(&str) -> Option<String>>,
}

/// The 27 member states plus Northern Ireland (XI), in prefix order.
static COUNTRIES: &[Country] = &[
    Country {
        prefix: "AT",
        name: "Austria",
        adjective: "Austrian",
        shape: "ATU followed by 8 digits",
        patterns: &["Ud{8}"],
        check: check_digits::austria,
        legacy: None,
    },
    Country {
        prefix: "BE",
        name: "Belgium",
        adjective: "Belgian",
        shape: "BE followed by 10 digits starting with 0 or 1",
        patterns: &["0d{9}", "1d{9}"],
        check: check_digits::belgium,
        legacy: Some(belgian_nine_digits),
    },
    Country {
        prefix: "BG",
        name: "Bulgaria",
        adjective: "Bulgarian",
        shape: "BG followed by 9 or 10 digits",
        patterns: &["d{9,10}"],
        check: check_digits::bulgaria,
        legacy: None,
    },
    Country {
        prefix: "CY",
        name: "Cyprus",
        adjective: "Cypriot",
        shape: "CY followed by 8 digits and a letter",
        patterns: &["d{8}a"],
        check: check_digits::cyprus,
        legacy: None,
    },
    Country {
        prefix: "CZ",
        name: "Czechia",
        adjective: "Czech",
        shape: "CZ followed by 8, 9 or 10 digits",
        patterns: &["d{8,10}"],
        check: check_digits::czechia,
        legacy: None,
    },
    Country {
        prefix: "DE",
        name: "Germany",
        adjective: "German",
        shape: "DE followed by 9 digits",
        patterns: &["d{9}"],
        check: check_digits::germany,
        legacy: None,
    },
    Country {
        prefix: "DK",
        name: "Denmark",
        adjective: "Danish",
        shape: "DK followed by 8 digits",
        patterns: &["d{8}"],
        check: check_digits::denmark,
        legacy: None,
    },
    Country {
        prefix: "EE",
        name: "Estonia",
        adjective: "Estonian",
        shape: "EE followed by 9 digits starting with 10",
        patterns: &["10d{7}"],
        check: check_digits::estonia,
        legacy: None,
    },
    Country {
        prefix: "EL",
        name: "Greece",
        adjective: "Greek",
        shape: "EL followed by 9 digits (or the older 8)",
        patterns: &["d{9}"],
        check: check_digits::greece,
        legacy: Some(greek_eight_digits),
    },
    Country {
        prefix: "ES",
        name: "Spain",
        adjective: "Spanish",
        shape: "ES followed by a letter or digit, 7 digits and a letter or digit, \
                with a letter at the start, the end or both",
        patterns: &["ad{7}x", "d{8}a"],
        check: check_digits::spain,
        legacy: None,
    },
    Country {
        prefix: "FI",
        name: "Finland",
        adjective: "Finnish",
        shape: "FI followed by 8 digits",
        patterns: &["d{8}"],
        check: check_digits::finland,
        legacy: None,
    },
    Country {
        prefix: "FR",
        name: "France",
        adjective: "French",
        shape: "FR followed by 2 digits or letters (not I or O) and the 9-digit SIREN",
        patterns: &["k{2}d{9}"],
        check: check_digits::france,
        legacy: None,
    },
    Country {
        prefix: "HR",
        name: "Croatia",
        adjective: "Croatian",
        shape: "HR followed by 11 digits",
        patterns: &["d{11}"],
        check: check_digits::croatia,
        legacy: None,
    },
    Country {
        prefix: "HU",
        name: "Hungary",
        adjective: "Hungarian",
        shape: "HU followed by 8 digits",
        patterns: &["d{8}"],
        check: check_digits::hungary,
        legacy: None,
    },
    Country {
        prefix: "IE",
        name: "Ireland",
        adjective: "Irish",
        shape: "IE followed by 7 digits and 1 or 2 letters, or (old style) a digit, \
                a letter, + or *, 5 digits and a letter",
        patterns: &["d{7}a{1,2}", "dsd{5}a"],
        check: check_digits::ireland,
        legacy: None,
    },
    Country {
        prefix: "IT",
        name: "Italy",
        adjective: "Italian",
        shape: "IT followed by 11 digits",
        patterns: &["d{11}"],
        check: check_digits::italy,
        legacy: None,
    },
    Country {
        prefix: "LT",
        name: "Lithuania",
        adjective: "Lithuanian",
        shape: "LT followed by 9 or 12 digits",
        patterns: &["d{9}", "d{12}"],
        check: check_digits::lithuania,
        legacy: None,
    },
    Country {
        prefix: "LU",
        name: "Luxembourg",
        adjective: "Luxembourg",
        shape: "LU followed by 8 digits",
        patterns: &["d{8}"],
        check: check_digits::luxembourg,
        legacy: None,
    },
    Country {
        prefix: "LV",
        name: "Latvia",
        adjective: "Latvian",
        shape: "LV followed by 11 digits",
        patterns: &["d{11}"],
        check: check_digits::latvia,
        legacy: None,
    },
    Country {
        prefix: "MT",
        name: "Malta",
        adjective: "Maltese",
        shape: "MT followed by 8 digits",
        patterns: &["d{8}"],
        check: check_digits::malta,
        legacy: None,
    },
    Country {
        prefix: "NL",
        name: "Netherlands",
        adjective: "Dutch",
        shape: "NL followed by up to 9 digits, the letter B and 2 digits",
        patterns: &["d{9}Bd{2}"],
        check: check_digits::netherlands,
        legacy: Some(dutch_short_number),
    },
    Country {
        prefix: "PL",
        name: "Poland",
        adjective: "Polish",
        shape: "PL followed by 10 digits",
        patterns: &["d{10}"],
        check: check_digits::poland,
        legacy: None,
    },
    Country {
        prefix: "PT",
        name: "Portugal",
        adjective: "Portuguese",
        shape: "PT followed by 9 digits",
        patterns: &["d{9}"],
        check: check_digits::portugal,
        legacy: None,
    },
    Country {
        prefix: "RO",
        name: "Romania",
        adjective: "Romanian",
        shape: "RO followed by 2 to 10 digits, or a 13-digit personal number",
        patterns: &["d{2,10}", "d{13}"],
        check: check_digits::romania,
        legacy: None,
    },
    Country {
        prefix: "SE",
        name: "Sweden",
        adjective: "Swedish",
        shape: "SE followed by 12 digits ending in 01",
        patterns: &["d{10}01"],
        check: check_digits::sweden,
        legacy: None,
    },
    Country {
        prefix: "SI",
        name: "Slovenia",
        adjective: "Slovenian",
        shape: "SI followed by 8 digits",
        patterns: &["d{8}"],
        check: check_digits::slovenia,
        legacy: None,
    },
    Country {
        prefix: "SK",
        name: "Slovakia",
        adjective: "Slovak",
        shape: "SK followed by 10 digits",
        patterns: &["d{10}"],
        check: check_digits::slovakia,
        legacy: None,
    },
    Country {
        prefix: "XI",
        name: "Northern Ireland",
        adjective: "Northern Irish",
        shape: "XI followed by 9 or 12 digits, or by GD or HA and 3 digits",
        patterns: &["d{9}", "d{12}", "GDd{3}", "HAd{3}"],
        check: check_digits::northern_ireland,
        legacy: None,
    },
];

/// The table entry for a VIES prefix.
fn country(prefix: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.prefix == prefix)
}

/// Belgian numbers had 9 digits until 2007 and are still printed that way; today's form puts a 0
/// in front (VIES FAQ; python-stdnum `be/vat.py`).
fn belgian_nine_digits(national: &str) -> Option<String> {
    (national.len() == 9 && national.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("0{national}"))
}

/// Greek numbers (AFM) were issued with 8 digits and are still written that way; today's form
/// puts a 0 in front (python-stdnum `gr/vat.py`).
fn greek_eight_digits(national: &str) -> Option<String> {
    (national.len() == 8 && national.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("0{national}"))
}

/// Dutch numbers are often written without the leading zeros of their 9-digit RSIN/BSN part
/// ("NL4495445B01"); the number is the same with them (python-stdnum `nl/btw.py`).
fn dutch_short_number(national: &str) -> Option<String> {
    let (digits, suffix) = national.split_once('B')?;
    let short = (1..9).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    let suffix_ok = suffix.len() == 2 && suffix.bytes().all(|b| b.is_ascii_digit());
    (short && suffix_ok).then(|| format!("{digits:0>9}B{suffix}"))
}

/// "a German", "an Austrian": the indefinite article for a country adjective.
fn article(adjective: &str) -> &'static str {
    if adjective.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    }
}

// ---------------------------------------------------------------------------------------------
// Shape mini-language
// ---------------------------------------------------------------------------------------------

/// One character class of the shape mini-language.
#[derive(Clone, Copy)]
enum Class {
    /// `d`: an ASCII digit.
    Digit,
    /// `a`: a letter A–Z.
    Letter,
    /// `x`: a digit or a letter A–Z.
    DigitOrLetter,
    /// `k`: a French key character: a digit or a letter other than I and O.
    FrenchKey,
    /// `s`: the second character of an old Irish number: a letter, `+` or `*`.
    IrishOld,
    /// Anything else in a pattern stands for itself.
    Literal(u8),
}

impl Class {
    fn accepts(self, byte: u8) -> bool {
        match self {
            Class::Digit => byte.is_ascii_digit(),
            Class::Letter => byte.is_ascii_uppercase(),
            Class::DigitOrLetter => byte.is_ascii_digit() || byte.is_ascii_uppercase(),
            Class::FrenchKey => {
                (byte.is_ascii_digit() || byte.is_ascii_uppercase()) && byte != b'I' && byte != b'O'
            }
            Class::IrishOld => byte.is_ascii_uppercase() || byte == b'+' || byte == b'*',
            Class::Literal(expected) => byte == expected,
        }
    }
}

/// A class repeated between `min` and `max` times.
struct Item {
    class: Class,
    min: usize,
    max: usize,
}

/// Reads a pattern such as `"d{9}Bd{2}"`: lower-case `d a x k s` are classes (see [`Class`]),
/// any other character is literal, and `{n}` or `{m,n}` after an item repeats it. Returns `None`
/// for a malformed pattern (a table bug, caught by a test) so that matching simply fails.
fn compile(pattern: &str) -> Option<Vec<Item>> {
    let mut items = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        let class = match c {
            'd' => Class::Digit,
            'a' => Class::Letter,
            'x' => Class::DigitOrLetter,
            'k' => Class::FrenchKey,
            's' => Class::IrishOld,
            other if other.is_ascii() => Class::Literal(other as u8),
            _ => return None,
        };
        let (min, max) = if chars.peek() == Some(&'{') {
            chars.next();
            let spec: String = chars.by_ref().take_while(|c| *c != '}').collect();
            match spec.split_once(',') {
                Some((min, max)) => (min.parse().ok()?, max.parse().ok()?),
                None => {
                    let n = spec.parse().ok()?;
                    (n, n)
                }
            }
        } else {
            (1, 1)
        };
        if min > max {
            return None;
        }
        items.push(Item { class, min, max });
    }
    Some(items)
}

impl Class {
    /// The class as a regular-expression character class.
    fn regex(self) -> String {
        match self {
            Class::Digit => "[0-9]".into(),
            Class::Letter => "[A-Z]".into(),
            Class::DigitOrLetter => "[0-9A-Z]".into(),
            Class::FrenchKey => "[0-9A-HJ-NP-Z]".into(),
            Class::IrishOld => r"[A-Z+*]".into(),
            Class::Literal(byte) => regex_literal(byte),
        }
    }
}

/// A literal byte, escaped where a regular expression would read it as syntax.
fn regex_literal(byte: u8) -> String {
    let c = char::from(byte);
    if c.is_ascii_alphanumeric() {
        c.to_string()
    } else {
        format!("\\{c}")
    }
}

/// A shape (see [`compile`]) as a regular expression without anchors.
fn shape_regex(pattern: &str) -> Option<String> {
    let items = compile(pattern)?;
    Some(
        items
            .iter()
            .map(|item| match (item.min, item.max) {
                (1, 1) => item.class.regex(),
                (min, max) if min == max => format!("{}{{{min}}}", item.class.regex()),
                (min, max) => format!("{}{{{min},{max}}}", item.class.regex()),
            })
            .collect(),
    )
}

/// Whether the whole of `input` fits `pattern` (see [`compile`]).
fn matches_shape(pattern: &str, input: &str) -> bool {
    compile(pattern).is_some_and(|items| match_items(&items, input.as_bytes()))
}

/// Backtracking match; patterns are a few items long, so this stays cheap.
fn match_items(items: &[Item], input: &[u8]) -> bool {
    let Some((first, rest)) = items.split_first() else {
        return input.is_empty();
    };
    let run = input
        .iter()
        .take(first.max)
        .take_while(|b| first.class.accepts(**b))
        .count();
    (first.min..=run)
        .rev()
        .any(|n| input.get(n..).is_some_and(|tail| match_items(rest, tail)))
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// Normalises user input for storage, comparison and search: upper-cases ASCII letters and
/// removes spaces (any Unicode white space, e.g. the no-break spaces of copied web pages), dots,
/// slashes and dashes (ASCII `-` and the Unicode dashes word processors substitute for it).
///
/// Other characters are kept as they are, so non-ASCII input stays visibly wrong instead of
/// being folded into something that looks valid. This is text clean-up only: it does not add
/// the leading 0 of old 9-digit Belgian numbers; [`VatNumber::parse`] does.
#[must_use]
pub fn normalise(input: &str) -> String {
    input
        .chars()
        .filter(|c| !is_separator(*c))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The dashes [`normalise`] drops: ASCII `-` and what editors and web pages put in its place
/// (hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign, small
/// and full-width hyphen-minus).
const DASHES: [char; 10] = [
    '-', '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}', '\u{2212}',
    '\u{FE63}', '\u{FF0D}',
];

/// The characters [`normalise`] drops: white space, `.`, `/` and dashes.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || c == '.' || c == '/' || DASHES.contains(&c)
}

/// A VAT number that has a known EU VIES country prefix and matches that country's pattern.
///
/// Normalised: upper case, spaces, dots, dashes and slashes removed. "GR" is not a VIES prefix
/// (Greece is "EL"); "XI" (Northern Ireland) is accepted. Old 9-digit Belgian numbers get their
/// leading 0. A `VatNumber` says nothing yet about check digits or registration: see
/// [`VatNumber::verify_check_digits`] and VIES.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VatNumber(String);

impl VatNumber {
    /// What an erased buyer that kept no VAT number shows instead of one.
    pub fn erased() -> VatNumber {
        VatNumber("ERASED".into())
    }

    /// Parses and normalises `input`.
    ///
    /// # Errors
    ///
    /// A [`VatFormatError`] whose message explains why `input` cannot be a VAT number: it is
    /// empty, its prefix is not a VIES country code, or the rest does not have that country's
    /// shape.
    pub fn parse(input: &str) -> Result<VatNumber, VatFormatError> {
        let normalised = normalise(input);
        if normalised.is_empty() {
            return Err(VatFormatError::new(VatFormatErrorKind::Empty));
        }
        let found: String = normalised.chars().take(2).collect();
        let Some(country) = country(&found) else {
            return Err(VatFormatError::new(VatFormatErrorKind::UnknownPrefix {
                found,
            }));
        };
        // The prefix matched a table entry, so it is two ASCII bytes and byte 2 is a boundary.
        let national = normalised.get(2..).unwrap_or_default();
        let national = country
            .legacy
            .and_then(|upgrade| upgrade(national))
            .unwrap_or_else(|| national.to_owned());
        if !country.patterns.iter().any(|p| matches_shape(p, &national)) {
            return Err(VatFormatError::new(VatFormatErrorKind::WrongShape {
                prefix: country.prefix,
            }));
        }
        Ok(VatNumber(format!("{}{national}", country.prefix)))
    }

    /// A regular expression every number in today's written form matches (upper case, no
    /// separators, the shapes of every country it knows): what the API's schema publishes. The parser
    /// also accepts separators, lower case and older forms; the check digits are not in it.
    pub fn canonical_pattern() -> String {
        let alternatives: Vec<String> = COUNTRIES
            .iter()
            .flat_map(|country| {
                country
                    .patterns
                    .iter()
                    .filter_map(move |p| shape_regex(p).map(|r| format!("{}{r}", country.prefix)))
            })
            .collect();
        format!("^({})$", alternatives.join("|"))
    }

    /// The schema of a VAT number field in the API's document.
    pub fn json_schema() -> utoipa::openapi::schema::Object {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(VatNumber::canonical_pattern()))
            .description(Some("VAT number with its country prefix, e.g. DE123456789"))
            .build()
    }

    /// The schema of a VAT number field that `null` clears.
    pub fn nullable_json_schema() -> utoipa::openapi::schema::Object {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                utoipa::openapi::schema::Type::String,
                utoipa::openapi::schema::Type::Null,
            ]))
            .pattern(Some(VatNumber::canonical_pattern()))
            .description(Some("VAT number with its country prefix; null removes it"))
            .build()
    }

    /// The whole normalised number, e.g. "DE123456789".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The VIES country prefix, e.g. "DE", "EL", "XI".
    pub fn country_prefix(&self) -> &str {
        self.0.get(..2).unwrap_or_default()
    }

    /// The number without its prefix, e.g. "123456789": what VIES expects as `vatNumber`.
    pub fn national_part(&self) -> &str {
        self.0.get(2..).unwrap_or_default()
    }

    /// The English name of the issuing country, e.g. "Germany", "Northern Ireland".
    pub fn country_name(&self) -> &'static str {
        country(self.country_prefix()).map_or("", |c| c.name)
    }

    /// Runs the country's official check-digit algorithm offline.
    ///
    /// `Ok(())` when the number passes, or when the country (or this kind of number) has no
    /// public algorithm. All 28 prefixes have one; the only accepted-by-shape cases are French
    /// numbers with an alphanumeric key (their SIREN is still checked) and Northern Irish GD/HA
    /// numbers (only their number range is checked). A pass only means "no typo detected";
    /// VIES decides whether the number is registered.
    ///
    /// # Errors
    ///
    /// A [`CheckDigitError`] when the check digit does not match, or when a part of the number
    /// that carries meaning (a birth date, an office code, a reserved first digit) holds a
    /// value that is never issued.
    pub fn verify_check_digits(&self) -> Result<(), CheckDigitError> {
        // `parse` only builds numbers with a known prefix, so the lookup cannot fail.
        let Some(country) = country(self.country_prefix()) else {
            return Ok(());
        };
        (country.check)(self.national_part()).map_err(|reason| CheckDigitError {
            prefix: country.prefix,
            reason,
        })
    }
}

/// What the offline check says about a VAT number (a buyer's `vatNumberCheck`): VALID when its
/// check digits pass, INVALID with the reason when they do not. Only VIES can say whether a
/// number is registered; this is said at once, before any VIES check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OfflineVerdict {
    /// `VALID` or `INVALID`.
    pub check_digits: CheckDigitsVerdict,
    /// Why the number cannot be valid (INVALID only).
    pub reason: Option<String>,
}

/// The verdict of the check digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckDigitsVerdict {
    /// The check digits pass (no typo detected).
    Valid,
    /// The check digits fail: the number cannot have been issued.
    Invalid,
}

impl VatNumber {
    /// The offline verdict on this number.
    pub fn offline_verdict(&self) -> OfflineVerdict {
        match self.verify_check_digits() {
            Ok(()) => OfflineVerdict {
                check_digits: CheckDigitsVerdict::Valid,
                reason: None,
            },
            Err(e) => OfflineVerdict {
                check_digits: CheckDigitsVerdict::Invalid,
                reason: Some(e.to_string()),
            },
        }
    }
}

impl fmt::Display for VatNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for VatNumber {
    type Err = VatFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VatNumber::parse(s)
    }
}

/// Why some input is not a VAT number; `Display` gives a sentence to show the buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VatFormatError {
    kind: VatFormatErrorKind,
}

/// The cases of [`VatFormatError`], for callers that react differently to each.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VatFormatErrorKind {
    /// Nothing was left after normalisation.
    Empty,
    /// The first two characters are not a VIES prefix (this includes "GR" and "GB").
    UnknownPrefix {
        /// The first (up to) two characters after normalisation.
        found: String,
    },
    /// The prefix is known but the rest does not fit that country's shape.
    WrongShape {
        /// The VIES prefix, e.g. "DE".
        prefix: &'static str,
    },
}

impl VatFormatError {
    fn new(kind: VatFormatErrorKind) -> Self {
        VatFormatError { kind }
    }

    /// Which kind of mistake this is.
    pub fn kind(&self) -> &VatFormatErrorKind {
        &self.kind
    }
}

impl fmt::Display for VatFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            VatFormatErrorKind::Empty => f.write_str(
                "the VAT number is empty; enter it with its country code, e.g. DE123456789",
            ),
            VatFormatErrorKind::UnknownPrefix { found } if found == "GR" => f.write_str(
                "unknown country prefix \"GR\"; Greek VAT numbers start with EL, e.g. EL094327684",
            ),
            VatFormatErrorKind::UnknownPrefix { found } if found == "GB" => f.write_str(
                "unknown country prefix \"GB\"; British VAT numbers are not in VIES, \
                 except Northern Irish traders, whose numbers start with XI",
            ),
            VatFormatErrorKind::UnknownPrefix { found } => write!(
                f,
                "unknown country prefix \"{}\"; a VAT number starts with an EU VIES country code \
                 such as DE or EL",
                found.escape_debug()
            ),
            VatFormatErrorKind::WrongShape { prefix } => match country(prefix) {
                Some(c) => write!(
                    f,
                    "{} {} VAT number is {}",
                    article(c.adjective),
                    c.adjective,
                    c.shape
                ),
                None => write!(f, "this is not the shape of a VAT number from {prefix}"),
            },
        }
    }
}

impl std::error::Error for VatFormatError {}

/// Why a well-shaped number fails its country's check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckDigitReason {
    /// The check digit (or letter) does not match the rest: most likely a typo.
    WrongCheckDigit,
    /// A part that carries meaning holds a value that is never issued, e.g. an impossible birth
    /// date or an unknown Italian tax office; the text explains it in English.
    InvalidPart(&'static str),
}

/// A number whose check digits fail; `Display` gives a sentence to show the buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckDigitError {
    prefix: &'static str,
    reason: CheckDigitReason,
}

impl CheckDigitError {
    /// The VIES prefix of the number that failed, e.g. "DE".
    pub fn country_prefix(&self) -> &'static str {
        self.prefix
    }

    /// What exactly failed.
    pub fn reason(&self) -> CheckDigitReason {
        self.reason
    }
}

impl fmt::Display for CheckDigitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let adjective = country(self.prefix).map_or(self.prefix, |c| c.adjective);
        match self.reason {
            CheckDigitReason::WrongCheckDigit => {
                write!(f, "the check digit of this {adjective} VAT number is wrong")
            }
            CheckDigitReason::InvalidPart(why) => {
                write!(f, "this {adjective} VAT number cannot be valid: {why}")
            }
        }
    }
}

impl std::error::Error for CheckDigitError {}

#[cfg(test)]
#[allow(clippy::panic)] // Tests report failures by panicking, with the offending input.
mod tests {
    use super::*;

    /// Parses `input`, failing the test with the parse error's message if it does not parse.
    fn parsed(input: &str) -> VatNumber {
        match VatNumber::parse(input) {
            Ok(number) => number,
            Err(error) => panic!("{input:?} should parse, but: {error}"),
        }
    }

    fn assert_passes(input: &str, prefix: &str) {
        let number = parsed(input);
        assert_eq!(number.country_prefix(), prefix, "{input}");
        // Stored numbers are read back with `parse`, so the canonical form must round-trip.
        assert_eq!(parsed(number.as_str()), number, "{input}");
        if let Err(error) = number.verify_check_digits() {
            panic!("{input:?} should pass its check digits, but: {error}");
        }
    }

    fn assert_fails(input: &str, prefix: &str) {
        let number = parsed(input);
        assert_eq!(number.country_prefix(), prefix, "{input}");
        assert!(
            number.verify_check_digits().is_err(),
            "{input:?} should fail its check digits"
        );
    }

    fn format_error(input: &str) -> VatFormatError {
        match VatNumber::parse(input) {
            Ok(number) => panic!("{input:?} should not parse, but gave {number}"),
            Err(error) => error,
        }
    }

    /// For each country: numbers published by real companies (or as official examples), and
    /// the same numbers with exactly one digit changed, which must fail. Sources: "stdnum" is
    /// python-stdnum's documentation and `tests/test_eu_vat.doctest` (numbers found online);
    /// "Apache" is Apache Commons Validator's `VATINValidatorTest`, which names the company.
    macro_rules! country_examples {
        ($($module:ident: $prefix:literal valid [$($valid:literal),+ $(,)?]
            changed [$($changed:literal),+ $(,)?];)+) => {$(
            mod $module {
                use super::*;

                #[test]
                fn published_by_their_owners_pass_their_check_digits() {
                    for number in [$($valid),+] {
                        assert_passes(number, $prefix);
                    }
                }

                #[test]
                fn with_one_digit_changed_fail_their_check_digits() {
                    for number in [$($changed),+] {
                        assert_fails(number, $prefix);
                    }
                }
            }
        )+};
    }

    country_examples! {
        // ATU13585627: the BMF's example (stdnum); ATU54065602: imprint of
        // zukunftsregion-steyr.at (Apache).
        austrian_numbers: "AT"
            valid ["ATU13585627", "ATU54065602"]
            changed ["ATU13585637", "ATU54065612"];
        // BE0776091951: BMF construction-rules example (Apache); BE0428759497: stdnum's example.
        belgian_numbers: "BE"
            valid ["BE0776091951", "BE0428759497", "BE 428 759 497"]
            changed ["BE0776091961", "BE0428759597"];
        // BG831650349: Nestlé Bulgaria AD (Apache); BG175074752: stdnum; BG7523169263 (a
        // citizen's EGN) and BG7111042925 (a foreigner's number): stdnum's examples.
        bulgarian_numbers: "BG"
            valid ["BG831650349", "BG175074752", "BG7523169263", "BG7111042925"]
            changed ["BG831650359", "BG175074762", "BG7523169273", "BG7111042921"];
        // CY30010823A: Lidl Cyprus (Apache); CY10259033P: stdnum's example.
        cypriot_numbers: "CY"
            valid ["CY30010823A", "CY-10259033P"]
            changed ["CY30010833A", "CY10259034P"];
        // CZ29042828: Svět kávovarů s.r.o. (Apache); CZ25123891 (legal entity), CZ640903926
        // (individual without birth number) and CZ7103192745 (birth number): stdnum's examples.
        czech_numbers: "CZ"
            valid ["CZ29042828", "CZ25123891", "CZ640903926", "CZ 710319/2745"]
            changed ["CZ29042838", "CZ25123881", "CZ640903936", "CZ7103192755"];
        // DE136695976: pruefziffernberechnung.de's example (Apache); DE811363057: found online
        // (stdnum).
        german_numbers: "DE"
            valid ["DE136695976", "DE 811 363 057"]
            changed ["DE136695986", "DE811363067"];
        // DK13585628: pruefziffernberechnung.de (Apache); DK88146328: BMF example (Apache).
        danish_numbers: "DK"
            valid ["DK13585628", "DK 88 14 63 28"]
            changed ["DK13585638", "DK88146338"];
        // EE101571629: Kaubamaja AS, Tallinn; EE100594102: Movek Grupp (both Apache).
        estonian_numbers: "EE"
            valid ["EE101571629", "EE100594102"]
            changed ["EE101571639", "EE100594112"];
        // EL998537832: Trygons AE; EL094327684: Generali Hellas (both Apache); EL94327684: the
        // same written with its older 8 digits.
        greek_numbers: "EL"
            valid ["EL998537832", "EL094327684", "EL 94327684"]
            changed ["EL998537842", "EL094327694", "EL94327694"];
        // ESA60195278: Lidl Supermercados S.A.U.; ESB58378431 (an S.L.), ES54362315K (DNI),
        // ESX2482300W (NIE), ESW8265365J (permanent establishment) (Apache); ESQ2818015F (CIF
        // with a letter as control character) (stdnum).
        spanish_numbers: "ES"
            valid ["ESA60195278", "ES B-58378431", "ES54362315K", "ES X-2482300-W", "ESW8265365J",
                   "ES Q-2818015-F"]
            changed ["ESA60195288", "ESB58378441", "ES54362325K", "ESX2482310W", "ESW8265375J",
                     "ESQ2818025F"];
        // FI09853608: BMF example; FI01745928: tarkistusmerkit.teppovuori.fi (both Apache).
        finnish_numbers: "FI"
            valid ["FI09853608", "FI01745928"]
            changed ["FI09853618", "FI01745938"];
        // FR40303265045: SA Sodimas, Pont-de-l'Isère; FRK7399859412: SLRL Altea Expertise
        // Comptable (alphanumeric key, so only its SIREN is checked); FR37000005990: a Monaco
        // number without SIREN check (all Apache).
        french_numbers: "FR"
            valid ["FR40303265045", "FR K7 399 859 412", "FR37000005990", "FR4Z123456782"]
            changed ["FR40303265055", "FRK7399859422", "FR37000005980", "FRK8399859412", "FR4Y123456782"];
        // HR33392005961: Nastavni zavod za javno zdravstvo dr. Andrija Štampar, Zagreb (Apache);
        // HR18683136487: the Ministry of Finance in the FINA register (quoted in public tests).
        croatian_numbers: "HR"
            valid ["HR33392005961", "HR18683136487"]
            changed ["HR33392005971", "HR18683136497"];
        // HU12892312: CNCEDU Kft. (Apache); HU10672101: found online (stdnum).
        hungarian_numbers: "HU"
            valid ["HU12892312", "HU 10672101"]
            changed ["HU12892322", "HU10672111"];
        // IE6388047V: Google Ireland Limited; IE3628739UA: 9-character number (both Apache);
        // IE8D79739I: old style (stdnum's example).
        irish_numbers: "IE"
            valid ["IE6388047V", "IE3628739UA", "IE8D79739I"]
            changed ["IE6388057V", "IE3628749UA", "IE8D79749I"];
        // IT00950501007: Banca d'Italia; IT02866820240: Valbruna (both Apache); IT00743110157:
        // stdnum's example.
        italian_numbers: "IT"
            valid ["IT00950501007", "IT02866820240", "IT 00743110157"]
            changed ["IT00950501017", "IT02866820250", "IT00743110167"];
        // LT582708716: ASIMA; LT100014579016: Senoji rotonda (both Apache).
        lithuanian_numbers: "LT"
            valid ["LT582708716", "LT100014579016"]
            changed ["LT582708726", "LT100014579026"];
        // LU25180625: snct.lu (Apache); LU15027442: found online (stdnum).
        luxembourg_numbers: "LU"
            valid ["LU25180625", "LU 150 274 42"]
            changed ["LU25180635", "LU15027452"];
        // LV40003567907: Pasažieru vilciens (Apache); LV40003521600: stdnum's example;
        // LV16117519997: stdnum's example of a personal code.
        latvian_numbers: "LV"
            valid ["LV40003567907", "LV 4000 3521 600", "LV16117519997"]
            changed ["LV40003567917", "LV40003521610", "LV16117519987"];
        // MT20200019: Bajada New Energy Limited, Marsa (Apache); MT11679112: found online
        // (stdnum).
        maltese_numbers: "MT"
            valid ["MT20200019", "MT 1167-9112"]
            changed ["MT20200029", "MT11679122"];
        // NL004495445B01: Openjongerenvereniging De Koornbeurs, Delft; NL003660564B01: Stam + De
        // Koning Bouw B.V. (both Apache); NL000099998B57: the Belastingdienst's published example
        // of a sole proprietor's btw-id, valid only under the mod-97 rule.
        dutch_numbers: "NL"
            valid ["NL004495445B01", "NL.0036.60.564.B.01", "NL000099998B57", "NL4495445B01"]
            changed ["NL004495455B01", "NL003660574B01", "NL000099988B57", "NL4495455B01"];
        // PL1060000062: pl.wikipedia's NIP example (Apache); PL5261025421: found online (stdnum).
        polish_numbers: "PL"
            valid ["PL1060000062", "PL 526-102-54-21"]
            changed ["PL1060000072", "PL5261025431"];
        // PT510728189: Claranet II Solutions S.A., Porto (Apache); PT501964843: found online
        // (stdnum).
        portuguese_numbers: "PT"
            valid ["PT510728189", "PT 501 964 843"]
            changed ["PT510728199", "PT501964853"];
        // RO27825131: Nutrisoya SRL; RO6255950: P L Noris SRL (both Apache); RO18547290:
        // stdnum's example.
        romanian_numbers: "RO"
            valid ["RO27825131", "RO6255950", "RO 185 472 90", "RO1630615123457"]
            changed ["RO27825141", "RO6255960", "RO18547280", "RO1630615123458", "RO1632215123457"];
        // SE556680144401: XLN Audio AB, Stockholm (Apache); SE556043606401: found online
        // (stdnum).
        swedish_numbers: "SE"
            valid ["SE556680144401", "SE 5560436064-01"]
            changed ["SE556680145401", "SE556043607401"];
        // SI21649405: Stanovanjsko podjetje Konjice d.o.o. (Apache); SI50223054: found online
        // (stdnum).
        slovenian_numbers: "SI"
            valid ["SI21649405", "SI 50223054"]
            changed ["SI21649415", "SI50223064"];
        // SK2120567108: Markon s.r.o., Bratislava (Apache); SK2022749619: stdnum's example.
        slovak_numbers: "SK"
            valid ["SK2120567108", "SK 202 274 96 19"]
            changed ["SK2120567118", "SK2022749629"];
        // XI110305878: Bullseye Country Sport (contact page); XI366303068: Donnelly Group
        // (both Apache); 980780684 (old scheme), 100190874 (9755 scheme) and the branch trader
        // 242338087388: stdnum's UK examples under the XI prefix.
        northern_irish_numbers: "XI"
            valid ["XI110305878", "XI366303068", "XI 980 7806 84", "XI100190874",
                   "XI242338087388"]
            changed ["XI110305888", "XI366303078", "XI980780694", "XI100190884",
                     "XI242338088388"];
    }

    #[test]
    fn every_vies_country_has_exactly_one_entry() {
        let prefixes: Vec<&str> = COUNTRIES.iter().map(|c| c.prefix).collect();
        assert_eq!(
            prefixes,
            [
                "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
                "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI"
            ]
        );
    }

    #[test]
    fn every_table_pattern_is_well_formed() {
        for country in COUNTRIES {
            for pattern in country.patterns {
                assert!(compile(pattern).is_some(), "{}: {pattern}", country.prefix);
            }
        }
    }

    #[test]
    fn normalising_upper_cases_and_drops_spaces_dots_dashes_and_slashes() {
        assert_eq!(normalise("de 123.456-789"), "DE123456789");
        assert_eq!(normalise(" cz 710319/2745 "), "CZ7103192745");
        assert_eq!(normalise("nl\u{a0}8197\u{2013}38"), "NL819738");
        assert_eq!(normalise("ÄÖ"), "ÄÖ");
    }

    #[test]
    fn a_number_typed_loosely_parses_to_the_vies_form() {
        let number = parsed("de 123.456-789");
        assert_eq!(number.as_str(), "DE123456789");
        assert_eq!(number.country_prefix(), "DE");
        assert_eq!(number.national_part(), "123456789");
        assert_eq!(number.country_name(), "Germany");
        assert_eq!(number.to_string(), "DE123456789");
    }

    #[test]
    fn from_str_and_parse_agree() {
        assert_eq!(
            "el 094327684".parse::<VatNumber>(),
            VatNumber::parse("EL094327684")
        );
    }

    #[test]
    fn equal_numbers_typed_differently_are_equal_and_hash_alike() {
        let set: std::collections::HashSet<VatNumber> =
            [parsed("DE 136 695 976"), parsed("de136695976")]
                .into_iter()
                .collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn the_reference_guide_example_de123456789_parses_but_fails_its_check_digit() {
        // "DE123456789" has the right shape, so it parses. Its ISO 7064 MOD 11,10 check digit
        // would be 8, not 9, so the offline check rejects it.
        let number = parsed("DE123456789");
        assert_eq!(
            number.verify_check_digits().map_err(|e| e.reason()),
            Err(CheckDigitReason::WrongCheckDigit)
        );
        assert!(parsed("DE123456788").verify_check_digits().is_ok());
    }

    #[test]
    fn a_failed_check_digit_explains_itself_in_english() {
        let error = parsed("DE136695986").verify_check_digits().err();
        assert_eq!(
            error.map(|e| e.to_string()),
            Some("the check digit of this German VAT number is wrong".to_owned())
        );
    }

    #[test]
    fn an_impossible_part_is_explained_rather_than_blamed_on_the_check_digit() {
        // Office code 998 does not exist (stdnum lists IT00687129980 as an invalid component).
        let error = parsed("IT00687129980").verify_check_digits().err();
        assert!(matches!(
            error.map(|e| e.reason()),
            Some(CheckDigitReason::InvalidPart(_))
        ));
        let message = parsed("IT00687129980")
            .verify_check_digits()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            message.starts_with("this Italian VAT number cannot be valid: "),
            "{message}"
        );
        for (input, why) in [
            ("CZ95123891", "legal entity starting with 9"),
            ("CY12259033P", "Cypriot number starting with 12"),
            ("LT100001509922", "11th digit of a 12-digit number is not 1"),
            ("NL004495445B00", "suffix B00"),
            ("XIGD600", "government department above 499"),
            ("LV18097230924", "century digit 3"),
        ] {
            let reason = parsed(input).verify_check_digits().map_err(|e| e.reason());
            assert!(
                matches!(reason, Err(CheckDigitReason::InvalidPart(_))),
                "{input} ({why}): {reason:?}"
            );
        }
    }

    #[test]
    fn old_nine_digit_belgian_numbers_get_their_leading_zero() {
        let number = parsed("BE 428.759.497");
        assert_eq!(number.as_str(), "BE0428759497");
        assert_eq!(number.national_part(), "0428759497");
    }

    #[test]
    fn northern_irish_government_and_health_numbers_keep_their_letters() {
        assert_eq!(parsed("XI GD100").national_part(), "GD100");
        assert!(parsed("XIGD100").verify_check_digits().is_ok());
        assert!(parsed("XIHA501").verify_check_digits().is_ok());
        assert!(parsed("XIHA201").verify_check_digits().is_err());
    }

    #[test]
    fn a_greek_number_with_gr_is_rejected_with_a_pointer_to_el() {
        let error = format_error("GR094327684");
        assert_eq!(
            error.kind(),
            &VatFormatErrorKind::UnknownPrefix {
                found: "GR".to_owned()
            }
        );
        assert!(error.to_string().contains("EL"), "{error}");
    }

    #[test]
    fn a_british_number_is_rejected_with_a_pointer_to_xi() {
        let error = format_error("GB980780684");
        assert!(error.to_string().contains("XI"), "{error}");
    }

    #[test]
    fn an_unknown_prefix_is_named_in_the_message() {
        assert_eq!(
            format_error("XX123456789").to_string(),
            "unknown country prefix \"XX\"; a VAT number starts with an EU VIES country code \
             such as DE or EL"
        );
        // A number typed without its prefix gets the same explanation.
        assert_eq!(
            format_error("123456789").kind(),
            &VatFormatErrorKind::UnknownPrefix {
                found: "12".to_owned()
            }
        );
    }

    #[test]
    fn a_number_of_the_wrong_length_is_described_by_its_country_shape() {
        let error = format_error("DE12345678");
        assert_eq!(
            error.kind(),
            &VatFormatErrorKind::WrongShape { prefix: "DE" }
        );
        assert_eq!(
            error.to_string(),
            "a German VAT number is DE followed by 9 digits"
        );
        assert_eq!(
            format_error("ATU1234567").to_string(),
            "an Austrian VAT number is ATU followed by 8 digits"
        );
        assert!(VatNumber::parse("DE1234567890").is_err());
        assert!(VatNumber::parse("DE").is_err());
    }

    #[test]
    fn country_specific_shapes_are_enforced() {
        for input in [
            "AT12345678",     // the U is missing
            "BE2123456789",   // Belgian numbers start with 0 or 1
            "EE200594102",    // Estonian numbers start with 10
            "ES123456789",    // a Spanish number has at least one letter
            "FRIO334175221",  // French keys never use I or O
            "NL123456789A01", // the B is fixed
            "SE556680144402", // Swedish numbers end in 01
            "RO1",            // at least 2 digits
            "RO12345678901",  // at most 10 digits
            "IE1234567",      // the check letter is missing
            "XIGD1000",       // GD takes exactly 3 digits
            "CY123456789",    // the last character is a letter
        ] {
            assert!(
                matches!(
                    VatNumber::parse(input).map_err(|e| e.kind().clone()),
                    Err(VatFormatErrorKind::WrongShape { .. })
                ),
                "{input}"
            );
        }
    }

    #[test]
    fn an_empty_input_is_rejected_as_empty() {
        for input in ["", "   ", " - . / "] {
            assert_eq!(
                format_error(input).kind(),
                &VatFormatErrorKind::Empty,
                "{input:?}"
            );
        }
        assert!(!format_error("").to_string().is_empty());
    }

    #[test]
    fn non_ascii_input_is_rejected_without_panicking() {
        assert_eq!(
            format_error("DE12345678９").kind(),
            &VatFormatErrorKind::WrongShape { prefix: "DE" }
        );
        assert_eq!(
            format_error("ÄÖ").kind(),
            &VatFormatErrorKind::UnknownPrefix {
                found: "ÄÖ".to_owned()
            }
        );
        let long = "DE".to_owned() + &"9".repeat(10_000);
        for input in [
            "Ä",
            "ß",
            "DEÄÖÜ",
            "EL\u{200B}094327684",
            "\u{0}",
            "🇩🇪123456789",
            "D",
            "ΕΛ094327684",
            "\u{FEFF}DE136695976",
            long.as_str(),
        ] {
            let outcome = VatNumber::parse(input);
            assert!(outcome.is_err(), "{input:?}");
            // Rendering the message must not panic either.
            let _ = outcome.map_err(|e| e.to_string());
        }
    }
}
