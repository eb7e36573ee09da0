//! The institution's units (issue 14, point 0): the public list and page of each unit, a unit
//! user's desk, the administrator's form, and the JSON API.

use super::AppState;
use super::account::translated_fields;
use super::context::RequestContext;
use super::error::AppResult;
use super::extract::{ApiJson, ApiPath, ApiQuery, WebForm};
use super::page::{PageCtx, error_at, redirect_with_flash, render};
use crate::domain::unit::{LEVELS_OF_CARE, UnitKind};
use crate::repository::units::{Unit, UnitFilter};
use crate::service::ServiceError;
use crate::service::units::{self, UnitDetail, UnitForm};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// Filters of the unit list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// Only units of this kind (`central_warehouse`, `regional_warehouse`, `hospital`,
    /// `clinic`, `pharmacy`).
    pub kind: Option<String>,
    /// Only units in this department.
    pub department: Option<String>,
}

impl UnitQuery {
    fn filter(&self) -> UnitFilter {
        UnitFilter {
            kind: self.kind.as_deref().and_then(UnitKind::from_code),
            department: self
                .department
                .clone()
                .filter(|d| crate::service::demo::DEPARTMENTS.contains(&d.as_str())),
            parent_id: None,
        }
    }
}

/// A unit as the API shows it: its parent by code, the units' public key.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitView {
    /// Short stable code.
    pub code: String,
    /// Official name.
    pub name: String,
    /// `central_warehouse`, `regional_warehouse`, `hospital`, `clinic` or `pharmacy`.
    pub kind: String,
    /// Department.
    pub department: String,
    /// Municipality.
    pub municipality: String,
    /// Level of care (1–3) of units that treat patients.
    pub level_of_care: Option<i64>,
    /// Code of the warehouse that supplies it.
    pub parent: Option<String>,
    /// Whether the unit has been closed.
    pub inactive: bool,
}

fn view(unit: &Unit, all: &[Unit]) -> UnitView {
    UnitView {
        code: unit.code.clone(),
        name: unit.name.clone(),
        kind: unit.kind.code().to_string(),
        department: unit.department.clone(),
        municipality: unit.municipality.clone(),
        level_of_care: unit.level_of_care,
        parent: unit
            .parent_id
            .and_then(|p| all.iter().find(|u| u.id == p))
            .map(|p| p.code.clone()),
        inactive: unit.inactive,
    }
}

// ---------------------------------------------------------------- pages

#[derive(Template)]
#[template(path = "units.html")]
struct ListPage {
    ctx: PageCtx,
    units: Vec<Unit>,
    all: Vec<Unit>,
    query: UnitQuery,
    kinds: [UnitKind; 5],
    departments: Vec<&'static str>,
    is_admin: bool,
}

impl ListPage {
    fn parent_name(&self, unit: &Unit) -> String {
        unit.parent_id
            .and_then(|p| self.all.iter().find(|u| u.id == p))
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }
    fn kind_selected(&self, kind: &UnitKind) -> bool {
        self.query.kind.as_deref() == Some(kind.code())
    }
    fn department_selected(&self, d: &str) -> bool {
        self.query.department.as_deref() == Some(d)
    }
}

/// `GET /units`: the institution's network of units.
pub async fn list_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(query): ApiQuery<UnitQuery>,
) -> AppResult<Response> {
    let all = units::list(&state.db, &UnitFilter::default()).await?;
    let filter = query.filter();
    let shown = all
        .iter()
        .filter(|u| filter.kind.is_none_or(|k| u.kind == k))
        .filter(|u| {
            filter
                .department
                .as_deref()
                .is_none_or(|d| u.department == d)
        })
        .cloned()
        .collect();
    let mut departments: Vec<&'static str> = crate::service::demo::DEPARTMENTS
        .iter()
        .copied()
        .filter(|d| all.iter().any(|u| u.department == *d))
        .collect();
    departments.sort_unstable();
    let is_admin = ctx
        .user()
        .is_some_and(|u| u.has_role(crate::domain::role::Role::Administrator));
    Ok(render(&ListPage {
        ctx: PageCtx::new(&state, &ctx),
        units: shown,
        all,
        query,
        kinds: UnitKind::ALL,
        departments,
        is_admin,
    }))
}

#[derive(Template)]
#[template(path = "unit.html")]
struct DetailPage {
    ctx: PageCtx,
    d: UnitDetail,
    is_admin: bool,
}

/// `GET /units/{code}`.
pub async fn page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(code): ApiPath<String>,
) -> AppResult<Response> {
    let actor = ctx.actor().ok();
    let d = units::detail(&state.db, actor.as_ref(), &code).await?;
    let is_admin = actor
        .as_ref()
        .is_some_and(|a| a.has_role(crate::domain::role::Role::Administrator));
    Ok(render(&DetailPage {
        ctx: PageCtx::new(&state, &ctx),
        d,
        is_admin,
    }))
}

#[derive(Template)]
#[template(path = "units_mine.html")]
struct MinePage {
    ctx: PageCtx,
    units: Vec<Unit>,
}

/// `GET /units/mine`: a unit user's desk — the units they act for.
pub async fn mine_page(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let units = units::of_user(&state.db, user.id).await?;
    Ok(render(&MinePage {
        ctx: PageCtx::new(&state, &ctx),
        units,
    }))
}

/// The unit form as the browser posts it (numbers arrive as text).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UnitWebForm {
    /// Code.
    #[serde(default)]
    pub code: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Kind code.
    #[serde(default)]
    pub kind: String,
    /// Department.
    #[serde(default)]
    pub department: String,
    /// Municipality.
    #[serde(default)]
    pub municipality: String,
    /// Level of care, empty for none.
    #[serde(default)]
    pub level_of_care: String,
    /// Parent's code, empty for none.
    #[serde(default)]
    pub parent: String,
}

impl UnitWebForm {
    fn to_form(&self) -> Result<UnitForm, ServiceError> {
        let level_of_care = match self.level_of_care.trim() {
            "" => None,
            s => Some(s.parse::<i64>().map_err(|_| {
                ServiceError::field(
                    "level_of_care",
                    crate::domain::validation::FieldCode::UnknownOption,
                )
            })?),
        };
        Ok(UnitForm {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            department: self.department.clone(),
            municipality: self.municipality.clone(),
            level_of_care,
            parent: Some(self.parent.clone()),
        })
    }

    fn from_unit(unit: &Unit, all: &[Unit]) -> UnitWebForm {
        let v = view(unit, all);
        UnitWebForm {
            code: v.code,
            name: v.name,
            kind: v.kind,
            department: v.department,
            municipality: v.municipality,
            level_of_care: v.level_of_care.map(|l| l.to_string()).unwrap_or_default(),
            parent: v.parent.unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "unit_form.html")]
struct FormPage {
    ctx: PageCtx,
    /// The unit being edited (its code before the change).
    editing: Option<String>,
    form: UnitWebForm,
    kinds: [UnitKind; 5],
    levels: Vec<i64>,
    departments: &'static [&'static str],
    warehouses: Vec<Unit>,
    errors: Vec<(String, String)>,
}

impl FormPage {
    fn err(&self, field: &str) -> &str {
        error_at(&self.errors, field).unwrap_or("")
    }
    fn action(&self) -> String {
        match &self.editing {
            Some(code) => format!("/admin/units/{code}"),
            None => "/admin/units".to_string(),
        }
    }
}

async fn form_page(
    state: &AppState,
    ctx: &RequestContext,
    editing: Option<String>,
    form: UnitWebForm,
    errors: Vec<(String, String)>,
) -> AppResult<Response> {
    let warehouses = units::list(&state.db, &UnitFilter::default())
        .await?
        .into_iter()
        .filter(|u| u.kind.is_warehouse() && editing.as_deref() != Some(u.code.as_str()))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(&FormPage {
        ctx: PageCtx::new(state, ctx),
        editing,
        form,
        kinds: UnitKind::ALL,
        levels: LEVELS_OF_CARE.collect(),
        departments: &crate::service::demo::DEPARTMENTS,
        warehouses,
        errors,
    });
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /admin/units/new`.
pub async fn new_page(State(state): State<AppState>, ctx: RequestContext) -> AppResult<Response> {
    form_page(&state, &ctx, None, UnitWebForm::default(), Vec::new()).await
}

/// `GET /admin/units/{code}`.
pub async fn edit_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(code): ApiPath<String>,
) -> AppResult<Response> {
    let all = units::list(&state.db, &UnitFilter::default()).await?;
    let unit = all
        .iter()
        .find(|u| u.code == code)
        .ok_or(ServiceError::NotFound)?;
    let form = UnitWebForm::from_unit(unit, &all);
    form_page(&state, &ctx, Some(code), form, Vec::new()).await
}

/// `POST /admin/units` and `POST /admin/units/{code}`: create or change, then back to the
/// unit's page (post-redirect-get).
async fn submit(
    state: AppState,
    ctx: RequestContext,
    editing: Option<String>,
    form: UnitWebForm,
) -> AppResult<Response> {
    let actor = ctx.actor()?;
    let result = match form.to_form() {
        Ok(f) => match &editing {
            Some(code) => units::update(&state.db, &actor, code, &f).await,
            None => units::create(&state.db, &actor, &f).await,
        },
        Err(e) => Err(e),
    };
    match result {
        Ok(unit) => Ok(redirect_with_flash(
            &state,
            &format!("/units/{}", unit.code),
            if editing.is_some() {
                "flash-unit-updated"
            } else {
                "flash-unit-created"
            },
            Some(&unit.name),
        )),
        Err(err @ ServiceError::Validation(_)) => {
            let errors = translated_fields(&state, &ctx, &err);
            form_page(&state, &ctx, editing, form, errors).await
        }
        Err(err) => Err(err.into()),
    }
}

/// `POST /admin/units`.
pub async fn create_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    WebForm(form): WebForm<UnitWebForm>,
) -> AppResult<Response> {
    submit(state, ctx, None, form).await
}

/// `POST /admin/units/{code}`.
pub async fn update_submit(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(code): ApiPath<String>,
    WebForm(form): WebForm<UnitWebForm>,
) -> AppResult<Response> {
    submit(state, ctx, Some(code), form).await
}

// ---------------------------------------------------------------- JSON API

/// The institution's units (public).
#[utoipa::path(get, path = "/api/units", tag = "units", operation_id = "list_units",
    params(UnitQuery), responses((status = 200, body = [UnitView])))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<UnitQuery>,
) -> AppResult<Json<Vec<UnitView>>> {
    let all = units::list(&state.db, &UnitFilter::default()).await?;
    let filter = query.filter();
    Ok(Json(
        all.iter()
            .filter(|u| filter.kind.is_none_or(|k| u.kind == k))
            .filter(|u| {
                filter
                    .department
                    .as_deref()
                    .is_none_or(|d| u.department == d)
            })
            .map(|u| view(u, &all))
            .collect(),
    ))
}

/// One unit (public).
#[utoipa::path(get, path = "/api/units/{code}", tag = "units", operation_id = "get_unit",
    params(("code" = String, Path, description = "Unit code")),
    responses((status = 200, body = UnitView), (status = 404, body = super::openapi::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> AppResult<Json<UnitView>> {
    let all = units::list(&state.db, &UnitFilter::default()).await?;
    let unit = all
        .iter()
        .find(|u| u.code == code)
        .ok_or(ServiceError::NotFound)?;
    Ok(Json(view(unit, &all)))
}

/// Creates a unit (administrators).
#[utoipa::path(post, path = "/api/units", tag = "units", operation_id = "create_unit",
    security(("bearer" = [])), request_body = UnitForm,
    responses((status = 201, body = UnitView), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiJson(form): ApiJson<UnitForm>,
) -> AppResult<(StatusCode, Json<UnitView>)> {
    let unit = units::create(&state.db, &ctx.actor()?, &form).await?;
    let all = units::list(&state.db, &UnitFilter::default()).await?;
    Ok((StatusCode::CREATED, Json(view(&unit, &all))))
}

/// Replaces a unit's fields (administrators).
#[utoipa::path(put, path = "/api/units/{code}", tag = "units", operation_id = "update_unit",
    security(("bearer" = [])), request_body = UnitForm,
    params(("code" = String, Path, description = "Unit code")),
    responses((status = 200, body = UnitView), (status = 404, body = super::openapi::ErrorBody),
              (status = 422, body = super::openapi::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(code): ApiPath<String>,
    ApiJson(form): ApiJson<UnitForm>,
) -> AppResult<Json<UnitView>> {
    let unit = units::update(&state.db, &ctx.actor()?, &code, &form).await?;
    let all = units::list(&state.db, &UnitFilter::default()).await?;
    Ok(Json(view(&unit, &all)))
}

/// The units a user acts for, by code.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct UserUnits {
    /// Unit codes (a unit user needs at least one).
    #[serde(default)]
    pub units: Vec<String>,
}

/// Sets the units a user acts for (administrators).
#[utoipa::path(put, path = "/api/users/{id}/units", tag = "units", operation_id = "set_user_units",
    security(("bearer" = [])), request_body = UserUnits,
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, body = [UnitView]), (status = 404, body = super::openapi::ErrorBody),
              (status = 422, body = super::openapi::ErrorBody)))]
pub async fn set_user_units(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UserUnits>,
) -> AppResult<Json<Vec<UnitView>>> {
    let set = units::set_user_units(&state.db, &ctx.actor()?, id, &body.units).await?;
    let all = units::list(&state.db, &UnitFilter::default()).await?;
    Ok(Json(set.iter().map(|u| view(u, &all)).collect()))
}
