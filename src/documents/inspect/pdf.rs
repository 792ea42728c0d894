//! The PDF check, in two passes.
//!
//! **Streaming pass** (while the upload arrives): the whole file is run
//! through a strict, byte-at-a-time tokenizer ([`lexer`]) and a small
//! grammar ([`grammar`]: `N G obj … endobj`, `xref` tables, `trailer`,
//! `startxref`, comments), so bytes that are not PDF syntax
//! (`%PDF-1.7\n<html>…`, a page appended after `%%EOF`) are refused. Every
//! name token is decoded (`#xx` escapes) and compared with
//! [`ACTIVE_NAMES`], wherever it appears. Stream data is skipped up to the
//! `endstream` keyword ([`stream`]; the `/Length` is not trusted, as lenient
//! readers do not trust it), but:
//!
//! * object streams (`/Type /ObjStm`, or any stream with `/First`, which is
//!   all a lax reader needs) are decoded ([`decode`]: Flate, PNG and TIFF
//!   predictors) and their contents tokenized with the same checks, and
//!   their index must point at values ([`objstm_index`]);
//! * all other stream data is scanned as stored for the longer active names
//!   (5+ characters), without the false alarms that two-letter names like
//!   `/JS` would raise in binary data.
//!
//! The pass also records, bounded, where each top-level object header,
//! `xref` table and object or cross-reference stream lies ([`layout`]).
//!
//! **Structural pass** ([`structure`], once the upload is staged): a reader
//! does not read a PDF front to back but follows `startxref` and the
//! cross-reference sections. So the chain is read as a reader reads it
//! ([`xref`]: tables, streams, `/XRefStm`, `/Prev`), and every in-use
//! entry must point at an object header the streaming pass saw (never into a
//! comment, a string or another object), every compressed entry into an
//! object stream it checked. Object streams whose decoding needs indirect
//! values are decoded then. An encrypted file must open with the empty user
//! password ([`decrypt`]); its object streams are then decrypted and checked,
//! and one that needs a password is refused. This pass reads only the
//! cross-reference sections, the trailer and a few objects and streams, not
//! the whole file again.
//!
//! Streams that readers do not parse as objects (page contents, images,
//! fonts) are not decompressed: names inside them are inert, and skipping
//! them keeps a 200 MiB scan cheap.

mod capture;
mod decode;
mod decrypt;
mod dict_info;
mod grammar;
mod layout;
mod lexer;
mod object;
mod objstm;
mod objstm_index;
mod predictor;
mod source;
mod stream;
mod structure;
mod token;
mod xref;
mod xref_stream;

use std::path::Path;

use super::{Limits, Rejection};
use decode::Budget;
use grammar::{Parser, Top};
use layout::{ObjectKind, Outcome, StreamRecord};
use lexer::Lexer;
use stream::StreamData;

/// Names whose presence makes a PDF "active": scripts, actions that run,
/// submit or open something outside the document, attachments, multimedia
/// and XFA forms. Matched after `#xx` decoding, case-sensitively (PDF names
/// are case-sensitive), wherever they appear (catalog, names trees, pages,
/// annotations, form fields, actions chained by `/Next`).
///
/// `/OpenAction` and `/AA` are not here: they only say *when* an action
/// runs, and the dangerous actions are caught by their own `/S` names below,
/// so a destination (`/OpenAction [3 0 R /Fit]`, as LaTeX writes), `/GoTo`,
/// `/URI` and `/Named` stay accepted. `/Rendition`, `/Sound`, `/Movie` and
/// `/3D` play media through external players or scripting and no KYC
/// document needs them, so they stay refused.
const ACTIVE_NAMES: &[(&[u8], &str)] = &[
    (b"JavaScript", "/JavaScript"),
    (b"JS", "/JS"),
    (b"Launch", "/Launch"),
    (b"EmbeddedFile", "/EmbeddedFile"),
    (b"EmbeddedFiles", "/EmbeddedFiles"),
    (b"FileAttachment", "/FileAttachment"),
    (b"RichMedia", "/RichMedia"),
    (b"XFA", "/XFA"),
    (b"SubmitForm", "/SubmitForm"),
    (b"ImportData", "/ImportData"),
    (b"GoToE", "/GoToE"),
    (b"GoToR", "/GoToR"),
    (b"Rendition", "/Rendition"),
    (b"Sound", "/Sound"),
    (b"Movie", "/Movie"),
    (b"3D", "/3D"),
];

fn active_name(name: &[u8], min_len: usize) -> Result<(), Rejection> {
    if name.len() < min_len {
        return Ok(());
    }
    match ACTIVE_NAMES.iter().find(|(n, _)| *n == name) {
        Some((_, what)) => Err(Rejection::ActivePdfContent { what }),
        None => Ok(()),
    }
}

fn not_a_pdf(reason: &'static str) -> Rejection {
    Rejection::NotAPdf { reason }
}

/// The stream being read: its data, and what it is for the layout.
struct OpenStream {
    data: StreamData,
    object: u32,
    xref: bool,
    count: Option<u64>,
}

/// Streaming PDF checker for one upload.
pub(super) struct PdfScanner {
    header: [u8; 8],
    header_len: usize,
    lexer: Lexer,
    parser: Parser,
    stream: Option<OpenStream>,
    budget: Budget,
}

impl PdfScanner {
    pub(super) fn new(limits: Limits) -> Self {
        PdfScanner {
            header: [0; 8],
            header_len: 0,
            lexer: Lexer::new(),
            parser: Parser::new(Top::Ground),
            stream: None,
            budget: Budget { limits, total: 0 },
        }
    }

    pub(super) fn feed(&mut self, data: &[u8]) -> Result<(), Rejection> {
        if self.header_len < self.header.len() {
            let n = (self.header.len() - self.header_len).min(data.len());
            if let (Some(dst), Some(src)) = (
                self.header.get_mut(self.header_len..self.header_len + n),
                data.get(..n),
            ) {
                dst.copy_from_slice(src);
            }
            self.header_len += n;
            if self.header_len == self.header.len() {
                self.check_header()?;
            }
        }
        let mut rest = data;
        while !rest.is_empty() {
            let consumed = match &mut self.stream {
                Some(open) => {
                    let (consumed, ended) = open.data.feed(rest, &mut self.budget)?;
                    self.lexer.pos += u64::try_from(consumed).unwrap_or(u64::MAX);
                    if let Some(ended) = ended {
                        self.end_stream(ended)?;
                    }
                    consumed
                }
                None => {
                    let (consumed, started) = self.lexer.feed(rest, &mut self.parser)?;
                    if let Some(after_cr) = started {
                        self.start_stream(after_cr)?;
                    }
                    consumed
                }
            };
            rest = rest.get(consumed..).unwrap_or_default();
        }
        Ok(())
    }

    fn start_stream(&mut self, after_cr: bool) -> Result<(), Rejection> {
        let info = self.parser.info;
        let object_stream = if info.is_object_stream() {
            Some(objstm::Pass1::start(&info)?)
        } else {
            None
        };
        let count = match info.n {
            dict_info::Param::Int(n) => u64::try_from(n).ok(),
            _ => None,
        };
        self.stream = Some(OpenStream {
            data: StreamData::new(after_cr, self.lexer.pos, object_stream),
            object: self.parser.object,
            // A stream that is both is checked as an object stream, and then
            // is no cross-reference section.
            xref: info.xref && !info.is_object_stream(),
            count,
        });
        Ok(())
    }

    fn end_stream(&mut self, ended: stream::Ended) -> Result<(), Rejection> {
        let Some(open) = self.stream.take() else {
            return Ok(());
        };
        // `endstream` is a token like any other for the grammar (which is
        // already waiting for `endobj`).
        self.lexer.eof_marker_last = false;
        self.lexer.prev_end = self.lexer.pos;
        let layout = &mut self.parser.layout;
        match (ended.outcome, open.xref) {
            (Some(outcome), _) => layout.add_stream(
                StreamRecord {
                    object: open.object,
                    data: ended.data,
                    outcome,
                    count: open.count,
                },
                ObjectKind::ObjectStream,
            ),
            (None, true) => layout.add_stream(
                StreamRecord {
                    object: open.object,
                    data: ended.data,
                    outcome: Outcome::Checked,
                    count: None,
                },
                ObjectKind::XrefStream,
            ),
            (None, false) => Ok(()),
        }
    }

    fn check_header(&self) -> Result<(), Rejection> {
        match self.header {
            [b'%', b'P', b'D', b'F', b'-', major, b'.', minor]
                if major.is_ascii_digit() && minor.is_ascii_digit() =>
            {
                Ok(())
            }
            _ => Err(not_a_pdf("bad header")),
        }
    }

    /// After the last byte: the streaming pass's last checks, then the
    /// structural pass over the staged file at `path`.
    pub(super) fn finish(mut self, path: &Path) -> Result<(), Rejection> {
        if self.header_len < self.header.len() {
            return Err(not_a_pdf("truncated header"));
        }
        if self.stream.is_some() {
            return Err(not_a_pdf("file ends inside a stream"));
        }
        self.lexer.finish(&mut self.parser)?;
        self.parser.finish_file(self.lexer.eof_marker_last)?;
        structure::check(path, &self.parser.layout, &mut self.budget)
    }
}
