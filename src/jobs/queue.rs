//! Persistence of jobs: enqueue inside a transaction, claim with a lease, settle.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use sqlx::{AnyConnection, AnyExecutor, AssertSqlSafe, Row};

use crate::db::{Db, Timestamp, now};

/// How many times a job runs before it is kept as failed, unless the caller says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i64 = 8;

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobStatus {
    /// Waiting for its `run_at`.
    Queued,
    /// Claimed by a worker whose lease has not run out.
    Running,
    /// Finished.
    Done,
    /// Gave up after its last attempt; `last_error` says why.
    Failed,
}

impl JobStatus {
    fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }

    fn parse(text: &str) -> JobStatus {
        match text {
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "failed" => JobStatus::Failed,
            _ => JobStatus::Queued,
        }
    }
}

/// Puts a job on the queue inside the caller's transaction; returns its id.
pub async fn enqueue(
    conn: &mut AnyConnection,
    kind: &str,
    payload: &Value,
    max_attempts: Option<i64>,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let at = now().millis();
    sqlx::query(
        "INSERT INTO jobs (id, kind, payload, status, attempts, max_attempts, run_at, created_at, updated_at) \
         VALUES ($1, $2, $3, 'queued', 0, $4, $5, $5, $5)",
    )
    .bind(&id)
    .bind(kind)
    .bind(payload.to_string())
    .bind(max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS))
    .bind(at)
    .execute(conn)
    .await?;
    Ok(id)
}

/// A job a worker holds until its lease runs out.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    /// The job's id.
    pub id: String,
    /// Which handler runs it.
    pub kind: String,
    /// The handler's input.
    pub payload: Value,
    /// This attempt's number, from 1.
    pub attempt: i64,
    /// Attempts allowed in all.
    pub max_attempts: i64,
}

/// A job as stored (for tests, the staff pages and diagnostics).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobState {
    /// Where it stands.
    pub status: JobStatus,
    /// Attempts made so far.
    pub attempts: i64,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    /// When it may run next.
    pub run_at: Timestamp,
}

/// When the waiting job of `kind` with exactly this `payload` runs next (None when there is
/// none waiting, also while it runs).
pub async fn next_run<'e>(
    conn: impl AnyExecutor<'e>,
    kind: &str,
    payload: &Value,
) -> Result<Option<Timestamp>, sqlx::Error> {
    // The payload is compared as `enqueue` wrote it, by the same serialiser.
    let run_at: Option<i64> = sqlx::query_scalar(
        "SELECT run_at FROM jobs WHERE status = 'queued' AND kind = $1 AND payload = $2",
    )
    .bind(kind)
    .bind(payload.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(run_at.map(Timestamp::from_millis))
}

/// The current state of one job.
pub async fn status_of(db: &Db, id: &str) -> Result<Option<JobState>, sqlx::Error> {
    let row = sqlx::query("SELECT status, attempts, last_error, run_at FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|row| {
        Ok(JobState {
            status: JobStatus::parse(&row.try_get::<String, _>("status")?),
            attempts: row.try_get("attempts")?,
            last_error: row.try_get("last_error")?,
            run_at: Timestamp::from_millis(row.try_get("run_at")?),
        })
    })
    .transpose()
}

/// The queue as one worker sees it.
#[derive(Clone)]
pub struct Queue {
    db: Db,
    worker_id: String,
}

impl Queue {
    /// A view of the queue for the worker named `worker_id`.
    pub fn new(db: Db, worker_id: String) -> Queue {
        Queue { db, worker_id }
    }

    /// The same queue for a worker named `worker_id`.
    pub fn renamed(&self, worker_id: String) -> Queue {
        Queue {
            db: self.db.clone(),
            worker_id,
        }
    }

    /// Takes the next due job (or one whose worker's lease ran out) and holds it for `lease`.
    pub async fn claim(&self, lease: Duration) -> Result<Option<ClaimedJob>, sqlx::Error> {
        let at = now();
        let until = at.plus(chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX));
        let sql = format!(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1, \
             locked_until = $2, updated_at = $3 \
             WHERE id = (SELECT id FROM jobs \
                         WHERE (status = 'queued' AND run_at <= $3) \
                            OR (status = 'running' AND locked_until < $3) \
                         ORDER BY run_at, id LIMIT 1 {}) \
             RETURNING id, kind, payload, attempts, max_attempts",
            self.db.skip_locked()
        );
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(&self.worker_id)
            .bind(until.millis())
            .bind(at.millis())
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        let Some(row) = row else { return Ok(None) };
        let payload: String = row.try_get("payload")?;
        Ok(Some(ClaimedJob {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
            attempt: row.try_get("attempts")?,
            max_attempts: row.try_get("max_attempts")?,
        }))
    }

    /// Marks a held job done. False when the lease was lost to another worker meanwhile.
    pub async fn complete(&self, job: &ClaimedJob) -> Result<bool, sqlx::Error> {
        self.settle(job, JobStatus::Done, None, now()).await
    }

    /// Records a failed attempt: back on the queue at `retry_at`, or failed for good.
    pub async fn fail(
        &self,
        job: &ClaimedJob,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<bool, sqlx::Error> {
        match retry_at {
            Some(at) if job.attempt < job.max_attempts => {
                self.settle(job, JobStatus::Queued, Some(error), at).await
            }
            _ => {
                self.settle(job, JobStatus::Failed, Some(error), now())
                    .await
            }
        }
    }

    async fn settle(
        &self,
        job: &ClaimedJob,
        status: JobStatus,
        error: Option<&str>,
        run_at: Timestamp,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.db.begin_write().await?;
        let done = sqlx::query(
            "UPDATE jobs SET status = $1, last_error = COALESCE($2, last_error), run_at = $3, \
             locked_by = NULL, locked_until = NULL, updated_at = $4 \
             WHERE id = $5 AND locked_by = $6 AND status = 'running'",
        )
        .bind(status.as_str())
        .bind(error)
        .bind(run_at.millis())
        .bind(now().millis())
        .bind(&job.id)
        .bind(&self.worker_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}
