//! Fuzzing on stable Rust, as property tests: random files and mutations of
//! a seed corpus (the builders' PDFs, PNGs and JPEGs, plus real producers'
//! files from `KYC_FUZZ_CORPUS` when set) are inspected whole and in random
//! chunkings. Whatever the input: no panic, the same verdict for every
//! chunking, and memory within a fixed bound.
//!
//! The default case count keeps a run at about a minute on two cores (as in
//! `.ci/run`); `KYC_FUZZ_CASES=1000000 cargo test --release --lib fuzz`
//! runs longer.

use super::builders::*;
use super::*;
use proptest::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts the bytes each thread has allocated, so a case can assert a peak.
struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: defers to the system allocator; the counters are plain
// thread-local cells without destructors, so they are usable at any time.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE.try_with(|live| {
            let now = live.get().saturating_add(layout.size());
            live.set(now);
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
        });
        // SAFETY: same layout contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(layout.size())));
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Most memory one inspection may use above what it started with: the
/// module docs put the worst case for a hostile file under 20 MiB.
const MEMORY_BOUND: usize = 24 * 1024 * 1024;

/// Cases of the mutation property (the random-file one runs a third).
const DEFAULT_CASES: u32 = 40_000;

fn cases(default: u32) -> u32 {
    std::env::var("KYC_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `cases` cases; failures are printed, not saved into the source tree.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The builders' files and, if `KYC_FUZZ_CORPUS` names a folder, its files.
fn seeds() -> Vec<Vec<u8>> {
    let mut seeds = vec![
        simple_pdf("", &[]),
        simple_pdf(
            "/OpenAction [3 0 R /Fit]",
            &[b(
                "<< /Type /Annot /Subtype /Link /A << /S /URI /URI (https://a.b) >> >>",
            )],
        ),
        modern_pdf("", &["<< /S /GoTo /D [3 0 R /Fit] >>"]),
        {
            let mut doc = Doc::with_pages("", "");
            doc.table("");
            doc.object(4, "<< /Info (update) >>");
            doc.object_stream(5, &[(6, "[1 2 3]"), (7, "<< /A (b) >>")], true);
            doc.xref_stream(8, "");
            doc.bytes()
        },
        png(),
        jpeg(),
    ];
    if let Ok(dir) = std::env::var("KYC_FUZZ_CORPUS") {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("KYC_FUZZ_CORPUS={dir}: {e}"))
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        seeds.extend(files.iter().filter_map(|p| std::fs::read(p).ok()));
    } else if std::env::var("KYC_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
        panic!("KYC_TEST_REQUIRE_ALL=1 but KYC_FUZZ_CORPUS is not set");
    }
    seeds
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Overwrite one byte.
    Set(usize, u8),
    /// Insert bytes (often PDF syntax).
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    /// Copy a range of the file elsewhere in it.
    Copy(usize, usize, usize),
    Truncate(usize),
}

fn syntax() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 1..8),
        prop::sample::select(vec![
            "<<",
            ">>",
            "(",
            ")",
            "[",
            "]",
            "%",
            "\n",
            "/JavaScript",
            "/J#61vaScript",
            "/Launch",
            " 0 obj ",
            "endobj",
            "stream\n",
            "endstream",
            "xref\n",
            "trailer",
            "startxref\n",
            "%%EOF",
            " R ",
            "/ObjStm",
            "/First 4",
            "/Prev 9",
            "/Encrypt 1 0 R",
            "<7A>",
            "\\",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Set(at, b)),
        3 => (any::<usize>(), syntax()).prop_map(|(at, s)| Mutation::Insert(at, s)),
        2 => (any::<usize>(), 1..64usize).prop_map(|(at, n)| Mutation::Delete(at, n)),
        1 => (any::<usize>(), any::<usize>(), 1..256usize)
            .prop_map(|(from, to, n)| Mutation::Copy(from, to, n)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(file: &mut Vec<u8>, mutation: &Mutation) {
    let at = |i: usize, file: &Vec<u8>| {
        if file.is_empty() {
            0
        } else {
            i % (file.len() + 1)
        }
    };
    match mutation {
        Mutation::Set(i, b) => {
            let n = file.len();
            if n > 0 {
                file[i % n] = *b;
            }
        }
        Mutation::Insert(i, bytes) => {
            let i = at(*i, file);
            file.splice(i..i, bytes.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let i = at(*i, file);
            let end = (i + n).min(file.len());
            file.drain(i..end);
        }
        Mutation::Copy(from, to, n) => {
            let from = at(*from, file);
            let end = (from + n).min(file.len());
            let piece = file[from..end].to_vec();
            let to = at(*to, file);
            file.splice(to..to, piece);
        }
        Mutation::Truncate(i) => {
            let i = at(*i, file);
            file.truncate(i);
        }
    }
}

/// Inspects `file` whole and in the chunking `sizes` (cycled): same verdict,
/// bounded memory.
fn check(file: &[u8], sizes: &[usize]) -> Result<(), TestCaseError> {
    let before = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(before));
    let whole = inspect_chunked(file, Limits::default(), || usize::MAX);
    let mut next = sizes.iter().copied().cycle();
    let chunked = inspect_chunked(file, Limits::default(), || next.next().unwrap_or(1));
    let peak = PEAK.with(Cell::get).saturating_sub(before);
    prop_assert_eq!(&whole, &chunked, "chunkings disagree");
    prop_assert!(peak <= MEMORY_BOUND + 2 * file.len(), "peak {peak} bytes");
    Ok(())
}

fn chunk_sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(prop_oneof![1..4usize, 1..64usize, 1..70_000usize], 1..16)
}

proptest! {
    #![proptest_config(config(cases(DEFAULT_CASES)))]

    #[test]
    fn mutated_seed_files_never_panic_and_every_chunking_agrees(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 0..6),
        sizes in chunk_sizes(),
    ) {
        let seeds = SEEDS.with(|s| s.clone());
        let mut file = seed.get(&seeds).clone();
        for m in &mutations {
            apply(&mut file, m);
        }
        check(&file, &sizes)?;
    }
}

proptest! {
    #![proptest_config(config(cases(DEFAULT_CASES) / 3))]

    #[test]
    fn random_files_never_panic_and_every_chunking_agrees(
        head in prop::sample::select(vec![&b"%PDF-1.7\n"[..], b"\x89PNG\r\n\x1a\n", b"\xFF\xD8\xFF", b""]),
        body in prop::collection::vec(any::<u8>(), 0..4096),
        sizes in chunk_sizes(),
    ) {
        let file = [head, &body].concat();
        check(&file, &sizes)?;
    }
}

thread_local! {
    /// Built once per test thread: reading the real-producer corpus is not free.
    static SEEDS: Vec<Vec<u8>> = seeds();
}
