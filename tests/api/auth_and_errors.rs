use reqwest::Method;
use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends! {
    async fn a_request_without_a_token_is_a_401_problem(app) {
        let response = app.client.get(format!("{}/v1/partners", app.address)).send().await.unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        expect_problem(response, 401).await;
    }

    async fn a_request_with_an_unknown_token_is_a_401_problem(app) {
        let response = app
            .client
            .get(format!("{}/v1/partners", app.address))
            .bearer_auth("kyc_not-a-real-token")
            .send()
            .await
            .unwrap();
        expect_problem(response, 401).await;
    }

    async fn broken_json_is_a_400_problem(app) {
        let seller = app.create_seller().await;
        let response = app
            .request(Method::POST, &buyers_path(&seller))
            .header("content-type", "application/json")
            .body("{\"kycMode\": ")
            .send()
            .await
            .unwrap();
        let problem = expect_problem(response, 400).await;
        assert!(problem["detail"].as_str().unwrap().contains("not valid JSON"));
    }

    async fn a_field_of_the_wrong_type_is_a_422_naming_it(app) {
        let seller = app.create_seller().await;
        let mut body = reference_buyer();
        body["address"]["postCode"] = json!(10115);
        let problem = expect_problem(app.post_json(&buyers_path(&seller), &body).await, 422).await;
        assert_eq!(problem_fields(&problem), ["address.postCode"]);
    }

    async fn unknown_routes_and_methods_answer_problem_json(app) {
        expect_problem(app.get("/v1/nothing-here").await, 404).await;
        let response = app.request(Method::DELETE, "/v1/partners").send().await.unwrap();
        expect_problem(response, 405).await;
    }

    async fn an_oversized_json_body_is_a_413_problem(app) {
        let seller = app.create_seller().await;
        let mut body = reference_buyer();
        body["companyName"] = json!("x".repeat(2 * 1024 * 1024));
        expect_problem(app.post_json(&buyers_path(&seller), &body).await, 413).await;
    }

    async fn api_responses_carry_security_headers(app) {
        let response = app.get("/v1/partners").await;
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert!(response.headers().contains_key("x-request-id"));
    }
}
