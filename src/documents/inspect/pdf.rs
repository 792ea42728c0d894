//! Streaming PDF check.
//!
//! The whole file is run through a strict, byte-at-a-time PDF tokenizer and a
//! small grammar (`N G obj … endobj`, `xref` tables, `trailer`, `startxref`,
//! comments), so bytes that are not PDF syntax (`%PDF-1.7\n<html>…`, a page
//! appended after `%%EOF`) are refused. Every name token is decoded (`#xx`
//! escapes) and compared with [`ACTIVE_NAMES`]. Stream data is skipped up to
//! the `endstream` keyword (the `/Length` is not trusted, like lenient readers
//! do), but:
//!
//! * object streams (`/Type /ObjStm`, or any stream with `/First`, which is
//!   all a lax reader needs to use it as one) are inflated incrementally and
//!   their contents tokenized with the same checks; exceeding the size caps
//!   refuses the file, since unchecked objects cannot be vouched for;
//! * all other stream data is scanned as stored for the longer active names
//!   (5+ characters), which catches objects smuggled inside stream data and
//!   reached through a forged cross-reference offset, without the false
//!   alarms that two-letter names like `/JS` would raise in binary data.
//!
//! Streams that readers do not parse as objects (page contents, images,
//! fonts) are not decompressed: names inside them are inert, and skipping
//! them keeps a 200 MiB scan cheap.
//!
//! At the end the file must close with `%%EOF`, contain at least one object
//! and a `/Root`, and its last `startxref` must point at an `xref` table or a
//! cross-reference stream seen during the scan.

use super::{Limits, Rejection};
use flate2::{Decompress, FlushDecompress, Status};

/// Deepest nesting of arrays and dictionaries accepted.
pub(super) const MAX_DEPTH: usize = 64;
/// Most cross-reference sections (one per incremental update) accepted.
pub(super) const MAX_XREF_CANDIDATES: usize = 4096;
/// Names are kept up to this many decoded bytes; longer ones cannot be any
/// of the names we look for, so only "too long" is remembered.
const NAME_CAP: usize = 32;
/// Decompression output window for object streams.
const INFLATE_WINDOW: usize = 16 * 1024;
/// Stream data shorter names are not looked for (see module docs).
const RAW_MIN_LEN: usize = 5;
const ENDSTREAM: &[u8; 9] = b"endstream";

/// Names whose presence makes a PDF "active": scripts, actions that run or
/// open something, attachments, multimedia and XFA forms. Matched after
/// `#xx` decoding, case-sensitively (PDF names are case-sensitive).
const ACTIVE_NAMES: &[(&[u8], &str)] = &[
    (b"JavaScript", "/JavaScript"),
    (b"JS", "/JS"),
    (b"Launch", "/Launch"),
    (b"OpenAction", "/OpenAction"),
    (b"AA", "/AA"),
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

fn is_whitespace(b: u8) -> bool {
    matches!(b, 0 | b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_whitespace(b) && !is_delimiter(b)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy)]
enum Escape {
    None,
    Hash,
    /// `#` and one hex digit (kept as written, in case no second digit follows).
    Hi(u8),
}

/// Accumulates one name, decoding `#xx` escapes, across chunk boundaries.
#[derive(Debug, Clone, Copy)]
struct NameAcc {
    buf: [u8; NAME_CAP],
    len: usize,
    overflow: bool,
    /// A decoded NUL was seen; later bytes are ignored.
    truncated: bool,
    escape: Escape,
}

impl NameAcc {
    fn new() -> Self {
        NameAcc {
            buf: [0; NAME_CAP],
            len: 0,
            overflow: false,
            truncated: false,
            escape: Escape::None,
        }
    }

    fn reset(&mut self) {
        self.len = 0;
        self.overflow = false;
        self.truncated = false;
        self.escape = Escape::None;
    }

    fn put(&mut self, b: u8) {
        if self.truncated {
            return;
        }
        if b == 0 {
            // `#00` is not allowed in names; a reader using C strings would
            // stop there, so match on what comes before it.
            self.truncated = true;
            return;
        }
        match self.buf.get_mut(self.len) {
            Some(slot) => {
                *slot = b;
                self.len += 1;
            }
            None => self.overflow = true,
        }
    }

    /// Add one regular character of the name as written.
    fn push(&mut self, b: u8) {
        match self.escape {
            Escape::None => {}
            Escape::Hash => {
                if let Some(h) = hex_value(b) {
                    self.escape = Escape::Hi(h);
                    return;
                }
                // Not an escape after all: keep the `#` literally.
                self.put(b'#');
                self.escape = Escape::None;
            }
            Escape::Hi(h) => {
                self.escape = Escape::None;
                if let Some(l) = hex_value(b) {
                    self.put((h << 4) | l);
                    return;
                }
                self.put(b'#');
                self.put(if h < 10 { b'0' + h } else { b'a' + h - 10 });
            }
        }
        if b == b'#' {
            self.escape = Escape::Hash;
        } else {
            self.put(b);
        }
    }

    /// The decoded name, or `None` if it was longer than [`NAME_CAP`].
    fn end(&mut self) -> Option<&[u8]> {
        match std::mem::replace(&mut self.escape, Escape::None) {
            Escape::None => {}
            Escape::Hash => self.put(b'#'),
            Escape::Hi(h) => {
                self.put(b'#');
                self.put(if h < 10 { b'0' + h } else { b'a' + h - 10 });
            }
        }
        if self.overflow {
            None
        } else {
            self.buf.get(..self.len)
        }
    }
}

/// Accumulates one regular (non-delimited) token: a number or a keyword.
#[derive(Debug, Clone, Copy)]
struct Word {
    buf: [u8; 16],
    len: usize,
    /// Only `[+-]digits[.digits]` characters so far.
    number_ok: bool,
    dot: bool,
    digits: bool,
    negative: bool,
    /// Integer value, `None` once it overflows (then it is just a real).
    value: Option<i64>,
}

impl Word {
    fn new() -> Self {
        Word {
            buf: [0; 16],
            len: 0,
            number_ok: true,
            dot: false,
            digits: false,
            negative: false,
            value: Some(0),
        }
    }

    fn push(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
        }
        let first = self.len == 0;
        self.len = self.len.saturating_add(1);
        match b {
            b'+' | b'-' if first => self.negative = b == b'-',
            b'.' if !self.dot => self.dot = true,
            b'0'..=b'9' => {
                self.digits = true;
                if !self.dot {
                    self.value = self
                        .value
                        .and_then(|v| v.checked_mul(10))
                        .and_then(|v| v.checked_add(i64::from(b - b'0')));
                }
            }
            _ => self.number_ok = false,
        }
    }

    fn token(&self) -> Result<Tok<'_>, Rejection> {
        let first = self.buf.first().copied().unwrap_or(0);
        if first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.') {
            if !self.number_ok || !self.digits {
                return Err(not_a_pdf("malformed number"));
            }
            return Ok(match (self.dot, self.value) {
                (false, Some(v)) => Tok::Int(if self.negative { -v } else { v }),
                _ => Tok::Real,
            });
        }
        match self.buf.get(..self.len) {
            Some(keyword) => Ok(Tok::Keyword(keyword)),
            None => Err(not_a_pdf("unknown keyword")),
        }
    }
}

/// One lexical token.
#[derive(Debug, Clone, Copy)]
enum Tok<'a> {
    Int(i64),
    Real,
    /// Decoded name; `None` if too long to be interesting.
    Name(Option<&'a [u8]>),
    Str,
    Keyword(&'a [u8]),
    DictOpen,
    DictClose,
    ArrayOpen,
    ArrayClose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LexState {
    Ground,
    Comment,
    Name,
    Word,
    /// Inside `( … )`.
    LitString,
    /// Inside `< … >`.
    HexString,
    /// After `<`: dictionary or hex string.
    Less,
    /// After `>`: must be the second `>` of `>>`.
    Greater,
}

/// What the caller must do after a byte.
enum Flow {
    Continue,
    /// A `stream` keyword was read; its data follows. `after_cr` means the
    /// keyword ended with CR, so a following LF still belongs to the EOL.
    Stream {
        info: DictInfo,
        after_cr: bool,
    },
}

/// Byte-level PDF lexer; works across arbitrary chunk boundaries.
struct Lexer {
    state: LexState,
    name: NameAcc,
    word: Word,
    /// Absolute offset of the next byte.
    pos: u64,
    /// Start of the current regular token and end of the token before it.
    word_start: u64,
    word_gap: u64,
    prev_end: u64,
    string_depth: u32,
    string_escape: bool,
    comment: [u8; 4],
    comment_len: usize,
    /// The last thing read (ignoring whitespace) was a `%%EOF` comment.
    eof_marker_last: bool,
}

impl Lexer {
    fn new() -> Self {
        Lexer {
            state: LexState::Ground,
            name: NameAcc::new(),
            word: Word::new(),
            pos: 0,
            word_start: 0,
            word_gap: 0,
            prev_end: 0,
            string_depth: 0,
            string_escape: false,
            comment: [0; 4],
            comment_len: 0,
            eof_marker_last: false,
        }
    }

    /// Lex `data` until it ends or a `stream` keyword starts stream data.
    /// Returns the bytes consumed and, if so, the stream that starts.
    fn feed(
        &mut self,
        data: &[u8],
        parser: &mut Parser,
    ) -> Result<(usize, Option<(DictInfo, bool)>), Rejection> {
        for (i, &b) in data.iter().enumerate() {
            let flow = self.step(b, parser);
            self.pos += 1;
            if let Flow::Stream { info, after_cr } = flow? {
                return Ok((i + 1, Some((info, after_cr))));
            }
        }
        Ok((data.len(), None))
    }

    fn emit(&mut self, tok: Tok<'_>, parser: &mut Parser, end: u64) -> Result<Flow, Rejection> {
        self.eof_marker_last = false;
        self.prev_end = end;
        parser.token(tok, self.word_start, self.word_gap)
    }

    fn step(&mut self, b: u8, parser: &mut Parser) -> Result<Flow, Rejection> {
        match self.state {
            LexState::Ground => {}
            LexState::Comment => {
                if b == b'\n' || b == b'\r' {
                    self.end_comment();
                } else if let Some(slot) = self.comment.get_mut(self.comment_len) {
                    *slot = b;
                    self.comment_len += 1;
                }
                return Ok(Flow::Continue);
            }
            LexState::Word => {
                if is_regular(b) {
                    self.word.push(b);
                    return Ok(Flow::Continue);
                }
                self.state = LexState::Ground;
                let word = self.word;
                let flow = self.emit(word.token()?, parser, self.pos)?;
                if let Flow::Stream { info, .. } = flow {
                    // The keyword `stream` must be followed by an end-of-line.
                    return match b {
                        b'\n' => Ok(Flow::Stream {
                            info,
                            after_cr: false,
                        }),
                        b'\r' => Ok(Flow::Stream {
                            info,
                            after_cr: true,
                        }),
                        _ => Err(not_a_pdf("stream keyword not followed by a line break")),
                    };
                }
            }
            LexState::Name => {
                if is_regular(b) {
                    self.name.push(b);
                    return Ok(Flow::Continue);
                }
                self.state = LexState::Ground;
                let mut name = self.name;
                self.emit(Tok::Name(name.end()), parser, self.pos)?;
            }
            LexState::LitString => {
                if self.string_escape {
                    self.string_escape = false;
                } else if b == b'\\' {
                    self.string_escape = true;
                } else if b == b'(' {
                    self.string_depth = self.string_depth.saturating_add(1);
                } else if b == b')' {
                    self.string_depth = self.string_depth.saturating_sub(1);
                    if self.string_depth == 0 {
                        self.state = LexState::Ground;
                        return self.emit(Tok::Str, parser, self.pos + 1);
                    }
                }
                return Ok(Flow::Continue);
            }
            LexState::Less => {
                if b == b'<' {
                    self.state = LexState::Ground;
                    return self.emit(Tok::DictOpen, parser, self.pos + 1);
                }
                self.state = LexState::HexString;
                return self.hex_string_byte(b, parser);
            }
            LexState::HexString => return self.hex_string_byte(b, parser),
            LexState::Greater => {
                if b == b'>' {
                    self.state = LexState::Ground;
                    return self.emit(Tok::DictClose, parser, self.pos + 1);
                }
                return Err(not_a_pdf("stray '>'"));
            }
        }
        // Ground: start of a new token (or the byte that ended the last one).
        match b {
            _ if is_whitespace(b) => Ok(Flow::Continue),
            b'%' => {
                self.state = LexState::Comment;
                self.comment_len = 0;
                Ok(Flow::Continue)
            }
            b'/' => {
                self.state = LexState::Name;
                self.name.reset();
                Ok(Flow::Continue)
            }
            b'(' => {
                self.state = LexState::LitString;
                self.string_depth = 1;
                self.string_escape = false;
                Ok(Flow::Continue)
            }
            b'<' => {
                self.state = LexState::Less;
                Ok(Flow::Continue)
            }
            b'>' => {
                self.state = LexState::Greater;
                Ok(Flow::Continue)
            }
            b'[' => self.emit(Tok::ArrayOpen, parser, self.pos + 1),
            b']' => self.emit(Tok::ArrayClose, parser, self.pos + 1),
            b')' => Err(not_a_pdf("unbalanced ')'")),
            b'{' | b'}' => Err(not_a_pdf("braces outside a content stream")),
            _ => {
                self.state = LexState::Word;
                self.word = Word::new();
                self.word.push(b);
                self.word_start = self.pos;
                self.word_gap = self.prev_end;
                Ok(Flow::Continue)
            }
        }
    }

    fn hex_string_byte(&mut self, b: u8, parser: &mut Parser) -> Result<Flow, Rejection> {
        if b == b'>' {
            self.state = LexState::Ground;
            return self.emit(Tok::Str, parser, self.pos + 1);
        }
        if hex_value(b).is_some() || is_whitespace(b) {
            Ok(Flow::Continue)
        } else {
            // This is where `%PDF-1.7\n<html>` ends.
            Err(not_a_pdf("invalid hex string"))
        }
    }

    fn end_comment(&mut self) {
        self.state = LexState::Ground;
        if self.comment_len >= 4 && &self.comment == b"%EOF" {
            self.eof_marker_last = true;
        }
    }

    /// No more bytes: complete a token cut by the end of data.
    fn finish(&mut self, parser: &mut Parser) -> Result<(), Rejection> {
        match self.state {
            LexState::Ground => Ok(()),
            LexState::Comment => {
                self.end_comment();
                Ok(())
            }
            LexState::Word => {
                self.state = LexState::Ground;
                let word = self.word;
                match self.emit(word.token()?, parser, self.pos)? {
                    Flow::Continue => Ok(()),
                    Flow::Stream { .. } => Err(not_a_pdf("file ends inside a stream")),
                }
            }
            LexState::Name => {
                self.state = LexState::Ground;
                let mut name = self.name;
                self.emit(Tok::Name(name.end()), parser, self.pos)
                    .map(|_| ())
            }
            LexState::LitString | LexState::HexString | LexState::Less | LexState::Greater => {
                Err(not_a_pdf("unterminated string or dictionary"))
            }
        }
    }
}

/// Where the grammar is at the outermost level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Top {
    /// Between objects: `N G obj`, `xref`, `trailer`, `startxref`.
    Ground,
    /// Inside an `xref` table: numbers, `n`, `f`, then `trailer`.
    Xref,
    /// After `trailer`: one dictionary.
    Trailer,
    /// After `startxref`: one integer.
    StartXref,
    /// After `N G obj`: one object, then `endobj` or (dictionary) `stream`.
    Body,
    /// Stream data or `endstream` read: `endobj` next.
    AfterStream,
    /// Decompressed object stream: any sequence of objects.
    ObjStm,
}

/// Dictionary keys whose values matter for the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Type,
    Filter,
    First,
    Root,
    Predictor,
    Other,
}

impl Key {
    fn of(name: Option<&[u8]>) -> Key {
        match name {
            Some(b"Type") => Key::Type,
            Some(b"Filter") => Key::Filter,
            Some(b"First") => Key::First,
            Some(b"Root") => Key::Root,
            Some(b"Predictor") => Key::Predictor,
            _ => Key::Other,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Frame {
    Dict {
        want_key: bool,
        key: Key,
    },
    /// `filters` marks the array value of a top-level `/Filter`.
    Array {
        filters: bool,
    },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Filters {
    #[default]
    None,
    /// Exactly one filter, `/FlateDecode`.
    Flate,
    /// Anything else: other filters, chains, indirect references.
    Unsupported,
}

impl Filters {
    fn add(self, name: Option<&[u8]>) -> Filters {
        match (self, name) {
            (Filters::None, Some(b"FlateDecode" | b"Fl")) => Filters::Flate,
            _ => Filters::Unsupported,
        }
    }
}

/// What the top-level dictionary of the current object or trailer says.
#[derive(Debug, Clone, Copy, Default)]
struct DictInfo {
    objstm: bool,
    xref: bool,
    first: bool,
    root: bool,
    predictor: bool,
    filters: Filters,
}

/// A completed value, as far as the grammar cares.
#[derive(Debug, Clone, Copy)]
enum Val<'a> {
    Int(i64),
    Name(Option<&'a [u8]>),
    OpenDict,
    OpenArray,
    Other,
}

#[derive(Debug, Clone, Copy)]
struct PendingInt {
    value: i64,
    start: u64,
    gap: u64,
}

/// Token-level grammar for the file (or for a decompressed object stream).
struct Parser {
    top: Top,
    stack: Vec<Frame>,
    /// Up to two integers that may turn out to be `N G R` or `N G obj`.
    pending: [Option<PendingInt>; 2],
    body_values: u32,
    body_is_dict: bool,
    info: DictInfo,
    /// (gap, start) of the current object's header.
    object_at: (u64, u64),
    objects: u64,
    root: bool,
    startxref: Option<i64>,
    /// (gap, start) of every `xref` keyword and cross-reference stream object.
    xref_at: Vec<(u64, u64)>,
}

impl Parser {
    fn new(top: Top) -> Self {
        Parser {
            top,
            stack: Vec::new(),
            pending: [None; 2],
            body_values: 0,
            body_is_dict: false,
            info: DictInfo::default(),
            object_at: (0, 0),
            objects: 0,
            root: false,
            startxref: None,
            xref_at: Vec::new(),
        }
    }

    fn pending_len(&self) -> usize {
        self.pending.iter().filter(|p| p.is_some()).count()
    }

    fn push_pending(&mut self, p: PendingInt) -> Result<(), Rejection> {
        match self.pending.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => {
                *slot = Some(p);
                Ok(())
            }
            None => Err(not_a_pdf("unexpected number")),
        }
    }

    fn take_pending(&mut self) -> Option<PendingInt> {
        let [first, second] = &mut self.pending;
        let taken = first.take();
        *first = second.take();
        taken
    }

    /// The oldest pending integer turned out to be a plain number.
    fn flush_one(&mut self) -> Result<(), Rejection> {
        match self.take_pending() {
            Some(p) => self.put(Val::Int(p.value)),
            None => Ok(()),
        }
    }

    fn record_xref(&mut self, at: (u64, u64)) -> Result<(), Rejection> {
        if self.xref_at.len() >= MAX_XREF_CANDIDATES {
            return Err(Rejection::PdfUninspectable {
                reason: "too many cross-reference sections",
            });
        }
        self.xref_at.push(at);
        Ok(())
    }

    fn token(&mut self, tok: Tok<'_>, start: u64, gap: u64) -> Result<Flow, Rejection> {
        if let Tok::Name(Some(name)) = tok {
            active_name(name, 0)?;
        }
        match self.top {
            Top::Ground => {
                match tok {
                    Tok::Int(value) => {
                        self.push_pending(PendingInt { value, start, gap })?;
                    }
                    Tok::Keyword(b"obj") => match self.pending {
                        [Some(num), Some(generation)]
                            if num.value >= 0 && generation.value >= 0 =>
                        {
                            self.pending = [None; 2];
                            self.object_at = (num.gap, num.start);
                            self.objects += 1;
                            self.top = Top::Body;
                            self.body_values = 0;
                            self.body_is_dict = false;
                            self.info = DictInfo::default();
                        }
                        _ => return Err(not_a_pdf("malformed object header")),
                    },
                    Tok::Keyword(keyword) if self.pending_len() == 0 => match keyword {
                        b"xref" => {
                            self.record_xref((gap, start))?;
                            self.top = Top::Xref;
                        }
                        b"trailer" => self.start_trailer(),
                        b"startxref" => self.top = Top::StartXref,
                        _ => return Err(not_a_pdf("unexpected keyword between objects")),
                    },
                    _ => return Err(not_a_pdf("unexpected token between objects")),
                }
                Ok(Flow::Continue)
            }
            Top::Xref => {
                match tok {
                    Tok::Int(_) | Tok::Keyword(b"n" | b"f") => {}
                    Tok::Keyword(b"trailer") => self.start_trailer(),
                    _ => return Err(not_a_pdf("malformed cross-reference table")),
                }
                Ok(Flow::Continue)
            }
            Top::StartXref => match tok {
                Tok::Int(value) => {
                    self.startxref = Some(value);
                    self.top = Top::Ground;
                    Ok(Flow::Continue)
                }
                _ => Err(not_a_pdf("startxref without an offset")),
            },
            Top::AfterStream => match tok {
                Tok::Keyword(b"endobj") => {
                    self.top = Top::Ground;
                    Ok(Flow::Continue)
                }
                _ => Err(not_a_pdf("missing endobj after a stream")),
            },
            Top::Trailer | Top::Body | Top::ObjStm => self.value_token(tok),
        }
    }

    fn start_trailer(&mut self) {
        self.top = Top::Trailer;
        self.body_values = 0;
        self.info = DictInfo::default();
    }

    fn value_token(&mut self, tok: Tok<'_>) -> Result<Flow, Rejection> {
        match tok {
            Tok::Int(value) => {
                // A third integer: the first of the two cannot be a reference.
                if self.pending_len() == 2 {
                    self.flush_one()?;
                }
                self.push_pending(PendingInt {
                    value,
                    start: 0,
                    gap: 0,
                })?;
                return Ok(Flow::Continue);
            }
            Tok::Keyword(b"R") => {
                if self.pending_len() != 2 {
                    return Err(not_a_pdf("malformed reference"));
                }
                self.pending = [None; 2];
                self.put(Val::Other)?;
                return Ok(Flow::Continue);
            }
            _ => {}
        }
        while self.pending_len() > 0 {
            self.flush_one()?;
        }
        match tok {
            Tok::Name(name) => self.put(Val::Name(name))?,
            Tok::Real | Tok::Str | Tok::Keyword(b"true" | b"false" | b"null") => {
                self.put(Val::Other)?;
            }
            Tok::DictOpen => {
                self.put(Val::OpenDict)?;
                self.open(Frame::Dict {
                    want_key: true,
                    key: Key::Other,
                })?;
            }
            Tok::ArrayOpen => {
                let filters = self.stack.len() == 1
                    && matches!(
                        self.stack.last(),
                        Some(Frame::Dict {
                            want_key: false,
                            key: Key::Filter
                        })
                    );
                self.put(Val::OpenArray)?;
                self.open(Frame::Array { filters })?;
            }
            Tok::DictClose => match self.stack.pop() {
                Some(Frame::Dict { want_key: true, .. }) => {
                    if self.stack.is_empty() && self.top == Top::Trailer {
                        self.root |= self.info.root;
                        self.top = Top::Ground;
                    }
                }
                _ => return Err(not_a_pdf("unbalanced '>>'")),
            },
            Tok::ArrayClose => match self.stack.pop() {
                Some(Frame::Array { .. }) => {}
                _ => return Err(not_a_pdf("unbalanced ']'")),
            },
            Tok::Keyword(b"endobj") if self.stack.is_empty() && self.top == Top::Body => {
                if self.body_values > 1 {
                    return Err(not_a_pdf("more than one value in an object"));
                }
                self.top = Top::Ground;
            }
            Tok::Keyword(b"stream") if self.stack.is_empty() && self.top == Top::Body => {
                if self.body_values != 1 || !self.body_is_dict {
                    return Err(not_a_pdf("stream without a dictionary"));
                }
                self.top = Top::AfterStream;
                if self.info.xref {
                    self.record_xref(self.object_at)?;
                    self.root |= self.info.root;
                }
                return Ok(Flow::Stream {
                    info: self.info,
                    after_cr: false,
                });
            }
            Tok::Int(_) | Tok::Keyword(_) => return Err(not_a_pdf("unexpected keyword")),
        }
        Ok(Flow::Continue)
    }

    fn open(&mut self, frame: Frame) -> Result<(), Rejection> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Rejection::PdfUninspectable {
                reason: "objects nested too deeply",
            });
        }
        self.stack.push(frame);
        Ok(())
    }

    /// Place a completed value (or the start of a container) in its context.
    fn put(&mut self, val: Val<'_>) -> Result<(), Rejection> {
        let depth = self.stack.len();
        let Some(frame) = self.stack.last_mut() else {
            match self.top {
                Top::Body => {
                    self.body_values = self.body_values.saturating_add(1);
                    self.body_is_dict = matches!(val, Val::OpenDict);
                }
                Top::Trailer if !matches!(val, Val::OpenDict) => {
                    return Err(not_a_pdf("trailer without a dictionary"));
                }
                _ => {}
            }
            return Ok(());
        };
        match frame {
            Frame::Dict { want_key, key } if *want_key => match val {
                Val::Name(name) => {
                    *key = Key::of(name);
                    *want_key = false;
                }
                _ => return Err(not_a_pdf("dictionary key is not a name")),
            },
            Frame::Dict { want_key, key } => {
                *want_key = true;
                let key = *key;
                let info = &mut self.info;
                match (key, val) {
                    (Key::Predictor, Val::Int(v)) => info.predictor |= v > 1,
                    (Key::Type, Val::Name(Some(b"ObjStm"))) if depth == 1 => info.objstm = true,
                    (Key::Type, Val::Name(Some(b"XRef"))) if depth == 1 => info.xref = true,
                    (Key::Filter, Val::Name(name)) if depth == 1 => {
                        info.filters = info.filters.add(name);
                    }
                    // An array is handled element by element; anything else
                    // (an indirect reference) cannot be checked.
                    (Key::Filter, Val::OpenArray) => {}
                    (Key::Filter, _) if depth == 1 => info.filters = Filters::Unsupported,
                    (Key::First, _) if depth == 1 => info.first = true,
                    (Key::Root, _) if depth == 1 => info.root = true,
                    _ => {}
                }
            }
            Frame::Array { filters: true } => {
                self.info.filters = match val {
                    Val::Name(name) => self.info.filters.add(name),
                    _ => Filters::Unsupported,
                };
            }
            Frame::Array { filters: false } => {}
        }
        Ok(())
    }

    /// An object stream's contents ended: everything must be closed.
    fn finish_object_stream(&mut self) -> Result<(), Rejection> {
        self.pending = [None; 2];
        if self.stack.is_empty() {
            Ok(())
        } else {
            Err(not_a_pdf("object stream ends inside an object"))
        }
    }

    /// The file ended: the structure must be complete.
    fn finish_file(&self, eof_marker_last: bool) -> Result<(), Rejection> {
        if self.top != Top::Ground || self.pending_len() != 0 {
            return Err(not_a_pdf("file ends inside an object"));
        }
        if !eof_marker_last {
            return Err(not_a_pdf(
                "missing %%EOF at the end; the file may be truncated",
            ));
        }
        if self.objects == 0 {
            return Err(not_a_pdf("no objects"));
        }
        if !self.root {
            return Err(not_a_pdf("no document catalog"));
        }
        let Some(offset) = self.startxref.and_then(|v| u64::try_from(v).ok()) else {
            return Err(not_a_pdf("missing startxref"));
        };
        // Leading whitespace before the target is tolerated, as readers do.
        if self
            .xref_at
            .iter()
            .any(|&(gap, start)| gap <= offset && offset <= start)
        {
            Ok(())
        } else {
            Err(not_a_pdf(
                "startxref does not point to a cross-reference section",
            ))
        }
    }
}

/// Tokenizer for the decompressed contents of one object stream.
struct ObjectStream {
    /// `None` for an unfiltered object stream.
    inflater: Option<Decompress>,
    ended: bool,
    out: Vec<u8>,
    lexer: Lexer,
    parser: Parser,
    produced: u64,
}

impl ObjectStream {
    fn new(flate: bool) -> Self {
        ObjectStream {
            inflater: flate.then(|| Decompress::new(true)),
            ended: false,
            out: if flate {
                vec![0; INFLATE_WINDOW]
            } else {
                Vec::new()
            },
            lexer: Lexer::new(),
            parser: Parser::new(Top::ObjStm),
            produced: 0,
        }
    }

    fn feed(&mut self, data: &[u8], limits: &Limits, total: &mut u64) -> Result<(), Rejection> {
        let Some(inflater) = &mut self.inflater else {
            account(&mut self.produced, total, data.len(), limits)?;
            return tokens(&mut self.lexer, &mut self.parser, data);
        };
        let mut input = data;
        // Bytes after the end of the zlib stream (the EOL before
        // `endstream`) are ignored, as readers do.
        while !self.ended {
            let (in_before, out_before) = (inflater.total_in(), inflater.total_out());
            let status = inflater
                .decompress(input, &mut self.out, FlushDecompress::None)
                .map_err(|_| Rejection::PdfUninspectable {
                    reason: "an object stream could not be decompressed; the PDF may be encrypted",
                })?;
            let used = usize::try_from(inflater.total_in() - in_before).unwrap_or(usize::MAX);
            let made = usize::try_from(inflater.total_out() - out_before).unwrap_or(usize::MAX);
            input = input.get(used..).unwrap_or_default();
            if made > 0 {
                account(&mut self.produced, total, made, limits)?;
                let out = self.out.get(..made).unwrap_or_default();
                tokens(&mut self.lexer, &mut self.parser, out)?;
            }
            if status == Status::StreamEnd {
                self.ended = true;
            }
            // Stop when the input is used up and no output is pending
            // (a full window may mean more output is buffered).
            if (input.is_empty() && made < self.out.len()) || (used == 0 && made == 0) {
                break;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Rejection> {
        if self.inflater.is_some() && !self.ended {
            return Err(Rejection::PdfUninspectable {
                reason: "an object stream ends before its compressed data does",
            });
        }
        self.lexer.finish(&mut self.parser)?;
        self.parser.finish_object_stream()
    }
}

fn account(
    produced: &mut u64,
    total: &mut u64,
    n: usize,
    limits: &Limits,
) -> Result<(), Rejection> {
    let n = u64::try_from(n).unwrap_or(u64::MAX);
    *produced = produced.saturating_add(n);
    *total = total.saturating_add(n);
    if *produced > limits.max_object_stream_bytes {
        return Err(Rejection::DecompressionLimit {
            limit: limits.max_object_stream_bytes,
        });
    }
    if *total > limits.max_total_object_stream_bytes {
        return Err(Rejection::DecompressionLimit {
            limit: limits.max_total_object_stream_bytes,
        });
    }
    Ok(())
}

/// Tokenize object-stream contents (which never contain streams).
fn tokens(lexer: &mut Lexer, parser: &mut Parser, data: &[u8]) -> Result<(), Rejection> {
    match lexer.feed(data, parser)? {
        (_, None) => Ok(()),
        (_, Some(_)) => Err(not_a_pdf("stream inside an object stream")),
    }
}

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

/// Inside a stream's data, looking for `endstream`.
struct StreamData {
    skip_lf: bool,
    /// How many bytes of `endstream` the data currently ends with.
    matched: usize,
    raw: RawNames,
    object_stream: Option<ObjectStream>,
}

impl StreamData {
    fn new(info: DictInfo, after_cr: bool) -> Result<Self, Rejection> {
        let object_stream = if info.objstm || info.first {
            if info.predictor {
                return Err(Rejection::PdfUninspectable {
                    reason: "object stream with a predictor",
                });
            }
            match info.filters {
                Filters::None => Some(ObjectStream::new(false)),
                Filters::Flate => Some(ObjectStream::new(true)),
                Filters::Unsupported => {
                    return Err(Rejection::PdfUninspectable {
                        reason: "object stream with an unsupported filter",
                    });
                }
            }
        } else {
            None
        };
        Ok(StreamData {
            skip_lf: after_cr,
            matched: 0,
            raw: RawNames {
                in_name: false,
                name: NameAcc::new(),
            },
            object_stream,
        })
    }

    /// Data that is certainly stream content (not part of `endstream`).
    fn release(&mut self, data: &[u8], limits: &Limits, total: &mut u64) -> Result<(), Rejection> {
        if data.is_empty() {
            return Ok(());
        }
        self.raw.scan(data)?;
        if let Some(object_stream) = &mut self.object_stream {
            object_stream.feed(data, limits, total)?;
        }
        Ok(())
    }

    /// Consume stream data; returns bytes consumed and whether `endstream` was reached.
    fn feed(
        &mut self,
        data: &[u8],
        limits: &Limits,
        total: &mut u64,
    ) -> Result<(usize, bool), Rejection> {
        let mut i = 0;
        if self.skip_lf && !data.is_empty() {
            self.skip_lf = false;
            if data.first() == Some(&b'\n') {
                i = 1;
            }
        }
        while let Some(rest) = data.get(i..).filter(|r| !r.is_empty()) {
            if self.matched == 0 {
                match memchr::memchr(b'e', rest) {
                    None => {
                        self.release(rest, limits, total)?;
                        i = data.len();
                    }
                    Some(p) => {
                        self.release(rest.get(..p).unwrap_or_default(), limits, total)?;
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
                    self.end()?;
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
                self.release(ENDSTREAM.get(..released).unwrap_or_default(), limits, total)?;
            } else {
                self.release(ENDSTREAM.get(..k).unwrap_or_default(), limits, total)?;
                self.release(&[b], limits, total)?;
            }
            self.matched = keep;
        }
        Ok((data.len(), false))
    }

    fn end(&mut self) -> Result<(), Rejection> {
        self.raw.end()?;
        match &mut self.object_stream {
            Some(object_stream) => object_stream.finish(),
            None => Ok(()),
        }
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

/// Streaming PDF checker for one upload.
pub(super) struct PdfScanner {
    limits: Limits,
    header: [u8; 8],
    header_len: usize,
    lexer: Lexer,
    parser: Parser,
    stream: Option<StreamData>,
    inflated_total: u64,
}

impl PdfScanner {
    pub(super) fn new(limits: Limits) -> Self {
        PdfScanner {
            limits,
            header: [0; 8],
            header_len: 0,
            lexer: Lexer::new(),
            parser: Parser::new(Top::Ground),
            stream: None,
            inflated_total: 0,
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
                Some(stream) => {
                    let (consumed, ended) =
                        stream.feed(rest, &self.limits, &mut self.inflated_total)?;
                    self.lexer.pos += u64::try_from(consumed).unwrap_or(u64::MAX);
                    if ended {
                        self.stream = None;
                        // `endstream` is a token like any other for the
                        // grammar (which is already waiting for `endobj`).
                        self.lexer.eof_marker_last = false;
                        self.lexer.prev_end = self.lexer.pos;
                    }
                    consumed
                }
                None => {
                    let (consumed, started) = self.lexer.feed(rest, &mut self.parser)?;
                    if let Some((info, after_cr)) = started {
                        self.stream = Some(StreamData::new(info, after_cr)?);
                    }
                    consumed
                }
            };
            rest = rest.get(consumed..).unwrap_or_default();
        }
        Ok(())
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

    pub(super) fn finish(mut self) -> Result<(), Rejection> {
        if self.header_len < self.header.len() {
            return Err(not_a_pdf("truncated header"));
        }
        if self.stream.is_some() {
            return Err(not_a_pdf("file ends inside a stream"));
        }
        self.lexer.finish(&mut self.parser)?;
        self.parser.finish_file(self.lexer.eof_marker_last)
    }
}
