//! PDFs from real producers, made at test time with the real tools
//! (`scripts/make-pdf-corpus.sh`), and hostile ones, uploaded through the
//! API: the first are accepted, the others refused with a 422 and nothing
//! stored. A missing tool skips its files (a failure under
//! `KYC_TEST_REQUIRE_ALL=1`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kyc_portal::staff::StaffRole;
use serde_json::json;

use crate::documents::{documents_path, form};
use crate::helpers::*;
use crate::on_both_backends;
use crate::pdf_tricks;
use crate::portal::{browser, csrf_of, upload_form};

/// A file of the corpus and the tool it needs: (name, what, check command, how to install).
type Producer = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
);

const PILLOW: &[&str] = &[
    "sh",
    "-c",
    "python3 -c 'import PIL' 2>/dev/null || /usr/bin/python3 -c 'import PIL'",
];
const QPDF: &[&str] = &["qpdf", "--version"];
const GS: &[&str] = &["gs", "--version"];

/// Ordinary files, each from a producer people use.
const ACCEPTED: &[Producer] = &[
    (
        "chromium",
        "Chromium",
        &["chromium", "--version"],
        "apt-get install chromium",
    ),
    (
        "cairo",
        "rsvg-convert",
        &["rsvg-convert", "--version"],
        "apt-get install librsvg2-bin",
    ),
    (
        "ghostscript",
        "Ghostscript",
        GS,
        "apt-get install ghostscript",
    ),
    (
        "hyperref-open-action",
        "Ghostscript",
        GS,
        "apt-get install ghostscript",
    ),
    ("pillow", "Pillow", PILLOW, "apt-get install python3-pil"),
    ("qpdf-object-streams", "qpdf", QPDF, "apt-get install qpdf"),
    ("qpdf-linearized", "qpdf", QPDF, "apt-get install qpdf"),
    (
        "qpdf-permissions-aes256",
        "qpdf",
        QPDF,
        "apt-get install qpdf",
    ),
    (
        "qpdf-permissions-aes128",
        "qpdf",
        QPDF,
        "apt-get install qpdf",
    ),
    ("qpdf-permissions-rc4", "qpdf", QPDF, "apt-get install qpdf"),
];

/// The corpus, made once per test run.
fn corpus() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("pdf-corpus-{}", std::process::id()));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/make-pdf-corpus.sh");
        let status = std::process::Command::new("bash")
            .arg(script)
            .arg(&dir)
            .status()
            .expect("bash runs");
        assert!(status.success(), "make-pdf-corpus.sh failed");
        dir
    })
}

/// The corpus file `name` made by `what`, or None (announced) if the tool is missing.
fn made_by(name: &str, what: &str, check: &[&str], install: &str) -> Option<Vec<u8>> {
    if !tool_available(what, check, install) {
        return None;
    }
    let path = corpus().join(format!("{name}.pdf"));
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The hostile files made with qpdf: an attachment and a user password.
fn qpdf_made_hostile() -> Vec<(&'static str, Vec<u8>)> {
    ["qpdf-attachment", "qpdf-password"]
        .into_iter()
        .filter_map(|name| {
            made_by(name, "qpdf", QPDF, "apt-get install qpdf").map(|bytes| (name, bytes))
        })
        .collect()
}

on_both_backends! {
    async fn pdfs_from_real_producers_are_accepted(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = documents_path(&seller, &buyer);
        for &(name, what, check, install) in ACCEPTED {
            let Some(bytes) = made_by(name, what, check, install) else { continue };
            let response = app.upload(&path, form("BANK_STATEMENT", "2026-01-15", &format!("{name}.pdf"), bytes)).await;
            let status = response.status();
            assert_eq!(status, 201, "{name}: {}", response.text().await.unwrap());
        }
    }

    async fn every_hiding_trick_and_hostile_tool_output_is_refused_and_nothing_is_stored(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = documents_path(&seller, &buyer);
        let mut files = pdf_tricks::hiding_tricks();
        files.extend(qpdf_made_hostile());
        for (what, bytes) in files {
            let response = app.upload(&path, form("COC_EXTRACT", "2026-01-15", "scan.pdf", bytes)).await;
            let problem = expect_problem(response, 422).await;
            assert_eq!(problem_fields(&problem), ["file"], "{what}");
        }
        let listing = body_json(app.get(&path).await).await;
        assert!(listing["items"].as_array().unwrap().is_empty());
        assert_eq!(app.stored_files(), (0, 0));
    }

    async fn a_pdf_that_needs_a_password_is_refused_with_words_for_it_everywhere(app) {
        let Some(protected) = made_by("qpdf-password", "qpdf", QPDF, "apt-get install qpdf") else { return };
        let (seller, buyer) = app.create_buyer().await;
        let response = app.upload(&documents_path(&seller, &buyer), form("COC_EXTRACT", "2026-01-15", "locked.pdf", protected.clone())).await;
        let problem = expect_problem(response, 422).await;
        assert_eq!(problem["errors"][0]["message"], "The PDF is protected with a password; please upload a copy without one.");
        assert!(problem["errors"][0].get("code").is_none(), "the code is for the pages only");

        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "a@example.com", "language": "de"})).await;
        let page_browser = browser();
        let page = app.open_link(&page_browser, &invitation).await.text().await.unwrap();
        let refused = page_browser.post(format!("{}/kyc/documents", app.address)).header("Accept", "application/json")
            .multipart(upload_form(&csrf_of(&page), "COC_EXTRACT", "2026-01-15", "locked.pdf", protected.clone()))
            .send().await.unwrap();
        assert_eq!(refused.status(), 422);
        assert_eq!(body_json(refused).await["message"], "Dieses PDF ist mit einem Passwort geschützt. Bitte laden Sie eine Kopie ohne Passwort hoch.");

        let id = buyer["uuid"].as_str().unwrap();
        let mut kim = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let staff_path = format!("/admin/buyers/{id}/documents");
        kim.page(&staff_path).await;
        let staff = kim.upload(&staff_path, "COC_EXTRACT", "2026-01-15", "locked.pdf", protected).await;
        assert_eq!(staff.status(), 422);
        assert!(staff.text().await.unwrap().contains("This PDF is protected with a password. Please upload a copy without a password."));
        assert_eq!(app.stored_files(), (0, 0));
    }
}

/// The hiding places are real: poppler, following the cross-reference
/// offsets, finds the script that the tokenizer never saw as a name.
#[test]
fn poppler_finds_the_scripts_the_tricks_hide() {
    if !tool_available(
        "pdfinfo",
        &["pdfinfo", "-v"],
        "apt-get install poppler-utils",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("comment", pdf_tricks::catalog_in_a_comment()),
        ("string", pdf_tricks::catalog_in_a_string()),
        ("update", pdf_tricks::update_into_a_comment()),
        ("xref-stream", pdf_tricks::xref_stream_into_a_comment()),
        ("rebuilding", pdf_tricks::hidden_for_a_rebuilding_reader()),
    ] {
        let path = dir.path().join(format!("{name}.pdf"));
        std::fs::write(&path, bytes).unwrap();
        let output = std::process::Command::new("pdfinfo")
            .arg("-js")
            .arg(&path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            text.contains("app.alert('owned')"),
            "{name}: pdfinfo -js printed {text}"
        );
    }
}
