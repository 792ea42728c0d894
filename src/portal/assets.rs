//! The buyer pages' stylesheet and script, named in each page with a version of their
//! content: browsers keep them for good under it (`http::assets::serve`), and a page must
//! never run with the script of an older release (the page and its script agree on where the
//! file limits are written).

use std::sync::LazyLock;

/// The stylesheet.
pub const PORTAL_CSS: &str = include_str!("../../static/portal.css");
/// The upload forms' script.
pub const UPLOAD_JS: &str = include_str!("../../static/upload.js");

static VERSION: LazyLock<String> =
    LazyLock::new(|| crate::http::assets::version_of(&[PORTAL_CSS, UPLOAD_JS]));

/// What the pages add to the files' URLs (`?v=…`): it changes whenever either file does.
pub fn version() -> &'static str {
    &VERSION
}
