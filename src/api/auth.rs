//! Bearer-token authentication for `/v1`, and the two rules every route gets from it without
//! asking: a read-only token only reads, and a seller's token reaches nothing under another
//! seller's `/partners/{sellerId}`.

use std::future::{Ready, ready};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::access::TokenAccess;
use crate::api_tokens::{self, ApiClient};
use crate::errors::{Error, Forbidden};
use crate::state::AppState;

/// The token of an `Authorization` header: the scheme is case-insensitive (RFC 9110 §11.1).
fn bearer_token(req: &ServiceRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The seller a path under `/v1/partners/{sellerId}` names, if it is one.
fn seller_in_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/v1/partners/")?;
    let seller = rest.split('/').next()?;
    (!seller.is_empty()).then_some(seller)
}

/// Middleware: lets a request through only with a live API token within its rights, and puts
/// its `ApiClient` in the request's extensions.
pub async fn require_api_token(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(token) = bearer_token(&req) else {
        return Err(Error::Unauthorized.into());
    };
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Err(Error::Internal(anyhow::anyhow!("application state missing")).into());
    };
    let Some(client) = api_tokens::authenticate(&state.db, token).await? else {
        return Err(Error::Unauthorized.into());
    };
    let reads = matches!(*req.method(), Method::GET | Method::HEAD);
    if client.access == TokenAccess::ReadOnly && !reads {
        return Err(Error::Forbidden(Forbidden::ReadOnlyToken).into());
    }
    // A seller's own id is plain text; anything else (another seller, or an encoded form of
    // an id) is as unknown to this token as a seller that does not exist.
    if let Some(seller) = seller_in_path(req.path())
        && !client.scope.permits(seller)
    {
        return Err(Error::NotFound("seller").into());
    }
    req.extensions_mut().insert(client);
    next.call(req).await
}

/// The API client of an authenticated request, for handlers to take as an argument.
impl FromRequest for ApiClient {
    type Error = Error;
    type Future = Ready<Result<ApiClient, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<ApiClient>()
                .cloned()
                .ok_or(Error::Unauthorized),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::seller_in_path;

    #[test]
    fn the_seller_of_a_partners_path_is_its_first_segment() {
        assert_eq!(seller_in_path("/v1/partners/s1"), Some("s1"));
        assert_eq!(seller_in_path("/v1/partners/s1/buyers/b2/kyc"), Some("s1"));
        assert_eq!(seller_in_path("/v1/partners"), None);
        assert_eq!(seller_in_path("/v1/partners/"), None);
        assert_eq!(seller_in_path("/v1/documents/d1"), None);
    }
}
