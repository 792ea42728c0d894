//! A backup that was changed after it was taken fails its verification, and is not restored.

use std::time::Instant;

use super::*;

/// A finished backup of an installation with a few documents, and that installation.
async fn backup_with_documents() -> (Install, TempDir, PathBuf) {
    let install = Install::new(Backend::Sqlite).await.unwrap();
    let token = install.api_token().await;
    let server = install.serve();
    let documents = server.buyer_documents_url(&token).await;
    let uploads = UploadStream::start(&documents, &token, 1);
    uploads
        .wait_for(3, Instant::now() - std::time::Duration::from_secs(60))
        .await;
    uploads.stop().await;
    drop(server);
    let (parent, backup) = backup_folder();
    let taken = install
        .run(&["backup", "--to", backup.to_str().unwrap()])
        .await;
    assert!(taken.status.success(), "{}", stderr(&taken));
    let verified = install
        .run(&["verify-backup", backup.to_str().unwrap()])
        .await;
    assert!(verified.status.success(), "{}", stderr(&verified));
    (install, parent, backup)
}

/// The path of the first blob in the backup's manifest, and its key.
fn first_blob(backup: &Path) -> (PathBuf, String) {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap();
    let key = manifest["store"]["blobs"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    (backup.join("documents").join(&key), key)
}

#[tokio::test]
async fn verify_backup_fails_on_a_changed_blob_and_restore_refuses_it() {
    let (install, _parent, backup) = backup_with_documents().await;
    let (path, key) = first_blob(&backup);
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();

    let verified = install
        .run(&["verify-backup", backup.to_str().unwrap()])
        .await;
    assert_eq!(verified.status.code(), Some(1));
    let said = stderr(&verified);
    assert!(
        said.contains(&format!("blob {key}")) && said.contains("was changed"),
        "{said}"
    );

    let target = install.elsewhere(Backend::Sqlite).await.unwrap();
    let restore = target
        .run(&["restore", "--from", backup.to_str().unwrap()])
        .await;
    assert!(!restore.status.success());
    assert!(
        stderr(&restore).contains("does not verify"),
        "{}",
        stderr(&restore)
    );
    assert!(!target.data_dir().join("kyc-portal.db").exists());
}

#[tokio::test]
async fn verify_backup_fails_on_a_missing_blob() {
    let (install, _parent, backup) = backup_with_documents().await;
    let (path, key) = first_blob(&backup);
    std::fs::remove_file(&path).unwrap();

    let verified = install
        .run(&["verify-backup", backup.to_str().unwrap()])
        .await;
    assert_eq!(verified.status.code(), Some(1));
    let said = stderr(&verified);
    assert!(said.contains(&format!("blob {key} is missing")), "{said}");
}

#[tokio::test]
async fn verify_backup_fails_on_a_database_whose_rows_name_a_blob_the_backup_lacks() {
    let (install, _parent, backup) = backup_with_documents().await;
    let (path, key) = first_blob(&backup);
    // Drop the blob from the manifest as well, so only the rows still name it.
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap();
    let blobs = manifest["store"]["blobs"].as_array_mut().unwrap();
    blobs.retain(|b| b["key"] != key.as_str());
    std::fs::write(
        backup.join("manifest.json"),
        serde_json::to_vec(&manifest).unwrap(),
    )
    .unwrap();
    std::fs::remove_file(&path).unwrap();

    let verified = install
        .run(&["verify-backup", backup.to_str().unwrap()])
        .await;
    assert_eq!(verified.status.code(), Some(1));
    let said = stderr(&verified);
    assert!(
        said.contains(&format!("document row's blob {key} is not in the backup")),
        "{said}"
    );
}

#[tokio::test]
async fn a_folder_without_a_manifest_is_no_finished_backup() {
    let (install, _parent, backup) = backup_with_documents().await;
    std::fs::remove_file(backup.join("manifest.json")).unwrap();

    let verified = install
        .run(&["verify-backup", backup.to_str().unwrap()])
        .await;
    assert!(!verified.status.success());
    assert!(
        stderr(&verified).contains("did not finish"),
        "{}",
        stderr(&verified)
    );
}
