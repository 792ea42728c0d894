//! The in-process worker: claims jobs one at a time and runs the handler registered for their
//! kind. Several workers (in one or many instances) can share one queue.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::queue::{ClaimedJob, Queue};
use crate::db::{Db, is_unavailable, now};
use crate::errors::Unavailability;
use crate::errors::availability;

/// Why an attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth trying again later (network trouble, a busy server).
    #[error("{0}")]
    Retry(String),
    /// Trying again cannot help (bad payload, a definite refusal).
    #[error("{0}")]
    Permanent(String),
}

/// Runs jobs of one kind.
pub trait JobHandler: Send + Sync {
    /// Does the work for one job. Handlers must tolerate running twice for one job (a worker
    /// may die after the work and before recording it).
    fn run<'a>(&'a self, payload: &'a Value) -> BoxFuture<'a, Result<(), JobError>>;

    /// Called once when the job is kept as failed (after its last attempt), so the handler can
    /// make the failure visible where people look.
    fn gave_up<'a>(&'a self, _payload: &'a Value, _error: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

/// Delay before retry n (from 1): `base * 2^(n-1)`, at most `max`.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// The first delay.
    pub base: Duration,
    /// The longest delay.
    pub max: Duration,
}

impl Backoff {
    /// The delay after the `attempt`-th failure.
    pub fn delay(&self, attempt: i64) -> Duration {
        let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        self.base
            .checked_mul(2u32.saturating_pow(exponent))
            .map_or(self.max, |d| d.min(self.max))
    }
}

/// How a worker behaves.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// How long a claimed job is held before another worker may take it over.
    pub lease: Duration,
    /// How long to wait when the queue is empty.
    pub idle_poll: Duration,
    /// Delays between attempts.
    pub backoff: Backoff,
}

impl Default for WorkerOptions {
    fn default() -> WorkerOptions {
        WorkerOptions {
            lease: Duration::from_secs(300),
            idle_poll: Duration::from_millis(500),
            backoff: Backoff {
                base: Duration::from_secs(5),
                max: Duration::from_secs(3600),
            },
        }
    }
}

/// What one step of the worker did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The queue had nothing due.
    Idle,
    /// A job ran and succeeded.
    Done(String),
    /// A job failed and will be tried again.
    Retrying(String),
    /// A job failed for good.
    Failed(String),
}

/// Claims and runs jobs.
#[derive(Clone)]
pub struct Worker {
    queue: Queue,
    handlers: Arc<HashMap<String, Arc<dyn JobHandler>>>,
    options: WorkerOptions,
}

impl Worker {
    /// A worker with a fresh unique name.
    pub fn new(db: Db, options: WorkerOptions) -> Worker {
        let name = format!("worker-{}", uuid::Uuid::new_v4());
        Worker {
            queue: Queue::new(db, name),
            handlers: Arc::new(HashMap::new()),
            options,
        }
    }

    /// Another worker with the same handlers and options under a name of its own, to run
    /// beside this one (so that one slow job does not hold up the others).
    pub fn sibling(&self) -> Worker {
        Worker {
            queue: self
                .queue
                .renamed(format!("worker-{}", uuid::Uuid::new_v4())),
            handlers: Arc::clone(&self.handlers),
            options: self.options.clone(),
        }
    }

    /// Registers the handler for jobs of `kind`.
    pub fn register(mut self, kind: &str, handler: Arc<dyn JobHandler>) -> Worker {
        Arc::make_mut(&mut self.handlers).insert(kind.to_owned(), handler);
        self
    }

    /// Claims one due job, if any, and runs it to its end.
    pub async fn step(&self) -> Result<Step, sqlx::Error> {
        let Some(job) = self.queue.claim(self.options.lease).await? else {
            return Ok(Step::Idle);
        };
        let outcome = if job.attempt > job.max_attempts {
            // Its worker died on the last attempt: do not run it beyond what was allowed.
            Err(JobError::Permanent(
                "the worker stopped during the last attempt".into(),
            ))
        } else {
            match self.handlers.get(&job.kind) {
                Some(handler) => handler.run(&job.payload).await,
                None => Err(JobError::Permanent(format!(
                    "no handler for jobs of kind {}",
                    job.kind
                ))),
            }
        };
        self.settle(&job, outcome).await
    }

    async fn settle(
        &self,
        job: &ClaimedJob,
        outcome: Result<(), JobError>,
    ) -> Result<Step, sqlx::Error> {
        match outcome {
            Ok(()) => {
                self.queue.complete(job).await?;
                Ok(Step::Done(job.id.clone()))
            }
            Err(error) => {
                let message = error.to_string();
                let retry_at = match error {
                    JobError::Retry(_) if job.attempt < job.max_attempts => {
                        let delay = self.options.backoff.delay(job.attempt);
                        Some(now().plus(
                            chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX),
                        ))
                    }
                    _ => None,
                };
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempt, error = %message, "job attempt failed");
                let still_ours = self.queue.fail(job, &message, retry_at).await?;
                if retry_at.is_some() {
                    return Ok(Step::Retrying(job.id.clone()));
                }
                // Only the worker that holds the job may declare it lost: another one may have
                // taken it over after this one's lease ran out.
                if let Some(handler) = self.handlers.get(&job.kind).filter(|_| still_ours) {
                    handler.gave_up(&job.payload, &message).await;
                }
                Ok(Step::Failed(job.id.clone()))
            }
        }
    }

    /// Runs jobs until `stop` is cancelled; a job under way is finished first.
    /// While the database is unreachable the worker waits longer and longer between tries
    /// (up to `MAX_PAUSE`), and takes up its jobs again by itself once it answers.
    pub async fn run_until_stopped(self, stop: CancellationToken) {
        let mut failures: u32 = 0;
        loop {
            if stop.is_cancelled() {
                return;
            }
            let pause = match self.step().await {
                Ok(Step::Idle) => {
                    failures = 0;
                    Some(self.options.idle_poll)
                }
                Ok(_) => {
                    failures = 0;
                    None
                }
                Err(error) => {
                    if is_unavailable(&error) {
                        availability::lost(Unavailability::Database, &error);
                    } else {
                        tracing::error!(error = %error, "job queue failed");
                    }
                    failures = failures.saturating_add(1);
                    Some(pause_after(self.options.idle_poll, failures))
                }
            };
            if let Some(pause) = pause {
                tokio::select! {
                    () = stop.cancelled() => return,
                    () = tokio::time::sleep(pause) => {}
                }
            }
        }
    }
}

/// The longest pause between tries while the job queue cannot be reached.
const MAX_PAUSE: Duration = Duration::from_secs(10);

/// The pause after `failures` failed tries in a row: the idle poll, doubled with each failure.
fn pause_after(idle_poll: Duration, failures: u32) -> Duration {
    idle_poll
        .saturating_mul(2u32.saturating_pow(failures.min(16)))
        .min(MAX_PAUSE)
}
