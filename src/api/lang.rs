//! The language switcher.

use super::AppState;
use super::context::{LANG_COOKIE, RequestContext, safe_next, set_cookie};
use super::error::AppResult;
use super::extract::WebForm;
use crate::domain::lang::Lang;
use crate::service::users;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// The switcher's form.
#[derive(Debug, Deserialize)]
pub struct SwitchForm {
    /// `es` or `en`.
    pub lang: String,
    /// Page to return to.
    #[serde(default)]
    pub next: String,
}

/// `POST /lang`: remembers the choice in a cookie and, for a signed-in user, in the account.
pub async fn switch(
    State(state): State<AppState>,
    ctx: RequestContext,
    WebForm(form): WebForm<SwitchForm>,
) -> AppResult<Response> {
    let lang = Lang::from_code(&form.lang).unwrap_or_default();
    if let Some(user) = ctx.user() {
        users::set_locale(&state.db, user, lang).await?;
    }
    let mut response = Redirect::to(safe_next(&form.next)).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            lang.code(),
            Some(365 * 86_400),
            state.config.secure_cookies,
        ),
    );
    Ok(response)
}
