//! The procurement plan: JSON and the public plan-vs-actual page.

use super::AppState;
use super::context::RequestContext;
use super::error::AppResult;
use super::extract::{ApiJson, ApiQuery};
use super::page::{PageCtx, render};
use crate::repository::plan::PlanLineRow;
use crate::service::plan::{self, PlanLineForm, PlanVsActual};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// Which year.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Fiscal year (default: the latest with a plan, or this year).
    pub year: Option<i64>,
}

async fn resolve_year(state: &AppState, q: &YearQuery) -> AppResult<(i64, Vec<i64>)> {
    let years = plan::years(&state.db).await?;
    let current = state
        .now()
        .to_datetime()
        .format("%Y")
        .to_string()
        .parse()
        .unwrap_or(2026);
    Ok((
        q.year.or_else(|| years.first().copied()).unwrap_or(current),
        years,
    ))
}

/// The plan of a year against what was tendered and awarded.
#[utoipa::path(get, path = "/api/plan", tag = "plan", operation_id = "get_plan",
    params(YearQuery), responses((status = 200, body = Vec<PlanVsActual>)))]
pub async fn get(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> AppResult<Json<Vec<PlanVsActual>>> {
    let (year, _) = resolve_year(&state, &q).await?;
    Ok(Json(plan::plan_vs_actual(&state.db, year).await?))
}

/// Adds a plan line (buyers, analysts).
#[utoipa::path(post, path = "/api/plan", tag = "plan", operation_id = "add_plan_line",
    security(("bearer" = [])), request_body = PlanLineForm,
    responses((status = 201, body = Object), (status = 422, body = super::openapi::ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiJson(f): ApiJson<PlanLineForm>,
) -> AppResult<(StatusCode, Json<PlanLineRow>)> {
    let row = plan::add_line(&state.db, &ctx.actor()?, &f, state.now()).await?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// The plan-to-tender form as the buyer left it, with its errors (shown again when refused).
#[derive(Debug, Clone, Default)]
pub struct FromPlanState {
    /// Title typed.
    pub title: String,
    /// Method chosen.
    pub method: String,
    /// Lines ticked.
    pub lines: Vec<i64>,
    /// (field, translated message).
    pub errors: Vec<(String, String)>,
}

/// A method the form offers, with its value band from the rulebook: the page's script offers
/// only the methods whose band fits the ticked lines' planned value (issue 13).
struct MethodOption {
    code: String,
    name: String,
    /// Lower bound, and whether it is excluded ("more than").
    min: String,
    min_open: bool,
    /// Upper bound (empty: none), and whether it is excluded.
    max: String,
    max_open: bool,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    ctx: PageCtx,
    year: i64,
    years: Vec<i64>,
    lines: Vec<PlanVsActual>,
    can_tender: bool,
    methods: Vec<MethodOption>,
    form: FromPlanState,
    /// The rulebook's currency, in which plan prices are estimated.
    currency: String,
}

impl PlanPage {
    fn money(&self, value: &str) -> String {
        self.ctx.money(value, &self.currency)
    }
    fn ticked(&self, id: &i64) -> bool {
        self.form.lines.contains(id)
    }
}

/// `GET /plan`: the public plan-vs-actual.
pub async fn page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> AppResult<Response> {
    render_page(&state, &ctx, &q, FromPlanState::default()).await
}

/// The plan page, with the plan-to-tender form in `form`'s state.
pub async fn render_page(
    state: &AppState,
    ctx: &RequestContext,
    q: &YearQuery,
    form: FromPlanState,
) -> AppResult<Response> {
    let (year, years) = resolve_year(state, q).await?;
    let lines = plan::plan_vs_actual(&state.db, year).await?;
    let page = PageCtx::new(state, ctx);
    let can_tender = page.has_role("buyer");
    // Methods that need an exception's justification cannot start from plan lines alone.
    let methods = state
        .rulebook
        .methods()
        .iter()
        .filter(|m| !m.requires_exception())
        .map(|m| {
            let band = &m.value_range().value;
            MethodOption {
                code: m.code().to_string(),
                name: if page.lang_code() == "es" {
                    m.name_es()
                } else {
                    m.name_en()
                }
                .to_string(),
                min: band.min.to_string(),
                min_open: !band.min_inclusive,
                max: band.max.map(|x| x.to_string()).unwrap_or_default(),
                max_open: !band.max_inclusive,
            }
        })
        .collect();
    let refused = !form.errors.is_empty();
    let mut response = render(&PlanPage {
        // The form's controls keep the ids the page's script knows (`plan-method`); a draft
        // with no lines is refused at the table of lines.
        ctx: page
            .with_anchor("title", "plan-title")
            .with_anchor("method", "plan-method")
            .with_anchor("items", "plan_lines"),
        year,
        years,
        lines,
        can_tender,
        methods,
        form,
        currency: state.rulebook.currency().to_string(),
    });
    if refused {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}
