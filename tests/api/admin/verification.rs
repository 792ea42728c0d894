//! A NT24_LED buyer's identity verification on the staff pages, against the iDenfy stub.

use super::*;
use crate::idenfy_stub::*;
use crate::on_both_backends;
use crate::with_idenfy_on_both_backends;

with_idenfy_on_both_backends! {
    async fn staff_start_a_verification_and_see_its_link(app, idenfy, _vies) {
        let (path, buyer) = app.create_nt24_buyer("DE136695976").await;
        let id = buyer["uuid"].as_str().unwrap();
        let mut admin = app.admin_browser().await;
        let page = admin.page(&format!("/admin/buyers/{id}/verification")).await;
        assert!(page.contains("No verification was started yet."));

        let response = admin
            .post(&format!("/admin/buyers/{id}/verification/start"), &[("language", "de")])
            .await;

        assert_eq!(location(&response), format!("/admin/buyers/{id}/verification"));
        let page = admin.page(&format!("/admin/buyers/{id}/verification")).await;
        assert!(page.contains("The verification was started."), "a flash");
        assert!(page.contains("Waiting for the buyer"));
        assert!(page.contains(&format!("{}/api/v2/redirect?authToken=", idenfy.uri())));
        let kyc = app.kyc_status(&path).await;
        assert_eq!(kyc["verificationStatus"], "PENDING");
        assert_eq!(token_requests(&idenfy).await[0]["locale"], "de");
    }

    async fn staff_decide_a_held_verification_and_download_the_signed_profile(app, _idenfy, _vies) {
        let (path, buyer) = app.create_nt24_buyer("DE136695976").await;
        let id = buyer["uuid"].as_str().unwrap();
        let verification = app.start_verification(&path).await;
        let body = idenfy_result(verification["scanRef"].as_str().unwrap(), id, "APPROVED", true, Some(aml_section(true)));
        assert_eq!(app.idenfy_callback(&body, Signed::Correctly).await.status(), 200);
        let mut admin = app.admin_browser().await;
        let page = admin.page(&format!("/admin/buyers/{id}/verification")).await;
        assert!(page.contains("Held for review"));
        assert!(page.contains("Hit: please review"));
        assert!(page.contains("Member of parliament"), "the AML findings are shown");
        // The evidence as a table, before the decision, beside the contact it is about.
        let table = page.find("People the screening matched").expect("the matches");
        assert!(table < page.find("id=\"review\"").unwrap(), "evidence first");
        for cell in ["<td>ERIKA MUSTERMANN (DE)</td>", "<td>1980-01-01</td>", "PEP list", "<td>97</td>", "Erika Mustermann (erika@autohandel-mustermann.de)"] {
            assert!(page.contains(cell), "{cell} in {page}");
        }

        for decision in ["reject", "approve"] {
            let refused = admin
                .post(&format!("/admin/buyers/{id}/verification/review"), &[("decision", decision), ("reason", " ")])
                .await;
            assert_eq!(refused.status(), 422, "{decision} needs a reason");
            assert!(refused.text().await.unwrap().contains("Please give a reason for the decision."));
        }
        assert_eq!(app.kyc_status(&path).await["verificationStatus"], "PENDING");

        let response = admin
            .post(&format!("/admin/buyers/{id}/verification/review"), &[("decision", "approve"), ("reason", "Namesake: other birth date")])
            .await;
        assert_eq!(location(&response), format!("/admin/buyers/{id}/verification"));
        assert_eq!(app.kyc_status(&path).await["verificationStatus"], "VERIFIED");
        let page = admin.page(&format!("/admin/buyers/{id}/verification")).await;
        assert!(page.contains("The verification was approved."));
        assert!(page.contains("<strong>Verified</strong>"), "the state on the page");
        assert!(page.contains("admin@marketplace.example"), "who decided");
        assert!(page.contains("Namesake: other birth date"), "and why");
        assert!(!page.contains("/verification/start"), "a verified buyer is not offered a new verification");

        let pdf = admin.get(&format!("/admin/buyers/{id}/verification/profile.pdf")).await;
        assert_eq!(pdf.status(), 200);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        let signature = pdf.headers()["kyc-profile-signature"].to_str().unwrap().to_owned();
        let bytes = pdf.bytes().await.unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        let api_signature = app
            .get(&format!("{path}/kyc/profile.sig?lang=en"))
            .await
            .bytes()
            .await
            .unwrap();
        let api_bytes = app.get(&format!("{path}/kyc/profile?lang=en")).await.bytes().await.unwrap();
        assert_eq!(bytes, api_bytes, "the same issued profile as the API's");
        assert_eq!(std::str::from_utf8(&api_signature).unwrap().trim(), signature);
    }

    async fn a_rejection_with_a_reason_is_recorded(app, _idenfy, _vies) {
        let (path, buyer) = app.create_nt24_buyer("DE136695976").await;
        let id = buyer["uuid"].as_str().unwrap();
        let verification = app.start_verification(&path).await;
        let body = idenfy_result(verification["scanRef"].as_str().unwrap(), id, "SUSPECTED", true, None);
        app.idenfy_callback(&body, Signed::Correctly).await;
        let mut admin = app.admin_browser().await;
        admin.page(&format!("/admin/buyers/{id}/verification")).await;

        admin
            .post(&format!("/admin/buyers/{id}/verification/review"), &[("decision", "reject"), ("reason", "Document photo does not match")])
            .await;

        let kyc = app.kyc_status(&path).await;
        assert_eq!(kyc["verificationStatus"], "REJECTED");
        assert_eq!(kyc["overallStatus"], "INVALID");
        let page = admin.page(&format!("/admin/buyers/{id}/verification")).await;
        assert!(page.contains("Document photo does not match"));
    }
}

on_both_backends! {
    async fn without_the_providers_credentials_the_page_says_what_to_set_and_offers_no_start(app) {
        let (_, buyer) = app.create_nt24_buyer("DE136695976").await;
        let id = buyer["uuid"].as_str().unwrap();
        let mut admin = app.admin_browser().await;
        let page = admin.page(&format!("/admin/buyers/{id}/verification")).await;
        assert!(page.contains("Identity verification is not set up on this portal"), "{page}");
        assert!(page.contains("<code>KYC_PORTAL_IDENFY_API_KEY</code>") && page.contains("<code>KYC_PORTAL_IDENFY_API_SECRET</code>"));
        assert!(page.contains("disabled aria-describedby=\"not-set-up\""), "the start button is off");
    }

    async fn a_marketplace_led_buyer_has_no_verification_to_start(app) {
        let (_, buyer) = app.create_buyer().await;
        let id = buyer["uuid"].as_str().unwrap();
        let mut admin = app.admin_browser().await;
        let page = admin.page(&format!("/admin/buyers/{id}/verification")).await;
        assert!(page.contains("MARKETPLACE_LED"));
        assert!(!page.contains("/verification/start"));
        let response = admin
            .post(&format!("/admin/buyers/{id}/verification/start"), &[("language", "en")])
            .await;
        assert_eq!(location(&response), format!("/admin/buyers/{id}/verification"));
        assert!(
            admin.page(&format!("/admin/buyers/{id}/verification")).await.contains("Identity verification is only for NT24-led buyers."),
            "the reason, not a guess from the status"
        );
    }
}

on_both_backends! {
    async fn the_settings_show_the_same_public_key_the_api_publishes(app) {
        let published = crate::helpers::body_json(app.client.get(format!("{}/v1/signing-key", app.address)).send().await.unwrap()).await;
        let mut admin = app.admin_browser().await;
        let page = admin.page("/admin/settings/signing-key").await;
        assert!(page.contains(published["publicKey"].as_str().unwrap()));
        assert!(page.contains(published["fingerprint"].as_str().unwrap()));
        assert!(page.contains("-----BEGIN PUBLIC KEY-----"));
        let staff = app.signed_in("kim@marketplace.example", kyc_portal::staff::StaffRole::Staff).await;
        assert_eq!(staff.get("/admin/settings/signing-key").await.status(), 403);
    }
}
