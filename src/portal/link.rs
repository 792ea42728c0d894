//! Opening an invitation link. `GET /kyc/{token}` (and `HEAD`) only shows a landing page with
//! a Continue button: mail scanners that fetch every link (Safe Links and the like) cannot
//! spend a use. Its `POST` counts the use, opens the buyer's session and moves to `/kyc`, so
//! the token leaves the address bar.
//!
//! Unknown tokens are counted per client and refused with 429 after a few, so links cannot be
//! guessed; a real link is looked up first and never refused because of other people's misses
//! (behind a proxy, many buyers may share one address).

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::handlers::{
    SESSION_COOKIE, html, message_page, see_other, session_cookie, unavailable_page,
};
use super::page;
use super::renewal;
use super::views::LandingPageView;
use crate::audit::Actor;
use crate::errors::Error;
use crate::http::client::{self, browser_language};
use crate::http::retry_after;
use crate::invitations::{self, Invitation, sessions};
use crate::rate_limit::{self, Limit};
use crate::secret_token;
use crate::state::AppState;
use crate::write;

/// Unknown links allowed per client before it is slowed down: enough for typos, far too few to
/// guess a 256-bit token.
const MISSES: Limit = Limit {
    max: 20,
    window: chrono::Duration::minutes(10),
};

/// The landing form's CSRF cookie: the form echoes it (the form has no session yet).
const LANDING_COOKIE: &str = "kyc_link_form";

/// The invitation of `token`, or the page for an unknown one (404, or 429 after too many).
async fn invitation_or_miss(
    req: &HttpRequest,
    state: &AppState,
    token: &str,
) -> Result<Result<Invitation, HttpResponse>, Error> {
    if let Some(invitation) = invitations::find_by_token(&state.db, token).await? {
        return Ok(Ok(invitation));
    }
    let bucket = format!(
        "portal-miss:{}",
        client::address(req, &state.settings.trusted_proxy)
    );
    let l = browser_language(req);
    let verdict = rate_limit::hit(&state.db, &bucket, MISSES).await?;
    if let rate_limit::Verdict::Limited { retry_after } = verdict {
        let mut page = message_page(
            state,
            l,
            StatusCode::TOO_MANY_REQUESTS,
            None,
            "portal-too-many-title",
            &["portal-too-many-text"],
        )
        .await?;
        retry_after::set(&mut page, retry_after);
        return Ok(Err(page));
    }
    let page = message_page(
        state,
        l,
        StatusCode::NOT_FOUND,
        None,
        "portal-not-found-title",
        &["portal-not-found-text"],
    )
    .await?;
    Ok(Err(page))
}

/// The open session of this browser, if it has one, and whether it is for `invitation`.
async fn current_session(
    req: &HttpRequest,
    state: &AppState,
) -> Result<Option<(sessions::PortalSession, Invitation)>, Error> {
    match req.cookie(SESSION_COOKIE) {
        Some(cookie) => Ok(sessions::find_live(&state.db, cookie.value())
            .await?
            .map(|live| (live.session, live.invitation))),
        None => Ok(None),
    }
}

/// `GET /kyc/{token}` (and `HEAD`) — anyone with the link: the landing page. Counts nothing.
pub async fn landing_get(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let invitation = match invitation_or_miss(&req, &state, &path).await? {
        Ok(invitation) => invitation,
        Err(page) => return Ok(page),
    };
    let current = current_session(&req, &state).await?;
    if current
        .as_ref()
        .is_some_and(|(_, open)| open.id == invitation.id)
    {
        return Ok(see_other("/kyc"));
    }
    if let Some(reason) = invitations::unavailable(&state.db, &invitation).await? {
        return unavailable_with_renewal(&state, &path, &invitation, reason).await;
    }
    landing(
        &state,
        &path,
        &invitation,
        current.map(|(_, i)| i),
        StatusCode::OK,
        None,
    )
    .await
}

/// The landing page for `invitation`, with a fresh form token in its cookie.
async fn landing(
    state: &AppState,
    token: &str,
    invitation: &Invitation,
    other: Option<Invitation>,
    status: StatusCode,
    notice: Option<&str>,
) -> Result<HttpResponse, Error> {
    let (buyer, seller_name) =
        crate::buyers::get_with_seller_name(&state.db, &invitation.buyer_id).await?;
    let other_company = match other {
        Some(other) => crate::buyers::get_by_id(&state.db, &other.buyer_id)
            .await
            .ok()
            .map(|b| b.company_name),
        None => None,
    };
    let form_token = secret_token::generate("")
        .map_err(|e| Error::Internal(anyhow::anyhow!("no secure random source: {e}")))?
        .plain;
    let organisation = state.organisation().await?;
    let view = LandingPageView::new(
        invitation.language,
        &organisation,
        &seller_name,
        &buyer.company_name,
        other_company.as_deref(),
        token,
        form_token.clone(),
        notice,
        page::chrome(
            invitation.language,
            &organisation,
            Some(&seller_name),
            invitation.language.text("portal-landing-title"),
            String::new(),
        ),
    );
    let mut response = html(status, &view)?;
    response
        .add_cookie(&landing_cookie(state, form_token))
        .map_err(|e| Error::Internal(anyhow::anyhow!("setting a cookie: {e}")))?;
    Ok(response)
}

/// The landing form.
#[derive(Deserialize)]
pub struct ContinueForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /kyc/{token}` — anyone with the link who pressed Continue: counts the use and opens
/// the session (one use per new browser session; re-opening inside it counts nothing).
pub async fn continue_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ContinueForm>,
) -> Result<HttpResponse, Error> {
    let invitation = match invitation_or_miss(&req, &state, &path).await? {
        Ok(invitation) => invitation,
        Err(page) => return Ok(page),
    };
    let current = current_session(&req, &state).await?;
    if current
        .as_ref()
        .is_some_and(|(_, open)| open.id == invitation.id)
    {
        return Ok(see_other("/kyc"));
    }
    let expected = req
        .cookie(LANDING_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if !secret_token::same(&form.csrf, &expected) {
        return landing(
            &state,
            &path,
            &invitation,
            current.map(|(_, i)| i),
            StatusCode::FORBIDDEN,
            Some("portal-landing-again"),
        )
        .await;
    }
    if let Some(reason) = invitations::unavailable(&state.db, &invitation).await? {
        return unavailable_with_renewal(&state, &path, &invitation, reason).await;
    }
    let opened = write::apply(
        &state.db,
        Actor::Invitation(invitation.id.clone()),
        async |tx| invitations::open_link(tx, &invitation.id).await,
    )
    .await?;
    let opened = match opened {
        Ok(opened) => opened,
        Err(reason) => {
            return unavailable_with_renewal(&state, &path, &invitation, reason).await;
        }
    };
    let mut used = Cookie::build(LANDING_COOKIE, "").path("/kyc").finish();
    used.make_removal();
    let mut response = see_other("/kyc");
    for cookie in [session_cookie(&state, opened.cookie), used] {
        response
            .add_cookie(&cookie)
            .map_err(|e| Error::Internal(anyhow::anyhow!("setting a cookie: {e}")))?;
    }
    Ok(response)
}

/// The page of a link that cannot be used, whose "ask for a new link" form is protected like
/// the landing form (a token in a cookie the form echoes).
async fn unavailable_with_renewal(
    state: &AppState,
    token: &str,
    invitation: &Invitation,
    reason: invitations::Unavailable,
) -> Result<HttpResponse, Error> {
    let form_token = secret_token::generate("")
        .map_err(|e| Error::Internal(anyhow::anyhow!("no secure random source: {e}")))?
        .plain;
    let renewal = Some((format!("/kyc/{token}/renewal"), form_token.clone()));
    let mut response = unavailable_page(state, invitation, reason, renewal).await?;
    response
        .add_cookie(&landing_cookie(state, form_token))
        .map_err(|e| Error::Internal(anyhow::anyhow!("setting a cookie: {e}")))?;
    Ok(response)
}

fn landing_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(LANDING_COOKIE, value)
        .path("/kyc")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings.is_https())
        .finish()
}

/// `POST /kyc/{token}/renewal` — anyone with a link that ran out: asks for a new one.
pub async fn renewal_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ContinueForm>,
) -> Result<HttpResponse, Error> {
    let invitation = match invitation_or_miss(&req, &state, &path).await? {
        Ok(invitation) => invitation,
        Err(page) => return Ok(page),
    };
    let expected = req
        .cookie(LANDING_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if !secret_token::same(&form.csrf, &expected) {
        let reason = invitations::unavailable(&state.db, &invitation)
            .await?
            .unwrap_or(invitations::Unavailable::Expired);
        return unavailable_with_renewal(&state, &path, &invitation, reason).await;
    }
    renewal::answer(&state, &invitation).await
}

/// `POST /kyc/renewal` — a buyer whose session's link ran out meanwhile: asks for a new one,
/// the session's token standing in for the link.
pub async fn session_renewal_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ContinueForm>,
) -> Result<HttpResponse, Error> {
    let found = current_session(&req, &state).await?;
    let Some((session, invitation)) =
        found.filter(|(session, _)| secret_token::same(&form.csrf, &session.csrf_token))
    else {
        let l = browser_language(&req);
        return message_page(
            &state,
            l,
            StatusCode::FORBIDDEN,
            None,
            "portal-session-title",
            &["portal-error-session"],
        )
        .await;
    };
    drop(session);
    renewal::answer(&state, &invitation).await
}
