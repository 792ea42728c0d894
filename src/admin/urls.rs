//! Where the staff pages live.

/// The sign-in page.
pub const LOGIN: &str = "/admin/login";
/// The start page: what needs staff today (where sign-in lands).
pub const START: &str = "/admin";
