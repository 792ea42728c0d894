//! The end of a business relationship, the legal hold and the erasure of a buyer's personal
//! data once its retention period has run out.

use serde_json::json;

use crate::documents::{documents_path, form};
use crate::fixtures::small_pdf;
use crate::helpers::*;
use crate::invitations::invitations_path;
use crate::on_both_backends;

on_both_backends! {
    async fn an_ended_buyer_gets_no_invitations_uploads_or_checks_until_it_is_reopened(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "anna@example.com"})).await;

        let problem = expect_problem(app.post_json(&format!("{path}/end"), &json!({"reason": " "})).await, 422).await;
        assert_eq!(problem_fields(&problem), ["reason"]);
        let ended = body_json(app.post_json(&format!("{path}/end"), &json!({"reason": "Contract terminated", "endedAt": "2026-03-01T00:00:00Z"})).await).await;
        assert_eq!(ended["endedAt"], "2026-03-01T00:00:00.000Z");
        assert_eq!(ended["endReason"], "Contract terminated");

        let refused = expect_problem(app.post_json(&invitations_path(&seller, &buyer), &json!({"recipientEmail": "anna@example.com"})).await, 409).await;
        assert!(refused["detail"].as_str().unwrap().contains("ended"), "{refused}");
        expect_problem(app.upload(&documents_path(&seller, &buyer), form("COC_EXTRACT", "2026-01-15", "a.pdf", small_pdf())).await, 409).await;
        expect_problem(app.post_json(&format!("{path}/kyc/vies-check"), &json!({})).await, 409).await;
        assert_eq!(reqwest::get(app.link_path(&invitation)).await.unwrap().status(), 410);
        let listed = body_json(app.get(&invitations_path(&seller, &buyer)).await).await;
        assert_eq!(listed["items"][0]["unavailableReason"], "BUYER_ENDED");

        let reopened = body_json(app.post_json(&format!("{path}/reopen"), &json!({})).await).await;
        assert!(reopened["endedAt"].is_null());
        assert_eq!(app.post_json(&invitations_path(&seller, &buyer), &json!({"recipientEmail": "anna@example.com"})).await.status(), 201);

        let history = body_json(app.get(&format!("{path}/history")).await).await;
        let actions: Vec<&str> = history["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"ended") && actions.contains(&"reopened"), "{actions:?}");
    }
}
