//! A small in-memory object parser for the few objects the structural pass
//! reads: trailers, cross-reference stream dictionaries, the encryption
//! dictionary and indirect decode parameters. Every object is capped in
//! bytes, values and depth, so a hostile file cannot make it grow.

use super::not_a_pdf;
use super::source::Bytes;
use super::token::{hex_value, is_delimiter, is_regular, is_whitespace};
use crate::documents::inspect::Rejection;

/// Most bytes one parse may consume.
const MAX_OBJECT_BYTES: u64 = 256 * 1024;
/// Most values one parse may produce (a trailer has a dozen; a
/// cross-reference stream's `/Index` two per subsection).
const MAX_VALUES: u32 = 16 * 1024;
const MAX_DEPTH: u32 = 32;
/// Strings and names keep at most this many bytes (the longest needed are
/// the 48-byte keys of the encryption dictionary).
const MAX_KEPT: usize = 256;

/// A parsed PDF object.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Obj {
    Null,
    Bool(bool),
    Int(i64),
    Real,
    Name(Vec<u8>),
    Str(Vec<u8>),
    Array(Vec<Obj>),
    Dict(Dict),
    Ref(u32, u16),
}

/// A dictionary, in file order.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Dict(pub(super) Vec<(Vec<u8>, Obj)>);

impl Dict {
    pub(super) fn get(&self, key: &[u8]) -> Option<&Obj> {
        self.0
            .iter()
            .find(|(k, _)| k.as_slice() == key)
            .map(|(_, v)| v)
    }

    /// A direct integer entry: `Ok(None)` if absent, an error if not an integer.
    pub(super) fn int(&self, key: &[u8]) -> Result<Option<i64>, Rejection> {
        match self.get(key) {
            None | Some(Obj::Null) => Ok(None),
            Some(Obj::Int(v)) => Ok(Some(*v)),
            Some(_) => Err(not_a_pdf("a number is expected in a dictionary")),
        }
    }

    pub(super) fn name(&self, key: &[u8]) -> Option<&[u8]> {
        match self.get(key) {
            Some(Obj::Name(n)) => Some(n),
            _ => None,
        }
    }

    pub(super) fn string(&self, key: &[u8]) -> Option<&[u8]> {
        match self.get(key) {
            Some(Obj::Str(s)) => Some(s),
            _ => None,
        }
    }
}

/// One lexical token.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    Int(i64),
    Real,
    Name(Vec<u8>),
    Str(Vec<u8>),
    DictOpen,
    DictClose,
    ArrayOpen,
    ArrayClose,
    Keyword(Vec<u8>),
    End,
}

/// Parses objects from `src`, starting where it is.
pub(super) struct ObjParser<'a, B: Bytes> {
    src: &'a mut B,
    start: u64,
    values: u32,
}

impl<'a, B: Bytes> ObjParser<'a, B> {
    pub(super) fn new(src: &'a mut B) -> Self {
        let start = src.pos();
        ObjParser {
            src,
            start,
            values: 0,
        }
    }

    fn byte(&mut self) -> Result<Option<u8>, Rejection> {
        if self.src.pos().saturating_sub(self.start) > MAX_OBJECT_BYTES {
            return Err(Rejection::PdfUninspectable {
                reason: "a structural object is too large",
            });
        }
        self.src.peek()
    }

    fn skip_space(&mut self) -> Result<(), Rejection> {
        while let Some(b) = self.byte()? {
            if is_whitespace(b) {
                self.src.bump();
            } else if b == b'%' {
                while let Some(c) = self.byte()? {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.src.bump();
                }
            } else {
                break;
            }
        }
        Ok(())
    }

    /// The next token.
    pub(super) fn token(&mut self) -> Result<Token, Rejection> {
        self.skip_space()?;
        let Some(b) = self.byte()? else {
            return Ok(Token::End);
        };
        self.src.bump();
        match b {
            b'/' => self.name(),
            b'(' => self.literal_string(),
            b'<' => {
                if self.byte()? == Some(b'<') {
                    self.src.bump();
                    Ok(Token::DictOpen)
                } else {
                    self.hex_string()
                }
            }
            b'>' => {
                if self.byte()? == Some(b'>') {
                    self.src.bump();
                    Ok(Token::DictClose)
                } else {
                    Err(not_a_pdf("stray '>'"))
                }
            }
            b'[' => Ok(Token::ArrayOpen),
            b']' => Ok(Token::ArrayClose),
            _ if is_delimiter(b) => Err(not_a_pdf("unexpected delimiter")),
            _ => self.word(b),
        }
    }

    fn name(&mut self) -> Result<Token, Rejection> {
        let mut out = Vec::new();
        while let Some(b) = self.byte()?.filter(|&b| is_regular(b)) {
            self.src.bump();
            let mut value = b;
            if b == b'#' {
                // Two hex digits make one byte; anything else is kept as written.
                let hi = self.byte()?.and_then(hex_value);
                if let Some(hi) = hi {
                    self.src.bump();
                    match self.byte()?.and_then(hex_value) {
                        Some(lo) => {
                            self.src.bump();
                            value = (hi << 4) | lo;
                        }
                        None => {
                            keep(&mut out, b'#');
                            value = if hi < 10 { b'0' + hi } else { b'a' + hi - 10 };
                        }
                    }
                }
            }
            keep(&mut out, value);
        }
        Ok(Token::Name(out))
    }

    fn literal_string(&mut self) -> Result<Token, Rejection> {
        let mut out = Vec::new();
        let mut depth = 1u32;
        loop {
            let Some(b) = self.byte()? else {
                return Err(not_a_pdf("unterminated string"));
            };
            self.src.bump();
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(Token::Str(out));
                    }
                }
                b'\\' => {
                    if let Some(escaped) = self.escape()? {
                        keep(&mut out, escaped);
                    }
                    continue;
                }
                _ => {}
            }
            keep(&mut out, b);
        }
    }

    /// After a backslash: the byte it stands for, if any.
    fn escape(&mut self) -> Result<Option<u8>, Rejection> {
        let Some(b) = self.byte()? else {
            return Ok(None);
        };
        self.src.bump();
        Ok(match b {
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'b' => Some(8),
            b'f' => Some(12),
            b'0'..=b'7' => {
                let mut value = u32::from(b - b'0');
                for _ in 0..2 {
                    match self.byte()? {
                        Some(d @ b'0'..=b'7') => {
                            self.src.bump();
                            value = value * 8 + u32::from(d - b'0');
                        }
                        _ => break,
                    }
                }
                Some((value & 0xFF) as u8)
            }
            // A line continuation.
            b'\r' => {
                if self.byte()? == Some(b'\n') {
                    self.src.bump();
                }
                None
            }
            b'\n' => None,
            other => Some(other),
        })
    }

    fn hex_string(&mut self) -> Result<Token, Rejection> {
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        loop {
            let Some(b) = self.byte()? else {
                return Err(not_a_pdf("unterminated hex string"));
            };
            self.src.bump();
            if b == b'>' {
                break;
            }
            if is_whitespace(b) {
                continue;
            }
            let Some(v) = hex_value(b) else {
                return Err(not_a_pdf("invalid hex string"));
            };
            match high.take() {
                Some(h) => keep(&mut out, (h << 4) | v),
                None => high = Some(v),
            }
        }
        if let Some(h) = high {
            keep(&mut out, h << 4);
        }
        Ok(Token::Str(out))
    }

    fn word(&mut self, first: u8) -> Result<Token, Rejection> {
        let mut word = vec![first];
        while let Some(b) = self.byte()?.filter(|&b| is_regular(b)) {
            self.src.bump();
            if word.len() < 32 {
                word.push(b);
            }
        }
        if first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.') {
            let text = std::str::from_utf8(&word).unwrap_or("");
            if let Ok(v) = text.parse::<i64>() {
                return Ok(Token::Int(v));
            }
            if text.parse::<f64>().is_ok() {
                return Ok(Token::Real);
            }
            return Err(not_a_pdf("malformed number"));
        }
        Ok(Token::Keyword(word))
    }

    /// One value (a reference counts as one).
    pub(super) fn value(&mut self) -> Result<Obj, Rejection> {
        let token = self.token()?;
        self.value_from(token, 0)
    }

    fn count(&mut self) -> Result<(), Rejection> {
        self.values += 1;
        if self.values > MAX_VALUES {
            return Err(Rejection::PdfUninspectable {
                reason: "a structural object has too many values",
            });
        }
        Ok(())
    }

    fn value_from(&mut self, token: Token, depth: u32) -> Result<Obj, Rejection> {
        self.count()?;
        if depth > MAX_DEPTH {
            return Err(Rejection::PdfUninspectable {
                reason: "objects nested too deeply",
            });
        }
        match token {
            Token::Int(v) => self.maybe_reference(v),
            Token::Real => Ok(Obj::Real),
            Token::Name(n) => Ok(Obj::Name(n)),
            Token::Str(s) => Ok(Obj::Str(s)),
            Token::Keyword(k) => match k.as_slice() {
                b"true" => Ok(Obj::Bool(true)),
                b"false" => Ok(Obj::Bool(false)),
                b"null" => Ok(Obj::Null),
                _ => Err(not_a_pdf("unexpected keyword in an object")),
            },
            Token::ArrayOpen => {
                let mut items = Vec::new();
                loop {
                    match self.token()? {
                        Token::ArrayClose => return Ok(Obj::Array(items)),
                        Token::End => return Err(not_a_pdf("unterminated array")),
                        token => items.push(self.value_from(token, depth + 1)?),
                    }
                }
            }
            Token::DictOpen => {
                let mut entries = Vec::new();
                loop {
                    match self.token()? {
                        Token::DictClose => return Ok(Obj::Dict(Dict(entries))),
                        Token::Name(key) => {
                            let token = self.token()?;
                            let value = self.value_from(token, depth + 1)?;
                            entries.push((key, value));
                        }
                        _ => return Err(not_a_pdf("dictionary key is not a name")),
                    }
                }
            }
            Token::DictClose | Token::ArrayClose | Token::End => {
                Err(not_a_pdf("a value is missing"))
            }
        }
    }

    /// After an integer: `N G R` is a reference, else the integer alone.
    fn maybe_reference(&mut self, first: i64) -> Result<Obj, Rejection> {
        let back = self.src.pos();
        if let Token::Int(generation) = self.token()?
            && let Token::Keyword(k) = self.token()?
            && k == b"R"
        {
            let (Ok(num), Ok(generation)) = (u32::try_from(first), u16::try_from(generation))
            else {
                return Err(not_a_pdf("malformed reference"));
            };
            return Ok(Obj::Ref(num, generation));
        }
        self.src.seek(back);
        Ok(Obj::Int(first))
    }

    /// `N G obj` at the current position.
    pub(super) fn object_header(&mut self) -> Result<(u32, u16), Rejection> {
        match (self.token()?, self.token()?, self.token()?) {
            (Token::Int(num), Token::Int(generation), Token::Keyword(k)) if k == b"obj" => {
                match (u32::try_from(num), u16::try_from(generation)) {
                    (Ok(num), Ok(generation)) => Ok((num, generation)),
                    _ => Err(not_a_pdf("malformed object header")),
                }
            }
            _ => Err(not_a_pdf("malformed object header")),
        }
    }
}

fn keep(out: &mut Vec<u8>, b: u8) {
    if out.len() < MAX_KEPT {
        out.push(b);
    }
}
