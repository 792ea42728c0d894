//! The start page says what needs staff today, each part with its count and links to the
//! buyers, oldest first.

use serde_json::{Value, json};

use super::*;
use crate::documents::form;
use crate::fixtures::small_pdf;
use crate::helpers::*;
use crate::idenfy_stub::*;
use crate::portal::{browser, csrf_of, upload_form};
use crate::with_idenfy_on_both_backends;

fn id(value: &Value) -> &str {
    value["uuid"].as_str().unwrap()
}

/// The part of the page under the heading with `anchor`, up to the next part.
fn part<'a>(page: &'a str, anchor: &str) -> &'a str {
    let start = page
        .find(&format!("<h2 id=\"{anchor}\">"))
        .unwrap_or_else(|| panic!("no {anchor} in {page}"));
    let rest = &page[start..];
    let end = rest[4..].find("<h2 ").map_or(rest.len(), |e| e + 4);
    &rest[..end]
}

with_idenfy_on_both_backends! {
    async fn the_start_page_counts_and_names_what_waits_for_staff(app, _idenfy, _vies) {
        let mut admin = app.admin_browser().await;
        let empty = admin.page("/admin").await;
        assert!(empty.contains("Nothing is waiting for you."), "{empty}");

        // Held: a verification with a sanctions/PEP hit.
        let (held_path, held) = app.create_nt24_buyer("DE136695976").await;
        let verification = app.start_verification(&held_path).await;
        let result = idenfy_result(verification["scanRef"].as_str().unwrap(), id(&held), "APPROVED", true, Some(aml_section(true)));
        assert_eq!(app.idenfy_callback(&result, Signed::Correctly).await.status(), 200);
        // VIES: a check that found the number INVALID.
        let (seller, vies) = app.create_buyer().await;
        app.settled_vies_check(&buyer_path(&seller, &vies)).await;
        // A buyer asking for a new link.
        let (_, asking, asked) = app.invited_buyer(json!({"recipientEmail": "a@example.com"})).await;
        app.expire(&asked).await;
        assert_eq!(app.ask_for_renewal(&asked).await.1.status(), 200);
        // A link that ran out yesterday, nothing uploaded.
        let (_, lapsed, ran_out) = app.invited_buyer(json!({"recipientEmail": "b@example.com"})).await;
        let yesterday = chrono::Utc::now().timestamp_millis() - 86_400_000;
        sqlx::query("UPDATE invitations SET expires_at = $1 WHERE id = $2").bind(yesterday).bind(id(&ran_out)).execute(app.db.pool()).await.unwrap();
        // A register extract (at most 365 days old) that lapses in 15 days.
        let (lapsing_seller, lapsing) = app.create_buyer().await;
        let date = (chrono::Utc::now().date_naive() - chrono::Days::new(350)).format("%Y-%m-%d").to_string();
        let uploaded = app.upload(&format!("{}/kyc/documents", buyer_path(&lapsing_seller, &lapsing)), form("COC_EXTRACT", &date, "auszug.pdf", small_pdf())).await;
        assert_eq!(uploaded.status(), 201);
        // A buyer who uploaded through the link.
        let (_, uploader, link) = app.invited_buyer(json!({"recipientEmail": "c@example.com"})).await;
        let phone = browser();
        let page = app.open_link(&phone, &link).await.text().await.unwrap();
        let sent = phone.post(format!("{}/kyc/documents", app.address))
            .multipart(upload_form(&csrf_of(&page), "BANK_CONFIRMATION", "2026-11-02", "bank.pdf", small_pdf()))
            .send().await.unwrap();
        assert_eq!(sent.status(), 200);

        let page = admin.page("/admin").await;
        assert!(page.contains("<h1>What needs you today</h1>") && !page.contains("Nothing is waiting for you."));
        for (anchor, buyer, tab) in [
            ("held", &held, "/verification"),
            ("vies", &vies, ""),
            ("renewals", &asking, "/invitations"),
            ("lapsed-links", &lapsed, "/invitations"),
            ("lapsing", &lapsing, "/documents"),
            ("uploads", &uploader, "/documents"),
        ] {
            let section = part(&page, anchor);
            assert!(section.contains("<span class=\"count\">(1)</span>"), "{anchor}: {section}");
            assert!(section.contains(&format!("href=\"/admin/buyers/{}{tab}\"", id(buyer))), "{anchor}: {section}");
        }
        let lapses_on = (chrono::Utc::now().date_naive() + chrono::Days::new(15)).format("%-d %B %Y").to_string();
        assert!(part(&page, "lapsing").contains(&format!("too old from {lapses_on}")), "{}", part(&page, "lapsing"));

        // Answered, the request leaves the page.
        let invitations = format!("/admin/buyers/{}/invitations", id(&asking));
        admin.page(&invitations).await;
        admin.post(&format!("/admin/invitations/{}/renew", id(&asked)), &[]).await;
        assert!(part(&admin.page("/admin").await, "renewals").contains("<span class=\"count\">(0)</span>"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_lands_on_the_start_page() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.staff_user(
        "kim@marketplace.example",
        kyc_portal::staff::StaffRole::Staff,
    )
    .await;
    let mut kim = app.staff_browser();
    let response = kim.sign_in("kim@marketplace.example", PASSWORD).await;
    assert_eq!(location(&response), "/admin");
    let page = kim.page("/admin").await;
    assert!(page.contains("aria-current=\"page\">Today</a>"), "{page}");
}
