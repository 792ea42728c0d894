//! Many buyers' pages asked for at once: on PostgreSQL the sessions' reads are made together
//! for the requests waiting at the same time, and each page must still show its own buyer.

use std::sync::Arc;

use kyc_portal::db::Backend as DbBackend;
use kyc_portal::invitations::sessions;
use reqwest::cookie::{CookieStore, Jar};
use serde_json::{Value, json};

use crate::documents::documents_path;
use crate::helpers::*;
use crate::on_both_backends;

/// Buyers, each of its own seller, named apart, with as many of the two document types as
/// their place says (0, 1 or 2 of the required five received).
const BUYERS: usize = 8;
/// Requests for each buyer's page at once.
const REQUESTS_EACH: usize = 6;

const TYPES: [&str; 2] = ["COC_EXTRACT", "BANK_CONFIRMATION"];

/// The company name of buyer `place`.
fn company(place: usize) -> String {
    format!("Busy Buyer {place} GmbH")
}

/// A browser with buyer `place`'s page open, and its session cookie's value.
async fn buyer_with_page(app: &TestApp, place: usize) -> (reqwest::Client, String) {
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
    let jar = Arc::new(Jar::default());
    let browser = reqwest::Client::builder()
        .cookie_provider(Arc::clone(&jar))
        .build()
        .unwrap();
    assert_eq!(app.open_link(&browser, &invitation).await.status(), 200);
    let cookies = jar
        .cookies(&format!("{}/kyc", app.address).parse().unwrap())
        .unwrap();
    let session = cookies
        .to_str()
        .unwrap()
        .split("; ")
        .find_map(|c| c.strip_prefix("kyc_session="))
        .expect("a session cookie")
        .to_owned();
    (browser, session)
}

/// The gathered reads so far and the requests they answered.
async fn gathered(app: &TestApp) -> (f64, f64) {
    (
        app.metric("kyc_portal_db_gathered_reads_total").await,
        app.metric("kyc_portal_db_gathered_requests_total").await,
    )
}

on_both_backends! {
    async fn pages_asked_for_at_once_each_show_their_own_buyer(app) {
        let mut buyers = Vec::new();
        for place in 0..BUYERS {
            buyers.push(buyer_with_page(&app, place).await);
        }

        // Over HTTP: the pages of all buyers at once, each several times.
        let url = format!("{}/kyc?received=none", app.address);
        let pages = futures_util::future::join_all((0..BUYERS * REQUESTS_EACH).map(|n| {
            let place = n % BUYERS;
            let request = buyers[place].0.get(&url).send();
            async move {
                let page = request.await.unwrap();
                assert_eq!(page.status(), 200);
                (place, page.text().await.unwrap())
            }
        }))
        .await;
        for (place, page) in pages {
            assert!(page.contains(&format!("<p class=\"company\">{}</p>", company(place))), "buyer {place}'s page shows another buyer");
            let done = place % 3;
            assert!(page.contains(&format!("<progress max=\"5\" value=\"{done}\"")), "buyer {place}'s page counts another's documents");
        }

        // The read itself, from one task: more reads at once than there are turns, so on
        // PostgreSQL those waiting are read together.
        let before = gathered(&app).await;
        let reads = futures_util::future::join_all((0..BUYERS * REQUESTS_EACH).map(|n| {
            let place = n % BUYERS;
            let cookie = buyers[place].1.clone();
            let db = app.db.clone();
            async move { (place, sessions::find_live_with_documents(&db, &cookie).await) }
        }))
        .await;
        for (place, read) in reads {
            let (live, documents) = read.unwrap().expect("a live session");
            assert_eq!(live.buyer.company_name, company(place), "buyer {place}'s session read another's");
            let documents = documents.unwrap();
            assert_eq!(documents.len(), place % 3, "buyer {place}'s session read another's documents");
            assert!(documents.iter().all(|d| d.buyer_id == live.buyer.uuid));
        }
        let after = gathered(&app).await;
        match app.db.backend() {
            // On SQLite each page reads on its serving thread: nothing waits, nothing is gathered.
            DbBackend::Sqlite => assert_eq!(after, (0.0, 0.0)),
            DbBackend::Postgres => {
                let (reads, requests) = (after.0 - before.0, after.1 - before.1);
                assert!(requests >= (BUYERS * REQUESTS_EACH) as f64, "every read answered: {requests}");
                assert!(reads < requests / 2.0, "{reads} reads for {requests} requests");
                announce(&format!("{requests} session reads at once made in {reads} statements"));
            }
        }
    }
}

/// Pages asked for at once when the server has cut the connections they read on: the
/// gathered read that meets the cut fails its own request with 503 (never 500), the others
/// it took wait on for their own turn and are served, and then every page is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_asked_for_at_once_after_a_cut_answer_503_or_their_page_and_come_back() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let mut buyers = Vec::new();
    for place in 0..BUYERS {
        buyers.push(buyer_with_page(&app, place).await);
    }
    let url = format!("{}/kyc?received=none", app.address);
    let burst = || {
        futures_util::future::join_all((0..BUYERS * REQUESTS_EACH).map(|n| {
            let place = n % BUYERS;
            let request = buyers[place].0.get(&url).send();
            async move {
                let page = request.await.unwrap();
                let status = page.status().as_u16();
                let text = page.text().await.unwrap();
                if status == 200 {
                    assert!(
                        text.contains(&company(place)),
                        "buyer {place}'s page shows another buyer"
                    );
                }
                status
            }
        }))
    };
    assert!(burst().await.iter().all(|&s| s == 200));
    let cut = app.cut_database_connections().await;
    assert!(cut > 0, "the pages' connections were open");
    let statuses = burst().await;
    assert!(
        statuses.iter().all(|&s| s == 200 || s == 503),
        "{statuses:?}"
    );
    let refused = statuses.iter().filter(|&&s| s == 503).count();
    assert!(
        refused <= cut,
        "{refused} refused for {cut} connections cut: a cut connection was tried again"
    );
    assert!(
        burst().await.iter().all(|&s| s == 200),
        "the pages are back"
    );
    announce(&format!(
        "cutting {cut} connections refused {refused} of {} pages asked for at once",
        statuses.len()
    ));
}
