//! `GET /v1/openapi.json`: the API described as OpenAPI 3.1, generated from the handlers'
//! own annotations and the types they answer with, so that it cannot drift from the code.
//! The webhook payloads are added as OpenAPI 3.1 `webhooks`.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::errors::Error;
use crate::events::EventType;

/// The bearer scheme every `/v1` operation uses.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token from `kyc-portal create-api-token` or the staff pages",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kyc-portal",
        description = "Buyer onboarding (KYC) for marketplaces: sellers, buyers, KYC documents, \
            self-service invitations, VIES checks, identity verification and webhooks. Every \
            error is application/problem+json; its `type` is a page under /problems.",
    ),
    paths(
        super::organisation::get_organisation,
        super::organisation::patch_organisation,
        super::partners::create_seller,
        super::partners::list_sellers,
        super::partners::get_seller,
        super::buyers::upsert_buyer,
        super::buyers::list_buyers,
        super::buyers::get_buyer,
        super::buyers::patch_buyer,
        super::buyers::block_buyer,
        super::buyers::unblock_buyer,
        super::buyers::buyer_history,
        super::endings::end_relationship,
        super::endings::reopen_relationship,
        super::export::export_buyer,
        super::documents::upload_document,
        super::documents::list_documents,
        super::documents::get_document,
        super::documents::download_document,
        super::documents::patch_document,
        super::documents::review_document,
        super::documents::document_history,
        super::invitations::create_invitation,
        super::invitations::list_invitations,
        super::invitations::get_invitation,
        super::invitations::revoke_invitation,
        super::invitations::resend_invitation,
        super::invitations::qr_svg,
        super::invitations::qr_png,
        super::kyc::get_kyc,
        super::kyc::request_vies_check,
        super::kyc::list_vies_checks,
        super::kyc::get_vies_check,
        super::verification::start_verification,
        super::verification::get_verification,
        super::profile::get_profile,
        super::profile::get_profile_signature,
        super::webhooks::create_endpoint,
        super::webhooks::list_endpoints,
        super::webhooks::get_endpoint,
        super::webhooks::delete_endpoint,
        super::webhooks::list_deliveries,
        super::webhooks::redeliver,
    ),
    modifiers(&BearerScheme),
)]
struct ApiDocument;

/// The document as JSON: utoipa's paths and schemas, the 3.1 version, and the webhooks.
pub fn document() -> Result<Value, Error> {
    let mut value =
        serde_json::to_value(ApiDocument::openapi()).map_err(|e| Error::Internal(e.into()))?;
    if let Some(fields) = value.as_object_mut() {
        fields.insert("openapi".into(), json!("3.1.0"));
        fields.insert("webhooks".into(), webhooks());
    }
    cross_field_rules(&mut value);
    Ok(value)
}

/// Rules that tie one field to another, which the annotations cannot state: a rejection names
/// its reason.
fn cross_field_rules(document: &mut Value) {
    if let Some(review) = document
        .pointer_mut("/components/schemas/ReviewRequest")
        .and_then(Value::as_object_mut)
    {
        review.insert(
            "if".into(),
            json!({"properties": {"decision": {"const": "REJECTED"}}, "required": ["decision"]}),
        );
        review.insert(
            "then".into(),
            json!({
                "required": ["reason"],
                "properties": {"reason": {"$ref": "#/components/schemas/ReviewReason"}}
            }),
        );
    }
}

/// One OpenAPI 3.1 webhook per event: a POST of `{type, timestamp, data}` signed per the
/// Standard Webhooks specification.
fn webhooks() -> Value {
    let mut hooks = serde_json::Map::new();
    // The test event staff send from an endpoint's page is delivered like the others.
    let names = EventType::ALL
        .iter()
        .map(|event| event.as_str())
        .chain([crate::webhooks::TEST_EVENT]);
    for name in names {
        hooks.insert(
            name.to_owned(),
            json!({"post": {
                "summary": format!("The event {name}"),
                "description": "Delivered at least once, retried with backoff; drop duplicates by webhook-id.",
                "parameters": [
                    {"name": "webhook-id", "in": "header", "required": true, "schema": {"type": "string"}, "description": "The event's id, the same on every retry"},
                    {"name": "webhook-timestamp", "in": "header", "required": true, "schema": {"type": "string"}, "description": "Unix seconds of this attempt"},
                    {"name": "webhook-signature", "in": "header", "required": true, "schema": {"type": "string"}, "description": "v1,<base64 HMAC-SHA256 of id.timestamp.body with the endpoint's secret>"}
                ],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["type", "timestamp", "data"],
                    "properties": {
                        "type": {"type": "string", "const": name},
                        "timestamp": {"type": "string", "format": "date-time"},
                        "data": {"type": "object"}
                    }
                }}}},
                "responses": {"2XX": {"description": "Received; any other answer is retried"}}
            }}),
        );
    }
    Value::Object(hooks)
}

/// Mounted before the `/v1` scope: no token needed.
pub fn configure_public(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/v1/openapi.json").route(web::get().to(get_openapi)));
}

/// `GET /v1/openapi.json` — anyone.
async fn get_openapi() -> Result<HttpResponse, Error> {
    let body = serde_json::to_vec(&document()?).map_err(|e| Error::Internal(e.into()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body))
}
