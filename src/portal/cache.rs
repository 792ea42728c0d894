//! The buyer's page, rendered, kept for a moment per session. A buyer re-loads the page, a
//! phone re-opens the tab, and each view would otherwise read the session, the invitation, the
//! buyer and the documents again. A kept page is served only while this process has committed
//! no write since it was rendered (any upload, revocation, block, settings save or session
//! change makes the next view render afresh), for at most [`MAX_AGE`] (the time another
//! instance's change may go unseen), and never past the link's expiry.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::db::{Timestamp, now};

/// How long a rendered page may be served again.
pub const MAX_AGE: Duration = Duration::from_secs(1);
/// Pages kept at most; beyond it, the stale ones go first, then all.
const MAX_ENTRIES: usize = 10_000;

struct Entry {
    commits: u64,
    rendered_at: Instant,
    link_expires_at: Timestamp,
    body: Bytes,
}

impl Entry {
    fn is_fresh(&self, commits: u64, at: Timestamp) -> bool {
        self.commits == commits && self.rendered_at.elapsed() < MAX_AGE && at < self.link_expires_at
    }
}

/// Rendered buyer pages by session (keyed by the hash of the session cookie, so no cookie
/// value is kept in memory).
#[derive(Default)]
pub struct PageCache {
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

fn key(cookie: &str) -> [u8; 32] {
    Sha256::digest(cookie.as_bytes()).into()
}

impl PageCache {
    /// The page kept for this session, if it is still what a fresh render would give.
    /// `commits` is the database's commit count now.
    pub fn get(&self, cookie: &str, commits: u64) -> Option<Bytes> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(&key(cookie))?;
        entry.is_fresh(commits, now()).then(|| entry.body.clone())
    }

    /// Keeps the page rendered for this session from data read after the database's commit
    /// count was `commits`.
    pub fn put(&self, cookie: &str, commits: u64, link_expires_at: Timestamp, body: Bytes) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MAX_ENTRIES {
            let at = now();
            entries.retain(|_, e| e.is_fresh(commits, at));
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            key(cookie),
            Entry {
                commits,
                rendered_at: Instant::now(),
                link_expires_at,
                body,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_with_page(commits: u64, expires_in: chrono::Duration) -> PageCache {
        let cache = PageCache::default();
        cache.put(
            "cookie",
            commits,
            now().plus(expires_in),
            Bytes::from_static(b"page"),
        );
        cache
    }

    #[test]
    fn a_kept_page_is_served_to_its_own_session_while_nothing_was_written() {
        let cache = cache_with_page(7, chrono::Duration::days(1));
        assert_eq!(cache.get("cookie", 7).as_deref(), Some(&b"page"[..]));
        assert_eq!(cache.get("another cookie", 7), None);
    }

    #[test]
    fn any_write_since_the_render_makes_the_page_render_again() {
        let cache = cache_with_page(7, chrono::Duration::days(1));
        assert_eq!(cache.get("cookie", 8), None);
    }

    #[test]
    fn a_page_is_never_served_past_its_links_expiry() {
        let cache = cache_with_page(7, chrono::Duration::milliseconds(-1));
        assert_eq!(cache.get("cookie", 7), None);
    }
}
