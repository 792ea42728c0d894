//! NT24_LED identity verification: start one (or get the running one back) and read the
//! buyer's current one.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::body::JsonBody;
use super::idempotent::run;
use super::json;
use super::query::{NoParameters, Query};
use crate::api_tokens::ApiClient;
use crate::errors::Error;
use crate::http::error::ProblemDocument;
use crate::i18n::Language;
use crate::state::AppState;
use crate::verification::model::Verification;
use crate::verification::{self, StartContext, StartOptions, Started};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/kyc/verify")
            .route(web::post().to(start_verification)),
    )
    .service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/kyc/verification")
            .route(web::get().to(get_verification)),
    );
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct StartRequest {
    /// `de` or `en`.
    #[schema(nullable = false, pattern = "^(de|en)$")]
    language: Option<String>,
    /// Whether the portal emails the link (default true).
    #[schema(nullable = false)]
    send_email: Option<bool>,
}

impl StartRequest {
    fn parse(self) -> Result<StartOptions, Error> {
        let language = self
            .language
            .map(|code| Language::parse_field("language", &code))
            .transpose()?;
        Ok(StartOptions {
            language,
            // The portal emails the session link unless the caller sends it itself.
            send_email: self.send_email.unwrap_or(true),
        })
    }
}

/// `POST .../kyc/verify` — any API client: `{language?, sendEmail?}`. 201 with a new
/// verification (its `sessionUrl`, `expiresAt`, status `PENDING`), or 200 with the one still
/// running; 409 for MARKETPLACE_LED or blocked buyers.
#[utoipa::path(
    post,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/kyc/verify",
    tag = "Verification",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    request_body(content = StartRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "A new verification", body = Verification, headers(("Location" = String, description = "Where the new resource is"))),
        (status = 200, description = "The verification still running", body = Verification),
        (status = 502, description = "The provider answered with something unusable", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, description = "The provider is not configured or did not answer", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
        (status = 400, description = "The request could not be read (broken JSON or form)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "The token may not do this", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The request contradicts the current state", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "The body is not of a content type this operation reads", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn start_verification(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    let body = JsonBody::parse(&body)?;
    let (seller_id, buyer_id) = path.into_inner();
    run(&req, &state, &client, body.fingerprint(), async |tx| {
        let options = body.to::<StartRequest>()?.parse()?;
        let context = StartContext {
            provider: state.provider.as_ref(),
            public_url: &state.settings.public_url,
        };
        let started = verification::start(tx, context, &seller_id, &buyer_id, options).await?;
        let (status, verification) = match started {
            Started::New(v) => (StatusCode::CREATED, v),
            Started::Running(v) => (StatusCode::OK, v),
        };
        let mut response = json(status, &verification);
        let location = format!("/v1/partners/{seller_id}/buyers/{buyer_id}/kyc/verification");
        if let Ok(location) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        Ok(response)
    })
    .await
}

/// `GET .../kyc/verification` — any API client: the buyer's current verification (404 when
/// none was started).
#[utoipa::path(
    get,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/kyc/verification",
    tag = "Verification",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
    ),
    responses(
        (status = 200, description = "The current verification", body = Verification),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn get_verification(
    _query: Query<NoParameters>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (seller_id, buyer_id) = path.into_inner();
    let verification = verification::latest_of(&state.db, &seller_id, &buyer_id).await?;
    Ok(json(StatusCode::OK, &verification))
}
