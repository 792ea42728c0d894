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
use crate::i18n::Language;
use crate::state::AppState;
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct StartRequest {
    language: Option<String>,
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
async fn start_verification(
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
async fn get_verification(
    _query: Query<NoParameters>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Error> {
    let (seller_id, buyer_id) = path.into_inner();
    let verification = verification::latest_of(&state.db, &seller_id, &buyer_id).await?;
    Ok(json(StatusCode::OK, &verification))
}
