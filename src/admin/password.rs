//! Choosing a password from an emailed link (an invitation, or a reset), and asking for a
//! reset link. Both pages are for people who are not signed in.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::anonymous_form::{self, AnonymousForm};
use super::page::{self, Chrome};
use crate::errors::{Conflict, Error};
use crate::http::client;
use crate::http::messages;
use crate::i18n::Language;
use crate::rate_limit::{self, Limit};
use crate::staff::links::{self, AccountLinkToken, LinkKind};
use crate::staff::{self, Password};
use crate::state::AppState;

const PASSWORD_PATH: &str = "/admin/password";
const FORGOT_PATH: &str = "/admin/forgot-password";

/// Reset requests per client address: enough for typos, too few to flood inboxes.
const RESETS_PER_CLIENT: Limit = Limit {
    max: 10,
    window: chrono::Duration::hours(1),
};
/// Reset requests per address, from everywhere: one person's inbox is not flooded.
const RESETS_PER_ADDRESS: Limit = Limit {
    max: 3,
    window: chrono::Duration::hours(1),
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/password/{token}", web::get().to(password_get))
        .route("/password/{token}", web::post().to(password_post))
        .route("/forgot-password", web::get().to(forgot_get))
        .route("/forgot-password", web::post().to(forgot_post));
}

/// The page where a password is chosen.
#[derive(Template)]
#[template(path = "admin/password.html")]
pub struct PasswordView {
    /// The frame.
    pub chrome: Chrome,
    /// The address the password is for; None when the link does not work.
    pub email: Option<String>,
    /// Whether the link is an invitation (else a reset).
    pub is_invitation: bool,
    /// The form's target.
    pub action: String,
    /// Why the last attempt failed.
    pub error: Option<String>,
}

fn password_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    link: Option<&links::AccountLink>,
    error: Option<String>,
) -> Result<HttpResponse, Error> {
    let l = page::language_without_session(req);
    let token = anonymous_form::new_token()?;
    let title = match link.map(|link| link.kind) {
        Some(LinkKind::Invitation) => "staff-password-title-invitation",
        Some(LinkKind::Reset) => "staff-password-title-reset",
        None => "staff-password-title-dead",
    };
    let view = PasswordView {
        chrome: Chrome::anonymous(l, l.text(title), req.path().to_owned(), token.clone()),
        email: link.map(|link| link.email.clone()),
        is_invitation: link.is_some_and(|link| link.kind == LinkKind::Invitation),
        action: req.path().to_owned(),
        error,
    };
    let mut response = page::html(req, status, &view)?;
    anonymous_form::set(
        &mut response,
        PASSWORD_PATH,
        &token,
        state.settings.is_https(),
    )?;
    Ok(response)
}

/// `GET /admin/password/{token}` — anyone with the link: the form, or why the link is dead.
async fn password_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let link = match AccountLinkToken::parse(&path) {
        Some(token) => links::find_usable(&state.db, &token).await?,
        None => None,
    };
    let status = if link.is_some() {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    password_page(&req, &state, status, link.as_ref(), None)
}

/// The password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

/// `POST /admin/password/{token}` — anyone with the link: sets the password, uses up the link
/// and signs in.
async fn password_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    AnonymousForm { fields: form }: AnonymousForm<PasswordForm>,
) -> Result<HttpResponse, Error> {
    let l = page::language_without_session(&req);
    let Some(token) = AccountLinkToken::parse(&path) else {
        return password_page(&req, &state, StatusCode::GONE, None, None);
    };
    let Some(link) = links::find_usable(&state.db, &token).await? else {
        return password_page(&req, &state, StatusCode::GONE, None, None);
    };
    let password = match Password::parse(&form.password) {
        Ok(password) => password,
        Err(_) => {
            let min = staff::MIN_PASSWORD_CHARS.to_string();
            let error = Some(l.text_with("staff-password-too-short", &[("min", &min)]));
            return password_page(
                &req,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&link),
                error,
            );
        }
    };
    let user = match links::use_link(&state.db, &state.passwords, &token, &password).await {
        Ok(Some(user)) => user,
        Ok(None) => return password_page(&req, &state, StatusCode::GONE, None, None),
        Err(Error::Conflict(conflict @ Conflict::EmailTaken)) => {
            let error = Some(messages::conflict(l, &conflict));
            return password_page(&req, &state, StatusCode::CONFLICT, Some(&link), error);
        }
        Err(e) => return Err(e),
    };
    super::auth::after_password(&req, &state, &user).await
}

/// The page where a reset link is asked for.
#[derive(Template)]
#[template(path = "admin/forgot.html")]
pub struct ForgotView {
    /// The frame.
    pub chrome: Chrome,
    /// Whether a request was just taken (the same answer for every address).
    pub sent: bool,
    /// Why the last attempt failed.
    pub error: Option<String>,
}

fn forgot_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    l: Language,
    sent: bool,
    error: Option<String>,
) -> Result<HttpResponse, Error> {
    let token = anonymous_form::new_token()?;
    let view = ForgotView {
        chrome: Chrome::anonymous(
            l,
            l.text("staff-forgot-title"),
            FORGOT_PATH.into(),
            token.clone(),
        ),
        sent,
        error,
    };
    let mut response = page::html(req, status, &view)?;
    anonymous_form::set(
        &mut response,
        FORGOT_PATH,
        &token,
        state.settings.is_https(),
    )?;
    Ok(response)
}

/// `GET /admin/forgot-password` — anyone: the form.
async fn forgot_get(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, Error> {
    let l = page::language_without_session(&req);
    forgot_page(&req, &state, StatusCode::OK, l, false, None)
}

/// The reset request.
#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// `POST /admin/forgot-password` — anyone: emails a reset link to a staff member with this
/// address. The answer is the same whether or not the address is known.
async fn forgot_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    AnonymousForm { fields: form }: AnonymousForm<ForgotForm>,
) -> Result<HttpResponse, Error> {
    let l = page::language_without_session(&req);
    let email = form.email.trim().to_lowercase();
    let client = client::address(&req, &state.settings.trusted_proxy);
    let client_verdict = rate_limit::hit(
        &state.db,
        &format!("staff-reset-client:{client}"),
        RESETS_PER_CLIENT,
    )
    .await?;
    if let rate_limit::Verdict::Limited { retry_after } = client_verdict {
        tracing::info!("a password reset request was throttled");
        let minutes = retry_after.div_ceil(60).to_string();
        let error = Some(l.text_with("admin-login-too-many", &[("minutes", &minutes)]));
        let mut page = forgot_page(&req, &state, StatusCode::TOO_MANY_REQUESTS, l, false, error)?;
        crate::http::retry_after::set(&mut page, retry_after);
        return Ok(page);
    }
    // Past the per-address limit nothing more is sent, but the answer stays the same: it must
    // not tell whether the address is known.
    let address_verdict = rate_limit::hit(
        &state.db,
        &format!("staff-reset-address:{email}"),
        RESETS_PER_ADDRESS,
    )
    .await?;
    if address_verdict.is_allowed() {
        links::request_reset(&state.db, &state.key, &email).await?;
    }
    forgot_page(&req, &state, StatusCode::OK, l, true, None)
}
