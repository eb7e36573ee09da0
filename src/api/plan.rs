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

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    ctx: PageCtx,
    year: i64,
    years: Vec<i64>,
    lines: Vec<PlanVsActual>,
    can_tender: bool,
    methods: Vec<(String, String)>,
    /// The rulebook's currency, in which plan prices are estimated.
    currency: String,
}

impl PlanPage {
    fn money(&self, value: &str) -> String {
        self.ctx.money(value, &self.currency)
    }
}

/// `GET /plan`: the public plan-vs-actual.
pub async fn page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> AppResult<Response> {
    let (year, years) = resolve_year(&state, &q).await?;
    let lines = plan::plan_vs_actual(&state.db, year).await?;
    let page = PageCtx::new(&state, &ctx);
    let can_tender = page.has_role("buyer");
    let methods = state
        .rulebook
        .methods()
        .iter()
        .map(|m| {
            (
                m.code().to_string(),
                if page.lang_code() == "es" {
                    m.name_es()
                } else {
                    m.name_en()
                }
                .to_string(),
            )
        })
        .collect();
    Ok(render(&PlanPage {
        ctx: page,
        year,
        years,
        lines,
        can_tender,
        methods,
        currency: state.rulebook.currency().to_string(),
    }))
}
