//! Recognising a file from its first bytes, and wording what a refused one
//! looks like.

use super::{FileKind, OtherKind, PNG_SIGNATURE, Rejection, SIGNATURE_LEN, SNIFF_LEN};

/// Outcome of looking at the first bytes.
pub(super) enum Sniff {
    NeedMore,
    Accepted(FileKind),
    Refused(Rejection),
}

/// Decide from the first bytes. `at_end` means no more bytes will come.
pub(super) fn sniff(head: &[u8], at_end: bool) -> Sniff {
    if head.is_empty() {
        return if at_end {
            Sniff::Refused(Rejection::Empty)
        } else {
            Sniff::NeedMore
        };
    }
    // Wait for the full signature length so a PDF header's version digits are
    // there too, unless the file is shorter than that.
    if head.len() >= SIGNATURE_LEN || at_end {
        if head.starts_with(b"%PDF-") {
            return Sniff::Accepted(FileKind::Pdf);
        }
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Sniff::Accepted(FileKind::Jpeg);
        }
        if head.starts_with(&PNG_SIGNATURE) {
            return Sniff::Accepted(FileKind::Png);
        }
    }
    // A prefix of (or longer than) an accepted signature: wait for 8 bytes.
    let may_become_ours = [b"%PDF-".as_slice(), &[0xFF, 0xD8, 0xFF], &PNG_SIGNATURE]
        .iter()
        .any(|sig| sig.starts_with(head) || head.starts_with(sig));
    if may_become_ours && !at_end {
        return Sniff::NeedMore;
    }
    // Refused. Classify on exactly the first SNIFF_LEN bytes (or the whole
    // file if shorter) so the wording never depends on chunk sizes.
    if head.len() < SNIFF_LEN && !at_end {
        return Sniff::NeedMore;
    }
    Sniff::Refused(Rejection::UnsupportedType {
        found: classify(head),
    })
}

/// Best guess at what a refused file is, for the message only.
fn classify(head: &[u8]) -> OtherKind {
    const EXECUTABLE: &[&[u8]] = &[
        b"\x7fELF",
        b"MZ",
        &[0xFE, 0xED, 0xFA, 0xCE],
        &[0xFE, 0xED, 0xFA, 0xCF],
        &[0xCE, 0xFA, 0xED, 0xFE],
        &[0xCF, 0xFA, 0xED, 0xFE],
        &[0xCA, 0xFE, 0xBA, 0xBE],
    ];
    const ARCHIVE: &[&[u8]] = &[
        b"PK\x03\x04",
        b"PK\x05\x06",
        b"PK\x07\x08",
        &[0x1F, 0x8B],
        &[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C],
        b"Rar!\x1a\x07",
        b"BZh",
        &[0xFD, b'7', b'z', b'X', b'Z', 0x00],
    ];
    const IMAGE: &[&[u8]] = &[b"GIF87a", b"GIF89a", b"II*\0", b"MM\0*", b"BM"];
    if EXECUTABLE.iter().any(|m| head.starts_with(m)) {
        return OtherKind::Executable;
    }
    if ARCHIVE.iter().any(|m| head.starts_with(m)) {
        return OtherKind::Archive;
    }
    let riff_webp = head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP".as_slice());
    let iso_media = head.get(4..8) == Some(b"ftyp".as_slice());
    if IMAGE.iter().any(|m| head.starts_with(m)) || riff_webp || iso_media {
        return OtherKind::OtherImage;
    }
    if head.starts_with(b"#!") {
        return OtherKind::Script;
    }
    let text = head
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(head);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let text = text.get(start..).unwrap_or_default();
    if text.first() == Some(&b'<') {
        let lower: Vec<u8> = text.iter().map(u8::to_ascii_lowercase).collect();
        if contains(&lower, b"<svg") {
            return OtherKind::Svg;
        }
        if lower.starts_with(b"<?xml") {
            return OtherKind::Xml;
        }
        return OtherKind::Html;
    }
    if looks_like_text(head) {
        return OtherKind::Text;
    }
    OtherKind::Unknown
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// UTF-8 (possibly cut mid-character at the end of the sample) without
/// control characters other than tab, CR, LF and form feed.
fn looks_like_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        // A character cut by the sample boundary is still text.
        Err(e) if e.error_len().is_none() => {
            match head.get(..e.valid_up_to()).map(std::str::from_utf8) {
                Some(Ok(s)) => s,
                _ => return false,
            }
        }
        Err(_) => return false,
    };
    !valid.is_empty()
        && valid
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\r' | '\n' | '\x0C'))
}
