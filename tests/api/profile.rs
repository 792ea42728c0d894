//! The signed KYC profile: its PDF read back with poppler (`pdftotext`, `pdftoppm`) in both
//! languages, its Ed25519 signature checked with Python's `cryptography` against the published
//! key and with `kyc-portal verify-profile`.

use std::process::Command;

use serde_json::{Value, json};
use wiremock::ResponseTemplate;

use crate::helpers::*;
use crate::idenfy_stub::*;
use crate::stubs::*;
use crate::with_idenfy_on_both_backends;

const REQUEST_IDENTIFIER: &str = "WAPIAAAAY7QX2KP";

/// What the profile of a verified buyer must show.
pub(crate) struct Evidence {
    pub(crate) path: String,
    pub(crate) sha256: String,
    pub(crate) scan_ref: String,
}

impl TestApp {
    /// An NT24_LED buyer with a document, a VALID VIES check with a consultation number and an
    /// approved verification.
    pub(crate) async fn verified_buyer(&self, vies: &wiremock::MockServer) -> Evidence {
        check_vat_number()
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "countryCode": "DE", "vatNumber": "136695976", "requestDate": "2026-04-22T10:01:30.123Z",
                "valid": true, "requestIdentifier": REQUEST_IDENTIFIER,
                "name": "AUTOHANDEL MUSTERMANN GMBH", "address": "HAUPTSTRASSE 42\n10115 BERLIN"
            })))
            .mount(vies)
            .await;
        let (path, buyer) = self.create_nt24_buyer("DE136695976").await;
        let document = self
            .upload_pdf(&format!("{path}/kyc/documents"), "COC_EXTRACT")
            .await;
        self.settled_vies_check(&path).await;
        let started = self.start_verification(&path).await;
        let scan_ref = started["scanRef"].as_str().unwrap().to_owned();
        let result = idenfy_result(
            &scan_ref,
            buyer["uuid"].as_str().unwrap(),
            "APPROVED",
            true,
            Some(aml_section(false)),
        );
        assert_eq!(
            self.idenfy_callback(&result, Signed::Correctly)
                .await
                .status(),
            200
        );
        Evidence {
            path,
            sha256: document["sha256"].as_str().unwrap().to_owned(),
            scan_ref,
        }
    }

    /// `GET .../kyc/profile` with `query` and headers; returns the bytes and the signature
    /// header.
    pub(crate) async fn profile(
        &self,
        path: &str,
        query: &str,
        accept_language: Option<&str>,
    ) -> (Vec<u8>, String) {
        let mut request = self.request(reqwest::Method::GET, &format!("{path}/kyc/profile{query}"));
        if let Some(language) = accept_language {
            request = request.header("Accept-Language", language);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let signature = response.headers()["kyc-profile-signature"]
            .to_str()
            .unwrap()
            .to_owned();
        (response.bytes().await.unwrap().to_vec(), signature)
    }
}

/// The text of a PDF, as `pdftotext` reads it.
pub(crate) fn pdf_text(dir: &std::path::Path, name: &str, pdf: &[u8]) -> String {
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    let output = Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Renders the first page to a PNG with `pdftoppm`; returns the PNG.
fn first_page_png(dir: &std::path::Path, name: &str, pdf: &[u8]) -> Vec<u8> {
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    let prefix = dir.join(name);
    let output = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-singlefile"])
        .arg(&file)
        .arg(&prefix)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(prefix.with_extension("png")).unwrap()
}

const VERIFY_SCRIPT: &str = r#"
import base64, json, sys
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
request = json.load(sys.stdin)
pdf = base64.b64decode(request["pdf"])
signature = base64.b64decode(request["signature"])
keys = [Ed25519PublicKey.from_public_bytes(base64.b64decode(request["key"]["publicKey"])),
        load_pem_public_key(request["key"]["publicKeyPem"].encode())]
for key in keys:
    key.verify(signature, pdf)
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01
    try:
        key.verify(signature, bytes(changed))
    except InvalidSignature:
        pass
    else:
        sys.exit("a changed PDF verified")
print("verified")
"#;

/// Checks the signature with Python's `cryptography` against the published key (raw and PEM),
/// and that it fails after one byte of the PDF is changed.
fn verify_with_python_cryptography(key: &Value, pdf: &[u8], signature: &str) {
    use base64::Engine;
    let request = json!({
        "key": key,
        "pdf": base64::engine::general_purpose::STANDARD.encode(pdf),
        "signature": signature,
    });
    let output = run_python(VERIFY_SCRIPT, &request);
    assert!(
        output.status.success(),
        "cryptography refused: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "verified");
}

pub(crate) fn verify_profile_cli(
    args: &[&std::ffi::OsStr],
    data_dir: &std::path::Path,
) -> (Option<i32>, String) {
    let output = crate::cli::portal()
        .arg("verify-profile")
        .args(args)
        .env("KYC_PORTAL_DATA_DIR", data_dir)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

with_idenfy_on_both_backends! {
    async fn a_profile_is_issued_only_for_a_verified_buyer(app, _idenfy, _vies) {
        let (seller, buyer) = app.create_buyer().await;
        expect_problem(app.get(&format!("{}/kyc/profile", buyer_path(&seller, &buyer))).await, 409).await;
        let (path, _) = app.create_nt24_buyer("DE136695976").await;
        expect_problem(app.get(&format!("{path}/kyc/profile")).await, 409).await;
        app.start_verification(&path).await;

        expect_problem(app.get(&format!("{path}/kyc/profile")).await, 409).await;
        expect_problem(app.get(&format!("{path}/kyc/profile.sig")).await, 409).await;
        expect_problem(app.get(&format!("{path}/kyc/profile?lang=fr")).await, 422).await;
    }

    async fn a_verified_buyers_export_holds_its_signed_profile_and_the_providers_details(app, _idenfy, vies) {
        let evidence = app.verified_buyer(&vies).await;
        let (pdf, signature) = app.profile(&evidence.path, "?lang=en", None).await;
        let response = app.get(&format!("{}/export?lang=en", evidence.path)).await;
        assert_eq!(response.status(), 200);
        let (dir, names) = crate::export::unzip(&response.bytes().await.unwrap());
        assert!(names.contains(&"kyc-profile.pdf".to_owned()), "{names:?}");
        assert_eq!(std::fs::read(dir.path().join("out/kyc-profile.pdf")).unwrap(), pdf);
        assert_eq!(std::fs::read_to_string(dir.path().join("out/kyc-profile.pdf.sig")).unwrap(), signature);
        let verifications: Value = serde_json::from_slice(&std::fs::read(dir.path().join("out/verifications.json")).unwrap()).unwrap();
        assert_eq!(verifications[0]["scanRef"], evidence.scan_ref.as_str());
        assert!(verifications[0].get("sessionUrl").is_none(), "the session link holds the provider's token: {verifications}");
        // What the provider found about the person is for staff, never for seller systems.
        assert!(verifications[0].get("providerDetails").is_none() && verifications[0].get("aml").is_none(), "{verifications}");
        let history = std::fs::read_to_string(dir.path().join("out/history.txt")).unwrap();
        assert!(history.contains("vies_check") || history.contains("VIES"), "the checks are part of the history: {history}");

        let staff = app.admin_browser().await;
        let buyer_id = evidence.path.rsplit('/').next().unwrap();
        let response = staff.get(&format!("/admin/buyers/{buyer_id}/export")).await;
        assert_eq!(response.status(), 200);
        let (dir, _) = crate::export::unzip(&response.bytes().await.unwrap());
        let verifications: Value = serde_json::from_slice(&std::fs::read(dir.path().join("out/verifications.json")).unwrap()).unwrap();
        assert!(verifications[0]["providerDetails"].is_object() && !verifications[0]["aml"].is_null(), "{verifications}");
        let checks: Value = serde_json::from_slice(&std::fs::read(dir.path().join("out/vies-checks.json")).unwrap()).unwrap();
        assert_eq!(checks[0]["evidence"]["requestIdentifier"], REQUEST_IDENTIFIER, "{checks}");
    }

    async fn the_profile_shows_company_vies_evidence_documents_and_verification_in_german_and_english(app, _idenfy, vies) {
        if !tool_available("pdftotext", &["pdftotext", "-v"], "apt-get install poppler-utils") { return; }
        let evidence = app.verified_buyer(&vies).await;
        let dir = tempfile::tempdir().unwrap();

        let (german, _) = app.profile(&evidence.path, "?lang=de", Some("en")).await;
        let (english, _) = app.profile(&evidence.path, "", Some("en-GB,en;q=0.9,de;q=0.5")).await;

        let german_text = pdf_text(dir.path(), "de", &german);
        let english_text = pdf_text(dir.path(), "en", &english);
        for text in [&german_text, &english_text] {
            for expected in ["AutoHandel Mustermann GmbH", "DE136695976", "Hauptstraße 42", REQUEST_IDENTIFIER, &evidence.sha256, &evidence.scan_ref] {
                assert!(text.contains(expected), "{expected} is missing from:\n{text}");
            }
        }
        for label in ["KYC-Profil", "Identitätsprüfung", "USt-IdNr.", "Unterlagen", "Handelsregisterauszug", "Gültig", "Bestätigt"] {
            assert!(german_text.contains(label), "{label} is missing from:\n{german_text}");
        }
        for label in ["KYC profile", "Identity verification", "VAT number", "Documents", "Commercial register extract", "Valid", "Verified"] {
            assert!(english_text.contains(label), "{label} is missing from:\n{english_text}");
        }
        assert!(!english_text.contains("Identitätsprüfung"));
        // Dates as each language writes them, never as ISO text, in the organisation's time
        // zone (Europe/Berlin: VIES's 10:01:30 UTC in April is 12:01:30 summer time).
        assert!(german_text.contains("22.04.2026, 12:01:30 CEST"), "the VIES request date:\n{german_text}");
        assert!(english_text.contains("22 April 2026, 12:01:30 CEST"), "{english_text}");
        assert!(!german_text.contains("2026-04-22T") && !english_text.contains("2026-04-22T"));
        let png = first_page_png(dir.path(), "de", &german);
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 2000, "a rendered page");
        // Left for a person to look at, like the browser tests' screenshots.
        let _ = std::fs::write(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("kyc-profile-de.png"), &png);
    }

    async fn the_same_state_gives_the_same_bytes_and_the_sig_endpoint_signs_exactly_them(app, _idenfy, vies) {
        let evidence = app.verified_buyer(&vies).await;
        let (first, header) = app.profile(&evidence.path, "?lang=en", None).await;

        let (second, header_again) = app.profile(&evidence.path, "?lang=en", None).await;
        let sig = app.get(&format!("{}/kyc/profile.sig?lang=en", evidence.path)).await;

        assert_eq!(first, second);
        assert_eq!(header, header_again);
        assert_eq!(sig.status(), 200);
        assert_eq!(sig.text().await.unwrap().trim(), header);
        app.upload_pdf(&format!("{}/kyc/documents", evidence.path), "BANK_CONFIRMATION").await;
        let (changed, changed_header) = app.profile(&evidence.path, "?lang=en", None).await;
        assert_ne!(changed, first, "a new document issues a new profile");
        assert_ne!(changed_header, header);
    }

    async fn the_signature_verifies_with_independent_implementations_and_fails_for_a_changed_byte(app, _idenfy, vies) {
        let evidence = app.verified_buyer(&vies).await;
        let (pdf, signature) = app.profile(&evidence.path, "?lang=de", None).await;
        let key_response = app.client.get(format!("{}/v1/signing-key", app.address)).send().await.unwrap();
        assert_eq!(key_response.status(), 200, "the key is public: no token");
        let key = body_json(key_response).await;
        assert_eq!(key["algorithm"], "Ed25519");
        assert!(key["publicKeyPem"].as_str().unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));

        if tool_available("Python's cryptography", &["python3", "-c", "import cryptography"], "pip install cryptography") {
            verify_with_python_cryptography(&key, &pdf, &signature);
        }

        let dir = tempfile::tempdir().unwrap();
        let (pdf_file, sig_file, key_file, changed_file) =
            (dir.path().join("p.pdf"), dir.path().join("p.sig"), dir.path().join("key.pem"), dir.path().join("changed.pdf"));
        std::fs::write(&pdf_file, &pdf).unwrap();
        std::fs::write(&sig_file, format!("{signature}\n")).unwrap();
        std::fs::write(&key_file, key["publicKeyPem"].as_str().unwrap()).unwrap();
        let mut changed = pdf.clone();
        let middle = changed.len() / 2;
        changed[middle] ^= 0x01;
        std::fs::write(&changed_file, &changed).unwrap();
        let key_arg = std::ffi::OsStr::new("--key");
        let (valid, said) = verify_profile_cli(&[pdf_file.as_os_str(), sig_file.as_os_str(), key_arg, key_file.as_os_str()], dir.path());
        assert_eq!(valid, Some(0), "{said}");
        assert!(said.starts_with("valid"));
        let (invalid, _) = verify_profile_cli(&[changed_file.as_os_str(), sig_file.as_os_str(), key_arg, key_file.as_os_str()], dir.path());
        assert_eq!(invalid, Some(1));
        let (with_local_key, said) = verify_profile_cli(&[pdf_file.as_os_str(), sig_file.as_os_str()], app.dir.path());
        assert_eq!(with_local_key, Some(0), "{said}");
        let (no_local_key, _) = verify_profile_cli(&[pdf_file.as_os_str(), sig_file.as_os_str()], dir.path());
        assert_eq!(no_local_key, Some(2), "no key here, and none is made");
        assert!(!dir.path().join("signing.key").exists());
    }
}

#[cfg(unix)]
#[tokio::test]
async fn the_signing_key_is_made_on_first_start_readable_by_the_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };

    let mode = std::fs::metadata(app.dir.path().join("signing.key"))
        .unwrap()
        .permissions()
        .mode();

    assert_eq!(mode & 0o777, 0o600);
}

with_idenfy_on_both_backends! {
    async fn an_identity_document_shows_in_the_profile_with_the_day_it_is_valid_until(app, _idenfy, vies) {
        if !tool_available("pdftotext", &["pdftotext", "-v"], "apt-get install poppler-utils") { return; }
        let evidence = app.verified_buyer(&vies).await;
        let (before, _) = app.profile(&evidence.path, "?lang=de", None).await;
        let last_day = chrono::NaiveDate::from_ymd_opt(2031, 5, 31).unwrap();
        let form = reqwest::multipart::Form::new()
            .text("type", "CONTACT_ID")
            .text("expiresOn", last_day.to_string())
            .part("file", reqwest::multipart::Part::bytes(crate::fixtures::small_pdf()).file_name("ausweis.pdf"));
        assert_eq!(app.upload(&format!("{}/kyc/documents", evidence.path), form).await.status(), 201);
        let dir = tempfile::tempdir().unwrap();
        let (german, _) = app.profile(&evidence.path, "?lang=de", None).await;
        assert_ne!(german, before, "a new document is a new profile");
        let text = pdf_text(dir.path(), "de-id", &german);
        assert!(text.contains("gültig bis 31.05.2031"), "{text}");
        let (english, _) = app.profile(&evidence.path, "?lang=en", None).await;
        assert!(pdf_text(dir.path(), "en-id", &english).contains("valid until 31 May 2031"));
    }
}
