//! A link that ran out is not a dead end: the buyer asks for a new one from the page the link
//! shows, staff hear of it by email and on the invitations page, the seller's system by an
//! event, and one click sends a new link to the same address.

use serde_json::{Value, json};

use crate::admin::StaffBrowser;
use crate::helpers::*;
use crate::on_both_backends;
use crate::portal::{browser, csrf_of};
use crate::stubs::{await_deliveries, receiver};

const EVENT: &str = "self_service_invitation.renewal_requested";

fn id(value: &Value) -> &str {
    value["uuid"].as_str().unwrap()
}

impl TestApp {
    pub async fn expire(&self, invitation: &Value) {
        sqlx::query("UPDATE invitations SET expires_at = 1000 WHERE id = $1")
            .bind(id(invitation))
            .execute(self.db.pool())
            .await
            .unwrap();
    }

    /// Opens a link that no longer works and presses its "ask for a new link" button in the
    /// same browser; returns the 410 page and the answer.
    pub async fn ask_for_renewal(&self, invitation: &Value) -> (String, reqwest::Response) {
        let browser = browser();
        let page = self.open_link(&browser, invitation).await;
        assert_eq!(page.status(), 410);
        let html = page.text().await.unwrap();
        let answer = browser
            .post(format!("{}/renewal", self.link_path(invitation)))
            .form(&[("csrf", csrf_of(&html))])
            .send()
            .await
            .unwrap();
        (html, answer)
    }

    async fn recorded(&self, event: &str) -> usize {
        kyc_portal::events::recent(&self.db, 50)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.event_type.as_str() == event)
            .count()
    }
}

async fn with_support_address(app: &TestApp) -> StaffBrowser {
    let mut admin = app.admin_browser().await;
    let saved = admin
        .save_settings(&[("support_email", "hilfe@automarkt.example")])
        .await;
    assert_eq!(saved.status(), 303);
    admin
}

on_both_backends! {
    async fn an_expired_link_asks_for_a_new_one_and_staff_and_the_seller_hear_of_it_once(app) {
        let mut admin = with_support_address(&app).await;
        let hooks = receiver().await;
        app.subscribe(&hooks.uri(), &[EVENT]).await;
        let (seller, buyer, invitation) = app.invited_buyer(json!({"recipientEmail": "kyc@autohandel-mustermann.de", "language": "de", "maxUses": 3})).await;
        app.expire(&invitation).await;

        let (page, answer) = app.ask_for_renewal(&invitation).await;
        assert!(page.contains("Dieser Link ist abgelaufen.") && page.contains(">Neuen Link anfordern</button>"), "{page}");
        assert!(page.contains("href=\"mailto:hilfe@automarkt.example\""), "a tappable contact: {page}");
        assert_eq!(answer.status(), 200);
        let html = answer.text().await.unwrap();
        assert!(html.contains("Ein neuer Link ist unterwegs"), "{html}");
        assert!(html.contains("k•••@autohandel-mustermann.de"), "where the link will go: {html}");
        assert!(!html.contains("kyc@autohandel-mustermann.de"), "the address is not shown whole to whoever holds the link");

        // The seller's system: the event, signed and delivered.
        let delivered = await_deliveries(&hooks, 1).await;
        let body = delivered[0].json();
        assert_eq!(body["type"], EVENT);
        assert_eq!(body["data"]["invitationId"], invitation["uuid"]);
        assert_eq!(body["data"]["status"], "EXPIRED");

        // Staff: an email at the support address, in the organisation's language, pointing at
        // the buyer's invitations page.
        let (text, _) = app.outbox_mail_to("hilfe@automarkt.example").await;
        assert!(text.contains("asked for a new one"), "{text}");
        assert!(text.contains(&format!("/admin/buyers/{}/invitations", id(&buyer))), "{text}");

        // Asking again the same day tells the buyer so, and no one twice.
        let (_, again) = app.ask_for_renewal(&invitation).await;
        assert!(again.text().await.unwrap().contains("bereits am"));
        assert_eq!(app.recorded(EVENT).await, 1);

        // Staff see the request and answer it with one click: a new link, same address,
        // language and use limit.
        let path = format!("/admin/buyers/{}/invitations", id(&buyer));
        let list = admin.page(&path).await;
        assert!(list.contains("The buyer asked for a new link on"), "{list}");
        let renewed = admin.post(&format!("/admin/invitations/{}/renew", id(&invitation)), &[]).await;
        assert_eq!(renewed.status(), 303);
        let items = app.api_invitations(&seller, &buyer).await;
        assert_eq!(items.len(), 2);
        let new = &items[0];
        assert_ne!(new["uuid"], invitation["uuid"]);
        assert_eq!((new["status"].as_str(), new["recipientEmail"].as_str(), new["language"].as_str(), new["maxUses"].as_i64()),
            (Some("ACTIVE"), Some("kyc@autohandel-mustermann.de"), Some("de"), Some(3)));
        assert!(!admin.page(&path).await.contains("The buyer asked for a new link on"), "answered");
        assert_eq!(app.email_jobs(id(new)).await, 1, "the new link is emailed");
        assert!(app.buyer_page(new).await.contains("<html lang=\"de\">"));

        // The old link's history says it was asked for and answered.
        let (history, _) = kyc_portal::audit::history(&app.db, "invitation", id(&invitation), &kyc_portal::pagination::Page::first()).await.unwrap();
        let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"renewal_requested") && actions.contains(&"renewed"), "{actions:?}");
        let told = admin.page(&format!("/admin/buyers/{}/history", id(&buyer))).await;
        assert!(told.contains("The buyer through an invitation link opened a link that no longer works and asked for a new one."), "{told}");
        assert!(told.contains("answered the request for a new link with a new invitation."), "{told}");
    }

    async fn a_used_up_link_can_ask_but_a_withdrawn_link_or_a_blocked_buyer_points_to_the_contact(app) {
        let (seller, buyer, once) = app.invited_buyer(json!({"recipientEmail": "a@example.com", "maxUses": 1})).await;
        assert_eq!(app.open_link(&browser(), &once).await.status(), 200);
        let (page, answer) = app.ask_for_renewal(&once).await;
        assert!(page.contains("used as often as allowed") && page.contains(">Ask for a new link</button>"), "{page}");
        assert_eq!(answer.status(), 200);
        assert_eq!(app.recorded(EVENT).await, 1);

        let revoked = app.invite(&seller, &buyer, json!({"recipientEmail": "a@example.com"})).await;
        app.post_json(&format!("/v1/invitations/{}/revoke", id(&revoked)), &json!({})).await;
        let page = app.open_link(&browser(), &revoked).await.text().await.unwrap();
        assert!(page.contains("withdrawn") && !page.contains("Ask for a new link"), "{page}");
        assert!(page.contains("please contact us"), "{page}");

        let open = app.invite(&seller, &buyer, json!({"recipientEmail": "a@example.com"})).await;
        app.expire(&open).await;
        app.post_json(&format!("{}/block", buyer_path(&seller, &buyer)), &json!({"reason": "hold"})).await;
        let page = app.open_link(&browser(), &open).await.text().await.unwrap();
        assert!(page.contains("Uploads are not possible") && !page.contains("Ask for a new link"), "{page}");
        assert_eq!(app.recorded(EVENT).await, 1, "neither asked");
    }

    async fn asking_needs_the_pages_own_token(app) {
        let (_, _, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com"})).await;
        app.expire(&invitation).await;
        let forged = browser()
            .post(format!("{}/renewal", app.link_path(&invitation)))
            .form(&[("csrf", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 410, "the page again, with a fresh form");
        assert!(forged.text().await.unwrap().contains("Ask for a new link"));
        assert_eq!(app.recorded(EVENT).await, 0);
    }

    async fn an_active_link_cannot_be_renewed_by_staff(app) {
        let (_, buyer, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com"})).await;
        let mut admin = app.admin_browser().await;
        admin.page(&format!("/admin/buyers/{}/invitations", id(&buyer))).await;
        let refused = admin.post(&format!("/admin/invitations/{}/renew", id(&invitation)), &[]).await;
        assert_eq!(refused.status(), 303);
        let list = admin.page(&format!("/admin/buyers/{}/invitations", id(&buyer))).await;
        assert!(list.contains("Only an expired or used-up link"), "{list}");
    }
}
