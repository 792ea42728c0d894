//! The statements that erase a buyer's personal data, each inside the erasing transaction.

use sqlx::{AnyConnection, AnyExecutor, Row};

use crate::db::Timestamp;

/// Buyers whose records are due: ended on or before `ended_before`, or never valid and
/// without activity since `inactive_before`; never those on legal hold or erased already.
pub async fn due<'e>(
    conn: impl AnyExecutor<'e>,
    ended_before: Timestamp,
    inactive_before: Timestamp,
) -> Result<Vec<(String, bool)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, ended_at FROM buyers b WHERE erased_at IS NULL AND hold_reason IS NULL AND \
         ((ended_at IS NOT NULL AND ended_at <= $1) OR \
          (ended_at IS NULL AND kyc_status <> 'VALID' AND updated_at <= $2 \
           AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.buyer_id = b.id AND d.created_at > $2) \
           AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.buyer_id = b.id \
                           AND (i.created_at > $2 OR i.last_used_at > $2)))) \
         ORDER BY id",
    )
    .bind(ended_before.millis())
    .bind(inactive_before.millis())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let ended: Option<i64> = row.try_get("ended_at")?;
            Ok((row.try_get("id")?, ended.is_some()))
        })
        .collect()
}

/// The store keys of the buyer's document files, every file of every version.
pub async fn blob_keys(
    conn: &mut AnyConnection,
    buyer_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    Ok(crate::documents::store::all_of(conn, buyer_id)
        .await?
        .iter()
        .flat_map(|stored| stored.blob_keys())
        .map(|key| key.as_str().to_owned())
        .collect())
}

/// Notes the buyer's files as to be deleted, in the erasing transaction: the list survives a
/// crash between the commit and the deletions.
pub async fn note_pending(
    conn: &mut AnyConnection,
    buyer_id: &str,
    keys: &[String],
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    for key in keys {
        sqlx::query(
            "INSERT INTO erasure_pending_files (blob_key, buyer_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (blob_key) DO NOTHING",
        )
        .bind(key)
        .bind(buyer_id)
        .bind(at.millis())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Files of erased buyers not yet deleted, each with its buyer, oldest first.
pub async fn pending<'e>(conn: impl AnyExecutor<'e>) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT blob_key, buyer_id FROM erasure_pending_files ORDER BY created_at, blob_key",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get("blob_key")?, row.try_get("buyer_id")?)))
        .collect()
}

/// Forgets a file once it is deleted from the store.
pub async fn forget_pending<'e>(conn: impl AnyExecutor<'e>, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM erasure_pending_files WHERE blob_key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Overwrites every personal field of the buyer and of what belongs to it, and points its
/// documents at no file; the audit entries keep who did what when, without the snapshots.
pub async fn overwrite(
    conn: &mut AnyConnection,
    buyer_id: &str,
    keep_vat_number: bool,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    let vat = if keep_vat_number {
        "vat_number"
    } else {
        // Unique per seller, so every erased buyer gets its own placeholder.
        "'ERASED-' || id"
    };
    // The checks name the number the buyer had, which goes or stays with it.
    let checked_vat = if keep_vat_number {
        "vat_number"
    } else {
        "'ERASED-' || buyer_id"
    };
    let statements = [
        format!(
            "UPDATE buyers SET company_name = '', search_name = '', street = '', post_code = '', \
             city = '', contacts = '[]', blocked_reason = NULL, end_reason = NULL, \
             vat_number = {vat}, erased_at = $2, version = version + 1, updated_at = $2 \
             WHERE id = $1"
        ),
        "UPDATE documents SET file_name = 'erased', sha256 = '', blob_key = 'erased/' || id, \
         more_files = NULL, review_note = NULL, proposed_note = NULL WHERE buyer_id = $1 AND $2 = $2"
            .to_owned(),
        // Kept responses are sealed, so they are found by what is in the clear: the request's
        // path or the `Location` of what it created. A retry with such a key within its 24
        // hours then runs afresh: a change of the erased buyer is refused, a creation makes a
        // new buyer.
        "DELETE FROM idempotency_keys WHERE (path LIKE '%' || $1 || '%' \
         OR response_headers LIKE '%' || $1 || '%') AND $2 = $2"
            .to_owned(),
        // Payloads name ids only; their errors may quote a recipient or what a receiver said.
        "UPDATE jobs SET last_error = NULL WHERE last_error IS NOT NULL AND (payload LIKE '%' || $1 || '%' \
         OR EXISTS (SELECT 1 FROM (SELECT id FROM invitations WHERE buyer_id = $1 \
                    UNION ALL SELECT id FROM verifications WHERE buyer_id = $1 \
                    UNION ALL SELECT id FROM vies_checks WHERE buyer_id = $1 \
                    UNION ALL SELECT id FROM documents WHERE buyer_id = $1 \
                    UNION ALL SELECT id FROM reminders WHERE buyer_id = $1 \
                    UNION ALL SELECT id FROM events WHERE data LIKE '%' || $1 || '%') mine \
                    WHERE jobs.payload LIKE '%' || mine.id || '%') \
         OR id IN (SELECT w.job_id FROM webhook_deliveries w JOIN events e ON e.id = w.event_id \
                   WHERE e.data LIKE '%' || $1 || '%')) AND $2 = $2"
            .to_owned(),
        "UPDATE webhook_attempts SET error = NULL WHERE error IS NOT NULL AND delivery_id IN \
         (SELECT w.id FROM webhook_deliveries w JOIN events e ON e.id = w.event_id \
          WHERE e.data LIKE '%' || $1 || '%') AND $2 = $2"
            .to_owned(),
        "UPDATE invitations SET recipient_email = '', email_error = NULL WHERE buyer_id = $1 AND $2 = $2"
            .to_owned(),
        format!(
            "UPDATE vies_checks SET vies_name = NULL, vies_address = NULL, reason = NULL, \
             vat_number = {checked_vat} WHERE buyer_id = $1 AND $2 = $2"
        ),
        "UPDATE verifications SET provider_details = NULL, aml = NULL, auth_token = '', \
         session_url = '', review_reason = NULL, email_to = NULL, email_error = NULL, \
         person_first_name = NULL, person_last_name = NULL, person_birth_date = NULL \
         WHERE buyer_id = $1 AND $2 = $2"
            .to_owned(),
        "DELETE FROM kyc_profiles WHERE buyer_id = $1 AND $2 = $2".to_owned(),
        "DELETE FROM portal_sessions WHERE invitation_id IN \
         (SELECT id FROM invitations WHERE buyer_id = $1) AND $2 = $2"
            .to_owned(),
        "UPDATE audit_log SET before_state = NULL, after_state = NULL WHERE (entity_id = $1 \
         OR entity_id IN (SELECT id FROM documents WHERE buyer_id = $1) \
         OR entity_id IN (SELECT id FROM invitations WHERE buyer_id = $1) \
         OR entity_id IN (SELECT id FROM vies_checks WHERE buyer_id = $1) \
         OR entity_id IN (SELECT id FROM verifications WHERE buyer_id = $1)) AND $2 = $2"
            .to_owned(),
        // The outbox keeps that something happened to the buyer, not what it said.
        "UPDATE events SET data = '{\"buyerId\":\"' || $1 || '\",\"erased\":true}' \
         WHERE data LIKE '%' || $1 || '%' AND $2 = $2"
            .to_owned(),
    ];
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(buyer_id)
            .bind(at.millis())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

const LAST_RUN: &str = "retention_last_run";

/// What the last erasure round recorded (JSON), if one ran.
pub async fn last_run<'e>(conn: impl AnyExecutor<'e>) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(LAST_RUN)
        .fetch_optional(conn)
        .await
}

/// Records a round: `value` replaces what the last one recorded if that is still `seen`
/// (None: no round had run); false when another instance recorded one meanwhile.
pub async fn record_run<'e>(
    conn: impl AnyExecutor<'e>,
    seen: Option<&str>,
    value: &str,
) -> Result<bool, sqlx::Error> {
    let done =
        match seen {
            None => sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            )
            .bind(LAST_RUN)
            .bind(value)
            .execute(conn)
            .await?,
            Some(seen) => {
                sqlx::query("UPDATE settings SET value = $2 WHERE key = $1 AND value = $3")
                    .bind(LAST_RUN)
                    .bind(value)
                    .bind(seen)
                    .execute(conn)
                    .await?
            }
        };
    Ok(done.rows_affected() == 1)
}
