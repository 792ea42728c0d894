//! Whose resources a caller may reach: the whole organisation (staff, organisation API
//! tokens) or one seller (a seller's API token). Functions that find a resource by its own id
//! take a scope, so no caller can read across sellers by forgetting a check; anything outside
//! the scope is "not found", never "forbidden", so a seller learns nothing of the others.

/// The sellers a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SellerScope {
    /// Every seller (staff pages, organisation tokens, the portal's own jobs).
    Organisation,
    /// One seller, by id.
    Seller(String),
}

impl SellerScope {
    /// Whether resources of `seller_id` are within reach.
    pub fn permits(&self, seller_id: &str) -> bool {
        match self {
            SellerScope::Organisation => true,
            SellerScope::Seller(own) => own == seller_id,
        }
    }

    /// The one seller of a seller scope.
    pub fn seller_id(&self) -> Option<&str> {
        match self {
            SellerScope::Organisation => None,
            SellerScope::Seller(id) => Some(id),
        }
    }
}

/// What an API token may do besides seeing: change things, or only read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAccess {
    /// Every call.
    ReadWrite,
    /// `GET` and `HEAD` only.
    ReadOnly,
}

impl TokenAccess {
    /// The storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenAccess::ReadWrite => "READ_WRITE",
            TokenAccess::ReadOnly => "READ_ONLY",
        }
    }

    /// The access of a storage name; anything unknown is the lesser access.
    pub fn parse(text: &str) -> TokenAccess {
        if text == "READ_WRITE" {
            TokenAccess::ReadWrite
        } else {
            TokenAccess::ReadOnly
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seller_scope_permits_its_own_seller_only() {
        let scope = SellerScope::Seller("s1".into());
        assert!(scope.permits("s1"));
        assert!(!scope.permits("s2"));
        assert!(SellerScope::Organisation.permits("s2"));
    }

    #[test]
    fn unknown_access_names_read_as_read_only() {
        assert_eq!(TokenAccess::parse("READ_WRITE"), TokenAccess::ReadWrite);
        assert_eq!(TokenAccess::parse("read_write"), TokenAccess::ReadOnly);
        assert_eq!(TokenAccess::parse(""), TokenAccess::ReadOnly);
    }
}
