//! Progress of long copies on stderr: at most one line every few seconds, so a backup of many
//! gigabytes shows it is moving without flooding a terminal or a log.

use std::time::{Duration, Instant};

/// Counts blobs and bytes done out of a known total.
pub struct Progress {
    what: &'static str,
    total_items: usize,
    total_bytes: u64,
    items: usize,
    bytes: u64,
    last: Instant,
}

const EVERY: Duration = Duration::from_secs(2);

impl Progress {
    /// Starts counting `total_items` items of `total_bytes` bytes in all.
    pub fn new(what: &'static str, total_items: usize, total_bytes: u64) -> Progress {
        Progress {
            what,
            total_items,
            total_bytes,
            items: 0,
            bytes: 0,
            last: Instant::now(),
        }
    }

    /// One more item of `bytes` bytes is done.
    pub fn advance(&mut self, bytes: u64) {
        self.items += 1;
        self.bytes += bytes;
        if self.last.elapsed() >= EVERY {
            self.last = Instant::now();
            self.print();
        }
    }

    /// The last line.
    pub fn finish(&self) {
        self.print();
    }

    fn print(&self) {
        eprintln!(
            "{}: {} of {} blobs, {} of {}",
            self.what,
            self.items,
            self.total_items,
            human_bytes(self.bytes),
            human_bytes(self.total_bytes)
        );
    }
}

/// `1536` -> `1.5 KiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} bytes"),
        _ => format!("{value:.1} {}", UNITS.get(unit).unwrap_or(&"")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_written_in_binary_units() {
        assert_eq!(human_bytes(12), "12 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }
}
