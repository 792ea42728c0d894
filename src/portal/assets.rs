//! The buyer pages' stylesheet and script, named in each page with a version of their
//! content: browsers keep them for an hour, and a page must never run with the script of an
//! older release (the page and its script agree on where the file limits are written).

use std::sync::LazyLock;

use sha2::{Digest, Sha256};

/// The stylesheet.
pub const PORTAL_CSS: &str = include_str!("../../static/portal.css");
/// The upload forms' script.
pub const UPLOAD_JS: &str = include_str!("../../static/upload.js");

static VERSION: LazyLock<String> = LazyLock::new(|| {
    let digest = Sha256::new()
        .chain_update(PORTAL_CSS)
        .chain_update(UPLOAD_JS)
        .finalize();
    hex::encode(&digest[..6])
});

/// What the pages add to the files' URLs (`?v=…`): it changes whenever either file does.
pub fn version() -> &'static str {
    &VERSION
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_version_names_the_content() {
        assert_eq!(super::version().len(), 12);
        assert!(super::version().chars().all(|c| c.is_ascii_hexdigit()));
    }
}
