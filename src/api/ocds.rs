//! Open data (issue 5): the OCDS release feed, records, the bulk file and webhooks.
//!
//! Packages are assembled from the stored release texts without re-serialising them, so what a
//! consumer receives is byte for byte what was published (and what webhooks delivered).

use super::AppState;
use super::context::RequestContext;
use super::error::{AppError, AppResult};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::domain::error_code::ErrorCode;
use crate::domain::time::Timestamp;
use crate::repository::webhooks::SubscriptionRow;
use crate::service::publication::{self, webhooks};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use std::io::Write;

/// Releases per page unless `limit` says otherwise, and the most a page holds.
const DEFAULT_LIMIT: u64 = 100;
const MAX_LIMIT: u64 = 1000;

/// Paging of the release feed.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Opaque position from a previous page's `links.next` (omit or leave empty to start at the
    /// beginning); one the list did not issue is refused with 422 (`unknown_cursor`).
    #[param(pattern = r"^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// Only releases dated at or after this instant (RFC 3339) or day (`YYYY-MM-DD`, UTC).
    #[param(schema_with = since_schema)]
    pub since: Option<String>,
    /// Releases per page (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u64>,
}

/// Paging of records.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordsQuery {
    /// Opaque position from a previous page's `links.next` (omit or leave empty to start at the
    /// beginning); one the list did not issue is refused with 422 (`unknown_cursor`).
    #[param(pattern = r"^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// Records per page (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u64>,
}

fn since_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    super::openapi_schemas::instant_or_day(
        "Only releases dated at or after this instant (RFC 3339) or day (`YYYY-MM-DD`, UTC).",
    )
}

fn invalid(parameter: &str) -> AppError {
    AppError::new(ErrorCode::RequestInvalidQuery)
        .with_details(serde_json::json!({"parameter": parameter}))
}

fn limit_of(limit: Option<u64>) -> AppResult<u64> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(invalid("limit")),
    }
}

fn encode_cursor(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

/// A cursor parameter, an empty one being absent like every other empty query parameter.
fn cursor_of(cursor: &Option<String>) -> Option<&str> {
    cursor.as_deref().filter(|c| !c.trim().is_empty())
}

/// A cursor this list did not issue. Its characters are those the document allows (a
/// property JSON Schema can state, refused with 400 otherwise), but what it encodes is not a
/// position, which only the server can tell: the documented 422 (issue 13).
fn unknown_cursor() -> AppError {
    AppError::from(crate::service::ServiceError::field(
        "cursor",
        crate::domain::validation::FieldCode::UnknownCursor,
    ))
}

fn decode_cursor(cursor: &str) -> AppResult<String> {
    let cursor = cursor.trim();
    if !cursor
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(invalid("cursor"));
    }
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(unknown_cursor)
}

/// A feed cursor holds the last position served and the `since` filter, so following
/// `links.next` keeps the filter without the client repeating it.
fn decode_feed_cursor(cursor: &str) -> AppResult<(i64, Option<i64>)> {
    let text = decode_cursor(cursor)?;
    let mut parts = text.split(':');
    let (Some("r"), Some(seq), since) = (parts.next(), parts.next(), parts.next()) else {
        return Err(unknown_cursor());
    };
    let seq: i64 = seq.parse().map_err(|_| unknown_cursor())?;
    let since = match since {
        None | Some("") => None,
        Some(s) => Some(s.parse::<i64>().map_err(|_| unknown_cursor())?),
    };
    if seq < 0 {
        return Err(unknown_cursor());
    }
    Ok((seq, since))
}

async fn settings(state: &AppState) -> AppResult<publication::Settings> {
    let mut conn = state.db.read().await?;
    Ok(publication::settings(&mut conn).await?)
}

fn json_response(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The release feed: a release package, oldest first, paged by an opaque cursor. `links.next`
/// is always present: following it later returns the releases published since (an empty page
/// means "nothing new yet"). Releases appear in commit order, so the feed never skips one.
#[utoipa::path(get, path = "/api/ocds/releases", tag = "open data", operation_id = "ocds_releases",
    params(FeedQuery),
    responses((status = 200, description = "OCDS 1.1 release package", body = Object),
        (status = 400, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn releases(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<FeedQuery>,
) -> AppResult<Response> {
    let limit = limit_of(query.limit)?;
    let (after, cursor_since) = match cursor_of(&query.cursor) {
        Some(c) => decode_feed_cursor(c)?,
        None => (0, None),
    };
    let since = match query.since.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => Some(Timestamp::parse(s).ok_or_else(|| invalid("since"))?),
        None => cursor_since.map(Timestamp::from_micros),
    };
    let page = publication::feed(&state.db, after, since, limit).await?;
    let settings = settings(&state).await?;
    let base = format!("{}/api/ocds/releases", settings.public_url);
    let this = match cursor_of(&query.cursor) {
        Some(c) => format!("{base}?cursor={c}"),
        None => base.clone(),
    };
    let next_cursor = encode_cursor(&format!(
        "r:{}:{}",
        page.next_after,
        since.map(|s| s.as_micros().to_string()).unwrap_or_default()
    ));
    let next = format!("{base}?cursor={next_cursor}&limit={limit}");
    let metadata = publication::package_metadata(&settings, &this, state.now());
    Ok(json_response(publication::package_text(
        metadata,
        "releases",
        page.releases.into_iter().map(|r| r.json),
        Some(next),
    )))
}

/// One release, in a release package.
#[utoipa::path(get, path = "/api/ocds/releases/{id}", tag = "open data", operation_id = "ocds_release",
    params(("id" = String, Path, description = "Release id")),
    responses((status = 200, body = Object), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn release(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Response> {
    let row = publication::release(&state.db, &id).await?;
    let settings = settings(&state).await?;
    let metadata = publication::package_metadata(
        &settings,
        &format!("{}/api/ocds/releases/{id}", settings.public_url),
        state.now(),
    );
    Ok(json_response(publication::package_text(
        metadata,
        "releases",
        std::iter::once(row.json),
        None,
    )))
}

/// A process's record package: every release, the compiled release and the versioned release.
#[utoipa::path(get, path = "/api/ocds/records/{ocid}", tag = "open data", operation_id = "ocds_record",
    params(("ocid" = String, Path, description = "Open Contracting id")),
    responses((status = 200, description = "OCDS 1.1 record package", body = Object),
        (status = 404, body = super::openapi::ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    ApiPath(ocid): ApiPath<String>,
) -> AppResult<Response> {
    let record = publication::record(&state.db, &ocid).await?;
    let settings = settings(&state).await?;
    let mut metadata = publication::package_metadata(
        &settings,
        &format!("{}/api/ocds/records/{ocid}", settings.public_url),
        state.now(),
    );
    metadata.insert("records".into(), serde_json::json!([record]));
    Ok(json_response(
        serde_json::to_string(&metadata).unwrap_or_default(),
    ))
}

/// Records in ocid order, each with its compiled release and links to its releases.
#[utoipa::path(get, path = "/api/ocds/records", tag = "open data", operation_id = "ocds_records",
    params(RecordsQuery),
    responses((status = 200, description = "OCDS 1.1 record package", body = Object),
        (status = 400, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn records(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<RecordsQuery>,
) -> AppResult<Response> {
    let limit = limit_of(query.limit)?;
    let after = match cursor_of(&query.cursor) {
        Some(c) => decode_cursor(c)?
            .strip_prefix("o:")
            .map(str::to_owned)
            .ok_or_else(unknown_cursor)?,
        None => String::new(),
    };
    let rows = publication::records_page(&state.db, &after, limit).await?;
    let settings = settings(&state).await?;
    let base = format!("{}/api/ocds/records", settings.public_url);
    let next = (rows.len() as u64 == limit)
        .then(|| rows.last())
        .flatten()
        .map(|r| {
            format!(
                "{base}?cursor={}&limit={limit}",
                encode_cursor(&format!("o:{}", r.ocid))
            )
        });
    let metadata = publication::package_metadata(&settings, &base, state.now());
    let items: Vec<String> = rows
        .into_iter()
        .map(|r| {
            format!(
                "{{\"ocid\":{},\"releases\":[{{\"url\":{},\"date\":{}}}],\"compiledRelease\":{}}}",
                serde_json::Value::String(r.ocid.clone()),
                serde_json::Value::String(format!(
                    "{}/api/ocds/records/{}",
                    settings.public_url, r.ocid
                )),
                serde_json::Value::String(publication::release::date(r.updated_at)),
                r.compiled
            )
        })
        .collect();
    Ok(json_response(publication::package_text(
        metadata,
        "records",
        items.into_iter(),
        next,
    )))
}

/// Every compiled release as gzip-compressed JSON lines, in ocid order, generated from the
/// current records as it streams (so it is always current). `ETag` changes with every new
/// release; `If-None-Match` answers 304 when nothing changed.
#[utoipa::path(get, path = "/api/ocds/bulk/compiled-releases.jsonl.gz", tag = "open data", operation_id = "ocds_bulk",
    responses((status = 200, description = "gzip JSON lines", content_type = "application/gzip"),
        (status = 304, description = "Unchanged since the ETag given")))]
pub async fn bulk(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let (count, last_seq) = {
        let mut conn = state.db.read().await?;
        crate::repository::ocds::records_summary(&mut conn).await?
    };
    let etag = format!("\"{count}-{last_seq}\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let (sender, receiver) = futures::channel::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let db = state.db.clone();
    tokio::spawn(async move {
        let mut sender = sender;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut after = String::new();
        loop {
            let page = match publication::records_page(&db, &after, 500).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(error = %e, "bulk file: reading records failed");
                    let _ = futures::SinkExt::send(
                        &mut sender,
                        Err(std::io::Error::other("records unavailable")),
                    )
                    .await;
                    return;
                }
            };
            let Some(last) = page.last() else { break };
            after = last.ocid.clone();
            for r in &page {
                let _ = encoder.write_all(r.compiled.as_bytes());
                let _ = encoder.write_all(b"\n");
            }
            let chunk = std::mem::take(encoder.get_mut());
            if !chunk.is_empty()
                && futures::SinkExt::send(&mut sender, Ok(chunk))
                    .await
                    .is_err()
            {
                return; // the client went away
            }
        }
        if let Ok(rest) = encoder.finish() {
            let _ = futures::SinkExt::send(&mut sender, Ok(rest)).await;
        }
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/gzip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"compiled-releases.jsonl.gz\"".to_string(),
            ),
            (header::ETAG, etag),
        ],
        Body::from_stream(receiver),
    )
        .into_response())
}

/// Search of imported processes.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportedQuery {
    /// Text in the title, buyer or ocid.
    pub q: Option<String>,
    /// Rows to skip.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Rows per page (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u64>,
}

/// Processes imported from other publishers (`tianguis ocds import`), newest first: read-only,
/// searchable by title, buyer or ocid.
#[utoipa::path(get, path = "/api/ocds/imported", tag = "open data", operation_id = "ocds_imported",
    params(ImportedQuery),
    responses((status = 200, body = Object), (status = 400, body = super::openapi::ErrorBody)))]
pub async fn imported(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ImportedQuery>,
) -> AppResult<Json<crate::repository::Page<crate::repository::imports::ProcessRow>>> {
    let limit = limit_of(query.limit)? as i64;
    let offset = query.offset.unwrap_or(0);
    if offset < 0 {
        return Err(invalid("offset"));
    }
    Ok(Json(
        crate::service::imports::search(&state.db, query.q.as_deref().unwrap_or(""), offset, limit)
            .await?,
    ))
}

/// One imported process: its summary and compiled release.
#[utoipa::path(get, path = "/api/ocds/imported/{ocid}", tag = "open data", operation_id = "ocds_imported_one",
    params(("ocid" = String, Path, description = "Open Contracting id")),
    responses((status = 200, body = Object), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn imported_one(
    State(state): State<AppState>,
    ApiPath(ocid): ApiPath<String>,
) -> AppResult<Json<serde_json::Value>> {
    let (row, compiled) = crate::service::imports::process(&state.db, &ocid).await?;
    Ok(Json(
        serde_json::json!({"process": row, "compiledRelease": compiled}),
    ))
}

#[derive(askama::Template)]
#[template(path = "open_data.html")]
struct OpenDataPage {
    ctx: super::page::PageCtx,
    figures: crate::service::figures::Figures,
    prefix: String,
    q: String,
    found: crate::repository::Page<crate::repository::imports::ProcessRow>,
}

impl OpenDataPage {
    /// Each figure with what it counts (issue 13: "468" releases read as 468 processes).
    fn counted(&self) -> Vec<(&'static str, String, String)> {
        let f = &self.figures;
        let c = |n: i64| self.ctx.count(n);
        vec![
            (
                "releases",
                c(f.releases),
                self.ctx
                    .t1("opendata-releases-counted", "count", f.releases),
            ),
            (
                "records",
                c(f.records),
                self.ctx.t_with(
                    "opendata-records-counted",
                    &[
                        ("count".into(), f.records.to_string()),
                        ("tenders".into(), c(f.records - f.planning_records)),
                        ("planning".into(), c(f.planning_records)),
                    ],
                ),
            ),
            (
                "imported",
                c(f.imported),
                self.ctx
                    .t1("opendata-imported-counted", "count", f.imported),
            ),
        ]
    }
}

/// `?q=` of the open-data page: search of the imported processes.
#[derive(Debug, Default, Deserialize)]
pub struct OpenDataQuery {
    /// Text in the title, buyer or ocid.
    pub q: Option<String>,
}

/// `GET /open-data`: what is published, where, under which policy (the package's
/// `publicationPolicy` points here).
pub async fn page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(query): ApiQuery<OpenDataQuery>,
) -> AppResult<Response> {
    let settings = settings(&state).await?;
    let q = query
        .q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(200)
        .collect::<String>();
    let found = crate::service::imports::search(&state.db, &q, 0, 50).await?;
    let figures = crate::service::figures::figures(&state.db, state.rulebook.currency()).await?;
    Ok(super::page::render(&OpenDataPage {
        ctx: super::page::PageCtx::new(&state, &ctx),
        figures,
        prefix: settings.ocid_prefix,
        q,
        found,
    }))
}

/// A webhook registration.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SubscribeRequest {
    /// The absolute `http(s)` URL that receives release packages.
    pub url: String,
}

/// Switching a subscription on or off.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SubscriptionUpdate {
    /// `true` to receive releases (and retry at once), `false` to pause.
    pub active: bool,
}

/// Registers a webhook: every release published from now on is `POST`ed to the URL as a
/// release package, signed with the returned secret (`Tianguis-Signature`).
#[utoipa::path(post, path = "/api/ocds/webhooks", tag = "open data", operation_id = "webhook_subscribe",
    request_body = SubscribeRequest,
    responses((status = 201, body = webhooks::Registered), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn subscribe(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiJson(request): ApiJson<SubscribeRequest>,
) -> AppResult<(StatusCode, Json<webhooks::Registered>)> {
    let registered = webhooks::subscribe(
        &state.db,
        &ctx.actor()?,
        &request.url,
        state.config.webhook_allow_private,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(registered)))
}

/// The caller's webhooks.
#[utoipa::path(get, path = "/api/ocds/webhooks", tag = "open data", operation_id = "webhook_list",
    responses((status = 200, body = Vec<SubscriptionRow>)))]
pub async fn subscriptions(
    State(state): State<AppState>,
    ctx: RequestContext,
) -> AppResult<Json<Vec<SubscriptionRow>>> {
    Ok(Json(webhooks::list(&state.db, &ctx.actor()?).await?))
}

/// One webhook with its delivery state and latest attempts (failures included).
#[utoipa::path(get, path = "/api/ocds/webhooks/{id}", tag = "open data", operation_id = "webhook_show",
    params(("id" = i64, Path, description = "Subscription id")),
    responses((status = 200, body = webhooks::SubscriptionView), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn subscription(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<webhooks::SubscriptionView>> {
    Ok(Json(webhooks::show(&state.db, &ctx.actor()?, id).await?))
}

/// Pauses or resumes a webhook.
#[utoipa::path(put, path = "/api/ocds/webhooks/{id}", tag = "open data", operation_id = "webhook_update",
    params(("id" = i64, Path, description = "Subscription id")),
    request_body = SubscriptionUpdate,
    responses((status = 200, body = SubscriptionRow), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn update_subscription(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<SubscriptionUpdate>,
) -> AppResult<Json<SubscriptionRow>> {
    Ok(Json(
        webhooks::set_active(&state.db, &ctx.actor()?, id, request.active).await?,
    ))
}
