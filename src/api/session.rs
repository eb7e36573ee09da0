//! Signing in and out in the browser.

use super::AppState;
use super::context::{RequestContext, SESSION_COOKIE, flash_cookie, safe_next, set_cookie};
use super::error::{AppError, AppResult};
use super::extract::{ApiQuery, WebForm};
use super::page::{PageCtx, render};
use crate::domain::error_code::ErrorCode;
use crate::service::{ServiceError, auth};
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: PageCtx,
    next: String,
    username: String,
    error: Option<String>,
}

/// Where to go after signing in.
#[derive(Debug, Deserialize, Default)]
pub struct NextQuery {
    /// Path to return to.
    #[serde(default)]
    pub next: String,
}

/// Where a user goes after signing in: the page asked for, or with none (or only the home
/// page, the sign-in link's default) the desk of their roles (issue 13).
fn after_sign_in(next: &str, user: &crate::domain::user::User) -> String {
    match safe_next(next) {
        "/" => crate::domain::role::landing(&user.roles).to_string(),
        page => page.to_string(),
    }
}

/// `GET /login`.
pub async fn login_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(query): ApiQuery<NextQuery>,
) -> Response {
    if let Some(user) = ctx.user() {
        return Redirect::to(&after_sign_in(&query.next, user)).into_response();
    }
    render(&LoginPage {
        ctx: PageCtx::new(&state, &ctx),
        next: safe_next(&query.next).to_string(),
        username: String::new(),
        error: None,
    })
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    /// Username.
    #[serde(default)]
    pub username: String,
    /// Password.
    #[serde(default)]
    pub password: String,
    /// Page to return to.
    #[serde(default)]
    pub next: String,
}

/// `POST /login`: on success sets the session cookie and returns to `next`; on failure shows
/// the form again with the translated reason (never which of username or password was wrong).
pub async fn login_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    WebForm(form): WebForm<LoginForm>,
) -> AppResult<Response> {
    let result = auth::login(
        &state.db,
        &state.auth.guard,
        &state.auth.policy,
        &form.username,
        &form.password,
        &ctx.client_addr,
    )
    .await;
    match result {
        Ok(session) => {
            let secure = state.config.secure_cookies;
            let to = after_sign_in(&form.next, &session.user);
            let mut response = Redirect::to(&to).into_response();
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &session.token, None, secure),
            );
            headers.append(
                header::SET_COOKIE,
                flash_cookie("flash-signed-in", Some(&session.user.display_name), secure),
            );
            Ok(response)
        }
        Err(
            err @ (ServiceError::InvalidCredentials
            | ServiceError::AccountDisabled
            | ServiceError::RateLimited { .. }),
        ) => {
            let app = AppError::from(err);
            let status = app.status();
            let message = state.i18n.t(ctx.lang, &app.code.message_key());
            let mut response = render(&LoginPage {
                ctx: PageCtx::new(&state, &ctx),
                next: safe_next(&form.next).to_string(),
                username: form.username.chars().take(64).collect(),
                error: Some(message),
            });
            *response.status_mut() = status;
            if let Some(wait) = app.retry_after
                && let Ok(v) = wait.to_string().parse()
            {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /logout`.
pub async fn logout(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let token = ctx
        .session_token
        .as_deref()
        .ok_or_else(|| AppError::new(ErrorCode::AuthRequired))?;
    auth::logout(&state.db, token, user).await?;
    let secure = state.config.secure_cookies;
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), secure),
    );
    headers.append(
        header::SET_COOKIE,
        flash_cookie("flash-signed-out", None, secure),
    );
    Ok(response)
}
