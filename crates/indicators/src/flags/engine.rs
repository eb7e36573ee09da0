//! The per-process fold: compiled settings ([`Engine`]) and per-thread state ([`Accumulator`]).
//!
//! Each `rXXX` function follows the reference's definition line by line (Cardinal 0.0.8,
//! `src/indicators/rXXX.rs`), and where the reference silently skips a process, it records why
//! ([`Reason`]), which is the "not applicable" count of issue 6.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::DateTime;
use rustc_hash::FxHashMap;

use super::{Detail, FlaggedProcess, Fraction, Indicator, LateBidFigures, Pos, ProcessFlag};
use crate::market::MarketAccumulator;
use crate::release::{Award, Bid, Release};
use crate::settings::{Settings, pipe_set};

/// Why an indicator could not be evaluated on a process. Codes are stable (they key the
/// report's `not_applicable` counts and the explanation messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// `tender/tenderPeriod/startDate` or `endDate` missing.
    MissingTenderPeriod,
    /// A date is not RFC 3339.
    InvalidDate,
    /// `tender/procurementMethod` is not among the indicator's methods.
    MethodNotSelected,
    /// `tender/numberOfTenderers` missing or not a number.
    MissingNumberOfTenderers,
    /// Prices of this `procurementMethodDetails` are not compared (settings).
    NoPriceComparison,
    /// No `bids/details` array.
    MissingBids,
    /// No `awards` array.
    MissingAwards,
    /// An award is still pending, so results would not be stable.
    AwardsNotFinal,
    /// Not exactly one active award (lots are needed to know which bids compete).
    NotOneActiveAward,
    /// The award does not have exactly one supplier with an id.
    NotOneSupplier,
    /// No valid bid of the winner in the main currency.
    NoWinningBid,
    /// No other valid bid in the main currency.
    NoOtherBid,
    /// The lowest bid did not win: the award criteria are not price only.
    LowestBidLost,
    /// Fewer than two bids with an amount and tenderers.
    FewerThanTwoPricedBids,
    /// `tender/tenderPeriod/endDate` missing.
    MissingTenderEndDate,
    /// No active award.
    NoActiveAward,
    /// No valid bid with an amount in the main currency.
    NoValidPricedBid,
    /// No submitted (pending, valid or disqualified) bid.
    NoSubmittedBids,
    /// Not exactly one valid tenderer, or it is not the supplier.
    NotOneValidWinner,
    /// No active single-supplier award with classified items.
    NoClassifiedItems,
    /// Fewer than two bidders with party details.
    NoPartyDetails,
    /// Not a direct award with a value and a date.
    NotDirectAward,
    /// Fewer than two bidders with a price.
    FewerThanTwoBidders,
}

impl Reason {
    /// Every reason (for fixed-size counters).
    pub const ALL: [Reason; 23] = [
        Reason::MissingTenderPeriod,
        Reason::InvalidDate,
        Reason::MethodNotSelected,
        Reason::MissingNumberOfTenderers,
        Reason::NoPriceComparison,
        Reason::MissingBids,
        Reason::MissingAwards,
        Reason::AwardsNotFinal,
        Reason::NotOneActiveAward,
        Reason::NotOneSupplier,
        Reason::NoWinningBid,
        Reason::NoOtherBid,
        Reason::LowestBidLost,
        Reason::FewerThanTwoPricedBids,
        Reason::MissingTenderEndDate,
        Reason::NoActiveAward,
        Reason::NoValidPricedBid,
        Reason::NoSubmittedBids,
        Reason::NotOneValidWinner,
        Reason::NoClassifiedItems,
        Reason::NoPartyDetails,
        Reason::NotDirectAward,
        Reason::FewerThanTwoBidders,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Reason::MissingTenderPeriod => "missing_tender_period",
            Reason::InvalidDate => "invalid_date",
            Reason::MethodNotSelected => "procurement_method_not_selected",
            Reason::MissingNumberOfTenderers => "missing_number_of_tenderers",
            Reason::NoPriceComparison => "no_price_comparison_method",
            Reason::MissingBids => "missing_bids",
            Reason::MissingAwards => "missing_awards",
            Reason::AwardsNotFinal => "awards_not_final",
            Reason::NotOneActiveAward => "not_one_active_award",
            Reason::NotOneSupplier => "not_one_supplier",
            Reason::NoWinningBid => "no_winning_bid",
            Reason::NoOtherBid => "no_other_valid_bid",
            Reason::LowestBidLost => "lowest_bid_did_not_win",
            Reason::FewerThanTwoPricedBids => "fewer_than_two_priced_bids",
            Reason::MissingTenderEndDate => "missing_tender_end_date",
            Reason::NoActiveAward => "no_active_award",
            Reason::NoValidPricedBid => "no_valid_priced_bid",
            Reason::NoSubmittedBids => "no_submitted_bids",
            Reason::NotOneValidWinner => "not_one_valid_winner",
            Reason::NoClassifiedItems => "no_classified_items",
            Reason::NoPartyDetails => "no_party_details",
            Reason::NotDirectAward => "not_a_direct_award",
            Reason::FewerThanTwoBidders => "fewer_than_two_bidders",
        }
    }
}

/// Counts per indicator: evaluated, flagged, not applicable by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applicability {
    /// Processes on which the indicator could be evaluated.
    pub evaluated: [u64; Indicator::ALL.len()],
    /// Not applicable, `[indicator][reason]`.
    pub not_applicable: [[u64; Reason::ALL.len()]; Indicator::ALL.len()],
}

impl Applicability {
    fn add(&mut self, other: &Applicability) {
        for i in 0..Indicator::ALL.len() {
            self.evaluated[i] += other.evaluated[i];
            for r in 0..Reason::ALL.len() {
                self.not_applicable[i][r] += other.not_applicable[i][r];
            }
        }
    }

    #[inline]
    fn ok(&mut self, indicator: Indicator) {
        self.evaluated[indicator.index()] += 1;
    }

    #[inline]
    fn na(&mut self, indicator: Indicator, reason: Reason) {
        self.not_applicable[indicator.index()][reason as usize] += 1;
    }
}

/// Processes skipped before any indicator, by cause (the reference skips them silently).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Valid JSON that is not an object.
    pub not_an_object: u64,
    /// No string `ocid`.
    pub missing_ocid: u64,
    /// `tender/status` is `cancelled`.
    pub cancelled: u64,
    /// `tender/procurementMethodDetails` is in `[exclusions]`.
    pub excluded: u64,
}

/// A malformed line: reported with its position and a stable code, never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIssue {
    /// Position.
    pub pos: Pos,
    /// `input.invalid_json` or `input.invalid_utf8`.
    pub code: &'static str,
    /// serde_json's message (with the column).
    pub message: String,
}

/// The winning and second-lowest bids of a process (the reference's `SecondLowestBidRatio`),
/// the input of R024 and R058.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceGap {
    /// Position.
    pub pos: Pos,
    /// `/ocid`.
    pub ocid: Box<str>,
    /// Lot, when evaluated per lot (extended mode).
    pub lot: Option<Box<str>>,
    /// The winner (interned: a few thousand names recur in hundreds of thousands of gaps).
    pub winner: Arc<str>,
    /// The lowest non-winning valid bidder.
    pub runner_up: Arc<str>,
    /// Winner's (lowest) amount.
    pub winning_amount: f64,
    /// Runner-up's amount.
    pub second_amount: f64,
    /// `(second − winning) / winning`.
    pub ratio: f64,
}

/// Per-thread state of the fold.
#[derive(Debug, Default)]
pub struct Accumulator {
    /// The main currency once known.
    pub currency: Option<Box<str>>,
    /// Lines read, per block: `(block, lines)`.
    pub block_lines: Vec<(u32, u32)>,
    /// Processes evaluated (not skipped).
    pub processes: u64,
    /// Skipped processes.
    pub skipped: Skipped,
    /// Malformed lines.
    pub issues: Vec<LineIssue>,
    /// Processes with process-level flags.
    pub flagged: Vec<FlaggedProcess>,
    /// R024/R058 inputs.
    pub price_gaps: Vec<PriceGap>,
    /// R038: disqualified / submitted bids per buyer.
    pub r038_buyer: FxHashMap<Box<str>, Fraction>,
    /// R038: per procuring entity.
    pub r038_procuring_entity: FxHashMap<Box<str>, Fraction>,
    /// Tenderers and suppliers with their R025, R038 and R048 counts (one lookup per
    /// organisation and process instead of one per indicator).
    pub tenderers: Tenderers,
    /// `--map`: tenderers per process (only with R025, R038 or R048, as the reference).
    pub map_tenderers: Vec<(Pos, Box<str>, Vec<Box<str>>)>,
    /// `--map`: buyer of processes with a disqualified bid.
    pub map_buyer_r038: Vec<(Pos, Box<str>, Box<str>)>,
    /// `--map`: procuring entity of processes with a disqualified bid.
    pub map_procuring_entity_r038: Vec<(Pos, Box<str>, Box<str>)>,
    /// Counts of applicability.
    pub applicability: Applicability,
    /// Tianguis additions (R044, R055, abnormally low price).
    pub beyond: super::beyond::BeyondAccumulator,
    /// Market indicators.
    pub market: MarketAccumulator,
}

/// Per-organisation counts of the tenderer-level indicators.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TendererStats {
    /// R025: processes won / processes with a valid bid.
    pub r025: Fraction,
    /// R038: disqualified bids / submitted bids.
    pub r038: Fraction,
    /// R048: processes won with classified items.
    pub r048_processes: u64,
    /// R048: classification prefixes of those items (numbers in [`Tenderers::codes`]), sorted
    /// (a short sorted list is cheaper than a hash set at these sizes).
    pub r048_codes: Vec<u32>,
}

impl TendererStats {
    fn merge(&mut self, other: TendererStats, code_map: &[u32]) {
        self.r025.add(other.r025.numerator, other.r025.denominator);
        self.r038.add(other.r038.numerator, other.r038.denominator);
        self.r048_processes += other.r048_processes;
        self.r048_codes
            .extend(other.r048_codes.into_iter().map(|c| code_map[c as usize]));
        self.r048_codes.sort_unstable();
        self.r048_codes.dedup();
    }
}

/// Organisation ids of one thread, numbered, with their counts. Names are shared (`Arc`) so
/// flags and price gaps refer to them without copying.
#[derive(Debug, Default)]
pub struct Tenderers {
    index: FxHashMap<Arc<str>, u32>,
    /// Names by number.
    pub names: Vec<Arc<str>>,
    /// Counts by number.
    pub stats: Vec<TendererStats>,
    code_index: FxHashMap<Box<str>, u32>,
    /// R048 classification prefixes by number.
    pub codes: Vec<Box<str>>,
}

impl Tenderers {
    /// The number of an id, adding it if new.
    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        let shared: Arc<str> = Arc::from(name);
        self.names.push(shared.clone());
        self.index.insert(shared, i);
        self.stats.push(TendererStats::default());
        i
    }

    /// The counts of an id.
    pub fn stats(&mut self, name: &str) -> &mut TendererStats {
        let i = self.id(name) as usize;
        &mut self.stats[i]
    }

    /// The shared name of an id.
    pub fn shared(&mut self, name: &str) -> Arc<str> {
        let i = self.id(name) as usize;
        self.names[i].clone()
    }

    /// The number of a classification prefix, adding it if new.
    pub fn code(&mut self, prefix: &str) -> u32 {
        if let Some(&i) = self.code_index.get(prefix) {
            return i;
        }
        let i = self.codes.len() as u32;
        self.codes.push(prefix.into());
        self.code_index.insert(prefix.into(), i);
        i
    }

    fn merge(&mut self, other: Tenderers) {
        if self.names.is_empty() {
            *self = other;
            return;
        }
        let code_map: Vec<u32> = other.codes.iter().map(|c| self.code(c)).collect();
        for (name, stats) in other.names.into_iter().zip(other.stats) {
            let i = self.id(&name) as usize;
            self.stats[i].merge(stats, &code_map);
        }
    }

    /// `(name, counts)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &TendererStats)> {
        self.names.iter().zip(&self.stats)
    }
}

impl Accumulator {
    /// Sorts this thread's lists by file position, so the final sort only merges sorted runs
    /// (the sorting then happens on the worker threads, in parallel).
    pub fn sort_by_position(&mut self) {
        self.flagged.sort_by_key(|p| p.pos);
        self.price_gaps.sort_by_key(|g| g.pos);
    }

    /// The shared copy of an organisation id.
    pub fn intern(&mut self, name: &str) -> Arc<str> {
        self.tenderers.shared(name)
    }

    /// Merges another thread's state. Every merge is commutative, so the result does not
    /// depend on which thread read which block.
    pub fn merge(&mut self, mut other: Accumulator) {
        self.block_lines.append(&mut other.block_lines);
        self.processes += other.processes;
        self.skipped.not_an_object += other.skipped.not_an_object;
        self.skipped.missing_ocid += other.skipped.missing_ocid;
        self.skipped.cancelled += other.skipped.cancelled;
        self.skipped.excluded += other.skipped.excluded;
        self.issues.append(&mut other.issues);
        append(&mut self.flagged, other.flagged);
        append(&mut self.price_gaps, other.price_gaps);
        for (map, theirs) in [
            (&mut self.r038_buyer, other.r038_buyer),
            (&mut self.r038_procuring_entity, other.r038_procuring_entity),
        ] {
            for (key, fraction) in theirs {
                map.entry(key)
                    .or_default()
                    .add(fraction.numerator, fraction.denominator);
            }
        }
        self.tenderers.merge(other.tenderers);
        self.map_tenderers.append(&mut other.map_tenderers);
        self.map_buyer_r038.append(&mut other.map_buyer_r038);
        self.map_procuring_entity_r038
            .append(&mut other.map_procuring_entity_r038);
        self.applicability.add(&other.applicability);
        self.beyond.merge(other.beyond);
        self.market.merge(other.market);
        if self.currency.is_none() {
            self.currency = other.currency;
        }
    }
}

/// Compiled settings: what to compute and with which parameters.
#[derive(Debug, Clone)]
pub struct Engine {
    /// The source settings.
    pub settings: Settings,
    /// Keep explanation figures (the JSON report) or not (`--format cardinal`).
    pub detailed: bool,
    /// Evaluate lots, `relatedBid`, consortia and `parties/identifier` (the JSON report).
    pub extended: bool,
    /// Build `--map` data.
    pub map: bool,
    pub(crate) exclude_details: BTreeSet<String>,
    pub(crate) price_include: BTreeSet<String>,
    pub(crate) price_exclude: BTreeSet<String>,
    pub(crate) r003_methods: BTreeSet<String>,
    pub(crate) r018_methods: BTreeSet<String>,
    pub(crate) price_gap: bool,
    pub(crate) r035_threshold: usize,
    pub(crate) r048_digits: usize,
    pub(crate) map_tenderers: bool,
    pub(crate) beyond: super::beyond::BeyondConfig,
    pub(crate) market: Option<crate::market::MarketConfig>,
}

/// What the per-process helpers return when a step fails: the reason, or nothing to count.
type Step<T> = Result<T, Reason>;

impl Engine {
    /// Compiles settings. `detailed` keeps figures for explanations; `extended` enables the
    /// evaluations beyond the reference (lots, consortia, party identifiers) and the market
    /// indicators; `map` builds the reference's `Maps`.
    pub fn new(settings: &Settings, detailed: bool, extended: bool, map: bool) -> Engine {
        let s = settings.clone();
        let r003_methods = pipe_set(
            s.r003
                .as_ref()
                .and_then(|r| r.procurement_methods.as_deref()),
        );
        let r018_methods = pipe_set(Some(
            s.r018
                .as_ref()
                .and_then(|r| r.procurement_methods.as_deref())
                .unwrap_or("open|selective"),
        ));
        let market = (extended && s.market.enabled).then(|| crate::market::MarketConfig::new(&s));
        Engine {
            exclude_details: pipe_set(s.exclude_procurement_method_details.as_deref()),
            price_include: pipe_set(s.price_comparison_procurement_methods.as_deref()),
            price_exclude: pipe_set(s.no_price_comparison_procurement_methods.as_deref()),
            r003_methods,
            r018_methods,
            price_gap: s.r024.is_some() || s.r058.is_some(),
            r035_threshold: s
                .r035
                .as_ref()
                .and_then(|r| r.threshold)
                .unwrap_or(1)
                .max(1),
            r048_digits: s.r048.as_ref().and_then(|r| r.digits).unwrap_or(2),
            map_tenderers: map && (s.r025.is_some() || s.r038.is_some() || s.r048.is_some()),
            beyond: super::beyond::BeyondConfig::new(&s, extended),
            market,
            settings: s,
            detailed,
            extended,
            map,
        }
    }

    /// Whether the main currency must be pinned by reading in file order (the reference's
    /// "first observed currency" rule applies when no `currency` is set).
    pub fn needs_pinned_currency(&self) -> bool {
        self.settings.currency.is_none()
            && (self.price_gap || self.settings.r036 || self.market.is_some())
    }

    /// Whether the accumulator still lacks a currency that must be pinned in file order.
    pub fn currency_pending(&self, acc: &Accumulator) -> bool {
        self.settings.currency.is_none()
            && (((self.price_gap || self.settings.r036) && acc.currency.is_none())
                || (self.market.is_some() && acc.market.currency.is_none()))
    }

    /// A fresh accumulator.
    pub fn accumulator(
        &self,
        currency: Option<Box<str>>,
        market_currency: Option<Box<str>>,
    ) -> Accumulator {
        let configured = self.settings.currency.as_deref().map(Box::from);
        let mut acc = Accumulator {
            currency: currency.or_else(|| configured.clone()),
            ..Accumulator::default()
        };
        acc.market.currency = market_currency.or(configured);
        acc
    }

    /// Parses and folds one block of lines.
    pub fn process_block(&self, block: &crate::input::Block, acc: &mut Accumulator) {
        let mut count = 0;
        for (line, bytes) in crate::input::lines(&block.data) {
            count = line + 1;
            let pos = Pos {
                block: block.index,
                line,
            };
            let bytes = if pos == Pos::default() {
                bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
            } else {
                bytes
            };
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let parsed = match std::str::from_utf8(bytes) {
                Ok(text) => Release::parse_fields(text, !self.extended)
                    .map_err(|e| ("input.invalid_json", e.to_string())),
                Err(e) => Err(("input.invalid_utf8", e.to_string())),
            };
            match parsed {
                Ok(release) => self.process(&release, pos, acc),
                Err((code, message)) => acc.issues.push(LineIssue { pos, code, message }),
            }
        }
        acc.block_lines.push((block.index, count));
    }

    /// Folds one process.
    pub fn process(&self, r: &Release<'_>, pos: Pos, acc: &mut Accumulator) {
        if !r.is_object {
            acc.skipped.not_an_object += 1;
            return;
        }
        let Some(ocid) = r.ocid.get() else {
            acc.skipped.missing_ocid += 1;
            return;
        };
        if r.tender.status.get() == Some("cancelled") {
            acc.skipped.cancelled += 1;
            return;
        }
        if let Some(details) = r.tender.procurement_method_details.get()
            && self.exclude_details.contains(details)
        {
            acc.skipped.excluded += 1;
            return;
        }
        acc.processes += 1;
        let mut flags: Vec<ProcessFlag> = Vec::new();
        let s = &self.settings;

        // The reference's order: SecondLowestBidRatio (may pin the currency), then R003…R058.
        if self.price_gap {
            self.price_gap(r, ocid, pos, acc);
        }
        if s.r003.is_some() {
            self.r003(r, acc, &mut flags);
        }
        if s.r018.is_some() {
            self.r018(r, acc, &mut flags);
        }
        if s.r025.is_some() {
            self.r025(r, acc);
        }
        if s.r028 {
            self.r028(r, acc, &mut flags);
        }
        if s.r030 {
            self.r030(r, acc, &mut flags);
        }
        if s.r035.is_some() {
            self.r035(r, acc, &mut flags);
        }
        if s.r036 {
            self.r036(r, acc, &mut flags);
        }
        if s.r038.is_some() {
            self.r038(r, ocid, pos, acc);
        }
        if s.r048.is_some() {
            self.r048(r, acc);
        }
        if self.map_tenderers {
            let mut ids: Vec<Box<str>> = Vec::new();
            for bid in submitted_bids(r) {
                for t in bid.tenderers.items() {
                    if let Some(id) = t.id.get() {
                        ids.push(id.into());
                    }
                }
            }
            acc.map_tenderers.push((pos, ocid.into(), ids));
        }
        if self.extended {
            super::beyond::process(self, r, ocid, pos, acc, &mut flags);
            if let Some(market) = &self.market {
                market.process(r, ocid, pos, acc.currency.as_deref(), &mut acc.market);
            }
        }
        if !flags.is_empty() {
            flags.shrink_to_fit();
            acc.flagged.push(FlaggedProcess {
                pos,
                line: 0,
                ocid: ocid.into(),
                // Only the report shows it; the reference's output does not need the copy.
                buyer: if self.detailed {
                    r.buyer.id.get().map(Box::from)
                } else {
                    None
                },
                flags,
            });
        }
    }

    /// The reference's `matches_procurement_method_details` with the price-comparison lists.
    pub(crate) fn compares_prices(&self, r: &Release<'_>) -> bool {
        match r.tender.procurement_method_details.get() {
            Some(details) if self.price_include.is_empty() => !self.price_exclude.contains(details),
            Some(details) => self.price_include.contains(details),
            None => self.price_include.is_empty(),
        }
    }

    /// Whether `currency` is the main one, pinning it if none is known yet (the reference's
    /// `get_or_insert_with`).
    #[inline]
    pub(crate) fn is_main_currency(acc_currency: &mut Option<Box<str>>, currency: &str) -> bool {
        match acc_currency {
            Some(main) => **main == *currency,
            None => {
                *acc_currency = Some(currency.into());
                true
            }
        }
    }

    fn price_gap(&self, r: &Release<'_>, ocid: &str, pos: Pos, acc: &mut Accumulator) {
        let result = self.price_gap_step(r, acc);
        if self.extended
            && matches!(
                result,
                Err(Reason::NotOneActiveAward | Reason::NotOneSupplier)
            )
            && super::beyond::lot_price_gaps(r, ocid, pos, acc)
        {
            // Evaluated per lot (extended mode); counted as applicable.
            for indicator in [Indicator::R024, Indicator::R058] {
                let enabled = match indicator {
                    Indicator::R024 => self.settings.r024.is_some(),
                    _ => self.settings.r058.is_some(),
                };
                if enabled {
                    acc.applicability.ok(indicator);
                }
            }
            return;
        }
        for indicator in [Indicator::R024, Indicator::R058] {
            let enabled = match indicator {
                Indicator::R024 => self.settings.r024.is_some(),
                _ => self.settings.r058.is_some(),
            };
            if enabled {
                match &result {
                    Ok(_) => acc.applicability.ok(indicator),
                    Err(reason) => acc.applicability.na(indicator, *reason),
                }
            }
        }
        if let Ok((winner, winning_amount, runner_up, second_amount)) = result {
            acc.price_gaps.push(PriceGap {
                pos,
                ocid: ocid.into(),
                lot: None,
                winner,
                runner_up,
                winning_amount,
                second_amount,
                ratio: (second_amount - winning_amount) / winning_amount,
            });
        }
    }

    fn price_gap_step(
        &self,
        r: &Release<'_>,
        acc: &mut Accumulator,
    ) -> Step<(Arc<str>, f64, Arc<str>, f64)> {
        if !self.compares_prices(r) {
            return Err(Reason::NoPriceComparison);
        }
        let (complete, details) = complete_awards(r)?;
        let supplier = single_supplier(complete)?;
        let mut winner: Option<(&str, f64)> = None;
        let mut other: Option<(&str, f64)> = None;
        for bid in details {
            let Some((tenderer, amount, currency)) = valid_bid(bid) else {
                continue;
            };
            if !Engine::is_main_currency(&mut acc.currency, currency) {
                continue;
            }
            let slot = if tenderer == supplier {
                &mut winner
            } else {
                &mut other
            };
            match slot {
                Some((_, lowest)) if amount >= *lowest => {}
                _ => *slot = Some((tenderer, amount)),
            }
        }
        let (w, wa) = winner.ok_or(Reason::NoWinningBid)?;
        let (o, oa) = other.ok_or(Reason::NoOtherBid)?;
        // If the lowest bid did not win, the award criteria are not price only.
        if oa >= wa {
            Ok((acc.intern(w), wa, acc.intern(o), oa))
        } else {
            Err(Reason::LowestBidLost)
        }
    }

    fn r003(&self, r: &Release<'_>, acc: &mut Accumulator, flags: &mut Vec<ProcessFlag>) {
        let t = &r.tender;
        if !matches_method(t.procurement_method.get(), &self.r003_methods) {
            return acc
                .applicability
                .na(Indicator::R003, Reason::MethodNotSelected);
        }
        let (Some(start), Some(end)) = (
            t.tender_period.start_date.get(),
            t.tender_period.end_date.get(),
        ) else {
            return acc
                .applicability
                .na(Indicator::R003, Reason::MissingTenderPeriod);
        };
        let (Ok(start), Ok(end)) = (
            DateTime::parse_from_rfc3339(start),
            DateTime::parse_from_rfc3339(end),
        ) else {
            return acc.applicability.na(Indicator::R003, Reason::InvalidDate);
        };
        acc.applicability.ok(Indicator::R003);
        let days = (end - start).num_days();
        let settings = self.settings.r003.as_ref();
        let per_details = t.procurement_method_details.get().and_then(|d| {
            settings
                .and_then(|s| s.procurement_method_details.as_ref())
                .and_then(|m| m.get(d))
                .map(|days| (d, *days))
        });
        let threshold = per_details
            .map(|(_, days)| days)
            .unwrap_or_else(|| settings.and_then(|s| s.threshold).unwrap_or(15));
        if days < threshold {
            flags.push(ProcessFlag {
                indicator: Indicator::R003,
                value: 1.0,
                tenderers: Vec::new(),
                lot: None,
                detail: super::boxed(if self.detailed {
                    Detail::SubmissionPeriod {
                        days,
                        threshold,
                        method_details: per_details.map(|(d, _)| d.to_string()),
                    }
                } else {
                    Detail::None
                }),
            });
        }
    }

    fn r018(&self, r: &Release<'_>, acc: &mut Accumulator, flags: &mut Vec<ProcessFlag>) {
        let t = &r.tender;
        if !matches_method(t.procurement_method.get(), &self.r018_methods) {
            return acc
                .applicability
                .na(Indicator::R018, Reason::MethodNotSelected);
        }
        if t.number_of_tenderers.text().is_none() {
            return acc
                .applicability
                .na(Indicator::R018, Reason::MissingNumberOfTenderers);
        }
        acc.applicability.ok(Indicator::R018);
        if t.number_of_tenderers.u64().unwrap_or_default() == 1 {
            flags.push(ProcessFlag {
                indicator: Indicator::R018,
                value: 1.0,
                tenderers: Vec::new(),
                lot: None,
                detail: super::boxed(if self.detailed {
                    Detail::SingleBid {
                        method: t.procurement_method.get().map(str::to_string),
                    }
                } else {
                    Detail::None
                }),
            });
        }
    }

    fn r025(&self, r: &Release<'_>, acc: &mut Accumulator) {
        let step = || -> Step<(&str, Vec<&str>)> {
            let (complete, details) = complete_awards(r)?;
            let supplier = single_supplier(complete)?;
            let mut valid: Vec<&str> = Vec::new();
            for bid in details {
                if bid.status.get() == Some("valid")
                    && let [tenderer] = bid.tenderers.items()
                    && let Some(id) = tenderer.id.get()
                    && !valid.contains(&id)
                {
                    valid.push(id);
                }
            }
            Ok((supplier, valid))
        };
        match step() {
            Err(reason) => acc.applicability.na(Indicator::R025, reason),
            Ok((supplier, valid)) => {
                acc.applicability.ok(Indicator::R025);
                // Each tenderer counts once per process, whatever its number of bids.
                for id in valid {
                    acc.tenderers
                        .stats(id)
                        .r025
                        .add(u64::from(id == supplier), 1);
                }
            }
        }
    }

    fn r028(&self, r: &Release<'_>, acc: &mut Accumulator, flags: &mut Vec<ProcessFlag>) {
        if !self.compares_prices(r) {
            return acc
                .applicability
                .na(Indicator::R028, Reason::NoPriceComparison);
        }
        // (amount with -0 = 0, currency) → the tenderers of the last bid at that price.
        // A short list beats a hash map at the usual handful of bids.
        let mut prices: Vec<((u64, &str), Vec<&str>)> = Vec::new();
        let mut flagged: Vec<&str> = Vec::new();
        let mut hit: Option<(f64, &str)> = None;
        let mut priced = 0;
        for bid in submitted_bids(r) {
            if !bid.tenderers.is_array() {
                continue;
            }
            let (Some(amount), Some(currency)) = (bid.value.amount.f64(), bid.value.currency.get())
            else {
                continue;
            };
            let mut ids: Vec<&str> = bid
                .tenderers
                .items()
                .iter()
                .filter_map(|t| t.id.get())
                .collect();
            if ids.is_empty() {
                continue;
            }
            priced += 1;
            ids.sort_unstable();
            ids.dedup();
            let key = (
                if amount == 0.0 { 0.0f64 } else { amount }.to_bits(),
                currency,
            );
            match prices.iter_mut().find(|(k, _)| *k == key) {
                Some((_, other)) => {
                    // A tenderer may submit several bids at the same price.
                    if *other != ids {
                        flagged.extend(ids.iter().copied());
                        flagged.extend(other.iter().copied());
                        hit.get_or_insert((amount, currency));
                    }
                    *other = ids;
                }
                None => prices.push((key, ids)),
            }
        }
        if priced < 2 {
            return acc
                .applicability
                .na(Indicator::R028, Reason::FewerThanTwoPricedBids);
        }
        acc.applicability.ok(Indicator::R028);
        if let Some((amount, currency)) = hit {
            flagged.sort_unstable();
            flagged.dedup();
            flags.push(ProcessFlag {
                indicator: Indicator::R028,
                value: 1.0,
                tenderers: flagged.iter().map(|s| acc.tenderers.shared(s)).collect(),
                lot: None,
                detail: super::boxed(if self.detailed {
                    Detail::IdenticalPrices {
                        amount,
                        currency: currency.to_string(),
                        tenderers: flagged.iter().map(|s| s.to_string()).collect(),
                    }
                } else {
                    Detail::None
                }),
            });
        }
    }

    fn r030(&self, r: &Release<'_>, acc: &mut Accumulator, flags: &mut Vec<ProcessFlag>) {
        let Some(end_date) = r.tender.tender_period.end_date.get() else {
            return acc
                .applicability
                .na(Indicator::R030, Reason::MissingTenderEndDate);
        };
        let Some(awards) = r.awards.as_slice() else {
            return acc.applicability.na(Indicator::R030, Reason::MissingAwards);
        };
        let Some(details) = r.bids.details.as_slice() else {
            return acc.applicability.na(Indicator::R030, Reason::MissingBids);
        };
        acc.applicability.ok(Indicator::R030);
        let mut suppliers: Vec<&str> = Vec::new();
        for award in awards {
            if award.status.get() == Some("active") && award.suppliers.is_array() {
                suppliers.extend(award.suppliers.items().iter().filter_map(|s| s.id.get()));
            }
        }
        let mut late: Vec<&str> = Vec::new();
        let mut first_date: Option<&str> = None;
        for bid in details {
            if bid.status.get() == Some("valid")
                && let Some(date) = bid.date.get()
                && bid.tenderers.is_array()
                // A string comparison, as the reference (RFC 3339 dates in one time zone).
                && date > end_date
            {
                for t in bid.tenderers.items() {
                    if let Some(id) = t.id.get()
                        && suppliers.contains(&id)
                    {
                        late.push(id);
                        first_date.get_or_insert(date);
                    }
                }
            }
        }
        if !late.is_empty() {
            late.sort_unstable();
            late.dedup();
            flags.push(ProcessFlag {
                indicator: Indicator::R030,
                value: 1.0,
                tenderers: late.iter().map(|s| acc.tenderers.shared(s)).collect(),
                lot: None,
                detail: super::boxed(if self.detailed {
                    Detail::LateBid(Box::new(LateBidFigures {
                        tenderer: late.join(", "),
                        bid_date: first_date.unwrap_or_default().to_string(),
                        end_date: end_date.to_string(),
                    }))
                } else {
                    Detail::None
                }),
            });
        }
    }

    fn r035(&self, r: &Release<'_>, acc: &mut Accumulator, flags: &mut Vec<ProcessFlag>) {
        let (complete, details) = match complete_awards(r) {
            Ok(found) => found,
            Err(reason) => return acc.applicability.na(Indicator::R035, reason),
        };
        let mut suppliers: Vec<&str> = Vec::new();
        for award in complete.iter() {
            suppliers.extend(award.suppliers.items().iter().filter_map(|s| s.id.get()));
        }
        suppliers.sort_unstable();
        suppliers.dedup();
        let mut valid: Vec<&str> = Vec::new();
        let mut disqualified: Vec<&str> = Vec::new();
        for bid in details {
            if !bid.tenderers.is_array() {
                continue;
            }
            let set = match bid.status.get() {
                Some("valid") => &mut valid,
                Some("disqualified") => &mut disqualified,
                _ => continue,
            };
            set.extend(bid.tenderers.items().iter().filter_map(|t| t.id.get()));
        }
        valid.sort_unstable();
        valid.dedup();
        // Not applicable to several tenderers or winners: aggregating bids into one award and
        // signing several contracts is not a red flag.
        if valid.len() != 1 || valid != suppliers {
            return acc
                .applicability
                .na(Indicator::R035, Reason::NotOneValidWinner);
        }
        acc.applicability.ok(Indicator::R035);
        disqualified.sort_unstable();
        disqualified.dedup();
        let difference = disqualified.iter().filter(|d| **d != valid[0]).count();
        if difference >= self.r035_threshold {
            flags.push(ProcessFlag {
                indicator: Indicator::R035,
                value: difference as f64,
                tenderers: vec![acc.tenderers.shared(valid[0])],
                lot: None,
                detail: super::boxed(if self.detailed {
                    Detail::OthersDisqualified {
                        winner: valid[0].to_string(),
                        disqualified: difference,
                    }
                } else {
                    Detail::None
                }),
            });
        }
    }

    fn r036(&self, r: &Release<'_>, acc: &mut Accumulator, flags: &mut Vec<ProcessFlag>) {
        if !self.compares_prices(r) {
            return acc
                .applicability
                .na(Indicator::R036, Reason::NoPriceComparison);
        }
        let Some(awards) = r.awards.as_slice() else {
            return acc.applicability.na(Indicator::R036, Reason::MissingAwards);
        };
        if !awards.iter().any(|a| a.status.get() == Some("active")) {
            return acc.applicability.na(Indicator::R036, Reason::NoActiveAward);
        }
        let mut lowest: Option<(f64, bool)> = None;
        let mut has_valid = false;
        for bid in submitted_bids(r) {
            let (Some(status), Some(amount), Some(currency)) = (
                bid.status.get(),
                bid.value.amount.f64(),
                bid.value.currency.get(),
            ) else {
                continue;
            };
            if !Engine::is_main_currency(&mut acc.currency, currency) {
                continue;
            }
            match lowest {
                Some((low, _)) if amount >= low => {}
                _ => lowest = Some((amount, status == "disqualified")),
            }
            if status == "valid" {
                has_valid = true;
            }
        }
        if !has_valid {
            return acc
                .applicability
                .na(Indicator::R036, Reason::NoValidPricedBid);
        }
        acc.applicability.ok(Indicator::R036);
        if let Some((amount, true)) = lowest {
            flags.push(ProcessFlag {
                indicator: Indicator::R036,
                value: 1.0,
                tenderers: Vec::new(),
                lot: None,
                detail: super::boxed(if self.detailed {
                    Detail::LowestDisqualified {
                        amount,
                        currency: acc.currency.as_deref().unwrap_or_default().to_string(),
                    }
                } else {
                    Detail::None
                }),
            });
        }
    }

    fn r038(&self, r: &Release<'_>, ocid: &str, pos: Pos, acc: &mut Accumulator) {
        let mut submitted = 0u64;
        let mut disqualified = 0u64;
        for bid in submitted_bids(r) {
            submitted += 1;
            let increment = u64::from(bid.status.get() == Some("disqualified"));
            disqualified += increment;
            for t in bid.tenderers.items() {
                if let Some(id) = t.id.get() {
                    acc.tenderers.stats(id).r038.add(increment, 1);
                }
            }
        }
        if submitted == 0 {
            return acc
                .applicability
                .na(Indicator::R038, Reason::NoSubmittedBids);
        }
        acc.applicability.ok(Indicator::R038);
        if let Some(id) = r.buyer.id.get() {
            add_fraction(&mut acc.r038_buyer, id, disqualified, submitted);
            if self.map && disqualified > 0 {
                acc.map_buyer_r038.push((pos, ocid.into(), id.into()));
            }
        }
        if let Some(id) = r.tender.procuring_entity.id.get() {
            add_fraction(&mut acc.r038_procuring_entity, id, disqualified, submitted);
            if self.map && disqualified > 0 {
                acc.map_procuring_entity_r038
                    .push((pos, ocid.into(), id.into()));
            }
        }
    }

    fn r048(&self, r: &Release<'_>, acc: &mut Accumulator) {
        let mut observed: Vec<&str> = Vec::new();
        for award in r.awards.items() {
            if award.status.get() == Some("active")
                && award.items.is_array()
                && let [supplier] = award.suppliers.items()
                && let Some(supplier) = supplier.id.get()
            {
                for item in award.items.items() {
                    if let Some(code) = item.classification.id.get() {
                        let cut = code
                            .char_indices()
                            .nth(self.r048_digits)
                            .map_or(code.len(), |(i, _)| i);
                        let prefix = &code[..cut];
                        let code = acc.tenderers.code(prefix);
                        let entry = acc.tenderers.stats(supplier);
                        // A supplier counts at most once per process.
                        if !observed.contains(&supplier) {
                            observed.push(supplier);
                            entry.r048_processes += 1;
                        }
                        if let Err(at) = entry.r048_codes.binary_search(&code) {
                            entry.r048_codes.insert(at, code);
                        }
                    }
                }
            }
        }
        if observed.is_empty() {
            acc.applicability
                .na(Indicator::R048, Reason::NoClassifiedItems);
        } else {
            acc.applicability.ok(Indicator::R048);
        }
    }
}

/// Appends without the doubling growth of `Vec::append` (these lists hold most of the memory).
fn append<T>(into: &mut Vec<T>, mut other: Vec<T>) {
    if into.is_empty() {
        *into = other;
    } else {
        into.reserve_exact(other.len());
        into.append(&mut other);
    }
}

/// Adds to a per-organisation fraction without allocating a key when it exists.
#[inline]
pub(crate) fn add_fraction(
    map: &mut FxHashMap<Box<str>, Fraction>,
    id: &str,
    numerator: u64,
    denominator: u64,
) {
    match map.get_mut(id) {
        Some(f) => f.add(numerator, denominator),
        None => {
            let mut f = Fraction::default();
            f.add(numerator, denominator);
            map.insert(id.into(), f);
        }
    }
}

/// The reference's `matches_procurement_method`: an empty set matches everything; otherwise the
/// method must be present and listed.
pub(crate) fn matches_method(method: Option<&str>, set: &BTreeSet<String>) -> bool {
    set.is_empty() || method.is_some_and(|m| set.contains(m))
}

/// Submitted bids: status pending, valid or disqualified (any status string but `invited` and
/// `withdrawn`), as the reference's `get_submitted_bids`.
pub(crate) fn submitted_bids<'r, 'a>(r: &'r Release<'a>) -> impl Iterator<Item = &'r Bid<'a>> {
    r.bids.details.items().iter().filter(|b| {
        b.status
            .get()
            .is_some_and(|s| s != "invited" && s != "withdrawn")
    })
}

/// The reference's `get_complete_awards_and_bids_if_all_awards_final`: active awards and the
/// bids, if no award is pending (awards without a status string are ignored).
pub(crate) fn complete_awards<'r, 'a>(
    r: &'r Release<'a>,
) -> Step<(CompleteAwards<'r, 'a>, &'r [Bid<'a>])> {
    let awards = r.awards.as_slice().ok_or(Reason::MissingAwards)?;
    let details = r.bids.details.as_slice().ok_or(Reason::MissingBids)?;
    for award in awards {
        match award.status.get() {
            Some("active" | "cancelled" | "unsuccessful") | None => {}
            Some(_) => return Err(Reason::AwardsNotFinal),
        }
    }
    Ok((CompleteAwards(awards), details))
}

/// The active awards of a process whose awards are all final (a view, to allocate nothing).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CompleteAwards<'r, 'a>(&'r [Award<'a>]);

impl<'r, 'a> CompleteAwards<'r, 'a> {
    /// The active awards.
    pub(crate) fn iter(self) -> impl Iterator<Item = &'r Award<'a>> {
        self.0.iter().filter(|a| a.status.get() == Some("active"))
    }

    /// How many.
    pub(crate) fn len(self) -> usize {
        self.iter().count()
    }
}

/// The single supplier of the single complete award (the reference's simple case).
pub(crate) fn single_supplier<'r>(complete: CompleteAwards<'r, '_>) -> Step<&'r str> {
    let mut active = complete.iter();
    let (Some(award), None) = (active.next(), active.next()) else {
        return Err(Reason::NotOneActiveAward);
    };
    match award.suppliers.items() {
        [supplier] if award.suppliers.is_array() => supplier.id.get().ok_or(Reason::NotOneSupplier),
        _ => Err(Reason::NotOneSupplier),
    }
}

/// A valid bid with one tenderer id, an amount and a currency (the reference's
/// `get_tenderer_and_value_of_valid_bids`).
pub(crate) fn valid_bid<'r>(bid: &'r Bid<'_>) -> Option<(&'r str, f64, &'r str)> {
    if bid.status.get() != Some("valid") {
        return None;
    }
    let [tenderer] = bid.tenderers.items() else {
        return None;
    };
    Some((
        tenderer.id.get()?,
        bid.value.amount.f64()?,
        bid.value.currency.get()?,
    ))
}
