//! HTTP: pages and the JSON API, one module per resource.
//!
//! Every route is declared once in [`routes`] with the [`Access`] it requires; the router is
//! built from that table, so a route cannot exist without an access rule, and the role × route
//! matrix test walks the same table.

pub mod account;
pub mod agreements;
pub mod assets;
pub mod auctions;
pub mod audit;
pub mod awards;
pub mod bids;
pub mod catalogue;
pub mod chart;
pub mod context;
pub mod dashboards;
pub mod design;
pub mod error;
pub mod evaluation;
pub mod extract;
pub mod health;
pub mod home;
pub mod lang;
pub mod metrics;
pub mod ocds;
pub mod openapi;
pub mod openapi_responses;
pub mod openapi_schemas;
pub mod page;
pub mod plan;
pub mod product_cards;
pub mod session;
pub mod suppliers;
pub mod tender_pages;
pub mod tenders;
pub mod tokens;
pub mod units;
pub mod users;
pub mod workspace;

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
    /// Limits on registrations, sealed bids and colleagues (issue 13).
    pub limits: Arc<crate::service::rate_limit::AbuseLimits>,
    /// The procurement rulebook in force.
    pub rulebook: Arc<tianguis_rulebook::Rulebook>,
    /// Offset of this node's procurement clock from the wall clock, in microseconds: always
    /// zero in operation; tests advance it to reach deadlines without waiting days.
    clock_offset: Arc<std::sync::atomic::AtomicI64>,
    /// The live reverse auctions this node runs (issue 4).
    pub auctions: crate::service::auctions::AuctionHub,
    /// Market dashboards and red flags, cached per data version (issue 6).
    pub analytics: Arc<crate::service::dashboards::Analytics>,
}

impl AppState {
    /// State for a node with this configuration and database.
    pub fn new(
        config: Config,
        db: Database,
        i18n: I18n,
        rulebook: tianguis_rulebook::Rulebook,
    ) -> AppState {
        let clock_offset = Arc::new(std::sync::atomic::AtomicI64::new(0));
        let auctions = crate::service::auctions::AuctionHub::new(
            db.clone(),
            crate::service::auctions::HubConfig::for_node(
                config.node_id.clone(),
                config.node_url.clone(),
            ),
            clock_offset.clone(),
        );
        AppState {
            auth: AuthState::new(config.auth.clone()),
            limits: Arc::new(crate::service::rate_limit::AbuseLimits::new(&config.abuse)),
            rulebook: Arc::new(rulebook),
            clock_offset,
            auctions,
            analytics: Arc::new(crate::service::dashboards::Analytics::default()),
            db,
            config: Arc::new(config),
            i18n: Arc::new(i18n),
            metrics: Arc::new(Metrics::default()),
        }
    }
}

impl AppState {
    /// The instant that deadlines are checked against (the server clock).
    pub fn now(&self) -> crate::domain::time::Timestamp {
        let offset = self.clock_offset.load(std::sync::atomic::Ordering::Relaxed);
        crate::domain::time::Timestamp::from_micros(
            crate::domain::time::Timestamp::now().as_micros() + offset,
        )
    }

    /// Moves the procurement clock forward (tests: reach a deadline without waiting).
    pub fn advance_clock(&self, seconds: i64) {
        self.clock_offset
            .fetch_add(seconds * 1_000_000, std::sync::atomic::Ordering::Relaxed);
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
    /// Whether the route accepts file uploads (a larger body limit).
    pub upload: bool,
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
        upload: false,
    }
}

/// Marks a route as an upload route.
fn upload(mut r: Route) -> Route {
    r.upload = true;
    r
}

/// Largest upload body (documents, spreadsheets, bids with attachments).
pub const UPLOAD_LIMIT: usize = 40 * 1024 * 1024;

const ADMIN: Access = Access::AnyOf(&[Role::Administrator]);
const BUYER: Access = Access::AnyOf(&[Role::Buyer, Role::Administrator]);
const SUPPLIER: Access = Access::AnyOf(&[Role::Supplier]);
const UNIT_USER: Access = Access::AnyOf(&[Role::UnitUser]);
const EVALUATOR: Access = Access::AnyOf(&[Role::Evaluator]);
const EVALUATOR_OR_BUYER: Access = Access::AnyOf(&[Role::Evaluator, Role::Buyer]);
const PLANNER: Access = Access::AnyOf(&[Role::Buyer, Role::Analyst, Role::Administrator]);
/// Who may propose changes to the catalogue (service::catalogue::may_propose).
const CATALOGUE_EDITOR: Access = PLANNER;

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
        // The living example of the page components (issue 13)
        route(M::GET, "/design", Public, get(design::page)),
        // Market dashboards and red flags (issue 6)
        route(M::GET, "/dashboards", Public, get(dashboards::page)),
        route(M::GET, "/dashboards.csv", Public, get(dashboards::csv)),
        route(M::GET, "/api/dashboards", Public, get(dashboards::json)),
        route(M::GET, "/red-flags", Public, get(dashboards::red_flags)),
        // Open data (issue 5)
        route(M::GET, "/open-data", Public, get(ocds::page)),
        route(M::GET, "/api/ocds/releases", Public, get(ocds::releases)),
        route(
            M::GET,
            "/api/ocds/releases/{id}",
            Public,
            get(ocds::release),
        ),
        route(M::GET, "/api/ocds/records", Public, get(ocds::records)),
        route(
            M::GET,
            "/api/ocds/records/{ocid}",
            Public,
            get(ocds::record),
        ),
        route(M::GET, "/api/ocds/imported", Public, get(ocds::imported)),
        route(
            M::GET,
            "/api/ocds/imported/{ocid}",
            Public,
            get(ocds::imported_one),
        ),
        route(
            M::GET,
            "/api/ocds/bulk/compiled-releases.jsonl.gz",
            Public,
            get(ocds::bulk),
        ),
        route(
            M::POST,
            "/api/ocds/webhooks",
            Authenticated,
            post(ocds::subscribe),
        ),
        route(
            M::GET,
            "/api/ocds/webhooks",
            Authenticated,
            get(ocds::subscriptions),
        ),
        route(
            M::GET,
            "/api/ocds/webhooks/{id}",
            Authenticated,
            get(ocds::subscription),
        ),
        route(
            M::PUT,
            "/api/ocds/webhooks/{id}",
            Authenticated,
            put(ocds::update_subscription),
        ),
        // Electronic reverse auctions (issue 4)
        route(M::GET, "/auctions", Public, get(auctions::list_page)),
        route(M::GET, "/auctions/{id}", Public, get(auctions::page)),
        route(
            M::GET,
            "/auctions/{id}/chart",
            Public,
            get(auctions::chart_fragment),
        ),
        route(
            M::POST,
            "/auctions/{id}/resumption",
            BUYER,
            post(auctions::resumption_form),
        ),
        route(
            M::POST,
            "/auctions/{id}/schedule",
            BUYER,
            post(auctions::schedule_form),
        ),
        route(M::GET, "/api/auctions", Public, get(auctions::list)),
        route(M::GET, "/api/auctions/{id}", Public, get(auctions::get_one)),
        route(
            M::GET,
            "/api/auctions/{id}/live",
            Public,
            get(auctions::live),
        ),
        route(
            M::GET,
            "/api/auctions/{id}/transcript",
            Public,
            get(auctions::transcript),
        ),
        route(M::GET, "/api/auctions/{id}/me", SUPPLIER, get(auctions::me)),
        route(
            M::POST,
            "/api/auctions/{id}/bids",
            SUPPLIER,
            post(auctions::place_bid),
        ),
        route(
            M::POST,
            "/api/auctions/{id}/pass",
            SUPPLIER,
            post(auctions::pass),
        ),
        route(
            M::PUT,
            "/api/auctions/{id}/schedule",
            BUYER,
            put(auctions::schedule),
        ),
        route(
            M::PUT,
            "/api/auctions/{id}/resumption",
            BUYER,
            put(auctions::resumption),
        ),
        // Between nodes: authenticated by the cluster secret, not by a user.
        route(
            M::POST,
            "/internal/auctions/{id}/commands",
            Public,
            post(auctions::forwarded),
        ),
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
        route(M::GET, "/agreements", Public, get(agreements::list_page)),
        route(M::GET, "/agreements/{id}", Public, get(agreements::page)),
        route(
            M::POST,
            "/agreements/{id}/call-offs",
            UNIT_USER,
            post(agreements::call_off_submit),
        ),
        route(
            M::GET,
            "/call-offs/{id}",
            Public,
            get(agreements::call_off_page),
        ),
        route(
            M::POST,
            "/call-offs/{id}/confirm",
            SUPPLIER,
            post(agreements::confirm_submit),
        ),
        route(
            M::POST,
            "/call-offs/{id}/decline",
            SUPPLIER,
            post(agreements::decline_submit),
        ),
        route(
            M::POST,
            "/call-offs/{id}/cancel",
            UNIT_USER,
            post(agreements::cancel_submit),
        ),
        route(
            M::GET,
            "/tenders/{id}/framework",
            BUYER,
            get(agreements::terms_form),
        ),
        route(
            M::POST,
            "/tenders/{id}/framework",
            BUYER,
            post(agreements::terms_submit),
        ),
        route(
            M::POST,
            "/tenders/{id}/lots/{lot}/agreement",
            BUYER,
            post(agreements::conclude_submit),
        ),
        route(M::GET, "/api/agreements", Public, get(agreements::list)),
        route(
            M::GET,
            "/api/agreements/{id}",
            Public,
            get(agreements::get_one),
        ),
        route(
            M::POST,
            "/api/agreements/{id}/call-offs",
            UNIT_USER,
            post(agreements::place),
        ),
        route(
            M::GET,
            "/api/call-offs/{id}",
            Public,
            get(agreements::get_call_off),
        ),
        route(
            M::POST,
            "/api/call-offs/{id}/confirm",
            SUPPLIER,
            post(agreements::confirm),
        ),
        route(
            M::POST,
            "/api/call-offs/{id}/decline",
            SUPPLIER,
            post(agreements::decline),
        ),
        route(
            M::POST,
            "/api/call-offs/{id}/cancel",
            UNIT_USER,
            post(agreements::cancel),
        ),
        route(
            M::PUT,
            "/api/tenders/{id}/framework",
            BUYER,
            put(agreements::set_terms),
        ),
        route(
            M::POST,
            "/api/tenders/{id}/lots/{lot}/agreement",
            BUYER,
            post(agreements::conclude),
        ),
        route(M::GET, "/units", Public, get(units::list_page)),
        route(
            M::GET,
            "/units/mine",
            Access::AnyOf(&[Role::UnitUser, Role::Warehouse]),
            get(units::mine_page),
        ),
        route(M::GET, "/units/{code}", Public, get(units::page)),
        route(M::GET, "/admin/units/new", ADMIN, get(units::new_page)),
        route(M::POST, "/admin/units", ADMIN, post(units::create_submit)),
        route(M::GET, "/admin/units/{code}", ADMIN, get(units::edit_page)),
        route(
            M::POST,
            "/admin/units/{code}",
            ADMIN,
            post(units::update_submit),
        ),
        route(M::GET, "/api/units", Public, get(units::list)),
        route(M::GET, "/api/units/{code}", Public, get(units::get_one)),
        route(M::POST, "/api/units", ADMIN, post(units::create)),
        route(M::PUT, "/api/units/{code}", ADMIN, put(units::update)),
        route(
            M::PUT,
            "/api/users/{id}/units",
            ADMIN,
            put(units::set_user_units),
        ),
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
        route(
            M::POST,
            "/admin/users/{id}/units",
            ADMIN,
            post(users::set_units_submit),
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
        // E-sourcing JSON API
        route(M::GET, "/api/rulebook", Public, get(tenders::rulebook)),
        route(M::GET, "/api/tenders", Public, get(tenders::search)),
        route(M::POST, "/api/tenders", BUYER, post(tenders::create)),
        route(M::GET, "/api/tenders/{id}", Public, get(tenders::get_one)),
        route(M::PUT, "/api/tenders/{id}", BUYER, put(tenders::update)),
        route(
            M::POST,
            "/api/tenders/{id}/publish",
            BUYER,
            post(tenders::publish),
        ),
        route(
            M::POST,
            "/api/tenders/{id}/amendments",
            BUYER,
            post(tenders::amend),
        ),
        route(
            M::POST,
            "/api/tenders/{id}/cancel",
            BUYER,
            post(tenders::cancel),
        ),
        route(
            M::POST,
            "/api/tenders/{id}/unsuccessful",
            BUYER,
            post(tenders::unsuccessful),
        ),
        upload(route(
            M::POST,
            "/api/tenders/{id}/documents",
            BUYER,
            post(tenders::add_document),
        )),
        route(
            M::POST,
            "/api/tenders/{id}/questions",
            SUPPLIER,
            post(tenders::ask),
        ),
        route(
            M::POST,
            "/api/clarifications/{id}/answer",
            BUYER,
            post(tenders::answer),
        ),
        route(
            M::POST,
            "/api/tenders/{id}/follow",
            SUPPLIER,
            post(tenders::follow),
        ),
        route(
            M::DELETE,
            "/api/tenders/{id}/follow",
            SUPPLIER,
            delete(tenders::unfollow),
        ),
        upload(route(
            M::POST,
            "/api/tenders/{id}/bids",
            SUPPLIER,
            post(bids::submit),
        )),
        route(
            M::DELETE,
            "/api/bids/{id}",
            SUPPLIER,
            delete(bids::withdraw),
        ),
        route(M::GET, "/api/me/bids", SUPPLIER, get(bids::mine)),
        route(
            M::POST,
            "/api/account/opening-key",
            EVALUATOR,
            post(bids::opening_key),
        ),
        route(
            M::POST,
            "/api/tenders/{id}/opening",
            EVALUATOR,
            post(bids::open),
        ),
        route(
            M::POST,
            "/api/tenders/{id}/conflicts",
            EVALUATOR,
            post(evaluation::declare),
        ),
        route(
            M::POST,
            "/api/tenders/{id}/verdicts",
            EVALUATOR,
            post(evaluation::verdict),
        ),
        route(
            M::POST,
            "/api/tenders/{id}/scores",
            EVALUATOR,
            post(evaluation::score),
        ),
        route(
            M::POST,
            "/api/tenders/{id}/evaluation/submit",
            EVALUATOR,
            post(evaluation::submit),
        ),
        route(
            M::POST,
            "/api/tenders/{id}/evaluation/complete",
            EVALUATOR_OR_BUYER,
            post(evaluation::complete),
        ),
        route(
            M::POST,
            "/api/tenders/{id}/lots/{lot_id}/award",
            BUYER,
            post(awards::award),
        ),
        route(
            M::POST,
            "/api/awards/{id}/complaints",
            SUPPLIER,
            post(awards::complain),
        ),
        route(
            M::POST,
            "/api/complaints/{id}/resolve",
            BUYER,
            post(awards::resolve),
        ),
        route(
            M::POST,
            "/api/awards/{id}/contract",
            BUYER,
            post(awards::sign),
        ),
        route(
            M::POST,
            "/api/contracts/{id}/amendments",
            BUYER,
            post(awards::amend),
        ),
        route(M::GET, "/api/plan", Public, get(plan::get)),
        route(M::POST, "/api/plan", PLANNER, post(plan::add)),
        route(M::GET, "/plan", Public, get(plan::page)),
        // E-sourcing pages
        route(M::GET, "/tenders", Public, get(tender_pages::search_page)),
        route(M::GET, "/tenders/new", BUYER, get(tender_pages::new_page)),
        route(M::POST, "/tenders", BUYER, post(tender_pages::create)),
        route(
            M::GET,
            "/tenders/{id}",
            Public,
            get(tender_pages::tender_page),
        ),
        route(M::POST, "/tenders/{id}", BUYER, post(tender_pages::update)),
        route(
            M::GET,
            "/tenders/{id}/edit",
            BUYER,
            get(tender_pages::edit_page),
        ),
        route(
            M::POST,
            "/tenders/{id}/publish",
            BUYER,
            post(tender_pages::publish),
        ),
        route(
            M::POST,
            "/tenders/{id}/amend",
            BUYER,
            post(tender_pages::amend),
        ),
        route(
            M::POST,
            "/tenders/{id}/cancel",
            BUYER,
            post(tender_pages::cancel),
        ),
        route(
            M::POST,
            "/tenders/{id}/unsuccessful",
            BUYER,
            post(tender_pages::unsuccessful),
        ),
        upload(route(
            M::POST,
            "/tenders/{id}/documents",
            BUYER,
            post(tender_pages::add_document),
        )),
        route(
            M::POST,
            "/tenders/{id}/questions",
            SUPPLIER,
            post(tender_pages::ask),
        ),
        route(
            M::POST,
            "/clarifications/{id}/answer",
            BUYER,
            post(tender_pages::answer),
        ),
        route(
            M::POST,
            "/tenders/{id}/follow",
            SUPPLIER,
            post(tender_pages::follow),
        ),
        route(
            M::POST,
            "/tenders/{id}/unfollow",
            SUPPLIER,
            post(tender_pages::unfollow),
        ),
        route(
            M::GET,
            "/tenders/{id}/bid",
            SUPPLIER,
            get(tender_pages::bid_form),
        ),
        upload(route(
            M::POST,
            "/tenders/{id}/bid",
            SUPPLIER,
            post(tender_pages::submit_bid),
        )),
        route(
            M::POST,
            "/bids/{id}/withdraw",
            SUPPLIER,
            post(tender_pages::withdraw),
        ),
        route(
            M::GET,
            "/tenders/{id}/opening",
            EVALUATOR,
            get(tender_pages::opening_page),
        ),
        route(
            M::POST,
            "/tenders/{id}/opening",
            EVALUATOR,
            post(tender_pages::open),
        ),
        route(
            M::GET,
            "/tenders/{id}/evaluation",
            EVALUATOR,
            get(tender_pages::evaluation_page),
        ),
        route(
            M::POST,
            "/tenders/{id}/evaluation",
            EVALUATOR,
            post(tender_pages::save_evaluation),
        ),
        route(
            M::POST,
            "/tenders/{id}/conflicts",
            EVALUATOR,
            post(tender_pages::declare),
        ),
        route(
            M::POST,
            "/tenders/{id}/evaluation/complete",
            EVALUATOR_OR_BUYER,
            post(tender_pages::complete),
        ),
        route(
            M::GET,
            "/tenders/{id}/evaluation-report",
            Public,
            get(tender_pages::report),
        ),
        route(
            M::GET,
            "/tenders/{id}/evaluation-report.pdf",
            Public,
            get(tender_pages::report_pdf),
        ),
        route(
            M::POST,
            "/tenders/{id}/lots/{lot_id}/award",
            BUYER,
            post(tender_pages::award),
        ),
        route(
            M::POST,
            "/awards/{id}/complaints",
            SUPPLIER,
            post(tender_pages::complain),
        ),
        route(
            M::POST,
            "/complaints/{id}/resolve",
            BUYER,
            post(tender_pages::resolve),
        ),
        route(
            M::GET,
            "/awards/{id}/contract",
            BUYER,
            get(tender_pages::contract_form),
        ),
        route(
            M::POST,
            "/awards/{id}/contract",
            BUYER,
            post(tender_pages::sign_contract),
        ),
        route(
            M::POST,
            "/contracts/{id}/amend",
            BUYER,
            post(tender_pages::amend_contract),
        ),
        route(
            M::GET,
            "/documents/{id}",
            Public,
            get(tender_pages::document),
        ),
        route(
            M::POST,
            "/plan/tender",
            BUYER,
            post(tender_pages::from_plan),
        ),
        // Each role's desk
        route(M::GET, "/workspace", BUYER, get(workspace::buyer_page)),
        route(
            M::GET,
            "/api/me/workspace",
            BUYER,
            get(workspace::buyer_json),
        ),
        route(
            M::PUT,
            "/api/tenders/{id}/evaluation",
            EVALUATOR,
            put(evaluation::save_grid),
        ),
        route(M::GET, "/portal", SUPPLIER, get(workspace::supplier_page)),
        // Product cards (issue 14, point 7)
        route(
            M::GET,
            "/portal/products",
            SUPPLIER,
            get(product_cards::list_page),
        ),
        route(
            M::GET,
            "/portal/products/new",
            SUPPLIER,
            get(product_cards::new_page),
        ),
        route(
            M::POST,
            "/portal/products",
            SUPPLIER,
            post(product_cards::create_submit),
        ),
        route(
            M::GET,
            "/portal/products/{id}",
            SUPPLIER,
            get(product_cards::edit_page),
        ),
        route(
            M::POST,
            "/portal/products/{id}",
            SUPPLIER,
            post(product_cards::update_submit),
        ),
        route(
            M::POST,
            "/portal/products/{id}/withdraw",
            SUPPLIER,
            post(product_cards::withdraw_submit),
        ),
        route(
            M::GET,
            "/api/me/product-cards",
            SUPPLIER,
            get(product_cards::mine),
        ),
        route(
            M::POST,
            "/api/me/product-cards",
            SUPPLIER,
            post(product_cards::create),
        ),
        route(
            M::PUT,
            "/api/me/product-cards/{id}",
            SUPPLIER,
            put(product_cards::update),
        ),
        route(
            M::POST,
            "/api/me/product-cards/{id}/withdraw",
            SUPPLIER,
            post(product_cards::withdraw),
        ),
        route(
            M::GET,
            "/catalogue/items/{id}",
            Public,
            get(product_cards::item_page),
        ),
        route(
            M::GET,
            "/api/catalogue/items/{id}/product-cards",
            Public,
            get(product_cards::of_item),
        ),
        route(
            M::GET,
            "/api/me/portal",
            SUPPLIER,
            get(workspace::supplier_json),
        ),
        route(
            M::POST,
            "/portal/colleagues",
            SUPPLIER,
            post(workspace::add_colleague_submit),
        ),
        route(
            M::POST,
            "/api/me/colleagues",
            SUPPLIER,
            post(workspace::add_colleague_json),
        ),
        route(
            M::GET,
            "/committee",
            EVALUATOR,
            get(workspace::committee_page_get),
        ),
        route(
            M::GET,
            "/api/me/committee",
            EVALUATOR,
            get(workspace::committee_json),
        ),
        route(
            M::POST,
            "/committee/opening-key",
            EVALUATOR,
            post(workspace::opening_key_submit),
        ),
        route(
            M::GET,
            "/notifications",
            Authenticated,
            get(workspace::notifications_page),
        ),
        route(
            M::POST,
            "/notifications/read",
            Authenticated,
            post(workspace::notifications_read_submit),
        ),
        route(
            M::GET,
            "/api/me/notifications",
            Authenticated,
            get(workspace::notifications_json),
        ),
        route(
            M::POST,
            "/api/me/notifications/read",
            Authenticated,
            post(workspace::notifications_read_json),
        ),
        route(
            M::GET,
            "/bids/{id}/receipt",
            SUPPLIER,
            get(tender_pages::receipt_page),
        ),
        route(
            M::GET,
            "/api/bids/{id}/receipt",
            SUPPLIER,
            get(bids::receipt),
        ),
        // Supplier registry
        route(M::GET, "/register", Public, get(suppliers::register_form)),
        route(
            M::POST,
            "/register",
            Public,
            post(suppliers::register_submit),
        ),
        route(M::POST, "/api/suppliers", Public, post(suppliers::register)),
        route(
            M::POST,
            "/suppliers/{id}/status",
            ADMIN,
            post(suppliers::change_status_submit),
        ),
        route(
            M::POST,
            "/api/suppliers/{id}/status",
            ADMIN,
            post(suppliers::change_status),
        ),
        // Catalogue proposals, import and export
        route(
            M::GET,
            "/catalogue/proposals",
            Public,
            get(catalogue::proposals_page),
        ),
        route(
            M::GET,
            "/catalogue/proposals/new",
            CATALOGUE_EDITOR,
            get(catalogue::new_proposal_page),
        ),
        route(
            M::POST,
            "/catalogue/proposals",
            CATALOGUE_EDITOR,
            post(catalogue::propose_submit),
        ),
        route(
            M::GET,
            "/catalogue/proposals/{id}",
            Public,
            get(catalogue::proposal_page_get),
        ),
        route(
            M::POST,
            "/catalogue/proposals/{id}/review",
            ADMIN,
            post(catalogue::review_submit),
        ),
        route(
            M::GET,
            "/catalogue/import",
            CATALOGUE_EDITOR,
            get(catalogue::import_form),
        ),
        upload(route(
            M::POST,
            "/catalogue/import",
            CATALOGUE_EDITOR,
            post(catalogue::import_submit),
        )),
        route(
            M::GET,
            "/catalogue/export.csv",
            Public,
            get(catalogue::export_csv_file),
        ),
        route(
            M::GET,
            "/catalogue/export.xlsx",
            Public,
            get(catalogue::export_xlsx_file),
        ),
        route(
            M::GET,
            "/api/catalogue/proposals",
            Public,
            get(catalogue::proposals),
        ),
        route(
            M::GET,
            "/api/catalogue/proposals/{id}",
            Public,
            get(catalogue::proposal),
        ),
        route(
            M::POST,
            "/api/catalogue/proposals",
            CATALOGUE_EDITOR,
            post(catalogue::propose),
        ),
        route(
            M::POST,
            "/api/catalogue/proposals/{id}/review",
            ADMIN,
            post(catalogue::review),
        ),
        upload(route(
            M::POST,
            "/api/catalogue/import",
            CATALOGUE_EDITOR,
            post(catalogue::import),
        )),
        route(
            M::GET,
            "/api/catalogue/export",
            Public,
            get(catalogue::export),
        ),
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
        let mut endpoint = r
            .endpoint
            .route_layer(from_fn_with_state((r.access, limit), context::enforce));
        if r.upload {
            endpoint = endpoint.layer(DefaultBodyLimit::max(UPLOAD_LIMIT));
        }
        router = router.route(r.path, endpoint);
    }
    let router = router
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
        .layer(from_fn_with_state(state.clone(), metrics::record));
    // A node whose cookies are `Secure` is served over HTTPS: browsers must keep using it
    // (RFC 6797; issue 13). One year, the period HSTS preload lists ask for.
    let router = if state.config.secure_cookies {
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        router
    };
    router.layer(TraceLayer::new_for_http()).with_state(state)
}
