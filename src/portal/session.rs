//! The buyer's session as extractors: a handler that takes [`OpenSession`] runs only for a
//! live session of a usable invitation, and [`BuyerForm`] only once the form echoed that
//! session's CSRF token. Otherwise the buyer sees the page that says why (no session, link
//! expired, buyer blocked, stale form), rendered before the handler would have run.

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use bytes::Bytes;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::handlers::{SESSION_COOKIE, message_page, unavailable_page};
use super::page::OpenSession;
use crate::documents::Document;
use crate::errors::Error;
use crate::http::client::browser_language;
use crate::invitations::{self, sessions};
use crate::secret_token;
use crate::state::AppState;

/// The largest buyer form read (uploads are multipart and read by their handler).
const MAX_FORM_BYTES: usize = 4 * 1024;

/// A buyer request refused before its handler ran.
#[derive(Debug)]
pub enum Refused {
    /// The page that says why, already rendered.
    Page { status: StatusCode, body: Bytes },
    /// The session could not be read.
    Failed(Error),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Page { status, .. } => write!(f, "refused with a {status} page"),
            Refused::Failed(e) => e.fmt(f),
        }
    }
}

impl From<Error> for Refused {
    fn from(e: Error) -> Refused {
        Refused::Failed(e)
    }
}

impl Refused {
    /// The refusal as a handler's answer: its page, or the error it met.
    pub fn into_response(self) -> Result<HttpResponse, Error> {
        match self {
            Refused::Page { status, body } => Ok(page_response(status, body)),
            Refused::Failed(e) => Err(e),
        }
    }

    async fn page(response: Result<HttpResponse, Error>) -> Refused {
        let response = match response {
            Ok(response) => response,
            Err(e) => return Refused::Failed(e),
        };
        let status = response.status();
        match actix_web::body::to_bytes(response.into_body()).await {
            Ok(body) => Refused::Page { status, body },
            Err(e) => Refused::Failed(Error::Internal(anyhow::anyhow!("reading a page: {e}"))),
        }
    }
}

impl ResponseError for Refused {
    fn status_code(&self) -> StatusCode {
        match self {
            Refused::Page { status, .. } => *status,
            Refused::Failed(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Refused::Page { status, body } => page_response(*status, body.clone()),
            Refused::Failed(e) => e.error_response(),
        }
    }
}

fn page_response(status: StatusCode, body: Bytes) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// The session of this request with its invitation, buyer and seller, or the page to show
/// instead, read in one round trip.
async fn open(
    state: &AppState,
    cookie: Option<String>,
    language: crate::i18n::Language,
) -> Result<OpenSession, Refused> {
    let found = match &cookie {
        Some(cookie) => sessions::find_live(&state.db, cookie).await?,
        None => None,
    };
    admit(state, cookie, found, language).await
}

/// The open session `found` for `cookie`, or the page that says why there is none to use.
async fn admit(
    state: &AppState,
    cookie: Option<String>,
    found: Option<sessions::LiveSession>,
    language: crate::i18n::Language,
) -> Result<OpenSession, Refused> {
    let (Some(cookie), Some(opened)) = (cookie, found) else {
        let page = message_page(
            state,
            language,
            StatusCode::UNAUTHORIZED,
            None,
            "portal-session-title",
            &["portal-error-session"],
        )
        .await;
        return Err(Refused::page(page).await);
    };
    let sessions::LiveSession {
        session,
        invitation,
        buyer,
        seller_name,
    } = opened;
    if let Some(reason) = invitations::session_unavailable(&invitation, buyer.standing) {
        // The session still proves who asks: it may ask for a new link with its own token.
        let renewal = Some(("/kyc/renewal".to_owned(), session.csrf_token.clone()));
        let page = unavailable_page(state, &invitation, reason, renewal).await;
        return Err(Refused::page(page).await);
    }
    Ok(OpenSession {
        cookie,
        session,
        invitation,
        buyer,
        seller_name,
    })
}

impl FromRequest for OpenSession {
    type Error = Refused;
    type Future = LocalBoxFuture<'static, Result<OpenSession, Refused>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let cookie = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let language = browser_language(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| {
                Refused::Failed(Error::Internal(anyhow::anyhow!("no application state")))
            })?;
            open(&state, cookie, language).await
        })
    }
}

impl OpenSession {
    /// The session of this request as the extractor opens it, with its buyer's active
    /// documents read in the same round trip (the upload page shows both).
    pub async fn open_with_documents(
        req: &HttpRequest,
        state: &AppState,
    ) -> Result<(OpenSession, Vec<Document>), Refused> {
        let cookie = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        let language = browser_language(req);
        let (found, documents) = match &cookie {
            Some(cookie) => match sessions::find_live_with_documents(&state.db, cookie).await? {
                Some((live, documents)) => (Some(live), documents),
                None => (None, Ok(Vec::new())),
            },
            None => (None, Ok(Vec::new())),
        };
        // Admitted first: a refused session's page does not depend on its documents.
        let opened = admit(state, cookie, found, language).await?;
        Ok((opened, documents?))
    }

    /// Whether `sent` is this session's CSRF token.
    pub fn token_matches(&self, sent: Option<&str>) -> bool {
        sent.is_some_and(|sent| secret_token::same(sent, &self.session.csrf_token))
    }

    /// Refuses a form that does not echo this session's token, with a page that says what to
    /// do. Forms read by [`BuyerForm`] are checked already; this is for the upload, whose
    /// token is read with its file.
    pub async fn check_form(&self, state: &AppState, sent: Option<&str>) -> Result<(), Refused> {
        if self.token_matches(sent) {
            return Ok(());
        }
        let page = message_page(
            state,
            self.session.language,
            StatusCode::FORBIDDEN,
            None,
            "portal-error-title",
            &["portal-error-form"],
        )
        .await;
        Err(Refused::page(page).await)
    }
}

/// A buyer's form whose CSRF token matched the open session's: a handler that takes it cannot
/// skip the check. `fields` is the form without its token.
pub struct BuyerForm<T> {
    /// The session that sent it.
    pub opened: OpenSession,
    /// What was sent.
    pub fields: T,
}

#[derive(serde::Deserialize)]
struct Token {
    csrf: Option<String>,
}

impl<T: DeserializeOwned + 'static> FromRequest for BuyerForm<T> {
    type Error = Refused;
    type Future = LocalBoxFuture<'static, Result<Self, Refused>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let opened = OpenSession::from_request(req, payload);
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            // The session first: without one, the buyer learns that, whatever was sent.
            let opened = opened.await?;
            let state = state.ok_or_else(|| {
                Refused::Failed(Error::Internal(anyhow::anyhow!("no application state")))
            })?;
            let malformed = || Error::Malformed("the form could not be read".into());
            let body = body.await.map_err(|_| malformed())?;
            if !is_form || body.len() > MAX_FORM_BYTES {
                return Err(malformed().into());
            }
            let token: Token = serde_urlencoded::from_bytes(&body).map_err(|_| malformed())?;
            opened.check_form(&state, token.csrf.as_deref()).await?;
            let fields = serde_urlencoded::from_bytes(&body).map_err(|_| malformed())?;
            Ok(BuyerForm { opened, fields })
        })
    }
}
