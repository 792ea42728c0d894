//! PostgreSQL with the local folder: `pg_dump` into the backup folder first (as the README
//! says), then `kyc-portal backup` copies the keys and the blobs that cover the dump's rows.

use std::time::Instant;

use super::*;

/// `pg_dump`/`pg_restore` of the installed PostgreSQL, or None when they are missing here.
fn postgres_tools() -> bool {
    tool_available(
        "pg_dump",
        &["pg_dump", "--version"],
        "apt-get install postgresql-client",
    ) && tool_available(
        "pg_restore",
        &["pg_restore", "--version"],
        "apt-get install postgresql-client",
    )
}

async fn run_tool(program: &str, args: &[&str]) {
    let mut command = Command::new(program);
    command.args(args);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert!(output.status.success(), "{program}: {}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pg_dump_then_a_backup_during_uploads_restores_elsewhere_with_every_acknowledged_document()
 {
    let Some(install) = Install::new(Backend::Postgres).await else {
        return;
    };
    if !postgres_tools() {
        return;
    }
    let token = install.api_token().await;
    let server = install.serve();
    let documents = server.buyer_documents_url(&token).await;
    let uploads = UploadStream::start(&documents, &token, 3);
    uploads
        .wait_for(6, Instant::now() - std::time::Duration::from_secs(60))
        .await;

    let (_parent, backup) = backup_folder();
    std::fs::create_dir(&backup).unwrap();
    let dump = backup.join("kyc-portal.pgdump");
    let began = Instant::now();
    run_tool(
        "pg_dump",
        &[
            "--format=custom",
            &format!("--file={}", dump.display()),
            &install.database_url,
        ],
    )
    .await;
    let dumped = Instant::now();
    uploads.wait_for(2, dumped).await;
    let taken = install
        .run(&["backup", "--to", backup.to_str().unwrap()])
        .await;
    let ended = Instant::now();
    uploads.wait_for(2, ended).await;
    let acked = uploads.stop().await;
    drop(server);

    assert!(taken.status.success(), "{}", stderr(&taken));
    assert!(
        stdout(&taken).contains("PostgreSQL dump kyc-portal.pgdump"),
        "{}",
        stdout(&taken)
    );
    let verified = install
        .run(&["verify-backup", backup.to_str().unwrap()])
        .await;
    assert!(verified.status.success(), "{}", stderr(&verified));
    assert!(
        stdout(&verified).contains("PostgreSQL dump"),
        "{}",
        stdout(&verified)
    );

    let restored = install.elsewhere(Backend::Postgres).await.unwrap();
    run_tool(
        "pg_restore",
        &[
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            &format!("--dbname={}", restored.database_url),
            dump.to_str().unwrap(),
        ],
    )
    .await;
    let restore = restored
        .run(&["restore", "--from", backup.to_str().unwrap()])
        .await;
    assert!(restore.status.success(), "{}", stderr(&restore));
    assert!(
        stdout(&restore).contains("each of its"),
        "the restored rows were checked against the blobs: {}",
        stdout(&restore)
    );

    let server = restored.serve();
    // The dump is the database: what was sent after it finished is not in it.
    assert_restored_as_acknowledged(&restored, &server, &token, &acked, began, dumped).await;
    // The blobs copied after the dump cover its rows; later uploads' blobs are there too,
    // as orphans the sweep removes.
    let copied = std::fs::read_dir(backup.join("documents"))
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .count();
    assert!(copied >= restored.document_ids().await.len());
}
