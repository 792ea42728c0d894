//! The staff's daily digest: the first round of each day (UTC) queues one email for every
//! staff user who asked for it, claimed per user and day so that rounds in several instances
//! queue it once. The email says what needs someone (the start page's counts) and which
//! buyers' KYC status changed in the day before it was queued.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use sqlx::Row;

use crate::config::Settings;
use crate::db::{Db, Timestamp, now};
use crate::email::Mailer;
use crate::email::digest::{self, Change, Count, DigestFacts};
use crate::errors::Error;
use crate::jobs::{self, JobError, JobHandler};
use crate::kyc::attention;
use crate::organisation;
use crate::staff;

/// The job kind; the payload is `{"staffUserId": ..., "day": "YYYY-MM-DD"}`.
pub const DIGEST_JOB: &str = "staff.daily_digest";

/// Most status changes one digest names.
const MAX_CHANGES: i64 = 50;

/// Queues today's digest (the day of `at`) for each enabled staff user who asked for it and
/// has none yet; returns how many were queued.
pub async fn schedule(db: &Db, at: Timestamp) -> Result<usize, Error> {
    let day = at.to_datetime().date_naive().to_string();
    let rows = sqlx::query(
        "SELECT id FROM staff_users WHERE daily_digest = 1 AND disabled_at IS NULL ORDER BY id",
    )
    .fetch_all(db.pool())
    .await?;
    let mut queued = 0;
    for row in rows {
        let user: String = row.try_get("id")?;
        let mut tx = db.begin_write().await?;
        let claimed: Option<String> = sqlx::query_scalar(
            "INSERT INTO staff_digests (staff_user_id, day, queued_at) VALUES ($1, $2, $3) \
             ON CONFLICT (staff_user_id, day) DO NOTHING RETURNING staff_user_id",
        )
        .bind(&user)
        .bind(&day)
        .bind(at.millis())
        .fetch_optional(&mut *tx)
        .await?;
        if claimed.is_none() {
            continue;
        }
        jobs::enqueue(
            &mut tx,
            DIGEST_JOB,
            &json!({ "staffUserId": user, "day": day }),
            None,
        )
        .await?;
        tx.commit().await?;
        queued += 1;
    }
    Ok(queued)
}

/// Sends the digests.
pub struct DigestJob {
    /// The database.
    pub db: Db,
    /// Settings (public URL, sender).
    pub settings: Arc<Settings>,
    /// The mail transport.
    pub mailer: Mailer,
}

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::Retry(e.to_string())
}

impl DigestJob {
    async fn send(&self, user_id: &str, day: &str) -> Result<(), JobError> {
        let user = staff::get(&self.db, user_id).await.map_err(retry)?;
        if user.disabled || !user.daily_digest {
            return Ok(());
        }
        let queued_at: Option<i64> = sqlx::query_scalar(
            "SELECT queued_at FROM staff_digests WHERE staff_user_id = $1 AND day = $2 AND sent_at IS NULL",
        )
        .bind(user_id)
        .bind(day)
        .fetch_optional(self.db.pool())
        .await
        .map_err(retry)?;
        let Some(queued_at) = queued_at.map(Timestamp::from_millis) else {
            return Ok(());
        };
        let settings = organisation::load(&self.db).await.map_err(retry)?;
        let today = attention::today(&self.db, &settings).await.map_err(retry)?;
        let l = user.language;
        let counts: Vec<Count> = [
            ("admin-today-held", today.held_verifications.count),
            ("admin-today-vies", today.failing_vies.count),
            ("admin-today-renewals", today.renewal_requests.count),
            ("admin-today-lapsed-links", today.lapsed_links.count),
            ("admin-today-lapsing", today.lapsing_documents.count),
            ("admin-today-uploads", today.new_uploads.count),
            ("admin-today-reviews", today.awaiting_review.count),
        ]
        .into_iter()
        .map(|(id, count)| Count {
            count,
            what: l.text(id),
        })
        .collect();
        let public_url = &self.settings.public_url;
        let changes = status_changes(&self.db, queued_at)
            .await
            .map_err(retry)?
            .into_iter()
            .map(|(buyer, company, status)| Change {
                company,
                change: l.text_with("email-digest-now", &[("status", &status)]),
                link: format!("{public_url}/admin/buyers/{buyer}"),
            })
            .collect::<Vec<_>>();
        let brand = settings.brand(public_url);
        let written_day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
            .map(|d| l.date(d))
            .unwrap_or_else(|_| day.to_owned());
        let link = format!("{public_url}/admin");
        let email = digest::render(&DigestFacts {
            language: l,
            brand: &brand,
            day: &written_day,
            counts: &counts,
            changes: &changes,
            link: &link,
        })
        .map_err(|e| JobError::Permanent(format!("the digest could not be rendered: {e}")))?;
        self.mailer.send(&user.email, email).await.map_err(retry)?;
        sqlx::query("UPDATE staff_digests SET sent_at = $1 WHERE staff_user_id = $2 AND day = $3")
            .bind(now().millis())
            .bind(user_id)
            .bind(day)
            .execute(self.db.pool())
            .await
            .map_err(retry)?;
        Ok(())
    }
}

/// Buyers whose announced KYC status changed in the day before `until`: id, company and the
/// status now.
async fn status_changes(db: &Db, until: Timestamp) -> Result<Vec<(String, String, String)>, Error> {
    let since = until.plus(chrono::Duration::days(-1));
    let rows = sqlx::query(
        "SELECT b.id, b.company_name, k.overall_status FROM kyc_statuses k \
         JOIN buyers b ON b.id = k.buyer_id WHERE k.changed_at >= $1 AND k.changed_at < $2 \
         ORDER BY k.changed_at LIMIT $3",
    )
    .bind(since.millis())
    .bind(until.millis())
    .bind(MAX_CHANGES)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("id")?,
                row.try_get("company_name")?,
                row.try_get("overall_status")?,
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Error::from)
}

impl JobHandler for DigestJob {
    fn run<'a>(&'a self, payload: &'a Value) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            let (Some(user), Some(day)) =
                (payload["staffUserId"].as_str(), payload["day"].as_str())
            else {
                return Err(JobError::Permanent(
                    "payload without staffUserId or day".into(),
                ));
            };
            self.send(user, day).await
        })
    }
}
