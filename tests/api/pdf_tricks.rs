//! Hostile PDFs laid out by hand with exact offsets: each hides active
//! content where a reader finds it but a front-to-back scan does not, or
//! carries it in a form a reader runs.

use std::collections::BTreeMap;
use std::io::Write;

use flate2::write::ZlibEncoder;

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut body = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(b"\nendstream");
    body
}

/// A catalog that runs a script when the file opens.
pub const SCRIPT_CATALOG: &str = "<< /Type /Catalog /Pages 2 0 R \
    /OpenAction << /S /JavaScript /JS (app.alert('owned')) >> \
    /Names << /JavaScript << /Names [(a) << /S /JavaScript /JS (app.alert('owned')) >>] >> >> >>";
const PAGES: &str = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
const PAGE: &str = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>";

#[derive(Clone, Copy)]
enum Entry {
    At(usize),
    InStream(u32, u32),
}

/// A PDF with cross-reference sections whose offsets the caller chooses.
struct Doc {
    out: Vec<u8>,
    entries: BTreeMap<u32, Entry>,
    last_xref: Option<usize>,
    size: u32,
}

impl Doc {
    fn new() -> Doc {
        Doc {
            out: b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec(),
            entries: BTreeMap::new(),
            last_xref: None,
            size: 1,
        }
    }

    fn with_pages(catalog_extra: &str, page_extra: &str) -> Doc {
        let mut doc = Doc::new();
        doc.object(
            1,
            &format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>"),
        );
        doc.object(2, PAGES);
        doc.object(3, &PAGE.replace(" >>", &format!(" {page_extra} >>")));
        doc
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    fn object(&mut self, num: u32, body: &str) {
        self.object_bytes(num, body.as_bytes());
    }

    fn object_bytes(&mut self, num: u32, body: &[u8]) {
        self.entries.insert(num, Entry::At(self.out.len()));
        self.raw(format!("{num} 0 obj\n").as_bytes());
        self.raw(body);
        self.raw(b"\nendobj\n");
    }

    /// Lists object `num` at the last occurrence of `needle`.
    fn point_at(&mut self, num: u32, needle: &str) {
        let at = self
            .out
            .windows(needle.len())
            .rposition(|w| w == needle.as_bytes())
            .unwrap();
        self.entries.insert(num, Entry::At(at));
    }

    fn prev(&self) -> String {
        self.last_xref
            .map(|p| format!("/Prev {p}"))
            .unwrap_or_default()
    }

    /// `/Size`: past the highest object number of every section so far.
    fn size(&mut self) -> u32 {
        let here = self.entries.keys().max().map_or(1, |m| m + 1);
        self.size = self.size.max(here);
        self.size
    }

    /// A table (one subsection per object), trailer, `startxref`, `%%EOF`.
    fn table(&mut self) -> &mut Self {
        let (at, size, prev) = (self.out.len(), self.size(), self.prev());
        let mut text = String::from("xref\n");
        if self.last_xref.is_none() {
            text.push_str("0 1\n0000000000 65535 f \n");
        }
        for (num, entry) in &self.entries {
            let Entry::At(offset) = entry else {
                panic!("tables list no compressed objects")
            };
            text.push_str(&format!("{num} 1\n{offset:010} 00000 n \n"));
        }
        text.push_str(&format!(
            "trailer\n<< /Size {size} /Root 1 0 R {prev} >>\nstartxref\n{at}\n%%EOF\n"
        ));
        self.raw(text.as_bytes());
        self.last_xref = Some(at);
        self.entries.clear();
        self
    }

    /// A Flate cross-reference stream (object `num`), `startxref`, `%%EOF`.
    fn xref_stream(&mut self, num: u32) -> &mut Self {
        let at = self.out.len();
        self.entries.insert(num, Entry::At(at));
        let (size, prev) = (self.size(), self.prev());
        let mut index = String::new();
        let mut data = Vec::new();
        for (n, entry) in &self.entries {
            index.push_str(&format!("{n} 1 "));
            let (kind, two, three) = match *entry {
                Entry::At(offset) => (1u8, offset as u32, 0u16),
                Entry::InStream(container, i) => (2, container, i as u16),
            };
            data.push(kind);
            data.extend_from_slice(&two.to_be_bytes());
            data.extend_from_slice(&three.to_be_bytes());
        }
        let dict = format!(
            "/Type /XRef /Size {size} /W [1 4 2] /Index [{index}] /Root 1 0 R {prev} /Filter /FlateDecode"
        );
        self.raw(format!("{num} 0 obj\n").as_bytes());
        self.raw(&stream(&dict, &zlib(&data)));
        self.raw(format!("\nendobj\nstartxref\n{at}\n%%EOF\n").as_bytes());
        self.last_xref = Some(at);
        self.entries.clear();
        self
    }
}

/// The catalog only in a `%` comment; the xref points into the comment.
pub fn catalog_in_a_comment() -> Vec<u8> {
    let mut doc = Doc::new();
    doc.raw(format!("% 1 0 obj {SCRIPT_CATALOG} endobj\n").as_bytes());
    doc.point_at(1, "1 0 obj");
    doc.object(2, PAGES);
    doc.object(3, PAGE);
    doc.table().out.clone()
}

/// The catalog only inside a literal string of another object.
pub fn catalog_in_a_string() -> Vec<u8> {
    let mut doc = Doc::new();
    doc.object(2, PAGES);
    doc.object(3, PAGE);
    doc.object(4, &format!("(notes 1 0 obj {SCRIPT_CATALOG} endobj)"));
    doc.point_at(1, "1 0 obj");
    doc.table().out.clone()
}

/// An incremental update whose xref points the catalog into a comment.
pub fn update_into_a_comment() -> Vec<u8> {
    let mut doc = Doc::with_pages("", "");
    doc.table();
    doc.raw(format!("% 1 0 obj {SCRIPT_CATALOG} endobj\n").as_bytes());
    doc.point_at(1, "1 0 obj");
    doc.table().out.clone()
}

/// A cross-reference stream entry pointing into a comment.
pub fn xref_stream_into_a_comment() -> Vec<u8> {
    let mut doc = Doc::new();
    doc.raw(format!("%1 0 obj {SCRIPT_CATALOG} endobj\n").as_bytes());
    doc.point_at(1, "1 0 obj");
    doc.object(2, PAGES);
    doc.object(3, PAGE);
    doc.xref_stream(4).out.clone()
}

/// An object stream whose index puts object 8 inside object 7's string; a
/// link on the page runs object 8.
pub fn object_stream_index_into_a_string() -> Vec<u8> {
    let body = format!(
        "({} << /S /JavaScript /JS (app.alert(1)) >> )\n",
        "x".repeat(300)
    );
    let header = format!("7 0 8 {} ", body.find("<<").unwrap());
    let mut doc = Doc::with_pages(
        "",
        "/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 99 99] /A 8 0 R >>]",
    );
    let dict = format!(
        "/Type /ObjStm /N 2 /First {} /Filter /FlateDecode",
        header.len()
    );
    doc.object_bytes(
        5,
        &stream(&dict, &zlib(format!("{header}{body}").as_bytes())),
    );
    doc.entries.insert(7, Entry::InStream(5, 0));
    doc.entries.insert(8, Entry::InStream(5, 1));
    doc.xref_stream(9).out.clone()
}

/// An object hidden at the start of a line inside a string, and a
/// reference whose generation does not match, which makes poppler rebuild
/// its cross-reference table from what looks like object headers.
pub fn hidden_for_a_rebuilding_reader() -> Vec<u8> {
    let mut doc = Doc::with_pages("/Names 9 1 R", "");
    doc.object(
        4,
        "(notes\n9 1 obj << /JavaScript << /Names [(a) << /S /JavaScript \
         /JS (app.alert('owned')) >>] >> >>\nendobj\n)",
    );
    doc.table().out.clone()
}

/// An ordinary layout with `catalog_extra`, `page_extra` and extra objects (from 6).
pub fn with(catalog_extra: &str, page_extra: &str, more: &[Vec<u8>]) -> Vec<u8> {
    let mut doc = Doc::with_pages(catalog_extra, page_extra);
    for (i, body) in more.iter().enumerate() {
        doc.object_bytes(6 + i as u32, body);
    }
    doc.table().out.clone()
}

/// Every trick, named.
pub fn hiding_tricks() -> Vec<(&'static str, Vec<u8>)> {
    let mut html_after_eof = with("", "", &[]);
    html_after_eof.extend_from_slice(b"<html><script>alert(1)</script></html>\n");
    vec![
        ("catalog in a comment", catalog_in_a_comment()),
        ("catalog in a string", catalog_in_a_string()),
        ("incremental update into a comment", update_into_a_comment()),
        ("xref stream into a comment", xref_stream_into_a_comment()),
        (
            "object stream index into a string",
            object_stream_index_into_a_string(),
        ),
        (
            "hex-escaped names and a hex string",
            with(
                "/OpenAction << /S /J#61v#61Scr#69pt /J#53 <6170702E616C657274283129> >>",
                "",
                &[],
            ),
        ),
        (
            "javascript in an annotation",
            with(
                "",
                "/Annots [<< /Type /Annot /Subtype /Widget /Rect [0 0 9 9] /A << /S /JavaScript /JS (app.alert(1)) >> >>]",
                &[],
            ),
        ),
        (
            "launch in a page's /AA",
            with("", "/AA << /O << /S /Launch /F (cmd.exe) >> >>", &[]),
        ),
        (
            "xfa form",
            with(
                "/AcroForm << /Fields [] /XFA 6 0 R >>",
                "",
                &[stream("", b"<xdp/>")],
            ),
        ),
        ("html after %%EOF", html_after_eof),
    ]
}
