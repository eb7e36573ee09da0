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
    if config.demo {
        let report = demo::seed(&db).await.context("cannot seed the demo data")?;
        tracing::info!(?report, "demo data ready");
    }
    let i18n = I18n::load().context("cannot load translations")?;
    let rulebook = load_rulebook(&config.rulebook)?;
    Ok(AppState::new(config, db, i18n, rulebook))
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
    let app = api::router(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("the HTTP server failed")?;
    db.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
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
    }
    serve_until(state, listener, shutdown_signal()).await
}
