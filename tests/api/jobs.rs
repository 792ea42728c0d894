use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use kyc_portal::db::{Db, now};
use kyc_portal::jobs::{self, JobError, JobHandler, JobStatus, Queue, Step, Worker, WorkerOptions};
use serde_json::{Value, json};

use crate::helpers::*;

/// A database of its own for a queue test; None when the backend is unavailable.
async fn queue_db(backend: Backend) -> Option<(Db, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(backend, &dir).await?;
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    Some((db, dir))
}

async fn enqueue(db: &Db, kind: &str, payload: Value, max_attempts: Option<i64>) -> String {
    let mut tx = db.begin_write().await.unwrap();
    let id = jobs::enqueue(&mut tx, kind, &payload, max_attempts)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// Records every payload it runs.
#[derive(Default)]
struct Recorder {
    runs: Mutex<Vec<Value>>,
}

impl JobHandler for Recorder {
    fn run<'a>(&'a self, payload: &'a Value) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            self.runs.lock().unwrap().push(payload.clone());
            tokio::task::yield_now().await;
            Ok(())
        })
    }
}

/// Always fails with a temporary error.
struct Flaky(AtomicUsize);

impl JobHandler for Flaky {
    fn run<'a>(&'a self, _: &'a Value) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            self.0.fetch_add(1, Ordering::SeqCst);
            Err(JobError::Retry("receiver answered 503".into()))
        })
    }
}

/// Steps `worker` until `done` holds, for at most ten seconds.
async fn step_until(worker: &Worker, mut done: impl FnMut(&Step) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let step = worker.step().await.unwrap();
        if done(&step) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "condition not reached in time; last step {step:?}"
        );
        if step == Step::Idle {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

macro_rules! on_both_databases {
    ($(async fn $name:ident($db:ident) $body:block)*) => {$(
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let Some(($db, _dir)) = queue_db(Backend::Sqlite).await else { return };
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(($db, _dir)) = queue_db(Backend::Postgres).await else { return };
                $body
            }
        }
    )*};
}

on_both_databases! {
    async fn a_job_runs_once(db) {
        let recorder = Arc::new(Recorder::default());
        let worker = Worker::new(db.clone(), quick_worker()).register("record", recorder.clone());
        let id = enqueue(&db, "record", json!({"n": 1}), None).await;

        assert_eq!(worker.step().await.unwrap(), Step::Done(id.clone()));
        assert_eq!(worker.step().await.unwrap(), Step::Idle);
        assert_eq!(*recorder.runs.lock().unwrap(), [json!({"n": 1})]);
        assert_eq!(jobs::status_of(&db, &id).await.unwrap().unwrap().status, JobStatus::Done);
    }

    async fn a_failing_job_is_retried_with_backoff_and_then_kept_as_failed(db) {
        let flaky = Arc::new(Flaky(AtomicUsize::new(0)));
        let worker = Worker::new(db.clone(), quick_worker()).register("flaky", flaky.clone());
        let id = enqueue(&db, "flaky", json!({}), Some(3)).await;

        for (attempt, min_delay_ms) in [(1, 50), (2, 100)] {
            let before = now().millis();
            step_until(&worker, |s| *s == Step::Retrying(id.clone())).await;
            let state = jobs::status_of(&db, &id).await.unwrap().unwrap();
            assert_eq!(state.status, JobStatus::Queued);
            assert_eq!(state.attempts, attempt);
            assert!(state.run_at.millis() - before >= min_delay_ms, "attempt {attempt} retried too early");
        }
        step_until(&worker, |s| *s == Step::Failed(id.clone())).await;
        let state = jobs::status_of(&db, &id).await.unwrap().unwrap();
        assert_eq!(state.status, JobStatus::Failed);
        assert_eq!(state.attempts, 3);
        assert_eq!(state.last_error.as_deref(), Some("receiver answered 503"));
        assert_eq!(flaky.0.load(Ordering::SeqCst), 3);
        assert_eq!(worker.step().await.unwrap(), Step::Idle);
    }

    async fn two_workers_on_one_queue_never_run_the_same_job_twice(db) {
        let recorder = Arc::new(Recorder::default());
        let first = Worker::new(db.clone(), quick_worker()).register("record", recorder.clone());
        let second = Worker::new(db.clone(), quick_worker()).register("record", recorder.clone());
        for n in 0..40 {
            enqueue(&db, "record", json!(n), None).await;
        }
        let drain = |worker: Worker| async move {
            while worker.step().await.unwrap() != Step::Idle {}
        };
        tokio::join!(tokio::spawn(drain(first)), tokio::spawn(drain(second))).0.unwrap();

        let runs = recorder.runs.lock().unwrap().clone();
        let distinct: HashSet<String> = runs.iter().map(Value::to_string).collect();
        assert_eq!(runs.len(), 40, "{runs:?}");
        assert_eq!(distinct.len(), 40);
    }

    async fn a_job_whose_worker_died_is_picked_up_again_after_its_lease(db) {
        let id = enqueue(&db, "record", json!("orphaned"), None).await;
        // A worker claims the job with a short lease, then dies without settling it.
        let dead = Queue::new(db.clone(), "dead-worker".into());
        let claimed = dead.claim(Duration::from_millis(300)).await.unwrap().unwrap();
        assert_eq!(claimed.id, id);

        let recorder = Arc::new(Recorder::default());
        let survivor = Worker::new(db.clone(), WorkerOptions { lease: Duration::from_secs(30), ..quick_worker() })
            .register("record", recorder.clone());
        assert_eq!(survivor.step().await.unwrap(), Step::Idle, "the lease still holds");
        step_until(&survivor, |s| *s == Step::Done(id.clone())).await;

        assert_eq!(*recorder.runs.lock().unwrap(), [json!("orphaned")]);
        assert_eq!(jobs::status_of(&db, &id).await.unwrap().unwrap().attempts, 2);
        assert!(!dead.complete(&claimed).await.unwrap(), "the dead worker lost its claim");
    }
}
