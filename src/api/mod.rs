//! HTTP: pages and the JSON API, one module per resource.
//!
//! Every route is declared once in [`routes`] with the [`Access`] it requires; the router is
//! built from that table, so a route cannot exist without an access rule, and the role × route
//! matrix test walks the same table.

pub mod account;
pub mod assets;
pub mod audit;
pub mod catalogue;
pub mod context;
pub mod error;
pub mod extract;
pub mod health;
pub mod home;
pub mod lang;
pub mod metrics;
pub mod openapi;
pub mod page;
pub mod session;
pub mod suppliers;
pub mod tokens;
pub mod users;

use crate::config::Config;
use crate::domain::error_code::ErrorCode;
use crate::domain::role::{Access, Role};
use crate::i18n::I18n;
use crate::repository::Database;
use crate::service::auth::AuthState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use error::AppError;
use metrics::Metrics;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Everything handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Database,
    /// Node configuration.
    pub config: Arc<Config>,
    /// Translations.
    pub i18n: Arc<I18n>,
    /// Metrics registry.
    pub metrics: Arc<Metrics>,
    /// Sign-in policy and limits.
    pub auth: AuthState,
}

impl AppState {
    /// State for a node with this configuration and database.
    pub fn new(config: Config, db: Database, i18n: I18n) -> AppState {
        AppState {
            auth: AuthState::new(config.auth.clone()),
            db,
            config: Arc::new(config),
            i18n: Arc::new(i18n),
            metrics: Arc::new(Metrics::default()),
        }
    }
}

/// One route: method, path template, who may use it, and its handler.
pub struct Route {
    /// HTTP method.
    pub method: Method,
    /// Path template (`{id}` for parameters).
    pub path: &'static str,
    /// Who may use it.
    pub access: Access,
    /// The handler.
    pub endpoint: MethodRouter<AppState>,
}

fn route(
    method: Method,
    path: &'static str,
    access: Access,
    endpoint: MethodRouter<AppState>,
) -> Route {
    Route {
        method,
        path,
        access,
        endpoint,
    }
}

const ADMIN: Access = Access::AnyOf(&[Role::Administrator]);

/// Every route of the platform.
pub fn routes() -> Vec<Route> {
    use Access::{Authenticated, Public};
    use Method as M;
    vec![
        // Platform
        route(M::GET, "/healthz", Public, get(health::healthz)),
        route(M::GET, "/metrics", Public, get(metrics::metrics)),
        route(M::GET, "/assets/{file}", Public, get(assets::asset)),
        route(
            M::GET,
            "/api/openapi.json",
            Public,
            get(openapi::openapi_json),
        ),
        route(M::GET, "/api/docs", Public, get(openapi::docs_page)),
        // Public pages
        route(M::GET, "/", Public, get(home::page)),
        route(M::POST, "/lang", Public, post(lang::switch)),
        route(M::GET, "/suppliers", Public, get(suppliers::list_page)),
        route(
            M::GET,
            "/suppliers/{id}",
            Public,
            get(suppliers::detail_page),
        ),
        route(M::GET, "/catalogue", Public, get(catalogue::list_page)),
        route(M::GET, "/audit", Public, get(audit::public_page)),
        // Session
        route(M::GET, "/login", Public, get(session::login_page)),
        route(M::POST, "/login", Public, post(session::login_submit)),
        route(M::POST, "/logout", Authenticated, post(session::logout)),
        // Own account
        route(M::GET, "/account", Authenticated, get(account::page)),
        route(
            M::POST,
            "/account/password",
            Authenticated,
            post(account::change_password),
        ),
        route(
            M::POST,
            "/account/tokens",
            Authenticated,
            post(account::create_token),
        ),
        route(
            M::POST,
            "/account/tokens/{id}/revoke",
            Authenticated,
            post(account::revoke_token),
        ),
        // Administration
        route(M::GET, "/admin/users", ADMIN, get(users::list_page)),
        route(M::GET, "/admin/users/new", ADMIN, get(users::new_page)),
        route(M::POST, "/admin/users", ADMIN, post(users::create_submit)),
        route(M::GET, "/admin/users/{id}", ADMIN, get(users::edit_page)),
        route(
            M::POST,
            "/admin/users/{id}",
            ADMIN,
            post(users::update_submit),
        ),
        route(
            M::POST,
            "/admin/users/{id}/password",
            ADMIN,
            post(users::reset_password_submit),
        ),
        route(
            M::POST,
            "/admin/users/{id}/active",
            ADMIN,
            post(users::set_active_submit),
        ),
        route(M::GET, "/admin/audit", ADMIN, get(audit::admin_page)),
        // JSON API
        route(M::GET, "/api/me", Authenticated, get(account::me)),
        route(
            M::PATCH,
            "/api/me",
            Authenticated,
            patch(account::update_me),
        ),
        route(M::GET, "/api/tokens", Authenticated, get(tokens::list)),
        route(M::POST, "/api/tokens", Authenticated, post(tokens::create)),
        route(
            M::DELETE,
            "/api/tokens/{id}",
            Authenticated,
            delete(tokens::revoke),
        ),
        route(M::GET, "/api/users", ADMIN, get(users::list)),
        route(M::POST, "/api/users", ADMIN, post(users::create)),
        route(M::GET, "/api/users/{id}", ADMIN, get(users::get_one)),
        route(M::PUT, "/api/users/{id}", ADMIN, put(users::update)),
        route(
            M::POST,
            "/api/users/{id}/password",
            ADMIN,
            post(users::reset_password),
        ),
        route(
            M::POST,
            "/api/users/{id}/activate",
            ADMIN,
            post(users::activate),
        ),
        route(
            M::POST,
            "/api/users/{id}/deactivate",
            ADMIN,
            post(users::deactivate),
        ),
        route(M::GET, "/api/audit", Public, get(audit::public_log)),
        route(M::GET, "/api/audit/head", Public, get(audit::head)),
        route(M::GET, "/api/admin/audit", ADMIN, get(audit::full_log)),
        route(M::GET, "/api/buyers", Public, get(suppliers::buyers)),
        route(M::GET, "/api/suppliers", Public, get(suppliers::list)),
        route(
            M::GET,
            "/api/suppliers/{id}",
            Public,
            get(suppliers::get_one),
        ),
        route(M::GET, "/api/catalogue", Public, get(catalogue::list)),
    ]
}

async fn not_found() -> AppError {
    AppError::new(ErrorCode::ResourceNotFound)
}

async fn method_not_allowed() -> AppError {
    AppError::new(ErrorCode::RequestMethodNotAllowed)
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    // The panic message is printed by the default hook to the log; never to the client.
    AppError::new(ErrorCode::InternalError).into_response()
}

/// Content-Security-Policy: only this site's own scripts, styles and images, no framing.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// The application router with every layer.
pub fn router(state: AppState) -> Router {
    let limit = state.config.body_limit;
    let mut router = Router::new();
    for r in routes() {
        let enforced = r
            .endpoint
            .route_layer(from_fn_with_state((r.access, limit), context::enforce));
        router = router.route(r.path, enforced);
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(from_fn_with_state(state.clone(), context::context_layer))
        .layer(DefaultBodyLimit::max(limit))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(from_fn_with_state(state.clone(), metrics::record))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
