//! Bearer-token authentication for `/v1`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};

use crate::api_tokens;
use crate::error::AppError;
use crate::state::AppState;

/// Middleware: lets a request through only with a live API token, and puts its `ApiClient` in
/// the request's extensions.
pub async fn require_api_token(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(AppError::Unauthorized.into());
    };
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Err(AppError::Internal(anyhow::anyhow!("application state missing")).into());
    };
    let client = api_tokens::authenticate(&state.db, token).await?;
    match client {
        Some(client) => {
            req.extensions_mut().insert(client);
            next.call(req).await
        }
        None => Err(AppError::Unauthorized.into()),
    }
}
