//! What every staff page shares: the frame around the content, rendering, redirects and the
//! flash message that tells the result of the last action.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::guard::SignedIn;
use crate::errors::Error;
use crate::http::page::LanguageSwitch;
use crate::i18n::Language;
use crate::pagination::Page;
use crate::time_zone::TimeZone;

const FLASH_COOKIE: &str = "kyc_admin_flash";
/// The signed-in user's language, for the pages that are rendered without reading the
/// session (error pages); the stored choice on the user stays the authority.
const LANGUAGE_COOKIE: &str = "kyc_admin_lang";

/// Which part of the navigation a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The start page: what needs staff today.
    Today,
    /// Buyers and everything about one buyer.
    Buyers,
    /// Documents waiting for review.
    Reviews,
    /// Webhook endpoints and deliveries.
    Webhooks,
    /// Organisation settings and API tokens.
    Settings,
    /// Staff users.
    Users,
    /// Pages outside the navigation (sign-in).
    None,
}

/// The result of the last action, shown once at the top of the next page.
#[derive(Debug, Clone)]
pub struct Flash {
    /// The sentence, in the page's language.
    pub text: String,
    /// Whether it reports a failure.
    pub is_error: bool,
}

/// The frame of a staff page.
pub struct Chrome {
    /// The page's language.
    pub l: Language,
    /// The zone its times are shown in.
    pub zone: TimeZone,
    /// The page title.
    pub title: String,
    /// The signed-in user's email; empty on the sign-in page.
    pub email: String,
    /// Whether the user may see the administrators' sections.
    pub is_admin: bool,
    /// The session's CSRF token (on the sign-in page: the sign-in form's own).
    pub csrf: String,
    /// The result of the last action.
    pub flash: Option<Flash>,
    /// The highlighted navigation entry.
    pub section: Section,
    /// The path of this page.
    pub path: String,
    /// The language switch (signed in only: it is saved with the user).
    pub switch: Option<LanguageSwitch>,
}

impl Chrome {
    /// The frame for `me` on the page at `req`, titled by the message `title_id`.
    pub fn new(req: &HttpRequest, me: &SignedIn, section: Section, title: String) -> Chrome {
        let l = me.language();
        Chrome {
            l,
            zone: me.zone(),
            title,
            email: me.user().email.clone(),
            is_admin: me.is_admin(),
            csrf: me.csrf().to_owned(),
            flash: flash_of(req, l),
            section,
            path: req.uri().to_string(),
            switch: Some(LanguageSwitch {
                back: Some(req.uri().to_string()),
                ..LanguageSwitch::new("/admin/language", l)
            }),
        }
    }

    /// The frame of a page shown without a session (sign-in, error pages): no navigation;
    /// `csrf` is the page's own form token, if it has a form.
    pub fn anonymous(l: Language, title: String, path: String, csrf: String) -> Chrome {
        Chrome {
            l,
            zone: TimeZone::default(),
            title,
            email: String::new(),
            is_admin: false,
            csrf,
            flash: None,
            section: Section::None,
            path,
            switch: None,
        }
    }

    /// The message `id` in the page's language.
    pub fn t(&self, id: &str) -> String {
        self.l.text(id)
    }

    /// The message `id` with one argument.
    pub fn t1(&self, id: &str, name: &'static str, value: &str) -> String {
        self.l.text_with(id, &[(name, value)])
    }

    /// Whether the navigation entry `name` (`buyers`, `webhooks`, `settings`, `users`) is
    /// the current section (for `aria-current`).
    pub fn current(&self, name: &str) -> bool {
        let current = match self.section {
            Section::Today => "today",
            Section::Buyers => "buyers",
            Section::Reviews => "reviews",
            Section::Webhooks => "webhooks",
            Section::Settings => "settings",
            Section::Users => "users",
            Section::None => "",
        };
        current == name
    }
}

/// The flash message a redirect left, if any: `ok:<id>` or `error:<id>` where the id is a
/// message id. Anything else is ignored, so a forged cookie can only pick among our own texts.
fn flash_of(req: &HttpRequest, l: Language) -> Option<Flash> {
    let cookie = req.cookie(FLASH_COOKIE)?;
    let (kind, id) = cookie.value().split_once(':')?;
    // Only our own messages, whatever a client puts in the cookie: the flashes, and the
    // domain's conflicts and unavailabilities.
    let ours = ["admin-flash-", "conflict-", "unavailable-"]
        .iter()
        .any(|prefix| id.starts_with(prefix));
    let plain = id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ours || !plain {
        return None;
    }
    Some(Flash {
        text: l.text(id),
        is_error: kind == "error",
    })
}

/// Renders `view` as an HTML response, clearing a shown flash message.
pub fn html(
    req: &HttpRequest,
    status: StatusCode,
    view: &impl Template,
) -> Result<HttpResponse, Error> {
    let mut response = crate::http::page::html(status, view)?;
    if req.cookie(FLASH_COOKIE).is_some() {
        let gone = Cookie::build(FLASH_COOKIE, "").path("/admin").finish();
        response
            .add_removal_cookie(&gone)
            .map_err(|e| Error::Internal(anyhow::anyhow!("clearing a cookie: {e}")))?;
    }
    Ok(response)
}

/// Remembers `l` in the browser for the pages rendered without a session.
pub fn language_cookie(l: Language) -> Cookie<'static> {
    Cookie::build(LANGUAGE_COOKIE, l.code())
        .path("/admin")
        .http_only(true)
        .same_site(SameSite::Lax)
        .finish()
}

/// The language of a staff page rendered without its session: the one the user chose last in
/// this browser, else the browser's.
pub fn language_without_session(req: &HttpRequest) -> Language {
    req.cookie(LANGUAGE_COOKIE)
        .and_then(|c| Language::parse(c.value()))
        .unwrap_or_else(|| crate::http::client::browser_language(req))
}

/// Which page of a long list to show: the API's opaque cursor, newest first.
#[derive(Deserialize)]
pub struct CursorQuery {
    cursor: Option<String>,
}

impl CursorQuery {
    /// The page it names, of the API's default size; a cursor we never handed out is a 422.
    pub fn page(&self) -> Result<Page, Error> {
        Page::parse(None, self.cursor.as_deref())
    }

    /// Whether it names a later page than the first.
    pub fn is_later(&self) -> bool {
        self.cursor.is_some()
    }

    /// The page it names, of `size` entries.
    pub fn page_of(&self, size: u32) -> Result<Page, Error> {
        Page::parse(Some(size), self.cursor.as_deref())
    }
}

pub use crate::http::page::{see_other, see_other_setting};

/// 303 to `location`, telling there that the action succeeded (`admin-flash-...` id).
pub fn done(location: &str, flash_id: &'static str) -> HttpResponse {
    with_flash(location, "ok", flash_id)
}

/// 303 to `location`, telling there that the action failed (`admin-flash-...` id).
pub fn failed(location: &str, flash_id: &'static str) -> HttpResponse {
    with_flash(location, "error", flash_id)
}

fn with_flash(location: &str, kind: &str, flash_id: &'static str) -> HttpResponse {
    let cookie = Cookie::build(FLASH_COOKIE, format!("{kind}:{flash_id}"))
        .path("/admin")
        .http_only(true)
        .same_site(SameSite::Lax)
        .finish();
    see_other_setting(location, [cookie])
}
