//! Awards, complaints and contracts over the JSON API.

use super::AppState;
use super::context::RequestContext;
use super::error::AppResult;
use super::extract::{ApiJson, ApiPath};
use crate::repository::awards::{AwardRow, ComplaintRow};
use crate::repository::contracts::{ContractAmendmentRow, ContractRow};
use crate::service::awards::{self, ContractForm};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

/// An award decision.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AwardRequest {
    /// Direct awards without bids: the supplier.
    #[serde(default)]
    pub supplier_id: Option<i64>,
    /// Direct awards without bids: the amount.
    #[serde(default)]
    pub amount: Option<String>,
}

/// Awards a lot to its best-ranked compliant bid (or, without bids, to the named supplier).
#[utoipa::path(post, path = "/api/tenders/{id}/lots/{lot_id}/award", tag = "awards", operation_id = "award_lot",
    security(("bearer" = [])), request_body = AwardRequest,
    params(("id" = i64, Path, description = "Tender id"), ("lot_id" = i64, Path, description = "Lot id")),
    responses((status = 201, body = Object), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn award(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath((id, lot_id)): ApiPath<(i64, i64)>,
    ApiJson(r): ApiJson<AwardRequest>,
) -> AppResult<(StatusCode, Json<AwardRow>)> {
    let direct = match (r.supplier_id, r.amount.as_deref()) {
        (Some(s), Some(a)) => Some((s, a)),
        _ => None,
    };
    let row = awards::award(
        &state.db,
        &state.rulebook,
        &ctx.actor()?,
        id,
        lot_id,
        direct,
        state.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// A complaint.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ComplaintRequest {
    /// The complaint (20–8000 characters).
    pub text: String,
}

/// A bidder files a complaint (inconformidad) against an award during its standstill.
#[utoipa::path(post, path = "/api/awards/{id}/complaints", tag = "awards", operation_id = "file_complaint",
    security(("bearer" = [])), request_body = ComplaintRequest, params(("id" = i64, Path, description = "Award id")),
    responses((status = 201, body = Object), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn complain(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<ComplaintRequest>,
) -> AppResult<(StatusCode, Json<ComplaintRow>)> {
    let row = awards::file_complaint(&state.db, &ctx.actor()?, id, &r.text, state.now()).await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// A complaint's resolution.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Resolution {
    /// Upheld (the award is annulled) or rejected.
    pub upheld: bool,
    /// The reasons (published).
    pub resolution: String,
}

/// The buyer resolves a complaint.
#[utoipa::path(post, path = "/api/complaints/{id}/resolve", tag = "awards", operation_id = "resolve_complaint",
    security(("bearer" = [])), request_body = Resolution, params(("id" = i64, Path, description = "Complaint id")),
    responses((status = 200, body = Object), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn resolve(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<Resolution>,
) -> AppResult<Json<ComplaintRow>> {
    Ok(Json(
        awards::resolve_complaint(
            &state.db,
            &ctx.actor()?,
            id,
            r.upheld,
            &r.resolution,
            state.now(),
        )
        .await?,
    ))
}

/// Signs the contract of a final award.
#[utoipa::path(post, path = "/api/awards/{id}/contract", tag = "awards", operation_id = "sign_contract",
    security(("bearer" = [])), request_body = ContractForm, params(("id" = i64, Path, description = "Award id")),
    responses((status = 201, body = Object), (status = 409, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn sign(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(f): ApiJson<ContractForm>,
) -> AppResult<(StatusCode, Json<ContractRow>)> {
    let row = awards::sign_contract(
        &state.db,
        state.config.timezone,
        &ctx.actor()?,
        id,
        &f,
        state.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// A contract amendment.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ContractAmendmentRequest {
    /// Why.
    pub reason: String,
    /// Value change (signed, e.g. `-1500.00`), empty for none.
    #[serde(default)]
    pub value_change: String,
    /// New end date, empty for none.
    #[serde(default)]
    pub new_end: String,
}

/// Records a contract amendment.
#[utoipa::path(post, path = "/api/contracts/{id}/amendments", tag = "awards", operation_id = "amend_contract",
    security(("bearer" = [])), request_body = ContractAmendmentRequest, params(("id" = i64, Path, description = "Contract id")),
    responses((status = 201, body = Object), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn amend(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<ContractAmendmentRequest>,
) -> AppResult<(StatusCode, Json<ContractAmendmentRow>)> {
    let row = awards::amend_contract(
        &state.db,
        state.config.timezone,
        &ctx.actor()?,
        id,
        &r.reason,
        &r.value_change,
        &r.new_end,
        state.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(row)))
}
