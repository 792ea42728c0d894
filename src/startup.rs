//! Assembling the portal: database, HTTP server and background worker in one process.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;

use crate::config::Settings;
use crate::db::{Db, now};
use crate::documents;
use crate::email::Mailer;
use crate::erasure;
use crate::errors::UNAVAILABLE_RETRY_AFTER;
use crate::http::observe;
use crate::idempotency::ResponseSeal;
use crate::invitations::{
    EMAIL_JOB, InvitationEmailJob, RENEWAL_EMAIL_JOB, RejectionEmailJob, RenewalEmailJob,
};
use crate::jobs::{Worker, WorkerOptions};
use crate::kyc::{
    self,
    vies::{self, ViesCheckJob, ViesClient, ViesOptions},
};
use crate::previews::{PdfPreviews, PreviewLimits};
use crate::readiness;
use crate::reminders::{self, ReminderEmailJob};
use crate::retention::{self, Retention};
use crate::server_key::ServerKey;
use crate::staff::{HashingLimits, PasswordHashing};
use crate::state::AppState;
use crate::storage::BlobStore;
use crate::telemetry::Metrics;
use crate::verification::idenfy::IdenfyClient;
use crate::verification::signing::ProfileSigner;
use crate::verification::{self, VerificationEmailJob, VerificationProvider};
use crate::webhooks::{self, DeliverJob, DeliveryOptions, DispatchJob, NetworkPolicy};

/// How the process runs besides its settings (tests shorten the worker's timings).
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Worker timings.
    pub worker: WorkerOptions,
    /// Whether to start the in-process worker.
    pub run_worker: bool,
    /// Timeout and attempts of VIES checks.
    pub vies: ViesOptions,
    /// Timeout and attempts of webhook deliveries.
    pub webhooks: DeliveryOptions,
    /// How long a call to the identity verification provider may take.
    pub provider_timeout: Duration,
    /// How many password hashes run at once, and how long a sign-in waits for one.
    pub password_hashing: HashingLimits,
    /// Bounds of PDF preview renders.
    pub previews: PreviewLimits,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            worker: WorkerOptions::default(),
            run_worker: true,
            vies: ViesOptions::default(),
            webhooks: DeliveryOptions::default(),
            provider_timeout: Duration::from_secs(20),
            password_hashing: HashingLimits::default(),
            previews: PreviewLimits::default(),
        }
    }
}

/// A bound, migrated portal, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    db: Db,
    blobs: Arc<BlobStore>,
    worker: Option<Worker>,
    retention: Retention,
}

/// Failure to start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    /// The address could not be bound.
    #[error("cannot listen on {0}")]
    Bind(String, #[source] std::io::Error),
    /// The document store could not be opened.
    #[error("cannot open the document store")]
    Storage(#[from] crate::storage::StorageError),
    /// The server key could not be read or made.
    #[error("cannot load the server key")]
    Key(#[from] crate::server_key::ServerKeyError),
    /// The profile signing key could not be read or made.
    #[error("cannot load the profile signing key")]
    SigningKey(#[source] crate::server_key::ServerKeyError),
    /// Mail is misconfigured.
    #[error("cannot set up mail")]
    Mail(#[from] crate::email::MailError),
    /// Metrics could not be set up.
    #[error("cannot set up metrics")]
    Metrics(#[from] prometheus::Error),
    /// The data folder could not be made or closed to others.
    #[error("cannot prepare the data folder")]
    DataDir(#[source] std::io::Error),
    /// Webhook secrets stored in plain text could not be sealed.
    #[error("cannot seal the stored webhook secrets")]
    SealSecrets(#[source] crate::errors::Error),
    /// The HTTP client for VIES or webhooks could not be made.
    #[error("cannot set up the HTTP client")]
    HttpClient(#[from] reqwest::Error),
}

impl Application {
    /// Opens and migrates the database, binds the address and prepares the worker.
    pub async fn build(settings: Settings, options: RunOptions) -> Result<Application, StartError> {
        secure_data_dir(&settings.data_dir).map_err(StartError::DataDir)?;
        let db = Db::connect_waiting(settings.database_url(), settings.database_acquire_timeout())
            .await?;
        db.migrate().await?;
        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| StartError::Bind(settings.bind.clone(), e))?;
        let port = listener
            .local_addr()
            .map_err(|e| StartError::Bind(settings.bind.clone(), e))?
            .port();
        let blobs = Arc::new(BlobStore::open(&settings).await?);
        let retention = Retention::from_settings(&settings);
        let key = ServerKey::load_or_create(&settings)?;
        webhooks::seal_plain_secrets(&db, &webhooks::secret_seal(&key))
            .await
            .map_err(StartError::SealSecrets)?;
        let signer = ProfileSigner::load_or_create(&settings).map_err(StartError::SigningKey)?;
        let provider: Arc<dyn VerificationProvider> =
            Arc::new(IdenfyClient::new(&settings, options.provider_timeout)?);
        let mailer = Mailer::from_settings(&settings)?;
        let previews = PdfPreviews::start(
            settings.pdftoppm.as_deref(),
            blobs.staging_dir(),
            options.previews.clone(),
        )
        .await;
        let settings = Arc::new(settings);
        let worker = if options.run_worker {
            Some(worker(&db, &settings, &options, &key, mailer)?)
        } else {
            None
        };
        let state = AppState {
            db: db.clone(),
            blobs: blobs.clone(),
            seal: Arc::new(ResponseSeal::new(&key)),
            webhook_seal: Arc::new(webhooks::secret_seal(&key)),
            key,
            settings,
            organisation_cache: Arc::default(),
            provider,
            signer,
            passwords: PasswordHashing::new(options.password_hashing),
            previews: Arc::new(previews),
        };
        let server = serve(listener, state, Metrics::new()?)
            .map_err(|e| StartError::Bind("listener".into(), e))?;
        Ok(Application {
            port,
            server,
            db,
            blobs,
            worker,
            retention,
        })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The database handle (tests inspect and arrange through it).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The document store (tests inspect it).
    pub fn blobs(&self) -> &Arc<BlobStore> {
        &self.blobs
    }

    /// Serves until SIGINT/SIGTERM (or the server is stopped), then lets the worker finish its
    /// current job and returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let stop = CancellationToken::new();
        let workers: Vec<_> = self
            .worker
            .iter()
            .flat_map(|worker| (0..WORKERS).map(|_| worker.sibling()))
            .map(|worker| tokio::spawn(worker.run_until_stopped(stop.clone())))
            .collect();
        let maintenance = tokio::spawn(maintain(
            self.db.clone(),
            self.blobs.clone(),
            self.retention,
            stop.clone(),
        ));
        let watcher = tokio::spawn(readiness::watch(
            self.db.clone(),
            self.blobs.clone(),
            stop.clone(),
        ));
        let served = self.server.await;
        stop.cancel();
        for worker in workers {
            let _ = worker.await;
        }
        let _ = maintenance.await;
        let _ = watcher.await;
        served
    }
}

/// Makes the data folder, readable by this user only (0700), also when it exists already with
/// wider rights: it holds the database, the key files, the documents and the mail outbox.
fn secure_data_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Workers running side by side in each instance: a webhook receiver that hangs until its
/// timeout then holds up only one of them.
const WORKERS: usize = 4;

/// The background worker with a handler for every kind of job.
fn worker(
    db: &Db,
    settings: &Arc<Settings>,
    options: &RunOptions,
    key: &ServerKey,
    mailer: Mailer,
) -> Result<Worker, StartError> {
    let vies_client = ViesClient::new(&settings.vies_url, options.vies.timeout)?;
    let vies_check = ViesCheckJob::new(db.clone(), vies_client, options.vies.clone());
    let dispatch = DispatchJob::new(db.clone(), options.webhooks.clone());
    let deliver = DeliverJob::new(
        db.clone(),
        options.webhooks.timeout,
        NetworkPolicy {
            allow_private: settings.webhook_allow_private_networks,
        },
        webhooks::secret_seal(key),
    )?;
    Ok(Worker::new(db.clone(), options.worker.clone())
        .register(vies::CHECK_JOB, Arc::new(vies_check))
        .register(webhooks::DISPATCH_JOB, Arc::new(dispatch))
        .register(webhooks::DELIVER_JOB, Arc::new(deliver))
        .register(
            kyc::refresh_job::REFRESH_JOB,
            Arc::new(kyc::refresh_job::RefreshStatusesJob { db: db.clone() }),
        )
        .register(
            EMAIL_JOB,
            Arc::new(InvitationEmailJob {
                db: db.clone(),
                settings: settings.clone(),
                key: key.clone(),
                mailer: mailer.clone(),
            }),
        )
        .register(
            reminders::REMINDER_JOB,
            Arc::new(ReminderEmailJob {
                db: db.clone(),
                settings: settings.clone(),
                key: key.clone(),
                mailer: mailer.clone(),
            }),
        )
        .register(
            reminders::digest::DIGEST_JOB,
            Arc::new(reminders::digest::DigestJob {
                db: db.clone(),
                settings: settings.clone(),
                mailer: mailer.clone(),
            }),
        )
        .register(
            RENEWAL_EMAIL_JOB,
            Arc::new(RenewalEmailJob {
                db: db.clone(),
                settings: settings.clone(),
                mailer: mailer.clone(),
            }),
        )
        .register(
            crate::documents::review::REJECTION_EMAIL_JOB,
            Arc::new(RejectionEmailJob {
                db: db.clone(),
                settings: settings.clone(),
                key: key.clone(),
                mailer: mailer.clone(),
            }),
        )
        .register(
            crate::staff::links::LINK_EMAIL_JOB,
            Arc::new(crate::staff::link_email::LinkEmailJob {
                db: db.clone(),
                settings: settings.clone(),
                key: key.clone(),
                mailer: mailer.clone(),
            }),
        )
        .register(
            verification::EMAIL_JOB,
            Arc::new(VerificationEmailJob {
                db: db.clone(),
                mailer,
                public_url: settings.public_url.clone(),
            }),
        ))
}

fn serve(listener: TcpListener, state: AppState, metrics: Metrics) -> std::io::Result<Server> {
    // Each part is handed to what uses it rather than kept in the state every handler sees:
    // the request metrics to the middleware that fills them and the page that shows them,
    // the buyer pages' cache to the buyer pages.
    let registry = web::Data::new(metrics);
    let portal_pages = web::Data::new(crate::portal::cache::PageCache::default());
    let https = state.settings.is_https();
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        let mut headers = DefaultHeaders::new()
            .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .add((header::REFERRER_POLICY, "no-referrer"))
            .add((header::X_FRAME_OPTIONS, "DENY"));
        // Only over https: on plain http the header means nothing, and a browser that saw it
        // for localhost would refuse a later http test server there.
        if https {
            headers = headers.add((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"));
        }
        App::new()
            .app_data(data.clone())
            .app_data(registry.clone())
            .app_data(portal_pages.clone())
            .wrap(headers)
            .wrap(from_fn(observe::observe))
            .route("/healthz", web::get().to(healthz))
            .route("/readyz", web::get().to(readyz))
            .route("/metrics", web::get().to(metrics_get))
            .configure(crate::api::configure)
            .configure(crate::portal::configure)
            .configure(crate::admin::configure)
    })
    .shutdown_timeout(30)
    .listen(listener)?
    .run();
    Ok(server)
}

/// `GET /healthz` — anyone: 200 when the database answers.
async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().content_type("text/plain").body("ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unavailable");
            // Every 503 says when to ask again; a database comes back in seconds or not soon.
            HttpResponse::ServiceUnavailable()
                .insert_header((actix_web::http::header::RETRY_AFTER, "5"))
                .content_type("text/plain")
                .body("database unavailable")
        }
    }
}

/// `GET /readyz` — anyone: 200 when the database and the document store both answer, else 503
/// naming what does not (a load balancer takes the instance out meanwhile).
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let missing = readiness::unavailable(&state.db, &state.blobs).await;
    let Some(first) = missing.first() else {
        return HttpResponse::Ok().content_type("text/plain").body("ready");
    };
    let names: Vec<&str> = missing.iter().map(|what| what.cause()).collect();
    let mut response = HttpResponse::ServiceUnavailable()
        .content_type("text/plain")
        .insert_header((header::RETRY_AFTER, UNAVAILABLE_RETRY_AFTER.to_string()))
        .body(format!("unavailable: {}", names.join(", ")));
    response
        .extensions_mut()
        .insert(crate::http::unavailable::Cause(first.cause()));
    response
}

/// `GET /metrics` — Prometheus text; with `KYC_PORTAL_METRICS_TOKEN` set, only for a request
/// that carries it as a Bearer token, else for anyone who reaches the port.
async fn metrics_get(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    registry: web::Data<Metrics>,
) -> HttpResponse {
    if let Some(expected) = &state.settings.metrics_token {
        let sent = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        if !sent.is_some_and(|sent| crate::secret_token::same(sent, expected.expose_secret())) {
            return HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
                .content_type("text/plain")
                .body("a metrics token is required");
        }
    }
    let mut body = registry.render();
    body.push_str(&state.passwords.render_metrics());
    body.push_str(&state.db.render_metrics());
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body)
}

/// Housekeeping every ten minutes: operational rows past their retention (finished jobs,
/// delivered events, expired sessions, rate-limit windows, idempotency keys), orphan blobs
/// (older than an hour, so that no upload between storing its blob and committing its row is
/// touched), then the scheduled round: KYC statuses that lapsed as documents grew too old, and
/// the reminders due.
async fn maintain(db: Db, blobs: Arc<BlobStore>, retention: Retention, stop: CancellationToken) {
    loop {
        match retention::prune(&db, &retention, now()).await {
            Ok(pruned) => tracing::info!(?pruned, "pruned operational rows"),
            Err(e) => tracing::warn!(error = %e, "pruning operational rows failed"),
        }
        if let Err(e) = documents::sweep_orphans(&db, &blobs, Duration::from_secs(3600)).await {
            tracing::warn!(error = %e, "orphan blob sweep failed");
        }
        match reminders::run_round(&db, now()).await {
            Ok(round) => tracing::info!(?round, "scheduled round done"),
            Err(e) => {
                tracing::warn!(error = %e, "the scheduled round (lapsed statuses, reminders) failed")
            }
        }
        // Once a day among all instances; cheap (one read) when it is not due.
        match erasure::run_daily(&db, &blobs, now()).await {
            Ok(Some(erased)) => tracing::info!(erased = erased.len(), "retention round ran"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "the retention round failed"),
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(Duration::from_secs(600)) => {}
        }
    }
}
