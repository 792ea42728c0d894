//! CSRF for the forms shown before sign-in (setting a password, asking for a reset): there is
//! no session yet, so the page sets its token in a strict cookie for its own path and the form
//! must echo it.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpRequest, HttpResponse};

use crate::errors::Error;
use crate::secret_token;

const COOKIE: &str = "kyc_admin_form";

/// A fresh token for a page's form.
pub fn new_token() -> Result<String, Error> {
    Ok(secret_token::generate("")
        .map_err(|e| Error::Internal(anyhow::anyhow!("no secure random source: {e}")))?
        .plain)
}

/// Sets `token` as the cookie the form at `path` must echo.
pub fn set(
    response: &mut HttpResponse,
    path: &str,
    token: &str,
    secure: bool,
) -> Result<(), Error> {
    let cookie = Cookie::build(COOKIE, token.to_owned())
        .path(path.to_owned())
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish();
    response
        .add_cookie(&cookie)
        .map_err(|e| Error::Internal(anyhow::anyhow!("setting a cookie: {e}")))
}

/// Whether the form echoed the token its page set.
pub fn echoed(req: &HttpRequest, sent: &str) -> bool {
    let expected = req
        .cookie(COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    secret_token::same(sent, &expected)
}

/// A form sent before sign-in whose token matched its page's cookie: a handler that takes it
/// cannot skip the check. `fields` is the form without its token.
pub struct AnonymousForm<T> {
    /// What was sent.
    pub fields: T,
}

/// The token every such form echoes.
#[derive(serde::Deserialize)]
struct Token {
    #[serde(default)]
    csrf: String,
}

/// The longest form read (an address or a password).
const MAX_FORM_BYTES: usize = 4 * 1024;

impl<T> actix_web::FromRequest for AnonymousForm<T>
where
    T: serde::de::DeserializeOwned + 'static,
{
    type Error = Error;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, Error>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let body = actix_web::web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let malformed = || Error::Malformed("the form could not be read".into());
            let body = body.await.map_err(|_| malformed())?;
            if body.len() > MAX_FORM_BYTES {
                return Err(Error::TooLarge {
                    what: "the form",
                    max: MAX_FORM_BYTES as u64,
                });
            }
            let token: Token = serde_urlencoded::from_bytes(&body).map_err(|_| malformed())?;
            if !echoed(&req, &token.csrf) {
                return Err(Error::Forbidden(crate::errors::Forbidden::StaleForm));
            }
            let fields = serde_urlencoded::from_bytes(&body).map_err(|_| malformed())?;
            Ok(AnonymousForm { fields })
        })
    }
}
