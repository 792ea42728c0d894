//! The byte-at-a-time PDF lexer: works across arbitrary chunk boundaries and
//! hands each token, with where it starts, to the grammar.

use super::grammar::{Flow, Parser};
use super::not_a_pdf;
use super::token::{NameAcc, Tok, Word, hex_value, is_regular, is_whitespace};
use crate::documents::inspect::Rejection;

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

/// Watches the text of strings and comments for what a reader rebuilding a
/// damaged file takes for an object header: after a line break or a `<`
/// (where poppler's and pdf.js's recovery scans start looking), optional
/// white space, then `digits digits obj`. A reader is easily made to rebuild
/// (a reference whose generation does not match is enough), and would then
/// load an object hidden there, which the tokenizer saw only as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HeaderWatch {
    Idle,
    Armed,
    Number,
    Space,
    Generation,
    Gap,
    O,
    B,
}

impl HeaderWatch {
    /// The next state; `None` when an object header is complete.
    fn step(self, b: u8) -> Option<HeaderWatch> {
        use HeaderWatch::*;
        if matches!(b, b'\n' | b'\r' | b'<') {
            return Some(Armed);
        }
        let space = is_whitespace(b);
        let digit = b.is_ascii_digit();
        Some(match (self, b) {
            (Armed, _) if space => Armed,
            (Armed, _) | (Number, _) if digit => Number,
            (Number, _) | (Space, _) if space => Space,
            (Space, _) | (Generation, _) if digit => Generation,
            (Generation, _) | (Gap, _) if space => Gap,
            (Gap, b'o') => O,
            (O, b'b') => B,
            (B, b'j') => return None,
            _ => Idle,
        })
    }
}

/// Byte-level PDF lexer.
pub(super) struct Lexer {
    state: LexState,
    name: NameAcc,
    word: Word,
    /// Absolute offset of the next byte.
    pub(super) pos: u64,
    /// Where the current token starts, and where the white space before it
    /// starts (the end of the previous token or comment): a reader that is
    /// sent anywhere in between reads this token.
    tok_start: u64,
    tok_gap: u64,
    pub(super) prev_end: u64,
    string_depth: u32,
    string_escape: bool,
    comment: [u8; 4],
    comment_len: usize,
    watch: HeaderWatch,
    /// The last thing read (ignoring white space) was a `%%EOF` comment.
    pub(super) eof_marker_last: bool,
}

impl Lexer {
    pub(super) fn new() -> Self {
        Lexer {
            state: LexState::Ground,
            name: NameAcc::new(),
            word: Word::new(),
            pos: 0,
            tok_start: 0,
            tok_gap: 0,
            prev_end: 0,
            string_depth: 0,
            string_escape: false,
            comment: [0; 4],
            comment_len: 0,
            watch: HeaderWatch::Idle,
            eof_marker_last: false,
        }
    }

    /// Lex `data` until it ends or a `stream` keyword starts stream data.
    /// Returns the bytes consumed and, if a stream starts, whether its
    /// keyword ended with CR (so a following LF still belongs to the EOL).
    /// The stream's dictionary is the parser's current one.
    pub(super) fn feed(
        &mut self,
        data: &[u8],
        parser: &mut Parser,
    ) -> Result<(usize, Option<bool>), Rejection> {
        for (i, &b) in data.iter().enumerate() {
            let flow = self.step(b, parser);
            self.pos += 1;
            if let Flow::Stream { after_cr } = flow? {
                return Ok((i + 1, Some(after_cr)));
            }
        }
        Ok((data.len(), None))
    }

    fn emit(&mut self, tok: Tok<'_>, parser: &mut Parser, end: u64) -> Result<Flow, Rejection> {
        self.eof_marker_last = false;
        self.prev_end = end;
        parser.token(tok, self.tok_start, self.tok_gap)
    }

    fn begin_token(&mut self) {
        self.tok_start = self.pos;
        self.tok_gap = self.prev_end;
    }

    fn step(&mut self, b: u8, parser: &mut Parser) -> Result<Flow, Rejection> {
        match self.state {
            LexState::Ground => {}
            LexState::Comment => {
                if b == b'\n' || b == b'\r' {
                    self.end_comment();
                    return Ok(Flow::Continue);
                }
                if let Some(slot) = self.comment.get_mut(self.comment_len) {
                    *slot = b;
                    self.comment_len += 1;
                }
                self.watch_text(b)?;
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
                if let Flow::Stream { .. } = flow {
                    // The keyword `stream` must be followed by an end-of-line.
                    return match b {
                        b'\n' => Ok(Flow::Stream { after_cr: false }),
                        b'\r' => Ok(Flow::Stream { after_cr: true }),
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
                self.watch_text(b)?;
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
        if is_whitespace(b) {
            return Ok(Flow::Continue);
        }
        if b == b'%' {
            self.state = LexState::Comment;
            self.comment_len = 0;
            self.watch = HeaderWatch::Idle;
            return Ok(Flow::Continue);
        }
        self.begin_token();
        match b {
            b'/' => {
                self.state = LexState::Name;
                self.name.reset();
                Ok(Flow::Continue)
            }
            b'(' => {
                self.state = LexState::LitString;
                self.string_depth = 1;
                self.string_escape = false;
                self.watch = HeaderWatch::Idle;
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
                Ok(Flow::Continue)
            }
        }
    }

    fn watch_text(&mut self, b: u8) -> Result<(), Rejection> {
        match self.watch.step(b) {
            Some(next) => {
                self.watch = next;
                Ok(())
            }
            None => Err(not_a_pdf("an object header hidden in a string or comment")),
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
        // Only the line break after a comment is white space a reader may be
        // sent to: an offset inside the comment would make it read the
        // comment's text as objects.
        self.prev_end = self.pos;
        if self.comment_len >= 4 && &self.comment == b"%EOF" {
            self.eof_marker_last = true;
        }
    }

    /// No more bytes: complete a token cut by the end of data.
    pub(super) fn finish(&mut self, parser: &mut Parser) -> Result<(), Rejection> {
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
