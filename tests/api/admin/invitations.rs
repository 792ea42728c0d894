//! A buyer's invitations on the staff pages: what they make is what the API shows, with the
//! same email job, and the printable sheet speaks the invitation's language.

use std::time::{Duration, Instant};

use kyc_portal::i18n::Language;
use kyc_portal::organisation::{self, OrganisationSettings};
use kyc_portal::staff::StaffRole;
use serde_json::{Value, json};

use super::*;
use crate::helpers::*;
use crate::on_both_backends;

fn buyer_id(buyer: &Value) -> &str {
    buyer["uuid"].as_str().unwrap()
}

fn page_path(buyer: &Value) -> String {
    format!("/admin/buyers/{}/invitations", buyer_id(buyer))
}

impl TestApp {
    /// The buyer's invitations as the API lists them, newest first.
    pub async fn api_invitations(&self, seller: &str, buyer: &Value) -> Vec<Value> {
        let path = format!("{}/kyc/self-service-invitations", buyer_path(seller, buyer));
        let listing = body_json(self.get(&path).await).await;
        let items = listing["items"].as_array().unwrap().clone();
        for item in &items {
            note_issued_link(item["publicLinkUrl"].as_str().unwrap());
        }
        items
    }

    /// How many email jobs were queued for an invitation.
    pub async fn email_jobs(&self, invitation_id: &str) -> i64 {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'invitation.email' AND payload LIKE $1",
        )
        .bind(format!("%{invitation_id}%"))
        .fetch_one(self.db.pool())
        .await
        .unwrap()
    }

    /// Waits for the outbox's `.eml` file to `recipient`; returns its (text, HTML) parts.
    pub async fn outbox_mail_to(&self, recipient: &str) -> (String, String) {
        let outbox = self.dir.path().join("outbox");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(entries) = std::fs::read_dir(&outbox) {
                for entry in entries.flatten() {
                    let raw = std::fs::read(entry.path()).unwrap_or_default();
                    let Ok(mail) = mailparse::parse_mail(&raw) else {
                        continue;
                    };
                    let to = mail
                        .headers
                        .iter()
                        .find(|h| h.get_key_ref().eq_ignore_ascii_case("to"))
                        .map(|h| h.get_value())
                        .unwrap_or_default();
                    if to.contains(recipient) {
                        let part = |mime: &str| {
                            mail.subparts
                                .iter()
                                .find(|p| p.ctype.mimetype == mime)
                                .and_then(|p| p.get_body().ok())
                                .unwrap_or_default()
                        };
                        return (part("text/plain"), part("text/html"));
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "no mail to {recipient} in the outbox"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

on_both_backends! {
    async fn an_invitation_made_on_the_page_is_the_one_the_api_lists_with_its_email(app) {
        let (seller, buyer) = app.create_buyer().await;
        app.with_support_contact().await;
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let form = staff.page(&page_path(&buyer)).await;
        assert!(form.contains("AutoHandel Mustermann GmbH"), "the company is named");
        assert!(form.contains(&format!("href=\"/admin/buyers/{}\"", buyer_id(&buyer))), "a link back to the buyer");
        assert!(form.contains("value=\"14\""), "the default expiry");
        assert!(form.contains("value=\"erika@autohandel-mustermann.de\""), "the buyer's first contact, filled in");
        assert!(form.contains("<option value=\"de\" lang=\"de\" selected>"), "German for a German company");
        assert!(form.contains("A use is one opening of the link in a new browser"), "what a use is");

        let response = staff.post(&page_path(&buyer), &[
            ("recipient_email", "kyc@autohandel-mustermann.de"),
            ("language", "de"),
            ("expires_in_days", "30"),
            ("max_uses", "3"),
        ]).await;

        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), page_path(&buyer));
        let listed = app.api_invitations(&seller, &buyer).await;
        assert_eq!(listed.len(), 1);
        let invitation = &listed[0];
        assert_eq!(invitation["recipientEmail"], "kyc@autohandel-mustermann.de");
        assert_eq!(invitation["language"], "de");
        assert_eq!(invitation["maxUses"], 3);
        assert_eq!(invitation["status"], "ACTIVE");
        let at = |field: &str| chrono::DateTime::parse_from_rfc3339(invitation[field].as_str().unwrap()).unwrap();
        assert_eq!(at("expiresAt") - at("createdAt"), chrono::Duration::days(30));
        let id = invitation["uuid"].as_str().unwrap();
        assert_eq!(app.email_jobs(id).await, 1);
        let (text, _) = app.outbox_mail_to("kyc@autohandel-mustermann.de").await;
        assert!(text.contains("Guten Tag,"), "the email is in German: {text}");
        assert!(text.contains(invitation["publicLinkUrl"].as_str().unwrap()));
        let actor: String = sqlx::query_scalar("SELECT actor FROM audit_log WHERE entity_type = 'invitation' AND entity_id = $1")
            .bind(id).fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(actor, "staff:kim@marketplace.example");

        let page = staff.page(&page_path(&buyer)).await;
        assert!(page.contains("The invitation was created; the email is on its way."));
        assert!(page.contains("kyc@autohandel-mustermann.de") && page.contains("0 / 3"));
        assert!(page.contains(&format!("/admin/invitations/{id}/sheet")));
        crate::stubs::eventually("the list says the email was sent", || async {
            let page = staff.get(&page_path(&buyer)).await.text().await.unwrap();
            page.contains("Email sent").then_some(())
        })
        .await;
    }

    async fn the_form_and_the_api_default_to_the_organisations_language_and_expiry(app) {
        let settings = OrganisationSettings {
            default_language: Language::De,
            default_invitation_expiry_days: 45,
            ..OrganisationSettings::default()
        };
        as_system(&app.db, async |tx| organisation::save(tx, &settings).await).await;
        let (seller, buyer) = app.create_buyer().await;
        app.with_support_contact().await;
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;

        let form = staff.page(&page_path(&buyer)).await;
        let by_api = app.invite(&seller, &buyer, json!({"recipientEmail": "api@example.com"})).await;

        assert!(form.contains("value=\"45\""), "{form}");
        assert!(form.contains("<option value=\"de\" lang=\"de\" selected>"));
        assert_eq!(by_api["language"], "de");
        let at = |field: &str| chrono::DateTime::parse_from_rfc3339(by_api[field].as_str().unwrap()).unwrap();
        assert_eq!(at("expiresAt") - at("createdAt"), chrono::Duration::days(45));
    }

    async fn wrong_input_is_refused_next_to_its_fields_with_the_values_kept(app) {
        let (seller, buyer) = app.create_buyer().await;
        app.with_support_contact().await;
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        staff.page(&page_path(&buyer)).await;

        let response = staff.post(&page_path(&buyer), &[
            ("recipient_email", "not-an-address"),
            ("language", "en"),
            ("expires_in_days", "91"),
            ("max_uses", "zero"),
        ]).await;

        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains("value=\"not-an-address\"") && page.contains("value=\"91\""), "kept");
        assert!(page.contains("id=\"inv-recipient-error\">Please enter a valid email address."));
        assert!(page.contains("aria-describedby=\"inv-recipient-error\""));
        assert!(page.contains("Please enter a number of days from 1 to 90."));
        assert!(page.contains("Please enter a whole number of at least 1"));
        assert!(app.api_invitations(&seller, &buyer).await.is_empty());
    }

    async fn a_blocked_buyer_gets_no_invitation_from_the_page_either(app) {
        let (seller, buyer) = app.create_buyer().await;
        app.post_json(&format!("{}/block", buyer_path(&seller, &buyer)), &json!({"reason": "review"})).await;
        app.with_support_contact().await;
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        staff.page(&page_path(&buyer)).await;

        let response = staff.post(&page_path(&buyer), &[
            ("recipient_email", "kyc@example.com"), ("language", "en"), ("expires_in_days", "14"), ("max_uses", ""),
        ]).await;

        assert_eq!(response.status(), 409);
        assert!(response.text().await.unwrap().contains("This buyer is blocked"));
        assert!(app.api_invitations(&seller, &buyer).await.is_empty());
        let page = staff.page(&page_path(&buyer)).await;
        assert!(page.contains("This buyer is blocked"), "said before trying");
        assert!(!page.contains(&format!("action=\"{}\"", page_path(&buyer))), "no form that can only fail");
        assert!(page.contains(&format!("href=\"/admin/buyers/{}/unblock\"", buyer_id(&buyer))), "the way out");
    }

    async fn resending_queues_the_email_again(app) {
        let (seller, buyer) = app.create_buyer().await;
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "kyc@example.com"})).await;
        let id = invitation["uuid"].as_str().unwrap();
        app.with_support_contact().await;
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        staff.page(&page_path(&buyer)).await;

        let response = staff.post(&format!("/admin/invitations/{id}/resend"), &[]).await;

        assert_eq!(location(&response), page_path(&buyer));
        assert_eq!(app.email_jobs(id).await, 2);
        assert!(staff.page(&page_path(&buyer)).await.contains("The email is being sent again."));
    }

    async fn revoking_asks_first_and_then_the_api_shows_it_revoked(app) {
        let (seller, buyer) = app.create_buyer().await;
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "kyc@example.com"})).await;
        let id = invitation["uuid"].as_str().unwrap();
        app.with_support_contact().await;
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;

        let confirm = staff.page(&format!("/admin/invitations/{id}/revoke")).await;
        assert!(confirm.contains("Revoke the invitation?"));
        assert!(confirm.contains(&format!("action=\"/admin/invitations/{id}/revoke\"")));
        assert_eq!(body_json(app.get(&format!("/v1/invitations/{id}")).await).await["status"], "ACTIVE", "asking changes nothing");
        let response = staff.post(&format!("/admin/invitations/{id}/revoke"), &[]).await;

        assert_eq!(location(&response), page_path(&buyer));
        assert_eq!(body_json(app.get(&format!("/v1/invitations/{id}")).await).await["status"], "REVOKED");
        let page = staff.page(&page_path(&buyer)).await;
        assert!(page.contains("The invitation was revoked; its link no longer works."));
        assert!(page.contains("Revoked"));
        let again = staff.post(&format!("/admin/invitations/{id}/resend"), &[]).await;
        assert_eq!(location(&again), page_path(&buyer));
        assert!(staff.page(&page_path(&buyer)).await.contains("Only an active invitation"));
        assert_eq!(app.email_jobs(id).await, 1);
    }

    async fn the_sheet_speaks_the_invitations_language_with_company_link_date_and_qr(app) {
        let (seller, buyer) = app.create_buyer().await;
        app.with_support_contact().await;
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let mut sheet_css = String::new();
        for (language, heading, expiry) in [
            ("de", "Laden Sie Ihre Firmenunterlagen hoch", "Der Link ist gültig bis zum "),
            ("en", "Upload your company documents", "The link is valid until "),
        ] {
            let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "kyc@example.com", "language": language, "expiresInDays": 10})).await;
            let id = invitation["uuid"].as_str().unwrap();
            let expires = chrono::DateTime::parse_from_rfc3339(invitation["expiresAt"].as_str().unwrap()).unwrap()
                .with_timezone(&chrono_tz::Europe::Berlin).date_naive();
            let date = Language::parse(language).unwrap().date(expires);

            let sheet = staff.page(&format!("/admin/invitations/{id}/sheet")).await;
            sheet_css = sheet.split("<link rel=\"stylesheet\" href=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();

            assert!(sheet.contains(&format!("<html lang=\"{language}\">")), "{language}");
            assert!(sheet.contains(heading), "{language}");
            assert!(sheet.contains("AutoHandel Mustermann GmbH"));
            assert!(sheet.contains(invitation["publicLinkUrl"].as_str().unwrap()), "the link as text");
            assert!(sheet.contains(&format!("{expiry}{date}.")), "{language}: {date}");
            assert!(sheet.contains(&format!("<img class=\"qr\" src=\"/admin/invitations/{id}/qr.svg\"")));
            assert!(sheet.contains("lang=\"en\" aria-label=\"Sheet tools\"") && sheet.contains("class=\"toolbar no-print\""), "the staff bar is in the staff language and not printed");
            let qr = staff.get(&format!("/admin/invitations/{id}/qr.svg")).await;
            assert_eq!(qr.status(), 200);
            assert_eq!(qr.headers()["content-type"], "image/svg+xml");
            assert!(qr.text().await.unwrap().contains("<svg"));
        }
        let version = sheet_css.strip_prefix("/admin/invitation-sheet.css?v=").unwrap_or_else(|| panic!("named by version: {sheet_css}"));
        assert!(version.len() == 12 && version.chars().all(|c| c.is_ascii_hexdigit()), "{version}");
        let css = staff.get(&sheet_css).await;
        assert_eq!(css.headers()["cache-control"], "public, max-age=31536000, immutable");
        let css = css.text().await.unwrap();
        assert!(css.contains("@page { size: A4; margin: 15mm; }"));
    }

    async fn a_revoked_invitation_has_no_sheet_and_the_page_says_why(app) {
        let (seller, buyer) = app.create_buyer().await;
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "kyc@example.com"})).await;
        let id = invitation["uuid"].as_str().unwrap();
        app.post_json(&format!("/v1/invitations/{id}/revoke"), &json!({})).await;
        let staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;

        let response = staff.get(&format!("/admin/invitations/{id}/sheet")).await;

        assert_eq!(response.status(), 409);
        let page = response.text().await.unwrap();
        assert!(page.contains("The status of this invitation is “Revoked”"));
        assert!(!page.contains(invitation["publicLinkUrl"].as_str().unwrap()));
    }

    async fn a_blocked_buyers_invitation_has_no_sheet(app) {
        let (seller, buyer) = app.create_buyer().await;
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "kyc@example.com"})).await;
        app.post_json(&format!("{}/block", buyer_path(&seller, &buyer)), &json!({"reason": "review"})).await;
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;

        let response = staff.get(&format!("/admin/invitations/{}/sheet", invitation["uuid"].as_str().unwrap())).await;

        assert_eq!(response.status(), 409);
        assert!(response.text().await.unwrap().contains("This buyer is blocked"));
        let page = staff.page(&page_path(&buyer)).await;
        assert!(page.contains("Active"), "the invitation is listed");
        assert!(!page.contains("/sheet\"") && !page.contains("/resend\""), "no sheet and no email with a link that does not open");
        assert!(page.contains("/revoke\""), "it can still be revoked");
    }

    async fn a_form_without_the_sessions_csrf_token_changes_nothing(app) {
        let (seller, buyer) = app.create_buyer().await;
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "kyc@example.com"})).await;
        let id = invitation["uuid"].as_str().unwrap();
        app.with_support_contact().await;
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        staff.page(&page_path(&buyer)).await;
        let forged = [("csrf", "forged")];

        let create = staff.post_raw(&page_path(&buyer), &[("csrf", "forged"), ("recipient_email", "x@example.com"), ("language", "en"), ("expires_in_days", "14")]).await;
        let revoke = staff.post_raw(&format!("/admin/invitations/{id}/revoke"), &forged).await;
        let resend = staff.post_raw(&format!("/admin/invitations/{id}/resend"), &forged).await;

        assert_eq!([create.status(), revoke.status(), resend.status()].map(|s| s.as_u16()), [403; 3]);
        assert_eq!(app.api_invitations(&seller, &buyer).await.len(), 1);
        assert_eq!(body_json(app.get(&format!("/v1/invitations/{id}")).await).await["status"], "ACTIVE");
        assert_eq!(app.email_jobs(id).await, 1);
    }

    async fn the_sheet_and_its_qr_code_are_behind_the_login(app) {
        let (seller, buyer) = app.create_buyer().await;
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "kyc@example.com"})).await;
        let id = invitation["uuid"].as_str().unwrap();
        let stranger = app.staff_browser();
        for path in [format!("/admin/invitations/{id}/sheet"), format!("/admin/invitations/{id}/qr.svg"), page_path(&buyer)] {
            let response = stranger.get(&path).await;
            assert_eq!(response.status(), 303, "{path}");
            assert_eq!(location(&response), "/admin/login");
        }
    }

    async fn a_long_list_of_invitations_continues_on_older_pages(app) {
        let (seller, buyer) = app.create_buyer().await;
        let mut first = None;
        for n in 0..51 {
            let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": format!("kyc{n}@example.com")})).await;
            first.get_or_insert(invitation);
        }
        app.with_support_contact().await;
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;

        let newest = staff.page(&page_path(&buyer)).await;

        assert!(newest.contains("kyc50@example.com") && !newest.contains("kyc0@example.com"));
        let older = newest
            .split(&format!("href=\"{}?cursor=", page_path(&buyer)))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a link to the older invitations")
            .to_owned();
        let oldest = staff.page(&format!("{}?cursor={older}", page_path(&buyer))).await;
        assert!(oldest.contains("kyc0@example.com") && !oldest.contains("kyc50@example.com"));
        assert!(oldest.contains(first.unwrap()["uuid"].as_str().unwrap()));
        assert_eq!(staff.get(&format!("{}?cursor=forged", page_path(&buyer))).await.status(), 422);
    }
}
