//! An email address that has been checked once, at the edge.

use serde::{Deserialize, Serialize};

/// A syntactically valid email address (RFC 5322 addr-spec with a dotted domain).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Trims and checks `text`; the error is a sentence for the caller.
    pub fn parse(text: &str) -> Result<EmailAddress, String> {
        let text = text.trim();
        let parsed = email_address::EmailAddress::parse_with_options(
            text,
            email_address::Options::default()
                .with_required_tld()
                .without_display_text()
                .without_domain_literal(),
        )
        .map_err(|_| "is not a valid email address".to_owned())?;
        // The longest address SMTP can carry (RFC 5321 path limit less the brackets).
        if parsed.as_str().len() > 254 {
            return Err("is not a valid email address".into());
        }
        Ok(EmailAddress(text.to_owned()))
    }

    /// The address with most of its local part hidden (`j•••@example.com`), to tell a person
    /// where something went without showing a stranger the whole address.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or(("", &self.0));
        let first: String = local.chars().take(1).collect();
        format!("{first}•••@{domain}")
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = String;
    fn try_from(text: String) -> Result<EmailAddress, String> {
        EmailAddress::parse(&text)
    }
}

impl From<EmailAddress> for String {
    fn from(e: EmailAddress) -> String {
        e.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_address_is_accepted_and_trimmed() {
        assert_eq!(
            EmailAddress::parse(" erika@example.com ").unwrap().as_str(),
            "erika@example.com"
        );
    }

    #[test]
    fn addresses_without_a_dotted_domain_or_with_display_text_are_refused() {
        for bad in [
            "erika",
            "erika@",
            "@example.com",
            "erika@localhost",
            "Erika <erika@example.com>",
            "a b@example.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }
}
