//! Where the auction is in time: phases, deadlines and their transitions.
//!
//! Time only moves forward through deadlines: the end of the pause before a round, the end of a
//! turn, the end of a window. Between deadlines nothing changes, so the service only has to wake
//! up at [`crate::Auction::next_deadline`]. Intervals are half-open: a turn that ends at `t`
//! accepts a bid at `t − 1 µs` and not at `t`, where the next turn has already begun.

use serde::{Deserialize, Serialize};

use crate::label::Label;
use crate::time::{Micros, Timestamp};

/// The format-specific stage, with absolute deadlines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stage {
    /// No `Started` event yet.
    NotStarted,
    /// Too few participants: no auction; sealed prices stand.
    NotHeld { at: Timestamp },
    /// Waiting for round `round` (1-based) to begin.
    BeforeRound { round: u32, starts_at: Timestamp },
    /// `order[position]` holds the exclusive turn until `ends_at`.
    Turn {
        round: u32,
        order: Vec<usize>,
        position: usize,
        started_at: Timestamp,
        ends_at: Timestamp,
    },
    /// Soft close: waiting for the window to open.
    BeforeWindow { opens_at: Timestamp },
    /// Soft close: bidding until `ends_at` (which bids may move, up to `hard_stop_at`).
    Window {
        ends_at: Timestamp,
        hard_stop_at: Timestamp,
        extensions: u32,
    },
    /// Over.
    Finished { at: Timestamp },
}

impl Stage {
    /// The next instant this stage changes by itself.
    pub(crate) fn deadline(&self) -> Option<Timestamp> {
        match self {
            Stage::NotStarted | Stage::NotHeld { .. } | Stage::Finished { .. } => None,
            Stage::BeforeRound { starts_at, .. } => Some(*starts_at),
            Stage::Turn { ends_at, .. } | Stage::Window { ends_at, .. } => Some(*ends_at),
            Stage::BeforeWindow { opens_at } => Some(*opens_at),
        }
    }

    /// Move every deadline `by` later: after a long outage everyone's remaining time is
    /// restored (issue 4: "the remaining time extended … for everyone equally").
    pub(crate) fn shift(&mut self, by: Micros) {
        match self {
            Stage::NotStarted | Stage::NotHeld { .. } | Stage::Finished { .. } => {}
            Stage::BeforeRound { starts_at, .. } => *starts_at = starts_at.plus(by),
            Stage::Turn {
                started_at,
                ends_at,
                ..
            } => {
                *started_at = started_at.plus(by);
                *ends_at = ends_at.plus(by);
            }
            Stage::BeforeWindow { opens_at } => *opens_at = opens_at.plus(by),
            Stage::Window {
                ends_at,
                hard_stop_at,
                ..
            } => {
                *ends_at = ends_at.plus(by);
                *hard_stop_at = hard_stop_at.plus(by);
            }
        }
    }

    pub(crate) fn is_finished(&self) -> bool {
        matches!(self, Stage::NotHeld { .. } | Stage::Finished { .. })
    }
}

/// A service outage overlaying the stage (issue 4, "Durability and faults").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Serving normally.
    None,
    /// Not serving since `since`; the clock is provisionally frozen there. `announced` is the
    /// resumption already announced when this outage began during a resume notice (the
    /// automatic one or the authority's): the next resumption is never earlier, so a crash
    /// cannot undo the authority's decision.
    Paused {
        since: Timestamp,
        announced: Option<Timestamp>,
    },
    /// Back after an outage longer than the tolerance: the clock stays frozen at `since` until
    /// `resumes_at`, then every deadline moves `resumes_at − since` later.
    Suspended {
        since: Timestamp,
        resumes_at: Timestamp,
    },
}

/// Stage plus fault: everything that moves with time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Schedule {
    pub(crate) stage: Stage,
    pub(crate) fault: Fault,
}

impl Schedule {
    /// The next instant at which the schedule changes by itself (`None` while paused: only the
    /// service's `Resume` moves it).
    pub(crate) fn next_deadline(&self) -> Option<Timestamp> {
        match self.fault {
            Fault::Paused { .. } => None,
            Fault::Suspended { resumes_at, .. } => Some(resumes_at),
            Fault::None => self.stage.deadline(),
        }
    }
}

/// The phase as published to bidders and observers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// The auction has not been started.
    NotStarted,
    /// Too few participants: no auction was held and the sealed prices stand.
    NotHeld {
        /// When this was established.
        at: Timestamp,
    },
    /// Bidders connect and see the opening order; round 1 starts at `starts_at`.
    BeforeFirstRound {
        /// Start of round 1.
        starts_at: Timestamp,
    },
    /// Pause between rounds.
    BetweenRounds {
        /// The round about to begin (1-based).
        next_round: u32,
        /// When it begins.
        starts_at: Timestamp,
    },
    /// A bidder holds the exclusive turn.
    Turn {
        /// Round (1-based).
        round: u32,
        /// Total rounds.
        rounds: u32,
        /// Position of this turn in the round (1-based).
        position: u32,
        /// Turns in the round.
        turns: u32,
        /// Whose turn, anonymously.
        label: Label,
        /// When the turn began.
        started_at: Timestamp,
        /// When it ends unless the bidder bids or passes first.
        ends_at: Timestamp,
    },
    /// Soft close: the window opens at `opens_at`.
    BeforeWindow {
        /// Opening.
        opens_at: Timestamp,
    },
    /// Soft close: everyone may bid.
    Window {
        /// Current end (moves with late bids).
        ends_at: Timestamp,
        /// The end can never move past this.
        hard_stop_at: Timestamp,
        /// Extensions so far.
        extensions: u32,
    },
    /// The service is interrupted; time is frozen at `since`.
    Paused {
        /// Start of the interruption.
        since: Timestamp,
    },
    /// The service is back after a long interruption; bidding resumes at `resumes_at` with
    /// everyone's remaining time intact.
    Resuming {
        /// Start of the interruption.
        since: Timestamp,
        /// When bidding resumes.
        resumes_at: Timestamp,
    },
    /// Over.
    Finished {
        /// When it ended.
        at: Timestamp,
    },
}

/// A dated change of phase: the auction's public timeline (pauses, turns, extensions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseChange {
    /// When the phase began.
    pub at: Timestamp,
    /// The phase that began.
    #[serde(flatten)]
    pub phase: Phase,
}
