//! The organisation's time zone: set through the API and the settings page, and every time a
//! person reads (staff pages, the signed profile) is shown in it, while the API stays in UTC.

use kyc_portal::db::Timestamp;
use kyc_portal::i18n::Language;
use kyc_portal::time_zone::TimeZone;
use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends! {
    async fn staff_read_times_in_the_zone_the_api_sets_and_the_api_keeps_utc(app) {
        let organisation = body_json(app.get("/v1/organisation").await).await;
        assert_eq!(organisation["timeZone"], "Europe/Berlin", "the default");
        for wrong in ["Mars/Olympus_Mons", "europe/berlin", "", "UTC+2"] {
            let problem = expect_problem(app.patch_json("/v1/organisation", &json!({"timeZone": wrong})).await, 422).await;
            assert_eq!(problem_fields(&problem), ["timeZone"], "{wrong:?}");
        }
        let patched = body_json(app.patch_json("/v1/organisation", &json!({"timeZone": "America/New_York"})).await).await;
        assert_eq!(patched["timeZone"], "America/New_York");

        let (_, buyer) = app.create_buyer().await;
        let created_at = buyer["createdAt"].as_str().unwrap();
        assert!(created_at.ends_with('Z'), "the API speaks UTC: {created_at}");
        let created = Timestamp::parse_rfc3339(created_at).unwrap();
        let new_york = TimeZone::parse("America/New_York").unwrap();
        let mut admin = app.admin_browser().await;
        let page = admin.page(&format!("/admin/buyers/{}", buyer["uuid"].as_str().unwrap())).await;
        let expected = new_york.moment(Language::En, created);
        assert!(expected.ends_with(" EST") || expected.ends_with(" EDT"), "{expected}");
        assert!(page.contains(&expected), "{expected} is not on the page:\n{page}");

        // The settings page lists the zones with the current one chosen, and saves another.
        let settings = admin.page("/admin/settings").await;
        assert!(settings.contains("<option selected>America/New_York</option>"), "{settings}");
        assert!(settings.contains("<option>Europe/Vienna</option>"));
        let refused = admin.save_settings(&[("time_zone", "Atlantis/Capital")]).await;
        assert_eq!(refused.status(), 422);
        let refused = refused.text().await.unwrap();
        assert!(refused.contains("id=\"s-time-zone-error\">Please choose a time zone from the list."), "{refused}");
        assert_eq!(admin.save_settings(&[("time_zone", "Asia/Tokyo")]).await.status(), 303);
        let page = admin.page(&format!("/admin/buyers/{}", buyer["uuid"].as_str().unwrap())).await;
        let tokyo = TimeZone::parse("Asia/Tokyo").unwrap().moment(Language::En, created);
        assert!(tokyo.ends_with(" JST") && page.contains(&tokyo), "{tokyo}:\n{page}");
        assert_eq!(body_json(app.get("/v1/organisation").await).await["timeZone"], "Asia/Tokyo");
    }
}
