//! The cross-reference chain, read as a reader reads it: from the last
//! `startxref`, every section (tables and streams), `/XRefStm` of hybrid
//! files and `/Prev` of incremental updates. Each in-use entry must point
//! at an object header the streaming pass saw, with the same number and
//! generation, and each compressed entry into an object stream it checked.

use super::decode::{Budget, Decoder};
use super::layout::{Layout, ObjectKind, ObjectRecord};
use super::not_a_pdf;
use super::object::{Dict, Obj, ObjParser, Token};
use super::source::{Bytes, FileSource};
use super::xref_stream::{EntryReader, StreamFormat};
use crate::documents::inspect::Rejection;

/// Object numbers from here on are refused (the newest entry of each is
/// kept in a table of 8 bytes per number, so at most 4 MiB).
const MAX_OBJECT_NUMBER: u64 = 1 << 19;
/// Most entries read over all sections.
const MAX_ENTRIES: u64 = 1 << 22;

const UNSET: u64 = 0;
const FREE: u64 = 1;
const COMPRESSED: u64 = 1 << 63;

/// One cross-reference entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Entry {
    Free,
    InUse { offset: u64, generation: u16 },
    Compressed { container: u32, index: u32 },
}

/// What an object number resolves to, by the newest section defining it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Newest<'a> {
    Absent,
    Object(&'a ObjectRecord),
    Compressed { container: u32, index: u32 },
}

/// The cross-reference view of the file.
pub(super) struct Xref {
    /// Per object number: `UNSET`, `FREE`, `COMPRESSED | container << 32 |
    /// index`, or the index of the object's record plus 2.
    slots: Vec<u64>,
    /// The number of every object stream the streaming pass saw (sorted),
    /// with the highest index a compressed entry uses in it.
    containers: Vec<(u32, Option<u32>)>,
    entries: u64,
    /// The newest trailer (or cross-reference stream dictionary).
    pub(super) trailer: Dict,
}

pub(super) fn malformed(reason: &'static str) -> Rejection {
    not_a_pdf(reason)
}

impl Xref {
    /// Reads and checks the whole chain.
    pub(super) fn read(
        layout: &Layout,
        src: &mut FileSource,
        budget: &mut Budget,
    ) -> Result<Xref, Rejection> {
        let mut xref = Xref {
            slots: Vec::new(),
            containers: object_stream_numbers(layout),
            entries: 0,
            trailer: Dict::default(),
        };
        let Some(start) = layout.startxref.and_then(|v| u64::try_from(v).ok()) else {
            return Err(malformed("missing startxref"));
        };
        // Sections in the order readers take them: a table, then its
        // `/XRefStm`, then `/Prev`s (of the stream too), so the first entry
        // for a number is the one a reader uses.
        let mut visited: Vec<u64> = Vec::new();
        let mut queue = std::collections::VecDeque::from([(start, true)]);
        while let Some((offset, table_allowed)) = queue.pop_front() {
            let dict = xref.section(layout, src, budget, offset, &mut visited, table_allowed)?;
            if visited.len() == 1 {
                xref.trailer = dict.clone();
            }
            if table_allowed && let Some(at) = offset_entry(&dict, b"XRefStm")? {
                queue.push_back((at, false));
            }
            if let Some(prev) = offset_entry(&dict, b"Prev")? {
                queue.push_back((prev, true));
            }
        }
        xref.check_containers(layout)?;
        Ok(xref)
    }

    /// Reads the section at `offset` (a table only if `table_allowed`);
    /// returns its trailer dictionary.
    fn section(
        &mut self,
        layout: &Layout,
        src: &mut FileSource,
        budget: &mut Budget,
        offset: u64,
        visited: &mut Vec<u64>,
        table_allowed: bool,
    ) -> Result<Dict, Rejection> {
        if visited.contains(&offset) {
            return Err(malformed("cross-reference sections form a loop"));
        }
        if visited.len() >= super::layout::MAX_XREF_SECTIONS {
            return Err(Rejection::PdfUninspectable {
                reason: "too many cross-reference sections",
            });
        }
        visited.push(offset);
        if table_allowed && let Some(start) = layout.xref_table_at(offset) {
            return self.table(layout, src, start);
        }
        match layout.object_at(offset) {
            Some(
                record @ ObjectRecord {
                    kind: ObjectKind::XrefStream(stream),
                    ..
                },
            ) => {
                let data = layout
                    .streams
                    .get(*stream as usize)
                    .map(|s| s.data)
                    .ok_or_else(|| malformed("cross-reference stream without data"))?;
                self.stream(layout, src, budget, record, data)
            }
            _ => Err(malformed(
                "startxref or /Prev does not point to a cross-reference section",
            )),
        }
    }

    fn table(
        &mut self,
        layout: &Layout,
        src: &mut FileSource,
        start: u64,
    ) -> Result<Dict, Rejection> {
        src.seek(start);
        let mut parser = ObjParser::new(src);
        if parser.token()? != Token::Keyword(b"xref".to_vec()) {
            return Err(malformed("cross-reference table expected"));
        }
        loop {
            let first = match parser.token()? {
                Token::Keyword(k) if k == b"trailer" => break,
                Token::Int(first) => first,
                _ => return Err(malformed("malformed cross-reference table")),
            };
            let Token::Int(count) = parser.token()? else {
                return Err(malformed("malformed cross-reference table"));
            };
            let (Ok(first), Ok(count)) = (u64::try_from(first), u64::try_from(count)) else {
                return Err(malformed("malformed cross-reference table"));
            };
            for num in first..first.saturating_add(count) {
                let (Token::Int(offset), Token::Int(generation), Token::Keyword(kind)) =
                    (parser.token()?, parser.token()?, parser.token()?)
                else {
                    return Err(malformed("malformed cross-reference entry"));
                };
                let entry = match kind.as_slice() {
                    b"f" => Entry::Free,
                    b"n" => Entry::InUse {
                        offset: u64::try_from(offset)
                            .map_err(|_| malformed("negative cross-reference offset"))?,
                        generation: u16::try_from(generation)
                            .map_err(|_| malformed("malformed cross-reference entry"))?,
                    },
                    _ => return Err(malformed("malformed cross-reference entry")),
                };
                self.entry(layout, num, entry)?;
            }
        }
        match parser.value()? {
            Obj::Dict(dict) => Ok(dict),
            _ => Err(malformed("trailer without a dictionary")),
        }
    }

    fn stream(
        &mut self,
        layout: &Layout,
        src: &mut FileSource,
        budget: &mut Budget,
        record: &ObjectRecord,
        data: (u64, u64),
    ) -> Result<Dict, Rejection> {
        src.seek(record.start);
        let mut parser = ObjParser::new(src);
        parser.object_header()?;
        let Obj::Dict(dict) = parser.value()? else {
            return Err(malformed("cross-reference stream without a dictionary"));
        };
        let layout_of = StreamFormat::of(&dict)?;
        let mut decoder = Decoder::new(layout_of.encoding, None);
        let mut reader = EntryReader::new(&layout_of);
        src.read_range(data, &mut |chunk| {
            decoder.push(chunk, budget, &mut |bytes| {
                reader.push(bytes, &mut |num, entry| self.entry(layout, num, entry))
            })
        })?;
        decoder.finish(budget, &mut |bytes| {
            reader.push(bytes, &mut |num, entry| self.entry(layout, num, entry))
        })?;
        if !reader.complete() {
            return Err(malformed("cross-reference stream shorter than its index"));
        }
        Ok(dict)
    }

    /// One entry of some section; sections come newest first.
    fn entry(&mut self, layout: &Layout, num: u64, entry: Entry) -> Result<(), Rejection> {
        self.entries += 1;
        if self.entries > MAX_ENTRIES || num >= MAX_OBJECT_NUMBER {
            return Err(Rejection::PdfUninspectable {
                reason: "too many objects",
            });
        }
        let slot = match entry {
            Entry::Free => FREE,
            Entry::InUse { offset, generation } => {
                let index = layout.objects.partition_point(|o| o.start < offset);
                match layout.objects.get(index) {
                    Some(o)
                        if o.covers(offset)
                            && u64::from(o.num) == num
                            && o.generation == generation =>
                    {
                        index as u64 + 2
                    }
                    _ => {
                        return Err(malformed(
                            "a cross-reference entry does not point at its object",
                        ));
                    }
                }
            }
            Entry::Compressed { container, index } => {
                let found = self
                    .containers
                    .binary_search_by_key(&container, |&(c, _)| c)
                    .ok()
                    .and_then(|i| self.containers.get_mut(i));
                let Some((_, highest)) = found else {
                    return Err(malformed(
                        "a compressed object's container is not an object stream",
                    ));
                };
                *highest = Some(highest.map_or(index, |h| h.max(index)));
                COMPRESSED | u64::from(container) << 32 | u64::from(index)
            }
        };
        let num = usize::try_from(num).unwrap_or(usize::MAX);
        if self.slots.len() <= num {
            self.slots.resize(num + 1, UNSET);
        }
        if let Some(existing) = self.slots.get_mut(num)
            && *existing == UNSET
        {
            *existing = slot;
        }
        Ok(())
    }

    /// Every container of a compressed entry must be, by the newest entry
    /// for its number, an object stream the streaming pass saw, holding that
    /// many objects (if it said how many).
    fn check_containers(&self, layout: &Layout) -> Result<(), Rejection> {
        for &(container, highest) in &self.containers {
            let Some(highest) = highest else {
                continue;
            };
            let Newest::Object(record) = self.newest(layout, container) else {
                return Err(malformed("a compressed object's container does not exist"));
            };
            let ObjectKind::ObjectStream(stream) = record.kind else {
                return Err(malformed(
                    "a compressed object's container is not an object stream",
                ));
            };
            if let Some(n) = layout.streams.get(stream as usize).and_then(|s| s.count)
                && u64::from(highest) >= n
            {
                return Err(malformed(
                    "a compressed object's index is past its container",
                ));
            }
        }
        Ok(())
    }

    /// The highest index used in `container` (to check once its count is known).
    pub(super) fn highest_index(&self, container: u32) -> Option<u32> {
        self.containers
            .binary_search_by_key(&container, |&(c, _)| c)
            .ok()
            .and_then(|i| self.containers.get(i))
            .and_then(|&(_, highest)| highest)
    }

    /// What object `num` is, by its newest entry.
    pub(super) fn newest<'l>(&self, layout: &'l Layout, num: u32) -> Newest<'l> {
        match self.slots.get(num as usize).copied().unwrap_or(UNSET) {
            UNSET | FREE => Newest::Absent,
            slot if slot & COMPRESSED != 0 => Newest::Compressed {
                container: ((slot & !COMPRESSED) >> 32) as u32,
                index: slot as u32,
            },
            slot => layout
                .objects
                .get((slot - 2) as usize)
                .map_or(Newest::Absent, Newest::Object),
        }
    }
}

/// The numbers of the object streams the streaming pass saw, sorted.
fn object_stream_numbers(layout: &Layout) -> Vec<(u32, Option<u32>)> {
    let mut numbers: Vec<(u32, Option<u32>)> = layout
        .objects
        .iter()
        .filter(|o| matches!(o.kind, ObjectKind::ObjectStream(_)))
        .map(|o| (o.num, None))
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// A direct offset entry (`/Prev`, `/XRefStm`) of a trailer.
fn offset_entry(dict: &Dict, key: &[u8]) -> Result<Option<u64>, Rejection> {
    match dict.get(key) {
        None => Ok(None),
        Some(Obj::Int(at)) => u64::try_from(*at)
            .map(Some)
            .map_err(|_| malformed("negative cross-reference offset")),
        Some(_) => Err(malformed("a cross-reference offset is not a number")),
    }
}
