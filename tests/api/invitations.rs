use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use kyc_portal::invitations;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

pub fn invitations_path(seller: &str, buyer: &Value) -> String {
    format!("{}/kyc/self-service-invitations", buyer_path(seller, buyer))
}

impl TestApp {
    /// Creates an invitation (201 expected) and notes its token for the log check.
    pub async fn invite(&self, seller: &str, buyer: &Value, body: Value) -> Value {
        let response = self
            .post_json(&invitations_path(seller, buyer), &body)
            .await;
        assert_eq!(response.status(), 201);
        let invitation = body_json(response).await;
        note_issued_link(invitation["publicLinkUrl"].as_str().unwrap());
        invitation
    }
}

fn require(tool: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("KYC_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
            panic!("KYC_TEST_REQUIRE_ALL=1 but {tool} is not installed");
        }
        announce(&format!(
            "SKIPPED ({tool}): install it to run the QR decoding tests"
        ));
    }
    found
}

/// Decodes the QR code in a PNG with zbarimg.
fn decode_qr(png: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("qr.png");
    std::fs::write(&path, png).unwrap();
    let output = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success(), "zbarimg found no code");
    String::from_utf8(output.stdout)
        .unwrap()
        .trim_end()
        .to_owned()
}

/// The SMTP sink `.ci/run` starts, or None when there is none here.
pub fn smtp_sink() -> Option<(String, PathBuf)> {
    match (
        std::env::var("KYC_TEST_SMTP_URL"),
        std::env::var("KYC_TEST_MAILDIR"),
    ) {
        (Ok(url), Ok(dir)) => Some((url, PathBuf::from(dir))),
        _ => {
            if std::env::var("KYC_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
                panic!(
                    "KYC_TEST_REQUIRE_ALL=1 but KYC_TEST_SMTP_URL / KYC_TEST_MAILDIR are not set"
                );
            }
            announce(
                "SKIPPED (SMTP): set KYC_TEST_SMTP_URL and KYC_TEST_MAILDIR to run the email tests",
            );
            None
        }
    }
}

/// Waits for the message to `recipient` to arrive in the sink's Maildir.
pub async fn wait_for_mail(maildir: &std::path::Path, recipient: &str) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        for entry in std::fs::read_dir(maildir.join("new")).unwrap().flatten() {
            let raw = std::fs::read(entry.path()).unwrap();
            let parsed = mailparse::parse_mail(&raw).unwrap();
            let to = parsed
                .headers
                .iter()
                .find(|h| h.get_key_ref().eq_ignore_ascii_case("to"))
                .map(|h| h.get_value())
                .unwrap_or_default();
            if to.contains(recipient) {
                return raw;
            }
        }
        assert!(Instant::now() < deadline, "no mail for {recipient}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

on_both_backends! {
    async fn the_reference_invitation_call_returns_what_the_guide_shows(app) {
        let (seller, buyer) = app.create_buyer().await;
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "kyc@autohandel-mustermann.de", "expiresInDays": 14, "language": "de"})).await;
        assert!(invitation["uuid"].as_str().unwrap().starts_with("inv_"));
        assert_eq!(invitation["kind"], "KYC");
        assert_eq!(invitation["buyerId"], buyer["uuid"]);
        assert_eq!(invitation["recipientEmail"], "kyc@autohandel-mustermann.de");
        assert_eq!(invitation["language"], "de");
        assert_eq!(invitation["status"], "ACTIVE");
        assert_eq!(invitation["usageCount"], 0);
        assert!(invitation["maxUses"].is_null() && invitation["lastUsedAt"].is_null());
        let link = invitation["publicLinkUrl"].as_str().unwrap();
        let token = link.strip_prefix("http://localhost:8080/kyc/").unwrap();
        assert_eq!(token.len(), 43, "256 bits, URL-safe base64");
        let created = chrono::DateTime::parse_from_rfc3339(invitation["createdAt"].as_str().unwrap()).unwrap();
        let expires = chrono::DateTime::parse_from_rfc3339(invitation["expiresAt"].as_str().unwrap()).unwrap();
        assert_eq!(expires - created, chrono::Duration::days(14));

        let fetched = body_json(app.get(&format!("/v1/invitations/{}", invitation["uuid"].as_str().unwrap())).await).await;
        assert_eq!(fetched["publicLinkUrl"], invitation["publicLinkUrl"]);
        let listing = body_json(app.get(&invitations_path(&seller, &buyer)).await).await;
        assert_eq!(listing["items"][0]["uuid"], invitation["uuid"]);
    }

    async fn only_the_hash_of_the_token_is_stored(app) {
        let (seller, buyer) = app.create_buyer().await;
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "a@example.com"})).await;
        let token = invitation["publicLinkUrl"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
        let row: (String, String, String) = sqlx::query_as("SELECT token_hash, token_nonce, recipient_email FROM invitations")
            .fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(row.0, kyc_portal::secret_token::hash(&token));
        assert!(!row.1.contains(&token) && !row.0.contains(&token));
        let found = invitations::find_by_token(&app.db, &token).await.unwrap().unwrap();
        assert_eq!(found.id, invitation["uuid"].as_str().unwrap());
        assert!(invitations::find_by_token(&app.db, &"A".repeat(43)).await.unwrap().is_none());
    }

    async fn bad_invitation_requests_are_422s_naming_the_field(app) {
        let (seller, buyer) = app.create_buyer().await;
        for (body, field) in [
            (json!({"recipientEmail": "not-an-email"}), "recipientEmail"),
            (json!({"recipientEmail": ""}), "recipientEmail"),
            (json!({"recipientEmail": "a@example.com", "expiresInDays": 0}), "expiresInDays"),
            (json!({"recipientEmail": "a@example.com", "expiresInDays": 91}), "expiresInDays"),
            (json!({"recipientEmail": "a@example.com", "language": "fr"}), "language"),
            (json!({"recipientEmail": "a@example.com", "maxUses": 0}), "maxUses"),
        ] {
            let problem = expect_problem(app.post_json(&invitations_path(&seller, &buyer), &body).await, 422).await;
            assert_eq!(problem_fields(&problem), [field], "{body}");
        }
    }

    async fn a_blocked_buyer_gets_no_invitation_and_cannot_use_an_old_one(app) {
        let (seller, buyer) = app.create_buyer().await;
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "a@example.com"})).await;
        app.post_json(&format!("{}/block", buyer_path(&seller, &buyer)), &json!({"reason": "fraud signal"})).await;
        expect_problem(app.post_json(&invitations_path(&seller, &buyer), &json!({"recipientEmail": "a@example.com"})).await, 409).await;
        let used = as_system(&app.db, async |tx| invitations::record_use(tx, invitation["uuid"].as_str().unwrap()).await).await;
        assert_eq!(used.unwrap_err(), invitations::Unavailable::BuyerBlocked);
    }

    async fn status_is_right_at_read_time(app) {
        let (seller, buyer) = app.create_buyer().await;
        let expiring = app.invite(&seller, &buyer, json!({"recipientEmail": "a@example.com", "expiresInDays": 1})).await;
        let once = app.invite(&seller, &buyer, json!({"recipientEmail": "a@example.com", "maxUses": 1})).await;
        let revoked = app.invite(&seller, &buyer, json!({"recipientEmail": "a@example.com"})).await;
        let id = |v: &Value| v["uuid"].as_str().unwrap().to_owned();

        sqlx::query("UPDATE invitations SET expires_at = $1 WHERE id = $2")
            .bind(kyc_portal::db::now().millis() - 1).bind(id(&expiring)).execute(app.db.pool()).await.unwrap();
        assert!(as_system(&app.db, async |tx| invitations::record_use(tx, &id(&once)).await).await.is_ok());
        let response = app.post_json(&format!("/v1/invitations/{}/revoke", id(&revoked)), &json!({})).await;
        assert_eq!(body_json(response).await["status"], "REVOKED");

        let status = |v: Value| v["status"].as_str().unwrap().to_owned();
        assert_eq!(status(body_json(app.get(&format!("/v1/invitations/{}", id(&expiring))).await).await), "EXPIRED");
        assert_eq!(status(body_json(app.get(&format!("/v1/invitations/{}", id(&once))).await).await), "EXHAUSTED");
        assert_eq!(status(body_json(app.get(&format!("/v1/invitations/{}", id(&revoked))).await).await), "REVOKED");
        expect_problem(app.post_json(&format!("/v1/invitations/{}/resend", id(&revoked)), &json!({})).await, 409).await;
        assert_eq!(as_system(&app.db, async |tx| invitations::record_use(tx, &id(&expiring)).await).await.unwrap_err(), invitations::Unavailable::Expired);
        assert_eq!(as_system(&app.db, async |tx| invitations::record_use(tx, &id(&revoked)).await).await.unwrap_err(), invitations::Unavailable::Revoked);
    }

    async fn fifty_concurrent_uses_of_a_link_with_five_uses_count_exactly_five(app) {
        let (seller, buyer) = app.create_buyer().await;
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "a@example.com", "maxUses": 5})).await;
        let id = invitation["uuid"].as_str().unwrap().to_owned();
        let uses = (0..50).map(|_| {
            let db = app.db.clone();
            let id = id.clone();
            tokio::spawn(async move { as_system(&db, async |tx| invitations::record_use(tx, &id).await).await.is_ok() })
        });
        let outcomes = futures_util::future::join_all(uses).await;
        assert_eq!(outcomes.iter().filter(|o| *o.as_ref().unwrap()).count(), 5);
        let fetched = body_json(app.get(&format!("/v1/invitations/{id}")).await).await;
        assert_eq!(fetched["usageCount"], 5);
        assert_eq!(fetched["status"], "EXHAUSTED");
        assert!(fetched["lastUsedAt"].is_string());
        let used_events = kyc_portal::events::recent(&app.db, 100).await.unwrap().into_iter().filter(|e| e.event_type == "self_service_invitation.used").count();
        assert_eq!(used_events, 5);
    }

    async fn the_qr_codes_decode_to_exactly_the_link(app) {
        if !require("zbarimg") || !require("rsvg-convert") { return; }
        let (seller, buyer) = app.create_buyer().await;
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "a@example.com"})).await;
        let link = invitation["publicLinkUrl"].as_str().unwrap();
        let base = format!("/v1/invitations/{}", invitation["uuid"].as_str().unwrap());

        let png = app.get(&format!("{base}/qr.png?size=300")).await;
        assert_eq!(png.headers()["content-type"], "image/png");
        assert_eq!(decode_qr(&png.bytes().await.unwrap()), link);

        let svg = app.get(&format!("{base}/qr.svg")).await;
        assert_eq!(svg.headers()["content-type"], "image/svg+xml");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("qr.svg"), svg.bytes().await.unwrap()).unwrap();
        let converted = Command::new("rsvg-convert").args(["-w", "600", "-o"]).arg(dir.path().join("qr.png")).arg(dir.path().join("qr.svg")).status().unwrap();
        assert!(converted.success());
        assert_eq!(decode_qr(&std::fs::read(dir.path().join("qr.png")).unwrap()), link);
        expect_problem(app.get(&format!("{base}/qr.png?size=10")).await, 422).await;
    }

    async fn without_smtp_the_email_lands_as_an_eml_file_in_the_outbox(app) {
        let (seller, buyer) = app.create_buyer().await;
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "outbox@example.com", "language": "en"})).await;
        let outbox = app.dir.path().join("outbox");
        let deadline = Instant::now() + Duration::from_secs(20);
        let file = loop {
            let found = std::fs::read_dir(&outbox).unwrap().flatten().find(|e| e.path().extension().is_some_and(|x| x == "eml"));
            if let Some(file) = found { break file.path(); }
            assert!(Instant::now() < deadline, "no .eml written");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let raw = std::fs::read(file).unwrap();
        let parsed = mailparse::parse_mail(&raw).unwrap();
        let text = parsed.subparts.iter().find(|p| p.ctype.mimetype == "text/plain").unwrap().get_body().unwrap();
        assert!(text.contains(invitation["publicLinkUrl"].as_str().unwrap()));
        let id = invitation["uuid"].as_str().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while body_json(app.get(&format!("/v1/invitations/{id}")).await).await["emailStatus"] != "SENT" {
            assert!(Instant::now() < deadline, "email status never became SENT");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn the_link_is_built_from_the_public_url_never_the_host_header(app) {
        let (seller, buyer) = app.create_buyer().await;
        let response = app.request(reqwest::Method::POST, &invitations_path(&seller, &buyer))
            .header("Host", "evil.example")
            .header("X-Forwarded-Host", "evil.example")
            .json(&json!({"recipientEmail": "a@example.com"}))
            .send().await.unwrap();
        let invitation = body_json(response).await;
        note_issued_link(invitation["publicLinkUrl"].as_str().unwrap());
        assert!(invitation["publicLinkUrl"].as_str().unwrap().starts_with("http://localhost:8080/kyc/"));
    }
}

mod email_over_smtp {
    use super::*;

    /// One invitation emailed through the sink, on each database.
    async fn delivered(language: &str, expected_subject: &str, expected_phrases: &[&str]) {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            delivered_on(backend, language, expected_subject, expected_phrases).await;
        }
    }

    async fn delivered_on(
        backend: Backend,
        language: &str,
        expected_subject: &str,
        expected_phrases: &[&str],
    ) {
        let Some((smtp_url, maildir)) = smtp_sink() else {
            return;
        };
        let Some(app) = TestApp::spawn_with(backend, |s| {
            s.smtp_url = Some(smtp_url.clone().into());
            s.public_url = "https://onboard.example.com".into();
        })
        .await
        else {
            return;
        };
        let (seller, buyer) = app.create_buyer().await;
        let recipient = format!("buyer-{}@example.com", uuid::Uuid::new_v4().simple());
        let invitation = app
            .invite(
                &seller,
                &buyer,
                json!({"recipientEmail": recipient, "expiresInDays": 14, "language": language}),
            )
            .await;
        let link = invitation["publicLinkUrl"].as_str().unwrap();
        assert!(link.starts_with("https://onboard.example.com/kyc/"));

        let raw = wait_for_mail(&maildir, &recipient).await;
        let mail = mailparse::parse_mail(&raw).unwrap();
        assert_eq!(mail.ctype.mimetype, "multipart/alternative");
        let subject = mail
            .headers
            .iter()
            .find(|h| h.get_key_ref() == "Subject")
            .unwrap()
            .get_value();
        assert_eq!(subject, expected_subject);
        let part = |mime: &str| {
            mail.subparts
                .iter()
                .find(|p| p.ctype.mimetype == mime)
                .unwrap()
                .get_body()
                .unwrap()
        };
        let (text, html) = (part("text/plain"), part("text/html"));
        assert!(
            text.contains(link) && html.contains(link),
            "the link is in both parts"
        );
        assert!(html.contains(&format!("lang=\"{language}\"")));
        for phrase in expected_phrases {
            assert!(text.contains(phrase), "text part lacks {phrase:?}:\n{text}");
            assert!(html.contains(phrase), "html part lacks {phrase:?}");
        }
        assert!(
            text.contains("AutoMarkt Seller GmbH"),
            "the seller is named"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_german_invitation_arrives_in_german() {
        let expires = (crate::helpers::now_in_berlin() + chrono::Duration::days(14))
            .format("%d.%m.%Y")
            .to_string();
        delivered(
            "de",
            "AutoMarkt Seller GmbH: Bitte laden Sie Ihre Firmenunterlagen hoch",
            &[
                "Guten Tag",
                "Unterlagen hochladen",
                &format!("gültig bis zum {expires}"),
            ],
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_english_invitation_arrives_in_english() {
        let expires = (crate::helpers::now_in_berlin() + chrono::Duration::days(14))
            .format("%-d %B %Y")
            .to_string();
        delivered(
            "en",
            "AutoMarkt Seller GmbH: please upload your company documents",
            &[
                "Hello",
                "Upload documents",
                &format!("valid until {expires}"),
            ],
        )
        .await;
    }

    /// After rebranding, the email comes from the organisation's name, greets the contact it
    /// goes to by name, lists the documents to have at hand and links the legal pages.
    async fn rebranded_on(backend: Backend) {
        let Some((smtp_url, maildir)) = smtp_sink() else {
            return;
        };
        let Some(app) =
            TestApp::spawn_with(backend, |s| s.smtp_url = Some(smtp_url.clone().into())).await
        else {
            return;
        };
        as_system(&app.db, async |tx| {
            let mut settings = kyc_portal::organisation::load(tx.db()).await?;
            settings.name = "AutoMarkt Onboarding".into();
            settings.imprint_url = Some("https://automarkt.example/impressum".into());
            settings.privacy_url = Some("https://automarkt.example/datenschutz".into());
            kyc_portal::organisation::save(tx, &settings).await
        })
        .await;
        let seller = app.create_seller().await;
        let recipient = format!("erika-{}@example.com", uuid::Uuid::new_v4().simple());
        let mut body = reference_buyer();
        body["contacts"][0]["email"] = json!(recipient.to_uppercase());
        let buyer = body_json(app.post_json(&buyers_path(&seller), &body).await).await;
        app.invite(
            &seller,
            &buyer,
            json!({"recipientEmail": recipient, "language": "de"}),
        )
        .await;

        let raw = wait_for_mail(&maildir, &recipient).await;
        let mail = mailparse::parse_mail(&raw).unwrap();
        let from = mail
            .headers
            .iter()
            .find(|h| h.get_key_ref() == "From")
            .unwrap()
            .get_value();
        assert!(
            from.starts_with("\"AutoMarkt Onboarding\" <")
                || from.starts_with("AutoMarkt Onboarding <"),
            "{from}"
        );
        let text = mail
            .subparts
            .iter()
            .find(|p| p.ctype.mimetype == "text/plain")
            .unwrap()
            .get_body()
            .unwrap();
        let html = mail
            .subparts
            .iter()
            .find(|p| p.ctype.mimetype == "text/html")
            .unwrap()
            .get_body()
            .unwrap();
        assert!(text.starts_with("Guten Tag Erika Mustermann,"), "{text}");
        assert!(
            text.contains("Bitte halten Sie diese Unterlagen bereit")
                && text.contains("- Handelsregisterauszug"),
            "{text}"
        );
        assert!(html.contains("<li>Handelsregisterauszug</li>"));
        assert!(
            text.contains("Impressum: https://automarkt.example/impressum")
                && text.contains("Datenschutzerklärung: https://automarkt.example/datenschutz"),
            "{text}"
        );
        assert!(html.contains("href=\"https://automarkt.example/impressum\""));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_rebranded_invitation_comes_from_the_organisation_greets_by_name_and_lists_the_documents()
     {
        rebranded_on(Backend::Sqlite).await;
        rebranded_on(Backend::Postgres).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_mail_server_that_never_answers_leaves_the_email_failed_and_visible() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let app = TestApp::spawn_with(Backend::Sqlite, |s| {
            s.smtp_url = Some(format!("smtp://127.0.0.1:{port}").into())
        })
        .await
        .unwrap();
        let (seller, buyer) = app.create_buyer().await;
        let invitation = app
            .invite(&seller, &buyer, json!({"recipientEmail": "a@example.com"}))
            .await;
        let path = format!("/v1/invitations/{}", invitation["uuid"].as_str().unwrap());
        let deadline = Instant::now() + Duration::from_secs(30);
        let failed = loop {
            let current = body_json(app.get(&path).await).await;
            if current["emailStatus"] == "FAILED" {
                break current;
            }
            assert!(
                Instant::now() < deadline,
                "the email never failed: {current}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert!(
            failed["emailError"]
                .as_str()
                .unwrap()
                .contains("mail server")
        );
        assert_eq!(failed["status"], "ACTIVE", "the link itself still works");
    }
}

/// An email job's turn coming after its link stopped working: the invitation says SKIPPED and
/// why, and an active link of a blocked buyer says why it answers 410.
mod a_link_that_stopped_working {
    use std::sync::Arc;

    use kyc_portal::email::Mailer;
    use kyc_portal::invitations::InvitationEmailJob;
    use kyc_portal::jobs::JobHandler;
    use kyc_portal::server_key::ServerKey;

    use super::*;

    async fn check(backend: Backend) {
        // No worker: the email job runs exactly when the test says.
        let Some(app) =
            TestApp::spawn_with_options(backend, |_| {}, |o| o.run_worker = false).await
        else {
            return;
        };
        let settings = kyc_portal::Settings::for_data_dir("sqlite://unused", app.dir.path());
        let job = InvitationEmailJob {
            db: app.db.clone(),
            mailer: Mailer::from_settings(&settings).unwrap(),
            settings: Arc::new(settings),
            key: ServerKey::from_bytes([7; 32]),
        };
        let (seller, buyer) = app.create_buyer().await;
        let revoked = app
            .invite(&seller, &buyer, json!({"recipientEmail": "a@example.com"}))
            .await;
        let revoked_url = format!("/v1/invitations/{}", revoked["uuid"].as_str().unwrap());
        assert_eq!(
            app.post_json(&format!("{revoked_url}/revoke"), &json!({}))
                .await
                .status(),
            200
        );
        let kept = app
            .invite(&seller, &buyer, json!({"recipientEmail": "b@example.com"}))
            .await;
        let kept_url = format!("/v1/invitations/{}", kept["uuid"].as_str().unwrap());
        assert_eq!(kept["unavailableReason"], Value::Null);
        assert_eq!(kept["emailStatus"], "QUEUED");

        job.run(&json!({"invitationId": revoked["uuid"]}))
            .await
            .unwrap();
        let after = body_json(app.get(&revoked_url).await).await;
        assert_eq!(after["emailStatus"], "SKIPPED");
        assert_eq!(after["emailSkippedReason"], "REVOKED");
        assert_eq!(after["emailError"], Value::Null);
        assert_eq!(after["unavailableReason"], "REVOKED");

        app.post_json(
            &format!("{}/block", buyer_path(&seller, &buyer)),
            &json!({"reason": "fraud signal"}),
        )
        .await;
        let blocked = body_json(app.get(&kept_url).await).await;
        assert_eq!(blocked["status"], "ACTIVE");
        assert_eq!(blocked["unavailableReason"], "BUYER_BLOCKED");
        job.run(&json!({"invitationId": kept["uuid"]}))
            .await
            .unwrap();
        let skipped = body_json(app.get(&kept_url).await).await;
        assert_eq!(skipped["emailStatus"], "SKIPPED");
        assert_eq!(skipped["emailSkippedReason"], "BUYER_BLOCKED");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn says_skipped_and_why_on_sqlite() {
        check(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn says_skipped_and_why_on_postgres() {
        check(Backend::Postgres).await
    }
}
