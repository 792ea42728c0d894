//! A document type's template: a PDF (typed by its bytes) the buyer downloads, fills in and
//! uploads. Its bytes live in the blob store, as documents' do; the settings document names
//! it, so replacing or removing one is a change of the settings with its audit entry.

use super::guidance::{TemplateFile, check_template};
use super::{load_in, replace as record_settings};
use crate::db::{Db, now};
use crate::documents::inspect::FileKind;
use crate::documents::store::BlobRecord;
use crate::documents::{DocumentType, StagedFile};
use crate::errors::Error;
use crate::storage::{BlobKey, BlobStore, BlobStream};
use crate::write::WriteTx;

/// Keeps `staged` as the template of `document_type`; 422 on `template` for anything but a
/// PDF, 413 over [`super::guidance::MAX_TEMPLATE_BYTES`]. Returns the key of the template it
/// replaced, for the caller to delete once this has committed (the orphan sweep removes it
/// otherwise).
pub async fn replace(
    tx: &mut WriteTx,
    blobs: &BlobStore,
    document_type: DocumentType,
    staged: StagedFile,
) -> Result<Option<BlobKey>, Error> {
    check_template(staged.kind == FileKind::Pdf, staged.size)?;
    let key = BlobKey::for_document(&uuid::Uuid::now_v7());
    blobs
        .store(&key, &staged.path)
        .await
        .map_err(|e| e.into_error("storing a template"))?;
    let template = TemplateFile {
        blob_key: key.as_str().to_owned(),
        file_name: staged.file_name.as_str().to_owned(),
        size_bytes: staged.size,
        sha256: staged.sha256.clone(),
        uploaded_at: now().millis(),
    };
    match set(tx, document_type, Some(template), "template-replaced").await {
        Ok(old) => Ok(old),
        Err(e) => {
            if let Err(cleanup) = blobs.delete(&key).await {
                tracing::warn!(error = %cleanup, "could not remove the blob of a refused template; the sweep will");
            }
            Err(e)
        }
    }
}

/// Removes the template of `document_type`; returns its key for the caller to delete once this
/// has committed.
pub async fn remove(
    tx: &mut WriteTx,
    document_type: DocumentType,
) -> Result<Option<BlobKey>, Error> {
    set(tx, document_type, None, "template-removed").await
}

async fn set(
    tx: &mut WriteTx,
    document_type: DocumentType,
    template: Option<TemplateFile>,
    action: &str,
) -> Result<Option<BlobKey>, Error> {
    let before = load_in(&mut *tx.conn().await?).await?;
    let mut after = before.clone();
    let entry = after.document_guidance.entry(document_type).or_default();
    let old = std::mem::replace(&mut entry.template, template);
    after.document_guidance.retain(|_, g| !g.is_empty());
    record_settings(tx, action, &before, &after).await?;
    Ok(old.map(|t| t.key()))
}

/// Deletes the blob of a template that was replaced or removed, after the change committed; a
/// failure is left to the orphan sweep.
pub async fn discard(blobs: &BlobStore, old: Option<BlobKey>) {
    if let Some(key) = old
        && let Err(e) = blobs.delete(&key).await
    {
        tracing::warn!(error = %e, "could not remove a replaced template; the sweep will");
    }
}

/// The template of `document_type` and a stream of its bytes; 404 when it has none.
pub async fn open(
    db: &Db,
    blobs: &BlobStore,
    document_type: DocumentType,
) -> Result<(TemplateFile, BlobStream), Error> {
    let settings = super::load(db).await?;
    let template = settings
        .document_guidance
        .get(&document_type)
        .and_then(|g| g.template.clone())
        .ok_or(Error::NotFound("template"))?;
    let stream = blobs
        .read(&template.key())
        .await
        .map_err(|e| e.into_error("reading a template"))?;
    Ok((template, stream))
}

/// Every template's blob with its hash and size, read through `conn` (backups copy and check
/// these along with the documents').
pub async fn blob_records<'e>(conn: impl sqlx::AnyExecutor<'e>) -> Result<Vec<BlobRecord>, Error> {
    Ok(load_in(conn)
        .await?
        .document_guidance
        .into_values()
        .filter_map(|g| g.template)
        .map(|t| BlobRecord {
            key: t.key(),
            sha256: t.sha256,
            size: i64::try_from(t.size_bytes).unwrap_or(i64::MAX),
        })
        .collect())
}

/// The blob keys of every template, which the orphan sweep must keep.
pub async fn blob_keys(db: &Db) -> Result<Vec<String>, Error> {
    Ok(super::load(db)
        .await?
        .document_guidance
        .into_values()
        .filter_map(|g| g.template.map(|t| t.blob_key))
        .collect())
}
