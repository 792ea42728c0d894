//! Rendered previews kept in this process's memory, by the document's SHA-256.
//!
//! In memory rather than in a folder: rendered pages are copies of a buyer's documents, and a
//! copy on disk would outlive a restart, an erasure and the retention rules that govern the
//! original. Memory is bounded ([`MAX_BYTES`]; the least recently used go first) and so is
//! age ([`MAX_AGE`]), so a preview is kept for the minutes an officer works on a document.
//! Instances share nothing but the database and the object store: another instance renders
//! again, which costs time, not correctness (the bytes behind a SHA-256 never change).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::RenderedPdf;

/// Bytes of page images kept at most.
const MAX_BYTES: usize = 64 * 1024 * 1024;
/// How long a render is kept.
const MAX_AGE: Duration = Duration::from_secs(30 * 60);
/// How long a failed render is remembered, so reloads of a PDF that failed (or ran out of
/// time) do not each spend a render slot on it again.
const FAILURE_AGE: Duration = Duration::from_secs(5 * 60);

/// What is kept for one document.
#[derive(Clone)]
pub enum Kept {
    /// Its rendered pages.
    Pages(Arc<RenderedPdf>),
    /// Its render failed.
    Failed,
}

struct Entry {
    kept: Kept,
    made: Instant,
    /// When it was last used, as a count of uses (a clock could give two the same time).
    used: u64,
    bytes: usize,
}

impl Entry {
    fn is_fresh(&self) -> bool {
        let age = match self.kept {
            Kept::Pages(_) => MAX_AGE,
            Kept::Failed => FAILURE_AGE,
        };
        self.made.elapsed() < age
    }
}

#[derive(Default)]
struct Renders {
    entries: HashMap<String, Entry>,
    uses: u64,
}

/// The kept renders.
#[derive(Default)]
pub struct PreviewCache {
    state: Mutex<Renders>,
}

impl PreviewCache {
    /// What is kept for the document with this SHA-256, while fresh.
    pub fn get(&self, sha256: &str) -> Option<Kept> {
        let mut state = self.state.lock().ok()?;
        state.uses += 1;
        let uses = state.uses;
        let entry = state.entries.get_mut(sha256)?;
        if !entry.is_fresh() {
            state.entries.remove(sha256);
            return None;
        }
        entry.used = uses;
        Some(entry.kept.clone())
    }

    /// Keeps `kept` for the document with this SHA-256, making room for it.
    pub fn put(&self, sha256: &str, kept: Kept) {
        let bytes = match &kept {
            Kept::Pages(rendered) => rendered.pages.iter().map(|p| p.png.len()).sum(),
            Kept::Failed => 0,
        };
        if bytes > MAX_BYTES {
            return;
        }
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        state.uses += 1;
        let uses = state.uses;
        let entries = &mut state.entries;
        entries.retain(|_, e| e.is_fresh());
        let mut total: usize = entries.values().map(|e| e.bytes).sum();
        while total + bytes > MAX_BYTES {
            let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(key, _)| key.clone())
            else {
                break;
            };
            total -= entries.remove(&oldest).map_or(0, |e| e.bytes);
        }
        entries.insert(
            sha256.to_owned(),
            Entry {
                kept,
                made: Instant::now(),
                used: uses,
                bytes,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::previews::PageImage;

    fn rendered(bytes: usize) -> Kept {
        Kept::Pages(Arc::new(RenderedPdf {
            page_count: 1,
            pages: vec![PageImage {
                png: bytes::Bytes::from(vec![0; bytes]),
                width: 1,
                height: 1,
            }],
        }))
    }

    #[test]
    fn the_least_recently_used_render_makes_room_for_a_new_one() {
        let cache = PreviewCache::default();
        cache.put("a", rendered(MAX_BYTES / 2));
        cache.put("b", rendered(MAX_BYTES / 2));
        assert!(cache.get("a").is_some());
        cache.put("c", rendered(MAX_BYTES / 2));
        assert!(cache.get("a").is_some(), "used last, so kept");
        assert!(cache.get("b").is_none(), "used least recently, so dropped");
        assert!(cache.get("c").is_some());
    }

    #[test]
    fn a_render_larger_than_the_whole_budget_is_not_kept() {
        let cache = PreviewCache::default();
        cache.put("a", rendered(MAX_BYTES + 1));
        assert!(cache.get("a").is_none());
    }
}
