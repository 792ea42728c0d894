//! Each staff member's own second factor: enrolling an authenticator app (QR code, URI and
//! the secret to type in), confirming it with a code, and turning it off with a current code.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use super::guard::{SignedIn, StaffForm};
use super::page::{self, Chrome, Section};
use super::urls;
use crate::errors::{Error, Rule};
use crate::invitations::qr;
use crate::staff::totp::{self, Enrolment, TotpCode};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/account/second-factor", web::get().to(second_factor_get))
        .route("/account/second-factor", web::post().to(second_factor_post));
}

/// The second factor page.
#[derive(Template)]
#[template(path = "admin/second_factor.html")]
pub struct SecondFactorView {
    /// The frame.
    pub chrome: Chrome,
    /// Whether the second factor is on.
    pub enrolled: bool,
    /// Whether the organisation requires it of this user.
    pub required: bool,
    /// What the app needs, while enrolling.
    pub enrolment: Option<Enrolment>,
    /// The enrolment URI's QR code as a data URI (SVG).
    pub qr: String,
    /// Why the last code was refused.
    pub error: Option<String>,
}

async fn render(
    req: &HttpRequest,
    me: &SignedIn,
    state: &AppState,
    status: StatusCode,
    error: Option<String>,
) -> Result<HttpResponse, Error> {
    let organisation = state.organisation().await?;
    let user = me.user();
    let enrolment = if user.second_factor {
        None
    } else {
        let seal = totp::seal(&state.key);
        Some(totp::enrolment(&state.db, &seal, &user.id, &organisation.name, &user.email).await?)
    };
    let qr = match &enrolment {
        Some(enrolment) => format!(
            "data:image/svg+xml;base64,{}",
            STANDARD.encode(qr::svg(&enrolment.uri)?)
        ),
        None => String::new(),
    };
    let view = SecondFactorView {
        chrome: Chrome::new(
            req,
            me,
            Section::None,
            me.language().text("staff-second-factor-title"),
        ),
        enrolled: user.second_factor,
        required: organisation.totp_required_for_administrators && me.is_admin(),
        enrolment,
        qr,
        error,
    };
    page::html(req, status, &view)
}

/// `GET /admin/account/second-factor` — signed in: one's own second factor.
async fn second_factor_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    render(&req, &me, &state, StatusCode::OK, None).await
}

/// A code for turning the second factor on or off.
#[derive(Deserialize)]
pub struct CodeForm {
    /// `confirm` or `disable`.
    action: String,
    /// Six digits from the app.
    #[serde(default)]
    code: String,
}

/// `POST /admin/account/second-factor` — signed in: confirms an enrolment or turns the second
/// factor off, each with a current code.
async fn second_factor_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<CodeForm>,
) -> Result<HttpResponse, Error> {
    let seal = totp::seal(&state.key);
    let code = TotpCode::parse(&form.code);
    let (done, flash) = match form.action.as_str() {
        "confirm" => match &code {
            Some(code) => (
                totp::confirm(&state.db, &seal, &me.actor(), &me.user().id, code).await?,
                "admin-flash-second-factor-on",
            ),
            None => (false, ""),
        },
        "disable" => match &code {
            Some(code) => (
                totp::disable(&state.db, &seal, &me.actor(), &me.user().id, code).await?,
                "admin-flash-second-factor-off",
            ),
            None => (false, ""),
        },
        _ => {
            let allowed = ["confirm", "disable"].map(String::from).to_vec();
            return Err(Error::invalid("action", Rule::OneOf { allowed }));
        }
    };
    if done {
        return Ok(page::done(urls::SECOND_FACTOR, flash));
    }
    let error = Some(me.language().text("staff-second-factor-wrong-code"));
    render(&req, &me, &state, StatusCode::UNPROCESSABLE_ENTITY, error).await
}
