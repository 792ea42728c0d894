//! `Idempotency-Key` on POST and PATCH: reserve, run once, keep the response, replay it.

use actix_web::body::to_bytes;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use tracing::Instrument;

use crate::api_tokens::ApiClient;
use crate::errors::{Conflict, Error, Rule};
use crate::idempotency::{self, Begin, IdempotencyKey, SavedResponse, Scope};
use crate::state::AppState;
use crate::write::WriteTx;

const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// Headers worth replaying; the rest (date, request id) belong to each response.
const KEPT_HEADERS: [&str; 4] = ["content-type", "location", "etag", "content-disposition"];

/// Runs `work` as one change by `client`, at most once per `Idempotency-Key` (when the request
/// has one): the response `work` makes is kept in the same transaction as the change, so a
/// retry replays it and a crash leaves neither. `fingerprint` identifies the request body.
pub async fn run(
    req: &HttpRequest,
    state: &AppState,
    client: &ApiClient,
    fingerprint: String,
    work: impl AsyncFnOnce(&mut WriteTx) -> Result<HttpResponse, Error>,
) -> Result<HttpResponse, Error> {
    let mut tx = WriteTx::new(&state.db, client.actor());
    let span = tx.span();
    let Some(key) = req.headers().get("idempotency-key") else {
        let response = work(&mut tx).instrument(span).await?;
        tx.commit().await?;
        return Ok(response);
    };
    let key = IdempotencyKey::parse(key.to_str().unwrap_or_default())?;
    let scope = Scope {
        client_id: client.id.clone(),
        method: req.method().to_string(),
        path: req.path().to_owned(),
        key,
    };
    let db = &state.db;
    let reservation = match idempotency::begin(db, &state.seal, scope, &fingerprint).await? {
        Begin::Started(reservation) => reservation,
        Begin::Replay(saved) => return Ok(replay(saved)),
        Begin::Mismatch => {
            return Err(Error::invalid(
                "Idempotency-Key",
                Rule::IdempotencyKeyReused,
            ));
        }
        Begin::InFlight => {
            return Err(Error::Conflict(Conflict::KeyInFlight));
        }
    };
    match work(&mut tx).instrument(span).await {
        Ok(response) if !response.status().is_server_error() => {
            let (saved, response) = capture(response).await?;
            let kept = async {
                reservation
                    .complete_in(tx.conn().await?, &state.seal, &saved)
                    .await?;
                tx.commit().await
            }
            .await;
            if let Err(e) = kept {
                // Lost with the database (or refused): the key is freed once the database
                // answers, so that a retry does the work, unless the commit got through, in
                // which case the retry replays it.
                reservation.release_eventually(db.clone());
                return Err(e);
            }
            Ok(response)
        }
        outcome => {
            // Nothing of the work is kept: the transaction rolls back here.
            drop(tx);
            let response = outcome.unwrap_or_else(|e| e.error_response());
            if response.status().is_server_error() {
                reservation.release_eventually(db.clone());
                return Ok(response);
            }
            // A refusal changed nothing; it is kept so that retries get the same answer.
            let (saved, response) = capture(response).await?;
            reservation.complete(db, &state.seal, &saved).await?;
            Ok(response)
        }
    }
}

async fn capture(response: HttpResponse) -> Result<(SavedResponse, HttpResponse), Error> {
    let status = response.status();
    let headers: Vec<(String, String)> = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = response.headers().get(*name)?.to_str().ok()?;
            Some(((*name).to_owned(), value.to_owned()))
        })
        .collect();
    let (response, body) = response.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|_| Error::Internal(anyhow::anyhow!("response body could not be read")))?;
    let saved = SavedResponse {
        status: status.as_u16(),
        headers,
        body: bytes.to_vec(),
    };
    Ok((saved, response.set_body(bytes).map_into_boxed_body()))
}

fn replay(saved: SavedResponse) -> HttpResponse {
    let mut builder =
        HttpResponse::build(StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK));
    for (name, value) in &saved.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(value),
        ) {
            builder.insert_header((name, value));
        }
    }
    builder.insert_header((REPLAYED, HeaderValue::from_static("true")));
    builder.body(saved.body)
}
