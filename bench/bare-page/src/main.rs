//! A bare actix-web + askama page for `scripts/bench-page.sh`: what the buyer's page would cost
//! without sessions, database reads or translations. `bare-page 127.0.0.1:PORT`

use actix_web::{App, HttpResponse, HttpServer, web};
use askama::Template;

/// One document type with its upload form, as on the buyer's page.
struct Row {
    code: &'static str,
    label: &'static str,
    state: Option<&'static str>,
    state_class: &'static str,
    max_age: Option<&'static str>,
}

/// The page; every field is rendered per request, as the portal does.
#[derive(Template)]
#[template(path = "page.html")]
struct Page {
    lang: &'static str,
    title: &'static str,
    organisation: &'static str,
    csrf: &'static str,
    company: String,
    required: Vec<Row>,
    optional: Vec<Row>,
    today: &'static str,
    max_bytes: u64,
}

const REQUIRED: [(&str, &str); 3] = [
    ("COC_EXTRACT", "Handelsregisterauszug"),
    ("VAT_CERTIFICATE", "Bescheinigung der USt-IdNr."),
    ("BANK_CONFIRMATION", "Bankbestätigung"),
];

const OPTIONAL: [(&str, &str); 8] = [
    ("COC_ARTICLES", "Gesellschaftsvertrag"),
    ("BANK_STATEMENT", "Kontoauszug"),
    ("CONTACT_ID", "Ausweis der Kontaktperson"),
    ("CONTACT_AUTHORIZATION", "Vollmacht der Kontaktperson"),
    ("ADDRESS_PROOF", "Adressnachweis"),
    (
        "TP_UBO_DECLARATION",
        "Erklärung zu wirtschaftlich Berechtigten",
    ),
    ("TP_TRADE_LICENSE", "Gewerbeerlaubnis"),
    ("AML_DECLARATION", "Erklärung zur Geldwäscheprävention"),
];

fn page() -> Page {
    // Built per request (not cached), so the rows cost what the portal's rows cost to assemble.
    let required = REQUIRED
        .iter()
        .enumerate()
        .map(|(i, &(code, label))| Row {
            code,
            label,
            state: Some(if i == 0 {
                "Erhalten: bench.pdf, vom 15.01.2026"
            } else {
                "Fehlt"
            }),
            state_class: if i == 0 { "received" } else { "missing" },
            max_age: (i == 0).then_some("Höchstens 90 Tage alt."),
        })
        .collect();
    let optional = OPTIONAL
        .iter()
        .map(|&(code, label)| Row {
            code,
            label,
            state: None,
            state_class: "optional",
            max_age: None,
        })
        .collect();
    Page {
        lang: "de",
        title: "Firmenunterlagen",
        organisation: "KYC Portal",
        csrf: "Jq3V0mYt5zQ8wX2aB7cD9eF1gH4iK6lM0nP2rS5tU8v",
        company: "Bench GmbH".to_owned(),
        required,
        optional,
        today: "2026-01-31",
        max_bytes: 25 * 1024 * 1024,
    }
}

async fn index() -> HttpResponse {
    match page().render() {
        Ok(body) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".to_owned());
    // Default worker count (one per CPU), as the portal.
    HttpServer::new(|| App::new().route("/", web::get().to(index)))
        .bind(addr)?
        .run()
        .await
}
