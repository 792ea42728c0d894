//! Tests build every file in code: valid PDF/PNG/JPEG files and a corpus of
//! malicious or wrong ones. Each file is inspected whole, one byte at a
//! time and in irregular chunk sizes, and all must agree.

mod builders;
mod fuzz;
mod kinds;
mod pdf_basic;
mod pdf_big;
mod pdf_encrypted;
mod pdf_structure;

use super::*;
use flate2::write::ZlibEncoder;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

// ---------------------------------------------------------------- harness

static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A temp file path unique to this process and call, removed on drop.
struct TempPath(PathBuf);

impl TempPath {
    fn new() -> Self {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        TempPath(std::env::temp_dir().join(format!(
            "inspect-test-{}-{}.upload",
            std::process::id(),
            n
        )))
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Feed `bytes` in chunks of the sizes `sizes` yields, like the upload
/// handler does: stop at the first rejection, else write the temp file and finish.
fn inspect_chunked(
    bytes: &[u8],
    limits: Limits,
    mut sizes: impl FnMut() -> usize,
) -> Result<FileKind, Rejection> {
    let temp = TempPath::new();
    std::fs::write(&temp.0, bytes).unwrap();
    let mut inspector = Inspector::new(limits);
    let mut rest = bytes;
    while !rest.is_empty() {
        let n = sizes().clamp(1, rest.len());
        let (chunk, later) = rest.split_at(n);
        inspector.update(chunk)?;
        rest = later;
    }
    inspector.finish(&temp.0)
}

/// Small xorshift generator so "random" chunk sizes are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Inspect whole, byte by byte and in irregular chunks; all must agree.
fn inspect_with(bytes: &[u8], limits: Limits) -> Result<FileKind, Rejection> {
    let whole = inspect_chunked(bytes, limits, || usize::MAX);
    let bytewise = inspect_chunked(bytes, limits, || 1);
    assert_eq!(whole, bytewise, "byte-at-a-time feeding disagrees");
    for seed in [0x9E37_79B9_7F4A_7C15_u64, 12345, 987_654_321] {
        let mut rng = Rng(seed);
        let random = inspect_chunked(bytes, limits, || {
            // Mostly tiny chunks (to split tokens), sometimes large ones.
            match rng.next() % 4 {
                0 => 1 + (rng.next() % 3) as usize,
                1 => 1 + (rng.next() % 17) as usize,
                2 => 1 + (rng.next() % 700) as usize,
                _ => 1 + (rng.next() % 70_000) as usize,
            }
        });
        assert_eq!(whole, random, "irregular chunks disagree (seed {seed})");
    }
    whole
}

fn inspect(bytes: &[u8]) -> Result<FileKind, Rejection> {
    inspect_with(bytes, Limits::default())
}

fn active(what: &'static str) -> Result<FileKind, Rejection> {
    Err(Rejection::ActivePdfContent { what })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}
