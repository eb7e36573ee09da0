//! Commands the service asks about and events it records.
//!
//! Issue 4 ("Durability and faults"): an accepted bid is acknowledged only after it is durably
//! committed, and a restart resumes from the log. So the engine separates *deciding* (a
//! [`Command`] in, an [`Event`] out, nothing changed) from *applying* (an [`Event`] folded into the
//! state). The log is the sequence of events; replaying it rebuilds the exact state.
//!
//! Bid events carry their outcome (accepted, or refused with the reason). The outcome is fully
//! determined by the earlier events, so applying recomputes it and refuses the event if the
//! recorded outcome differs: a log tampered with, or replayed by an engine whose rules changed,
//! is detected instead of silently producing a different winner.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// The service's identifier of a supplier in this auction (e.g. its registry id). Opaque to the
/// engine; never shown to anyone but the service before identities are revealed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BidderId(pub String);

impl BidderId {
    /// Wrap an identifier.
    pub fn new(id: impl Into<String>) -> Self {
        BidderId(id.into())
    }

    /// The identifier text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BidderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for BidderId {
    fn from(id: &str) -> Self {
        BidderId(id.to_owned())
    }
}

/// Position of an event in the auction's log, starting at 1. Strictly increasing and contiguous:
/// never reused, never skipped (issue 4: "no two bids get the same sequence number"), so a
/// reconnecting client resumes "from the last event seen" by its sequence number.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct Seq(pub u64);

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A qualified bidder entering the auction with its sealed bid (issue 4, "Starting point").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    /// Who.
    pub bidder: BidderId,
    /// Name revealed after the award (issue 4, "Visibility").
    pub name: String,
    /// The price of its sealed bid: where it starts.
    pub sealed_price: Decimal,
    /// When its sealed bid was submitted: the tie-break between equal sealed prices ("ties go to
    /// the earlier bid").
    pub sealed_at: Timestamp,
    /// Non-price feature values for score ranking (score = price ÷ (1 + Σ values)); ignored in
    /// price ranking. Each value is ≥ 0 (a bonus for quality, delivery time, …).
    #[serde(default)]
    pub features: BTreeMap<String, Decimal>,
}

/// What the service asks the engine to decide. `at` is always the server time the service read
/// when the request arrived; the engine never reads a clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Open the auction for the qualified bidders of a lot. List participants in sealed-bid
    /// submission order (it is the last tie-break between equal sealed bids).
    Start {
        /// Server time.
        at: Timestamp,
        /// Qualified bidders and their sealed bids.
        participants: Vec<Participant>,
        /// Seed of the anonymous "Oferente N" numbering; draw it from a CSPRNG when starting so
        /// labels reveal nothing about identity or submission order. Recorded in the log so
        /// replay yields the same labels.
        label_seed: u64,
    },
    /// A bidder offers a new price.
    Bid {
        /// Server time of arrival.
        at: Timestamp,
        /// Who (authenticated by the service).
        bidder: BidderId,
        /// Offered price for the lot.
        price: Decimal,
        /// The client's idempotency key: a retried request with the same key (e.g. after a
        /// reconnection) gets the outcome of the first, instead of a second bid.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
    },
    /// A bidder gives up its current turn (turn-based rounds only).
    Pass {
        /// Server time of arrival.
        at: Timestamp,
        /// Who.
        bidder: BidderId,
        /// Idempotency key, as for bids.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
    },
    /// Time has passed: move through every deadline up to `at`. The service issues it at
    /// [`crate::Auction::next_deadline`].
    Tick {
        /// Server time.
        at: Timestamp,
    },
    /// The service was not serving from `at` on (outage detected on restart, or a fault it
    /// noticed). `at` is the last instant it is known to have been serving (its last persisted
    /// heartbeat or event), so no moment bidders saw is undone.
    Pause {
        /// Start of the outage.
        at: Timestamp,
    },
    /// The service is serving again.
    Resume {
        /// Server time.
        at: Timestamp,
    },
    /// The authority sets when bidding continues after an outage (the "rescheduled" option of
    /// issue 4): allowed while paused or during the resume notice.
    Reschedule {
        /// Server time of the decision.
        at: Timestamp,
        /// When the frozen remaining time starts running again.
        resumes_at: Timestamp,
    },
    /// The award was made: names may now be shown next to the anonymous labels.
    RevealIdentities {
        /// Server time.
        at: Timestamp,
    },
}

impl Command {
    /// The server time of the command.
    pub fn at(&self) -> Timestamp {
        match self {
            Command::Start { at, .. }
            | Command::Bid { at, .. }
            | Command::Pass { at, .. }
            | Command::Tick { at }
            | Command::Pause { at }
            | Command::Resume { at }
            | Command::Reschedule { at, .. }
            | Command::RevealIdentities { at } => *at,
        }
    }
}

/// One entry of the auction's durable log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the log.
    pub seq: Seq,
    /// Server time.
    pub at: Timestamp,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    /// The outcome to acknowledge to the bidder, for bid and pass events.
    pub fn outcome(&self) -> Option<&BidOutcome> {
        match &self.kind {
            EventKind::Bid { outcome, .. } | EventKind::Pass { outcome, .. } => Some(outcome),
            _ => None,
        }
    }
}

/// The recorded facts; one per [`Command`] kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The auction started (see [`Command::Start`]).
    Started {
        /// Qualified bidders in sealed-bid submission order.
        participants: Vec<Participant>,
        /// Seed of the anonymous numbering.
        label_seed: u64,
    },
    /// A bid arrived and was accepted or refused.
    Bid {
        /// Who.
        bidder: BidderId,
        /// The price as submitted.
        price: Decimal,
        /// Client idempotency key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// What the rules decided.
        outcome: BidOutcome,
    },
    /// A pass arrived and was accepted or refused.
    Pass {
        /// Who.
        bidder: BidderId,
        /// Client idempotency key.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request_id: Option<String>,
        /// What the rules decided.
        outcome: BidOutcome,
    },
    /// Time passed.
    Tick,
    /// Service outage began.
    Paused,
    /// Service back.
    Resumed,
    /// Bidding continues at `resumes_at`.
    Rescheduled {
        /// When the frozen time runs again.
        resumes_at: Timestamp,
    },
    /// Names may be shown.
    IdentitiesRevealed,
}

/// Whether a bid (or pass) stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum BidOutcome {
    /// It stands; the bidder's price is now the bid's price.
    Accepted,
    /// It does not; the bidder is told exactly why.
    Refused {
        /// Why.
        reason: Refusal,
    },
}

impl BidOutcome {
    /// Whether the bid stands.
    pub fn is_accepted(&self) -> bool {
        matches!(self, BidOutcome::Accepted)
    }
}

/// Why a bid or a pass was refused (issue 4: "refused with a precise reason"). Checked in the order
/// listed: who, then when, then what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code")]
pub enum Refusal {
    /// The bidder is not a qualified participant of this auction.
    #[error("not a participant of this auction")]
    #[serde(rename = "auction.not_participant")]
    NotParticipant,
    /// Too few participants: no auction is held and the sealed prices stand.
    #[error("no auction is held: too few participants, the sealed prices stand")]
    #[serde(rename = "auction.not_held")]
    NotHeld,
    /// The auction has finished.
    #[error("the auction is closed")]
    #[serde(rename = "auction.closed")]
    Closed,
    /// Bidding has not begun (pause before the first round, or before the window opens).
    #[error("bidding has not opened yet")]
    #[serde(rename = "auction.not_open_yet")]
    NotOpenYet,
    /// Between two rounds nobody may bid.
    #[error("between rounds: wait for your turn in the next round")]
    #[serde(rename = "auction.between_rounds")]
    BetweenRounds,
    /// It is another bidder's exclusive turn.
    #[error("it is not your turn")]
    #[serde(rename = "auction.not_your_turn")]
    NotYourTurn,
    /// The service is paused after an outage; everyone's remaining time is frozen.
    #[error("the auction is paused after a service interruption")]
    #[serde(rename = "auction.paused")]
    Paused,
    /// Passing only exists in turn-based rounds.
    #[error("passing is only possible in turn-based rounds")]
    #[serde(rename = "auction.pass_not_applicable")]
    PassNotApplicable,
    /// Prices must be positive.
    #[error("the price must be positive")]
    #[serde(rename = "auction.not_positive")]
    NotPositive,
    /// More decimals than the currency has.
    #[error("the price has more than {price_scale} decimals")]
    #[serde(rename = "auction.too_many_decimals")]
    TooManyDecimals {
        /// Allowed decimals.
        price_scale: u32,
    },
    /// Does not lower enough: the price must be at most `required_max`.
    #[error("insufficient decrement: the price must be at most {required_max}")]
    #[serde(rename = "auction.insufficient_decrement")]
    InsufficientDecrement {
        /// The largest price that would have been accepted at that moment (0 if none).
        required_max: Decimal,
    },
}

impl Refusal {
    /// Stable machine code, shown to the bidder and published in the transcript.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotParticipant => "auction.not_participant",
            Refusal::NotHeld => "auction.not_held",
            Refusal::Closed => "auction.closed",
            Refusal::NotOpenYet => "auction.not_open_yet",
            Refusal::BetweenRounds => "auction.between_rounds",
            Refusal::NotYourTurn => "auction.not_your_turn",
            Refusal::Paused => "auction.paused",
            Refusal::PassNotApplicable => "auction.pass_not_applicable",
            Refusal::NotPositive => "auction.not_positive",
            Refusal::TooManyDecimals { .. } => "auction.too_many_decimals",
            Refusal::InsufficientDecrement { .. } => "auction.insufficient_decrement",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_through_json() {
        let event = Event {
            seq: Seq(7),
            at: Timestamp::from_micros(1_741_100_400_000_001),
            kind: EventKind::Bid {
                bidder: BidderId::new("prov-42"),
                price: "99.50".parse().unwrap(),
                request_id: Some("r1".into()),
                outcome: BidOutcome::Refused {
                    reason: Refusal::InsufficientDecrement {
                        required_max: "99.49".parse().unwrap(),
                    },
                },
            },
        };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(
            json,
            r#"{"seq":7,"at":"2025-03-04T15:00:00.000001Z","type":"bid","bidder":"prov-42","price":"99.50","request_id":"r1","outcome":{"status":"refused","reason":{"code":"auction.insufficient_decrement","required_max":"99.49"}}}"#
        );
        let back: Event = serde_json::from_str(&json).unwrap();
        assert_eq!(back, event);
    }

    #[test]
    fn refusal_codes_are_stable() {
        assert_eq!(Refusal::NotYourTurn.code(), "auction.not_your_turn");
        assert_eq!(
            Refusal::InsufficientDecrement {
                required_max: Decimal::ONE
            }
            .code(),
            "auction.insufficient_decrement"
        );
    }
}
