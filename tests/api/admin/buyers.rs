//! The staff's buyer pages: every action goes through the API's domain functions, so its
//! effect is checked through the API. A STAFF (not ADMIN) user does all of it.

use kyc_portal::organisation::{self, OrganisationSettings};
use kyc_portal::staff::StaffRole;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use super::*;
use crate::fixtures::*;
use crate::helpers::*;
use crate::on_both_backends;
use crate::stubs::*;
use crate::with_vies_on_both_backends;

const KIM: &str = "kim@marketplace.example";

async fn staff(app: &TestApp) -> StaffBrowser {
    app.signed_in(KIM, StaffRole::Staff).await
}

/// A buyer of `seller` with this name and VAT number, created through the API.
async fn api_buyer(app: &TestApp, seller: &str, company: &str, vat: &str) -> Value {
    let mut body = reference_buyer();
    body["companyName"] = json!(company);
    body["vatNumber"] = json!(vat);
    let response = app.post_json(&buyers_path(seller), &body).await;
    assert_eq!(response.status(), 201);
    body_json(response).await
}

async fn api_seller(app: &TestApp, name: &str) -> String {
    let response = app.post_json("/v1/partners", &json!({"name": name})).await;
    assert_eq!(response.status(), 201);
    body_json(response).await["uuid"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn id_of(buyer: &Value) -> String {
    buyer["uuid"].as_str().unwrap().to_owned()
}

/// The buyer id a redirect to `/admin/buyers/{id}` names.
fn buyer_id_in(location: &str) -> String {
    location
        .trim_start_matches("/admin/buyers/")
        .split('/')
        .next()
        .unwrap()
        .to_owned()
}

/// The new buyer form's fields for `seller`, with one contact.
fn new_buyer_fields(seller: &str) -> Vec<(&'static str, String)> {
    vec![
        ("sellerId", seller.to_owned()),
        ("vatNumber", "DE 136 695 976".to_owned()),
        ("companyName", "Bäckerei Schmidt KG".to_owned()),
        ("address.street", "Marktplatz 1".to_owned()),
        ("address.postCode", "80331".to_owned()),
        ("address.city", "München".to_owned()),
        ("address.country", "de".to_owned()),
        ("kycMode", "MARKETPLACE_LED".to_owned()),
        ("contacts[0].firstName", "Anna".to_owned()),
        ("contacts[0].lastName", "Schmidt".to_owned()),
        ("contacts[0].email", "anna@baeckerei-schmidt.de".to_owned()),
        ("contacts[0].phone", "+49 89 123456".to_owned()),
        ("contacts[1].firstName", String::new()),
        ("contacts[1].lastName", String::new()),
        ("contacts[1].email", String::new()),
        ("contacts[1].phone", String::new()),
    ]
}

async fn post_owned(
    browser: &StaffBrowser,
    path: &str,
    fields: &[(&str, String)],
) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post(path, &fields).await
}

impl StaffBrowser {
    /// Sends the document upload form, the CSRF token first as a browser sends it.
    pub async fn upload(
        &self,
        path: &str,
        document_type: &str,
        date: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        let form = Form::new()
            .text("csrf", self.csrf.clone())
            .text("type", document_type.to_owned())
            .text("documentDate", date.to_owned())
            .part("file", Part::bytes(bytes).file_name(name.to_owned()));
        self.client
            .post(format!("{}{}", self.base, path))
            .header("accept-language", "en")
            .multipart(form)
            .send()
            .await
            .unwrap()
    }
}

async fn api_documents(app: &TestApp, seller: &str, buyer: &Value) -> Vec<Value> {
    let listing = body_json(
        app.get(&format!("{}/kyc/documents", buyer_path(seller, buyer)))
            .await,
    )
    .await;
    listing["items"].as_array().unwrap().clone()
}

/// The company names in the list's rows, in order.
fn companies(page: &str) -> Vec<String> {
    page.split("<th scope=\"row\">")
        .skip(1)
        .filter_map(|row| {
            row.split_once("\">")?
                .1
                .split_once("</a>")
                .map(|(name, _)| name.to_owned())
        })
        .collect()
}

/// The target of the pager's link with this `rel`, unescaped.
fn link_of(page: &str, rel: &str) -> String {
    let end = page
        .find(&format!("\" rel=\"{rel}\""))
        .unwrap_or_else(|| panic!("no {rel} link"));
    let start = page[..end].rfind("href=\"").unwrap() + "href=\"".len();
    page[start..end].replace("&#38;", "&").replace("&amp;", "&")
}

fn rows_of(page: &str) -> usize {
    page.matches("<th scope=\"row\">").count()
}

on_both_backends! {
    async fn the_list_shows_every_sellers_buyers_and_searches_by_name_or_vat(app) {
        let north = api_seller(&app, "Nord Handel GmbH").await;
        let south = api_seller(&app, "Süd Handel GmbH").await;
        api_buyer(&app, &north, "AutoHandel Mustermann GmbH", "DE123456789").await;
        api_buyer(&app, &south, "Bäckerei Schmidt KG", "DE136695976").await;
        let mut kim = staff(&app).await;

        let all = kim.page("/admin/buyers").await;
        assert_eq!(rows_of(&all), 2);
        assert!(all.contains("Nord Handel GmbH") && all.contains("Süd Handel GmbH"));
        assert!(all.contains("href=\"/admin/buyers/new\""), "a New buyer link");
        assert!(all.contains("Pending"), "the KYC status");

        let by_name = kim.page("/admin/buyers?q=MUSTER").await;
        assert_eq!(rows_of(&by_name), 1);
        assert!(by_name.contains("AutoHandel Mustermann GmbH"));
        assert!(by_name.contains("value=\"MUSTER\""), "the search is kept");

        let by_vat = kim.page("/admin/buyers?q=de+136.695").await;
        assert_eq!(rows_of(&by_vat), 1);
        assert!(by_vat.contains("Bäckerei Schmidt KG"));

        let by_seller = kim.page(&format!("/admin/buyers?seller={south}")).await;
        assert_eq!(rows_of(&by_seller), 1);
        assert!(by_seller.contains("Bäckerei Schmidt KG"));

        let nothing = kim.page("/admin/buyers?q=nobody").await;
        assert_eq!(rows_of(&nothing), 0);
        assert!(nothing.contains("No buyers match."));
    }

    async fn the_list_shows_how_many_required_documents_count_and_the_last_activity(app) {
        let (seller, buyer) = app.create_buyer().await;
        let documents = format!("{}/kyc/documents", buyer_path(&seller, &buyer));
        let pdf = crate::fixtures::small_pdf();
        for (document_type, date) in [("COC_EXTRACT", "2026-11-02"), ("BANK_CONFIRMATION", "2026-11-02"), ("VAT_CERTIFICATE", "2026-11-02"), ("BANK_STATEMENT", "2026-11-02")] {
            assert_eq!(app.upload(&documents, crate::documents::form(document_type, date, "scan.pdf", pdf.clone())).await.status(), 201);
        }
        let mut kim = staff(&app).await;
        let row = |page: &str| {
            let start = page.find(&format!("href=\"/admin/buyers/{}\"", buyer["uuid"].as_str().unwrap())).unwrap();
            page[start..start + page[start..].find("</tr>").unwrap()].to_owned()
        };
        let listed = row(&kim.page("/admin/buyers").await);
        assert!(listed.contains("<td>3 / 5</td>"), "three of the five required types, the bank statement not counted: {listed}");
        // An extract that became too old no longer counts.
        sqlx::query("UPDATE documents SET document_date = '2024-01-02' WHERE type = 'COC_EXTRACT'").execute(app.db.pool()).await.unwrap();
        assert!(row(&kim.page("/admin/buyers").await).contains("<td>2 / 5</td>"));
        let today = crate::helpers::now_in_berlin().format("%-d %B %Y").to_string();
        assert!(listed.contains(&today), "last activity today: {listed}");
    }

    async fn the_list_filters_by_buyer_status_and_kyc_status(app) {
        let seller = api_seller(&app, "Nord Handel GmbH").await;
        let blocked = api_buyer(&app, &seller, "Gesperrt AG", "DE123456789").await;
        api_buyer(&app, &seller, "Aktiv AG", "DE136695976").await;
        let response = app
            .post_json(&format!("{}/block", buyer_path(&seller, &blocked)), &json!({"reason": "fraud"}))
            .await;
        assert_eq!(response.status(), 200);
        let mut kim = staff(&app).await;

        let page = kim.page("/admin/buyers?status=BLOCKED").await;
        assert_eq!(rows_of(&page), 1);
        assert!(page.contains("Gesperrt AG"));
        let page = kim.page("/admin/buyers?status=ACTIVE").await;
        assert_eq!(rows_of(&page), 1);
        assert!(page.contains("Aktiv AG"));
        let page = kim.page("/admin/buyers?kyc=BLOCKED").await;
        assert_eq!(rows_of(&page), 1);
        assert!(page.contains("Gesperrt AG"));
        let page = kim.page("/admin/buyers?kyc=PENDING").await;
        assert_eq!(rows_of(&page), 1);
        assert!(page.contains("Aktiv AG"));
        let page = kim.page("/admin/buyers?kyc=VALID").await;
        assert_eq!(rows_of(&page), 0);
    }

    async fn the_list_pages_by_position_and_added_buyers_do_not_shift_the_pages(app) {
        let seller = api_seller(&app, "Nord Handel GmbH").await;
        for n in 0..30 {
            api_buyer(&app, &seller, &format!("Firma {n:02}"), &format!("DE1000000{n:02}")).await;
        }
        let mut kim = staff(&app).await;
        let first = kim.page("/admin/buyers?q=firma").await;
        assert_eq!(rows_of(&first), 25);
        assert_eq!(companies(&first)[0], "Firma 29", "newest first");
        assert!(!first.contains("rel=\"prev\""));
        let next = link_of(&first, "next");
        assert!(next.starts_with("/admin/buyers?q=firma&after="), "{next}");
        assert!(!next.contains("offset"));

        // Buyers added meanwhile appear on the first page, not at the top of the second.
        api_buyer(&app, &seller, "Firma Neu A", "DE200000001").await;
        api_buyer(&app, &seller, "Firma Neu B", "DE200000002").await;
        let second = kim.page(&next).await;
        assert_eq!(companies(&second), ["Firma 04", "Firma 03", "Firma 02", "Firma 01", "Firma 00"]);
        assert!(!second.contains("rel=\"next\""));
        let back = kim.page(&link_of(&second, "prev")).await;
        assert_eq!(companies(&back), companies(&first), "the page before is the one seen before");
        let newest = kim.page(&link_of(&back, "prev")).await;
        assert_eq!(companies(&newest)[..3], ["Firma Neu B", "Firma Neu A", "Firma 29"]);
        assert!(!newest.contains("rel=\"prev\""), "the first page has no previous page");

        let nothing = kim.page("/admin/buyers?q=-").await;
        assert_eq!(rows_of(&nothing), 0, "a search without a letter or digit matches nothing");
    }

    async fn a_staff_member_creates_a_buyer_that_the_api_then_shows(app) {
        let seller = api_seller(&app, "Nord Handel GmbH").await;
        let mut kim = staff(&app).await;
        let form = kim.page("/admin/buyers/new").await;
        assert!(form.contains("Nord Handel GmbH"), "the seller can be picked");

        let response = post_owned(&kim, "/admin/buyers/new", &new_buyer_fields(&seller)).await;
        assert_eq!(response.status(), 303);
        let created_at = location(&response);
        let id = buyer_id_in(&created_at);
        let page = kim.page(&created_at).await;
        assert!(page.contains("The buyer was created."), "a flash");
        assert!(page.contains("Bäckerei Schmidt KG"));

        let buyer = body_json(app.get(&format!("/v1/partners/{seller}/buyers/{id}")).await).await;
        assert_eq!(buyer["vatNumber"], "DE136695976");
        assert_eq!(buyer["companyName"], "Bäckerei Schmidt KG");
        assert_eq!(buyer["address"]["country"], "DE");
        assert_eq!(buyer["contacts"], json!([{"firstName": "Anna", "lastName": "Schmidt", "email": "anna@baeckerei-schmidt.de", "phone": "+49 89 123456"}]));
        let history = body_json(app.get(&format!("/v1/partners/{seller}/buyers/{id}/history")).await).await;
        assert_eq!(history["items"][0]["actor"], format!("staff:{KIM}"));

        // The same details again: the upsert's 200, shown as the existing buyer.
        let again = post_owned(&kim, "/admin/buyers/new", &new_buyer_fields(&seller)).await;
        assert_eq!(location(&again), created_at);

        // Other details under the same key: the upsert's 409, with the way to the buyer.
        let mut other = new_buyer_fields(&seller);
        other[2].1 = "Bäckerei Schmidt & Co. KG".to_owned();
        let conflict = post_owned(&kim, "/admin/buyers/new", &other).await;
        assert_eq!(conflict.status(), 409);
        let page = conflict.text().await.unwrap();
        assert!(page.contains("This seller already has a buyer with this VAT number"), "{page}");
        assert!(page.contains(&format!("href=\"{created_at}\"")), "a link to the existing buyer");
    }

    async fn invalid_input_shows_localised_errors_next_to_the_fields_with_every_value_kept(app) {
        let seller = api_seller(&app, "Nord Handel GmbH").await;
        let mut kim = staff(&app).await;
        kim.page("/admin/buyers/new").await;
        let mut fields = new_buyer_fields(&seller);
        for (name, value) in fields.iter_mut() {
            match *name {
                "vatNumber" => *value = "XX123".into(),
                "companyName" => *value = String::new(),
                "contacts[0].email" => *value = "not-an-email".into(),
                _ => {}
            }
        }
        let response = post_owned(&kim, "/admin/buyers/new", &fields).await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains("value=\"XX123\""), "the VAT number is kept");
        assert!(page.contains("value=\"Marktplatz 1\""), "the street is kept");
        assert!(page.contains("value=\"not-an-email\""), "the email is kept");
        assert!(page.contains("value=\"+49 89 123456\""), "the phone is kept");
        assert!(page.contains(&format!("<option value=\"{seller}\" selected>")), "the seller is kept");
        assert!(page.contains("“XX” is not the country code of an EU VAT number."), "{page}");
        assert!(page.contains("Company name: please fill this in."));
        assert!(page.contains("Email: this is not a valid email address."));
        assert!(page.contains("aria-describedby=\"f-contacts-0-email-error\""), "the error is tied to its field");
        assert!(page.contains("id=\"f-contacts-0-email-error\""));

        let listing = body_json(app.get(&buyers_path(&seller)).await).await;
        assert_eq!(listing["items"], json!([]), "nothing was created");

        // German for a German-speaking user.
        kim.post("/admin/language", &[("lang", "de"), ("back", "/admin/buyers/new")]).await;
        let response = post_owned(&kim, "/admin/buyers/new", &fields).await;
        let page = response.text().await.unwrap();
        assert!(page.contains("Firmenname: Bitte ausfüllen."), "{page}");
    }

    async fn every_problem_of_the_new_buyer_form_is_said_in_one_round_with_the_summary_first(app) {
        let seller = api_seller(&app, "Nord Handel GmbH").await;
        let mut kim = staff(&app).await;
        kim.page("/admin/buyers/new").await;
        let mut fields = new_buyer_fields(&seller);
        for (name, value) in fields.iter_mut() {
            if matches!(*name, "sellerId" | "vatNumber" | "companyName") {
                value.clear();
            }
        }
        let response = post_owned(&kim, "/admin/buyers/new", &fields).await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        let summary = page.find("id=\"form-problems\"").expect("a summary");
        let seller_field = page.find("id=\"f-sellerId\"").expect("the seller field");
        assert!(summary < seller_field, "the summary comes before the first field");
        for id in ["f-sellerId", "f-vatNumber", "f-companyName"] {
            assert!(page.contains(&format!("href=\"#{id}\"")), "{id} in the summary: {page}");
            assert!(page.contains(&format!("id=\"{id}-error\"")), "{id} marked at its field");
        }
        assert!(page.contains("please enter the VAT number with its country code"), "{page}");

        // A number whose check digit is wrong is created, and said so at once.
        let mut wrong = new_buyer_fields(&seller);
        wrong[1].1 = "DE123456789".to_owned();
        let response = post_owned(&kim, "/admin/buyers/new", &wrong).await;
        assert_eq!(response.status(), 303);
        let page = kim.page(&location(&response)).await;
        assert!(page.contains("but the check digit of its VAT number is wrong"), "{page}");
        assert!(page.contains("id=\"vat-check-digits\""), "{page}");
        let right = kim.page(&location(&post_owned(&kim, "/admin/buyers/new", &new_buyer_fields(&seller)).await)).await;
        assert!(!right.contains("id=\"vat-check-digits\""), "no warning for a number that passes");
    }

    async fn marketplace_led_is_refused_on_the_form_while_the_capability_is_off(app) {
        let seller = api_seller(&app, "Nord Handel GmbH").await;
        let settings = OrganisationSettings { allow_marketplace_led_kyc: false, ..Default::default() };
        as_system(&app.db, async |tx| organisation::save(tx, &settings).await).await;
        let mut kim = staff(&app).await;
        kim.page("/admin/buyers/new").await;
        let response = post_owned(&kim, "/admin/buyers/new", &new_buyer_fields(&seller)).await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains("The organisation does not allow marketplace-led KYC. Choose NT24-led."), "{page}");
        assert!(page.contains("value=\"Bäckerei Schmidt KG\""), "the input is kept");
        let mut nt24 = new_buyer_fields(&seller);
        nt24[7].1 = "NT24_LED".to_owned();
        let response = post_owned(&kim, "/admin/buyers/new", &nt24).await;
        assert_eq!(response.status(), 303);
    }

    async fn an_edit_saves_with_the_version_and_a_stale_version_is_refused_with_the_input_kept(app) {
        let (seller, buyer) = app.create_buyer().await;
        let id = id_of(&buyer);
        let mut kim = staff(&app).await;
        let page = kim.page(&format!("/admin/buyers/{id}")).await;
        assert!(page.contains("name=\"version\" value=\"0\""));
        let mut fields = vec![
            ("version", "0".to_owned()),
            ("companyName", "AutoHandel Mustermann & Söhne GmbH".to_owned()),
            ("address.street", "Hauptstraße 42".to_owned()),
            ("address.postCode", "10115".to_owned()),
            ("address.city", "Berlin".to_owned()),
            ("address.country", "DE".to_owned()),
            ("kycMode", "MARKETPLACE_LED".to_owned()),
            ("contacts[0].firstName", "Erika".to_owned()),
            ("contacts[0].lastName", "Mustermann".to_owned()),
            ("contacts[0].email", "erika@autohandel-mustermann.de".to_owned()),
        ];
        let response = post_owned(&kim, &format!("/admin/buyers/{id}"), &fields).await;
        assert_eq!(location(&response), format!("/admin/buyers/{id}"));
        let stored = body_json(app.get(&buyer_path(&seller, &buyer)).await).await;
        assert_eq!(stored["companyName"], "AutoHandel Mustermann & Söhne GmbH");
        assert_eq!(stored["version"], 1);

        // Someone else saves meanwhile; the form still says version 0.
        fields[1].1 = "Mein Name GmbH".to_owned();
        let response = post_owned(&kim, &format!("/admin/buyers/{id}"), &fields).await;
        assert_eq!(response.status(), 409);
        let page = response.text().await.unwrap();
        assert!(page.contains("Someone changed this buyer after you opened the page."), "{page}");
        assert!(page.contains("value=\"Mein Name GmbH\""), "the input is kept");
        assert!(page.contains("<dd>AutoHandel Mustermann &#38; Söhne GmbH</dd>"), "the current data is shown");
        assert!(page.contains("name=\"version\" value=\"1\""), "a second save is based on the current version");
        let stored = body_json(app.get(&buyer_path(&seller, &buyer)).await).await;
        assert_eq!(stored["companyName"], "AutoHandel Mustermann & Söhne GmbH");
        assert_eq!(stored["version"], 1);
    }

    async fn the_kyc_mode_cannot_go_back_and_the_error_says_so(app) {
        let (seller, buyer) = app.create_buyer().await;
        let response = app
            .patch_json(&buyer_path(&seller, &buyer), &json!({"version": 0, "kycMode": "NT24_LED"}))
            .await;
        assert_eq!(response.status(), 200);
        let id = id_of(&buyer);
        let mut kim = staff(&app).await;
        let page = kim.page(&format!("/admin/buyers/{id}")).await;
        assert!(page.contains("Identity verification"), "NT24_LED shows the verification status");
        let fields = [
            ("version", "1"), ("companyName", "AutoHandel Mustermann GmbH"),
            ("address.street", "Hauptstraße 42"), ("address.postCode", "10115"),
            ("address.city", "Berlin"), ("address.country", "DE"), ("kycMode", "MARKETPLACE_LED"),
        ];
        let response = kim.post(&format!("/admin/buyers/{id}"), &fields).await;
        assert_eq!(response.status(), 422);
        let page = response.text().await.unwrap();
        assert!(page.contains("the mode can only change from marketplace-led to NT24-led"), "{page}");
    }

    async fn blocking_needs_a_confirmation_and_a_reason_and_shows_in_the_api(app) {
        let (seller, buyer) = app.create_buyer().await;
        let id = id_of(&buyer);
        let mut kim = staff(&app).await;
        let overview = kim.page(&format!("/admin/buyers/{id}")).await;
        assert!(overview.contains(&format!("href=\"/admin/buyers/{id}/block\"")));
        let confirm = kim.page(&format!("/admin/buyers/{id}/block")).await;
        assert!(confirm.contains("<textarea id=\"reason\" name=\"reason\""));

        let refused = kim.post(&format!("/admin/buyers/{id}/block"), &[("reason", "  ")]).await;
        assert_eq!(refused.status(), 422);
        assert!(refused.text().await.unwrap().contains("Please give a reason"));
        let stored = body_json(app.get(&buyer_path(&seller, &buyer)).await).await;
        assert_eq!(stored["status"], "ACTIVE");

        let response = kim.post(&format!("/admin/buyers/{id}/block"), &[("reason", "Forged bank statement")]).await;
        assert_eq!(location(&response), format!("/admin/buyers/{id}"));
        let stored = body_json(app.get(&buyer_path(&seller, &buyer)).await).await;
        assert_eq!(stored["status"], "BLOCKED");
        assert_eq!(stored["blockedReason"], "Forged bank statement");
        let events = kyc_portal::events::recent(&app.db, 10).await.unwrap();
        let blocked = events.iter().find(|e| e.event_type == "buyer.blocked").expect("a buyer.blocked event");
        assert_eq!(blocked.data["reason"], "Forged bank statement");
        let page = kim.page(&format!("/admin/buyers/{id}")).await;
        assert!(page.contains("The buyer was blocked."));
        assert!(page.contains("Forged bank statement"));

        kim.page(&format!("/admin/buyers/{id}/unblock")).await;
        let response = kim.post(&format!("/admin/buyers/{id}/unblock"), &[]).await;
        assert_eq!(location(&response), format!("/admin/buyers/{id}"));
        let stored = body_json(app.get(&buyer_path(&seller, &buyer)).await).await;
        assert_eq!(stored["status"], "ACTIVE");
        assert!(stored["blockedReason"].is_null());
        let events = kyc_portal::events::recent(&app.db, 10).await.unwrap();
        assert!(events.iter().any(|e| e.event_type == "buyer.unblocked"));
    }

    async fn the_overview_shows_the_kyc_status_with_the_missing_types_localised(app) {
        let (_, buyer) = app.create_buyer().await;
        let id = id_of(&buyer);
        let mut kim = staff(&app).await;
        let page = kim.page(&format!("/admin/buyers/{id}")).await;
        assert!(page.contains("Commercial register extract"), "{page}");
        assert!(page.contains("Not checked yet"));
        assert!(page.contains("aria-current=\"page\">Overview</a>"));
        assert!(page.contains(&format!("href=\"/admin/buyers/{id}/invitations\"")));
    }

    async fn a_document_uploaded_on_behalf_of_the_buyer_appears_in_the_api(app) {
        let (seller, buyer) = app.create_buyer().await;
        let id = id_of(&buyer);
        let mut kim = staff(&app).await;
        kim.page(&format!("/admin/buyers/{id}/documents")).await;
        let response = kim
            .upload(&format!("/admin/buyers/{id}/documents"), "COC_EXTRACT", "2026-01-15", "Handelsregister.pdf", small_pdf())
            .await;
        assert_eq!(location(&response), format!("/admin/buyers/{id}/documents"));
        let documents = api_documents(&app, &seller, &buyer).await;
        assert_eq!(documents.len(), 1);
        assert_eq!(documents[0]["type"], "COC_EXTRACT");
        assert_eq!(documents[0]["documentDate"], "2026-01-15");
        assert_eq!(documents[0]["fileName"], "Handelsregister.pdf");
        assert_eq!(documents[0]["source"], "API");
        let doc_id = documents[0]["uuid"].as_str().unwrap();
        let events = kyc_portal::events::recent(&app.db, 10).await.unwrap();
        assert!(events.iter().any(|e| e.event_type == "kyc.document_uploaded" && e.data["documentId"] == doc_id), "the API's webhook");
        let history = body_json(app.get(&format!("/v1/documents/{doc_id}/history")).await).await;
        assert_eq!(history["items"][0]["actor"], format!("staff:{KIM}"));
        let page = kim.page(&format!("/admin/buyers/{id}/documents")).await;
        assert!(page.contains("The document was uploaded."));
        assert!(page.contains("Handelsregister.pdf"));
        assert!(page.contains(&format!("href=\"/admin/documents/{doc_id}/file\"")));
        assert!(page.contains(&documents[0]["sha256"].as_str().unwrap()[..12]));

        let download = kim.get(&format!("/admin/documents/{doc_id}/file")).await;
        assert_eq!(download.status(), 200);
        assert!(download.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        assert_eq!(download.bytes().await.unwrap().to_vec(), small_pdf());
    }

    async fn a_refused_upload_says_why_in_the_users_language_and_stores_nothing(app) {
        let (seller, buyer) = app.create_buyer().await;
        let id = id_of(&buyer);
        let mut kim = staff(&app).await;
        kim.page(&format!("/admin/buyers/{id}/documents")).await;
        let path = format!("/admin/buyers/{id}/documents");

        let future = kim.upload(&path, "COC_EXTRACT", "2999-01-01", "a.pdf", small_pdf()).await;
        assert_eq!(future.status(), 422);
        let page = future.text().await.unwrap();
        assert!(page.contains("The document date must not be in the future. Nothing was stored."), "{page}");
        assert!(page.contains("<option value=\"COC_EXTRACT\" selected>"), "the type is kept");

        let text = kim.upload(&path, "COC_EXTRACT", "2026-01-15", "a.pdf", b"just text".to_vec()).await;
        assert_eq!(text.status(), 422);
        assert!(text.text().await.unwrap().contains("This file cannot be accepted. Please upload a PDF, JPEG or PNG document"));

        kim.post("/admin/language", &[("lang", "de"), ("back", &path)]).await;
        let german = kim.upload(&path, "NOT_A_TYPE", "2026-01-15", "a.pdf", small_pdf()).await;
        assert_eq!(german.status(), 422);
        assert!(german.text().await.unwrap().contains("Bitte wählen Sie die Art der Unterlage."));

        assert!(api_documents(&app, &seller, &buyer).await.is_empty());
    }

    async fn archiving_goes_through_a_confirmation_and_the_document_stops_counting(app) {
        let (seller, buyer) = app.create_buyer().await;
        let id = id_of(&buyer);
        let document = app
            .upload_pdf(&format!("{}/kyc/documents", buyer_path(&seller, &buyer)), "COC_EXTRACT")
            .await;
        let doc_id = document["uuid"].as_str().unwrap();
        let kyc = body_json(app.get(&format!("{}/kyc", buyer_path(&seller, &buyer))).await).await;
        assert!(!kyc["missingDocumentTypes"].as_array().unwrap().contains(&json!("COC_EXTRACT")));

        let mut kim = staff(&app).await;
        let list = kim.page(&format!("/admin/buyers/{id}/documents")).await;
        assert!(list.contains(&format!("href=\"/admin/documents/{doc_id}/archive\"")));
        let confirm = kim.page(&format!("/admin/documents/{doc_id}/archive")).await;
        assert!(confirm.contains(&format!("action=\"/admin/documents/{doc_id}/archive\"")));
        let response = kim.post(&format!("/admin/documents/{doc_id}/archive"), &[]).await;
        assert_eq!(location(&response), format!("/admin/buyers/{id}/documents"));

        let stored = body_json(app.get(&format!("/v1/documents/{doc_id}")).await).await;
        assert_eq!(stored["status"], "ARCHIVED");
        let kyc = body_json(app.get(&format!("{}/kyc", buyer_path(&seller, &buyer))).await).await;
        assert!(kyc["missingDocumentTypes"].as_array().unwrap().contains(&json!("COC_EXTRACT")));
        let page = kim.page(&format!("/admin/buyers/{id}/documents")).await;
        assert!(page.contains("The document was archived."));
        assert!(!page.contains(&format!("href=\"/admin/documents/{doc_id}/archive\"")), "no second archive");
    }

    async fn the_history_tells_each_change_in_plain_words(app) {
        let seller = api_seller(&app, "Nord Handel GmbH").await;
        let mut kim = staff(&app).await;
        kim.page("/admin/buyers/new").await;
        let response = post_owned(&kim, "/admin/buyers/new", &new_buyer_fields(&seller)).await;
        let id = buyer_id_in(&location(&response));
        kim.page(&format!("/admin/buyers/{id}/documents")).await;
        kim.upload(&format!("/admin/buyers/{id}/documents"), "COC_EXTRACT", "2026-01-15", "hr.pdf", small_pdf()).await;
        let patched = app
            .patch_json(&format!("/v1/partners/{seller}/buyers/{id}"), &json!({"version": 0, "companyName": "Bäckerei Schmidt GmbH"}))
            .await;
        assert_eq!(patched.status(), 200);
        kim.post(&format!("/admin/buyers/{id}/block"), &[("reason", "Forged bank statement")]).await;

        let page = kim.page(&format!("/admin/buyers/{id}/history")).await;
        assert!(page.contains("API token “test-seller-system” changed the buyer&#39;s data: Company."), "{page}");
        assert!(page.contains(&format!("Staff member {KIM} blocked the buyer: Forged bank statement")), "{page}");
        assert!(page.contains(&format!("Document “Commercial register extract” (hr.pdf) uploaded by staff member {KIM}.")), "{page}");
        assert!(page.contains(&format!("Staff member {KIM} created the buyer.")));
        let blocked_at = page.find("blocked the buyer").unwrap();
        let created_at = page.find("created the buyer").unwrap();
        assert!(blocked_at < created_at, "newest first");
        // In the organisation's time zone (Europe/Berlin unless set), with its abbreviation.
        assert!(page.contains(" CET</span> — ") || page.contains(" CEST</span> — "), "{page}");

        kim.post("/admin/language", &[("lang", "de"), ("back", "/admin/buyers")]).await;
        let page = kim.page(&format!("/admin/buyers/{id}/history")).await;
        assert!(page.contains(&format!("Mitarbeiter:in {KIM} hat den Käufer gesperrt: Forged bank statement")), "{page}");
    }

    async fn the_buyer_pages_are_404_for_an_unknown_buyer(app) {
        let mut kim = staff(&app).await;
        kim.page("/admin/buyers").await;
        for path in ["/admin/buyers/nope", "/admin/buyers/nope/documents", "/admin/buyers/nope/vies", "/admin/buyers/nope/history", "/admin/documents/nope/preview"] {
            let response = kim.get(path).await;
            assert_eq!(response.status(), 404, "{path}");
        }
    }
}

with_vies_on_both_backends! {
    async fn a_refusal_by_vies_is_said_in_the_readers_language_with_the_words_of_vies_kept(app, vies) {
        check_vat_number().respond_with(vies_error(400, "INVALID_INPUT")).mount(&vies).await;
        let (seller, buyer) = app.create_buyer_with_vat("DE136695976").await;
        let id = id_of(&buyer);
        let response = app.post_json(&format!("{}/kyc/vies-check", buyer_path(&seller, &buyer)), &json!({})).await;
        assert_eq!(response.status(), 202);
        eventually("the check settles", || async {
            let listing = body_json(app.get(&format!("{}/kyc/vies-checks", buyer_path(&seller, &buyer))).await).await;
            (listing["items"][0]["status"] == "COMPLETED").then_some(())
        })
        .await;
        let mut kim = staff(&app).await;
        kim.page(&format!("/admin/buyers/{id}/vies")).await;
        kim.post("/admin/language", &[("lang", "de"), ("back", "/admin")]).await;
        let page = kim.page(&format!("/admin/buyers/{id}/vies")).await;
        assert!(page.contains("VIES hat die Anfrage abgelehnt (INVALID_INPUT); eine Wiederholung hilft nicht."), "{page}");
        assert!(page.contains("<summary>Technische Details</summary><code>VIES answered INVALID_INPUT"), "{page}");
    }

    async fn the_vies_button_runs_a_check_that_appears_in_the_history_of_checks(app, vies) {
        check_vat_number()
            .respond_with(vies_verdict("DE", "136695976", true))
            .expect(1)
            .mount(&vies)
            .await;
        let (seller, buyer) = app.create_buyer_with_vat("DE136695976").await;
        let id = id_of(&buyer);
        let mut kim = staff(&app).await;
        let page = kim.page(&format!("/admin/buyers/{id}/vies")).await;
        assert!(page.contains("No VIES check yet."));
        let response = kim.post(&format!("/admin/buyers/{id}/vies"), &[]).await;
        assert_eq!(location(&response), format!("/admin/buyers/{id}/vies"));
        let page = kim.page(&format!("/admin/buyers/{id}/vies")).await;
        assert!(page.contains("The VIES check was started."));

        let checks = eventually("the check settles", || async {
            let listing = body_json(app.get(&format!("{}/kyc/vies-checks", buyer_path(&seller, &buyer))).await).await;
            (listing["items"][0]["status"] == "COMPLETED").then_some(listing)
        })
        .await;
        assert_eq!(checks["items"].as_array().unwrap().len(), 1);
        assert_eq!(checks["items"][0]["result"], "VALID");
        let page = kim.page(&format!("/admin/buyers/{id}/vies")).await;
        assert!(page.contains("<td>Valid</td>"), "{page}");
        assert!(page.contains("AUTOHANDEL MUSTERMANN GMBH"));
        let overview = kim.page(&format!("/admin/buyers/{id}")).await;
        assert!(overview.contains("Valid ("), "the KYC status shows the result and its date");
    }
}

/// A file over the configured limit: 413 with the limit named, nothing stored.
mod a_file_over_the_limit_is_refused_with_the_limit_named {
    use super::*;

    async fn run(backend: Backend) {
        let Some(app) = TestApp::spawn_with(backend, |s| s.max_upload_bytes = 64 * 1024).await
        else {
            return;
        };
        let (seller, buyer) = app.create_buyer().await;
        let id = id_of(&buyer);
        let mut kim = staff(&app).await;
        let path = format!("/admin/buyers/{id}/documents");
        kim.page(&path).await;
        let response = kim
            .upload(
                &path,
                "COC_EXTRACT",
                "2026-01-15",
                "big.pdf",
                pdf_of_size(100 * 1024),
            )
            .await;
        assert_eq!(response.status(), 413);
        let page = response.text().await.unwrap();
        assert!(
            page.contains("The file is too large. The limit is 1 MB. Nothing was stored."),
            "{page}"
        );
        assert!(api_documents(&app, &seller, &buyer).await.is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        run(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        run(Backend::Postgres).await
    }
}

on_both_backends! {
    async fn the_documents_tab_groups_versions_by_type_and_says_which_counts(app) {
        let (seller, buyer) = app.create_buyer().await;
        let id = buyer["uuid"].as_str().unwrap();
        let documents = format!("{}/kyc/documents", buyer_path(&seller, &buyer));
        let pdf = crate::fixtures::small_pdf();
        for (document_type, date) in [("COC_EXTRACT", "2026-01-15"), ("COC_EXTRACT", "2026-11-02"), ("BANK_CONFIRMATION", "2026-11-02")] {
            let response = app.upload(&documents, crate::documents::form(document_type, date, "scan.pdf", pdf.clone())).await;
            assert_eq!(response.status(), 201);
        }
        let mut staff = app.signed_in("kim@marketplace.example", kyc_portal::staff::StaffRole::Staff).await;
        let page = staff.page(&format!("/admin/buyers/{id}/documents")).await;
        let coc = page.find("id=\"type-COC_EXTRACT\"").unwrap();
        let bank = page.find("id=\"type-BANK_CONFIRMATION\"").unwrap();
        let vat = page.find("id=\"type-VAT_CERTIFICATE\"").unwrap();
        assert!(coc < bank && bank < vat, "required types in the organisation's order");
        let coc_part = &page[coc..bank];
        assert!(coc_part.contains("Counts: the version dated 2 November 2026."), "{coc_part}");
        assert!(coc_part.contains("<tr class=\"counts\">") && coc_part.contains("<tr class=\"superseded\">"), "{coc_part}");
        assert!(coc_part.contains("Replaced by a newer version"), "{coc_part}");
        assert!(coc_part.contains("The same file was uploaded as Bank confirmation."), "{coc_part}");
        assert!(page[vat..].contains("Missing: nothing uploaded yet."));

        // Time passes: the extract becomes too old and no longer counts.
        sqlx::query("UPDATE documents SET document_date = '2024-01-02' WHERE type = 'COC_EXTRACT'").execute(app.db.pool()).await.unwrap();
        let page = staff.page(&format!("/admin/buyers/{id}/documents")).await;
        let coc_part = &page[page.find("id=\"type-COC_EXTRACT\"").unwrap()..page.find("id=\"type-BANK_CONFIRMATION\"").unwrap()];
        assert!(coc_part.contains("Too old: the newest version is older than 365 days and does not count."), "{coc_part}");
        assert!(!coc_part.contains("<tr class=\"counts\">"));
    }
}

/// While VIES does not answer: each call times out, and the check waits five seconds for its
/// next try (long enough for the page to be read in between, however busy the machine).
mod while_vies_does_not_answer {
    use std::time::Duration;

    use kyc_portal::jobs::Backoff;
    use wiremock::MockServer;

    use super::*;

    async fn run(backend: Backend) {
        let vies = MockServer::start().await;
        check_vat_number()
            .respond_with(vies_verdict("DE", "136695976", true).set_delay(Duration::from_secs(20)))
            .mount(&vies)
            .await;
        let url = vies.uri();
        let Some(app) = TestApp::spawn_with_options(
            backend,
            |s| s.vies_url = url,
            |o| {
                o.worker.backoff = Backoff {
                    base: Duration::from_secs(5),
                    max: Duration::from_secs(5),
                }
            },
        )
        .await
        else {
            return;
        };
        let (seller, buyer) = app.create_buyer_with_vat("DE136695976").await;
        let id = id_of(&buyer);
        let path = buyer_path(&seller, &buyer);
        let mut kim = staff(&app).await;
        assert_eq!(
            app.post_json(&format!("{path}/kyc/vies-check"), &json!({}))
                .await
                .status(),
            202
        );

        let next: String = eventually("the KYC status names the next try", || async {
            let kyc = body_json(app.get(&format!("{path}/kyc")).await).await;
            kyc["viesCheckInProgress"]["nextAttemptAt"]
                .as_str()
                .map(str::to_owned)
        })
        .await;
        let next = kyc_portal::db::Timestamp::parse_rfc3339(&next).unwrap();
        let kyc = body_json(app.get(&format!("{path}/kyc")).await).await;
        assert!(
            kyc["viesCheckInProgress"]["attempts"].as_i64().unwrap() >= 1,
            "{kyc}"
        );
        let page = kim.page(&format!("/admin/buyers/{id}/vies")).await;
        let attempts = page
            .split_once("VIES has not answered yet (")
            .and_then(|(_, rest)| {
                rest.split_once(" attempts so far); the portal asks again by itself, next at ")
            })
            .and_then(|(n, _)| n.parse::<u32>().ok());
        assert!(attempts.is_some_and(|n| n >= 1), "{page}");
        let berlin = kyc_portal::time_zone::TimeZone::default();
        assert!(
            page.contains(&berlin.moment(kyc_portal::i18n::Language::En, next)),
            "the next try in the organisation's zone: {page}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_page_and_the_api_say_how_often_it_was_asked_and_when_next_on_sqlite() {
        run(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_page_and_the_api_say_how_often_it_was_asked_and_when_next_on_postgres() {
        run(Backend::Postgres).await
    }
}
