//! Account administration: the administrator's pages and the JSON API.

use super::AppState;
use super::account::translated_fields;
use super::context::RequestContext;
use super::error::AppResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, Paging, WebForm};
use super::page::{PageCtx, redirect_with_flash, render};
use crate::domain::role::Role;
use crate::domain::supplier::{Supplier, SupplierStatus};
use crate::domain::user::User;
use crate::repository::Page;
use crate::repository::users::UserFilter;
use crate::service::users::{self, UserForm};
use crate::service::{ServiceError, registry};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// An account as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    /// Id.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// Contact e-mail.
    pub email: Option<String>,
    /// Role codes.
    pub roles: Vec<String>,
    /// Bound supplier (supplier users).
    pub supplier_id: Option<i64>,
    /// Chosen interface language.
    pub locale: Option<String>,
    /// Whether the account may sign in.
    pub active: bool,
    /// Creation time (RFC 3339, UTC).
    pub created_at: String,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            roles: u.roles.iter().map(|r| r.code().to_string()).collect(),
            supplier_id: u.supplier_id,
            locale: u.locale.map(|l| l.code().to_string()),
            active: u.active,
            created_at: u.created_at.to_rfc3339(),
        }
    }
}

/// A page of accounts.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserPage {
    /// Accounts on this page.
    pub items: Vec<UserView>,
    /// Accounts matching the filter.
    pub total: i64,
    /// Page number (from 1).
    pub page: i64,
    /// Page size.
    pub per_page: i64,
}

/// Filters of the account list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Text in the username or display name.
    pub search: Option<String>,
    /// Only holders of this role code.
    pub role: Option<String>,
    /// `true` = active only, `false` = deactivated only.
    pub active: Option<String>,
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Rows per page (1–200).
    pub per_page: Option<i64>,
}

impl UserQuery {
    fn filter(&self) -> UserFilter {
        UserFilter {
            search: self.search.clone().filter(|s| !s.trim().is_empty()),
            role: self.role.as_deref().and_then(Role::from_code),
            active: match self.active.as_deref() {
                Some("true") => Some(true),
                Some("false") => Some(false),
                _ => None,
            },
        }
    }

    fn paging(&self) -> Paging {
        Paging {
            page: self.page,
            per_page: self.per_page,
        }
    }
}

// ---------------------------------------------------------------- pages

#[derive(Template)]
#[template(path = "admin_users.html")]
struct ListPage {
    ctx: PageCtx,
    users: Page<User>,
    query: UserQuery,
    roles: Vec<Role>,
    page: i64,
    pages: i64,
}

/// `GET /admin/users`.
pub async fn list_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> AppResult<Response> {
    let actor = ctx.actor()?;
    let paging = query.paging();
    let users = users::list(
        &state.db,
        &actor,
        &query.filter(),
        paging.offset(),
        paging.limit(),
    )
    .await?;
    let pages = ((users.total + paging.limit() - 1) / paging.limit()).max(1);
    Ok(render(&ListPage {
        ctx: PageCtx::new(&state, &ctx),
        page: paging.offset() / paging.limit() + 1,
        pages,
        users,
        query,
        roles: Role::ALL.to_vec(),
    }))
}

/// The account form as posted by the browser.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserWebForm {
    /// Username.
    #[serde(default)]
    pub username: String,
    /// Display name.
    #[serde(default)]
    pub display_name: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// Checked roles.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Selected supplier id, empty for none.
    #[serde(default)]
    pub supplier_id: String,
    /// Initial password (creation only).
    #[serde(default)]
    pub password: String,
    /// Codes of the units the user acts for (the units form only).
    #[serde(default)]
    pub units: Vec<String>,
}

impl UserWebForm {
    fn to_form(&self) -> UserForm {
        UserForm {
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            email: Some(self.email.clone()),
            roles: self.roles.clone(),
            // A non-numeric id can only come from a tampered form; it then matches no supplier.
            supplier_id: match self.supplier_id.trim() {
                "" => None,
                s => Some(s.parse().unwrap_or(-1)),
            },
        }
    }

    fn from_user(user: &User) -> UserWebForm {
        UserWebForm {
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            email: user.email.clone().unwrap_or_default(),
            roles: user.roles.iter().map(|r| r.code().to_string()).collect(),
            supplier_id: user.supplier_id.map(|i| i.to_string()).unwrap_or_default(),
            password: String::new(),
            units: Vec::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin_user_form.html")]
struct FormPage {
    ctx: PageCtx,
    user: Option<User>,
    form: UserWebForm,
    roles: Vec<Role>,
    suppliers: Vec<Supplier>,
    errors: Vec<(String, String)>,
    /// Every unit of the institution, and the codes of those the user acts for.
    units: Vec<crate::repository::units::Unit>,
    unit_codes: Vec<String>,
}

impl FormPage {
    fn unit_checked(&self, code: &str) -> bool {
        self.unit_codes.iter().any(|c| c == code)
    }

    fn role_checked(&self, role: &Role) -> bool {
        self.form.roles.iter().any(|r| r == role.code())
    }

    fn supplier_selected(&self, id: &i64) -> bool {
        self.form.supplier_id == id.to_string()
    }
}

async fn form_page(
    state: &AppState,
    ctx: &RequestContext,
    user: Option<User>,
    form: UserWebForm,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let suppliers = registry::suppliers(&state.db, None, Some(SupplierStatus::Verified), 0, 200)
        .await?
        .items;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let units = crate::service::units::list(&state.db, &Default::default()).await?;
    // After a refused units form, the boxes as they were ticked; otherwise as stored.
    let unit_codes = match &user {
        Some(u) if !errors.iter().any(|(f, _)| f == "units") => {
            crate::service::units::of_user(&state.db, u.id)
                .await?
                .into_iter()
                .map(|u| u.code)
                .collect()
        }
        _ => form.units.clone(),
    };
    let mut response = render(&FormPage {
        ctx: PageCtx::new(state, ctx),
        user,
        form,
        roles: Role::ALL.to_vec(),
        suppliers,
        errors,
        units,
        unit_codes,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /admin/users/new`.
pub async fn new_page(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    form_page(&state, &ctx, None, UserWebForm::default(), Vec::new()).await
}

/// `POST /admin/users`.
pub async fn create_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    WebForm(form): WebForm<UserWebForm>,
) -> AppResult<Response> {
    let actor = ctx.actor()?;
    match users::create(&state.db, &actor, &form.to_form(), &form.password).await {
        Ok(user) => Ok(redirect_with_flash(
            &state,
            &format!("/admin/users/{}", user.id),
            "flash-user-created",
            Some(&user.username),
        )),
        Err(err @ ServiceError::Validation(_)) => {
            let errors = translated_fields(&state, &ctx, &err);
            let form = UserWebForm {
                password: String::new(),
                ..form
            };
            form_page(&state, &ctx, None, form, errors).await
        }
        Err(err) => Err(err.into()),
    }
}

/// `GET /admin/users/{id}`.
pub async fn edit_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Response> {
    let user = users::get(&state.db, &ctx.actor()?, id).await?;
    let form = UserWebForm::from_user(&user);
    form_page(&state, &ctx, Some(user), form, Vec::new()).await
}

/// `POST /admin/users/{id}`.
pub async fn update_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(form): WebForm<UserWebForm>,
) -> AppResult<Response> {
    let actor = ctx.actor()?;
    match users::update(&state.db, &actor, id, &form.to_form()).await {
        Ok(user) => Ok(redirect_with_flash(
            &state,
            &format!("/admin/users/{}", user.id),
            "flash-user-updated",
            Some(&user.username),
        )),
        Err(err @ ServiceError::Validation(_)) => {
            let errors = translated_fields(&state, &ctx, &err);
            let user = users::get(&state.db, &actor, id).await?;
            form_page(&state, &ctx, Some(user), form, errors).await
        }
        Err(err) => Err(err.into()),
    }
}

/// `POST /admin/users/{id}/units`: the units the user acts for (issue 14).
pub async fn set_units_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(form): WebForm<UserWebForm>,
) -> AppResult<Response> {
    let actor = ctx.actor()?;
    match crate::service::units::set_user_units(&state.db, &actor, id, &form.units).await {
        Ok(_) => {
            let user = users::get(&state.db, &actor, id).await?;
            Ok(redirect_with_flash(
                &state,
                &format!("/admin/users/{id}"),
                "flash-user-units",
                Some(&user.username),
            ))
        }
        Err(err @ ServiceError::Validation(_)) => {
            let errors = translated_fields(&state, &ctx, &err);
            let user = users::get(&state.db, &actor, id).await?;
            let shown = UserWebForm {
                units: form.units,
                ..UserWebForm::from_user(&user)
            };
            form_page(&state, &ctx, Some(user), shown, errors).await
        }
        Err(err) => Err(err.into()),
    }
}

/// The password-reset form.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PasswordReset {
    /// The new password (at least 10 characters, not a common one).
    #[serde(default)]
    pub password: String,
}

/// `POST /admin/users/{id}/password`.
pub async fn reset_password_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(form): WebForm<PasswordReset>,
) -> AppResult<Response> {
    let actor = ctx.actor()?;
    match users::reset_password(&state.db, &actor, id, &form.password).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            &format!("/admin/users/{id}"),
            "flash-password-reset",
            None,
        )),
        Err(err @ ServiceError::Validation(_)) => {
            let errors = translated_fields(&state, &ctx, &err);
            let user = users::get(&state.db, &actor, id).await?;
            let form = UserWebForm::from_user(&user);
            form_page(&state, &ctx, Some(user), form, errors).await
        }
        Err(err) => Err(err.into()),
    }
}

/// The activate/deactivate form.
#[derive(Debug, Deserialize)]
pub struct ActiveForm {
    /// `true` to activate, `false` to deactivate.
    #[serde(default)]
    pub active: String,
}

/// `POST /admin/users/{id}/active`.
pub async fn set_active_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    WebForm(form): WebForm<ActiveForm>,
) -> AppResult<Response> {
    let active = form.active == "true";
    users::set_active(&state.db, &ctx.actor()?, id, active).await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/admin/users/{id}"),
        if active {
            "flash-user-activated"
        } else {
            "flash-user-deactivated"
        },
        None,
    ))
}

// ---------------------------------------------------------------- JSON API

/// Lists accounts (administrators).
#[utoipa::path(get, path = "/api/users", tag = "users", operation_id = "list_users",
    security(("bearer" = [])), params(UserQuery),
    responses((status = 200, body = UserPage), (status = 403, body = super::openapi::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(query): ApiQuery<UserQuery>,
) -> AppResult<Json<UserPage>> {
    let paging = query.paging();
    let page = users::list(
        &state.db,
        &ctx.actor()?,
        &query.filter(),
        paging.offset(),
        paging.limit(),
    )
    .await?;
    Ok(Json(UserPage {
        items: page.items.iter().map(UserView::from).collect(),
        total: page.total,
        page: paging.offset() / paging.limit() + 1,
        per_page: paging.limit(),
    }))
}

/// A new account with its initial password.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    /// The account's fields.
    #[serde(flatten)]
    pub fields: UserForm,
    /// Initial password.
    pub password: String,
}

/// Creates an account (administrators).
#[utoipa::path(post, path = "/api/users", tag = "users", operation_id = "create_user",
    security(("bearer" = [])), request_body = NewUser,
    responses((status = 201, body = UserView), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiJson(new): ApiJson<NewUser>,
) -> AppResult<(StatusCode, Json<UserView>)> {
    let user = users::create(&state.db, &ctx.actor()?, &new.fields, &new.password).await?;
    Ok((StatusCode::CREATED, Json(UserView::from(&user))))
}

/// One account (administrators).
#[utoipa::path(get, path = "/api/users/{id}", tag = "users", operation_id = "get_user",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, body = UserView), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<UserView>> {
    Ok(Json(UserView::from(
        &users::get(&state.db, &ctx.actor()?, id).await?,
    )))
}

/// Replaces an account's fields and roles (administrators).
#[utoipa::path(put, path = "/api/users/{id}", tag = "users", operation_id = "update_user",
    security(("bearer" = [])), request_body = UserForm,
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, body = UserView), (status = 404, body = super::openapi::ErrorBody),
              (status = 422, body = super::openapi::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(form): ApiJson<UserForm>,
) -> AppResult<Json<UserView>> {
    Ok(Json(UserView::from(
        &users::update(&state.db, &ctx.actor()?, id, &form).await?,
    )))
}

/// Sets a new password and ends the account's sessions (administrators).
#[utoipa::path(post, path = "/api/users/{id}/password", tag = "users", operation_id = "reset_user_password",
    security(("bearer" = [])), request_body = PasswordReset,
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 204, description = "Password changed"), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PasswordReset>,
) -> AppResult<StatusCode> {
    users::reset_password(&state.db, &ctx.actor()?, id, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Re-activates a deactivated account (administrators).
#[utoipa::path(post, path = "/api/users/{id}/activate", tag = "users", operation_id = "activate_user",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, body = UserView), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn activate(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<UserView>> {
    Ok(Json(UserView::from(
        &users::set_active(&state.db, &ctx.actor()?, id, true).await?,
    )))
}

/// Deactivates an account and ends its sessions (administrators).
#[utoipa::path(post, path = "/api/users/{id}/deactivate", tag = "users", operation_id = "deactivate_user",
    security(("bearer" = [])), params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, body = UserView), (status = 409, body = super::openapi::ErrorBody)))]
pub async fn deactivate(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<UserView>> {
    Ok(Json(UserView::from(
        &users::set_active(&state.db, &ctx.actor()?, id, false).await?,
    )))
}
