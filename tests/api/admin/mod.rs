//! The staff pages over HTTP: a staff member's browser is a client with its own cookie jar
//! that does not follow redirects, so each test sees where an action sends it.

mod auth;
mod browser_buyers;
mod browser_invitations;
mod browser_previews;
mod browser_settings;
mod browser_staff;
mod browser_staff_accounts;
mod buyers;
mod forms;
mod invitations;
mod previews;
mod second_factor;
mod settings;
mod sign_in_abuse;
mod staff_accounts;
mod today;
mod users;
mod verification;
mod webhooks;

use reqwest::Response;
use reqwest::redirect::Policy;

use crate::helpers::{TestApp, as_system};
use kyc_portal::audit::Actor;
use kyc_portal::staff::{self, Password, StaffRole};

pub const PASSWORD: &str = "correct horse battery staple";

/// A staff member's browser, signed in or not.
pub struct StaffBrowser {
    pub client: reqwest::Client,
    pub base: String,
    /// The CSRF token of the last page seen.
    pub csrf: String,
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_of(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).expect("a CSRF field") + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// Where a redirect points.
pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap()
        .to_owned()
}

impl TestApp {
    /// A staff user with the suite's password.
    pub async fn staff_user(&self, email: &str, role: StaffRole) {
        staff::create(
            &self.db,
            &staff::PasswordHashing::new(Default::default()),
            &Actor::System,
            email,
            &Password::parse(PASSWORD).unwrap(),
            role,
        )
        .await
        .unwrap();
    }

    /// A browser that has not signed in.
    pub fn staff_browser(&self) -> StaffBrowser {
        StaffBrowser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .unwrap(),
            base: self.address.clone(),
            csrf: String::new(),
        }
    }

    /// A browser signed in as a new user with `role`.
    pub async fn signed_in(&self, email: &str, role: StaffRole) -> StaffBrowser {
        self.staff_user(email, role).await;
        let mut browser = self.staff_browser();
        let response = browser.sign_in(email, PASSWORD).await;
        assert_eq!(response.status(), 303, "signing in as {email}");
        assert_eq!(location(&response), "/admin");
        if role == StaffRole::Admin {
            browser.page("/admin/users").await;
        }
        browser
    }

    /// Sets a support phone number, without which staff cannot invite.
    pub async fn with_support_contact(&self) {
        as_system(&self.db, async |tx| {
            let mut settings = kyc_portal::organisation::load(tx.db()).await?;
            settings.support_phone = Some("+49 30 1234567".into());
            kyc_portal::organisation::save(tx, &settings).await
        })
        .await;
    }

    /// A browser signed in as a new administrator.
    pub async fn admin_browser(&self) -> StaffBrowser {
        self.signed_in("admin@marketplace.example", StaffRole::Admin)
            .await
    }
}

impl StaffBrowser {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{}", self.base, path))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
    }

    /// A page that must answer 200; its CSRF token becomes the one forms send.
    pub async fn page(&mut self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        let body = response.text().await.unwrap();
        if body.contains("name=\"csrf\"") {
            self.csrf = csrf_of(&body);
        }
        body
    }

    /// Posts a form with the current CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut form: Vec<(&str, &str)> = vec![("csrf", &self.csrf)];
        form.extend_from_slice(fields);
        self.post_raw(path, &form).await
    }

    /// Posts exactly these fields.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{}", self.base, path))
            .header("accept-language", "en")
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// Fills in and sends the sign-in form.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Response {
        let form = self.page("/admin/login").await;
        let csrf = csrf_of(&form);
        self.post_raw(
            "/admin/login",
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
    }
}
