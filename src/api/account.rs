//! The signed-in user's own account: profile, language, password and API tokens.

use super::AppState;
use super::context::{RequestContext, SEE_OTHER, flash_cookie};
use super::error::{AppError, AppResult};
use super::extract::{ApiJson, ApiPath, WebForm};
use super::page::{PageCtx, render};
use super::users::UserView;
use crate::domain::lang::Lang;
use crate::domain::validation::FieldCode;
use crate::repository::api_tokens::ApiTokenRow;
use crate::service::auth::token_hash;
use crate::service::{ServiceError, tokens, users};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: PageCtx,
    tokens: Vec<ApiTokenRow>,
    new_token: Option<String>,
    errors: Vec<(String, String)>,
}

async fn account_page(
    state: &AppState,
    ctx: &RequestContext,
    new_token: Option<String>,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let tokens = tokens::list(&state.db, user).await?;
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(&AccountPage {
        ctx: PageCtx::new(state, ctx),
        tokens,
        new_token,
        errors,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// Field errors translated for redisplay in a form.
pub fn translated_fields(
    state: &AppState,
    ctx: &RequestContext,
    err: &ServiceError,
) -> Vec<(String, String)> {
    match err {
        ServiceError::Validation(fields) => fields
            .iter()
            .map(|f| {
                (
                    f.field.clone(),
                    state.i18n.t(ctx.lang, &f.code.message_key()),
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `GET /account`.
pub async fn page(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    account_page(&state, &ctx, None, Vec::new()).await
}

/// The password-change form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    /// Current password.
    #[serde(default)]
    pub current_password: String,
    /// New password.
    #[serde(default)]
    pub password: String,
    /// New password again.
    #[serde(default)]
    pub confirmation: String,
}

/// `POST /account/password`.
pub async fn change_password(
    State(state): State<AppState>,
    ctx: RequestContext,
    WebForm(form): WebForm<PasswordForm>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let keep = ctx.session_token.as_deref().map(token_hash);
    match users::change_own_password(
        &state.db,
        user,
        &form.current_password,
        &form.password,
        &form.confirmation,
        keep.as_deref(),
    )
    .await
    {
        Ok(()) => {
            let mut response = (SEE_OTHER, [(header::LOCATION, "/account")]).into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                flash_cookie("flash-password-changed", None, state.config.secure_cookies),
            );
            Ok(response)
        }
        Err(err @ ServiceError::Validation(_)) => {
            let errors = translated_fields(&state, &ctx, &err);
            account_page(&state, &ctx, None, errors).await
        }
        Err(err) => Err(err.into()),
    }
}

/// The token-creation form.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    /// What the token is for.
    #[serde(default)]
    pub name: String,
    /// Validity in days; empty = until revoked.
    #[serde(default)]
    pub days: String,
}

/// `POST /account/tokens`: shows the new secret once, on the page itself (never in a URL or
/// cookie).
pub async fn create_token(
    State(state): State<AppState>,
    ctx: RequestContext,
    WebForm(form): WebForm<TokenForm>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let days = match form.days.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(d) => Some(d),
            Err(_) => {
                let err = ServiceError::field("days", FieldCode::InvalidNumber);
                let errors = translated_fields(&state, &ctx, &err);
                return account_page(&state, &ctx, None, errors).await;
            }
        },
    };
    match tokens::create(&state.db, user, &form.name, days).await {
        Ok(created) => account_page(&state, &ctx, Some(created.token), Vec::new()).await,
        Err(err @ ServiceError::Validation(_)) => {
            let errors = translated_fields(&state, &ctx, &err);
            account_page(&state, &ctx, None, errors).await
        }
        Err(err) => Err(err.into()),
    }
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    tokens::revoke(&state.db, user, id).await?;
    let mut response = (SEE_OTHER, [(header::LOCATION, "/account")]).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        flash_cookie("flash-token-revoked", None, state.config.secure_cookies),
    );
    Ok(response)
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/me", tag = "account", operation_id = "get_me",
    security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = super::openapi::ErrorBody)))]
pub async fn me(ctx: RequestContext) -> AppResult<Json<UserView>> {
    Ok(Json(UserView::from(ctx.require_user()?)))
}

/// Settings a user may change on their own account.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MeUpdate {
    /// Interface language: `es` or `en`.
    pub locale: String,
}

/// Changes the caller's interface language.
#[utoipa::path(patch, path = "/api/me", tag = "account", operation_id = "update_me",
    security(("bearer" = [])), request_body = MeUpdate,
    responses((status = 200, body = UserView), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn update_me(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiJson(update): ApiJson<MeUpdate>,
) -> AppResult<Json<UserView>> {
    let user = ctx.require_user()?;
    let lang = Lang::from_code(&update.locale)
        .filter(|l| l.code() == update.locale)
        .ok_or_else(|| AppError::from(ServiceError::field("locale", FieldCode::UnknownOption)))?;
    users::set_locale(&state.db, user, lang).await?;
    let mut view = UserView::from(user);
    view.locale = Some(lang.code().to_string());
    Ok(Json(view))
}
