//! Files built in code: PDFs (classic, with object and cross-reference
//! streams, or laid out by hand), PNGs and JPEGs.

use super::*;

/// A stream object body: dictionary entries plus data (Length added).
pub(super) fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut body = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(b"\nendstream");
    body
}

/// A classic PDF with objects numbered from 1 (object 1 is the catalog),
/// a cross-reference table with correct offsets and a trailer.
pub(super) fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

pub(super) fn b(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

pub(super) const CONTENT: &[u8] = b"BT /F1 24 Tf 72 720 Td (Hello KYC) Tj ET";

/// Catalog, pages, one page with a text content stream, a font; `extra`
/// entries go into the catalog and `more` objects are appended (from 6).
pub(super) fn simple_pdf(catalog_extra: &str, more: &[Vec<u8>]) -> Vec<u8> {
    let mut objects = vec![
        b(&format!(
            "<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>"
        )),
        b("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        b(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
           /Resources << /Font << /F1 5 0 R >> >> >>",
        ),
        stream("", CONTENT),
        b("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
    ];
    objects.extend_from_slice(more);
    pdf(&objects)
}

/// A PDF 1.5 file: catalog, pages, page and font compressed in an object
/// stream (plus `hidden` extra objects in it, numbered from 8), a Flate
/// content stream, and a compressed cross-reference stream.
pub(super) fn modern_pdf(catalog_extra: &str, hidden: &[&str]) -> Vec<u8> {
    let mut in_stream: Vec<(u32, String)> = vec![
        (
            1,
            format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>"),
        ),
        (2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into()),
        (
            3,
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> >> >>"
                .into(),
        ),
        (
            5,
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into(),
        ),
    ];
    for (i, object) in hidden.iter().enumerate() {
        in_stream.push((8 + i as u32, (*object).to_string()));
    }
    let mut header = String::new();
    let mut body = String::new();
    for (number, object) in &in_stream {
        header.push_str(&format!("{number} {} ", body.len()));
        body.push_str(object);
        body.push('\n');
    }
    let objstm_data = zlib(format!("{header}{body}").as_bytes());
    let objstm = stream(
        &format!(
            "/Type /ObjStm /N {} /First {} /Filter /FlateDecode",
            in_stream.len(),
            header.len()
        ),
        &objstm_data,
    );
    let content = stream("/Filter /FlateDecode", &zlib(CONTENT));

    let mut out = b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let content_at = out.len();
    out.extend_from_slice(b"4 0 obj\n");
    out.extend_from_slice(&content);
    out.extend_from_slice(b"\nendobj\n");
    let objstm_at = out.len();
    out.extend_from_slice(b"6 0 obj\n");
    out.extend_from_slice(&objstm);
    out.extend_from_slice(b"\nendobj\n");
    let xref_at = out.len();

    let size = 8 + hidden.len() as u32;
    let mut entries: Vec<(u8, u32, u16)> = vec![(0, 0, 65535); size as usize];
    for (index, (number, _)) in in_stream.iter().enumerate() {
        entries[*number as usize] = (2, 6, index as u16);
    }
    entries[4] = (1, content_at as u32, 0);
    entries[6] = (1, objstm_at as u32, 0);
    entries[7] = (1, xref_at as u32, 0);
    let mut table = Vec::new();
    for (kind, field2, field3) in entries {
        table.push(kind);
        table.extend_from_slice(&field2.to_be_bytes());
        table.extend_from_slice(&field3.to_be_bytes());
    }
    let xref = stream(
        &format!("/Type /XRef /Size {size} /W [1 4 2] /Root 1 0 R /Filter /FlateDecode"),
        &zlib(&table),
    );
    out.extend_from_slice(b"7 0 obj\n");
    out.extend_from_slice(&xref);
    out.extend_from_slice(format!("\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    out
}

// ---------------------------------------------------------------- image builders

pub(super) fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

pub(super) fn ihdr(width: u32, height: u32) -> Vec<u8> {
    let mut data = Vec::new();
    data.extend_from_slice(&width.to_be_bytes());
    data.extend_from_slice(&height.to_be_bytes());
    data.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, no interlace
    data
}

/// A valid 2 x 2 RGB PNG.
pub(super) fn png() -> Vec<u8> {
    let mut out = PNG_SIGNATURE.to_vec();
    png_chunk(&mut out, b"IHDR", &ihdr(2, 2));
    // Each row: filter byte 0, then 2 RGB pixels.
    let raw = [0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255];
    png_chunk(&mut out, b"IDAT", &zlib(&raw));
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A valid 8 x 8 grayscale baseline JPEG (uniform grey): one-code Huffman
/// tables, so the single block is DC category 0 + EOB = bits `00`, padded.
pub(super) fn jpeg() -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8];
    out.extend_from_slice(&[
        0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ]);
    out.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x43, 0x00]);
    out.extend_from_slice(&[1; 64]);
    out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 8, 0, 8, 0, 8, 1, 1, 0x11, 0]);
    for class in [0x00, 0x10] {
        out.extend_from_slice(&[0xFF, 0xC4, 0x00, 0x14, class, 1]);
        out.extend_from_slice(&[0; 15]);
        out.push(0); // the one symbol: DC category 0 / AC end-of-block
    }
    out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0x00, 0, 63, 0]);
    out.push(0b0011_1111);
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// A page entry: a link whose action is object 8 (clicking runs it). The
/// code before the structural pass refused `/OpenAction` by name, so tests
/// of hiding places trigger their action this way instead.
pub(super) const LINK_TO_8: &str =
    "/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 99 99] /A 8 0 R >>]";

/// A cross-reference entry of [`Doc`].
#[derive(Debug, Clone, Copy)]
pub(super) enum XEntry {
    At(usize),
    InStream(u32, u32),
}

/// A PDF laid out by hand: raw bytes, objects, object streams, and
/// cross-reference sections (tables or streams, incremental updates) whose
/// offsets the test may point anywhere.
pub(super) struct Doc {
    pub(super) out: Vec<u8>,
    /// What the next cross-reference section lists.
    pub(super) entries: std::collections::BTreeMap<u32, XEntry>,
    last_xref: Option<usize>,
    size: u32,
}

impl Doc {
    pub(super) fn new() -> Doc {
        Doc {
            out: b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(),
            entries: Default::default(),
            last_xref: None,
            size: 1,
        }
    }

    /// The usual catalog (1), page tree (2) and page (3).
    pub(super) fn with_pages(catalog_extra: &str, page_extra: &str) -> Doc {
        let mut doc = Doc::new();
        doc.object(
            1,
            &format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>"),
        );
        doc.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        doc.object(
            3,
            &format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] {page_extra} >>"),
        );
        doc
    }

    pub(super) fn raw(&mut self, bytes: &[u8]) -> usize {
        let at = self.out.len();
        self.out.extend_from_slice(bytes);
        at
    }

    /// Writes `num 0 obj body endobj` and lists it.
    pub(super) fn object(&mut self, num: u32, body: &str) -> usize {
        self.object_bytes(num, body.as_bytes())
    }

    pub(super) fn object_bytes(&mut self, num: u32, body: &[u8]) -> usize {
        let at = self.raw(format!("{num} 0 obj\n").as_bytes());
        self.raw(body);
        self.raw(b"\nendobj\n");
        self.point(num, at);
        at
    }

    /// Lists object `num` at `offset`, wherever that is.
    pub(super) fn point(&mut self, num: u32, offset: usize) {
        self.entries.insert(num, XEntry::At(offset));
    }

    /// The offset of `needle`'s last occurrence so far.
    pub(super) fn find(&self, needle: &str) -> usize {
        self.out
            .windows(needle.len())
            .rposition(|w| w == needle.as_bytes())
            .unwrap()
    }

    /// An object stream `num` holding `objects` with a correct index, and its
    /// entries; `dict_extra` goes into its dictionary (e.g. a filter).
    pub(super) fn object_stream(&mut self, num: u32, objects: &[(u32, &str)], flate: bool) {
        let mut header = String::new();
        let mut body = String::new();
        for (number, object) in objects {
            header.push_str(&format!("{number} {} ", body.len()));
            body.push_str(object);
            body.push('\n');
        }
        let content = format!("{header}{body}");
        let (data, filter) = if flate {
            (zlib(content.as_bytes()), "/Filter /FlateDecode")
        } else {
            (content.into_bytes(), "")
        };
        self.object_bytes(
            num,
            &stream(
                &format!(
                    "/Type /ObjStm /N {} /First {} {filter}",
                    objects.len(),
                    header.len()
                ),
                &data,
            ),
        );
        for (index, (number, _)) in objects.iter().enumerate() {
            self.entries
                .insert(*number, XEntry::InStream(num, index as u32));
        }
    }

    /// `/Size`: past the highest object number of every section so far.
    fn size(&mut self) -> u32 {
        let here = self.entries.keys().max().map_or(1, |m| m + 1);
        self.size = self.size.max(here);
        self.size
    }

    fn prev(&self) -> String {
        self.last_xref
            .map(|p| format!("/Prev {p}"))
            .unwrap_or_default()
    }

    /// A cross-reference table for the listed objects, its trailer,
    /// `startxref` and `%%EOF`; the list starts afresh (for an update).
    pub(super) fn table(&mut self, trailer_extra: &str) -> usize {
        let size = self.size();
        let at = self.raw(b"xref\n");
        let mut section = String::new();
        if self.last_xref.is_none() && !self.entries.contains_key(&0) {
            section.push_str("0 1\n0000000000 65535 f \n");
        }
        let numbers: Vec<u32> = self.entries.keys().copied().collect();
        let mut runs: Vec<Vec<u32>> = Vec::new();
        for n in numbers {
            match runs.last_mut() {
                Some(run) if *run.last().unwrap() + 1 == n => run.push(n),
                _ => runs.push(vec![n]),
            }
        }
        for run in runs {
            section.push_str(&format!("{} {}\n", run[0], run.len()));
            for n in run {
                match self.entries[&n] {
                    XEntry::At(offset) => section.push_str(&format!("{offset:010} 00000 n \n")),
                    XEntry::InStream(..) => panic!("a table cannot list compressed objects"),
                }
            }
        }
        self.raw(section.as_bytes());
        let prev = self.prev();
        self.raw(
            format!(
                "trailer\n<< /Size {size} /Root 1 0 R {prev} {trailer_extra} >>\nstartxref\n{at}\n%%EOF\n"
            )
            .as_bytes(),
        );
        self.last_xref = Some(at);
        self.entries.clear();
        at
    }

    /// A cross-reference stream (object `num`, Flate) for the listed objects
    /// and itself, then `startxref` and `%%EOF`; the list starts afresh.
    pub(super) fn xref_stream(&mut self, num: u32, dict_extra: &str) -> usize {
        let at = self.xref_stream_object(num, dict_extra);
        self.raw(format!("startxref\n{at}\n%%EOF\n").as_bytes());
        self.last_xref = Some(at);
        at
    }

    /// Just the cross-reference stream object (for a hybrid file's `/XRefStm`).
    pub(super) fn xref_stream_object(&mut self, num: u32, dict_extra: &str) -> usize {
        let at = self.out.len();
        self.point(num, at);
        let size = self.size();
        let mut index = String::new();
        let mut table = Vec::new();
        for (n, entry) in &self.entries {
            index.push_str(&format!("{n} 1 "));
            let (kind, two, three) = match *entry {
                XEntry::At(offset) => (1u8, offset as u32, 0u16),
                XEntry::InStream(container, i) => (2, container, i as u16),
            };
            table.push(kind);
            table.extend_from_slice(&two.to_be_bytes());
            table.extend_from_slice(&three.to_be_bytes());
        }
        let prev = self.prev();
        let body = stream(
            &format!(
                "/Type /XRef /Size {size} /W [1 4 2] /Index [{index}] /Root 1 0 R {prev} \
                 /Filter /FlateDecode {dict_extra}"
            ),
            &zlib(&table),
        );
        self.raw(format!("{num} 0 obj\n").as_bytes());
        self.raw(&body);
        self.raw(b"\nendobj\n");
        self.entries.clear();
        at
    }

    pub(super) fn bytes(&self) -> Vec<u8> {
        self.out.clone()
    }
}
