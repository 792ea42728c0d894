//! Decoding stream data as it streams through, in bounded memory: decryption
//! (structural pass only), Flate with a fixed output window, then a
//! predictor. Every decoded byte counts against the decompression limits.

use flate2::{Decompress, FlushDecompress, Status};

use super::decrypt::Decrypt;
use super::predictor::{Predictor, PredictorParams};
use crate::documents::inspect::{Limits, Rejection};

/// Decompression output window.
const INFLATE_WINDOW: usize = 16 * 1024;

/// Where decoded bytes go.
pub(super) type Sink<'a> = dyn FnMut(&[u8]) -> Result<(), Rejection> + 'a;

/// How a stream's data is encoded (only what is supported).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Encoding {
    pub(super) flate: bool,
    pub(super) predictor: Option<PredictorParams>,
}

/// Counts decoded bytes against [`Limits`]: per stream and per file.
pub(super) struct Budget {
    pub(super) limits: Limits,
    pub(super) total: u64,
}

impl Budget {
    fn account(&mut self, produced: &mut u64, n: usize) -> Result<(), Rejection> {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        *produced = produced.saturating_add(n);
        self.total = self.total.saturating_add(n);
        if *produced > self.limits.max_object_stream_bytes {
            return Err(Rejection::DecompressionLimit {
                limit: self.limits.max_object_stream_bytes,
            });
        }
        if self.total > self.limits.max_total_object_stream_bytes {
            return Err(Rejection::DecompressionLimit {
                limit: self.limits.max_total_object_stream_bytes,
            });
        }
        Ok(())
    }
}

struct Inflate {
    z: Decompress,
    out: Vec<u8>,
    ended: bool,
}

impl Inflate {
    fn run(&mut self, data: &[u8], next: &mut Sink<'_>) -> Result<(), Rejection> {
        let mut input = data;
        // Bytes after the end of the zlib stream (the EOL before
        // `endstream`) are ignored, as readers do.
        while !self.ended {
            let (in_before, out_before) = (self.z.total_in(), self.z.total_out());
            let result = self
                .z
                .decompress(input, &mut self.out, FlushDecompress::None);
            let used = usize::try_from(self.z.total_in() - in_before).unwrap_or(usize::MAX);
            let made = usize::try_from(self.z.total_out() - out_before).unwrap_or(usize::MAX);
            input = input.get(used..).unwrap_or_default();
            // What was decoded before a data error is checked first, so the
            // verdict does not depend on how the input was cut.
            if made > 0 {
                next(self.out.get(..made).unwrap_or_default())?;
            }
            let status = result.map_err(|_| Rejection::PdfUninspectable {
                reason: "a compressed object stream could not be decompressed",
            })?;
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
}

/// One stream's decoding pipeline.
pub(super) struct Decoder {
    cipher: Option<Box<dyn Decrypt>>,
    plain: Vec<u8>,
    inflate: Option<Inflate>,
    predictor: Option<Predictor>,
    produced: u64,
}

impl Decoder {
    pub(super) fn new(encoding: Encoding, cipher: Option<Box<dyn Decrypt>>) -> Self {
        Decoder {
            cipher,
            plain: Vec::new(),
            inflate: encoding.flate.then(|| Inflate {
                z: Decompress::new(true),
                out: vec![0; INFLATE_WINDOW],
                ended: false,
            }),
            // Predictors apply to Flate output only; readers ignore them otherwise.
            predictor: encoding
                .predictor
                .filter(|_| encoding.flate)
                .map(Predictor::new),
            produced: 0,
        }
    }

    /// Decode the next piece of stored data, handing decoded bytes to `sink`.
    pub(super) fn push(
        &mut self,
        data: &[u8],
        budget: &mut Budget,
        sink: &mut Sink<'_>,
    ) -> Result<(), Rejection> {
        let Decoder {
            cipher,
            plain,
            inflate,
            predictor,
            produced,
        } = self;
        let data = match cipher {
            Some(cipher) => {
                plain.clear();
                cipher.push(data, plain);
                plain.as_slice()
            }
            None => data,
        };
        decompress(data, inflate, predictor, produced, budget, sink)
    }

    /// The stored data ended.
    pub(super) fn finish(
        &mut self,
        budget: &mut Budget,
        sink: &mut Sink<'_>,
    ) -> Result<(), Rejection> {
        let Decoder {
            cipher,
            plain,
            inflate,
            predictor,
            produced,
        } = self;
        if let Some(cipher) = cipher {
            plain.clear();
            cipher.finish(plain);
            decompress(plain, inflate, predictor, produced, budget, sink)?;
        }
        if inflate.as_ref().is_some_and(|z| !z.ended) {
            return Err(Rejection::PdfUninspectable {
                reason: "an object stream ends before its compressed data does",
            });
        }
        match predictor {
            Some(predictor) => predictor.finish(sink),
            None => Ok(()),
        }
    }
}

fn decompress(
    data: &[u8],
    inflate: &mut Option<Inflate>,
    predictor: &mut Option<Predictor>,
    produced: &mut u64,
    budget: &mut Budget,
    sink: &mut Sink<'_>,
) -> Result<(), Rejection> {
    if data.is_empty() {
        return Ok(());
    }
    let mut next = |out: &[u8]| -> Result<(), Rejection> {
        budget.account(produced, out.len())?;
        match predictor {
            Some(predictor) => predictor.push(out, sink),
            None => sink(out),
        }
    };
    match inflate {
        Some(z) => z.run(data, &mut next),
        None => next(data),
    }
}
