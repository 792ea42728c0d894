//! API tokens (administrators only), a sub-page of the settings: the list, a new token shown
//! once on the response page (only its hash is stored), and revocation after a confirmation.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::admin::confirm::ConfirmView;
use crate::admin::guard::{Admin, NoFields, SignedIn, StaffForm};

use super::page::{self, Chrome, Section};
use crate::access::{SellerScope, TokenAccess};
use crate::api_tokens::{self, ApiTokenSummary, NewToken};
use crate::errors::Error;
use crate::i18n::Language;
use crate::pagination::Page;
use crate::partners;
use crate::state::AppState;
use crate::time_zone::TimeZone;

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
    /// What it reaches, in words: every seller, or one seller's name.
    pub scope: String,
    /// Whether it may only read.
    pub read_only: bool,
}

impl TokenRow {
    fn of(l: Language, zone: TimeZone, token: &ApiTokenSummary) -> TokenRow {
        let scope = match (&token.seller_id, &token.seller_name) {
            (None, _) => l.text("admin-tokens-scope-organisation"),
            (Some(_), Some(name)) => l.text_with("admin-tokens-scope-seller", &[("seller", name)]),
            (Some(id), None) => l.text_with("admin-tokens-scope-seller", &[("seller", id)]),
        };
        TokenRow {
            id: token.id.clone(),
            name: token.name.clone(),
            created: zone.moment(l, token.created_at),
            last_used: token.last_used_at.map(|at| zone.moment(l, at)),
            revoked: token.revoked_at.map(|at| zone.moment(l, at)),
            scope,
            read_only: token.is_read_only(),
        }
    }
}

/// A seller to bind a new token to.
pub struct SellerChoice {
    /// Its id (the option's value).
    pub id: String,
    /// Its name.
    pub name: String,
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
    /// The sellers a token can be bound to.
    pub sellers: Vec<SellerChoice>,
}

async fn tokens_page(
    req: &HttpRequest,
    me: &SignedIn,
    state: &AppState,
    status: StatusCode,
    name: String,
    name_error: Option<String>,
    created: Option<(String, String)>,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let zone = me.zone();
    let rows = api_tokens::list(&state.db)
        .await?
        .iter()
        .map(|t| TokenRow::of(l, zone, t))
        .collect();
    let chrome = Chrome::new(req, me, Section::Settings, l.text("admin-tokens-title"));
    let (sellers, _) = partners::list(
        &state.db,
        &SellerScope::Organisation,
        &Page::parse(Some(200), None)?,
    )
    .await?;
    let view = TokensView {
        chrome,
        current_tab: "tokens",
        rows,
        name,
        name_error,
        created,
        sellers: sellers
            .into_iter()
            .map(|s| SellerChoice {
                id: s.uuid,
                name: s.name,
            })
            .collect(),
    };
    page::html(req, status, &view)
}

/// `GET /admin/settings/tokens` — administrators.
async fn tokens_get(
    req: HttpRequest,
    me: Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    tokens_page(&req, &me, &state, StatusCode::OK, String::new(), None, None).await
}

/// The new token form.
#[derive(Deserialize)]
pub struct NewTokenForm {
    #[serde(default)]
    name: String,
    /// Empty for an organisation token, else the seller's id.
    #[serde(default)]
    seller: String,
    /// Present (any value) when the token may only read.
    read_only: Option<String>,
}

/// `POST /admin/settings/tokens` — administrators: a new token; this response is the only
/// place it is ever shown.
async fn create_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<NewTokenForm, Admin>,
) -> Result<HttpResponse, Error> {
    let new = NewToken {
        name: &form.name,
        scope: match form.seller.trim() {
            "" => SellerScope::Organisation,
            seller => SellerScope::Seller(seller.to_owned()),
        },
        access: if form.read_only.is_some() {
            TokenAccess::ReadOnly
        } else {
            TokenAccess::ReadWrite
        },
    };
    match api_tokens::create_by(&state.db, &me.actor(), new).await {
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
        Err(Error::Invalid(_)) => {
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

/// `GET /admin/settings/tokens/{id}/revoke` — administrators: asks first.
async fn revoke_get(
    req: HttpRequest,
    me: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let zone = me.zone();
    let token = api_tokens::get(&state.db, &path).await?;
    let chrome = Chrome::new(
        &req,
        &me,
        Section::Settings,
        l.text("admin-token-revoke-title"),
    );
    let row = TokenRow::of(l, zone, &token);
    let view = ConfirmView {
        chrome,
        header: None,
        question: None,
        facts: vec![
            (l.text("admin-tokens-name"), row.name),
            (l.text("admin-tokens-created-at"), row.created),
        ],
        effect: Some(l.text("admin-token-revoke-effect")),
        action: format!("/admin/settings/tokens/{}/revoke", row.id),
        button: Some(l.text("admin-token-revoke-confirm")),
        danger: true,
        cancel: "/admin/settings/tokens".into(),
    };
    page::html(&req, StatusCode::OK, &view)
}

/// `POST /admin/settings/tokens/{id}/revoke` — administrators: the API refuses it from now on.
async fn revoke_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm { who: me, .. }: StaffForm<NoFields, Admin>,
) -> Result<HttpResponse, Error> {
    api_tokens::revoke(&state.db, &me.actor(), &path).await?;
    Ok(page::done(
        "/admin/settings/tokens",
        "admin-flash-token-revoked",
    ))
}
