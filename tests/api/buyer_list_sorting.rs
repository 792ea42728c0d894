//! The staff's buyer list in three orders (newest first, company name A–Z, last activity):
//! each a page at a time by keyset, read through an index of its own on both databases,
//! stable while buyers are added, and chosen on the page with the filters kept.

use kyc_portal::buyers::{
    self, BuyerFilter, BuyerSort, BuyerStatus, Position, SearchText, SortKey, Window,
};
use kyc_portal::db::Backend;
use kyc_portal::kyc::status::OverallStatus;
use kyc_portal::staff::StaffRole;
use serde_json::{Value, json};

use crate::buyer_lists::{assert_indexed, load_buyers};
use crate::documents::documents_path;
use crate::helpers::*;
use crate::on_both_backends;

async fn add_buyer(app: &TestApp, seller: &str, company: &str, vat: &str) -> Value {
    let mut body = reference_buyer();
    body["companyName"] = json!(company);
    body["vatNumber"] = json!(vat);
    let response = app.post_json(&buyers_path(seller), &body).await;
    assert_eq!(response.status(), 201, "{company}");
    body_json(response).await
}

fn sorted(seller: &str, sort: BuyerSort) -> BuyerFilter {
    BuyerFilter {
        seller_id: Some(seller.to_owned()),
        sort,
        ..BuyerFilter::default()
    }
}

async fn companies(
    app: &TestApp,
    filter: &BuyerFilter,
    window: &Window,
    size: u32,
) -> (Vec<String>, buyers::BuyerPage) {
    let page = buyers::search(&app.db, filter, window, size).await.unwrap();
    let names = page
        .buyers
        .iter()
        .map(|b| b.buyer.company_name.clone())
        .collect();
    (names, page)
}

on_both_backends! {
    async fn each_order_lists_the_buyers_as_it_says(app) {
        let seller = app.create_seller().await;
        let mut made = Vec::new();
        for (n, name) in ["Delta KG", "alpha AG", "Gamma SE", "Beta GmbH"].into_iter().enumerate() {
            made.push(add_buyer(&app, &seller, name, &format!("DE30000000{n}")).await);
        }
        let all = Window::After(None);
        let (by_name, _) = companies(&app, &sorted(&seller, BuyerSort::Name), &all, 10).await;
        assert_eq!(by_name, ["alpha AG", "Beta GmbH", "Delta KG", "Gamma SE"], "A–Z, ignoring case");
        let (newest, _) = companies(&app, &sorted(&seller, BuyerSort::Newest), &all, 10).await;
        assert_eq!(newest, ["Beta GmbH", "Gamma SE", "alpha AG", "Delta KG"]);

        // An upload to the oldest buyer, then a block of the second oldest: most recent first.
        app.upload_pdf(&documents_path(&seller, &made[0]), "COC_EXTRACT").await;
        let (active, _) = companies(&app, &sorted(&seller, BuyerSort::LastActivity), &all, 10).await;
        assert_eq!(active[0], "Delta KG", "{active:?}");
        app.post_json(&format!("{}/block", buyer_path(&seller, &made[1])), &json!({"reason": "review"})).await;
        let (active, _) = companies(&app, &sorted(&seller, BuyerSort::LastActivity), &all, 10).await;
        assert_eq!(active, ["alpha AG", "Delta KG", "Beta GmbH", "Gamma SE"]);
    }

    async fn pages_stay_put_in_every_order_while_buyers_are_added(app) {
        let seller = app.create_seller().await;
        for n in 0..6 {
            add_buyer(&app, &seller, &format!("Firma {n}"), &format!("DE40000000{n}")).await;
        }
        for sort in [BuyerSort::Name, BuyerSort::LastActivity, BuyerSort::Newest] {
            let filter = sorted(&seller, sort);
            let (first, page) = companies(&app, &filter, &Window::After(None), 2).await;
            let (second, second_page) = companies(&app, &filter, &Window::After(page.next.clone()), 2).await;
            // Buyers added meanwhile: at the top of the time orders, at both ends of A–Z.
            let tag = sort.as_str();
            add_buyer(&app, &seller, &format!("AAA {tag}"), &format!("DE5{:08}", tag.len())).await;
            add_buyer(&app, &seller, &format!("zzz {tag}"), &format!("DE6{:08}", tag.len())).await;
            let (again, _) = companies(&app, &filter, &Window::After(page.next.clone()), 2).await;
            assert_eq!(again, second, "{tag}: the next page is the same page");
            let back = second_page.previous.clone().unwrap();
            let (before, _) = companies(&app, &filter, &Window::Before(back), 2).await;
            assert_eq!(before, first, "{tag}: and so is the previous one");
            assert!(page.previous.is_none());
        }
    }

    async fn a_position_of_one_order_never_picks_a_page_of_another(app) {
        let seller = app.create_seller().await;
        for n in 0..5 {
            add_buyer(&app, &seller, &format!("Firma {n}"), &format!("DE70000000{n}")).await;
        }
        let (_, newest) = companies(&app, &sorted(&seller, BuyerSort::Newest), &Window::After(None), 2).await;
        let position = newest.next.unwrap();
        assert_eq!(Position::decode(&position.encode(), BuyerSort::Newest), Some(position.clone()));
        assert_eq!(Position::decode(&position.encode(), BuyerSort::Name), None, "rejected by another order");
        // Handed to another order anyway, it starts that list from its beginning.
        let (from_start, _) = companies(&app, &sorted(&seller, BuyerSort::Name), &Window::After(Some(position.clone())), 2).await;
        assert_eq!(from_start, ["Firma 0", "Firma 1"]);
        let (from_start, _) = companies(&app, &sorted(&seller, BuyerSort::Name), &Window::Before(position), 2).await;
        assert_eq!(from_start, ["Firma 0", "Firma 1"]);
        // A name with a colon travels in a position.
        let odd = Position::new(BuyerSort::Name, SortKey::Name("a:b".into()), "id-1").unwrap();
        assert_eq!(Position::decode(&odd.encode(), BuyerSort::Name), Some(odd));
    }

    async fn staff_choose_the_order_on_the_page_and_keep_their_filters(app) {
        let seller = app.create_seller().await;
        for n in 0..27 {
            add_buyer(&app, &seller, &format!("Firma {n:02}"), &format!("DE8000000{n:02}")).await;
        }
        let mut staff = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let page = staff.page("/admin/buyers").await;
        assert!(page.contains("<label for=\"sort\">Sort by</label>"), "{page}");
        assert!(page.contains("<option value=\"newest\" selected>Newest first</option>"));
        assert!(page.contains("<option value=\"name\" >Company name (A–Z)</option>") || page.contains("<option value=\"name\">Company name (A–Z)</option>"), "{page}");
        assert!(page.contains("Last activity (most recent first)"));
        assert!(page.contains("aria-sort=\"descending\""));

        let path = format!("/admin/buyers?sort=name&status=ACTIVE&seller={seller}&q=firma");
        let page = staff.page(&path).await;
        assert!(page.contains("<option value=\"name\" selected>"), "{page}");
        assert!(page.contains("Buyers, company name A–Z (page 1)"), "the caption says the order");
        let first = page.find("Firma 00").unwrap();
        assert!(first < page.find("Firma 01").unwrap() && !page.contains("Firma 26"), "A–Z, 25 a page");
        assert!(page.contains("aria-sort=\"ascending\""));
        let next = page.split("rel=\"next\"").next().unwrap().rsplit("href=\"").next().unwrap().split('"').next().unwrap().replace("&#38;", "&").replace("&amp;", "&");
        for kept in ["sort=name", "status=ACTIVE", &format!("seller={seller}"), "q=firma", "after="] {
            assert!(next.contains(kept), "{kept} in {next}");
        }
        let second = staff.page(&next).await;
        assert!(second.contains("Firma 25") && second.contains("Firma 26") && !second.contains("Firma 24"), "{second}");

        // A link of one order opened in another starts that order from its first page.
        let after = next.split("after=").nth(1).unwrap().split('&').next().unwrap();
        let mixed = staff.page(&format!("/admin/buyers?sort=activity&seller={seller}&after={after}")).await;
        assert!(mixed.contains("<option value=\"activity\" selected>"));
        assert!(!mixed.contains("rel=\"prev\""), "the first page: {mixed}");

        let switched = staff.post("/admin/language", &[("lang", "de"), ("back", "/admin/buyers")]).await;
        assert_eq!(switched.status(), 303);
        let page = staff.page("/admin/buyers?sort=activity").await;
        assert!(page.contains("<label for=\"sort\">Sortieren nach</label>"), "{page}");
        assert!(page.contains("Neueste zuerst") && page.contains("Firmenname (A–Z)") && page.contains("Letzte Aktivität (neueste zuerst)"));
    }

    async fn every_order_and_filter_of_the_staff_list_is_read_through_its_index(app) {
        let north = app.create_seller().await;
        let south = app.create_seller().await;
        load_buyers(&app.db, &north, 12_000).await;
        load_buyers(&app.db, &south, 8_000).await;
        // Activity in another order than creation.
        sqlx::query("UPDATE buyers SET last_activity_at = (created_at * 7919) % 100003")
            .execute(app.db.pool())
            .await
            .unwrap();
        sqlx::query("ANALYZE").execute(app.db.pool()).await.unwrap();
        for (sort, suffix, deep) in [
            (BuyerSort::Name, "_name", SortKey::Name("bulk handel 4000 gmbh".into())),
            (BuyerSort::LastActivity, "_activity", SortKey::At(50_000)),
        ] {
            let deep = Position::new(sort, deep, &format!("{north}-4000")).unwrap();
            for seller in [None, Some(north.clone())] {
                let base = BuyerFilter { seller_id: seller.clone(), sort, ..BuyerFilter::default() };
                let filters = [
                    (base.clone(), "all"),
                    (BuyerFilter { status: Some(BuyerStatus::Blocked), ..base.clone() }, "status"),
                    (BuyerFilter { kyc_status: Some(OverallStatus::Valid), ..base.clone() }, "kyc"),
                ];
                for (filter, which) in filters {
                    // Per seller the planner may also walk the index of the other filter.
                    let index = match (&seller, which) {
                        (None, which) => format!("buyers_{which}{suffix}"),
                        (Some(_), "all") => format!("buyers_seller{suffix}"),
                        (Some(_), which) => format!("buyers_seller_{which}{suffix}|buyers_{which}{suffix}"),
                    };
                    for window in [Window::After(None), Window::After(Some(deep.clone())), Window::Before(deep.clone())] {
                        assert_indexed(&app.db, filter.clone(), window, &[&index]).await;
                    }
                }
            }
            // A search keeps to the indexes that find its matches, in this order too.
            let searched = BuyerFilter { search: SearchText::parse("handel 4711 g"), sort, ..BuyerFilter::default() };
            // (PostgreSQL finds "4711", a whole word few names have, by its word index.)
            let index = match app.db.backend() {
                Backend::Sqlite => "buyers_fts",
                Backend::Postgres => "buyers_name_words",
            };
            assert_indexed(&app.db, searched.clone(), Window::After(None), &[index]).await;
            let found = buyers::search(&app.db, &searched, &Window::After(None), 25).await.unwrap();
            assert_eq!(found.buyers.len(), 2, "one of each seller");
        }
        // And a deep page is right: the names after "bulk handel 4000 gmbh" of the north, A–Z
        // as text.
        let deep = Position::new(BuyerSort::Name, SortKey::Name("bulk handel 4000 gmbh".into()), &format!("{north}-4000")).unwrap();
        let (names, _) = companies(&app, &sorted(&north, BuyerSort::Name), &Window::After(Some(deep)), 3).await;
        assert_eq!(names, ["Bulk Handel 4001 GmbH", "Bulk Handel 4002 GmbH", "Bulk Handel 4003 GmbH"]);
    }
}
