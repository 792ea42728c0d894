//! `/v1/organisation`: what the organisation allows and requires, readable by every API
//! client; organisation tokens change it.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::body::JsonBody;
use super::conditional;
use super::idempotent::run;
use super::json;
use super::query::{NoParameters, Query};
use crate::access::SellerScope;
use crate::api_tokens::ApiClient;
use crate::errors::{Error, Forbidden};
use crate::http::error::ProblemDocument;
use crate::organisation::resource::{OrganisationPatch, OrganisationView};
use crate::organisation::{self, resource};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/organisation")
            .route(web::get().to(get_organisation))
            .route(web::patch().to(patch_organisation)),
    );
}

/// `GET /v1/organisation` — any API client; 304 for a current `If-None-Match`.
#[utoipa::path(
    get,
    path = "/v1/organisation",
    tag = "Organisation",
    params(
        ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer: 304 while nothing changed"),
    ),
    responses(
        (status = 200, description = "The organisation", body = OrganisationView, headers(("ETag" = String, description = "The entity tag of the body"))),
        (status = 304, description = "Not modified", headers(("ETag" = String, description = "The entity tag of the body"))),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn get_organisation(
    _query: Query<NoParameters>,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let settings = organisation::load(&state.db).await?;
    conditional::fresh_json(&req, &resource::OrganisationView::of(&settings), None)
}

/// `PATCH /v1/organisation` — organisation API clients: a merge patch of `capabilities`,
/// `requiredDocumentTypes` and `viesRequesterVatNumber`; 200 with the organisation.
#[utoipa::path(
    patch,
    path = "/v1/organisation",
    tag = "Organisation",
    params(
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "A retry with the same key gets the first response again (24 h)"),
    ),
    request_body(content = OrganisationPatch, description = "A merge patch: a field left out keeps its value", content_type = "application/json"),
    responses(
        (status = 200, description = "The changed organisation", body = OrganisationView),
        (status = 400, description = "The request could not be read (broken JSON or form)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, description = "The token may not do this", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The request contradicts the current state", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, description = "The body is not of a content type this operation reads", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn patch_organisation(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    if client.scope != SellerScope::Organisation {
        return Err(Error::Forbidden(Forbidden::SellerTokenChangesOrganisation));
    }
    let body = JsonBody::parse_patch(&body)?;
    run(&req, &state, &client, body.fingerprint(), async |tx| {
        let current = organisation::load_in(&mut *tx.conn().await?).await?;
        let settings = resource::apply_patch(&current, body.value.clone())?;
        organisation::save(tx, &settings).await?;
        Ok(json(
            StatusCode::OK,
            &resource::OrganisationView::of(&settings),
        ))
    })
    .await
}
