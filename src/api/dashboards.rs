//! Public dashboards (issue 6): market indicators as server-rendered SVG charts (drawn by
//! `super::chart`, one unit per chart), each with its
//! data table beside it (readable without JavaScript) and a CSV download; the red-flag list
//! with explanations and links to each process.

use super::AppState;
use super::chart::{self, Kind, Series, Unit, XAxis};
use super::context::RequestContext;
use super::error::AppResult;
use super::extract::ApiQuery;
use super::page::{PageCtx, render};
use crate::service::dashboards::{Dashboard, Filters};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tianguis_indicators::market::MarketRow;

/// One chart: a title, its series and the rows of its data table.
pub struct Chart {
    /// Translation key of the title.
    pub title_key: &'static str,
    /// The drawing (`super::chart`), or a sentence when there is no data.
    pub svg: String,
    /// Column headers (translation keys).
    pub columns: Vec<&'static str>,
    /// Table rows: year then one cell per series.
    pub rows: Vec<(i32, Vec<String>)>,
}

fn trim_number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn percent(v: Option<f64>) -> Option<f64> {
    v.map(|x| (x * 10000.0).round() / 100.0)
}

fn cell(v: Option<f64>) -> String {
    v.map(trim_number).unwrap_or_else(|| "—".into())
}

/// The roll-up rows (all buyers, all categories), by year.
pub fn overall(rows: &[MarketRow]) -> Vec<&MarketRow> {
    let mut out: Vec<&MarketRow> = rows
        .iter()
        .filter(|r| r.buyer.is_none() && r.category.is_none())
        .collect();
    out.sort_by_key(|r| r.year);
    out
}

/// A dashboard chart before drawing: its title, how it is drawn, its one unit and its series
/// (translation keys of the column headers, values by year).
struct Spec {
    title_key: &'static str,
    kind: Kind,
    unit: Unit,
    axis_key: &'static str,
    series: Vec<(&'static str, Vec<Option<f64>>)>,
}

type Column<'a> = &'a dyn Fn(&MarketRow) -> Option<f64>;

fn specs(rows: &[&MarketRow]) -> Vec<Spec> {
    let col = |f: Column| rows.iter().map(|r| f(r)).collect();
    let pct = |f: Column| rows.iter().map(|r| percent(f(r))).collect();
    // Counts and shares per year are bars; concentration is read as a trend: lines. Each chart
    // has one unit (issue 13: single-bid rates and average bidders shared one axis).
    vec![
        Spec {
            title_key: "dash-suppliers",
            kind: Kind::Bars,
            unit: Unit::Count,
            axis_key: "dash-axis-suppliers",
            series: vec![
                ("dash-col-suppliers", col(&|r| Some(r.suppliers as f64))),
                (
                    "dash-col-new-entrants",
                    col(&|r| r.new_entrants.map(|n| n as f64)),
                ),
            ],
        },
        Spec {
            title_key: "dash-concentration",
            kind: Kind::Lines,
            unit: Unit::Percent,
            axis_key: "dash-axis-share",
            series: vec![
                ("dash-col-top10", pct(&|r| r.top10_share)),
                ("dash-col-top4", pct(&|r| r.top4_share)),
            ],
        },
        Spec {
            title_key: "dash-hhi",
            kind: Kind::Lines,
            unit: Unit::Index,
            axis_key: "dash-axis-hhi",
            series: vec![("dash-col-hhi", col(&|r| r.hhi))],
        },
        Spec {
            title_key: "dash-direct",
            kind: Kind::Bars,
            unit: Unit::Percent,
            axis_key: "dash-axis-percent",
            series: vec![
                ("dash-col-direct-count", pct(&|r| r.direct_share_by_count)),
                ("dash-col-direct-value", pct(&|r| r.direct_share_by_value)),
            ],
        },
        Spec {
            title_key: "dash-single-bid",
            kind: Kind::Bars,
            unit: Unit::Percent,
            axis_key: "dash-axis-percent",
            series: vec![("dash-col-single-bid", pct(&|r| r.single_bid_rate))],
        },
        Spec {
            title_key: "dash-bidders",
            kind: Kind::Bars,
            unit: Unit::Count,
            axis_key: "dash-axis-bidders",
            series: vec![("dash-col-bidders", col(&|r| r.average_bidders))],
        },
        Spec {
            title_key: "dash-savings",
            kind: Kind::Bars,
            unit: Unit::Percent,
            axis_key: "dash-axis-percent",
            series: vec![
                (
                    "dash-col-auction-savings",
                    pct(&|r| r.auction_savings.as_ref().and_then(|s| s.rate)),
                ),
                (
                    "dash-col-estimate-savings",
                    pct(&|r| r.estimate_savings.as_ref().and_then(|s| s.rate)),
                ),
            ],
        },
    ]
}

fn charts(ctx: &PageCtx, d: &Dashboard) -> Vec<Chart> {
    let report = d.report(ctx.lang);
    let rows = report
        .market
        .as_ref()
        .map(|m| overall(&m.rows))
        .unwrap_or_default();
    let years: Vec<i32> = rows.iter().map(|r| r.year).collect();
    specs(&rows)
        .into_iter()
        .map(|spec| {
            let drawing = chart::Chart {
                id: spec.title_key.to_string(),
                title: ctx.t(spec.title_key),
                kind: spec.kind,
                x: XAxis::Years(years.clone()),
                unit: spec.unit,
                y_label: ctx.t(spec.axis_key),
                series: spec
                    .series
                    .iter()
                    .map(|(key, values)| Series {
                        name: ctx.t(key),
                        points: values
                            .iter()
                            .enumerate()
                            .map(|(i, v)| (i as i64, *v))
                            .collect(),
                    })
                    .collect(),
            };
            Chart {
                title_key: spec.title_key,
                svg: chart::render(ctx, &drawing),
                columns: spec.series.iter().map(|(k, _)| *k).collect(),
                rows: years
                    .iter()
                    .enumerate()
                    .map(|(i, y)| (*y, spec.series.iter().map(|(_, v)| cell(v[i])).collect()))
                    .collect(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "dashboards.html")]
struct DashboardsPage {
    ctx: PageCtx,
    filters: Filters,
    query: String,
    dashboard: Arc<Dashboard>,
    charts: Vec<Chart>,
    flagged: usize,
}

impl DashboardsPage {
    fn flagged_text(&self) -> String {
        let n = self
            .ctx
            .count(i64::try_from(self.flagged).unwrap_or(i64::MAX));
        self.ctx.t1("dash-flagged", "count", n)
    }

    /// What the figures count, in words, with the same numbers as `/tenders` and `/open-data`
    /// (issue 13).
    fn counted(&self) -> String {
        let d = &self.dashboard;
        let count = |n: usize| self.ctx.count(i64::try_from(n).unwrap_or(i64::MAX));
        let text = self.ctx.t_with(
            "dash-counted",
            &[
                ("own".into(), count(d.processes - d.imported)),
                ("imported".into(), count(d.imported)),
                ("total".into(), count(d.processes)),
            ],
        );
        if self.query.is_empty() {
            text
        } else {
            format!("{} {text}", self.ctx.t("dash-filtered"))
        }
    }
}

fn query_string(f: &Filters) -> String {
    let mut parts = Vec::new();
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    if let Some(b) = &f.buyer {
        parts.push(format!("buyer={}", enc(b)));
    }
    if let Some(m) = &f.method {
        parts.push(format!("method={}", enc(m)));
    }
    if let Some(c) = &f.category {
        parts.push(format!("category={}", enc(c)));
    }
    if let Some(y) = f.from {
        parts.push(format!("from={y}"));
    }
    if let Some(y) = f.to {
        parts.push(format!("to={y}"));
    }
    parts.join("&")
}

async fn dashboard(state: &AppState, filters: &Filters) -> AppResult<Arc<Dashboard>> {
    Ok(state
        .analytics
        .dashboard(
            &state.db,
            filters.clone(),
            &crate::service::dashboards::RuleInputs::from_rulebook(&state.rulebook),
        )
        .await?)
}

/// `GET /dashboards`: competition and concentration over the years.
pub async fn page(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(filters): ApiQuery<Filters>,
) -> AppResult<Response> {
    let d = dashboard(&state, &filters).await?;
    let page_ctx = PageCtx::new(&state, &ctx);
    let charts = charts(&page_ctx, &d);
    Ok(render(&DashboardsPage {
        query: query_string(&filters),
        flagged: d.report(page_ctx.lang).processes.len(),
        ctx: page_ctx,
        filters,
        dashboard: d,
        charts,
    }))
}

/// `GET /dashboards.csv`: every market row (years × buyers × categories, roll-ups first).
pub async fn csv(
    State(state): State<AppState>,
    ApiQuery(filters): ApiQuery<Filters>,
) -> AppResult<Response> {
    let d = dashboard(&state, &filters).await?;
    let mut out = Vec::new();
    if let Some(m) = &d.es.market {
        tianguis_indicators::report::write_market_csv(m, &mut out)
            .map_err(|e| crate::service::ServiceError::Internal(e.to_string()))?;
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"indicadores-mercado.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// The market report behind the dashboards (rows by year, buyer and category, roll-ups first)
/// and the number of processes analysed and flagged.
#[utoipa::path(get, path = "/api/dashboards", tag = "open data", operation_id = "dashboards",
    params(Filters),
    responses((status = 200, body = Object), (status = 400, body = super::openapi::ErrorBody)))]
pub async fn json(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(filters): ApiQuery<Filters>,
) -> AppResult<Json<serde_json::Value>> {
    let d = dashboard(&state, &filters).await?;
    let report = d.report(ctx.lang);
    Ok(Json(serde_json::json!({
        "processes": d.processes,
        "imported": d.imported,
        "market": report.market,
        "flagged_processes": report.processes.len(),
    })))
}

/// A flagged process as listed (issue 13: raw codes and bare ocids, with no title, buyer or
/// value).
pub struct FlaggedView {
    /// Ocid.
    pub ocid: String,
    /// Title, as published.
    pub title: Option<String>,
    /// Buyer's name.
    pub buyer: Option<String>,
    /// Estimated value, formatted in its currency.
    pub value: Option<String>,
    /// Where to read it: the tender page or the imported record.
    pub href: String,
    /// Whether it was imported from another publisher.
    pub imported: bool,
    /// (code, translated title, explanation).
    pub flags: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "red_flags.html")]
struct RedFlagsPage {
    ctx: PageCtx,
    query: String,
    processes: Vec<FlaggedView>,
    total: usize,
    evaluated: u64,
    cancelled: u64,
}

impl RedFlagsPage {
    /// What the page counts, in words (issue 13).
    fn counted(&self) -> String {
        let flagged = self.ctx.count(self.total as i64);
        let evaluated = self
            .ctx
            .count(i64::try_from(self.evaluated).unwrap_or(i64::MAX));
        let cancelled = self
            .ctx
            .count(i64::try_from(self.cancelled).unwrap_or(i64::MAX));
        format!(
            "{} {}",
            self.ctx.t_with(
                "flags-counted",
                &[("flagged".into(), flagged), ("evaluated".into(), evaluated)]
            ),
            self.ctx.t1("flags-not-evaluated", "cancelled", cancelled)
        )
    }
}

/// `GET /red-flags`: flagged processes with the plain-language reason of each flag.
pub async fn red_flags(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiQuery(filters): ApiQuery<Filters>,
) -> AppResult<Response> {
    let d = dashboard(&state, &filters).await?;
    let page_ctx = PageCtx::new(&state, &ctx);
    let report = d.report(page_ctx.lang);
    let mut conn = state.db.read().await?;
    let buyers = crate::repository::buyers::list(&mut conn).await?;
    let mut processes = Vec::new();
    for p in report.processes.iter().take(500) {
        let flags = p
            .flags
            .iter()
            .map(|f| (f.code.to_string(), f.name.clone(), f.explanation.clone()))
            .collect();
        let view = match crate::repository::tenders::find_by_ocid(&mut conn, &p.ocid).await? {
            Some(t) => FlaggedView {
                ocid: p.ocid.clone(),
                href: format!("/tenders/{}", t.id),
                buyer: buyers
                    .iter()
                    .find(|b| b.id == t.buyer_id)
                    .map(|b| b.name.clone()),
                value: Some(page_ctx.money(&t.estimated_value, &t.currency)),
                title: Some(t.title),
                imported: false,
                flags,
            },
            None => {
                let imported = crate::repository::imports::find(&mut conn, &p.ocid).await?;
                let imported = imported.as_ref();
                FlaggedView {
                    ocid: p.ocid.clone(),
                    href: format!("/api/ocds/imported/{}", p.ocid),
                    title: imported.and_then(|i| i.title.clone()),
                    buyer: imported.and_then(|i| i.buyer.clone()),
                    value: imported.and_then(|i| {
                        let value = i.value.as_deref()?;
                        Some(match i.currency.as_deref() {
                            Some(c) => page_ctx.money(value, c),
                            None => page_ctx.qty(value),
                        })
                    }),
                    imported: true,
                    flags,
                }
            }
        };
        processes.push(view);
    }
    Ok(render(&RedFlagsPage {
        query: query_string(&filters),
        total: report.processes.len(),
        evaluated: report.summary.processes,
        cancelled: report.summary.skipped.cancelled,
        ctx: page_ctx,
        processes,
    }))
}
