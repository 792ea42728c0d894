//! A buyer's self-service invitations (every staff role): the list, a new invitation, resend,
//! revoke behind a confirmation, and the printable QR sheet. The same domain calls as the
//! API's `.../kyc/self-service-invitations`, so rules, audit entries and the email job match.

mod sheet;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::page::{self, Chrome, CursorQuery, Section};
use crate::access::SellerScope;
use crate::admin::confirm::ConfirmView;
use crate::admin::guard::{NoFields, SignedIn, StaffForm};
use crate::buyers::{self, Buyer};
use crate::db::now;
use crate::errors::Error;
use crate::i18n::Language;
use crate::invitations::renewal;
use crate::invitations::{self, EmailStatus, InvitationStatus, InvitationView, RawInvitation};
use crate::organisation::{self, EXPIRY_DAYS};
use crate::pagination::Page;
use crate::reminders::{self, Reminder, ReminderStatus};
use crate::state::AppState;
use crate::time_zone::TimeZone;
use crate::write;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/buyers/{id}/invitations", web::get().to(list_get))
        .route("/buyers/{id}/invitations", web::post().to(create_post))
        .route("/invitations/{id}/resend", web::post().to(resend_post))
        .route("/invitations/{id}/renew", web::post().to(renew_post))
        .route("/invitations/{id}/revoke", web::get().to(revoke_get))
        .route("/invitations/{id}/revoke", web::post().to(revoke_post))
        .route("/invitations/{id}/sheet", web::get().to(sheet::sheet_get))
        .route("/invitations/{id}/qr.svg", web::get().to(sheet::qr_svg_get))
        .route(
            "/invitation-sheet.css",
            crate::admin::assets::SHEET_STYLESHEET.route(),
        );
}

/// The label of an invitation's status.
pub(super) fn status_label(l: Language, status: InvitationStatus) -> String {
    l.text(match status {
        InvitationStatus::Active => "admin-invitation-status-active",
        InvitationStatus::Expired => "admin-invitation-status-expired",
        InvitationStatus::Revoked => "admin-invitation-status-revoked",
        InvitationStatus::Exhausted => "admin-invitation-status-exhausted",
    })
}

/// One invitation as a row of the list.
pub struct InvitationRow {
    /// `inv_...`.
    pub id: String,
    /// Who got the email, or "print only".
    pub recipient: String,
    /// No email goes out for it: printed or handed over (no resend).
    pub print_only: bool,
    /// The invitation's language, named in itself.
    pub language: &'static str,
    /// The invitation's language code (for `lang`).
    pub language_code: &'static str,
    /// The status, in the staff member's language.
    pub status: String,
    /// Whether the sheet and sending again are offered: the link still works, the buyer's
    /// relationship has not ended and the buyer is not blocked.
    pub offers_link: bool,
    /// Whether renewing is offered: the buyer asked for a new link, the relationship has not
    /// ended and the buyer is not blocked.
    pub offers_renewal: bool,
    /// Whether it can still be revoked.
    pub revocable: bool,
    /// When it was made.
    pub created: String,
    /// When it stops working.
    pub expires: String,
    /// `2 / 5` or `2`.
    pub uses: String,
    /// When it was last used, if ever.
    pub last_used: Option<String>,
    /// Where its email stands, in words.
    pub email: String,
    /// Why its email failed, if it did.
    pub email_error: Option<String>,
    /// When the buyer asked for a new link in its place, if they did and no one answered yet.
    pub renewal_requested: Option<String>,
    /// How many reminders were sent about the link and when the last went, in words.
    pub reminders: Option<String>,
    /// Each reminder that carried the link and what became of it, newest first, in words.
    pub reminder_notes: Vec<String>,
}

impl InvitationRow {
    fn of(l: Language, zone: TimeZone, view: &InvitationView) -> InvitationRow {
        InvitationRow {
            id: view.uuid.clone(),
            recipient: match (&view.recipient_email, view.email_status) {
                (Some(email), _) => email.clone(),
                (None, None) => l.text("admin-invitation-print-only"),
                // Emailed once; the buyer's erasure took the address.
                (None, Some(_)) => l.text("admin-invitation-recipient-erased"),
            },
            print_only: view.is_print_only(),
            language: view.language.native_name(),
            language_code: view.language.code(),
            status: status_label(l, view.status),
            offers_link: view.status == InvitationStatus::Active,
            offers_renewal: false,
            revocable: view.status != InvitationStatus::Revoked,
            created: zone.moment(l, view.created_at),
            expires: zone.moment(l, view.expires_at),
            uses: match view.max_uses {
                Some(max) => format!("{} / {max}", view.usage_count),
                None => view.usage_count.to_string(),
            },
            last_used: view.last_used_at.map(|at| zone.moment(l, at)),
            email: l.text(match view.email_status {
                Some(EmailStatus::Queued) => "admin-invitation-email-queued",
                Some(EmailStatus::Sent) => "admin-invitation-email-sent",
                Some(EmailStatus::Failed) => "admin-invitation-email-failed",
                Some(EmailStatus::Skipped) => "admin-invitation-email-skipped",
                None => "admin-invitation-email-none",
            }),
            email_error: view.email_error.clone(),
            renewal_requested: None,
            reminders: view.last_reminder_at.map(|at| {
                l.text_with(
                    "admin-invitation-reminders",
                    &[
                        ("count", &view.reminders_sent.to_string()),
                        ("when", &zone.moment(l, at)),
                    ],
                )
            }),
            reminder_notes: Vec::new(),
        }
    }
}

/// A reminder and what became of it, in one line of `l`.
fn reminder_note(l: Language, zone: TimeZone, reminder: &Reminder) -> String {
    let what = l.text(&format!("admin-reminder-{}", reminder.kind.as_str()));
    let outcome = match (reminder.status, reminder.sent_at) {
        (ReminderStatus::Sent, Some(at)) => {
            l.text_with("admin-reminder-sent", &[("when", &zone.moment(l, at))])
        }
        (ReminderStatus::Skipped, _) => l.text_with(
            "admin-reminder-skipped",
            &[(
                "reason",
                &l.text(&format!(
                    "admin-reminder-reason-{}",
                    reminder.skipped_reason.as_deref().unwrap_or("OTHER")
                )),
            )],
        ),
        (ReminderStatus::Failed, _) => l.text("admin-reminder-failed"),
        _ => l.text_with(
            "admin-reminder-queued",
            &[("when", &zone.moment(l, reminder.due_at))],
        ),
    };
    format!("{what}: {outcome}")
}

/// How a new invitation reaches the buyer, as the form offers it.
#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Emailed to the recipient.
    #[default]
    Email,
    /// No email: printed (the QR sheet) or handed over.
    PrintOnly,
}

/// The new invitation form, as typed.
#[derive(Deserialize, Default)]
pub struct NewInvitationForm {
    /// Emailed or print-only.
    #[serde(default)]
    pub delivery: Delivery,
    /// Who gets the email (ignored for a print-only invitation).
    #[serde(default)]
    pub recipient_email: String,
    /// `de` or `en`.
    #[serde(default)]
    pub language: String,
    /// 1 to 90.
    #[serde(default)]
    pub expires_in_days: String,
    /// Empty for unlimited.
    #[serde(default)]
    pub max_uses: String,
}

impl NewInvitationForm {
    /// Whether the form asks for a print-only invitation.
    pub fn is_print_only(&self) -> bool {
        self.delivery == Delivery::PrintOnly
    }

    /// The request the API would get. A number field that is not a number is sent as 0, which
    /// the rules refuse with the field's own message.
    fn to_raw(&self) -> RawInvitation {
        let number = |text: &str| {
            let text = text.trim();
            (!text.is_empty()).then(|| text.parse::<i64>().unwrap_or(0))
        };
        RawInvitation {
            recipient_email: match self.delivery {
                Delivery::Email => Some(self.recipient_email.clone()),
                Delivery::PrintOnly => None,
            },
            expires_in_days: number(&self.expires_in_days),
            language: Some(self.language.clone()).filter(|l| !l.trim().is_empty()),
            max_uses: number(&self.max_uses),
        }
    }
}

/// What is wrong with the form, per field, in the staff member's language.
#[derive(Default)]
pub struct FormErrors {
    /// The recipient.
    pub recipient_email: Option<String>,
    /// The language.
    pub language: Option<String>,
    /// The expiry.
    pub expires_in_days: Option<String>,
    /// The use limit.
    pub max_uses: Option<String>,
    /// Not about one field (a blocked buyer).
    pub general: Option<String>,
}

impl FormErrors {
    fn of(l: Language, error: &Error) -> FormErrors {
        let mut errors = FormErrors::default();
        match error {
            Error::Invalid(fields) => {
                for field in fields {
                    let text = |id| Some(l.text(id));
                    match field.field.as_str() {
                        "recipientEmail" => {
                            errors.recipient_email = text("admin-invitation-error-recipient");
                        }
                        "language" => errors.language = text("admin-invitation-error-language"),
                        "expiresInDays" => {
                            errors.expires_in_days = text("admin-invitation-error-expiry");
                        }
                        "maxUses" => errors.max_uses = text("admin-invitation-error-max-uses"),
                        _ => errors.general = text("admin-error-invalid"),
                    }
                }
            }
            _ => errors.general = Some(l.text("admin-invitation-error-blocked")),
        }
        errors
    }
}

/// The buyer's invitations page.
#[derive(Template)]
#[template(path = "admin/invitations/list.html")]
pub struct ListView {
    /// The frame.
    pub chrome: Chrome,
    /// The buyer.
    pub buyer: Buyer,
    /// The buyer's name, VAT number and sub-pages.
    pub header: super::buyers::BuyerHeader,
    /// Newest first.
    pub rows: Vec<InvitationRow>,
    /// The create form's values.
    pub form: NewInvitationForm,
    /// What was wrong with them.
    pub errors: FormErrors,
    /// The allowed expiry, for the field's bounds.
    pub min_days: i64,
    /// The longest allowed expiry.
    pub max_days: i64,
    /// The cursor of the next (older) page, if there is one.
    pub next_page: Option<String>,
    /// No support address or phone is set: the buyer's pages would have no one to name, so
    /// no invitation goes out until one is.
    pub needs_contact: bool,
    /// Why no invitation may start or be sent again: the relationship ended (or the buyer
    /// was erased). The page then offers none, as it does for a blocked buyer.
    pub ended: Option<String>,
}

/// What the list page shows besides the invitations.
struct ListPage {
    page: Page,
    status: StatusCode,
    form: NewInvitationForm,
    errors: FormErrors,
}

async fn list_page(
    req: &HttpRequest,
    me: &SignedIn,
    state: &AppState,
    buyer: Buyer,
    shown: ListPage,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let zone = me.zone();
    let needs_contact = !organisation::load(&state.db).await?.has_support_contact();
    let (views, next) = invitations::list(
        &state.db,
        state.links(),
        &buyer.seller_id,
        &buyer.uuid,
        &shown.page,
    )
    .await?;
    let ended = buyer
        .refusal()
        .filter(|_| buyer.is_ended())
        .map(|why| crate::http::messages::conflict(l, &why));
    let waiting = renewal::waiting(&state.db, &buyer.uuid).await?;
    let reminded = reminders::of_buyer(&state.db, &buyer.uuid).await?;
    let rows = views
        .iter()
        .map(|v| {
            let mut row = InvitationRow::of(l, zone, v);
            row.renewal_requested = waiting
                .iter()
                .find(|(id, _)| *id == v.uuid)
                .map(|(_, at)| zone.moment(l, *at));
            // An ended relationship or a block leaves nothing to send: the link would not open.
            let open = ended.is_none() && !buyer.is_blocked();
            row.offers_link &= open;
            row.offers_renewal = row.renewal_requested.is_some() && open;
            row.reminder_notes = reminded
                .iter()
                .filter(|r| r.invitation_id.as_deref() == Some(v.uuid.as_str()))
                .map(|r| reminder_note(l, zone, r))
                .collect();
            row
        })
        .collect();
    let chrome = Chrome::new(
        req,
        me,
        Section::Buyers,
        l.text_with(
            "admin-invitations-title",
            &[("company", &buyer.company_name)],
        ),
    );
    let view = ListView {
        chrome,
        rows,
        header: super::buyers::BuyerHeader::of(&buyer, "invitations"),
        buyer,
        form: shown.form,
        errors: shown.errors,
        min_days: *EXPIRY_DAYS.start(),
        max_days: *EXPIRY_DAYS.end(),
        next_page: next.map(|c| c.encode()),
        needs_contact,
        ended,
    };
    page::html(req, shown.status, &view)
}

/// `GET /admin/buyers/{id}/invitations` — every staff role.
async fn list_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<CursorQuery>,
) -> Result<HttpResponse, Error> {
    let page = query.page()?;
    let buyer = buyers::get_by_id(&state.db, &path).await?;
    let defaults = organisation::load(&state.db).await?;
    // Filled in as the buyer would most likely want it: to its first contact, in German for
    // a German-speaking country, else in the organisation's language.
    let language = if buyer.address.country.speaks_german() {
        Language::De
    } else {
        defaults.default_language
    };
    let form = NewInvitationForm {
        delivery: Delivery::Email,
        recipient_email: buyer
            .contacts
            .first()
            .map(|c| c.email.as_str().to_owned())
            .unwrap_or_default(),
        language: language.code().to_owned(),
        expires_in_days: defaults.default_invitation_expiry_days.to_string(),
        max_uses: String::new(),
    };
    let shown = ListPage {
        page,
        status: StatusCode::OK,
        form,
        errors: FormErrors::default(),
    };
    list_page(&req, &me, &state, buyer, shown).await
}

/// `POST /admin/buyers/{id}/invitations` — every staff role: a new invitation, emailed in the
/// background exactly as one made through the API.
async fn create_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<NewInvitationForm>,
) -> Result<HttpResponse, Error> {
    let buyer = buyers::get_by_id(&state.db, &path).await?;
    let defaults = organisation::load(&state.db).await?;
    let parsed = form.to_raw().parse(&defaults);
    if parsed.is_ok() && !defaults.has_support_contact() {
        let shown = ListPage {
            page: Page::first(),
            status: StatusCode::CONFLICT,
            form,
            errors: FormErrors {
                general: Some(me.language().text("admin-invitation-error-no-contact")),
                ..FormErrors::default()
            },
        };
        return list_page(&req, &me, &state, buyer, shown).await;
    }
    let created = match parsed {
        Ok(new) => {
            write::apply(&state.db, me.actor(), async |tx| {
                invitations::create(tx, state.links(), &buyer.seller_id, &buyer.uuid, new).await
            })
            .await
        }
        Err(e) => Err(e),
    };
    match created {
        // A print-only link reaches the buyer only on paper (or handed over): straight to it.
        Ok(view) if view.is_print_only() => Ok(crate::http::page::see_other(&format!(
            "/admin/invitations/{}/sheet?created=print-only",
            view.uuid
        ))),
        Ok(_) => Ok(page::done(
            &invitations_path(&buyer.uuid),
            "admin-flash-invitation-created",
        )),
        Err(e @ (Error::Invalid(_) | Error::Conflict { .. })) => {
            // A conflict here is the buyer being blocked: said on the form, not as an error page.
            let status = match &e {
                Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::CONFLICT,
            };
            let shown = ListPage {
                page: Page::first(),
                status,
                form,
                errors: FormErrors::of(me.language(), &e),
            };
            list_page(&req, &me, &state, buyer, shown).await
        }
        Err(e) => Err(e),
    }
}

fn invitations_path(buyer_id: &str) -> String {
    format!("/admin/buyers/{buyer_id}/invitations")
}

/// `POST /admin/invitations/{id}/resend` — every staff role: the same link, emailed again.
async fn resend_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm { who: me, .. }: StaffForm<NoFields>,
) -> Result<HttpResponse, Error> {
    let invitation = invitations::find(&state.db, &SellerScope::Organisation, &path).await?;
    let back = invitations_path(&invitation.buyer_id);
    let resent = write::apply(&state.db, me.actor(), async |tx| {
        invitations::resend(
            tx,
            &SellerScope::Organisation,
            state.links(),
            &invitation.id,
        )
        .await
    })
    .await;
    match resent {
        Ok(_) => Ok(page::done(&back, "admin-flash-invitation-resent")),
        Err(Error::Conflict { .. }) => Ok(page::failed(&back, "admin-flash-invitation-not-resent")),
        Err(e) => Err(e),
    }
}

/// `POST /admin/invitations/{id}/renew` — every staff role: answers a buyer's request with a
/// new link for the same recipient, emailed at once.
async fn renew_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm { who: me, .. }: StaffForm<NoFields>,
) -> Result<HttpResponse, Error> {
    let invitation = invitations::find(&state.db, &SellerScope::Organisation, &path).await?;
    let back = invitations_path(&invitation.buyer_id);
    let renewed = write::apply(&state.db, me.actor(), async |tx| {
        renewal::renew(
            tx,
            &SellerScope::Organisation,
            state.links(),
            &invitation.id,
        )
        .await
    })
    .await;
    match renewed {
        // A print-only link is answered on paper again: straight to the new sheet.
        Ok(view) if view.is_print_only() => Ok(crate::http::page::see_other(&format!(
            "/admin/invitations/{}/sheet?created=print-only",
            view.uuid
        ))),
        Ok(_) => Ok(page::done(&back, "admin-flash-invitation-renewed")),
        Err(Error::Conflict { .. }) => {
            Ok(page::failed(&back, "admin-flash-invitation-not-renewed"))
        }
        Err(e) => Err(e),
    }
}

/// `GET /admin/invitations/{id}/revoke` — every staff role: asks before the link stops working.
async fn revoke_get(
    req: HttpRequest,
    me: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let zone = me.zone();
    let invitation = invitations::find(&state.db, &SellerScope::Organisation, &path).await?;
    let buyer = buyers::get_by_id(&state.db, &invitation.buyer_id).await?;
    let view = invitation.view(now(), String::new(), None);
    let chrome = Chrome::new(
        &req,
        &me,
        Section::Buyers,
        l.text("admin-invitation-revoke-title"),
    );
    let row = InvitationRow::of(l, zone, &view);
    let view = ConfirmView {
        chrome,
        header: None,
        question: Some(l.text_with(
            "admin-invitation-revoke-question",
            &[("company", buyer.company_name.as_str())],
        )),
        facts: vec![
            (l.text("admin-invitation-recipient"), row.recipient),
            (l.text("admin-invitation-status"), row.status),
            (
                l.text("admin-invitation-validity"),
                l.text_with(
                    "admin-invitation-expires-at",
                    &[("when", row.expires.as_str())],
                ),
            ),
            (l.text("admin-invitation-uses"), row.uses),
        ],
        effect: Some(l.text("admin-invitation-revoke-effect")),
        action: format!("/admin/invitations/{}/revoke", row.id),
        button: Some(l.text("admin-invitation-revoke-confirm")),
        danger: true,
        cancel: format!("/admin/buyers/{}/invitations", buyer.uuid),
    };
    page::html(&req, StatusCode::OK, &view)
}

/// `POST /admin/invitations/{id}/revoke` — every staff role: the link stops working at once.
async fn revoke_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm { who: me, .. }: StaffForm<NoFields>,
) -> Result<HttpResponse, Error> {
    let revoked = write::apply(&state.db, me.actor(), async |tx| {
        invitations::revoke(tx, &SellerScope::Organisation, state.links(), &path).await
    })
    .await?;
    Ok(page::done(
        &invitations_path(&revoked.buyer_id),
        "admin-flash-invitation-revoked",
    ))
}
