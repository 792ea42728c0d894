//! Stream data in the streaming pass: skipped up to the `endstream` keyword
//! (the `/Length` is not trusted, as lenient readers do not trust it), scanned
//! as stored for the longer active names, and, for object streams, decoded
//! and checked.

use super::active_name;
use super::decode::Budget;
use super::layout::Outcome;
use super::objstm::Pass1;
use super::token::{NameAcc, is_regular};
use crate::documents::inspect::Rejection;

/// Stream data shorter names are not looked for (see the module docs).
const RAW_MIN_LEN: usize = 5;
const ENDSTREAM: &[u8; 9] = b"endstream";

/// Scans stream data as stored for the longer active names.
struct RawNames {
    in_name: bool,
    name: NameAcc,
}

impl RawNames {
    fn scan(&mut self, data: &[u8]) -> Result<(), Rejection> {
        let mut rest = data;
        while !rest.is_empty() {
            if !self.in_name {
                let Some(p) = memchr::memchr(b'/', rest) else {
                    return Ok(());
                };
                rest = rest.get(p + 1..).unwrap_or_default();
                self.in_name = true;
                self.name.reset();
                continue;
            }
            let regular = rest.iter().take_while(|&&b| is_regular(b)).count();
            for &b in rest.get(..regular).unwrap_or_default() {
                self.name.push(b);
            }
            rest = rest.get(regular..).unwrap_or_default();
            if !rest.is_empty() {
                // The delimiter is left in `rest`: a '/' starts the next name.
                self.end()?;
            }
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), Rejection> {
        if !std::mem::replace(&mut self.in_name, false) {
            return Ok(());
        }
        match self.name.end() {
            Some(name) => active_name(name, RAW_MIN_LEN),
            None => Ok(()),
        }
    }
}

/// A stream's data ended.
pub(super) struct Ended {
    /// Where the data lies: after the EOL that follows `stream`, up to `endstream`.
    pub(super) data: (u64, u64),
    /// For an object stream, how its check went.
    pub(super) outcome: Option<Outcome>,
}

/// Inside a stream's data, looking for `endstream`.
pub(super) struct StreamData {
    skip_lf: bool,
    /// How many bytes of `endstream` the data currently ends with.
    matched: usize,
    raw: RawNames,
    object_stream: Option<Pass1>,
    /// Absolute offset of the next byte, and of the first data byte.
    pos: u64,
    start: u64,
}

impl StreamData {
    /// Data starting at `pos`; `object_stream` if it is to be checked as one.
    pub(super) fn new(after_cr: bool, pos: u64, object_stream: Option<Pass1>) -> Self {
        StreamData {
            skip_lf: after_cr,
            matched: 0,
            raw: RawNames {
                in_name: false,
                name: NameAcc::new(),
            },
            object_stream,
            pos,
            start: pos,
        }
    }

    /// Data that is certainly stream content (not part of `endstream`).
    fn release(&mut self, data: &[u8], budget: &mut Budget) -> Result<(), Rejection> {
        if data.is_empty() {
            return Ok(());
        }
        self.raw.scan(data)?;
        if let Some(object_stream) = &mut self.object_stream {
            object_stream.push(data, budget);
        }
        Ok(())
    }

    /// Consume stream data; returns bytes consumed and, once `endstream` is
    /// reached, what the stream was.
    pub(super) fn feed(
        &mut self,
        data: &[u8],
        budget: &mut Budget,
    ) -> Result<(usize, Option<Ended>), Rejection> {
        let (consumed, ended) = self.scan(data, budget)?;
        self.pos += u64::try_from(consumed).unwrap_or(u64::MAX);
        if !ended {
            return Ok((consumed, None));
        }
        self.raw.end()?;
        let outcome = self.object_stream.take().map(|o| o.finish(budget));
        let end = self.pos.saturating_sub(ENDSTREAM.len() as u64);
        Ok((
            consumed,
            Some(Ended {
                data: (self.start, end.max(self.start)),
                outcome,
            }),
        ))
    }

    fn scan(&mut self, data: &[u8], budget: &mut Budget) -> Result<(usize, bool), Rejection> {
        let mut i = 0;
        if self.skip_lf && !data.is_empty() {
            self.skip_lf = false;
            if data.first() == Some(&b'\n') {
                i = 1;
                self.start += 1;
            }
        }
        while let Some(rest) = data.get(i..).filter(|r| !r.is_empty()) {
            if self.matched == 0 {
                match memchr::memchr(b'e', rest) {
                    None => {
                        self.release(rest, budget)?;
                        i = data.len();
                    }
                    Some(p) => {
                        self.release(rest.get(..p).unwrap_or_default(), budget)?;
                        i += p + 1;
                        self.matched = 1;
                    }
                }
                continue;
            }
            let b = rest.first().copied().unwrap_or(0);
            i += 1;
            if ENDSTREAM.get(self.matched) == Some(&b) {
                self.matched += 1;
                if self.matched == ENDSTREAM.len() {
                    return Ok((i, true));
                }
                continue;
            }
            // Mismatch: the held bytes are ENDSTREAM[..k] + b. Keep the
            // longest suffix that is still a prefix of `endstream`; the rest
            // was stream content.
            let k = self.matched;
            let keep = restart(k, b);
            let released = k + 1 - keep;
            if released <= k {
                self.release(ENDSTREAM.get(..released).unwrap_or_default(), budget)?;
            } else {
                self.release(ENDSTREAM.get(..k).unwrap_or_default(), budget)?;
                self.release(&[b], budget)?;
            }
            self.matched = keep;
        }
        Ok((data.len(), false))
    }
}

/// Longest `j` such that `ENDSTREAM[..j]` is a suffix of `ENDSTREAM[..k] + [b]`.
fn restart(k: usize, b: u8) -> usize {
    (1..=k)
        .rev()
        .find(|&j| {
            ENDSTREAM.get(j - 1) == Some(&b)
                && ENDSTREAM.get(..j - 1) == ENDSTREAM.get(k + 1 - j..k)
        })
        .unwrap_or(0)
}
