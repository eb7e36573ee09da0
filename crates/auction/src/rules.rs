//! The auction section of a jurisdiction's rulebook.
//!
//! Product principle 6 ("rules are configuration") and issue 4 ("fully specified by the
//! rulebook"): every number that decides an auction — format, durations, decrement, ranking,
//! abnormally-low thresholds, visibility, minimum participants, fault tolerance — lives here and
//! nowhere in code. The lead embeds this struct in the TOML rulebook files, so unknown keys are
//! rejected (a misspelt `turn_secods` must not silently fall back to a default) and every field
//! has the default issue 4 names.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::time::Micros;

/// Largest price (in currency units) a sealed bid may carry. Bounding prices keeps every product
/// the engine forms (price × (1 + features) × percentage) inside `rust_decimal`'s 28 exact digits,
/// so a ranking or a required price is never silently rounded. A trillion quetzales is far beyond
/// any lot the institution buys.
pub const MAX_PRICE: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0); // 10^12

/// Largest sum of non-price feature values in score ranking (score = price ÷ (1 + Σ)); same
/// exactness reason as [`MAX_PRICE`].
pub const MAX_FEATURE_SUM: Decimal = Decimal::from_parts(100, 0, 0, false, 0);

/// Most decimal places a feature value or a percentage may carry: with prices ≤ [`MAX_PRICE`]
/// at ≤ 4 decimals and feature sums ≤ [`MAX_FEATURE_SUM`], every product the engine forms has at
/// most 28 significant digits and is therefore exact.
pub const MAX_FRACTION_DIGITS: u32 = 4;

/// Everything a rulebook says about electronic reverse auctions (issue 4, "Rules").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuctionRules {
    /// Turn-based rounds or open bidding with a soft close (issue 4, "Formats").
    pub format: Format,
    /// How much a new bid must improve (issue 4, "Minimum decrement").
    pub minimum_decrement: MinimumDecrement,
    /// Price alone or price adjusted for non-price criteria (issue 4, "Ranking").
    pub ranking: Ranking,
    /// How equal standings are ordered (issue 4: "ties go to the earlier bid").
    pub tie_break: TieBreak,
    /// When the winner's price is flagged as abnormally low (issue 4, "Ranking").
    pub abnormally_low: AbnormallyLowThresholds,
    /// What bidders (and therefore the public) see while the auction runs (issue 4, "Visibility").
    pub visibility: Visibility,
    /// Below this many qualified bidders there is no auction and the sealed prices stand
    /// (issue 4, "Minimum participants").
    pub minimum_participants: u32,
    /// Decimal places of the currency: bids with more are refused and computed required prices
    /// are rounded to it (GTQ has centavos: 2).
    pub price_scale: u32,
    /// How a service outage is neutralised (issue 4, "Durability and faults": "a server fault
    /// never decides an auction").
    pub service_faults: ServiceFaults,
}

impl Default for AuctionRules {
    fn default() -> Self {
        AuctionRules {
            format: Format::default(),
            minimum_decrement: MinimumDecrement::default(),
            ranking: Ranking::Price,
            tie_break: TieBreak::EarlierBid,
            abnormally_low: AbnormallyLowThresholds::default(),
            visibility: Visibility::default(),
            minimum_participants: 2,
            price_scale: 2,
            service_faults: ServiceFaults::default(),
        }
    }
}

/// The two formats of issue 4. Tagged by `kind` so a rulebook reads
/// `[auction.format] kind = "soft_close"` followed by that format's own fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Format {
    /// (a) N rounds; before each, bidders are ordered from worst to best current standing and each
    /// gets one exclusive turn. This is the UNOPS/IGSS "SIE" practice the reform is known for.
    TurnBasedRounds(RoundsFormat),
    /// (b) Everyone bids freely in a window; a bid in the last X extends the end by X
    /// (anti-sniping), never past a hard stop.
    SoftClose(SoftCloseFormat),
}

impl Default for Format {
    fn default() -> Self {
        Format::TurnBasedRounds(RoundsFormat::default())
    }
}

/// Turn-based rounds (issue 4 format (a)), with the issue's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoundsFormat {
    /// Number of rounds (default 3).
    pub rounds: u32,
    /// Length of one bidder's exclusive turn, in seconds (default 120).
    pub turn_seconds: u32,
    /// Pause between the start of the auction and the first round, in seconds (default 300):
    /// bidders connect and see the opening order.
    pub pause_before_first_round_seconds: u32,
    /// Pause between rounds, in seconds (default 120).
    pub pause_between_rounds_seconds: u32,
}

impl Default for RoundsFormat {
    fn default() -> Self {
        RoundsFormat {
            rounds: 3,
            turn_seconds: 120,
            pause_before_first_round_seconds: 300,
            pause_between_rounds_seconds: 120,
        }
    }
}

/// Open bidding with a soft close (issue 4 format (b)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SoftCloseFormat {
    /// Pause between the start of the auction and the opening of the window, in seconds
    /// (default 0; symmetric with the rounds format's pause before the first round).
    pub pause_before_window_seconds: u32,
    /// Length of the bidding window, in seconds (default 600: the issue's "e.g. 10 minutes").
    pub window_seconds: u32,
    /// X: an accepted bid in the last X seconds before the end moves the end X seconds later
    /// (default 120).
    pub extension_seconds: u32,
    /// The end can never move past this many seconds after the window opened (default 1800),
    /// so an auction always finishes.
    pub hard_stop_seconds: u32,
}

impl Default for SoftCloseFormat {
    fn default() -> Self {
        SoftCloseFormat {
            pause_before_window_seconds: 0,
            window_seconds: 600,
            extension_seconds: 120,
            hard_stop_seconds: 1800,
        }
    }
}

/// The minimum improvement a new bid must offer (issue 4, "Minimum decrement").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MinimumDecrement {
    /// Percentage of the reference or an absolute amount of currency.
    pub kind: DecrementKind,
    /// The percentage (e.g. `"0.5"` for 0.5 %) or the currency amount. Write it as a string in
    /// TOML (`amount = "0.5"`) so it is read exactly.
    pub amount: Decimal,
    /// The bidder's own last price or the current best.
    pub relative_to: DecrementReference,
}

impl Default for MinimumDecrement {
    /// 0.5 % of the bidder's own last price. Issue 4 names no default; this is a common,
    /// modest step that still stops one-centavo bidding wars.
    fn default() -> Self {
        MinimumDecrement {
            kind: DecrementKind::Percentage,
            amount: Decimal::new(5, 1),
            relative_to: DecrementReference::OwnPrice,
        }
    }
}

/// Whether the decrement amount is a percentage or currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecrementKind {
    /// `amount` percent of the reference.
    Percentage,
    /// `amount` units of currency.
    Absolute,
}

/// What the decrement is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecrementReference {
    /// The bidder's own current price: each bidder only has to improve on itself.
    OwnPrice,
    /// The current best standing: a bid must beat the leader (in score ranking, the leader's
    /// score) by the decrement.
    Best,
}

/// How standings are compared (issue 4, "Ranking").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ranking {
    /// Lowest price first.
    Price,
    /// Lowest score first, score = price ÷ (1 + Σ the bidder's non-price feature values), so a
    /// better-quality offer may win at a higher price.
    Score,
}

/// How ties are broken. Issue 4 allows one rule, "ties go to the earlier bid"; it is a field so
/// rulebooks state it explicitly and a future rule can be added without changing their shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    /// The bidder that reached the tied standing first wins: an earlier sealed bid beats a later
    /// one, any sealed bid beats a live bid, an earlier live bid (lower sequence number) beats a
    /// later one.
    EarlierBid,
}

/// Thresholds of the abnormally-low flag (issue 4: "≥ 40 % below the mean of the other initial
/// bids or ≥ 30 % below the runner-up").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AbnormallyLowThresholds {
    /// Flag when the winner's final price is at least this many percent below the mean of the
    /// other bidders' sealed (initial) prices (default 40). 100 disables the test.
    pub below_mean_of_other_initial_percent: Decimal,
    /// Flag when the winner's final price is at least this many percent below the runner-up's
    /// final price (default 30). 100 disables the test.
    pub below_runner_up_percent: Decimal,
}

impl Default for AbnormallyLowThresholds {
    fn default() -> Self {
        AbnormallyLowThresholds {
            below_mean_of_other_initial_percent: Decimal::from(40),
            below_runner_up_percent: Decimal::from(30),
        }
    }
}

/// What a bidder sees during the auction (issue 4, "Visibility"). Because the public board is
/// open to anyone — bidders included — hiding the best price from bidders also hides prices from
/// the public board until the auction finishes; otherwise a bidder would just open the public page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Visibility {
    /// A bidder sees its own rank (default true).
    pub own_rank: bool,
    /// Bidders and the public see the best price (and prices on the public board) while the
    /// auction runs (default true).
    pub best_price: bool,
}

impl Default for Visibility {
    fn default() -> Self {
        Visibility {
            own_rank: true,
            best_price: true,
        }
    }
}

/// How service outages are neutralised (issue 4, "Durability and faults").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceFaults {
    /// An outage up to this long (seconds, default 10 — a lease take-over takes "seconds") is
    /// absorbed: the clock keeps running as if nothing happened. A longer outage freezes the
    /// auction at the instant it began and restores everyone's remaining time.
    pub tolerance_seconds: u32,
    /// After an outage longer than the tolerance, bidding resumes this many seconds after the
    /// service is back (default 60), so every bidder can reconnect before the clock runs again.
    pub resume_notice_seconds: u32,
}

impl Default for ServiceFaults {
    fn default() -> Self {
        ServiceFaults {
            tolerance_seconds: 10,
            resume_notice_seconds: 60,
        }
    }
}

/// A rulebook auction section that cannot be used. Each variant has a stable code so the
/// rulebook editor can point at the offending field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// Turn-based rounds need at least one round.
    #[error("the number of rounds must be at least 1")]
    NoRounds,
    /// A zero-length turn or window would give bidders no time to bid.
    #[error("{field} must be at least 1 second")]
    ZeroDuration {
        /// The offending field.
        field: &'static str,
    },
    /// The hard stop must not come before the normal end of the window.
    #[error("hard_stop_seconds ({hard_stop}) is shorter than window_seconds ({window})")]
    HardStopBeforeWindow {
        /// Configured hard stop.
        hard_stop: u32,
        /// Configured window.
        window: u32,
    },
    /// The decrement must be positive and, as a percentage, below 100; as an amount, expressible
    /// in the currency.
    #[error("invalid minimum decrement: {0}")]
    InvalidDecrement(String),
    /// Hiding the best price while requiring bids to beat it would let bidders learn the best
    /// price from refusals (the refusal states the required maximum), so the combination is
    /// refused.
    #[error("a decrement relative to the best price requires the best price to be visible")]
    HiddenBestReference,
    /// Thresholds are percentages in (0, 100].
    #[error("abnormally-low threshold {field} must be in (0, 100], got {value}")]
    InvalidThreshold {
        /// The offending field.
        field: &'static str,
        /// Its value.
        value: Decimal,
    },
    /// At least one participant is needed for any result.
    #[error("minimum_participants must be at least 1")]
    NoMinimumParticipants,
    /// Currencies have at most four decimal places in practice; more breaks the exactness bounds.
    #[error("price_scale must be between 0 and 4, got {0}")]
    InvalidPriceScale(u32),
}

impl RulesError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            RulesError::NoRounds => "auction.rules.no_rounds",
            RulesError::ZeroDuration { .. } => "auction.rules.zero_duration",
            RulesError::HardStopBeforeWindow { .. } => "auction.rules.hard_stop_before_window",
            RulesError::InvalidDecrement(_) => "auction.rules.invalid_decrement",
            RulesError::HiddenBestReference => "auction.rules.hidden_best_reference",
            RulesError::InvalidThreshold { .. } => "auction.rules.invalid_threshold",
            RulesError::NoMinimumParticipants => "auction.rules.no_minimum_participants",
            RulesError::InvalidPriceScale(_) => "auction.rules.invalid_price_scale",
        }
    }
}

impl AuctionRules {
    /// Check the section is usable. [`crate::Auction::new`] calls it, so an engine never runs on
    /// inconsistent rules; the rulebook loader calls it too, to report errors when the rulebook
    /// is saved rather than when an auction starts.
    pub fn validate(&self) -> Result<(), RulesError> {
        if self.price_scale > 4 {
            return Err(RulesError::InvalidPriceScale(self.price_scale));
        }
        match &self.format {
            Format::TurnBasedRounds(r) => {
                if r.rounds == 0 {
                    return Err(RulesError::NoRounds);
                }
                if r.turn_seconds == 0 {
                    return Err(RulesError::ZeroDuration {
                        field: "turn_seconds",
                    });
                }
            }
            Format::SoftClose(s) => {
                if s.window_seconds == 0 {
                    return Err(RulesError::ZeroDuration {
                        field: "window_seconds",
                    });
                }
                if s.extension_seconds == 0 {
                    return Err(RulesError::ZeroDuration {
                        field: "extension_seconds",
                    });
                }
                if s.hard_stop_seconds < s.window_seconds {
                    return Err(RulesError::HardStopBeforeWindow {
                        hard_stop: s.hard_stop_seconds,
                        window: s.window_seconds,
                    });
                }
            }
        }
        let d = &self.minimum_decrement;
        if d.amount <= Decimal::ZERO {
            return Err(RulesError::InvalidDecrement(format!(
                "amount must be positive, got {}",
                d.amount
            )));
        }
        match d.kind {
            DecrementKind::Percentage => {
                if d.amount >= Decimal::ONE_HUNDRED {
                    return Err(RulesError::InvalidDecrement(format!(
                        "a percentage must be below 100, got {}",
                        d.amount
                    )));
                }
                if d.amount.normalize().scale() > MAX_FRACTION_DIGITS {
                    return Err(RulesError::InvalidDecrement(format!(
                        "a percentage may have at most {MAX_FRACTION_DIGITS} decimals, got {}",
                        d.amount
                    )));
                }
            }
            DecrementKind::Absolute => {
                if d.amount.normalize().scale() > self.price_scale {
                    return Err(RulesError::InvalidDecrement(format!(
                        "an amount may have at most {} decimals (price_scale), got {}",
                        self.price_scale, d.amount
                    )));
                }
                if d.amount > MAX_PRICE {
                    return Err(RulesError::InvalidDecrement(format!(
                        "amount {} exceeds the largest price {MAX_PRICE}",
                        d.amount
                    )));
                }
            }
        }
        if d.relative_to == DecrementReference::Best && !self.visibility.best_price {
            return Err(RulesError::HiddenBestReference);
        }
        for (field, value) in [
            (
                "below_mean_of_other_initial_percent",
                self.abnormally_low.below_mean_of_other_initial_percent,
            ),
            (
                "below_runner_up_percent",
                self.abnormally_low.below_runner_up_percent,
            ),
        ] {
            if value <= Decimal::ZERO
                || value > Decimal::ONE_HUNDRED
                || value.normalize().scale() > MAX_FRACTION_DIGITS
            {
                return Err(RulesError::InvalidThreshold { field, value });
            }
        }
        if self.minimum_participants == 0 {
            return Err(RulesError::NoMinimumParticipants);
        }
        Ok(())
    }

    /// The outage length absorbed without freezing the clock.
    pub(crate) fn tolerance(&self) -> Micros {
        Micros::from_secs(self.service_faults.tolerance_seconds)
    }

    /// Delay between the service's return and the resumption of bidding after a long outage.
    pub(crate) fn resume_notice(&self) -> Micros {
        Micros::from_secs(self.service_faults.resume_notice_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_price_constant_is_one_trillion() {
        assert_eq!(MAX_PRICE, Decimal::from(1_000_000_000_000u64));
    }

    #[test]
    fn defaults_are_the_issue_defaults_and_valid() {
        let rules = AuctionRules::default();
        rules.validate().unwrap();
        let Format::TurnBasedRounds(r) = &rules.format else {
            panic!("default format is turn-based rounds")
        };
        assert_eq!(
            (
                r.rounds,
                r.turn_seconds,
                r.pause_before_first_round_seconds,
                r.pause_between_rounds_seconds
            ),
            (3, 120, 300, 120)
        );
        assert_eq!(rules.minimum_participants, 2);
        assert_eq!(
            rules.abnormally_low.below_mean_of_other_initial_percent,
            Decimal::from(40)
        );
        assert_eq!(
            rules.abnormally_low.below_runner_up_percent,
            Decimal::from(30)
        );
    }

    #[test]
    fn each_invalid_field_has_its_code() {
        type Mutation = Box<dyn Fn(&mut AuctionRules)>;
        let cases: Vec<(Mutation, &str)> = vec![
            (
                Box::new(|r| {
                    r.format = Format::TurnBasedRounds(RoundsFormat {
                        rounds: 0,
                        ..Default::default()
                    })
                }),
                "auction.rules.no_rounds",
            ),
            (
                Box::new(|r| {
                    r.format = Format::TurnBasedRounds(RoundsFormat {
                        turn_seconds: 0,
                        ..Default::default()
                    })
                }),
                "auction.rules.zero_duration",
            ),
            (
                Box::new(|r| {
                    r.format = Format::SoftClose(SoftCloseFormat {
                        window_seconds: 0,
                        ..Default::default()
                    })
                }),
                "auction.rules.zero_duration",
            ),
            (
                Box::new(|r| {
                    r.format = Format::SoftClose(SoftCloseFormat {
                        extension_seconds: 0,
                        ..Default::default()
                    })
                }),
                "auction.rules.zero_duration",
            ),
            (
                Box::new(|r| {
                    r.format = Format::SoftClose(SoftCloseFormat {
                        window_seconds: 600,
                        hard_stop_seconds: 599,
                        ..Default::default()
                    })
                }),
                "auction.rules.hard_stop_before_window",
            ),
            (
                Box::new(|r| r.minimum_decrement.amount = Decimal::ZERO),
                "auction.rules.invalid_decrement",
            ),
            (
                Box::new(|r| r.minimum_decrement.amount = Decimal::ONE_HUNDRED),
                "auction.rules.invalid_decrement",
            ),
            (
                Box::new(|r| r.minimum_decrement.amount = Decimal::new(1, 7)),
                "auction.rules.invalid_decrement",
            ),
            (
                Box::new(|r| {
                    r.minimum_decrement.kind = DecrementKind::Absolute;
                    r.minimum_decrement.amount = Decimal::new(1, 3);
                }),
                "auction.rules.invalid_decrement",
            ),
            (
                Box::new(|r| {
                    r.minimum_decrement.relative_to = DecrementReference::Best;
                    r.visibility.best_price = false;
                }),
                "auction.rules.hidden_best_reference",
            ),
            (
                Box::new(|r| r.abnormally_low.below_runner_up_percent = Decimal::ZERO),
                "auction.rules.invalid_threshold",
            ),
            (
                Box::new(|r| {
                    r.abnormally_low.below_mean_of_other_initial_percent = Decimal::from(101)
                }),
                "auction.rules.invalid_threshold",
            ),
            (
                Box::new(|r| r.minimum_participants = 0),
                "auction.rules.no_minimum_participants",
            ),
            (
                Box::new(|r| r.price_scale = 5),
                "auction.rules.invalid_price_scale",
            ),
        ];
        for (mutate, code) in cases {
            let mut rules = AuctionRules::default();
            mutate(&mut rules);
            assert_eq!(rules.validate().unwrap_err().code(), code);
        }
    }

    #[test]
    fn absolute_amount_with_trailing_zeros_is_fine() {
        let mut rules = AuctionRules::default();
        rules.minimum_decrement.kind = DecrementKind::Absolute;
        rules.minimum_decrement.amount = "5.000".parse().unwrap();
        rules.validate().unwrap();
    }
}
