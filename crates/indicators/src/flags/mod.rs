//! Red flags: the indicators of the OCP red-flag calculator (Cardinal 0.0.8) with the same
//! definitions and numbers, and Tianguis's additions (issue 6).
//!
//! The computation is a fold over processes into per-thread [`Accumulator`]s whose merge is
//! commutative (counts, sets, lists sorted by file position at the end), followed by
//! [`finalize`](finalize::finalize), which computes quartiles and fences over the whole
//! dataset. That is why the output never depends on thread scheduling (issue 6, "Key facts"):
//! the reference's one order-dependent choice, the main currency when none is configured, is
//! made by reading the file sequentially until it is known (see [`crate::run`]).
//!
//! Module layout: [`engine`] holds the compiled settings and the per-process fold, one function
//! per indicator in the reference's order; [`finalize`] turns accumulators into results;
//! [`beyond`] has R044, R055 and the abnormally-low-price flag; [`extended`] evaluates lots,
//! `relatedBid` and consortia that the reference skips.

pub mod beyond;
pub mod engine;
pub mod extended;
pub mod finalize;

use std::fmt;

use serde::Serialize;

/// A red flag. Codes are those of the OCP red-flag catalogue used by the reference, plus `ALP`
/// (the auction issue's abnormally low price).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Indicator {
    /// Short submission period.
    R003,
    /// Single bid received.
    R018,
    /// Price close to winning bid.
    R024,
    /// Excessive unsuccessful bids.
    R025,
    /// Identical bid prices.
    R028,
    /// Late bid won.
    R030,
    /// All except winning bid disqualified.
    R035,
    /// Lowest bid disqualified.
    R036,
    /// Excessive disqualified bids.
    R038,
    /// Business similarities between bidders.
    R044,
    /// Heterogeneous supplier.
    R048,
    /// Direct awards split below the competitive threshold.
    R055,
    /// Heavily discounted bid.
    R058,
    /// Abnormally low price (issue 4).
    #[serde(rename = "ALP")]
    Alp,
}

impl Indicator {
    /// Every indicator, in output order.
    pub const ALL: [Indicator; 14] = [
        Indicator::R003,
        Indicator::R018,
        Indicator::R024,
        Indicator::R025,
        Indicator::R028,
        Indicator::R030,
        Indicator::R035,
        Indicator::R036,
        Indicator::R038,
        Indicator::R044,
        Indicator::R048,
        Indicator::R055,
        Indicator::R058,
        Indicator::Alp,
    ];

    /// The code as printed.
    pub fn code(self) -> &'static str {
        match self {
            Indicator::R003 => "R003",
            Indicator::R018 => "R018",
            Indicator::R024 => "R024",
            Indicator::R025 => "R025",
            Indicator::R028 => "R028",
            Indicator::R030 => "R030",
            Indicator::R035 => "R035",
            Indicator::R036 => "R036",
            Indicator::R038 => "R038",
            Indicator::R044 => "R044",
            Indicator::R048 => "R048",
            Indicator::R055 => "R055",
            Indicator::R058 => "R058",
            Indicator::Alp => "ALP",
        }
    }

    /// Whether the reference calculator has it (and `--format cardinal` prints it).
    pub fn in_cardinal(self) -> bool {
        !matches!(self, Indicator::R044 | Indicator::R055 | Indicator::Alp)
    }

    /// Index for fixed-size per-indicator tables.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Indicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Who a result is about: the reference's groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Group {
    /// A contracting process (`/ocid`).
    #[serde(rename = "OCID")]
    Ocid,
    /// `/buyer/id`.
    Buyer,
    /// `/tender/procuringEntity/id`.
    ProcuringEntity,
    /// `/bids/details[]/tenderers[]/id`.
    Tenderer,
}

impl Group {
    /// The key as printed by the reference.
    pub fn key(self) -> &'static str {
        match self {
            Group::Ocid => "OCID",
            Group::Buyer => "Buyer",
            Group::ProcuringEntity => "ProcuringEntity",
            Group::Tenderer => "Tenderer",
        }
    }
}

/// A line's position: `(block, line within block)`. Orders results by file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// Block index.
    pub block: u32,
    /// Line within the block, from 0.
    pub line: u32,
}

/// The figures that raised a flag, for the plain-language explanation (issue 6: "with the
/// values that triggered it").
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Detail {
    /// No figures kept (`--format cardinal` skips them for speed).
    None,
    /// R003.
    SubmissionPeriod {
        /// Whole days between start and end.
        days: i64,
        /// The minimum.
        threshold: i64,
        /// `tender/procurementMethodDetails`, if it set the threshold.
        method_details: Option<String>,
    },
    /// R018.
    SingleBid {
        /// `tender/procurementMethod`.
        method: Option<String>,
    },
    /// R024 and R058: the gap between the winning and the second-lowest bid.
    PriceGap(Box<PriceGapFigures>),
    /// R028.
    IdenticalPrices {
        /// The repeated amount.
        amount: f64,
        /// Its currency.
        currency: String,
        /// The tenderers who bid it.
        tenderers: Vec<String>,
    },
    /// R030.
    LateBid(Box<LateBidFigures>),
    /// R035.
    OthersDisqualified {
        /// The only valid tenderer, who won.
        winner: String,
        /// How many other tenderers were disqualified.
        disqualified: usize,
    },
    /// R036.
    LowestDisqualified {
        /// The lowest amount, which was disqualified.
        amount: f64,
        /// Its currency.
        currency: String,
    },
    /// R025, R038 (tenderer, buyer or procuring entity) and R048.
    Ratio {
        /// The organisation's value.
        value: f64,
        /// The fence it crossed.
        fence: f64,
        /// Numerator (wins, disqualified bids, categories).
        numerator: u64,
        /// Denominator (bids or processes).
        denominator: u64,
    },
    /// R044.
    Similarity(Box<SimilarityFigures>),
    /// R055.
    SplitPurchase(Box<SplitPurchaseFigures>),
    /// The abnormally-low-price flag.
    AbnormallyLow(Box<AbnormallyLowFigures>),
}

/// Figures of [`Detail::PriceGap`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceGapFigures {
    /// (second − winning) / winning.
    pub ratio: f64,
    /// The fence it was compared with.
    pub fence: f64,
    /// The winner.
    pub winner: String,
    /// The second-lowest bidder.
    pub runner_up: String,
    /// The winning amount.
    pub winning_amount: f64,
    /// The second-lowest amount.
    pub second_amount: f64,
    /// The currency.
    pub currency: String,
}

/// Figures of [`Detail::LateBid`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LateBidFigures {
    /// The winner whose bid was late.
    pub tenderer: String,
    /// The bid's date.
    pub bid_date: String,
    /// The submission deadline.
    pub end_date: String,
}

/// Figures of [`Detail::Similarity`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimilarityFigures {
    /// One bidder.
    pub first: String,
    /// The other.
    pub second: String,
    /// `address`, `email` or `telephone`.
    pub basis: String,
    /// The shared value.
    pub shared: String,
}

/// Figures of [`Detail::SplitPurchase`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SplitPurchaseFigures {
    /// The supplier.
    pub supplier: String,
    /// How many direct awards in the window.
    pub count: usize,
    /// Their total.
    pub total: String,
    /// The competitive threshold.
    pub threshold: String,
    /// The currency.
    pub currency: String,
    /// Window in days.
    pub window_days: i64,
}

/// Figures of [`Detail::AbnormallyLow`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AbnormallyLowFigures {
    /// The winner.
    pub winner: String,
    /// The winner's final price.
    pub winner_price: String,
    /// Mean of the other bidders' initial prices.
    pub mean_of_other_initial: Option<String>,
    /// Percent below that mean.
    pub below_mean_percent: Option<String>,
    /// The runner-up's final price.
    pub runner_up_price: Option<String>,
    /// Percent below the runner-up.
    pub below_runner_up_percent: Option<String>,
    /// The currency.
    pub currency: String,
}

/// One flag on a process.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessFlag {
    /// Which.
    pub indicator: Indicator,
    /// The reference's output value (1.0, a count or a ratio).
    pub value: f64,
    /// Tenderers the reference also flags (Tenderer group) for this process.
    pub tenderers: Vec<std::sync::Arc<str>>,
    /// The lot it concerns, when evaluated per lot (extended mode only).
    pub lot: Option<Box<str>>,
    /// The figures (boxed: most runs keep hundreds of thousands of flags, and
    /// `--format cardinal` keeps none).
    pub detail: Option<Box<Detail>>,
}

/// Boxes figures, keeping none for [`Detail::None`].
pub fn boxed(detail: Detail) -> Option<Box<Detail>> {
    match detail {
        Detail::None => None,
        detail => Some(Box::new(detail)),
    }
}

/// A flag computed at the end (R024, R058, R055): position, ocid, buyer, flag.
pub type LateFlag = (Pos, Box<str>, Option<Box<str>>, ProcessFlag);

/// A process with at least one flag.
#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedProcess {
    /// File position.
    pub pos: Pos,
    /// 1-based line number (set when the results are finalized).
    pub line: u64,
    /// `/ocid`.
    pub ocid: Box<str>,
    /// `/buyer/id` (for filters and links in the platform).
    pub buyer: Option<Box<str>>,
    /// The flags.
    pub flags: Vec<ProcessFlag>,
}

/// A ratio of counts, merged by adding numerators and denominators (the reference's mediant).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fraction {
    /// Numerator.
    pub numerator: u64,
    /// Denominator.
    pub denominator: u64,
}

impl Fraction {
    /// Adds another fraction's counts.
    pub fn add(&mut self, numerator: u64, denominator: u64) {
        self.numerator += numerator;
        self.denominator += denominator;
    }

    /// As the reference's `f64::from(fraction)`.
    pub fn ratio(self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }
}
