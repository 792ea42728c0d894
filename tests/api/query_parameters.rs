//! Query strings: unknown parameters and values of the wrong kind are 422s naming the
//! parameter; the filters an integrator reconciles with.

use serde_json::{Value, json};

use crate::documents::documents_path;
use crate::helpers::*;
use crate::on_both_backends;

fn uuids(listing: &Value) -> Vec<String> {
    listing["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["uuid"].as_str().unwrap().to_owned())
        .collect()
}

on_both_backends! {
    async fn an_unknown_query_parameter_is_a_422_naming_it(app) {
        let (seller, buyer) = app.create_buyer().await;
        let documents = format!("{}?typ=COC_EXTRACT", documents_path(&seller, &buyer));
        let problem = expect_problem(app.get(&documents).await, 422).await;
        assert_eq!(problem_fields(&problem), ["typ"]);
        let buyers = format!("{}?kycMod=NT24_LED", buyers_path(&seller));
        let problem = expect_problem(app.get(&buyers).await, 422).await;
        assert_eq!(problem_fields(&problem), ["kycMod"]);
        assert_eq!(problem["errors"][0]["message"], "is not a query parameter of this request");
        let sellers = "/v1/partners?page=2";
        let problem = expect_problem(app.get(sellers).await, 422).await;
        assert_eq!(problem_fields(&problem), ["page"]);
        // An operation without parameters takes none.
        let one = format!("{}?expand=documents", buyer_path(&seller, &buyer));
        let problem = expect_problem(app.get(&one).await, 422).await;
        assert_eq!(problem_fields(&problem), ["expand"]);
        let block = format!("{}/block?force=true", buyer_path(&seller, &buyer));
        let problem = expect_problem(app.post_json(&block, &json!({"reason": "checks"})).await, 422).await;
        assert_eq!(problem_fields(&problem), ["force"]);
        assert_eq!(body_json(app.get(&buyer_path(&seller, &buyer)).await).await["status"], "ACTIVE");
    }

    async fn a_value_of_the_wrong_kind_names_its_parameter_in_plain_words(app) {
        let seller = app.create_seller().await;
        let problem = expect_problem(app.get(&format!("{}?limit=ten", buyers_path(&seller))).await, 422).await;
        assert_eq!(problem_fields(&problem), ["limit"]);
        assert_eq!(problem["errors"][0]["message"], "must be a whole number");
        assert!(!problem.to_string().contains("deserialize"), "{problem}");
        let bad_time = format!("{}?updatedSince=yesterday", buyers_path(&seller));
        let problem = expect_problem(app.get(&bad_time).await, 422).await;
        assert_eq!(problem_fields(&problem), ["updatedSince"]);
        // An empty time is refused too: a reconciliation that lost its time must not read all.
        let empty_time = format!("{}?updatedSince=", buyers_path(&seller));
        let problem = expect_problem(app.get(&empty_time).await, 422).await;
        assert_eq!(problem_fields(&problem), ["updatedSince"]);
        let bad_mode = format!("{}?kycMode=SOMETIMES", buyers_path(&seller));
        let problem = expect_problem(app.get(&bad_mode).await, 422).await;
        assert_eq!(problem_fields(&problem), ["kycMode"]);
    }

    async fn buyers_filter_by_kyc_mode_overall_status_and_update_time(app) {
        let (seller, marketplace_led) = app.create_buyer().await;
        let mut nt24 = reference_buyer();
        nt24["vatNumber"] = json!("DE136695976");
        nt24["kycMode"] = json!("NT24_LED");
        let nt24 = body_json(app.post_json(&buyers_path(&seller), &nt24).await).await;
        let path = buyers_path(&seller);

        let listing = body_json(app.get(&format!("{path}?kycMode=NT24_LED")).await).await;
        assert_eq!(uuids(&listing), [nt24["uuid"].as_str().unwrap()]);
        let listing = body_json(app.get(&format!("{path}?kycMode=MARKETPLACE_LED")).await).await;
        assert_eq!(uuids(&listing), [marketplace_led["uuid"].as_str().unwrap()]);

        let block = format!("{}/block", buyer_path(&seller, &nt24));
        assert_eq!(app.post_json(&block, &json!({"reason": "fraud"})).await.status(), 200);
        let listing = body_json(app.get(&format!("{path}?overallStatus=BLOCKED")).await).await;
        assert_eq!(uuids(&listing), [nt24["uuid"].as_str().unwrap()]);
        let listing = body_json(app.get(&format!("{path}?overallStatus=PENDING")).await).await;
        assert_eq!(uuids(&listing), [marketplace_led["uuid"].as_str().unwrap()]);

        let blocked = body_json(app.get(&buyer_path(&seller, &nt24)).await).await;
        let since = blocked["updatedAt"].as_str().unwrap();
        let listing = body_json(app.get(&format!("{path}?updatedSince={since}")).await).await;
        assert_eq!(uuids(&listing), [nt24["uuid"].as_str().unwrap()]);
        // An offset is written with "+", which a query string must encode.
        let listing = body_json(app.get(&format!("{path}?updatedSince=2000-01-01T00:00:00%2B02:00")).await).await;
        assert_eq!(uuids(&listing).len(), 2);
    }

    async fn documents_filter_by_type_and_status(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = documents_path(&seller, &buyer);
        let coc = app.upload_pdf(&path, "COC_EXTRACT").await;
        let bank = app.upload_pdf(&path, "BANK_CONFIRMATION").await;
        let archive = format!("/v1/documents/{}", bank["uuid"].as_str().unwrap());
        assert_eq!(app.patch_json(&archive, &json!({"status": "ARCHIVED"})).await.status(), 200);

        let listing = body_json(app.get(&format!("{path}?type=COC_EXTRACT")).await).await;
        assert_eq!(uuids(&listing), [coc["uuid"].as_str().unwrap()]);
        let listing = body_json(app.get(&format!("{path}?status=ARCHIVED")).await).await;
        assert_eq!(uuids(&listing), [bank["uuid"].as_str().unwrap()]);
        let listing = body_json(app.get(&format!("{path}?type=BANK_CONFIRMATION&status=ACTIVE")).await).await;
        assert!(uuids(&listing).is_empty());
        let problem = expect_problem(app.get(&format!("{path}?type=PASSPORT")).await, 422).await;
        assert_eq!(problem_fields(&problem), ["type"]);
    }
}
