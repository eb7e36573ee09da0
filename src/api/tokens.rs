//! Personal API tokens over the JSON API.

use super::AppState;
use super::context::RequestContext;
use super::error::AppResult;
use super::extract::{ApiJson, ApiPath};
use crate::repository::api_tokens::ApiTokenRow;
use crate::service::tokens::{self, CreatedToken};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

/// The caller's tokens, newest first (secrets are never shown again).
#[utoipa::path(get, path = "/api/tokens", tag = "account", operation_id = "list_tokens",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ApiTokenRow>), (status = 401, body = super::openapi::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: RequestContext,
) -> AppResult<Json<Vec<ApiTokenRow>>> {
    Ok(Json(tokens::list(&state.db, ctx.require_user()?).await?))
}

/// A new token's name and validity.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewToken {
    /// What the token is for (1–80 characters).
    pub name: String,
    /// Days until it expires (1–3650); omitted = until revoked.
    #[serde(default)]
    pub days: Option<i64>,
}

/// Creates a token; the response is the only time its secret is shown.
#[utoipa::path(post, path = "/api/tokens", tag = "account", operation_id = "create_token",
    security(("bearer" = [])), request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiJson(new): ApiJson<NewToken>,
) -> AppResult<(StatusCode, Json<CreatedToken>)> {
    let created = tokens::create(&state.db, ctx.require_user()?, &new.name, new.days).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/tokens/{id}", tag = "account", operation_id = "revoke_token",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Token id")),
    responses((status = 200, body = ApiTokenRow), (status = 404, body = super::openapi::ErrorBody),
              (status = 409, body = super::openapi::ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<ApiTokenRow>> {
    Ok(Json(
        tokens::revoke(&state.db, ctx.require_user()?, id).await?,
    ))
}
