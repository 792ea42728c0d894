//! The start page (every staff role): what needs someone today, each part with its count and
//! the first buyers, oldest waiting first, linking to where the work is done.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use serde::Deserialize;

use super::guard::{SignedIn, StaffForm};
use super::page::{self, Chrome, Section};
use crate::errors::Error;
use crate::i18n::Language;
use crate::kyc::attention::{self, Part};
use crate::organisation;
use crate::staff;
use crate::state::AppState;
use crate::time_zone::TimeZone;

/// One buyer in a part, ready to show.
pub struct Row {
    /// Where the work on it is done.
    pub href: String,
    /// The company.
    pub company: String,
    /// "since …" or "lapses on …", in the page's language.
    pub when: String,
}

/// One part of the page.
pub struct Concern {
    /// Its anchor (`held`, `vies`, ...).
    pub id: &'static str,
    /// Its heading.
    pub heading: String,
    /// What to do about it.
    pub hint: String,
    /// How many buyers.
    pub count: i64,
    /// The first of them.
    pub rows: Vec<Row>,
}

/// The start page.
#[derive(Template)]
#[template(path = "admin/today.html")]
pub struct TodayView {
    /// The frame.
    pub chrome: Chrome,
    /// The parts, in the order of urgency.
    pub sections: Vec<Concern>,
    /// Whether nothing needs anyone.
    pub clear: bool,
    /// Whether the signed-in user gets this overview by email every morning.
    pub daily_digest: bool,
}

fn concern(
    l: Language,
    zone: TimeZone,
    id: &'static str,
    part: Part,
    tab: &str,
    when_id: &str,
) -> Concern {
    Concern {
        id,
        heading: l.text(&format!("admin-today-{id}")),
        hint: l.text(&format!("admin-today-{id}-hint")),
        count: part.count,
        rows: part
            .first
            .into_iter()
            .map(|w| Row {
                href: format!("/admin/buyers/{}{tab}", w.buyer_id),
                company: w.company_name,
                when: l.text_with(when_id, &[("when", zone.moment(l, w.since).as_str())]),
            })
            .collect(),
    }
}

/// `GET /admin` — every staff role.
pub async fn today_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let zone = me.zone();
    let settings = organisation::load(&state.db).await?;
    let today = attention::today(&state.db, &settings).await?;
    let clear = today.is_clear();
    let mut sections = vec![
        concern(
            l,
            zone,
            "held",
            today.held_verifications,
            "/verification",
            "admin-today-since",
        ),
        concern(l, zone, "vies", today.failing_vies, "", "admin-today-since"),
        concern(
            l,
            zone,
            "renewals",
            today.renewal_requests,
            "/invitations",
            "admin-today-since",
        ),
        concern(
            l,
            zone,
            "lapsed-links",
            today.lapsed_links,
            "/invitations",
            "admin-today-ran-out",
        ),
        concern(
            l,
            zone,
            "lapsing",
            today.lapsing_documents,
            "/documents",
            "admin-today-lapses",
        ),
        concern(
            l,
            zone,
            "uploads",
            today.new_uploads,
            "/documents",
            "admin-today-uploaded",
        ),
    ];
    // Uploads wait for a decision only when the organisation reviews them.
    if settings.require_document_review || settings.four_eyes_review {
        sections.push(concern(
            l,
            zone,
            "reviews",
            today.awaiting_review,
            "/documents",
            "admin-today-since",
        ));
    }
    let view = TodayView {
        chrome: Chrome::new(&req, &me, Section::Today, l.text("admin-today-title")),
        sections,
        clear,
        daily_digest: me.user().daily_digest,
    };
    page::html(&req, StatusCode::OK, &view)
}

/// The daily digest switch.
#[derive(Deserialize)]
pub struct DigestForm {
    /// `true` to get the digest, anything else to stop it.
    #[serde(default)]
    daily_digest: String,
}

/// `POST /admin/digest` — every staff role, for themselves: turns the daily digest email of
/// this overview on or off.
pub async fn digest_post(
    state: web::Data<AppState>,
    StaffForm { who: me, fields }: StaffForm<DigestForm>,
) -> Result<HttpResponse, Error> {
    let on = fields.daily_digest == "true";
    staff::set_daily_digest(&state.db, &me.user().id, on).await?;
    Ok(page::done(
        "/admin",
        if on {
            "admin-flash-digest-on"
        } else {
            "admin-flash-digest-off"
        },
    ))
}
