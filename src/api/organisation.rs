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
async fn get_organisation(
    _query: Query<NoParameters>,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let settings = organisation::load(&state.db).await?;
    conditional::fresh_json(&req, &resource::OrganisationView::of(&settings), None)
}

/// `PATCH /v1/organisation` — organisation API clients: a merge patch of `capabilities`,
/// `requiredDocumentTypes` and `viesRequesterVatNumber`; 200 with the organisation.
async fn patch_organisation(
    _query: Query<NoParameters>,
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, Error> {
    if client.scope != SellerScope::Organisation {
        return Err(Error::Forbidden(Forbidden::SellerTokenChangesOrganisation));
    }
    let body = JsonBody::parse(&body)?;
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
