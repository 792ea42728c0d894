//! Bounded random-access reads of the staged upload for the structural pass,
//! and of decoded bytes held in memory; both behind one small trait so the
//! object parser reads either.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::documents::inspect::Rejection;

/// Read buffer of the file source.
const BUFFER: usize = 16 * 1024;

fn unreadable(_: std::io::Error) -> Rejection {
    // The file was written by us a moment ago; failing to read it back is
    // not the uploader's fault, but the file cannot be vouched for either.
    Rejection::PdfUninspectable {
        reason: "the upload could not be read back for its structure check",
    }
}

/// Bytes the object parser reads one at a time, with the ability to go back.
pub(super) trait Bytes {
    fn peek(&mut self) -> Result<Option<u8>, Rejection>;
    fn bump(&mut self);
    fn pos(&self) -> u64;
    fn seek(&mut self, pos: u64);
}

/// The staged file, read through a small buffer.
pub(super) struct FileSource {
    file: File,
    len: u64,
    buf: Vec<u8>,
    buf_start: u64,
    pos: u64,
}

impl FileSource {
    pub(super) fn open(path: &Path) -> Result<Self, Rejection> {
        let file = File::open(path).map_err(unreadable)?;
        let len = file.metadata().map_err(unreadable)?.len();
        Ok(FileSource {
            file,
            len,
            buf: Vec::with_capacity(BUFFER),
            buf_start: 0,
            pos: 0,
        })
    }

    /// Hands the bytes `start..end` to `f`, a buffer at a time.
    pub(super) fn read_range(
        &mut self,
        (start, end): (u64, u64),
        f: &mut dyn FnMut(&[u8]) -> Result<(), Rejection>,
    ) -> Result<(), Rejection> {
        let end = end.min(self.len);
        let mut at = start;
        let mut chunk = vec![0; BUFFER];
        self.file.seek(SeekFrom::Start(start)).map_err(unreadable)?;
        // Our own buffer no longer matches the file position.
        self.buf.clear();
        while at < end {
            let want = usize::try_from(end - at).unwrap_or(BUFFER).min(BUFFER);
            let piece = chunk.get_mut(..want).unwrap_or_default();
            self.file.read_exact(piece).map_err(unreadable)?;
            f(piece)?;
            at += want as u64;
        }
        Ok(())
    }
}

impl Bytes for FileSource {
    fn peek(&mut self) -> Result<Option<u8>, Rejection> {
        if self.pos >= self.len {
            return Ok(None);
        }
        let in_buffer =
            self.pos >= self.buf_start && self.pos - self.buf_start < self.buf.len() as u64;
        if !in_buffer {
            let want = usize::try_from(self.len - self.pos)
                .unwrap_or(BUFFER)
                .min(BUFFER);
            self.buf.resize(want, 0);
            self.file
                .seek(SeekFrom::Start(self.pos))
                .map_err(unreadable)?;
            self.file.read_exact(&mut self.buf).map_err(unreadable)?;
            self.buf_start = self.pos;
        }
        let index = usize::try_from(self.pos - self.buf_start).unwrap_or(usize::MAX);
        Ok(self.buf.get(index).copied())
    }

    fn bump(&mut self) {
        self.pos += 1;
    }

    fn pos(&self) -> u64 {
        self.pos
    }

    fn seek(&mut self, pos: u64) {
        self.pos = pos;
    }
}

/// Bytes in memory.
pub(super) struct SliceSource<'a> {
    data: &'a [u8],
    pos: u64,
}

impl<'a> SliceSource<'a> {
    pub(super) fn new(data: &'a [u8]) -> Self {
        SliceSource { data, pos: 0 }
    }
}

impl Bytes for SliceSource<'_> {
    fn peek(&mut self) -> Result<Option<u8>, Rejection> {
        Ok(usize::try_from(self.pos)
            .ok()
            .and_then(|i| self.data.get(i).copied()))
    }

    fn bump(&mut self) {
        self.pos += 1;
    }

    fn pos(&self) -> u64 {
        self.pos
    }

    fn seek(&mut self, pos: u64) {
        self.pos = pos;
    }
}
