//! Staff users (administrators only): the list, new users, roles, disabling.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::page::{self, Chrome, Section};
use crate::admin::guard::{Admin, SignedIn, StaffForm};
use crate::errors::{Conflict, Error, Rule};
use crate::http::messages;
use crate::staff::{self, Password, StaffRole, StaffUser, UserChange};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/users", web::get().to(users_get))
        .route("/users", web::post().to(create_user_post))
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
        self.chrome.t(match user.role {
            StaffRole::Admin => "admin-users-role-admin",
            StaffRole::Staff => "admin-users-role-staff",
        })
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

/// The new user form.
#[derive(Deserialize, Default)]
pub struct NewUserForm {
    /// Sign-in address.
    pub email: String,
    #[serde(default)]
    password: String,
    /// `ADMIN` or `STAFF`.
    pub role: String,
}

/// `POST /admin/users` — administrators: a new staff user.
async fn create_user_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    StaffForm {
        who: me,
        fields: form,
    }: StaffForm<NewUserForm, Admin>,
) -> Result<HttpResponse, Error> {
    let mut form = form;
    let role = StaffRole::parse(&form.role);
    let created = match Password::parse(&form.password) {
        Ok(password) => {
            staff::create(
                &state.db,
                &state.passwords,
                &me.actor(),
                &form.email,
                &password,
                role,
            )
            .await
        }
        Err(e) => Err(e),
    };
    form.password.clear();
    match created {
        Ok(_) => Ok(page::done("/admin/users", "admin-flash-user-created")),
        Err(e @ (Error::Invalid(_) | Error::Conflict(Conflict::EmailTaken))) => {
            let l = me.language();
            let error = match &e {
                Error::Conflict(conflict) => messages::conflict(l, conflict),
                _ => l.text_with(
                    "admin-users-error-invalid",
                    &[("min", &staff::MIN_PASSWORD_CHARS.to_string())],
                ),
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

/// A change to one user.
#[derive(Deserialize)]
pub struct ChangeForm {
    /// `make-admin`, `make-staff`, `disable` or `enable`.
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
        _ => {
            let allowed = ["make-admin", "make-staff", "disable", "enable"];
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
