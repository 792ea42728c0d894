//! The offline VAT check: the country's format and its official check digits, without asking
//! VIES. Used by `kyc-portal check-vat` and as the first step of every VIES check.

use super::vat::VatNumber;

/// A number that passed, or the reason it failed, in plain words.
pub fn check_offline(input: &str) -> Result<VatNumber, String> {
    let number = VatNumber::parse(input).map_err(|e| e.to_string())?;
    number.verify_check_digits().map_err(|e| e.to_string())?;
    Ok(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_with_valid_check_digits_passes_and_others_say_why() {
        assert_eq!(
            check_offline("DE 136 695 976").unwrap().as_str(),
            "DE136695976"
        );
        assert!(
            check_offline("DE123456789")
                .unwrap_err()
                .contains("check digit")
        );
        assert!(check_offline("XX123").unwrap_err().contains("prefix"));
    }
}
