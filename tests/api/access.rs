//! Who reaches what through the API: organisation tokens reach every seller, a seller's token
//! only its own seller (everything else is "not found"), read-only tokens only read.

use kyc_portal::access::{SellerScope, TokenAccess};
use kyc_portal::api_tokens::{self, NewToken};
use kyc_portal::audit::Actor;
use reqwest::Method;
use serde_json::{Value, json};

use crate::documents::documents_path;
use crate::helpers::*;
use crate::on_both_backends;
use crate::stubs::*;

impl TestApp {
    /// A new token of `scope` and `access`.
    pub async fn token(&self, scope: SellerScope, access: TokenAccess) -> String {
        let new = NewToken {
            name: "another system",
            scope,
            access,
        };
        api_tokens::create_by(&self.db, &Actor::System, new)
            .await
            .unwrap()
            .token
    }

    /// A request with `token` instead of the suite's organisation token.
    pub async fn call_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }
}

/// A seller with a buyer that has a document and an invitation.
struct Holdings {
    seller: String,
    buyer: Value,
    document: String,
    invitation: String,
}

async fn holdings(app: &TestApp) -> Holdings {
    let (seller, buyer) = app.create_buyer().await;
    let document = app
        .upload_pdf(&documents_path(&seller, &buyer), "COC_EXTRACT")
        .await;
    let invitation = app
        .invite(
            &seller,
            &buyer,
            json!({"recipientEmail": "kyc@example.com"}),
        )
        .await;
    Holdings {
        seller,
        buyer,
        document: document["uuid"].as_str().unwrap().to_owned(),
        invitation: invitation["uuid"].as_str().unwrap().to_owned(),
    }
}

on_both_backends! {
    async fn a_sellers_token_finds_nothing_of_another_seller_and_changes_nothing_there(app) {
        let mine = holdings(&app).await;
        let theirs = holdings(&app).await;
        let token = app.token(SellerScope::Seller(mine.seller.clone()), TokenAccess::ReadWrite).await;
        let their_buyer = buyer_path(&theirs.seller, &theirs.buyer);

        for (method, path, body) in [
            (Method::GET, format!("/v1/partners/{}", theirs.seller), None),
            (Method::GET, buyers_path(&theirs.seller), None),
            (Method::GET, their_buyer.clone(), None),
            (Method::GET, format!("{their_buyer}/history"), None),
            (Method::GET, format!("{their_buyer}/kyc"), None),
            (Method::GET, format!("{their_buyer}/kyc/documents"), None),
            (Method::GET, format!("{their_buyer}/kyc/self-service-invitations"), None),
            (Method::GET, format!("{their_buyer}/kyc/profile"), None),
            (Method::GET, format!("{their_buyer}/export"), None),
            (Method::POST, format!("{their_buyer}/end"), Some(json!({"reason": "taken over"}))),
            (Method::POST, format!("{their_buyer}/kyc/vies-check"), Some(json!({}))),
            (Method::POST, format!("{their_buyer}/kyc/verify"), Some(json!({}))),
            (Method::POST, format!("{their_buyer}/block"), Some(json!({"reason": "taken over"}))),
            (Method::POST, format!("{their_buyer}/kyc/self-service-invitations"), Some(json!({"recipientEmail": "x@example.com"}))),
            (Method::POST, buyers_path(&theirs.seller), Some(reference_buyer())),
            (Method::GET, format!("/v1/documents/{}", theirs.document), None),
            (Method::GET, format!("/v1/documents/{}/content", theirs.document), None),
            (Method::GET, format!("/v1/documents/{}/history", theirs.document), None),
            (Method::PATCH, format!("/v1/documents/{}", theirs.document), Some(json!({"status": "ARCHIVED"}))),
            (Method::GET, format!("/v1/invitations/{}", theirs.invitation), None),
            (Method::GET, format!("/v1/invitations/{}/qr.svg", theirs.invitation), None),
            (Method::GET, format!("/v1/invitations/{}/qr.png", theirs.invitation), None),
            (Method::POST, format!("/v1/invitations/{}/revoke", theirs.invitation), Some(json!({}))),
            (Method::POST, format!("/v1/invitations/{}/resend", theirs.invitation), Some(json!({}))),
        ] {
            let response = app.call_as(&token, method.clone(), &path, body).await;
            let problem = expect_problem(response, 404).await;
            assert!(!problem.to_string().contains(&theirs.seller), "{method} {path}: {problem}");
        }

        let buyer = body_json(app.get(&their_buyer).await).await;
        assert_eq!(buyer["status"], "ACTIVE", "not blocked");
        assert!(buyer["endedAt"].is_null(), "not ended");
        let document = body_json(app.get(&format!("/v1/documents/{}", theirs.document)).await).await;
        assert_eq!(document["status"], "ACTIVE", "not archived");
        let invitation = body_json(app.get(&format!("/v1/invitations/{}", theirs.invitation)).await).await;
        assert_eq!(invitation["status"], "ACTIVE", "not revoked");
        let invitations = body_json(app.get(&format!("{their_buyer}/kyc/self-service-invitations")).await).await;
        assert_eq!(invitations["items"].as_array().unwrap().len(), 1, "no invitation made");
    }

    async fn a_sellers_token_works_as_before_on_its_own_seller(app) {
        let mine = holdings(&app).await;
        let token = app.token(SellerScope::Seller(mine.seller.clone()), TokenAccess::ReadWrite).await;
        let own_buyer = buyer_path(&mine.seller, &mine.buyer);

        let sellers = body_json(app.call_as(&token, Method::GET, "/v1/partners", None).await).await;
        let ids: Vec<&str> = sellers["items"].as_array().unwrap().iter().map(|s| s["uuid"].as_str().unwrap()).collect();
        assert_eq!(ids, vec![mine.seller.as_str()], "only its own seller is listed");
        assert_eq!(app.call_as(&token, Method::GET, &own_buyer, None).await.status(), 200);
        assert_eq!(app.call_as(&token, Method::GET, &format!("/v1/documents/{}", mine.document), None).await.status(), 200);
        assert_eq!(app.call_as(&token, Method::GET, &format!("/v1/invitations/{}", mine.invitation), None).await.status(), 200);
        let blocked = app.call_as(&token, Method::POST, &format!("{own_buyer}/block"), Some(json!({"reason": "review"}))).await;
        assert_eq!(blocked.status(), 200);
        let other = body_json(app.call_as(&token, Method::POST, &buyers_path(&mine.seller), Some(json!({
            "kycMode": "MARKETPLACE_LED", "vatNumber": "DE136695976", "companyName": "Zweite GmbH",
            "address": {"street": "A 1", "postCode": "10115", "city": "Berlin", "country": "DE"},
            "contacts": [{"firstName": "Max", "lastName": "Muster", "email": "max@zweite.example"}]
        }))).await).await;
        assert_eq!(other["sellerId"], mine.seller.as_str());

        let refused = app.call_as(&token, Method::POST, "/v1/partners", Some(json!({"name": "Another seller"}))).await;
        expect_problem(refused, 403).await;
    }

    async fn a_read_only_token_reads_and_every_change_is_403(app) {
        let mine = holdings(&app).await;
        let token = app.token(SellerScope::Organisation, TokenAccess::ReadOnly).await;
        let own_buyer = buyer_path(&mine.seller, &mine.buyer);
        assert_eq!(app.call_as(&token, Method::GET, &own_buyer, None).await.status(), 200);
        assert_eq!(app.call_as(&token, Method::GET, &format!("/v1/documents/{}/content", mine.document), None).await.status(), 200);
        for (method, path, body) in [
            (Method::POST, "/v1/partners".to_owned(), json!({"name": "x"})),
            (Method::POST, format!("{own_buyer}/block"), json!({"reason": "x"})),
            (Method::PATCH, own_buyer.clone(), json!({"version": 0, "companyName": "Renamed"})),
            (Method::PATCH, format!("/v1/documents/{}", mine.document), json!({"status": "ARCHIVED"})),
            (Method::POST, format!("/v1/invitations/{}/revoke", mine.invitation), json!({})),
            (Method::POST, "/v1/webhook-endpoints".to_owned(), json!({"url": "https://erp.example.com/h", "events": ["buyer.blocked"]})),
        ] {
            let response = app.call_as(&token, method.clone(), &path, Some(body)).await;
            expect_problem(response, 403).await;
        }
        let buyer = body_json(app.get(&own_buyer).await).await;
        assert_eq!((buyer["status"].as_str(), buyer["version"].as_i64()), (Some("ACTIVE"), Some(0)));
        let invitation = body_json(app.get(&format!("/v1/invitations/{}", mine.invitation)).await).await;
        assert_eq!(invitation["status"], "ACTIVE");
    }

    async fn a_sellers_webhook_endpoint_receives_that_sellers_events_only(app) {
        let mine = holdings(&app).await;
        let theirs = holdings(&app).await;
        let token = app.token(SellerScope::Seller(mine.seller.clone()), TokenAccess::ReadWrite).await;
        let sellers_receiver = receiver().await;
        let organisation_receiver = receiver().await;
        let own = app.call_as(&token, Method::POST, "/v1/webhook-endpoints", Some(json!({
            "url": sellers_receiver.uri(), "events": ["buyer.blocked"]
        }))).await;
        assert_eq!(own.status(), 201);
        let own = body_json(own).await;
        let organisation = app.subscribe(&organisation_receiver.uri(), &["buyer.blocked"]).await;

        app.post_json(&format!("{}/block", buyer_path(&theirs.seller, &theirs.buyer)), &json!({"reason": "secret reason of theirs"})).await;
        app.post_json(&format!("{}/block", buyer_path(&mine.seller, &mine.buyer)), &json!({"reason": "ours"})).await;

        let everything = await_deliveries(&organisation_receiver, 2).await;
        let sellers = await_deliveries(&sellers_receiver, 1).await;
        // Both blocks were dispatched (the organisation's endpoint has both); give a stray
        // second delivery to the seller's endpoint the same chance to arrive before counting.
        let sellers_now = eventually("the seller's deliveries settle", || async {
            let listing = body_json(app.get(&format!("/v1/webhook-endpoints/{}/deliveries", own["id"].as_str().unwrap())).await).await;
            let items = listing["items"].as_array().unwrap().clone();
            items.iter().all(|d| d["status"] != "PENDING").then_some(items)
        }).await;
        assert_eq!(everything.len(), 2);
        assert_eq!(sellers.len(), 1);
        assert_eq!(sellers_now.len(), 1, "one delivery for the seller's endpoint");
        let event = sellers[0].json();
        assert_eq!(event["data"]["buyerId"], mine.buyer["uuid"]);
        assert_eq!(event["data"]["sellerId"], mine.seller.as_str());
        assert!(!sellers[0].body.contains("secret reason of theirs"));

        let listed = body_json(app.call_as(&token, Method::GET, "/v1/webhook-endpoints", None).await).await;
        let ids: Vec<&str> = listed["items"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(ids, vec![own["id"].as_str().unwrap()], "the organisation's endpoint is not the seller's to see");
        let other = format!("/v1/webhook-endpoints/{}", organisation["id"].as_str().unwrap());
        expect_problem(app.call_as(&token, Method::GET, &other, None).await, 404).await;
        expect_problem(app.call_as(&token, Method::DELETE, &other, None).await, 404).await;
        assert_eq!(app.get(&other).await.status(), 200, "still there");
    }

    async fn tokens_made_before_scopes_existed_stay_organisation_tokens(app) {
        let secret = "kyc_an-old-token-from-before-scopes-0123456789";
        sqlx::query("INSERT INTO api_tokens (id, name, token_hash, created_at) VALUES ('old', 'old system', $1, 0)")
            .bind(kyc_portal::secret_token::hash(secret))
            .execute(app.db.pool())
            .await
            .unwrap();
        let client = api_tokens::authenticate(&app.db, secret).await.unwrap().unwrap();
        assert_eq!((client.scope, client.access), (SellerScope::Organisation, TokenAccess::ReadWrite));
        let mine = holdings(&app).await;
        let blocked = app.call_as(secret, Method::POST, &format!("{}/block", buyer_path(&mine.seller, &mine.buyer)), Some(json!({"reason": "x"}))).await;
        assert_eq!(blocked.status(), 200);
    }

    async fn a_token_for_a_seller_that_does_not_exist_is_not_made(app) {
        let new = NewToken { name: "x", scope: SellerScope::Seller("no-such-seller".into()), access: TokenAccess::ReadWrite };
        assert!(api_tokens::create_by(&app.db, &Actor::System, new).await.is_err());
    }

    async fn the_authorization_scheme_is_case_insensitive(app) {
        let response = app.client.get(format!("{}/v1/partners", app.address))
            .header("Authorization", format!("bearer {}", app.token))
            .send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
}
