//! Content inspection for uploaded KYC documents.
//!
//! The type of an upload is decided from its bytes only (never its name or
//! declared Content-Type). Only PDF, JPEG and PNG are accepted; everything
//! else (HTML, SVG, scripts, archives, executables, empty or unknown files) is
//! refused with a [`Rejection`] whose `Display` is an English sentence fit to
//! return to the caller.
//!
//! # Bounded memory
//!
//! The [`Inspector`] is fed the upload chunk by chunk while it streams to a
//! temporary file and never keeps the file in memory. Every parser here is a
//! byte-level state machine, so chunk boundaries can fall anywhere (even
//! inside a PDF name such as `/Java|Script`). What one upload keeps while it
//! streams: a 512-byte sniffing buffer, the PDF tokenizer's nesting stack (at
//! most 64 frames), and only while inside an object stream one zlib state
//! (~45 KiB), a 16 KiB output window, two predictor rows (at most 64 KiB
//! each) and its index (at most 1 MiB). For the structural pass it also
//! records 24 bytes per top-level PDF object (at most 262,144 objects, so
//! 6 MiB), 16 bytes per `xref` table (at most 4096) and about 72 bytes per
//! object or cross-reference stream (at most 32,768); an ordinary PDF has a
//! few hundred objects, so a few KiB.
//!
//! [`Inspector::finish`] then runs the PDF's structural pass over the staged
//! file in bounded reads: a 16 KiB read buffer, a table of 8 bytes per object
//! number the cross-reference sections use (at most 2^19 numbers, 4 MiB),
//! the trailer and a few small parsed objects (each at most 256 KiB of input
//! and 16,384 values), and for the object streams it decodes again the same
//! fixed pipeline as above. A hostile file built to hit every cap at once
//! costs under 20 MiB; an ordinary upload stays under 200 KiB whatever its
//! size, and a 200 MiB PDF is scanned with no growth.
//!
//! # What the PDF check does
//!
//! See the `pdf` submodule: a strict streaming tokenizer and grammar over the
//! whole file (so `%PDF-` followed by HTML, or HTML after `%%EOF`, is not a
//! PDF); every name decoded (`#xx`) and matched against a list of active
//! content names (`/JavaScript`, `/JS`, `/Launch`, `/EmbeddedFile(s)`,
//! `/FileAttachment`, `/RichMedia`, `/XFA`, `/SubmitForm`, ...); object
//! streams decoded incrementally under [`Limits`] and checked the same way;
//! other stream data scanned raw for the longer names. Then the structural
//! pass proves that the objects a reader loads through the cross-reference
//! chain are the ones the tokenizer checked, and opens encrypted files with
//! the empty password (refusing those that need one).

mod image;
mod pdf;
mod sniff;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::Path;

use sniff::{Sniff, sniff};

/// What a file was found to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A PDF document without active content.
    Pdf,
    /// A JPEG image.
    Jpeg,
    /// A PNG image.
    Png,
}

impl FileKind {
    /// The MIME type to store and serve the file with.
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }

    /// The file name extension (without dot) to store the file with.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
        }
    }

    /// Short human name used in messages ("PDF", "JPEG", "PNG").
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Jpeg => "JPEG",
            FileKind::Png => "PNG",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a refused file looked like, when it is not one of the accepted kinds.
///
/// Only used to word the refusal; the file is refused whatever it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherKind {
    /// An HTML page (starts with `<!DOCTYPE html`, `<html`, `<script`, ...).
    Html,
    /// An SVG image (it can carry scripts, so it is never accepted).
    Svg,
    /// Another XML document.
    Xml,
    /// A script with a `#!` interpreter line.
    Script,
    /// A ZIP, gzip, 7-Zip, RAR, bzip2 or xz archive (includes Office files).
    Archive,
    /// A program: ELF, Windows PE (`MZ`), Mach-O or Java class file.
    Executable,
    /// An image format other than JPEG or PNG (GIF, WebP, TIFF, BMP, HEIC, AVIF).
    OtherImage,
    /// Plain text.
    Text,
    /// Nothing recognisable.
    Unknown,
}

impl OtherKind {
    /// The English description used in [`Rejection`] messages.
    pub fn description(self) -> &'static str {
        match self {
            OtherKind::Html => "an HTML page",
            OtherKind::Svg => "an SVG image",
            OtherKind::Xml => "an XML document",
            OtherKind::Script => "a script",
            OtherKind::Archive => "a compressed archive",
            OtherKind::Executable => "a program",
            OtherKind::OtherImage => "an image in a format other than JPEG or PNG",
            OtherKind::Text => "a text file",
            OtherKind::Unknown => "of an unrecognised type",
        }
    }
}

impl fmt::Display for OtherKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// Why a file was refused.
///
/// `Display` is a complete English sentence for the API response; the UI
/// localises by variant, so each variant stands for one thing the user can act on.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum Rejection {
    /// The upload contained no bytes.
    #[error("The file is empty.")]
    Empty,
    /// The bytes are not a PDF, JPEG or PNG.
    #[error("The file is {found}; only PDF, JPEG and PNG files are accepted.")]
    UnsupportedType {
        /// What the file looked like.
        found: OtherKind,
    },
    /// The file starts like a PDF but is not a well-formed PDF.
    #[error("The file starts like a PDF but is not a valid PDF document ({reason}).")]
    NotAPdf {
        /// Technical detail for logs.
        reason: &'static str,
    },
    /// The PDF contains scripts, actions, attachments or other active content.
    #[error(
        "The PDF contains active content ({what}) such as scripts, automatic actions or embedded files, which is not accepted; please print it to a new PDF or upload a scan."
    )]
    ActivePdfContent {
        /// The PDF name that was found, e.g. `/JavaScript`.
        what: &'static str,
    },
    /// The PDF uses a structure this inspector cannot check, so it cannot be vouched for.
    #[error(
        "The PDF could not be checked for active content ({reason}); please print it to a new PDF and upload that."
    )]
    PdfUninspectable {
        /// Technical detail for logs.
        reason: &'static str,
    },
    /// The PDF is encrypted and needs a password to open, so staff could not
    /// read it (files that open without one are decrypted and checked).
    #[error("The PDF is protected with a password; please upload a copy without one.")]
    PdfPasswordProtected,
    /// A compressed part of the PDF expands beyond the configured limit
    /// (a decompression bomb, or an unusually large object stream).
    #[error(
        "A compressed part of the PDF expands to more than {limit} bytes, which is not accepted."
    )]
    DecompressionLimit {
        /// The limit that was exceeded, in decompressed bytes.
        limit: u64,
    },
    /// The image header (dimensions) is missing, truncated or invalid.
    #[error("The {kind} image header is missing or damaged.")]
    ImageHeader {
        /// The image format.
        kind: FileKind,
    },
    /// The image header is fine but the rest of the file is truncated or corrupt.
    #[error("The {kind} image is truncated or corrupt ({reason}).")]
    DamagedImage {
        /// The image format.
        kind: FileKind,
        /// Technical detail for logs.
        reason: &'static str,
    },
    /// The image claims more pixels than allowed.
    #[error("The image is {width} x {height} pixels, more than the {max_pixels} pixels allowed.")]
    TooManyPixels {
        /// Width from the image header.
        width: u32,
        /// Height from the image header.
        height: u32,
        /// The configured limit.
        max_pixels: u64,
    },
}

/// Limits applied while inspecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted `width * height` for images.
    pub max_pixels: u64,
    /// Largest decompressed size of one PDF object or cross-reference stream.
    /// Exceeding it refuses the file ([`Rejection::DecompressionLimit`]):
    /// the objects it holds could not all be checked.
    pub max_object_stream_bytes: u64,
    /// Largest decompressed size of all object streams of one PDF together;
    /// exceeding it also refuses the file. Bounds CPU time, not memory
    /// (memory is bounded by the fixed decompression window anyway).
    pub max_total_object_stream_bytes: u64,
}

impl Default for Limits {
    /// 50 megapixels (an A4 page scanned at 600 dpi is ~35 MP); object
    /// streams up to 32 MiB each and 256 MiB in total (real ones are rarely
    /// over 1 MiB).
    fn default() -> Self {
        Limits {
            max_pixels: 50_000_000,
            max_object_stream_bytes: 32 * 1024 * 1024,
            max_total_object_stream_bytes: 256 * 1024 * 1024,
        }
    }
}

/// How many leading bytes are used to classify a refused file. Fixed so the
/// result does not depend on how the upload was chunked.
const SNIFF_LEN: usize = 512;
/// Bytes needed to recognise every accepted signature (the PNG one is 8).
const SIGNATURE_LEN: usize = 8;
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Incremental inspector: feed every chunk in order, then finish.
pub struct Inspector {
    limits: Limits,
    state: State,
}

enum State {
    /// Still collecting the first bytes.
    Sniffing(Vec<u8>),
    Pdf(Box<pdf::PdfScanner>),
    Jpeg(image::JpegWalker),
    Png(image::PngWalker),
    /// Refused already; every later call returns the same answer.
    Rejected(Rejection),
}

impl Inspector {
    /// A fresh inspector for one upload.
    pub fn new(limits: Limits) -> Self {
        Inspector {
            limits,
            state: State::Sniffing(Vec::with_capacity(SNIFF_LEN)),
        }
    }

    /// Feed the next chunk. Cheap (linear in the chunk); returns a rejection as
    /// soon as one is certain (wrong type, active PDF content, too many pixels,
    /// ...) so the caller can stop receiving the upload.
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), Rejection> {
        let result = self.update_inner(chunk);
        if let Err(rejection) = &result {
            self.state = State::Rejected(rejection.clone());
        }
        result
    }

    fn update_inner(&mut self, chunk: &[u8]) -> Result<(), Rejection> {
        let mut rest = chunk;
        if let State::Sniffing(head) = &mut self.state {
            let take = rest.len().min(SNIFF_LEN.saturating_sub(head.len()));
            let (now, later) = rest.split_at(take);
            head.extend_from_slice(now);
            rest = later;
            match sniff(head, false) {
                Sniff::NeedMore => return Ok(()),
                Sniff::Refused(rejection) => return Err(rejection),
                Sniff::Accepted(kind) => {
                    let head = std::mem::take(head);
                    self.state = self.start(kind);
                    // The parsers see the file from offset 0, so replay the head.
                    self.feed_parser(&head)?;
                }
            }
        }
        self.feed_parser(rest)
    }

    fn start(&self, kind: FileKind) -> State {
        match kind {
            FileKind::Pdf => State::Pdf(Box::new(pdf::PdfScanner::new(self.limits))),
            FileKind::Jpeg => State::Jpeg(image::JpegWalker::new(self.limits.max_pixels)),
            FileKind::Png => State::Png(image::PngWalker::new(self.limits.max_pixels)),
        }
    }

    fn feed_parser(&mut self, data: &[u8]) -> Result<(), Rejection> {
        if data.is_empty() {
            return Ok(());
        }
        match &mut self.state {
            State::Sniffing(_) => Ok(()),
            State::Pdf(scanner) => scanner.feed(data),
            State::Jpeg(walker) => walker.feed(data),
            State::Png(walker) => walker.feed(data),
            State::Rejected(rejection) => Err(rejection.clone()),
        }
    }

    /// Conclude after the last chunk.
    ///
    /// `path` is the finished temporary file holding exactly the fed bytes:
    /// a PDF's structural pass reads its cross-reference sections and the
    /// few objects and streams it needs from there (blocking file reads, so
    /// call this off the async runtime).
    pub fn finish(mut self, path: &Path) -> Result<FileKind, Rejection> {
        if let State::Sniffing(head) = &mut self.state {
            match sniff(head, true) {
                Sniff::NeedMore => return Err(Rejection::Empty),
                Sniff::Refused(rejection) => return Err(rejection),
                Sniff::Accepted(kind) => {
                    let head = std::mem::take(head);
                    self.state = self.start(kind);
                    self.feed_parser(&head)?;
                }
            }
        }
        match self.state {
            State::Sniffing(_) => Err(Rejection::Empty),
            State::Pdf(scanner) => scanner.finish(path).map(|()| FileKind::Pdf),
            State::Jpeg(walker) => walker.finish().map(|()| FileKind::Jpeg),
            State::Png(walker) => walker.finish().map(|()| FileKind::Png),
            State::Rejected(rejection) => Err(rejection),
        }
    }
}
