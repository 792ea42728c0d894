//! The portal's public signing key on the settings pages, so that an administrator can hand
//! it to whoever checks KYC profiles (the same key `GET /v1/signing-key` publishes).

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::admin::guard::Admin;
use crate::admin::page::{self, Chrome, Section};
use crate::errors::Error;
use crate::state::AppState;

/// The signing key page.
#[derive(Template)]
#[template(path = "admin/settings/signing-key.html")]
pub struct SigningKeyView {
    /// The frame.
    pub chrome: Chrome,
    /// The settings' sub-page.
    pub current_tab: &'static str,
    /// The key as PEM (SubjectPublicKeyInfo).
    pub pem: String,
    /// The key's 32 bytes, base64.
    pub raw_base64: String,
    /// SHA-256 of the key, hex.
    pub fingerprint: String,
}

/// `GET /admin/settings/signing-key` — administrators.
pub async fn signing_key_get(
    req: HttpRequest,
    me: Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let key = state.signer.public_key();
    let view = SigningKeyView {
        chrome: Chrome::new(
            &req,
            &me,
            Section::Settings,
            me.language().text("admin-signing-key-title"),
        ),
        current_tab: "signing-key",
        pem: key.pem(),
        raw_base64: key.raw_base64(),
        fingerprint: key.fingerprint(),
    };
    page::html(&req, actix_web::http::StatusCode::OK, &view)
}
