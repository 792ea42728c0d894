//! A document type's template is backed up and restored with the documents.

use kyc_portal::audit::Actor;
use kyc_portal::documents::{DocumentType, Intake};
use kyc_portal::organisation::template;
use kyc_portal::storage::BlobStore;

use super::*;
use crate::fixtures::small_pdf;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_is_in_the_backup_and_restored_elsewhere() {
    let install = Install::new(Backend::Sqlite).await.unwrap();
    install.api_token().await;
    let db = kyc_portal::db::Db::connect(&install.database_url)
        .await
        .unwrap();
    let blobs = BlobStore::local(install.data_dir().join("documents"));
    std::fs::create_dir_all(blobs.staging_dir()).unwrap();
    let mut intake = Intake::begin(blobs.staging_dir(), 1024 * 1024)
        .await
        .unwrap();
    intake.write(&small_pdf()).await.unwrap();
    let staged = intake.finish(Some("form.pdf")).await.unwrap();
    kyc_portal::write::apply(&db, Actor::System, async |tx| {
        template::replace(tx, &blobs, DocumentType::AmlDeclaration, staged).await
    })
    .await
    .unwrap();
    let key = template::blob_keys(&db).await.unwrap().remove(0);
    db.close().await;

    let (_parent, backup) = backup_folder();
    let taken = install
        .run(&["backup", "--to", backup.to_str().unwrap()])
        .await;
    assert!(taken.status.success(), "{}", stderr(&taken));
    let verified = install
        .run(&["verify-backup", backup.to_str().unwrap()])
        .await;
    assert!(verified.status.success(), "{}", stderr(&verified));
    let target = install.elsewhere(Backend::Sqlite).await.unwrap();
    let restored = target
        .run(&["restore", "--from", backup.to_str().unwrap()])
        .await;
    assert!(restored.status.success(), "{}", stderr(&restored));
    let copy = target.data_dir().join("documents").join(&key);
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        small_pdf(),
        "{}",
        copy.display()
    );
}
