//! Tests build every file in code: valid PDF/PNG/JPEG files and a corpus of
//! malicious or wrong ones. Each file is inspected whole, one byte at a
//! time and in irregular chunk sizes, and all three must agree.

use super::*;
use flate2::write::ZlibEncoder;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

// ---------------------------------------------------------------- harness

static TEMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A temp file path unique to this process and call, removed on drop.
struct TempPath(PathBuf);

impl TempPath {
    fn new() -> Self {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        TempPath(std::env::temp_dir().join(format!(
            "inspect-test-{}-{}.upload",
            std::process::id(),
            n
        )))
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Feed `bytes` in chunks of the sizes `sizes` yields, like the upload
/// handler does: stop at the first rejection, else write the temp file and finish.
fn inspect_chunked(
    bytes: &[u8],
    limits: Limits,
    mut sizes: impl FnMut() -> usize,
) -> Result<FileKind, Rejection> {
    let temp = TempPath::new();
    std::fs::write(&temp.0, bytes).unwrap();
    let mut inspector = Inspector::new(limits);
    let mut rest = bytes;
    while !rest.is_empty() {
        let n = sizes().clamp(1, rest.len());
        let (chunk, later) = rest.split_at(n);
        inspector.update(chunk)?;
        rest = later;
    }
    inspector.finish(&temp.0)
}

/// Small xorshift generator so "random" chunk sizes are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Inspect whole, byte by byte and in irregular chunks; all must agree.
fn inspect_with(bytes: &[u8], limits: Limits) -> Result<FileKind, Rejection> {
    let whole = inspect_chunked(bytes, limits, || usize::MAX);
    let bytewise = inspect_chunked(bytes, limits, || 1);
    assert_eq!(whole, bytewise, "byte-at-a-time feeding disagrees");
    for seed in [0x9E37_79B9_7F4A_7C15_u64, 12345, 987_654_321] {
        let mut rng = Rng(seed);
        let random = inspect_chunked(bytes, limits, || {
            // Mostly tiny chunks (to split tokens), sometimes large ones.
            match rng.next() % 4 {
                0 => 1 + (rng.next() % 3) as usize,
                1 => 1 + (rng.next() % 17) as usize,
                2 => 1 + (rng.next() % 700) as usize,
                _ => 1 + (rng.next() % 70_000) as usize,
            }
        });
        assert_eq!(whole, random, "irregular chunks disagree (seed {seed})");
    }
    whole
}

fn inspect(bytes: &[u8]) -> Result<FileKind, Rejection> {
    inspect_with(bytes, Limits::default())
}

fn active(what: &'static str) -> Result<FileKind, Rejection> {
    Err(Rejection::ActivePdfContent { what })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

// ---------------------------------------------------------------- PDF builders

/// A stream object body: dictionary entries plus data (Length added).
fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut body = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(b"\nendstream");
    body
}

/// A classic PDF with objects numbered from 1 (object 1 is the catalog),
/// a cross-reference table with correct offsets and a trailer.
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
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

fn b(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

const CONTENT: &[u8] = b"BT /F1 24 Tf 72 720 Td (Hello KYC) Tj ET";

/// Catalog, pages, one page with a text content stream, a font; `extra`
/// entries go into the catalog and `more` objects are appended (from 6).
fn simple_pdf(catalog_extra: &str, more: &[Vec<u8>]) -> Vec<u8> {
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
fn modern_pdf(catalog_extra: &str, hidden: &[&str]) -> Vec<u8> {
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

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

fn ihdr(width: u32, height: u32) -> Vec<u8> {
    let mut data = Vec::new();
    data.extend_from_slice(&width.to_be_bytes());
    data.extend_from_slice(&height.to_be_bytes());
    data.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, no interlace
    data
}

/// A valid 2 x 2 RGB PNG.
fn png() -> Vec<u8> {
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
fn jpeg() -> Vec<u8> {
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

// ---------------------------------------------------------------- accepted files

#[test]
fn a_minimal_pdf_is_accepted() {
    assert_eq!(inspect(&simple_pdf("", &[])), Ok(FileKind::Pdf));
}

#[test]
fn a_pdf_with_object_and_xref_streams_is_accepted() {
    assert_eq!(inspect(&modern_pdf("", &[])), Ok(FileKind::Pdf));
}

#[test]
fn a_png_is_accepted() {
    assert_eq!(inspect(&png()), Ok(FileKind::Png));
}

#[test]
fn a_jpeg_is_accepted() {
    assert_eq!(inspect(&jpeg()), Ok(FileKind::Jpeg));
}

#[test]
fn file_kinds_name_their_content_type_and_extension() {
    assert_eq!(FileKind::Pdf.content_type(), "application/pdf");
    assert_eq!(FileKind::Jpeg.content_type(), "image/jpeg");
    assert_eq!(FileKind::Png.content_type(), "image/png");
    assert_eq!(FileKind::Pdf.extension(), "pdf");
    assert_eq!(FileKind::Jpeg.extension(), "jpg");
    assert_eq!(FileKind::Png.extension(), "png");
}

#[test]
fn a_pdf_with_a_link_and_a_name_inside_a_string_is_accepted() {
    // URI links are ordinary; a name-like text inside a string is just text.
    let link = b("<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] \
                  /A << /S /URI /URI (https://example.com/JavaScript) >> >>");
    let info = b("<< /Title (How /JavaScript and /Launch work) /Subject <2F4A53> >>");
    assert_eq!(inspect(&simple_pdf("", &[link, info])), Ok(FileKind::Pdf));
}

#[test]
fn a_pdf_with_binary_streams_containing_endstream_like_bytes_is_accepted() {
    // `endst` prefixes and an `e` right before the real `endstream`
    // exercise the keyword search's partial-match recovery.
    let data = b"eeendsendstreaendstreXendstrea\x00\xFF/Launc /Launch2 e";
    let image = stream("/Type /XObject /Subtype /Image /Width 1 /Height 1", data);
    assert_eq!(inspect(&simple_pdf("", &[image])), Ok(FileKind::Pdf));
}

// ---------------------------------------------------------------- wrong types

#[test]
fn html_named_pdf_is_refused_as_html() {
    let html = b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n";
    assert_eq!(
        inspect(html),
        Err(Rejection::UnsupportedType {
            found: OtherKind::Html
        })
    );
}

#[test]
fn svg_with_a_script_is_refused_as_svg() {
    let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\">\
                <script>alert(document.cookie)</script></svg>";
    assert_eq!(
        inspect(svg),
        Err(Rejection::UnsupportedType {
            found: OtherKind::Svg
        })
    );
}

#[test]
fn archives_are_refused() {
    let mut zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec();
    zip.extend_from_slice(&[0; 600]);
    assert_eq!(
        inspect(&zip),
        Err(Rejection::UnsupportedType {
            found: OtherKind::Archive
        })
    );
    let gzip = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3];
    assert_eq!(
        inspect(&gzip),
        Err(Rejection::UnsupportedType {
            found: OtherKind::Archive
        })
    );
}

#[test]
fn executables_are_refused() {
    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    elf.extend_from_slice(&[0; 100]);
    let mut pe = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    pe.extend_from_slice(b"This program cannot be run in DOS mode.");
    let macho = [0xCF, 0xFA, 0xED, 0xFE, 7, 0, 0, 1];
    for program in [&elf[..], &pe[..], &macho[..]] {
        assert_eq!(
            inspect(program),
            Err(Rejection::UnsupportedType {
                found: OtherKind::Executable
            })
        );
    }
}

#[test]
fn an_empty_file_is_refused() {
    assert_eq!(inspect(b""), Err(Rejection::Empty));
}

#[test]
fn a_text_file_is_refused() {
    assert_eq!(
        inspect("Name: Jürgen\nIBAN: DE00 0000\n".as_bytes()),
        Err(Rejection::UnsupportedType {
            found: OtherKind::Text
        })
    );
}

#[test]
fn a_script_and_unknown_bytes_are_refused() {
    assert_eq!(
        inspect(b"#!/bin/sh\nrm -rf /\n"),
        Err(Rejection::UnsupportedType {
            found: OtherKind::Script
        })
    );
    assert_eq!(
        inspect(&[0x00, 0x01, 0x02, 0x03, 0xFE, 0xFF]),
        Err(Rejection::UnsupportedType {
            found: OtherKind::Unknown
        })
    );
}

#[test]
fn other_image_formats_are_refused_with_their_own_wording() {
    assert_eq!(
        inspect(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        Err(Rejection::UnsupportedType {
            found: OtherKind::OtherImage
        })
    );
    assert_eq!(
        inspect(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"),
        Err(Rejection::UnsupportedType {
            found: OtherKind::OtherImage
        })
    );
}

#[test]
fn a_wrong_type_is_refused_by_update_before_the_upload_ends() {
    let mut elf = b"\x7fELF".to_vec();
    elf.resize(64 * 1024, 0);
    let mut inspector = Inspector::new(Limits::default());
    assert_eq!(
        inspector.update(&elf),
        Err(Rejection::UnsupportedType {
            found: OtherKind::Executable
        })
    );
    // The inspector stays refused.
    assert!(inspector.update(b"more").is_err());
}

// ---------------------------------------------------------------- not PDFs

#[test]
fn pdf_header_followed_by_html_is_not_a_pdf() {
    let polyglot = b"%PDF-1.7\n<html><body><script>alert(1)</script></body></html>\n";
    assert!(matches!(inspect(polyglot), Err(Rejection::NotAPdf { .. })));
}

#[test]
fn html_appended_after_eof_is_not_a_pdf() {
    let mut file = simple_pdf("", &[]);
    file.extend_from_slice(b"<html><script>alert(1)</script></html>\n");
    assert!(matches!(inspect(&file), Err(Rejection::NotAPdf { .. })));
}

#[test]
fn a_truncated_pdf_is_not_a_pdf() {
    let file = simple_pdf("", &[]);
    for cut in [6, 20, file.len() / 2, file.len() - 8] {
        assert!(
            matches!(inspect(&file[..cut]), Err(Rejection::NotAPdf { .. })),
            "cut at {cut}"
        );
    }
}

#[test]
fn a_pdf_whose_startxref_points_nowhere_is_not_a_pdf() {
    let file = simple_pdf("", &[]);
    let at = file.windows(10).rposition(|w| w == b"startxref\n").unwrap() + 10;
    let mut broken = file[..at].to_vec();
    broken.extend_from_slice(b"17\n%%EOF\n");
    assert_eq!(
        inspect(&broken),
        Err(Rejection::NotAPdf {
            reason: "startxref does not point to a cross-reference section"
        })
    );
}

// ---------------------------------------------------------------- active PDFs

#[test]
fn a_pdf_with_javascript_is_refused() {
    let action = b("<< /S /JavaScript /JS (app.alert('owned')) >>");
    let file = simple_pdf(
        "/Names << /JavaScript << /Names [(a) 6 0 R] >> >>",
        &[action],
    );
    assert_eq!(inspect(&file), active("/JavaScript"));
}

#[test]
fn a_pdf_with_an_open_action_is_refused() {
    let file = simple_pdf("/OpenAction [3 0 R /Fit]", &[]);
    assert_eq!(inspect(&file), active("/OpenAction"));
}

#[test]
fn a_pdf_with_a_hex_escaped_javascript_name_is_refused() {
    let action = b("<< /S /J#61vaScript /J#53 (app.alert(1)) >>");
    let file = simple_pdf("/OpenAct#69on 6 0 R", &[action]);
    assert_eq!(inspect(&file), active("/OpenAction"));
    let file = simple_pdf("/Names << /J#61v#61Script 6 0 R >>", &[]);
    assert_eq!(inspect(&file), active("/JavaScript"));
    // A NUL ends the name for readers that use C strings.
    let padded = format!("/Names << /JavaScript#00{} 6 0 R >>", "x".repeat(40));
    assert_eq!(inspect(&simple_pdf(&padded, &[])), active("/JavaScript"));
}

#[test]
fn a_pdf_with_javascript_inside_a_compressed_object_stream_is_refused() {
    let file = modern_pdf(
        "/Names << /JavaScript 9 0 R >>",
        &[
            "<< /S /J#61vaScript /JS (app.alert(1)) >>",
            "<< /Names [(a) 8 0 R] >>",
        ],
    );
    // Nothing is visible in the raw bytes: only decompression finds it.
    assert!(!contains(&file, b"JavaScript"));
    assert!(!contains(&file, b"J#61vaScript"));
    assert_eq!(inspect(&file), active("/JavaScript"));
}

#[test]
fn a_pdf_with_an_embedded_file_is_refused() {
    let attachment = stream(
        "/Type /EmbeddedFile /Subtype /application#2Fx-msdownload",
        b"MZ...",
    );
    let file = simple_pdf("", &[attachment]);
    assert_eq!(inspect(&file), active("/EmbeddedFile"));
}

#[test]
fn a_pdf_with_a_launch_action_in_an_annotation_is_refused() {
    let annotation = b("<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] \
                        /A << /S /Launch /F (cmd.exe) >> >>");
    assert_eq!(inspect(&simple_pdf("", &[annotation])), active("/Launch"));
}

#[test]
fn a_pdf_with_additional_actions_is_refused() {
    let page_aa = b("<< /AA << /O << /S /GoTo /D [3 0 R /Fit] >> >> >>");
    assert_eq!(inspect(&simple_pdf("", &[page_aa])), active("/AA"));
}

#[test]
fn an_object_smuggled_inside_stream_data_is_refused() {
    // A forged xref entry could point a reader into these bytes.
    let data = b"\x00\x01binary 9 0 obj << /S /Launch /F (calc.exe) >> endobj \xFF";
    let image = stream("/Type /XObject /Subtype /Image /Width 1 /Height 1", data);
    assert_eq!(inspect(&simple_pdf("", &[image])), active("/Launch"));
}

#[test]
fn javascript_in_an_uncompressed_object_stream_is_refused() {
    let body = "8 0 << /S /JavaScript /JS (app.alert(1)) >>";
    let objstm = stream("/Type /ObjStm /N 1 /First 4", body.as_bytes());
    assert_eq!(inspect(&simple_pdf("", &[objstm])), active("/JavaScript"));
}

#[test]
fn active_content_is_refused_by_update_before_the_upload_ends() {
    let action = b("<< /S /JavaScript /JS (app.alert(1)) >>");
    let file = simple_pdf("/OpenAction 6 0 R", &[action]);
    let mut inspector = Inspector::new(Limits::default());
    let (first_half, _) = file.split_at(file.len() / 2);
    assert_eq!(
        inspector.update(first_half),
        active("/OpenAction").map(|_| ())
    );
}

#[test]
fn stream_keywords_ending_in_cr_lf_or_cr_are_accepted() {
    for eol in ["\r\n", "\r"] {
        let content = format!("<< /Length {} >>\nstream{eol}", CONTENT.len());
        let mut body = content.into_bytes();
        body.extend_from_slice(CONTENT);
        body.extend_from_slice(b"\r\nendstream");
        let file = pdf(&[
            b("<< /Type /Catalog /Pages 2 0 R >>"),
            b("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
            b("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"),
            body,
        ]);
        assert_eq!(inspect(&file), Ok(FileKind::Pdf), "EOL {eol:?}");
    }
}

#[test]
fn a_decompression_bomb_in_an_object_stream_is_refused() {
    // 40 MiB of spaces compress to ~40 KiB.
    let mut encoder = ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let block = vec![b' '; 1024 * 1024];
    for _ in 0..40 {
        encoder.write_all(&block).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 1024 * 1024);
    let objstm = stream("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", &bomb);
    let file = simple_pdf("", &[objstm]);
    let limits = Limits::default();
    assert_eq!(
        inspect_chunked(&file, limits, || 64 * 1024),
        Err(Rejection::DecompressionLimit {
            limit: limits.max_object_stream_bytes
        })
    );
}

#[test]
fn object_streams_together_over_the_total_cap_are_refused() {
    let limits = Limits {
        max_object_stream_bytes: 1000,
        max_total_object_stream_bytes: 2500,
        ..Limits::default()
    };
    let data = zlib(&[b' '; 900]);
    let objstm = stream("/Type /ObjStm /N 0 /First 0 /Filter /FlateDecode", &data);
    let two = simple_pdf("", &[objstm.clone(), objstm.clone()]);
    assert_eq!(inspect_with(&two, limits), Ok(FileKind::Pdf));
    let three = simple_pdf("", &[objstm.clone(), objstm.clone(), objstm]);
    assert_eq!(
        inspect_with(&three, limits),
        Err(Rejection::DecompressionLimit { limit: 2500 })
    );
}

#[test]
fn an_object_stream_that_cannot_be_decoded_is_refused() {
    let hex = stream(
        "/Type /ObjStm /N 1 /First 4 /Filter /ASCIIHexDecode",
        b"2F4A53>",
    );
    assert!(matches!(
        inspect(&simple_pdf("", &[hex])),
        Err(Rejection::PdfUninspectable { .. })
    ));
    // No /Type, but /First is all a lax reader needs to treat it as one.
    // (Encrypted object streams look like this too.)
    let corrupt = stream("/N 1 /First 4 /Filter /FlateDecode", b"\x78\x9c garbage");
    assert!(matches!(
        inspect(&simple_pdf("", &[corrupt])),
        Err(Rejection::PdfUninspectable { .. })
    ));
}

#[test]
fn absurdly_deep_nesting_is_refused() {
    let deep = format!("{}0{}", "[".repeat(200), "]".repeat(200));
    assert!(matches!(
        inspect(&simple_pdf("", &[b(&deep)])),
        Err(Rejection::PdfUninspectable { .. })
    ));
}

// ---------------------------------------------------------------- images

#[test]
fn a_png_claiming_100000_by_100000_pixels_is_refused() {
    let mut file = PNG_SIGNATURE.to_vec();
    png_chunk(&mut file, b"IHDR", &ihdr(100_000, 100_000));
    // Refused from the header alone, before any image data arrives.
    let mut inspector = Inspector::new(Limits::default());
    let expected = Rejection::TooManyPixels {
        width: 100_000,
        height: 100_000,
        max_pixels: 50_000_000,
    };
    assert_eq!(inspector.update(&file), Err(expected.clone()));
    assert_eq!(inspect(&file), Err(expected));
}

#[test]
fn a_jpeg_claiming_too_many_pixels_is_refused() {
    let mut file = jpeg();
    // SOF0 height and width fields (after FFC0, length, precision).
    let sof = file.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    file[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    assert_eq!(
        inspect(&file),
        Err(Rejection::TooManyPixels {
            width: 65535,
            height: 65535,
            max_pixels: 50_000_000
        })
    );
}

#[test]
fn truncated_image_headers_are_refused() {
    let png = png();
    assert_eq!(
        inspect(&png[..20]),
        Err(Rejection::ImageHeader {
            kind: FileKind::Png
        })
    );
    let jpeg = jpeg();
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    for cut in [3, 10, sof + 4] {
        assert_eq!(
            inspect(&jpeg[..cut]),
            Err(Rejection::ImageHeader {
                kind: FileKind::Jpeg
            }),
            "cut at {cut}"
        );
    }
}

#[test]
fn a_png_with_a_bad_checksum_or_trailing_data_is_refused() {
    let mut bad_crc = png();
    let len = bad_crc.len();
    bad_crc[len - 13] ^= 1; // last byte of the IDAT CRC
    assert!(matches!(
        inspect(&bad_crc),
        Err(Rejection::DamagedImage {
            kind: FileKind::Png,
            ..
        })
    ));
    let mut polyglot = png();
    polyglot.extend_from_slice(b"PK\x03\x04");
    assert!(matches!(
        inspect(&polyglot),
        Err(Rejection::DamagedImage {
            kind: FileKind::Png,
            ..
        })
    ));
}

#[test]
fn a_jpeg_cut_inside_its_image_data_is_refused() {
    let jpeg = jpeg();
    assert!(matches!(
        inspect(&jpeg[..jpeg.len() - 2]),
        Err(Rejection::DamagedImage {
            kind: FileKind::Jpeg,
            ..
        })
    ));
}

#[test]
fn jpeg_scan_data_with_stuffed_bytes_restarts_and_trailing_data_is_accepted() {
    let mut file = jpeg();
    let eoi = file.len() - 2;
    // Stuffed 0xFF 0x00, a restart marker, fill bytes before EOI.
    file.splice(eoi..eoi, [0xFF, 0x00, 0x12, 0xFF, 0xD0, 0x34, 0xFF, 0xFF]);
    // Phones append data after EOI (motion photos); it is inert.
    file.extend_from_slice(b"\x00\x00\x00\x18ftypmp42 trailing video");
    assert_eq!(inspect(&file), Ok(FileKind::Jpeg));
}

#[test]
fn rejections_read_as_sentences() {
    let message = Rejection::UnsupportedType {
        found: OtherKind::Html,
    }
    .to_string();
    assert_eq!(
        message,
        "The file is an HTML page; only PDF, JPEG and PNG files are accepted."
    );
    let active_message = active("/JavaScript").unwrap_err().to_string();
    assert!(active_message.contains("/JavaScript"));
}

// ---------------------------------------------------------------- big files

/// Streams a ~50 MiB multi-page PDF, generated chunk by chunk, to a temp
/// file and through the inspector. Neither side ever holds the file: the
/// generator keeps one page, the inspector only its fixed-size state.
#[test]
fn a_50_mib_pdf_streams_through_in_bounded_memory() {
    const PAGES: usize = 200;
    const PAGE_BYTES: usize = 256 * 1024;
    let temp = TempPath::new();
    let mut file = std::io::BufWriter::new(std::fs::File::create(&temp.0).unwrap());
    let mut inspector = Inspector::new(Limits::default());
    let mut offset = 0usize;
    let mut offsets = Vec::new();
    let mut emit = |bytes: &[u8], offset: &mut usize| {
        // Upload-sized chunks, but odd so tokens straddle them.
        for chunk in bytes.chunks(65_521) {
            file.write_all(chunk).unwrap();
            inspector.update(chunk).unwrap();
        }
        *offset += bytes.len();
    };

    emit(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", &mut offset);
    let kids: Vec<String> = (0..PAGES).map(|i| format!("{} 0 R", 3 + 2 * i)).collect();
    offsets.push(offset);
    emit(
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
        &mut offset,
    );
    offsets.push(offset);
    emit(
        format!(
            "2 0 obj\n<< /Type /Pages /Kids [{}] /Count {PAGES} >>\nendobj\n",
            kids.join(" ")
        )
        .as_bytes(),
        &mut offset,
    );
    // Incompressible bytes, compressed once and reused for every other page.
    let mut rng = Rng(42);
    let noise: Vec<u8> = (0..PAGE_BYTES).map(|_| rng.next() as u8).collect();
    let compressed = stream("/Filter /FlateDecode", &zlib(&noise));
    let text_line = b"BT /F1 9 Tf 36 700 Td (Statement line 0123456789 /Name) Tj ET\n";
    let text: Vec<u8> = text_line.iter().copied().cycle().take(PAGE_BYTES).collect();
    let plain = stream("", &text);
    for i in 0..PAGES {
        let page = 3 + 2 * i;
        offsets.push(offset);
        emit(
            format!(
                "{page} 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
                 /Contents {} 0 R >>\nendobj\n",
                page + 1
            )
            .as_bytes(),
            &mut offset,
        );
        offsets.push(offset);
        emit(format!("{} 0 obj\n", page + 1).as_bytes(), &mut offset);
        emit(if i % 2 == 0 { &plain } else { &compressed }, &mut offset);
        emit(b"\nendobj\n", &mut offset);
    }
    let xref = offset;
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1);
    for at in &offsets {
        table.push_str(&format!("{at:010} 00000 n \n"));
    }
    table.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        offsets.len() + 1
    ));
    emit(table.as_bytes(), &mut offset);
    file.flush().unwrap();
    drop(file);

    assert!(offset > 50 * 1024 * 1024);
    assert_eq!(std::fs::metadata(&temp.0).unwrap().len(), offset as u64);
    assert_eq!(inspector.finish(&temp.0), Ok(FileKind::Pdf));
}
