//! Picks one object out of a decoded object stream as it streams past, for
//! the rare indirect value (a catalog, decode parameters) that lives in one.

use super::not_a_pdf;
use super::object::{Obj, ObjParser, Token};
use super::source::SliceSource;
use crate::documents::inspect::Rejection;

/// Most index bytes kept to find the wanted entry.
const MAX_INDEX_BYTES: usize = 1024 * 1024;
/// Most bytes kept of the wanted object.
const MAX_OBJECT_BYTES: usize = 256 * 1024;

fn too_large() -> Rejection {
    Rejection::PdfUninspectable {
        reason: "an object in an object stream is too large to resolve",
    }
}

/// Collects object `num`, the `index`-th of an object stream whose objects
/// start at `first`.
pub(super) struct Capture {
    first: u64,
    index: u32,
    num: u32,
    pos: u64,
    header: Vec<u8>,
    target: Option<u64>,
    object: Vec<u8>,
    full: bool,
}

impl Capture {
    pub(super) fn new(first: i64, index: u32, num: u32) -> Result<Self, Rejection> {
        let first = u64::try_from(first).map_err(|_| not_a_pdf("negative /First"))?;
        Ok(Capture {
            first,
            index,
            num,
            pos: 0,
            header: Vec::new(),
            target: None,
            object: Vec::new(),
            full: false,
        })
    }

    pub(super) fn push(&mut self, data: &[u8]) -> Result<(), Rejection> {
        let start = self.pos;
        self.pos += data.len() as u64;
        for (i, &b) in data.iter().enumerate() {
            let at = start + i as u64;
            if at < self.first {
                if self.header.len() >= MAX_INDEX_BYTES {
                    return Err(too_large());
                }
                self.header.push(b);
                continue;
            }
            let target = match self.target {
                Some(target) => target,
                None => {
                    let target = self.find_target()?;
                    self.target = Some(target);
                    target
                }
            };
            if at >= target {
                if self.object.len() < MAX_OBJECT_BYTES {
                    self.object.push(b);
                } else {
                    self.full = true;
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Reads the index up to the wanted entry, as readers do.
    fn find_target(&self) -> Result<u64, Rejection> {
        let mut src = SliceSource::new(&self.header);
        let mut parser = ObjParser::new(&mut src);
        for i in 0..=self.index {
            let (Token::Int(num), Token::Int(offset)) = (parser.token()?, parser.token()?) else {
                return Err(not_a_pdf("malformed object stream index"));
            };
            if i == self.index {
                // Readers differ on an entry whose number disagrees (one uses
                // it, another sees nothing), so it cannot be vouched for.
                if u64::try_from(num).ok() != Some(u64::from(self.num)) {
                    return Err(not_a_pdf(
                        "an object stream index disagrees with the cross-reference",
                    ));
                }
                let offset = u64::try_from(offset).map_err(|_| not_a_pdf("negative offset"))?;
                return Ok(self.first.saturating_add(offset));
            }
        }
        Err(not_a_pdf("malformed object stream index"))
    }

    /// The object, once the stream has ended.
    pub(super) fn object(self) -> Result<Obj, Rejection> {
        if self.target.is_none() {
            return Err(not_a_pdf(
                "a compressed object is missing from its object stream",
            ));
        }
        let mut src = SliceSource::new(&self.object);
        let parsed = ObjParser::new(&mut src).value();
        match parsed {
            Err(_) if self.full => Err(too_large()),
            other => other,
        }
    }
}
