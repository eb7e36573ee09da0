//! The committee's evaluation over the JSON API.

use super::AppState;
use super::context::RequestContext;
use super::error::AppResult;
use super::extract::{ApiJson, ApiPath};
use crate::service::evaluation::{self, LotResult};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

/// A conflict-of-interest declaration.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Declaration {
    /// Whether the member has a conflict with any bidder.
    pub has_conflict: bool,
    /// Statement (required with a conflict).
    #[serde(default)]
    pub statement: String,
}

/// A member declares conflicts of interest (before evaluating).
#[utoipa::path(post, path = "/api/tenders/{id}/conflicts", tag = "evaluation", operation_id = "declare_conflicts",
    security(("bearer" = [])), request_body = Declaration, params(("id" = i64, Path, description = "Tender id")),
    responses((status = 204, description = "Declared"), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn declare(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(d): ApiJson<Declaration>,
) -> AppResult<StatusCode> {
    evaluation::declare(
        &state.db,
        &ctx.actor()?,
        id,
        d.has_conflict,
        &d.statement,
        state.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A compliance verdict.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VerdictRequest {
    /// Bid.
    pub bid_id: i64,
    /// Requirement.
    pub requirement_id: i64,
    /// Pass or fail.
    pub passed: bool,
    /// Reason (required for a failure).
    #[serde(default)]
    pub reason: String,
}

/// Records the member's verdict on one requirement of one bid.
#[utoipa::path(post, path = "/api/tenders/{id}/verdicts", tag = "evaluation", operation_id = "record_verdict",
    security(("bearer" = [])), request_body = VerdictRequest, params(("id" = i64, Path, description = "Tender id")),
    responses((status = 204, description = "Recorded"), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn verdict(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(v): ApiJson<VerdictRequest>,
) -> AppResult<StatusCode> {
    evaluation::verdict(
        &state.db,
        &ctx.actor()?,
        id,
        v.bid_id,
        v.requirement_id,
        v.passed,
        &v.reason,
        state.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A score.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ScoreRequest {
    /// Bid.
    pub bid_id: i64,
    /// Quality criterion.
    pub criterion_id: i64,
    /// 0–100.
    pub value: String,
    /// Comment.
    #[serde(default)]
    pub comment: String,
}

/// Records the member's score of one quality criterion of one bid.
#[utoipa::path(post, path = "/api/tenders/{id}/scores", tag = "evaluation", operation_id = "record_score",
    security(("bearer" = [])), request_body = ScoreRequest, params(("id" = i64, Path, description = "Tender id")),
    responses((status = 204, description = "Recorded"), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn score(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(s): ApiJson<ScoreRequest>,
) -> AppResult<StatusCode> {
    evaluation::score(
        &state.db,
        &ctx.actor()?,
        id,
        s.bid_id,
        s.criterion_id,
        &s.value,
        &s.comment,
        state.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The member locks their evaluation.
#[utoipa::path(post, path = "/api/tenders/{id}/evaluation/submit", tag = "evaluation", operation_id = "submit_evaluation",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Tender id")),
    responses((status = 204, description = "Submitted"), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    evaluation::submit(&state.db, &ctx.actor()?, id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The consolidated results.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Results {
    /// One per lot.
    pub lots: Vec<LotResult>,
}

/// Closes the evaluation once every member has submitted (the chair or a buyer).
#[utoipa::path(post, path = "/api/tenders/{id}/evaluation/complete", tag = "evaluation", operation_id = "complete_evaluation",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Tender id")),
    responses((status = 200, body = Results), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn complete(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Results>> {
    let lots = evaluation::complete(
        &state.db,
        &state.rulebook,
        &ctx.actor()?,
        id,
        state.config.auction_notice_seconds,
        state.now(),
    )
    .await?;
    Ok(Json(Results { lots }))
}

/// A member's grid (any part of it), saved at once.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct GridRequest {
    /// Compliance verdicts.
    #[serde(default)]
    pub verdicts: Vec<VerdictRequest>,
    /// Quality scores.
    #[serde(default)]
    pub scores: Vec<ScoreRequest>,
    /// Also lock (submit) the member's evaluation.
    #[serde(default)]
    pub submit: bool,
}

/// Saves several verdicts and scores in one transaction (all or nothing), optionally locking
/// the member's evaluation.
#[utoipa::path(put, path = "/api/tenders/{id}/evaluation", tag = "evaluation", operation_id = "save_evaluation_grid",
    security(("bearer" = [])), request_body = GridRequest, params(("id" = i64, Path, description = "Tender id")),
    responses((status = 204, description = "Saved"), (status = 409, body = super::openapi::ErrorBody), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn save_grid(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(g): ApiJson<GridRequest>,
) -> AppResult<StatusCode> {
    let verdicts: Vec<evaluation::VerdictInput> = g
        .verdicts
        .into_iter()
        .map(|v| evaluation::VerdictInput {
            bid_id: v.bid_id,
            requirement_id: v.requirement_id,
            passed: v.passed,
            reason: v.reason,
        })
        .collect();
    let scores: Vec<evaluation::ScoreInput> = g
        .scores
        .into_iter()
        .map(|s| evaluation::ScoreInput {
            bid_id: s.bid_id,
            criterion_id: s.criterion_id,
            value: s.value,
            comment: s.comment,
        })
        .collect();
    evaluation::save_grid(
        &state.db,
        &ctx.actor()?,
        id,
        &verdicts,
        &scores,
        g.submit,
        state.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
