//! What keeps the signed KYC profile readable for the years it is kept: it names the person
//! verified and their role, shows the organisation's logo (PNG with transparency, or JPEG),
//! and embeds every font it uses, checked with poppler (`pdftotext`, `pdffonts`,
//! `pdfimages`) and `qpdf --check`.

use std::process::Command;

use sha2::{Digest, Sha256};

use crate::fixtures::jpeg;
use crate::helpers::*;
use crate::multi_file::{files_form, front_and_back};
use crate::profile::{pdf_text, verify_profile_cli};
use crate::with_idenfy_on_both_backends;

/// A tool's output for `pdf`, failing the test when the tool fails.
fn pdf_tool(dir: &std::path::Path, tool: &[&str], name: &str, pdf: &[u8]) -> String {
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    let (program, args) = tool.split_first().unwrap();
    let output = Command::new(program)
        .args(args)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{program}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The rows of a poppler listing below its two header lines.
fn rows(listing: &str) -> Vec<&str> {
    listing
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// A 4 x 2 RGBA PNG whose left half is transparent.
fn transparent_png() -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, 4, 2);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let row = [
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [200, 30, 30, 255],
        [200, 30, 30, 255],
    ]
    .concat();
    writer
        .write_image_data(&[row.clone(), row].concat())
        .unwrap();
    writer.finish().unwrap();
    out
}

fn tools_available() -> bool {
    tool_available(
        "pdftotext",
        &["pdftotext", "-v"],
        "apt-get install poppler-utils",
    ) && tool_available("qpdf", &["qpdf", "--version"], "apt-get install qpdf")
}

with_idenfy_on_both_backends! {
    async fn the_profile_names_the_verified_person_and_role_and_embeds_every_font(app, _idenfy, vies) {
        if !tools_available() { return; }
        let evidence = app.verified_buyer(&vies).await;
        let dir = tempfile::tempdir().unwrap();

        let (german, _) = app.profile(&evidence.path, "?lang=de", None).await;
        let (english, _) = app.profile(&evidence.path, "?lang=en", None).await;

        // Left for a person to look at, like the browser tests' screenshots.
        let _ = std::fs::write(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("kyc-profile-person-de.pdf"), &german);
        let german_text = pdf_text(dir.path(), "de", &german);
        let english_text = pdf_text(dir.path(), "en", &english);
        for expected in ["Geprüfte Person", "ERIKA MUSTERMANN", "01.01.1980", "Geprüft als", "Ansprechpartner des Käufers", "Hauptstraße 42", "Identitätsprüfung"] {
            assert!(german_text.contains(expected), "{expected} is missing from:\n{german_text}");
        }
        for expected in ["Verified person", "ERIKA MUSTERMANN", "1 January 1980", "Contact person of the buyer"] {
            assert!(english_text.contains(expected), "{expected} is missing from:\n{english_text}");
        }
        for (name, pdf) in [("de", &german), ("en", &english)] {
            let fonts = pdf_tool(dir.path(), &["pdffonts"], name, pdf);
            let fonts = rows(&fonts);
            assert!(fonts.len() >= 3, "{fonts:?}");
            for font in fonts {
                // name, type, encoding, then emb, sub, uni: embedded subsets with a Unicode map.
                assert!(font.contains("CID TrueType") && font.contains("yes yes yes"), "{font}");
            }
            assert!(rows(&pdf_tool(dir.path(), &["pdfimages", "-list"], name, pdf)).is_empty(), "no logo, no image");
            pdf_tool(dir.path(), &["qpdf", "--check"], name, pdf);
        }
    }

    async fn the_profile_shows_the_organisations_png_or_jpeg_logo_and_its_signature_still_verifies(app, _idenfy, vies) {
        if !tools_available() { return; }
        let evidence = app.verified_buyer(&vies).await;
        let dir = tempfile::tempdir().unwrap();
        let (without, _) = app.profile(&evidence.path, "?lang=de", None).await;
        let mut admin = app.admin_browser().await;

        assert_eq!(admin.upload_logo("logo.png", transparent_png()).await.status(), 303);
        let (with_png, signature) = app.profile(&evidence.path, "?lang=de", None).await;

        assert_ne!(with_png, without, "a new logo issues a new profile");
        let images = pdf_tool(dir.path(), &["pdfimages", "-list"], "png", &with_png);
        let images = rows(&images);
        assert_eq!(images.len(), 2, "the logo and its soft mask: {images:?}");
        assert!(images[0].contains(" image ") && images[0].contains("rgb"), "{images:?}");
        assert!(images[1].contains(" smask ") && images[1].contains("gray"), "{images:?}");
        pdf_tool(dir.path(), &["qpdf", "--check"], "png", &with_png);
        let pdf_file = dir.path().join("signed.pdf");
        let sig_file = dir.path().join("signed.sig");
        std::fs::write(&pdf_file, &with_png).unwrap();
        std::fs::write(&sig_file, format!("{signature}\n")).unwrap();
        let (valid, said) = verify_profile_cli(&[pdf_file.as_os_str(), sig_file.as_os_str()], app.dir.path());
        assert_eq!(valid, Some(0), "{said}");

        assert_eq!(admin.upload_logo("logo.jpg", jpeg()).await.status(), 303);
        let (with_jpeg, _) = app.profile(&evidence.path, "?lang=de", None).await;

        let images = pdf_tool(dir.path(), &["pdfimages", "-list"], "jpeg", &with_jpeg);
        let images = rows(&images);
        assert_eq!(images.len(), 1, "{images:?}");
        assert!(images[0].contains(" image ") && images[0].contains("jpeg"), "{images:?}");
        pdf_tool(dir.path(), &["qpdf", "--check"], "jpeg", &with_jpeg);
    }

    async fn another_verified_person_issues_a_new_profile(app, _idenfy, vies) {
        let evidence = app.verified_buyer(&vies).await;
        let (first, signature) = app.profile(&evidence.path, "?lang=en", None).await;

        sqlx::query("UPDATE verifications SET person_first_name = 'MAX' WHERE scan_ref = $1")
            .bind(&evidence.scan_ref)
            .execute(app.db.pool())
            .await
            .unwrap();
        let (second, second_signature) = app.profile(&evidence.path, "?lang=en", None).await;

        assert_ne!(second, first);
        assert_ne!(second_signature, signature);
        if tool_available("pdftotext", &["pdftotext", "-v"], "apt-get install poppler-utils") {
            let text = pdf_text(tempfile::tempdir().unwrap().path(), "max", &second);
            assert!(text.contains("MAX MUSTERMANN"), "{text}");
        }

        // A verification settled before the portal kept the name says so rather than guess.
        sqlx::query("UPDATE verifications SET person_first_name = NULL, person_last_name = NULL WHERE scan_ref = $1")
            .bind(&evidence.scan_ref)
            .execute(app.db.pool())
            .await
            .unwrap();
        let (unnamed, _) = app.profile(&evidence.path, "?lang=en", None).await;
        assert_ne!(unnamed, second);
        if tool_available("pdftotext", &["pdftotext", "-v"], "apt-get install poppler-utils") {
            let text = pdf_text(tempfile::tempdir().unwrap().path(), "unnamed", &unnamed);
            assert!(text.contains("Not recorded") && !text.contains("ERIKA"), "{text}");
        }
    }

    async fn a_document_of_several_files_is_in_the_profile_with_every_files_hash(app, _idenfy, vies) {
        if !tools_available() { return; }
        let evidence = app.verified_buyer(&vies).await;
        let (before, _) = app.profile(&evidence.path, "?lang=en", None).await;

        let sent = front_and_back();
        let response = app
            .upload(&format!("{}/kyc/documents", evidence.path), files_form("COC_EXTRACT", &sent))
            .await;
        assert_eq!(response.status(), 201);
        let (after, _) = app.profile(&evidence.path, "?lang=en", None).await;

        assert_ne!(after, before, "the new version issues a new profile");
        let text = pdf_text(tempfile::tempdir().unwrap().path(), "several", &after);
        for (_, bytes) in &sent {
            let sha256 = hex::encode(Sha256::digest(bytes));
            assert!(text.contains(&sha256), "{sha256} is missing from:\n{text}");
        }
        assert!(!text.contains(&evidence.sha256), "the superseded PDF no longer counts:\n{text}");
    }
}
