//! `GET/PATCH /v1/organisation`: the capabilities, the required document types with their
//! maximum ages, and the VIES requester, readable by every client and changed by
//! organisation tokens only.

use kyc_portal::access::{SellerScope, TokenAccess};
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends! {
    async fn the_organisation_shows_its_capabilities_requirements_and_vies_requester(app) {
        let organisation = body_json(app.get("/v1/organisation").await).await;
        assert_eq!(organisation["capabilities"]["allowMarketplaceLedKyc"], true);
        assert_eq!(organisation["requiredDocumentTypes"][0], json!({"type": "COC_EXTRACT", "maxAgeDays": 365}));
        assert_eq!(organisation["requiredDocumentTypes"][1], json!({"type": "BANK_CONFIRMATION", "maxAgeDays": null}));
        assert_eq!(organisation["viesRequesterVatNumber"], json!(null));
    }

    async fn an_organisation_token_changes_it_and_the_change_counts(app) {
        let patch = json!({
            "capabilities": {"allowMarketplaceLedKyc": false},
            "requiredDocumentTypes": [{"type": "COC_EXTRACT", "maxAgeDays": 90}, {"type": "CONTACT_ID"}],
            "viesRequesterVatNumber": "nl 8197.38.116.B01",
        });
        let response = app.patch_json("/v1/organisation", &patch).await;
        assert_eq!(response.status(), 200);
        let changed = body_json(response).await;
        assert_eq!(changed["capabilities"]["allowMarketplaceLedKyc"], false);
        assert_eq!(changed["requiredDocumentTypes"], json!([{"type": "COC_EXTRACT", "maxAgeDays": 90}, {"type": "CONTACT_ID", "maxAgeDays": null}]));
        assert_eq!(changed["viesRequesterVatNumber"], "NL819738116B01");
        assert_eq!(body_json(app.get("/v1/organisation").await).await, changed);
        let settings = kyc_portal::organisation::load(&app.db).await.unwrap();
        assert_eq!(settings.vies_requester_vat_number.as_deref(), Some("NL819738116B01"));

        let seller = app.create_seller().await;
        expect_problem(app.post_json(&buyers_path(&seller), &reference_buyer()).await, 403).await;

        let cleared = body_json(app.patch_json("/v1/organisation", &json!({"viesRequesterVatNumber": null})).await).await;
        assert_eq!(cleared["viesRequesterVatNumber"], json!(null));
        assert_eq!(cleared["capabilities"]["allowMarketplaceLedKyc"], false);
    }

    async fn bad_changes_are_422s_naming_the_field_and_seller_tokens_may_only_read(app) {
        let problem = expect_problem(app.patch_json("/v1/organisation", &json!({"viesRequesterVatNumber": "XX123"})).await, 422).await;
        assert_eq!(problem_fields(&problem), ["viesRequesterVatNumber"]);
        let problem = expect_problem(app.patch_json("/v1/organisation", &json!({"requiredDocumentTypes": [{"type": "PASSPORT"}]})).await, 422).await;
        assert_eq!(problem_fields(&problem), ["requiredDocumentTypes[0].type"]);
        let problem = expect_problem(app.patch_json("/v1/organisation", &json!({"colour": "#000000"})).await, 422).await;
        assert_eq!(problem_fields(&problem), ["colour"]);

        let seller = app.create_seller().await;
        let token = app.token(SellerScope::Seller(seller), TokenAccess::ReadWrite).await;
        assert_eq!(app.call_as(&token, Method::GET, "/v1/organisation", None).await.status(), 200);
        let refused = app.call_as(&token, Method::PATCH, "/v1/organisation", Some(json!({"capabilities": {"allowMarketplaceLedKyc": false}}))).await;
        expect_problem(refused, 403).await;
        assert!(kyc_portal::organisation::load(&app.db).await.unwrap().allow_marketplace_led_kyc);
    }
}
