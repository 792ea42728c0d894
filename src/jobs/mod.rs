//! The background job queue: rows in the application's database, written in the same
//! transaction as the change that needs them (so a job is never lost nor sent for a change that
//! rolled back), claimed with a lease by any instance's worker, retried with exponential backoff,
//! and kept with their last error when they give up.

mod queue;
mod worker;

pub use queue::{ClaimedJob, JobState, JobStatus, Queue, enqueue, next_run, status_of};
pub use worker::{Backoff, JobError, JobHandler, Step, Worker, WorkerOptions};
