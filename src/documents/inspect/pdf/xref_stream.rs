//! Cross-reference streams: the layout of their entries (`/W`, `/Index`,
//! `/Size`, all direct as the specification requires) and the cutting of
//! their decoded data into entries.

use super::decode::Encoding;
use super::object::{Dict, Obj};
use super::predictor::PredictorParams;
use super::xref::{Entry, malformed};
use crate::documents::inspect::Rejection;

/// The layout of a cross-reference stream's entries.
pub(super) struct StreamFormat {
    pub(super) encoding: Encoding,
    widths: [usize; 3],
    /// (first object number, count) subsections.
    index: Vec<(u64, u64)>,
}

fn direct_int(obj: &Obj) -> Result<i64, Rejection> {
    match obj {
        Obj::Int(v) => Ok(*v),
        _ => Err(malformed(
            "cross-reference stream entries must be direct numbers",
        )),
    }
}

impl StreamFormat {
    pub(super) fn of(dict: &Dict) -> Result<Self, Rejection> {
        if dict.name(b"Type") != Some(b"XRef") {
            return Err(malformed("cross-reference stream without /Type /XRef"));
        }
        let Some(Obj::Array(w)) = dict.get(b"W") else {
            return Err(malformed("cross-reference stream without /W"));
        };
        let mut widths = [0usize; 3];
        if w.len() != 3 {
            return Err(malformed("cross-reference stream /W needs three widths"));
        }
        for (slot, value) in widths.iter_mut().zip(w) {
            *slot = usize::try_from(direct_int(value)?)
                .ok()
                .filter(|&v| v <= 8)
                .ok_or_else(|| malformed("invalid cross-reference stream /W"))?;
        }
        let size = dict
            .int(b"Size")?
            .and_then(|v| u64::try_from(v).ok())
            .ok_or_else(|| malformed("cross-reference stream without /Size"))?;
        let index = match dict.get(b"Index") {
            None => vec![(0, size)],
            Some(Obj::Array(items)) if items.len() % 2 == 0 => {
                let mut pairs = Vec::new();
                for pair in items.chunks(2) {
                    if let [first, count] = pair {
                        let (Ok(first), Ok(count)) = (
                            u64::try_from(direct_int(first)?),
                            u64::try_from(direct_int(count)?),
                        ) else {
                            return Err(malformed("negative number in /Index"));
                        };
                        pairs.push((first, count));
                    }
                }
                pairs
            }
            Some(_) => return Err(malformed("invalid cross-reference stream /Index")),
        };
        Ok(StreamFormat {
            encoding: direct_encoding(dict)?,
            widths,
            index,
        })
    }
}

/// The encoding of a stream whose filter and parameters must be direct.
pub(super) fn direct_encoding(dict: &Dict) -> Result<Encoding, Rejection> {
    let flate = match dict.get(b"Filter") {
        None | Some(Obj::Null) => false,
        Some(Obj::Name(n)) if n == b"FlateDecode" || n == b"Fl" => true,
        Some(Obj::Array(items)) if items.is_empty() => false,
        Some(Obj::Array(items))
            if items.len() == 1
                && matches!(items.first(), Some(Obj::Name(n)) if n == b"FlateDecode" || n == b"Fl") =>
        {
            true
        }
        Some(Obj::Ref(..)) => return Err(malformed("indirect /Filter")),
        Some(_) => {
            return Err(Rejection::PdfUninspectable {
                reason: "stream with an unsupported filter",
            });
        }
    };
    let parms = match dict.get(b"DecodeParms") {
        None | Some(Obj::Null) => None,
        Some(Obj::Dict(d)) => Some(d),
        Some(Obj::Array(items)) if items.len() == 1 => match items.first() {
            Some(Obj::Dict(d)) => Some(d),
            Some(Obj::Null) => None,
            _ => return Err(malformed("invalid /DecodeParms")),
        },
        Some(_) => return Err(malformed("invalid /DecodeParms")),
    };
    let predictor = match parms {
        Some(parms) if flate => PredictorParams::new(
            parms.int(b"Predictor")?,
            parms.int(b"Colors")?,
            parms.int(b"BitsPerComponent")?,
            parms.int(b"Columns")?,
        )?,
        _ => None,
    };
    Ok(Encoding { flate, predictor })
}

/// Cuts decoded cross-reference stream data into entries.
pub(super) struct EntryReader {
    widths: [usize; 3],
    index: Vec<(u64, u64)>,
    subsection: usize,
    done_in_subsection: u64,
    buf: [u8; 24],
    filled: usize,
}

impl EntryReader {
    pub(super) fn new(format: &StreamFormat) -> Self {
        EntryReader {
            widths: format.widths,
            index: format.index.clone(),
            subsection: 0,
            done_in_subsection: 0,
            buf: [0; 24],
            filled: 0,
        }
    }

    fn width(&self) -> usize {
        self.widths.iter().sum()
    }

    pub(super) fn complete(&mut self) -> bool {
        self.skip_empty();
        self.subsection >= self.index.len()
    }

    fn skip_empty(&mut self) {
        while let Some(&(_, count)) = self.index.get(self.subsection) {
            if self.done_in_subsection < count {
                break;
            }
            self.subsection += 1;
            self.done_in_subsection = 0;
        }
    }

    pub(super) fn push(
        &mut self,
        data: &[u8],
        entry: &mut dyn FnMut(u64, Entry) -> Result<(), Rejection>,
    ) -> Result<(), Rejection> {
        let width = self.width();
        for &b in data {
            self.skip_empty();
            let Some(&(first, _)) = self.index.get(self.subsection) else {
                // Bytes past the last entry are ignored, as readers do.
                return Ok(());
            };
            if let Some(slot) = self.buf.get_mut(self.filled) {
                *slot = b;
            }
            self.filled += 1;
            if self.filled < width {
                continue;
            }
            self.filled = 0;
            let num = first.saturating_add(self.done_in_subsection);
            self.done_in_subsection += 1;
            let [w0, w1, w2] = self.widths;
            let field = |from: usize, len: usize| {
                self.buf
                    .get(from..from + len)
                    .unwrap_or_default()
                    .iter()
                    .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
            };
            let kind = if w0 == 0 { 1 } else { field(0, w0) };
            let (two, three) = (field(w0, w1), field(w0 + w1, w2));
            let parsed = match kind {
                0 => Entry::Free,
                1 => Entry::InUse {
                    offset: two,
                    generation: u16::try_from(three)
                        .map_err(|_| malformed("malformed cross-reference entry"))?,
                },
                2 => Entry::Compressed {
                    container: u32::try_from(two)
                        .map_err(|_| malformed("malformed cross-reference entry"))?,
                    index: u32::try_from(three)
                        .map_err(|_| malformed("malformed cross-reference entry"))?,
                },
                // Other types are references to the null object.
                _ => continue,
            };
            entry(num, parsed)?;
        }
        Ok(())
    }
}
