//! Electronic reverse auction engine (*subasta electrónica inversa*) — issue 4.
//!
//! A pure module: no I/O, no clock, no async, no database. Exact decimals. Every rule comes from
//! the jurisdiction's rulebook ([`AuctionRules`]). The live service (WebSocket, durable log,
//! leases, crash recovery) is built on top of it:
//!
//! 1. `Auction::new(rules)` or [`Auction::replay`] the durable log on start-up / take-over;
//! 2. for each request, [`Auction::decide`] a [`Command`] stamped with server time;
//! 3. write the returned [`Event`] durably, [`Auction::apply`] it, then acknowledge its outcome;
//! 4. sleep until [`Auction::next_deadline`] and issue a `Tick`;
//! 5. publish [`Auction::bidder_view`] / [`Auction::public_view`], and at the end the
//!    [`Auction::result`] and [`Auction::transcript`].
//!
//! Module layout: [`rules`] (configuration), [`time`], [`event`] (commands, events, refusal
//! reasons), `engine` (the state machine), [`schedule`] (phases and deadlines), [`view`]
//! (per-viewer projections), [`transcript`], [`result`] (ranking and abnormally-low flag),
//! [`label`] (anonymous "Oferente N" numbering).

pub mod event;
pub mod label;
pub mod result;
pub mod rules;
pub mod schedule;
pub mod time;
pub mod transcript;
pub mod view;

mod engine;
mod money;

pub use engine::{Auction, AuctionError, Decision, ReplayError};
pub use event::{BidOutcome, BidderId, Command, Event, EventKind, Participant, Refusal, Seq};
pub use label::Label;
pub use result::{AbnormallyLowCheck, AuctionResult, FinalStanding};
pub use rules::{AuctionRules, RulesError};
pub use schedule::{Phase, PhaseChange};
pub use time::{Micros, Timestamp, TimestampError};
pub use transcript::{Transcript, TranscriptEntry};
pub use view::{BidderView, BoardRow, PricePoint, PublicView};
