//! What a buyer list filters on: one type for the API's list (one seller) and the staff's list
//! (every seller or one), so that both ask the database the same way.

use super::model::{BuyerStatus, KycMode};
use super::sort::BuyerSort;
use crate::db::Timestamp;
use crate::kyc::status::OverallStatus;
use crate::kyc::vat::{self, VatNumber};

/// The filters of a buyer list and its order; a filter left `None` is not asked for at all.
#[derive(Debug, Clone, Default)]
pub struct BuyerFilter {
    /// Only buyers of this seller.
    pub seller_id: Option<String>,
    /// Only buyers in this status.
    pub status: Option<BuyerStatus>,
    /// Only buyers whose last announced KYC status is this.
    pub kyc_status: Option<OverallStatus>,
    /// Part of the company name or the start of the VAT number.
    pub search: Option<SearchText>,
    /// Only buyers whose KYC this party runs.
    pub kyc_mode: Option<KycMode>,
    /// Only buyers changed at or after this time (for nightly reconciliation).
    pub updated_since: Option<Timestamp>,
    /// The list's order (newest first unless asked otherwise).
    pub sort: BuyerSort,
}

/// Search text as typed: it finds buyers whose company name contains it (ignoring case) or
/// whose VAT number starts with it (ignoring spaces, dots and dashes). A whole VAT number
/// finds that number alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    name: String,
    vat: String,
    vat_number: Option<VatNumber>,
}

impl SearchText {
    /// The search for `text`; `None` when it is empty or only white space (no search).
    pub fn parse(text: &str) -> Option<SearchText> {
        let text = text.trim();
        (!text.is_empty()).then(|| SearchText {
            name: text.to_lowercase(),
            vat: vat::normalise(text),
            vat_number: VatNumber::parse(text).ok(),
        })
    }

    /// Text without a single letter or digit (`-`, `%`, `.`) names no buyer: it matches nothing
    /// instead of every name or number that contains punctuation.
    pub fn matches_nothing(&self) -> bool {
        !self.name.chars().any(char::is_alphanumeric)
    }

    /// The lower-cased name fragment (buyers' names are stored lower-cased for search).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The VAT number the text is in full, if it is one.
    pub fn vat_number(&self) -> Option<&VatNumber> {
        self.vat_number.as_ref()
    }

    /// The words the fragment holds whole: those with a space on either side within it (in
    /// "ndel 4711 gm", only "4711"), so every name it is part of has them as words.
    pub fn whole_words(&self) -> Vec<&str> {
        let parts: Vec<&str> = self.name.split(' ').collect();
        match parts.as_slice() {
            [_, inner @ .., _] => inner.iter().copied().filter(|w| !w.is_empty()).collect(),
            _ => Vec::new(),
        }
    }

    /// The normalised VAT number prefix; empty when the text has nothing of a VAT number.
    pub fn vat_prefix(&self) -> &str {
        &self.vat
    }
}

impl BuyerFilter {
    /// Whether the filter can match no buyer at all, so that nothing need be asked.
    pub fn matches_nothing(&self) -> bool {
        self.search
            .as_ref()
            .is_some_and(SearchText::matches_nothing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_text_is_no_search_and_punctuation_matches_nothing() {
        assert_eq!(SearchText::parse("  "), None);
        assert!(SearchText::parse("-").is_some_and(|s| s.matches_nothing()));
        assert!(SearchText::parse("%").is_some_and(|s| s.matches_nothing()));
        assert!(SearchText::parse("ä").is_some_and(|s| !s.matches_nothing()));
    }

    #[test]
    fn the_name_is_lower_cased_and_the_vat_number_normalised() {
        let search = SearchText::parse(" DE 123.456-MÜLLER ").unwrap();
        assert_eq!(search.name(), "de 123.456-müller");
        assert_eq!(search.vat_prefix(), "DE123456MÜLLER");
    }

    #[test]
    fn only_words_with_a_space_on_either_side_are_whole() {
        let words = |text: &str| SearchText::parse(text).unwrap().whole_words().join("|");
        assert_eq!(words("ndel 4711 gm"), "4711");
        assert_eq!(words("autohaus müller gmbh & co"), "müller|gmbh|&");
        assert_eq!(words("a  b"), "");
        assert_eq!(words("müller gmbh"), "");
        assert_eq!(words("müller"), "");
    }
}
