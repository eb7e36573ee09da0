//! Indicators beyond the reference (issue 6, "Beyond it"):
//!
//! * **R044 business similarities between bidders**: two different bidders of a process share a
//!   postal address, a contact e-mail, a contact telephone or a legal identifier in `parties`.
//! * **R055 direct awards split below the competitive threshold**: a buyer gives the same
//!   supplier, within `window_days`, at least `minimum_count` direct awards each between
//!   `lower_ratio × threshold` and the threshold, which together reach the threshold.
//! * **ALP abnormally low price** (issue 4): the winner's final price is at least
//!   `below_mean_of_other_initial_percent` below the mean of the other bidders' initial prices,
//!   or at least `below_runner_up_percent` below the runner-up's final price. The initial price
//!   is `bids.details[].initialValue` (Tianguis's auction field), else the bid's `value`.
//! * R024/R058 per lot: processes with lots or `relatedBid` that the reference skips get their
//!   price gaps judged against the fences of the reference's population.
//!
//! Money here is exact ([`rust_decimal`]); "≥ t % below x" is checked as `w·100 ≤ x·(100 − t)`.

use chrono::DateTime;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::engine::{Accumulator, Engine, PriceGap, Reason, submitted_bids};
use super::extended::{contests, organisation_id};
use super::{
    AbnormallyLowFigures, Detail, Indicator, LateFlag, Pos, ProcessFlag, SimilarityFigures,
    SplitPurchaseFigures,
};
use crate::release::Release;
use crate::settings::{AbnormallyLowSettings, R044Settings, R055Settings, Settings, pipe_set};

/// Compiled settings of these indicators.
#[derive(Debug, Clone, Default)]
pub struct BeyondConfig {
    r044: Option<R044Settings>,
    r055: Option<(R055Settings, std::collections::BTreeSet<String>)>,
    alp: Option<AbnormallyLowSettings>,
}

impl BeyondConfig {
    /// From settings; nothing is enabled outside the extended (JSON report) mode.
    pub fn new(s: &Settings, extended: bool) -> BeyondConfig {
        if !extended {
            return BeyondConfig::default();
        }
        BeyondConfig {
            r044: s.r044.clone(),
            r055: s.r055.clone().map(|r| {
                let methods = pipe_set(Some(&r.procurement_methods));
                (r, methods)
            }),
            alp: s.abnormally_low_price.clone(),
        }
    }
}

/// One direct award kept for R055.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectAward {
    /// Position of the process.
    pub pos: Pos,
    /// `/ocid`.
    pub ocid: Box<str>,
    /// Days since 1970-01-01 of the award (or release) date.
    pub day: i64,
    /// The award's value.
    pub amount: Decimal,
}

/// `(buyer, supplier, currency)`: the awards R055 groups.
pub type SplitKey = (Box<str>, Box<str>, Box<str>);

/// Per-thread state.
#[derive(Debug, Default)]
pub struct BeyondAccumulator {
    /// R055: `(buyer, supplier, currency)` → direct awards just below the threshold.
    pub direct_awards: FxHashMap<SplitKey, Vec<DirectAward>>,
}

impl BeyondAccumulator {
    /// Commutative merge.
    pub fn merge(&mut self, other: BeyondAccumulator) {
        for (key, mut awards) in other.direct_awards {
            self.direct_awards
                .entry(key)
                .or_default()
                .append(&mut awards);
        }
    }
}

/// Folds one process.
pub fn process(
    engine: &Engine,
    r: &Release<'_>,
    ocid: &str,
    pos: Pos,
    acc: &mut Accumulator,
    flags: &mut Vec<ProcessFlag>,
) {
    let config = &engine.beyond;
    if let Some(r044) = &config.r044 {
        r044_similarities(engine, r044, r, acc, flags);
    }
    if let Some((r055, methods)) = &config.r055 {
        r055_collect(r055, methods, r, ocid, pos, acc);
    }
    if let Some(alp) = &config.alp {
        abnormally_low(engine, alp, r, acc, flags);
    }
}

fn normalise_text(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn r044_similarities(
    engine: &Engine,
    settings: &R044Settings,
    r: &Release<'_>,
    acc: &mut Accumulator,
    flags: &mut Vec<ProcessFlag>,
) {
    let mut bidders: Vec<&str> = Vec::new();
    for bid in submitted_bids(r) {
        for t in bid.tenderers.items() {
            if let Some(id) = t.id.get()
                && !bidders.contains(&id)
            {
                bidders.push(id);
            }
        }
    }
    if bidders.len() < 2 {
        return acc.applicability_na(Indicator::R044, Reason::FewerThanTwoBidders);
    }
    // (bidder, basis, normalised value)
    let mut traits: Vec<(&str, &'static str, String)> = Vec::new();
    for &bidder in &bidders {
        let Some(party) = r
            .parties
            .items()
            .iter()
            .find(|p| p.id.get() == Some(bidder))
        else {
            continue;
        };
        traits.push((
            bidder,
            "identifier",
            organisation_id(r, bidder).into_owned(),
        ));
        let a = &party.address;
        if settings.address
            && let Some(street) = a.street_address.get()
            && !street.trim().is_empty()
        {
            let parts = [
                Some(street),
                a.locality.get(),
                a.postal_code.get(),
                a.country_name.get(),
            ];
            let text: Vec<String> = parts.iter().flatten().map(|p| normalise_text(p)).collect();
            traits.push((bidder, "address", text.join(", ")));
        }
        if settings.email
            && let Some(email) = party.contact_point.email.get()
            && email.contains('@')
        {
            traits.push((bidder, "email", email.trim().to_lowercase()));
        }
        if settings.telephone
            && let Some(phone) = party.contact_point.telephone.get()
        {
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            if digits.len() >= 7 {
                traits.push((bidder, "telephone", digits));
            }
        }
    }
    let described = {
        let mut d: Vec<&str> = traits.iter().map(|t| t.0).collect();
        d.dedup();
        d.len()
    };
    if described < 2 {
        return acc.applicability_na(Indicator::R044, Reason::NoPartyDetails);
    }
    acc.applicability_ok(Indicator::R044);
    let mut pairs: Vec<(&str, &str, &'static str, &str)> = Vec::new();
    for (i, (a, basis, value)) in traits.iter().enumerate() {
        for (b, other_basis, other_value) in &traits[i + 1..] {
            // The identifier trait of a bidder without a legal identifier is its local id,
            // which differs between bidders by construction.
            if a != b && basis == other_basis && value == other_value {
                let (x, y) = if a < b { (*a, *b) } else { (*b, *a) };
                if !pairs.iter().any(|p| p.0 == x && p.1 == y && p.2 == *basis) {
                    pairs.push((x, y, basis, value));
                }
            }
        }
    }
    if pairs.is_empty() {
        return;
    }
    let mut tenderers: Vec<std::sync::Arc<str>> = pairs
        .iter()
        .flat_map(|p| [std::sync::Arc::from(p.0), std::sync::Arc::from(p.1)])
        .collect();
    tenderers.sort_unstable();
    tenderers.dedup();
    let (first, second, basis, shared) = pairs[0];
    flags.push(ProcessFlag {
        indicator: Indicator::R044,
        value: pairs.len() as f64,
        tenderers,
        lot: None,
        detail: super::boxed(if engine.detailed {
            Detail::Similarity(Box::new(SimilarityFigures {
                first: first.to_string(),
                second: second.to_string(),
                basis: basis.to_string(),
                shared: shared.to_string(),
            }))
        } else {
            Detail::None
        }),
    });
}

/// Days since the Unix epoch of an RFC 3339 timestamp (or a bare `YYYY-MM-DD`).
pub(crate) fn day_number(date: &str) -> Option<i64> {
    if let Ok(t) = DateTime::parse_from_rfc3339(date) {
        return Some(t.timestamp().div_euclid(86_400));
    }
    chrono::NaiveDate::parse_from_str(date.get(..10)?, "%Y-%m-%d")
        .ok()
        .map(|d| {
            d.signed_duration_since(chrono::NaiveDate::default())
                .num_days()
        })
}

fn r055_collect(
    settings: &R055Settings,
    methods: &std::collections::BTreeSet<String>,
    r: &Release<'_>,
    ocid: &str,
    pos: Pos,
    acc: &mut Accumulator,
) {
    let direct = r
        .tender
        .procurement_method
        .get()
        .is_some_and(|m| methods.contains(m));
    let Some(buyer) = r.buyer.id.get() else {
        return acc.applicability_na(Indicator::R055, Reason::NotDirectAward);
    };
    if !direct {
        return acc.applicability_na(Indicator::R055, Reason::NotDirectAward);
    }
    let lower = settings.threshold * settings.lower_ratio;
    let buyer = organisation_id(r, buyer);
    let mut counted = false;
    for award in r.awards.items() {
        if award.status.get() != Some("active") {
            continue;
        }
        let (Some(amount), Some(currency)) =
            (award.value.amount.decimal(), award.value.currency.get())
        else {
            continue;
        };
        let Some(day) = award.date.get().or(r.date.get()).and_then(day_number) else {
            continue;
        };
        counted = true;
        if amount < lower || amount >= settings.threshold {
            continue;
        }
        for supplier in award.suppliers.items() {
            if let Some(id) = supplier.id.get() {
                let key = (
                    Box::from(buyer.as_ref()),
                    Box::from(organisation_id(r, id).as_ref()),
                    Box::from(currency),
                );
                acc.beyond
                    .direct_awards
                    .entry(key)
                    .or_default()
                    .push(DirectAward {
                        pos,
                        ocid: ocid.into(),
                        day,
                        amount,
                    });
            }
        }
    }
    if counted {
        acc.applicability_ok(Indicator::R055);
    } else {
        acc.applicability_na(Indicator::R055, Reason::NotDirectAward);
    }
}

fn percent_below(reference: Decimal, price: Decimal) -> Option<String> {
    if reference.is_zero() {
        return None;
    }
    let percent = ((reference - price) * Decimal::ONE_HUNDRED / reference).round_dp(2);
    Some(format!("{percent:.2}"))
}

fn abnormally_low(
    engine: &Engine,
    settings: &AbnormallyLowSettings,
    r: &Release<'_>,
    acc: &mut Accumulator,
    flags: &mut Vec<ProcessFlag>,
) {
    let contests = contests(r);
    if contests.is_empty() {
        return acc.applicability_na(Indicator::Alp, Reason::NotOneActiveAward);
    }
    let hundred = Decimal::ONE_HUNDRED;
    let mut evaluated = false;
    for contest in &contests {
        // The winner's lowest valid final price.
        let mut winner: Option<(Decimal, &str)> = None;
        for bid in &contest.bids {
            if bid.status.get() == Some("valid")
                && contest.is_winning(bid)
                && let (Some(amount), Some(currency)) =
                    (bid.value.amount.decimal(), bid.value.currency.get())
                && winner.is_none_or(|(w, _)| amount < w)
            {
                winner = Some((amount, currency));
            }
        }
        let Some((w, currency)) = winner else {
            continue;
        };
        let mut initial: Vec<Decimal> = Vec::new();
        let mut runner_up: Option<Decimal> = None;
        for bid in &contest.bids {
            if bid.status.get() != Some("valid")
                || contest.is_winning(bid)
                || bid.value.currency.get() != Some(currency)
            {
                continue;
            }
            let Some(final_price) = bid.value.amount.decimal() else {
                continue;
            };
            let start = if bid.initial_value.currency.get() == Some(currency) {
                bid.initial_value.amount.decimal().unwrap_or(final_price)
            } else {
                final_price
            };
            initial.push(start);
            if runner_up.is_none_or(|r| final_price < r) {
                runner_up = Some(final_price);
            }
        }
        let Some(runner) = runner_up else { continue };
        evaluated = true;
        let n = Decimal::from(initial.len() as u64);
        let sum: Decimal = initial.iter().sum();
        let mean_triggered = matches!(
            (w.checked_mul(n).and_then(|x| x.checked_mul(hundred)), sum.checked_mul(hundred - settings.below_mean_of_other_initial_percent)),
            (Some(lhs), Some(rhs)) if lhs <= rhs
        );
        let runner_triggered = matches!(
            (w.checked_mul(hundred), runner.checked_mul(hundred - settings.below_runner_up_percent)),
            (Some(lhs), Some(rhs)) if lhs <= rhs
        );
        if mean_triggered || runner_triggered {
            let mean = sum / n;
            flags.push(ProcessFlag {
                indicator: Indicator::Alp,
                value: 1.0,
                tenderers: contest
                    .suppliers
                    .iter()
                    .map(|s| std::sync::Arc::from(*s))
                    .collect(),
                lot: if contests.len() > 1 {
                    contest.lot.map(Box::from)
                } else {
                    None
                },
                detail: super::boxed(if engine.detailed {
                    Detail::AbnormallyLow(Box::new(AbnormallyLowFigures {
                        winner: contest.suppliers.join(" + "),
                        winner_price: w.normalize().to_string(),
                        mean_of_other_initial: Some(mean.round_dp(2).normalize().to_string()),
                        below_mean_percent: percent_below(mean, w),
                        runner_up_price: Some(runner.normalize().to_string()),
                        below_runner_up_percent: percent_below(runner, w),
                        currency: currency.to_string(),
                    }))
                } else {
                    Detail::None
                }),
            });
        }
    }
    if evaluated {
        acc.applicability_ok(Indicator::Alp);
    } else {
        acc.applicability_na(Indicator::Alp, Reason::FewerThanTwoBidders);
    }
}

/// R024/R058 inputs per lot for processes the reference skips (several awards or suppliers).
/// Prices are compared only in the main currency once it is known (this path never pins it,
/// so the reference's choice is unaffected).
pub(crate) fn lot_price_gaps(r: &Release<'_>, ocid: &str, pos: Pos, acc: &mut Accumulator) -> bool {
    let Some(main) = acc.currency.clone() else {
        return false;
    };
    let mut any = false;
    for contest in contests(r) {
        let mut winner: Option<(&str, f64)> = None;
        let mut other: Option<(&str, f64)> = None;
        for bid in &contest.bids {
            if bid.status.get() != Some("valid") || bid.value.currency.get() != Some(&*main) {
                continue;
            }
            let Some(amount) = bid.value.amount.f64() else {
                continue;
            };
            let Some(first) = bid.tenderers.items().iter().find_map(|t| t.id.get()) else {
                continue;
            };
            let slot = if contest.is_winning(bid) {
                &mut winner
            } else {
                &mut other
            };
            if slot.is_none_or(|(_, low)| amount < low) {
                *slot = Some((first, amount));
            }
        }
        if let (Some((_, wa)), Some((o, oa))) = (winner, other)
            && oa >= wa
        {
            any = true;
            let winner = acc.intern(&contest.suppliers.join(" + "));
            let runner_up = acc.intern(o);
            acc.price_gaps.push(PriceGap {
                pos,
                ocid: ocid.into(),
                lot: Some(contest.lot.unwrap_or_default().into()),
                winner,
                runner_up,
                winning_amount: wa,
                second_amount: oa,
                ratio: (oa - wa) / wa,
            });
        }
    }
    any
}

/// R055 at the end: sliding windows per buyer, supplier and currency.
pub fn finalize(engine: &Engine, acc: &mut Accumulator, late: &mut Vec<LateFlag>) {
    let Some((settings, _)) = &engine.beyond.r055 else {
        return;
    };
    let main = engine
        .settings
        .currency
        .clone()
        .or_else(|| acc.currency.as_deref().map(str::to_string))
        .or_else(|| acc.market.currency.as_deref().map(str::to_string));
    let groups = std::mem::take(&mut acc.beyond.direct_awards);
    let mut keys: Vec<_> = groups.keys().cloned().collect();
    keys.sort();
    for key in keys {
        let (buyer, supplier, currency) = &key;
        if main.as_deref().is_some_and(|m| m != &**currency) {
            continue;
        }
        let mut awards = groups.get(&key).cloned().unwrap_or_default();
        awards.sort_by_key(|a| (a.day, a.pos));
        let mut in_split = vec![0usize; awards.len()];
        let mut start = 0;
        let mut sum = Decimal::ZERO;
        for end in 0..awards.len() {
            sum += awards[end].amount;
            while awards[end].day - awards[start].day > settings.window_days {
                sum -= awards[start].amount;
                start += 1;
            }
            let count = end + 1 - start;
            if count >= settings.minimum_count && sum >= settings.threshold {
                for slot in &mut in_split[start..=end] {
                    *slot = (*slot).max(count);
                }
            }
        }
        for (i, award) in awards.iter().enumerate() {
            if in_split[i] == 0 {
                continue;
            }
            let window: Decimal = awards
                .iter()
                .filter(|a| (a.day - award.day).abs() <= settings.window_days)
                .map(|a| a.amount)
                .sum();
            late.push((
                award.pos,
                award.ocid.clone(),
                Some(buyer.clone()),
                ProcessFlag {
                    indicator: Indicator::R055,
                    value: in_split[i] as f64,
                    tenderers: vec![std::sync::Arc::from(&**supplier)],
                    lot: None,
                    detail: super::boxed(if engine.detailed {
                        Detail::SplitPurchase(Box::new(SplitPurchaseFigures {
                            supplier: supplier.to_string(),
                            count: in_split[i],
                            total: window.normalize().to_string(),
                            threshold: settings.threshold.normalize().to_string(),
                            currency: currency.to_string(),
                            window_days: settings.window_days,
                        }))
                    } else {
                        Detail::None
                    }),
                },
            ));
        }
    }
}

impl Accumulator {
    pub(crate) fn applicability_ok(&mut self, indicator: Indicator) {
        self.applicability.evaluated[indicator.index()] += 1;
    }

    pub(crate) fn applicability_na(&mut self, indicator: Indicator, reason: Reason) {
        self.applicability.not_applicable[indicator.index()][reason as usize] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_accept_dates_and_timestamps() {
        assert_eq!(day_number("1970-01-02T00:00:00Z"), Some(1));
        assert_eq!(day_number("1970-01-03"), Some(2));
        assert_eq!(day_number("nonsense"), None);
    }
}
