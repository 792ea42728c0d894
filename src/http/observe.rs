//! One structured log line and one metric sample per request, keyed by the route pattern
//! (`/kyc/{token}`), never the raw path, so secrets in paths are never written anywhere; and a
//! request id on every response and on every log line written while the request ran (a
//! failure's log line included), so a quoted id finds what happened.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use tracing::Instrument;

use super::unavailable::Cause;
use crate::telemetry::Metrics;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Middleware: times the request, counts it, logs one line and tags the response and the log
/// lines written meanwhile with a request id.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let span = tracing::info_span!("request", request_id = %request_id);
    let result = next.call(req).instrument(span).await;
    let elapsed = started.elapsed();
    let (status, cause) = match &result {
        Ok(res) => (
            res.status().as_u16(),
            res.response().extensions().get::<Cause>().copied(),
        ),
        Err(e) => (
            e.as_response_error().status_code().as_u16(),
            match e.as_error::<crate::errors::Error>() {
                Some(crate::errors::Error::Unavailable { what, .. }) => Some(Cause(what.cause())),
                _ => None,
            },
        ),
    };
    if let Some(metrics) = metrics {
        metrics.observe(&route, &method, status, elapsed.as_secs_f64());
        if status == 503 {
            metrics.unavailable(cause.map_or("other", |Cause(cause)| cause));
        }
    }
    tracing::info!(
        request_id = %request_id,
        method = %method,
        route = %route,
        status,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    result.map(|mut res| {
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            res.headers_mut().insert(REQUEST_ID, value);
        }
        res
    })
}

/// The id of the current request, in its extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);
