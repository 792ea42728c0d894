//! The page kit both page areas (`admin`, `portal`) build on: rendering a page, redirecting
//! after a form, the security headers of HTML, and the language switch every page shows.

use actix_web::HttpResponse;
use actix_web::cookie::Cookie;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::DefaultHeaders;
use askama::Template;

use crate::errors::Error;
use crate::i18n::Language;

/// `view` rendered as an HTML page with `status`.
pub fn html(status: StatusCode, view: &impl Template) -> Result<HttpResponse, Error> {
    let body = view
        .render()
        .map_err(|e| Error::Internal(anyhow::anyhow!("rendering a page: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// 303 to `location` (after a form, so reloading the page sends nothing again).
pub fn see_other(location: &str) -> HttpResponse {
    see_other_setting(location, [])
}

/// 303 to `location`, setting (or, made for removal, clearing) `cookies`.
pub fn see_other_setting(
    location: &str,
    cookies: impl IntoIterator<Item = Cookie<'static>>,
) -> HttpResponse {
    let mut response = HttpResponse::SeeOther();
    response.insert_header((header::LOCATION, location));
    for cookie in cookies {
        response.cookie(cookie);
    }
    response.finish()
}

/// The headers every HTML page of an area carries: its content security policy, and no
/// caching (pages show personal data).
pub fn security_headers(content_security_policy: &'static str) -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, content_security_policy))
        .add((header::CACHE_CONTROL, "no-store"))
}

/// The language switch: one button per language, each named in itself, the current one
/// pressed. A form posting `lang` (and the session's `csrf`) to `action`.
pub struct LanguageSwitch {
    /// Where the form posts.
    pub action: &'static str,
    /// Where to come back to, when the area asks for it.
    pub back: Option<String>,
    /// A visible label before the buttons ("Language"), when the area shows one.
    pub label: Option<String>,
    /// The buttons.
    pub options: Vec<LanguageOption>,
}

/// One button of the switch.
pub struct LanguageOption {
    /// `de`, `en`.
    pub code: &'static str,
    /// "Deutsch", "English".
    pub name: &'static str,
    /// Whether it is the page's language.
    pub current: bool,
}

impl LanguageSwitch {
    /// A switch posting to `action`, with `current` pressed.
    pub fn new(action: &'static str, current: Language) -> LanguageSwitch {
        LanguageSwitch {
            action,
            back: None,
            label: None,
            options: Language::ALL
                .into_iter()
                .map(|l| LanguageOption {
                    code: l.code(),
                    name: l.native_name(),
                    current: l == current,
                })
                .collect(),
        }
    }
}
