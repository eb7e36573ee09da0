//! `GET /healthz`: whether this node can serve (its database answers), for load balancers and
//! orchestrators.

use super::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Health report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` or `unavailable`.
    pub status: &'static str,
    /// Database engine (`sqlite` or `postgres`).
    pub database: &'static str,
    /// Program version.
    pub version: &'static str,
}

/// Reports whether the database is reachable.
#[utoipa::path(get, path = "/healthz", tag = "platform", operation_id = "healthz",
    responses((status = 200, description = "Healthy", body = Health),
              (status = 503, description = "The database cannot be reached", body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> Response {
    let database = state.db.backend().name();
    let version = env!("CARGO_PKG_VERSION");
    match state.db.ping().await {
        Ok(()) => Json(Health {
            status: "ok",
            database,
            version,
        })
        .into_response(),
        Err(err) => {
            tracing::error!(error = %err, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    database,
                    version,
                }),
            )
                .into_response()
        }
    }
}
