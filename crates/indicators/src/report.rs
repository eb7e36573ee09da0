//! The JSON report (`--format json`, the default) and its CSV form (`--csv`): flags with
//! explanations, applicability counts and market indicators — what the platform's dashboards
//! and red-flag page show (issue 6, "In the platform").

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::explain::{Explainer, Lang};
use crate::flags::engine::Reason;
use crate::flags::finalize::Outcome;
use crate::flags::{Detail, FlaggedProcess, Group, Indicator};
use crate::market::MarketReport;
use crate::settings::Settings;

/// Processes not evaluated, by cause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedReport {
    /// Valid JSON that is not an object.
    pub not_an_object: u64,
    /// Without a string `ocid`.
    pub missing_ocid: u64,
    /// Cancelled tenders.
    pub cancelled: u64,
    /// Excluded by `[exclusions]`.
    pub excluded: u64,
}

/// Overall figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Lines read.
    pub lines: u64,
    /// Processes evaluated.
    pub processes: u64,
    /// Not evaluated.
    pub skipped: SkippedReport,
    /// Lines that are not JSON.
    pub malformed_lines: u64,
    /// The main currency of money comparisons.
    pub currency: Option<String>,
    /// Processes with at least one flag.
    pub flagged_processes: u64,
}

/// A malformed line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineReport {
    /// 1-based line number.
    pub line: u64,
    /// Stable code.
    pub code: &'static str,
    /// Details.
    pub message: String,
}

/// A not-applicable count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasonCount {
    /// Stable code.
    pub reason: &'static str,
    /// Plain-language description.
    pub description: String,
    /// Processes.
    pub count: u64,
}

/// Per indicator: how often it could be evaluated, raised, or not applied and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorReport {
    /// Code.
    pub code: &'static str,
    /// Name in the report's language.
    pub name: String,
    /// Processes on which it could be evaluated.
    pub evaluated: u64,
    /// Processes or organisations flagged.
    pub flagged: u64,
    /// Processes on which it was not applicable.
    pub not_applicable: u64,
    /// Why, most frequent first.
    pub reasons: Vec<ReasonCount>,
}

/// One flag with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlagReport {
    /// Code.
    pub code: &'static str,
    /// Name in the report's language.
    pub name: String,
    /// The reference's value.
    pub value: f64,
    /// The lot, if evaluated per lot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lot: Option<String>,
    /// Tenderers involved.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tenderers: Vec<String>,
    /// Plain-language explanation with the triggering values.
    pub explanation: String,
    /// The figures.
    pub details: Detail,
}

/// A flagged process.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessReport {
    /// `/ocid`.
    pub ocid: String,
    /// 1-based line in the input.
    pub line: u64,
    /// `/buyer/id`.
    pub buyer: Option<String>,
    /// Flags.
    pub flags: Vec<FlagReport>,
}

/// A flagged organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrganisationReport {
    /// `Buyer`, `ProcuringEntity` or `Tenderer`.
    pub group: &'static str,
    /// Identifier.
    pub id: String,
    /// Flags.
    pub flags: Vec<FlagReport>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Language of names and explanations.
    pub lang: Lang,
    /// Overall figures.
    pub summary: Summary,
    /// Malformed lines.
    pub malformed_lines: Vec<LineReport>,
    /// Per indicator, enabled ones only.
    pub indicators: Vec<IndicatorReport>,
    /// Flagged processes, in file order.
    pub processes: Vec<ProcessReport>,
    /// Flagged organisations, by group and id.
    pub organisations: Vec<OrganisationReport>,
    /// Quartiles and fences (the reference's `Meta`, unrounded).
    pub meta: BTreeMap<&'static str, BTreeMap<String, Option<f64>>>,
    /// Market indicators, when enabled.
    pub market: Option<MarketReport>,
}

/// Which indicators the settings enable.
pub fn enabled(settings: &Settings) -> Vec<Indicator> {
    let s = settings;
    Indicator::ALL
        .into_iter()
        .filter(|i| match i {
            Indicator::R003 => s.r003.is_some(),
            Indicator::R018 => s.r018.is_some(),
            Indicator::R024 => s.r024.is_some(),
            Indicator::R025 => s.r025.is_some(),
            Indicator::R028 => s.r028,
            Indicator::R030 => s.r030,
            Indicator::R035 => s.r035.is_some(),
            Indicator::R036 => s.r036,
            Indicator::R038 => s.r038.is_some(),
            Indicator::R044 => s.r044.is_some(),
            Indicator::R048 => s.r048.is_some(),
            Indicator::R055 => s.r055.is_some(),
            Indicator::R058 => s.r058.is_some(),
            Indicator::Alp => s.abnormally_low_price.is_some(),
        })
        .collect()
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

fn flag(
    explainer: &Explainer,
    indicator: Indicator,
    value: f64,
    lot: Option<String>,
    tenderers: Vec<String>,
    detail: &Detail,
) -> FlagReport {
    FlagReport {
        code: indicator.code(),
        name: explainer.name(indicator),
        value,
        lot,
        tenderers,
        explanation: explainer.explain(indicator, detail),
        details: detail.clone(),
    }
}

/// One flagged process with its explanations.
pub fn process_report(explainer: &Explainer, p: &FlaggedProcess) -> ProcessReport {
    ProcessReport {
        ocid: p.ocid.to_string(),
        line: p.line,
        buyer: p.buyer.as_deref().map(str::to_string),
        flags: p
            .flags
            .iter()
            .map(|f| {
                flag(
                    explainer,
                    f.indicator,
                    f.value,
                    f.lot.as_deref().map(str::to_string),
                    f.tenderers.iter().map(|t| t.to_string()).collect(),
                    f.detail.as_deref().unwrap_or(&Detail::None),
                )
            })
            .collect(),
    }
}

/// Builds the report.
pub fn build(
    settings: &Settings,
    outcome: &Outcome,
    market: Option<MarketReport>,
    lang: Lang,
) -> Report {
    let explainer = Explainer::new(lang);
    let mut report = build_head(settings, outcome, market, &explainer);
    report.processes = outcome
        .processes_flagged
        .iter()
        .map(|p| process_report(&explainer, p))
        .collect();
    report
}

/// The report without its (largest) part, the flagged processes, which [`write_json`] and
/// [`write_flags_csv`] produce one at a time.
pub fn build_head(
    settings: &Settings,
    outcome: &Outcome,
    market: Option<MarketReport>,
    explainer: &Explainer,
) -> Report {
    let lang = explainer.lang();
    let indicators = enabled(settings)
        .into_iter()
        .map(|indicator| {
            let counts = &outcome.applicability.not_applicable[indicator.index()];
            let mut reasons: Vec<ReasonCount> = Reason::ALL
                .into_iter()
                .filter(|r| counts[*r as usize] > 0)
                .map(|r| ReasonCount {
                    reason: r.code(),
                    description: explainer.reason(r),
                    count: counts[r as usize],
                })
                .collect();
            reasons.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(b.reason)));
            IndicatorReport {
                code: indicator.code(),
                name: explainer.name(indicator),
                evaluated: outcome.applicability.evaluated[indicator.index()],
                flagged: outcome.flagged_count(indicator),
                not_applicable: counts.iter().sum(),
                reasons,
            }
        })
        .collect();
    let organisations = outcome
        .organisations
        .iter()
        .filter_map(|((group, id), flags)| {
            // The Tenderer entries the reference derives from process flags (values 0.0/1.0,
            // no figures) are listed under their processes; keep organisation-level findings.
            let flags: Vec<FlagReport> = flags
                .iter()
                .filter(|f| {
                    matches!(
                        f.indicator,
                        Indicator::R025 | Indicator::R038 | Indicator::R048
                    )
                })
                .map(|f| {
                    let detail = f.detail.as_deref().unwrap_or(&Detail::None);
                    flag(explainer, f.indicator, f.value, None, Vec::new(), detail)
                })
                .collect();
            (!flags.is_empty()).then(|| OrganisationReport {
                group: group_key(*group),
                id: id.clone(),
                flags,
            })
        })
        .collect();
    let meta = outcome
        .meta
        .iter()
        .map(|(indicator, entries)| {
            (
                indicator.code(),
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), finite(*v)))
                    .collect(),
            )
        })
        .collect();
    Report {
        lang,
        summary: Summary {
            lines: outcome.lines,
            processes: outcome.processes,
            skipped: SkippedReport {
                not_an_object: outcome.skipped.not_an_object,
                missing_ocid: outcome.skipped.missing_ocid,
                cancelled: outcome.skipped.cancelled,
                excluded: outcome.skipped.excluded,
            },
            malformed_lines: outcome.issues.len() as u64,
            currency: outcome
                .currency
                .clone()
                .or_else(|| market.as_ref().and_then(|m| m.currency.clone())),
            flagged_processes: outcome.processes_flagged.len() as u64,
        },
        malformed_lines: outcome
            .issues
            .iter()
            .map(|(line, code, message)| LineReport {
                line: *line,
                code,
                message: message.clone(),
            })
            .collect(),
        indicators,
        processes: Vec::new(),
        organisations,
        meta,
        market,
    }
}

/// The flagged processes of a report, explained one at a time while serialising.
struct LazyProcesses<'a> {
    explainer: &'a Explainer,
    processes: &'a [FlaggedProcess],
}

impl Serialize for LazyProcesses<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.processes
                .iter()
                .map(|p| process_report(self.explainer, p)),
        )
    }
}

/// The report as [`Report`] serialises it, with processes streamed.
#[derive(Serialize)]
struct Streamed<'a> {
    lang: Lang,
    summary: &'a Summary,
    malformed_lines: &'a [LineReport],
    indicators: &'a [IndicatorReport],
    processes: LazyProcesses<'a>,
    organisations: &'a [OrganisationReport],
    meta: &'a BTreeMap<&'static str, BTreeMap<String, Option<f64>>>,
    market: &'a Option<MarketReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    maps: Option<serde_json::Value>,
}

/// Writes the report as JSON, explaining processes one at a time: the same text as serialising
/// [`build`]'s result, without holding every explanation in memory. `maps` adds a `maps` key.
///
/// # Errors
/// I/O errors of `out`.
pub fn write_json(
    head: &Report,
    outcome: &Outcome,
    explainer: &Explainer,
    maps: Option<serde_json::Value>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let streamed = Streamed {
        lang: head.lang,
        summary: &head.summary,
        malformed_lines: &head.malformed_lines,
        indicators: &head.indicators,
        processes: LazyProcesses {
            explainer,
            processes: &outcome.processes_flagged,
        },
        organisations: &head.organisations,
        meta: &head.meta,
        market: &head.market,
        maps,
    };
    let mut buffered = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer(&mut buffered, &streamed).map_err(io::Error::other)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

fn group_key(group: Group) -> &'static str {
    group.key()
}

/// One CSV row. Callers pass text cells through [`csvcell::text`] (formula injection, issue 13)
/// and numbers as they format them.
fn csv_row(out: &mut dyn Write, fields: &[&str]) -> io::Result<()> {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(csvcell::field(f).as_bytes())?;
    }
    out.write_all(b"\n")
}

/// Writes the flags as CSV: one row per flag.
///
/// Columns: `group,id,line,buyer,code,name,value,lot,tenderers,explanation` (`id` is the ocid
/// for processes; `line` and `buyer` are empty for organisations).
///
/// # Errors
/// I/O errors of `out`.
pub fn write_flags_csv(
    head: &Report,
    outcome: &Outcome,
    explainer: &Explainer,
    out: &mut dyn Write,
) -> io::Result<()> {
    let report = head;
    csv_row(
        out,
        &[
            "group",
            "id",
            "line",
            "buyer",
            "code",
            "name",
            "value",
            "lot",
            "tenderers",
            "explanation",
        ],
    )?;
    for p in outcome
        .processes_flagged
        .iter()
        .map(|p| process_report(explainer, p))
    {
        let line = p.line.to_string();
        for f in &p.flags {
            let value = f.value.to_string();
            csv_row(
                out,
                &[
                    "OCID",
                    &csvcell::text(&p.ocid),
                    &line,
                    &csvcell::text(p.buyer.as_deref().unwrap_or_default()),
                    f.code,
                    &csvcell::text(&f.name),
                    &value,
                    &csvcell::text(f.lot.as_deref().unwrap_or_default()),
                    &csvcell::text(&f.tenderers.join(" ")),
                    &csvcell::text(&f.explanation),
                ],
            )?;
        }
    }
    for o in &report.organisations {
        for f in &o.flags {
            let value = f.value.to_string();
            csv_row(
                out,
                &[
                    o.group,
                    &csvcell::text(&o.id),
                    "",
                    "",
                    f.code,
                    &csvcell::text(&f.name),
                    &value,
                    "",
                    "",
                    &csvcell::text(&f.explanation),
                ],
            )?;
        }
    }
    Ok(())
}

/// Writes the market rows as CSV (the dashboards' "download CSV").
///
/// # Errors
/// I/O errors of `out`.
pub fn write_market_csv(market: &MarketReport, out: &mut dyn Write) -> io::Result<()> {
    csv_row(
        out,
        &[
            "year",
            "buyer",
            "category",
            "processes",
            "suppliers",
            "new_entrants",
            "top4_share",
            "top10_share",
            "hhi",
            "competitive_processes",
            "single_bid_rate",
            "direct_share_by_count",
            "direct_share_by_value",
            "average_bidders",
            "awarded_value",
            "auction_savings",
            "auction_savings_rate",
            "estimate_savings",
            "estimate_savings_rate",
            "currency",
        ],
    )?;
    let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    for r in &market.rows {
        csv_row(
            out,
            &[
                &r.year.to_string(),
                &csvcell::text(r.buyer.as_deref().unwrap_or("*")),
                &csvcell::text(r.category.as_deref().unwrap_or("*")),
                &r.processes.to_string(),
                &r.suppliers.to_string(),
                &r.new_entrants.map(|n| n.to_string()).unwrap_or_default(),
                &opt(r.top4_share),
                &opt(r.top10_share),
                &opt(r.hhi),
                &r.competitive_processes.to_string(),
                &opt(r.single_bid_rate),
                &opt(r.direct_share_by_count),
                &opt(r.direct_share_by_value),
                &opt(r.average_bidders),
                &r.awarded_value.to_string(),
                &r.auction_savings
                    .as_ref()
                    .map(|s| s.savings.to_string())
                    .unwrap_or_default(),
                &opt(r.auction_savings.as_ref().and_then(|s| s.rate)),
                &r.estimate_savings
                    .as_ref()
                    .map(|s| s.savings.to_string())
                    .unwrap_or_default(),
                &opt(r.estimate_savings.as_ref().and_then(|s| s.rate)),
                &csvcell::text(market.currency.as_deref().unwrap_or_default()),
            ],
        )?;
    }
    Ok(())
}
