//! PDFs from the builders: accepted ones, broken ones and active ones.

use super::builders::*;
use super::*;
use flate2::write::ZlibEncoder;
use std::io::Write;

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
            reason: "startxref or /Prev does not point to a cross-reference section"
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
fn an_open_action_that_only_goes_to_a_page_is_accepted() {
    // What LaTeX's hyperref writes; a destination runs nothing.
    let file = simple_pdf("/OpenAction [3 0 R /Fit]", &[]);
    assert_eq!(inspect(&file), Ok(FileKind::Pdf));
    let go_to = simple_pdf("/OpenAction << /S /GoTo /D [3 0 R /XYZ 0 792 0] >>", &[]);
    assert_eq!(inspect(&go_to), Ok(FileKind::Pdf));
}

#[test]
fn an_open_action_running_a_script_is_refused() {
    let file = simple_pdf("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>", &[]);
    assert_eq!(inspect(&file), active("/JavaScript"));
}

#[test]
fn a_pdf_with_a_hex_escaped_javascript_name_is_refused() {
    let action = b("<< /S /J#61vaScript /J#53 (app.alert(1)) >>");
    let file = simple_pdf("/OpenAct#69on 6 0 R", &[action]);
    assert_eq!(inspect(&file), active("/JavaScript"));
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
fn additional_actions_are_judged_by_what_they_do() {
    let launch = b("<< /AA << /O << /S /Launch /F (calc.exe) >> >> >>");
    assert_eq!(inspect(&simple_pdf("", &[launch])), active("/Launch"));
    let go_to = b("<< /AA << /O << /S /GoTo /D [3 0 R /Fit] >> >> >>");
    assert_eq!(inspect(&simple_pdf("", &[go_to])), Ok(FileKind::Pdf));
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
    let file = simple_pdf(
        "/Names << /JavaScript << /Names [(a) 6 0 R] >> >>",
        &[action],
    );
    let mut inspector = Inspector::new(Limits::default());
    let (first_half, _) = file.split_at(file.len() / 2);
    assert_eq!(
        inspector.update(first_half),
        active("/JavaScript").map(|_| ())
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
