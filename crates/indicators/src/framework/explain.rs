//! Explanations of the framework-agreement flags in Spanish and English, with the figures
//! plugged in, and the report the agreement's page and `/red-flags` show. The words are in the
//! crate's Fluent files (`locales/{es,en}/indicators.ftl`, section "Contratos abiertos" /
//! "Framework agreements"); numbers are passed as text so amounts keep their exact digits.

use fluent_bundle::{FluentArgs, FluentValue};
use rust_decimal::Decimal;
use serde::Serialize;

use super::{
    CallOffRef, Evaluation, Figures, FrameworkFlag, FrameworkIndicator, FrameworkReason,
    MaximumBasis, PartyRef, Subject, UnjustifiedReason,
};
use crate::explain::Explainer;
use crate::report::ReasonCount;

/// An exact amount or quantity without trailing zeros (`1500`, `12.5`).
fn dec(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A share (0.8) as a percentage (`80 %`), to 2 decimals.
fn pct(share: Decimal) -> String {
    format!(
        "{} %",
        share
            .saturating_mul(Decimal::ONE_HUNDRED)
            .round_dp(2)
            .normalize()
    )
}

/// A party's name, with its rank when known.
fn party(e: &Explainer, p: &PartyRef) -> String {
    let Some(rank) = p.rank else {
        return p.name.clone();
    };
    let mut args = FluentArgs::new();
    args.set("name", p.name.clone());
    args.set("rank", rank);
    e.message("fa-party-ranked", Some(&args))
}

fn call_offs(e: &Explainer, list: &[CallOffRef], currency: &str) -> String {
    list.iter()
        .map(|c| {
            let mut args = FluentArgs::new();
            args.set("ocid", c.ocid.clone());
            args.set("value", dec(c.value));
            args.set("currency", currency.to_string());
            args.set("date", c.placed_on.to_string());
            e.message("fa-call-off", Some(&args))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The name of an indicator in the explainer's language.
pub(super) fn name(e: &Explainer, indicator: FrameworkIndicator) -> String {
    e.message(&format!("name-{}", indicator.code()), None)
}

/// Why an indicator was not applicable, in words.
pub(super) fn reason(e: &Explainer, reason: FrameworkReason) -> String {
    e.message(&format!("reason-{}", reason.code()), None)
}

pub(super) fn explain(e: &Explainer, flag: &FrameworkFlag) -> String {
    let mut args = FluentArgs::new();
    let mut set = |k: &'static str, v: FluentValue<'static>| args.set(k, v);
    match &flag.subject {
        Subject::Agreement { ocid } => set("agreement", ocid.clone().into()),
        Subject::Lot { lot_id } => set("lot", lot_id.clone().into()),
        Subject::Item {
            lot_id,
            item_id: _,
            description,
        } => {
            set("lot", lot_id.clone().into());
            set("item", description.clone().into());
        }
        Subject::CallOff {
            ocid,
            lot_id,
            unit_code,
        } => {
            set("calloff", ocid.clone().into());
            set("lot", lot_id.clone().into());
            set("unit", unit_code.clone().into());
        }
        Subject::UnitOnLot { unit_code, lot_id } => {
            set("unit", unit_code.clone().into());
            set("lot", lot_id.clone().into());
        }
        Subject::Supplier { name, .. } => set("supplier", name.clone().into()),
    }
    let mut id = format!("flag-{}", flag.indicator.code());
    match &flag.figures {
        Figures::Split(f) => {
            set("count", f.call_offs.len().into());
            set("first", f.first.to_string().into());
            set("last", f.last.to_string().into());
            set("window", f.window_days.into());
            set("total", dec(f.total).into());
            set("threshold", dec(f.threshold).into());
            set("currency", f.currency.clone().into());
            set("calloffs", call_offs(e, &f.call_offs, &f.currency).into());
        }
        Figures::SkippedRanks(f) => {
            set("supplier", party(e, &f.filled_by).into());
            set("value", dec(f.value).into());
            set("currency", f.currency.clone().into());
            set("count", f.skips.len().into());
            let skips = f
                .skips
                .iter()
                .map(|s| {
                    let mut a = FluentArgs::new();
                    a.set("party", party(e, &s.party));
                    let key = match &s.reason {
                        UnjustifiedReason::NoResponse => "fa-skip-no_response",
                        UnjustifiedReason::Declined { code } => {
                            a.set("code", code.clone());
                            "fa-skip-declined"
                        }
                        UnjustifiedReason::DeclinedWithoutReason => {
                            "fa-skip-declined_without_reason"
                        }
                        UnjustifiedReason::Unrecorded => "fa-skip-unrecorded",
                    };
                    e.message(key, Some(&a))
                })
                .collect::<Vec<_>>()
                .join("; ");
            set("skips", skips.into());
        }
        Figures::SkipPattern(f) => {
            set("count", f.call_offs.len().into());
            set("value", dec(f.value).into());
            set("currency", f.currency.clone().into());
            set("minimum", f.minimum.into());
            let skipped = f
                .skipped
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
                .join(", ");
            set("skipped", skipped.into());
            set("calloffs", call_offs(e, &f.call_offs, &f.currency).into());
        }
        Figures::Concentration(f) => {
            set("supplier", party(e, &f.supplier).into());
            set("share", pct(f.share).into());
            set("threshold", pct(f.threshold).into());
            set("suppliervalue", dec(f.supplier_value).into());
            set("total", dec(f.total_value).into());
            set("currency", f.currency.clone().into());
            set("suppliercalloffs", f.supplier_call_offs.into());
            set("calloffs", f.call_offs.into());
            set("parties", f.parties.into());
            set("method", f.method.code().into());
        }
        Figures::AboveEstimate(f) => {
            set("ordered", dec(f.ordered).into());
            set("estimated", dec(f.estimated).into());
            set(
                "percent",
                f.percent_above
                    .map_or_else(|| "none".to_string(), |p| format!("{} %", dec(p)))
                    .into(),
            );
        }
        Figures::NearMaximum(f) => {
            if f.basis == MaximumBasis::Value {
                id.push_str("-value");
            }
            set("ordered", dec(f.ordered).into());
            set("maximum", dec(f.maximum).into());
            set("share", pct(f.share).into());
            set("currency", f.currency.clone().unwrap_or_default().into());
            let mut a = FluentArgs::new();
            a.set("threshold", pct(f.threshold));
            set(
                "state",
                e.message(&format!("fa-maximum-{}", f.state.code()), Some(&a))
                    .into(),
            );
        }
        Figures::Duration(f) => {
            set("start", f.start.to_string().into());
            set("end", f.end.to_string().into());
            set("months", f.months.into());
            set("days", f.days.into());
            set("max", f.max_months.into());
            set(
                "exception",
                f.exception.clone().unwrap_or_else(|| "none".into()).into(),
            );
        }
    }
    e.message(&id, Some(&args))
}

/// A flag with its name and explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkFlagReport {
    /// `FA01`…
    pub code: &'static str,
    /// Name in the report's language.
    pub name: String,
    /// What it is about.
    pub subject: Subject,
    /// Plain-language explanation with the figures.
    pub explanation: String,
    /// The figures.
    pub figures: Figures,
}

/// One indicator's verdict, in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// `FA01`…
    pub code: &'static str,
    /// Name in the report's language.
    pub name: String,
    /// `flagged`, `not_flagged` or `not_applicable`.
    pub status: &'static str,
    /// Subjects evaluated.
    pub evaluated: u64,
    /// Flags raised.
    pub flagged: u64,
    /// Subjects not evaluated.
    pub not_applicable: u64,
    /// Why, most frequent first (as the OCDS indicators' `reasons`).
    pub reasons: Vec<ReasonCount>,
}

/// The framework-agreement red flags of one agreement, in one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkReport {
    /// The agreement's ocid.
    pub ocid: String,
    /// The flags.
    pub flags: Vec<FrameworkFlagReport>,
    /// One entry per indicator.
    pub indicators: Vec<CheckReport>,
}

pub(super) fn report(evaluation: &Evaluation, e: &Explainer) -> FrameworkReport {
    FrameworkReport {
        ocid: evaluation.ocid.clone(),
        flags: evaluation
            .flags
            .iter()
            .map(|f| FrameworkFlagReport {
                code: f.code(),
                name: name(e, f.indicator),
                subject: f.subject.clone(),
                explanation: explain(e, f),
                figures: f.figures.clone(),
            })
            .collect(),
        indicators: evaluation
            .checks
            .iter()
            .map(|c| CheckReport {
                code: c.indicator.code(),
                name: name(e, c.indicator),
                status: c.status().code(),
                evaluated: c.evaluated,
                flagged: c.flagged,
                not_applicable: c.not_applicable.iter().map(|r| r.count).sum(),
                reasons: c
                    .not_applicable
                    .iter()
                    .map(|r| ReasonCount {
                        reason: r.reason.code(),
                        description: reason(e, r.reason),
                        count: r.count,
                    })
                    .collect(),
            })
            .collect(),
    }
}
