//! The signed KYC profile PDF, its signature, and the public key that checks both.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::json;
use super::query::Query;
use crate::errors::Error;
use crate::http::client;
use crate::http::error::ProblemDocument;
use crate::i18n::Language;
use crate::state::AppState;
use crate::verification::profile::{self, IssuedProfile};

/// The signature of the delivered bytes, base64.
const SIGNATURE: HeaderName = HeaderName::from_static("kyc-profile-signature");
/// The issued profile's id.
const PROFILE_ID: HeaderName = HeaderName::from_static("kyc-profile-id");

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/kyc/profile")
            .route(web::get().to(get_profile)),
    )
    .service(
        web::resource("/partners/{sellerId}/buyers/{buyerId}/kyc/profile.sig")
            .route(web::get().to(get_profile_signature)),
    );
}

/// `GET /v1/signing-key` is public (no token): mounted before the authenticated scope.
pub fn configure_public(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/v1/signing-key").route(web::get().to(get_signing_key)));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LanguageQuery {
    lang: Option<String>,
}

/// `?lang=de|en` first, else the first of ours in `Accept-Language`, else (None) the
/// organisation's default.
pub(super) fn requested_language(
    req: &HttpRequest,
    query: &LanguageQuery,
) -> Result<Option<Language>, Error> {
    if let Some(code) = &query.lang {
        return Language::parse_field("lang", code).map(Some);
    }
    Ok(client::accepted_language(req))
}

async fn issued(
    req: &HttpRequest,
    state: &AppState,
    path: (String, String),
    query: &LanguageQuery,
) -> Result<IssuedProfile, Error> {
    let language = requested_language(req, query)?;
    let (seller_id, buyer_id) = path;
    profile::issue(&state.db, &state.signer, &seller_id, &buyer_id, language).await
}

/// `GET .../kyc/profile` — any API client: the PDF (verified buyers only, else 409), its
/// signature in `KYC-Profile-Signature`.
#[utoipa::path(
    get,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/kyc/profile",
    tag = "Verification",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("lang" = Option<String>, Query, pattern = "^(de|en)$", description = "de or en (else Accept-Language, else the organisation's language)"),
    ),
    responses(
        (status = 200, description = "The signed KYC profile PDF", content_type = "application/pdf", body = Vec<u8>, headers(("KYC-Profile-Signature" = String, description = "Ed25519 signature of the PDF, base64"))),
        (status = 409, description = "The buyer is not verified (a profile is issued for verified buyers only)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn get_profile(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: Query<LanguageQuery>,
) -> Result<HttpResponse, Error> {
    let path = path.into_inner();
    let file_name = format!("kyc-profile-{}.pdf", path.1);
    let profile = issued(&req, &state, path, &query).await?;
    let mut response = HttpResponse::Ok();
    response
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ))
        .insert_header((header::VARY, "Accept-Language"));
    if let Ok(signature) = HeaderValue::from_str(&profile.signature) {
        response.insert_header((SIGNATURE, signature));
    }
    if let Ok(id) = HeaderValue::from_str(&profile.id) {
        response.insert_header((PROFILE_ID, id));
    }
    Ok(response.body(profile.pdf))
}

/// `GET .../kyc/profile.sig` — any API client: the signature (base64) of the bytes that
/// `GET .../kyc/profile` with the same language answers for the same state.
#[utoipa::path(
    get,
    path = "/v1/partners/{sellerId}/buyers/{buyerId}/kyc/profile.sig",
    tag = "Verification",
    params(
        ("sellerId" = String, Path, description = "The seller"),
        ("buyerId" = String, Path, description = "The buyer"),
        ("lang" = Option<String>, Query, pattern = "^(de|en)$", description = "de or en (else Accept-Language, else the organisation's language)"),
    ),
    responses(
        (status = 200, description = "The profile's signature, base64", content_type = "text/plain", body = String),
        (status = 409, description = "The buyer is not verified (a profile is issued for verified buyers only)", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, description = "No or an unknown API token", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, description = "No such resource within the token's reach", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field or query parameter breaks a rule", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = ProblemDocument, content_type = "application/problem+json", headers(("Retry-After" = String, description = "Seconds after which trying again makes sense"))),
    ),
    security(("bearer" = [])),
)]
pub(super) async fn get_profile_signature(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: Query<LanguageQuery>,
) -> Result<HttpResponse, Error> {
    let profile = issued(&req, &state, path.into_inner(), &query).await?;
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::VARY, "Accept-Language"));
    if let Ok(id) = HeaderValue::from_str(&profile.id) {
        response.insert_header((PROFILE_ID, id));
    }
    Ok(response.body(format!("{}\n", profile.signature)))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SigningKeyView {
    algorithm: &'static str,
    public_key: String,
    public_key_pem: String,
    fingerprint: String,
}

/// `GET /v1/signing-key` — anyone: the Ed25519 public key that checks KYC profiles, as
/// base64 of its 32 raw bytes and as SubjectPublicKeyInfo PEM, with its SHA-256.
async fn get_signing_key(state: web::Data<AppState>) -> HttpResponse {
    let key = state.signer.public_key();
    let mut response = json(
        StatusCode::OK,
        &SigningKeyView {
            algorithm: "Ed25519",
            public_key: key.raw_base64(),
            public_key_pem: key.pem(),
            fingerprint: key.fingerprint(),
        },
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}
