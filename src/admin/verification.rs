//! A NT24_LED buyer's identity verification on the staff pages: where it stands, starting it
//! (and emailing the session link to the buyer's contact), the provider's and the AML
//! screening's findings, the staff decision on a held verification, and the signed profile.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::buyers::BuyerHeader;
use super::page::{self, Chrome, Section};
use crate::admin::guard::{SignedIn, StaffForm};
use crate::buyers;
use crate::errors::{Error, Rule, Unavailability};
use crate::i18n::Language;
use crate::state::AppState;
use crate::verification::aml::{self, AmlMatch};
use crate::verification::profile;
use crate::verification::{self, Decision, StartContext, StartOptions, Verification};
use crate::write;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/buyers/{id}/verification", web::get().to(verification_get))
        .route(
            "/buyers/{id}/verification/start",
            web::post().to(start_post),
        )
        .route(
            "/buyers/{id}/verification/review",
            web::post().to(review_post),
        )
        .route(
            "/buyers/{id}/verification/profile.pdf",
            web::get().to(profile_get),
        );
}

/// The verification page.
#[derive(Template)]
#[template(path = "admin/verification.html")]
pub struct VerificationView {
    /// The frame.
    pub chrome: Chrome,
    /// The buyer's name, VAT number and sub-pages (and whether it is NT24_LED).
    pub header: BuyerHeader,
    /// The current verification, if one was started.
    pub current: Option<Verification>,
    /// The AML findings, pretty-printed for reading.
    pub aml: Option<String>,
    /// The provider's status section, pretty-printed.
    pub details: Option<String>,
    /// Why the review form was refused.
    pub review_error: Option<String>,
    /// The people the AML screening matched, to compare with the contacts.
    pub matches: Vec<AmlMatch>,
    /// The buyer's contacts (name, email), whom the verification is about.
    pub contacts: Vec<String>,
    /// Whether the identity provider's credentials are set (else nothing can start).
    pub provider_configured: bool,
    /// Whether a new verification may be offered (none verified the buyer yet).
    pub can_start: bool,
}

impl VerificationView {
    /// A time in the page's language.
    pub fn when(&self, at: &crate::db::Timestamp) -> String {
        self.chrome.zone.moment(self.chrome.l, *at)
    }

    /// Who reviewed, as a person reads it (the email, without the record's `staff:`).
    pub fn reviewer(&self, recorded: &str) -> String {
        crate::audit::Actor::name_of(recorded)
    }

    /// The state of `v`, translated.
    pub fn state_label(&self, v: &Verification) -> String {
        self.chrome.t(&format!(
            "admin-verification-state-{}",
            v.status.as_str().to_ascii_lowercase()
        ))
    }
}

async fn render(
    req: &HttpRequest,
    me: &SignedIn,
    state: &AppState,
    buyer_id: &str,
    status: StatusCode,
    review_error: Option<String>,
) -> Result<HttpResponse, Error> {
    let buyer = buyers::get_by_id(&state.db, buyer_id).await?;
    let current = verification::latest(&state.db, buyer_id).await?;
    let pretty = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .and_then(|v| serde_json::to_string_pretty(v).ok())
    };
    let title = me.language().text_with(
        "admin-verification-title",
        &[("company", &buyer.company_name)],
    );
    let matches = current
        .as_ref()
        .and_then(|v| v.aml.as_ref())
        .map(aml::matches)
        .unwrap_or_default();
    let contacts = buyer
        .contacts
        .iter()
        .map(|c| format!("{} {} ({})", c.first_name, c.last_name, c.email.as_str()))
        .collect();
    let can_start = current
        .as_ref()
        .is_none_or(|v| v.status != verification::VerificationState::Verified);
    let view = VerificationView {
        chrome: Chrome::new(req, me, Section::Buyers, title),
        matches,
        contacts,
        provider_configured: state.settings.identity_provider_configured(),
        can_start,
        aml: current.as_ref().and_then(|v| pretty(&v.aml)),
        details: current.as_ref().and_then(|v| pretty(&v.provider_details)),
        current,
        header: BuyerHeader::of(&buyer, "verification"),
        review_error,
    };
    page::html(req, status, &view)
}

/// `GET /admin/buyers/{id}/verification` — staff.
async fn verification_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    render(&req, &me, &state, &path, StatusCode::OK, None).await
}

/// The start form.
#[derive(Deserialize)]
pub struct StartForm {
    /// `de` or `en`: the session's and the email's language.
    language: String,
    /// Present when the session link is to be emailed to the buyer's first contact.
    #[serde(default)]
    send_email: Option<String>,
}

/// `POST /admin/buyers/{id}/verification/start` — staff: starts a verification (or finds
/// the running one) and, if asked, emails its link to the buyer's contact.
async fn start_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<StartForm>,
) -> Result<HttpResponse, Error> {
    let buyer = buyers::get_by_id(&state.db, &path).await?;
    let back = format!("/admin/buyers/{}/verification", buyer.uuid);
    let context = StartContext {
        provider: state.provider.as_ref(),
        public_url: &state.settings.public_url,
    };
    let options = StartOptions {
        language: Language::parse(&form.language),
        send_email: form.send_email.is_some(),
    };
    let started = write::apply(&state.db, me.actor(), async |tx| {
        verification::start(tx, context, &buyer.seller_id, &buyer.uuid, options).await
    })
    .await;
    match started {
        Ok(verification::Started::New(_)) => {
            Ok(page::done(&back, "admin-flash-verification-started"))
        }
        Ok(verification::Started::Running(_)) => {
            Ok(page::done(&back, "admin-flash-verification-running"))
        }
        Err(Error::Conflict(conflict)) => Ok(page::failed(&back, conflict.message_id())),
        Err(Error::Unavailable {
            what: what @ (Unavailability::ProviderFailed | Unavailability::ProviderNotConfigured),
            ..
        }) => Ok(page::failed(&back, what.message_id())),
        Err(Error::BadGateway(what)) => Ok(page::failed(&back, what.message_id())),
        Err(Error::Invalid(problems)) if problems.iter().any(|p| p.rule == Rule::NoContact) => {
            Ok(page::failed(&back, "admin-flash-verification-no-contact"))
        }
        Err(e) => Err(e),
    }
}

/// The review form.
#[derive(Deserialize)]
pub struct ReviewForm {
    /// `approve` or `reject`.
    decision: String,
    /// Why it is approved or rejected (required).
    #[serde(default)]
    reason: String,
}

/// `POST /admin/buyers/{id}/verification/review` — staff: decides a held verification.
async fn review_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<ReviewForm>,
) -> Result<HttpResponse, Error> {
    let back = format!("/admin/buyers/{}/verification", path.as_str());
    let decision = match form.decision.as_str() {
        "approve" => Decision::Approve {
            reason: form.reason.clone(),
        },
        "reject" => Decision::Reject {
            reason: form.reason.clone(),
        },
        _ => {
            return Err(Error::invalid(
                "decision",
                Rule::OneOf {
                    allowed: vec!["approve".into(), "reject".into()],
                },
            ));
        }
    };
    let reviewed = write::apply(&state.db, me.actor(), async |tx| {
        verification::review(tx, &path, decision).await
    })
    .await;
    match reviewed {
        Ok(v) if v.status == verification::VerificationState::Verified => {
            Ok(page::done(&back, "admin-flash-verification-approved"))
        }
        Ok(_) => Ok(page::done(&back, "admin-flash-verification-rejected")),
        Err(Error::Invalid(_)) => {
            let error = me.language().text("admin-verification-reason-required");
            render(
                &req,
                &me,
                &state,
                &path,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(error),
            )
            .await
        }
        Err(Error::Conflict(conflict)) => Ok(page::failed(&back, conflict.message_id())),
        Err(e) => Err(e),
    }
}

/// `GET /admin/buyers/{id}/verification/profile.pdf` — staff: the signed KYC profile in the
/// staff member's language, with its signature in a header like the API's.
async fn profile_get(
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let buyer = buyers::get_by_id(&state.db, &path).await?;
    let issued = profile::issue(
        &state.db,
        &state.signer,
        &buyer.seller_id,
        &buyer.uuid,
        Some(me.language()),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"kyc-profile-{}.pdf\"", buyer.uuid),
        ))
        .insert_header(("KYC-Profile-Signature", issued.signature))
        .body(issued.pdf))
}
