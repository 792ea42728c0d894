//! An erasure round killed (SIGKILL) while it deletes files resumes on the next start and
//! completes, and at no moment does a row point at deleted bytes or a buyer stand half erased.

use std::path::{Path, PathBuf};
use std::process::Child;

use serde_json::json;
use sqlx::Row;

use crate::documents::{documents_path, form};
use crate::helpers::*;
use crate::on_both_backends;

const BUYERS: usize = 36;
const DOCUMENTS: usize = 4;

/// The database URL of `app`, for a process of its own.
async fn database_url(app: &TestApp) -> String {
    if app.db.backend() == kyc_portal::db::Backend::Sqlite {
        return format!("sqlite://{}/kyc-portal.db", app.dir.path().display());
    }
    let name: String = sqlx::query_scalar("SELECT CAST(current_database() AS TEXT)")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let admin = std::env::var("KYC_TEST_POSTGRES_URL").unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// `kyc-portal retention run --at <six years on>` against the app's database and folder.
fn retention_run(app: &TestApp, url: &str) -> std::process::Command {
    let at = (chrono::Utc::now() + chrono::Duration::days(6 * 365)).to_rfc3339();
    let mut command = crate::cli::portal();
    command
        .args(["retention", "run", "--at", &at])
        .env("DATABASE_URL", url)
        .env("KYC_PORTAL_DATA_DIR", app.dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    command
}

/// Buyers ended today, each with several documents; their ids and their files in the store.
async fn ended_buyers(app: &TestApp) -> (Vec<String>, Vec<PathBuf>) {
    let root = app.dir.path().join("documents");
    let mut ids = Vec::new();
    for n in 0..BUYERS {
        // A seller each: the VAT number is unique per seller.
        let seller = app.create_seller().await;
        let mut body = reference_buyer();
        body["companyName"] = json!(format!("Abbruch {n} GmbH"));
        let buyer = body_json(app.post_json(&buyers_path(&seller), &body).await).await;
        for d in 0..DOCUMENTS {
            let bytes = crate::fixtures::pdf_with(&format!("Abbruch {n} {d}"), "", 0);
            let uploaded = app
                .upload(
                    &documents_path(&seller, &buyer),
                    form("COC_EXTRACT", "2026-01-15", &format!("a{d}.pdf"), bytes),
                )
                .await;
            assert_eq!(uploaded.status(), 201);
        }
        let path = format!("{}/end", buyer_path(&seller, &buyer));
        let ended = app
            .post_json(&path, &json!({"reason": "Vertrag beendet"}))
            .await;
        assert_eq!(ended.status(), 200);
        ids.push(buyer["uuid"].as_str().unwrap().to_owned());
    }
    let keys: Vec<String> = sqlx::query_scalar("SELECT blob_key FROM documents")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert_eq!(keys.len(), BUYERS * DOCUMENTS);
    let files: Vec<PathBuf> = keys.iter().map(|k| root.join(k)).collect();
    assert!(files.iter().all(|f| f.exists()));
    (ids, files)
}

fn present(files: &[PathBuf]) -> usize {
    files.iter().filter(|f| f.exists()).count()
}

/// Kills `child` as soon as fewer than `before` of `files` are left, or lets it end; whether
/// it was killed.
async fn kill_at_first_deletion(mut child: Child, files: Vec<PathBuf>, before: usize) -> bool {
    tokio::task::spawn_blocking(move || {
        loop {
            if present(&files) < before {
                let killed = child.try_wait().unwrap().is_none();
                let _ = child.kill();
                child.wait().unwrap();
                return killed;
            }
            if child.try_wait().unwrap().is_some() {
                return false;
            }
        }
    })
    .await
    .unwrap()
}

/// Every document row that names a file has it, and every buyer is either erased whole (no
/// name, every document pointing at no file, one tombstone) or untouched.
async fn check_nothing_dangles(app: &TestApp, root: &Path, ids: &[String]) -> usize {
    let rows = sqlx::query("SELECT buyer_id, blob_key FROM documents")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    for row in &rows {
        let key: String = row.get("blob_key");
        if !key.starts_with("erased/") {
            assert!(
                root.join(&key).exists(),
                "document row points at deleted bytes {key}"
            );
        }
    }
    let mut erased = 0;
    for id in ids {
        let buyer = kyc_portal::buyers::get_by_id(&app.db, id).await.unwrap();
        let keys: Vec<String> = rows
            .iter()
            .filter(|r| r.get::<String, _>("buyer_id") == *id)
            .map(|r| r.get("blob_key"))
            .collect();
        let tombstones: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE entity_id = $1 AND action = 'erased'",
        )
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        if buyer.erased_at.is_some() {
            erased += 1;
            assert_eq!(buyer.company_name, "", "{id}");
            assert!(
                keys.iter().all(|k| k.starts_with("erased/")),
                "{id}: {keys:?}"
            );
            assert_eq!(tombstones, 1, "{id}");
        } else {
            assert!(buyer.company_name.starts_with("Abbruch"), "{id}");
            assert!(
                !keys.iter().any(|k| k.starts_with("erased/")),
                "{id}: {keys:?}"
            );
            assert_eq!(tombstones, 0, "{id}");
        }
    }
    erased
}

on_both_backends! {
    async fn an_erasure_killed_while_deleting_files_resumes_and_completes_on_the_next_run(app) {
        let root = app.dir.path().join("documents");
        let (ids, files) = ended_buyers(&app).await;
        let url = database_url(&app).await;

        let mut interrupted = 0;
        for _ in 0..4 {
            let before = present(&files);
            if before == 0 {
                break;
            }
            let child = retention_run(&app, &url)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            let killed = kill_at_first_deletion(child, files.clone(), before).await;
            let erased = check_nothing_dangles(&app, &root, &ids).await;
            if killed && erased < BUYERS {
                interrupted += 1;
            }
        }
        assert!(interrupted > 0, "a round was killed before it erased every buyer");

        let output = retention_run(&app, &url).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(check_nothing_dangles(&app, &root, &ids).await, BUYERS);
        let left: Vec<&PathBuf> = files.iter().filter(|f| f.exists()).collect();
        assert!(left.is_empty(), "files of erased buyers are left: {left:?}");
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM erasure_pending_files")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(pending, 0);
    }
}
