//! The OpenAPI 3.1 document of every JSON route (generated from the handlers' annotations) and
//! its human-readable rendering at `/api/docs`, translated and served without JavaScript or
//! external assets ("government as a platform": seed 004).

use super::context::RequestContext;
use super::openapi_responses::StandardResponses;
use super::openapi_schemas::MultipartPartNames;
use super::page::{PageCtx, render};
use super::{
    AppState, account, agreements, auctions, audit, awards, bids, catalogue, dashboards,
    evaluation, health, ocds, plan, product_cards, routes, suppliers, tenders, tokens, units,
    users, workspace,
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
        agreements::list, agreements::get_one, agreements::place, agreements::get_call_off,
        agreements::confirm, agreements::decline, agreements::cancel, agreements::set_terms,
        agreements::conclude,
        units::list, units::get_one, units::create, units::update, units::set_user_units,
        audit::public_log, audit::full_log, audit::head,
        suppliers::buyers, suppliers::list, suppliers::get_one, suppliers::register,
        suppliers::change_status,
        catalogue::list, catalogue::proposals, catalogue::proposal, catalogue::propose,
        catalogue::review, catalogue::import, catalogue::export,
        product_cards::mine, product_cards::create, product_cards::update, product_cards::withdraw,
        product_cards::of_item,
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
        (name = "agreements", description = "Framework agreements (contratos abiertos) and the call-offs units place on them"),
        (name = "units", description = "The institution's units: warehouses, hospitals, clinics and pharmacies, and who acts for them"),
        (name = "audit", description = "The hash-chained audit log"),
        (name = "registry", description = "Buyers, suppliers and the catalogue"),
        (name = "products", description = "Suppliers' product cards: brand, manufacturer, health registration, GTIN and pack size of what each supplier delivers for a catalogue item"),
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

/// One documented operation, ready for the template: every text in the page's language.
pub struct OperationDoc {
    /// Upper-case method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Anchor id.
    pub anchor: String,
    /// Its tag (the group it is listed under).
    pub tag: String,
    /// Summary.
    pub summary: String,
    /// Longer description, as HTML (see [`code_spans`]); empty when the code has none.
    pub description: String,
    /// Who may call it.
    pub access: String,
    /// (name, location, required, description as HTML).
    pub parameters: Vec<(String, String, bool, String)>,
    /// Request body schema name.
    pub request: Option<String>,
    /// (status, description as HTML, schema name).
    pub responses: Vec<(String, String, Option<String>)>,
}

/// One schema with its properties.
pub struct SchemaDoc {
    /// Name.
    pub name: String,
    /// Description, as HTML.
    pub description: String,
    /// (property, type, required, description as HTML).
    pub properties: Vec<(String, String, bool, String)>,
}

/// One tag of the document: the operations listed under it.
pub struct TagDoc {
    /// Its name in the document (what operations refer to).
    pub code: String,
    /// Its name in the page's language.
    pub name: String,
    /// What it groups, as HTML.
    pub description: String,
}

/// The Fluent key of a text of the document, by where it stands: `prefix`, then every part in
/// kebab case (`TenderDetail` → `tender-detail`, `per_page` → `per-page`, `open data` →
/// `open-data`), joined by `-`. The page uses `api` + operation (its summary), `apidoc-op` +
/// operation (its description), `apidoc-param` + operation + name, `apidoc-response` +
/// operation + status (a shared answer: + its name), `apidoc-schema` + schema, `apidoc-field` +
/// schema + property, and `apidoc-tag` + tag (its description: + `text`).
///
/// `openapi.json` stays in English, the code's own words; `/api/docs` shows every text in the
/// page's language (issue 13: the Spanish page carried English descriptions), the English page
/// through the same keys, whose texts a test holds equal to the document's.
pub fn text_key(prefix: &str, parts: &[&str]) -> String {
    let mut key = prefix.to_string();
    for part in parts {
        key.push('-');
        let mut previous: Option<char> = None;
        for c in part.chars() {
            if c.is_ascii_uppercase()
                && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
            {
                key.push('-');
            }
            key.push(match c {
                '_' | ' ' => '-',
                c => c.to_ascii_lowercase(),
            });
            previous = Some(c);
        }
    }
    key
}

/// Text with `code` spans as HTML: escaped, each span between backticks in `<code>`.
pub fn code_spans(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, part) in text.split('`').enumerate() {
        let Ok(escaped) = askama::filters::escape(part, askama::filters::Html);
        if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(&escaped.to_string());
            out.push_str("</code>");
        } else {
            out.push_str(&escaped.to_string());
        }
    }
    out
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

/// The text under `key` in the page's language, as HTML; empty where the document has none
/// (`english` is the document's text, only asked whether there is one).
fn words(ctx: &PageCtx, key: &str, english: Option<&str>) -> String {
    match english {
        Some(text) if !text.trim().is_empty() => code_spans(&ctx.t(key)),
        _ => String::new(),
    }
}

/// An answer of an operation: its own description, else that of the shared answer it refers
/// to or, when it documents only a body, of the shared answer with its status (the same
/// meaning); and the schema of its body.
fn response_doc(
    ctx: &PageCtx,
    operation_id: &str,
    status: &str,
    response: &serde_json::Value,
) -> (String, String, Option<String>) {
    let doc = openapi_document();
    let shared = |name: &str| {
        let component = &doc["components"]["responses"][name];
        let text = component["description"].as_str();
        (
            words(ctx, &text_key("apidoc-response", &[name]), text),
            component,
        )
    };
    let own = response["description"].as_str().filter(|d| !d.is_empty());
    let (description, body) = match (own, response["$ref"].as_str()) {
        (Some(text), _) => (
            words(
                ctx,
                &text_key("apidoc-response", &[operation_id, status]),
                Some(text),
            ),
            response,
        ),
        (None, Some(reference)) => shared(reference.rsplit('/').next().unwrap_or_default()),
        (None, None) => match super::openapi_responses::shared_name(status) {
            Some(name) => (shared(name).0, response),
            None => (String::new(), response),
        },
    };
    (status.to_string(), description, ref_name(body))
}

/// The document's tags, in its order.
pub fn tags(ctx: &PageCtx) -> Vec<TagDoc> {
    openapi_document()["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|tag| {
            let code = tag["name"].as_str()?;
            let key = text_key("apidoc-tag", &[code]);
            Some(TagDoc {
                code: code.to_string(),
                name: ctx.t(&key),
                description: words(ctx, &text_key(&key, &["text"]), tag["description"].as_str()),
            })
        })
        .collect()
}

/// Operations of the document, in its order (the page lists them under their tags).
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
                            let name = p["name"].as_str().unwrap_or_default();
                            let location = p["in"].as_str().unwrap_or_default();
                            (
                                name.to_string(),
                                ctx.t(&format!("api-docs-in-{location}")),
                                p["required"].as_bool().unwrap_or(false),
                                words(
                                    ctx,
                                    &text_key("apidoc-param", &[operation_id, name]),
                                    p["description"].as_str(),
                                ),
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
                        .map(|(status, r)| response_doc(ctx, operation_id, status, r))
                        .collect()
                })
                .unwrap_or_default();
            out.push(OperationDoc {
                access: access_label(ctx, &upper, path),
                method: upper,
                path: path.clone(),
                anchor: operation_id.to_string(),
                tag: op["tags"][0].as_str().unwrap_or_default().to_string(),
                summary: ctx.t(&text_key("api", &[operation_id])),
                description: words(
                    ctx,
                    &text_key("apidoc-op", &[operation_id]),
                    op["description"].as_str(),
                ),
                parameters,
                request: op.get("requestBody").and_then(ref_name),
                responses,
            });
        }
    }
    out
}

/// Schemas of the document, by name.
pub fn schemas(ctx: &PageCtx) -> Vec<SchemaDoc> {
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
                        words(
                            ctx,
                            &text_key("apidoc-field", &[name, prop]),
                            def["description"].as_str(),
                        ),
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
                description: words(
                    ctx,
                    &text_key("apidoc-schema", &[name]),
                    schema["description"].as_str(),
                ),
                properties,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    ctx: PageCtx,
    tags: Vec<TagDoc>,
    operations: Vec<OperationDoc>,
    schemas: Vec<SchemaDoc>,
}

/// `GET /api/docs`.
pub async fn docs_page(State(state): State<AppState>, ctx: RequestContext) -> Response {
    let page = PageCtx::new(&state, &ctx);
    let tags = tags(&page);
    let operations = operations(&page);
    let schemas = schemas(&page);
    render(&DocsPage {
        ctx: page,
        tags,
        operations,
        schemas,
    })
}
