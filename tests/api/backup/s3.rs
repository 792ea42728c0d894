//! SQLite with the documents in an S3 bucket: the backup copies the database and keys and
//! lists the bucket; the objects stay there, kept by its versioning.

use std::time::Instant;

use super::*;
use crate::storage_s3::fresh_bucket;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_of_an_s3_store_lists_the_objects_and_restores_onto_the_bucket() {
    let Some(bucket) = fresh_bucket().await else {
        return;
    };
    let mut install = Install::new(Backend::Sqlite).await.unwrap();
    install
        .env
        .push(("KYC_PORTAL_STORAGE_URL", format!("s3://{bucket}")));
    let token = install.api_token().await;
    let server = install.serve();
    let documents = server.buyer_documents_url(&token).await;
    let uploads = UploadStream::start(&documents, &token, 2);
    uploads
        .wait_for(4, Instant::now() - std::time::Duration::from_secs(60))
        .await;

    let (_parent, backup) = backup_folder();
    let began = Instant::now();
    let taken = install
        .run(&["backup", "--to", backup.to_str().unwrap()])
        .await;
    let ended = Instant::now();
    uploads.wait_for(2, ended).await;
    let acked = uploads.stop().await;
    drop(server);

    assert!(taken.status.success(), "{}", stderr(&taken));
    let said = stdout(&taken);
    assert!(
        said.contains("are NOT copied") && said.contains("versioning"),
        "{said}"
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap();
    let objects = manifest["store"]["objects"].as_array().unwrap();
    assert!(objects.len() as u64 >= manifest["database"]["documents"].as_u64().unwrap());
    assert!(
        objects
            .iter()
            .all(|o| o["etag"].is_string() && o["size"].as_u64() > Some(0))
    );
    assert!(!backup.join("documents").exists(), "no object is copied");

    let verified = install
        .run(&["verify-backup", backup.to_str().unwrap()])
        .await;
    assert!(verified.status.success(), "{}", stderr(&verified));

    let restored = install.elsewhere(Backend::Sqlite).await.unwrap();
    let restore = restored
        .run(&["restore", "--from", backup.to_str().unwrap()])
        .await;
    assert!(restore.status.success(), "{}", stderr(&restore));
    assert!(
        stdout(&restore).contains("has its object in s3://"),
        "{}",
        stdout(&restore)
    );
    let server = restored.serve();
    assert_restored_as_acknowledged(&restored, &server, &token, &acked, began, ended).await;
}
