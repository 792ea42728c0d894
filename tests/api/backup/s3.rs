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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_onto_a_bucket_that_lost_an_object_of_the_backup_fails_and_names_it() {
    let Some(bucket) = fresh_bucket().await else {
        return;
    };
    let url = format!("s3://{bucket}");
    let mut install = Install::new(Backend::Sqlite).await.unwrap();
    install.env.push(("KYC_PORTAL_STORAGE_URL", url.clone()));
    let token = install.api_token().await;
    let server = install.serve();
    let documents = server.buyer_documents_url(&token).await;
    let uploads = UploadStream::start(&documents, &token, 1);
    uploads
        .wait_for(2, Instant::now() - std::time::Duration::from_secs(60))
        .await;
    uploads.stop().await;
    drop(server);
    let (_parent, backup) = backup_folder();
    let taken = install
        .run(&["backup", "--to", backup.to_str().unwrap()])
        .await;
    assert!(taken.status.success(), "{}", stderr(&taken));
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap();
    let lost = manifest["store"]["objects"][0]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let settings = kyc_portal::Settings {
        storage_url: Some(url),
        ..kyc_portal::Settings::for_data_dir("sqlite::memory:", install.data_dir())
    };
    kyc_portal::storage::BlobStore::attach(&settings)
        .unwrap()
        .delete(&kyc_portal::storage::BlobKey::from_stored(lost.clone()))
        .await
        .unwrap();

    let restored = install.elsewhere(Backend::Sqlite).await.unwrap();
    let restore = restored
        .run(&["restore", "--from", backup.to_str().unwrap()])
        .await;
    assert_eq!(restore.status.code(), Some(1), "{}", stdout(&restore));
    let said = stderr(&restore);
    assert!(
        said.contains(&format!("object {lost} of a document row is not in s3://")),
        "{said}"
    );
}
