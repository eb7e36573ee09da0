//! Sealed bids over the JSON API: submission with a receipt, withdrawal, the supplier's bids,
//! committee members' opening keys, and the opening act.

use super::AppState;
use super::context::RequestContext;
use super::error::{AppError, AppResult};
use super::extract::{ApiJson, ApiPath};
use crate::domain::bid::BidInput;
use crate::domain::error_code::ErrorCode;
use crate::domain::user::User;
use crate::repository::bids::BidRow;
use crate::service::bids::{self, BidFile, MemberPassphrase, OpeningLine, Receipt};
use crate::service::rate_limit::firm_key;
use crate::service::{Actor, ServiceError};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// A document attached to a bid, base64-encoded.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EncodedFile {
    /// File name.
    pub filename: String,
    /// MIME type.
    #[serde(default)]
    pub content_type: String,
    /// Content, standard base64.
    pub content_base64: String,
}

/// A bid submission.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = SealedBidRequest)]
pub struct BidRequest {
    /// The lot.
    pub lot_id: i64,
    /// Unit price per item id (as text: exact decimals, up to 4 places).
    #[serde(default)]
    pub prices: std::collections::BTreeMap<i64, String>,
    /// Brand or manufacturer per item id.
    #[serde(default)]
    pub brands: std::collections::BTreeMap<i64, String>,
    /// Accepted declarations: `not_barred`, `accepts_terms`, `integrity`, `tax_compliant`.
    #[serde(default)]
    pub declarations: Vec<String>,
    /// Notes.
    #[serde(default)]
    pub notes: String,
    /// Score-ranked auctions: the option chosen for each of the method's non-price features
    /// (feature code → option code; the codes are in `GET /api/tenders/{id}`, at
    /// `method.auction_features`).
    #[serde(default)]
    pub features: std::collections::BTreeMap<String, String>,
    /// Attached documents.
    #[serde(default)]
    pub documents: Vec<EncodedFile>,
}

/// Submits (or replaces) a sealed bid on a lot before the deadline; returns the receipt.
#[utoipa::path(post, path = "/api/tenders/{id}/bids", tag = "bids", operation_id = "submit_bid",
    security(("bearer" = [])), request_body = BidRequest, params(("id" = i64, Path, description = "Tender id")),
    responses((status = 201, body = Receipt), (status = 409, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<BidRequest>,
) -> AppResult<(StatusCode, Json<Receipt>)> {
    let mut files = Vec::new();
    for f in &r.documents {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(f.content_base64.as_bytes())
            .map_err(|_| {
                AppError::new(ErrorCode::RequestInvalidJson)
                    .with_details(serde_json::json!({"reason": "documents: invalid base64"}))
            })?;
        files.push(BidFile {
            filename: f.filename.clone(),
            content_type: f.content_type.clone(),
            bytes,
        });
    }
    let input = BidInput {
        prices: r.prices,
        brands: r.brands,
        declarations: r.declarations,
        notes: r.notes,
        features: r.features,
    };
    let receipt =
        submit_within_limit(&state, ctx.require_user()?, id, r.lot_id, &input, &files).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

/// Seals (or replaces) `user`'s bid on a lot of a tender within the abuse policy's limit on
/// sealed bids: a firm's accounts together submit at most `AbusePolicy::bids_per_tender` bids
/// per tender and window (issue 13: 150 replacements of one bid in 1.4 s, every version kept);
/// a refused bid does not count. The JSON route and the bid form both seal through here.
pub(super) async fn submit_within_limit(
    state: &AppState,
    user: &User,
    tender_id: i64,
    lot_id: i64,
    input: &BidInput,
    files: &[BidFile],
) -> Result<Receipt, ServiceError> {
    let key = format!("{}:{tender_id}", firm_key(user));
    let actor = Actor::User(user.clone());
    let submission = bids::submit(
        &state.db,
        &state.rulebook,
        &actor,
        tender_id,
        lot_id,
        input,
        files,
        state.now(),
    );
    state.limits.bids.limited(&key, submission).await
}

/// Withdraws one's standing bid before the deadline.
#[utoipa::path(delete, path = "/api/bids/{id}", tag = "bids", operation_id = "withdraw_bid",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Bid id")),
    responses((status = 200, body = Object), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<BidRow>> {
    Ok(Json(
        bids::withdraw(&state.db, &ctx.actor()?, id, state.now()).await?,
    ))
}

/// The caller's supplier's bids (receipts; never content before the opening).
#[utoipa::path(get, path = "/api/me/bids", tag = "bids", operation_id = "my_bids",
    security(("bearer" = [])), responses((status = 200, body = Vec<Object>)))]
pub async fn mine(
    State(state): State<AppState>,
    ctx: RequestContext,
) -> AppResult<Json<Vec<BidRow>>> {
    Ok(Json(bids::of_supplier(&state.db, &ctx.actor()?).await?))
}

/// A member's opening passphrase.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OpeningKeyRequest {
    /// New opening passphrase (at least 12 characters; not the sign-in password).
    pub passphrase: String,
    /// The current one, to keep the same key (tenders already published stay openable).
    #[serde(default)]
    pub old_passphrase: Option<String>,
}

/// The registered key's fingerprint.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Fingerprint {
    /// Fingerprint of the opening key.
    pub fingerprint: String,
}

/// A committee member registers or changes their opening key.
#[utoipa::path(post, path = "/api/account/opening-key", tag = "bids", operation_id = "register_opening_key",
    security(("bearer" = [])), request_body = OpeningKeyRequest,
    responses((status = 200, body = Fingerprint), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn opening_key(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiJson(r): ApiJson<OpeningKeyRequest>,
) -> AppResult<Json<Fingerprint>> {
    let fingerprint = bids::register_opening_key(
        &state.db,
        &ctx.actor()?,
        &r.passphrase,
        r.old_passphrase.as_deref(),
    )
    .await?;
    Ok(Json(Fingerprint { fingerprint }))
}

/// The receipt of one of the caller's bids.
#[utoipa::path(get, path = "/api/bids/{id}/receipt", tag = "bids", operation_id = "bid_receipt",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Bid id")),
    responses((status = 200, body = Receipt), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn receipt(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Receipt>> {
    Ok(Json(bids::receipt(&state.db, &ctx.actor()?, id).await?))
}

/// The opening act.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OpeningRequest {
    /// At least k members' opening passphrases.
    pub passphrases: Vec<MemberPassphrase>,
}

/// Opens every bid at once (a committee member, at or after the deadline, with k members'
/// passphrases); returns the public opening record.
#[utoipa::path(post, path = "/api/tenders/{id}/opening", tag = "bids", operation_id = "open_bids",
    security(("bearer" = [])), request_body = OpeningRequest, params(("id" = i64, Path, description = "Tender id")),
    responses((status = 200, body = Vec<OpeningLine>), (status = 409, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<OpeningRequest>,
) -> AppResult<Json<Vec<OpeningLine>>> {
    Ok(Json(
        bids::open(&state.db, &ctx.actor()?, id, &r.passphrases, state.now()).await?,
    ))
}
