//! Idempotency keys: the first completed response to (client, method, path, key) is kept for at
//! least a day and replayed to retries, so a retried request has exactly one effect.
//!
//! A key is reserved in its own committed row before the work starts: a second request with the
//! same key while the first runs sees the reservation (409) instead of doing the work again.
//! The response is kept in the work's own transaction ([`Reservation::complete_in`]), so the
//! work and its kept response commit together or not at all. A reservation still in flight
//! after [`LEASE`] therefore belongs to a request that died without committing anything, and a
//! retry takes it over; should the first request still be running then, its completion finds
//! the key held by another (the `holder` check) and its whole transaction rolls back.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::db::{Db, now};
use crate::errors::{Conflict, Error, Rule};
use crate::seal::Seal;
use crate::server_key::ServerKey;

/// How long a response is kept for replay.
pub(crate) const KEEP_FOR: chrono::Duration = chrono::Duration::hours(25);

/// How long a reservation may stay in flight before a retry takes it over: far longer than any
/// request takes (the largest upload over a slow line included).
pub const LEASE: chrono::Duration = chrono::Duration::minutes(10);

/// Which request a key belongs to.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The API client (token id) that sent it.
    pub client_id: String,
    /// The HTTP method.
    pub method: String,
    /// The request path.
    pub path: String,
    /// The `Idempotency-Key` header.
    pub key: IdempotencyKey,
}

/// A well-formed `Idempotency-Key` value.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// 1 to 255 visible ASCII characters.
    pub fn parse(text: &str) -> Result<IdempotencyKey, Error> {
        let ok =
            !text.is_empty() && text.len() <= 255 && text.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(IdempotencyKey(text.to_owned()))
        } else {
            Err(Error::invalid("Idempotency-Key", Rule::IdempotencyKey))
        }
    }
}

/// A response as kept for replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedResponse {
    /// HTTP status.
    pub status: u16,
    /// The headers that matter for a replay (content type, location, ...).
    pub headers: Vec<(String, String)>,
    /// The body, byte for byte.
    pub body: Vec<u8>,
}

/// What to do with a request that carries a key.
#[derive(Debug)]
pub enum Begin {
    /// First time: do the work, then `complete` (or `release` on a server fault).
    Started(Reservation),
    /// Done before: send this again.
    Replay(SavedResponse),
    /// The key was used with a different request body.
    Mismatch,
    /// The first request with this key is still running.
    InFlight,
}

/// A held key; whoever holds it does the work.
#[derive(Debug)]
#[must_use]
pub struct Reservation {
    scope: Scope,
    holder: String,
}

/// The fingerprint of a request body: equal bodies, equal fingerprints.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

/// Seals kept response bodies: they can carry secrets (an invitation's link), and the
/// database must not hold those in the clear.
pub struct ResponseSeal(Seal);

impl ResponseSeal {
    /// A seal keyed from the server key.
    pub fn new(key: &ServerKey) -> ResponseSeal {
        ResponseSeal(Seal::new(key, "idempotency-response"))
    }

    fn seal(&self, body: &[u8]) -> Result<Vec<u8>, Error> {
        self.0
            .seal(body)
            .map_err(|e| Error::Internal(anyhow::Error::new(e).context("sealing a kept response")))
    }

    fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, Error> {
        self.0
            .open(sealed)
            .map_err(|e| Error::Internal(anyhow::Error::new(e).context("opening a kept response")))
    }
}

/// Reserves the key, or says why not.
pub async fn begin(
    db: &Db,
    seal: &ResponseSeal,
    scope: Scope,
    request_hash: &str,
) -> Result<Begin, Error> {
    // On PostgreSQL a failed request's key may be released (deleted) between the insert that
    // met it and the read of it: the key is free then, so the reservation is tried again.
    for _ in 0..3 {
        if let Some(begun) = try_begin(db, seal, &scope, request_hash).await? {
            return Ok(begun);
        }
    }
    Ok(Begin::InFlight)
}

/// One attempt of [`begin`]; None when the key met was gone when read.
async fn try_begin(
    db: &Db,
    seal: &ResponseSeal,
    scope: &Scope,
    request_hash: &str,
) -> Result<Option<Begin>, Error> {
    let at = now();
    let expired_before = at.plus(-KEEP_FOR).millis();
    let holder = uuid::Uuid::new_v4().to_string();
    let mut tx = db.begin_write().await?;
    // A key past its lifetime starts afresh.
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE token_id = $1 AND method = $2 AND path = $3 \
         AND idempotency_key = $4 AND created_at < $5",
    )
    .bind(&scope.client_id)
    .bind(&scope.method)
    .bind(&scope.path)
    .bind(&scope.key.0)
    .bind(expired_before)
    .execute(&mut *tx)
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (token_id, method, path, idempotency_key, request_hash, state, created_at, holder) \
         VALUES ($1, $2, $3, $4, $5, 'in_flight', $6, $7) \
         ON CONFLICT (token_id, method, path, idempotency_key) DO NOTHING RETURNING state",
    )
    .bind(&scope.client_id)
    .bind(&scope.method)
    .bind(&scope.path)
    .bind(&scope.key.0)
    .bind(request_hash)
    .bind(at.millis())
    .bind(&holder)
    .fetch_optional(&mut *tx)
    .await?;
    if inserted.is_some() {
        tx.commit().await?;
        return Ok(Some(Begin::Started(Reservation {
            scope: scope.clone(),
            holder,
        })));
    }
    let row = sqlx::query(
        "SELECT request_hash, state, created_at, response_status, response_headers, response_body \
         FROM idempotency_keys WHERE token_id = $1 AND method = $2 AND path = $3 AND idempotency_key = $4",
    )
    .bind(&scope.client_id)
    .bind(&scope.method)
    .bind(&scope.path)
    .bind(&scope.key.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        tx.commit().await?;
        return Ok(None);
    };
    let stored_hash: String = row.try_get("request_hash")?;
    if stored_hash != request_hash {
        tx.commit().await?;
        return Ok(Some(Begin::Mismatch));
    }
    let state: String = row.try_get("state")?;
    if state != "done" {
        let reserved_at: i64 = row.try_get("created_at")?;
        if reserved_at >= at.plus(-LEASE).millis() {
            tx.commit().await?;
            return Ok(Some(Begin::InFlight));
        }
        // Abandoned: its request died before committing anything (the work commits with its
        // response), so this one may do the work.
        let taken = sqlx::query(
            "UPDATE idempotency_keys SET holder = $1, created_at = $2 WHERE token_id = $3 \
             AND method = $4 AND path = $5 AND idempotency_key = $6 AND state = 'in_flight' \
             AND created_at = $7",
        )
        .bind(&holder)
        .bind(at.millis())
        .bind(&scope.client_id)
        .bind(&scope.method)
        .bind(&scope.path)
        .bind(&scope.key.0)
        .bind(reserved_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Ok(Some(if taken.rows_affected() == 1 {
            Begin::Started(Reservation {
                scope: scope.clone(),
                holder,
            })
        } else {
            Begin::InFlight
        }));
    }
    tx.commit().await?;
    let status: i64 = row.try_get("response_status")?;
    let headers: String = row.try_get("response_headers")?;
    Ok(Some(Begin::Replay(SavedResponse {
        status: u16::try_from(status).unwrap_or(500),
        headers: serde_json::from_str(&headers).unwrap_or_default(),
        body: seal.open(&row.try_get::<Vec<u8>, _>("response_body")?)?,
    })))
}

impl Reservation {
    /// Keeps the response for replay, inside the transaction of the work that produced it, so
    /// that both commit together. Fails (and so must roll the work back) when the key was
    /// taken over meanwhile.
    pub async fn complete_in(
        &self,
        conn: &mut AnyConnection,
        seal: &ResponseSeal,
        response: &SavedResponse,
    ) -> Result<(), Error> {
        let headers = serde_json::to_string(&response.headers).unwrap_or_else(|_| "[]".into());
        let body = seal.seal(&response.body)?;
        let done = sqlx::query(
            "UPDATE idempotency_keys SET state = 'done', response_status = $1, response_headers = $2, \
             response_body = $3 WHERE token_id = $4 AND method = $5 AND path = $6 AND idempotency_key = $7 \
             AND state = 'in_flight' AND holder = $8",
        )
        .bind(i64::from(response.status))
        .bind(headers)
        .bind(body)
        .bind(&self.scope.client_id)
        .bind(&self.scope.method)
        .bind(&self.scope.path)
        .bind(&self.scope.key.0)
        .bind(&self.holder)
        .execute(conn)
        .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(Error::Conflict(Conflict::KeyTakenOver))
        }
    }

    /// Keeps a response that changed nothing (a refusal) for replay, on its own.
    pub async fn complete(
        self,
        db: &Db,
        seal: &ResponseSeal,
        response: &SavedResponse,
    ) -> Result<(), Error> {
        let mut tx = db.begin_write().await?;
        self.complete_in(&mut tx, seal, response).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives the key up (the request failed on our side), so a retry may do the work.
    /// Releases the key now, or, while the database cannot be reached, as soon as it can (tried
    /// again for as long as the reservation's lease, after which a retry takes it over anyway).
    pub fn release_eventually(self, db: Db) {
        tokio::spawn(async move {
            let until = now().plus(LEASE);
            let mut pause = std::time::Duration::from_millis(200);
            loop {
                match self.release(&db).await {
                    Ok(()) => return,
                    Err(Error::Unavailable { .. }) if now() < until => {
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(std::time::Duration::from_secs(5));
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not release an idempotency key; a retry takes it over after its lease");
                        return;
                    }
                }
            }
        });
    }

    async fn release(&self, db: &Db) -> Result<(), Error> {
        let mut tx = db.begin_write().await?;
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE token_id = $1 AND method = $2 AND path = $3 \
             AND idempotency_key = $4 AND state = 'in_flight' AND holder = $5",
        )
        .bind(&self.scope.client_id)
        .bind(&self.scope.method)
        .bind(&self.scope.path)
        .bind(&self.scope.key.0)
        .bind(&self.holder)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
