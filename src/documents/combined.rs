//! One PDF of a document's photos, so that a reader that expects one file per document gets
//! all of them: each image becomes an A4 page, scaled to fit and keeping its aspect ratio.
//! JPEGs are embedded as they are (DCTDecode); PNGs are decoded and embedded as plain pixels
//! (FlateDecode), their transparency laid on white.

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref};

use super::inspect::FileKind;

/// A4 in points.
const PAGE_WIDTH: f32 = 595.276;
const PAGE_HEIGHT: f32 = 841.89;
/// The white edge around each image.
const MARGIN: f32 = 28.0;

/// Why the photos could not be combined (they passed inspection, so this is a stored file
/// that changed or a decoder's limit).
#[derive(Debug, thiserror::Error)]
pub enum CombineError {
    /// A JPEG without a readable frame header.
    #[error("a JPEG's frame header cannot be read")]
    JpegHeader,
    /// A PNG the decoder refused.
    #[error("a PNG cannot be decoded: {0}")]
    Png(#[from] png::DecodingError),
    /// A PDF among the files (a PDF is never one of several).
    #[error("a PDF cannot be a page of a combined document")]
    NotAnImage,
    /// Compressing pixels failed.
    #[error("compressing an image failed: {0}")]
    Io(#[from] std::io::Error),
}

/// An image ready to embed.
struct Embedded {
    width: u32,
    height: u32,
    color: Color,
    filter: Filter,
    data: Vec<u8>,
}

#[derive(Clone, Copy)]
enum Color {
    Gray,
    Rgb,
    Cmyk,
}

/// The PDF of `images` (kind and bytes), one page each, in order.
pub fn combine(images: &[(FileKind, Vec<u8>)]) -> Result<Vec<u8>, CombineError> {
    let embedded = images
        .iter()
        .map(|(kind, bytes)| match kind {
            FileKind::Jpeg => jpeg(bytes),
            FileKind::Png => png_pixels(bytes),
            FileKind::Pdf => Err(CombineError::NotAnImage),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    // Three objects per page: the page, its content and its image.
    let page_ids: Vec<Ref> = (0..embedded.len())
        .map(|n| Ref::new(3 + 3 * i32::try_from(n).unwrap_or(i32::MAX / 4)))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(i32::try_from(page_ids.len()).unwrap_or(i32::MAX));
    for (image, page_id) in embedded.iter().zip(&page_ids) {
        let content_id = Ref::new(page_id.get() + 1);
        let image_id = Ref::new(page_id.get() + 2);
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .parent(tree)
            .contents(content_id);
        page.resources().x_objects().pair(Name(b"Im"), image_id);
        page.finish();

        let mut xobject = pdf.image_xobject(image_id, &image.data);
        xobject.filter(image.filter);
        xobject.width(i32::try_from(image.width).unwrap_or(i32::MAX));
        xobject.height(i32::try_from(image.height).unwrap_or(i32::MAX));
        match image.color {
            Color::Gray => xobject.color_space().device_gray(),
            Color::Rgb => xobject.color_space().device_rgb(),
            Color::Cmyk => xobject.color_space().device_cmyk(),
        };
        xobject.bits_per_component(8);
        xobject.finish();

        let (w, h, x, y) = placed(image.width, image.height);
        let mut content = Content::new();
        content.save_state();
        content.transform([w, 0.0, 0.0, h, x, y]);
        content.x_object(Name(b"Im"));
        content.restore_state();
        pdf.stream(content_id, &content.finish());
    }
    Ok(pdf.finish())
}

/// Size and lower-left corner of an image of `width` x `height` pixels scaled to fit the page
/// inside its margin, centred.
fn placed(width: u32, height: u32) -> (f32, f32, f32, f32) {
    let (box_w, box_h) = (PAGE_WIDTH - 2.0 * MARGIN, PAGE_HEIGHT - 2.0 * MARGIN);
    let (iw, ih) = (width.max(1) as f32, height.max(1) as f32);
    let scale = (box_w / iw).min(box_h / ih);
    let (w, h) = (iw * scale, ih * scale);
    (w, h, (PAGE_WIDTH - w) / 2.0, (PAGE_HEIGHT - h) / 2.0)
}

/// A JPEG as it is: its frame header gives size and colours.
fn jpeg(bytes: &[u8]) -> Result<Embedded, CombineError> {
    let mut i = 2;
    loop {
        let (Some(&0xFF), Some(&marker)) = (bytes.get(i), bytes.get(i + 1)) else {
            return Err(CombineError::JpegHeader);
        };
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([
            *bytes.get(i + 2).ok_or(CombineError::JpegHeader)?,
            *bytes.get(i + 3).ok_or(CombineError::JpegHeader)?,
        ]));
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let frame = bytes.get(i + 4..i + 10).ok_or(CombineError::JpegHeader)?;
            let height = u32::from(u16::from_be_bytes([frame[1], frame[2]]));
            let width = u32::from(u16::from_be_bytes([frame[3], frame[4]]));
            let color = match frame[5] {
                1 => Color::Gray,
                3 => Color::Rgb,
                4 => Color::Cmyk,
                _ => return Err(CombineError::JpegHeader),
            };
            return Ok(Embedded {
                width,
                height,
                color,
                filter: Filter::DctDecode,
                data: bytes.to_vec(),
            });
        }
        if marker == 0xDA || length < 2 {
            return Err(CombineError::JpegHeader);
        }
        i += 2 + length;
    }
}

/// A PNG decoded to 8-bit grey or RGB pixels (alpha laid on white), compressed.
fn png_pixels(bytes: &[u8]) -> Result<Embedded, CombineError> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info()?;
    let mut buffer = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader.next_frame(&mut buffer)?;
    let pixels = buffer.get(..info.buffer_size()).unwrap_or_default();
    let on_white = |value: u8, alpha: u8| -> u8 {
        let (v, a) = (u32::from(value), u32::from(alpha));
        u8::try_from((v * a + 255 * (255 - a)) / 255).unwrap_or(u8::MAX)
    };
    let (color, raw): (Color, Vec<u8>) = match info.color_type {
        png::ColorType::Grayscale => (Color::Gray, pixels.to_vec()),
        png::ColorType::GrayscaleAlpha => (
            Color::Gray,
            pixels
                .chunks_exact(2)
                .map(|p| on_white(p[0], p[1]))
                .collect(),
        ),
        png::ColorType::Rgba => (
            Color::Rgb,
            pixels
                .chunks_exact(4)
                .flat_map(|p| {
                    [
                        on_white(p[0], p[3]),
                        on_white(p[1], p[3]),
                        on_white(p[2], p[3]),
                    ]
                })
                .collect(),
        ),
        // Palette images are expanded to RGB by the transformation.
        png::ColorType::Rgb | png::ColorType::Indexed => (Color::Rgb, pixels.to_vec()),
    };
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(&raw)?;
    Ok(Embedded {
        width: info.width,
        height: info.height,
        color,
        filter: Filter::FlateDecode,
        data: encoder.finish()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_photo_fills_the_width_and_a_tall_one_the_height() {
        let (w, h, x, _) = placed(4000, 1000);
        assert!((w - (PAGE_WIDTH - 2.0 * MARGIN)).abs() < 0.01);
        assert!((w / h - 4.0).abs() < 0.01);
        assert!((x - MARGIN).abs() < 0.01);
        let (w, h, _, y) = placed(1000, 4000);
        assert!((h - (PAGE_HEIGHT - 2.0 * MARGIN)).abs() < 0.01);
        assert!((h / w - 4.0).abs() < 0.01);
        assert!((y - MARGIN).abs() < 0.01);
    }
}
