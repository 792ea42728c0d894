//! Every form the staff pages show, found by walking the pages as an administrator: each one
//! refuses a forged CSRF token and changes nothing.

use std::collections::{BTreeSet, VecDeque};

use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::fixtures::small_pdf;
use crate::helpers::*;
use crate::on_both_backends;

/// A `<form method="post">` of a page.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct PostForm {
    action: String,
    multipart: bool,
}

/// The value of attribute `name` in one tag's text.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    tag[start..]
        .split('"')
        .next()
        .map(|v| v.replace("&amp;", "&"))
}

fn post_forms(page: &str) -> Vec<PostForm> {
    page.match_indices("<form")
        .filter_map(|(at, _)| {
            let tag = page[at..].split('>').next()?;
            (attribute(tag, "method")? == "post").then(|| PostForm {
                action: attribute(tag, "action").unwrap_or_default(),
                multipart: attribute(tag, "enctype").as_deref() == Some("multipart/form-data"),
            })
        })
        .collect()
}

/// The staff pages a page links to (not downloads, which are not pages).
fn links(page: &str) -> Vec<String> {
    page.match_indices("href=\"/admin")
        .filter_map(|(at, _)| attribute(&page[at - 1..], "href"))
        .filter(|href| {
            !href.ends_with(".css")
                && !href.ends_with(".png")
                && !href.ends_with(".svg")
                && !href.ends_with(".pdf")
                && !href.ends_with("/file")
                && !href.ends_with("/inline")
        })
        .map(|href| href.split('#').next().unwrap_or_default().to_owned())
        .collect()
}

/// What any change on a staff page leaves behind.
async fn changes(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM audit_log",
        "SELECT COUNT(*) FROM staff_users",
        "SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL",
        "SELECT COUNT(*) FROM webhook_endpoints",
        "SELECT COUNT(*) FROM invitations",
        "SELECT COUNT(*) FROM documents",
        "SELECT COUNT(*) FROM settings",
    ] {
        let count: i64 = sqlx::query_scalar(sql)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        counts.push(count);
    }
    counts
}

on_both_backends! {
    async fn every_staff_form_refuses_a_forged_csrf_token_and_changes_nothing(app) {
        // Something on every page: a buyer with a document and an invitation, a token, an
        // endpoint with a delivery, a second user.
        let (seller, buyer) = app.create_buyer().await;
        let documents = format!("{}/kyc/documents", buyer_path(&seller, &buyer));
        app.upload_pdf(&documents, "COC_EXTRACT").await;
        app.invite(&seller, &buyer, json!({"recipientEmail": "buyer@example.com"})).await;
        let endpoint = app
            .post_json("/v1/webhook-endpoints", &json!({"url": "https://erp.example.com/hooks", "events": ["buyer.blocked"]}))
            .await;
        assert_eq!(endpoint.status(), 201);
        // A second, blocked buyer, for the unblock form.
        let (other_seller, blocked) = app.create_buyer().await;
        let path = buyer_path(&other_seller, &blocked);
        app.post_json(&format!("{path}/block"), &json!({"reason": "Manual review"})).await;
        app.staff_user("kim@marketplace.example", kyc_portal::staff::StaffRole::Staff).await;
        let mut admin = app.admin_browser().await;

        let mut seen = BTreeSet::new();
        let mut forms = BTreeSet::new();
        let mut queue = VecDeque::from(["/admin/buyers".to_owned(), "/admin/settings".to_owned()]);
        while let Some(page) = queue.pop_front() {
            if !seen.insert(page.clone()) || seen.len() > 200 {
                continue;
            }
            let response = admin.get(&page).await;
            if response.status() != 200 {
                continue;
            }
            let body = response.text().await.unwrap();
            forms.extend(post_forms(&body));
            queue.extend(links(&body));
        }
        admin.page("/admin/buyers").await;
        let actions: Vec<&str> = forms.iter().map(|f| f.action.as_str()).collect();
        // The walk reached the pages that hold forms (so an empty result would be a blind walk).
        for expected in ["/admin/users", "/admin/settings", "/admin/settings/tokens", "/admin/webhooks", "/admin/logout", "/admin/language"] {
            assert!(actions.contains(&expected), "{expected} not found in {actions:#?}");
        }
        for part in ["/unblock", "/invitations", "/documents", "/archive", "/revoke", "/delete", "/vies"] {
            assert!(actions.iter().any(|a| a.ends_with(part)), "no form ending in {part}: {actions:#?}");
        }

        let before = changes(&app).await;
        for form in &forms {
            if form.action == "/admin/login" {
                continue;
            }
            let url = format!("{}{}", admin.base, form.action);
            let request = admin.client.post(url).header("accept-language", "en");
            let response = if form.multipart {
                let file = Part::bytes(small_pdf()).file_name("x.pdf").mime_str("application/pdf").unwrap();
                request
                    .multipart(Form::new().text("csrf", "forged").text("type", "COC_EXTRACT").text("documentDate", "2026-01-15").part("file", file))
                    .send()
                    .await
                    .unwrap()
            } else {
                request
                    .form(&[("csrf", "forged"), ("reason", "x"), ("email", "x@example.com"), ("name", "x"), ("confirm", "yes")])
                    .send()
                    .await
                    .unwrap()
            };
            assert_eq!(response.status(), 403, "POST {} with a forged token", form.action);
            let page = response.text().await.unwrap();
            assert!(page.contains("<html lang=\"en\""), "an HTML page for {}: {page}", form.action);
        }
        assert_eq!(changes(&app).await, before, "a forged form changed something");
        // The session still works: the forms were refused, not the person.
        admin.page("/admin/users").await;
    }
}
