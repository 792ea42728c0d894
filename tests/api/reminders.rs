//! The reminder schedule, driven by a clock the tests control: each round runs as of an
//! instant the test chooses, so days pass without sleeping through them.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use kyc_portal::db::Timestamp;
use kyc_portal::reminders::{self, Round};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;
use crate::stubs::*;
use crate::with_smtp_on_both_backends;
use crate::with_vies_on_both_backends;

const REQUIRED: [&str; 5] = [
    "COC_EXTRACT",
    "BANK_CONFIRMATION",
    "VAT_CERTIFICATE",
    "CONTACT_ID",
    "AML_DECLARATION",
];

/// The instant `days` (and a minute) from now.
fn in_days(days: i64) -> Timestamp {
    Timestamp::from(Utc::now() + chrono::Duration::days(days) + chrono::Duration::minutes(1))
}

fn id(value: &Value) -> &str {
    value["uuid"].as_str().unwrap()
}

impl TestApp {
    async fn set_reminders(&self, settings: Value) {
        let response = self.patch_json("/v1/organisation", &settings).await;
        assert_eq!(response.status(), 200);
    }

    /// A new buyer of a new seller whose contact has an address of its own: (the buyer, its
    /// API path, the address).
    async fn buyer_with_contact(&self) -> (Value, String, String) {
        let seller = self.create_seller().await;
        let contact = format!(
            "erika-{}@autohandel-mustermann.de",
            uuid::Uuid::new_v4().simple()
        );
        let mut body = reference_buyer();
        body["contacts"][0]["email"] = json!(contact);
        let buyer = body_json(self.post_json(&buyers_path(&seller), &body).await).await;
        let path = buyer_path(&seller, &buyer);
        (buyer, path, contact)
    }

    async fn round(&self, at: Timestamp) -> Round {
        reminders::run_round(&self.db, at).await.unwrap()
    }

    async fn invitation(&self, invitation: &Value) -> Value {
        body_json(
            self.get(&format!("/v1/invitations/{}", id(invitation)))
                .await,
        )
        .await
    }

    /// Waits until the invitation shows `count` reminders sent.
    async fn reminded(&self, invitation: &Value, count: i64) -> Value {
        eventually(&format!("{count} reminders sent"), || async {
            let current = self.invitation(invitation).await;
            (current["remindersSent"] == count).then_some(current)
        })
        .await
    }

    /// Waits until no reminder email waits in the queue; returns each reminder's status.
    async fn settled_reminders(&self) -> Vec<(String, String, Option<String>)> {
        eventually("the reminders are settled", || async {
            let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
                "SELECT kind, status, skipped_reason FROM reminders ORDER BY due_at, id",
            )
            .fetch_all(self.db.pool())
            .await
            .unwrap();
            rows.iter()
                .all(|(_, status, _)| status != "QUEUED")
                .then_some(rows)
        })
        .await
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(self.db.pool())
            .await
            .unwrap()
    }
}

/// The mail to `recipient` whose subject is `subject`, parsed: (text part, html part).
async fn mail(maildir: &Path, recipient: &str, subject: &str) -> (String, String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        for entry in std::fs::read_dir(maildir.join("new")).unwrap().flatten() {
            let raw = std::fs::read(entry.path()).unwrap();
            let parsed = mailparse::parse_mail(&raw).unwrap();
            let header = |name: &str| {
                parsed
                    .headers
                    .iter()
                    .find(|h| h.get_key_ref().eq_ignore_ascii_case(name))
                    .map(|h| h.get_value())
                    .unwrap_or_default()
            };
            if header("To").contains(recipient) && header("Subject") == subject {
                assert_eq!(parsed.ctype.mimetype, "multipart/alternative");
                let part = |mime: &str| {
                    parsed
                        .subparts
                        .iter()
                        .find(|p| p.ctype.mimetype == mime)
                        .unwrap()
                        .get_body()
                        .unwrap()
                };
                return (part("text/plain"), part("text/html"));
            }
        }
        assert!(
            Instant::now() < deadline,
            "no mail {subject:?} for {recipient}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How many mails went to `recipient`.
fn mails_to(maildir: &Path, recipient: &str) -> usize {
    std::fs::read_dir(maildir.join("new"))
        .unwrap()
        .flatten()
        .filter(|entry| {
            std::fs::read_to_string(entry.path()).is_ok_and(|raw| raw.contains(recipient))
        })
        .count()
}

with_smtp_on_both_backends! {
    async fn an_unused_link_is_recalled_after_the_days_set_and_again_before_it_expires_once_each(app, maildir) {
        app.set_reminders(json!({"invitationReminderAfterDays": 3, "invitationReminderBeforeExpiryDays": 2})).await;
        let recipient = format!("kyc-{}@autohandel-mustermann.de", uuid::Uuid::new_v4().simple());
        let (_, buyer, invitation) = app.invited_buyer(json!({"recipientEmail": recipient, "language": "de", "expiresInDays": 14})).await;
        let link = invitation["publicLinkUrl"].as_str().unwrap();

        assert_eq!(app.round(in_days(2)).await.invitation_reminders, 0, "not due yet");
        assert_eq!(app.round(in_days(3)).await.invitation_reminders, 1);
        assert_eq!(app.round(in_days(3)).await.invitation_reminders, 0, "never twice");
        assert_eq!(app.round(in_days(5)).await.invitation_reminders, 0, "never twice");

        let (text, html) = mail(&maildir, &recipient, "Erinnerung – AutoMarkt Seller GmbH: Bitte laden Sie Ihre Firmenunterlagen hoch").await;
        assert!(text.contains(link) && html.contains(link), "the invitation's own link: {text}");
        assert!(text.contains("Der Link wurde noch nicht geöffnet."), "{text}");
        assert!(html.contains("lang=\"de\""));
        let shown = app.reminded(&invitation, 1).await;
        assert!(shown["lastReminderAt"].is_string(), "{shown}");

        // Two days before it expires: the second step, once.
        assert_eq!(app.round(in_days(12)).await.invitation_reminders, 1);
        assert_eq!(app.round(in_days(13)).await.invitation_reminders, 0);
        let (text, _) = mail(&maildir, &recipient, "Erinnerung – AutoMarkt Seller GmbH: Ihr Upload-Link läuft bald ab").await;
        assert!(text.contains(link), "{text}");
        app.reminded(&invitation, 2).await;
        assert_eq!(mails_to(&maildir, &recipient), 3, "the invitation and two reminders");
        let kinds: Vec<(String, String)> = app.settled_reminders().await.into_iter().map(|(kind, status, _)| (kind, status)).collect();
        assert_eq!(kinds, [("INVITATION_UNUSED".to_owned(), "SENT".to_owned()), ("INVITATION_EXPIRING".to_owned(), "SENT".to_owned())]);

        // Staff see it on the invitation and in the buyer's history.
        let mut admin = app.admin_browser().await;
        let page = admin.page(&format!("/admin/buyers/{}/invitations", id(&buyer))).await;
        assert!(page.contains("Reminders sent: 2, the last on"), "{page}");
        assert!(page.contains("Reminder of a link not opened: sent on") && page.contains("Reminder before the link expires: sent on"), "{page}");
        let history = admin.page(&format!("/admin/buyers/{}/history", id(&buyer))).await;
        assert!(history.contains(&format!("reminded {recipient} of the link.")), "{history}");
    }

    async fn a_document_about_to_lapse_asks_the_buyers_contact_for_a_current_one_with_a_fresh_link(app, maildir) {
        let hooks = receiver().await;
        let endpoint = app.subscribe(&hooks.uri(), &["kyc.document_expiring"]).await;
        app.set_reminders(json!({"documentExpiryReminderDays": 14})).await;
        let (buyer, path, contact) = app.buyer_with_contact().await;
        let document = app.upload_pdf(&format!("{path}/kyc/documents"), "COC_EXTRACT").await;
        // The register extract (at most 365 days) counts for six more days.
        let date = (Utc::now().date_naive() - chrono::Duration::days(360)).to_string();
        sqlx::query("UPDATE documents SET document_date = $1 WHERE id = $2")
            .bind(&date).bind(id(&document)).execute(app.db.pool()).await.unwrap();

        assert_eq!(app.round(in_days(-10)).await.document_reminders, 0, "not within 14 days yet");
        assert_eq!(app.round(in_days(0)).await.document_reminders, 1);
        assert_eq!(app.round(in_days(1)).await.document_reminders, 0, "never twice");

        let delivered = await_deliveries(&hooks, 1).await;
        verify_with_standard_webhooks(endpoint["secret"].as_str().unwrap(), &delivered);
        let event = delivered[0].json();
        assert_eq!(event["type"], "kyc.document_expiring");
        assert_eq!(event["data"]["documentId"], document["uuid"]);
        assert_eq!(event["data"]["type"], "COC_EXTRACT");
        assert_eq!(event["data"]["buyerId"], buyer["uuid"]);
        let lapses = (Utc::now().date_naive() + chrono::Duration::days(6)).to_string();
        assert_eq!(event["data"]["lapsesOn"], json!(lapses));

        // No link was open: a fresh one, sent in the reminder, in the organisation's language.
        let (text, html) = mail(&maildir, &contact, "AutoMarkt Seller GmbH: a company document will soon be too old").await;
        let invitations = body_json(app.get(&format!("{path}/kyc/self-service-invitations")).await).await;
        let items = invitations["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        let link = items[0]["publicLinkUrl"].as_str().unwrap();
        note_issued_link(link);
        assert!(text.contains(link) && html.contains(link), "{text}");
        assert!(text.contains("Commercial register extract"), "names the document: {text}");
        assert!(html.contains("lang=\"en\""));
        assert_eq!(items[0]["recipientEmail"], json!(contact));
        eventually("the link's email shows as sent", || async {
            let current = body_json(app.get(&format!("/v1/invitations/{}", items[0]["uuid"].as_str().unwrap())).await).await;
            (current["emailStatus"] == "SENT").then_some(())
        }).await;
        assert_eq!(mails_to(&maildir, &contact), 1, "one email, not an invitation and a reminder");
    }
}

with_smtp_on_both_backends! {
    async fn an_identity_document_about_to_expire_is_asked_for_as_expiring_not_as_too_old(app, maildir) {
        app.set_reminders(json!({
            "documentExpiryReminderDays": 14,
            "requiredDocumentTypes": [{"type": "COC_EXTRACT", "maxAgeDays": 365}, {"type": "CONTACT_ID"}],
        })).await;
        let (_, path, contact) = app.buyer_with_contact().await;
        let expires_on = (Utc::now().date_naive() + chrono::Duration::days(5)).to_string();
        let form = reqwest::multipart::Form::new()
            .text("type", "CONTACT_ID")
            .text("expiresOn", expires_on)
            .part("file", reqwest::multipart::Part::bytes(crate::fixtures::small_pdf())
                .file_name("ausweis.pdf").mime_str("application/pdf").unwrap());
        let uploaded = app.upload(&format!("{path}/kyc/documents"), form).await;
        assert_eq!(uploaded.status(), 201);

        assert_eq!(app.round(in_days(0)).await.document_reminders, 1);
        let (text, html) = mail(&maildir, &contact, "AutoMarkt Seller GmbH: an identity document expires soon").await;
        assert!(text.contains("ID document of the contact person"), "names the document: {text}");
        assert!(text.contains("expires soon") && !text.contains("too old"), "{text}");
        assert!(html.contains("Upload a valid identity document"), "{html}");
    }
}

on_both_backends! {
    async fn the_reminder_settings_are_read_and_changed_on_the_organisation(app) {
        let organisation = body_json(app.get("/v1/organisation").await).await;
        assert_eq!((organisation["invitationReminderAfterDays"].as_i64(), organisation["invitationReminderBeforeExpiryDays"].as_i64(), organisation["documentExpiryReminderDays"].as_i64()), (Some(0), Some(0), Some(0)), "off until chosen");
        app.set_reminders(json!({"invitationReminderAfterDays": 5, "documentExpiryReminderDays": 30})).await;
        let organisation = body_json(app.get("/v1/organisation").await).await;
        assert_eq!((organisation["invitationReminderAfterDays"].as_i64(), organisation["invitationReminderBeforeExpiryDays"].as_i64(), organisation["documentExpiryReminderDays"].as_i64()), (Some(5), Some(0), Some(30)));
        let refused = app.patch_json("/v1/organisation", &json!({"invitationReminderBeforeExpiryDays": 400})).await;
        let problem = expect_problem(refused, 422).await;
        assert_eq!(problem_fields(&problem), ["invitationReminderBeforeExpiryDays"]);

        let mut admin = app.admin_browser().await;
        let form = admin.page("/admin/settings").await;
        assert!(form.contains("name=\"reminder_invitationReminderAfterDays\"") && form.contains("value=\"5\""), "{form}");
        let saved = admin.save_settings(&[("reminder_invitationReminderBeforeExpiryDays", "3")]).await;
        assert_eq!(saved.status(), 303);
        let organisation = body_json(app.get("/v1/organisation").await).await;
        assert_eq!(organisation["invitationReminderBeforeExpiryDays"], 3);
        assert_eq!(organisation["invitationReminderAfterDays"], 5, "kept");
    }

    async fn the_contract_names_the_reminder_fields_and_the_expiring_document_event(app) {
        let contract = body_json(app.get("/v1/openapi.json").await).await;
        let schemas = contract["components"]["schemas"].to_string();
        for field in ["invitationReminderAfterDays", "invitationReminderBeforeExpiryDays", "documentExpiryReminderDays", "remindersSent", "lastReminderAt"] {
            assert!(schemas.contains(&format!("\"{field}\"")), "{field} is in the schemas");
        }
        assert!(contract["webhooks"]["kyc.document_expiring"]["post"].is_object());
        let mut admin = app.admin_browser().await;
        let page = admin.page("/admin/webhooks").await;
        assert!(page.contains("kyc.document_expiring") && page.contains("A required document will soon be too old"), "{page}");
    }

    async fn no_reminder_when_off_to_a_blocked_buyer_after_the_documents_are_complete_or_for_an_opened_link(app) {
        let (seller, blocked, _) = app.invited_buyer(json!({"recipientEmail": "a@example.com"})).await;
        assert_eq!(app.round(in_days(5)).await.invitation_reminders, 0, "off by default");

        app.set_reminders(json!({"invitationReminderAfterDays": 3})).await;
        app.post_json(&format!("{}/block", buyer_path(&seller, &blocked)), &json!({"reason": "hold"})).await;
        let (seller, complete, _) = app.invited_buyer(json!({"recipientEmail": "b@example.com"})).await;
        let path = buyer_path(&seller, &complete);
        for kind in REQUIRED {
            app.upload_pdf(&format!("{path}/kyc/documents"), kind).await;
        }
        let (_, _, opened) = app.invited_buyer(json!({"recipientEmail": "c@example.com"})).await;
        assert_eq!(app.open_link(&crate::portal::browser(), &opened).await.status(), 200);
        assert_eq!(app.round(in_days(5)).await.invitation_reminders, 0);

    }

    async fn rounds_running_at_once_in_two_instances_queue_each_reminder_once(app) {
        app.set_reminders(json!({"invitationReminderAfterDays": 3})).await;
        for n in 0..3 {
            app.invited_buyer(json!({"recipientEmail": format!("buyer-{n}@example.com")})).await;
        }
        let at = in_days(4);
        let (first, second) = tokio::join!(
            reminders::run_round(&app.db, at),
            reminders::run_round(&app.db, at),
        );
        let queued = first.unwrap().invitation_reminders + second.unwrap().invitation_reminders;
        assert_eq!(queued, 3);
        assert_eq!(app.count("SELECT COUNT(*) FROM reminders").await, 3);
        assert_eq!(app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'reminder.email'").await, 3);
    }
}

with_vies_on_both_backends! {
    async fn a_status_lapses_on_the_day_its_document_grows_too_old_without_any_request(app, vies) {
        check_vat_number().respond_with(vies_verdict("DE", "136695976", true)).mount(&vies).await;
        let (seller, buyer) = app.create_buyer_with_vat("DE136695976").await;
        let path = buyer_path(&seller, &buyer);
        for kind in REQUIRED {
            app.upload_pdf(&format!("{path}/kyc/documents"), kind).await;
        }
        app.settled_vies_check(&path).await;
        // The register extract (at most 365 days) counts today, its last day.
        let date = (Utc::now().date_naive() - chrono::Duration::days(365)).to_string();
        sqlx::query("UPDATE documents SET document_date = $1 WHERE type = 'COC_EXTRACT'")
            .bind(date).execute(app.db.pool()).await.unwrap();
        let changes = || async {
            kyc_portal::events::recent(&app.db, 100).await.unwrap().into_iter()
                .filter(|e| e.event_type == "kyc.status_changed")
                .map(|e| e.data["overallStatus"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(changes().await.first().map(String::as_str), Some("VALID"));

        assert_eq!(app.round(in_days(0)).await.statuses_changed, 0, "still counts today");
        let next_day = Timestamp::from((Utc::now().date_naive() + chrono::Duration::days(1)).and_hms_opt(0, 5, 0).unwrap().and_utc());
        assert_eq!(app.round(next_day).await.statuses_changed, 1);

        let events = kyc_portal::events::recent(&app.db, 100).await.unwrap();
        let changed = events.iter().find(|e| e.event_type == "kyc.status_changed").unwrap();
        assert_eq!(changed.data["overallStatus"], "PENDING");
        assert_eq!(changed.data["previousStatus"], "VALID");
        assert_eq!(changed.data["expiredDocumentTypes"], json!(["COC_EXTRACT"]));
        assert_eq!(app.round(next_day).await.statuses_changed, 0, "announced once");
    }
}

/// A portal whose worker the test runs step by step, and that worker with the reminder
/// emails' handler (writing mail into the data folder's outbox).
async fn with_own_worker(backend: Backend) -> Option<(TestApp, kyc_portal::jobs::Worker)> {
    let app = TestApp::spawn_with_options(backend, |_| {}, |o| o.run_worker = false).await?;
    let settings = kyc_portal::Settings::for_data_dir("sqlite://unused.db", app.dir.path());
    let job = kyc_portal::reminders::ReminderEmailJob {
        db: app.db.clone(),
        key: kyc_portal::server_key::ServerKey::load_or_create(&settings).unwrap(),
        mailer: kyc_portal::email::Mailer::from_settings(&settings).unwrap(),
        settings: std::sync::Arc::new(settings),
    };
    let worker = kyc_portal::jobs::Worker::new(app.db.clone(), quick_worker())
        .register(reminders::REMINDER_JOB, std::sync::Arc::new(job));
    Some((app, worker))
}

async fn a_reminder_whose_buyer_was_blocked_or_completed_before_its_turn_is_skipped_on(
    backend: Backend,
) {
    let Some((app, worker)) = with_own_worker(backend).await else {
        return;
    };
    app.set_reminders(json!({"invitationReminderAfterDays": 3}))
        .await;
    let (seller, blocked, blocked_link) = app
        .invited_buyer(json!({"recipientEmail": "a@example.com"}))
        .await;
    let (seller_b, complete, complete_link) = app
        .invited_buyer(json!({"recipientEmail": "b@example.com"}))
        .await;
    let (_, _, waiting_link) = app
        .invited_buyer(json!({"recipientEmail": "c@example.com"}))
        .await;
    assert_eq!(app.round(in_days(4)).await.invitation_reminders, 3);

    app.post_json(
        &format!("{}/block", buyer_path(&seller, &blocked)),
        &json!({"reason": "hold"}),
    )
    .await;
    let path = buyer_path(&seller_b, &complete);
    for kind in REQUIRED {
        app.upload_pdf(&format!("{path}/kyc/documents"), kind).await;
    }
    while worker.step().await.unwrap() != kyc_portal::jobs::Step::Idle {}

    let outcome = |link: &Value| {
        let id = id(link).to_owned();
        let db = app.db.clone();
        async move {
            sqlx::query_as::<_, (String, Option<String>)>(
                "SELECT status, skipped_reason FROM reminders WHERE invitation_id = $1",
            )
            .bind(id)
            .fetch_one(db.pool())
            .await
            .unwrap()
        }
    };
    assert_eq!(
        outcome(&blocked_link).await,
        ("SKIPPED".to_owned(), Some("BUYER_BLOCKED".to_owned()))
    );
    assert_eq!(
        outcome(&complete_link).await,
        ("SKIPPED".to_owned(), Some("DOCUMENTS_COMPLETE".to_owned()))
    );
    assert_eq!(outcome(&waiting_link).await, ("SENT".to_owned(), None));
    assert_eq!(app.invitation(&blocked_link).await["remindersSent"], 0);
    assert_eq!(app.invitation(&complete_link).await["remindersSent"], 0);
    assert_eq!(app.invitation(&waiting_link).await["remindersSent"], 1);
    let mut admin = app.admin_browser().await;
    let page = admin
        .page(&format!("/admin/buyers/{}/invitations", id(&blocked)))
        .await;
    assert!(
        page.contains("Reminder of a link not opened: not sent: the buyer is blocked"),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_whose_buyer_was_blocked_or_completed_before_its_turn_is_skipped_sqlite() {
    a_reminder_whose_buyer_was_blocked_or_completed_before_its_turn_is_skipped_on(Backend::Sqlite)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_whose_buyer_was_blocked_or_completed_before_its_turn_is_skipped_postgres() {
    a_reminder_whose_buyer_was_blocked_or_completed_before_its_turn_is_skipped_on(
        Backend::Postgres,
    )
    .await;
}

/// The operator runs one round from the command line, now or as of a chosen instant.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_run_at_an_instant_queues_what_is_due_then() {
    let Some(app) =
        TestApp::spawn_with_options(Backend::Sqlite, |_| {}, |o| o.run_worker = false).await
    else {
        return;
    };
    app.set_reminders(json!({"invitationReminderAfterDays": 3}))
        .await;
    app.invited_buyer(json!({"recipientEmail": "a@example.com"}))
        .await;
    let url = format!("sqlite://{}/kyc-portal.db", app.dir.path().display());
    let run = |at: Option<String>| {
        let mut command = crate::cli::portal();
        command
            .args(["reminders", "run"])
            .env("DATABASE_URL", &url)
            .env("KYC_PORTAL_DATA_DIR", app.dir.path());
        if let Some(at) = at {
            command.args(["--at", &at]);
        }
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(
        run(None).contains("0 invitation reminders"),
        "not due today"
    );
    let later = in_days(4).rfc3339();
    let printed = run(Some(later.clone()));
    assert!(
        printed.contains(&format!("round as of {later}"))
            && printed.contains("1 invitation reminders"),
        "{printed}"
    );
    assert!(run(Some(later)).contains("0 invitation reminders"), "once");
    let refused = crate::cli::portal()
        .args(["reminders", "run", "--at", "tomorrow"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("RFC 3339"));
}

with_smtp_on_both_backends! {
    async fn staff_who_ask_for_it_get_a_daily_digest_in_their_language_once_a_day(app, maildir) {
        let address = format!("officer-{}@marketplace.example", uuid::Uuid::new_v4().simple());
        let mut officer = app.signed_in(&address, kyc_portal::staff::StaffRole::Staff).await;
        let start = officer.page("/admin").await;
        assert!(start.contains("Email me a daily digest"), "{start}");
        assert_eq!(app.round(in_days(0)).await.digests, 0, "nobody asked");

        let asked = officer.post("/admin/digest", &[("daily_digest", "true")]).await;
        assert_eq!(asked.status(), 303);
        assert!(officer.page("/admin").await.contains("You get this overview by email every morning."));
        let switched = officer.post("/admin/language", &[("lang", "de"), ("back", "/admin")]).await;
        assert_eq!(switched.status(), 303);
        let (seller, buyer) = app.create_buyer().await;
        app.post_json(&format!("{}/block", buyer_path(&seller, &buyer)), &json!({"reason": "hold"})).await;

        let at = in_days(0);
        assert_eq!(app.round(at).await.digests, 1);
        assert_eq!(app.round(at).await.digests, 0, "once a day");
        let day = at.to_datetime().format("%d.%m.%Y").to_string();
        let (text, html) = mail(&maildir, &address, &format!("KYC Portal: Was am {day} ansteht")).await;
        assert!(html.contains("lang=\"de\""));
        assert!(text.contains("AutoHandel Mustermann GmbH: jetzt BLOCKED"), "{text}");
        assert!(text.contains("/admin/buyers/"), "{text}");
        assert!(text.contains("Neue Uploads (letzte 7 Tage)"), "the start page's counts: {text}");

        let stopped = officer.post("/admin/digest", &[]).await;
        assert_eq!(stopped.status(), 303);
        assert_eq!(app.round(in_days(1)).await.digests, 0, "stopped");
        assert_eq!(mails_to(&maildir, &address), 1);
    }
}
