//! The organisation's logo as a PDF image: a JPEG is embedded as it is (DCTDecode), a PNG is
//! decoded to 8-bit samples and compressed again, its alpha channel becoming a soft mask.

use pdf_writer::{Filter, Finish, Name, Pdf, Ref};

use super::pdf_font::deflate;

/// A logo ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    colour: Colour,
    encoding: Encoding,
    samples: Vec<u8>,
    alpha: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Colour {
    Gray,
    Rgb,
    Cmyk,
}

impl Colour {
    fn name(self) -> Name<'static> {
        match self {
            Colour::Gray => Name(b"DeviceGray"),
            Colour::Rgb => Name(b"DeviceRGB"),
            Colour::Cmyk => Name(b"DeviceCMYK"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Encoding {
    /// JPEG bytes as uploaded.
    Dct,
    /// zlib-compressed samples.
    Flate,
}

impl Image {
    /// The logo (`image/png` or `image/jpeg`, as checked at upload) as an image; None for
    /// bytes that cannot be read, so a damaged logo leaves the profile without one.
    pub fn read(content_type: &str, bytes: &[u8]) -> Option<Image> {
        match content_type {
            "image/png" => png_image(bytes),
            "image/jpeg" => jpeg_image(bytes),
            _ => None,
        }
    }

    /// Writes the image at `id` (its soft mask, if any, at a ref from `next`).
    pub fn write(&self, pdf: &mut Pdf, id: Ref, next: &mut impl FnMut() -> Ref) {
        let mask = self.alpha.as_ref().map(|alpha| (next(), alpha));
        let width = i32::try_from(self.width).unwrap_or(0);
        let height = i32::try_from(self.height).unwrap_or(0);
        let filter = match self.encoding {
            Encoding::Dct => Filter::DctDecode,
            Encoding::Flate => Filter::FlateDecode,
        };
        let mut image = pdf.image_xobject(id, &self.samples);
        image
            .width(width)
            .height(height)
            .color_space_name(self.colour.name())
            .bits_per_component(8);
        image.filter(filter);
        if let Some((mask, _)) = mask {
            image.s_mask(mask);
        }
        image.finish();
        if let Some((mask, alpha)) = mask {
            let mut mask = pdf.image_xobject(mask, alpha);
            mask.width(width)
                .height(height)
                .color_space_name(Name(b"DeviceGray"))
                .bits_per_component(8);
            mask.filter(Filter::FlateDecode);
        }
    }
}

fn png_image(bytes: &[u8]) -> Option<Image> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().ok()?;
    let mut buffer = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut buffer).ok()?;
    buffer.truncate(info.buffer_size());
    let (colour, channels, has_alpha) = match info.color_type {
        png::ColorType::Grayscale => (Colour::Gray, 1, false),
        png::ColorType::GrayscaleAlpha => (Colour::Gray, 2, true),
        png::ColorType::Rgb => (Colour::Rgb, 3, false),
        png::ColorType::Rgba => (Colour::Rgb, 4, true),
        png::ColorType::Indexed => return None,
    };
    let (samples, alpha) = if has_alpha {
        let mut samples = Vec::with_capacity(buffer.len());
        let mut alpha = Vec::with_capacity(buffer.len() / channels);
        for pixel in buffer.chunks_exact(channels) {
            let (colour, opacity) = pixel.split_at(channels - 1);
            samples.extend_from_slice(colour);
            alpha.extend_from_slice(opacity);
        }
        // A fully opaque alpha channel needs no mask.
        let alpha = alpha.iter().any(|a| *a != 255).then_some(alpha);
        (samples, alpha)
    } else {
        (buffer, None)
    };
    Some(Image {
        width: info.width,
        height: info.height,
        colour,
        encoding: Encoding::Flate,
        samples: deflate(&samples).ok()?,
        alpha: match alpha {
            Some(alpha) => Some(deflate(&alpha).ok()?),
            None => None,
        },
    })
}

/// A baseline or progressive JPEG: its size and colour components from the start-of-frame
/// marker; the bytes stay as they are.
fn jpeg_image(bytes: &[u8]) -> Option<Image> {
    let mut at = 2;
    if bytes.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    loop {
        // Markers may be padded with extra 0xFF bytes.
        while *bytes.get(at)? == 0xFF && *bytes.get(at + 1)? == 0xFF {
            at += 1;
        }
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        let length = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        let is_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_frame {
            let segment = bytes.get(at + 4..at + 2 + length)?;
            let height = u32::from(u16::from_be_bytes([*segment.get(1)?, *segment.get(2)?]));
            let width = u32::from(u16::from_be_bytes([*segment.get(3)?, *segment.get(4)?]));
            let colour = match segment.get(5)? {
                1 => Colour::Gray,
                3 => Colour::Rgb,
                4 => Colour::Cmyk,
                _ => return None,
            };
            if *segment.first()? != 8 || width == 0 || height == 0 {
                return None;
            }
            return Some(Image {
                width,
                height,
                colour,
                encoding: Encoding::Dct,
                samples: bytes.to_vec(),
                alpha: None,
            });
        }
        if marker == 0xD9 || marker == 0xDA {
            return None;
        }
        at += 2 + length;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(color: png::ColorType, pixel: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, 2, 1);
        encoder.set_color(color);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[pixel, pixel].concat()).unwrap();
        writer.finish().unwrap();
        out
    }

    #[test]
    fn a_png_with_transparency_gets_a_soft_mask_and_an_opaque_one_none() {
        let clear = Image::read("image/png", &png(png::ColorType::Rgba, &[1, 2, 3, 0])).unwrap();
        assert_eq!(
            (clear.width, clear.height, clear.colour),
            (2, 1, Colour::Rgb)
        );
        assert!(clear.alpha.is_some());
        let opaque = Image::read("image/png", &png(png::ColorType::Rgba, &[1, 2, 3, 255])).unwrap();
        assert!(opaque.alpha.is_none());
        let gray = Image::read("image/png", &png(png::ColorType::Grayscale, &[9])).unwrap();
        assert_eq!(gray.colour, Colour::Gray);
        assert_eq!(Image::read("image/png", b"not a png"), None);
    }

    #[test]
    fn a_jpeg_keeps_its_bytes_and_reads_its_size_from_the_frame_header() {
        let jpeg = [
            &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00][..],
            &[
                0xFF, 0xC0, 0x00, 0x0B, 8, 0x00, 0x20, 0x00, 0x40, 3, 0, 0, 0,
            ][..],
            &[0xFF, 0xD9][..],
        ]
        .concat();
        let image = Image::read("image/jpeg", &jpeg).unwrap();
        assert_eq!(
            (image.width, image.height, image.colour),
            (64, 32, Colour::Rgb)
        );
        assert_eq!(image.samples, jpeg);
        assert_eq!(Image::read("image/jpeg", &jpeg[..6]), None);
    }
}
