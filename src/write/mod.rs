//! The write transaction of the domain. Every change to buyers and what belongs to them runs in
//! a [`WriteTx`], and its commit does what each change would otherwise have to remember: it
//! writes the audit entries the change recorded, recomputes the KYC status of every buyer
//! whose facts it touched (announcing `kyc.status_changed` when the status moved), writes the
//! events it announced into the outbox (with their dispatch), and commits all of it at once.
//! The audit log and the outbox are written nowhere else.
//!
//! The database transaction starts at the first statement, not when the `WriteTx` is made:
//! work that must happen outside it (storing a document's bytes, asking the identity
//! provider) runs first, and a caller that owns the `WriteTx` (the API's idempotency keys) can
//! add its own rows before committing everything together.

mod log;

use serde_json::Value;
use sqlx::AnyConnection;
use tracing::Instrument;

use crate::audit::{Actor, Subject};
use crate::db::{Db, Timestamp, Tx, now};
use crate::errors::Error;
use crate::events::EventType;
use crate::kyc::status as kyc_status;

/// A domain change in progress.
pub struct WriteTx {
    db: Db,
    actor: Actor,
    tx: Option<Tx>,
    entries: Vec<log::Entry>,
    events: Vec<log::Announced>,
    touched: Vec<String>,
    /// The instant KYC statuses are judged at; now unless the change is a scheduled round
    /// run for another instant.
    as_of: Option<Timestamp>,
    /// Every log line of the change names who made it, by kind (names and addresses stay
    /// out of the log), inside the request's span where there is one.
    span: tracing::Span,
}

impl WriteTx {
    /// A change made by `actor`; nothing is begun yet.
    pub fn new(db: &Db, actor: Actor) -> WriteTx {
        WriteTx {
            db: db.clone(),
            span: tracing::info_span!("change", actor = actor.kind()),
            actor,
            tx: None,
            entries: Vec::new(),
            events: Vec::new(),
            touched: Vec::new(),
            as_of: None,
        }
    }

    /// The same change, judging KYC statuses at `at` instead of now (the scheduled round,
    /// which tests and the operator may run for a chosen instant).
    pub fn as_of(mut self, at: Timestamp) -> WriteTx {
        self.as_of = Some(at);
        self
    }

    /// The change's log span, for the work done inside it.
    pub fn span(&self) -> tracing::Span {
        self.span.clone()
    }

    /// The database, for reads that need no transaction.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Who makes the change.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The transaction's connection; begins the transaction (on SQLite: takes the write lock)
    /// the first time.
    pub async fn conn(&mut self) -> Result<&mut AnyConnection, sqlx::Error> {
        let tx = match self.tx.take() {
            Some(tx) => tx,
            None => self.db.begin_write().await?,
        };
        Ok(&mut **self.tx.insert(tx))
    }

    /// The clause that locks the rows a SELECT reads until the transaction ends.
    pub fn for_update(&self) -> &'static str {
        self.db.for_update()
    }

    /// Records a change of `subject` in the audit history (written at commit). A change of a
    /// buyer's facts (the buyer, its documents, VIES checks, verifications) also has its KYC
    /// status recomputed at commit.
    pub fn record(
        &mut self,
        subject: Subject<'_>,
        action: &str,
        before: Option<Value>,
        after: Option<Value>,
    ) {
        if subject.affects_kyc()
            && let Some(buyer) = subject.buyer_id()
        {
            self.touch(buyer);
        }
        self.entries.push(log::Entry {
            entity_type: subject.entity_type(),
            entity_id: subject.entity_id().to_owned(),
            action: action.to_owned(),
            at: now(),
            before,
            after,
        });
    }

    /// Announces `event` about a buyer (delivered to webhooks after the commit).
    pub fn announce(&mut self, event: EventType, buyer_id: &str, data: Value) {
        self.events.push(log::Announced {
            event,
            buyer_id: buyer_id.to_owned(),
            data,
        });
    }

    /// Has the buyer's KYC status recomputed at commit without a change to record: for what
    /// changes with time or with the organisation's requirements.
    pub fn touch(&mut self, buyer_id: &str) {
        if !self.touched.iter().any(|b| b == buyer_id) {
            self.touched.push(buyer_id.to_owned());
        }
    }

    /// Refreshes the touched buyers' KYC statuses, writes the audit entries and the events,
    /// and commits. A change that never began and recorded nothing commits nothing.
    pub async fn commit(mut self) -> Result<(), Error> {
        if self.tx.is_none()
            && self.entries.is_empty()
            && self.events.is_empty()
            && self.touched.is_empty()
        {
            return Ok(());
        }
        let lock = self.for_update();
        let at = self.as_of.unwrap_or_else(now);
        for buyer_id in std::mem::take(&mut self.touched) {
            let conn = self.conn().await?;
            if let Some(data) = kyc_status::refresh_in(conn, lock, &buyer_id, at).await? {
                self.announce(EventType::StatusChanged, &buyer_id, data);
            }
        }
        let entries = std::mem::take(&mut self.entries);
        let events = std::mem::take(&mut self.events);
        let actor = self.actor.to_string();
        let conn = self.conn().await?;
        log::write_entries(conn, &actor, &entries).await?;
        log::write_events(conn, &events).await?;
        let saves_settings = entries
            .iter()
            .any(|e| e.entity_type == Subject::Settings.entity_type());
        match self.tx.take() {
            Some(tx) if saves_settings => tx.commit_saving_settings().await?,
            Some(tx) => tx.commit().await?,
            None => {}
        }
        tracing::debug!(
            parent: &self.span,
            changes = ?entries.iter().map(|e| (e.entity_type, e.action.as_str())).collect::<Vec<_>>(),
            events = ?events.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
            "committed"
        );
        Ok(())
    }
}

/// Runs `work` as one change by `actor` and commits it.
pub async fn apply<T>(
    db: &Db,
    actor: Actor,
    work: impl AsyncFnOnce(&mut WriteTx) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut tx = WriteTx::new(db, actor);
    let span = tx.span();
    let value = work(&mut tx).instrument(span).await?;
    tx.commit().await?;
    Ok(value)
}
