//! What the streaming pass remembers of the file's layout for the structural
//! pass: where each top-level object, `xref` table and stream lies. Bounded:
//! beyond the caps the file is refused as one that cannot be checked.

use crate::documents::inspect::Rejection;

/// Most top-level objects remembered (24 bytes each, so at most 6 MiB).
pub(super) const MAX_OBJECTS: usize = 1 << 18;
/// Most cross-reference sections (one per incremental update) accepted.
pub(super) const MAX_XREF_SECTIONS: usize = 4096;
/// Most object and cross-reference streams remembered (about 72 bytes each).
pub(super) const MAX_STREAMS: usize = 1 << 15;

/// An `N G obj` header at the top level of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ObjectRecord {
    /// Offset of the object number.
    pub(super) start: u64,
    /// Length of the white space before it (see [`ObjectRecord::covers`]).
    pub(super) gap: u32,
    pub(super) num: u32,
    pub(super) generation: u16,
    pub(super) kind: ObjectKind,
}

impl ObjectRecord {
    /// Whether a reader sent to `offset` reads this object's header: at it,
    /// or in the white space just before it (readers skip white space).
    pub(super) fn covers(&self, offset: u64) -> bool {
        self.start.saturating_sub(u64::from(self.gap)) <= offset && offset <= self.start
    }
}

/// What kind of object a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ObjectKind {
    Plain,
    /// A stream used as an object stream (index into [`Layout::streams`]).
    ObjectStream(u32),
    /// A cross-reference stream (index into [`Layout::streams`]).
    XrefStream(u32),
}

/// How the streaming pass fared with an object stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Decoded and every object in it checked.
    Checked,
    /// Decoding or checking failed; that is final unless the file turns out
    /// to be encrypted (then the bytes were ciphertext).
    Held(Rejection),
    /// Its dictionary refers to other objects for how to decode it.
    Deferred,
}

/// A stream whose data the structural pass may need to read again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct StreamRecord {
    /// Index into [`Layout::objects`].
    pub(super) object: u32,
    /// The data: after the line break that follows `stream`, up to `endstream`.
    pub(super) data: (u64, u64),
    /// For object streams; cross-reference streams are always `Checked`.
    pub(super) outcome: Outcome,
    /// How many objects an object stream holds, if its `/N` is direct.
    pub(super) count: Option<u64>,
}

/// Everything the structural pass needs from the streaming one.
#[derive(Debug, Default)]
pub(super) struct Layout {
    /// In file order, so sorted by `start`.
    pub(super) objects: Vec<ObjectRecord>,
    /// (start of the white space before, offset) of every `xref` keyword.
    pub(super) xref_tables: Vec<(u64, u64)>,
    pub(super) streams: Vec<StreamRecord>,
    /// The offset after the last `startxref`.
    pub(super) startxref: Option<i64>,
    /// Some trailer named a catalog.
    pub(super) root: bool,
}

fn too_many(reason: &'static str) -> Rejection {
    Rejection::PdfUninspectable { reason }
}

impl Layout {
    pub(super) fn add_object(&mut self, record: ObjectRecord) -> Result<(), Rejection> {
        if self.objects.len() >= MAX_OBJECTS {
            return Err(too_many("too many objects"));
        }
        self.objects.push(record);
        Ok(())
    }

    pub(super) fn add_xref_table(&mut self, gap: u64, start: u64) -> Result<(), Rejection> {
        if self.xref_tables.len() >= MAX_XREF_SECTIONS {
            return Err(too_many("too many cross-reference sections"));
        }
        self.xref_tables.push((gap, start));
        Ok(())
    }

    /// Marks the last object as a stream of `kind` (given the stream's index).
    pub(super) fn add_stream(
        &mut self,
        record: StreamRecord,
        kind: fn(u32) -> ObjectKind,
    ) -> Result<(), Rejection> {
        if self.streams.len() >= MAX_STREAMS {
            return Err(too_many("too many object streams"));
        }
        let index = u32::try_from(self.streams.len()).unwrap_or(u32::MAX);
        if let Some(object) = self.objects.get_mut(record.object as usize) {
            object.kind = kind(index);
        }
        self.streams.push(record);
        Ok(())
    }

    /// The object whose header a reader sent to `offset` reads.
    pub(super) fn object_at(&self, offset: u64) -> Option<&ObjectRecord> {
        let after = self.objects.partition_point(|o| o.start < offset);
        self.objects.get(after).filter(|o| o.covers(offset))
    }

    /// Whether a reader sent to `offset` reads an `xref` keyword.
    pub(super) fn xref_table_at(&self, offset: u64) -> Option<u64> {
        self.xref_tables
            .iter()
            .find(|&&(gap, start)| gap <= offset && offset <= start)
            .map(|&(_, start)| start)
    }
}
