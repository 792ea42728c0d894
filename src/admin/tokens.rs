//! API tokens (administrators only), a sub-page of the settings: the list, a new token shown
//! once on the response page (only its hash is stored), and revocation after a confirmation.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::auth::{CsrfOnly, SignedIn};

use super::page::{self, Chrome, Section, moment};
use crate::api_tokens::{self, ApiTokenSummary};
use crate::error::AppError;
use crate::i18n::Language;
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/settings/tokens", web::get().to(tokens_get))
        .route("/settings/tokens", web::post().to(create_post))
        .route("/settings/tokens/{id}/revoke", web::get().to(revoke_get))
        .route("/settings/tokens/{id}/revoke", web::post().to(revoke_post));
}

/// One token as a row.
pub struct TokenRow {
    /// Its id.
    pub id: String,
    /// Whose it is.
    pub name: String,
    /// When it was made.
    pub created: String,
    /// When it was last used, if recorded.
    pub last_used: Option<String>,
    /// When it was revoked.
    pub revoked: Option<String>,
}

impl TokenRow {
    fn of(l: Language, token: &ApiTokenSummary) -> TokenRow {
        TokenRow {
            id: token.id.clone(),
            name: token.name.clone(),
            created: moment(l, token.created_at),
            last_used: token.last_used_at.map(|at| moment(l, at)),
            revoked: token.revoked_at.map(|at| moment(l, at)),
        }
    }
}

/// The tokens page.
#[derive(Template)]
#[template(path = "admin/settings/tokens.html")]
pub struct TokensView {
    /// The frame.
    pub chrome: Chrome,
    /// The settings' sub-page (`tokens` here).
    pub current_tab: &'static str,
    /// Newest first.
    pub rows: Vec<TokenRow>,
    /// The name typed last time.
    pub name: String,
    /// What is wrong with it.
    pub name_error: Option<String>,
    /// A token just made (its name and the token), shown this once.
    pub created: Option<(String, String)>,
}

async fn tokens_page(
    req: &HttpRequest,
    me: &SignedIn,
    state: &AppState,
    status: StatusCode,
    name: String,
    name_error: Option<String>,
    created: Option<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let l = me.language();
    let rows = api_tokens::list(&state.db)
        .await?
        .iter()
        .map(|t| TokenRow::of(l, t))
        .collect();
    let chrome = Chrome::new(req, me, Section::Settings, l.text("admin-tokens-title"));
    let view = TokensView {
        chrome,
        current_tab: "tokens",
        rows,
        name,
        name_error,
        created,
    };
    page::html(req, status, &view)
}

/// `GET /admin/settings/tokens` — administrators.
async fn tokens_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    me.require_admin()?;
    tokens_page(&req, &me, &state, StatusCode::OK, String::new(), None, None).await
}

/// The new token form.
#[derive(Deserialize)]
pub struct NewTokenForm {
    csrf: String,
    #[serde(default)]
    name: String,
}

/// `POST /admin/settings/tokens` — administrators: a new token; this response is the only
/// place it is ever shown.
async fn create_post(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    form: web::Form<NewTokenForm>,
) -> Result<HttpResponse, AppError> {
    me.require_admin()?;
    me.check_csrf(&form.csrf)?;
    let form = form.into_inner();
    match api_tokens::create_by(&state.db, &me.actor(), &form.name).await {
        Ok(issued) => {
            let created = Some((form.name.trim().to_owned(), issued.token));
            tokens_page(
                &req,
                &me,
                &state,
                StatusCode::CREATED,
                String::new(),
                None,
                created,
            )
            .await
        }
        Err(AppError::Validation(_)) => {
            let error = Some(me.language().text("admin-tokens-error-name"));
            tokens_page(
                &req,
                &me,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                form.name,
                error,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// The confirmation before revoking.
#[derive(Template)]
#[template(path = "admin/settings/token-revoke.html")]
pub struct RevokeView {
    /// The frame.
    pub chrome: Chrome,
    /// The token.
    pub token: TokenRow,
}

/// `GET /admin/settings/tokens/{id}/revoke` — administrators: asks first.
async fn revoke_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    me.require_admin()?;
    let l = me.language();
    let token = api_tokens::get(&state.db, &path).await?;
    let chrome = Chrome::new(
        &req,
        &me,
        Section::Settings,
        l.text("admin-token-revoke-title"),
    );
    let view = RevokeView {
        chrome,
        token: TokenRow::of(l, &token),
    };
    page::html(&req, StatusCode::OK, &view)
}

/// `POST /admin/settings/tokens/{id}/revoke` — administrators: the API refuses it from now on.
async fn revoke_post(
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    me.require_admin()?;
    me.check_csrf(&form.csrf)?;
    api_tokens::revoke(&state.db, &me.actor(), &path).await?;
    Ok(page::done(
        "/admin/settings/tokens",
        "admin-flash-token-revoked",
    ))
}
