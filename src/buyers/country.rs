//! ISO 3166-1 alpha-2 country codes.

use serde::{Deserialize, Serialize};

/// Every officially assigned ISO 3166-1 alpha-2 code.
const ASSIGNED: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ \
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES \
ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO \
IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK \
ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR \
PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK \
TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// A country, as its ISO 3166-1 alpha-2 code in upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Country(String);

impl Country {
    /// Accepts an assigned code in any letter case.
    pub fn parse(text: &str) -> Result<Country, String> {
        let code = text.trim().to_ascii_uppercase();
        // Codes of two letters, a space after each: compared in place (every buyer read parses
        // its country, the buyer's page included).
        if code.len() == 2
            && ASSIGNED
                .as_bytes()
                .chunks(3)
                .any(|c| c.starts_with(code.as_bytes()))
        {
            Ok(Country(code))
        } else {
            Err("must be an ISO 3166-1 alpha-2 country code, such as DE".into())
        }
    }

    /// The schema of a country field in the API's document: the assigned codes (the parser
    /// also takes them in lower case).
    pub fn json_schema() -> utoipa::openapi::schema::Object {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(ASSIGNED.split(' ')))
            .description(Some("ISO 3166-1 alpha-2 country code, e.g. DE"))
            .build()
    }

    /// Whether German is an official language here (a first guess at the language of an
    /// invitation to a company of this country).
    pub fn speaks_german(&self) -> bool {
        matches!(self.0.as_str(), "DE" | "AT" | "CH" | "LI" | "LU")
    }

    /// The country code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Country {
    type Error = String;
    fn try_from(text: String) -> Result<Country, String> {
        Country::parse(&text)
    }
}

impl From<Country> for String {
    fn from(c: Country) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assigned_codes_pass_in_any_case_and_others_fail() {
        assert_eq!(Country::parse("de").unwrap().as_str(), "DE");
        assert_eq!(ASSIGNED.split(' ').count(), 249);
        // The parser reads the list as two letters and a space each.
        for (n, code) in ASSIGNED.split(' ').enumerate() {
            assert_eq!(&ASSIGNED[n * 3..n * 3 + 2], code);
            assert!(code.bytes().all(|b| b.is_ascii_uppercase()), "{code}");
            assert_eq!(Country::parse(code).unwrap().as_str(), code);
        }
        for bad in [
            "", "D", "DEU", "XX", "EL", "UK", "Ä1", "É", "E ", " D", "D E",
        ] {
            assert!(Country::parse(bad).is_err(), "{bad}");
        }
    }
}
