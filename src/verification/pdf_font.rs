//! The profile's fonts: DejaVu Sans (regular and bold) and DejaVu Sans Mono, embedded as
//! subsets (only the glyphs the profile uses) in CIDFontType2 fonts with a ToUnicode map, so
//! the PDF looks the same in every viewer for the years it is kept and its text (umlauts,
//! ß, any script DejaVu covers) can be searched and copied.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use sha2::{Digest, Sha256};
use subsetter::GlyphRemapper;

const SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const SANS_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
const MONO: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono.ttf");

/// Which of the bundled faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    /// Running text and values.
    Regular,
    /// Titles, headings and labels.
    Bold,
    /// Hashes.
    Mono,
}

impl Face {
    fn data(self) -> &'static [u8] {
        match self {
            Face::Regular => SANS,
            Face::Bold => SANS_BOLD,
            Face::Mono => MONO,
        }
    }

    fn postscript_name(self) -> &'static str {
        match self {
            Face::Regular => "DejaVuSans",
            Face::Bold => "DejaVuSans-Bold",
            Face::Mono => "DejaVuSansMono",
        }
    }
}

/// A face being used: the glyphs shown so far (numbered as in the subset) and the text each
/// stands for.
pub struct UsedFont {
    face: Face,
    parsed: ttf_parser::Face<'static>,
    glyphs: GlyphRemapper,
    /// The original glyph of each subset glyph, in subset order.
    originals: Vec<u16>,
    text: BTreeMap<u16, char>,
}

impl UsedFont {
    /// The face, ready to take text. Fails only if a bundled font cannot be read.
    pub fn new(face: Face) -> anyhow::Result<UsedFont> {
        let parsed = ttf_parser::Face::parse(face.data(), 0)
            .map_err(|e| anyhow::anyhow!("the bundled font {face:?} cannot be read: {e}"))?;
        Ok(UsedFont {
            face,
            parsed,
            glyphs: GlyphRemapper::new(),
            originals: vec![0],
            text: BTreeMap::new(),
        })
    }

    /// `text` as the two-byte codes (subset glyph ids) a content stream shows; characters
    /// the face lacks show as its empty-box glyph.
    pub fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut codes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let original = self.parsed.glyph_index(c).map_or(0, |g| g.0);
            let glyph = match self.glyphs.get(original) {
                Some(glyph) => glyph,
                None => {
                    self.originals.push(original);
                    self.glyphs.remap(original)
                }
            };
            if original != 0 {
                self.text.entry(glyph).or_insert(c);
            }
            codes.extend_from_slice(&glyph.to_be_bytes());
        }
        codes
    }

    /// How wide `text` is at `size` points, in points.
    pub fn measure(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.width(self.parsed.glyph_index(c).map_or(0, |g| g.0)))
            .sum::<f32>()
            * size
            / 1000.0
    }

    /// A glyph's advance in thousandths of the font size.
    fn width(&self, original: u16) -> f32 {
        let advance = self
            .parsed
            .glyph_hor_advance(ttf_parser::GlyphId(original))
            .unwrap_or(0);
        self.scale(i32::from(advance))
    }

    fn scale(&self, units: i32) -> f32 {
        units as f32 * 1000.0 / f32::from(self.parsed.units_per_em())
    }

    /// Writes the font (Type0 at `id`, and its parts at the refs `next` hands out) into `pdf`.
    pub fn write(
        &self,
        pdf: &mut Pdf,
        id: Ref,
        next: &mut impl FnMut() -> Ref,
    ) -> anyhow::Result<()> {
        let (cid_font, descriptor, file, to_unicode) = (next(), next(), next(), next());
        let subset = subsetter::subset(self.face.data(), 0, &self.glyphs)
            .map_err(|e| anyhow::anyhow!("the font {:?} cannot be subset: {e}", self.face))?;
        // A subset is named with six capitals before a `+`; taking them from the glyphs used
        // keeps the bytes a function of the text.
        let tag: String = Sha256::digest(
            self.originals
                .iter()
                .flat_map(|g| g.to_be_bytes())
                .collect::<Vec<u8>>(),
        )
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect();
        let name = format!("{tag}+{}", self.face.postscript_name());
        let system_info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };

        pdf.type0_font(id)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_font)
            .to_unicode(to_unicode);

        let mut cid = pdf.cid_font(cid_font);
        cid.subtype(CidFontType::Type2)
            .base_font(Name(name.as_bytes()))
            .system_info(system_info)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let widths: Vec<f32> = self.originals.iter().map(|g| self.width(*g)).collect();
        cid.widths().consecutive(0, widths);
        cid.finish();

        let face = &self.parsed;
        let bbox = face.global_bounding_box();
        let mut flags = FontFlags::NON_SYMBOLIC;
        if self.face == Face::Mono {
            flags |= FontFlags::FIXED_PITCH;
        }
        pdf.font_descriptor(descriptor)
            .name(Name(name.as_bytes()))
            .flags(flags)
            .bbox(Rect::new(
                self.scale(i32::from(bbox.x_min)),
                self.scale(i32::from(bbox.y_min)),
                self.scale(i32::from(bbox.x_max)),
                self.scale(i32::from(bbox.y_max)),
            ))
            .italic_angle(0.0)
            .ascent(self.scale(i32::from(face.ascender())))
            .descent(self.scale(i32::from(face.descender())))
            .cap_height(self.scale(i32::from(face.capital_height().unwrap_or(face.ascender()))))
            .stem_v(if self.face == Face::Bold { 120.0 } else { 80.0 })
            .font_file2(file);

        let compressed = deflate(&subset)?;
        let length = i32::try_from(subset.len())?;
        pdf.stream(file, &compressed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), length);

        let mut cmap = UnicodeCmap::new(Name(b"Adobe-Identity-UCS"), system_info);
        for (glyph, c) in &self.text {
            cmap.pair(*glyph, *c);
        }
        pdf.stream(to_unicode, &cmap.finish());
        Ok(())
    }
}

/// zlib-compressed bytes, for FlateDecode streams.
pub fn deflate(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_character_gets_one_subset_glyph_and_missing_ones_the_empty_box() {
        let mut font = UsedFont::new(Face::Regular).unwrap();
        let codes = font.encode("Üß Ü");
        assert_eq!(codes, vec![0, 1, 0, 2, 0, 3, 0, 1]);
        assert_eq!(font.text.get(&2), Some(&'ß'));
        assert_eq!(font.encode("\u{E000}"), vec![0, 0]);
        assert!(font.width(font.originals[1]) > 500.0);
        assert!(font.measure("WW", 10.0) > font.measure("ii", 10.0));
    }
}
