//! Many buyers' pages asked for at once: on PostgreSQL the sessions' reads are made together
//! for the requests waiting at the same time, and each page must still show its own buyer.

use serde_json::{Value, json};

use crate::documents::documents_path;
use crate::helpers::*;
use crate::on_both_backends;
use crate::portal::browser;

/// Buyers, each of its own seller, named apart, with as many of the two document types as
/// their place says (0, 1 or 2 of the required five received).
const BUYERS: usize = 8;
/// Requests for each buyer's page in one burst.
const REQUESTS_EACH: usize = 6;
/// Bursts tried until one has seen a read made for several requests.
const BURSTS: usize = 20;

const TYPES: [&str; 2] = ["COC_EXTRACT", "BANK_CONFIRMATION"];

/// The company name of buyer `place`.
fn company(place: usize) -> String {
    format!("Busy Buyer {place} GmbH")
}

/// A browser with buyer `place`'s page open.
async fn buyer_with_page(app: &TestApp, place: usize) -> reqwest::Client {
    let seller = app.create_seller().await;
    let mut body = reference_buyer();
    body["companyName"] = json!(company(place));
    let response = app.post_json(&buyers_path(&seller), &body).await;
    assert_eq!(response.status(), 201);
    let buyer: Value = body_json(response).await;
    for document_type in TYPES.iter().take(place % 3) {
        app.upload_pdf(&documents_path(&seller, &buyer), document_type)
            .await;
    }
    let invitation = app
        .invite(
            &seller,
            &buyer,
            json!({"recipientEmail": "busy@example.com", "language": "en"}),
        )
        .await;
    let browser = browser();
    assert_eq!(app.open_link(&browser, &invitation).await.status(), 200);
    browser
}

on_both_backends! {
    async fn pages_asked_for_at_once_each_show_their_own_buyer(app) {
        let mut browsers = Vec::new();
        for place in 0..BUYERS {
            browsers.push(buyer_with_page(&app, place).await);
        }
        let url = format!("{}/kyc?received=none", app.address);
        let mut shared = false;
        for _ in 0..BURSTS {
            let pages = futures_util::future::join_all(
                (0..BUYERS * REQUESTS_EACH).map(|n| {
                    let place = n % BUYERS;
                    let request = browsers[place].get(&url).send();
                    async move {
                        let page = request.await.unwrap();
                        assert_eq!(page.status(), 200);
                        (place, page.text().await.unwrap())
                    }
                }),
            )
            .await;
            for (place, page) in pages {
                assert!(page.contains(&format!("<p class=\"company\">{}</p>", company(place))), "buyer {place}'s page shows another buyer");
                let done = place % 3;
                assert!(page.contains(&format!("<progress max=\"5\" value=\"{done}\"")), "buyer {place}'s page counts another's documents");
            }
            let reads = app.metric("kyc_portal_db_gathered_reads_total").await;
            let requests = app.metric("kyc_portal_db_gathered_requests_total").await;
            match app.db.backend() {
                // On SQLite each page reads on its serving thread: nothing waits, nothing is gathered.
                kyc_portal::db::Backend::Sqlite => assert_eq!((reads, requests), (0.0, 0.0)),
                kyc_portal::db::Backend::Postgres => {
                    assert!(reads > 0.0 && requests >= reads, "{reads} reads, {requests} requests");
                    shared = requests > reads;
                }
            }
            if shared {
                break;
            }
        }
        if app.db.backend() == kyc_portal::db::Backend::Postgres {
            assert!(shared, "in {BURSTS} bursts of {} requests no read answered two", BUYERS * REQUESTS_EACH);
        }
    }
}
