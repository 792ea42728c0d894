//! Where the staff pages live.

/// The sign-in page.
pub const LOGIN: &str = "/admin/login";
