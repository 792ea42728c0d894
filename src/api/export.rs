//! `GET .../buyers/{buyerId}/export`: the buyer's full record as one ZIP.

use actix_web::{HttpRequest, HttpResponse, web};

use super::profile::{LanguageQuery, requested_language};
use super::query::Query;
use crate::api_tokens::ApiClient;
use crate::errors::Error;
use crate::export::{self, Audience, Exporting};
use crate::http::download;
use crate::http::error::ProblemDocument;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/export")
            .route(web::get().to(export_buyer)),
    );
}

/// `GET .../export` — any API client of the buyer's seller: the ZIP, streamed.
#[utoipa::path(
    get,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/export",
    tag = "Buyers",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("lang" = Option<String>, Query, pattern = "^(de|en)$", description = "The language of the history and the profile: de or en (else Accept-Language, else the organisation's language)"),
    ),
    responses(
        (status = 200, description = "The buyer's full record: buyer.json (the buyer and its KYC status), documents.json and every document version's file under documents/, vies-checks.json, verifications.json, invitations.json (without their links), history.json and history.txt (the audit history in plain words), and kyc-profile.pdf with kyc-profile.pdf.sig when the buyer is verified", content_type = "application/zip", body = Vec<u8>),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "The buyer's personal data has been erased", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn export_buyer(
    req: HttpRequest,
    client: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: Query<LanguageQuery>,
) -> Result<HttpResponse, Error> {
    let (seller_id, buyer_id) = path.into_inner();
    let exporting = Exporting {
        db: &state.db,
        blobs: state.blobs.clone(),
        signer: &state.signer,
        actor: client.actor(),
        language: requested_language(&req, &query)?,
        audience: Audience::SellerSystem,
    };
    let export = export::export(exporting, &seller_id, &buyer_id).await?;
    Ok(download::archive(export))
}
