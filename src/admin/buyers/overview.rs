//! `GET/POST /admin/buyers/{id}`: the buyer's data and KYC status, and the edit form (the
//! API's merge patch with the version the form was loaded at).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::fields::{self, Field, Problems};
use super::form::{self, BuyerForm};
use super::list::{kyc_label_id, status_label_id};
use super::{BuyerHeader, buyer_of};
use crate::admin::guard::{SignedIn, StaffForm};
use crate::admin::page::{self, Chrome, Section};
use crate::buyers::{self, Buyer, KycMode};
use crate::errors::{Error, Rule};
use crate::kyc::{
    self,
    status::{KycStatus, VerificationStatus},
};
use crate::partners;
use crate::state::AppState;
use crate::write;

/// The buyer page.
#[derive(Template)]
#[template(path = "admin/buyer/overview.html")]
pub struct OverviewView {
    /// The frame.
    pub chrome: Chrome,
    /// Heading and sub-navigation.
    pub header: BuyerHeader,
    /// The buyer as stored.
    pub buyer: Buyer,
    /// Its seller's name.
    pub seller: String,
    /// Its KYC status.
    pub kyc: KycStatus,
    /// The edit form as typed (or as stored).
    pub form: BuyerForm,
    /// What is wrong with the edit.
    pub problems: Problems,
    /// Company and address inputs.
    pub fields: Vec<Field>,
    /// Contact rows.
    pub contacts: Vec<Vec<Field>>,
}

impl OverviewView {
    /// Whether the VAT number's check digits fail (said before any VIES check).
    pub fn check_digits_wrong(&self) -> bool {
        self.buyer.vat_number_check.check_digits == crate::kyc::vat::CheckDigitsVerdict::Invalid
    }

    /// The buyer's KYC mode in words.
    pub fn mode_label(&self) -> String {
        self.chrome.t(match self.buyer.kyc_mode {
            KycMode::MarketplaceLed => "admin-buyers-mode-marketplace-led",
            KycMode::Nt24Led => "admin-buyers-mode-nt24-led",
        })
    }

    /// The buyer's status in words.
    pub fn status_label(&self) -> String {
        self.chrome.t(status_label_id(self.buyer.status))
    }

    /// The overall KYC status in words.
    pub fn overall_label(&self) -> String {
        self.chrome
            .t(&kyc_label_id(self.kyc.overall_status.as_str()))
    }

    /// The document types that do not count yet (missing or too old) in words.
    pub fn missing(&self) -> Vec<String> {
        self.kyc
            .missing_document_types
            .iter()
            .chain(&self.kyc.expired_document_types)
            .map(|t| t.label(self.chrome.l))
            .collect()
    }

    /// The latest VIES result and when it was settled, in words.
    pub fn vies_label(&self) -> String {
        match (self.kyc.vies_result, self.kyc.vies_last_checked_at) {
            (Some(result), Some(at)) => format!(
                "{} ({})",
                self.chrome.t(&format!(
                    "admin-buyers-vies-{}",
                    result.as_str().to_lowercase()
                )),
                self.chrome.zone.moment(self.chrome.l, at)
            ),
            _ => self.chrome.t("admin-buyers-vies-never"),
        }
    }

    /// The NT24_LED verification in words, if the buyer has one.
    pub fn verification_label(&self) -> Option<String> {
        let id = match self.kyc.verification_status? {
            VerificationStatus::NotStarted => "admin-buyers-verification-not-started",
            VerificationStatus::Pending => "admin-buyers-verification-pending",
            VerificationStatus::Verified => "admin-buyers-verification-verified",
            VerificationStatus::Rejected => "admin-buyers-verification-rejected",
        };
        Some(self.chrome.t(id))
    }

    /// When the buyer was created and last changed.
    pub fn created(&self) -> String {
        self.chrome
            .zone
            .moment(self.chrome.l, self.buyer.created_at)
    }

    /// When the buyer last changed.
    pub fn updated(&self) -> String {
        self.chrome
            .zone
            .moment(self.chrome.l, self.buyer.updated_at)
    }
}

async fn render(
    req: &HttpRequest,
    me: &SignedIn,
    state: &AppState,
    status_code: StatusCode,
    buyer: Buyer,
    form: BuyerForm,
    problems: Problems,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let seller = partners::get(&state.db, &buyer.seller_id).await?.name;
    let kyc = kyc::status_of(&state.db, &buyer.seller_id, &buyer.uuid).await?;
    let view = OverviewView {
        chrome: Chrome::new(req, me, Section::Buyers, buyer.company_name.clone()),
        header: BuyerHeader::of(&buyer, "overview"),
        fields: fields::main_fields(l, &form, &problems),
        contacts: fields::contact_fields(l, &form, &problems),
        buyer,
        seller,
        kyc,
        form,
        problems,
    };
    page::html(req, status_code, &view)
}

/// `GET /admin/buyers/{id}` — every staff member.
pub async fn overview_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let buyer = buyer_of(&state.db, &path).await?;
    let form = BuyerForm::from_buyer(&buyer);
    let ok = StatusCode::OK;
    render(&req, &me, &state, ok, buyer, form, Problems::default()).await
}

/// `POST /admin/buyers/{id}` — every staff member: the API's PATCH with the form's version.
/// A stale version changes nothing: the page shows the current data and keeps what was typed.
pub async fn edit_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm {
        who: me,
        fields: pairs,
    }: StaffForm<Vec<(String, String)>>,
) -> Result<HttpResponse, Error> {
    let mut form = BuyerForm::from_pairs(pairs);
    let l = me.language();
    let buyer = buyer_of(&state.db, &path).await?;
    let version = form
        .version()
        .ok_or_else(|| Error::invalid("version", Rule::Required))?;
    let patch = form.patch();
    let outcome = write::apply(&state.db, me.actor(), async |tx| {
        buyers::update(tx, &buyer.seller_id, &buyer.uuid, version, &patch).await
    })
    .await;
    match outcome {
        Ok(updated) => Ok(page::done(
            &format!("/admin/buyers/{}", updated.uuid),
            "admin-flash-buyer-updated",
        )),
        Err(Error::Conflict { .. }) => {
            // Someone changed the buyer since the form was loaded: show what is stored now,
            // keep the typed values, and base a second save on the current version.
            let current = buyer_of(&state.db, &path).await?;
            form.version = current.version.to_string();
            form.vat_number = current.vat_number.as_str().to_owned();
            let problems = Problems::general(l.text("admin-buyers-error-stale"));
            let status = StatusCode::CONFLICT;
            render(&req, &me, &state, status, current, form, problems).await
        }
        Err(e) => {
            let fields = form::field_names(&form, false);
            match fields::problems_of(l, &e, &fields) {
                Some(problems) => {
                    let status = StatusCode::UNPROCESSABLE_ENTITY;
                    render(&req, &me, &state, status, buyer, form, problems).await
                }
                None => Err(e),
            }
        }
    }
}
