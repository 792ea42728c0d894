//! Log lines gathered in memory and written out together, a few milliseconds after the first
//! of them (as a web server's buffered access log is): one write for many requests instead
//! of one for each, which cost the buyer's page about 4% of its CPU. Lines stay whole and in
//! order; a burst larger than the buffer is written at once by the thread that filled it,
//! which waits for the output as it would without the buffer. What is still gathered is
//! written when the portal stops (the [`Flush`] guard) and at every panic. Commands that run
//! once write each line as it comes ([`Gathered::direct`]): their lines mix with what they
//! print themselves, and their few lines cost nothing to write. Lines an output fails to take
//! (a full pipe, a log collector gone) wait for the writer thread to try again, up to
//! [`MAX_KEPT`] bytes; past that, new lines are dropped until the output takes them again.

use std::cell::Cell;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How long a line may wait before it is written.
const DELAY: Duration = Duration::from_millis(20);

/// Past this many bytes, the lines are written at once.
const MAX_GATHERED: usize = 64 * 1024;

/// At most this many bytes are kept for an output that fails to take them.
const MAX_KEPT: usize = 4 * MAX_GATHERED;

thread_local! {
    /// Whether this thread holds a lock of the gathered lines: a panic there must not wait
    /// for them.
    static HOLDING: Cell<bool> = const { Cell::new(false) };
}

/// Marks this thread as holding a lock of the gathered lines while it lives.
struct Holding;

impl Holding {
    fn start() -> Holding {
        HOLDING.with(|holding| holding.set(true));
        Holding
    }
}

impl Drop for Holding {
    fn drop(&mut self) {
        HOLDING.with(|holding| holding.set(false));
    }
}

/// Lines waiting to go to `out`.
pub struct Gathered<W> {
    lines: Mutex<Vec<u8>>,
    /// Woken when the first line arrives in an empty buffer.
    arrived: Condvar,
    /// Held while writing, so batches reach `out` in the order they were taken.
    out: Mutex<W>,
    /// Whether each line is written as it comes (no thread to write them later).
    immediate: AtomicBool,
    /// Whether the last write failed: only the writer thread tries again, and lines past
    /// [`MAX_KEPT`] are dropped rather than gathered.
    failing: AtomicBool,
}

impl<W: Write + Send + 'static> Gathered<W> {
    /// Lines for `out`, with a thread that writes them [`DELAY`] after the first.
    pub fn start(out: W) -> Arc<Gathered<W>> {
        let gathered = Arc::new(Gathered::new(out));
        let writer = gathered.clone();
        let started = std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || writer.write_on_arrival());
        if started.is_err() {
            // Without its thread every line is written as it comes.
            gathered.immediate.store(true, Ordering::Relaxed);
        }
        gathered
    }

    /// Lines for `out`, each written as it comes.
    pub fn direct(out: W) -> Arc<Gathered<W>> {
        let gathered = Gathered::new(out);
        gathered.immediate.store(true, Ordering::Relaxed);
        Arc::new(gathered)
    }

    /// Lines for `out`, written only when the buffer is full or flushed.
    fn new(out: W) -> Gathered<W> {
        Gathered {
            lines: Mutex::new(Vec::with_capacity(MAX_GATHERED)),
            arrived: Condvar::new(),
            out: Mutex::new(out),
            immediate: AtomicBool::new(false),
            failing: AtomicBool::new(false),
        }
    }

    fn write_on_arrival(&self) {
        loop {
            {
                let Ok(mut lines) = self.lines.lock() else {
                    return;
                };
                while lines.is_empty() {
                    lines = match self.arrived.wait(lines) {
                        Ok(lines) => lines,
                        Err(_) => return,
                    };
                }
            }
            std::thread::sleep(DELAY);
            self.flush();
        }
    }

    /// Adds one line (or several), writing them all at once when the buffer is full.
    fn add(&self, line: &[u8]) -> io::Result<()> {
        let _holding = Holding::start();
        let full = {
            let mut lines = locked(&self.lines)?;
            if lines.is_empty() {
                self.arrived.notify_one();
            }
            let failing = self.failing.load(Ordering::Relaxed);
            if failing && lines.len() >= MAX_KEPT {
                // The output takes nothing: what is kept already waits for it.
                return Ok(());
            }
            lines.extend_from_slice(line);
            (lines.len() >= MAX_GATHERED && !failing) || self.immediate.load(Ordering::Relaxed)
        };
        if full { self.flush_result() } else { Ok(()) }
    }

    /// Writes what is gathered.
    pub fn flush(&self) {
        // Nowhere to report a failed log write but the log itself.
        let _ = self.flush_result();
    }

    /// Writes what is gathered, for a panic: unless the panicking thread itself holds a lock
    /// of the lines (it would wait for itself).
    pub fn flush_at_panic(&self) {
        if !HOLDING.with(Cell::get) {
            self.flush();
        }
    }

    fn flush_result(&self) -> io::Result<()> {
        let _holding = Holding::start();
        let mut out = locked(&self.out)?;
        let batch = {
            let mut lines = locked(&self.lines)?;
            if lines.is_empty() {
                return Ok(());
            }
            std::mem::replace(&mut *lines, Vec::with_capacity(MAX_GATHERED))
        };
        let mut written = 0;
        while written < batch.len() {
            match out.write(&batch[written..]) {
                Ok(0) => {
                    return self.keep_unwritten(&batch[written..], io::ErrorKind::WriteZero.into());
                }
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return self.keep_unwritten(&batch[written..], e),
            }
        }
        self.failing.store(false, Ordering::Relaxed);
        out.flush()
    }

    /// Puts back what a failed write left, before the lines that came meanwhile, for the next
    /// write to try again: a full pipe or a moment's error loses no lines. An output that keeps
    /// failing keeps at most [`MAX_KEPT`] bytes (the newest, should a line have come past the
    /// limit meanwhile).
    fn keep_unwritten(&self, unwritten: &[u8], error: io::Error) -> io::Result<()> {
        self.failing.store(true, Ordering::Relaxed);
        let mut lines = locked(&self.lines)?;
        let newer = std::mem::take(&mut *lines);
        let total = unwritten.len() + newer.len();
        let skip = total.saturating_sub(MAX_KEPT);
        lines.reserve(total - skip);
        if skip < unwritten.len() {
            lines.extend_from_slice(&unwritten[skip..]);
            lines.extend_from_slice(&newer);
        } else {
            lines.extend_from_slice(&newer[skip - unwritten.len()..]);
        }
        Err(error)
    }
}

/// `mutex` locked, or the error a writer reports when another thread panicked holding it.
fn locked<T>(mutex: &Mutex<T>) -> io::Result<MutexGuard<'_, T>> {
    mutex.lock().map_err(|_| io::Error::other("log lock"))
}

/// A writer for one log event, adding it to the gathered lines.
pub struct Line<W: 'static>(Arc<Gathered<W>>);

impl<W: Write + Send + 'static> Write for Line<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.add(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What the log subscriber asks for a writer: one that adds to the gathered lines.
#[derive(Clone)]
pub struct Lines<W>(pub Arc<Gathered<W>>);

impl<'a, W: Write + Send + 'static> tracing_subscriber::fmt::MakeWriter<'a> for Lines<W> {
    type Writer = Line<W>;

    fn make_writer(&'a self) -> Line<W> {
        Line(self.0.clone())
    }
}

/// Writes what is gathered when dropped: the portal holds it until it stops.
pub struct Flush(Arc<Gathered<io::Stderr>>);

impl Flush {
    /// A guard for `gathered`.
    pub fn new(gathered: Arc<Gathered<io::Stderr>>) -> Flush {
        Flush(gathered)
    }

    /// Writes what is gathered now: before the portal writes to stderr itself.
    pub fn now(&self) {
        self.0.flush();
    }
}

impl Drop for Flush {
    fn drop(&mut self) {
        self.now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output that records what reached it, a write at a time.
    #[derive(Clone, Default)]
    struct Recorded(Arc<Mutex<Vec<Vec<u8>>>>);

    impl Write for Recorded {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Recorded {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().concat()).unwrap()
        }
        fn writes(&self) -> usize {
            self.0.lock().unwrap().len()
        }
    }

    #[test]
    fn lines_from_many_threads_arrive_whole_and_each_threads_in_order_in_few_writes() {
        let out = Recorded::default();
        let gathered = Gathered::start(out.clone());
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let lines = Lines(gathered.clone());
                std::thread::spawn(move || {
                    use tracing_subscriber::fmt::MakeWriter;
                    for n in 0..500 {
                        let line = format!("thread={t} n={n} {}\n", "x".repeat(40));
                        lines.make_writer().write_all(line.as_bytes()).unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        gathered.flush();
        let text = out.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2000);
        for t in 0..4 {
            let numbers: Vec<usize> = lines
                .iter()
                .filter(|l| l.starts_with(&format!("thread={t} ")))
                .map(|l| l.split(' ').nth(1).unwrap()[2..].parse().unwrap())
                .collect();
            assert_eq!(numbers, (0..500).collect::<Vec<_>>());
        }
        // About 140 KB of lines: a few writes, not one per line.
        assert!(out.writes() < 100, "{} writes", out.writes());
    }

    #[test]
    fn a_line_is_written_by_the_writer_thread_without_anyone_flushing() {
        let out = Recorded::default();
        let gathered = Gathered::start(out.clone());
        Line(gathered.clone()).write_all(b"alone\n").unwrap();
        // Waits for the writer thread however slow the machine; asserts no time.
        while out.text().is_empty() {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(out.text(), "alone\n");
    }

    #[test]
    fn a_burst_larger_than_the_buffer_is_written_by_the_thread_that_filled_it() {
        let out = Recorded::default();
        let gathered = Arc::new(Gathered::new(out.clone()));
        // No writer thread here: only a full buffer makes a write.
        let line = vec![b'y'; 1023];
        for _ in 0..(MAX_GATHERED / 1024 + 1) {
            Line(gathered.clone()).write_all(&line).unwrap();
            Line(gathered.clone()).write_all(b"\n").unwrap();
        }
        assert_eq!(out.writes(), 1);
        assert_eq!(out.text().len(), MAX_GATHERED);
    }

    /// An output that takes `room` bytes and then fails until given more room.
    #[derive(Clone, Default)]
    struct Blocked {
        taken: Arc<Mutex<Vec<u8>>>,
        room: Arc<Mutex<usize>>,
    }

    impl Write for Blocked {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let mut room = self.room.lock().unwrap();
            if *room == 0 {
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let n = buf.len().min(*room);
            *room -= n;
            self.taken.lock().unwrap().extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_an_output_failed_to_take_are_written_by_the_next_write_in_order() {
        let out = Blocked::default();
        *out.room.lock().unwrap() = 4;
        let gathered = Arc::new(Gathered::new(out.clone()));
        Line(gathered.clone()).write_all(b"first\n").unwrap();
        assert!(gathered.flush_result().is_err());
        Line(gathered.clone()).write_all(b"second\n").unwrap();
        *out.room.lock().unwrap() = usize::MAX;
        gathered.flush_result().unwrap();
        assert_eq!(out.taken.lock().unwrap().as_slice(), b"first\nsecond\n");
    }

    #[test]
    fn an_output_that_keeps_failing_keeps_a_bounded_part_of_the_lines_and_writes_them_whole() {
        let out = Blocked::default();
        let gathered = Arc::new(Gathered::new(out.clone()));
        for n in 0..(MAX_KEPT / 64 * 2) {
            let line = format!("{n:07} {}\n", "z".repeat(55));
            Line(gathered.clone()).write_all(line.as_bytes()).unwrap();
            if n % 100 == 0 {
                assert!(gathered.flush_result().is_err());
            }
        }
        assert!(gathered.lines.lock().unwrap().len() <= MAX_KEPT + 64);
        *out.room.lock().unwrap() = usize::MAX;
        gathered.flush_result().unwrap();
        let taken = String::from_utf8(out.taken.lock().unwrap().clone()).unwrap();
        let numbers: Vec<usize> = taken.lines().map(|l| l[..7].parse().unwrap()).collect();
        assert_eq!(
            numbers,
            (0..numbers.len()).collect::<Vec<_>>(),
            "the first lines, in order"
        );
        assert_eq!(numbers.len(), MAX_KEPT / 64);
        // Writing works again: lines are gathered and written as before.
        Line(gathered.clone()).write_all(b"again\n").unwrap();
        gathered.flush_result().unwrap();
        assert!(out.taken.lock().unwrap().ends_with(b"again\n"));
    }

    #[test]
    fn commands_that_run_once_write_each_line_as_it_comes() {
        let out = Recorded::default();
        let gathered = Gathered::direct(out.clone());
        Line(gathered.clone()).write_all(b"first\n").unwrap();
        assert_eq!(out.text(), "first\n");
        Line(gathered).write_all(b"second\n").unwrap();
        assert_eq!(out.writes(), 2);
    }

    #[test]
    fn a_panic_while_this_thread_holds_the_lines_does_not_wait_for_them() {
        let out = Recorded::default();
        let gathered = Arc::new(Gathered::new(out.clone()));
        Line(gathered.clone()).write_all(b"before\n").unwrap();
        {
            let _holding = Holding::start();
            // Would wait for itself if this thread held the lock; it must return.
            gathered.flush_at_panic();
        }
        assert_eq!(out.writes(), 0);
        gathered.flush_at_panic();
        assert_eq!(out.text(), "before\n");
    }
}
