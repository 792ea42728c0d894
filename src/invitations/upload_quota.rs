//! How much a link may upload. Whoever holds a link can upload, so a link must not be a way to
//! fill the document store: files per hour and bytes per day are limited per browser session
//! and per buyer (all its sessions together), in the database so the limits hold across
//! instances. Files are counted before the upload is received (parallel uploads cannot slip
//! past); bytes are judged before and counted after, so one upload may overshoot the daily
//! bytes once, by at most the upload size limit.

use crate::config::Settings;
use crate::db::Db;
use crate::errors::Error;
use crate::rate_limit::{self, Limit, Verdict};

/// The limits, from the settings.
#[derive(Debug, Clone, Copy)]
pub struct UploadQuota {
    session_files: Limit,
    session_bytes: Limit,
    buyer_files: Limit,
    buyer_bytes: Limit,
}

fn limit(max: u64, window: chrono::Duration) -> Limit {
    Limit {
        max: i64::try_from(max).unwrap_or(i64::MAX),
        window,
    }
}

impl UploadQuota {
    /// The operator's limits.
    pub fn of(settings: &Settings) -> UploadQuota {
        let hour = chrono::Duration::hours(1);
        let day = chrono::Duration::days(1);
        UploadQuota {
            session_files: limit(settings.link_session_files_per_hour.into(), hour),
            session_bytes: limit(settings.link_session_bytes_per_day, day),
            buyer_files: limit(settings.link_buyer_files_per_hour.into(), hour),
            buyer_bytes: limit(settings.link_buyer_bytes_per_day, day),
        }
    }
}

/// Where one upload's counts go: a session (by a hash of its cookie, never the cookie) and
/// its buyer.
pub struct Uploader<'a> {
    /// The session's key.
    pub session: &'a str,
    /// The buyer's id.
    pub buyer_id: &'a str,
}

impl Uploader<'_> {
    fn buckets(&self, quota: &UploadQuota) -> [(String, Limit); 4] {
        [
            (format!("link-bytes:{}", self.session), quota.session_bytes),
            (format!("buyer-bytes:{}", self.buyer_id), quota.buyer_bytes),
            (format!("link-files:{}", self.session), quota.session_files),
            (format!("buyer-files:{}", self.buyer_id), quota.buyer_files),
        ]
    }
}

/// Lets one more upload start, counting it; 429 with `Retry-After` when a limit is reached.
pub async fn admit(db: &Db, quota: &UploadQuota, who: &Uploader<'_>) -> Result<(), Error> {
    let [session_bytes, buyer_bytes, session_files, buyer_files] = who.buckets(quota);
    for (bucket, limit) in [&session_bytes, &buyer_bytes] {
        rate_limit::check(db, bucket, *limit).await?.or_too_many()?;
    }
    rate_limit::hit(db, &session_files.0, session_files.1)
        .await?
        .or_too_many()?;
    if let Verdict::Limited { retry_after } =
        rate_limit::hit(db, &buyer_files.0, buyer_files.1).await?
    {
        rate_limit::refund(db, &session_files.0, session_files.1).await?;
        return Err(Error::TooMany { retry_after });
    }
    Ok(())
}

/// Counts the bytes of an upload that was kept.
pub async fn record_bytes(
    db: &Db,
    quota: &UploadQuota,
    who: &Uploader<'_>,
    bytes: i64,
) -> Result<(), Error> {
    let [session_bytes, buyer_bytes, ..] = who.buckets(quota);
    for (bucket, limit) in [session_bytes, buyer_bytes] {
        rate_limit::add(db, &bucket, limit, bytes).await?;
    }
    Ok(())
}
