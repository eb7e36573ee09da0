//! Property tests (issue 4, "Durability and faults"):
//!
//! - a bid (or pass) is accepted iff the rules allow it, checked against an independent oracle
//!   that states the rules directly (exact inequalities without rounding, a brute-force ranking),
//!   including the refusal reason and the maximality of the reported required price;
//! - replaying the log (also after a JSON round trip) yields the identical state and the same
//!   final ranking;
//! - sequence numbers are contiguous, so no two events — in particular no two accepted bids —
//!   share one;
//! - a bidder's price never increases and the best standing never gets worse.

mod common;

use std::cmp::Ordering;
use std::collections::BTreeMap;

use proptest::prelude::*;
use rust_decimal::Decimal;
use tianguis_auction::rules::{
    DecrementKind, DecrementReference, Format, Ranking, RoundsFormat, SoftCloseFormat,
};
use tianguis_auction::{
    Auction, AuctionRules, BidOutcome, BidderId, Command, Decision, Event, Participant, Refusal,
    Seq, Timestamp,
};

use common::T0;

// ----- the oracle ------------------------------------------------------------------------------

/// Where the oracle thinks the auction is. Times are microseconds after T0.
#[derive(Debug, Clone)]
enum Stage {
    NotHeld,
    Wait {
        round: u32,
        until: i64,
    },
    Turn {
        round: u32,
        order: Vec<usize>,
        pos: usize,
        until: i64,
    },
    PreWindow {
        until: i64,
    },
    Window {
        end: i64,
        hard: i64,
    },
    Done,
}

/// A direct, eager model of issue 4's rules.
struct Oracle {
    rules: AuctionRules,
    prices: Vec<Decimal>,
    weights: Vec<Decimal>,
    /// Tie-break key: (0, sealed time, index) for sealed bids, (1, seq, 0) for live bids.
    reached: Vec<(u8, i64, usize)>,
    stage: Stage,
    paused_since: Option<i64>,
    resume_at: Option<i64>,
    /// While paused: the resumption announced before this outage began (during a notice).
    announced: Option<i64>,
}

const SEC: i64 = 1_000_000;

impl Oracle {
    fn new(rules: &AuctionRules, participants: &[Participant], t: i64) -> Self {
        let weights = participants
            .iter()
            .map(|p| match rules.ranking {
                Ranking::Price => Decimal::ONE,
                Ranking::Score => Decimal::ONE + p.features.values().sum::<Decimal>(),
            })
            .collect();
        let stage = if participants.len() < rules.minimum_participants as usize {
            Stage::NotHeld
        } else {
            match &rules.format {
                Format::TurnBasedRounds(r) => Stage::Wait {
                    round: 1,
                    until: t + r.pause_before_first_round_seconds as i64 * SEC,
                },
                Format::SoftClose(s) => Stage::PreWindow {
                    until: t + s.pause_before_window_seconds as i64 * SEC,
                },
            }
        };
        let mut o = Oracle {
            rules: rules.clone(),
            prices: participants.iter().map(|p| p.sealed_price).collect(),
            weights,
            reached: participants
                .iter()
                .enumerate()
                .map(|(i, p)| (0, p.sealed_at.as_micros() - T0, i))
                .collect(),
            stage,
            paused_since: None,
            resume_at: None,
            announced: None,
        };
        o.advance(t);
        o
    }

    /// Is `a` strictly better than `b`? Score a = p_a / w_a compared by cross-multiplication.
    fn better(&self, a: usize, b: usize) -> bool {
        let lhs = self.prices[a] * self.weights[b];
        let rhs = self.prices[b] * self.weights[a];
        lhs < rhs || (lhs == rhs && self.reached[a] < self.reached[b])
    }

    fn ranking(&self) -> Vec<usize> {
        // Brute force: rank = 1 + number of bidders better than you.
        let n = self.prices.len();
        let mut ranked: Vec<(usize, usize)> = (0..n)
            .map(|i| ((0..n).filter(|&j| self.better(j, i)).count(), i))
            .collect();
        ranked.sort();
        ranked.into_iter().map(|(_, i)| i).collect()
    }

    fn rounds(&self) -> Option<&RoundsFormat> {
        match &self.rules.format {
            Format::TurnBasedRounds(r) => Some(r),
            Format::SoftClose(_) => None,
        }
    }

    fn after_turn(&self, round: u32, order: &[usize], pos: usize, at: i64) -> Stage {
        let r = self.rounds().expect("rounds");
        if pos + 1 < order.len() {
            Stage::Turn {
                round,
                order: order.to_vec(),
                pos: pos + 1,
                until: at + r.turn_seconds as i64 * SEC,
            }
        } else if round < r.rounds {
            Stage::Wait {
                round: round + 1,
                until: at + r.pause_between_rounds_seconds as i64 * SEC,
            }
        } else {
            Stage::Done
        }
    }

    fn advance(&mut self, t: i64) {
        loop {
            if let Some(since) = self.paused_since {
                match self.resume_at {
                    Some(r) if r <= t => {
                        self.shift(r - since);
                        self.paused_since = None;
                        self.resume_at = None;
                    }
                    _ => return,
                }
            }
            let next = match &self.stage {
                Stage::Wait { round, until } if *until <= t => {
                    let mut order = self.ranking();
                    order.reverse();
                    let turn = self.rounds().expect("rounds").turn_seconds as i64 * SEC;
                    Stage::Turn {
                        round: *round,
                        order,
                        pos: 0,
                        until: until + turn,
                    }
                }
                Stage::Turn {
                    round,
                    order,
                    pos,
                    until,
                } if *until <= t => self.after_turn(*round, order, *pos, *until),
                Stage::PreWindow { until } if *until <= t => {
                    let Format::SoftClose(s) = &self.rules.format else {
                        unreachable!()
                    };
                    Stage::Window {
                        end: until + s.window_seconds as i64 * SEC,
                        hard: until + s.hard_stop_seconds as i64 * SEC,
                    }
                }
                Stage::Window { end, .. } if *end <= t => Stage::Done,
                _ => return,
            };
            self.stage = next;
        }
    }

    fn shift(&mut self, by: i64) {
        match &mut self.stage {
            Stage::Wait { until, .. } | Stage::Turn { until, .. } | Stage::PreWindow { until } => {
                *until += by
            }
            Stage::Window { end, hard } => {
                *end += by;
                *hard += by;
            }
            Stage::NotHeld | Stage::Done => {}
        }
    }

    fn finished(&self) -> bool {
        matches!(self.stage, Stage::NotHeld | Stage::Done)
    }

    /// May `who` act at the oracle's (already advanced) time?
    fn may_act(&self, who: usize, passing: bool) -> Result<(), &'static str> {
        if who >= self.prices.len() {
            return Err("auction.not_participant");
        }
        if passing && self.rounds().is_none() {
            return Err("auction.pass_not_applicable");
        }
        match &self.stage {
            Stage::NotHeld => return Err("auction.not_held"),
            Stage::Done => return Err("auction.closed"),
            _ => {}
        }
        if self.paused_since.is_some() {
            return Err("auction.paused");
        }
        match &self.stage {
            Stage::PreWindow { .. } | Stage::Wait { round: 1, .. } => Err("auction.not_open_yet"),
            Stage::Wait { .. } => Err("auction.between_rounds"),
            Stage::Turn { order, pos, .. } if order[*pos] != who => Err("auction.not_your_turn"),
            _ => Ok(()),
        }
    }

    /// The decrement rule stated directly, without rounding: is `price` low enough for `who`?
    fn low_enough(&self, who: usize, price: Decimal) -> bool {
        let own = self.prices[who];
        if price >= own {
            return false;
        }
        let dec = &self.rules.minimum_decrement;
        let hundred = Decimal::ONE_HUNDRED;
        match dec.relative_to {
            DecrementReference::OwnPrice => match dec.kind {
                DecrementKind::Percentage => price * hundred <= own * (hundred - dec.amount),
                DecrementKind::Absolute => price <= own - dec.amount,
            },
            DecrementReference::Best => {
                let best = self.ranking()[0];
                let (pb, wb, wo) = (self.prices[best], self.weights[best], self.weights[who]);
                // price / wo ≤ (pb / wb) × (1 − pct/100)   or   price / wo ≤ pb / wb − abs
                match dec.kind {
                    DecrementKind::Percentage => {
                        price * wb * hundred <= pb * wo * (hundred - dec.amount)
                    }
                    DecrementKind::Absolute => price * wb <= (pb - dec.amount * wb) * wo,
                }
            }
        }
    }

    /// The largest price in cents that is low enough (binary search), or 0.
    fn limit_cents(&self, who: usize) -> i64 {
        let own_cents = (self.prices[who] * Decimal::ONE_HUNDRED)
            .trunc()
            .to_string()
            .parse::<i64>()
            .expect("cents");
        let (mut lo, mut hi) = (0i64, own_cents); // invariant: lo ok (or 0), hi+1.. not ok
        while lo < hi {
            let mid = (lo + hi + 1) / 2;
            if self.low_enough(who, Decimal::new(mid, 2)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        lo
    }

    fn judge_bid(&self, who: usize, price: Decimal) -> Result<(), &'static str> {
        self.may_act(who, false)?;
        if price <= Decimal::ZERO {
            return Err("auction.not_positive");
        }
        if price.normalize().scale() > self.rules.price_scale {
            return Err("auction.too_many_decimals");
        }
        if !self.low_enough(who, price) {
            return Err("auction.insufficient_decrement");
        }
        Ok(())
    }

    fn accept_bid(&mut self, who: usize, price: Decimal, seq: u64, t: i64) {
        self.prices[who] = price;
        self.reached[who] = (1, seq as i64, 0);
        match self.stage.clone() {
            Stage::Turn {
                round, order, pos, ..
            } => {
                self.stage = self.after_turn(round, &order, pos, t);
                self.advance(t);
            }
            Stage::Window { end, hard } => {
                let Format::SoftClose(s) = &self.rules.format else {
                    unreachable!()
                };
                let x = s.extension_seconds as i64 * SEC;
                if end - t <= x && end < hard {
                    self.stage = Stage::Window {
                        end: (end + x).min(hard),
                        hard,
                    };
                }
            }
            _ => {}
        }
    }

    fn accept_pass(&mut self, t: i64) {
        if let Stage::Turn {
            round, order, pos, ..
        } = self.stage.clone()
        {
            self.stage = self.after_turn(round, &order, pos, t);
            self.advance(t);
        }
    }
}

// ----- generated scenarios ---------------------------------------------------------------------

#[derive(Debug, Clone)]
enum PriceSpec {
    /// The oracle's limit plus this many cents.
    AtLimit(i64),
    /// Own price lowered by this many per mille, rounded to cents.
    Lower(u32),
    /// A literal.
    Raw(&'static str),
}

/// Who acts: the holder of the current turn (if any), a participant by index (modulo the number
/// of participants), or someone who is not a participant.
#[derive(Debug, Clone)]
enum Who {
    TurnHolder,
    Index(usize),
    Outsider,
}

#[derive(Debug, Clone)]
enum Action {
    Bid(Who, PriceSpec),
    Pass(Who),
    Tick,
    Pause,
    Resume,
    Reschedule(i64),
    RetryLastRequest,
}

#[derive(Debug, Clone)]
enum Gap {
    Same,
    Micro,
    Micros(i64),
    /// To the engine's next deadline, plus −1, 0 or +1 µs.
    Deadline(i64),
    Long(i64),
    /// While paused: to exactly the tolerance after the pause began, plus −1, 0 or +1 µs.
    ToleranceEdge(i64),
    /// In a soft-close window: to exactly X before its end, plus −1, 0 or +1 µs.
    ExtensionEdge(i64),
}

#[derive(Debug, Clone)]
struct Scenario {
    rules: AuctionRules,
    participants: Vec<Participant>,
    seed: u64,
    steps: Vec<(Gap, Action)>,
}

fn rules_strategy() -> impl Strategy<Value = AuctionRules> {
    let format = prop_oneof![
        (1u32..=3, 1u32..=30, 0u32..=5, 0u32..=5).prop_map(|(rounds, turn, before, between)| {
            Format::TurnBasedRounds(RoundsFormat {
                rounds,
                turn_seconds: turn,
                pause_before_first_round_seconds: before,
                pause_between_rounds_seconds: between,
            })
        }),
        (0u32..=3, 5u32..=60, 1u32..=10, 0u32..=30).prop_map(|(before, window, ext, extra)| {
            Format::SoftClose(SoftCloseFormat {
                pause_before_window_seconds: before,
                window_seconds: window,
                extension_seconds: ext,
                hard_stop_seconds: window + extra,
            })
        }),
    ];
    let decrement = prop_oneof![
        prop::sample::select(vec!["0.5", "1", "2.5", "10", "0.3333"])
            .prop_map(|a| (DecrementKind::Percentage, a)),
        prop::sample::select(vec!["0.01", "0.50", "1", "5.25"])
            .prop_map(|a| (DecrementKind::Absolute, a)),
    ];
    (
        format,
        decrement,
        any::<bool>(),
        any::<bool>(),
        prop_oneof![4 => 1u32..=2, 1 => 3u32..=4],
        0u32..=4,
        0u32..=4,
        any::<bool>(),
    )
        .prop_map(
            |(format, (kind, amount), best_ref, score, min, tol, notice, show_best)| {
                let mut rules = AuctionRules {
                    format,
                    minimum_participants: min,
                    ranking: if score {
                        Ranking::Score
                    } else {
                        Ranking::Price
                    },
                    ..AuctionRules::default()
                };
                rules.minimum_decrement.kind = kind;
                rules.minimum_decrement.amount = amount.parse().expect("amount");
                rules.minimum_decrement.relative_to = if best_ref {
                    DecrementReference::Best
                } else {
                    DecrementReference::OwnPrice
                };
                rules.visibility.best_price = show_best || best_ref;
                rules.service_faults.tolerance_seconds = tol;
                rules.service_faults.resume_notice_seconds = notice;
                rules
            },
        )
}

fn participants_strategy() -> impl Strategy<Value = Vec<Participant>> {
    let feature = prop::sample::select(vec!["0", "0.05", "0.1", "0.25", "1.5"]);
    let list = prop::collection::vec(
        (
            prop::sample::select(vec![5_000i64, 10_000, 10_000, 9_999, 12_345, 100]),
            0i64..3,
            prop::collection::vec(feature, 0..3),
        ),
        1..5,
    );
    // About one scenario in twenty has no participant at all.
    (0u8..20, list)
        .prop_map(|(dice, list)| if dice == 0 { Vec::new() } else { list })
        .prop_map(|raw| {
            raw.into_iter()
                .enumerate()
                .map(|(i, (cents, hours, features))| Participant {
                    bidder: BidderId::new(format!("P{i}")),
                    name: format!("Proveedor {i}"),
                    sealed_price: Decimal::new(cents, 2),
                    sealed_at: Timestamp::from_micros(T0 - hours * 3600 * SEC),
                    features: features
                        .into_iter()
                        .enumerate()
                        .map(|(k, v)| (format!("f{k}"), v.parse().expect("feature")))
                        .collect::<BTreeMap<_, _>>(),
                })
                .collect()
        })
}

fn step_strategy() -> impl Strategy<Value = (Gap, Action)> {
    let gap = prop_oneof![
        2 => Just(Gap::Same),
        2 => Just(Gap::Micro),
        8 => (0i64..SEC).prop_map(Gap::Micros),
        2 => (-1i64..=1).prop_map(Gap::Deadline),
        1 => (5i64..20).prop_map(Gap::Long),
        1 => (-1i64..=1).prop_map(Gap::ToleranceEdge),
        1 => (-1i64..=1).prop_map(Gap::ExtensionEdge),
    ];
    let price = prop_oneof![
        6 => (-2i64..=2).prop_map(PriceSpec::AtLimit),
        3 => (0u32..=150).prop_map(PriceSpec::Lower),
        1 => prop::sample::select(vec!["0", "-1.00", "0.001", "1.005", "1000000", "0.01"])
            .prop_map(PriceSpec::Raw),
    ];
    let who = prop_oneof![
        4 => Just(Who::TurnHolder),
        6 => (0usize..5).prop_map(Who::Index),
        1 => Just(Who::Outsider),
    ];
    let action = prop_oneof![
        12 => (who.clone(), price).prop_map(|(who, p)| Action::Bid(who, p)),
        3 => who.prop_map(Action::Pass),
        3 => Just(Action::Tick),
        1 => Just(Action::Pause),
        1 => Just(Action::Resume),
        1 => (0i64..10).prop_map(Action::Reschedule),
        1 => Just(Action::RetryLastRequest),
    ];
    (gap, action)
}

fn scenario_strategy() -> impl Strategy<Value = Scenario> {
    (
        rules_strategy(),
        participants_strategy(),
        any::<u64>(),
        prop::collection::vec(step_strategy(), 0..60),
    )
        .prop_map(|(rules, participants, seed, steps)| Scenario {
            rules,
            participants,
            seed,
            steps,
        })
}

// ----- running a scenario against engine and oracle ---------------------------------------------

fn run(scenario: &Scenario) -> Result<(), TestCaseError> {
    let rules = &scenario.rules;
    let mut auction = Auction::new(rules.clone()).expect("generated rules are valid");
    let mut log: Vec<Event> = Vec::new();
    let record = |auction: &mut Auction, log: &mut Vec<Event>, decision: &Decision| {
        if let Decision::Record(event) = decision {
            auction.apply(event).expect("a decided event applies");
            log.push(event.clone());
        }
    };
    let n = scenario.participants.len();
    let mut t = 0i64;
    let start = Command::Start {
        at: Timestamp::from_micros(T0),
        participants: scenario.participants.clone(),
        label_seed: scenario.seed,
    };
    let decision = auction.decide(&start);
    prop_assert!(matches!(decision, Decision::Record(_)), "{decision:?}");
    record(&mut auction, &mut log, &decision);
    let mut oracle = Oracle::new(rules, &scenario.participants, 0);
    let mut last_request: Option<(Command, Seq, BidOutcome)> = None;
    let mut accepted_prices: Vec<Vec<Decimal>> = vec![Vec::new(); n];
    let mut request_counter = 0u64;

    for (gap, action) in &scenario.steps {
        t += match gap {
            Gap::Same => 0,
            Gap::Micro => 1,
            Gap::Micros(us) => *us,
            Gap::Deadline(offset) => match auction.next_deadline() {
                Some(d) => (d.as_micros() - T0 - t + offset).max(0),
                None => 1,
            },
            Gap::Long(secs) => secs * SEC,
            Gap::ToleranceEdge(offset) => match (oracle.paused_since, oracle.resume_at) {
                (Some(since), None) => {
                    let tol = rules.service_faults.tolerance_seconds as i64 * SEC;
                    (since + tol + offset - t).max(0)
                }
                _ => 1,
            },
            Gap::ExtensionEdge(offset) => match (&oracle.stage, &rules.format) {
                (Stage::Window { end, .. }, Format::SoftClose(s)) => {
                    (end - s.extension_seconds as i64 * SEC + offset - t).max(0)
                }
                _ => 1,
            },
        };
        let now = Timestamp::from_micros(T0 + t);
        oracle.advance(t);
        let bidder = |who: usize| BidderId::new(format!("P{who}"));
        let resolve = |who: &Who| -> usize {
            match who {
                Who::TurnHolder => auction
                    .current_turn()
                    .and_then(|b| b.as_str()[1..].parse().ok())
                    .unwrap_or(0)
                    .min(n),
                Who::Index(i) if n > 0 => i % n,
                _ => n, // n = not a participant
            }
        };
        match action {
            Action::Bid(who, spec) => {
                let who = resolve(who);
                let price = match spec {
                    PriceSpec::Raw(s) => s.parse().expect("raw"),
                    _ if who >= n => Decimal::new(100, 2),
                    PriceSpec::AtLimit(delta) => Decimal::new(oracle.limit_cents(who) + delta, 2),
                    PriceSpec::Lower(per_mille) => {
                        (oracle.prices[who] * Decimal::new(1000 - *per_mille as i64, 3)).round_dp(2)
                    }
                };
                request_counter += 1;
                let command = Command::Bid {
                    at: now,
                    bidder: bidder(who),
                    price,
                    request_id: Some(format!("r{request_counter}")),
                };
                let decision = auction.decide(&command);
                let Decision::Record(event) = &decision else {
                    return Err(TestCaseError::fail(format!(
                        "bid not recorded: {decision:?}"
                    )));
                };
                let outcome = event.outcome().expect("bid outcome").clone();
                let expected = oracle.judge_bid(who, price);
                match (&outcome, expected) {
                    (BidOutcome::Accepted, Ok(())) => {
                        let best_before = oracle.ranking()[0];
                        let (bp, bw) = (oracle.prices[best_before], oracle.weights[best_before]);
                        oracle.accept_bid(who, price, event.seq.0, t);
                        accepted_prices[who].push(price);
                        // The best standing never gets worse.
                        let best = oracle.ranking()[0];
                        prop_assert!(
                            oracle.prices[best] * bw <= bp * oracle.weights[best],
                            "best standing got worse"
                        );
                    }
                    (BidOutcome::Refused { reason }, Err(code)) => {
                        prop_assert_eq!(reason.code(), code);
                        if let Refusal::InsufficientDecrement { required_max } = reason {
                            // The reported maximum is exactly the oracle's limit.
                            let limit = Decimal::new(oracle.limit_cents(who), 2);
                            prop_assert_eq!(*required_max, limit);
                        }
                    }
                    (got, want) => {
                        return Err(TestCaseError::fail(format!(
                            "bid {price} by P{who} at +{t}us: engine {got:?}, oracle {want:?}; stage {:?}",
                            oracle.stage
                        )));
                    }
                }
                last_request = Some((command, event.seq, outcome));
                record(&mut auction, &mut log, &decision);
            }
            Action::Pass(who) => {
                let who = resolve(who);
                let command = Command::Pass {
                    at: now,
                    bidder: bidder(who),
                    request_id: None,
                };
                let decision = auction.decide(&command);
                let Decision::Record(event) = &decision else {
                    return Err(TestCaseError::fail(format!(
                        "pass not recorded: {decision:?}"
                    )));
                };
                let outcome = event.outcome().expect("pass outcome").clone();
                match (&outcome, oracle.may_act(who, true)) {
                    (BidOutcome::Accepted, Ok(())) => oracle.accept_pass(t),
                    (BidOutcome::Refused { reason }, Err(code)) => {
                        prop_assert_eq!(reason.code(), code)
                    }
                    (got, want) => {
                        return Err(TestCaseError::fail(format!(
                            "pass by P{who}: engine {got:?}, oracle {want:?}"
                        )));
                    }
                }
                record(&mut auction, &mut log, &decision);
            }
            Action::Tick => {
                let decision = auction.decide(&Command::Tick { at: now });
                record(&mut auction, &mut log, &decision);
            }
            Action::Pause => {
                let paused = oracle.paused_since.is_some() && oracle.resume_at.is_none();
                let valid = !(oracle.finished() || paused);
                let decision = auction.decide(&Command::Pause { at: now });
                prop_assert_eq!(
                    matches!(decision, Decision::Record(_)),
                    valid,
                    "{:?}",
                    decision
                );
                if valid {
                    if oracle.paused_since.is_none() {
                        oracle.paused_since = Some(t);
                        oracle.announced = None;
                    } else {
                        // Down again during a notice: its resumption still stands.
                        oracle.announced = oracle.resume_at;
                    }
                    oracle.resume_at = None;
                }
                record(&mut auction, &mut log, &decision);
            }
            Action::Resume => {
                let valid = oracle.paused_since.is_some() && oracle.resume_at.is_none();
                let decision = auction.decide(&Command::Resume { at: now });
                prop_assert_eq!(
                    matches!(decision, Decision::Record(_)),
                    valid,
                    "{:?}",
                    decision
                );
                if let (true, Some(since)) = (valid, oracle.paused_since) {
                    let announced = oracle.announced.take();
                    if announced.is_none()
                        && t - since <= rules.service_faults.tolerance_seconds as i64 * SEC
                    {
                        oracle.paused_since = None;
                    } else {
                        let notice = t + rules.service_faults.resume_notice_seconds as i64 * SEC;
                        oracle.resume_at = Some(announced.map_or(notice, |a| a.max(notice)));
                    }
                    oracle.advance(t);
                }
                record(&mut auction, &mut log, &decision);
            }
            Action::Reschedule(secs) => {
                let valid = oracle.paused_since.is_some();
                let resumes_at = t + secs * SEC;
                let decision = auction.decide(&Command::Reschedule {
                    at: now,
                    resumes_at: Timestamp::from_micros(T0 + resumes_at),
                });
                prop_assert_eq!(
                    matches!(decision, Decision::Record(_)),
                    valid,
                    "{:?}",
                    decision
                );
                if valid {
                    oracle.resume_at = Some(resumes_at);
                    oracle.announced = None;
                    oracle.advance(t);
                }
                record(&mut auction, &mut log, &decision);
            }
            Action::RetryLastRequest => {
                if let Some((
                    Command::Bid {
                        bidder,
                        price,
                        request_id,
                        ..
                    },
                    seq,
                    outcome,
                )) = &last_request
                {
                    let retry = Command::Bid {
                        at: now,
                        bidder: bidder.clone(),
                        price: *price,
                        request_id: request_id.clone(),
                    };
                    prop_assert_eq!(
                        auction.decide(&retry),
                        Decision::AlreadyRecorded {
                            seq: *seq,
                            outcome: outcome.clone()
                        }
                    );
                }
            }
        }
        // The engine's state is as of its last event; compare when this step recorded one.
        if log.last().map(|e| e.at) == Some(now) {
            prop_assert_eq!(auction.is_finished(), oracle.finished());
        }
    }

    // Sequence numbers are 1, 2, 3, … with no reuse.
    for (i, event) in log.iter().enumerate() {
        prop_assert_eq!(event.seq, Seq(i as u64 + 1));
    }
    // A bidder's accepted prices strictly decrease from its sealed price.
    for (who, prices) in accepted_prices.iter().enumerate() {
        let mut previous = scenario.participants[who].sealed_price;
        for p in prices {
            prop_assert!(*p < previous, "P{who} raised its price");
            previous = *p;
        }
    }
    // Engine ranking equals the brute-force ranking.
    let engine_ranking: Vec<BidderId> = {
        let mut ranked: Vec<(u32, BidderId)> = auction
            .participants()
            .map(|b| {
                let v = auction.bidder_view(b).expect("participant");
                (v.own_rank.expect("rank visible by default"), b.clone())
            })
            .collect();
        ranked.sort();
        ranked.into_iter().map(|(_, b)| b).collect()
    };
    let oracle_ranking: Vec<BidderId> = oracle
        .ranking()
        .into_iter()
        .map(|i| BidderId::new(format!("P{i}")))
        .collect();
    prop_assert_eq!(&engine_ranking, &oracle_ranking);

    // Replay (directly and through JSON) rebuilds the identical state and final ranking.
    let replayed = Auction::replay(rules.clone(), &log).expect("replay");
    prop_assert_eq!(&replayed, &auction);
    let json: Vec<String> = log
        .iter()
        .map(|e| serde_json::to_string(e).expect("json"))
        .collect();
    let parsed: Vec<Event> = json
        .iter()
        .map(|j| serde_json::from_str(j).expect("parse"))
        .collect();
    let replayed = Auction::replay(rules.clone(), &parsed).expect("replay from json");
    prop_assert_eq!(&replayed, &auction);
    prop_assert_eq!(replayed.result(), auction.result());
    prop_assert_eq!(replayed.transcript(), auction.transcript());

    // Ticking to the end always finishes, and the result ranks like the oracle.
    let mut finished = replayed;
    let mut guard = 0;
    while let Some(deadline) = finished.next_deadline() {
        let at = deadline.max(finished.last_at().expect("started"));
        finished
            .execute(&Command::Tick { at })
            .expect("tick to the deadline");
        guard += 1;
        prop_assert!(guard < 1000, "no end in sight");
    }
    if !finished.is_finished() {
        // Paused without resumption: resume and run out the clock.
        let at = finished.last_at().expect("started");
        finished
            .execute(&Command::Resume { at })
            .expect("resume a paused auction");
        while let Some(deadline) = finished.next_deadline() {
            let at = deadline.max(finished.last_at().expect("started"));
            finished.execute(&Command::Tick { at }).expect("tick");
        }
    }
    prop_assert!(finished.is_finished());
    let result = finished.result().expect("result");
    let winners: Vec<BidderId> = result.ranking.iter().map(|s| s.bidder.clone()).collect();
    prop_assert_eq!(winners, oracle_ranking);
    Ok(())
}

/// The log a scenario produces, without the oracle (for the corruption test).
fn log_of(scenario: &Scenario) -> Vec<Event> {
    let mut auction = Auction::new(scenario.rules.clone()).expect("rules");
    let mut log = Vec::new();
    let mut t = 0i64;
    let mut commands = vec![Command::Start {
        at: Timestamp::from_micros(T0),
        participants: scenario.participants.clone(),
        label_seed: scenario.seed,
    }];
    let n = scenario.participants.len().max(1);
    for (i, (_, action)) in scenario.steps.iter().enumerate() {
        t += (i as i64 % 7) * SEC / 2;
        let at = Timestamp::from_micros(T0 + t);
        let who = BidderId::new(format!("P{}", i % n));
        commands.push(match action {
            Action::Bid(..) => Command::Bid {
                at,
                bidder: who,
                price: Decimal::new(10_000 - i as i64 * 60, 2),
                request_id: None,
            },
            Action::Pass(_) => Command::Pass {
                at,
                bidder: who,
                request_id: None,
            },
            Action::Pause => Command::Pause { at },
            Action::Resume => Command::Resume { at },
            _ => Command::Tick { at },
        });
    }
    for command in commands {
        if let Decision::Record(event) = auction.decide(&command) {
            auction.apply(&event).expect("apply");
            log.push(event);
        }
    }
    log
}

/// Ways a stored log can be damaged.
#[derive(Debug, Clone)]
enum Damage {
    Drop(usize),
    Duplicate(usize),
    Swap(usize),
    ShiftTime(usize, i64),
    Reprice(usize, i64),
    FlipOutcome(usize),
    Renumber(usize, u64),
}

fn damage_strategy() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<usize>().prop_map(Damage::Drop),
        any::<usize>().prop_map(Damage::Duplicate),
        any::<usize>().prop_map(Damage::Swap),
        (any::<usize>(), -5 * SEC..5 * SEC).prop_map(|(i, d)| Damage::ShiftTime(i, d)),
        (any::<usize>(), -20_000i64..20_000).prop_map(|(i, c)| Damage::Reprice(i, c)),
        any::<usize>().prop_map(Damage::FlipOutcome),
        (any::<usize>(), 0u64..100).prop_map(|(i, s)| Damage::Renumber(i, s)),
    ]
}

fn apply_damage(log: &mut Vec<Event>, damage: &Damage) {
    if log.is_empty() {
        return;
    }
    let len = log.len();
    match damage {
        Damage::Drop(i) => {
            log.remove(i % len);
        }
        Damage::Duplicate(i) => {
            let e = log[i % len].clone();
            log.insert(i % len, e);
        }
        Damage::Swap(i) => {
            if len > 1 {
                log.swap(i % (len - 1), i % (len - 1) + 1);
            }
        }
        Damage::ShiftTime(i, d) => {
            let e = &mut log[i % len];
            e.at = Timestamp::from_micros(e.at.as_micros() + d);
        }
        Damage::Reprice(i, c) => {
            if let tianguis_auction::EventKind::Bid { price, .. } = &mut log[i % len].kind {
                *price = Decimal::new(*c, 2);
            }
        }
        Damage::FlipOutcome(i) => {
            if let tianguis_auction::EventKind::Bid { outcome, .. } = &mut log[i % len].kind {
                *outcome = match outcome {
                    BidOutcome::Accepted => BidOutcome::Refused {
                        reason: Refusal::NotYourTurn,
                    },
                    BidOutcome::Refused { .. } => BidOutcome::Accepted,
                };
            }
        }
        Damage::Renumber(i, s) => log[i % len].seq = Seq(*s),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn engine_agrees_with_the_oracle_and_replays_exactly(scenario in scenario_strategy()) {
        run(&scenario)?;
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// A damaged log never panics the engine: replay either reports a coded error or yields a
    /// state that is itself a faithful fold of the damaged log (the same on a second replay, and
    /// every event in it is what the rules decide).
    #[test]
    fn damaged_logs_are_rejected_or_refold_consistently(
        scenario in scenario_strategy(),
        damages in prop::collection::vec(damage_strategy(), 1..4),
    ) {
        let mut log = log_of(&scenario);
        for damage in &damages {
            apply_damage(&mut log, damage);
        }
        match Auction::replay(scenario.rules.clone(), &log) {
            Ok(auction) => {
                let again = Auction::replay(scenario.rules.clone(), &log).expect("deterministic");
                prop_assert_eq!(&again, &auction);
                prop_assert_eq!(auction.last_seq(), Seq(log.len() as u64));
            }
            Err(error) => prop_assert!(error.code().starts_with("auction.")),
        }
    }
}

#[test]
fn oracle_limit_matches_a_known_value() {
    // Guard on the oracle itself: 0.5 % below 99.99 is 99.49005 → 99.49.
    let rules = AuctionRules::default();
    let p = common::participant("A", "99.99", 1);
    let oracle = Oracle::new(&rules, &[p.clone(), common::participant("B", "1.00", 1)], 0);
    assert_eq!(oracle.limit_cents(0), 9949);
    assert!(oracle.better(1, 0));
    assert_eq!(
        Ordering::Less,
        Decimal::new(9949, 2).cmp(&Decimal::new(9950, 2))
    );
}
