//! The optional second factor of staff sign-in (TOTP), with codes computed here from the
//! secret the page shows, as an authenticator app would.

use kyc_portal::staff::StaffRole;
use serde_json::json;
use totp_rs::{Algorithm, Secret, TOTP};

use super::*;
use crate::helpers::body_json;
use crate::on_both_backends;

const PAGE: &str = "/admin/account/second-factor";

/// What an authenticator app holds, and the last step it gave a code for.
pub struct App {
    totp: TOTP,
    last_step: Option<u64>,
}

impl App {
    /// Scans the enrolment page: reads the base32 secret it shows.
    fn from_page(page: &str) -> App {
        let secret = page
            .split("<code id=\"totp-secret\">")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .expect("the secret on the page")
            .to_owned();
        let bytes = Secret::Encoded(secret).to_bytes().unwrap();
        App {
            totp: TOTP::new_unchecked(Algorithm::SHA1, 6, 0, 30, bytes, None, String::new()),
            last_step: None,
        }
    }

    /// A code the portal has not seen: the earliest step it accepts now (one step back)
    /// or the one after the last used.
    pub fn fresh_code(&mut self) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let current = now / 30;
        let step = match self.last_step {
            Some(last) => (last + 1).max(current - 1),
            None => current - 1,
        };
        assert!(
            step <= current + 1,
            "more fresh codes asked for than one window holds"
        );
        self.last_step = Some(step);
        self.totp.generate(step * 30)
    }

    /// A code that is not the current one.
    fn wrong_code(&self) -> String {
        let right = self.totp.generate(self.last_step.unwrap_or(0) * 30);
        if right == "000000" {
            "111111".into()
        } else {
            "000000".into()
        }
    }
}

impl StaffBrowser {
    /// Enrols a second factor from the page and confirms it with a fresh code.
    pub async fn enrol(&mut self) -> App {
        let page = self.page(PAGE).await;
        let mut app = App::from_page(&page);
        let response = self
            .post(PAGE, &[("action", "confirm"), ("code", &app.fresh_code())])
            .await;
        assert_eq!(location(&response), PAGE, "confirmed");
        app
    }

    /// Signs in with the password and, on the page that asks, `code`.
    async fn sign_in_with_code(&mut self, email: &str, code: &str) -> Response {
        let asked = self.sign_in(email, PASSWORD).await;
        assert_eq!(asked.status(), 200, "the code is asked for");
        let page = asked.text().await.unwrap();
        assert!(page.contains("name=\"code\""), "{page}");
        self.post_raw(
            "/admin/login/code",
            &[("csrf", &csrf_of(&page)), ("code", code)],
        )
        .await
    }
}

on_both_backends! {
    async fn an_enrolled_member_is_asked_for_a_code_after_the_password_and_a_right_one_signs_in(app) {
        let mut kim = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let page = kim.page(PAGE).await;
        assert!(page.contains("data:image/svg+xml;base64,"), "a QR code");
        assert!(page.contains("otpauth://totp/"), "the URI");
        let mut phone = App::from_page(&page);
        let wrong = kim.post(PAGE, &[("action", "confirm"), ("code", &phone.wrong_code())]).await;
        assert_eq!(wrong.status(), 422, "a wrong code does not turn it on");
        let right = kim.post(PAGE, &[("action", "confirm"), ("code", &phone.fresh_code())]).await;
        assert_eq!(location(&right), PAGE);
        assert!(kim.page(PAGE).await.contains("The second factor is on"));

        let mut browser = app.staff_browser();
        let refused = browser.sign_in_with_code("kim@marketplace.example", &phone.wrong_code()).await;
        assert_eq!(refused.status(), 401);
        assert_eq!(browser.get("/admin").await.status(), 303, "not signed in");
        let code = phone.fresh_code();
        let accepted = browser.sign_in_with_code("kim@marketplace.example", &code).await;
        assert_eq!(location(&accepted), "/admin");
        assert_eq!(browser.get("/admin").await.status(), 200);

        let mut replay = app.staff_browser();
        let replayed = replay.sign_in_with_code("kim@marketplace.example", &code).await;
        assert_eq!(replayed.status(), 401, "a code works once");
        assert_eq!(replay.get("/admin").await.status(), 303);
    }

    async fn a_code_page_without_its_password_step_signs_no_one_in(app) {
        let mut kim = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let mut phone = kim.enrol().await;
        let mut stranger = app.staff_browser();
        let form = stranger.page("/admin/login").await;
        let response = stranger
            .post_raw("/admin/login/code", &[("csrf", &csrf_of(&form)), ("code", &phone.fresh_code())])
            .await;
        assert_eq!(location(&response), "/admin/login");
        assert_eq!(stranger.get("/admin").await.status(), 303);
    }

    async fn turning_the_second_factor_off_needs_a_current_code(app) {
        let mut kim = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let mut phone = kim.enrol().await;
        kim.page(PAGE).await;
        let wrong = kim.post(PAGE, &[("action", "disable"), ("code", &phone.wrong_code())]).await;
        assert_eq!(wrong.status(), 422);
        assert!(kim.page(PAGE).await.contains("The second factor is on"));
        let right = kim.post(PAGE, &[("action", "disable"), ("code", &phone.fresh_code())]).await;
        assert_eq!(location(&right), PAGE);
        let mut browser = app.staff_browser();
        let response = browser.sign_in("kim@marketplace.example", PASSWORD).await;
        assert_eq!(location(&response), "/admin", "no code asked any more");
    }

    async fn the_secret_is_sealed_at_rest(app) {
        let mut kim = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let page = kim.page(PAGE).await;
        let shown = page.split("<code id=\"totp-secret\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
        kim.enrol().await;
        let stored: String = sqlx::query_scalar("SELECT totp_secret FROM staff_users WHERE email = 'kim@marketplace.example'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let raw = Secret::Encoded(shown.clone()).to_bytes().unwrap();
        assert!(!stored.contains(&shown));
        assert!(!stored.contains(&hex::encode(&raw)));
    }

    async fn the_setting_makes_administrators_enrol_before_anything_else(app) {
        let mut admin = app.admin_browser().await;
        let kim = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let response = app.patch_json("/v1/organisation", &json!({"totpRequiredForAdministrators": true})).await;
        assert_eq!(response.status(), 200);
        assert_eq!(body_json(response).await["totpRequiredForAdministrators"], true);
        assert_eq!(body_json(app.get("/v1/organisation").await).await["totpRequiredForAdministrators"], true);

        for path in ["/admin", "/admin/users", "/admin/settings"] {
            let response = admin.get(path).await;
            assert_eq!(location(&response), PAGE, "{path}");
        }
        assert!(admin.page(PAGE).await.contains("requires administrators to use a second factor"));
        assert_eq!(kim.get("/admin").await.status(), 200, "staff are not held up");
        admin.enrol().await;
        assert_eq!(admin.get("/admin/users").await.status(), 200);
    }

    async fn wrong_codes_for_one_account_are_limited(app) {
        let mut kim = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let mut phone = kim.enrol().await;
        let mut browser = app.staff_browser();
        let asked = browser.sign_in("kim@marketplace.example", PASSWORD).await;
        let mut csrf = csrf_of(&asked.text().await.unwrap());
        for _ in 0..5 {
            let refused = browser.post_raw("/admin/login/code", &[("csrf", &csrf), ("code", &phone.wrong_code())]).await;
            assert_eq!(refused.status(), 401);
            csrf = csrf_of(&refused.text().await.unwrap());
        }
        let limited = browser.post_raw("/admin/login/code", &[("csrf", &csrf), ("code", &phone.fresh_code())]).await;
        assert_eq!(limited.status(), 429, "even the right code waits");
        assert!(limited.headers().contains_key("retry-after"));
        assert_eq!(browser.get("/admin").await.status(), 303);
    }

    async fn an_administrator_turns_off_the_second_factor_of_someone_who_lost_their_phone(app) {
        let mut kim = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        kim.enrol().await;
        let mut admin = app.admin_browser().await;
        let page = admin.page("/admin/users").await;
        assert!(page.contains("value=\"clear-second-factor\""), "offered for kim");
        let id: String = sqlx::query_scalar("SELECT id FROM staff_users WHERE email = 'kim@marketplace.example'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let response = admin.post(&format!("/admin/users/{id}"), &[("action", "clear-second-factor")]).await;
        assert_eq!(location(&response), "/admin/users");
        let mut browser = app.staff_browser();
        let signed_in = browser.sign_in("kim@marketplace.example", PASSWORD).await;
        assert_eq!(location(&signed_in), "/admin", "the password alone again");
    }

    async fn the_settings_page_turns_the_requirement_on(app) {
        let mut admin = app.admin_browser().await;
        let page = admin.page("/admin/settings").await;
        assert!(page.contains("name=\"totp_required_for_administrators\""));
        assert!(page.contains("Administrators must use a second factor"));
    }
}
