//! The staff pages under `/admin`: server-rendered, in German or English, usable without
//! JavaScript. Every page except sign-in takes [`guard::SignedIn`], which sends a browser
//! without a live session to the sign-in page; every form echoes the session's CSRF token.

mod anonymous_form;
mod assets;
pub mod auth;
mod buyers;
mod confirm;
mod errors;
pub mod guard;
mod invitations;
pub mod page;
mod password;
mod second_factor;
mod settings;
mod today;
mod tokens;
mod urls;
mod users;
mod verification;
mod webhooks;

use actix_web::middleware::ErrorHandlers;
use actix_web::web;

/// No script at all, no inline style, no frames and no plugins either way (a preview shows
/// images, never a framed document: see the documents pages), forms only to the portal itself.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'none'; style-src 'self'; \
     img-src 'self' data:; frame-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Mounts `/admin`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/admin")
            .wrap(ErrorHandlers::new().default_handler(errors::error_page))
            .wrap(crate::http::page::security_headers(CONTENT_SECURITY_POLICY))
            .configure(buyers::configure)
            .route("", web::get().to(today::today_get))
            .route("/", web::get().to(today::today_get))
            .route("/login", web::get().to(auth::login_get))
            .route("/login", web::post().to(auth::login_post))
            .route("/login/code", web::post().to(auth::login_code_post))
            .route("/logout", web::post().to(auth::logout_post))
            .route("/language", web::post().to(auth::language_post))
            .route("/digest", web::post().to(today::digest_post))
            .route("/admin.css", assets::ADMIN_STYLESHEET.route())
            .configure(users::configure)
            .configure(password::configure)
            .configure(second_factor::configure)
            .configure(verification::configure)
            .configure(invitations::configure)
            .configure(webhooks::configure)
            .configure(settings::configure)
            .configure(tokens::configure),
    );
}
