//! Buyer lists at scale: search by name fragment and VAT number through the search indexes,
//! keyset pages that stay put while buyers are added, and query plans that use the indexes.

use kyc_portal::buyers::{self, BuyerFilter, BuyerStatus, Position, SearchText, Window};
use kyc_portal::db::{Backend, Db};
use kyc_portal::kyc::status::OverallStatus;
use kyc_portal::pagination::Cursor;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

async fn add_buyer(app: &TestApp, seller: &str, company: &str, vat: &str) {
    let mut body = reference_buyer();
    body["companyName"] = json!(company);
    body["vatNumber"] = json!(vat);
    let response = app.post_json(&buyers_path(seller), &body).await;
    assert_eq!(response.status(), 201, "{company}");
}

fn names(listing: &Value) -> Vec<String> {
    listing["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["companyName"].as_str().unwrap().to_owned())
        .collect()
}

async fn found(app: &TestApp, seller: &str, query: &str) -> Vec<String> {
    let path = format!(
        "{}?{}",
        buyers_path(seller),
        serde_urlencoded::to_string([("q", query)]).unwrap()
    );
    let response = app.get(&path).await;
    assert_eq!(response.status(), 200, "{path}");
    names(&body_json(response).await)
}

/// `n` buyers of `seller` written straight into the table (as a bulk import would), numbered
/// from 1, the oldest first; every fourth one's KYC is VALID, one in ten is blocked.
pub async fn load_buyers(db: &Db, seller: &str, n: i64) {
    let columns = "id, seller_id, vat_number, company_name, search_name, street, post_code, city, \
                   country, contacts, kyc_mode, status, blocked_reason, version, created_at, updated_at, kyc_status";
    let values = "$1 || '-' || n, $1, 'DE' || NUMBER, 'Bulk Handel ' || n || ' GmbH', 'bulk handel ' || n || ' gmbh', \
                  'Hauptstr. 1', '10115', 'Berlin', 'DE', '[]', 'NT24_LED', \
                  CASE WHEN n % 10 = 0 THEN 'BLOCKED' ELSE 'ACTIVE' END, NULL, 0, 1000 + n, 1000 + n, \
                  CASE WHEN n % 4 = 0 THEN 'VALID' ELSE 'PENDING' END";
    let sql = match db.backend() {
        Backend::Sqlite => format!(
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $2) \
             INSERT INTO buyers ({columns}) SELECT {} FROM g",
            values.replace("NUMBER", "substr('000000000' || n, -9)")
        ),
        Backend::Postgres => format!(
            "INSERT INTO buyers ({columns}) SELECT {} FROM generate_series(1, $2) AS g(n)",
            values
                .replace("NUMBER", "lpad(n::text, 9, '0')")
                .replace("n %", "n::bigint %")
        ),
    };
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(seller)
        .bind(n)
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("ANALYZE").execute(db.pool()).await.unwrap();
}

/// The plan's steps, checked: no step reads the whole buyers table and, unless the list is
/// searched, none sorts (the index gives the order).
pub async fn assert_indexed(db: &Db, filter: BuyerFilter, window: Window, must_use: &[&str]) {
    let plan = buyers::plan(db, &filter, &window).await.unwrap();
    let text = plan.join("\n");
    for step in &plan {
        let step = step.trim();
        let full_scan = match db.backend() {
            Backend::Sqlite => step == "SCAN b",
            Backend::Postgres => step.contains("Seq Scan on buyers"),
        };
        assert!(!full_scan, "{filter:?}: a full scan:\n{text}");
        if filter.search.is_none() {
            let sorts = match db.backend() {
                Backend::Sqlite => step.contains("TEMP B-TREE FOR ORDER BY"),
                Backend::Postgres => step.contains("Sort"),
            };
            assert!(
                !sorts,
                "{filter:?}: sorts instead of reading in index order:\n{text}"
            );
        }
    }
    for indexes in must_use {
        let used = indexes.split('|').any(|index| text.contains(index));
        assert!(used, "{filter:?}: {indexes} unused:\n{text}");
    }
}

on_both_backends! {
    async fn names_are_found_by_any_fragment_with_umlauts_and_vat_numbers_by_their_start(app) {
        let seller = app.create_seller().await;
        add_buyer(&app, &seller, "Autohaus Müller KG", "DE111111111").await;
        add_buyer(&app, &seller, "Fahrzeuge Schmidt GmbH", "DE222222222").await;
        add_buyer(&app, &seller, "Straßenbau ÖZTÜRK-Meyer AG", "DE333333333").await;

        assert_eq!(found(&app, &seller, "hau").await, ["Autohaus Müller KG"]);
        assert_eq!(found(&app, &seller, "üll").await, ["Autohaus Müller KG"]);
        assert_eq!(found(&app, &seller, "MÜLLER").await, ["Autohaus Müller KG"]);
        assert_eq!(found(&app, &seller, "öztürk").await, ["Straßenbau ÖZTÜRK-Meyer AG"]);
        assert_eq!(found(&app, &seller, "straßen").await, ["Straßenbau ÖZTÜRK-Meyer AG"]);
        assert_eq!(found(&app, &seller, "ü").await, ["Straßenbau ÖZTÜRK-Meyer AG", "Autohaus Müller KG"]);
        assert_eq!(found(&app, &seller, "k-m").await, ["Straßenbau ÖZTÜRK-Meyer AG"]);
        assert_eq!(found(&app, &seller, "muller").await, Vec::<String>::new());
        // A whole word inside the fragment finds the name, but only with the rest around it.
        assert_eq!(found(&app, &seller, "autohaus müller kg").await, ["Autohaus Müller KG"]);
        assert_eq!(found(&app, &seller, "haus müller k").await, ["Autohaus Müller KG"]);
        assert_eq!(found(&app, &seller, "haus müller gmbh").await, Vec::<String>::new());
        assert_eq!(found(&app, &seller, "bau öztürk-meyer ag").await, ["Straßenbau ÖZTÜRK-Meyer AG"]);

        assert_eq!(found(&app, &seller, "DE 222 222 222").await, ["Fahrzeuge Schmidt GmbH"]);
        assert_eq!(found(&app, &seller, "de2222").await, ["Fahrzeuge Schmidt GmbH"]);
        assert_eq!(found(&app, &seller, "DE").await.len(), 3, "every VAT number starts with DE");
        assert_eq!(found(&app, &seller, "22222222").await, Vec::<String>::new(), "a prefix, not any part");
    }

    async fn a_search_without_a_letter_or_digit_matches_nothing(app) {
        let seller = app.create_seller().await;
        add_buyer(&app, &seller, "Meyer-Bau GmbH", "DE111111111").await;
        add_buyer(&app, &seller, "Schulz 100% Bau", "DE222222222").await;
        assert_eq!(found(&app, &seller, "-").await, Vec::<String>::new());
        assert_eq!(found(&app, &seller, "%").await, Vec::<String>::new());
        assert_eq!(found(&app, &seller, " . ").await, Vec::<String>::new());
        assert_eq!(found(&app, &seller, "").await.len(), 2, "no text is no search");
        assert_eq!(found(&app, &seller, "r-b").await, ["Meyer-Bau GmbH"]);
    }

    async fn the_api_list_pages_by_keyset_and_added_buyers_do_not_shift_the_pages(app) {
        let seller = app.create_seller().await;
        for n in 0..15 {
            add_buyer(&app, &seller, &format!("Firma {n:02}"), &format!("DE1000000{n:02}")).await;
        }
        let first = body_json(app.get(&format!("{}?limit=10", buyers_path(&seller))).await).await;
        assert_eq!(names(&first)[0], "Firma 14");
        assert_eq!(names(&first)[9], "Firma 05");
        let cursor = first["nextCursor"].as_str().unwrap().to_owned();
        add_buyer(&app, &seller, "Neu 1", "DE200000001").await;
        add_buyer(&app, &seller, "Neu 2", "DE200000002").await;
        let second = body_json(app.get(&format!("{}?limit=10&cursor={cursor}", buyers_path(&seller))).await).await;
        assert_eq!(names(&second), ["Firma 04", "Firma 03", "Firma 02", "Firma 01", "Firma 00"]);
        assert!(second["nextCursor"].is_null());
    }

    async fn every_filter_and_page_of_the_lists_is_read_through_an_index(app) {
        let north = app.create_seller().await;
        let south = app.create_seller().await;
        load_buyers(&app.db, &north, 12_000).await;
        load_buyers(&app.db, &south, 8_000).await;
        let deep: Position = Cursor::new(1000 + 4_000, &format!("{north}-4000")).into();
        let search = |text: &str| SearchText::parse(text);
        let mut filters = Vec::new();
        for seller in [None, Some(north.clone())] {
            let base = BuyerFilter { seller_id: seller, ..BuyerFilter::default() };
            filters.push((base.clone(), vec![]));
            filters.push((BuyerFilter { status: Some(BuyerStatus::Blocked), ..base.clone() }, vec!["status"]));
            filters.push((BuyerFilter { kyc_status: Some(OverallStatus::Valid), ..base.clone() }, vec!["kyc"]));
            // A whole word ("4711") that few names have is looked up as a word; fragments
            // without one by their trigrams.
            filters.push((BuyerFilter { search: search("handel 4711 g"), ..base.clone() }, vec!["words", "vat"]));
            filters.push((BuyerFilter { search: search("ndel 4711"), ..base.clone() }, vec!["trigram", "vat"]));
            filters.push((BuyerFilter { search: search("DE000004711"), ..base.clone() }, vec!["vat"]));
            // A prefix that many numbers share may be served by walking the list's own index.
            filters.push((BuyerFilter { search: search("DE0000047"), ..base.clone() }, vec![]));
        }
        for (filter, uses) in filters {
            let must_use: Vec<&str> = uses
                .iter()
                .map(|what| match (*what, app.db.backend()) {
                    ("trigram", Backend::Sqlite) => "buyers_fts",
                    ("trigram", Backend::Postgres) => "buyers_name_trigrams",
                    ("words", Backend::Sqlite) => "buyers_fts",
                    ("words", Backend::Postgres) => "buyers_name_words",
                    // Per seller, SQLite may use the UNIQUE (seller_id, vat_number) index.
                    ("vat", _) => "buyers_vat|buyers_seller_vat|sqlite_autoindex_buyers_2",
                    ("status", _) => "status_newest",
                    (_, _) => "kyc_newest",
                })
                .collect();
            for window in [Window::After(None), Window::After(Some(deep.clone())), Window::Before(deep.clone())] {
                assert_indexed(&app.db, filter.clone(), window, &must_use).await;
            }
        }
        // And the answers are right: the deep page continues right after its position.
        let page = buyers::search(&app.db, &BuyerFilter { seller_id: Some(north.clone()), ..BuyerFilter::default() }, &Window::After(Some(deep)), 3)
            .await
            .unwrap();
        let companies: Vec<&str> = page.buyers.iter().map(|b| b.buyer.company_name.as_str()).collect();
        assert_eq!(companies, ["Bulk Handel 3999 GmbH", "Bulk Handel 3998 GmbH", "Bulk Handel 3997 GmbH"]);
        let found = buyers::search(&app.db, &BuyerFilter { search: search("handel 4711 g"), ..BuyerFilter::default() }, &Window::After(None), 25)
            .await
            .unwrap();
        assert_eq!(found.buyers.len(), 2, "one of each seller");
        let found = buyers::search(&app.db, &BuyerFilter { search: search("handel 4711 x"), ..BuyerFilter::default() }, &Window::After(None), 25)
            .await
            .unwrap();
        assert!(found.buyers.is_empty(), "the word alone is not the fragment");
        let found = buyers::search(&app.db, &BuyerFilter { search: search("de 000 004 711"), ..BuyerFilter::default() }, &Window::After(None), 25)
            .await
            .unwrap();
        assert_eq!(found.buyers.len(), 2, "the whole VAT number, of each seller");

        // A fragment every name has: the newest page, read along the order, not by sorting
        // all 20,000 matches.
        let common = BuyerFilter { search: search("bulk handel"), ..BuyerFilter::default() };
        assert_indexed(&app.db, BuyerFilter { search: None, ..common.clone() }, Window::After(None), &[]).await;
        let plan = buyers::plan(&app.db, &common, &Window::After(None)).await.unwrap().join("\n");
        assert!(!plan.contains("TEMP B-TREE FOR ORDER BY") && !plan.contains("Sort"), "{plan}");
        let found = buyers::search(&app.db, &common, &Window::After(None), 3).await.unwrap();
        let companies: Vec<&str> = found.buyers.iter().map(|b| b.buyer.company_name.as_str()).collect();
        assert_eq!(companies, ["Bulk Handel 12000 GmbH", "Bulk Handel 11999 GmbH", "Bulk Handel 11998 GmbH"]);
    }
}
