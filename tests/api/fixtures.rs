//! Test files built in code: valid PDFs, PNGs and JPEGs, and a corpus of bad ones.

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

/// A classic PDF: objects from 1 (1 is the catalog), a correct xref table and trailer.
pub fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
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

/// A one-page PDF whose page says `text`, with `catalog_extra` in the catalog and a content
/// stream padded with `padding` bytes of PDF comments.
pub fn pdf_with(text: &str, catalog_extra: &str, padding: usize) -> Vec<u8> {
    let mut content = format!("BT /F1 24 Tf 72 720 Td ({text}) Tj ET\n").into_bytes();
    while content.len() < padding {
        content.extend_from_slice(b"% padding padding padding padding padding padding padding\n");
    }
    pdf(&[
        format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>").into_bytes(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        stream("", &content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ])
}

/// A small valid PDF.
pub fn small_pdf() -> Vec<u8> {
    pdf_with("Handelsregisterauszug", "", 0)
}

/// A valid PDF of `count` Letter-size pages, each saying its number.
pub fn pdf_with_pages(count: usize) -> Vec<u8> {
    let kids: Vec<String> = (0..count).map(|i| format!("{} 0 R", 3 + i)).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {count} >>",
            kids.join(" ")
        )
        .into_bytes(),
    ];
    let font = 3 + 2 * count;
    for i in 0..count {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {} 0 R /Resources << /Font << /F1 {font} 0 R >> >> >>",
                3 + count + i
            )
            .into_bytes(),
        );
    }
    for i in 0..count {
        let text = format!("BT /F1 48 Tf 72 680 Td (Seite {}) Tj ET\n", i + 1);
        objects.push(stream("", text.as_bytes()));
    }
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec());
    pdf(&objects)
}

/// A valid PDF of about `size` bytes.
pub fn pdf_of_size(size: usize) -> Vec<u8> {
    pdf_with("Large scan", "", size.saturating_sub(700))
}

/// A valid PDF of exactly `size` bytes (at least about a kilobyte).
pub fn pdf_of_exact_size(size: usize) -> Vec<u8> {
    let mut text = String::from("Exact");
    loop {
        let pdf = pdf_with(&text, "", size.saturating_sub(1000));
        match size.checked_sub(pdf.len()) {
            Some(0) => return pdf,
            Some(missing) => text.push_str(&" ".repeat(missing)),
            None => {
                let excess = pdf.len() - size;
                text.truncate(text.len().saturating_sub(excess).max(5));
            }
        }
    }
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

/// A PNG whose header claims `width` x `height` (2 x 2 data).
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &header);
    png_chunk(
        &mut out,
        b"IDAT",
        &zlib(&[0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]),
    );
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A valid 2 x 2 PNG.
pub fn png() -> Vec<u8> {
    png_claiming(2, 2)
}

/// A valid 8 x 8 grey baseline JPEG.
pub fn jpeg() -> Vec<u8> {
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
        out.push(0);
    }
    out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0x00, 0, 63, 0]);
    out.push(0b0011_1111);
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// Files that must be refused, each with the name it is sent under.
pub fn malicious_corpus() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let script_in_object_stream = {
        let objects = "1 0 2 60 ";
        let body = "<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>\n<< /Type /Annot >>\n";
        let data = zlib(format!("{objects}{body}").as_bytes());
        pdf(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
            stream(
                &format!(
                    "/Type /ObjStm /N 2 /First {} /Filter /FlateDecode",
                    objects.len()
                ),
                &data,
            ),
        ])
    };
    vec![
        ("html renamed to .pdf", "invoice.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>".to_vec()),
        ("svg with a script", "logo.png", b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec()),
        ("%PDF- followed by html", "scan.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>".to_vec()),
        ("pdf with /JavaScript", "contract.pdf", pdf_with("x", "/Names << /JavaScript << /Names [(a) << /S /JavaScript /JS (app.alert(1)) >>] >> >>", 0)),
        ("pdf with /OpenAction", "contract.pdf", pdf_with("x", "/OpenAction << /S /Launch /F (calc.exe) >>", 0)),
        ("pdf with a hex-escaped name", "contract.pdf", pdf_with("x", "/Names << /J#61vaScript << /Names [] >> >>", 0)),
        ("pdf with javascript in an object stream", "contract.pdf", script_in_object_stream),
        ("pdf with an embedded file", "contract.pdf", pdf_with("x", "/Names << /EmbeddedFiles << /Names [] >> >>", 0)),
        ("png claiming 100000 x 100000 pixels", "photo.png", png_claiming(100_000, 100_000)),
        ("zip archive", "documents.pdf", b"PK\x03\x04\x14\x00\x00\x00\x08\x00rest of a zip file".to_vec()),
        ("elf executable", "scan.jpg", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec()),
        ("windows executable", "scan.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec()),
        ("empty file", "empty.pdf", Vec::new()),
        ("shell script", "run.pdf", b"#!/bin/sh\nrm -rf /\n".to_vec()),
    ]
}
