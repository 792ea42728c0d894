//! The pieces of PDF tokens that outlive a chunk boundary: character classes,
//! a name being decoded (`#xx` escapes) and a number or keyword being read.

use super::not_a_pdf;
use crate::documents::inspect::Rejection;

/// Names are kept up to this many decoded bytes; longer ones cannot be any
/// of the names we look for, so only "too long" is remembered.
const NAME_CAP: usize = 32;

/// PDF white-space characters (ISO 32000-1, table 1).
pub(super) fn is_whitespace(b: u8) -> bool {
    matches!(b, 0 | b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

/// PDF delimiter characters (ISO 32000-1, table 2).
pub(super) fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// Characters that continue a name, number or keyword.
pub(super) fn is_regular(b: u8) -> bool {
    !is_whitespace(b) && !is_delimiter(b)
}

pub(super) fn hex_value(b: u8) -> Option<u8> {
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
pub(super) struct NameAcc {
    buf: [u8; NAME_CAP],
    len: usize,
    overflow: bool,
    /// A decoded NUL was seen; later bytes are ignored.
    truncated: bool,
    escape: Escape,
}

impl NameAcc {
    pub(super) fn new() -> Self {
        NameAcc {
            buf: [0; NAME_CAP],
            len: 0,
            overflow: false,
            truncated: false,
            escape: Escape::None,
        }
    }

    pub(super) fn reset(&mut self) {
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

    fn put_hex_digit(&mut self, h: u8) {
        self.put(if h < 10 { b'0' + h } else { b'a' + h - 10 });
    }

    /// Add one regular character of the name as written.
    pub(super) fn push(&mut self, b: u8) {
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
                self.put_hex_digit(h);
            }
        }
        if b == b'#' {
            self.escape = Escape::Hash;
        } else {
            self.put(b);
        }
    }

    /// The decoded name, or `None` if it was longer than [`NAME_CAP`].
    pub(super) fn end(&mut self) -> Option<&[u8]> {
        match std::mem::replace(&mut self.escape, Escape::None) {
            Escape::None => {}
            Escape::Hash => self.put(b'#'),
            Escape::Hi(h) => {
                self.put(b'#');
                self.put_hex_digit(h);
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
pub(super) struct Word {
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
    pub(super) fn new() -> Self {
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

    pub(super) fn push(&mut self, b: u8) {
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

    pub(super) fn token(&self) -> Result<Tok<'_>, Rejection> {
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
pub(super) enum Tok<'a> {
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
