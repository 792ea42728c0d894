//! The index at the head of an object stream: `N` pairs of object number and
//! offset, each offset counted from `/First`. A reader parses an object at
//! each offset, so every one must be where the tokenizer also saw a value
//! start at the top level of the stream, never inside a string, a comment or
//! another object (the same rule as for cross-reference offsets).

use super::not_a_pdf;
use super::token::Tok;
use crate::documents::inspect::Rejection;

/// Most objects one object stream may index (8 bytes each while it is read).
const MAX_INDEXED: u64 = 1 << 17;

/// Checks an object stream's index against the values it holds.
#[derive(Debug)]
pub(super) struct ObjStmIndex {
    /// Header integers expected (two per object).
    expected: u64,
    first: u64,
    read: u64,
    /// Absolute offsets (in the decoded stream) the index points at, sorted
    /// once the index is complete.
    targets: Vec<u64>,
    next: usize,
}

impl ObjStmIndex {
    pub(super) fn new(n: i64, first: i64) -> Result<Self, Rejection> {
        let (Ok(n), Ok(first)) = (u64::try_from(n), u64::try_from(first)) else {
            return Err(not_a_pdf("negative /N or /First in an object stream"));
        };
        if n > MAX_INDEXED {
            return Err(Rejection::PdfUninspectable {
                reason: "an object stream holds too many objects",
            });
        }
        Ok(ObjStmIndex {
            expected: n * 2,
            first,
            read: 0,
            targets: Vec::new(),
            next: 0,
        })
    }

    /// A token that starts at the top level of the decoded stream.
    pub(super) fn token(&mut self, tok: &Tok<'_>, start: u64, gap: u64) -> Result<(), Rejection> {
        if self.read < self.expected {
            let value = match tok {
                Tok::Int(value) if start < self.first => *value,
                _ => return Err(not_a_pdf("malformed object stream index")),
            };
            let Ok(value) = u64::try_from(value) else {
                return Err(not_a_pdf("negative number in an object stream index"));
            };
            if self.read % 2 == 1 {
                self.targets.push(self.first.saturating_add(value));
            }
            self.read += 1;
            if self.read == self.expected {
                self.targets.sort_unstable();
            }
            return Ok(());
        }
        while let Some(&target) = self.targets.get(self.next) {
            if target < gap {
                return Err(not_a_pdf(
                    "an object stream offset points inside a string, comment or object",
                ));
            }
            if target > start {
                break;
            }
            self.next += 1;
        }
        Ok(())
    }

    /// The stream ended: every offset must have met its value.
    pub(super) fn finish(&self) -> Result<(), Rejection> {
        if self.read < self.expected {
            return Err(not_a_pdf("object stream index cut short"));
        }
        if self.next < self.targets.len() {
            return Err(not_a_pdf(
                "an object stream offset points past its objects or into a comment",
            ));
        }
        Ok(())
    }
}
