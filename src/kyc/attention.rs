//! What needs staff today, across all buyers: verifications held for a decision, VIES checks
//! that failed or keep being retried, buyers who asked for a new link or whose link ran out
//! with documents still missing, documents about to become too old, and fresh uploads. Each
//! part counts its buyers and names the first few, oldest waiting first, so a compliance
//! officer's first page says where to start.

use sqlx::Row;

use crate::db::{Db, Timestamp, now};
use crate::errors::Error;
use crate::organisation::OrganisationSettings;

/// How many buyers each part names (the count says how many there are in all).
pub const SHOWN: i64 = 10;
/// How far ahead "about to lapse" looks.
pub const LAPSE_WITHIN_DAYS: i64 = 30;
/// How far back "new uploads" and "link ran out" look.
pub const RECENT_DAYS: i64 = 7;

/// One buyer named in a part, with the moment that puts it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The buyer's id.
    pub buyer_id: String,
    /// The buyer's company.
    pub company_name: String,
    /// Since when it waits (held, failed, asked, ran out, uploaded), or when a document lapses.
    pub since: Timestamp,
}

/// One part of the page: how many buyers, and the first of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Part {
    /// How many buyers in all.
    pub count: i64,
    /// The first [`SHOWN`] of them.
    pub first: Vec<Waiting>,
}

/// What needs staff today.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attention {
    /// Verifications held for a staff decision (SUSPECTED or an AML hit).
    pub held_verifications: Part,
    /// Buyers whose latest VIES check ended in an error or INVALID, or is being retried.
    pub failing_vies: Part,
    /// Buyers who asked for a new link that nobody sent yet.
    pub renewal_requests: Part,
    /// Buyers whose last link ran out within [`RECENT_DAYS`] with required documents missing.
    pub lapsed_links: Part,
    /// Buyers with a current document that becomes too old within [`LAPSE_WITHIN_DAYS`].
    pub lapsing_documents: Part,
    /// Buyers who uploaded through their link within [`RECENT_DAYS`].
    pub new_uploads: Part,
    /// Buyers with a current version waiting for review, when the organisation requires
    /// review (without it, nothing waits on a decision).
    pub awaiting_review: Part,
}

impl Attention {
    /// Whether nothing needs anyone.
    pub fn is_clear(&self) -> bool {
        [
            &self.held_verifications,
            &self.failing_vies,
            &self.renewal_requests,
            &self.lapsed_links,
            &self.lapsing_documents,
            &self.new_uploads,
            &self.awaiting_review,
        ]
        .iter()
        .all(|part| part.count == 0)
    }
}

/// A part from `sql`, which selects `buyer_id, since` for each buyer once (with `$1`.. bound
/// from `binds`), oldest first.
async fn part(db: &Db, sql: &str, binds: &[i64]) -> Result<Part, Error> {
    let count_sql = format!("SELECT COUNT(*) AS n FROM ({sql}) AS part");
    let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql));
    for bound in binds {
        count = count.bind(*bound);
    }
    let count: i64 = count.fetch_one(db.pool()).await?.try_get("n")?;
    if count == 0 {
        return Ok(Part::default());
    }
    let first_sql = format!(
        "SELECT p.buyer_id, p.since, b.company_name FROM ({sql}) AS p \
         JOIN buyers b ON b.id = p.buyer_id ORDER BY p.since, p.buyer_id LIMIT {SHOWN}"
    );
    let mut first = sqlx::query(sqlx::AssertSqlSafe(first_sql));
    for bound in binds {
        first = first.bind(*bound);
    }
    let rows = first.fetch_all(db.pool()).await?;
    let first = rows
        .iter()
        .map(|row| {
            Ok(Waiting {
                buyer_id: row.try_get("buyer_id")?,
                company_name: row.try_get("company_name")?,
                since: Timestamp::from_millis(row.try_get("since")?),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?;
    Ok(Part { count, first })
}

/// Gathers every part, as of now.
pub async fn today(db: &Db, settings: &OrganisationSettings) -> Result<Attention, Error> {
    let at = now();
    let recent = at.plus(chrono::Duration::days(-RECENT_DAYS)).millis();
    let held = part(
        db,
        "SELECT buyer_id, MIN(COALESCE(settled_at, created_at)) AS since FROM verifications \
         WHERE status = 'REVIEW' GROUP BY buyer_id",
        &[],
    )
    .await?;
    // The latest check of each buyer that has a failed or retried one at all.
    let failing = part(
        db,
        "SELECT v.buyer_id, v.requested_at AS since FROM vies_checks v \
         WHERE ((v.status = 'COMPLETED' AND v.result IN ('ERROR', 'INVALID')) \
                OR (v.status = 'PENDING' AND v.attempts > 1)) \
         AND NOT EXISTS (SELECT 1 FROM vies_checks n WHERE n.buyer_id = v.buyer_id \
                         AND (n.requested_at > v.requested_at \
                              OR (n.requested_at = v.requested_at AND n.id > v.id)))",
        &[],
    )
    .await?;
    let renewals = part(
        db,
        "SELECT i.buyer_id, MIN(r.requested_at) AS since FROM invitation_renewals r \
         JOIN invitations i ON i.id = r.invitation_id \
         JOIN buyers b ON b.id = i.buyer_id \
         WHERE r.renewed_by IS NULL AND b.status = 'ACTIVE' GROUP BY i.buyer_id",
        &[],
    )
    .await?;
    // Ran out lately, no link works now, and the KYC status is not VALID.
    let lapsed = part(
        db,
        "SELECT i.buyer_id, MAX(i.expires_at) AS since FROM invitations i \
         JOIN buyers b ON b.id = i.buyer_id \
         WHERE b.status = 'ACTIVE' AND i.expires_at >= $1 AND i.expires_at < $2 \
         AND b.kyc_status <> 'VALID' \
         AND NOT EXISTS (SELECT 1 FROM invitations a WHERE a.buyer_id = i.buyer_id \
                         AND a.revoked_at IS NULL AND a.expires_at >= $2 \
                         AND (a.max_uses IS NULL OR a.usage_count < a.max_uses)) \
         GROUP BY i.buyer_id",
        &[recent, at.millis()],
    )
    .await?;
    let lapsing = lapsing_documents(db, settings, at).await?;
    let uploads = part(
        db,
        "SELECT buyer_id, MIN(created_at) AS since FROM documents \
         WHERE source = 'INVITATION' AND created_at >= $1 GROUP BY buyer_id",
        &[recent],
    )
    .await?;
    let awaiting_review = if settings.require_document_review || settings.four_eyes_review {
        part(
            db,
            "SELECT buyer_id, MIN(created_at) AS since FROM documents \
             WHERE status = 'ACTIVE' AND review_status = 'PENDING_REVIEW' GROUP BY buyer_id",
            &[],
        )
        .await?
    } else {
        Part::default()
    };
    Ok(Attention {
        held_verifications: held,
        failing_vies: failing,
        renewal_requests: renewals,
        lapsed_links: lapsed,
        lapsing_documents: lapsing,
        new_uploads: uploads,
        awaiting_review,
    })
}

/// Current documents of a required type with a maximum age that runs out within
/// [`LAPSE_WITHIN_DAYS`]: dated between "too old from today" and "too old in 30 days". `since`
/// is the day the buyer's first such document lapses.
async fn lapsing_documents(
    db: &Db,
    settings: &OrganisationSettings,
    at: Timestamp,
) -> Result<Part, Error> {
    let today = at.to_datetime().date_naive();
    let window = chrono::Days::new(LAPSE_WITHIN_DAYS.unsigned_abs());
    // Per type: its name, the oldest date still valid today, the first date not lapsing
    // within the window, its maximum age, and the column dated. An identity document with an
    // expiry date lapses after that day (its last valid day, so a "maximum age" of 0 from it);
    // one without is aged like any other.
    let mut ranges: Vec<(&str, String, String, i64, &str)> = settings
        .required_document_types
        .iter()
        .filter_map(|t| {
            let max_age = i64::from(*settings.document_max_age_days.get(t)?);
            let oldest_valid = today - chrono::Days::new(max_age.unsigned_abs());
            Some((
                t.as_str(),
                oldest_valid.format("%Y-%m-%d").to_string(),
                (oldest_valid + window).format("%Y-%m-%d").to_string(),
                max_age,
                "document_date",
            ))
        })
        .collect();
    for t in settings
        .required_document_types
        .iter()
        .filter(|t| t.is_identity())
    {
        ranges.push((
            t.as_str(),
            today.format("%Y-%m-%d").to_string(),
            (today + window).format("%Y-%m-%d").to_string(),
            0,
            "expires_on",
        ));
    }
    if ranges.is_empty() {
        return Ok(Part::default());
    }
    let branch = |n: usize, column: &str| {
        let undated = if column == "expires_on" {
            ""
        } else {
            " AND expires_on IS NULL"
        };
        format!(
            "SELECT buyer_id, {column} AS document_date FROM documents WHERE status = 'ACTIVE' \
             AND type = ${} AND {column} >= ${} AND {column} < ${}{undated}",
            n * 3 + 1,
            n * 3 + 2,
            n * 3 + 3
        )
    };
    let union: Vec<String> = ranges
        .iter()
        .enumerate()
        .map(|(n, range)| branch(n, range.4))
        .collect();
    let count_sql = format!(
        "SELECT COUNT(DISTINCT buyer_id) AS n FROM ({}) AS d",
        union.join(" UNION ALL ")
    );
    let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql));
    for (t, from, to, _, _) in &ranges {
        count = count.bind(*t).bind(from.as_str()).bind(to.as_str());
    }
    let count: i64 = count.fetch_one(db.pool()).await?.try_get("n")?;
    if count == 0 {
        return Ok(Part::default());
    }
    // The first few of each type, oldest first; merged by the day they lapse.
    let mut first: Vec<Waiting> = Vec::new();
    for (t, from, to, max_age, column) in &ranges {
        let sql = format!(
            "SELECT d.buyer_id, MIN(d.document_date) AS day, b.company_name FROM ({}) AS d \
             JOIN buyers b ON b.id = d.buyer_id GROUP BY d.buyer_id, b.company_name \
             ORDER BY day, d.buyer_id LIMIT {SHOWN}",
            branch(0, column)
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(*t)
            .bind(from.as_str())
            .bind(to.as_str())
            .fetch_all(db.pool())
            .await?;
        for row in &rows {
            let day: String = row.try_get("day")?;
            let Ok(date) = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d") else {
                continue;
            };
            let lapses = date + chrono::Days::new(max_age.unsigned_abs());
            let since = Timestamp::from_millis(
                lapses
                    .and_hms_opt(0, 0, 0)
                    .map(|t| t.and_utc().timestamp_millis())
                    .unwrap_or_default(),
            );
            let buyer_id: String = row.try_get("buyer_id")?;
            match first.iter_mut().find(|w| w.buyer_id == buyer_id) {
                Some(known) if known.since <= since => {}
                Some(known) => known.since = since,
                None => first.push(Waiting {
                    buyer_id,
                    company_name: row.try_get("company_name")?,
                    since,
                }),
            }
        }
    }
    first.sort_by(|a, b| (a.since, &a.buyer_id).cmp(&(b.since, &b.buyer_id)));
    first.truncate(SHOWN.unsigned_abs() as usize);
    Ok(Part { count, first })
}
