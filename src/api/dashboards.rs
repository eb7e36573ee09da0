//! Public dashboards (issue 6): market indicators as server-rendered SVG charts, each with its
//! data table beside it (readable without JavaScript) and a CSV download; the red-flag list
//! with explanations and links to each process.

use super::AppState;
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
    /// The SVG (escaped labels; numbers only).
    pub svg: String,
    /// Column headers (translation keys).
    pub columns: Vec<&'static str>,
    /// Table rows: year then one cell per series.
    pub rows: Vec<(i32, Vec<String>)>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The drawing area every chart shares (viewBox units).
const W: f64 = 560.0;
const H: f64 = 220.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 28.0;
const COLORS: [&str; 4] = ["#1f5f8b", "#c0392b", "#27864a", "#8e5a00"];

/// A chart's series: a name and one value per year (`None`: unknown that year).
type Series<'a> = [(&'a str, Vec<Option<f64>>)];

fn color(series: usize) -> &'static str {
    COLORS[series % COLORS.len()]
}

/// The largest value of all series (1 when there is none, so scales never divide by zero).
fn scale_max(series: &Series) -> f64 {
    let max = series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten().copied())
        .fold(0.0_f64, f64::max);
    if max <= 0.0 { 1.0 } else { max }
}

/// The opening tag, the x axis and the top-of-scale label at height `max_label_y`.
fn open_chart(label: &str, max: f64, max_label_y: f64) -> String {
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\" class=\"chart\">",
        escape(label)
    );
    svg.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{}\" x2=\"{W}\" y2=\"{}\" stroke=\"#555\"/>",
        H - BOTTOM,
        H - BOTTOM
    ));
    svg.push_str(&format!(
        "<text x=\"{}\" y=\"{max_label_y}\" font-size=\"10\" text-anchor=\"end\">{}</text>",
        LEFT - 4.0,
        trim_number(max)
    ));
    svg
}

/// A year's label under the axis at `x`.
fn year_label(svg: &mut String, x: f64, year: i32) {
    svg.push_str(&format!(
        "<text x=\"{x:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{year}</text>",
        H - 10.0
    ));
}

/// The legend (a swatch and a name per series) along the top, then the closing tag.
fn close_chart(mut svg: String, series: &Series) -> String {
    for (s, (name, _)) in series.iter().enumerate() {
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"2\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"11\" font-size=\"11\">{}</text>",
            LEFT + 8.0 + s as f64 * 170.0,
            color(s),
            LEFT + 22.0 + s as f64 * 170.0,
            escape(name)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Grouped vertical bars, one group per year, one bar per series; values are display numbers
/// (counts, percentages), never money arithmetic.
pub fn bar_chart(label: &str, years: &[i32], series: &Series) -> String {
    const TOP: f64 = 12.0;
    let max = scale_max(series);
    let group_w = (W - LEFT) / years.len().max(1) as f64;
    let bar_w = (group_w * 0.8) / series.len().max(1) as f64;
    let mut svg = open_chart(label, max, TOP + 8.0);
    for (g, year) in years.iter().enumerate() {
        let x0 = LEFT + g as f64 * group_w + group_w * 0.1;
        for (s, (name, values)) in series.iter().enumerate() {
            if let Some(Some(v)) = values.get(g) {
                let h = (v / max) * (H - BOTTOM - TOP);
                svg.push_str(&format!(
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{} {}: {}</title></rect>",
                    x0 + s as f64 * bar_w,
                    H - BOTTOM - h,
                    bar_w.max(1.0),
                    h,
                    color(s),
                    escape(name),
                    year,
                    trim_number(*v)
                ));
            }
        }
        year_label(&mut svg, LEFT + g as f64 * group_w + group_w / 2.0, *year);
    }
    close_chart(svg, series)
}

/// A time series: one line per series across the years, a dot per known value (a missing
/// year breaks the line rather than inventing a value).
pub fn line_chart(label: &str, years: &[i32], series: &Series) -> String {
    const TOP: f64 = 18.0;
    let max = scale_max(series);
    let step = if years.len() > 1 {
        (W - LEFT - 20.0) / (years.len() - 1) as f64
    } else {
        0.0
    };
    let x = |i: usize| LEFT + 10.0 + i as f64 * step;
    let y = |v: f64| H - BOTTOM - (v / max) * (H - BOTTOM - TOP);
    let mut svg = open_chart(label, max, TOP + 4.0);
    for (s, (name, values)) in series.iter().enumerate() {
        let mut path = String::new();
        let mut pen_down = false;
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => {
                    path.push_str(&format!(
                        "{}{:.1},{:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(i),
                        y(*v)
                    ));
                    pen_down = true;
                    svg.push_str(&format!(
                        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\"><title>{} {}: {}</title></circle>",
                        x(i),
                        y(*v),
                        color(s),
                        escape(name),
                        years[i],
                        trim_number(*v)
                    ));
                }
                None => pen_down = false,
            }
        }
        if !path.is_empty() {
            svg.push_str(&format!(
                "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>",
                path.trim_end(),
                color(s)
            ));
        }
    }
    for (i, year) in years.iter().enumerate() {
        year_label(&mut svg, x(i), *year);
    }
    close_chart(svg, series)
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

fn charts(ctx: &PageCtx, d: &Dashboard) -> Vec<Chart> {
    let report = d.report(ctx.lang);
    let rows = report
        .market
        .as_ref()
        .map(|m| overall(&m.rows))
        .unwrap_or_default();
    let years: Vec<i32> = rows.iter().map(|r| r.year).collect();
    let make = |title_key: &'static str, series: Vec<(&'static str, Vec<Option<f64>>)>| {
        // Concentration is read as a trend: lines; counts and shares per year: bars.
        let draw = if matches!(title_key, "dash-concentration" | "dash-hhi") {
            line_chart
        } else {
            bar_chart
        };
        let names: Vec<String> = series.iter().map(|(k, _)| ctx.t(k)).collect();
        let named: Vec<(&str, Vec<Option<f64>>)> = names
            .iter()
            .zip(&series)
            .map(|(n, (_, v))| (n.as_str(), v.clone()))
            .collect();
        Chart {
            title_key,
            svg: draw(&ctx.t(title_key), &years, &named),
            columns: series.iter().map(|(k, _)| *k).collect(),
            rows: years
                .iter()
                .enumerate()
                .map(|(i, y)| (*y, series.iter().map(|(_, v)| cell(v[i])).collect()))
                .collect(),
        }
    };
    vec![
        make(
            "dash-suppliers",
            vec![
                (
                    "dash-col-suppliers",
                    rows.iter().map(|r| Some(r.suppliers as f64)).collect(),
                ),
                (
                    "dash-col-new-entrants",
                    rows.iter()
                        .map(|r| r.new_entrants.map(|n| n as f64))
                        .collect(),
                ),
            ],
        ),
        make(
            "dash-concentration",
            vec![
                (
                    "dash-col-top10",
                    rows.iter().map(|r| percent(r.top10_share)).collect(),
                ),
                (
                    "dash-col-top4",
                    rows.iter().map(|r| percent(r.top4_share)).collect(),
                ),
            ],
        ),
        make(
            "dash-hhi",
            vec![("dash-col-hhi", rows.iter().map(|r| r.hhi).collect())],
        ),
        make(
            "dash-direct",
            vec![
                (
                    "dash-col-direct-count",
                    rows.iter()
                        .map(|r| percent(r.direct_share_by_count))
                        .collect(),
                ),
                (
                    "dash-col-direct-value",
                    rows.iter()
                        .map(|r| percent(r.direct_share_by_value))
                        .collect(),
                ),
            ],
        ),
        make(
            "dash-competition",
            vec![
                (
                    "dash-col-single-bid",
                    rows.iter().map(|r| percent(r.single_bid_rate)).collect(),
                ),
                (
                    "dash-col-bidders",
                    rows.iter().map(|r| r.average_bidders).collect(),
                ),
            ],
        ),
        make(
            "dash-savings",
            vec![
                (
                    "dash-col-auction-savings",
                    rows.iter()
                        .map(|r| percent(r.auction_savings.as_ref().and_then(|s| s.rate)))
                        .collect(),
                ),
                (
                    "dash-col-estimate-savings",
                    rows.iter()
                        .map(|r| percent(r.estimate_savings.as_ref().and_then(|s| s.rate)))
                        .collect(),
                ),
            ],
        ),
    ]
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

/// A flagged process as listed.
pub struct FlaggedView {
    /// Ocid.
    pub ocid: String,
    /// Where to read it: the tender page or the imported record.
    pub href: String,
    /// (code, name, explanation).
    pub flags: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "red_flags.html")]
struct RedFlagsPage {
    ctx: PageCtx,
    query: String,
    processes: Vec<FlaggedView>,
    total: usize,
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
    let mut processes = Vec::new();
    for p in report.processes.iter().take(500) {
        let href = match crate::repository::tenders::find_by_ocid(&mut conn, &p.ocid).await? {
            Some(t) => format!("/tenders/{}", t.id),
            None => format!("/api/ocds/imported/{}", p.ocid),
        };
        processes.push(FlaggedView {
            ocid: p.ocid.clone(),
            href,
            flags: p
                .flags
                .iter()
                .map(|f| (f.code.to_string(), f.name.clone(), f.explanation.clone()))
                .collect(),
        });
    }
    Ok(render(&RedFlagsPage {
        query: query_string(&filters),
        total: report.processes.len(),
        ctx: page_ctx,
        processes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_labels_and_skip_missing_values() {
        let years = [2024, 2025, 2026];
        let hostile = "<script>alert(1)</script> & \"x\"";
        let bars = bar_chart(
            hostile,
            &years,
            &[(hostile, vec![Some(3.0), None, Some(6.0)])],
        );
        assert!(!bars.contains("<script>"));
        assert!(bars.contains("&lt;script&gt;"));
        // One bar per known value, none for the missing year.
        assert_eq!(
            bars.matches("<rect x=").count(),
            2 + 1,
            "two bars and the legend swatch"
        );
        let line = line_chart(
            "HHI",
            &years,
            &[("HHI", vec![Some(1000.0), None, Some(2500.0)])],
        );
        // A missing year breaks the line: two separate moves, no segment across the gap.
        assert_eq!(line.matches("<circle").count(), 2);
        let path = line.split("d=\"").nth(1).unwrap();
        assert_eq!(path.matches('M').count(), 2, "{path}");
        assert!(!path.split('"').next().unwrap().contains('L'));
    }
}
