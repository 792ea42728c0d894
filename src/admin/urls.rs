//! Where the staff pages live.

/// The sign-in page.
pub const LOGIN: &str = "/admin/login";
/// Where staff turn their second factor on and off.
pub const SECOND_FACTOR: &str = "/admin/account/second-factor";
/// The start page: what needs staff today (where sign-in lands).
pub const START: &str = "/admin";
