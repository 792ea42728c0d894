//! Print-only invitations: made without an email address (by staff or a seller's system), no
//! email goes out for them; the link reaches the buyer on the printed sheet or handed over,
//! and a renewal of one stays print-only.

use kyc_portal::staff::StaffRole;
use serde_json::{Value, json};

use crate::admin::location;
use crate::helpers::*;
use crate::invitations::{invitations_path, smtp_sink, wait_for_mail};
use crate::on_both_backends;
use crate::portal::browser;

fn id(value: &Value) -> &str {
    value["uuid"].as_str().unwrap()
}

fn page_path(buyer: &Value) -> String {
    format!("/admin/buyers/{}/invitations", id(buyer))
}

/// Every part of every mail in the sink's Maildir, decoded.
fn mail_texts(maildir: &std::path::Path) -> Vec<String> {
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(maildir.join("new")).unwrap().flatten() {
        let raw = std::fs::read(entry.path()).unwrap();
        let mail = mailparse::parse_mail(&raw).unwrap();
        texts.extend(mail.subparts.iter().filter_map(|p| p.get_body().ok()));
        texts.extend(mail.get_body().ok());
    }
    texts
}

on_both_backends! {
    async fn the_api_makes_an_invitation_without_an_email_and_its_link_works(app) {
        let (seller, buyer) = app.create_buyer().await;
        for body in [json!({"language": "en"}), json!({"recipientEmail": null, "maxUses": 2})] {
            let invitation = app.invite(&seller, &buyer, body).await;
            assert!(invitation["recipientEmail"].is_null(), "{invitation}");
            assert!(invitation["emailStatus"].is_null(), "no email to speak of: {invitation}");
            assert_eq!(invitation["status"], "ACTIVE");
            assert_eq!(app.email_jobs(id(&invitation)).await, 0, "nothing queued");
            let fetched = body_json(app.get(&format!("/v1/invitations/{}", id(&invitation))).await).await;
            assert!(fetched["recipientEmail"].is_null() && fetched["emailStatus"].is_null());
        }
        let listed = body_json(app.get(&invitations_path(&seller, &buyer)).await).await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 2);
        let invitation = &listed["items"][0];
        assert!(invitation["recipientEmail"].is_null());

        // The buyer opens the handed-over link like any other.
        let page = app.buyer_page(invitation).await;
        assert!(page.contains("AutoHandel Mustermann GmbH"), "{page}");
        assert_eq!(app.usage_count(invitation).await, 1);

        // There is no email to send again.
        let refused = expect_problem(app.post_json(&format!("/v1/invitations/{}/resend", id(invitation)), &json!({})).await, 409).await;
        assert!(refused["detail"].as_str().unwrap().contains("print-only"), "{refused}");
        assert_eq!(app.email_jobs(id(invitation)).await, 0);

        // A present but broken address is still refused, never taken as "no email".
        let problem = expect_problem(app.post_json(&invitations_path(&seller, &buyer), &json!({"recipientEmail": "kyc@"})).await, 422).await;
        assert_eq!(problem_fields(&problem), ["recipientEmail"]);
    }

    async fn staff_choose_print_only_on_the_form_and_land_on_the_printable_sheet(app) {
        let (seller, buyer) = app.create_buyer().await;
        app.with_support_contact().await;
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let form = staff.page(&page_path(&buyer)).await;
        assert!(form.contains("How the buyer gets the link"), "{form}");
        assert!(form.contains("value=\"email\" checked"), "emailing stays the default");
        assert!(form.contains(">Send by email</label>") && form.contains(">Print only (no email)</label>"));

        let response = staff.post(&page_path(&buyer), &[
            ("delivery", "print_only"),
            ("recipient_email", "ignored@example.com"),
            ("language", "de"),
            ("expires_in_days", "30"),
            ("max_uses", ""),
        ]).await;

        assert_eq!(response.status(), 303);
        let listed = app.api_invitations(&seller, &buyer).await;
        assert_eq!(listed.len(), 1);
        let invitation = &listed[0];
        assert!(invitation["recipientEmail"].is_null(), "{invitation}");
        assert_eq!(app.email_jobs(id(invitation)).await, 0);
        let sheet_path = format!("/admin/invitations/{}/sheet?created=print-only", id(invitation));
        assert_eq!(location(&response), sheet_path);
        let sheet = staff.page(&sheet_path).await;
        assert!(sheet.contains("The invitation was created without email."), "{sheet}");
        assert!(sheet.contains(invitation["publicLinkUrl"].as_str().unwrap()), "the link to print or hand over");
        assert!(sheet.contains("<html lang=\"de\">"), "the sheet speaks the invitation's language");

        let list = staff.page(&page_path(&buyer)).await;
        assert!(list.contains("<span class=\"print-only\">Print only (no email)</span>"), "{list}");
        assert!(list.contains("No email (print only)"));
        assert!(!list.contains(&format!("/admin/invitations/{}/resend", id(invitation))), "nothing to resend");
        assert!(list.contains(&format!("/admin/invitations/{}/sheet", id(invitation))));
        let history = staff.page(&format!("/admin/buyers/{}/history", id(&buyer))).await;
        assert!(history.contains("made a print-only invitation (no email)."), "{history}");
    }

    async fn the_form_in_german_names_both_ways(app) {
        let (_, buyer) = app.create_buyer().await;
        app.with_support_contact().await;
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        staff.page(&page_path(&buyer)).await;
        let switched = staff.post("/admin/language", &[("lang", "de"), ("back", "/admin")]).await;
        assert_eq!(switched.status(), 303);
        let form = staff.page(&page_path(&buyer)).await;
        assert!(form.contains("Wie der Käufer den Link erhält"), "{form}");
        assert!(form.contains(">Per E-Mail senden</label>") && form.contains(">Nur ausdrucken (keine E-Mail)</label>"));
    }

    async fn email_remains_the_default_and_needs_an_address(app) {
        let (seller, buyer) = app.create_buyer().await;
        app.with_support_contact().await;
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        staff.page(&page_path(&buyer)).await;

        let response = staff.post(&page_path(&buyer), &[
            ("delivery", "email"), ("recipient_email", ""), ("language", "en"), ("expires_in_days", "14"), ("max_uses", ""),
        ]).await;

        assert_eq!(response.status(), 422);
        assert!(response.text().await.unwrap().contains("id=\"inv-recipient-error\""));
        assert!(app.api_invitations(&seller, &buyer).await.is_empty(), "not turned into a print-only one");
    }

    async fn a_print_only_link_is_renewed_print_only_without_any_email_to_the_buyer(app) {
        let mut admin = app.admin_browser().await;
        let saved = admin.save_settings(&[("support_email", "hilfe@automarkt.example")]).await;
        assert_eq!(saved.status(), 303);
        let (seller, buyer, invitation) = app.invited_buyer(json!({"language": "en", "maxUses": 4})).await;
        app.expire(&invitation).await;

        let (_, answer) = app.ask_for_renewal(&invitation).await;
        assert_eq!(answer.status(), 200);
        let html = answer.text().await.unwrap();
        assert!(html.contains("will reach you the same way"), "{html}");
        // Staff still hear of it; the old link had no address, and the email says so.
        let (text, _) = app.outbox_mail_to("hilfe@automarkt.example").await;
        assert!(text.contains("print only (no email)"), "{text}");

        let renewed = admin.post(&format!("/admin/invitations/{}/renew", id(&invitation)), &[]).await;
        assert_eq!(renewed.status(), 303);
        let items = app.api_invitations(&seller, &buyer).await;
        assert_eq!(items.len(), 2);
        let new = &items[0];
        assert_ne!(new["uuid"], invitation["uuid"]);
        assert!(new["recipientEmail"].is_null() && new["emailStatus"].is_null(), "{new}");
        assert_eq!((new["status"].as_str(), new["maxUses"].as_i64()), (Some("ACTIVE"), Some(4)));
        assert_eq!(location(&renewed), format!("/admin/invitations/{}/sheet?created=print-only", id(new)));
        assert_eq!(app.email_jobs(id(new)).await, 0, "nothing to email");
        assert_eq!(app.open_link(&browser(), new).await.status(), 200);
    }

    async fn a_print_only_link_gets_no_reminders_while_an_emailed_one_does(app) {
        let settings = json!({"invitationReminderAfterDays": 3, "invitationReminderBeforeExpiryDays": 2});
        assert_eq!(app.patch_json("/v1/organisation", &settings).await.status(), 200);
        let (seller, buyer, printed) = app.invited_buyer(json!({"expiresInDays": 14})).await;
        let in_days = |days: i64| kyc_portal::db::Timestamp::from(chrono::Utc::now() + chrono::Duration::days(days) + chrono::Duration::minutes(1));
        assert_eq!(kyc_portal::reminders::run_round(&app.db, in_days(3)).await.unwrap().invitation_reminders, 0, "no one to remind");
        assert_eq!(kyc_portal::reminders::run_round(&app.db, in_days(12)).await.unwrap().invitation_reminders, 0);
        let reminded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reminders WHERE invitation_id = $1")
            .bind(id(&printed))
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(reminded, 0);
        // The same rounds do remind of an emailed link: the print-only rule is what held back.
        app.invite(&seller, &buyer, json!({"recipientEmail": "a@example.com", "expiresInDays": 14})).await;
        assert_eq!(kyc_portal::reminders::run_round(&app.db, in_days(3)).await.unwrap().invitation_reminders, 1);
    }
}

/// Through the SMTP sink on each database: a print-only invitation sends nothing, while an
/// emailed one made after it arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_mail_reaches_the_sink_for_a_print_only_invitation() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some((smtp_url, maildir)) = smtp_sink() else {
            return;
        };
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.smtp_url = Some(smtp_url.clone().into());
        })
        .await
        else {
            return;
        };
        let (seller, buyer) = app.create_buyer().await;
        let printed = app.invite(&seller, &buyer, json!({"language": "de"})).await;
        let marker = format!("after-{}@example.com", uuid::Uuid::new_v4().simple());
        app.invite(&seller, &buyer, json!({"recipientEmail": marker}))
            .await;
        wait_for_mail(&maildir, &marker).await;
        let link = printed["publicLinkUrl"].as_str().unwrap();
        assert!(
            mail_texts(&maildir).iter().all(|text| !text.contains(link)),
            "the print-only link went out by email"
        );
        assert_eq!(app.email_jobs(id(&printed)).await, 0);
    }
}

/// Through the SMTP sink on each database: a rejected document is told by email, so a
/// print-only link (no address) is passed over and a new link goes to the buyer's contact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_writes_to_the_contact_rather_than_using_a_print_only_link() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some((smtp_url, maildir)) = smtp_sink() else {
            return;
        };
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.smtp_url = Some(smtp_url.clone().into());
        })
        .await
        else {
            return;
        };
        let seller = app.create_seller().await;
        let mut body = reference_buyer();
        let contact = format!("contact-{}@example.com", uuid::Uuid::new_v4().simple());
        body["contacts"][0]["email"] = json!(contact);
        let buyer = body_json(app.post_json(&buyers_path(&seller), &body).await).await;
        let printed = app.invite(&seller, &buyer, json!({"language": "de"})).await;
        let document = app
            .upload_pdf(
                &crate::documents::documents_path(&seller, &buyer),
                "COC_EXTRACT",
            )
            .await;

        let rejected = app
            .review(
                &document,
                json!({"decision": "REJECTED", "reason": "EXPIRED"}),
            )
            .await;

        assert_eq!(rejected.status(), 200);
        let raw = wait_for_mail(&maildir, &contact).await;
        let mail = mailparse::parse_mail(&raw).unwrap();
        let text: String = mail
            .subparts
            .iter()
            .filter_map(|p| p.get_body().ok())
            .collect();
        let items = body_json(app.get(&invitations_path(&seller, &buyer)).await).await["items"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(items.len(), 2, "a new link beside the printed one");
        let issued = &items[0];
        assert_eq!(issued["recipientEmail"], json!(contact));
        let link = issued["publicLinkUrl"].as_str().unwrap();
        note_issued_link(link);
        assert!(text.contains(link), "the email carries the new link");
        assert!(!text.contains(printed["publicLinkUrl"].as_str().unwrap()));
    }
}
