//! The staff pages' stylesheets, named in each page with a version of their content: browsers
//! keep them for good under it (`http::assets::Asset`), and a release that changes a page's
//! markup must not be shown with the previous release's styles.

use std::sync::LazyLock;

use crate::http::assets::Asset;

const ADMIN_CSS: &str = include_str!("../../static/admin.css");
const SHEET_CSS: &str = include_str!("../../static/admin-invitation-sheet.css");

/// The staff pages' stylesheet, `GET /admin/admin.css`.
pub static ADMIN_STYLESHEET: Asset = Asset::stylesheet(ADMIN_CSS, admin_version);
/// The printable invitation sheet's layout and its A4 print rules,
/// `GET /admin/invitation-sheet.css`.
pub static SHEET_STYLESHEET: Asset = Asset::stylesheet(SHEET_CSS, sheet_version);

static ADMIN_VERSION: LazyLock<String> =
    LazyLock::new(|| crate::http::assets::version_of(&[ADMIN_CSS]));
static SHEET_VERSION: LazyLock<String> =
    LazyLock::new(|| crate::http::assets::version_of(&[SHEET_CSS]));

/// What the staff pages add to `admin.css`'s URL (`?v=…`).
pub fn admin_version() -> &'static str {
    &ADMIN_VERSION
}

/// What the invitation sheet adds to its stylesheet's URL (`?v=…`).
pub fn sheet_version() -> &'static str {
    &SHEET_VERSION
}
