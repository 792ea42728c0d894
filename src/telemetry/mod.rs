//! Logs and metrics: the log subscriber and the request metrics' registry (filled by
//! `crate::http::observe`, one sample per request, keyed by the route pattern).

use std::io::IsTerminal;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};
use tracing_subscriber::EnvFilter;

mod buffered;

pub use buffered::Flush;

/// Installs the log subscriber: `RUST_LOG` filters (default `info`), `KYC_PORTAL_LOG_JSON=1`
/// writes JSON lines. With `gather` (the server) lines go to stderr a few milliseconds after
/// they are logged, gathered in one write; otherwise each as it comes. Keep the guard
/// until the portal stops, so that the last are written.
#[must_use = "the last lines are written when the guard is dropped"]
pub fn init_logging(gather: bool) -> Flush {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = std::env::var("KYC_PORTAL_LOG_JSON").is_ok_and(|v| v == "1");
    let gathered = if gather {
        buffered::Gathered::start(std::io::stderr())
    } else {
        buffered::Gathered::direct(std::io::stderr())
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(buffered::Lines(gathered.clone()))
        .with_ansi(std::io::stderr().is_terminal());
    let result = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
    // A subscriber set earlier (tests) stays in place; this one may still have been set
    // (only bridging the `log` crate failed), so its lines are flushed all the same.
    drop(result);
    // A panic's message is written straight away: what was logged before it comes first.
    let on_panic = gathered.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        on_panic.flush_at_panic();
        previous(info);
    }));
    Flush::new(gathered)
}

/// The request counters and latency histograms, in a registry of their own (so several portals
/// in one process, as in tests, do not share numbers).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    unavailable: IntCounterVec,
}

impl Metrics {
    /// Fresh metrics.
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route pattern, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route pattern",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
            ]),
            &["route", "method"],
        )?;
        let unavailable = IntCounterVec::new(
            Opts::new(
                "http_unavailable_total",
                "503 answers by what was unavailable (database, store, ...)",
            ),
            &["cause"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(unavailable.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            unavailable,
        })
    }

    /// Counts one request and its latency.
    pub fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[route, method])
            .observe(seconds);
    }

    /// Counts a 503 answered because `cause` was unavailable.
    pub fn unavailable(&self, cause: &str) {
        self.unavailable.with_label_values(&[cause]).inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .is_err()
        {
            return String::new();
        }
        String::from_utf8(out).unwrap_or_default()
    }
}
