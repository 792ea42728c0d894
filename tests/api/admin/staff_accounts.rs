//! Staff accounts by email: invitations with a set-password link, and forgotten passwords.

use std::path::Path;
use std::time::{Duration, Instant};

use kyc_portal::staff::StaffRole;

use super::*;
use crate::on_both_backends;
use crate::with_smtp_on_both_backends;

/// Runs the body on both databases with mail going to the SMTP sink.
/// An address no other test writes to.
fn fresh_address(who: &str) -> String {
    format!(
        "{who}-{}@marketplace.example",
        uuid::Uuid::new_v4().simple()
    )
}

/// The set-password paths mailed to `recipient` so far, with the subjects they came with.
fn mailed_links(maildir: &Path, recipient: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(maildir.join("new")).unwrap().flatten() {
        let raw = std::fs::read(entry.path()).unwrap();
        let parsed = mailparse::parse_mail(&raw).unwrap();
        let header = |name: &str| {
            parsed
                .headers
                .iter()
                .find(|h| h.get_key_ref().eq_ignore_ascii_case(name))
                .map(|h| h.get_value())
                .unwrap_or_default()
        };
        if !header("To").contains(recipient) {
            continue;
        }
        let text = parsed
            .subparts
            .iter()
            .find(|p| p.ctype.mimetype == "text/plain")
            .unwrap()
            .get_body()
            .unwrap();
        let start = text.find("/admin/password/").expect("a set-password link");
        let path: String = text[start..]
            .chars()
            .take("/admin/password/".len() + 43)
            .collect();
        found.push((path, header("Subject")));
    }
    found
}

/// Waits for a set-password link to `recipient` that is not among `seen`.
async fn new_link(maildir: &Path, recipient: &str, seen: &[String]) -> (String, String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(found) = mailed_links(maildir, recipient)
            .into_iter()
            .find(|(path, _)| !seen.contains(path))
        {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "no new link mailed to {recipient}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl TestApp {
    /// Waits until no email job is left waiting.
    async fn mail_sent(&self) {
        crate::stubs::eventually("the link emails are sent", || async {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM jobs WHERE kind = 'staff.link_email' AND status <> 'done'",
            )
            .fetch_one(self.db.pool())
            .await
            .unwrap();
            (waiting == 0).then_some(())
        })
        .await
    }
}

/// Opens a set-password link and chooses `password` there.
async fn choose_password(browser: &mut StaffBrowser, link: &str, password: &str) -> Response {
    let page = browser.page(link).await;
    assert!(page.contains("name=\"password\""), "{page}");
    browser.post(link, &[("password", password)]).await
}

const NEW_PASSWORD: &str = "a brand new staff password";

with_smtp_on_both_backends! {
    async fn an_invited_member_chooses_a_password_from_the_emailed_link_and_is_signed_in(app, maildir) {
        let invitee = fresh_address("invitee");
        let mut admin = app.admin_browser().await;
        let response = admin.post("/admin/users", &[("email", &invitee), ("role", "STAFF")]).await;
        assert_eq!(location(&response), "/admin/users");
        let page = admin.page("/admin/users").await;
        assert!(page.contains("The invitation was sent."), "{page}");
        assert!(page.contains(&invitee), "listed as pending");

        let (link, subject) = new_link(&maildir, &invitee, &[]).await;
        assert!(subject.contains("staff account"), "{subject}");
        let mut newcomer = app.staff_browser();
        let response = choose_password(&mut newcomer, &link, NEW_PASSWORD).await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), "/admin");
        assert_eq!(newcomer.get("/admin").await.status(), 200, "signed in");
        assert_eq!(newcomer.get("/admin/users").await.status(), 403, "as staff");

        let mut later = app.staff_browser();
        assert_eq!(later.sign_in(&invitee, NEW_PASSWORD).await.status(), 303);
        assert!(!admin.page("/admin/users").await.contains("Send again"), "no longer pending");

        let again = app.staff_browser();
        assert_eq!(again.get(&link).await.status(), 410, "the link works once");
        let replay = newcomer.post(&link, &[("password", "another long password")]).await;
        assert_eq!(replay.status(), 410, "the same form sent again");
    }

    async fn an_expired_invitation_link_is_refused_and_makes_no_account(app, maildir) {
        let invitee = fresh_address("late");
        let admin = app.admin_browser().await;
        admin.post("/admin/users", &[("email", &invitee), ("role", "ADMIN")]).await;
        let (link, _) = new_link(&maildir, &invitee, &[]).await;
        let mut newcomer = app.staff_browser();
        newcomer.page(&link).await;
        sqlx::query("UPDATE staff_account_links SET expires_at = 0")
            .execute(app.db.pool())
            .await
            .unwrap();
        assert_eq!(newcomer.post(&link, &[("password", NEW_PASSWORD)]).await.status(), 410);
        assert_eq!(newcomer.get(&link).await.status(), 410);
        let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_users WHERE email = $1")
            .bind(&invitee)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(accounts, 0);
    }

    async fn sending_an_invitation_again_replaces_its_link_and_withdrawing_it_kills_it(app, maildir) {
        let invitee = fresh_address("again");
        let mut admin = app.admin_browser().await;
        admin.post("/admin/users", &[("email", &invitee), ("role", "STAFF")]).await;
        let (first, _) = new_link(&maildir, &invitee, &[]).await;
        let page = admin.page("/admin/users").await;
        let action = page
            .split("action=\"/admin/users/invitations/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let path = format!("/admin/users/invitations/{action}");
        assert_eq!(location(&admin.post(&path, &[("action", "resend")]).await), "/admin/users");
        let (second, _) = new_link(&maildir, &invitee, std::slice::from_ref(&first)).await;
        let browser = app.staff_browser();
        assert_eq!(browser.get(&first).await.status(), 410, "the old link died");
        assert_eq!(browser.get(&second).await.status(), 200);

        let page = admin.page("/admin/users").await;
        let action = page
            .split("action=\"/admin/users/invitations/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let path = format!("/admin/users/invitations/{action}");
        assert_eq!(location(&admin.post(&path, &[("action", "revoke")]).await), "/admin/users");
        assert_eq!(browser.get(&second).await.status(), 410, "withdrawn");
        assert!(!admin.page("/admin/users").await.contains(&invitee));
    }

    async fn the_link_is_kept_only_as_a_hash_and_never_in_the_queue(app, maildir) {
        let invitee = fresh_address("hashed");
        let admin = app.admin_browser().await;
        admin.post("/admin/users", &[("email", &invitee), ("role", "STAFF")]).await;
        let (link, _) = new_link(&maildir, &invitee, &[]).await;
        app.mail_sent().await;
        let token = link.trim_start_matches("/admin/password/");
        let stored: String = sqlx::query_scalar("SELECT token_hash FROM staff_account_links")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(stored, kyc_portal::secret_token::hash(token));
        let payloads: Vec<String> = sqlx::query_scalar("SELECT payload FROM jobs")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
        assert!(payloads.iter().all(|p| !p.contains(token)));
        let log = std::fs::read_to_string(crate::helpers::suite_log_path()).unwrap_or_default();
        assert!(!log.contains(token), "never logged");
    }

    async fn a_forgotten_password_gets_the_same_answer_for_any_address_and_mail_only_for_a_known_one(app, maildir) {
        let known = fresh_address("known");
        let unknown = fresh_address("unknown");
        app.staff_user(&known, StaffRole::Staff).await;
        let mut browser = app.staff_browser();
        let login = browser.page("/admin/login").await;
        assert!(login.contains("href=\"/admin/forgot-password\""));

        browser.page("/admin/forgot-password").await;
        let for_known = browser.post("/admin/forgot-password", &[("email", &known)]).await;
        assert_eq!(for_known.status(), 200);
        let for_known = for_known.text().await.unwrap();
        browser.page("/admin/forgot-password").await;
        let for_unknown = browser.post("/admin/forgot-password", &[("email", &unknown)]).await;
        assert_eq!(for_unknown.status(), 200);
        let for_unknown = for_unknown.text().await.unwrap();
        let answer = |page: &str| page.split("<h1>").nth(1).unwrap().split("</main>").next().unwrap().to_owned();
        assert_eq!(answer(&for_known), answer(&for_unknown));
        assert!(for_known.contains("If this address belongs to a staff account"));

        let (_, subject) = new_link(&maildir, &known, &[]).await;
        assert!(subject.contains("new password"), "{subject}");
        app.mail_sent().await;
        assert!(mailed_links(&maildir, &unknown).is_empty());
    }

    async fn a_reset_link_sets_a_new_password_ends_other_sessions_and_works_once(app, maildir) {
        let member = fresh_address("member");
        let elsewhere = app.signed_in(&member, StaffRole::Staff).await;
        assert_eq!(elsewhere.get("/admin").await.status(), 200);

        let mut browser = app.staff_browser();
        browser.page("/admin/forgot-password").await;
        browser.post("/admin/forgot-password", &[("email", &member)]).await;
        let (link, _) = new_link(&maildir, &member, &[]).await;
        let response = choose_password(&mut browser, &link, NEW_PASSWORD).await;
        assert_eq!(location(&response), "/admin");
        assert_eq!(browser.get("/admin").await.status(), 200, "signed in here");
        assert_eq!(elsewhere.get("/admin").await.status(), 303, "signed out elsewhere");

        let mut old = app.staff_browser();
        assert_eq!(old.sign_in(&member, PASSWORD).await.status(), 401);
        let mut new = app.staff_browser();
        assert_eq!(new.sign_in(&member, NEW_PASSWORD).await.status(), 303);
        assert_eq!(app.staff_browser().get(&link).await.status(), 410, "used up");
    }

    async fn a_reset_link_does_not_pass_over_the_second_factor(app, maildir) {
        let member = fresh_address("guarded");
        let mut signed_in = app.signed_in(&member, StaffRole::Staff).await;
        let mut phone = signed_in.enrol().await;

        let mut browser = app.staff_browser();
        browser.page("/admin/forgot-password").await;
        browser.post("/admin/forgot-password", &[("email", &member)]).await;
        let (link, _) = new_link(&maildir, &member, &[]).await;
        let asked = choose_password(&mut browser, &link, NEW_PASSWORD).await;
        assert_eq!(asked.status(), 200, "the code is asked for");
        let page = asked.text().await.unwrap();
        assert!(page.contains("name=\"code\""), "{page}");
        assert_eq!(browser.get("/admin").await.status(), 303, "not signed in yet");
        let response = browser
            .post_raw("/admin/login/code", &[("csrf", &csrf_of(&page)), ("code", &phone.fresh_code())])
            .await;
        assert_eq!(location(&response), "/admin");
        assert_eq!(browser.get("/admin").await.status(), 200);
    }
}

on_both_backends! {
    async fn the_invitation_form_asks_for_no_password_and_describes_each_role(app) {
        let mut admin = app.admin_browser().await;
        let page = admin.page("/admin/users").await;
        assert!(!page.contains("name=\"password\""), "{page}");
        assert!(page.contains("Onboarding work: buyers, documents"));
        assert!(page.contains("plus staff users, settings"));
    }

    async fn inviting_an_address_that_has_an_account_is_refused_with_the_form_kept(app) {
        let admin = app.admin_browser().await;
        let response = admin.post("/admin/users", &[("email", "admin@marketplace.example"), ("role", "STAFF")]).await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains("A staff user with this email exists already."), "{page}");
        assert!(page.contains("value=\"admin@marketplace.example\""));
        let invalid = admin.post("/admin/users", &[("email", "not an address"), ("role", "STAFF")]).await;
        assert_eq!(invalid.status(), 422);
    }

    async fn a_set_password_form_without_its_token_is_refused(app) {
        let mut browser = app.staff_browser();
        browser.page("/admin/forgot-password").await;
        let forged = browser
            .post_raw("/admin/forgot-password", &[("csrf", "forged"), ("email", "admin@marketplace.example")])
            .await;
        assert_eq!(forged.status(), 403);
    }

    async fn a_nonsense_link_shows_that_it_does_not_work(app) {
        let browser = app.staff_browser();
        let response = browser.get("/admin/password/not-a-token").await;
        assert_eq!(response.status(), 410);
        let page = response.text().await.unwrap();
        assert!(page.contains("This link no longer works"), "{page}");
        assert!(page.contains("href=\"/admin/forgot-password\""));
    }

    async fn reset_requests_from_one_client_are_limited(app) {
        let mut browser = app.staff_browser();
        let mut statuses = Vec::new();
        for n in 0..11 {
            browser.page("/admin/forgot-password").await;
            let email = format!("nobody{n}@marketplace.example");
            statuses.push(browser.post("/admin/forgot-password", &[("email", &email)]).await.status().as_u16());
        }
        assert!(statuses[..10].iter().all(|s| *s == 200), "{statuses:?}");
        assert_eq!(statuses[10], 429);
    }
}
