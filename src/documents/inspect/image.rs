//! Streaming structure checks for PNG and JPEG.
//!
//! Both walkers read the header to get the dimensions (refusing images over
//! the pixel limit as soon as the header is in), then follow the chunk /
//! segment structure to the end of the image so a truncated or corrupt file is
//! refused too. Pixel data is not decoded; only fixed-size headers are
//! buffered, so memory does not depend on the file size.

use super::PNG_SIGNATURE;
use super::{FileKind, Rejection};
use flate2::Crc;

fn check_pixels(width: u32, height: u32, max_pixels: u64) -> Result<(), Rejection> {
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(Rejection::TooManyPixels {
            width,
            height,
            max_pixels,
        });
    }
    Ok(())
}

/// Copy bytes from `data[*i..]` into `buf[*filled..want]`; true once `want` bytes are there.
fn collect(buf: &mut [u8], filled: &mut usize, want: usize, data: &[u8], i: &mut usize) -> bool {
    let need = want.saturating_sub(*filled);
    let avail = data.len().saturating_sub(*i);
    let n = need.min(avail);
    if let (Some(dst), Some(src)) = (buf.get_mut(*filled..*filled + n), data.get(*i..*i + n)) {
        dst.copy_from_slice(src);
    }
    *filled += n;
    *i += n;
    *filled >= want
}

fn be_u32(b: &[u8]) -> u32 {
    match b {
        [a, b, c, d, ..] => u32::from_be_bytes([*a, *b, *c, *d]),
        _ => 0,
    }
}

fn be_u16(b: &[u8]) -> u16 {
    match b {
        [a, b, ..] => u16::from_be_bytes([*a, *b]),
        _ => 0,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PngState {
    Signature,
    ChunkHeader,
    /// Collecting the 13 IHDR data bytes.
    IhdrData,
    /// Skipping (and checksumming) other chunk data.
    ChunkData,
    ChunkCrc,
    /// After IEND: nothing may follow.
    End,
}

/// Walks PNG chunks: signature, IHDR first (validated, pixel limit), every
/// chunk's CRC, at least one IDAT, IEND last and nothing after it (trailing
/// bytes are how PNG/ZIP polyglots are made).
pub(super) struct PngWalker {
    max_pixels: u64,
    state: PngState,
    buf: [u8; 13],
    filled: usize,
    ihdr: [u8; 13],
    crc: Crc,
    chunk_type: [u8; 4],
    remaining: u32,
    header_ok: bool,
    seen_idat: bool,
}

impl PngWalker {
    pub(super) fn new(max_pixels: u64) -> Self {
        PngWalker {
            max_pixels,
            state: PngState::Signature,
            buf: [0; 13],
            filled: 0,
            ihdr: [0; 13],
            crc: Crc::new(),
            chunk_type: [0; 4],
            remaining: 0,
            header_ok: false,
            seen_idat: false,
        }
    }

    fn fail(&self, reason: &'static str) -> Rejection {
        if self.header_ok {
            Rejection::DamagedImage {
                kind: FileKind::Png,
                reason,
            }
        } else {
            Rejection::ImageHeader {
                kind: FileKind::Png,
            }
        }
    }

    pub(super) fn feed(&mut self, data: &[u8]) -> Result<(), Rejection> {
        let mut i = 0;
        while i < data.len() {
            match self.state {
                PngState::Signature => {
                    if collect(&mut self.buf, &mut self.filled, 8, data, &mut i) {
                        if self.buf.get(..8) != Some(PNG_SIGNATURE.as_slice()) {
                            return Err(self.fail("bad signature"));
                        }
                        self.filled = 0;
                        self.state = PngState::ChunkHeader;
                    }
                }
                PngState::ChunkHeader => {
                    if collect(&mut self.buf, &mut self.filled, 8, data, &mut i) {
                        self.filled = 0;
                        self.chunk_header()?;
                    }
                }
                PngState::IhdrData => {
                    if collect(&mut self.buf, &mut self.filled, 13, data, &mut i) {
                        self.filled = 0;
                        self.crc.update(&self.buf);
                        // `buf` is reused for the CRC, so keep the header aside.
                        self.ihdr = self.buf;
                        self.state = PngState::ChunkCrc;
                    }
                }
                PngState::ChunkData => {
                    let n = data
                        .len()
                        .saturating_sub(i)
                        .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
                    if let Some(part) = data.get(i..i + n) {
                        self.crc.update(part);
                    }
                    i += n;
                    // n <= remaining by construction.
                    self.remaining -= u32::try_from(n).unwrap_or(self.remaining);
                    if self.remaining == 0 {
                        self.state = PngState::ChunkCrc;
                    }
                }
                PngState::ChunkCrc => {
                    if collect(&mut self.buf, &mut self.filled, 4, data, &mut i) {
                        self.filled = 0;
                        self.chunk_end()?;
                    }
                }
                PngState::End => {
                    return Err(self.fail("data after the end of the image"));
                }
            }
        }
        Ok(())
    }

    fn chunk_header(&mut self) -> Result<(), Rejection> {
        let length = be_u32(&self.buf);
        let mut chunk_type = [0u8; 4];
        if let Some(t) = self.buf.get(4..8) {
            chunk_type.copy_from_slice(t);
        }
        if length > 0x7FFF_FFFF || !chunk_type.iter().all(u8::is_ascii_alphabetic) {
            return Err(self.fail("bad chunk header"));
        }
        let is_ihdr = &chunk_type == b"IHDR";
        if is_ihdr == self.header_ok {
            // IHDR must come first, and only once.
            return Err(self.fail("misplaced header chunk"));
        }
        if is_ihdr && length != 13 {
            return Err(self.fail("bad header length"));
        }
        if &chunk_type == b"IEND" && length != 0 {
            return Err(self.fail("bad end chunk"));
        }
        if &chunk_type == b"IDAT" {
            self.seen_idat = true;
        }
        self.chunk_type = chunk_type;
        self.crc = Crc::new();
        self.crc.update(&chunk_type);
        self.remaining = length;
        self.state = if is_ihdr {
            PngState::IhdrData
        } else if length == 0 {
            PngState::ChunkCrc
        } else {
            PngState::ChunkData
        };
        Ok(())
    }

    fn chunk_end(&mut self) -> Result<(), Rejection> {
        if be_u32(&self.buf) != self.crc.sum() {
            return Err(self.fail("checksum mismatch"));
        }
        match &self.chunk_type {
            b"IHDR" => {
                // The CRC covered these bytes, so they are what the encoder wrote.
                let (dims, params) = self.ihdr.split_at(8);
                let width = be_u32(dims);
                let height = be_u32(dims.get(4..).unwrap_or_default());
                let &[depth, color, compression, filter, interlace] = params else {
                    return Err(self.fail("bad header"));
                };
                let depth_ok = match color {
                    0 => matches!(depth, 1 | 2 | 4 | 8 | 16),
                    3 => matches!(depth, 1 | 2 | 4 | 8),
                    2 | 4 | 6 => matches!(depth, 8 | 16),
                    _ => false,
                };
                let dims_ok =
                    (1..=0x7FFF_FFFF).contains(&width) && (1..=0x7FFF_FFFF).contains(&height);
                if !depth_ok || !dims_ok || compression != 0 || filter != 0 || interlace > 1 {
                    return Err(self.fail("bad header"));
                }
                check_pixels(width, height, self.max_pixels)?;
                self.header_ok = true;
                self.state = PngState::ChunkHeader;
            }
            b"IEND" => {
                if !self.seen_idat {
                    return Err(self.fail("no image data"));
                }
                self.state = PngState::End;
            }
            _ => self.state = PngState::ChunkHeader,
        }
        Ok(())
    }

    pub(super) fn finish(self) -> Result<(), Rejection> {
        if self.state == PngState::End {
            Ok(())
        } else {
            Err(self.fail("truncated"))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JpegState {
    /// The two SOI bytes.
    Soi,
    /// Expecting the 0xFF that starts a marker.
    MarkerStart,
    /// After 0xFF: the marker code (further 0xFF are fill bytes).
    MarkerCode,
    /// The two-byte segment length.
    Length,
    /// Inside a segment's data.
    Segment,
    /// Entropy-coded scan data, looking for the next 0xFF.
    Entropy,
    /// 0xFF seen inside scan data.
    EntropyFf,
    /// After EOI.
    Done,
}

/// Walks JPEG markers: SOI, well-formed segments, a valid SOFn (dimensions,
/// pixel limit) before the first SOS, scan data, up to EOI. Bytes after EOI
/// are allowed because phones append data there (motion photos, gain maps);
/// the file is stored and served as `image/jpeg`, so they are inert.
pub(super) struct JpegWalker {
    max_pixels: u64,
    state: JpegState,
    buf: [u8; 6],
    filled: usize,
    marker: u8,
    remaining: usize,
    header_ok: bool,
    seen_scan: bool,
}

/// Start-of-frame markers (C4 is DHT, C8 reserved, CC is DAC).
fn is_sof(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

impl JpegWalker {
    pub(super) fn new(max_pixels: u64) -> Self {
        JpegWalker {
            max_pixels,
            state: JpegState::Soi,
            buf: [0; 6],
            filled: 0,
            marker: 0,
            remaining: 0,
            header_ok: false,
            seen_scan: false,
        }
    }

    fn fail(&self, reason: &'static str) -> Rejection {
        if self.header_ok {
            Rejection::DamagedImage {
                kind: FileKind::Jpeg,
                reason,
            }
        } else {
            Rejection::ImageHeader {
                kind: FileKind::Jpeg,
            }
        }
    }

    pub(super) fn feed(&mut self, data: &[u8]) -> Result<(), Rejection> {
        let mut i = 0;
        while i < data.len() {
            match self.state {
                JpegState::Soi => {
                    if collect(&mut self.buf, &mut self.filled, 2, data, &mut i) {
                        self.filled = 0;
                        if self.buf.get(..2) != Some([0xFF, 0xD8].as_slice()) {
                            return Err(self.fail("missing start of image"));
                        }
                        self.state = JpegState::MarkerStart;
                    }
                }
                JpegState::MarkerStart => {
                    if data.get(i) != Some(&0xFF) {
                        return Err(self.fail("bad marker"));
                    }
                    i += 1;
                    self.state = JpegState::MarkerCode;
                }
                JpegState::MarkerCode => {
                    let code = data.get(i).copied().unwrap_or(0);
                    i += 1;
                    if code != 0xFF {
                        self.marker_code(code)?;
                    }
                }
                JpegState::Length => {
                    if collect(&mut self.buf, &mut self.filled, 2, data, &mut i) {
                        self.filled = 0;
                        let length = usize::from(be_u16(&self.buf));
                        if length < 2 || (is_sof(self.marker) && length < 8) {
                            return Err(self.fail("bad segment length"));
                        }
                        self.remaining = length - 2;
                        self.state = JpegState::Segment;
                        if self.remaining == 0 {
                            self.segment_end()?;
                        }
                    }
                }
                JpegState::Segment => {
                    let avail = data.len() - i;
                    if is_sof(self.marker) && self.filled < 6 {
                        // Keep precision, height, width, component count.
                        let before = i;
                        collect(&mut self.buf, &mut self.filled, 6, data, &mut i);
                        self.remaining = self.remaining.saturating_sub(i - before);
                    } else {
                        let n = avail.min(self.remaining);
                        i += n;
                        self.remaining -= n;
                    }
                    if self.remaining == 0 {
                        self.segment_end()?;
                    }
                }
                JpegState::Entropy => {
                    match data
                        .get(i..)
                        .and_then(|rest| rest.iter().position(|&b| b == 0xFF))
                    {
                        Some(p) => {
                            i += p + 1;
                            self.state = JpegState::EntropyFf;
                        }
                        None => i = data.len(),
                    }
                }
                JpegState::EntropyFf => {
                    let code = data.get(i).copied().unwrap_or(0);
                    i += 1;
                    match code {
                        // Stuffed zero byte or restart marker: still scan data.
                        0x00 | 0xD0..=0xD7 => self.state = JpegState::Entropy,
                        0xFF => {}
                        _ => self.marker_code(code)?,
                    }
                }
                JpegState::Done => return Ok(()),
            }
        }
        Ok(())
    }

    fn marker_code(&mut self, code: u8) -> Result<(), Rejection> {
        match code {
            0x00 | 0xD8 => Err(self.fail("bad marker")),
            0xD9 => {
                if self.seen_scan {
                    self.state = JpegState::Done;
                    Ok(())
                } else {
                    Err(self.fail("image ends before its data"))
                }
            }
            // Standalone markers without a length.
            0x01 | 0xD0..=0xD7 => {
                self.state = JpegState::MarkerStart;
                Ok(())
            }
            _ => {
                self.marker = code;
                self.filled = 0;
                self.state = JpegState::Length;
                Ok(())
            }
        }
    }

    fn segment_end(&mut self) -> Result<(), Rejection> {
        if is_sof(self.marker) {
            if self.header_ok {
                return Err(self.fail("more than one frame header"));
            }
            let [_precision, h0, h1, w0, w1, components] = self.buf;
            let height = u32::from(u16::from_be_bytes([h0, h1]));
            let width = u32::from(u16::from_be_bytes([w0, w1]));
            if height == 0 || width == 0 || !(1..=4).contains(&components) {
                return Err(self.fail("bad frame header"));
            }
            check_pixels(width, height, self.max_pixels)?;
            self.header_ok = true;
            self.filled = 0;
        }
        self.state = if self.marker == 0xDA {
            if !self.header_ok {
                return Err(self.fail("scan before frame header"));
            }
            self.seen_scan = true;
            JpegState::Entropy
        } else {
            JpegState::MarkerStart
        };
        Ok(())
    }

    pub(super) fn finish(self) -> Result<(), Rejection> {
        if self.state == JpegState::Done {
            Ok(())
        } else {
            Err(self.fail("truncated"))
        }
    }
}
