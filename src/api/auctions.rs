//! Electronic reverse auctions over HTTP (issue 4): the public list and live page (observer
//! board, price chart, and the bidding panel for participants), the live WebSocket, the JSON
//! API for bids, passes, scheduling and the transcript, and the internal route other nodes
//! forward commands to.
//!
//! Live protocol (`GET /api/auctions/{id}/live`, WebSocket, JSON text frames):
//! - server → client: `{"type":"snapshot"|"update","seq":N,"server_now":T,"board":PublicView,
//!   "me":BidderView|null}` — `server_now` lets the page run a countdown synchronised to the
//!   server clock; `board.price_history` holds only the points after the client's last seq;
//!   `{"type":"ack","request_id":…,"ack":Ack}` once a bid is durable; `{"type":"error","code":…,
//!   "message":…}`.
//! - client → server: `{"type":"bid","price":"123.45","request_id":"…"}`, `{"type":"pass",
//!   "request_id":"…"}`.
//! - Reconnection: open the socket again with `?after=<last seq seen>`; the snapshot carries
//!   everything since. A retried bid with the same `request_id` is never recorded twice.

use super::AppState;
use super::context::RequestContext;
use super::error::{AppError, AppResult};
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::page::{PageCtx, render};
use crate::domain::error_code::ErrorCode;
use crate::domain::time::Timestamp;
use crate::domain::validation::{FieldCode, FieldError};
use crate::repository::auctions::AuctionRow;
use crate::service::auctions::listing::AuctionListing;
use crate::service::auctions::{
    self, Ack, AuctionInfo, HubError, LiveCommand, hub::FORWARD_HEADER,
};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;
use std::str::FromStr;
use std::sync::Arc;

impl From<HubError> for AppError {
    fn from(err: HubError) -> AppError {
        match err {
            HubError::NotFound => AppError::new(ErrorCode::ResourceNotFound),
            HubError::Invalid(code) => AppError::new(ErrorCode::AuctionCommandInvalid)
                .with_details(serde_json::json!({"reason": code})),
            HubError::Unavailable(cause) => {
                tracing::warn!(%cause, "auction command not served");
                AppError::new(ErrorCode::AuctionUnavailable)
            }
        }
    }
}

/// Bids per bidder and auction within [`BID_WINDOW`] (a human clicks far less; a runaway
/// script is stopped before it floods the log).
pub const BIDS_PER_WINDOW: usize = 30;
/// The window of [`BIDS_PER_WINDOW`].
pub const BID_WINDOW: std::time::Duration = std::time::Duration::from_secs(10);

fn bid_limiter() -> &'static crate::service::rate_limit::RateLimiter {
    static LIMITER: std::sync::OnceLock<crate::service::rate_limit::RateLimiter> =
        std::sync::OnceLock::new();
    LIMITER
        .get_or_init(|| crate::service::rate_limit::RateLimiter::new(BIDS_PER_WINDOW, BID_WINDOW))
}

fn check_rate(user_id: i64, auction_id: i64) -> AppResult<()> {
    let key = format!("{user_id}:{auction_id}");
    bid_limiter().check(&key).map_err(|wait| {
        AppError::from(crate::service::ServiceError::RateLimited {
            retry_after_secs: wait,
        })
    })?;
    bid_limiter().record(&key);
    Ok(())
}

/// The acting supplier's bidder id in this auction (403 when not a participant).
async fn bidder(state: &AppState, ctx: &RequestContext, auction_id: i64) -> AppResult<String> {
    let actor = ctx.actor()?;
    auctions::bidder_of(&state.db, &actor, auction_id)
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::AuthForbidden))
}

fn parse_price(text: &str) -> AppResult<Decimal> {
    Decimal::from_str(text.trim()).map_err(|_| {
        AppError::from(crate::service::ServiceError::Validation(vec![FieldError {
            field: "price".into(),
            code: FieldCode::InvalidNumber,
        }]))
    })
}

// ------------------------------------------------------------------ JSON API

/// Every auction: running and scheduled ones first, then finished ones, latest start first.
#[utoipa::path(get, path = "/api/auctions", tag = "auctions", operation_id = "list_auctions",
    responses((status = 200, body = Vec<AuctionRow>)))]
pub async fn list(State(state): State<AppState>) -> AppResult<Json<Vec<AuctionRow>>> {
    Ok(Json(auctions::public_list(&state.db, 500).await?))
}

/// One auction: rules, the public board and price history, and the result once over (names
/// only after the award).
#[utoipa::path(get, path = "/api/auctions/{id}", tag = "auctions", operation_id = "get_auction",
    params(("id" = i64, Path, description = "Auction id")),
    responses((status = 200, body = AuctionInfo), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<AuctionInfo>> {
    Ok(Json(auctions::info(&state.db, id).await?))
}

/// The caller's own view (price, rank, turn, the largest acceptable price now).
#[utoipa::path(get, path = "/api/auctions/{id}/me", tag = "auctions", operation_id = "my_auction_view",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Auction id")),
    responses((status = 200, body = Object), (status = 403, body = super::openapi::ErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let bidder = bidder(&state, &ctx, id).await?;
    let (snapshot, _) = state.auctions.subscribe(id, u64::MAX, Some(bidder)).await?;
    Ok(json_text(snapshot.me.as_deref().unwrap_or("null")))
}

fn json_text(body: &str) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// A live bid.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = AuctionBidRequest)]
#[serde(deny_unknown_fields)]
pub struct BidRequest {
    /// The new price for the whole lot (exact decimal text).
    pub price: String,
    /// Idempotency key: a retry with the same key is answered with the first outcome.
    #[serde(default)]
    pub request_id: Option<String>,
}

/// Places a bid. The answer comes once the bid is durably recorded: `outcome` says accepted, or
/// refused with the rule's reason (`auction.insufficient_decrement` with `required_max`, …).
#[utoipa::path(post, path = "/api/auctions/{id}/bids", tag = "auctions", operation_id = "place_auction_bid",
    security(("bearer" = [])), request_body = BidRequest, params(("id" = i64, Path, description = "Auction id")),
    responses((status = 200, body = Ack), (status = 409, body = super::openapi::ErrorBody),
        (status = 429, body = super::openapi::ErrorBody), (status = 503, body = super::openapi::ErrorBody)))]
pub async fn place_bid(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<BidRequest>,
) -> AppResult<Json<Ack>> {
    let bidder = bidder(&state, &ctx, id).await?;
    let price = parse_price(&request.price)?;
    check_rate(ctx.actor()?.user_id().unwrap_or_default(), id)?;
    let ack = state
        .auctions
        .command(
            id,
            LiveCommand::Bid {
                bidder,
                price,
                request_id: request
                    .request_id
                    .filter(|r| !r.is_empty() && r.len() <= 100),
            },
        )
        .await?;
    Ok(Json(ack))
}

/// A pass.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PassRequest {
    /// Idempotency key.
    #[serde(default)]
    pub request_id: Option<String>,
}

/// Gives up the current turn (turn-based rounds).
#[utoipa::path(post, path = "/api/auctions/{id}/pass", tag = "auctions", operation_id = "pass_auction_turn",
    security(("bearer" = [])), request_body = PassRequest, params(("id" = i64, Path, description = "Auction id")),
    responses((status = 200, body = Ack), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn pass(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<PassRequest>,
) -> AppResult<Json<Ack>> {
    let bidder = bidder(&state, &ctx, id).await?;
    check_rate(ctx.actor()?.user_id().unwrap_or_default(), id)?;
    let ack = state
        .auctions
        .command(
            id,
            LiveCommand::Pass {
                bidder,
                request_id: request.request_id,
            },
        )
        .await?;
    Ok(Json(ack))
}

/// A new start time.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRequest {
    /// RFC 3339 instant, at least a minute from now.
    pub starts_at: String,
}

/// Moves the start of a scheduled auction (buyers).
#[utoipa::path(put, path = "/api/auctions/{id}/schedule", tag = "auctions", operation_id = "schedule_auction",
    security(("bearer" = [])), request_body = ScheduleRequest, params(("id" = i64, Path, description = "Auction id")),
    responses((status = 200, body = AuctionRow), (status = 409, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn schedule(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<ScheduleRequest>,
) -> AppResult<Json<AuctionRow>> {
    let starts_at = valid_instant(Timestamp::parse(&request.starts_at), "starts_at")?;
    Ok(Json(
        auctions::reschedule(&state.db, &ctx.actor()?, id, starts_at, state.now()).await?,
    ))
}

/// When an auction frozen by an outage runs again.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResumptionRequest {
    /// RFC 3339 instant, at least a minute from now.
    pub resumes_at: String,
}

/// Moves the resumption of an auction frozen by a service outage (buyers): every bidder's
/// remaining time runs again from `resumes_at` (issue 4, "rescheduled for everyone equally").
/// Refused with `auction.not_paused` unless the auction is frozen.
#[utoipa::path(put, path = "/api/auctions/{id}/resumption", tag = "auctions", operation_id = "reschedule_auction_resumption",
    security(("bearer" = [])), request_body = ResumptionRequest, params(("id" = i64, Path, description = "Auction id")),
    responses((status = 200, body = AuctionInfo), (status = 409, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn resumption(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<ResumptionRequest>,
) -> AppResult<Json<AuctionInfo>> {
    let resumes_at = valid_instant(Timestamp::parse(&request.resumes_at), "resumes_at")?;
    auctions::reschedule_resumption(&state.auctions, &ctx.actor()?, id, resumes_at, state.now())
        .await?;
    Ok(Json(auctions::info(&state.db, id).await?))
}

/// The resumption form of the auction page.
#[derive(Debug, Deserialize)]
pub struct ResumptionForm {
    /// Local date and time (`datetime-local`, read in the configured zone).
    resumes_at: String,
}

/// `POST /auctions/{id}/resumption` (buyers): the page's form for
/// [`resumption`]; back to the auction page with a confirmation.
pub async fn resumption_form(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    super::extract::WebForm(form): super::extract::WebForm<ResumptionForm>,
) -> AppResult<Response> {
    let resumes_at = valid_instant(
        Timestamp::parse_local(&form.resumes_at, state.config.timezone),
        "resumes_at",
    )?;
    auctions::reschedule_resumption(&state.auctions, &ctx.actor()?, id, resumes_at, state.now())
        .await?;
    Ok(super::page::redirect_with_flash(
        &state,
        &format!("/auctions/{id}"),
        "flash-resumption-rescheduled",
        None,
    ))
}

/// The start form of the auction page.
#[derive(Debug, Deserialize)]
pub struct StartForm {
    /// Local date and time (`datetime-local`, read in the configured zone).
    starts_at: String,
}

/// `POST /auctions/{id}/schedule` (buyers): the page's form for [`schedule`] — moves the start
/// of a scheduled auction; back to the auction page with a confirmation.
pub async fn schedule_form(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    super::extract::WebForm(form): super::extract::WebForm<StartForm>,
) -> AppResult<Response> {
    let starts_at = valid_instant(
        Timestamp::parse_local(&form.starts_at, state.config.timezone),
        "starts_at",
    )?;
    auctions::reschedule(&state.db, &ctx.actor()?, id, starts_at, state.now()).await?;
    Ok(super::page::redirect_with_flash(
        &state,
        &format!("/auctions/{id}"),
        "flash-auction-rescheduled",
        None,
    ))
}

/// A parsed instant (RFC 3339 in the API, `datetime-local` in the configured zone on pages),
/// or the validation error of `field` when it did not parse.
fn valid_instant(parsed: Option<Timestamp>, field: &str) -> AppResult<Timestamp> {
    parsed.ok_or_else(|| {
        AppError::from(crate::service::ServiceError::Validation(vec![FieldError {
            field: field.into(),
            code: FieldCode::InvalidDate,
        }]))
    })
}

/// Transcript format.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TranscriptQuery {
    /// `json` (default) or `csv`.
    #[param(schema_with = transcript_formats)]
    pub format: Option<String>,
}

fn transcript_formats() -> utoipa::openapi::Schema {
    super::openapi_schemas::one_of(&["json", "csv"], "`json` (default) or `csv`.")
}

/// The full transcript of a finished auction — every accepted and refused bid with server
/// timestamps — as JSON or CSV (names after the award).
#[utoipa::path(get, path = "/api/auctions/{id}/transcript", tag = "auctions", operation_id = "auction_transcript",
    params(("id" = i64, Path, description = "Auction id"), TranscriptQuery),
    responses((status = 200, description = "The transcript", content((Object = "application/json"), (String = "text/csv"))),
        (status = 409, body = super::openapi::ErrorBody)))]
pub async fn transcript(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<TranscriptQuery>,
) -> AppResult<Response> {
    let transcript = auctions::transcript(&state.db, id).await?;
    Ok(match query.format.as_deref() {
        Some("csv") => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"subasta-{id}.csv\""),
                ),
            ],
            transcript.to_csv(),
        )
            .into_response(),
        None | Some("json") => (
            [
                (header::CONTENT_TYPE, "application/json".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"subasta-{id}.json\""),
                ),
            ],
            transcript.to_json(),
        )
            .into_response(),
        Some(_) => {
            return Err(AppError::new(ErrorCode::RequestInvalidQuery)
                .with_details(serde_json::json!({"parameter": "format"})));
        }
    })
}

/// A command forwarded by another node (cluster secret in the header).
pub async fn forwarded(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(command): ApiJson<LiveCommand>,
) -> AppResult<Json<Ack>> {
    let given = headers
        .get(FORWARD_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let secret = state.auctions.cluster_secret().await?;
    if !crate::service::auth::constant_time_eq(given, &secret) {
        return Err(AppError::new(ErrorCode::AuctionCommandInvalid)
            .with_details(serde_json::json!({"reason": "auction.forwarding_refused"})));
    }
    Ok(Json(state.auctions.local_command(id, command).await?))
}

// ------------------------------------------------------------------ live socket

/// Where a reconnecting client resumes.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LiveQuery {
    /// The last event seen (0 or absent: everything).
    pub after: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    Bid {
        price: String,
        #[serde(default)]
        request_id: Option<String>,
    },
    Pass {
        #[serde(default)]
        request_id: Option<String>,
    },
}

/// The live channel (WebSocket): the board for everyone, plus the own view and bidding for a
/// participant signed in on this site. See the module documentation for the protocol.
#[utoipa::path(get, path = "/api/auctions/{id}/live", tag = "auctions", operation_id = "auction_live",
    params(("id" = i64, Path, description = "Auction id"), LiveQuery),
    responses((status = 101, description = "WebSocket"), (status = 426, body = super::openapi::ErrorBody)))]
pub async fn live(
    State(state): State<AppState>,
    ctx: RequestContext,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<LiveQuery>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> AppResult<Response> {
    let Ok(upgrade) = upgrade else {
        return Err(AppError::new(ErrorCode::RequestWebsocketRequired));
    };
    // Cross-site WebSocket hijacking: a page of another origin may watch, never bid with the
    // visitor's cookie.
    let same_origin = match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://").map(|(_, rest)| rest.to_string()))
            .is_some_and(|o| Some(o.as_str()) == host.to_str().ok()),
        (None, _) => true,
        _ => false,
    };
    let bidder = if same_origin || ctx.via_token {
        match ctx.actor() {
            Ok(actor) => auctions::bidder_of(&state.db, &actor, id).await?,
            Err(_) => None,
        }
    } else {
        None
    };
    let user_id = ctx.user().map(|u| u.id).unwrap_or_default();
    // Known auction, or 404 before upgrading.
    let (snapshot, receiver) = state
        .auctions
        .subscribe(id, query.after.unwrap_or(0), bidder.clone())
        .await?;
    let lang = ctx.lang;
    Ok(upgrade
        .max_message_size(4096)
        // The default 128 KiB read buffer is zeroed on every read: with thousands of sockets
        // that memset was the node's largest cost (perf, issue 4 benchmark). Frames are tiny.
        .read_buffer_size(4096)
        .on_upgrade(move |socket| async move {
            LiveSession {
                state,
                auction_id: id,
                bidder,
                user_id,
                lang,
            }
            .run(socket, snapshot, receiver)
            .await
        }))
}

struct LiveSession {
    state: AppState,
    auction_id: i64,
    bidder: Option<String>,
    user_id: i64,
    lang: crate::domain::lang::Lang,
}

impl LiveSession {
    fn frame(&self, kind: &str, seq: u64, board: &str, me: Option<&str>) -> String {
        auctions::hub::live_frame(kind, seq, self.state.now(), board, me)
    }

    fn error_frame(&self, err: AppError) -> String {
        let code = err.code.as_str();
        let message = self.state.i18n.t(self.lang, &err.code.message_key());
        serde_json::json!({"type": "error", "code": code, "message": message, "details": err.details})
            .to_string()
    }

    async fn run(
        self,
        mut socket: WebSocket,
        snapshot: auctions::hub::Snapshot,
        mut receiver: tokio::sync::broadcast::Receiver<Arc<auctions::hub::Update>>,
    ) {
        let first = self.frame(
            "snapshot",
            snapshot.seq,
            &snapshot.public,
            snapshot.me.as_deref(),
        );
        if socket.send(Message::Text(first.into())).await.is_err() {
            return;
        }
        let mut last_seq = snapshot.seq;
        loop {
            tokio::select! {
                incoming = socket.recv() => {
                    let Some(Ok(message)) = incoming else { return };
                    let reply = match message {
                        Message::Text(text) => self.handle(&text).await,
                        Message::Close(_) => return,
                        _ => continue,
                    };
                    if socket.send(Message::Text(reply.into())).await.is_err() {
                        return;
                    }
                }
                update = receiver.recv() => match update {
                    Ok(update) => {
                        if update.seq <= last_seq {
                            continue;
                        }
                        last_seq = update.seq;
                        if self.bidder.is_none()
                            && let Ok(frame) = axum::extract::ws::Utf8Bytes::try_from(update.observer_frame.clone())
                        {
                            if socket.send(Message::Text(frame)).await.is_err() {
                                return;
                            }
                            continue;
                        }
                        let me = self.bidder.as_ref().and_then(|b| update.bidders.get(b));
                        let frame = self.frame("update", update.seq, &update.public, me.map(|m| &**m));
                        if socket.send(Message::Text(frame.into())).await.is_err() {
                            return;
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        // Too slow a client: send a fresh snapshot since what it saw.
                        match self.state.auctions.subscribe(self.auction_id, last_seq, self.bidder.clone()).await {
                            Ok((snapshot, fresh)) => {
                                receiver = fresh;
                                last_seq = snapshot.seq;
                                let frame = self.frame("snapshot", snapshot.seq, &snapshot.public, snapshot.me.as_deref());
                                if socket.send(Message::Text(frame.into())).await.is_err() {
                                    return;
                                }
                            }
                            Err(_) => return,
                        }
                    }
                    // The auction left this node's memory (reloaded or taken over): the client
                    // reconnects with its last seq.
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                }
            }
        }
    }

    async fn handle(&self, text: &str) -> String {
        let message: ClientMessage = match serde_json::from_str(text) {
            Ok(m) => m,
            Err(_) => return self.error_frame(AppError::new(ErrorCode::RequestInvalidJson)),
        };
        let Some(bidder) = self.bidder.clone() else {
            return self.error_frame(AppError::new(ErrorCode::AuthForbidden));
        };
        if let Err(e) = check_rate(self.user_id, self.auction_id) {
            return self.error_frame(e);
        }
        let (command, request_id) = match message {
            ClientMessage::Bid { price, request_id } => match parse_price(&price) {
                Ok(price) => (
                    LiveCommand::Bid {
                        bidder,
                        price,
                        request_id: request_id.clone(),
                    },
                    request_id,
                ),
                Err(e) => return self.error_frame(e),
            },
            ClientMessage::Pass { request_id } => (
                LiveCommand::Pass {
                    bidder,
                    request_id: request_id.clone(),
                },
                request_id,
            ),
        };
        match self.state.auctions.command(self.auction_id, command).await {
            Ok(ack) => {
                serde_json::json!({"type": "ack", "request_id": request_id, "ack": ack}).to_string()
            }
            Err(e) => self.error_frame(e.into()),
        }
    }
}

// ------------------------------------------------------------------ pages

#[derive(Template)]
#[template(path = "auctions.html")]
struct AuctionsPage {
    ctx: PageCtx,
    list: Vec<AuctionListing>,
}

impl AuctionsPage {
    fn money(&self, value: &Decimal, currency: &str) -> String {
        self.ctx.money_d(value, currency)
    }
    fn money_text(&self, value: &str, currency: &str) -> String {
        self.ctx.money(value, currency)
    }
}

/// `GET /auctions`: running and scheduled auctions, then finished ones, each with its tender,
/// lot, start and (finished) savings against the estimate.
pub async fn list_page(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    let list = auctions::listing::listing(&state.db, 500).await?;
    Ok(render(&AuctionsPage {
        ctx: PageCtx::new(&state, &ctx),
        list,
    }))
}

#[derive(Template)]
#[template(path = "auction.html")]
struct AuctionPage {
    ctx: PageCtx,
    info: AuctionInfo,
    bidder: bool,
    chart: String,
    board: Vec<BoardLine>,
    /// Whether standings are scores (price ÷ (1 + Σ features)): the board shows them.
    by_score: bool,
    /// A buyer looks at an auction frozen by an outage: the form to set its resumption.
    can_reschedule: bool,
    /// A buyer looks at an auction that has not started: the form to move its start.
    can_move_start: bool,
    phase: String,
    result: Option<ResultView>,
}

impl AuctionPage {
    fn refusal_codes(&self) -> Vec<&'static str> {
        REFUSAL_CODES.to_vec()
    }
}

struct BoardLine {
    rank: String,
    label: String,
    price: String,
    score: String,
    bids: u32,
    name: String,
}

struct ResultView {
    held: bool,
    abnormally_low: bool,
}

/// `GET /auctions/{id}`: the live board and chart for everyone; the bidding panel for a
/// participant. Readable without JavaScript (server-rendered board and SVG chart); the script
/// makes it live.
pub async fn page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let info = auctions::info(&state.db, id).await?;
    let bidder = match ctx.actor() {
        Ok(actor) => auctions::bidder_of(&state.db, &actor, id).await?.is_some(),
        Err(_) => false,
    };
    let view: tianguis_auction::PublicView = serde_json::from_value(info.view.clone())
        .map_err(|e| AppError::from(crate::service::ServiceError::Internal(e.to_string())))?;
    let board = view
        .board
        .iter()
        .map(|r| BoardLine {
            rank: r.rank.map(|r| r.to_string()).unwrap_or_default(),
            label: r.label.to_string(),
            price: r.price.map(|p| p.to_string()).unwrap_or_else(|| "—".into()),
            score: r.score.map(|p| p.to_string()).unwrap_or_else(|| "—".into()),
            bids: r.accepted_bids,
            name: r.name.clone().unwrap_or_default(),
        })
        .collect();
    let phase = serde_json::to_value(&view.phase)
        .ok()
        .and_then(|v| v["phase"].as_str().map(str::to_string))
        .unwrap_or_default();
    let result = info.result.as_ref().map(|r| ResultView {
        held: r["held"].as_bool().unwrap_or(false),
        abnormally_low: r["abnormally_low"]["flagged"].as_bool().unwrap_or(false),
    });
    let chart = price_chart(
        PageCtx::new(&state, &ctx),
        &view,
        &info.currency,
        state.now(),
    )?;
    let by_score = info.rules["ranking"] == "score";
    let is_buyer = ctx.actor().is_ok_and(|a| {
        a.has_role(crate::domain::role::Role::Buyer)
            || a.has_role(crate::domain::role::Role::Administrator)
    });
    let can_reschedule = is_buyer && matches!(phase.as_str(), "resuming" | "paused");
    let can_move_start =
        is_buyer && info.auction.status == "scheduled" && info.auction.last_seq == 0;
    Ok(render(&AuctionPage {
        ctx: PageCtx::new(&state, &ctx),
        info,
        bidder,
        chart,
        board,
        by_score,
        can_reschedule,
        can_move_start,
        phase,
        result,
    }))
}

/// The price chart and its data table (`templates/auction_chart.html`): rendered into the page
/// and served alone at `GET /auctions/{id}/chart`, which the live script fetches after each
/// new price — one chart component for the page with and without JavaScript.
#[derive(Template)]
#[template(path = "auction_chart.html")]
struct AuctionChart {
    ctx: PageCtx,
    svg: String,
    /// Time, bidder and price of every point, in order.
    rows: Vec<(String, String, String)>,
}

/// The price over time, one step line per bidder: a price holds until the bidder's next bid,
/// and the last ones until now (or the end of a finished auction).
fn price_chart(
    ctx: PageCtx,
    view: &tianguis_auction::PublicView,
    currency: &str,
    now: Timestamp,
) -> AppResult<String> {
    use super::chart::{self, Chart, Kind, Series, Unit, XAxis};
    let points = &view.price_history;
    let last = points.iter().map(|p| p.at.as_micros()).max().unwrap_or(0);
    let until = if view.finished {
        view.server_time.map_or(last, |t| t.as_micros()).max(last)
    } else {
        now.as_micros().max(last)
    };
    let mut labels: Vec<u32> = points.iter().map(|p| p.label.0).collect();
    labels.sort_unstable();
    labels.dedup();
    let bidder = |label: u32| format!("{} {label}", ctx.t("auction-bidder"));
    let drawing = Chart {
        id: "auction-chart".into(),
        title: ctx.t("auction-chart"),
        kind: Kind::Steps { until },
        x: XAxis::Time,
        unit: Unit::Money(currency.to_string()),
        y_label: ctx.t("auction-chart-price"),
        series: labels
            .iter()
            .map(|label| Series {
                name: bidder(*label),
                // Drawing only: the exact prices are in the table.
                points: points
                    .iter()
                    .filter(|p| p.label.0 == *label)
                    .map(|p| (p.at.as_micros(), p.price.to_f64()))
                    .collect(),
            })
            .collect(),
    };
    let rows = points
        .iter()
        .map(|p| {
            (
                ctx.time_us(&p.at.as_micros()),
                bidder(p.label.0),
                ctx.money_d(&p.price, currency),
            )
        })
        .collect();
    let fragment = AuctionChart {
        svg: chart::render(&ctx, &drawing),
        ctx,
        rows,
    };
    fragment
        .render()
        .map_err(|e| AppError::from(crate::service::ServiceError::Internal(e.to_string())))
}

/// `GET /auctions/{id}/chart`: the chart and its table alone, for the live script.
pub async fn chart_fragment(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let info = auctions::info(&state.db, id).await?;
    let view: tianguis_auction::PublicView = serde_json::from_value(info.view.clone())
        .map_err(|e| AppError::from(crate::service::ServiceError::Internal(e.to_string())))?;
    let html = price_chart(
        PageCtx::new(&state, &ctx),
        &view,
        &info.currency,
        state.now(),
    )?;
    Ok(axum::response::Html(html).into_response())
}

/// Refusal codes of the engine with their message keys (the page shows them translated).
pub const REFUSAL_CODES: [&str; 11] = [
    "auction.not_participant",
    "auction.pass_not_applicable",
    "auction.not_held",
    "auction.closed",
    "auction.paused",
    "auction.not_open_yet",
    "auction.between_rounds",
    "auction.not_your_turn",
    "auction.not_positive",
    "auction.too_many_decimals",
    "auction.insufficient_decrement",
];
