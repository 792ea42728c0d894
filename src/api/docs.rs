//! `GET /docs`: the API reference as a page, rendered on the server from the OpenAPI document
//! (no script, no assets from elsewhere; the content security policy allows nothing else).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde_json::Value;

use super::openapi;
use crate::errors::Error;
use crate::http::page;

/// Nothing but the page itself.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/docs")
            .wrap(page::security_headers(CONTENT_SECURITY_POLICY))
            .route("", web::get().to(get_docs)),
    );
}

/// One operation as the page lists it.
struct Operation {
    anchor: String,
    method: String,
    path: String,
    summary: String,
    description: String,
    parameters: Vec<(String, String, String)>,
    request: Option<String>,
    responses: Vec<(String, String)>,
}

/// One group of operations (a tag).
struct Section {
    name: String,
    operations: Vec<Operation>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsView {
    title: String,
    description: String,
    sections: Vec<Section>,
    webhooks: Vec<String>,
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// The operations of the document, grouped by their first tag in the order they appear.
fn sections(document: &Value) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let Some(paths) = document["paths"].as_object() else {
        return sections;
    };
    for (path, item) in paths {
        let Some(methods) = item.as_object() else {
            continue;
        };
        for (method, op) in methods {
            let tag = op["tags"][0].as_str().unwrap_or("API").to_owned();
            let parameters = op["parameters"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|p| (text(&p["name"]), text(&p["in"]), text(&p["description"])))
                        .collect()
                })
                .unwrap_or_default();
            let request = op["requestBody"]["content"]
                .as_object()
                .and_then(|c| c.keys().next().cloned());
            let responses = op["responses"]
                .as_object()
                .map(|r| {
                    r.iter()
                        .map(|(status, response)| (status.clone(), text(&response["description"])))
                        .collect()
                })
                .unwrap_or_default();
            let operation = Operation {
                anchor: text(&op["operationId"]),
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text(&op["summary"]),
                description: text(&op["description"]),
                parameters,
                request,
                responses,
            };
            match sections.iter_mut().find(|s| s.name == tag) {
                Some(section) => section.operations.push(operation),
                None => sections.push(Section {
                    name: tag,
                    operations: vec![operation],
                }),
            }
        }
    }
    sections
}

/// `GET /docs` — anyone.
async fn get_docs() -> Result<HttpResponse, Error> {
    let document = openapi::document()?;
    let view = DocsView {
        title: text(&document["info"]["title"]),
        description: text(&document["info"]["description"]),
        sections: sections(&document),
        webhooks: document["webhooks"]
            .as_object()
            .map(|w| w.keys().cloned().collect())
            .unwrap_or_default(),
    };
    page::html(StatusCode::OK, &view)
}
