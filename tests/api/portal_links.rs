//! Opening links without being used up by mail scanners, and what a link may not be used for:
//! guessing other links, or filling the document store.

use kyc_portal::config::TrustedProxies;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::fixtures::*;
use crate::helpers::*;
use crate::on_both_backends;
use crate::portal::browser;

fn field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

fn upload(csrf: &str, name: &str, bytes: Vec<u8>) -> Form {
    Form::new()
        .text("csrf", csrf.to_owned())
        .text("type", "BANK_STATEMENT")
        .text("documentDate", "2026-01-15")
        .part("file", Part::bytes(bytes).file_name(name.to_owned()))
}

on_both_backends! {
    async fn get_and_head_of_a_link_show_the_landing_page_and_count_no_use(app) {
        let (_, _, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com", "language": "de", "maxUses": 1})).await;
        let scanner = browser();
        let head = scanner.head(app.link_path(&invitation)).send().await.unwrap();
        assert_eq!(head.status(), 200);
        for _ in 0..3 {
            let landing = scanner.get(app.link_path(&invitation)).send().await.unwrap();
            assert_eq!(landing.status(), 200);
            assert!(landing.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().starts_with("kyc_session=")));
            let html = landing.text().await.unwrap();
            assert!(html.contains("<html lang=\"de\">") && html.contains(">Weiter</button>"), "{html}");
            assert!(html.contains("AutoHandel Mustermann GmbH"));
        }
        assert_eq!(app.usage_count(&invitation).await, 0, "fetching a link spends nothing");

        let buyer = browser();
        let page = app.open_link(&buyer, &invitation).await;
        assert_eq!((page.status().as_u16(), page.url().path()), (200, "/kyc"));
        assert_eq!(app.usage_count(&invitation).await, 1, "Continue is the use");
    }

    async fn continue_without_the_landing_forms_token_counts_nothing(app) {
        let (_, _, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com"})).await;
        let response = browser().post(app.link_path(&invitation)).form(&[("csrf", "forged")]).send().await.unwrap();
        assert_eq!(response.status(), 403);
        assert!(response.text().await.unwrap().contains("Please press Continue once more."));
        assert_eq!(app.usage_count(&invitation).await, 0);
    }

    async fn a_valid_link_is_never_refused_because_of_other_peoples_misses(app) {
        let (_, _, invitation) = app.invited_buyer(json!({"recipientEmail": "a@example.com"})).await;
        let shared = browser();
        let mut last = 0;
        for i in 0..25 {
            last = shared.get(format!("{}/kyc/{i:0>43}", app.address)).send().await.unwrap().status().as_u16();
        }
        assert_eq!(last, 429, "guessing is stopped");
        let page = app.open_link(&shared, &invitation).await;
        assert_eq!((page.status().as_u16(), page.url().path()), (200, "/kyc"), "the real link still opens from that address");
    }

    async fn opening_another_buyers_link_asks_before_switching(app) {
        let (_, _, first) = app.invited_buyer(json!({"recipientEmail": "a@example.com", "language": "en"})).await;
        let (seller, _) = app.create_buyer().await;
        let other = app.post_json(&buyers_path(&seller), &json!({
            "kycMode": "MARKETPLACE_LED", "vatNumber": "DE136695976", "companyName": "Zweite Handels GmbH",
            "address": {"street": "A 1", "postCode": "10115", "city": "Berlin", "country": "DE"},
            "contacts": [{"firstName": "Max", "lastName": "Muster", "email": "max@zweite.example"}]
        })).await;
        let other = body_json(other).await;
        let second = app.invite(&seller, &other, json!({"recipientEmail": "b@example.com", "language": "en"})).await;
        let person = browser();
        app.open_link(&person, &first).await;

        let landing = person.get(app.link_path(&second)).send().await.unwrap().text().await.unwrap();
        assert!(landing.contains("you are uploading documents for AutoHandel Mustermann GmbH"), "{landing}");
        assert!(landing.contains("Stay with AutoHandel Mustermann GmbH"));
        assert_eq!(app.usage_count(&second).await, 0, "nothing switched yet");
        let page = person.post(app.link_path(&second)).form(&[("csrf", field(&landing, "csrf"))]).send().await.unwrap();
        assert!(page.text().await.unwrap().contains("Zweite Handels GmbH"));
        assert_eq!(app.usage_count(&second).await, 1);
    }
}

mod behind_a_proxy_a_client_cannot_pick_its_own_address {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writing_its_own_forwarded_for_does_not_escape_the_miss_limit() {
        let app = TestApp::spawn_with(Backend::Sqlite, |s| {
            s.trusted_proxy = TrustedProxies::parse("127.0.0.0/8").unwrap()
        })
        .await
        .unwrap();
        let mut last = 0;
        for i in 0..25 {
            last = browser()
                .get(format!("{}/kyc/{}", app.address, "q".repeat(43)))
                .header("X-Forwarded-For", format!("10.9.8.{i}, 203.0.113.7"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
        }
        assert_eq!(last, 429);
    }
}

mod uploads_through_a_link_are_limited {
    use super::*;

    async fn session(app: &TestApp) -> (reqwest::Client, String, String, serde_json::Value) {
        let (seller, buyer, invitation) = app
            .invited_buyer(json!({"recipientEmail": "a@example.com", "language": "de"}))
            .await;
        let person = browser();
        let page = app
            .open_link(&person, &invitation)
            .await
            .text()
            .await
            .unwrap();
        (person, field(&page, "csrf"), seller, buyer)
    }

    async fn stored(app: &TestApp, seller: &str, buyer: &serde_json::Value) -> usize {
        body_json(
            app.get(&format!("{}/kyc/documents", buyer_path(seller, buyer)))
                .await,
        )
        .await["items"]
            .as_array()
            .unwrap()
            .len()
    }

    async fn files_per_hour(backend: Backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.link_session_files_per_hour = 3).await
        else {
            return;
        };
        let (person, csrf, seller, buyer) = session(&app).await;
        for i in 0..3 {
            let response = person
                .post(format!("{}/kyc/documents", app.address))
                .multipart(upload(&csrf, &format!("kontoauszug-{i}.pdf"), small_pdf()))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "upload {i}");
        }
        let refused = person
            .post(format!("{}/kyc/documents", app.address))
            .multipart(upload(&csrf, "one-too-many.pdf", small_pdf()))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 429);
        let seconds: u64 = refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=3600).contains(&seconds));
        let html = refused.text().await.unwrap();
        assert!(
            html.contains("Über diesen Link wurde in kurzer Zeit sehr viel hochgeladen"),
            "{html}"
        );
        assert_eq!(
            stored(&app, &seller, &buyer).await,
            3,
            "nothing of the refused one is kept"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_files_per_hour_of_a_session_are_limited_on_sqlite() {
        files_per_hour(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_files_per_hour_of_a_session_are_limited_on_postgres() {
        files_per_hour(Backend::Postgres).await;
    }

    async fn bytes_per_day(backend: Backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.link_buyer_bytes_per_day = 1000).await
        else {
            return;
        };
        let (person, csrf, seller, buyer) = session(&app).await;
        let first = person
            .post(format!("{}/kyc/documents", app.address))
            .header("Accept", "application/json")
            .multipart(upload(&csrf, "gross.pdf", pdf_of_size(2000)))
            .send()
            .await
            .unwrap();
        assert_eq!(first.status(), 201);
        let second = person
            .post(format!("{}/kyc/documents", app.address))
            .header("Accept", "application/json")
            .multipart(upload(&csrf, "noch-eins.pdf", small_pdf()))
            .send()
            .await
            .unwrap();
        assert_eq!(second.status(), 429);
        assert!(second.headers().contains_key("retry-after"));
        assert!(
            body_json(second).await["message"]
                .as_str()
                .unwrap()
                .contains("Minuten")
        );
        assert_eq!(stored(&app, &seller, &buyer).await, 1);
        // A second session of the same buyer shares the buyer's bytes.
        let (other, other_csrf, ..) = {
            let invitation = app
                .invite(&seller, &buyer, json!({"recipientEmail": "b@example.com"}))
                .await;
            let person = browser();
            let page = app
                .open_link(&person, &invitation)
                .await
                .text()
                .await
                .unwrap();
            (person, field(&page, "csrf"), (), ())
        };
        let third = other
            .post(format!("{}/kyc/documents", app.address))
            .multipart(upload(&other_csrf, "dritte.pdf", small_pdf()))
            .send()
            .await
            .unwrap();
        assert_eq!(third.status(), 429);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_bytes_per_day_of_a_buyer_are_limited_on_sqlite() {
        bytes_per_day(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_bytes_per_day_of_a_buyer_are_limited_on_postgres() {
        bytes_per_day(Backend::Postgres).await;
    }
}
