//! Staff users managed on the pages.

use kyc_portal::staff::StaffRole;

use super::*;
use crate::on_both_backends;

on_both_backends! {
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

    async fn a_staff_member_cannot_invite_users(app) {
        let staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let response = staff
            .post("/admin/users", &[("email", "new@marketplace.example"), ("role", "ADMIN")])
            .await;
        assert_eq!(response.status(), 403);
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_account_links")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(count, 0);
    }
}
