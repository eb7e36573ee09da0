//! The audit log: public pages and feeds, and the administrators' full view.

use super::AppState;
use super::context::RequestContext;
use super::error::{AppError, AppResult};
use super::extract::ApiQuery;
use super::page::{PageCtx, render};
use crate::domain::audit::AuditEvent;
use crate::domain::error_code::ErrorCode;
use crate::domain::time::Timestamp;
use crate::service::audit as service;
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// One event as published.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    /// Position in the chain.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub occurred_at: String,
    /// Who (`user:…` or `system:…`).
    pub actor: String,
    /// What (`user.created`, `tender.published`, …).
    pub action: String,
    /// Kind of record changed.
    pub entity_type: String,
    /// Id of the record changed.
    pub entity_id: Option<String>,
    /// The record before the change.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The record after the change.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    /// Whether the event is public.
    pub public: bool,
    /// Hash of the previous event.
    pub prev_hash: String,
    /// This event's hash: SHA-256 of its canonical encoding (see README, "Audit log").
    pub hash: String,
    /// The exact stored before-text, so anyone can recompute the hash.
    pub before_text: Option<String>,
    /// The exact stored after-text, so anyone can recompute the hash.
    pub after_text: Option<String>,
}

impl From<&AuditEvent> for EventView {
    fn from(e: &AuditEvent) -> Self {
        let parse = |t: &Option<String>| t.as_deref().and_then(|s| serde_json::from_str(s).ok());
        EventView {
            seq: e.seq,
            occurred_at: e.occurred_at.to_rfc3339(),
            actor: e.actor.clone(),
            action: e.action.clone(),
            entity_type: e.entity_type.clone(),
            entity_id: e.entity_id.clone(),
            before: parse(&e.before),
            after: parse(&e.after),
            public: e.public,
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
            before_text: e.before.clone(),
            after_text: e.after.clone(),
        }
    }
}

/// The chain's head, to anchor what a reader has seen.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HeadView {
    /// Sequence number of the last event.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
}

/// A page of the log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPageView {
    /// Events in chain order.
    pub events: Vec<EventView>,
    /// URL of the next page, absent on the last page.
    pub next: Option<String>,
    /// The chain's head when this page was read.
    pub head: HeadView,
}

/// Paging of the log.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events after this sequence number (the cursor of `next`).
    pub after: Option<i64>,
    /// Only events at or after this instant (RFC 3339 or `YYYY-MM-DD`).
    #[param(schema_with = since_schema)]
    pub since: Option<String>,
    /// Events per page (1–1000, default 100).
    pub limit: Option<i64>,
}

fn since_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    super::openapi_schemas::instant_or_day(
        "Only events at or after this instant (RFC 3339 or `YYYY-MM-DD`).",
    )
}

async fn log_page(
    state: &AppState,
    public_only: bool,
    path: &str,
    query: AuditQuery,
) -> AppResult<Json<AuditPageView>> {
    let since = match query.since.as_deref().filter(|s| !s.is_empty()) {
        Some(text) => Some(Timestamp::parse(text).ok_or_else(|| {
            AppError::new(ErrorCode::RequestInvalidQuery)
                .with_details(serde_json::json!({"parameter": "since"}))
        })?),
        None => None,
    };
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    let page = service::page(&state.db, public_only, query.after, since, limit).await?;
    let next = page.next_after.map(|after| {
        let mut url = format!("{path}?after={after}&limit={limit}");
        if let Some(s) = &query.since {
            url.push_str("&since=");
            url.push_str(&super::page::query_escape(s));
        }
        url
    });
    Ok(Json(AuditPageView {
        events: page.events.iter().map(EventView::from).collect(),
        next,
        head: HeadView {
            seq: page.head_seq,
            hash: page.head_hash,
        },
    }))
}

/// Pages the public part of the audit log in chain order.
#[utoipa::path(get, path = "/api/audit", tag = "audit", operation_id = "public_audit_log",
    params(AuditQuery),
    responses((status = 200, body = AuditPageView), (status = 400, body = super::openapi::ErrorBody)))]
pub async fn public_log(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> AppResult<Json<AuditPageView>> {
    log_page(&state, true, "/api/audit", query).await
}

/// Pages the whole audit log, private events included (administrators).
#[utoipa::path(get, path = "/api/admin/audit", tag = "audit", operation_id = "full_audit_log",
    security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = AuditPageView), (status = 403, body = super::openapi::ErrorBody)))]
pub async fn full_log(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> AppResult<Json<AuditPageView>> {
    log_page(&state, false, "/api/admin/audit", query).await
}

/// The chain's current head (sequence number and hash), for external anchoring.
#[utoipa::path(get, path = "/api/audit/head", tag = "audit", operation_id = "audit_head",
    responses((status = 200, body = HeadView)))]
pub async fn head(State(state): State<AppState>) -> AppResult<Json<HeadView>> {
    let (seq, hash) = service::head(&state.db).await?;
    Ok(Json(HeadView { seq, hash }))
}

/// Paging of the audit screens (newest first).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ScreenQuery {
    /// Show events before this sequence number.
    pub before: Option<i64>,
}

/// One event as the audit screens show it: a sentence in the page's language, with the record
/// it concerns as a link inside it, and the machine codes kept for auditors (issue 13).
struct EventLine {
    seq: i64,
    occurred_at: Timestamp,
    /// The sentence's text before the record.
    lead: String,
    /// The record's label and its page, if any.
    record: Option<(String, Option<String>)>,
    /// The sentence's text after the record.
    tail: String,
    /// The stored action code (`tender.published`).
    action: String,
    /// The stored actor (`user:compras`, `system:standstill`).
    actor: String,
    public: bool,
    hash: String,
}

/// Stands for the record inside a sentence while it is translated: the page then puts the
/// link there. Invisible characters that no translation or name contains.
const RECORD_MARK: &str = "\u{2063}record\u{2063}";

/// The sentence of an event in the page's language (see [`EventLine`]).
fn event_line(ctx: &PageCtx, d: service::DescribedEvent) -> EventLine {
    use crate::service::audit::{ActorKind, RecordKind};
    let actor = match &d.actor {
        ActorKind::System => ctx.t("audit-actor-system"),
        ActorKind::Supplier(name) => name.clone(),
        ActorKind::Role(role) => ctx.t(&format!("audit-actor-{}", role.code())),
        ActorKind::Unknown => ctx.t("audit-actor-unknown"),
    };
    let record = d.record.as_ref().map(|r| {
        let label = match r.kind {
            RecordKind::Tender
            | RecordKind::Supplier
            | RecordKind::CatalogueItem
            | RecordKind::Buyer
            | RecordKind::Unit
            | RecordKind::ProductCard => r.text.clone(),
            RecordKind::Auction => ctx.t1("audit-record-auction", "id", &r.text),
            RecordKind::Bid => ctx.t1("audit-record-bid", "id", &r.text),
            RecordKind::Proposal => ctx.t1("audit-record-proposal", "id", &r.text),
            RecordKind::PlanLine => ctx.t1("audit-record-plan-line", "id", &r.text),
            RecordKind::Account => ctx.t1("audit-record-account", "id", &r.text),
            RecordKind::Other => ctx.t1("audit-record-other", "id", &r.text),
        };
        // Straight to the part of the tender page the event concerns.
        let anchor = match d.action {
            Some(a) => match a.code().split('.').next() {
                Some("contract") => "#contracts",
                Some("award") => "#awards",
                Some("complaint") => "#complaints",
                Some("clarification") => "#clarifications",
                _ if a == crate::domain::audit::AuditAction::TenderBidsOpened => "#opening",
                _ if a == crate::domain::audit::AuditAction::EvaluationCompleted => "#evaluation",
                _ => "",
            },
            None => "",
        };
        let href = r.href.as_ref().map(|h| match r.kind {
            RecordKind::Tender => format!("{h}{anchor}"),
            _ => h.clone(),
        });
        (label, href)
    });
    let args = [
        ("actor".to_string(), actor),
        ("record".to_string(), RECORD_MARK.to_string()),
        ("code".to_string(), d.event.action.clone()),
    ];
    let sentence = match d.action {
        Some(action) => ctx.t_with(&action.message_key(), &args),
        None => ctx.t_with("audit-event-unknown", &args),
    };
    let (lead, tail, record) = match sentence.split_once(RECORD_MARK) {
        Some((lead, tail)) => {
            // A name that ends with its own period ends the sentence too ("S.A.", not "S.A..").
            let tail = match &record {
                Some((label, _)) if label.ends_with('.') => tail.strip_prefix('.').unwrap_or(tail),
                _ => tail,
            };
            (lead.to_string(), tail.to_string(), record)
        }
        // A sentence without the record (a sign-in): the record is not repeated.
        None => (sentence, String::new(), None),
    };
    EventLine {
        seq: d.event.seq,
        occurred_at: d.event.occurred_at,
        lead,
        record,
        tail,
        action: d.event.action,
        actor: d.event.actor,
        public: d.event.public,
        hash: d.event.hash,
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditScreen {
    ctx: PageCtx,
    events: Vec<EventLine>,
    older: Option<i64>,
    full: bool,
}

async fn screen(
    state: &AppState,
    ctx: &RequestContext,
    full: bool,
    query: ScreenQuery,
) -> AppResult<Response> {
    const PER_PAGE: i64 = 50;
    let events = service::latest(&state.db, !full, query.before, PER_PAGE).await?;
    let older = (events.len() as i64 == PER_PAGE)
        .then(|| events.last().map(|e| e.seq))
        .flatten();
    let page = PageCtx::new(state, ctx);
    let events = service::describe(&state.db, events)
        .await?
        .into_iter()
        .map(|d| event_line(&page, d))
        .collect();
    Ok(render(&AuditScreen {
        ctx: page,
        events,
        older,
        full,
    }))
}

/// `GET /audit`: the public log, newest first.
pub async fn public_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(query): ApiQuery<ScreenQuery>,
) -> AppResult<Response> {
    screen(&state, &ctx, false, query).await
}

/// `GET /admin/audit`: the whole log (administrators).
pub async fn admin_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(query): ApiQuery<ScreenQuery>,
) -> AppResult<Response> {
    screen(&state, &ctx, true, query).await
}
