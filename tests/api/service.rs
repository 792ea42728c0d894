use crate::helpers::*;
use crate::on_both_backends;

on_both_backends! {
    async fn the_health_check_answers_when_the_database_does(app) {
        let response = app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }

    async fn metrics_count_requests_by_route_pattern_not_by_path(app) {
        let (seller, buyer) = app.create_buyer().await;
        app.get(&buyer_path(&seller, &buyer)).await;
        let text = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(text.contains(r#"http_requests_total{method="GET",route="/v1/partners/{sellerId}/buyers/{buyerId}",status="200"} 1"#), "{text}");
        assert!(text.contains("http_request_duration_seconds_bucket"));
        assert!(!text.contains(&seller));
    }
}
