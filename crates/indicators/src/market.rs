//! Market indicators per buyer, category and year (issue 6, "Market indicators"), for the
//! market-intelligence unit and the public dashboards (seed 000: "wider supplier base",
//! "falling top-10 share").
//!
//! Unit of analysis and OCDS fields read:
//! * **year**: of `tender/tenderPeriod/startDate`, else `tender/datePublished`, else the release
//!   `date`;
//! * **buyer**: `buyer/id`, resolved to `parties/identifier` (`scheme-id`) when present;
//! * **category**: the classification id of the process's first classified item (award items,
//!   then tender items), cut to `[market] category_digits` characters if set;
//! * **suppliers and values**: `awards[]` with status `active`, `suppliers[]/id` (resolved like
//!   the buyer) and `value` in the main currency; an award with several suppliers is split
//!   evenly between them;
//! * **bidders**: distinct `bids/details[]/tenderers[]/id` of submitted bids, else
//!   `tender/numberOfTenderers`;
//! * **direct purchases**: `tender/procurementMethod` in `[market] direct_procurement_methods`;
//!   **competitive**: in `competitive_procurement_methods`;
//! * **auction savings**: processes where a valid bid has `initialValue` (the sealed price
//!   before the reverse auction): best initial price (lowest `initialValue`, else `value`, of
//!   valid bids) versus best final price (lowest `value` of valid bids);
//! * **savings against estimates**: `tender/value` versus the sum of active award values;
//! * **unit prices**: `awards[]/items[]/unit/value/amount` by item classification id.
//!
//! Each breakdown is also rolled up (`buyer` or `category` absent = all). Money is exact
//! (`rust_decimal`); shares and indices are statistics, given as `f64`.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::flags::Pos;
use crate::flags::engine::submitted_bids;
use crate::flags::extended::organisation_id;
use crate::prices::{PriceGroups, PriceObservation, PriceReport, ReferencePrices};
use crate::release::Release;
use crate::settings::{Settings, pipe_set};

/// Label for a process without a buyer or category (distinct from a roll-up).
pub const UNKNOWN: &str = "(unknown)";

/// Compiled market settings.
#[derive(Debug, Clone)]
pub struct MarketConfig {
    direct: BTreeSet<String>,
    competitive: BTreeSet<String>,
    category_digits: Option<usize>,
}

/// Strings numbered per thread, so cells are keyed and hashed by small integers.
#[derive(Debug, Default)]
pub struct Interner {
    index: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    /// The number of a string, adding it if new.
    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.into());
        self.index.insert(name.into(), i);
        i
    }

    /// The string of a number (`None` for [`ALL`]).
    pub fn name(&self, id: u32) -> Option<&str> {
        self.names.get(id as usize).map(|n| &**n)
    }

    /// Numbers in `self` for each number of `other`.
    fn remap(&mut self, other: &Interner) -> Vec<u32> {
        other.names.iter().map(|n| self.id(n)).collect()
    }
}

/// "All buyers" or "all categories" in a [`CellKey`].
pub const ALL: u32 = u32::MAX;

fn remapped(id: u32, map: &[u32]) -> u32 {
    if id == ALL { ALL } else { map[id as usize] }
}

/// A breakdown cell: [`ALL`] means all buyers or all categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellKey {
    /// Year.
    pub year: i32,
    /// Buyer number, or all.
    pub buyer: u32,
    /// Category number, or all.
    pub category: u32,
}

/// Counts and sums of one cell (all merges are additions, so thread order does not matter).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    processes: u64,
    direct_processes: u64,
    competitive_with_bids: u64,
    competitive_single_bid: u64,
    processes_with_bidders: u64,
    bidders: u64,
    awarded_value: Decimal,
    direct_value: Decimal,
    supplier_values: FxHashMap<u32, Decimal>,
    auction_processes: u64,
    auction_initial: Decimal,
    auction_final: Decimal,
    estimate_processes: u64,
    estimate_total: Decimal,
    estimate_awarded: Decimal,
}

impl Cell {
    fn merge(&mut self, other: Cell, suppliers: &[u32]) {
        self.processes += other.processes;
        self.direct_processes += other.direct_processes;
        self.competitive_with_bids += other.competitive_with_bids;
        self.competitive_single_bid += other.competitive_single_bid;
        self.processes_with_bidders += other.processes_with_bidders;
        self.bidders += other.bidders;
        self.awarded_value += other.awarded_value;
        self.direct_value += other.direct_value;
        for (k, v) in other.supplier_values {
            *self
                .supplier_values
                .entry(suppliers[k as usize])
                .or_default() += v;
        }
        self.auction_processes += other.auction_processes;
        self.auction_initial += other.auction_initial;
        self.auction_final += other.auction_final;
        self.estimate_processes += other.estimate_processes;
        self.estimate_total += other.estimate_total;
        self.estimate_awarded += other.estimate_awarded;
    }
}

/// Per-thread market state.
#[derive(Debug, Default)]
pub struct MarketAccumulator {
    /// The market's main currency once known.
    pub currency: Option<Box<str>>,
    /// Cells.
    pub cells: FxHashMap<CellKey, Cell>,
    /// Buyer names.
    pub buyers: Interner,
    /// Category names.
    pub categories: Interner,
    /// Supplier names.
    pub suppliers: Interner,
    /// Unit prices by (classification, buyer or all, year).
    pub prices: PriceGroups,
    /// Processes without a usable year.
    pub without_year: u64,
}

impl MarketAccumulator {
    /// Commutative merge.
    pub fn merge(&mut self, other: MarketAccumulator) {
        let buyers = self.buyers.remap(&other.buyers);
        let categories = self.categories.remap(&other.categories);
        let suppliers = self.suppliers.remap(&other.suppliers);
        for (k, v) in other.cells {
            let key = CellKey {
                year: k.year,
                buyer: remapped(k.buyer, &buyers),
                category: remapped(k.category, &categories),
            };
            self.cells.entry(key).or_default().merge(v, &suppliers);
        }
        for (k, mut v) in other.prices {
            self.prices.entry(k).or_default().append(&mut v);
        }
        self.without_year += other.without_year;
        if self.currency.is_none() {
            self.currency = other.currency;
        }
    }
}

fn year_of(date: Option<&str>) -> Option<i32> {
    let date = date?;
    let year = date.get(..4)?;
    if year.bytes().all(|b| b.is_ascii_digit()) {
        year.parse().ok()
    } else {
        None
    }
}

impl MarketConfig {
    /// From settings.
    pub fn new(s: &Settings) -> MarketConfig {
        MarketConfig {
            direct: pipe_set(Some(&s.market.direct_procurement_methods)),
            competitive: pipe_set(Some(&s.market.competitive_procurement_methods)),
            category_digits: s.market.category_digits,
        }
    }

    /// Folds one process. `price_currency` is the red flags' main currency if already known:
    /// the market uses the configured currency, else that one, else the first it sees.
    pub fn process(
        &self,
        r: &Release<'_>,
        ocid: &str,
        pos: Pos,
        price_currency: Option<&str>,
        acc: &mut MarketAccumulator,
    ) {
        let t = &r.tender;
        let Some(year) = year_of(t.tender_period.start_date.get())
            .or_else(|| year_of(t.date_published.get()))
            .or_else(|| year_of(r.date.get()))
        else {
            acc.without_year += 1;
            return;
        };
        let buyer_name: Box<str> = match r.buyer.id.get() {
            Some(id) => organisation_id(r, id).as_ref().into(),
            None => UNKNOWN.into(),
        };
        let buyer = acc.buyers.id(&buyer_name);
        let first_item = r
            .awards
            .items()
            .iter()
            .flat_map(|a| a.items.items())
            .chain(t.items.items())
            .find_map(|i| i.classification.id.get());
        let category = match first_item {
            Some(code) => match self.category_digits {
                Some(n) => acc.categories.id(&code.chars().take(n).collect::<String>()),
                None => acc.categories.id(code),
            },
            None => acc.categories.id(UNKNOWN),
        };
        let method = t.procurement_method.get();
        let direct = method.is_some_and(|m| self.direct.contains(m));
        let competitive = method.is_some_and(|m| self.competitive.contains(m));

        let mut bidders: Vec<&str> = Vec::new();
        for bid in submitted_bids(r) {
            for tenderer in bid.tenderers.items() {
                if let Some(id) = tenderer.id.get()
                    && !bidders.contains(&id)
                {
                    bidders.push(id);
                }
            }
        }
        let bidder_count = if !bidders.is_empty() {
            Some(bidders.len() as u64)
        } else {
            t.number_of_tenderers.u64()
        };

        // Money in the market currency.
        let mut pin = |c: &str| -> bool {
            match &acc.currency {
                Some(main) => **main == *c,
                None => {
                    acc.currency = Some(price_currency.unwrap_or(c).into());
                    price_currency.is_none_or(|p| p == c)
                }
            }
        };
        let mut awarded = Decimal::ZERO;
        let mut any_award_value = false;
        let mut supplier_values: Vec<(u32, Decimal)> = Vec::new();
        for award in r.awards.items() {
            if award.status.get() != Some("active") {
                continue;
            }
            let ids: Vec<u32> = award
                .suppliers
                .items()
                .iter()
                .filter_map(|s| s.id.get())
                .map(|id| acc.suppliers.id(&organisation_id(r, id)))
                .collect();
            let value = match (award.value.amount.decimal(), award.value.currency.get()) {
                (Some(amount), Some(c)) if pin(c) => Some(amount),
                _ => None,
            };
            if let Some(amount) = value {
                awarded += amount;
                any_award_value = true;
            }
            if !ids.is_empty() {
                let share = value
                    .map(|v| v / Decimal::from(ids.len() as u64))
                    .unwrap_or_default();
                for id in ids {
                    supplier_values.push((id, share));
                }
            }
            // Unit prices.
            for item in award.items.items() {
                if let (Some(code), Some(amount), Some(c)) = (
                    item.classification.id.get(),
                    item.unit.value.amount.f64(),
                    item.unit.value.currency.get(),
                ) && pin(c)
                {
                    for key_buyer in [Some(buyer_name.clone()), None] {
                        acc.prices
                            .entry((code.into(), key_buyer, year))
                            .or_default()
                            .push(PriceObservation {
                                pos,
                                ocid: ocid.into(),
                                unit_price: amount,
                            });
                    }
                }
            }
        }
        let auction = {
            let mut has_initial = false;
            let mut best_initial: Option<Decimal> = None;
            let mut best_final: Option<Decimal> = None;
            for bid in r.bids.details.items() {
                if bid.status.get() != Some("valid") {
                    continue;
                }
                let (Some(final_price), Some(c)) =
                    (bid.value.amount.decimal(), bid.value.currency.get())
                else {
                    continue;
                };
                if !pin(c) {
                    continue;
                }
                let initial = match (
                    bid.initial_value.amount.decimal(),
                    bid.initial_value.currency.get(),
                ) {
                    (Some(i), Some(ic)) if ic == c => {
                        has_initial = true;
                        i
                    }
                    _ => final_price,
                };
                best_initial = Some(best_initial.map_or(initial, |b| b.min(initial)));
                best_final = Some(best_final.map_or(final_price, |b| b.min(final_price)));
            }
            match (has_initial, best_initial, best_final) {
                (true, Some(i), Some(f)) => Some((i, f)),
                _ => None,
            }
        };
        let estimate = match (t.value.amount.decimal(), t.value.currency.get()) {
            (Some(e), Some(c)) if any_award_value && pin(c) => Some(e),
            _ => None,
        };

        let keys = [
            CellKey {
                year,
                buyer,
                category,
            },
            CellKey {
                year,
                buyer,
                category: ALL,
            },
            CellKey {
                year,
                buyer: ALL,
                category,
            },
            CellKey {
                year,
                buyer: ALL,
                category: ALL,
            },
        ];
        for key in keys {
            let cell = match acc.cells.get_mut(&key) {
                Some(cell) => cell,
                None => acc.cells.entry(key).or_default(),
            };
            cell.processes += 1;
            if direct {
                cell.direct_processes += 1;
                cell.direct_value += awarded;
            }
            cell.awarded_value += awarded;
            if let Some(n) = bidder_count {
                cell.processes_with_bidders += 1;
                cell.bidders += n;
                if competitive {
                    cell.competitive_with_bids += 1;
                    if n == 1 {
                        cell.competitive_single_bid += 1;
                    }
                }
            }
            for (id, value) in &supplier_values {
                *cell.supplier_values.entry(*id).or_default() += *value;
            }
            if let Some((initial, final_price)) = auction {
                cell.auction_processes += 1;
                cell.auction_initial += initial;
                cell.auction_final += final_price;
            }
            if let Some(e) = estimate {
                cell.estimate_processes += 1;
                cell.estimate_total += e;
                cell.estimate_awarded += awarded;
            }
        }
    }
}

/// Savings: a reference total (initial best prices or estimates) versus what was paid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Savings {
    /// Processes with the data.
    pub processes: u64,
    /// Sum of reference amounts.
    pub reference_total: Decimal,
    /// Sum of final amounts.
    pub final_total: Decimal,
    /// `reference_total − final_total`.
    pub savings: Decimal,
    /// `savings / reference_total` (null when the reference is zero).
    pub rate: Option<f64>,
}

fn savings(processes: u64, reference: Decimal, paid: Decimal) -> Option<Savings> {
    (processes > 0).then(|| Savings {
        processes,
        reference_total: reference,
        final_total: paid,
        savings: reference - paid,
        rate: ratio(reference - paid, reference),
    })
}

fn ratio(numerator: Decimal, denominator: Decimal) -> Option<f64> {
    if denominator.is_zero() {
        return None;
    }
    numerator
        .checked_div(denominator)
        .and_then(|r| r.round_dp(6).to_f64())
}

fn ratio_u(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| ((numerator as f64 / denominator as f64) * 1e6).round() / 1e6)
}

/// One row of market indicators.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketRow {
    /// Year.
    pub year: i32,
    /// Buyer (absent = all buyers).
    pub buyer: Option<String>,
    /// Category (absent = all categories).
    pub category: Option<String>,
    /// Processes.
    pub processes: u64,
    /// Distinct awarded suppliers.
    pub suppliers: u64,
    /// Suppliers awarded in this scope for the first time this year (null in the scope's first
    /// year: no history to compare with).
    pub new_entrants: Option<u64>,
    /// Share of awarded value of the 4 largest suppliers.
    pub top4_share: Option<f64>,
    /// Share of the 10 largest.
    pub top10_share: Option<f64>,
    /// Herfindahl–Hirschman index on value shares in percent (0–10 000).
    pub hhi: Option<f64>,
    /// Competitive processes with bidder counts.
    pub competitive_processes: u64,
    /// Share of those with a single bidder.
    pub single_bid_rate: Option<f64>,
    /// Share of processes that are direct purchases.
    pub direct_share_by_count: Option<f64>,
    /// Share of awarded value that went through direct purchases.
    pub direct_share_by_value: Option<f64>,
    /// Mean bidders per process with bidder counts.
    pub average_bidders: Option<f64>,
    /// Awarded value in the main currency.
    pub awarded_value: Decimal,
    /// Auction savings (initial vs final best price).
    pub auction_savings: Option<Savings>,
    /// Savings of awards against estimates.
    pub estimate_savings: Option<Savings>,
}

/// The market part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarketReport {
    /// The currency of every amount.
    pub currency: Option<String>,
    /// Processes left out for lack of a year.
    pub processes_without_year: u64,
    /// Rows, by year, buyer, category (roll-ups first).
    pub rows: Vec<MarketRow>,
    /// Unit price benchmarks.
    pub prices: PriceReport,
}

/// Per scope (buyer, category): its first year and each supplier's first year.
type FirstYears = FxHashMap<(u32, u32), (i32, FxHashMap<u32, i32>)>;

/// Computes the rows.
pub fn finalize(acc: MarketAccumulator, reference: Option<&ReferencePrices>) -> MarketReport {
    let name = |interner: &Interner, id: u32| interner.name(id).map(str::to_string);
    // Rows ordered by names (numbers depend on which thread saw a name first).
    let mut cells: Vec<(Option<String>, Option<String>, CellKey, Cell)> = acc
        .cells
        .into_iter()
        .map(|(k, c)| {
            (
                name(&acc.buyers, k.buyer),
                name(&acc.categories, k.category),
                k,
                c,
            )
        })
        .collect();
    cells.sort_by(|a, b| (a.2.year, &a.0, &a.1).cmp(&(b.2.year, &b.0, &b.1)));
    let mut first_year: FirstYears = FxHashMap::default();
    for (_, _, key, cell) in &cells {
        let scope = first_year
            .entry((key.buyer, key.category))
            .or_insert((key.year, FxHashMap::default()));
        scope.0 = scope.0.min(key.year);
        for supplier in cell.supplier_values.keys() {
            let year = scope.1.entry(*supplier).or_insert(key.year);
            *year = (*year).min(key.year);
        }
    }
    let rows = cells
        .into_iter()
        .map(|(buyer, category, key, cell)| {
            let scope = &first_year[&(key.buyer, key.category)];
            let new_entrants = (key.year > scope.0).then(|| {
                cell.supplier_values
                    .keys()
                    .filter(|s| scope.1.get(*s) == Some(&key.year))
                    .count() as u64
            });
            let mut values: Vec<Decimal> = cell.supplier_values.values().copied().collect();
            values.sort_unstable_by(|a, b| b.cmp(a));
            let total: Decimal = values.iter().sum();
            let top = |n: usize| ratio(values.iter().take(n).sum(), total);
            let hhi = if total.is_zero() {
                None
            } else {
                let sum: Decimal = values
                    .iter()
                    .filter_map(|v| {
                        v.checked_mul(Decimal::ONE_HUNDRED)
                            .and_then(|x| x.checked_div(total))
                    })
                    .map(|share| share * share)
                    .sum();
                sum.round_dp(4).to_f64()
            };
            MarketRow {
                year: key.year,
                buyer,
                category,
                processes: cell.processes,
                suppliers: cell.supplier_values.len() as u64,
                new_entrants,
                top4_share: top(4),
                top10_share: top(10),
                hhi,
                competitive_processes: cell.competitive_with_bids,
                single_bid_rate: ratio_u(cell.competitive_single_bid, cell.competitive_with_bids),
                direct_share_by_count: ratio_u(cell.direct_processes, cell.processes),
                direct_share_by_value: ratio(cell.direct_value, cell.awarded_value),
                average_bidders: ratio_u(cell.bidders, cell.processes_with_bidders),
                awarded_value: cell.awarded_value,
                auction_savings: savings(
                    cell.auction_processes,
                    cell.auction_initial,
                    cell.auction_final,
                ),
                estimate_savings: savings(
                    cell.estimate_processes,
                    cell.estimate_total,
                    cell.estimate_awarded,
                ),
            }
        })
        .collect();
    let currency = acc.currency.map(String::from);
    MarketReport {
        prices: crate::prices::finalize(acc.prices, reference, currency.as_deref()),
        currency,
        processes_without_year: acc.without_year,
        rows,
    }
}
