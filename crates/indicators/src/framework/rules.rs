//! One function per indicator. Each sorts what it reads so that the result does not depend on
//! the order of the facts, records per subject whether it was evaluated or why not, and pushes
//! its flags; [`evaluate`] sorts the flags and tallies.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::{
    AboveEstimateFigures, AgreementFacts, CallOffFacts, CallOffMethod, CallOffRef, Check,
    ConcentrationFigures, DurationFigures, Evaluation, Figures, FrameworkFlag, FrameworkIndicator,
    FrameworkReason, FrameworkSettings, LotFacts, MaximumBasis, MaximumState, NearMaximumFigures,
    PartyFacts, PartyRef, ReasonTally, SkipPatternFigures, SkipReason, SkippedRanksFigures,
    SplitFigures, Subject, UnjustifiedReason, UnjustifiedSkip, duration_in_force,
    exceeds_maximum_duration,
};

const INDICATORS: usize = FrameworkIndicator::ALL.len();
const REASONS: usize = FrameworkReason::ALL.len();

/// Per-indicator counts and the flags raised.
struct Tally {
    evaluated: [u64; INDICATORS],
    not_applicable: [[u64; REASONS]; INDICATORS],
    flags: Vec<FrameworkFlag>,
}

impl Tally {
    fn ok(&mut self, indicator: FrameworkIndicator) {
        self.evaluated[indicator.index()] += 1;
    }

    fn na(&mut self, indicator: FrameworkIndicator, reason: FrameworkReason, count: usize) {
        self.not_applicable[indicator.index()][reason as usize] += count as u64;
    }

    fn flag(&mut self, indicator: FrameworkIndicator, subject: Subject, figures: Figures) {
        self.flags.push(FrameworkFlag {
            indicator,
            subject,
            figures,
        });
    }
}

/// The facts in a canonical order, with look-ups.
struct View<'a> {
    facts: &'a AgreementFacts,
    /// Lots by id.
    lots: BTreeMap<&'a str, &'a LotFacts>,
    /// Call-offs by day, ocid and the rest of their key.
    call_offs: Vec<&'a CallOffFacts>,
    /// Names by supplier id (from the first lot, by id, that lists the supplier).
    names: BTreeMap<i64, &'a str>,
}

impl<'a> View<'a> {
    fn new(facts: &'a AgreementFacts) -> View<'a> {
        let mut lots: BTreeMap<&str, &LotFacts> = BTreeMap::new();
        for lot in &facts.lots {
            lots.entry(lot.id.as_str()).or_insert(lot);
        }
        let mut names = BTreeMap::new();
        for lot in lots.values() {
            for party in sorted_parties(lot) {
                names
                    .entry(party.supplier_id)
                    .or_insert(party.name.as_str());
            }
        }
        let mut call_offs: Vec<&CallOffFacts> = facts.call_offs.iter().collect();
        call_offs.sort_by(|a, b| call_off_key(a).cmp(&call_off_key(b)));
        View {
            facts,
            lots,
            call_offs,
            names,
        }
    }

    fn name(&self, supplier_id: i64) -> String {
        self.names
            .get(&supplier_id)
            .map_or_else(|| format!("#{supplier_id}"), |n| (*n).to_string())
    }

    /// The party of a lot with this supplier id (the best rank if listed twice).
    fn party(&self, lot_id: &str, supplier_id: i64) -> Option<&'a PartyFacts> {
        self.lots.get(lot_id).and_then(|lot| {
            lot.parties
                .iter()
                .filter(|p| p.supplier_id == supplier_id)
                .min_by_key(|p| (p.rank, p.name.as_str()))
        })
    }

    fn party_ref(&self, lot_id: &str, supplier_id: i64) -> PartyRef {
        PartyRef {
            supplier_id,
            name: self.name(supplier_id),
            rank: self.party(lot_id, supplier_id).map(|p| p.rank),
        }
    }

    fn currency(&self) -> String {
        self.facts.currency.clone()
    }
}

type CallOffKey<'a> = (
    chrono::NaiveDate,
    &'a str,
    &'a str,
    &'a str,
    Decimal,
    CallOffMethod,
    Option<i64>,
);

fn call_off_key(c: &CallOffFacts) -> CallOffKey<'_> {
    (
        c.placed_on,
        c.ocid.as_str(),
        c.lot_id.as_str(),
        c.unit_code.as_str(),
        c.value,
        c.method_used,
        c.supplier_id,
    )
}

fn sorted_parties(lot: &LotFacts) -> Vec<&PartyFacts> {
    let mut parties: Vec<&PartyFacts> = lot.parties.iter().collect();
    parties.sort_by(|a, b| (a.rank, a.supplier_id, &a.name).cmp(&(b.rank, b.supplier_id, &b.name)));
    parties
}

fn call_off_ref(c: &CallOffFacts) -> CallOffRef {
    CallOffRef {
        placed_on: c.placed_on,
        ocid: c.ocid.clone(),
        value: c.value,
    }
}

fn sum<'a>(values: impl IntoIterator<Item = &'a Decimal>) -> Decimal {
    values
        .into_iter()
        .fold(Decimal::ZERO, |acc, v| acc.saturating_add(*v))
}

/// `part / whole` rounded to 4 decimals (0 when the whole is not positive).
fn share(part: Decimal, whole: Decimal) -> Decimal {
    if whole <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    part.checked_div(whole)
        .map_or(Decimal::ZERO, |s| s.round_dp(4))
}

pub(super) fn evaluate(facts: &AgreementFacts, settings: &FrameworkSettings) -> Evaluation {
    let view = View::new(facts);
    let mut tally = Tally {
        evaluated: [0; INDICATORS],
        not_applicable: [[0; REASONS]; INDICATORS],
        flags: Vec::new(),
    };
    split_call_offs(&view, settings, &mut tally);
    let benefits = skipped_ranks(&view, &mut tally);
    skip_pattern(&view, settings, &benefits, &mut tally);
    concentration(&view, settings, &mut tally);
    above_estimate(&view, &mut tally);
    near_maximum(&view, settings, &mut tally);
    beyond_maximum_duration(&view, &mut tally);

    let mut flags = tally.flags;
    flags.sort();
    let checks = FrameworkIndicator::ALL
        .iter()
        .map(|&indicator| {
            let i = indicator.index();
            let mut not_applicable: Vec<ReasonTally> = FrameworkReason::ALL
                .iter()
                .filter_map(|&reason| {
                    let count = tally.not_applicable[i][reason as usize];
                    (count > 0).then_some(ReasonTally { reason, count })
                })
                .collect();
            not_applicable.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
            Check {
                indicator,
                evaluated: tally.evaluated[i],
                flagged: flags.iter().filter(|f| f.indicator == indicator).count() as u64,
                not_applicable,
            }
        })
        .collect();
    Evaluation {
        ocid: facts.ocid.clone(),
        flags,
        checks,
    }
}

/// FA01 (issue 14, point 1): a unit orders from one lot in several call-offs, each below the
/// mini-competition threshold, that together reach it within the window — the order that should
/// have been competed among the lot's parties (as ChileCompra's "Grandes Compras" above 1,000
/// UTM) was placed directly instead.
///
/// A call-off of the threshold or more would itself have required a mini-competition, so the
/// rule reads "≥ threshold needs a mini-competition": each call-off of a split is strictly
/// below it, and the split is flagged when the group's total is **at or above** it. Call-offs
/// placed by mini-competition avoid nothing and are left out. Days are compared as R055 does:
/// a group spans at most `split_window_days` from its first day to its last, inclusive.
///
/// One flag per maximal group: for each call-off in day order, the call-offs from it to the
/// last within the window; a group contained in the previous one is not repeated. Two flags may
/// share call-offs when the splits chain (days 0, 20 and 40 with a 30-day window).
fn split_call_offs(view: &View<'_>, settings: &FrameworkSettings, tally: &mut Tally) {
    let indicator = FrameworkIndicator::SplitCallOffs;
    if view.call_offs.is_empty() {
        return tally.na(indicator, FrameworkReason::NoCallOffs, 1);
    }
    let Some(threshold) = view.facts.mini_competition_threshold else {
        return tally.na(
            indicator,
            FrameworkReason::NoMiniCompetitionThreshold,
            view.call_offs.len(),
        );
    };
    let mut groups: BTreeMap<(&str, &str), Vec<&CallOffFacts>> = BTreeMap::new();
    for &c in &view.call_offs {
        if c.method_used == CallOffMethod::MiniCompetition {
            tally.na(indicator, FrameworkReason::MiniCompetitionUsed, 1);
            continue;
        }
        tally.ok(indicator);
        if c.value < threshold {
            groups
                .entry((c.unit_code.as_str(), c.lot_id.as_str()))
                .or_default()
                .push(c);
        }
    }
    let window = settings.split_window_days;
    for ((unit, lot), call_offs) in groups {
        // `call_offs` is in day order (the view's order).
        let mut previous_end = None;
        let mut end = 0;
        for start in 0..call_offs.len() {
            end = end.max(start);
            while end + 1 < call_offs.len()
                && (call_offs[end + 1].placed_on - call_offs[start].placed_on).num_days() <= window
            {
                end += 1;
            }
            if previous_end.is_some_and(|p| p >= end) {
                continue;
            }
            previous_end = Some(end);
            let group = &call_offs[start..=end];
            let total = sum(group.iter().map(|c| &c.value));
            if group.len() >= 2 && total >= threshold {
                tally.flag(
                    indicator,
                    Subject::UnitOnLot {
                        unit_code: unit.to_string(),
                        lot_id: lot.to_string(),
                    },
                    Figures::Split(Box::new(SplitFigures {
                        first: group[0].placed_on,
                        last: group[group.len() - 1].placed_on,
                        call_offs: group.iter().map(|c| call_off_ref(c)).collect(),
                        total,
                        threshold,
                        window_days: window,
                        currency: view.currency(),
                    })),
                );
            }
        }
    }
}

/// The skips of a filled call-off that are not justified: recorded skips without a valid
/// decline code, and better-ranked parties of the lot for which nothing was recorded (a cascade
/// reaches rank *n* only through ranks 1 to *n* − 1). Skips recorded for the supplier that
/// filled it in the end are ignored. Sorted by rank, then supplier.
fn unjustified_skips(view: &View<'_>, c: &CallOffFacts, filler: i64) -> Vec<UnjustifiedSkip> {
    let mut out = Vec::new();
    // A rank that filled the call-off in the end was not passed over.
    for skip in c.skips.iter().filter(|s| s.supplier_id != filler) {
        let reason = match &skip.reason {
            SkipReason::NoResponse => UnjustifiedReason::NoResponse,
            SkipReason::Declined { code: None } => UnjustifiedReason::DeclinedWithoutReason,
            SkipReason::Declined { code: Some(code) } if code.trim().is_empty() => {
                UnjustifiedReason::DeclinedWithoutReason
            }
            SkipReason::Declined { code: Some(code) } if super::is_valid_decline_code(code) => {
                continue;
            }
            SkipReason::Declined { code: Some(code) } => {
                UnjustifiedReason::Declined { code: code.clone() }
            }
        };
        out.push(UnjustifiedSkip {
            party: PartyRef {
                supplier_id: skip.supplier_id,
                name: view.name(skip.supplier_id),
                rank: Some(skip.rank),
            },
            reason,
        });
    }
    if let (Some(lot), Some(filled_by)) = (
        view.lots.get(c.lot_id.as_str()),
        view.party(&c.lot_id, filler),
    ) {
        let recorded: BTreeSet<i64> = c.skips.iter().map(|s| s.supplier_id).collect();
        let mut seen = BTreeSet::new();
        for party in sorted_parties(lot) {
            if party.rank < filled_by.rank
                && party.supplier_id != filler
                && !recorded.contains(&party.supplier_id)
                && seen.insert(party.supplier_id)
            {
                out.push(UnjustifiedSkip {
                    party: PartyRef {
                        supplier_id: party.supplier_id,
                        name: view.name(party.supplier_id),
                        rank: Some(party.rank),
                    },
                    reason: UnjustifiedReason::Unrecorded,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        (a.party.rank, a.party.supplier_id, &a.reason).cmp(&(
            b.party.rank,
            b.party.supplier_id,
            &b.reason,
        ))
    });
    out
}

/// Call-offs each supplier received after unjustified skips (FA02's findings, for FA03).
type Benefits<'a> = BTreeMap<i64, Vec<(&'a CallOffFacts, Vec<UnjustifiedSkip>)>>;

/// FA02 (issue 14, point 2): a cascade call-off offers the order to rank 1 and passes it on only
/// when a rank declines or lets the confirmation window close (ProZorro's price quotations pass
/// the award on after 2 working days without confirmation). A pass without a valid reason —
/// silence, a decline coded `other`, without a code, or with a code outside
/// [`super::VALID_DECLINE_CODES`], or no record at all — moved the order to a worse rank without
/// a cause anyone can check. Evaluated on filled cascade call-offs; one flag per call-off.
///
/// Returns, per supplier that filled such call-offs, the call-offs it received after
/// unjustified skips (for FA03), and an empty list for those that received none.
fn skipped_ranks<'a>(view: &View<'a>, tally: &mut Tally) -> Benefits<'a> {
    let indicator = FrameworkIndicator::SkippedRanks;
    let mut benefits: Benefits<'a> = BTreeMap::new();
    if view.call_offs.is_empty() {
        tally.na(indicator, FrameworkReason::NoCallOffs, 1);
        return benefits;
    }
    for &c in &view.call_offs {
        if c.method_used != CallOffMethod::Cascade {
            tally.na(indicator, FrameworkReason::NotACascade, 1);
            continue;
        }
        let Some(filler) = c.supplier_id else {
            tally.na(indicator, FrameworkReason::NotFilled, 1);
            continue;
        };
        tally.ok(indicator);
        let skips = unjustified_skips(view, c, filler);
        let entry = benefits.entry(filler).or_default();
        if skips.is_empty() {
            continue;
        }
        tally.flag(
            indicator,
            Subject::CallOff {
                ocid: c.ocid.clone(),
                lot_id: c.lot_id.clone(),
                unit_code: c.unit_code.clone(),
            },
            Figures::SkippedRanks(Box::new(SkippedRanksFigures {
                filled_by: view.party_ref(&c.lot_id, filler),
                skips: skips.clone(),
                value: c.value,
                currency: view.currency(),
            })),
        );
        entry.push((c, skips));
    }
    benefits
}

/// FA03 (issue 14, point 2, "as a pattern"): one skip may be bad luck; the same party receiving
/// call-offs again and again after better ranks were passed over without a valid reason points
/// to an arrangement (a better-ranked party stepping aside for it). Evaluated per supplier that
/// filled at least one cascade call-off, across the agreement's lots; flagged at
/// `skip_pattern_minimum` call-offs or more.
fn skip_pattern(
    view: &View<'_>,
    settings: &FrameworkSettings,
    benefits: &Benefits<'_>,
    tally: &mut Tally,
) {
    let indicator = FrameworkIndicator::SkipPattern;
    if view.call_offs.is_empty() {
        return tally.na(indicator, FrameworkReason::NoCallOffs, 1);
    }
    if benefits.is_empty() {
        return tally.na(indicator, FrameworkReason::NoCascadeCallOffs, 1);
    }
    let minimum = settings.skip_pattern_minimum.max(1);
    for (&supplier_id, received) in benefits {
        tally.ok(indicator);
        if received.len() < minimum {
            continue;
        }
        let mut skipped: BTreeMap<i64, PartyRef> = BTreeMap::new();
        for (_, skips) in received {
            for skip in skips {
                skipped
                    .entry(skip.party.supplier_id)
                    .or_insert_with(|| PartyRef {
                        rank: None,
                        ..skip.party.clone()
                    });
            }
        }
        tally.flag(
            indicator,
            Subject::Supplier {
                supplier_id,
                name: view.name(supplier_id),
            },
            Figures::SkipPattern(Box::new(SkipPatternFigures {
                call_offs: received.iter().map(|(c, _)| call_off_ref(c)).collect(),
                value: sum(received.iter().map(|(c, _)| &c.value)),
                skipped: skipped.into_values().collect(),
                minimum,
                currency: view.currency(),
            })),
        );
    }
}

/// FA04 (issue 14, point 3): a lot awarded to several suppliers exists so that call-offs are
/// shared by ranking or competition; when one party takes more than `concentration_share` of the
/// lot's call-off value, the other parties are parties in name only. Needs at least two parties
/// and `concentration_minimum_call_offs` filled call-offs (a handful of orders says nothing).
///
/// In a `direct` or `cascade` lot the first-ranked party receives the call-offs by design, so a
/// concentration on it is not flagged (what FA02/FA03 watch is the ranking being bypassed); a
/// concentration on any other party is. In a `mini_competition` lot any party can be flagged.
fn concentration(view: &View<'_>, settings: &FrameworkSettings, tally: &mut Tally) {
    let indicator = FrameworkIndicator::Concentration;
    if view.lots.is_empty() {
        return tally.na(indicator, FrameworkReason::NoLots, 1);
    }
    for (&lot_id, lot) in &view.lots {
        let parties: BTreeSet<i64> = lot.parties.iter().map(|p| p.supplier_id).collect();
        if parties.len() < 2 {
            tally.na(indicator, FrameworkReason::SingleSupplierLot, 1);
            continue;
        }
        let filled: Vec<(&CallOffFacts, i64)> = view
            .call_offs
            .iter()
            .filter(|c| c.lot_id == lot_id)
            .filter_map(|c| c.supplier_id.map(|s| (*c, s)))
            .collect();
        if filled.len() < settings.concentration_minimum_call_offs || filled.is_empty() {
            tally.na(indicator, FrameworkReason::TooFewCallOffs, 1);
            continue;
        }
        let total = sum(filled.iter().map(|(c, _)| &c.value));
        if total <= Decimal::ZERO {
            tally.na(indicator, FrameworkReason::NoCallOffValue, 1);
            continue;
        }
        tally.ok(indicator);
        let first_rank = lot.parties.iter().map(|p| p.rank).min();
        let mut by_supplier: BTreeMap<i64, (Decimal, usize)> = BTreeMap::new();
        for (c, supplier) in &filled {
            let entry = by_supplier.entry(*supplier).or_default();
            entry.0 = entry.0.saturating_add(c.value);
            entry.1 += 1;
        }
        let limit = settings.concentration_share.saturating_mul(total);
        for (supplier_id, (value, count)) in by_supplier {
            if value <= limit {
                continue;
            }
            let supplier = view.party_ref(lot_id, supplier_id);
            let by_design = matches!(lot.method, CallOffMethod::Direct | CallOffMethod::Cascade)
                && supplier.rank.is_some()
                && supplier.rank == first_rank;
            if by_design {
                continue;
            }
            tally.flag(
                indicator,
                Subject::Lot {
                    lot_id: lot_id.to_string(),
                },
                Figures::Concentration(Box::new(ConcentrationFigures {
                    supplier,
                    share: share(value, total),
                    threshold: settings.concentration_share,
                    supplier_value: value,
                    total_value: total,
                    supplier_call_offs: count,
                    call_offs: filled.len(),
                    parties: parties.len(),
                    method: lot.method,
                    currency: view.currency(),
                })),
            );
        }
    }
}

fn item_subject(lot: &LotFacts, item: &super::ItemFacts) -> Subject {
    Subject::Item {
        lot_id: lot.id.clone(),
        item_id: item.id.clone(),
        description: item.description.clone(),
    }
}

fn sorted_items(lot: &LotFacts) -> Vec<&super::ItemFacts> {
    let mut items: Vec<_> = lot.items.iter().collect();
    items.sort_by(|a, b| (&a.id, &a.description).cmp(&(&b.id, &b.description)));
    items
}

/// FA05 (issue 14, point 4): the notice states an estimated quantity per item (C-23/20: the
/// estimate and the maximum are what bidders priced); ordering more than estimated changes the
/// deal they competed for. Strictly above: ordering exactly the estimate is the plan.
fn above_estimate(view: &View<'_>, tally: &mut Tally) {
    let indicator = FrameworkIndicator::AboveEstimate;
    let mut any = false;
    for lot in view.lots.values() {
        for item in sorted_items(lot) {
            any = true;
            let Some(estimated) = item.estimated_qty else {
                tally.na(indicator, FrameworkReason::NoEstimatedQuantity, 1);
                continue;
            };
            tally.ok(indicator);
            if item.ordered_qty <= estimated {
                continue;
            }
            let percent_above = (estimated > Decimal::ZERO)
                .then(|| {
                    (item.ordered_qty - estimated)
                        .checked_div(estimated)
                        .and_then(|r| r.checked_mul(Decimal::ONE_HUNDRED))
                        .map(|p| p.round_dp(2))
                })
                .flatten();
            tally.flag(
                indicator,
                item_subject(lot, item),
                Figures::AboveEstimate(Box::new(AboveEstimateFigures {
                    ordered: item.ordered_qty,
                    estimated,
                    percent_above,
                })),
            );
        }
    }
    if !any {
        tally.na(indicator, FrameworkReason::NoItems, 1);
    }
}

/// Compares ordered use with a maximum; `None` when below the threshold share.
fn against_maximum(
    basis: MaximumBasis,
    ordered: Decimal,
    maximum: Decimal,
    settings: &FrameworkSettings,
    currency: Option<String>,
) -> Option<Figures> {
    if ordered < settings.near_maximum_share.saturating_mul(maximum) {
        return None;
    }
    let state = match ordered.cmp(&maximum) {
        std::cmp::Ordering::Less => MaximumState::Near,
        std::cmp::Ordering::Equal => MaximumState::Reached,
        std::cmp::Ordering::Greater => MaximumState::Exceeded,
    };
    Some(Figures::NearMaximum(Box::new(NearMaximumFigures {
        basis,
        state,
        ordered,
        maximum,
        share: share(ordered, maximum),
        threshold: settings.near_maximum_share,
        currency,
    })))
}

/// FA06 (issue 14, point 4): once the maximum quantity or value is reached the agreement has no
/// further effect (C-23/20, *Simonsen & Weel*), so use at `near_maximum_share` of it or more is
/// shown before that happens — and use past it, which should not exist, is shown as such.
/// Evaluated per item with a maximum quantity and on the agreement's value when it states a
/// maximum value; inclusive (exactly the share flags).
fn near_maximum(view: &View<'_>, settings: &FrameworkSettings, tally: &mut Tally) {
    let indicator = FrameworkIndicator::NearMaximum;
    for lot in view.lots.values() {
        for item in sorted_items(lot) {
            let Some(maximum) = item.max_qty.filter(|m| *m > Decimal::ZERO) else {
                tally.na(indicator, FrameworkReason::NoMaximum, 1);
                continue;
            };
            tally.ok(indicator);
            if let Some(figures) = against_maximum(
                MaximumBasis::Quantity,
                item.ordered_qty,
                maximum,
                settings,
                None,
            ) {
                tally.flag(indicator, item_subject(lot, item), figures);
            }
        }
    }
    let facts = view.facts;
    let Some(maximum) = facts.max_value.filter(|m| *m > Decimal::ZERO) else {
        return tally.na(indicator, FrameworkReason::NoMaximum, 1);
    };
    tally.ok(indicator);
    if let Some(figures) = against_maximum(
        MaximumBasis::Value,
        facts.ordered_value,
        maximum,
        settings,
        Some(view.currency()),
    ) {
        tally.flag(
            indicator,
            Subject::Agreement {
                ocid: facts.ocid.clone(),
            },
            figures,
        );
    }
}

/// FA07 (issue 14, point 5): the rulebook caps a framework agreement's duration (24 months in
/// the Guatemalan profile; ProZorro's closed framework agreements 4 years, UN long-term
/// agreements 3) so the market is reopened. The platform refuses an extension past it unless a
/// cited exception applies; this flag is what shows such an extension publicly, with the
/// exception cited, if any. See [`super::duration_in_force`] for how months are counted.
fn beyond_maximum_duration(view: &View<'_>, tally: &mut Tally) {
    let indicator = FrameworkIndicator::BeyondMaximumDuration;
    let facts = view.facts;
    let Some((months, days)) = duration_in_force(facts.period_start, facts.period_end) else {
        return tally.na(indicator, FrameworkReason::InvalidPeriod, 1);
    };
    tally.ok(indicator);
    if !exceeds_maximum_duration(
        facts.period_start,
        facts.period_end,
        facts.max_duration_months,
    ) {
        return;
    }
    tally.flag(
        indicator,
        Subject::Agreement {
            ocid: facts.ocid.clone(),
        },
        Figures::Duration(Box::new(DurationFigures {
            start: facts.period_start,
            end: facts.period_end,
            months,
            days,
            max_months: facts.max_duration_months,
            exception: facts
                .extension_exception
                .as_ref()
                .map(|e| e.trim().to_string())
                .filter(|e| !e.is_empty()),
        })),
    );
}
