//! Starting and stopping a node: open the database, migrate, optionally seed the demo, serve
//! HTTP until SIGTERM or Ctrl-C, let in-flight requests finish, close the database cleanly.

use crate::api::{self, AppState};
use crate::config::Config;
use crate::i18n::I18n;
use crate::repository::db::redact;
use crate::repository::schema::migrate;
use crate::repository::{Database, DbOptions};
use crate::service::demo;
use anyhow::Context;
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Opens and migrates the database named in the configuration.
pub async fn open_database(config: &Config) -> anyhow::Result<Database> {
    let db = Database::connect(
        &config.db_url,
        &DbOptions {
            max_connections: config.db_max_connections,
            ..DbOptions::default()
        },
    )
    .await
    .with_context(|| format!("cannot open the database {}", redact(&config.db_url)))?;
    let applied = migrate(&db).await.context("cannot migrate the database")?;
    if !applied.is_empty() {
        tracing::info!(?applied, "database migrated");
    }
    Ok(db)
}

/// Builds the application state (and seeds the demo when configured).
pub async fn prepare(config: Config) -> anyhow::Result<AppState> {
    let db = open_database(&config).await?;
    let i18n = I18n::load().context("cannot load translations")?;
    let rulebook = load_rulebook(&config.rulebook)?;
    configure_publication(&db, &config).await?;
    if config.demo {
        let report = demo::seed(&db).await.context("cannot seed the demo data")?;
        tracing::info!(?report, "demo data ready");
        if config.demo_tenders > 0 {
            let started = std::time::Instant::now();
            let year = crate::service::demo_year::seed(
                &db,
                &rulebook,
                config.timezone,
                config.demo_tenders,
            )
            .await
            .context("cannot seed the demo year")?;
            if year.tenders > 0 {
                tracing::info!(
                    ?year,
                    seconds = started.elapsed().as_secs(),
                    "demo year ready"
                );
            }
        }
    }
    Ok(AppState::new(config, db, i18n, rulebook))
}

/// Stores `--ocid-prefix` and `--public-url` for every node (only the values given). Without
/// `--public-url`, a database that has no public URL yet gets this node's own address (`--bind`),
/// so feeds and links work when the node is bound elsewhere than `localhost:8080` (issue 13).
async fn configure_publication(db: &Database, config: &Config) -> anyhow::Result<()> {
    let public_url_stored = {
        let mut conn = db.read().await?;
        crate::service::publication::public_url_is_stored(&mut conn).await?
    };
    let derived_url = (config.public_url.is_none() && !public_url_stored)
        .then(|| crate::service::publication::url_of_bind(config.bind));
    if config.ocid_prefix.is_none() && config.public_url.is_none() && derived_url.is_none() {
        return Ok(());
    }
    let stored = {
        let mut conn = db.read().await?;
        crate::service::publication::settings(&mut conn).await?
    };
    let settings = crate::service::publication::Settings {
        ocid_prefix: config.ocid_prefix.clone().unwrap_or(stored.ocid_prefix),
        public_url: config
            .public_url
            .clone()
            .or(derived_url)
            .unwrap_or(stored.public_url),
    };
    if !settings
        .ocid_prefix
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-')
        || !settings.ocid_prefix.starts_with("ocds-")
    {
        anyhow::bail!(
            "--ocid-prefix must look like ocds-xxxxxx (letters, digits and hyphens), got {:?}",
            settings.ocid_prefix
        );
    }
    if url::Url::parse(&settings.public_url).is_err() {
        anyhow::bail!(
            "--public-url must be an absolute URL, got {:?}",
            settings.public_url
        );
    }
    crate::service::publication::configure(db, &settings)
        .await
        .context("cannot store the publication settings")?;
    Ok(())
}

/// The rulebook named by `--rulebook`: an embedded profile or a file.
pub fn load_rulebook(name: &str) -> anyhow::Result<tianguis_rulebook::Rulebook> {
    match tianguis_rulebook::Rulebook::load_embedded(name) {
        Ok(r) => Ok(r),
        Err(_) => tianguis_rulebook::Rulebook::from_path(std::path::Path::new(name))
            .map_err(|e| anyhow::anyhow!("cannot load the rulebook {name:?}: {e} ({})", e.code())),
    }
}

/// Serves `state` on `listener` until `shutdown` completes, then closes the database.
pub async fn serve_until(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let db = state.db.clone();
    let jobs = tokio::spawn(scheduled_jobs(state.clone()));
    let deliveries = tokio::spawn(webhook_deliveries(state.clone()));
    let hub = state.auctions.clone();
    let engine = hub.start(listener.local_addr()?);
    let app = api::router(state);
    // Small frames (auction acknowledgements, live updates) must leave at once: with Nagle's
    // algorithm a frame written while the previous one awaits the peer's delayed ACK waits up
    // to 40 ms — the whole latency budget of a live bid (issue 4).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("the HTTP server failed");
    jobs.abort();
    deliveries.abort();
    if let Some(engine) = engine {
        engine.abort();
    }
    hub.release().await;
    served?;
    db.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// How often the scheduled jobs run.
const JOB_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// Work the clock triggers: awards whose standstill ended without a pending complaint become
/// final (issue 3, item 10) even if nobody opens the tender. Each run is its own transaction,
/// so a crash between runs loses nothing; a failed run is logged and retried at the next tick.
async fn scheduled_jobs(state: AppState) {
    let mut tick = tokio::time::interval(JOB_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match crate::service::awards::finalize_due(&state.db, state.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(awards = n, "awards became final"),
            Err(e) => tracing::warn!(error = %e, "finalising awards failed; retrying later"),
        }
    }
}

/// Pushes new releases to webhook subscribers (issue 5): a round every second; each delivery
/// and its outcome are their own transactions, so a crash at any point at most repeats one
/// delivery (receivers deduplicate by release id).
async fn webhook_deliveries(state: AppState) {
    let http = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhooks disabled: cannot build the HTTP client");
            return;
        }
    };
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = crate::service::publication::webhooks::deliver_due(
            &state.db,
            &http,
            state.config.webhook_allow_private,
        )
        .await
        {
            tracing::warn!(error = %e, "webhook deliveries failed; retrying later");
        }
    }
}

/// Resolves when the process receives SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested: finishing in-flight requests");
}

/// `tianguis serve`.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let bind = config.bind;
    let demo_mode = config.demo;
    let state = prepare(config).await?;
    let listener = TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, backend = state.db.backend().name(), "Tianguis is listening");
    eprintln!("Tianguis: http://{address}/");
    if demo_mode {
        eprintln!(
            "Demo accounts (password \"{}\"): {}",
            demo::DEMO_PASSWORD,
            demo::DEMO_USERS
                .iter()
                .map(|u| u.0)
                .collect::<Vec<_>>()
                .join(", ")
        );
        eprintln!(
            "Opening passphrases of the demo committee: {}",
            crate::service::demo_year::DEMO_OPENING_PASSPHRASES
                .iter()
                .map(|(u, p)| format!("{u} \"{p}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    serve_until(state, listener, shutdown_signal()).await
}
