//! What is not a PDF: the accepted images, the refused types, and image checks.

use super::builders::*;
use super::*;

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
