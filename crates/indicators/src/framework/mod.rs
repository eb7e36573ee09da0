//! Red flags for framework agreements (*contratos abiertos*) and their call-offs (*pedidos
//! derivados*), issue 14.
//!
//! Unlike the rest of this crate, these flags do not read OCDS: the platform fills plain facts
//! ([`AgreementFacts`]) from its database and calls [`evaluate`], which is pure (no clock, no
//! I/O) and independent of the order of lots, items, parties, call-offs and skips. The result
//! ([`Evaluation`]) holds the flags raised ([`FrameworkFlag`], each with its subject, the figures
//! that raised it and [`FrameworkFlag::explain`] in Spanish or English) and, per indicator, a
//! [`Check`]: how many subjects were evaluated, how many flags were raised and where it was not
//! applicable and why — the same three answers the OCDS indicators give in [`crate::report`].
//!
//! | code | issue 14 | subject | flagged when |
//! |---|---|---|---|
//! | FA01 | 1 | a unit on a lot | ≥ 2 call-offs of one unit on one lot placed at most `split_window_days` apart, each below the mini-competition threshold, together at or above it |
//! | FA02 | 2 | a call-off | a cascade call-off was filled after a better rank was skipped without a valid reason |
//! | FA03 | 2 | a supplier | a party received ≥ `skip_pattern_minimum` call-offs after such skips |
//! | FA04 | 3 | a lot | with ≥ 2 parties and ≥ `concentration_minimum_call_offs` filled call-offs, one party's share of the call-off value is above `concentration_share` |
//! | FA05 | 4 | an item | ordered quantity > estimated quantity |
//! | FA06 | 4 | an item or the agreement | ordered quantity or value ≥ `near_maximum_share` of the maximum |
//! | FA07 | 5 | the agreement | its period, after extensions, is longer than the rulebook's maximum |
//!
//! Thresholds are [`FrameworkSettings`] (section `[framework]` of the settings file). Money and
//! quantities are [`Decimal`]; every comparison is exact.
//!
//! Sources: issue 14; EU Directive 2014/24 art. 33 as read by the Court of Justice in C-23/20
//! (*Simonsen & Weel*, 2021): the notice must state the estimated **and** the maximum quantity
//! or value, and once the maximum is reached the agreement has no further effect (FA05, FA06);
//! ProZorro's price quotations pass the award to the next offer when the winner does not confirm
//! within 2 working days (`openprocurement.api`, `tendering/pricequotation/overview.rst`), the
//! cascade of FA02/FA03; ChileCompra's Convenio Marco sends purchases above 1,000 UTM to a
//! "Grandes Compras" mini-competition, the threshold that FA01 watches; ProZorro's closed
//! framework agreements last at most 4 years and UN long-term agreements at most 3 (UNAIDS
//! procurement manual §10.5), the kind of rulebook maximum FA07 checks.

mod explain;
mod rules;
#[cfg(test)]
mod tests;

use std::fmt;

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use crate::settings::FrameworkSettings;
pub use explain::{CheckReport, FrameworkFlagReport, FrameworkReport};

/// The decline codes that justify passing a cascade call-off to the next rank (issue 14). A
/// supplier that cannot fill a call-off declines with one of these; anything else — silence
/// until the confirmation window closes, the code `other`, no code, or a code not listed
/// here — leaves the skip unjustified (FA02, FA03).
///
/// * `out_of_stock` — no stock to deliver in the call-off's terms;
/// * `production_capacity` — the order exceeds what the supplier can produce in time;
/// * `force_majeure` — an event outside the supplier's control;
/// * `product_discontinued` — the offered product is no longer made;
/// * `regulatory` — a sanitary registration or other permit was suspended or lapsed.
///
/// This is the one list; the platform's decline form and its checks should read it from here.
pub const VALID_DECLINE_CODES: [&str; 5] = [
    "out_of_stock",
    "production_capacity",
    "force_majeure",
    "product_discontinued",
    "regulatory",
];

/// Whether a decline code is one of [`VALID_DECLINE_CODES`] (exact, case-sensitive: codes are
/// stored, not typed).
pub fn is_valid_decline_code(code: &str) -> bool {
    VALID_DECLINE_CODES.contains(&code)
}

// ------------------------------------------------------------------------------------------
// Input facts
// ------------------------------------------------------------------------------------------

/// How a lot's call-offs are placed (issue 14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOffMethod {
    /// To the first-ranked supplier.
    Direct,
    /// Offered to rank 1 with a confirmation window; a decline or silence passes it to the
    /// next rank.
    Cascade,
    /// Sealed bids or a reverse auction among the lot's parties.
    MiniCompetition,
}

impl CallOffMethod {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            CallOffMethod::Direct => "direct",
            CallOffMethod::Cascade => "cascade",
            CallOffMethod::MiniCompetition => "mini_competition",
        }
    }
}

/// A framework agreement as the platform knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementFacts {
    /// The agreement's ocid.
    pub ocid: String,
    /// Its title.
    pub title: String,
    /// The currency of every amount in these facts.
    pub currency: String,
    /// The rulebook's longest allowed duration, in months (`[methods.framework]
    /// max_duration_months`).
    pub max_duration_months: u32,
    /// First day in force.
    pub period_start: NaiveDate,
    /// Last day in force (inclusive), after every extension.
    pub period_end: NaiveDate,
    /// The exception cited to extend it past the maximum, if any.
    pub extension_exception: Option<String>,
    /// Call-offs of this value or more must go to a mini-competition; `None` if the rulebook
    /// sets no such threshold.
    pub mini_competition_threshold: Option<Decimal>,
    /// The agreement's maximum value, if it states one.
    pub max_value: Option<Decimal>,
    /// The value ordered so far.
    pub ordered_value: Decimal,
    /// Its lots.
    pub lots: Vec<LotFacts>,
    /// Its call-offs (every status that has placed an order).
    pub call_offs: Vec<CallOffFacts>,
}

/// A lot of an agreement. Lot ids are unique within an agreement (if one is repeated, the
/// first lot with it is used and the answer may depend on the order of lots).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LotFacts {
    /// Lot id.
    pub id: String,
    /// How its call-offs are placed.
    pub method: CallOffMethod,
    /// The suppliers that are party to it, with their rank.
    pub parties: Vec<PartyFacts>,
    /// Its items.
    pub items: Vec<ItemFacts>,
}

/// A supplier that is party to a lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyFacts {
    /// The supplier's id on the platform.
    pub supplier_id: i64,
    /// Its name.
    pub name: String,
    /// Its rank in the lot (1 = first).
    pub rank: u32,
}

/// An item of a lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemFacts {
    /// Item id.
    pub id: String,
    /// Its description.
    pub description: String,
    /// The estimated quantity the notice stated (C-23/20: it must state one).
    pub estimated_qty: Option<Decimal>,
    /// The maximum quantity, if the agreement caps it per item.
    pub max_qty: Option<Decimal>,
    /// The quantity ordered so far by call-offs.
    pub ordered_qty: Decimal,
}

/// A call-off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallOffFacts {
    /// The call-off's ocid.
    pub ocid: String,
    /// The lot it orders from.
    pub lot_id: String,
    /// The unit that placed it.
    pub unit_code: String,
    /// The day it was placed.
    pub placed_on: NaiveDate,
    /// Its value.
    pub value: Decimal,
    /// How it was placed.
    pub method_used: CallOffMethod,
    /// The supplier that fills it (`None` while no one has accepted it).
    pub supplier_id: Option<i64>,
    /// The ranks it passed over in a cascade, in any order.
    pub skips: Vec<SkipFacts>,
}

/// A rank passed over by a cascade call-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkipFacts {
    /// The skipped party's rank.
    pub rank: u32,
    /// The skipped supplier.
    pub supplier_id: i64,
    /// Why it was passed over.
    pub reason: SkipReason,
}

/// Why a cascade passed a rank over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkipReason {
    /// The confirmation window closed without an answer.
    NoResponse,
    /// The supplier declined, with a reason code or none.
    Declined {
        /// The code (see [`VALID_DECLINE_CODES`]).
        code: Option<String>,
    },
}

impl SkipReason {
    /// Whether it justifies passing the call-off on: only a decline with a valid code.
    pub fn is_valid(&self) -> bool {
        matches!(self, SkipReason::Declined { code: Some(code) } if is_valid_decline_code(code))
    }
}

// ------------------------------------------------------------------------------------------
// Indicators and reasons
// ------------------------------------------------------------------------------------------

/// A framework-agreement red flag. Codes `FA01`–`FA07` follow the order of issue 14's list
/// (its point 2 and point 4 have two flags each: different subjects, thresholds and words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum FrameworkIndicator {
    /// FA01: call-offs split to stay under the mini-competition threshold.
    #[serde(rename = "FA01")]
    SplitCallOffs,
    /// FA02: a cascade call-off skipped better ranks without a valid reason.
    #[serde(rename = "FA02")]
    SkippedRanks,
    /// FA03: the same party repeatedly benefits from such skips.
    #[serde(rename = "FA03")]
    SkipPattern,
    /// FA04: call-offs concentrated on one party of a multi-supplier lot.
    #[serde(rename = "FA04")]
    Concentration,
    /// FA05: ordered quantity above the estimate.
    #[serde(rename = "FA05")]
    AboveEstimate,
    /// FA06: use near (or at, or past) the maximum quantity or value.
    #[serde(rename = "FA06")]
    NearMaximum,
    /// FA07: agreement longer than the rulebook's maximum duration.
    #[serde(rename = "FA07")]
    BeyondMaximumDuration,
}

impl FrameworkIndicator {
    /// Every indicator, in output order.
    pub const ALL: [FrameworkIndicator; 7] = [
        FrameworkIndicator::SplitCallOffs,
        FrameworkIndicator::SkippedRanks,
        FrameworkIndicator::SkipPattern,
        FrameworkIndicator::Concentration,
        FrameworkIndicator::AboveEstimate,
        FrameworkIndicator::NearMaximum,
        FrameworkIndicator::BeyondMaximumDuration,
    ];

    /// The code as printed (and as the explanation messages are keyed).
    pub fn code(self) -> &'static str {
        match self {
            FrameworkIndicator::SplitCallOffs => "FA01",
            FrameworkIndicator::SkippedRanks => "FA02",
            FrameworkIndicator::SkipPattern => "FA03",
            FrameworkIndicator::Concentration => "FA04",
            FrameworkIndicator::AboveEstimate => "FA05",
            FrameworkIndicator::NearMaximum => "FA06",
            FrameworkIndicator::BeyondMaximumDuration => "FA07",
        }
    }

    /// Index for fixed-size per-indicator tables.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for FrameworkIndicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why an indicator could not be evaluated on a subject. Codes are stable and distinct from
/// the OCDS indicators' reasons (they share the `reason-` messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameworkReason {
    /// The agreement has no call-offs yet (FA01–FA03).
    NoCallOffs,
    /// The agreement has no lots (FA04).
    NoLots,
    /// The agreement's lots have no items (FA05).
    NoItems,
    /// The rulebook sets no mini-competition threshold (FA01).
    NoMiniCompetitionThreshold,
    /// The call-off was itself a mini-competition (FA01).
    MiniCompetitionUsed,
    /// The call-off was not placed by cascade (FA02).
    NotACascade,
    /// No supplier has accepted the call-off yet (FA02).
    NotFilled,
    /// No cascade call-off has been filled (FA03).
    NoCascadeCallOffs,
    /// The lot has a single party (FA04).
    SingleSupplierLot,
    /// Fewer filled call-offs on the lot than the minimum (FA04).
    TooFewCallOffs,
    /// The lot's filled call-offs add up to zero (FA04).
    NoCallOffValue,
    /// The item states no estimated quantity (FA05).
    NoEstimatedQuantity,
    /// No maximum quantity or value, or not a positive one (FA06).
    NoMaximum,
    /// The period ends before it starts (FA07).
    InvalidPeriod,
}

impl FrameworkReason {
    /// Every reason.
    pub const ALL: [FrameworkReason; 14] = [
        FrameworkReason::NoCallOffs,
        FrameworkReason::NoLots,
        FrameworkReason::NoItems,
        FrameworkReason::NoMiniCompetitionThreshold,
        FrameworkReason::MiniCompetitionUsed,
        FrameworkReason::NotACascade,
        FrameworkReason::NotFilled,
        FrameworkReason::NoCascadeCallOffs,
        FrameworkReason::SingleSupplierLot,
        FrameworkReason::TooFewCallOffs,
        FrameworkReason::NoCallOffValue,
        FrameworkReason::NoEstimatedQuantity,
        FrameworkReason::NoMaximum,
        FrameworkReason::InvalidPeriod,
    ];

    /// Stable code (keys the `reason-` message).
    pub fn code(self) -> &'static str {
        match self {
            FrameworkReason::NoCallOffs => "no_call_offs",
            FrameworkReason::NoLots => "no_lots",
            FrameworkReason::NoItems => "no_items",
            FrameworkReason::NoMiniCompetitionThreshold => "no_mini_competition_threshold",
            FrameworkReason::MiniCompetitionUsed => "mini_competition_used",
            FrameworkReason::NotACascade => "not_a_cascade",
            FrameworkReason::NotFilled => "not_filled",
            FrameworkReason::NoCascadeCallOffs => "no_cascade_call_offs",
            FrameworkReason::SingleSupplierLot => "single_supplier_lot",
            FrameworkReason::TooFewCallOffs => "too_few_call_offs",
            FrameworkReason::NoCallOffValue => "no_call_off_value",
            FrameworkReason::NoEstimatedQuantity => "no_estimated_quantity",
            FrameworkReason::NoMaximum => "no_maximum",
            FrameworkReason::InvalidPeriod => "invalid_period",
        }
    }
}

// ------------------------------------------------------------------------------------------
// Results
// ------------------------------------------------------------------------------------------

/// Who or what a flag is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    /// The agreement itself (FA06 on value, FA07).
    Agreement {
        /// Its ocid.
        ocid: String,
    },
    /// A lot (FA04).
    Lot {
        /// Lot id.
        lot_id: String,
    },
    /// An item of a lot (FA05, FA06 on quantity).
    Item {
        /// Lot id.
        lot_id: String,
        /// Item id.
        item_id: String,
        /// Its description.
        description: String,
    },
    /// One call-off (FA02).
    CallOff {
        /// Its ocid.
        ocid: String,
        /// Its lot.
        lot_id: String,
        /// The unit that placed it.
        unit_code: String,
    },
    /// A unit's call-offs on a lot (FA01).
    UnitOnLot {
        /// The unit.
        unit_code: String,
        /// The lot.
        lot_id: String,
    },
    /// A supplier across the agreement (FA03).
    Supplier {
        /// Its id on the platform.
        supplier_id: i64,
        /// Its name.
        name: String,
    },
}

/// A supplier as named in a flag.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PartyRef {
    /// Its id on the platform.
    pub supplier_id: i64,
    /// Its name (`#id` when the facts do not name it).
    pub name: String,
    /// Its rank in the lot concerned, when known.
    pub rank: Option<u32>,
}

/// A call-off as listed in a flag.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CallOffRef {
    /// The day it was placed.
    pub placed_on: NaiveDate,
    /// Its ocid.
    pub ocid: String,
    /// Its value.
    pub value: Decimal,
}

/// Figures of FA01.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SplitFigures {
    /// The first day of the group.
    pub first: NaiveDate,
    /// The last day of the group.
    pub last: NaiveDate,
    /// The call-offs, by day.
    pub call_offs: Vec<CallOffRef>,
    /// Their total.
    pub total: Decimal,
    /// The mini-competition threshold.
    pub threshold: Decimal,
    /// The window, in days.
    pub window_days: i64,
    /// The currency.
    pub currency: String,
}

/// Why a skip was not justified (FA02).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UnjustifiedReason {
    /// No answer within the confirmation window.
    NoResponse,
    /// A decline whose code is not a valid reason (`other` or unknown).
    Declined {
        /// The code given.
        code: String,
    },
    /// A decline without a code.
    DeclinedWithoutReason,
    /// A better-ranked party of the lot with no skip recorded at all.
    Unrecorded,
}

/// One skip without a valid reason.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct UnjustifiedSkip {
    /// The party passed over.
    pub party: PartyRef,
    /// Why it does not count as justified.
    pub reason: UnjustifiedReason,
}

/// Figures of FA02.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SkippedRanksFigures {
    /// Who filled the call-off.
    pub filled_by: PartyRef,
    /// The skips without a valid reason, by rank.
    pub skips: Vec<UnjustifiedSkip>,
    /// The call-off's value.
    pub value: Decimal,
    /// The currency.
    pub currency: String,
}

/// Figures of FA03.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SkipPatternFigures {
    /// The call-offs it received after unjustified skips, by day.
    pub call_offs: Vec<CallOffRef>,
    /// Their total value.
    pub value: Decimal,
    /// The suppliers passed over, by id.
    pub skipped: Vec<PartyRef>,
    /// The pattern's minimum.
    pub minimum: usize,
    /// The currency.
    pub currency: String,
}

/// Figures of FA04.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ConcentrationFigures {
    /// The party the call-offs concentrate on.
    pub supplier: PartyRef,
    /// Its share of the lot's call-off value (4 decimals).
    pub share: Decimal,
    /// The share above which a lot is concentrated.
    pub threshold: Decimal,
    /// The value of its call-offs.
    pub supplier_value: Decimal,
    /// The value of all filled call-offs of the lot.
    pub total_value: Decimal,
    /// How many call-offs it filled.
    pub supplier_call_offs: usize,
    /// How many call-offs of the lot are filled.
    pub call_offs: usize,
    /// How many parties the lot has.
    pub parties: usize,
    /// The lot's call-off method.
    pub method: CallOffMethod,
    /// The currency.
    pub currency: String,
}

/// Figures of FA05.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AboveEstimateFigures {
    /// Quantity ordered.
    pub ordered: Decimal,
    /// Estimated quantity.
    pub estimated: Decimal,
    /// How much above it, in percent (2 decimals; `None` when the estimate is zero).
    pub percent_above: Option<Decimal>,
}

/// What FA06 compares with the maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MaximumBasis {
    /// An item's quantity.
    Quantity,
    /// The agreement's value.
    Value,
}

/// Where the use stands against the maximum (FA06).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MaximumState {
    /// At or above the threshold share, below the maximum.
    Near,
    /// Exactly the maximum: the agreement has no further effect (C-23/20).
    Reached,
    /// Beyond the maximum.
    Exceeded,
}

impl MaximumState {
    /// Stable code (selects the explanation's wording).
    pub fn code(self) -> &'static str {
        match self {
            MaximumState::Near => "near",
            MaximumState::Reached => "reached",
            MaximumState::Exceeded => "exceeded",
        }
    }
}

/// Figures of FA06.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct NearMaximumFigures {
    /// Quantity of an item or value of the agreement.
    pub basis: MaximumBasis,
    /// Near, reached or exceeded.
    pub state: MaximumState,
    /// Ordered quantity or value.
    pub ordered: Decimal,
    /// The maximum.
    pub maximum: Decimal,
    /// Ordered / maximum (4 decimals).
    pub share: Decimal,
    /// The share from which use is near the maximum.
    pub threshold: Decimal,
    /// The currency, for the value.
    pub currency: Option<String>,
}

/// Figures of FA07.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DurationFigures {
    /// First day.
    pub start: NaiveDate,
    /// Last day, after extensions.
    pub end: NaiveDate,
    /// Whole months in force.
    pub months: u32,
    /// Days beyond the whole months.
    pub days: u32,
    /// The rulebook's maximum, in months.
    pub max_months: u32,
    /// The exception cited, if any.
    pub exception: Option<String>,
}

/// The figures that raised a flag, for its explanation and for the page.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Figures {
    /// FA01.
    Split(Box<SplitFigures>),
    /// FA02.
    SkippedRanks(Box<SkippedRanksFigures>),
    /// FA03.
    SkipPattern(Box<SkipPatternFigures>),
    /// FA04.
    Concentration(Box<ConcentrationFigures>),
    /// FA05.
    AboveEstimate(Box<AboveEstimateFigures>),
    /// FA06.
    NearMaximum(Box<NearMaximumFigures>),
    /// FA07.
    Duration(Box<DurationFigures>),
}

/// One flag raised.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FrameworkFlag {
    /// Which (serialised as its code, `FA01`…).
    pub indicator: FrameworkIndicator,
    /// What it is about.
    pub subject: Subject,
    /// The numbers that raised it.
    pub figures: Figures,
}

impl FrameworkFlag {
    /// The indicator's code.
    pub fn code(&self) -> &'static str {
        self.indicator.code()
    }

    /// The explanation in a language, with the figures plugged in.
    pub fn explain(&self, lang: crate::Lang) -> String {
        self.explain_with(&crate::explain::Explainer::new(lang))
    }

    /// The explanation with an explainer already built (one per page, not one per flag).
    pub fn explain_with(&self, explainer: &crate::explain::Explainer) -> String {
        explain::explain(explainer, self)
    }
}

/// How often an indicator was not applicable for one reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReasonTally {
    /// Why.
    pub reason: FrameworkReason,
    /// On how many subjects.
    pub count: u64,
}

/// The verdict of one indicator on an agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum Status {
    /// At least one flag.
    Flagged,
    /// Evaluated on at least one subject, no flag.
    NotFlagged,
    /// Nothing could be evaluated; the most frequent reason.
    NotApplicable(FrameworkReason),
}

impl Status {
    /// Stable code: `flagged`, `not_flagged`, `not_applicable`.
    pub fn code(self) -> &'static str {
        match self {
            Status::Flagged => "flagged",
            Status::NotFlagged => "not_flagged",
            Status::NotApplicable(_) => "not_applicable",
        }
    }
}

/// What one indicator did on an agreement. Subjects are counted in the indicator's own unit:
/// call-offs (FA01, FA02), suppliers (FA03), lots (FA04), items (FA05), items and the
/// agreement's value (FA06), the agreement (FA07).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Which.
    pub indicator: FrameworkIndicator,
    /// Subjects evaluated.
    pub evaluated: u64,
    /// Flags raised.
    pub flagged: u64,
    /// Subjects not evaluated, by reason, most frequent first.
    pub not_applicable: Vec<ReasonTally>,
}

impl Check {
    /// Flagged, not flagged, or not applicable and why.
    pub fn status(&self) -> Status {
        if self.flagged > 0 {
            Status::Flagged
        } else if self.evaluated > 0 {
            Status::NotFlagged
        } else {
            // Every indicator records a reason whenever it evaluates nothing.
            Status::NotApplicable(
                self.not_applicable
                    .first()
                    .map_or(FrameworkReason::NoCallOffs, |r| r.reason),
            )
        }
    }
}

/// The red flags of one agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// The agreement's ocid.
    pub ocid: String,
    /// The flags, by indicator, then subject.
    pub flags: Vec<FrameworkFlag>,
    /// One check per indicator, in [`FrameworkIndicator::ALL`] order.
    pub checks: Vec<Check>,
}

impl Evaluation {
    /// The check of one indicator.
    pub fn check(&self, indicator: FrameworkIndicator) -> &Check {
        &self.checks[indicator.index()]
    }

    /// The flags of one indicator.
    pub fn flags_of(
        &self,
        indicator: FrameworkIndicator,
    ) -> impl Iterator<Item = &FrameworkFlag> + '_ {
        self.flags.iter().filter(move |f| f.indicator == indicator)
    }

    /// The report in a language: names, explanations and reasons in words.
    pub fn report(&self, lang: crate::Lang) -> FrameworkReport {
        explain::report(self, &crate::explain::Explainer::new(lang))
    }
}

/// Evaluates every framework-agreement red flag on one agreement.
///
/// Pure and total: any facts give an answer (inconsistent ones are not applicable, never a
/// panic), and the answer does not depend on the order of lots, parties, items, call-offs or
/// skips (lot ids being unique). Call-offs, skips and parties may name lots and suppliers the
/// facts do not list: a supplier without a name is shown as `#id`, a rank as unknown.
pub fn evaluate(facts: &AgreementFacts, settings: &FrameworkSettings) -> Evaluation {
    rules::evaluate(facts, settings)
}

/// Whole months and remaining days an agreement is in force, `period_end` inclusive (2025-01-01
/// to 2026-12-31 is 24 months and 0 days). `None` if it ends before it starts or the dates are
/// out of range. Months are calendar months from the start day, clamped to the month's end
/// (from 31 January, one month ends on the last day of February).
pub fn duration_in_force(start: NaiveDate, end: NaiveDate) -> Option<(u32, u32)> {
    if end < start {
        return None;
    }
    let after = end.succ_opt()?;
    let add = |m: u32| start.checked_add_months(Months::new(m));
    let diff = (month_index(after) - month_index(start)).max(0);
    let mut months = u32::try_from(diff).ok()?;
    while months > 0 && add(months)? > after {
        months -= 1;
    }
    while add(months + 1).is_some_and(|d| d <= after) {
        months += 1;
    }
    let days = (after - add(months)?).num_days();
    Some((months, u32::try_from(days).ok()?))
}

/// Whether an agreement in force from `start` to `end` (inclusive) lasts longer than
/// `max_months` (FA07; the same rule the platform applies before it refuses an extension).
pub fn exceeds_maximum_duration(start: NaiveDate, end: NaiveDate, max_months: u32) -> bool {
    match duration_in_force(start, end) {
        Some((months, days)) => months > max_months || (months == max_months && days > 0),
        None => false,
    }
}

/// Months since year 0, to start counting near the answer.
fn month_index(day: NaiveDate) -> i64 {
    use chrono::Datelike;
    i64::from(day.year()) * 12 + i64::from(day.month0())
}
