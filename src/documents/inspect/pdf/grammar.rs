//! Token-level grammar for the file (`N G obj … endobj`, `xref` tables,
//! `trailer`, `startxref`) or for the decoded contents of an object stream
//! (any sequence of values). It checks every name against the active ones,
//! notes what stream dictionaries say, and records the file's layout.

use super::dict_info::{DictInfo, Key, Role, Val};
use super::layout::{Layout, ObjectKind, ObjectRecord};
use super::objstm_index::ObjStmIndex;
use super::token::Tok;
use super::{active_name, not_a_pdf};
use crate::documents::inspect::Rejection;

/// Deepest nesting of arrays and dictionaries accepted.
pub(super) const MAX_DEPTH: usize = 64;

/// What the caller must do after a token.
pub(super) enum Flow {
    Continue,
    /// A `stream` keyword was read; its data follows (see `Lexer::feed`).
    Stream {
        after_cr: bool,
    },
}

/// Where the grammar is at the outermost level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Top {
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

#[derive(Debug, Clone, Copy)]
enum Frame {
    Dict {
        want_key: bool,
        key: Key,
        role: Role,
    },
    Array {
        role: Role,
    },
}

#[derive(Debug, Clone, Copy)]
struct PendingInt {
    value: i64,
    start: u64,
    gap: u64,
}

/// Token-level grammar for the file (or for a decompressed object stream).
pub(super) struct Parser {
    top: Top,
    stack: Vec<Frame>,
    /// Up to two integers that may turn out to be `N G R` or `N G obj`.
    pending: [Option<PendingInt>; 2],
    body_values: u32,
    body_is_dict: bool,
    /// What the current object's (or trailer's) dictionary says.
    pub(super) info: DictInfo,
    /// Index of the current object in `layout.objects`.
    pub(super) object: u32,
    /// The file's layout (top level only).
    pub(super) layout: Layout,
    /// The index an object stream's offsets are checked against.
    pub(super) index: Option<ObjStmIndex>,
}

impl Parser {
    pub(super) fn new(top: Top) -> Self {
        Parser {
            top,
            stack: Vec::new(),
            pending: [None; 2],
            body_values: 0,
            body_is_dict: false,
            info: DictInfo::default(),
            object: 0,
            layout: Layout::default(),
            index: None,
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
            Some(p) => self.put(Val::Int(p.value)).map(|_| ()),
            None => Ok(()),
        }
    }

    pub(super) fn token(&mut self, tok: Tok<'_>, start: u64, gap: u64) -> Result<Flow, Rejection> {
        if let Tok::Name(Some(name)) = tok {
            active_name(name, 0)?;
        }
        match self.top {
            Top::Ground => {
                self.ground_token(tok, start, gap)?;
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
                    self.layout.startxref = Some(value);
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
            Top::ObjStm => {
                if self.stack.is_empty()
                    && let Some(index) = &mut self.index
                {
                    index.token(&tok, start, gap)?;
                }
                self.value_token(tok)
            }
            Top::Trailer | Top::Body => self.value_token(tok),
        }
    }

    fn ground_token(&mut self, tok: Tok<'_>, start: u64, gap: u64) -> Result<(), Rejection> {
        match tok {
            Tok::Int(value) => self.push_pending(PendingInt { value, start, gap }),
            Tok::Keyword(b"obj") => match self.pending {
                [Some(num), Some(generation)] => {
                    let (Ok(number), Ok(generation)) =
                        (u32::try_from(num.value), u16::try_from(generation.value))
                    else {
                        return Err(not_a_pdf("malformed object header"));
                    };
                    self.pending = [None; 2];
                    self.object = u32::try_from(self.layout.objects.len()).unwrap_or(u32::MAX);
                    self.layout.add_object(ObjectRecord {
                        start: num.start,
                        gap: u32::try_from(num.start.saturating_sub(num.gap)).unwrap_or(u32::MAX),
                        num: number,
                        generation,
                        kind: ObjectKind::Plain,
                    })?;
                    self.top = Top::Body;
                    self.body_values = 0;
                    self.body_is_dict = false;
                    self.info = DictInfo::default();
                    Ok(())
                }
                _ => Err(not_a_pdf("malformed object header")),
            },
            Tok::Keyword(keyword) if self.pending_len() == 0 => match keyword {
                b"xref" => {
                    self.layout.add_xref_table(gap, start)?;
                    self.top = Top::Xref;
                    Ok(())
                }
                b"trailer" => {
                    self.start_trailer();
                    Ok(())
                }
                b"startxref" => {
                    self.top = Top::StartXref;
                    Ok(())
                }
                _ => Err(not_a_pdf("unexpected keyword between objects")),
            },
            _ => Err(not_a_pdf("unexpected token between objects")),
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
                self.put(Val::Ref)?;
                return Ok(Flow::Continue);
            }
            _ => {}
        }
        while self.pending_len() > 0 {
            self.flush_one()?;
        }
        match tok {
            Tok::Name(name) => {
                self.put(Val::Name(name))?;
            }
            Tok::Real | Tok::Str | Tok::Keyword(b"true" | b"false" | b"null") => {
                self.put(Val::Other)?;
            }
            Tok::DictOpen => {
                let role = self.put(Val::OpenDict)?;
                self.open(Frame::Dict {
                    want_key: true,
                    key: Key::Other,
                    role,
                })?;
            }
            Tok::ArrayOpen => {
                let role = self.put(Val::OpenArray)?;
                self.open(Frame::Array { role })?;
            }
            Tok::DictClose => match self.stack.pop() {
                Some(Frame::Dict { want_key: true, .. }) => {
                    if self.stack.is_empty() && self.top == Top::Trailer {
                        self.layout.root |= self.info.root;
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
                    self.layout.root |= self.info.root;
                }
                return Ok(Flow::Stream { after_cr: false });
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

    /// Place a completed value (or the start of a container) in its context;
    /// returns the role of the container it opens, if any.
    fn put(&mut self, val: Val<'_>) -> Result<Role, Rejection> {
        let Some(frame) = self.stack.last_mut() else {
            match self.top {
                Top::Body => {
                    self.body_values = self.body_values.saturating_add(1);
                    self.body_is_dict = matches!(val, Val::OpenDict);
                    return Ok(Role::Top);
                }
                Top::Trailer if !matches!(val, Val::OpenDict) => {
                    return Err(not_a_pdf("trailer without a dictionary"));
                }
                Top::Trailer => return Ok(Role::Top),
                _ => return Ok(Role::Other),
            }
        };
        match frame {
            Frame::Dict { want_key, key, .. } if *want_key => match val {
                Val::Name(name) => {
                    *key = Key::of(name);
                    *want_key = false;
                    Ok(Role::Other)
                }
                _ => Err(not_a_pdf("dictionary key is not a name")),
            },
            Frame::Dict {
                want_key,
                key,
                role,
            } => {
                *want_key = true;
                Ok(self.info.value(*role, *key, val))
            }
            Frame::Array { role } => Ok(self.info.value(*role, Key::Other, val)),
        }
    }

    /// An object stream's contents ended: everything must be closed.
    pub(super) fn finish_object_stream(&mut self) -> Result<(), Rejection> {
        while self.pending_len() > 0 {
            self.flush_one()?;
        }
        if !self.stack.is_empty() {
            return Err(not_a_pdf("object stream ends inside an object"));
        }
        match &self.index {
            Some(index) => index.finish(),
            None => Ok(()),
        }
    }

    /// The file ended: the structure must be complete.
    pub(super) fn finish_file(&self, eof_marker_last: bool) -> Result<(), Rejection> {
        if self.top != Top::Ground || self.pending_len() != 0 {
            return Err(not_a_pdf("file ends inside an object"));
        }
        if !eof_marker_last {
            return Err(not_a_pdf(
                "missing %%EOF at the end; the file may be truncated",
            ));
        }
        if self.layout.objects.is_empty() {
            return Err(not_a_pdf("no objects"));
        }
        if !self.layout.root {
            return Err(not_a_pdf("no document catalog"));
        }
        Ok(())
    }
}
