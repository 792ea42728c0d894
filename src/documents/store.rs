//! Documents in the database.

use sqlx::{AnyConnection, AnyExecutor, Row};

use super::model::{
    Document, DocumentDate, DocumentFile, DocumentSource, DocumentStatus, DocumentType, ExpiryDate,
    FileName,
};
use super::review_state::{Proposal, ReviewReason, ReviewStatus};
use crate::db::{Arg, Db, Timestamp};
use crate::pagination::Page;
use crate::storage::BlobKey;

const COLUMNS: &str = "id, buyer_id, type, document_date, status, version, file_name, content_type, \
                       size_bytes, sha256, blob_key, source, invitation_id, created_at, archived_at, \
                       review_status, review_reason, review_note, reviewed_by, reviewed_at, \
                       proposed_status, proposed_reason, proposed_note, proposed_by, proposed_at, \
                       expires_on, more_files";

fn corrupt(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("stored document has an invalid {what}").into())
}

/// A document with where its bytes are.
pub struct StoredDocument {
    /// The document.
    pub document: Document,
    /// Its (first) file's blob.
    pub blob_key: BlobKey,
    /// The blobs of its later files, in order.
    pub more_blob_keys: Vec<BlobKey>,
}

impl StoredDocument {
    /// Every file's blob, first to last.
    pub fn blob_keys(&self) -> Vec<BlobKey> {
        std::iter::once(self.blob_key.clone())
            .chain(self.more_blob_keys.iter().cloned())
            .collect()
    }
}

/// A later file of a document as its row's `more_files` lists it.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct MoreFile {
    #[serde(flatten)]
    file: DocumentFile,
    blob_key: String,
}

fn more_files(row: &impl crate::db::Columns) -> Result<Vec<MoreFile>, sqlx::Error> {
    let text: Option<String> = row.try_get("more_files")?;
    match text {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(&text).map_err(|_| corrupt("file list")),
    }
}

fn from_row(row: &impl crate::db::Columns) -> Result<StoredDocument, sqlx::Error> {
    let kind: String = row.try_get("type")?;
    let date: String = row.try_get("document_date")?;
    let expires_on: Option<String> = row.try_get("expires_on")?;
    let status: String = row.try_get("status")?;
    let source: String = row.try_get("source")?;
    let archived_at: Option<i64> = row.try_get("archived_at")?;
    let review_status: String = row.try_get("review_status")?;
    let review_reason: Option<String> = row.try_get("review_reason")?;
    let reviewed_at: Option<i64> = row.try_get("reviewed_at")?;
    let proposal = proposal_from_row(row)?;
    let first = DocumentFile {
        file_name: FileName::from_stored(row.try_get("file_name")?),
        content_type: row.try_get("content_type")?,
        size_bytes: row.try_get("size_bytes")?,
        sha256: row.try_get("sha256")?,
    };
    let more = more_files(row)?;
    let files = std::iter::once(first.clone())
        .chain(more.iter().map(|m| m.file.clone()))
        .collect();
    Ok(StoredDocument {
        document: Document {
            uuid: row.try_get("id")?,
            buyer_id: row.try_get("buyer_id")?,
            document_type: DocumentType::parse(&kind).ok_or_else(|| corrupt("type"))?,
            document_date: DocumentDate::from_stored(&date).ok_or_else(|| corrupt("date"))?,
            expires_on: expires_on
                .map(|text| ExpiryDate::from_stored(&text).ok_or_else(|| corrupt("expiry date")))
                .transpose()?,
            status: DocumentStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
            version: row.try_get("version")?,
            file_name: first.file_name,
            content_type: first.content_type,
            size_bytes: first.size_bytes,
            sha256: first.sha256,
            files,
            source: DocumentSource::parse(&source).ok_or_else(|| corrupt("source"))?,
            invitation_id: row.try_get("invitation_id")?,
            created_at: Timestamp::from_millis(row.try_get("created_at")?),
            archived_at: archived_at.map(Timestamp::from_millis),
            review_status: ReviewStatus::parse(&review_status)
                .ok_or_else(|| corrupt("review status"))?,
            review_reason: review_reason
                .map(|r| ReviewReason::parse(&r).ok_or_else(|| corrupt("review reason")))
                .transpose()?,
            review_note: row.try_get("review_note")?,
            reviewed_by: row.try_get("reviewed_by")?,
            reviewed_at: reviewed_at.map(Timestamp::from_millis),
            proposal,
        },
        blob_key: BlobKey::from_stored(row.try_get("blob_key")?),
        more_blob_keys: more
            .into_iter()
            .map(|m| BlobKey::from_stored(m.blob_key))
            .collect(),
    })
}

fn proposal_from_row(row: &impl crate::db::Columns) -> Result<Option<Proposal>, sqlx::Error> {
    let status: Option<String> = row.try_get("proposed_status")?;
    let Some(status) = status else {
        return Ok(None);
    };
    let reason: Option<String> = row.try_get("proposed_reason")?;
    let by: Option<String> = row.try_get("proposed_by")?;
    let at: Option<i64> = row.try_get("proposed_at")?;
    Ok(Some(Proposal {
        decision: ReviewStatus::parse(&status).ok_or_else(|| corrupt("proposed decision"))?,
        reason: reason
            .map(|r| ReviewReason::parse(&r).ok_or_else(|| corrupt("proposed reason")))
            .transpose()?,
        note: row.try_get("proposed_note")?,
        by: by.unwrap_or_default(),
        at: Timestamp::from_millis(at.unwrap_or_default()),
    }))
}

/// The next version number for this buyer and type (inside the writing transaction).
pub async fn next_version(
    conn: &mut AnyConnection,
    buyer_id: &str,
    document_type: DocumentType,
) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS latest FROM documents WHERE buyer_id = $1 AND type = $2")
        .bind(buyer_id)
        .bind(document_type.as_str())
        .fetch_one(conn)
        .await?;
    Ok(row.try_get::<i64, _>("latest")? + 1)
}

/// Inserts a new document whose files are in `blob_keys`, in the order of its `files`.
pub async fn insert(
    conn: &mut AnyConnection,
    doc: &Document,
    blob_keys: &[BlobKey],
) -> Result<(), sqlx::Error> {
    let Some(blob_key) = blob_keys.first() else {
        return Err(sqlx::Error::Protocol("a document needs a file".into()));
    };
    let more: Vec<MoreFile> = doc
        .files
        .iter()
        .zip(blob_keys)
        .skip(1)
        .map(|(file, key)| MoreFile {
            file: file.clone(),
            blob_key: key.as_str().to_owned(),
        })
        .collect();
    let more = if more.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&more).map_err(|e| sqlx::Error::Encode(Box::new(e)))?)
    };
    sqlx::query(
        "INSERT INTO documents (id, buyer_id, type, document_date, status, version, file_name, content_type, \
         size_bytes, sha256, blob_key, source, invitation_id, created_at, expires_on, more_files) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&doc.uuid)
    .bind(&doc.buyer_id)
    .bind(doc.document_type.as_str())
    .bind(doc.document_date.to_iso())
    .bind(doc.status.as_str())
    .bind(doc.version)
    .bind(doc.file_name.as_str())
    .bind(&doc.content_type)
    .bind(doc.size_bytes)
    .bind(&doc.sha256)
    .bind(blob_key.as_str())
    .bind(doc.source.as_str())
    .bind(doc.invitation_id.as_deref())
    .bind(doc.created_at.millis())
    .bind(doc.expires_on.map(ExpiryDate::to_iso))
    .bind(more)
    .execute(&mut *conn)
    .await?;
    // An upload is the buyer's latest activity (the staff's list sorts by it).
    sqlx::query("UPDATE buyers SET last_activity_at = $1 WHERE id = $2 AND last_activity_at < $1")
        .bind(doc.created_at.millis())
        .bind(&doc.buyer_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// One document.
pub async fn find<'e>(
    conn: impl AnyExecutor<'e>,
    id: &str,
) -> Result<Option<StoredDocument>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// One document, its row held until the transaction ends (`lock` is the backend's
/// `FOR UPDATE` clause), so that two reviewers deciding at once are taken one after the other.
pub async fn find_locked(
    conn: &mut AnyConnection,
    lock: &str,
    id: &str,
) -> Result<Option<StoredDocument>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM documents WHERE id = $1 {lock}");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(|row| from_row(&row))
        .transpose()
}

/// Every version of every document of a buyer with its blob, by type and version (for the
/// buyer's export).
pub async fn all_of<'e>(
    conn: impl AnyExecutor<'e>,
    buyer_id: &str,
) -> Result<Vec<StoredDocument>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM documents WHERE buyer_id = $1 ORDER BY type, version, id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// A page of a buyer's documents, newest first (one more than the page size).
pub async fn list<'e>(
    conn: impl AnyExecutor<'e>,
    buyer_id: &str,
    filter: &DocumentFilter,
    page: &Page,
) -> Result<Vec<Document>, sqlx::Error> {
    let (at, id) = page.after_or_max();
    let sql = format!(
        "SELECT {COLUMNS} FROM documents WHERE buyer_id = $1 \
         AND ($5 = '' OR type = $5) AND ($6 = '' OR status = $6) AND ($7 = '' OR review_status = $7) \
         AND (created_at < $2 OR (created_at = $2 AND id < $3)) ORDER BY created_at DESC, id DESC LIMIT $4"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .bind(at)
        .bind(id)
        .bind(page.fetch_limit())
        .bind(filter.document_type.map(DocumentType::as_str).unwrap_or(""))
        .bind(filter.status.map(DocumentStatus::as_str).unwrap_or(""))
        .bind(filter.review_status.map(ReviewStatus::as_str).unwrap_or(""))
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| from_row(row).map(|s| s.document))
        .collect()
}

/// What a listing of documents filters on.
#[derive(Debug, Clone, Copy, Default)]
pub struct DocumentFilter {
    /// Only documents of this type.
    pub document_type: Option<DocumentType>,
    /// Only documents in this status.
    pub status: Option<DocumentStatus>,
    /// Only documents whose review stands so.
    pub review_status: Option<ReviewStatus>,
}

/// A buyer's active documents, in no order (`model::counting` orders them).
pub async fn active<'e>(
    conn: impl AnyExecutor<'e>,
    buyer_id: &str,
) -> Result<Vec<Document>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(ACTIVE.as_str()))
        .bind(buyer_id)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| from_row(row).map(|s| s.document))
        .collect()
}

/// [`active`] as the buyer's page reads it (see [`Db::read_rows`]).
pub async fn active_on_page(db: &Db, buyer_id: &str) -> Result<Vec<Document>, sqlx::Error> {
    db.read_rows(&ACTIVE, &[Arg::Text(buyer_id)], |_, row| {
        from_row(row).map(|s| s.document)
    })
    .await
}

/// A buyer's (`$1`) active documents, in no order (`model::counting` orders them).
static ACTIVE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("SELECT {COLUMNS} FROM documents WHERE buyer_id = $1 AND status = 'ACTIVE'")
});

/// For a read of a buyer joined with its active documents: the join on the buyer's id column
/// `buyer_id`, under the table alias `alias`, each column renamed with `prefix` (an outer join:
/// the buyer's row comes without any document). Read them with [`from_joined_row`]; they come
/// in no order (`model::counting` orders them).
pub(crate) fn join_active(alias: &str, prefix: &str, buyer_id: &str) -> JoinedActive {
    JoinedActive {
        columns: crate::db::renamed(COLUMNS, alias, prefix),
        join: format!(
            "LEFT JOIN documents {alias} ON {alias}.buyer_id = {buyer_id} AND {alias}.status = 'ACTIVE'"
        ),
    }
}

/// The parts of a read that joins a buyer's active documents (see [`join_active`]).
pub(crate) struct JoinedActive {
    /// The select list's document columns.
    pub columns: String,
    /// The `LEFT JOIN` clause.
    pub join: String,
}

/// A document from a row whose document columns carry `prefix` (see [`join_active`]); None
/// for a row that has none.
pub(crate) fn from_joined_row(
    row: &impl crate::db::Columns,
    prefix: &'static str,
) -> Result<Option<Document>, sqlx::Error> {
    let row = crate::db::Prefixed::new(row, prefix);
    if crate::db::Columns::try_get::<Option<String>>(&row, "id")?.is_none() {
        return Ok(None);
    }
    from_row(&row).map(|stored| Some(stored.document))
}

/// Archives an active document; true when it changed.
pub async fn archive(
    conn: &mut AnyConnection,
    id: &str,
    at: Timestamp,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE documents SET status = 'ARCHIVED', archived_at = $1 WHERE id = $2 AND status = 'ACTIVE'")
        .bind(at.millis())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes a version's review and its proposal as `document` carries them (the caller records
/// the change).
pub async fn set_review(conn: &mut AnyConnection, document: &Document) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE documents SET review_status = $1, review_reason = $2, review_note = $3, \
         reviewed_by = $4, reviewed_at = $5, proposed_status = $7, proposed_reason = $8, \
         proposed_note = $9, proposed_by = $10, proposed_at = $11 WHERE id = $6",
    )
    .bind(document.review_status.as_str())
    .bind(document.review_reason.map(ReviewReason::as_str))
    .bind(document.review_note.as_deref())
    .bind(document.reviewed_by.as_deref())
    .bind(document.reviewed_at.map(|t| t.millis()))
    .bind(&document.uuid)
    .bind(document.proposal.as_ref().map(|p| p.decision.as_str()))
    .bind(
        document
            .proposal
            .as_ref()
            .and_then(|p| p.reason.map(ReviewReason::as_str)),
    )
    .bind(document.proposal.as_ref().and_then(|p| p.note.as_deref()))
    .bind(document.proposal.as_ref().map(|p| p.by.as_str()))
    .bind(document.proposal.as_ref().map(|p| p.at.millis()))
    .execute(conn)
    .await?;
    Ok(())
}

/// Every blob key a document points to, every file's (for the orphan sweep).
pub async fn blob_keys<'e>(conn: impl AnyExecutor<'e>) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query("SELECT blob_key, more_files FROM documents")
        .fetch_all(conn)
        .await?;
    let mut keys = Vec::with_capacity(rows.len());
    for row in &rows {
        keys.push(row.try_get("blob_key")?);
        keys.extend(more_files(row)?.into_iter().map(|m| m.blob_key));
    }
    Ok(keys)
}

/// A document's blob as its row describes it.
pub struct BlobRecord {
    /// The blob's key.
    pub key: BlobKey,
    /// The SHA-256 (hex) of the bytes received.
    pub sha256: String,
    /// Their length.
    pub size: i64,
}

/// Every document file's blob with its hash and size, by key (backups copy and check these);
/// an erased document (its key `erased/<id>`, see src/erasure) has none.
pub async fn blob_records<'e>(conn: impl AnyExecutor<'e>) -> Result<Vec<BlobRecord>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT blob_key, sha256, size_bytes, more_files FROM documents \
         WHERE blob_key NOT LIKE 'erased/%' ORDER BY blob_key",
    )
    .fetch_all(conn)
    .await?;
    let mut records = Vec::with_capacity(rows.len());
    for row in &rows {
        records.push(BlobRecord {
            key: BlobKey::from_stored(row.try_get("blob_key")?),
            sha256: row.try_get("sha256")?,
            size: row.try_get("size_bytes")?,
        });
        records.extend(more_files(row)?.into_iter().map(|m| BlobRecord {
            key: BlobKey::from_stored(m.blob_key),
            sha256: m.file.sha256,
            size: m.file.size_bytes,
        }));
    }
    records.sort_by(|a, b| a.key.as_str().cmp(b.key.as_str()));
    Ok(records)
}

/// A version waiting for review, with whose it is.
pub struct Waiting {
    /// The version.
    pub document: Document,
    /// Its buyer's company name.
    pub company_name: String,
    /// Its buyer's seller's name.
    pub seller_name: String,
}

/// Active versions waiting for review across all buyers, oldest first, after `(at, id)`
/// (one more than `limit`), optionally of one seller and one type.
pub async fn waiting<'e>(
    conn: impl AnyExecutor<'e>,
    seller_id: Option<&str>,
    document_type: Option<DocumentType>,
    after: Option<(i64, String)>,
    limit: i64,
) -> Result<Vec<Waiting>, sqlx::Error> {
    let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("d.{c}")).collect();
    let (at, id) = after.unwrap_or((i64::MIN, String::new()));
    let sql = format!(
        "SELECT {}, b.company_name, p.name AS seller_name FROM documents d \
         JOIN buyers b ON b.id = d.buyer_id JOIN partners p ON p.id = b.seller_id \
         WHERE d.review_status = 'PENDING_REVIEW' AND d.status = 'ACTIVE' \
         AND ($1 = '' OR b.seller_id = $1) AND ($2 = '' OR d.type = $2) \
         AND (d.created_at > $3 OR (d.created_at = $3 AND d.id > $4)) \
         ORDER BY d.created_at, d.id LIMIT $5",
        columns.join(", ")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(seller_id.unwrap_or(""))
        .bind(document_type.map(DocumentType::as_str).unwrap_or(""))
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Waiting {
                document: from_row(row)?.document,
                company_name: row.try_get("company_name")?,
                seller_name: row.try_get("seller_name")?,
            })
        })
        .collect()
}
