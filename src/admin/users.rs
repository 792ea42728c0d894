//! Staff users (administrators only): the list, invitations by email, roles, disabling.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::page::{self, Chrome, Section};
use crate::admin::guard::{Admin, SignedIn, StaffForm};
use crate::errors::{Conflict, Error, Rule};
use crate::http::messages;
use crate::staff::links::{self, AccountLink};
use crate::staff::{self, StaffRole, StaffUser, UserChange};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/users", web::get().to(users_get))
        .route("/users", web::post().to(invite_post))
        .route(
            "/users/invitations/{id}",
            web::post().to(change_invitation_post),
        )
        .route("/users/{id}", web::post().to(change_user_post));
}

/// The staff users page.
#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersView {
    /// The frame.
    pub chrome: Chrome,
    /// Everyone.
    pub users: Vec<StaffUser>,
    /// Invitations not yet accepted.
    pub invitations: Vec<AccountLink>,
    /// The signed-in user's id (no buttons against oneself).
    pub me: String,
    /// What the create form said last time.
    pub form: NewUserForm,
    /// Why creating failed.
    pub error: Option<String>,
}

impl UsersView {
    /// "Administrator" or "Staff", translated.
    pub fn role_label(&self, user: &StaffUser) -> String {
        self.role_name(user.role)
    }

    /// The role an invitation gives, translated.
    pub fn invited_role(&self, invitation: &AccountLink) -> String {
        self.role_name(invitation.role)
    }

    /// The name of `role`, translated.
    pub fn role_name(&self, role: StaffRole) -> String {
        self.chrome.t(match role {
            StaffRole::Admin => "admin-users-role-admin",
            StaffRole::Staff => "admin-users-role-staff",
        })
    }

    /// When an invitation's link stops (or stopped) working, in the organisation's zone.
    pub fn expiry(&self, invitation: &AccountLink) -> String {
        let moment = self
            .chrome
            .zone
            .moment(self.chrome.l, invitation.expires_at);
        if invitation.is_expired() {
            self.chrome
                .t1("staff-invitations-expired", "moment", &moment)
        } else {
            self.chrome
                .t1("staff-invitations-expires", "moment", &moment)
        }
    }
}

async fn page(
    req: &HttpRequest,
    me: &SignedIn,
    state: &AppState,
    status: StatusCode,
    form: NewUserForm,
    error: Option<String>,
) -> Result<HttpResponse, Error> {
    let chrome = Chrome::new(
        req,
        me,
        Section::Users,
        me.language().text("admin-users-title"),
    );
    let view = UsersView {
        chrome,
        users: staff::list(&state.db).await?,
        invitations: links::pending_invitations(&state.db).await?,
        me: me.user().id.clone(),
        form,
        error,
    };
    page::html(req, status, &view)
}

/// `GET /admin/users` — administrators.
async fn users_get(
    req: HttpRequest,
    me: Admin,
    state: web::Data<AppState>,
) -> Result<HttpResponse, Error> {
    page(
        &req,
        &me,
        &state,
        StatusCode::OK,
        NewUserForm::default(),
        None,
    )
    .await
}

/// The invitation form.
#[derive(Deserialize, Default)]
pub struct NewUserForm {
    /// Sign-in address.
    #[serde(default)]
    pub email: String,
    /// `ADMIN` or `STAFF`.
    #[serde(default)]
    pub role: String,
}

/// `POST /admin/users` — administrators: invites a staff member by email.
async fn invite_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<NewUserForm, Admin>,
) -> Result<HttpResponse, Error> {
    let role = StaffRole::parse(&form.role);
    let invited = links::invite(
        &state.db,
        &state.key,
        &me.actor(),
        &form.email,
        role,
        me.language(),
    )
    .await;
    match invited {
        Ok(_) => Ok(page::done("/admin/users", "admin-flash-staff-invited")),
        Err(e @ (Error::Invalid(_) | Error::Conflict(Conflict::EmailTaken))) => {
            let l = me.language();
            let error = match &e {
                Error::Conflict(conflict) => messages::conflict(l, conflict),
                _ => l.text("staff-invite-error-email"),
            };
            page(
                &req,
                &me,
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                form,
                Some(error),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// A change to a pending invitation.
#[derive(Deserialize)]
pub struct InvitationChangeForm {
    /// `resend` or `revoke`.
    action: String,
}

/// `POST /admin/users/invitations/{id}` — administrators: sends an invitation again (with a
/// new link) or withdraws it.
async fn change_invitation_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<InvitationChangeForm, Admin>,
) -> Result<HttpResponse, Error> {
    match form.action.as_str() {
        "resend" => {
            links::resend(&state.db, &state.key, &me.actor(), &path).await?;
            Ok(page::done(
                "/admin/users",
                "admin-flash-staff-invitation-resent",
            ))
        }
        "revoke" => {
            links::revoke(&state.db, &me.actor(), &path).await?;
            Ok(page::done(
                "/admin/users",
                "admin-flash-staff-invitation-revoked",
            ))
        }
        _ => {
            let allowed = ["resend", "revoke"].map(String::from).to_vec();
            Err(Error::invalid("action", Rule::OneOf { allowed }))
        }
    }
}

/// A change to one user.
#[derive(Deserialize)]
pub struct ChangeForm {
    /// `make-admin`, `make-staff`, `disable`, `enable` or `clear-second-factor`.
    action: String,
}

/// `POST /admin/users/{id}` — administrators: role, disable (ends their sessions), enable.
async fn change_user_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<ChangeForm, Admin>,
) -> Result<HttpResponse, Error> {
    let (change, flash) = match form.action.as_str() {
        "make-admin" => (UserChange::Role(StaffRole::Admin), "admin-flash-user-role"),
        "make-staff" => (UserChange::Role(StaffRole::Staff), "admin-flash-user-role"),
        "disable" => (UserChange::Disable, "admin-flash-user-disabled"),
        "enable" => (UserChange::Enable, "admin-flash-user-enabled"),
        "clear-second-factor" => (
            UserChange::ClearSecondFactor,
            "admin-flash-user-second-factor-cleared",
        ),
        _ => {
            let allowed = [
                "make-admin",
                "make-staff",
                "disable",
                "enable",
                "clear-second-factor",
            ];
            let allowed = allowed.map(String::from).to_vec();
            return Err(Error::invalid("action", Rule::OneOf { allowed }));
        }
    };
    match staff::change(&state.db, &me.actor(), me.user(), &path, change).await {
        Ok(_) => Ok(page::done("/admin/users", flash)),
        Err(Error::Conflict(Conflict::CannotChangeYourself)) => {
            Ok(page::failed("/admin/users", "admin-flash-user-self"))
        }
        Err(e) => Err(e),
    }
}
