//! The end of a business relationship, the legal hold and the erasure of a buyer's personal
//! data once its retention period has run out.

use serde_json::json;

use crate::documents::{documents_path, form};
use crate::fixtures::small_pdf;
use crate::helpers::*;
use crate::invitations::invitations_path;
use crate::on_both_backends;

on_both_backends! {
    async fn an_ended_buyer_gets_no_invitations_uploads_or_checks_until_it_is_reopened(app) {
        let (seller, buyer) = app.create_buyer().await;
        let path = buyer_path(&seller, &buyer);
        let invitation = app.invite(&seller, &buyer, json!({"recipientEmail": "anna@example.com"})).await;

        let problem = expect_problem(app.post_json(&format!("{path}/end"), &json!({"reason": " "})).await, 422).await;
        assert_eq!(problem_fields(&problem), ["reason"]);
        let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
        let future = app.post_json(&format!("{path}/end"), &json!({"reason": "Vertrag endet", "endedAt": tomorrow})).await;
        assert_eq!(future.headers()["content-type"], "application/problem+json");
        let problem = expect_problem(future, 422).await;
        assert_eq!(problem_fields(&problem), ["endedAt"]);
        assert!(problem.to_string().contains("must not be in the future"), "{problem}");
        assert!(body_json(app.get(&path).await).await["endedAt"].is_null(), "nothing ended");
        let ended = body_json(app.post_json(&format!("{path}/end"), &json!({"reason": "Contract terminated", "endedAt": "2026-03-01T00:00:00Z"})).await).await;
        assert_eq!(ended["endedAt"], "2026-03-01T00:00:00.000Z");
        assert_eq!(ended["endReason"], "Contract terminated");

        let refused = expect_problem(app.post_json(&invitations_path(&seller, &buyer), &json!({"recipientEmail": "anna@example.com"})).await, 409).await;
        assert!(refused["detail"].as_str().unwrap().contains("ended"), "{refused}");
        expect_problem(app.upload(&documents_path(&seller, &buyer), form("COC_EXTRACT", "2026-01-15", "a.pdf", small_pdf())).await, 409).await;
        expect_problem(app.post_json(&format!("{path}/kyc/vies-check"), &json!({})).await, 409).await;
        assert_eq!(reqwest::get(app.link_path(&invitation)).await.unwrap().status(), 410);
        let listed = body_json(app.get(&invitations_path(&seller, &buyer)).await).await;
        assert_eq!(listed["items"][0]["unavailableReason"], "BUYER_ENDED");

        let reopened = body_json(app.post_json(&format!("{path}/reopen"), &json!({})).await).await;
        assert!(reopened["endedAt"].is_null());
        assert_eq!(app.post_json(&invitations_path(&seller, &buyer), &json!({"recipientEmail": "anna@example.com"})).await.status(), 201);

        let history = body_json(app.get(&format!("{path}/history")).await).await;
        let actions: Vec<&str> = history["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"ended") && actions.contains(&"reopened"), "{actions:?}");
    }
}

/// RFC 3339 of `years` (of 365 days) before now.
fn years_ago(years: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(365 * years))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A buyer of its own seller with a contact, an invitation and one uploaded document whose
/// name and bytes are its own; ended `ended_years` ago.
async fn ended_buyer(
    app: &TestApp,
    mark: &str,
    ended_years: i64,
) -> (String, serde_json::Value, Vec<String>, Vec<u8>) {
    let seller = app.create_seller().await;
    let phone = format!("+49 30 777{}{}", mark.len(), mark.len());
    let mut body = reference_buyer();
    body["companyName"] = json!(format!("Firma {mark} GmbH"));
    body["contacts"][0] = json!({"firstName": format!("Vorname{mark}"), "lastName": format!("Nachname{mark}"), "email": format!("kontakt.{}@example.com", mark.to_lowercase()), "phone": phone.clone()});
    body["address"]["street"] = json!(format!("Strasse{mark} 1"));
    // With a key, so that its response is kept for replay.
    let created = app
        .post_json_with_key(&buyers_path(&seller), &body, &format!("anlegen-{mark}"))
        .await;
    assert_eq!(created.status(), 201);
    let buyer = body_json(created).await;
    app.invite(
        &seller,
        &buyer,
        json!({"recipientEmail": format!("einladung.{}@example.com", mark.to_lowercase())}),
    )
    .await;
    let bytes = crate::fixtures::pdf_with(&format!("Inhalt{mark}"), "", 0);
    let file_name = format!("Ausweis{mark}.pdf");
    let uploaded = app
        .upload(
            &documents_path(&seller, &buyer),
            form("COC_EXTRACT", "2026-01-15", &file_name, bytes.clone()),
        )
        .await;
    assert_eq!(uploaded.status(), 201);
    let check = app
        .post_json(
            &format!("{}/kyc/vies-check", buyer_path(&seller, &buyer)),
            &json!({}),
        )
        .await;
    assert!(check.status().is_success(), "{}", check.status());
    let ended = app
        .post_json(
            &format!("{}/end", buyer_path(&seller, &buyer)),
            &json!({"reason": "Vertrag beendet", "endedAt": years_ago(ended_years)}),
        )
        .await;
    assert_eq!(ended.status(), 200);
    let needles = vec![
        format!("Firma {mark}"),
        format!("Vorname{mark}"),
        format!("Nachname{mark}"),
        format!("kontakt.{}@example.com", mark.to_lowercase()),
        format!("einladung.{}@example.com", mark.to_lowercase()),
        phone,
        format!("Strasse{mark}"),
        file_name,
    ];
    (seller, buyer, needles, bytes)
}

async fn exec(app: &TestApp, sql: String) {
    sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
        .execute(app.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// What operations leave of a buyer besides its own rows: a mail server's refusal quoting the
/// invitation's recipient on the email job, a webhook receiver's answer quoting the company
/// on an attempt, and a reviewer's note naming a contact.
async fn leave_operational_traces(app: &TestApp, buyer: &serde_json::Value, mark: &str) {
    let id = buyer["uuid"].as_str().unwrap();
    let at = kyc_portal::db::now().millis();
    let invitation: String = sqlx::query_scalar("SELECT id FROM invitations WHERE buyer_id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let email = format!("einladung.{}@example.com", mark.to_lowercase());
    exec(app, format!(
        "INSERT INTO jobs (id, kind, payload, status, attempts, max_attempts, run_at, locked_by, locked_until, last_error, created_at, updated_at) \
         VALUES ('job-{mark}', 'invitation.email', '{{\"invitationId\":\"{invitation}\"}}', 'failed', 3, 3, {at}, NULL, NULL, \
         '550 5.1.1 <{email}>: mailbox unknown', {at}, {at})"
    )).await;
    exec(app, format!(
        "INSERT INTO webhook_endpoints (id, url, events, secret, created_at, deleted_at, seller_id) \
         VALUES ('endpoint-{mark}', 'https://hooks.example.com/{mark}', '[]', 'secret', {at}, NULL, NULL)"
    )).await;
    exec(
        app,
        format!(
            "INSERT INTO events (id, type, occurred_at, data, seller_id) \
         VALUES ('event-{mark}', 'buyer.updated', {at}, '{{\"buyerId\":\"{id}\"}}', NULL)"
        ),
    )
    .await;
    exec(app, format!(
        "INSERT INTO jobs (id, kind, payload, status, attempts, max_attempts, run_at, locked_by, locked_until, last_error, created_at, updated_at) \
         VALUES ('delivery-job-{mark}', 'webhook.deliver', '{{}}', 'failed', 3, 3, {at}, NULL, NULL, 'receiver: unknown Firma {mark}', {at}, {at})"
    )).await;
    exec(app, format!(
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, job_id, created_at, succeeded_at) \
         VALUES ('delivery-{mark}', 'endpoint-{mark}', 'event-{mark}', 'buyer.updated', 'delivery-job-{mark}', {at}, NULL)"
    )).await;
    exec(app, format!(
        "INSERT INTO webhook_attempts (id, delivery_id, attempted_at, response_status, duration_ms, error) \
         VALUES ('attempt-{mark}', 'delivery-{mark}', {at}, 400, 5, 'HTTP 400: Firma {mark} GmbH is no customer')"
    )).await;
    // A verification whose provider named the contact: the signed profile shows the name.
    exec(app, format!(
        "INSERT INTO verifications (id, buyer_id, provider, scan_ref, auth_token, session_url, language, status, \
         created_at, expires_at, aml_hit, person_first_name, person_last_name, person_birth_date) \
         VALUES ('verification-{mark}', '{id}', 'IDENFY', 'scan-{mark}', 'token', 'https://ui.idenfy.com/', 'de', \
         'VERIFIED', {at}, {at}, 0, 'Vorname{mark}', 'Nachname{mark}', '1980-01-01')"
    )).await;
    exec(
        app,
        format!(
            "UPDATE documents SET review_note = 'Passfoto passt nicht zu Nachname{mark}', \
         proposed_note = 'Vorname{mark} fragen' WHERE buyer_id = '{id}'"
        ),
    )
    .await;
}

/// How many kept API responses are about the buyer `id` (found by their path or `Location`).
async fn kept_responses(app: &TestApp, id: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM idempotency_keys WHERE path LIKE '%' || $1 || '%' \
         OR response_headers LIKE '%' || $1 || '%'",
    )
    .bind(id)
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

/// The VAT numbers the VIES checks of buyer `id` name.
async fn checked_vat_numbers(app: &TestApp, id: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT vat_number FROM vies_checks WHERE buyer_id = $1")
        .bind(id)
        .fetch_all(app.db.pool())
        .await
        .unwrap()
}

/// Every table's name.
async fn tables(app: &TestApp) -> Vec<String> {
    let sql = if app.db.backend() == kyc_portal::db::Backend::Sqlite {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'"
    } else {
        "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'"
    };
    sqlx::query_scalar(sql)
        .fetch_all(app.db.pool())
        .await
        .unwrap()
}

/// Where in the database (table and column) and the store any of `needles` or `bytes` is left.
async fn traces(app: &TestApp, needles: &[String], bytes: &[u8]) -> Vec<String> {
    use sqlx::{Column, Row};
    let mut found = Vec::new();
    for table in tables(app).await {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}")))
            .fetch_all(app.db.pool())
            .await
            .unwrap();
        for row in &rows {
            for (i, column) in row.columns().iter().enumerate() {
                let value: Vec<u8> = match row.try_get::<Option<String>, _>(i) {
                    Ok(text) => text.unwrap_or_default().into_bytes(),
                    Err(_) => row
                        .try_get::<Option<Vec<u8>>, _>(i)
                        .ok()
                        .flatten()
                        .unwrap_or_default(),
                };
                let text = String::from_utf8_lossy(&value);
                for needle in needles {
                    if text.contains(needle.as_str()) {
                        found.push(format!("{table}.{} holds {needle}", column.name()));
                    }
                }
                if !bytes.is_empty() && value.windows(bytes.len()).any(|w| w == bytes) {
                    found.push(format!(
                        "{table}.{} holds the document's bytes",
                        column.name()
                    ));
                }
            }
        }
    }
    for (key, _) in app.blobs.list().await.unwrap() {
        let mut stream = app.blobs.read(&key).await.unwrap();
        let mut stored = Vec::new();
        while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
            stored.extend_from_slice(&chunk.unwrap());
        }
        if stored == bytes {
            found.push(format!(
                "the store holds the document's bytes under {}",
                key.as_str()
            ));
        }
    }
    found
}

/// A buyer ended six years ago is erased by the next run and leaves nothing personal; a held
/// one and one ended four years ago keep everything.
async fn the_retention_run_erases_what_ran_out_and_nothing_else(app: &TestApp) {
    let (seller, gone, gone_needles, gone_bytes) = ended_buyer(app, "Sechs", 6).await;
    let (_, held, held_needles, held_bytes) = ended_buyer(app, "Halten", 6).await;
    let (kept_seller, kept, kept_needles, kept_bytes) = ended_buyer(app, "Vier", 4).await;
    let held_id = held["uuid"].as_str().unwrap();
    kyc_portal::write::apply(&app.db, kyc_portal::audit::Actor::System, async |tx| {
        kyc_portal::buyers::hold(
            tx,
            held["sellerId"].as_str().unwrap(),
            held_id,
            "Ermittlungsverfahren".into(),
        )
        .await
    })
    .await
    .unwrap();
    leave_operational_traces(app, &gone, "Sechs").await;
    let before = traces(app, &gone_needles, &gone_bytes).await;
    assert!(
        before.len() >= gone_needles.len(),
        "the search finds what is there"
    );
    for column in [
        "jobs.last_error",
        "webhook_attempts.error",
        "documents.review_note",
        "documents.proposed_note",
        "verifications.person_first_name",
        "verifications.person_last_name",
    ] {
        assert!(
            before.iter().any(|t| t.starts_with(column)),
            "{column}: {before:?}"
        );
    }
    let gone_id = gone["uuid"].as_str().unwrap();
    assert_eq!(kept_responses(app, gone_id).await, 1);

    let erased = kyc_portal::erasure::run(&app.db, &app.blobs, kyc_portal::db::now())
        .await
        .unwrap();

    assert_eq!(
        erased
            .iter()
            .map(|e| e.buyer_id.as_str())
            .collect::<Vec<_>>(),
        [gone["uuid"].as_str().unwrap()]
    );
    assert_eq!(erased[0].files, 1);
    assert_eq!(
        traces(app, &gone_needles, &gone_bytes).await,
        Vec::<String>::new()
    );
    assert_eq!(
        kept_responses(app, gone_id).await,
        0,
        "the kept response named the buyer"
    );
    assert_eq!(kept_responses(app, held_id).await, 1);
    assert_eq!(
        checked_vat_numbers(app, gone_id).await,
        ["ERASED-".to_owned() + gone_id]
    );
    assert_eq!(checked_vat_numbers(app, held_id).await, ["DE123456789"]);
    assert_eq!(
        traces(app, &held_needles, &held_bytes).await.len(),
        traces(app, &held_needles, &[]).await.len() + 1,
        "the held buyer's file is still stored"
    );
    assert!(!traces(app, &held_needles, &[]).await.is_empty());
    assert!(!traces(app, &kept_needles, &kept_bytes).await.is_empty());
    assert!(
        traces(app, &kept_needles, &kept_bytes)
            .await
            .iter()
            .any(|t| t.starts_with("the store"))
    );

    let still = body_json(app.get(&buyer_path(&kept_seller, &kept)).await).await;
    assert!(still["erasedAt"].is_null());
    assert_eq!(still["contacts"][0]["firstName"], "VornameVier");
    let path = buyer_path(&seller, &gone);
    let shown = body_json(app.get(&path).await).await;
    assert!(!shown["erasedAt"].is_null());
    // Its invitations are still listed, without the address they went to, and still as
    // emailed ones, not as print-only.
    let invitations = app
        .get(&format!("{path}/kyc/self-service-invitations"))
        .await;
    assert_eq!(invitations.status(), 200);
    let invitations = body_json(invitations).await;
    let invitation = &invitations["items"][0];
    assert!(invitation["recipientEmail"].is_null(), "{invitation}");
    assert!(!invitation["emailStatus"].is_null(), "{invitation}");
    let refused = app
        .patch_json(
            &path,
            &json!({"version": shown["version"], "companyName": "Firma Sechs GmbH"}),
        )
        .await;
    expect_problem(refused, 409).await;
    let history = body_json(app.get(&format!("{path}/history")).await).await;
    let tombstone = &history["items"][0];
    assert_eq!(tombstone["action"], "erased");
    assert_eq!(tombstone["after"]["rule"], "AFTER_END");
    let events = kyc_portal::events::recent(&app.db, 100).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.event_type == "kyc.buyer_erased" && e.data["buyerId"] == gone["uuid"])
    );

    let again = kyc_portal::erasure::run(&app.db, &app.blobs, kyc_portal::db::now())
        .await
        .unwrap();
    assert!(again.is_empty(), "an erased buyer is erased once");
}

on_both_backends! {
    async fn a_buyer_ended_six_years_ago_is_erased_from_the_local_store_and_every_table(app) {
        the_retention_run_erases_what_ran_out_and_nothing_else(&app).await;
    }
}

async fn on_s3(backend: Backend) {
    if let Some(app) = crate::storage_s3::app_on_s3(backend).await {
        the_retention_run_erases_what_ran_out_and_nothing_else(&app).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_ended_six_years_ago_is_erased_from_s3_on_sqlite() {
    on_s3(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_ended_six_years_ago_is_erased_from_s3_on_postgres() {
    on_s3(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_run_on_the_command_line_erases_at_the_time_it_is_given_and_prints_it() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let (_, buyer, _, _) = ended_buyer(&app, "Kommando", 4).await;
    let run = |at: Option<String>| {
        let mut command = crate::cli::portal();
        command.args(["retention", "run"]);
        if let Some(at) = at {
            command.args(["--at", &at]);
        }
        let output = command
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/kyc-portal.db", app.dir.path().display()),
            )
            .env("KYC_PORTAL_DATA_DIR", app.dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };

    assert_eq!(run(None), "0 buyers erased\n");
    let in_two_years = (chrono::Utc::now() + chrono::Duration::days(2 * 365)).to_rfc3339();
    let printed = run(Some(in_two_years));

    let id = buyer["uuid"].as_str().unwrap();
    assert_eq!(
        printed,
        format!("erased buyer {id} (AFTER_END, 1 document files)\n1 buyers erased\n")
    );
    assert!(
        kyc_portal::buyers::get_by_id(&app.db, id)
            .await
            .unwrap()
            .erased_at
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_after_an_erasure_copies_the_files_that_are_left_and_verifies() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let (_, gone, _, _) = ended_buyer(&app, "Weg", 6).await;
    ended_buyer(&app, "Bleibt", 0).await;
    let erased = kyc_portal::erasure::run(&app.db, &app.blobs, kyc_portal::db::now())
        .await
        .unwrap();
    assert_eq!(erased[0].buyer_id, gone["uuid"].as_str().unwrap());
    let backup = tempfile::tempdir().unwrap();
    let to = backup.path().join("backup");
    let run = |args: &[&str]| {
        crate::cli::portal()
            .args(args)
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/kyc-portal.db", app.dir.path().display()),
            )
            .env("KYC_PORTAL_DATA_DIR", app.dir.path())
            .output()
            .unwrap()
    };

    let taken = run(&["backup", "--to", to.to_str().unwrap()]);
    assert!(
        taken.status.success(),
        "{}",
        String::from_utf8_lossy(&taken.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(to.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["store"]["blobs"].as_array().unwrap().len(), 1);
    let verified = run(&["verify-backup", to.to_str().unwrap()]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
}

on_both_backends! {
    async fn the_daily_round_runs_once_a_day_however_often_it_is_asked(app) {
        // The round `serve` ran at its start goes first.
        for _ in 0..100 {
            if kyc_portal::erasure::last_run(&app.db).await.unwrap().is_some_and(|r| r.erased.is_some()) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let at = kyc_portal::db::now().plus(chrono::Duration::days(1));
        let daily = |at| kyc_portal::erasure::run_daily(&app.db, &app.blobs, at);

        assert!(daily(at).await.unwrap().is_some());
        assert!(daily(at.plus(chrono::Duration::hours(23))).await.unwrap().is_none());
        assert!(daily(at.plus(chrono::Duration::hours(25))).await.unwrap().is_some());

        let last = kyc_portal::erasure::last_run(&app.db).await.unwrap().unwrap();
        assert_eq!(last.at, at.plus(chrono::Duration::hours(25)));
        assert_eq!(last.erased, Some(0));

        // A file an interrupted erasure noted is deleted at the next call, due or not, and so
        // is the note of one already gone.
        let key = kyc_portal::storage::BlobKey::for_document(&uuid::Uuid::new_v4());
        let staged = app.dir.path().join("left.pdf");
        std::fs::write(&staged, small_pdf()).unwrap();
        app.blobs.store(&key, &staged).await.unwrap();
        let gone = kyc_portal::storage::BlobKey::for_document(&uuid::Uuid::new_v4());
        for noted in [&key, &gone] {
            exec(&app, format!("INSERT INTO erasure_pending_files (blob_key, buyer_id, created_at) VALUES ('{}', 'b', 0)", noted.as_str())).await;
        }
        let listed = || async { app.blobs.list().await.unwrap().into_iter().map(|(k, _)| k).collect::<Vec<_>>() };
        assert!(listed().await.contains(&key));
        assert!(daily(at.plus(chrono::Duration::hours(26))).await.unwrap().is_none());
        assert!(!listed().await.contains(&key));
        let notes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM erasure_pending_files").fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(notes, 0);
    }
}

on_both_backends! {
    async fn staff_end_a_relationship_and_administrators_hold_and_erase_it_on_request(app) {
        use kyc_portal::staff::StaffRole;
        let (seller, buyer, needles, bytes) = ended_buyer(&app, "Antrag", 0).await;
        let id = buyer["uuid"].as_str().unwrap();
        let path = buyer_path(&seller, &buyer);
        app.post_json(&format!("{path}/reopen"), &json!({})).await;
        let mut kim = app.signed_in("kim@marketplace.example", StaffRole::Staff).await;
        let overview = kim.page(&format!("/admin/buyers/{id}")).await;
        assert!(overview.contains(&format!("href=\"/admin/buyers/{id}/end\"")));
        assert!(!overview.contains(&format!("/admin/buyers/{id}/hold")), "holds are for administrators");
        kim.page(&format!("/admin/buyers/{id}/end")).await;
        assert_eq!(kim.post(&format!("/admin/buyers/{id}/end"), &[("reason", " ")]).await.status(), 422);
        let ended = kim.post(&format!("/admin/buyers/{id}/end"), &[("reason", "Kunde hat gekündigt")]).await;
        assert_eq!(crate::admin::location(&ended), format!("/admin/buyers/{id}"));
        assert_eq!(body_json(app.get(&path).await).await["endReason"], "Kunde hat gekündigt");
        assert_eq!(kim.post(&format!("/admin/buyers/{id}/hold"), &[("reason", "x")]).await.status(), 403);

        let mut admin = app.admin_browser().await;
        admin.page(&format!("/admin/buyers/{id}/hold")).await;
        admin.post(&format!("/admin/buyers/{id}/hold"), &[("reason", "Anfrage der Staatsanwaltschaft")]).await;
        assert_eq!(body_json(app.get(&path).await).await["holdReason"], "Anfrage der Staatsanwaltschaft");
        let confirm = admin.page(&format!("/admin/buyers/{id}/erase")).await;
        assert!(confirm.contains("every document file, its file name"), "the confirmation names what is lost");
        let refused = admin.post(&format!("/admin/buyers/{id}/erase"), &[("reason", "Antrag nach Art. 17 DSGVO")]).await;
        assert_eq!(refused.status(), 409);
        let refused = refused.text().await.unwrap();
        assert!(refused.contains("legal hold"), "{refused}");
        assert!(!traces(&app, &needles, &[]).await.is_empty());

        admin.page(&format!("/admin/buyers/{id}/release")).await;
        admin.post(&format!("/admin/buyers/{id}/release"), &[]).await;
        admin.page(&format!("/admin/buyers/{id}/erase")).await;
        let erased = admin.post(&format!("/admin/buyers/{id}/erase"), &[("reason", "Antrag nach Art. 17 DSGVO")]).await;
        assert_eq!(crate::admin::location(&erased), format!("/admin/buyers/{id}"));

        assert_eq!(traces(&app, &needles, &bytes).await, Vec::<String>::new());
        let history = body_json(app.get(&format!("{path}/history")).await).await;
        let actions: Vec<&str> = history["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(&actions[..4], ["erased", "released", "held", "ended"]);
        assert_eq!(history["items"][0]["after"]["rule"], "ON_REQUEST");
        assert_eq!(history["items"][0]["after"]["reason"], "Antrag nach Art. 17 DSGVO");
        admin.page(&format!("/admin/buyers/{id}")).await;
        // The invitation that was emailed stays listed, without its address, not as print-only.
        let invitations = admin.page(&format!("/admin/buyers/{id}/invitations")).await;
        assert!(
            invitations.contains("Adresse mit den Daten des Käufers gelöscht")
                || invitations.contains("Address erased with the buyer&#39;s data"),
            "{invitations}"
        );
        // Nothing is offered that the erasure refuses: no new invitation, no email again.
        assert!(invitations.contains("id=\"inv-ended\""), "{invitations}");
        assert!(!invitations.contains("/resend\""), "{invitations}");
        assert!(!invitations.contains(&format!("action=\"/admin/buyers/{id}/invitations\"")), "{invitations}");
    }
}

on_both_backends! {
    async fn the_retention_periods_are_organisation_settings_and_zero_erases_at_the_next_run(app) {
        let organisation = body_json(app.get("/v1/organisation").await).await;
        assert_eq!(organisation["retentionDaysAfterEnd"], 1826);
        assert_eq!(organisation["retentionDaysInactive"], 730);
        let problem = expect_problem(app.patch_json("/v1/organisation", &json!({"retentionDaysAfterEnd": 36501})).await, 422).await;
        assert_eq!(problem_fields(&problem), ["retentionDaysAfterEnd"]);
        let (_, buyer, _, _) = ended_buyer(&app, "Heute", 0).await;
        assert!(kyc_portal::erasure::run(&app.db, &app.blobs, kyc_portal::db::now()).await.unwrap().is_empty());
        let mut admin = app.admin_browser().await;
        let overview = admin.page("/admin/settings").await;
        assert!(overview.contains("within the next 30 days: 0"), "{overview}");
        // The app's own daily round ran at start-up and erased no one.
        assert!(overview.contains("Last retention round:") && overview.contains("buyers erased: 0."), "{overview}");

        let patched = body_json(app.patch_json("/v1/organisation", &json!({"retentionDaysAfterEnd": 0})).await).await;
        assert_eq!(patched["retentionDaysAfterEnd"], 0);
        let overview = admin.page("/admin/settings").await;
        assert!(overview.contains("within the next 30 days: 1"), "the ended buyer is due: {overview}");
        // A day later the next daily round is due.
        let tomorrow = kyc_portal::db::now().plus(chrono::Duration::hours(25));
        let erased = kyc_portal::erasure::run_daily(&app.db, &app.blobs, tomorrow).await.unwrap().unwrap();
        assert_eq!(erased.iter().map(|e| e.buyer_id.as_str()).collect::<Vec<_>>(), [buyer["uuid"].as_str().unwrap()]);
        let overview = admin.page("/admin/settings").await;
        assert!(overview.contains("within the next 30 days: 0"), "{overview}");
        assert!(overview.contains("buyers erased: 1."), "{overview}");

        let form = admin.page("/admin/settings").await;
        assert!(form.contains("name=\"retention_days_after_end\""));
        let saved = admin.post("/admin/settings", &[("name", "KYC Portal"), ("primary_colour", "#1d4f91"), ("default_language", "en"), ("default_invitation_expiry_days", "14"), ("retention_days_after_end", "3650"), ("retention_days_inactive", "365")]).await;
        assert!(saved.status().is_redirection(), "{}", saved.status());
        let organisation = body_json(app.get("/v1/organisation").await).await;
        assert_eq!(organisation["retentionDaysAfterEnd"], 3650);
        assert_eq!(organisation["retentionDaysInactive"], 365);
    }
}

/// Moves everything `id` did (its row, documents and invitations) `days` into the past.
async fn inactive_since(app: &TestApp, id: &str, days: i64) {
    let then = kyc_portal::db::now()
        .plus(-chrono::Duration::days(days))
        .millis();
    exec(
        app,
        format!("UPDATE buyers SET created_at = {then}, updated_at = {then} WHERE id = '{id}'"),
    )
    .await;
    exec(
        app,
        format!("UPDATE documents SET created_at = {then} WHERE buyer_id = '{id}'"),
    )
    .await;
    exec(app, format!("UPDATE invitations SET created_at = {then}, last_used_at = NULL WHERE buyer_id = '{id}'")).await;
}

on_both_backends! {
    async fn a_buyer_that_never_completed_kyc_and_was_inactive_too_long_is_erased_under_the_inactive_rule(app) {
        // The round `serve` ran at its start goes first.
        for _ in 0..100 {
            if kyc_portal::erasure::last_run(&app.db).await.unwrap().is_some_and(|r| r.erased.is_some()) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let mut buyers = Vec::new();
        for mark in ["Still", "Hochgeladen", "Eingeladen", "Gueltig", "Kuerzlich"] {
            let (seller, buyer, _, _) = ended_buyer(&app, mark, 0).await;
            let path = buyer_path(&seller, &buyer);
            assert_eq!(app.post_json(&format!("{path}/reopen"), &json!({})).await.status(), 200);
            let id = buyer["uuid"].as_str().unwrap().to_owned();
            inactive_since(&app, &id, 731).await;
            buyers.push((seller, buyer, id));
        }
        let [(_, silent, silent_id), (seller, uploaded, _), (_, _, invited), (_, _, valid), (_, _, recent)] = &buyers[..] else {
            unreachable!()
        };
        // A link sent long ago that has not expired yet (nor been used): erasure must close it.
        let forgotten = app.invite(&buyers[0].0, silent, json!({"recipientEmail": "still@example.com", "expiresInDays": 90})).await;
        inactive_since(&app, silent_id, 731).await;
        // Activity within the period: an upload, a use of an invitation, or being changed at all.
        let upload = app.upload(&documents_path(seller, uploaded), form("COC_EXTRACT", "2026-01-15", "neu.pdf", small_pdf())).await;
        assert_eq!(upload.status(), 201);
        let then = kyc_portal::db::now().plus(-chrono::Duration::days(731)).millis();
        // Only the upload itself is recent, not the buyer's row it touched.
        exec(&app, format!("UPDATE buyers SET updated_at = {then} WHERE id = '{}'", uploaded["uuid"].as_str().unwrap())).await;
        let now = kyc_portal::db::now().millis();
        exec(&app, format!("UPDATE invitations SET last_used_at = {now} WHERE buyer_id = '{invited}'")).await;
        exec(&app, format!("UPDATE buyers SET kyc_status = 'VALID' WHERE id = '{valid}'")).await;
        inactive_since(&app, recent, 729).await;

        let erased = kyc_portal::erasure::run(&app.db, &app.blobs, kyc_portal::db::now()).await.unwrap();

        assert_eq!(erased.iter().map(|e| (e.buyer_id.as_str(), e.rule.as_str())).collect::<Vec<_>>(), [(silent_id.as_str(), "INACTIVE")]);
        let history = body_json(app.get(&format!("{}/history", buyer_path(&buyers[0].0, silent))).await).await;
        assert_eq!(history["items"][0]["action"], "erased");
        assert_eq!(history["items"][0]["after"]["rule"], "INACTIVE");
        // Erased without having been ended: none of its links opens a page any more.
        assert_eq!(reqwest::get(app.link_path(&forgotten)).await.unwrap().status(), 410);
        let listed = body_json(app.get(&invitations_path(&buyers[0].0, silent)).await).await;
        assert!(!listed["items"][0]["unavailableReason"].is_null(), "{listed}");
        for (_, _, id) in &buyers[1..] {
            let kept = kyc_portal::buyers::get_by_id(&app.db, id).await.unwrap();
            assert!(kept.erased_at.is_none(), "{} is kept", kept.company_name);
        }
    }
}
