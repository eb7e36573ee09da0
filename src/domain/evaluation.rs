//! Evaluation of opened bids: compliance, scoring, consolidation and ranking (issue 3, item 9).
//!
//! Each committee member assesses every bid independently; the consolidated result is computed
//! from all members' assessments only once every member has submitted (the service enforces
//! that), so no member sees the others' views first.
//!
//! Rules (documented here because they decide awards):
//! - **Compliance** per requirement passes when a strict majority of the members who assessed it
//!   say pass (a tie fails: doubt is not compliance). A bid is compliant when every requirement
//!   passes; the failing requirements and reasons are kept for the report.
//! - **Lowest price** methods rank compliant bids by total price, ascending.
//! - **Weighted** methods (quality and cost): the price criterion scores the lowest compliant
//!   price 100 and every other `100 × lowest ÷ price`; a quality criterion's score is the mean of
//!   the members' scores (0–100); the total is `Σ weightᵢ × scoreᵢ ÷ 100` with weights summing to
//!   100. Higher totals rank first.
//! - **Ties** go to the lower price, then to the earlier submission (the same rule the auction
//!   uses, issue 4).

use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// How bids are ranked (from the rulebook's evaluation method).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Lowest compliant price wins.
    LowestPrice,
    /// Weighted price and quality criteria.
    Weighted,
}

/// A scoring criterion of a tender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    /// Id.
    pub id: i64,
    /// Weight in percent.
    pub weight: u32,
    /// Whether it is the price criterion (scored by formula, not by members).
    pub is_price: bool,
}

/// One bid to evaluate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BidInput {
    /// Bid id.
    pub bid_id: i64,
    /// Total price (exact).
    pub total: Decimal,
    /// Submission order key (microseconds), for ties.
    pub submitted_at: i64,
}

/// One member's compliance verdict on one requirement of one bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplianceVerdict {
    /// Bid.
    pub bid_id: i64,
    /// Requirement.
    pub requirement_id: i64,
    /// Member.
    pub evaluator_id: i64,
    /// Pass or fail.
    pub passed: bool,
    /// Reason given.
    pub reason: String,
}

/// One member's score of one quality criterion of one bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Score {
    /// Bid.
    pub bid_id: i64,
    /// Criterion.
    pub criterion_id: i64,
    /// Member.
    pub evaluator_id: i64,
    /// 0–100.
    pub value: Decimal,
}

/// The consolidated result of one bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BidResult {
    /// Bid.
    pub bid_id: i64,
    /// Total price.
    pub total: Decimal,
    /// Whether every requirement passed.
    pub compliant: bool,
    /// Requirements that failed, with the members' reasons.
    pub failed_requirements: Vec<(i64, Vec<String>)>,
    /// Consolidated score per criterion (weighted methods).
    pub criterion_scores: BTreeMap<i64, Decimal>,
    /// Weighted total (weighted methods), rounded to 2 decimals.
    pub total_score: Option<Decimal>,
    /// Position among compliant bids (1 = best); None for non-compliant bids.
    pub rank: Option<u32>,
}

/// Consolidates compliance and scores and ranks the bids.
pub fn evaluate(
    method: Method,
    bids: &[BidInput],
    requirements: &[i64],
    criteria: &[Criterion],
    verdicts: &[ComplianceVerdict],
    scores: &[Score],
) -> Vec<BidResult> {
    let mut results: Vec<BidResult> = bids
        .iter()
        .map(|bid| {
            let mut failed = Vec::new();
            for requirement in requirements {
                let on: Vec<&ComplianceVerdict> = verdicts
                    .iter()
                    .filter(|v| v.bid_id == bid.bid_id && v.requirement_id == *requirement)
                    .collect();
                let passes = on.iter().filter(|v| v.passed).count();
                if passes * 2 <= on.len() {
                    failed.push((
                        *requirement,
                        on.iter()
                            .filter(|v| !v.passed)
                            .map(|v| v.reason.clone())
                            .collect(),
                    ));
                }
            }
            BidResult {
                bid_id: bid.bid_id,
                total: bid.total,
                compliant: failed.is_empty(),
                failed_requirements: failed,
                criterion_scores: BTreeMap::new(),
                total_score: None,
                rank: None,
            }
        })
        .collect();

    if method == Method::Weighted {
        let lowest = results
            .iter()
            .filter(|r| r.compliant && r.total > Decimal::ZERO)
            .map(|r| r.total)
            .min();
        for result in results.iter_mut().filter(|r| r.compliant) {
            let mut total = Decimal::ZERO;
            for criterion in criteria {
                let score = if criterion.is_price {
                    match lowest {
                        Some(low) if result.total > Decimal::ZERO => {
                            Decimal::from(100) * low / result.total
                        }
                        _ => Decimal::ZERO,
                    }
                } else {
                    let given: Vec<Decimal> = scores
                        .iter()
                        .filter(|s| s.bid_id == result.bid_id && s.criterion_id == criterion.id)
                        .map(|s| s.value)
                        .collect();
                    if given.is_empty() {
                        Decimal::ZERO
                    } else {
                        given.iter().sum::<Decimal>() / Decimal::from(given.len())
                    }
                };
                total += score * Decimal::from(criterion.weight) / Decimal::from(100);
                result
                    .criterion_scores
                    .insert(criterion.id, score.round_dp(2));
            }
            result.total_score = Some(total.round_dp(2));
        }
    }

    let order = |a: &BidResult, b: &BidResult| {
        let submitted = |r: &BidResult| {
            bids.iter()
                .find(|x| x.bid_id == r.bid_id)
                .map(|x| x.submitted_at)
                .unwrap_or(i64::MAX)
        };
        let by_score = match method {
            Method::Weighted => b.total_score.cmp(&a.total_score),
            Method::LowestPrice => std::cmp::Ordering::Equal,
        };
        by_score
            .then(a.total.cmp(&b.total))
            .then(submitted(a).cmp(&submitted(b)))
            .then(a.bid_id.cmp(&b.bid_id))
    };
    let mut compliant: Vec<BidResult> = results.iter().filter(|r| r.compliant).cloned().collect();
    compliant.sort_by(order);
    let mut rejected: Vec<BidResult> = results.drain(..).filter(|r| !r.compliant).collect();
    rejected.sort_by(|a, b| a.total.cmp(&b.total).then(a.bid_id.cmp(&b.bid_id)));
    for (i, r) in compliant.iter_mut().enumerate() {
        r.rank = Some(i as u32 + 1);
    }
    compliant.extend(rejected);
    compliant
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn bid(id: i64, total: &str, at: i64) -> BidInput {
        BidInput {
            bid_id: id,
            total: d(total),
            submitted_at: at,
        }
    }

    fn verdict(bid: i64, req: i64, member: i64, passed: bool) -> ComplianceVerdict {
        ComplianceVerdict {
            bid_id: bid,
            requirement_id: req,
            evaluator_id: member,
            passed,
            reason: if passed {
                String::new()
            } else {
                format!("m{member}: falta registro sanitario")
            },
        }
    }

    #[test]
    fn lowest_price_ranks_compliant_bids_and_breaks_ties_by_time() {
        let bids = [
            bid(1, "100.00", 30),
            bid(2, "90.00", 20),
            bid(3, "90.00", 10),
            bid(4, "50.00", 5),
        ];
        let verdicts = [
            verdict(4, 1, 10, false),
            verdict(4, 1, 11, false),
            verdict(4, 1, 12, true),
            verdict(1, 1, 10, true),
            verdict(2, 1, 10, true),
            verdict(3, 1, 10, true),
        ];
        let r = evaluate(Method::LowestPrice, &bids, &[1], &[], &verdicts, &[]);
        let order: Vec<(i64, Option<u32>)> = r.iter().map(|x| (x.bid_id, x.rank)).collect();
        assert_eq!(
            order,
            vec![(3, Some(1)), (2, Some(2)), (1, Some(3)), (4, None)]
        );
        assert_eq!(
            r[3].failed_requirements[0].1.len(),
            2,
            "both failing reasons kept"
        );
    }

    #[test]
    fn compliance_majority_and_ties() {
        let bids = [bid(1, "10", 1), bid(2, "10", 2), bid(3, "10", 3)];
        let verdicts = [
            // bid 1: 2 of 3 pass → pass
            verdict(1, 1, 10, true),
            verdict(1, 1, 11, true),
            verdict(1, 1, 12, false),
            // bid 2: 1 of 2 pass → tie fails
            verdict(2, 1, 10, true),
            verdict(2, 1, 11, false),
            // bid 3: nobody assessed → fails (a requirement must be checked)
        ];
        let r = evaluate(Method::LowestPrice, &bids, &[1], &[], &verdicts, &[]);
        let compliant: Vec<(i64, bool)> = r.iter().map(|x| (x.bid_id, x.compliant)).collect();
        assert_eq!(compliant, vec![(1, true), (2, false), (3, false)]);
    }

    #[test]
    fn weighted_scores() {
        // Price 60 %, quality 40 %. Bid 1 cheaper, bid 2 better quality.
        let bids = [bid(1, "800", 1), bid(2, "1000", 2)];
        let criteria = [
            Criterion {
                id: 1,
                weight: 60,
                is_price: true,
            },
            Criterion {
                id: 2,
                weight: 40,
                is_price: false,
            },
        ];
        let scores = [
            Score {
                bid_id: 1,
                criterion_id: 2,
                evaluator_id: 10,
                value: d("50"),
            },
            Score {
                bid_id: 1,
                criterion_id: 2,
                evaluator_id: 11,
                value: d("60"),
            },
            Score {
                bid_id: 2,
                criterion_id: 2,
                evaluator_id: 10,
                value: d("100"),
            },
            Score {
                bid_id: 2,
                criterion_id: 2,
                evaluator_id: 11,
                value: d("90"),
            },
        ];
        let r = evaluate(Method::Weighted, &bids, &[], &criteria, &[], &scores);
        // Bid 1: 60×100/100 + 40×55/100 = 60 + 22 = 82. Bid 2: 60×80/100 + 40×95/100 = 48 + 38 = 86.
        assert_eq!(r[0].bid_id, 2);
        assert_eq!(r[0].total_score, Some(d("86")));
        assert_eq!(r[1].total_score, Some(d("82")));
        assert_eq!(r[1].criterion_scores[&2], d("55"));
    }

    #[test]
    fn exact_price_scores() {
        let bids = [bid(1, "3", 1), bid(2, "7", 2)];
        let criteria = [Criterion {
            id: 1,
            weight: 100,
            is_price: true,
        }];
        let r = evaluate(Method::Weighted, &bids, &[], &criteria, &[], &[]);
        assert_eq!(r[1].criterion_scores[&1], d("42.86"));
        assert_eq!(r[0].total_score, Some(d("100")));
    }
}
