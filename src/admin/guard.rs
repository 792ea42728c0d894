//! Who may do what on the staff pages, as extractors: a handler's signature says it. Taking
//! [`SignedIn`] puts a page behind the login, [`Admin`] behind the administrator role, and
//! [`StaffForm`] makes a form's CSRF token checked before the handler runs, so none of these
//! can be forgotten in a handler's body.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::page;
use super::urls;
use crate::audit::Actor;
use crate::errors::{Error, Forbidden};
use crate::i18n::Language;
use crate::secret_token;
use crate::staff::sessions::{self, StaffSession};
use crate::staff::{StaffRole, StaffUser};
use crate::state::AppState;
use crate::time_zone::TimeZone;

/// The cookie that carries the staff session.
pub(super) const SESSION_COOKIE: &str = "kyc_admin_session";
/// The largest staff form read (the settings page is the longest); uploads are multipart.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// A request from a signed-in, active staff member. Without a live session the browser is
/// sent to the sign-in page.
pub struct SignedIn {
    session: StaffSession,
    zone: TimeZone,
}

impl SignedIn {
    /// The staff member.
    pub fn user(&self) -> &StaffUser {
        &self.session.user
    }

    /// The language the user reads.
    pub fn language(&self) -> Language {
        self.session.user.language
    }

    /// The zone the user reads times in: the organisation's.
    pub fn zone(&self) -> TimeZone {
        self.zone
    }

    /// The session's CSRF token.
    pub fn csrf(&self) -> &str {
        &self.session.csrf_token
    }

    /// Whether the user is an administrator.
    pub fn is_admin(&self) -> bool {
        self.session.user.role == StaffRole::Admin
    }

    /// How the audit history names this user.
    pub fn actor(&self) -> Actor {
        Actor::Staff(self.session.user.email.clone())
    }

    /// Refuses a form that does not echo this session's CSRF token. Forms read by
    /// [`StaffForm`] are checked already; this is for the multipart ones, whose token is read
    /// with their files.
    pub fn check_csrf(&self, sent: &str) -> Result<(), Error> {
        if secret_token::same(sent, &self.session.csrf_token) {
            Ok(())
        } else {
            Err(Error::Forbidden(Forbidden::StaleForm))
        }
    }
}

/// A signed-in administrator: other staff get the "administrators only" page.
pub struct Admin(SignedIn);

impl Deref for Admin {
    type Target = SignedIn;

    fn deref(&self) -> &SignedIn {
        &self.0
    }
}

/// Who may send a [`StaffForm`]: anyone signed in, or only administrators.
pub trait Sender: FromRequest<Error = Refused> + 'static {
    /// The session the form's token is checked against.
    fn session(&self) -> &SignedIn;
}

impl Sender for SignedIn {
    fn session(&self) -> &SignedIn {
        self
    }
}

impl Sender for Admin {
    fn session(&self) -> &SignedIn {
        &self.0
    }
}

/// A staff request refused before its handler ran.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// No or an ended session: the browser goes to the sign-in page.
    #[error("sign in first")]
    SignInFirst,
    /// An administrator without the second factor the organisation requires: the browser
    /// goes to enrol it.
    #[error("enrol a second factor first")]
    EnrolFirst,
    /// Signed in, but not allowed, or the form could not be read.
    #[error(transparent)]
    Failed(#[from] Error),
}

impl ResponseError for Refused {
    fn status_code(&self) -> StatusCode {
        match self {
            Refused::SignInFirst | Refused::EnrolFirst => StatusCode::SEE_OTHER,
            Refused::Failed(e) => e.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Refused::SignInFirst => page::see_other(urls::LOGIN),
            Refused::EnrolFirst => page::see_other(urls::SECOND_FACTOR),
            Refused::Failed(e) => e.error_response(),
        }
    }
}

impl FromRequest for SignedIn {
    type Error = Refused;
    type Future = LocalBoxFuture<'static, Result<SignedIn, Refused>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let cookie = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
        // Enrolling, signing out and switching the language stay open to an administrator who
        // still has to enrol; everything else waits.
        let may_wait =
            [urls::SECOND_FACTOR, "/admin/logout", "/admin/language"].contains(&req.path());
        Box::pin(async move {
            let (Some(state), Some(cookie)) = (state, cookie) else {
                return Err(Refused::SignInFirst);
            };
            let session = sessions::find(&state.db, &cookie)
                .await?
                .ok_or(Refused::SignInFirst)?;
            if session.needs_touch() {
                sessions::touch(&state.db, &cookie).await?;
            }
            let organisation = state.organisation().await?;
            let must_enrol = organisation.totp_required_for_administrators
                && session.user.role == StaffRole::Admin
                && !session.user.second_factor;
            if must_enrol && !may_wait {
                return Err(Refused::EnrolFirst);
            }
            let zone = organisation.time_zone;
            Ok(SignedIn { session, zone })
        })
    }
}

impl FromRequest for Admin {
    type Error = Refused;
    type Future = LocalBoxFuture<'static, Result<Admin, Refused>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let signed_in = SignedIn::from_request(req, payload);
        Box::pin(async move {
            let me = signed_in.await?;
            if me.is_admin() {
                Ok(Admin(me))
            } else {
                Err(Error::Forbidden(Forbidden::AdminsOnly).into())
            }
        })
    }
}

/// A staff form whose CSRF token matched the session's, read after the person was let in
/// (`Who` is [`SignedIn`] or [`Admin`]): a handler that takes it cannot skip the check.
/// `fields` is the form without its token.
pub struct StaffForm<T, Who = SignedIn> {
    /// Who sent it.
    pub who: Who,
    /// What was sent.
    pub fields: T,
}

/// The token every staff form echoes.
#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    csrf: String,
}

impl<T, Who> FromRequest for StaffForm<T, Who>
where
    T: DeserializeOwned + 'static,
    Who: Sender,
{
    type Error = Refused;
    type Future = LocalBoxFuture<'static, Result<Self, Refused>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let who = Who::from_request(req, payload);
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            // The person first: a signed-out browser goes to sign in, whatever it sent.
            let who = who.await?;
            let malformed = || Error::Malformed("the form could not be read".into());
            if !is_form {
                return Err(malformed().into());
            }
            let body = body.await.map_err(|_| malformed())?;
            if body.len() > MAX_FORM_BYTES {
                return Err(Error::TooLarge {
                    what: "the form",
                    max: MAX_FORM_BYTES as u64,
                }
                .into());
            }
            let token: Token = serde_urlencoded::from_bytes(&body).map_err(|_| malformed())?;
            who.session().check_csrf(&token.csrf)?;
            let fields = serde_urlencoded::from_bytes(&body).map_err(|_| malformed())?;
            Ok(StaffForm { who, fields })
        })
    }
}

/// A form with nothing but its token: a confirmation, a button.
#[derive(Deserialize)]
pub struct NoFields {}
