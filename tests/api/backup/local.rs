//! SQLite and the local folder: the embedded default.

use std::time::Instant;

use serde_json::Value;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_during_uploads_restores_elsewhere_with_every_acknowledged_document() {
    let install = Install::new(Backend::Sqlite).await.unwrap();
    let token = install.api_token().await;
    let server = install.serve();
    let documents = server.buyer_documents_url(&token).await;
    let uploads = UploadStream::start(&documents, &token, 3);
    uploads
        .wait_for(6, Instant::now() - std::time::Duration::from_secs(60))
        .await;

    let (_parent, backup) = backup_folder();
    let began = Instant::now();
    let taken = install
        .run(&["backup", "--to", backup.to_str().unwrap()])
        .await;
    let ended = Instant::now();
    uploads.wait_for(3, ended).await;
    let acked = uploads.stop().await;
    drop(server);

    assert!(taken.status.success(), "{}", stderr(&taken));
    let said = stdout(&taken);
    assert!(said.contains("database: SQLite copied"), "{said}");
    assert!(said.contains("key secret.key: copied"), "{said}");
    assert_eq!(mode(&backup), 0o700);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap();
    let listed = manifest["store"]["blobs"].as_array().unwrap();
    assert_eq!(manifest["database"]["documents"], listed.len());
    for blob in listed {
        assert_eq!(blob["sha256"].as_str().unwrap().len(), 64);
        assert!(blob["size"].as_u64().unwrap() > 0);
    }

    let verified = install
        .run(&["verify-backup", backup.to_str().unwrap()])
        .await;
    assert!(verified.status.success(), "{}", stderr(&verified));
    assert!(
        stdout(&verified).contains("is good"),
        "{}",
        stdout(&verified)
    );

    let restored = install.elsewhere(Backend::Sqlite).await.unwrap();
    // As the README has it: the new machine is checked first, which leaves empty folders.
    let checked = restored.run(&["check-config"]).await;
    assert!(checked.status.success(), "{}", stdout(&checked));
    let restore = restored
        .run(&["restore", "--from", backup.to_str().unwrap()])
        .await;
    assert!(restore.status.success(), "{}", stderr(&restore));
    assert_eq!(mode(restored.data_dir()), 0o700);
    assert_eq!(mode(&restored.data_dir().join("secret.key")), 0o600);
    assert_eq!(mode(&restored.data_dir().join("kyc-portal.db")), 0o600);
    assert_eq!(
        std::fs::read(restored.data_dir().join("secret.key")).unwrap(),
        std::fs::read(install.data_dir().join("secret.key")).unwrap()
    );

    let server = restored.serve();
    assert_eq!(restored.document_ids().await.len(), listed.len());
    assert_restored_as_acknowledged(&restored, &server, &token, &acked, began, ended).await;
}

#[tokio::test]
async fn restore_refuses_a_data_folder_that_is_not_empty() {
    let install = Install::new(Backend::Sqlite).await.unwrap();
    install.api_token().await;
    let (_parent, backup) = backup_folder();
    let taken = install
        .run(&["backup", "--to", backup.to_str().unwrap()])
        .await;
    assert!(taken.status.success(), "{}", stderr(&taken));

    let target = install.elsewhere(Backend::Sqlite).await.unwrap();
    std::fs::write(target.data_dir().join("notes.txt"), "mine").unwrap();
    let refused = target
        .run(&["restore", "--from", backup.to_str().unwrap()])
        .await;
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("holds files"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        std::fs::read_to_string(target.data_dir().join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(!target.data_dir().join("kyc-portal.db").exists());

    let again = install
        .run(&["backup", "--to", backup.to_str().unwrap()])
        .await;
    assert!(!again.status.success(), "a backup never overwrites another");
}
