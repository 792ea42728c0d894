//! Signing in and out of the staff pages, sessions, CSRF and roles.

use kyc_portal::staff::StaffRole;

use super::*;
use crate::on_both_backends;

on_both_backends! {
    async fn a_staff_page_without_a_session_sends_the_browser_to_sign_in(app) {
        let browser = app.staff_browser();
        for path in ["/admin", "/admin/users"] {
            let response = browser.get(path).await;
            assert_eq!(response.status(), 303, "{path}");
            assert_eq!(location(&response), "/admin/login", "{path}");
        }
    }

    async fn the_staff_pages_name_their_stylesheet_by_version_so_no_cached_older_one_styles_them(app) {
        let browser = app.staff_browser();
        let page = browser.get("/admin/login").await.text().await.unwrap();
        let href = page.split("<link rel=\"stylesheet\" href=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let version = href.strip_prefix("/admin/admin.css?v=").unwrap_or_else(|| panic!("{href}"));
        assert!(version.len() == 12 && version.chars().all(|c| c.is_ascii_hexdigit()), "{version}");
        let css = browser.get(&href).await;
        assert_eq!(css.status(), 200);
        assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
        assert_eq!(css.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert!(css.text().await.unwrap().contains("body"));
        assert_eq!(browser.get("/admin/admin.css").await.headers()["cache-control"], "no-cache");
    }

    async fn signing_in_with_the_right_password_opens_the_staff_pages(app) {
        app.staff_user("kim@marketplace.example", StaffRole::Staff).await;
        let mut browser = app.staff_browser();
        let response = browser.sign_in("Kim@Marketplace.example", PASSWORD).await;
        assert_eq!(response.status(), 303);
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|c| c.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("kyc_admin_session="))
            .expect("a session cookie");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("Path=/admin"), "{cookie}");
        let start = browser.get("/admin/").await;
        assert_eq!(start.status(), 200, "the start page");
    }

    async fn a_wrong_password_is_refused_and_says_so(app) {
        app.staff_user("kim@marketplace.example", StaffRole::Staff).await;
        let mut browser = app.staff_browser();
        let response = browser.sign_in("kim@marketplace.example", "not the password at all").await;
        assert_eq!(response.status(), 401);
        let page = response.text().await.unwrap();
        assert!(page.contains("The email or the password is wrong"), "{page}");
        assert_eq!(browser.get("/admin/users").await.status(), 303);
    }

    async fn repeated_failed_sign_ins_are_refused_even_with_the_right_password(app) {
        app.staff_user("kim@marketplace.example", StaffRole::Staff).await;
        let mut browser = app.staff_browser();
        for _ in 0..5 {
            let response = browser.sign_in("kim@marketplace.example", "wrong password guess").await;
            assert_eq!(response.status(), 401);
        }
        let response = browser.sign_in("kim@marketplace.example", PASSWORD).await;
        assert_eq!(response.status(), 429);
        let page = response.text().await.unwrap();
        assert!(page.contains("Too many failed attempts"), "{page}");
    }

    async fn a_sign_in_without_the_forms_csrf_token_is_refused(app) {
        app.staff_user("kim@marketplace.example", StaffRole::Staff).await;
        let browser = app.staff_browser();
        let response = browser
            .post_raw("/admin/login", &[("csrf", "forged"), ("email", "kim@marketplace.example"), ("password", PASSWORD)])
            .await;
        assert_eq!(response.status(), 403);
    }

    async fn a_form_with_a_missing_or_wrong_csrf_token_changes_nothing(app) {
        let mut admin = app.admin_browser().await;
        admin.page("/admin/users").await;
        let missing = admin
            .post_raw("/admin/users", &[("email", "new@marketplace.example"), ("password", PASSWORD), ("role", "STAFF")])
            .await;
        assert_eq!(missing.status(), 403);
        let wrong = admin
            .post_raw("/admin/users", &[("csrf", "wrong"), ("email", "new@marketplace.example"), ("password", PASSWORD), ("role", "STAFF")])
            .await;
        assert_eq!(wrong.status(), 403);
        let page = wrong.text().await.unwrap();
        assert!(page.contains("<html lang=\"en\""), "an HTML page: {page}");
        assert!(!admin.page("/admin/users").await.contains("new@marketplace.example"));
    }

    async fn signing_out_ends_the_session_on_the_server(app) {
        let admin = app.admin_browser().await;
        let stolen = admin.client.clone();
        let response = admin.post("/admin/logout", &[]).await;
        assert_eq!(location(&response), "/admin/login");
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_sessions")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(count, 0);
        let again = stolen.get(format!("{}/admin/users", app.address)).send().await.unwrap();
        assert_eq!(again.status(), 303);
    }

    async fn an_idle_session_expires(app) {
        let admin = app.admin_browser().await;
        let long_ago = kyc_portal::db::now().plus(-chrono::Duration::minutes(31)).millis();
        sqlx::query("UPDATE staff_sessions SET last_seen_at = $1")
            .bind(long_ago)
            .execute(app.db.pool())
            .await
            .unwrap();
        assert_eq!(admin.get("/admin/users").await.status(), 303);
    }

    async fn a_session_expires_twelve_hours_after_sign_in_however_busy(app) {
        let admin = app.admin_browser().await;
        let long_ago = kyc_portal::db::now().plus(-chrono::Duration::hours(13)).millis();
        sqlx::query("UPDATE staff_sessions SET created_at = $1")
            .bind(long_ago)
            .execute(app.db.pool())
            .await
            .unwrap();
        assert_eq!(admin.get("/admin/users").await.status(), 303);
    }

    async fn signing_in_again_gives_a_new_session_id(app) {
        app.staff_user("kim@marketplace.example", StaffRole::Staff).await;
        let mut browser = app.staff_browser();
        browser.sign_in("kim@marketplace.example", PASSWORD).await;
        let first: String = sqlx::query_scalar("SELECT id_hash FROM staff_sessions")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        browser.sign_in("kim@marketplace.example", PASSWORD).await;
        let ids: Vec<String> = sqlx::query_scalar("SELECT id_hash FROM staff_sessions")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
        assert_eq!(ids.len(), 1, "the old session ended");
        assert_ne!(ids[0], first);
    }

    async fn staff_without_the_admin_role_cannot_open_the_administrators_pages(app) {
        let staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let response = staff.get("/admin/users").await;
        assert_eq!(response.status(), 403);
        let page = response.text().await.unwrap();
        assert!(page.contains("Not allowed"), "{page}");
        let mut staff = staff;
        let buyers = staff.page("/admin/buyers").await;
        assert!(!buyers.contains("href=\"/admin/users\""), "no link to the administrators' pages");
    }

    async fn the_language_choice_is_remembered_per_user(app) {
        let mut admin = app.admin_browser().await;
        let response = admin.post("/admin/language", &[("lang", "de"), ("back", "/admin/users")]).await;
        assert_eq!(location(&response), "/admin/users");
        let page = admin.page("/admin/users").await;
        assert!(page.contains("<html lang=\"de\""));
        assert!(page.contains("Mitarbeitende"));
        // Error pages too, although the browser asks for English.
        let missing = admin.get("/admin/buyers/no-such-buyer").await;
        assert_eq!(missing.status(), 404);
        let missing = missing.text().await.unwrap();
        assert!(missing.contains("<html lang=\"de\"") && missing.contains("Nicht gefunden"), "{missing}");
        // Another browser of the same user speaks German too.
        let mut other = app.staff_browser();
        other.sign_in("admin@marketplace.example", PASSWORD).await;
        assert!(other.page("/admin/users").await.contains("<html lang=\"de\""));
    }

    async fn the_language_switch_goes_back_only_to_staff_pages(app) {
        let admin = app.admin_browser().await;
        let response = admin.post("/admin/language", &[("lang", "en"), ("back", "https://evil.example/")]).await;
        assert_eq!(location(&response), "/admin");
        for back in ["/admin/buyers\r\nSet-Cookie: kyc_admin_session=stolen", "/admin//evil.example", "/admin/b\u{7f}"] {
            let response = admin.post("/admin/language", &[("lang", "en"), ("back", back)]).await;
            assert_eq!(response.status(), 303, "{back:?}");
            assert_eq!(location(&response), "/admin", "{back:?}");
        }
        let response = admin.post("/admin/language", &[("lang", "en"), ("back", "/admin/settings?tab=tokens")]).await;
        assert_eq!(location(&response), "/admin/settings?tab=tokens", "a staff page with a query is fine");
    }

    async fn staff_pages_carry_strict_security_headers(app) {
        let browser = app.staff_browser();
        let response = browser.get("/admin/login").await;
        let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("script-src 'none'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(response.headers()["referrer-policy"], "no-referrer");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(response.headers()["cache-control"], "no-store");
    }
}
