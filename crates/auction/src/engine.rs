//! The auction state and its two operations, [`Auction::decide`] and [`Auction::apply`].
//!
//! The state is a deterministic fold over the event log (issue 4, "Durability and faults"):
//! `decide` answers "what would happen" without changing anything, so the service can write the
//! resulting event durably before acknowledging it; `apply` folds a recorded event in, checking
//! that it is exactly what `decide` would produce at that point (sequence, time, outcome), so a
//! replayed log rebuilds the identical state or fails loudly.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use crate::event::{BidOutcome, BidderId, Command, Event, EventKind, Participant, Refusal, Seq};
use crate::label::{self, Label};
use crate::money::{self, Inexact};
use crate::rules::{
    AuctionRules, DecrementKind, DecrementReference, Format, MAX_FEATURE_SUM, MAX_FRACTION_DIGITS,
    MAX_PRICE, Ranking, RulesError,
};
use crate::schedule::{Fault, Phase, PhaseChange, Schedule, Stage};
use crate::time::{Micros, Timestamp};

/// A command or event the engine cannot take. These are errors of the *service* (or a corrupted
/// log), not of a bidder: a bidder's bad bid is a recorded [`Refusal`], never an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuctionError {
    /// The rules are invalid.
    #[error(transparent)]
    Rules(#[from] RulesError),
    /// Anything but `Start` before the auction started.
    #[error("the auction has not been started")]
    NotStarted,
    /// A second `Start`.
    #[error("the auction was already started")]
    AlreadyStarted,
    /// Server time must never go backwards within an auction; the service clamps its clock
    /// reading to the last event's time.
    #[error("time went backwards: {at} is before the last event at {last}")]
    TimeWentBackwards {
        /// The offending time.
        at: Timestamp,
        /// The last event's time.
        last: Timestamp,
    },
    /// A recorded event is not the next in sequence (a gap or a reused number in the log).
    #[error("expected event #{expected}, found #{found}")]
    SequenceMismatch {
        /// The next sequence number.
        expected: Seq,
        /// The event's.
        found: Seq,
    },
    /// The same bidder listed twice in `Start`.
    #[error("bidder {0} is listed more than once")]
    DuplicateParticipant(BidderId),
    /// An empty bidder identifier.
    #[error("a participant has an empty bidder id")]
    EmptyBidderId,
    /// A sealed price that cannot start an auction.
    #[error("sealed price of {bidder} is invalid: {reason}")]
    InvalidSealedPrice {
        /// Whose.
        bidder: BidderId,
        /// Why.
        reason: String,
    },
    /// Feature values that cannot be used for score ranking.
    #[error("features of {bidder} are invalid: {reason}")]
    InvalidFeatures {
        /// Whose.
        bidder: BidderId,
        /// Why.
        reason: String,
    },
    /// `Pause` while already paused.
    #[error("the auction is already paused")]
    AlreadyPaused,
    /// `Resume` or `Reschedule` without a pause.
    #[error("the auction is not paused")]
    NotPaused,
    /// `Reschedule` to a time before the decision.
    #[error("cannot resume at {resumes_at}, before {at}")]
    InvalidReschedule {
        /// Decision time.
        at: Timestamp,
        /// Requested resumption.
        resumes_at: Timestamp,
    },
    /// `Pause` after the end.
    #[error("the auction has finished")]
    Finished,
    /// `RevealIdentities` before the end.
    #[error("the auction has not finished")]
    NotFinished,
    /// `RevealIdentities` twice.
    #[error("identities were already revealed")]
    AlreadyRevealed,
    /// A recorded bid reuses a bidder's idempotency key.
    #[error("request {request_id} of {bidder} was already recorded as event #{seq}")]
    DuplicateRequest {
        /// Whose.
        bidder: BidderId,
        /// The key.
        request_id: String,
        /// The event that has it.
        seq: Seq,
    },
    /// A recorded event differs from what the rules produce at that point: the log was altered or
    /// the rules changed since it was written.
    #[error("event #{seq} does not match the rules: recorded {recorded}, rules give {expected}")]
    ReplayDivergence {
        /// The event.
        seq: Seq,
        /// What the log says (JSON).
        recorded: String,
        /// What the rules give (JSON).
        expected: String,
    },
    /// An exact computation would exceed 28 significant digits (prices and features are bounded
    /// so this does not happen with valid input).
    #[error("arithmetic overflow in an exact price computation")]
    ArithmeticOverflow,
}

impl AuctionError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            AuctionError::Rules(e) => e.code(),
            AuctionError::NotStarted => "auction.not_started",
            AuctionError::AlreadyStarted => "auction.already_started",
            AuctionError::TimeWentBackwards { .. } => "auction.time_went_backwards",
            AuctionError::SequenceMismatch { .. } => "auction.sequence_mismatch",
            AuctionError::DuplicateParticipant(_) => "auction.duplicate_participant",
            AuctionError::EmptyBidderId => "auction.empty_bidder_id",
            AuctionError::InvalidSealedPrice { .. } => "auction.invalid_sealed_price",
            AuctionError::InvalidFeatures { .. } => "auction.invalid_features",
            AuctionError::AlreadyPaused => "auction.already_paused",
            AuctionError::NotPaused => "auction.not_paused",
            AuctionError::InvalidReschedule { .. } => "auction.invalid_reschedule",
            AuctionError::Finished => "auction.finished",
            AuctionError::NotFinished => "auction.not_finished",
            AuctionError::AlreadyRevealed => "auction.already_revealed",
            AuctionError::DuplicateRequest { .. } => "auction.duplicate_request",
            AuctionError::ReplayDivergence { .. } => "auction.replay_divergence",
            AuctionError::ArithmeticOverflow => "auction.arithmetic_overflow",
        }
    }
}

impl From<Inexact> for AuctionError {
    fn from(_: Inexact) -> Self {
        AuctionError::ArithmeticOverflow
    }
}

/// A replayed log that does not fold: which event and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event #{seq}: {error}")]
pub struct ReplayError {
    /// The event that failed.
    pub seq: Seq,
    /// Why.
    pub error: AuctionError,
}

impl ReplayError {
    /// Stable machine code (that of the underlying error).
    pub fn code(&self) -> &'static str {
        self.error.code()
    }
}

/// What the service should do with a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Write this event durably, [`Auction::apply`] it, then acknowledge (for bids and passes,
    /// with [`Event::outcome`]).
    Record(Event),
    /// The same request (bidder + `request_id`) was already recorded: answer with that outcome
    /// and record nothing (a client retrying after a reconnection).
    AlreadyRecorded {
        /// The earlier event.
        seq: Seq,
        /// Its outcome.
        outcome: BidOutcome,
    },
    /// The command is invalid for the service; nothing is recorded.
    Invalid(AuctionError),
}

/// When a bidder's current standing was reached: the tie-break "ties go to the earlier bid".
/// Variant order matters: every sealed bid is earlier than every live bid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Reached {
    /// The sealed bid, submitted at `at`; `index` (position in `Started`) orders equal times.
    Sealed { at: Timestamp, index: usize },
    /// A live bid with this sequence number.
    Live { seq: Seq },
}

/// A participant and its current standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entrant {
    pub(crate) bidder: BidderId,
    pub(crate) name: String,
    pub(crate) label: Label,
    pub(crate) sealed_price: Decimal,
    pub(crate) sealed_at: Timestamp,
    pub(crate) features: BTreeMap<String, Decimal>,
    /// 1 + Σ features in score ranking; 1 in price ranking.
    pub(crate) weight: Decimal,
    pub(crate) price: Decimal,
    pub(crate) reached: Reached,
    pub(crate) accepted_bids: u32,
}

/// What a bid or pass was, for the transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attempt {
    pub(crate) seq: Seq,
    pub(crate) at: Timestamp,
    pub(crate) bidder: BidderId,
    /// `None` for a pass.
    pub(crate) price: Option<Decimal>,
    pub(crate) outcome: BidOutcome,
}

/// One electronic reverse auction (one lot): rules plus the fold of its event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auction {
    pub(crate) rules: AuctionRules,
    pub(crate) last_at: Option<Timestamp>,
    pub(crate) last_seq: Seq,
    pub(crate) started_at: Option<Timestamp>,
    pub(crate) entrants: Vec<Entrant>,
    pub(crate) index: HashMap<BidderId, usize>,
    pub(crate) schedule: Schedule,
    pub(crate) revealed_at: Option<Timestamp>,
    pub(crate) attempts: Vec<Attempt>,
    pub(crate) requests: HashMap<(BidderId, String), usize>,
    pub(crate) timeline: Vec<PhaseChange>,
}

impl Auction {
    /// A not-yet-started auction under `rules` (validated here, so no auction runs on
    /// inconsistent rules).
    pub fn new(rules: AuctionRules) -> Result<Self, AuctionError> {
        rules.validate()?;
        Ok(Auction {
            rules,
            last_at: None,
            last_seq: Seq(0),
            started_at: None,
            entrants: Vec::new(),
            index: HashMap::new(),
            schedule: Schedule {
                stage: Stage::NotStarted,
                fault: Fault::None,
            },
            revealed_at: None,
            attempts: Vec::new(),
            requests: HashMap::new(),
            timeline: Vec::new(),
        })
    }

    /// Rebuild an auction from its log (restart, take-over by another node, audit).
    pub fn replay<'a>(
        rules: AuctionRules,
        events: impl IntoIterator<Item = &'a Event>,
    ) -> Result<Self, ReplayError> {
        let mut auction =
            Auction::new(rules).map_err(|error| ReplayError { seq: Seq(0), error })?;
        for event in events {
            auction.apply(event).map_err(|error| ReplayError {
                seq: event.seq,
                error,
            })?;
        }
        Ok(auction)
    }

    /// The rules this auction runs under.
    pub fn rules(&self) -> &AuctionRules {
        &self.rules
    }

    /// Sequence number of the last applied event (0 before any): a reconnecting client sends the
    /// last one it saw and receives what follows.
    pub fn last_seq(&self) -> Seq {
        self.last_seq
    }

    /// Server time of the last applied event.
    pub fn last_at(&self) -> Option<Timestamp> {
        self.last_at
    }

    /// Whether bidding is over (finished, or not held for lack of participants). Only time moves
    /// an auction to its end, so the service must apply a `Tick` at [`Self::next_deadline`].
    pub fn is_finished(&self) -> bool {
        self.schedule.stage.is_finished()
    }

    /// When the schedule next changes by itself: the service sleeps until then and issues
    /// `Command::Tick`. `None` when finished, not started, or paused (waiting for `Resume`).
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.schedule.next_deadline()
    }

    /// The current phase, as published.
    pub fn phase(&self) -> Phase {
        self.phase_of(&self.schedule)
    }

    /// Who holds the exclusive turn, if anyone (for the service's routing and notifications).
    pub fn current_turn(&self) -> Option<&BidderId> {
        match (&self.schedule.stage, self.schedule.fault) {
            (
                Stage::Turn {
                    order, position, ..
                },
                Fault::None,
            ) => order
                .get(*position)
                .and_then(|i| self.entrants.get(*i))
                .map(|e| &e.bidder),
            _ => None,
        }
    }

    /// Every dated phase change so far (turns, pauses, extensions): the public timeline.
    pub fn timeline(&self) -> &[PhaseChange] {
        &self.timeline
    }

    /// The participants in `Started` order.
    pub fn participants(&self) -> impl Iterator<Item = &BidderId> {
        self.entrants.iter().map(|e| &e.bidder)
    }

    /// Whether names may be shown.
    pub fn identities_revealed(&self) -> bool {
        self.revealed_at.is_some()
    }

    /// Decide a command without changing anything.
    pub fn decide(&self, command: &Command) -> Decision {
        match self.decide_inner(command) {
            Ok(decision) => decision,
            Err(error) => Decision::Invalid(error),
        }
    }

    /// Decide and, if there is something to record, apply it at once; returns the decision.
    /// For tests, replay tools, and services that commit in batches: such a service applies in
    /// memory, acknowledges only after the batch is durable, and if the commit fails discards
    /// this state and replays the log.
    pub fn execute(&mut self, command: &Command) -> Result<Decision, AuctionError> {
        let decision = self.decide(command);
        match &decision {
            Decision::Record(event) => self.apply(event)?,
            Decision::Invalid(error) => return Err(error.clone()),
            Decision::AlreadyRecorded { .. } => {}
        }
        Ok(decision)
    }

    /// Fold a recorded event into the state. Fails, changing nothing, if the event is not exactly
    /// what the rules produce at this point.
    pub fn apply(&mut self, event: &Event) -> Result<(), AuctionError> {
        let expected_seq = Seq(self.last_seq.0 + 1);
        if event.seq != expected_seq {
            return Err(AuctionError::SequenceMismatch {
                expected: expected_seq,
                found: event.seq,
            });
        }
        let command = command_of(event);
        let expected = match self.decide_inner(&command)? {
            Decision::Record(expected) => expected,
            Decision::AlreadyRecorded { seq, .. } => {
                let (bidder, request_id) = match &command {
                    Command::Bid {
                        bidder, request_id, ..
                    }
                    | Command::Pass {
                        bidder, request_id, ..
                    } => (bidder.clone(), request_id.clone().unwrap_or_default()),
                    _ => (BidderId::new(""), String::new()),
                };
                return Err(AuctionError::DuplicateRequest {
                    bidder,
                    request_id,
                    seq,
                });
            }
            Decision::Invalid(error) => return Err(error),
        };
        if &expected != event {
            return Err(AuctionError::ReplayDivergence {
                seq: event.seq,
                recorded: serde_json::to_string(event).unwrap_or_default(),
                expected: serde_json::to_string(&expected).unwrap_or_default(),
            });
        }
        self.commit(event);
        Ok(())
    }

    // ----- deciding -------------------------------------------------------------------------

    fn decide_inner(&self, command: &Command) -> Result<Decision, AuctionError> {
        let at = command.at();
        if let Some(last) = self.last_at
            && at < last
        {
            return Err(AuctionError::TimeWentBackwards { at, last });
        }
        let started = self.started_at.is_some();
        match command {
            Command::Start { .. } if started => return Err(AuctionError::AlreadyStarted),
            Command::Start { .. } => {}
            _ if !started => return Err(AuctionError::NotStarted),
            _ => {}
        }
        let seq = Seq(self.last_seq.0 + 1);
        let record = |kind| Ok(Decision::Record(Event { seq, at, kind }));
        match command {
            Command::Start {
                participants,
                label_seed,
                ..
            } => {
                self.validate_participants(participants)?;
                record(EventKind::Started {
                    participants: participants.clone(),
                    label_seed: *label_seed,
                })
            }
            Command::Bid {
                bidder,
                price,
                request_id,
                ..
            } => {
                if let Some(earlier) = self.earlier_request(bidder, request_id) {
                    return Ok(earlier);
                }
                let schedule = self.advanced(at, None);
                let outcome = match self.judge_bid(&schedule, bidder, *price)? {
                    None => BidOutcome::Accepted,
                    Some(reason) => BidOutcome::Refused { reason },
                };
                record(EventKind::Bid {
                    bidder: bidder.clone(),
                    price: *price,
                    request_id: request_id.clone(),
                    outcome,
                })
            }
            Command::Pass {
                bidder, request_id, ..
            } => {
                if let Some(earlier) = self.earlier_request(bidder, request_id) {
                    return Ok(earlier);
                }
                let schedule = self.advanced(at, None);
                let outcome = match self.judge_turn(&schedule, bidder, true) {
                    None => BidOutcome::Accepted,
                    Some(reason) => BidOutcome::Refused { reason },
                };
                record(EventKind::Pass {
                    bidder: bidder.clone(),
                    request_id: request_id.clone(),
                    outcome,
                })
            }
            Command::Tick { .. } => record(EventKind::Tick),
            Command::Pause { .. } => {
                let schedule = self.advanced(at, None);
                if schedule.stage.is_finished() {
                    return Err(AuctionError::Finished);
                }
                if let Fault::Paused { .. } = schedule.fault {
                    return Err(AuctionError::AlreadyPaused);
                }
                record(EventKind::Paused)
            }
            Command::Resume { .. } => {
                let schedule = self.advanced(at, None);
                match schedule.fault {
                    Fault::Paused { .. } => record(EventKind::Resumed),
                    _ => Err(AuctionError::NotPaused),
                }
            }
            Command::Reschedule { resumes_at, .. } => {
                let schedule = self.advanced(at, None);
                if matches!(schedule.fault, Fault::None) {
                    return Err(AuctionError::NotPaused);
                }
                if *resumes_at < at {
                    return Err(AuctionError::InvalidReschedule {
                        at,
                        resumes_at: *resumes_at,
                    });
                }
                record(EventKind::Rescheduled {
                    resumes_at: *resumes_at,
                })
            }
            Command::RevealIdentities { .. } => {
                let schedule = self.advanced(at, None);
                if !schedule.stage.is_finished() {
                    return Err(AuctionError::NotFinished);
                }
                if self.revealed_at.is_some() {
                    return Err(AuctionError::AlreadyRevealed);
                }
                record(EventKind::IdentitiesRevealed)
            }
        }
    }

    fn earlier_request(&self, bidder: &BidderId, request_id: &Option<String>) -> Option<Decision> {
        let key = (bidder.clone(), request_id.clone()?);
        let attempt = self.attempts.get(*self.requests.get(&key)?)?;
        Some(Decision::AlreadyRecorded {
            seq: attempt.seq,
            outcome: attempt.outcome.clone(),
        })
    }

    fn validate_participants(&self, participants: &[Participant]) -> Result<(), AuctionError> {
        let scale = self.rules.price_scale;
        let mut seen = std::collections::HashSet::new();
        for p in participants {
            if p.bidder.0.trim().is_empty() {
                return Err(AuctionError::EmptyBidderId);
            }
            if !seen.insert(&p.bidder) {
                return Err(AuctionError::DuplicateParticipant(p.bidder.clone()));
            }
            let invalid_price = |reason: String| AuctionError::InvalidSealedPrice {
                bidder: p.bidder.clone(),
                reason,
            };
            if p.sealed_price <= Decimal::ZERO {
                return Err(invalid_price("must be positive".into()));
            }
            if p.sealed_price.round_dp(scale) != p.sealed_price {
                return Err(invalid_price(format!("has more than {scale} decimals")));
            }
            if p.sealed_price > MAX_PRICE {
                return Err(invalid_price(format!("exceeds {MAX_PRICE}")));
            }
            let invalid_features = |reason: String| AuctionError::InvalidFeatures {
                bidder: p.bidder.clone(),
                reason,
            };
            let mut sum = Decimal::ZERO;
            for (name, value) in &p.features {
                if *value < Decimal::ZERO {
                    return Err(invalid_features(format!("{name} is negative")));
                }
                if value.normalize().scale() > MAX_FRACTION_DIGITS {
                    return Err(invalid_features(format!(
                        "{name} has more than {MAX_FRACTION_DIGITS} decimals"
                    )));
                }
                sum = sum
                    .checked_add(*value)
                    .ok_or_else(|| invalid_features("sum overflows".into()))?;
            }
            if sum > MAX_FEATURE_SUM {
                return Err(invalid_features(format!(
                    "sum {sum} exceeds {MAX_FEATURE_SUM}"
                )));
            }
        }
        Ok(())
    }

    /// `None` if the bidder may act now (holds the turn, or the window is open), else why not.
    fn judge_turn(&self, schedule: &Schedule, bidder: &BidderId, passing: bool) -> Option<Refusal> {
        let Some(&idx) = self.index.get(bidder) else {
            return Some(Refusal::NotParticipant);
        };
        if passing && matches!(self.rules.format, Format::SoftClose(_)) {
            return Some(Refusal::PassNotApplicable);
        }
        match &schedule.stage {
            Stage::NotHeld { .. } => return Some(Refusal::NotHeld),
            Stage::Finished { .. } => return Some(Refusal::Closed),
            _ => {}
        }
        if !matches!(schedule.fault, Fault::None) {
            return Some(Refusal::Paused);
        }
        match &schedule.stage {
            Stage::NotStarted | Stage::BeforeWindow { .. } => Some(Refusal::NotOpenYet),
            Stage::BeforeRound { round, .. } => Some(if *round <= 1 {
                Refusal::NotOpenYet
            } else {
                Refusal::BetweenRounds
            }),
            Stage::Turn {
                order, position, ..
            } => (order.get(*position) != Some(&idx)).then_some(Refusal::NotYourTurn),
            Stage::Window { .. } => None,
            Stage::NotHeld { .. } => Some(Refusal::NotHeld),
            Stage::Finished { .. } => Some(Refusal::Closed),
        }
    }

    /// `Ok(None)` if the bid is acceptable, `Ok(Some(reason))` if refused.
    fn judge_bid(
        &self,
        schedule: &Schedule,
        bidder: &BidderId,
        price: Decimal,
    ) -> Result<Option<Refusal>, AuctionError> {
        if let Some(reason) = self.judge_turn(schedule, bidder, false) {
            return Ok(Some(reason));
        }
        let Some(&idx) = self.index.get(bidder) else {
            return Ok(Some(Refusal::NotParticipant));
        };
        if price <= Decimal::ZERO {
            return Ok(Some(Refusal::NotPositive));
        }
        let scale = self.rules.price_scale;
        if price.round_dp(scale) != price {
            return Ok(Some(Refusal::TooManyDecimals { price_scale: scale }));
        }
        let required_max = self.required_max(idx)?;
        if price > required_max {
            return Ok(Some(Refusal::InsufficientDecrement {
                required_max: required_max.max(Decimal::ZERO),
            }));
        }
        Ok(None)
    }

    /// The largest price entrant `idx` may bid now: the reference lowered by the minimum
    /// decrement, rounded *down* to the currency's unit, and never above its own price minus one
    /// unit (a bid must lower the bidder's own price).
    pub(crate) fn required_max(&self, idx: usize) -> Result<Decimal, AuctionError> {
        let scale = self.rules.price_scale;
        let own = &self.entrants[idx];
        let decrement = &self.rules.minimum_decrement;
        let hundred = Decimal::ONE_HUNDRED;
        let computed = match decrement.relative_to {
            DecrementReference::OwnPrice => match decrement.kind {
                DecrementKind::Percentage => money::floor_div(
                    money::mul(own.price, hundred - decrement.amount)?,
                    hundred,
                    scale,
                )?,
                DecrementKind::Absolute => own.price - decrement.amount,
            },
            DecrementReference::Best => {
                let best = &self.entrants[self.leader().unwrap_or(idx)];
                // Score ranking: the bid's score price ÷ w_own must be at most the best score
                // p_best ÷ w_best lowered by the decrement; with price ranking all weights are 1.
                match decrement.kind {
                    DecrementKind::Percentage => money::floor_div(
                        money::mul(
                            money::mul(best.price, own.weight)?,
                            hundred - decrement.amount,
                        )?,
                        money::mul(best.weight, hundred)?,
                        scale,
                    )?,
                    DecrementKind::Absolute => money::floor_div(
                        money::mul(
                            best.price - money::mul(decrement.amount, best.weight)?,
                            own.weight,
                        )?,
                        best.weight,
                        scale,
                    )?,
                }
            }
        };
        // Written on the currency's scale ("104475.00"), as every published price.
        Ok(money::on_scale(
            computed.min(own.price - money::unit(scale)),
            scale,
        ))
    }

    // ----- standings --------------------------------------------------------------------------

    /// Compare two entrants' standings: `Less` means `a` ranks better. Price (or score), then the
    /// earlier-reached standing.
    pub(crate) fn compare(&self, a: usize, b: usize) -> Ordering {
        let (ea, eb) = (&self.entrants[a], &self.entrants[b]);
        let by_measure = match self.rules.ranking {
            Ranking::Price => ea.price.cmp(&eb.price),
            Ranking::Score => money::cmp_ratio(ea.price, ea.weight, eb.price, eb.weight)
                // Bounded inputs make this exact; if not, fall back to 28-digit division.
                .unwrap_or_else(|_| (ea.price / ea.weight).cmp(&(eb.price / eb.weight))),
        };
        by_measure.then(ea.reached.cmp(&eb.reached))
    }

    /// Entrant indices, best first.
    pub(crate) fn standings(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.entrants.len()).collect();
        order.sort_by(|a, b| self.compare(*a, *b));
        order
    }

    /// The current best entrant.
    pub(crate) fn leader(&self) -> Option<usize> {
        (0..self.entrants.len()).min_by(|a, b| self.compare(*a, *b))
    }

    /// 1-based rank of entrant `idx`.
    pub(crate) fn rank_of(&self, idx: usize) -> u32 {
        1 + (0..self.entrants.len())
            .filter(|other| self.compare(*other, idx) == Ordering::Less)
            .count() as u32
    }

    /// The score shown to people (price ÷ (1 + Σ features), 6 decimals); `None` in price ranking.
    pub(crate) fn display_score(&self, idx: usize) -> Option<Decimal> {
        match self.rules.ranking {
            Ranking::Price => None,
            Ranking::Score => {
                let e = &self.entrants[idx];
                e.price
                    .checked_div(e.weight)
                    .map(|s| money::display_round(s, 6))
            }
        }
    }

    // ----- time ------------------------------------------------------------------------------

    /// The schedule as it will be at `to`, passing every deadline `≤ to` (a deadline instant
    /// belongs to what follows it). Records phase changes into `log` when given.
    pub(crate) fn advanced(
        &self,
        to: Timestamp,
        mut log: Option<&mut Vec<PhaseChange>>,
    ) -> Schedule {
        let mut schedule = self.schedule.clone();
        loop {
            match schedule.fault {
                Fault::Paused { .. } => break,
                Fault::Suspended { since, resumes_at } => {
                    if resumes_at > to {
                        break;
                    }
                    schedule.stage.shift(resumes_at.since(since));
                    schedule.fault = Fault::None;
                    if let Some(log) = log.as_deref_mut() {
                        log.push(PhaseChange {
                            at: resumes_at,
                            phase: self.phase_of(&schedule),
                        });
                    }
                    continue;
                }
                Fault::None => {}
            }
            let Some(deadline) = schedule.stage.deadline() else {
                break;
            };
            if deadline > to {
                break;
            }
            schedule.stage = self.next_stage(&schedule.stage, deadline);
            if let Some(log) = log.as_deref_mut() {
                log.push(PhaseChange {
                    at: deadline,
                    phase: self.phase_of(&schedule),
                });
            }
        }
        schedule
    }

    /// The stage that follows `stage` when it ends at `at` (its deadline, or earlier when a turn
    /// ends by a bid or a pass).
    fn next_stage(&self, stage: &Stage, at: Timestamp) -> Stage {
        match (&self.rules.format, stage) {
            (Format::TurnBasedRounds(r), Stage::BeforeRound { round, .. }) => Stage::Turn {
                round: *round,
                order: self.turn_order(),
                position: 0,
                started_at: at,
                ends_at: at.plus(Micros::from_secs(r.turn_seconds)),
            },
            (
                Format::TurnBasedRounds(r),
                Stage::Turn {
                    round,
                    order,
                    position,
                    ..
                },
            ) => {
                if position + 1 < order.len() {
                    Stage::Turn {
                        round: *round,
                        order: order.clone(),
                        position: position + 1,
                        started_at: at,
                        ends_at: at.plus(Micros::from_secs(r.turn_seconds)),
                    }
                } else if *round < r.rounds {
                    Stage::BeforeRound {
                        round: round + 1,
                        starts_at: at.plus(Micros::from_secs(r.pause_between_rounds_seconds)),
                    }
                } else {
                    Stage::Finished { at }
                }
            }
            (Format::SoftClose(s), Stage::BeforeWindow { .. }) => Stage::Window {
                ends_at: at.plus(Micros::from_secs(s.window_seconds)),
                hard_stop_at: at.plus(Micros::from_secs(s.hard_stop_seconds)),
                extensions: 0,
            },
            (_, Stage::Window { .. }) => Stage::Finished { at },
            (_, other) => other.clone(),
        }
    }

    /// Turn order of a round: from worst to best current standing (issue 4), i.e. the ranking
    /// reversed. Equal prices are ordered by the tie-break, so among equal prices the bidder that
    /// reached it *later* (who would lose the tie) goes first.
    pub(crate) fn turn_order(&self) -> Vec<usize> {
        let mut order = self.standings();
        order.reverse();
        order
    }

    pub(crate) fn phase_of(&self, schedule: &Schedule) -> Phase {
        match schedule.fault {
            Fault::Paused { since, .. } => return Phase::Paused { since },
            Fault::Suspended { since, resumes_at } => {
                return Phase::Resuming { since, resumes_at };
            }
            Fault::None => {}
        }
        match &schedule.stage {
            Stage::NotStarted => Phase::NotStarted,
            Stage::NotHeld { at } => Phase::NotHeld { at: *at },
            Stage::BeforeRound { round, starts_at } if *round <= 1 => Phase::BeforeFirstRound {
                starts_at: *starts_at,
            },
            Stage::BeforeRound { round, starts_at } => Phase::BetweenRounds {
                next_round: *round,
                starts_at: *starts_at,
            },
            Stage::Turn {
                round,
                order,
                position,
                started_at,
                ends_at,
            } => Phase::Turn {
                round: *round,
                rounds: match &self.rules.format {
                    Format::TurnBasedRounds(r) => r.rounds,
                    Format::SoftClose(_) => 0,
                },
                position: *position as u32 + 1,
                turns: order.len() as u32,
                label: order
                    .get(*position)
                    .and_then(|i| self.entrants.get(*i))
                    .map(|e| e.label)
                    .unwrap_or(Label(0)),
                started_at: *started_at,
                ends_at: *ends_at,
            },
            Stage::BeforeWindow { opens_at } => Phase::BeforeWindow {
                opens_at: *opens_at,
            },
            Stage::Window {
                ends_at,
                hard_stop_at,
                extensions,
            } => Phase::Window {
                ends_at: *ends_at,
                hard_stop_at: *hard_stop_at,
                extensions: *extensions,
            },
            Stage::Finished { at } => Phase::Finished { at: *at },
        }
    }

    // ----- applying ----------------------------------------------------------------------------

    /// Fold a validated event in. Infallible: everything was checked by `decide_inner`.
    fn commit(&mut self, event: &Event) {
        let at = event.at;
        self.catch_up(at);
        match &event.kind {
            EventKind::Started {
                participants,
                label_seed,
            } => self.start(at, participants, *label_seed),
            EventKind::Bid {
                bidder,
                price,
                request_id,
                outcome,
            } => {
                if outcome.is_accepted()
                    && let Some(&idx) = self.index.get(bidder)
                {
                    let scale = self.rules.price_scale;
                    let entrant = &mut self.entrants[idx];
                    entrant.price = money::on_scale(*price, scale);
                    entrant.reached = Reached::Live { seq: event.seq };
                    entrant.accepted_bids += 1;
                    self.after_accepted_bid(at);
                }
                self.record_attempt(event, bidder, Some(*price), request_id, outcome);
            }
            EventKind::Pass {
                bidder,
                request_id,
                outcome,
            } => {
                if outcome.is_accepted() {
                    self.end_turn_early(at);
                }
                self.record_attempt(event, bidder, None, request_id, outcome);
            }
            EventKind::Tick => {}
            EventKind::Paused => {
                self.schedule.fault = match self.schedule.fault {
                    // Down again during the resume notice: still frozen since the first outage,
                    // and the announced resumption still stands.
                    Fault::Suspended { since, resumes_at } => Fault::Paused {
                        since,
                        announced: Some(resumes_at),
                    },
                    Fault::Paused { since, announced } => Fault::Paused { since, announced },
                    Fault::None => Fault::Paused {
                        since: at,
                        announced: None,
                    },
                };
                self.push_phase(at);
            }
            EventKind::Resumed => {
                if let Fault::Paused { since, announced } = self.schedule.fault {
                    if announced.is_none() && at.since(since) <= self.rules.tolerance() {
                        // Absorbed: the clock ran on as if nothing happened.
                        self.schedule.fault = Fault::None;
                        self.catch_up(at);
                        self.push_phase(at);
                    } else {
                        let notice = at.plus(self.rules.resume_notice());
                        self.schedule.fault = Fault::Suspended {
                            since,
                            resumes_at: announced.map_or(notice, |a| a.max(notice)),
                        };
                        self.push_phase(at);
                        self.catch_up(at);
                    }
                }
            }
            EventKind::Rescheduled { resumes_at } => {
                if let Fault::Paused { since, .. } | Fault::Suspended { since, .. } =
                    self.schedule.fault
                {
                    self.schedule.fault = Fault::Suspended {
                        since,
                        resumes_at: *resumes_at,
                    };
                    self.push_phase(at);
                    self.catch_up(at);
                }
            }
            EventKind::IdentitiesRevealed => self.revealed_at = Some(at),
        }
        self.last_at = Some(at);
        self.last_seq = event.seq;
    }

    fn catch_up(&mut self, to: Timestamp) {
        let mut log = Vec::new();
        self.schedule = self.advanced(to, Some(&mut log));
        self.timeline.append(&mut log);
    }

    fn push_phase(&mut self, at: Timestamp) {
        let phase = self.phase_of(&self.schedule);
        self.timeline.push(PhaseChange { at, phase });
    }

    fn start(&mut self, at: Timestamp, participants: &[Participant], label_seed: u64) {
        let labels = label::assign(participants.len(), label_seed);
        let scale = self.rules.price_scale;
        self.entrants = participants
            .iter()
            .zip(labels)
            .enumerate()
            .map(|(index, (p, label))| {
                let weight = match self.rules.ranking {
                    Ranking::Price => Decimal::ONE,
                    Ranking::Score => Decimal::ONE + p.features.values().sum::<Decimal>(),
                };
                let price = money::on_scale(p.sealed_price, scale);
                Entrant {
                    bidder: p.bidder.clone(),
                    name: p.name.clone(),
                    label,
                    sealed_price: price,
                    sealed_at: p.sealed_at,
                    features: p.features.clone(),
                    weight,
                    price,
                    reached: Reached::Sealed {
                        at: p.sealed_at,
                        index,
                    },
                    accepted_bids: 0,
                }
            })
            .collect();
        self.index = self
            .entrants
            .iter()
            .enumerate()
            .map(|(i, e)| (e.bidder.clone(), i))
            .collect();
        self.started_at = Some(at);
        self.schedule.stage =
            if (participants.len() as u64) < self.rules.minimum_participants as u64 {
                Stage::NotHeld { at }
            } else {
                match &self.rules.format {
                    Format::TurnBasedRounds(r) => Stage::BeforeRound {
                        round: 1,
                        starts_at: at.plus(Micros::from_secs(r.pause_before_first_round_seconds)),
                    },
                    Format::SoftClose(s) => Stage::BeforeWindow {
                        opens_at: at.plus(Micros::from_secs(s.pause_before_window_seconds)),
                    },
                }
            };
        self.push_phase(at);
        self.catch_up(at);
    }

    fn after_accepted_bid(&mut self, at: Timestamp) {
        if matches!(self.schedule.stage, Stage::Turn { .. }) {
            // One accepted bid per turn: the turn passes to the next bidder at once.
            self.end_turn_early(at);
            return;
        }
        if let Stage::Window {
            ends_at,
            hard_stop_at,
            extensions,
        } = &mut self.schedule.stage
        {
            let Format::SoftClose(s) = &self.rules.format else {
                return;
            };
            let x = Micros::from_secs(s.extension_seconds);
            // "A bid in the last X minutes extends the end by X, up to a hard stop."
            if ends_at.since(at) <= x && *ends_at < *hard_stop_at {
                *ends_at = ends_at.plus(x).min(*hard_stop_at);
                *extensions += 1;
                self.push_phase(at);
            }
        }
    }

    fn end_turn_early(&mut self, at: Timestamp) {
        if let Stage::Turn { .. } = self.schedule.stage {
            self.schedule.stage = self.next_stage(&self.schedule.stage, at);
            self.push_phase(at);
            // A zero-length pause between rounds begins the next round at once.
            self.catch_up(at);
        }
    }

    fn record_attempt(
        &mut self,
        event: &Event,
        bidder: &BidderId,
        price: Option<Decimal>,
        request_id: &Option<String>,
        outcome: &BidOutcome,
    ) {
        if let Some(request_id) = request_id {
            self.requests
                .insert((bidder.clone(), request_id.clone()), self.attempts.len());
        }
        self.attempts.push(Attempt {
            seq: event.seq,
            at: event.at,
            bidder: bidder.clone(),
            price,
            outcome: outcome.clone(),
        });
    }
}

/// The command an event records (to re-decide it on apply).
fn command_of(event: &Event) -> Command {
    let at = event.at;
    match &event.kind {
        EventKind::Started {
            participants,
            label_seed,
        } => Command::Start {
            at,
            participants: participants.clone(),
            label_seed: *label_seed,
        },
        EventKind::Bid {
            bidder,
            price,
            request_id,
            ..
        } => Command::Bid {
            at,
            bidder: bidder.clone(),
            price: *price,
            request_id: request_id.clone(),
        },
        EventKind::Pass {
            bidder, request_id, ..
        } => Command::Pass {
            at,
            bidder: bidder.clone(),
            request_id: request_id.clone(),
        },
        EventKind::Tick => Command::Tick { at },
        EventKind::Paused => Command::Pause { at },
        EventKind::Resumed => Command::Resume { at },
        EventKind::Rescheduled { resumes_at } => Command::Reschedule {
            at,
            resumes_at: *resumes_at,
        },
        EventKind::IdentitiesRevealed => Command::RevealIdentities { at },
    }
}
