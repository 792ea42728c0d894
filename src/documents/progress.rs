//! How far each buyer of a list page is with its documents: how many required types have a
//! version that counts (not too old), and when anything of theirs last changed. One query for
//! the whole page, so a list of fifty buyers costs what one does.

use std::collections::HashMap;

use sqlx::Row;

use super::model::DocumentType;
use crate::db::{Db, Timestamp};
use crate::errors::Error;
use crate::organisation::OrganisationSettings;

/// One buyer's documents, as a list shows them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Required types with a version that counts.
    pub done: usize,
    /// Required types.
    pub required: usize,
    /// When the newest of its documents was uploaded, if any.
    pub last_upload: Option<Timestamp>,
}

/// The progress of each of `buyer_ids` (those without documents are absent from the map).
pub async fn of_buyers(
    db: &Db,
    settings: &OrganisationSettings,
    buyer_ids: &[&str],
    today: chrono::NaiveDate,
) -> Result<HashMap<String, Progress>, Error> {
    if buyer_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let marks: Vec<String> = (1..=buyer_ids.len()).map(|n| format!("${n}")).collect();
    // The newest active version of each type is the one that counts (the newest accepted one
    // when the organisation requires review).
    let counting = if settings.require_document_review {
        "AND x.review_status = 'ACCEPTED'"
    } else {
        ""
    };
    let sql = format!(
        "SELECT d.buyer_id, d.type, d.document_date, d.expires_on, d.created_at FROM documents d \
         WHERE d.status = 'ACTIVE' AND d.buyer_id IN ({}) \
         AND d.version = (SELECT MAX(x.version) FROM documents x WHERE x.buyer_id = d.buyer_id \
                          AND x.type = d.type AND x.status = 'ACTIVE' {counting})",
        marks.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in buyer_ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(db.pool()).await?;
    let required = settings.required_document_types.len();
    let mut progress: HashMap<String, Progress> = HashMap::new();
    for row in &rows {
        let buyer_id: String = row.try_get("buyer_id")?;
        let type_code: String = row.try_get("type")?;
        let date: String = row.try_get("document_date")?;
        let expires_on: Option<String> = row.try_get("expires_on")?;
        let uploaded = Timestamp::from_millis(row.try_get("created_at")?);
        let entry = progress.entry(buyer_id).or_insert(Progress {
            required,
            ..Progress::default()
        });
        entry.last_upload = Some(entry.last_upload.map_or(uploaded, |at| at.max(uploaded)));
        let Some(document_type) = DocumentType::parse(&type_code) else {
            continue;
        };
        let day = |text: &str| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
        let expires_on = expires_on.as_deref().and_then(day);
        let counts = day(&date)
            .is_some_and(|date| !settings.lapsed_on(document_type, date, expires_on, today));
        if counts && settings.required_document_types.contains(&document_type) {
            entry.done += 1;
        }
    }
    Ok(progress)
}
