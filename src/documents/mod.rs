//! KYC documents: append-only versions per buyer and type, bytes in the blob store.

pub mod inspect;
mod intake;
mod model;
mod preview;
mod store;

use std::time::Duration;

use serde_json::json;
use sqlx::AnyConnection;

pub use intake::{Intake, IntakeError, StagedFile};
pub use model::{Document, DocumentDate, DocumentSource, DocumentStatus, DocumentType, FileName};
pub use preview::{for_preview, is_inline_image, is_pdf, open_image};

use crate::audit::{self, Actor, AuditEntry, Change};
use crate::buyers;
use crate::db::{Db, now};
use crate::error::AppError;
use crate::events::{self, EventType};
use crate::kyc;
use crate::pagination::{Cursor, Page};
use crate::storage::{BlobKey, BlobStore, BlobStream};

/// An upload that passed every check, ready to be kept.
pub struct NewDocument {
    /// Its type.
    pub document_type: DocumentType,
    /// Its date.
    pub document_date: DocumentDate,
    /// The received file.
    pub staged: StagedFile,
    /// API or invitation.
    pub source: DocumentSource,
    /// The invitation it came through.
    pub invitation_id: Option<String>,
}

/// Keeps a new document version. The blob is durable before the row that points to it
/// commits; the row, its audit entry and its event commit together. A failure in between
/// leaves at most an orphan blob, which `sweep_orphans` removes.
pub async fn upload(
    db: &Db,
    blobs: &BlobStore,
    actor: &Actor,
    buyer_id: &str,
    new: NewDocument,
) -> Result<Document, AppError> {
    let id = uuid::Uuid::now_v7();
    let key = BlobKey::for_document(&id);
    blobs
        .store(&key, &new.staged.path)
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("storing a document")))?;
    match record(db, actor, buyer_id, id, &key, new).await {
        Ok(document) => Ok(document),
        Err(e) => {
            if let Err(cleanup) = blobs.delete(&key).await {
                tracing::warn!(error = %cleanup, "could not remove the blob of a refused upload; the sweep will");
            }
            Err(e)
        }
    }
}

async fn record(
    db: &Db,
    actor: &Actor,
    buyer_id: &str,
    id: uuid::Uuid,
    key: &BlobKey,
    new: NewDocument,
) -> Result<Document, AppError> {
    let mut tx = db.begin_write().await?;
    buyers::ensure_active_in(&mut tx, db, buyer_id).await?;
    let version = store::next_version(&mut tx, buyer_id, new.document_type).await?;
    let document = Document {
        uuid: id.to_string(),
        buyer_id: buyer_id.to_owned(),
        document_type: new.document_type,
        document_date: new.document_date,
        status: DocumentStatus::Active,
        version,
        file_name: new.staged.file_name.clone(),
        content_type: new.staged.kind.content_type().to_owned(),
        size_bytes: i64::try_from(new.staged.size).unwrap_or(i64::MAX),
        sha256: new.staged.sha256.clone(),
        source: new.source,
        invitation_id: new.invitation_id,
        created_at: now(),
        archived_at: None,
    };
    store::insert(&mut tx, &document, key).await?;
    audit::record(
        &mut tx,
        Change {
            entity_type: "document",
            entity_id: &document.uuid,
            action: "uploaded",
            actor,
            before: None,
            after: serde_json::to_value(&document).ok(),
        },
    )
    .await?;
    events::record(
        &mut tx,
        EventType::DocumentUploaded,
        json!({
            "buyerId": document.buyer_id,
            "documentId": document.uuid,
            "type": document.document_type,
            "version": document.version,
            "source": document.source,
        }),
    )
    .await?;
    kyc::status::refresh(&mut tx, db, buyer_id).await?;
    tx.commit().await?;
    Ok(document)
}

/// One document; 404 when unknown.
pub async fn get(db: &Db, id: &str) -> Result<Document, AppError> {
    Ok(store::find(db.pool(), id)
        .await?
        .ok_or(AppError::NotFound("document"))?
        .document)
}

/// A document and a stream of its bytes.
pub async fn open_content(
    db: &Db,
    blobs: &BlobStore,
    id: &str,
) -> Result<(Document, BlobStream), AppError> {
    let stored = store::find(db.pool(), id)
        .await?
        .ok_or(AppError::NotFound("document"))?;
    let stream = blobs
        .read(&stored.blob_key)
        .await
        .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("reading a document")))?;
    Ok((stored.document, stream))
}

/// A buyer's documents, every version, newest first.
pub async fn list(
    db: &Db,
    seller_id: &str,
    buyer_id: &str,
    page: &Page,
) -> Result<(Vec<Document>, Option<Cursor>), AppError> {
    buyers::get(db, seller_id, buyer_id).await?;
    let documents = store::list(db.pool(), buyer_id, page).await?;
    Ok(page.split(documents, |d| Cursor::new(d.created_at.millis(), &d.uuid)))
}

/// The documents that count for compliance: the latest ACTIVE version of each type.
pub async fn counting(db: &Db, buyer_id: &str) -> Result<Vec<Document>, AppError> {
    let mut conn = db.pool().acquire().await?;
    Ok(counting_in(&mut conn, buyer_id).await?)
}

/// [`counting`] on the caller's connection (inside a transaction, it sees the transaction's
/// own changes).
pub async fn counting_in(
    conn: &mut AnyConnection,
    buyer_id: &str,
) -> Result<Vec<Document>, sqlx::Error> {
    let active = store::active(conn, buyer_id).await?;
    let mut counting: Vec<Document> = Vec::new();
    for document in active {
        if counting
            .last()
            .is_none_or(|d| d.document_type != document.document_type)
        {
            counting.push(document);
        }
    }
    Ok(counting)
}

/// Supersedes a document: ACTIVE -> ARCHIVED; archived stays archived.
pub async fn set_status(
    db: &Db,
    actor: &Actor,
    id: &str,
    requested: DocumentStatus,
) -> Result<Document, AppError> {
    let mut tx = db.begin_write().await?;
    let current = store::find(&mut *tx, id)
        .await?
        .ok_or(AppError::NotFound("document"))?
        .document;
    match (current.status, requested) {
        (DocumentStatus::Archived, DocumentStatus::Archived) => return Ok(current),
        (DocumentStatus::Archived, DocumentStatus::Active) => {
            return Err(AppError::invalid(
                "status",
                "an archived document stays archived",
            ));
        }
        (DocumentStatus::Active, DocumentStatus::Active) => return Ok(current),
        (DocumentStatus::Active, DocumentStatus::Archived) => {}
    }
    let at = now();
    if !store::archive(&mut tx, id, at).await? {
        // Archived by a concurrent request meanwhile: report what is stored, record nothing.
        drop(tx);
        return get(db, id).await;
    }
    let archived = Document {
        status: DocumentStatus::Archived,
        archived_at: Some(at),
        ..current.clone()
    };
    audit::record(
        &mut tx,
        Change {
            entity_type: "document",
            entity_id: id,
            action: "archived",
            actor,
            before: serde_json::to_value(&current).ok(),
            after: serde_json::to_value(&archived).ok(),
        },
    )
    .await?;
    kyc::status::refresh(&mut tx, db, &archived.buyer_id).await?;
    tx.commit().await?;
    Ok(archived)
}

/// The audit history of a document, newest first.
pub async fn history(
    db: &Db,
    id: &str,
    page: &Page,
) -> Result<(Vec<AuditEntry>, Option<Cursor>), AppError> {
    get(db, id).await?;
    audit::history(db, "document", id, page).await
}

/// Removes blobs that no document points to and that are older than `grace` (an upload
/// stores its blob a moment before its row commits; the grace keeps the sweep off those).
pub async fn sweep_orphans(db: &Db, blobs: &BlobStore, grace: Duration) -> Result<usize, AppError> {
    let storage = |e| AppError::Internal(anyhow::Error::new(e).context("listing blobs"));
    let cutoff = now().plus(-chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::MAX));
    let listed = blobs.list().await.map_err(storage)?;
    let referenced: std::collections::HashSet<String> =
        store::blob_keys(db.pool()).await?.into_iter().collect();
    let mut removed = 0;
    for (key, written) in listed {
        if written <= cutoff && !referenced.contains(key.as_str()) {
            blobs.delete(&key).await.map_err(storage)?;
            tracing::info!(blob = key.as_str(), "removed an orphan blob");
            removed += 1;
        }
    }
    Ok(removed)
}
