//! The one chart component of the platform (issue 13, foundation point 4): every chart —
//! the market dashboards and the live auction's price chart — is drawn here, on the server.
//!
//! - Drawing: the `plotters` crate and its SVG backend (axes, tick marks, grid, bars, lines);
//!   this module decides what plotters cannot know: which ticks (`ticks`: nice values, local
//!   clock and calendar times), how they read in the page's language (money through
//!   `crate::format`), and where legends and direct labels go so they never
//!   overlap (text widths are estimated conservatively; labels are stacked, not guessed).
//! - One unit per vertical axis: a chart has one [`Unit`]; a figure that would mix a share and
//!   a count is two charts.
//! - Readable on a phone: each chart is rendered twice, a narrow variant (a 360-unit viewBox,
//!   about one CSS pixel per unit on a 390 px screen, 13-unit text) and a wide one; the
//!   stylesheet shows one of them by the width of the screen, so text stays 12–14 CSS px
//!   instead of shrinking with the drawing.
//! - Accessible: `role="img"`, `<title>` and `<desc>` in the page's language referenced by
//!   `aria-labelledby`; every chart sits beside or above its data table.

pub mod ticks;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::page::PageCtx;
use crate::domain::time::Timestamp;
use ticks::{TimeLabel, nice_ticks, time_ticks};

/// How the values are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Grouped vertical bars from zero, one group per year.
    Bars,
    /// Lines through the known values (a missing value breaks the line), from zero.
    Lines,
    /// A price that holds until the next one (a step line), its scale fitted to the data; the
    /// last value holds until the given instant (µs), e.g. now or the end of the auction.
    Steps {
        /// Until when the last values hold.
        until: i64,
    },
}

/// What the vertical axis counts: one unit per axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    /// A count or an average of counts (`1,200`).
    Count,
    /// A percentage, values already in percent (`25 %`).
    Percent,
    /// A plain index (HHI, `2,500`).
    Index,
    /// Money in this currency (`Q 999,800.00`).
    Money(String),
}

/// The horizontal axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XAxis {
    /// Years; a point's `x` is the index in this list.
    Years(Vec<i32>),
    /// Instants; a point's `x` is microseconds since the epoch, shown in the page's zone.
    Time,
}

/// One named series.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Its name in the page's language.
    pub name: String,
    /// `(x, value)`; `None` is unknown (nothing is drawn there). Drawing only: exact figures
    /// are in the data table.
    pub points: Vec<(i64, Option<f64>)>,
}

/// A chart to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Unique on the page: the ids of the title and description derive from it.
    pub id: String,
    /// The title, in the page's language.
    pub title: String,
    /// Bars, lines or steps.
    pub kind: Kind,
    /// Years or instants.
    pub x: XAxis,
    /// The unit of the vertical axis.
    pub unit: Unit,
    /// What the vertical axis measures, shown above it ("Proveedores", "Precio del lote").
    pub y_label: String,
    /// The series.
    pub series: Vec<Series>,
}

/// Colours of the series: the stylesheet's palette, each at least 4.5:1 on white (the
/// direct labels are text in these colours, WCAG 1.4.3).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x0b, 0x5c, 0xad),
    RGBColor(0xb3, 0x26, 0x1e),
    RGBColor(0x1a, 0x7f, 0x37),
    RGBColor(0x82, 0x50, 0xdf),
    RGBColor(0xbc, 0x4c, 0x00),
    RGBColor(0x0a, 0x7c, 0x86),
    RGBColor(0x6e, 0x77, 0x81),
    RGBColor(0x9a, 0x67, 0x00),
];
const INK: RGBColor = RGBColor(0x1b, 0x1f, 0x23);
const AXIS: RGBColor = RGBColor(0x6e, 0x77, 0x81);
const GRID: RGBColor = RGBColor(0xe1, 0xe6, 0xea);

/// One rendering of a chart: the size of its viewBox and its text.
struct Variant {
    width: u32,
    height: u32,
    /// Text size in viewBox units.
    font: f64,
    class: &'static str,
    suffix: &'static str,
}

const NARROW: Variant = Variant {
    width: 360,
    height: 300,
    font: 13.0,
    class: "chart chart-narrow",
    suffix: "n",
};
const WIDE: Variant = Variant {
    width: 720,
    height: 340,
    font: 14.0,
    class: "chart chart-wide",
    suffix: "w",
};

/// The width text takes: an average glyph of a sans-serif face is about half an em; 0.6 em
/// per character over-estimates it, so estimated boxes that do not overlap do not overlap on
/// screen.
fn text_width(text: &str, font: f64) -> f64 {
    text.chars().count() as f64 * font * 0.6
}

/// Draws `chart` for the page: both variants, or a sentence when there is nothing to draw.
pub fn render(ctx: &PageCtx, chart: &Chart) -> String {
    let has_data = chart
        .series
        .iter()
        .any(|s| s.points.iter().any(|(_, v)| v.is_some_and(f64::is_finite)));
    if !has_data {
        return format!("<p class=\"muted\">{}</p>", escape(&ctx.t("chart-no-data")));
    }
    let words = Words::new(ctx, chart);
    let mut out = String::new();
    for variant in [NARROW, WIDE] {
        match draw(&words, chart, &variant) {
            Ok(svg) => out.push_str(&svg),
            Err(e) => {
                // A drawing error is a bug here, never the user's: log it and keep the page.
                tracing::error!(chart = %chart.id, error = %e, "chart not drawn");
                return format!("<p class=\"muted\">{}</p>", escape(&ctx.t("chart-no-data")));
            }
        }
    }
    out
}

/// The page-language texts a chart needs.
struct Words<'a> {
    ctx: &'a PageCtx,
    desc: String,
    month: [String; 12],
}

impl<'a> Words<'a> {
    fn new(ctx: &'a PageCtx, chart: &Chart) -> Words<'a> {
        let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
        let kind = ctx.t(match chart.kind {
            Kind::Bars => "chart-kind-bars",
            Kind::Lines => "chart-kind-lines",
            Kind::Steps { .. } => "chart-kind-steps",
        });
        let (from, to) = match &chart.x {
            XAxis::Years(years) => (
                years.first().map(i32::to_string).unwrap_or_default(),
                years.last().map(i32::to_string).unwrap_or_default(),
            ),
            XAxis::Time => {
                let (lo, hi) = x_span(chart);
                (
                    ctx.time(&Timestamp::from_micros(lo)),
                    ctx.time(&Timestamp::from_micros(hi)),
                )
            }
        };
        let desc = ctx.t_with(
            "chart-desc",
            &args(&[
                ("kind", kind),
                ("series", names.join(", ")),
                ("from", from),
                ("to", to),
                ("unit", chart.y_label.clone()),
            ]),
        );
        let month = std::array::from_fn(|m| {
            ctx.t_with("chart-month", &args(&[("month", format!("m{}", m + 1))]))
        });
        Words { ctx, desc, month }
    }

    fn time(&self, label: TimeLabel) -> String {
        match label {
            TimeLabel::Seconds(h, m, s) => format!("{h:02}:{m:02}:{s:02}"),
            TimeLabel::Clock(h, m) => format!("{h:02}:{m:02}"),
            TimeLabel::Day(d, m) => self.ctx.t_with(
                "chart-day-month",
                &args(&[("day", d.to_string()), ("month", self.month_name(m))]),
            ),
            TimeLabel::Month(m) => self.month_name(m),
            TimeLabel::Year(y) => y.to_string(),
        }
    }

    fn month_name(&self, month: u32) -> String {
        self.month[(month.clamp(1, 12) - 1) as usize].clone()
    }

    fn value(&self, unit: &Unit, v: Decimal) -> String {
        match unit {
            Unit::Count | Unit::Index => crate::format::number(v, self.ctx.lang),
            Unit::Percent => self.ctx.t_with(
                "chart-percent",
                &args(&[("value", crate::format::number(v, self.ctx.lang))]),
            ),
            Unit::Money(currency) => crate::format::money_tick(v, currency, self.ctx.lang),
        }
    }
}

fn args(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The first and last `x` of a time chart (µs), the steps' end included.
fn x_span(chart: &Chart) -> (i64, i64) {
    let xs = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0));
    let lo = xs.clone().min().unwrap_or(0);
    let mut hi = xs.max().unwrap_or(0);
    if let Kind::Steps { until } = chart.kind {
        hi = hi.max(until);
    }
    (lo, hi)
}

type DrawResult<T> = Result<T, Box<dyn std::error::Error>>;

/// Where the names of the series go.
enum Names {
    /// No names: one series, the title says what it is.
    None,
    /// Rows of swatches and names above the plot.
    Legend(Vec<Vec<usize>>),
    /// Each name at the end of its line, in a right margin this wide.
    Direct(f64),
}

fn draw(words: &Words, chart: &Chart, v: &Variant) -> DrawResult<String> {
    let (w, h, font) = (f64::from(v.width), f64::from(v.height), v.font);
    let line = font * 1.5;
    let pad = 6.0;
    let names = place_names(chart, v, line, pad);
    let legend_rows = match &names {
        Names::Legend(rows) => rows.len(),
        _ => 0,
    };
    let header = pad + line * (1 + legend_rows) as f64;
    let x_area = font * 2.2;
    let plot_h = h - header - x_area - pad;

    // Vertical axis: nice ticks over the data (from zero for bars and shares).
    let values: Vec<f64> = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|p| p.1))
        .filter(|v| v.is_finite())
        .collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = match chart.kind {
        Kind::Steps { .. } => (lo, hi),
        _ => (lo.min(0.0), hi.max(0.0)),
    };
    let y_ticks = nice_ticks(lo, hi, ((plot_h / (line * 1.8)) as usize).clamp(2, 8));
    let y_labels: Vec<(f64, String)> = y_ticks
        .iter()
        .map(|t| (t.to_f64().unwrap_or(0.0), words.value(&chart.unit, *t)))
        .collect();
    let y_area = y_labels
        .iter()
        .map(|(_, l)| text_width(l, font))
        .fold(0.0, f64::max)
        + font;
    let right = match names {
        Names::Direct(width) => width,
        _ => font * 2.0,
    };
    let plot_w = w - y_area - right - pad;

    // Horizontal axis: years, or clock and calendar times in the page's zone.
    let (x_range, x_labels) = x_axis(words, chart, plot_w, font);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (v.width, v.height)).into_drawing_area();
        root.fill(&WHITE)?;
        let text = |size: f64, color: &RGBColor, h: HPos, vp: VPos| {
            // plotters writes font-size = size / 1.24 into the SVG.
            ("sans-serif", size * 1.24)
                .into_font()
                .color(color)
                .pos(Pos::new(h, vp))
        };
        root.draw(&Text::new(
            chart.y_label.clone(),
            (pad as i32, pad as i32),
            text(font, &INK, HPos::Left, VPos::Top),
        ))?;
        if let Names::Legend(rows) = &names {
            for (r, row) in rows.iter().enumerate() {
                let y = pad + line * (r + 1) as f64;
                let mut x = pad;
                for s in row {
                    let color = PALETTE[s % PALETTE.len()];
                    root.draw(&Rectangle::new(
                        [
                            (x as i32, (y + line * 0.2) as i32),
                            (
                                (x + font * 0.9) as i32,
                                (y + line * 0.2 + font * 0.9) as i32,
                            ),
                        ],
                        color.filled(),
                    ))?;
                    let name = &chart.series[*s].name;
                    root.draw(&Text::new(
                        name.clone(),
                        ((x + font * 1.3) as i32, (y + line * 0.15) as i32),
                        text(font, &INK, HPos::Left, VPos::Top),
                    ))?;
                    x += legend_entry_width(name, font);
                }
            }
        }
        let (_, body) = root.split_vertically(header as i32);
        let x_keys: Vec<f64> = x_labels.iter().map(|(x, _)| *x).collect();
        let y_keys: Vec<f64> = y_labels.iter().map(|(y, _)| *y).collect();
        let y_range = y_keys.first().copied().unwrap_or(0.0)..y_keys.last().copied().unwrap_or(1.0);
        let mut plot = ChartBuilder::on(&body)
            .margin_top((line * 0.5) as i32)
            .margin_right(right as i32)
            .margin_left(pad as i32)
            .margin_bottom(pad as i32)
            .x_label_area_size(x_area as i32)
            .y_label_area_size(y_area as i32)
            .build_cartesian_2d(
                Ticked {
                    range: x_range,
                    keys: x_keys,
                },
                Ticked {
                    range: y_range,
                    keys: y_keys,
                },
            )?;
        let label_of = |labels: &[(f64, String)], v: &f64| {
            labels
                .iter()
                .min_by(|a, b| (a.0 - v).abs().total_cmp(&(b.0 - v).abs()))
                .map(|(_, l)| l.clone())
                .unwrap_or_default()
        };
        let x_fmt = |v: &f64| label_of(&x_labels, v);
        let y_fmt = |v: &f64| label_of(&y_labels, v);
        plot.configure_mesh()
            .disable_x_mesh()
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(AXIS.stroke_width(1))
            .x_labels(x_labels.len())
            .y_labels(y_labels.len())
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .label_style(text(font, &INK, HPos::Center, VPos::Top))
            .draw()?;
        draw_series(&mut plot, chart)?;
        if let Names::Direct(_) = names {
            direct_labels(
                &root,
                &plot,
                chart,
                line,
                &text(font, &INK, HPos::Left, VPos::Center),
            )?;
        }
        root.present()?;
    }
    Ok(accessible(svg, chart, words, v))
}

/// Replaces the `<svg …>` plotters writes (fixed width and height) with one that scales to its
/// container and carries the title and description.
fn accessible(svg: String, chart: &Chart, words: &Words, v: &Variant) -> String {
    let body = svg.split_once('>').map(|(_, rest)| rest).unwrap_or("");
    let id = format!("{}-{}", chart.id, v.suffix);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" class=\"{}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>{}",
        v.width,
        v.height,
        v.class,
        escape(&chart.title),
        escape(&words.desc),
        body.trim_start()
    )
}

fn legend_entry_width(name: &str, font: f64) -> f64 {
    font * 1.3 + text_width(name, font) + font * 1.2
}

/// Direct labels when the lines' names fit in a right margin of at most 30 % of the width and
/// stack without overlapping; otherwise a legend wrapped into rows; no names for one series.
fn place_names(chart: &Chart, v: &Variant, line: f64, pad: f64) -> Names {
    let n = chart.series.len();
    if n <= 1 {
        return Names::None;
    }
    let (w, font) = (f64::from(v.width), v.font);
    let widest = chart
        .series
        .iter()
        .map(|s| text_width(&s.name, font))
        .fold(0.0, f64::max);
    let plot_h = f64::from(v.height) - pad - line - font * 2.2 - pad;
    if chart.kind != Kind::Bars && widest + font <= w * 0.3 && n as f64 * line <= plot_h {
        return Names::Direct(widest + font);
    }
    let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
    let mut x = pad;
    for (i, s) in chart.series.iter().enumerate() {
        let entry = legend_entry_width(&s.name, font);
        if x + entry > w - pad && !rows.last().is_some_and(Vec::is_empty) {
            rows.push(Vec::new());
            x = pad;
        }
        x += entry;
        if let Some(row) = rows.last_mut() {
            row.push(i);
        }
    }
    Names::Legend(rows)
}

/// The horizontal range and its labelled ticks: as many as fit without touching.
fn x_axis(
    words: &Words,
    chart: &Chart,
    plot_w: f64,
    font: f64,
) -> (std::ops::Range<f64>, Vec<(f64, String)>) {
    let gap = font;
    match &chart.x {
        XAxis::Years(years) => {
            let n = years.len().max(1);
            let fits = ((plot_w / (text_width("2026", font) + gap)) as usize).max(1);
            let stride = n.div_ceil(fits);
            let labels = years
                .iter()
                .enumerate()
                .filter(|(i, _)| i % stride == 0)
                .map(|(i, y)| (i as f64, y.to_string()))
                .collect();
            (-0.5..n as f64 - 0.5, labels)
        }
        XAxis::Time => {
            let (lo, hi) = x_span(chart);
            let hi = hi.max(lo + 60_000_000);
            let tz = words.ctx.tz;
            let mut max = ((plot_w / (text_width("00:00", font) + gap)) as usize).max(2);
            loop {
                let ticks = time_ticks(
                    Timestamp::from_micros(lo),
                    Timestamp::from_micros(hi),
                    tz,
                    max,
                );
                let labels: Vec<(f64, String)> = ticks
                    .iter()
                    .map(|t| ((t.at.as_micros() - lo) as f64 / 1e6, words.time(t.label)))
                    .collect();
                let room = plot_w / labels.len().max(1) as f64;
                if max <= 2
                    || labels
                        .iter()
                        .all(|(_, l)| text_width(l, font) + gap <= room)
                {
                    return (0.0..(hi - lo) as f64 / 1e6, labels);
                }
                max -= 1;
            }
        }
    }
}

/// An axis whose ticks this module chose (plotters' own are evenly spaced numbers: they know
/// neither nice money steps nor local clock times).
struct Ticked {
    range: std::ops::Range<f64>,
    keys: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        let share = if span > 0.0 {
            (value - self.range.start) / span
        } else {
            0.5
        };
        limit.0 + (share * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, _hint: H) -> Vec<f64> {
        self.keys.clone()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.range.clone()
    }
}

type Plot<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<Ticked, Ticked>>;

/// A point's position on the horizontal axis.
fn x_of(chart: &Chart, x: i64) -> f64 {
    match chart.x {
        XAxis::Years(_) => x as f64,
        XAxis::Time => (x - x_span(chart).0) as f64 / 1e6,
    }
}

fn draw_series(plot: &mut Plot, chart: &Chart) -> DrawResult<()> {
    let n = chart.series.len().max(1) as f64;
    for (i, s) in chart.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let known: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter_map(|(x, v)| v.filter(|v| v.is_finite()).map(|v| (x_of(chart, *x), v)))
            .collect();
        match chart.kind {
            Kind::Bars => {
                // Groups take 80 % of a year's width, bars side by side with a hairline gap.
                let bar = 0.8 / n;
                plot.draw_series(known.iter().map(|(x, v)| {
                    let left = x - 0.4 + bar * i as f64;
                    Rectangle::new([(left, 0.0), (left + bar * 0.92, *v)], color.filled())
                }))?;
            }
            Kind::Lines => {
                // A missing value breaks the line rather than inventing one.
                let mut run: Vec<(f64, f64)> = Vec::new();
                for (x, v) in &s.points {
                    match v.filter(|v| v.is_finite()) {
                        Some(v) => run.push((x_of(chart, *x), v)),
                        None => {
                            plot.draw_series(LineSeries::new(
                                run.drain(..),
                                color.stroke_width(2),
                            ))?;
                        }
                    }
                }
                plot.draw_series(LineSeries::new(run, color.stroke_width(2)))?;
                plot.draw_series(known.iter().map(|p| Circle::new(*p, 3, color.filled())))?;
            }
            Kind::Steps { until } => {
                let mut path: Vec<(f64, f64)> = Vec::new();
                for (x, v) in &known {
                    if let Some(last) = path.last().map(|p| p.1) {
                        path.push((*x, last));
                    }
                    path.push((*x, *v));
                }
                if let Some(last) = path.last().map(|p| p.1) {
                    path.push((x_of(chart, until).max(path[path.len() - 1].0), last));
                }
                plot.draw_series(LineSeries::new(path, color.stroke_width(2)))?;
                plot.draw_series(known.iter().map(|p| Circle::new(*p, 3, color.filled())))?;
            }
        }
    }
    Ok(())
}

/// Each series' name beside the end of its line, pushed apart so none overlaps another.
fn direct_labels(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    plot: &Plot,
    chart: &Chart,
    line: f64,
    style: &TextStyle,
) -> DrawResult<()> {
    let (x_px, y_px) = plot.plotting_area().get_pixel_range();
    let mut wanted: Vec<(f64, usize)> = chart
        .series
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let (x, v) = s
                .points
                .iter()
                .rev()
                .find_map(|(x, v)| v.map(|v| (*x, v)))?;
            let (_, py) = plot.backend_coord(&(x_of(chart, x), v));
            Some((f64::from(py), i))
        })
        .collect();
    wanted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (top, bottom) = (
        f64::from(y_px.start) + line / 2.0,
        f64::from(y_px.end) - line / 2.0,
    );
    for k in 0..wanted.len() {
        let floor = if k == 0 { top } else { wanted[k - 1].0 + line };
        wanted[k].0 = wanted[k].0.max(floor);
    }
    for k in (0..wanted.len()).rev() {
        let ceiling = if k + 1 == wanted.len() {
            bottom
        } else {
            wanted[k + 1].0 - line
        };
        wanted[k].0 = wanted[k].0.min(ceiling);
    }
    for (y, i) in wanted {
        let color = PALETTE[i % PALETTE.len()];
        root.draw(&Text::new(
            chart.series[i].name.clone(),
            (x_px.end + 6, y as i32),
            style.color(&color),
        ))?;
    }
    Ok(())
}
