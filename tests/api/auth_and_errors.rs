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

    async fn every_problem_type_is_one_scheme_and_its_page_explains_it(app) {
        let seller = app.create_seller().await;
        let mut big = reference_buyer();
        big["companyName"] = json!("x".repeat(2 * 1024 * 1024));
        let answers = [
            expect_problem(app.get("/v1/nothing-here").await, 404).await,
            expect_problem(app.request(Method::DELETE, "/v1/partners").send().await.unwrap(), 405).await,
            expect_problem(app.post_json(&buyers_path(&seller), &big).await, 413).await,
            expect_problem(app.post_json(&buyers_path(&seller), &json!({})).await, 422).await,
        ];
        let mut kinds = Vec::new();
        for problem in answers {
            let kind = problem["type"].as_str().unwrap().to_owned();
            assert!(kind.starts_with("/problems/"), "{problem}");
            kinds.push(kind);
        }
        assert_eq!(kinds, ["/problems/not-found", "/problems/method-not-allowed", "/problems/payload-too-large", "/problems/validation"]);
        for problem_type in kyc_portal::http::problem_types::ALL {
            let page = app.get(&problem_type.uri()).await;
            assert_eq!(page.status(), 200, "{}", problem_type.slug);
            assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
            let text = page.text().await.unwrap();
            assert!(text.contains(problem_type.title), "{text}");
        }
        let index = app.get("/problems").await.text().await.unwrap();
        assert!(index.contains("/problems/bad-gateway"), "{index}");
        assert_eq!(app.get("/problems/no-such-problem").await.status(), 404);
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

    async fn log_lines_name_the_request_and_the_kind_of_actor(app) {
        let seller = app.create_seller().await;
        let response = app.post_json(&buyers_path(&seller), &reference_buyer()).await;
        assert_eq!(response.status(), 201);
        let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
        let log = std::fs::read_to_string(suite_log_path()).unwrap();
        let line = log
            .lines()
            .find(|l| l.contains(&request_id) && l.contains("committed"))
            .unwrap_or_else(|| panic!("no change logged with {request_id}"));
        assert!(line.contains("actor=\"api-token\""), "{line}");
        assert!(line.contains("\"buyer\", \"created\"") || line.contains("kyc.status_changed"), "{line}");
        assert!(!line.contains("test-seller-system"), "the token's name stays out of the log: {line}");

        // A fault of ours: the table the request reads is gone.
        // A fault of ours: the table the request reads is gone.
        sqlx::query("DROP TABLE kyc_statuses").execute(app.db.pool()).await.unwrap();
        let mut other = reference_buyer();
        other["vatNumber"] = serde_json::json!("ATU12345675");
        let response = app.post_json(&buyers_path(&seller), &other).await;
        let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
        let problem = expect_problem(response, 500).await;
        assert!(!problem.to_string().contains("kyc_statuses"), "no cause in the answer: {problem}");
        let log = std::fs::read_to_string(suite_log_path()).unwrap();
        let line = log
            .lines()
            .find(|l| l.contains(&request_id) && l.contains("request failed"))
            .unwrap_or_else(|| panic!("no failure logged with {request_id}"));
        assert!(line.contains("kyc_statuses"), "the cause is in the log: {line}");
    }
}
