//! `GET/POST /admin/buyers/new`: a new buyer, by the API's upsert rules (keyed on seller and
//! VAT number; the same details again open the existing buyer).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::fields::{self, Field, Problems};
use super::form::{self, BuyerForm};
use super::list::all_sellers;
use crate::admin::guard::{SignedIn, StaffForm};
use crate::admin::page::{self, Chrome, Section};
use crate::buyers::{self, Upserted};
use crate::errors::{Conflict, Error, FieldProblem, Rule};
use crate::http::messages;
use crate::kyc::vat::CheckDigitsVerdict;
use crate::partners::Seller;
use crate::state::AppState;
use crate::write;

/// The new buyer page.
#[derive(Template)]
#[template(path = "admin/buyers/new.html")]
pub struct NewView {
    /// The frame.
    pub chrome: Chrome,
    /// The form as typed.
    pub form: BuyerForm,
    /// Every seller.
    pub sellers: Vec<Seller>,
    /// What is wrong with the input.
    pub problems: Problems,
    /// Company and address inputs.
    pub fields: Vec<Field>,
    /// Contact rows.
    pub contacts: Vec<Vec<Field>>,
    /// The existing buyer a conflict is about.
    pub existing: Option<String>,
}

async fn render(
    req: &HttpRequest,
    me: &SignedIn,
    state: &AppState,
    status: StatusCode,
    form: BuyerForm,
    problems: Problems,
    existing: Option<String>,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let view = NewView {
        chrome: Chrome::new(req, me, Section::Buyers, l.text("admin-buyers-new-title")),
        sellers: all_sellers(state).await?,
        fields: fields::main_fields(l, &form, &problems),
        contacts: fields::contact_fields(l, &form, &problems),
        form,
        problems,
        existing,
    };
    page::html(req, status, &view)
}

/// `GET /admin/buyers/new` — every staff member.
pub async fn new_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    let form = BuyerForm {
        kyc_mode: "MARKETPLACE_LED".into(),
        ..BuyerForm::default()
    };
    render(
        &req,
        &me,
        &state,
        StatusCode::OK,
        form,
        Problems::default(),
        None,
    )
    .await
}

/// `POST /admin/buyers/new` — every staff member: the API's upsert, as this staff member.
pub async fn new_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    StaffForm {
        who: me,
        fields: pairs,
    }: StaffForm<Vec<(String, String)>>,
) -> Result<HttpResponse, Error> {
    let form = BuyerForm::from_pairs(pairs);
    let l = me.language();
    let fields = form::field_names(&form, true);
    let outcome = match (form.seller_id.trim().is_empty(), form.raw().parse()) {
        (false, Ok((vat, details))) => {
            write::apply(&state.db, me.actor(), async |tx| {
                buyers::upsert(tx, &form.seller_id, vat, details).await
            })
            .await
        }
        // Every problem in one round: a missing seller joins those of the other fields.
        (no_seller, parsed) => {
            let mut problems = Vec::new();
            if no_seller {
                problems.push(FieldProblem::new("sellerId", Rule::Required));
            }
            match parsed {
                Err(Error::Invalid(others)) => problems.extend(others),
                Err(other) => return Err(other),
                Ok(_) => {}
            }
            Err(Error::Invalid(problems))
        }
    };
    match outcome {
        Ok(Upserted::Created(buyer)) => Ok(page::done(
            &format!("/admin/buyers/{}", buyer.uuid),
            // The offline check-digit verdict is said at once, before any VIES check.
            if buyer.vat_number_check.check_digits == CheckDigitsVerdict::Invalid {
                "admin-flash-buyer-created-check-digits-wrong"
            } else {
                "admin-flash-buyer-created"
            },
        )),
        Ok(Upserted::Unchanged(buyer)) => Ok(page::done(
            &format!("/admin/buyers/{}", buyer.uuid),
            "admin-flash-buyer-exists",
        )),
        Err(Error::Conflict(ref conflict @ Conflict::BuyerExists { ref current })) => {
            let existing = current["uuid"].as_str().map(str::to_owned);
            let problems = Problems::general(messages::conflict(l, conflict));
            let status = StatusCode::CONFLICT;
            render(&req, &me, &state, status, form, problems, existing).await
        }
        Err(Error::NotFound(_)) => {
            let problems =
                Problems::from_fields(l, &[FieldProblem::new("sellerId", Rule::Required)], &fields);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(&req, &me, &state, status, form, problems, None).await
        }
        Err(e) => match fields::problems_of(l, &e, &fields) {
            Some(problems) => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                render(&req, &me, &state, status, form, problems, None).await
            }
            None => Err(e),
        },
    }
}
