//! Document previews on the staff pages: a PDF is shown as page images rendered on the server
//! by pdftoppm, never as PDF bytes for the browser to render; an image keeps its sandboxed
//! inline preview; without pdftoppm (or when a render fails, runs out of time or finds every
//! slot busy) the page says so and offers the download.

use std::path::Path;
use std::time::Duration;

use kyc_portal::staff::StaffRole;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use super::*;
use crate::documents::documents_path;
use crate::fixtures::*;
use crate::helpers::*;
use crate::on_both_backends;

const KIM: &str = "kim@marketplace.example";
const SANDBOX: &str = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'";

/// Whether poppler's tools are here (a missing one is SKIPPED, or fails under
/// `KYC_TEST_REQUIRE_ALL=1`).
fn poppler_available() -> bool {
    tool_available(
        "poppler-utils",
        &["pdftoppm", "-v"],
        "apt-get install poppler-utils",
    )
}

/// Uploads `bytes` as `name` for a new buyer through the API; returns the document's id.
async fn uploaded(app: &TestApp, name: &str, bytes: Vec<u8>) -> String {
    let (seller, buyer) = app.create_buyer().await;
    let form = Form::new()
        .text("type", "COC_EXTRACT")
        .text("documentDate", "2026-01-15")
        .part("file", Part::bytes(bytes).file_name(name.to_owned()));
    let response = app.upload(&documents_path(&seller, &buyer), form).await;
    assert_eq!(response.status(), 201);
    let document: Value = body_json(response).await;
    document["uuid"].as_str().unwrap().to_owned()
}

/// The header `name` of `response`, as text.
fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Asserts a preview page shows no framed or embedded document and no inline PDF address.
fn assert_nothing_framed(page: &str, id: &str) {
    for tag in ["<iframe", "<embed", "<object"] {
        assert!(!page.contains(tag), "{tag} in {page}");
    }
    assert!(
        !page.contains(&format!("/admin/documents/{id}/inline")),
        "{page}"
    );
}

/// A folder with stand-ins for `pdfinfo` (two pages) and `pdftoppm` (notes its process id
/// in `pid`, then hangs), and the path of that `pdftoppm`.
fn hanging_poppler(folder: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = |name: &str, body: &str| {
        let path = folder.join(name);
        std::fs::write(
            &path,
            format!("#!/bin/sh\ncase \"$1\" in -v) exit 0;; esac\n{body}\n"),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    };
    script("pdfinfo", "echo 'Pages:          2'");
    let pid = folder.join("pid");
    script(
        "pdftoppm",
        &format!(
            "echo $$ > '{}.tmp' && mv '{0}.tmp' '{0}'\nexec sleep 60",
            pid.display()
        ),
    )
}

/// Waits a moment for `folder` to be empty and asserts it is.
async fn assert_emptied(folder: &Path) {
    let empty = || std::fs::read_dir(folder).unwrap().next().is_none();
    for _ in 0..100 {
        if empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(empty(), "{} is empty", folder.display());
}

/// Whether the process `pid` has ended (gone, or a zombie waiting to be reaped).
fn has_ended(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |stat| {
        stat.rsplit(") ")
            .next()
            .is_some_and(|rest| rest.starts_with('Z'))
    })
}

on_both_backends! {
    async fn the_preview_of_a_pdf_shows_its_pages_as_images_rendered_on_the_server(app) {
        if !poppler_available() {
            return;
        }
        let id = uploaded(&app, "handelsregister.pdf", pdf_with_pages(2)).await;
        let mut kim = app.signed_in(KIM, StaffRole::Staff).await;

        let page = kim.page(&format!("/admin/documents/{id}/preview")).await;
        assert!(page.contains("<ol class=\"pages\">"), "{page}");
        for (number, alt) in [(1, "Page 1 of 2 of handelsregister.pdf"), (2, "Page 2 of 2 of handelsregister.pdf")] {
            assert!(
                page.contains(&format!("<img class=\"preview\" src=\"/admin/documents/{id}/pages/{number}.png\" alt=\"{alt}\"")),
                "{page}"
            );
        }
        assert!(!page.contains("pages/3.png"));
        assert!(!page.contains("Showing the first"), "every page is shown");
        assert!(page.contains(&format!("href=\"/admin/documents/{id}/file\"")), "the download stays");
        assert_nothing_framed(&page, &id);
        assert_emptied(&app.dir.path().join("documents").join(".staging")).await;

        for number in [1, 2] {
            let response = kim.get(&format!("/admin/documents/{id}/pages/{number}.png")).await;
            assert_eq!(response.status(), 200);
            assert_eq!(header(&response, "content-type"), "image/png");
            assert_eq!(header(&response, "x-content-type-options"), "nosniff");
            assert_eq!(header(&response, "content-security-policy"), SANDBOX);
            assert!(header(&response, "cache-control").contains("no-store"));
            let png = response.bytes().await.unwrap();
            let reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
            let (width, height) = (reader.info().width, reader.info().height);
            // A Letter page (612 x 792 points) scaled to 1600 pixels on its long side.
            assert!((1598..=1601).contains(&height), "{width} x {height}");
            assert!((1230..=1240).contains(&width), "{width} x {height}");
        }
    }

    async fn a_pdf_longer_than_the_preview_shows_its_first_ten_pages_and_says_so(app) {
        if !poppler_available() {
            return;
        }
        let id = uploaded(&app, "satzung.pdf", pdf_with_pages(12)).await;
        let mut kim = app.signed_in(KIM, StaffRole::Staff).await;

        let page = kim.page(&format!("/admin/documents/{id}/preview")).await;
        assert!(page.contains("Showing the first 10 of 12 pages. Download the file to see them all."), "{page}");
        assert!(page.contains("alt=\"Page 10 of 12 of satzung.pdf\""), "{page}");
        assert!(!page.contains("pages/11.png"));
        assert_eq!(kim.get(&format!("/admin/documents/{id}/pages/10.png")).await.status(), 200);
        assert_eq!(kim.get(&format!("/admin/documents/{id}/pages/11.png")).await.status(), 404);
    }

    async fn a_page_that_is_not_there_is_404(app) {
        if !poppler_available() {
            return;
        }
        let pdf = uploaded(&app, "hr.pdf", pdf_with_pages(2)).await;
        let image = uploaded(&app, "passport.png", png()).await;
        let kim = app.signed_in(KIM, StaffRole::Staff).await;

        for path in [
            format!("/admin/documents/{pdf}/pages/3.png"),
            format!("/admin/documents/{pdf}/pages/0.png"),
            format!("/admin/documents/{pdf}/pages/one.png"),
            format!("/admin/documents/{pdf}/pages/99999999999999999999.png"),
            format!("/admin/documents/{image}/pages/1.png"),
            "/admin/documents/nope/pages/1.png".to_owned(),
        ] {
            assert_eq!(kim.get(&path).await.status(), 404, "{path}");
        }
    }

    async fn the_inline_route_never_serves_a_pdf_and_images_keep_their_sandbox(app) {
        let pdf = uploaded(&app, "hr.pdf", small_pdf()).await;
        let image = uploaded(&app, "passport.png", png()).await;
        let mut kim = app.signed_in(KIM, StaffRole::Staff).await;

        let inline = kim.get(&format!("/admin/documents/{pdf}/inline")).await;
        assert_eq!(inline.status(), 404);
        assert!(header(&inline, "content-type").starts_with("text/html"), "{}", header(&inline, "content-type"));
        assert!(!header(&inline, "content-disposition").starts_with("inline"));
        assert!(!inline.bytes().await.unwrap().starts_with(b"%PDF"));

        let inline = kim.get(&format!("/admin/documents/{image}/inline")).await;
        assert_eq!(inline.status(), 200);
        assert_eq!(header(&inline, "content-type"), "image/png");
        assert!(header(&inline, "content-disposition").starts_with("inline"));
        assert_eq!(header(&inline, "x-content-type-options"), "nosniff");
        assert_eq!(header(&inline, "content-security-policy"), SANDBOX);
        assert_eq!(inline.bytes().await.unwrap().to_vec(), png());
        let page = kim.page(&format!("/admin/documents/{image}/preview")).await;
        assert!(page.contains(&format!("<img class=\"preview\" src=\"/admin/documents/{image}/inline\"")), "{page}");
    }

    async fn the_staff_pages_frame_nothing(app) {
        let kim = app.signed_in(KIM, StaffRole::Staff).await;
        let page = kim.get("/admin/buyers").await;
        let policy = header(&page, "content-security-policy");
        assert!(policy.contains("frame-src 'none'") && policy.contains("default-src 'none'"), "{policy}");
    }

    async fn page_images_are_behind_the_login_like_the_other_document_routes(app) {
        let id = uploaded(&app, "hr.pdf", pdf_with_pages(1)).await;
        let signed_out = app.staff_browser();
        for path in ["pages/1.png", "preview", "inline", "file"] {
            let response = signed_out.get(&format!("/admin/documents/{id}/{path}")).await;
            assert_eq!(response.status(), 303, "{path}");
            assert!(location(&response).starts_with("/admin/login"), "{path}: {}", location(&response));
        }
    }
}

/// Runs `$body` once on SQLite and once on PostgreSQL with `$backend` naming the database,
/// for tests that start the portal with settings or options of their own.
macro_rules! on_both_backends_with {
    ($(async fn $name:ident($backend:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($backend: Backend) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(Backend::Postgres).await
            }
        }
    )*};
}

on_both_backends_with! {
    async fn without_pdftoppm_the_preview_says_so_in_the_staffs_language_and_offers_the_download(backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.pdftoppm = Some("/nonexistent/pdftoppm".into())).await else {
            return;
        };
        let id = uploaded(&app, "hr.pdf", pdf_with_pages(2)).await;
        let mut kim = app.signed_in(KIM, StaffRole::Staff).await;

        let page = kim.page(&format!("/admin/documents/{id}/preview")).await;
        assert!(page.contains("This server cannot show previews of PDF files. Download the file to view it."), "{page}");
        assert!(page.contains(&format!("<a href=\"/admin/documents/{id}/file\">Download hr.pdf</a>")), "{page}");
        assert!(!page.contains("pages/1.png"));
        assert_nothing_framed(&page, &id);
        assert_eq!(kim.get(&format!("/admin/documents/{id}/pages/1.png")).await.status(), 404);
        let download = kim.get(&format!("/admin/documents/{id}/file")).await;
        assert!(header(&download, "content-disposition").starts_with("attachment"));

        kim.post("/admin/language", &[("lang", "de"), ("back", "/admin/buyers")]).await;
        let page = kim.page(&format!("/admin/documents/{id}/preview")).await;
        assert!(page.contains("Dieser Server kann keine Vorschau von PDF-Dateien anzeigen. Laden Sie die Datei herunter, um sie anzusehen."), "{page}");
        assert!(page.contains(&format!("<a href=\"/admin/documents/{id}/file\">hr.pdf herunterladen</a>")), "{page}");
    }

    async fn a_render_that_runs_out_of_time_is_killed_and_the_page_offers_the_download(backend) {
        let tools = tempfile::tempdir().unwrap();
        let pdftoppm = hanging_poppler(tools.path());
        let Some(app) = TestApp::spawn_with_options(
            backend,
            |s| s.pdftoppm = Some(pdftoppm),
            |o| o.previews.time_limit = Duration::from_secs(1),
        )
        .await else {
            return;
        };
        let id = uploaded(&app, "hr.pdf", pdf_with_pages(2)).await;
        let mut kim = app.signed_in(KIM, StaffRole::Staff).await;

        let page = kim.page(&format!("/admin/documents/{id}/preview")).await;
        assert!(page.contains("No preview could be made of this PDF. Download the file to view it."), "{page}");
        assert!(page.contains(&format!("href=\"/admin/documents/{id}/file\"")));
        assert!(!page.contains("pages/1.png"));
        let pid = std::fs::read_to_string(tools.path().join("pid")).unwrap();
        let pid = pid.trim();
        for _ in 0..100 {
            if has_ended(pid) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(has_ended(pid), "pdftoppm (process {pid}) was killed");
    }

    async fn while_every_render_slot_is_busy_the_page_says_so_and_page_images_answer_503(backend) {
        let tools = tempfile::tempdir().unwrap();
        let pdftoppm = hanging_poppler(tools.path());
        let Some(app) = TestApp::spawn_with_options(
            backend,
            |s| s.pdftoppm = Some(pdftoppm),
            |o| {
                o.previews.slots = 1;
                o.previews.time_limit = Duration::from_secs(5);
                o.previews.wait_for_slot = Duration::from_millis(200);
            },
        )
        .await else {
            return;
        };
        let hanging = uploaded(&app, "hangs.pdf", pdf_with_pages(2)).await;
        let waiting = uploaded(&app, "waits.pdf", pdf_with_pages(3)).await;
        let mut kim = app.signed_in(KIM, StaffRole::Staff).await;
        let other = app.signed_in("lea@marketplace.example", StaffRole::Staff).await;
        let first = tokio::spawn(async move {
            other.get(&format!("/admin/documents/{hanging}/preview")).await.status()
        });
        for _ in 0..100 {
            if tools.path().join("pid").exists() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(tools.path().join("pid").exists(), "the first render started");

        let page = kim.page(&format!("/admin/documents/{waiting}/preview")).await;
        assert!(page.contains("The server is busy making other previews. Reload the page in a moment, or download the file."), "{page}");
        assert!(page.contains(&format!("href=\"/admin/documents/{waiting}/file\"")));
        let image = kim.get(&format!("/admin/documents/{waiting}/pages/1.png")).await;
        assert_eq!(image.status(), 503);
        assert_eq!(header(&image, "retry-after"), "5");
        assert_eq!(first.await.unwrap(), 200);
    }
}
