//! The buyer's upload pages behind an invitation link: `/kyc/{token}` opens a session, `/kyc`
//! shows the page, forms post uploads and the language choice.

mod assets;
pub mod cache;
mod forms;
mod handlers;
mod link;
mod logo;
mod page;
mod renewal;
mod session;
mod template;
mod views;

use actix_web::middleware::ErrorHandlers;
use actix_web::web;

/// No inline script or style, no framing, forms and requests only to the portal itself.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Mounts `/kyc` and the static files its pages use.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/kyc")
            .wrap(ErrorHandlers::new().default_handler(handlers::error_page))
            .wrap(crate::http::page::security_headers(CONTENT_SECURITY_POLICY))
            .route("", web::get().to(handlers::view_upload_page_get))
            .route("/documents", web::post().to(handlers::upload_document_post))
            .route("/language", web::post().to(handlers::switch_language_post))
            .route("/brand.css", web::get().to(handlers::brand_css_get))
            .route("/logo", web::get().to(logo::logo_get))
            .route("/templates/{type}", web::get().to(template::template_get))
            .route("/renewal", web::post().to(link::session_renewal_post))
            .route("/{token}/renewal", web::post().to(link::renewal_post))
            .route("/{token}", web::get().to(link::landing_get))
            .route("/{token}", web::head().to(link::landing_get))
            .route("/{token}", web::post().to(link::continue_post)),
    )
    .service(
        web::scope("/static")
            .route("/portal.css", assets::STYLESHEET.route())
            .route("/upload.js", assets::SCRIPT.route()),
    );
}
