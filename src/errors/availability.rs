//! Whether the database and the document store are reachable, as far as this process has
//! seen: so that the log says once that one is gone and once that it is back, rather than
//! one error per request while it is away.

use std::sync::atomic::{AtomicBool, Ordering};

use super::conflict::Unavailability;

static DATABASE_DOWN: AtomicBool = AtomicBool::new(false);
static STORE_DOWN: AtomicBool = AtomicBool::new(false);

/// The dependencies that are watched (the others, such as the verification provider, are
/// reported per request).
fn flag(what: Unavailability) -> Option<&'static AtomicBool> {
    match what {
        Unavailability::Database => Some(&DATABASE_DOWN),
        Unavailability::Store => Some(&STORE_DOWN),
        _ => None,
    }
}

/// `what` failed with `cause`: logged when it was thought available until now.
pub fn lost(what: Unavailability, cause: &dyn std::fmt::Display) {
    if let Some(flag) = flag(what)
        && !flag.swap(true, Ordering::SeqCst)
    {
        tracing::warn!(
            dependency = what.cause(),
            error = %cause,
            "{} unavailable; requests that need it answer 503 until it is back",
            what.cause()
        );
    }
}

/// `what` answered again: logged when it was thought unavailable.
pub fn back(what: Unavailability) {
    if let Some(flag) = flag(what)
        && flag.swap(false, Ordering::SeqCst)
    {
        tracing::info!(
            dependency = what.cause(),
            "{} available again",
            what.cause()
        );
    }
}

/// Whether `what` was last seen failing.
pub fn is_lost(what: Unavailability) -> bool {
    flag(what).is_some_and(|flag| flag.load(Ordering::SeqCst))
}
