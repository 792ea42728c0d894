//! Signing in (slowed down after repeated failures), signing out and the language switch. Who
//! may do what once signed in is in `guard`.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::guard::{NoFields, SESSION_COOKIE, StaffForm};
use super::page::{self, Chrome};
use crate::errors::{Error, Unavailability};
use crate::http::client::{self, browser_language};
use crate::http::retry_after;
use crate::i18n::Language;
use crate::rate_limit::{self, Limit};
use crate::secret_token;
use crate::staff;
use crate::staff::sessions;
use crate::state::AppState;

const LOGIN_CSRF_COOKIE: &str = "kyc_admin_login";
/// Failed sign-ins for one account from one client: plenty for typos, far too few to guess a
/// password, and someone else's guesses from elsewhere never use up the owner's.
const FAILURES_PER_ACCOUNT_AND_CLIENT: Limit = Limit {
    max: 5,
    window: chrono::Duration::minutes(15),
};
/// Failed sign-ins per client address, across all accounts.
const FAILURES_PER_CLIENT: Limit = Limit {
    max: 30,
    window: chrono::Duration::minutes(15),
};
/// Failed sign-ins for one account from everywhere: the ceiling for guesses spread over many
/// addresses, higher and slower than the per-client one so one client cannot reach it alone.
const FAILURES_PER_ACCOUNT: Limit = Limit {
    max: 50,
    window: chrono::Duration::hours(1),
};

fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/admin")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.is_https())
        .finish()
}

/// A cookie of the sign-in steps: sent back to the sign-in pages only, and never with a
/// request another site starts.
fn login_cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/admin/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings.is_https())
        .finish()
}

/// A sign-in step's cookie made for removal, once its step is done.
fn used_login_cookie(name: &'static str) -> Cookie<'static> {
    let mut used = Cookie::build(name, "").path("/admin/login").finish();
    used.make_removal();
    used
}

/// `response`, setting `cookies` too.
fn setting(
    mut response: HttpResponse,
    cookies: impl IntoIterator<Item = Cookie<'static>>,
) -> Result<HttpResponse, Error> {
    for cookie in cookies {
        response
            .add_cookie(&cookie)
            .map_err(|e| Error::Internal(anyhow::anyhow!("setting a cookie: {e}")))?;
    }
    Ok(response)
}

/// The sign-in page.
#[derive(Template)]
#[template(path = "admin/login.html")]
pub struct LoginView {
    /// The frame.
    pub chrome: Chrome,
    /// The address typed last time.
    pub email: String,
    /// Why the last attempt failed.
    pub error: Option<String>,
}

fn login_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    email: String,
    error: Option<String>,
) -> Result<HttpResponse, Error> {
    let l = browser_language(req);
    // The sign-in form has no session yet: its CSRF token is a cookie the form must echo.
    let token = secret_token::generate("")
        .map_err(|e| Error::Internal(anyhow::anyhow!("no secure random source: {e}")))?
        .plain;
    let view = LoginView {
        chrome: Chrome::anonymous(
            l,
            l.text("admin-login-title"),
            "/admin/login".into(),
            token.clone(),
        ),
        email,
        error,
    };
    let response = page::html(req, status, &view)?;
    setting(response, [login_cookie(state, LOGIN_CSRF_COOKIE, token)])
}

/// `GET /admin/login` — anyone: the sign-in form.
pub async fn login_get(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    login_page(&req, &state, StatusCode::OK, String::new(), None)
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct LoginForm {
    csrf: String,
    email: String,
    password: String,
}

/// `POST /admin/login` — anyone: checks the password and starts a new session.
pub async fn login_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, Error> {
    let form = form.into_inner();
    let l = browser_language(&req);
    let expected = req
        .cookie(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if !secret_token::same(&form.csrf, &expected) {
        let error = Some(l.text("admin-error-form"));
        return login_page(&req, &state, StatusCode::FORBIDDEN, form.email, error);
    }
    let email = form.email.trim().to_lowercase();
    let client = client::address(&req, &state.settings.trusted_proxy);
    let buckets = [
        (
            format!("admin-login:{email}|{client}"),
            FAILURES_PER_ACCOUNT_AND_CLIENT,
        ),
        (format!("admin-login-client:{client}"), FAILURES_PER_CLIENT),
        (format!("admin-login-account:{email}"), FAILURES_PER_ACCOUNT),
    ];
    // Each attempt is counted before its password is checked, in one statement per bucket,
    // so parallel attempts cannot all slip under a limit. A bucket is only reached when the
    // narrower ones before it let the attempt through: throttled attempts from one client
    // never count against the account for everyone else.
    for (counted, (bucket, limit)) in buckets.iter().enumerate() {
        if let rate_limit::Verdict::Limited { retry_after } =
            rate_limit::hit(&state.db, bucket, *limit).await?
        {
            refund(&state, buckets.get(..=counted).unwrap_or_default()).await?;
            tracing::info!("a staff sign-in was throttled");
            let minutes = retry_after.div_ceil(60).to_string();
            let error = Some(l.text_with("admin-login-too-many", &[("minutes", &minutes)]));
            let mut page = login_page(
                &req,
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                form.email,
                error,
            )?;
            retry_after::set(&mut page, retry_after);
            return Ok(page);
        }
    }
    let checked = staff::authenticate(&state.db, &state.passwords, &email, &form.password).await;
    let user = match checked {
        Ok(Some(user)) => user,
        Ok(None) => {
            tracing::info!("a staff sign-in failed");
            let error = Some(l.text("admin-login-failed"));
            return login_page(&req, &state, StatusCode::UNAUTHORIZED, form.email, error);
        }
        Err(e) => {
            // Not judged (no free hashing slot, say): not a failure of the person.
            refund(&state, &buckets).await?;
            if let Error::Unavailable {
                what: Unavailability::PasswordChecksBusy,
                retry_after,
            } = e
            {
                let error = Some(l.text("admin-login-busy"));
                let mut page = login_page(
                    &req,
                    &state,
                    StatusCode::SERVICE_UNAVAILABLE,
                    form.email,
                    error,
                )?;
                retry_after::set(&mut page, retry_after);
                return Ok(page);
            }
            return Err(e);
        }
    };
    // A success is no failure: it leaves the counts as they were before it.
    refund(&state, &buckets).await?;
    after_password(&req, &state, &user).await
}

const CHALLENGE_COOKIE: &str = "kyc_admin_challenge";
/// Wrong codes for one account: a handful of typos, far too few to guess a six-digit code.
const CODE_FAILURES_PER_ACCOUNT: Limit = Limit {
    max: 5,
    window: chrono::Duration::minutes(15),
};

/// The page that asks for the second factor's code.
#[derive(Template)]
#[template(path = "admin/login_code.html")]
pub struct LoginCodeView {
    /// The frame.
    pub chrome: Chrome,
    /// Why the last code was refused.
    pub error: Option<String>,
}

fn code_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    error: Option<String>,
    challenge: Option<String>,
) -> Result<HttpResponse, Error> {
    let l = browser_language(req);
    let token = secret_token::generate("")
        .map_err(|e| Error::Internal(anyhow::anyhow!("no secure random source: {e}")))?
        .plain;
    let view = LoginCodeView {
        chrome: Chrome::anonymous(
            l,
            l.text("staff-login-code-title"),
            "/admin/login/code".into(),
            token.clone(),
        ),
        error,
    };
    let response = page::html(req, status, &view)?;
    let challenge = challenge.map(|challenge| login_cookie(state, CHALLENGE_COOKIE, challenge));
    setting(
        response,
        std::iter::once(login_cookie(state, LOGIN_CSRF_COOKIE, token)).chain(challenge),
    )
}

/// After a proven password (or a reset link): signs in, or first asks for the second
/// factor's code when the user has one.
pub async fn after_password(
    req: &HttpRequest,
    state: &AppState,
    user: &staff::StaffUser,
) -> Result<HttpResponse, Error> {
    if !user.second_factor {
        return sign_in(req, state, user).await;
    }
    let challenge = staff::challenges::start(&state.db, user).await?;
    code_page(req, state, StatusCode::OK, None, Some(challenge))
}

/// The second factor's code.
#[derive(Deserialize)]
pub struct LoginCodeForm {
    csrf: String,
    code: String,
}

/// `POST /admin/login/code` — anyone whose password was just right: checks the code and
/// starts the session.
pub async fn login_code_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginCodeForm>,
) -> Result<HttpResponse, Error> {
    let l = browser_language(&req);
    let expected = req
        .cookie(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if !secret_token::same(&form.csrf, &expected) {
        let error = Some(l.text("admin-error-form"));
        return code_page(&req, &state, StatusCode::FORBIDDEN, error, None);
    }
    let challenge = req
        .cookie(CHALLENGE_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let Some(user) = staff::challenges::find(&state.db, &challenge).await? else {
        return Ok(page::see_other(super::urls::LOGIN));
    };
    let bucket = format!("admin-login-code:{}", user.id);
    if let rate_limit::Verdict::Limited { retry_after } =
        rate_limit::hit(&state.db, &bucket, CODE_FAILURES_PER_ACCOUNT).await?
    {
        tracing::info!("a staff sign-in code was throttled");
        let minutes = retry_after.div_ceil(60).to_string();
        let error = Some(l.text_with("admin-login-too-many", &[("minutes", &minutes)]));
        let mut page = code_page(&req, &state, StatusCode::TOO_MANY_REQUESTS, error, None)?;
        retry_after::set(&mut page, retry_after);
        return Ok(page);
    }
    let seal = staff::totp::seal(&state.key);
    let accepted = match staff::totp::TotpCode::parse(&form.code) {
        Some(code) => staff::totp::verify(&state.db, &seal, &user.id, &code).await?,
        None => false,
    };
    if !accepted {
        tracing::info!("a staff sign-in code was refused");
        let error = Some(l.text("staff-second-factor-wrong-code"));
        return code_page(&req, &state, StatusCode::UNAUTHORIZED, error, None);
    }
    rate_limit::refund(&state.db, &bucket, CODE_FAILURES_PER_ACCOUNT).await?;
    staff::challenges::end(&state.db, &challenge).await?;
    let response = sign_in(&req, &state, &user).await?;
    setting(response, [used_login_cookie(CHALLENGE_COOKIE)])
}

/// Starts a session for `user`, whose identity was just proven, and sends the browser to the
/// start page.
pub async fn sign_in(
    req: &HttpRequest,
    state: &AppState,
    user: &staff::StaffUser,
) -> Result<HttpResponse, Error> {
    // A session that existed before sign-in is ended, never upgraded.
    if let Some(old) = req.cookie(SESSION_COOKIE) {
        sessions::end(&state.db, old.value()).await?;
    }
    let cookie = sessions::start(&state.db, user).await?;
    Ok(page::see_other_setting(
        super::urls::START,
        [
            session_cookie(state, cookie),
            used_login_cookie(LOGIN_CSRF_COOKIE),
            page::language_cookie(user.language),
        ],
    ))
}

/// Takes back the attempt counted in each of `buckets`.
async fn refund(state: &AppState, buckets: &[(String, Limit)]) -> Result<(), Error> {
    for (bucket, limit) in buckets {
        rate_limit::refund(&state.db, bucket, *limit).await?;
    }
    Ok(())
}

/// `POST /admin/logout` — signed in: ends the session on the server.
pub async fn logout_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    StaffForm { .. }: StaffForm<NoFields>,
) -> Result<HttpResponse, Error> {
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        sessions::end(&state.db, cookie.value()).await?;
    }
    let mut gone = session_cookie(&state, String::new());
    gone.make_removal();
    Ok(page::see_other_setting("/admin/login", [gone]))
}

/// The language switch.
#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    back: String,
}

/// `POST /admin/language` — signed in: switches and remembers the user's language.
pub async fn language_post(
    state: web::Data<AppState>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<LanguageForm>,
) -> Result<HttpResponse, Error> {
    let language = Language::parse_field("lang", &form.lang)?;
    staff::set_language(&state.db, &me.user().id, language).await?;
    // Only back to a staff page of ours (never another site, nor a path that cannot be a
    // header: a line break in it would end the response's headers).
    let ours = form.back.starts_with("/admin")
        && !form.back.starts_with("/admin/../")
        && !form.back.contains("//")
        && form.back.chars().all(|c| c.is_ascii_graphic());
    let back = if ours {
        form.back.as_str()
    } else {
        super::urls::START
    };
    Ok(page::see_other_setting(
        back,
        [page::language_cookie(language)],
    ))
}
