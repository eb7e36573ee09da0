//! From merged accumulators to results: the dataset-wide quartiles and fences of R024, R025,
//! R038, R048 and R058 (Cardinal's `finalize` step), in the reference's order.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::engine::{Accumulator, Applicability, Engine, LineIssue, PriceGap, Skipped};
use super::{
    Detail, FlaggedProcess, Fraction, Group, Indicator, LateFlag, Pos, PriceGapFigures, ProcessFlag,
};
use crate::stats;

/// A flag on an organisation (buyer, procuring entity or tenderer).
#[derive(Debug, Clone, PartialEq)]
pub struct OrganisationFlag {
    /// Which.
    pub indicator: Indicator,
    /// The reference's value.
    pub value: f64,
    /// The figures.
    pub detail: Option<Box<Detail>>,
}

/// The reference's `Maps` (with `--map`), sorted for stable output.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Maps {
    /// Buyer of each process with a disqualified bid (R038).
    pub ocid_buyer_r038: BTreeMap<String, String>,
    /// Procuring entity of each process with a disqualified bid (R038).
    pub ocid_procuringentity_r038: BTreeMap<String, String>,
    /// Tenderers of each process.
    pub ocid_tenderer: BTreeMap<String, Vec<String>>,
    /// Flagged tenderers per flagged process, per indicator.
    pub ocid_tenderer_by_indicator: BTreeMap<Indicator, BTreeMap<String, Vec<String>>>,
}

/// Everything the red-flag part computed.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Lines read.
    pub lines: u64,
    /// Processes evaluated.
    pub processes: u64,
    /// Skipped before evaluation.
    pub skipped: Skipped,
    /// Malformed lines: (1-based line number, code, message), in file order.
    pub issues: Vec<(u64, &'static str, String)>,
    /// The main currency.
    pub currency: Option<String>,
    /// Processes with flags, in file order.
    pub processes_flagged: Vec<FlaggedProcess>,
    /// Flags on organisations, by group and id.
    pub organisations: BTreeMap<(Group, String), Vec<OrganisationFlag>>,
    /// The reference's `Meta`: per indicator, `(name, value)` in the reference's order.
    pub meta: Vec<(Indicator, Vec<(String, f64)>)>,
    /// The reference's `Maps`.
    pub maps: Maps,
    /// Group key order of the reference's output object.
    pub group_order: Vec<Group>,
    /// Applicability counts (flagged counts are derived from the flags).
    pub applicability: Applicability,
}

impl Outcome {
    /// Number of processes (or organisations) flagged by an indicator.
    pub fn flagged_count(&self, indicator: Indicator) -> u64 {
        let processes = self
            .processes_flagged
            .iter()
            .filter(|p| p.flags.iter().any(|f| f.indicator == indicator))
            .count();
        let organisations = self
            .organisations
            .values()
            .filter(|flags| flags.iter().any(|f| f.indicator == indicator))
            .count();
        (processes + organisations) as u64
    }
}

struct Meta<'a>(&'a mut Vec<(Indicator, Vec<(String, f64)>)>);

impl Meta<'_> {
    fn set(&mut self, indicator: Indicator, key: impl Into<String>, value: f64) {
        let key = key.into();
        if let Some((_, entries)) = self.0.iter_mut().find(|(i, _)| *i == indicator) {
            if let Some(entry) = entries.iter_mut().find(|(k, _)| *k == key) {
                entry.1 = value;
            } else {
                entries.push((key, value));
            }
        } else {
            self.0.push((indicator, vec![(key, value)]));
        }
    }
}

/// Emulates the reference's `IndexMap<Group, _>` key order: `OCID` and `Tenderer` are created
/// first by its reduce step, `Buyer`/`ProcuringEntity` when R038 flags one, and empty `OCID` /
/// `Tenderer` are then removed with `swap_remove` (which moves the last key into their place).
fn group_order(ocid: bool, tenderer: bool, buyer: bool, procuring_entity: bool) -> Vec<Group> {
    let mut order = vec![Group::Ocid, Group::Tenderer];
    if buyer {
        order.push(Group::Buyer);
    }
    if procuring_entity {
        order.push(Group::ProcuringEntity);
    }
    for (group, present) in [(Group::Ocid, ocid), (Group::Tenderer, tenderer)] {
        if !present && let Some(i) = order.iter().position(|g| *g == group) {
            order.swap_remove(i);
        }
    }
    order
}

/// Computes the results.
pub fn finalize(engine: &Engine, mut acc: Accumulator) -> Outcome {
    let s = &engine.settings;
    // Line numbers: blocks in order, each starting after the previous ones' lines.
    acc.block_lines.sort_unstable();
    let mut offsets: Vec<u64> = Vec::with_capacity(acc.block_lines.len());
    let mut total = 0u64;
    for (_, lines) in &acc.block_lines {
        offsets.push(total);
        total += u64::from(*lines);
    }
    let line_of = |pos: Pos| {
        offsets.get(pos.block as usize).copied().unwrap_or_default() + u64::from(pos.line) + 1
    };

    let mut meta = Vec::new();
    let mut m = Meta(&mut meta);
    let mut organisations: BTreeMap<(Group, String), Vec<OrganisationFlag>> = BTreeMap::new();
    let mut late_flags: Vec<LateFlag> = Vec::new();

    // R024 and R058 share the price gaps; a repeated ocid keeps its last line (the
    // reference's `HashMap::insert`). Extended per-lot gaps are keyed by (ocid, lot).
    let mut gaps = std::mem::take(&mut acc.price_gaps);
    gaps.sort_by_key(|g| g.pos);
    let gaps = dedup_last(gaps);
    let mut ratios: Vec<f64> = gaps
        .iter()
        .map(|g| g.ratio)
        .filter(|r| !r.is_nan())
        .collect();

    let gap_flag = |indicator: Indicator,
                    g: &PriceGap,
                    fence: f64,
                    tenderers: Vec<std::sync::Arc<str>>| ProcessFlag {
        indicator,
        value: g.ratio,
        tenderers,
        lot: g.lot.clone(),
        detail: super::boxed(if engine.detailed {
            Detail::PriceGap(Box::new(PriceGapFigures {
                ratio: g.ratio,
                fence,
                winner: g.winner.to_string(),
                runner_up: g.runner_up.to_string(),
                winning_amount: g.winning_amount,
                second_amount: g.second_amount,
                currency: acc.currency.as_deref().unwrap_or_default().to_string(),
            }))
        } else {
            Detail::None
        }),
    };

    if let Some(r024) = &s.r024 {
        let (lower, q1) = match r024.threshold {
            Some(t) => (t, 1.0),
            None => {
                let (q1, q3) = stats::quartiles(&mut ratios);
                m.set(Indicator::R024, "q1", q1);
                m.set(Indicator::R024, "q3", q3);
                (stats::lower_fence(q1, q3), q1)
            }
        };
        m.set(Indicator::R024, "lower_fence", lower);
        // Skip if 75% of processes have no gap; otherwise 75% would be flagged.
        if q1 > 0.0 && lower > 0.0 {
            for g in &gaps {
                if g.ratio <= lower {
                    let tenderers = vec![g.winner.clone(), g.runner_up.clone()];
                    late_flags.push((
                        g.pos,
                        g.ocid.clone(),
                        None,
                        gap_flag(Indicator::R024, g, lower, tenderers),
                    ));
                }
            }
        }
    }

    if let Some(r025) = &s.r025 {
        let fractions: Vec<(&str, Fraction)> = acc
            .tenderers
            .iter()
            .filter(|(_, t)| t.r025.denominator > 0)
            .map(|(k, t)| (&**k, t.r025))
            .collect();
        let mut denominators: Vec<f64> = fractions
            .iter()
            .map(|(_, f)| f.denominator as f64)
            .collect();
        let upper = stats::percentile(&mut denominators, r025.percentile.unwrap_or(75));
        let (lower, q1) = match r025.threshold {
            Some(t) => (t, 1.0),
            None => {
                let mut values: Vec<f64> = fractions.iter().map(|(_, f)| f.ratio()).collect();
                let (q1, q3) = stats::quartiles(&mut values);
                m.set(Indicator::R025, "q1", q1);
                m.set(Indicator::R025, "q3", q3);
                (stats::lower_fence(q1, q3), q1)
            }
        };
        m.set(Indicator::R025, "upper_fence", upper);
        m.set(Indicator::R025, "lower_fence", lower);
        if q1 > 0.0 && lower > 0.0 {
            for (id, f) in &fractions {
                let ratio = f.ratio();
                if f.denominator as f64 >= upper && ratio <= lower {
                    organisations
                        .entry((Group::Tenderer, id.to_string()))
                        .or_default()
                        .push(ratio_flag(engine, Indicator::R025, ratio, lower, *f));
                }
            }
        }
    }

    let (mut r038_buyer, mut r038_procuring_entity) = (false, false);
    if let Some(r038) = &s.r038 {
        let min_processes = r038.minimum_contracting_processes.unwrap_or(2) as u64;
        let min_bids = r038.minimum_submitted_bids.unwrap_or(2) as u64;
        let by_group = |group: Group| -> Vec<(&str, Fraction)> {
            match group {
                Group::Buyer => acc.r038_buyer.iter().map(|(k, f)| (&**k, *f)).collect(),
                Group::ProcuringEntity => acc
                    .r038_procuring_entity
                    .iter()
                    .map(|(k, f)| (&**k, *f))
                    .collect(),
                _ => acc
                    .tenderers
                    .iter()
                    .filter(|(_, t)| t.r038.denominator > 0)
                    .map(|(k, t)| (&**k, t.r038))
                    .collect(),
            }
        };
        for (group, minimum) in [
            (Group::Buyer, min_processes),
            (Group::ProcuringEntity, min_processes),
            (Group::Tenderer, min_bids),
        ] {
            let ratios: Vec<(&str, Fraction)> = by_group(group)
                .into_iter()
                .filter(|(_, f)| f.denominator >= minimum)
                .collect();
            if ratios.is_empty() {
                continue;
            }
            let upper = match r038.threshold {
                Some(t) => t,
                None => {
                    let mut values: Vec<f64> = ratios.iter().map(|(_, f)| f.ratio()).collect();
                    let (q1, q3) = stats::quartiles(&mut values);
                    m.set(Indicator::R038, format!("{}_q1", group.key()), q1);
                    m.set(Indicator::R038, format!("{}_q3", group.key()), q3);
                    stats::upper_fence(q1, q3)
                }
            };
            m.set(
                Indicator::R038,
                format!("{}_upper_fence", group.key()),
                upper,
            );
            if upper > 0.0 {
                for (id, f) in &ratios {
                    let ratio = f.ratio();
                    if ratio >= upper {
                        match group {
                            Group::Buyer => r038_buyer = true,
                            Group::ProcuringEntity => r038_procuring_entity = true,
                            _ => {}
                        }
                        organisations
                            .entry((group, id.to_string()))
                            .or_default()
                            .push(ratio_flag(engine, Indicator::R038, ratio, upper, *f));
                    }
                }
            }
        }
    }

    if let Some(r048) = &s.r048 {
        let minimum = r048.minimum_contracting_processes.unwrap_or(20) as u64;
        let lengths: Vec<(&str, u64, usize)> = acc
            .tenderers
            .iter()
            .filter(|(_, t)| t.r048_processes > 0 && t.r048_processes >= minimum)
            .map(|(id, t)| (&**id, t.r048_processes, t.r048_codes.len()))
            .collect();
        let upper = match r048.threshold {
            Some(t) => t as f64,
            None => {
                let mut values: Vec<f64> = lengths.iter().map(|(_, _, n)| *n as f64).collect();
                let (q1, q3) = stats::quartiles(&mut values);
                m.set(Indicator::R048, "q1", q1);
                m.set(Indicator::R048, "q3", q3);
                stats::upper_fence(q1, q3)
            }
        };
        m.set(Indicator::R048, "upper_fence", upper);
        for (id, count, n) in &lengths {
            let length = *n as f64;
            if length >= upper {
                let fraction = Fraction {
                    numerator: *n as u64,
                    denominator: *count,
                };
                organisations
                    .entry((Group::Tenderer, id.to_string()))
                    .or_default()
                    .push(ratio_flag(engine, Indicator::R048, length, upper, fraction));
            }
        }
    }

    if let Some(r058) = &s.r058 {
        let upper = match r058.threshold {
            Some(t) => t,
            None => {
                let (q1, q3) = stats::quartiles(&mut ratios);
                m.set(Indicator::R058, "q1", q1);
                m.set(Indicator::R058, "q3", q3);
                stats::upper_fence(q1, q3)
            }
        };
        m.set(Indicator::R058, "upper_fence", upper);
        if upper > 0.0 {
            for g in &gaps {
                if g.ratio >= upper {
                    let tenderers = vec![g.winner.clone()];
                    late_flags.push((
                        g.pos,
                        g.ocid.clone(),
                        None,
                        gap_flag(Indicator::R058, g, upper, tenderers),
                    ));
                }
            }
        }
    }

    super::beyond::finalize(engine, &mut acc, &mut late_flags);

    // Merge finalize-time flags into the per-process list, in file order, in place.
    let mut merged = std::mem::take(&mut acc.flagged);
    merged.sort_by_key(|p| p.pos);
    late_flags.sort_by_key(|(pos, ..)| *pos);
    let mut extra: Vec<FlaggedProcess> = Vec::new();
    for (pos, ocid, buyer, flag) in late_flags {
        match merged.binary_search_by_key(&pos, |p| p.pos) {
            Ok(i) => merged[i].flags.push(flag),
            Err(_) => match extra.last_mut() {
                Some(last) if last.pos == pos => last.flags.push(flag),
                _ => extra.push(FlaggedProcess {
                    pos,
                    line: 0,
                    ocid,
                    buyer,
                    flags: vec![flag],
                }),
            },
        }
    }
    if !extra.is_empty() {
        merged.reserve_exact(extra.len());
        merged.append(&mut extra);
        merged.sort_by_key(|p| p.pos);
    }
    for p in &mut merged {
        p.flags.sort_by_key(|f| f.indicator);
        p.line = line_of(p.pos);
    }

    // Tenderer group of process-level flags (the reference sets 0.0 or 1.0).
    // Collected by shared name first: one hash lookup per flagged tenderer, no copies.
    let mut maps = Maps::default();
    let mut from_processes: FxHashMap<&std::sync::Arc<str>, u16> = FxHashMap::default();
    let keep_maps = engine.map || engine.detailed;
    for p in &merged {
        for f in &p.flags {
            if f.tenderers.is_empty() || !f.indicator.in_cardinal() {
                continue;
            }
            for id in &f.tenderers {
                *from_processes.entry(id).or_default() |= 1 << f.indicator.index();
            }
            if keep_maps {
                let entry = maps
                    .ocid_tenderer_by_indicator
                    .entry(f.indicator)
                    .or_default()
                    .entry(p.ocid.to_string())
                    .or_default();
                entry.extend(f.tenderers.iter().map(|t| t.to_string()));
                entry.sort();
                entry.dedup();
            }
        }
    }
    for (id, bits) in from_processes {
        let flags = organisations
            .entry((Group::Tenderer, id.to_string()))
            .or_default();
        for indicator in Indicator::ALL {
            if bits & (1 << indicator.index()) != 0
                && !flags.iter().any(|o| o.indicator == indicator)
            {
                flags.push(OrganisationFlag {
                    indicator,
                    value: if matches!(indicator, Indicator::R028 | Indicator::R030) {
                        1.0
                    } else {
                        0.0
                    },
                    detail: None,
                });
            }
        }
    }
    for flags in organisations.values_mut() {
        flags.sort_by_key(|f| f.indicator);
    }
    if engine.map {
        for (_, ocid, buyer) in acc.map_buyer_r038.drain(..) {
            maps.ocid_buyer_r038.insert(ocid.into(), buyer.into());
        }
        for (_, ocid, entity) in acc.map_procuring_entity_r038.drain(..) {
            maps.ocid_procuringentity_r038
                .insert(ocid.into(), entity.into());
        }
        acc.map_tenderers.sort_by_key(|(pos, ..)| *pos);
        for (_, ocid, ids) in acc.map_tenderers.drain(..) {
            if ids.is_empty() {
                continue;
            }
            let entry = maps.ocid_tenderer.entry(ocid.into()).or_default();
            entry.extend(ids.into_iter().map(String::from));
            entry.sort();
            entry.dedup();
        }
    }

    let has_cardinal = |group: Group| {
        organisations
            .iter()
            .any(|((g, _), flags)| *g == group && flags.iter().any(|f| f.indicator.in_cardinal()))
    };
    let ocid_present = merged
        .iter()
        .any(|p| p.flags.iter().any(|f| f.indicator.in_cardinal()));
    let order = group_order(
        ocid_present,
        has_cardinal(Group::Tenderer),
        r038_buyer,
        r038_procuring_entity,
    );

    let mut issues: Vec<LineIssue> = std::mem::take(&mut acc.issues);
    issues.sort_by_key(|i| i.pos);
    Outcome {
        lines: total,
        processes: acc.processes,
        skipped: acc.skipped,
        issues: issues
            .into_iter()
            .map(|i| (line_of(i.pos), i.code, i.message))
            .collect(),
        currency: acc.currency.as_deref().map(str::to_string),
        processes_flagged: merged,
        organisations,
        meta,
        maps,
        group_order: order,
        applicability: acc.applicability.clone(),
    }
}

/// Keeps the last gap of each `(ocid, lot)`, in file order.
fn dedup_last(gaps: Vec<PriceGap>) -> Vec<PriceGap> {
    let keep = last_of_each(&gaps, |g: &PriceGap| (&*g.ocid, g.lot.as_deref()));
    if keep.iter().all(|k| *k) {
        return gaps;
    }
    gaps.into_iter()
        .zip(keep)
        .filter_map(|(g, k)| k.then_some(g))
        .collect()
}

/// For items in file order, marks the last item of each key. Sorting hashes is much cheaper than
/// a hash set over hundreds of thousands of strings; equal hashes are then compared by key.
pub(crate) fn last_of_each<'t, T, K: std::hash::Hash + Eq>(
    items: &'t [T],
    key: impl Fn(&'t T) -> K,
) -> Vec<bool> {
    use std::hash::BuildHasher;
    let hasher = rustc_hash::FxBuildHasher;
    let mut hashes: Vec<(u64, u32)> = items
        .iter()
        .enumerate()
        .map(|(i, item)| (hasher.hash_one(key(item)), i as u32))
        .collect();
    hashes.sort_unstable();
    let mut keep = vec![true; items.len()];
    let mut start = 0;
    while start < hashes.len() {
        let mut end = start + 1;
        while end < hashes.len() && hashes[end].0 == hashes[start].0 {
            end += 1;
        }
        if end - start > 1 {
            // Same hash: a later item with an equal key hides the earlier ones.
            let group = &hashes[start..end];
            for (n, (_, i)) in group.iter().enumerate() {
                let k = key(&items[*i as usize]);
                if group[n + 1..]
                    .iter()
                    .any(|(_, j)| key(&items[*j as usize]) == k)
                {
                    keep[*i as usize] = false;
                }
            }
        }
        start = end;
    }
    keep
}

fn ratio_flag(
    engine: &Engine,
    indicator: Indicator,
    value: f64,
    fence: f64,
    f: Fraction,
) -> OrganisationFlag {
    OrganisationFlag {
        indicator,
        value,
        detail: super::boxed(if engine.detailed {
            Detail::Ratio {
                value,
                fence,
                numerator: f.numerator,
                denominator: f.denominator,
            }
        } else {
            Detail::None
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_order_follows_swap_remove() {
        assert_eq!(
            group_order(true, true, false, false),
            vec![Group::Ocid, Group::Tenderer]
        );
        assert_eq!(
            group_order(false, false, true, true),
            vec![Group::ProcuringEntity, Group::Buyer]
        );
        assert_eq!(
            group_order(false, true, false, false),
            vec![Group::Tenderer]
        );
        assert_eq!(
            group_order(false, true, true, false),
            vec![Group::Buyer, Group::Tenderer]
        );
    }
}
