//! The outcome that flows back into the tender's evaluation and award (issue 4: "final prices flow
//! back into the tender's evaluation/award without manual copying"), with the abnormally-low
//! check (issue 4, "Ranking").

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::engine::Auction;
use crate::event::BidderId;
use crate::label::Label;
use crate::money;
use crate::schedule::Stage;
use crate::time::Timestamp;

/// A bidder's final standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalStanding {
    /// 1 = winner.
    pub rank: u32,
    /// Supplier identifier (for the award).
    pub bidder: BidderId,
    /// Supplier name.
    pub name: String,
    /// Anonymous label used during the auction.
    pub label: Label,
    /// Sealed (starting) price.
    pub sealed_price: Decimal,
    /// Final price: the price of the award if this bidder wins.
    pub final_price: Decimal,
    /// Final score (score ranking only; 6 decimals, display only — ranking is exact).
    pub score: Option<Decimal>,
    /// Accepted live bids.
    pub accepted_bids: u32,
    /// How much the auction lowered the price, in percent of the sealed price (2 decimals).
    pub reduction_percent: Decimal,
}

/// The abnormally-low test with the figures that decided it, so the evaluation committee can see
/// why the flag was (or was not) raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbnormallyLowCheck {
    /// Raised if either test triggered.
    pub flagged: bool,
    /// The winner's final price.
    pub winner_price: Decimal,
    /// Mean of the other bidders' sealed prices (`None` with a single participant); rounded to
    /// the currency's scale + 2 decimals for display.
    pub mean_of_other_initial: Option<Decimal>,
    /// How far below that mean the winner is, in percent (2 decimals, display).
    pub below_mean_percent: Option<Decimal>,
    /// The rulebook threshold.
    pub below_mean_threshold_percent: Decimal,
    /// Whether the winner is at least the threshold below the mean (computed exactly).
    pub below_mean_triggered: bool,
    /// The runner-up's final price (`None` with a single participant).
    pub runner_up_price: Option<Decimal>,
    /// How far below the runner-up the winner is, in percent (2 decimals, display).
    pub below_runner_up_percent: Option<Decimal>,
    /// The rulebook threshold.
    pub below_runner_up_threshold_percent: Decimal,
    /// Whether the winner is at least the threshold below the runner-up (computed exactly).
    pub below_runner_up_triggered: bool,
}

/// The final result of an auction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuctionResult {
    /// `false` when too few bidders qualified: no auction, the sealed prices stand.
    pub held: bool,
    /// When bidding ended.
    pub finished_at: Timestamp,
    /// Everyone, best first.
    pub ranking: Vec<FinalStanding>,
    /// The best-ranked bidder.
    pub winner: Option<BidderId>,
    /// The abnormally-low test on the winner (`None` without participants).
    pub abnormally_low: Option<AbnormallyLowCheck>,
}

impl Auction {
    /// The result, once bidding is over (`None` before).
    pub fn result(&self) -> Option<AuctionResult> {
        let (held, finished_at) = match self.schedule.stage {
            Stage::Finished { at } => (true, at),
            Stage::NotHeld { at } => (false, at),
            _ => return None,
        };
        let order = self.standings();
        let hundred = Decimal::ONE_HUNDRED;
        let ranking: Vec<FinalStanding> = order
            .iter()
            .enumerate()
            .map(|(rank, &i)| {
                let e = &self.entrants[i];
                FinalStanding {
                    rank: rank as u32 + 1,
                    bidder: e.bidder.clone(),
                    name: e.name.clone(),
                    label: e.label,
                    sealed_price: e.sealed_price,
                    final_price: e.price,
                    score: self.display_score(i),
                    accepted_bids: e.accepted_bids,
                    reduction_percent: money::display_round(
                        (e.sealed_price - e.price) * hundred / e.sealed_price,
                        2,
                    ),
                }
            })
            .collect();
        let abnormally_low = order.first().map(|&w| self.abnormally_low(w, order.get(1)));
        Some(AuctionResult {
            held,
            finished_at,
            winner: ranking.first().map(|s| s.bidder.clone()),
            ranking,
            abnormally_low,
        })
    }

    fn abnormally_low(&self, winner: usize, runner_up: Option<&usize>) -> AbnormallyLowCheck {
        let thresholds = &self.rules.abnormally_low;
        let hundred = Decimal::ONE_HUNDRED;
        let w = self.entrants[winner].price;
        // "≥ t % below x" ⇔ w ≤ x × (100 − t) / 100, checked by exact products.
        let others: Vec<Decimal> = self
            .entrants
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != winner)
            .map(|(_, e)| e.sealed_price)
            .collect();
        let (mean, below_mean, mean_triggered) = if others.is_empty() {
            (None, None, false)
        } else {
            let n = Decimal::from(others.len() as u64);
            let sum: Decimal = others.iter().sum();
            let mean = sum / n;
            let triggered = matches!(
                (
                    money::mul(money::mul(w, n).unwrap_or(Decimal::MAX), hundred),
                    money::mul(sum, hundred - thresholds.below_mean_of_other_initial_percent),
                ),
                (Ok(lhs), Ok(rhs)) if lhs <= rhs
            );
            (
                Some(money::display_round(mean, self.rules.price_scale + 2)),
                Some(money::display_round((sum - w * n) * hundred / sum, 2)),
                triggered,
            )
        };
        let (runner_price, below_runner, runner_triggered) = match runner_up {
            None => (None, None, false),
            Some(&r) => {
                let r = self.entrants[r].price;
                let triggered = matches!(
                    (
                        money::mul(w, hundred),
                        money::mul(r, hundred - thresholds.below_runner_up_percent),
                    ),
                    (Ok(lhs), Ok(rhs)) if lhs <= rhs
                );
                (
                    Some(r),
                    Some(money::display_round((r - w) * hundred / r, 2)),
                    triggered,
                )
            }
        };
        AbnormallyLowCheck {
            flagged: mean_triggered || runner_triggered,
            winner_price: w,
            mean_of_other_initial: mean,
            below_mean_percent: below_mean,
            below_mean_threshold_percent: thresholds.below_mean_of_other_initial_percent,
            below_mean_triggered: mean_triggered,
            runner_up_price: runner_price,
            below_runner_up_percent: below_runner,
            below_runner_up_threshold_percent: thresholds.below_runner_up_percent,
            below_runner_up_triggered: runner_triggered,
        }
    }
}
