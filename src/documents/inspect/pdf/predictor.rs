//! PNG (10–15) and TIFF (2) predictors, decoded as the data streams through:
//! only the current and the previous row are kept.

use crate::documents::inspect::Rejection;

/// Longest row accepted (cross-reference and object streams use a few bytes).
const MAX_ROW: u64 = 64 * 1024;

fn uninspectable(reason: &'static str) -> Rejection {
    Rejection::PdfUninspectable { reason }
}

/// `/DecodeParms` of a Flate stream, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PredictorParams {
    predictor: i64,
    colors: u64,
    bits: u64,
    columns: u64,
}

impl PredictorParams {
    /// `None` for no prediction (`/Predictor` absent or 1).
    pub(super) fn new(
        predictor: Option<i64>,
        colors: Option<i64>,
        bits: Option<i64>,
        columns: Option<i64>,
    ) -> Result<Option<Self>, Rejection> {
        let predictor = predictor.unwrap_or(1);
        if predictor == 1 {
            return Ok(None);
        }
        if predictor != 2 && !(10..=15).contains(&predictor) {
            return Err(uninspectable("unknown predictor"));
        }
        let positive = |v: Option<i64>, default: u64| match v {
            None => Ok(default),
            Some(v) => u64::try_from(v)
                .ok()
                .filter(|&v| v >= 1)
                .ok_or_else(|| uninspectable("invalid predictor parameters")),
        };
        let params = PredictorParams {
            predictor,
            colors: positive(colors, 1)?,
            bits: positive(bits, 8)?,
            columns: positive(columns, 1)?,
        };
        if !matches!(params.bits, 1 | 2 | 4 | 8 | 16) || params.colors > 32 {
            return Err(uninspectable("invalid predictor parameters"));
        }
        // Sixteen-bit TIFF samples would need the low byte's carry before
        // the high byte can be decoded; nothing that writes object or
        // cross-reference streams uses them.
        if predictor == 2 && params.bits != 8 {
            return Err(uninspectable("TIFF predictor with an unusual sample size"));
        }
        if params.row_bytes() > MAX_ROW {
            return Err(uninspectable("predictor rows too long"));
        }
        Ok(Some(params))
    }

    fn row_bytes(&self) -> u64 {
        self.columns
            .saturating_mul(self.colors)
            .saturating_mul(self.bits)
            .div_ceil(8)
    }

    fn pixel_bytes(&self) -> usize {
        usize::try_from((self.colors * self.bits).div_ceil(8)).unwrap_or(1)
    }
}

/// Streaming predictor decoder.
pub(super) struct Predictor {
    png: bool,
    /// Bytes per pixel (PNG) or per sample group (TIFF).
    bpp: usize,
    colors: usize,
    prev: Vec<u8>,
    cur: Vec<u8>,
    /// Bytes of the current row so far (the PNG tag byte not counted).
    filled: usize,
    /// The current row's PNG filter type, once read.
    tag: Option<u8>,
}

impl Predictor {
    pub(super) fn new(params: PredictorParams) -> Self {
        let row = usize::try_from(params.row_bytes()).unwrap_or(0);
        Predictor {
            png: params.predictor >= 10,
            bpp: params.pixel_bytes(),
            colors: usize::try_from(params.colors).unwrap_or(1),
            prev: vec![0; row],
            cur: vec![0; row],
            filled: 0,
            tag: None,
        }
    }

    /// Decode `data`, handing each completed row to `sink`.
    pub(super) fn push(
        &mut self,
        data: &[u8],
        sink: &mut dyn FnMut(&[u8]) -> Result<(), Rejection>,
    ) -> Result<(), Rejection> {
        for &x in data {
            if self.png && self.tag.is_none() {
                if x > 4 {
                    return Err(uninspectable("unknown PNG predictor row type"));
                }
                self.tag = Some(x);
                continue;
            }
            let decoded = if self.png {
                self.png_byte(x)
            } else {
                self.tiff_byte(x)
            };
            if let Some(slot) = self.cur.get_mut(self.filled) {
                *slot = decoded;
            }
            self.filled += 1;
            if self.filled >= self.cur.len() {
                sink(&self.cur)?;
                std::mem::swap(&mut self.prev, &mut self.cur);
                self.filled = 0;
                self.tag = None;
            }
        }
        Ok(())
    }

    /// The data ended: a partial last row is decoded as far as it goes, as
    /// readers do.
    pub(super) fn finish(
        &mut self,
        sink: &mut dyn FnMut(&[u8]) -> Result<(), Rejection>,
    ) -> Result<(), Rejection> {
        if self.filled > 0 {
            sink(self.cur.get(..self.filled).unwrap_or_default())?;
            self.filled = 0;
        }
        Ok(())
    }

    fn png_byte(&self, x: u8) -> u8 {
        let i = self.filled;
        let left = |row: &[u8]| {
            i.checked_sub(self.bpp)
                .and_then(|j| row.get(j).copied())
                .unwrap_or(0)
        };
        let a = left(&self.cur);
        let b = self.prev.get(i).copied().unwrap_or(0);
        let c = left(&self.prev);
        match self.tag {
            Some(1) => x.wrapping_add(a),
            Some(2) => x.wrapping_add(b),
            Some(3) => x.wrapping_add(((u16::from(a) + u16::from(b)) / 2) as u8),
            Some(4) => x.wrapping_add(paeth(a, b, c)),
            _ => x,
        }
    }

    fn tiff_byte(&self, x: u8) -> u8 {
        let a = self
            .filled
            .checked_sub(self.colors)
            .and_then(|j| self.cur.get(j).copied())
            .unwrap_or(0);
        x.wrapping_add(a)
    }
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let pa = (p - i16::from(a)).abs();
    let pb = (p - i16::from(b)).abs();
    let pc = (p - i16::from(c)).abs();
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}
