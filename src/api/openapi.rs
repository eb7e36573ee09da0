//! The OpenAPI 3.1 document of every JSON route (generated from the handlers' annotations) and
//! its human-readable rendering at `/api/docs`, translated and served without JavaScript or
//! external assets ("government as a platform": seed 004).

use super::context::RequestContext;
use super::openapi_responses::StandardResponses;
use super::openapi_schemas::MultipartPartNames;
use super::page::{PageCtx, render};
use super::{
    AppState, account, auctions, audit, awards, bids, catalogue, dashboards, evaluation, health,
    ocds, plan, routes, suppliers, tenders, tokens, users, workspace,
};
use crate::domain::role::Access;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The error body every JSON route returns on failure.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Code, translated message and details of an error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code, e.g. `auth.invalid_credentials`, `validation.failed`.
    pub code: String,
    /// Message in the caller's language (`Accept-Language`, default Spanish).
    pub message: String,
    /// Extra facts: `fields` (each with `field`, `code`, `message`) for validation errors,
    /// `retry_after_secs` for rate limits, `reason` for malformed input.
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token (`tgs_…`) created on the account page or with POST /api/tokens.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tianguis API",
        description = "Public procurement and supply: registries, tenders, auctions and open data. \
Errors: every failure returns `{\"error\":{\"code\",\"message\",\"details\"}}` with a stable code. \
Authentication: `Authorization: Bearer tgs_…` personal API tokens; public data needs none.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        health::healthz,
        account::me, account::update_me,
        tokens::list, tokens::create, tokens::revoke,
        users::list, users::create, users::get_one, users::update, users::reset_password,
        users::activate, users::deactivate,
        audit::public_log, audit::full_log, audit::head,
        suppliers::buyers, suppliers::list, suppliers::get_one, suppliers::register,
        suppliers::change_status,
        catalogue::list, catalogue::proposals, catalogue::proposal, catalogue::propose,
        catalogue::review, catalogue::import, catalogue::export,
        workspace::buyer_json, workspace::supplier_json, workspace::add_colleague_json,
        workspace::committee_json, workspace::notifications_json, workspace::notifications_read_json,
        tenders::rulebook, tenders::search, tenders::get_one, tenders::create, tenders::update,
        tenders::publish, tenders::amend, tenders::cancel, tenders::unsuccessful, tenders::add_document,
        tenders::ask, tenders::answer, tenders::follow, tenders::unfollow,
        bids::submit, bids::withdraw, bids::mine, bids::receipt, bids::opening_key, bids::open,
        evaluation::declare, evaluation::verdict, evaluation::score, evaluation::save_grid, evaluation::submit, evaluation::complete,
        awards::award, awards::complain, awards::resolve, awards::sign, awards::amend,
        plan::get, plan::add,
        auctions::list, auctions::get_one, auctions::me, auctions::place_bid, auctions::pass,
        auctions::schedule, auctions::resumption, auctions::transcript, auctions::live,
        ocds::releases, ocds::release, ocds::records, ocds::record, ocds::bulk,
        ocds::imported, ocds::imported_one, dashboards::json,
        ocds::subscribe, ocds::subscriptions, ocds::subscription, ocds::update_subscription,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth, &StandardResponses, &MultipartPartNames),
    tags(
        (name = "platform", description = "Health and metadata"),
        (name = "account", description = "The caller's own account and API tokens"),
        (name = "users", description = "Account administration (administrators)"),
        (name = "audit", description = "The hash-chained audit log"),
        (name = "registry", description = "Buyers, suppliers and the catalogue"),
        (name = "tenders", description = "Tenders: search, public record, buyers' workflow, clarifications"),
        (name = "bids", description = "Sealed bids, receipts, opening keys and the opening act"),
        (name = "evaluation", description = "The committee's evaluation"),
        (name = "awards", description = "Awards, complaints (inconformidades) and contracts"),
        (name = "plan", description = "The annual procurement plan"),
        (name = "auctions", description = "Electronic reverse auctions: live board, bids, transcript"),
        (name = "open data", description = "OCDS 1.1 releases feed, records, bulk file and webhooks"),
        (name = "workspace", description = "Each role's desk: buyer workspace, supplier portal, committee workspace, notifications"),
    )
)]
pub struct ApiDoc;

/// The document as JSON (built once).
pub fn openapi_document() -> &'static serde_json::Value {
    static DOC: OnceLock<serde_json::Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_value(ApiDoc::openapi()).unwrap_or_default())
}

/// `GET /api/openapi.json`.
pub async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string_pretty(openapi_document()).unwrap_or_default(),
    )
        .into_response()
}

/// One documented operation, ready for the template.
pub struct OperationDoc {
    /// Upper-case method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Anchor id.
    pub anchor: String,
    /// Translated summary.
    pub summary: String,
    /// Longer description (from the code's documentation, in English).
    pub description: String,
    /// Who may call it (translated).
    pub access: String,
    /// (name, location, required, description).
    pub parameters: Vec<(String, String, bool, String)>,
    /// Request body schema name.
    pub request: Option<String>,
    /// (status, description, schema name).
    pub responses: Vec<(String, String, Option<String>)>,
}

/// One schema with its properties.
pub struct SchemaDoc {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// (property, type, required, description).
    pub properties: Vec<(String, String, bool, String)>,
}

fn ref_name(value: &serde_json::Value) -> Option<String> {
    let content = value.get("content")?.as_object()?.values().next()?;
    let schema = content.get("schema")?;
    let reference = schema
        .get("$ref")
        .or_else(|| schema.get("items").and_then(|i| i.get("$ref")))?
        .as_str()?;
    let name = reference.rsplit('/').next()?.to_string();
    Some(if schema.get("items").is_some() {
        format!("[{name}]")
    } else {
        name
    })
}

fn type_of(schema: &serde_json::Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(|r| r.as_str()) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    match schema.get("type") {
        Some(serde_json::Value::String(t)) if t == "array" => {
            format!("[{}]", schema.get("items").map(type_of).unwrap_or_default())
        }
        Some(serde_json::Value::String(t)) => t.clone(),
        Some(serde_json::Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
        _ => schema
            .get("oneOf")
            .and_then(|o| o.as_array())
            .map(|o| o.iter().map(type_of).collect::<Vec<_>>().join(" | "))
            .unwrap_or_else(|| "object".to_string()),
    }
}

fn access_label(ctx: &PageCtx, method: &str, path: &str) -> String {
    let access = routes()
        .into_iter()
        .find(|r| r.method.as_str() == method && r.path == path)
        .map(|r| r.access);
    match access {
        Some(Access::Public) => ctx.t("access-public"),
        Some(Access::Authenticated) => ctx.t("access-authenticated"),
        Some(Access::AnyOf(roles)) => roles
            .iter()
            .map(|r| ctx.role_name(r))
            .collect::<Vec<_>>()
            .join(", "),
        None => "—".to_string(),
    }
}

/// Operations of the document, in path order.
pub fn operations(ctx: &PageCtx) -> Vec<OperationDoc> {
    let doc = openapi_document();
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) else {
        return out;
    };
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let operation_id = op
                .get("operationId")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let upper = method.to_uppercase();
            let parameters = op
                .get("parameters")
                .and_then(|p| p.as_array())
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            (
                                p["name"].as_str().unwrap_or_default().to_string(),
                                p["in"].as_str().unwrap_or_default().to_string(),
                                p["required"].as_bool().unwrap_or(false),
                                p["description"].as_str().unwrap_or_default().to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let responses = op
                .get("responses")
                .and_then(|r| r.as_object())
                .map(|rs| {
                    rs.iter()
                        .map(|(status, r)| {
                            (
                                status.clone(),
                                r["description"].as_str().unwrap_or_default().to_string(),
                                ref_name(r),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.push(OperationDoc {
                access: access_label(ctx, &upper, path),
                method: upper,
                path: path.clone(),
                anchor: operation_id.to_string(),
                summary: ctx.t(&format!("api-{}", operation_id.replace('_', "-"))),
                description: op
                    .get("description")
                    .and_then(|d| d.as_str())
                    .unwrap_or_default()
                    .to_string(),
                parameters,
                request: op.get("requestBody").and_then(ref_name),
                responses,
            });
        }
    }
    out
}

/// Schemas of the document, by name.
pub fn schemas() -> Vec<SchemaDoc> {
    let doc = openapi_document();
    let Some(schemas) = doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(|s| s.as_object())
    else {
        return Vec::new();
    };
    schemas
        .iter()
        .map(|(name, schema)| {
            let required: Vec<&str> = schema
                .get("required")
                .and_then(|r| r.as_array())
                .map(|r| r.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            let mut properties: Vec<(String, String, bool, String)> = Vec::new();
            let mut collect = |props: &serde_json::Map<String, serde_json::Value>| {
                for (prop, def) in props {
                    properties.push((
                        prop.clone(),
                        type_of(def),
                        required.contains(&prop.as_str()),
                        def["description"].as_str().unwrap_or_default().to_string(),
                    ));
                }
            };
            if let Some(props) = schema.get("properties").and_then(|p| p.as_object()) {
                collect(props);
            }
            for part in schema
                .get("allOf")
                .and_then(|a| a.as_array())
                .into_iter()
                .flatten()
            {
                if let Some(props) = part.get("properties").and_then(|p| p.as_object()) {
                    collect(props);
                }
            }
            SchemaDoc {
                name: name.clone(),
                description: schema["description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                properties,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    ctx: PageCtx,
    operations: Vec<OperationDoc>,
    schemas: Vec<SchemaDoc>,
}

/// `GET /api/docs`.
pub async fn docs_page(State(state): State<AppState>, ctx: RequestContext) -> Response {
    let page = PageCtx::new(&state, &ctx);
    let operations = operations(&page);
    render(&DocsPage {
        ctx: page,
        operations,
        schemas: schemas(),
    })
}
