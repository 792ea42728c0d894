//! Object streams: how to decode one from what its dictionary says, and the
//! check of its decoded contents (every value tokenized with the file's
//! rules, and its index pointing at value starts).
//!
//! In the streaming pass a failure is *held*, not returned: if the file
//! turns out to be encrypted the bytes were ciphertext, and the structural
//! pass decodes the stream again with the key.

use super::decode::{Budget, Decoder, Encoding};
use super::decrypt::Decrypt;
use super::dict_info::{DictInfo, Filters, Param};
use super::grammar::{Parser, Top};
use super::layout::Outcome;
use super::lexer::Lexer;
use super::not_a_pdf;
use super::objstm_index::ObjStmIndex;
use super::predictor::PredictorParams;
use crate::documents::inspect::Rejection;

/// What to do with an object stream, from its dictionary.
pub(super) enum Plan {
    Decode(Encoding, Option<(i64, i64)>),
    /// Part of the dictionary is an indirect reference.
    Defer,
}

fn direct(param: Param) -> Result<Option<i64>, Rejection> {
    match param {
        Param::Absent => Ok(None),
        Param::Int(v) => Ok(Some(v)),
        Param::Indirect | Param::Invalid => Err(Rejection::PdfUninspectable {
            reason: "invalid decode parameters",
        }),
    }
}

/// How to decode a stream with this dictionary (`Defer` only if `info` has
/// indirect parts).
pub(super) fn plan(info: &DictInfo) -> Result<Plan, Rejection> {
    let parms = &info.parms;
    if info.filters == Filters::Indirect
        || parms.indirect
        || info.first == Param::Indirect
        || info.n == Param::Indirect
    {
        return Ok(Plan::Defer);
    }
    let flate = match info.filters {
        Filters::None => false,
        Filters::Flate => true,
        Filters::Indirect | Filters::Unsupported => {
            return Err(Rejection::PdfUninspectable {
                reason: "object stream with an unsupported filter",
            });
        }
    };
    let predictor = if flate {
        if parms.invalid {
            return Err(Rejection::PdfUninspectable {
                reason: "invalid decode parameters",
            });
        }
        PredictorParams::new(
            direct(parms.predictor)?,
            direct(parms.colors)?,
            direct(parms.bits)?,
            direct(parms.columns)?,
        )?
    } else {
        None
    };
    // Without both numbers no reader can use the index, but the contents
    // are still checked.
    let index = match (info.n, info.first) {
        (Param::Int(n), Param::Int(first)) => Some((n, first)),
        _ => None,
    };
    Ok(Plan::Decode(Encoding { flate, predictor }, index))
}

/// Decodes one object stream and checks what comes out.
pub(super) struct ObjStmCheck {
    decoder: Decoder,
    lexer: Lexer,
    parser: Parser,
}

impl ObjStmCheck {
    pub(super) fn new(
        encoding: Encoding,
        index: Option<(i64, i64)>,
        cipher: Option<Box<dyn Decrypt>>,
    ) -> Result<Self, Rejection> {
        let mut parser = Parser::new(Top::ObjStm);
        parser.index = match index {
            Some((n, first)) => Some(ObjStmIndex::new(n, first)?),
            None => None,
        };
        Ok(ObjStmCheck {
            decoder: Decoder::new(encoding, cipher),
            lexer: Lexer::new(),
            parser,
        })
    }

    pub(super) fn push(&mut self, data: &[u8], budget: &mut Budget) -> Result<(), Rejection> {
        let ObjStmCheck {
            decoder,
            lexer,
            parser,
        } = self;
        decoder.push(data, budget, &mut |out| tokens(lexer, parser, out))
    }

    pub(super) fn finish(&mut self, budget: &mut Budget) -> Result<(), Rejection> {
        let ObjStmCheck {
            decoder,
            lexer,
            parser,
        } = self;
        decoder.finish(budget, &mut |out| tokens(lexer, parser, out))?;
        lexer.finish(parser)?;
        parser.finish_object_stream()
    }
}

/// Tokenize object-stream contents (which never contain streams).
fn tokens(lexer: &mut Lexer, parser: &mut Parser, data: &[u8]) -> Result<(), Rejection> {
    match lexer.feed(data, parser)? {
        (_, None) => Ok(()),
        (_, Some(_)) => Err(not_a_pdf("stream inside an object stream")),
    }
}

/// An object stream in the streaming pass.
pub(super) enum Pass1 {
    Checking(Box<ObjStmCheck>),
    Held(Rejection),
    Deferred,
}

impl Pass1 {
    /// Starts on a stream with this dictionary. Problems with the
    /// dictionary itself (which is never encrypted) are returned at once.
    pub(super) fn start(info: &DictInfo) -> Result<Pass1, Rejection> {
        Ok(match plan(info)? {
            Plan::Defer => Pass1::Deferred,
            Plan::Decode(encoding, index) => match ObjStmCheck::new(encoding, index, None) {
                Ok(check) => Pass1::Checking(Box::new(check)),
                Err(rejection) => Pass1::Held(rejection),
            },
        })
    }

    pub(super) fn push(&mut self, data: &[u8], budget: &mut Budget) {
        if let Pass1::Checking(check) = self
            && let Err(rejection) = check.push(data, budget)
        {
            *self = Pass1::Held(rejection);
        }
    }

    pub(super) fn finish(self, budget: &mut Budget) -> Outcome {
        match self {
            Pass1::Checking(mut check) => match check.finish(budget) {
                Ok(()) => Outcome::Checked,
                Err(rejection) => Outcome::Held(rejection),
            },
            Pass1::Held(rejection) => Outcome::Held(rejection),
            Pass1::Deferred => Outcome::Deferred,
        }
    }
}
