//! A large PDF through the inspector, chunk by chunk.

use super::builders::*;
use super::*;
use std::io::Write;

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
