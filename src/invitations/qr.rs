//! QR codes of invitation links, for print: SVG (scales without loss) and PNG (at a size the
//! caller picks), both with the standard quiet zone.

use qrcode::render::svg;
use qrcode::{Color, EcLevel, QrCode};

use crate::errors::Error;

/// Smallest and largest PNG edge in pixels.
pub const PNG_SIZES: std::ops::RangeInclusive<u32> = 64..=4096;

fn code(link: &str) -> Result<QrCode, Error> {
    // Medium error correction: survives a smudge on paper without making the code dense.
    QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M)
        .map_err(|e| Error::Internal(anyhow::anyhow!("the link does not fit a QR code: {e}")))
}

/// An SVG of the link's QR code.
pub fn svg(link: &str) -> Result<String, Error> {
    Ok(code(link)?
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .min_dimensions(256, 256)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// A PNG of the link's QR code, `size` pixels wide at least (whole pixels per module, so the
/// edges stay sharp).
pub fn png(link: &str, size: u32) -> Result<Vec<u8>, Error> {
    let code = code(link)?;
    let modules = u32::try_from(code.width()).unwrap_or(u32::MAX);
    let quiet = 4;
    let total = modules + 2 * quiet;
    let scale = size.div_ceil(total).max(1);
    let edge = total * scale;
    let colors = code.to_colors();
    let mut pixels = vec![255u8; (edge as usize) * (edge as usize)];
    for (index, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let index = u32::try_from(index).unwrap_or(0);
        let (mx, my) = (index % modules + quiet, index / modules + quiet);
        for y in my * scale..(my + 1) * scale {
            let row = (y * edge) as usize;
            if let Some(span) =
                pixels.get_mut(row + (mx * scale) as usize..row + ((mx + 1) * scale) as usize)
            {
                span.fill(0);
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, edge, edge);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let encode =
        |e: png::EncodingError| Error::Internal(anyhow::anyhow!("PNG encoding failed: {e}"));
    let mut writer = encoder.write_header().map_err(encode)?;
    writer.write_image_data(&pixels).map_err(encode)?;
    writer.finish().map_err(encode)?;
    Ok(out)
}
