//! Webhook endpoints (administrators only): the list, a new endpoint whose signing secret is
//! shown once on the response page (never in a cookie, never logged), deletion after a
//! confirmation, and each endpoint's recent deliveries with a redelivery button. The same
//! domain calls as `/v1/webhook-endpoints`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::page::CursorQuery;
use super::page::{self, Chrome, Section};
use crate::access::SellerScope;
use crate::admin::confirm::ConfirmView;
use crate::admin::guard::{Admin, NoFields, SignedIn, StaffForm};
use crate::errors::Error;
use crate::events::EventType;
use crate::i18n::Language;
use crate::pagination::Page;
use crate::state::AppState;
use crate::time_zone::TimeZone;
use crate::webhooks::{self, Delivery, DeliveryStatus, WebhookEndpoint, WebhookUrl};
use crate::write;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/webhooks", web::get().to(list_get))
        .route("/webhooks", web::post().to(create_post))
        .route("/webhooks/{id}", web::get().to(detail_get))
        .route("/webhooks/{id}/events", web::post().to(events_post))
        .route("/webhooks/{id}/test", web::post().to(test_post))
        .route("/webhooks/{id}/delete", web::get().to(delete_get))
        .route("/webhooks/{id}/delete", web::post().to(delete_post))
        .route(
            "/webhooks/{id}/deliveries/{delivery}/redeliver",
            web::post().to(redeliver_post),
        );
}

/// One endpoint as a row.
pub struct EndpointRow {
    /// Its id.
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// The event types, as on the wire.
    pub events: Vec<&'static str>,
    /// When it was made.
    pub created: String,
}

impl EndpointRow {
    fn of(l: Language, zone: TimeZone, endpoint: &WebhookEndpoint) -> EndpointRow {
        EndpointRow {
            id: endpoint.id.clone(),
            url: endpoint.url.as_str().to_owned(),
            events: endpoint.events.iter().map(|e| e.as_str()).collect(),
            created: zone.moment(l, endpoint.created_at),
        }
    }
}

/// The create form, as typed. Checkboxes repeat their name, so the form is read as pairs.
#[derive(Default)]
pub struct EndpointForm {
    /// The URL.
    pub url: String,
    /// The checked event types.
    pub events: Vec<String>,
}

impl EndpointForm {
    fn read(pairs: Vec<(String, String)>) -> EndpointForm {
        let mut form = EndpointForm::default();
        for (name, value) in pairs {
            match name.as_str() {
                "url" => form.url = value,
                "events" => form.events.push(value),
                _ => {}
            }
        }
        form
    }

    /// Whether `event` is checked.
    pub fn has(&self, event: &&str) -> bool {
        self.events.iter().any(|e| e == event)
    }
}

/// The endpoints page.
#[derive(Template)]
#[template(path = "admin/webhooks/list.html")]
pub struct ListView {
    /// The frame.
    pub chrome: Chrome,
    /// Newest first.
    pub rows: Vec<EndpointRow>,
    /// Every event type, for the checkboxes.
    pub event_types: Vec<&'static str>,
    /// The create form's values.
    pub form: EndpointForm,
    /// What is wrong with the URL.
    pub url_error: Option<String>,
    /// What is wrong with the events.
    pub events_error: Option<String>,
    /// The endpoint just made and its secret, shown this once.
    pub created: Option<(EndpointRow, String)>,
    /// The cursor of the next (older) page, if there is one.
    pub next_page: Option<String>,
}

/// What `event` announces, in one line of the page's language (`admin-event-kyc-status-changed`).
fn event_description(chrome: &Chrome, event: &str) -> String {
    chrome.t(&format!("admin-event-{}", event.replace(['.', '_'], "-")))
}

impl ListView {
    /// What `event` announces, in one line of the page's language.
    pub fn describe(&self, event: &str) -> String {
        event_description(&self.chrome, event)
    }
}

async fn list_page(
    req: &HttpRequest,
    me: &SignedIn,
    state: &AppState,
    (page, status): (Page, StatusCode),
    view: impl FnOnce(Chrome, Vec<EndpointRow>) -> ListView,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let zone = me.zone();
    let (endpoints, next) = webhooks::list(&state.db, &SellerScope::Organisation, &page).await?;
    let chrome = Chrome::new(req, me, Section::Webhooks, l.text("admin-webhooks-title"));
    let rows = endpoints
        .iter()
        .map(|e| EndpointRow::of(l, zone, e))
        .collect();
    let mut view = view(chrome, rows);
    view.next_page = next.map(|c| c.encode());
    page::html(req, status, &view)
}

fn event_types() -> Vec<&'static str> {
    EventType::ALL.iter().map(|e| e.as_str()).collect()
}

/// `GET /admin/webhooks` — administrators.
async fn list_get(
    req: HttpRequest,
    me: Admin,
    state: web::Data<AppState>,
    query: web::Query<CursorQuery>,
) -> Result<HttpResponse, Error> {
    let shown = (query.page()?, StatusCode::OK);
    list_page(&req, &me, &state, shown, |chrome, rows| ListView {
        chrome,
        rows,
        event_types: event_types(),
        form: EndpointForm::default(),
        url_error: None,
        events_error: None,
        created: None,
        next_page: None,
    })
    .await
}

/// `POST /admin/webhooks` — administrators: a new endpoint; this response is the only place
/// its secret is ever shown.
async fn create_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    StaffForm { who: me, fields }: StaffForm<Vec<(String, String)>, Admin>,
) -> Result<HttpResponse, Error> {
    let form = EndpointForm::read(fields);
    let l = me.language();
    let zone = me.zone();
    let url = WebhookUrl::parse(Some(&form.url));
    let events = webhooks::parse_events(Some(&form.events));
    let (url, events) = match (url, events) {
        (Ok(url), Ok(events)) => (url, events),
        (url, events) => {
            let url_error = url.err().map(|_| l.text("admin-webhooks-error-url"));
            let events_error = events.err().map(|_| l.text("admin-webhooks-error-events"));
            return list_page(
                &req,
                &me,
                &state,
                (Page::first(), StatusCode::UNPROCESSABLE_ENTITY),
                |chrome, rows| ListView {
                    chrome,
                    rows,
                    event_types: event_types(),
                    form,
                    url_error,
                    events_error,
                    created: None,
                    next_page: None,
                },
            )
            .await;
        }
    };
    let created = write::apply(&state.db, me.actor(), async |tx| {
        webhooks::create(
            tx,
            &SellerScope::Organisation,
            state.webhook_policy(),
            &state.webhook_seal,
            url,
            events,
        )
        .await
    })
    .await?;
    let secret = (EndpointRow::of(l, zone, &created.endpoint), created.secret);
    let shown = (Page::first(), StatusCode::CREATED);
    list_page(&req, &me, &state, shown, |chrome, rows| ListView {
        chrome,
        rows,
        event_types: event_types(),
        form: EndpointForm::default(),
        url_error: None,
        events_error: None,
        created: Some(secret),
        next_page: None,
    })
    .await
}

/// One delivery as a row.
pub struct DeliveryRow {
    /// Its id.
    pub id: String,
    /// The event's type.
    pub event_type: String,
    /// The event's id (the `webhook-id`).
    pub event_id: String,
    /// Where it stands, in words.
    pub status: String,
    /// How many attempts were made.
    pub attempts: String,
    /// Whether none was made yet.
    pub unattempted: bool,
    /// The last attempt's HTTP status, if the receiver answered.
    pub last_response: Option<String>,
    /// The last attempt's error, if it failed.
    pub last_error: Option<String>,
    /// When the last attempt was made.
    pub last_attempt: Option<String>,
    /// When the event was handed to the endpoint.
    pub created: String,
    /// When the next attempt is due, while pending.
    pub next_attempt: Option<String>,
}

impl DeliveryRow {
    fn of(l: Language, zone: TimeZone, delivery: &Delivery) -> DeliveryRow {
        let last = delivery.attempts.last();
        let status = match delivery.status {
            DeliveryStatus::Pending => "admin-delivery-pending",
            DeliveryStatus::Succeeded => "admin-delivery-succeeded",
            DeliveryStatus::Failed => "admin-delivery-failed",
        };
        DeliveryRow {
            id: delivery.id.clone(),
            event_type: delivery.event_type.clone(),
            event_id: delivery.event_id.clone(),
            status: l.text(status),
            attempts: delivery.attempts.len().to_string(),
            unattempted: delivery.attempts.is_empty(),
            last_response: last.and_then(|a| a.response_status).map(|s| s.to_string()),
            last_error: last.and_then(|a| a.error.clone()),
            last_attempt: last.map(|a| zone.moment(l, a.attempted_at)),
            created: zone.moment(l, delivery.created_at),
            next_attempt: match delivery.status {
                DeliveryStatus::Pending => delivery.next_attempt_at.map(|at| zone.moment(l, at)),
                _ => None,
            },
        }
    }
}

/// One endpoint with its recent deliveries.
#[derive(Template)]
#[template(path = "admin/webhooks/detail.html")]
pub struct DetailView {
    /// The frame.
    pub chrome: Chrome,
    /// The endpoint.
    pub endpoint: EndpointRow,
    /// Its deliveries, newest first.
    pub deliveries: Vec<DeliveryRow>,
    /// The cursor of the next (older) page, if there is one.
    pub next_page: Option<String>,
    /// Every event type, for the checkboxes of the events form.
    pub event_types: Vec<&'static str>,
}

impl DetailView {
    /// Whether the endpoint receives `event`.
    pub fn receives(&self, event: &&str) -> bool {
        self.endpoint.events.iter().any(|e| e == event)
    }

    /// What `event` announces, in one line of the page's language.
    pub fn describe(&self, event: &str) -> String {
        event_description(&self.chrome, event)
    }
}

/// `POST /admin/webhooks/{id}/events` — administrators: which events it receives from now on.
async fn events_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm { who: me, fields }: StaffForm<Vec<(String, String)>, Admin>,
) -> Result<HttpResponse, Error> {
    let form = EndpointForm::read(fields);
    let back = format!("/admin/webhooks/{}", path.as_str());
    let Ok(events) = webhooks::parse_events(Some(&form.events)) else {
        return Ok(page::failed(&back, "admin-flash-webhook-no-events"));
    };
    write::apply(&state.db, me.actor(), async |tx| {
        webhooks::change_events(tx, &SellerScope::Organisation, &path, events).await
    })
    .await?;
    Ok(page::done(&back, "admin-flash-webhook-events-changed"))
}

/// `POST /admin/webhooks/{id}/test` — administrators: sends `webhook.test` to this endpoint.
async fn test_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm { who: me, .. }: StaffForm<NoFields, Admin>,
) -> Result<HttpResponse, Error> {
    write::apply(&state.db, me.actor(), async |tx| {
        webhooks::send_test(tx, &SellerScope::Organisation, &path).await
    })
    .await?;
    Ok(page::done(
        &format!("/admin/webhooks/{}#deliveries", path.as_str()),
        "admin-flash-webhook-test-sent",
    ))
}

/// `GET /admin/webhooks/{id}` — administrators: the endpoint's recent deliveries.
async fn detail_get(
    req: HttpRequest,
    me: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<CursorQuery>,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let zone = me.zone();
    let endpoint = webhooks::get(&state.db, &SellerScope::Organisation, &path).await?;
    let (deliveries, next) = webhooks::deliveries(
        &state.db,
        &SellerScope::Organisation,
        &endpoint.id,
        &query.page()?,
    )
    .await?;
    let chrome = Chrome::new(&req, &me, Section::Webhooks, l.text("admin-webhook-title"));
    let view = DetailView {
        chrome,
        endpoint: EndpointRow::of(l, zone, &endpoint),
        deliveries: deliveries
            .iter()
            .map(|d| DeliveryRow::of(l, zone, d))
            .collect(),
        next_page: next.map(|c| c.encode()),
        event_types: event_types(),
    };
    page::html(&req, StatusCode::OK, &view)
}

/// `GET /admin/webhooks/{id}/delete` — administrators: asks first.
async fn delete_get(
    req: HttpRequest,
    me: Admin,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Error> {
    let l = me.language();
    let zone = me.zone();
    let endpoint = webhooks::get(&state.db, &SellerScope::Organisation, &path).await?;
    let chrome = Chrome::new(
        &req,
        &me,
        Section::Webhooks,
        l.text("admin-webhook-delete-title"),
    );
    let row = EndpointRow::of(l, zone, &endpoint);
    let view = ConfirmView {
        chrome,
        header: None,
        question: None,
        facts: vec![
            (l.text("admin-webhooks-url"), row.url),
            (l.text("admin-webhooks-events"), row.events.join(", ")),
        ],
        effect: Some(l.text("admin-webhook-delete-effect")),
        action: format!("/admin/webhooks/{}/delete", row.id),
        button: Some(l.text("admin-webhook-delete-confirm")),
        danger: true,
        cancel: format!("/admin/webhooks/{}", row.id),
    };
    page::html(&req, StatusCode::OK, &view)
}

/// `POST /admin/webhooks/{id}/delete` — administrators: nothing more is sent to it.
async fn delete_post(
    state: web::Data<AppState>,
    path: web::Path<String>,
    StaffForm { who: me, .. }: StaffForm<NoFields, Admin>,
) -> Result<HttpResponse, Error> {
    write::apply(&state.db, me.actor(), async |tx| {
        webhooks::delete(tx, &SellerScope::Organisation, &path).await
    })
    .await?;
    Ok(page::done("/admin/webhooks", "admin-flash-webhook-deleted"))
}

/// `POST /admin/webhooks/{id}/deliveries/{delivery}/redeliver` — administrators: a new round
/// of attempts through the same delivery job.
async fn redeliver_post(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    StaffForm { who: me, .. }: StaffForm<NoFields, Admin>,
) -> Result<HttpResponse, Error> {
    let (endpoint_id, delivery_id) = path.into_inner();
    write::apply(&state.db, me.actor(), async |tx| {
        webhooks::redeliver(tx, &SellerScope::Organisation, &endpoint_id, &delivery_id).await
    })
    .await?;
    Ok(page::done(
        &format!("/admin/webhooks/{endpoint_id}"),
        "admin-flash-webhook-redelivered",
    ))
}
