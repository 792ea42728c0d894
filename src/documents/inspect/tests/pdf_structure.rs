//! Where a reader looks and a front-to-back scan does not: objects reached
//! through cross-reference offsets that point into comments, strings or
//! other objects, object stream indexes that do the same, incremental
//! updates, and object streams whose predictor lives in another object.

use super::builders::*;
use super::*;

/// A catalog that runs a script when the file opens.
const SCRIPT_CATALOG: &str = "<< /Type /Catalog /Pages 2 0 R \
    /OpenAction << /S /JavaScript /JS (app.alert('owned')) >> \
    /Names << /JavaScript << /Names [(a) << /S /JavaScript /JS (app.alert(2)) >>] >> >> >>";

const PAGES: &str = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
const PAGE: &str = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>";

fn malformed(result: Result<FileKind, Rejection>) -> bool {
    matches!(result, Err(Rejection::NotAPdf { .. }))
}

#[test]
fn a_catalog_hidden_in_a_comment_and_reached_through_the_xref_is_refused() {
    let mut doc = Doc::new();
    doc.raw(format!("% 1 0 obj {SCRIPT_CATALOG} endobj\n").as_bytes());
    let hidden = doc.find("1 0 obj");
    doc.object(2, PAGES);
    doc.object(3, PAGE);
    doc.point(1, hidden);
    doc.table("");
    assert!(malformed(inspect(&doc.bytes())));
}

#[test]
fn a_catalog_hidden_in_a_string_and_reached_through_the_xref_is_refused() {
    let mut doc = Doc::new();
    doc.object(2, PAGES);
    doc.object(3, PAGE);
    doc.object(4, &format!("(notes 1 0 obj {SCRIPT_CATALOG} endobj)"));
    let hidden = doc.find("1 0 obj");
    doc.point(1, hidden);
    doc.table("");
    assert!(malformed(inspect(&doc.bytes())));
}

#[test]
fn an_xref_offset_into_another_object_is_refused() {
    let mut doc = Doc::with_pages("", "");
    doc.object(4, "<< /Info (x) >>");
    // Points at the dictionary of object 4, not at an object header.
    let inside = doc.find("<< /Info");
    doc.point(4, inside);
    doc.table("");
    assert!(malformed(inspect(&doc.bytes())));
}

#[test]
fn an_incremental_update_pointing_the_catalog_into_a_comment_is_refused() {
    let mut doc = Doc::with_pages("", "");
    doc.table("");
    doc.raw(format!("% 1 0 obj {SCRIPT_CATALOG} endobj\n").as_bytes());
    let hidden = doc.find("1 0 obj");
    doc.point(1, hidden);
    doc.table("");
    assert!(malformed(inspect(&doc.bytes())));
}

#[test]
fn an_honest_incremental_update_is_accepted() {
    let mut doc = Doc::with_pages("", "");
    doc.table("");
    doc.object(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>");
    doc.table("");
    assert_eq!(inspect(&doc.bytes()), Ok(FileKind::Pdf));
}

#[test]
fn an_incremental_update_adding_a_script_is_refused() {
    let mut doc = Doc::with_pages("", "");
    doc.table("");
    doc.object(1, SCRIPT_CATALOG);
    doc.table("");
    assert_eq!(inspect(&doc.bytes()), active("/JavaScript"));
}

#[test]
fn an_xref_stream_entry_pointing_into_a_comment_is_refused() {
    let mut doc = Doc::new();
    doc.raw(format!("%1 0 obj {SCRIPT_CATALOG} endobj\n").as_bytes());
    let hidden = doc.find("1 0 obj");
    doc.object(2, PAGES);
    doc.object(3, PAGE);
    doc.point(1, hidden);
    doc.xref_stream(4, "");
    assert!(malformed(inspect(&doc.bytes())));
}

#[test]
fn an_object_stream_index_pointing_into_a_string_is_refused() {
    // Object 7 is a harmless string; the index puts object 8 inside it, where
    // a reader parses the script dictionary the tokenizer saw as text.
    // Padding makes zlib compress rather than store, so the name is not
    // visible in the raw bytes either.
    let body = format!(
        "({} << /S /JavaScript /JS (app.alert(1)) >> )\n",
        "x".repeat(300)
    );
    let header = format!("7 0 8 {} ", body.find("<<").unwrap());
    let content = format!("{header}{body}");
    let mut doc = Doc::with_pages("", LINK_TO_8);
    doc.object_bytes(
        5,
        &stream(
            &format!(
                "/Type /ObjStm /N 2 /First {} /Filter /FlateDecode",
                header.len()
            ),
            &zlib(content.as_bytes()),
        ),
    );
    doc.entries.insert(7, XEntry::InStream(5, 0));
    doc.entries.insert(8, XEntry::InStream(5, 1));
    doc.xref_stream(9, "");
    assert!(!contains(&doc.bytes(), b"JavaScript"));
    assert!(malformed(inspect(&doc.bytes())));
}

#[test]
fn objects_in_object_streams_with_an_xref_stream_are_accepted() {
    let mut doc = Doc::new();
    doc.object_stream(
        4,
        &[
            (1, "<< /Type /Catalog /Pages 2 0 R >>"),
            (2, PAGES),
            (3, PAGE),
        ],
        true,
    );
    doc.xref_stream(5, "");
    assert_eq!(inspect(&doc.bytes()), Ok(FileKind::Pdf));
}

#[test]
fn a_compressed_entry_whose_container_is_not_an_object_stream_is_refused() {
    let mut doc = Doc::with_pages("", "");
    doc.object_bytes(4, &stream("/Subtype /Image /Width 1 /Height 1", b"\x00"));
    doc.entries.insert(5, XEntry::InStream(4, 0));
    doc.xref_stream(6, "");
    assert!(malformed(inspect(&doc.bytes())));
}

#[test]
fn a_compressed_entry_past_the_end_of_its_object_stream_is_refused() {
    let mut doc = Doc::with_pages("", "");
    doc.object_stream(4, &[(5, "<< /A 1 >>")], true);
    doc.entries.insert(6, XEntry::InStream(4, 1));
    doc.xref_stream(7, "");
    assert!(malformed(inspect(&doc.bytes())));
}

#[test]
fn cross_reference_sections_that_loop_are_refused() {
    let mut doc = Doc::with_pages("", "");
    let first = doc.table("");
    doc.object(4, "<< >>");
    let at = doc.raw(b"xref\n4 1\n");
    let entry = format!("{:010} 00000 n \n", doc.find("4 0 obj"));
    doc.raw(entry.as_bytes());
    doc.raw(
        format!("trailer\n<< /Size 5 /Root 1 0 R /Prev {at} >>\nstartxref\n{at}\n%%EOF\n")
            .as_bytes(),
    );
    assert!(first < at);
    assert!(malformed(inspect(&doc.bytes())));
}

#[test]
fn a_startxref_into_a_comment_is_refused() {
    let mut doc = Doc::with_pages("", "");
    doc.raw(b"%xref\n");
    let comment = doc.find("xref");
    doc.table("");
    let mut file = doc.bytes();
    let tail = format!("startxref\n{comment}\n%%EOF\n");
    file.extend_from_slice(tail.as_bytes());
    assert!(malformed(inspect(&file)));
}

/// PNG "Up" prediction of `data` in rows of `columns` bytes.
fn png_up(data: &[u8], columns: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut previous = vec![0u8; columns];
    for row in data.chunks(columns) {
        out.push(2);
        for (i, &b) in row.iter().enumerate() {
            out.push(b.wrapping_sub(previous[i]));
        }
        previous[..row.len()].copy_from_slice(row);
    }
    out
}

/// An object stream (5) holding object 8, predicted with PNG Up; its
/// decode parameters are `parms` (object 9 holds `<< /Predictor 12 ... >>`).
fn predicted_object_stream(object: &str, parms: &str) -> Vec<u8> {
    let header = "8 0 ";
    let content = format!("{header}{object}\n");
    let mut doc = Doc::with_pages("", LINK_TO_8);
    doc.object(9, "<< /Predictor 12 /Columns 7 >>");
    doc.object_bytes(
        5,
        &stream(
            &format!(
                "/Type /ObjStm /N 1 /First {} /Filter /FlateDecode /DecodeParms {parms}",
                header.len()
            ),
            &zlib(&png_up(content.as_bytes(), 7)),
        ),
    );
    doc.entries.insert(8, XEntry::InStream(5, 0));
    doc.xref_stream(10, "");
    doc.bytes()
}

#[test]
fn a_script_in_an_object_stream_with_indirect_predictor_parameters_is_refused() {
    let script = "<< /S /JavaScript /JS (app.alert(1)) >>";
    let file = predicted_object_stream(script, "9 0 R");
    assert!(!contains(&file, b"JavaScript"));
    assert_eq!(inspect(&file), active("/JavaScript"));
    let chained = "<< /S /GoTo /D [3 0 R /Fit] /Next << /S /Launch /F (calc.exe) >> >>";
    assert_eq!(
        inspect(&predicted_object_stream(chained, "[9 0 R]")),
        active("/Launch")
    );
}

#[test]
fn object_streams_with_a_predictor_direct_or_indirect_are_accepted() {
    let go_to = "<< /S /GoTo /D [3 0 R /Fit] >>";
    for parms in [
        "9 0 R",
        "<< /Predictor 12 /Columns 7 >>",
        "[<< /Predictor 12 /Columns 7 >>]",
    ] {
        assert_eq!(
            inspect(&predicted_object_stream(go_to, parms)),
            Ok(FileKind::Pdf),
            "{parms}"
        );
    }
}

#[test]
fn active_content_anywhere_a_reader_runs_it_is_refused() {
    let cases: Vec<(&str, &str, Vec<Vec<u8>>, &'static str)> = vec![
        (
            "",
            "/Annots [6 0 R]",
            vec![b("<< /Type /Annot /Subtype /Widget /Rect [0 0 9 9] \
                    /A << /S /JavaScript /JS (app.alert(1)) >> >>")],
            "/JavaScript",
        ),
        (
            "",
            "/AA << /O << /S /Launch /F (cmd.exe) >> >>",
            vec![],
            "/Launch",
        ),
        (
            "/AcroForm << /Fields [] /XFA 6 0 R >>",
            "",
            vec![stream("", b"<xdp/>")],
            "/XFA",
        ),
        (
            "",
            "/Annots [<< /Subtype /FileAttachment /Rect [0 0 9 9] \
             /FS << /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >> >>]",
            vec![stream("", b"MZ")],
            "/FileAttachment",
        ),
        (
            "/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next [<< /S /URI /URI (https://example.com) >> \
             << /S /SubmitForm /F (https://example.com) >>] >>",
            "",
            vec![],
            "/SubmitForm",
        ),
        (
            "/OpenAction << /S /GoToR /F (other.pdf) /D [0 /Fit] >>",
            "",
            vec![],
            "/GoToR",
        ),
        (
            "/OpenAction << /S /GoToE /D [0 /Fit] >>",
            "",
            vec![],
            "/GoToE",
        ),
        (
            "/OpenAction << /S /ImportData /F (data.fdf) >>",
            "",
            vec![],
            "/ImportData",
        ),
        (
            "",
            "/Annots [<< /Subtype /RichMedia /Rect [0 0 9 9] >>]",
            vec![],
            "/RichMedia",
        ),
        (
            "/Names << /EmbeddedFiles << /Names [] >> >>",
            "",
            vec![],
            "/EmbeddedFiles",
        ),
        // Hex-escaped names and a script as a hex string.
        (
            "/OpenAction << /S /J#61v#61Scr#69pt /J#53 <6170702E616C657274283129> >>",
            "",
            vec![],
            "/JavaScript",
        ),
    ];
    for (catalog, page, more, what) in cases {
        let mut doc = Doc::with_pages(catalog, page);
        for (i, body) in more.iter().enumerate() {
            doc.object_bytes(6 + i as u32, body);
        }
        doc.table("");
        assert_eq!(inspect(&doc.bytes()), active(what), "{catalog}{page}");
    }
}

#[test]
fn uri_links_and_named_actions_are_accepted() {
    let doc = {
        let mut doc = Doc::with_pages(
            "/OpenAction << /S /Named /N /FitPage >>",
            "/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] \
             /A << /S /URI /URI (https://example.com/JavaScript) >> >>]",
        );
        doc.table("");
        doc
    };
    assert_eq!(inspect(&doc.bytes()), Ok(FileKind::Pdf));
}

#[test]
fn a_trailer_root_that_is_not_a_catalog_is_refused() {
    let mut doc = Doc::new();
    doc.object(1, "(not a catalog)");
    doc.object(2, PAGES);
    doc.table("");
    assert!(malformed(inspect(&doc.bytes())));
}

/// Poppler rebuilds the cross-reference table when a reference's generation
/// does not match (here `/Names 9 1 R`), and then loads an object it finds
/// at the start of a line, even inside a string (pdf.js also after a `<`).
fn hidden_for_a_rebuilding_reader(separator: &str) -> Vec<u8> {
    let mut doc = Doc::with_pages("/Names 9 1 R", "");
    doc.object(
        4,
        &format!(
            "(notes{separator}9 1 obj << /JavaScript << /Names [(a) << /S /JavaScript \
             /JS (app.alert(1)) >>] >> >>{separator}endobj{separator})"
        ),
    );
    doc.table("");
    doc.bytes()
}

#[test]
fn an_object_header_hidden_in_a_string_for_a_rebuilding_reader_is_refused() {
    for separator in ["\n", "\r", "\r\n  ", "<", "< "] {
        assert!(
            malformed(inspect(&hidden_for_a_rebuilding_reader(separator))),
            "{separator:?}"
        );
    }
}

#[test]
fn an_object_header_after_a_less_than_in_a_comment_is_refused() {
    let mut doc = Doc::with_pages("", "");
    doc.raw(b"% see <9 0 obj << /S /JavaScript >> endobj\n");
    doc.table("");
    assert!(malformed(inspect(&doc.bytes())));
}

#[test]
fn strings_and_comments_that_merely_mention_objects_are_accepted() {
    let mut doc = Doc::with_pages("", "");
    doc.object(
        4,
        "<< /Title (Invoice 12 0 objection\\n12 0 R) /Subject (line one\nline 2 of 3) >>",
    );
    doc.raw(b"% generated <2026> 1 0 ob\n");
    doc.table("");
    assert_eq!(inspect(&doc.bytes()), Ok(FileKind::Pdf));
}

#[test]
fn a_hybrid_file_with_an_xref_stream_beside_its_table_is_accepted() {
    // What Word's "Save as PDF" writes: readers without object streams use
    // the table, others also the stream that /XRefStm names.
    let mut doc = Doc::with_pages("/Names 6 0 R", "");
    let listed: Vec<(u32, XEntry)> = doc.entries.iter().map(|(n, e)| (*n, *e)).collect();
    doc.object_stream(4, &[(6, "<< /Dests << >> >>")], true);
    let stream_at = doc.xref_stream_object(5, "");
    for (n, e) in listed {
        doc.entries.insert(n, e);
    }
    doc.point(4, doc.find("4 0 obj"));
    doc.point(5, stream_at);
    doc.table(&format!("/XRefStm {stream_at}"));
    assert_eq!(inspect(&doc.bytes()), Ok(FileKind::Pdf));
}

#[test]
fn a_hybrid_file_whose_xref_stream_points_into_a_comment_is_refused() {
    let mut doc = Doc::with_pages("", "");
    let listed: Vec<(u32, XEntry)> = doc.entries.iter().map(|(n, e)| (*n, *e)).collect();
    doc.raw(b"% 7 0 obj << /S /JavaScript >> endobj\n");
    doc.point(7, doc.find("7 0 obj"));
    let stream_at = doc.xref_stream_object(5, "");
    for (n, e) in listed {
        doc.entries.insert(n, e);
    }
    doc.point(5, stream_at);
    doc.table(&format!("/XRefStm {stream_at}"));
    assert!(malformed(inspect(&doc.bytes())));
}
