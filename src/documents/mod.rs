//! KYC documents: append-only versions per buyer and type, bytes in the blob store.

mod combined;
pub mod content;
mod files;
pub mod inspect;
mod intake;
pub mod model;
mod preview;
pub mod progress;
pub mod review;
mod review_state;
pub(crate) mod store;

use std::time::Duration;

use serde_json::json;

pub use files::{MAX_FILES, StagedFiles};
pub use intake::{Intake, IntakeError, StagedFile};
pub use model::{
    Document, DocumentDate, DocumentFile, DocumentSource, DocumentStatus, DocumentType, ExpiryDate,
    FileName, parse_dates,
};
pub use preview::{for_preview, is_inline_image, is_pdf, open_image};
pub use review::{Decision, ReviewInput};
pub use review_state::{Proposal, ReviewReason, ReviewStatus};
pub use store::DocumentFilter;

use crate::access::SellerScope;
use crate::audit::{self, AuditEntry, Subject};
use crate::buyers;
use crate::db::{Db, now};
use crate::errors::{Error, Rule};
use crate::events::EventType;
use crate::organisation;
use crate::pagination::{Cursor, Page};
use crate::storage::{BlobKey, BlobStore, BlobStream};
use crate::write::WriteTx;

/// An upload that passed every check, ready to be kept.
pub struct NewDocument {
    /// Its type.
    pub document_type: DocumentType,
    /// Its date.
    pub document_date: DocumentDate,
    /// The last day an identity document is valid.
    pub expires_on: Option<ExpiryDate>,
    /// The received files (one, or the photos of one document).
    pub files: StagedFiles,
    /// API or invitation.
    pub source: DocumentSource,
    /// The invitation it came through.
    pub invitation_id: Option<String>,
}

/// Keeps a new document version. The blob is durable before the row that points to it
/// commits; the row, its audit entry and its event commit together. A failure in between
/// leaves at most an orphan blob, which `sweep_orphans` removes.
pub async fn upload(
    tx: &mut WriteTx,
    blobs: &BlobStore,
    buyer_id: &str,
    new: NewDocument,
) -> Result<Document, Error> {
    // A document that could not count is refused rather than stored: as the latest of its
    // type it would replace one that does. (Read outside the transaction, which has not begun:
    // it must not hold the database while the file goes to the store.)
    let settings = organisation::settings::load_in(tx.db().pool()).await?;
    let today = chrono::Utc::now().date_naive();
    // An identity document with an expiry date counts until then, whatever its age (an
    // expired one was refused as its dates were read).
    if new.expires_on.is_none()
        && let Some(max_age_days) =
            settings.too_old(new.document_type, new.document_date.date(), today)
    {
        return Err(Error::invalid(
            "documentDate",
            Rule::TooOldToCount { max_age_days },
        ));
    }
    let id = uuid::Uuid::now_v7();
    let mut keys = Vec::new();
    for (position, file) in new.files.iter().enumerate() {
        let key = BlobKey::for_document_file(&id, position);
        if let Err(e) = blobs.store(&key, &file.path).await {
            remove_blobs(blobs, &keys).await;
            return Err(e.into_error("storing a document"));
        }
        keys.push(key);
    }
    match record(tx, buyer_id, id, &keys, new).await {
        Ok(document) => Ok(document),
        Err(e) => {
            remove_blobs(blobs, &keys).await;
            Err(e)
        }
    }
}

/// Removes the blobs of an upload that was not kept (what fails here, the sweep removes).
async fn remove_blobs(blobs: &BlobStore, keys: &[BlobKey]) {
    for key in keys {
        if let Err(cleanup) = blobs.delete(key).await {
            tracing::warn!(error = %cleanup, "could not remove the blob of a refused upload; the sweep will");
        }
    }
}

async fn record(
    tx: &mut WriteTx,
    buyer_id: &str,
    id: uuid::Uuid,
    keys: &[BlobKey],
    new: NewDocument,
) -> Result<Document, Error> {
    buyers::ensure_active_in(tx, buyer_id).await?;
    let version = store::next_version(tx.conn().await?, buyer_id, new.document_type).await?;
    let files = new.files.described();
    let Some(first) = files.first().cloned() else {
        return Err(Error::invalid("file", Rule::Required));
    };
    let document = Document {
        uuid: id.to_string(),
        buyer_id: buyer_id.to_owned(),
        document_type: new.document_type,
        document_date: new.document_date,
        expires_on: new.expires_on,
        status: DocumentStatus::Active,
        version,
        file_name: first.file_name,
        content_type: first.content_type,
        size_bytes: first.size_bytes,
        sha256: first.sha256,
        files,
        source: new.source,
        invitation_id: new.invitation_id,
        created_at: now(),
        archived_at: None,
        review_status: ReviewStatus::PendingReview,
        review_reason: None,
        review_note: None,
        reviewed_by: None,
        reviewed_at: None,
        proposal: None,
    };
    store::insert(tx.conn().await?, &document, keys).await?;
    tx.record(
        Subject::Document {
            id: &document.uuid,
            buyer_id,
        },
        "uploaded",
        None,
        serde_json::to_value(&document).ok(),
    );
    tx.announce(
        EventType::DocumentUploaded,
        buyer_id,
        json!({
            "documentId": document.uuid,
            "type": document.document_type,
            "version": document.version,
            "source": document.source,
        }),
    );
    Ok(document)
}

/// One document; 404 when unknown.
pub async fn get(db: &Db, scope: &SellerScope, id: &str) -> Result<Document, Error> {
    Ok(find(db, scope, id).await?.document)
}

/// A document as stored, when it is within `scope`.
async fn find(db: &Db, scope: &SellerScope, id: &str) -> Result<store::StoredDocument, Error> {
    let stored = store::find(db.pool(), id)
        .await?
        .ok_or(Error::NotFound("document"))?;
    buyers::ensure_in_scope(db, scope, &stored.document.buyer_id, "document").await?;
    Ok(stored)
}

/// A document and a stream of its (first) file's bytes.
pub async fn open_content(
    db: &Db,
    blobs: &BlobStore,
    scope: &SellerScope,
    id: &str,
) -> Result<(Document, BlobStream), Error> {
    let stored = find(db, scope, id).await?;
    let stream = blobs
        .read(&stored.blob_key)
        .await
        .map_err(|e| e.into_error("reading a document"))?;
    Ok((stored.document, stream))
}

/// Every version of every document of a buyer with the keys of its files (in the order of its
/// `files`), by type and version (for the buyer's export).
pub async fn every_version(
    db: &Db,
    buyer_id: &str,
) -> Result<Vec<(Document, Vec<BlobKey>)>, Error> {
    Ok(store::all_of(db.pool(), buyer_id)
        .await?
        .into_iter()
        .map(|s| {
            let keys = s.blob_keys();
            (s.document, keys)
        })
        .collect())
}

/// A buyer's documents, every version, newest first.
pub async fn list(
    db: &Db,
    seller_id: &str,
    buyer_id: &str,
    filter: &DocumentFilter,
    page: &Page,
) -> Result<(Vec<Document>, Option<Cursor>), Error> {
    buyers::get(db, seller_id, buyer_id).await?;
    let documents = store::list(db.pool(), buyer_id, filter, page).await?;
    Ok(page.split(documents, |d| Cursor::new(d.created_at.millis(), &d.uuid)))
}

/// The documents that count for compliance: the latest ACTIVE version of each type (the latest
/// accepted one when the organisation requires review).
pub async fn counting(db: &Db, buyer_id: &str) -> Result<Vec<Document>, Error> {
    let settings = organisation::settings::load_in(db.pool()).await?;
    Ok(model::counting(
        store::active(db.pool(), buyer_id).await?,
        settings.require_document_review,
    ))
}

/// A buyer's documents as its upload page shows them, read in one round trip.
pub struct OnPage {
    /// What counts, as [`counting`] says.
    pub counting: Vec<Document>,
    /// The latest ACTIVE version of each type, whatever its review (what the buyer last sent).
    pub latest: Vec<Document>,
}

/// What counts and what was last sent, from one read, with the organisation's review setting as the caller
/// holds it (the page reads its settings from memory, not once more from the database).
pub async fn on_page(db: &Db, buyer_id: &str, require_review: bool) -> Result<OnPage, Error> {
    let active = store::active_on_page(db, buyer_id).await?;
    Ok(OnPage::of(active, require_review))
}

impl OnPage {
    /// From a buyer's active documents, in any order.
    pub fn of(active: Vec<Document>, require_review: bool) -> OnPage {
        if require_review {
            OnPage {
                counting: model::counting(active.clone(), true),
                latest: model::counting(active, false),
            }
        } else {
            // Without review the latest counts: one copy of the few, not of every version.
            let latest = model::counting(active, false);
            OnPage {
                counting: latest.clone(),
                latest,
            }
        }
    }
}

/// Supersedes a document: ACTIVE -> ARCHIVED; archived stays archived.
pub async fn set_status(
    tx: &mut WriteTx,
    scope: &SellerScope,
    id: &str,
    requested: DocumentStatus,
) -> Result<Document, Error> {
    // A document never changes buyer, nor a buyer seller: checked once, before the write.
    find(tx.db(), scope, id).await?;
    let current = store::find(tx.conn().await?, id)
        .await?
        .ok_or(Error::NotFound("document"))?
        .document;
    match (current.status, requested) {
        (DocumentStatus::Archived, DocumentStatus::Archived) => return Ok(current),
        (DocumentStatus::Archived, DocumentStatus::Active) => {
            return Err(Error::invalid("status", Rule::ArchivedStays));
        }
        (DocumentStatus::Active, DocumentStatus::Active) => return Ok(current),
        (DocumentStatus::Active, DocumentStatus::Archived) => {}
    }
    let at = now();
    if !store::archive(tx.conn().await?, id, at).await? {
        // Archived by a concurrent request meanwhile: report what is stored, record nothing.
        return Ok(store::find(tx.conn().await?, id)
            .await?
            .ok_or(Error::NotFound("document"))?
            .document);
    }
    let archived = Document {
        status: DocumentStatus::Archived,
        archived_at: Some(at),
        ..current.clone()
    };
    tx.record(
        Subject::Document {
            id,
            buyer_id: &archived.buyer_id,
        },
        "archived",
        serde_json::to_value(&current).ok(),
        serde_json::to_value(&archived).ok(),
    );
    Ok(archived)
}

/// The audit history of a document, newest first.
pub async fn history(
    db: &Db,
    scope: &SellerScope,
    id: &str,
    page: &Page,
) -> Result<(Vec<AuditEntry>, Option<Cursor>), Error> {
    find(db, scope, id).await?;
    audit::history(db, "document", id, page).await
}

/// Removes blobs that no document points to and that are older than `grace` (an upload
/// stores its blob a moment before its row commits; the grace keeps the sweep off those).
pub async fn sweep_orphans(db: &Db, blobs: &BlobStore, grace: Duration) -> Result<usize, Error> {
    let storage = |e: crate::storage::StorageError| e.into_error("sweeping orphan blobs");
    let cutoff = now().plus(-chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::MAX));
    let listed = blobs.list().await.map_err(storage)?;
    // Documents and the document types' templates share the store.
    let mut referenced: std::collections::HashSet<String> =
        store::blob_keys(db.pool()).await?.into_iter().collect();
    referenced.extend(organisation::template::blob_keys(db).await?);
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
