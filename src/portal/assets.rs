//! The buyer pages' stylesheet and script, named in each page with a version of their
//! content: browsers keep them for good under it (`http::assets::Asset`), and a page must
//! never run with the script of an older release (the page and its script agree on where the
//! file limits are written).

use std::sync::LazyLock;

use crate::http::assets::Asset;

const PORTAL_CSS: &str = include_str!("../../static/portal.css");
const UPLOAD_JS: &str = include_str!("../../static/upload.js");

/// The stylesheet, `GET /static/portal.css`.
pub static STYLESHEET: Asset = Asset::stylesheet(PORTAL_CSS, version);
/// The upload forms' script, `GET /static/upload.js`.
pub static SCRIPT: Asset = Asset::script(UPLOAD_JS, version);

static VERSION: LazyLock<String> =
    LazyLock::new(|| crate::http::assets::version_of(&[PORTAL_CSS, UPLOAD_JS]));

/// What the pages add to the files' URLs (`?v=…`): it changes whenever either file does.
pub fn version() -> &'static str {
    &VERSION
}
