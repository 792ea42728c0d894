//! Staff users managed on the pages.

use kyc_portal::staff::StaffRole;

use super::*;
use crate::on_both_backends;

on_both_backends! {
    async fn an_administrator_creates_a_staff_user_who_can_then_sign_in(app) {
        let mut admin = app.admin_browser().await;
        let response = admin
            .post("/admin/users", &[("email", "new@marketplace.example"), ("password", PASSWORD), ("role", "STAFF")])
            .await;
        assert_eq!(location(&response), "/admin/users");
        let page = admin.page("/admin/users").await;
        assert!(page.contains("The staff user was created."), "a flash message");
        assert!(page.contains("new@marketplace.example"));
        let page = admin.page("/admin/users").await;
        assert!(!page.contains("The staff user was created."), "shown once");
        let mut newcomer = app.staff_browser();
        assert_eq!(newcomer.sign_in("new@marketplace.example", PASSWORD).await.status(), 303);
    }

    async fn a_short_password_is_refused_with_the_form_kept(app) {
        let admin = app.admin_browser().await;
        let response = admin
            .post("/admin/users", &[("email", "new@marketplace.example"), ("password", "short"), ("role", "ADMIN")])
            .await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains("at least 12 characters"), "{page}");
        assert!(page.contains("value=\"new@marketplace.example\""), "the address is kept");
    }

    async fn disabling_a_user_ends_their_sessions_at_once(app) {
        let kim = app.signed_in("kim@marketplace.example", StaffRole::Admin).await;
        let mut admin = app.admin_browser().await;
        let page = admin.page("/admin/users").await;
        let id = page
            .split("action=\"/admin/users/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let response = admin.post(&format!("/admin/users/{id}"), &[("action", "disable")]).await;
        assert_eq!(location(&response), "/admin/users");
        assert_eq!(kim.get("/admin/users").await.status(), 303, "signed out");
        let mut again = app.staff_browser();
        assert_eq!(again.sign_in("kim@marketplace.example", PASSWORD).await.status(), 401);
    }

    async fn an_administrator_cannot_disable_themselves(app) {
        let admin = app.admin_browser().await;
        let id: String = sqlx::query_scalar("SELECT id FROM staff_users")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let response = admin.post(&format!("/admin/users/{id}"), &[("action", "disable")]).await;
        assert_eq!(location(&response), "/admin/users");
        let mut admin = admin;
        assert!(admin.page("/admin/users").await.contains("You cannot change your own account here."));
    }

    async fn a_staff_member_cannot_create_users(app) {
        let staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let response = staff
            .post("/admin/users", &[("email", "new@marketplace.example"), ("password", PASSWORD), ("role", "ADMIN")])
            .await;
        assert_eq!(response.status(), 403);
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_users")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(count, 1);
    }
}
