use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends! {
    async fn creating_a_seller_returns_201_with_its_location(app) {
        let response = app.post_json("/v1/partners", &json!({"name": "AutoMarkt GmbH"})).await;
        assert_eq!(response.status(), 201);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let seller = body_json(response).await;
        assert_eq!(location, format!("/v1/partners/{}", seller["uuid"].as_str().unwrap()));
        assert_eq!(seller["name"], "AutoMarkt GmbH");
        assert_eq!(seller["role"], "SELLER");

        let fetched = body_json(app.get(&location).await).await;
        assert_eq!(fetched, seller);
    }

    async fn an_unknown_seller_is_a_404_problem_everywhere(app) {
        expect_problem(app.get("/v1/partners/nope").await, 404).await;
        expect_problem(app.get("/v1/partners/nope/buyers").await, 404).await;
        expect_problem(app.post_json("/v1/partners/nope/buyers", &reference_buyer()).await, 404).await;
    }

    async fn a_seller_without_a_name_is_refused_with_422(app) {
        let problem = expect_problem(app.post_json("/v1/partners", &json!({"name": "  "})).await, 422).await;
        assert_eq!(problem_fields(&problem), ["name"]);
    }

    async fn sellers_are_listed_newest_first_page_by_page(app) {
        let mut ids = Vec::new();
        for i in 0..3 {
            let seller = body_json(app.post_json("/v1/partners", &json!({"name": format!("Seller {i}")})).await).await;
            ids.push(seller["uuid"].as_str().unwrap().to_owned());
        }
        let first = body_json(app.get("/v1/partners?limit=2").await).await;
        let names: Vec<_> = first["items"].as_array().unwrap().iter().map(|s| s["name"].clone()).collect();
        assert_eq!(names, [json!("Seller 2"), json!("Seller 1")]);
        let cursor = first["nextCursor"].as_str().unwrap();
        let second = body_json(app.get(&format!("/v1/partners?limit=2&cursor={cursor}")).await).await;
        assert_eq!(second["items"][0]["name"], "Seller 0");
        assert!(second["nextCursor"].is_null());
    }
}
