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
//! ```
//! use tianguis_auction::{Auction, AuctionRules, BidderId, Command, Decision, Participant, Timestamp};
//!
//! let t0 = Timestamp::parse_rfc3339("2025-03-04T09:00:00-06:00").unwrap();
//! let secs = |s: i64| Timestamp::from_micros(t0.as_micros() + s * 1_000_000);
//! let bidder = |id: &str, price: &str| Participant {
//!     bidder: BidderId::new(id),
//!     name: format!("{id} S.A."),
//!     sealed_price: price.parse().unwrap(),
//!     sealed_at: secs(-3600),
//!     features: Default::default(),
//! };
//! let mut log = Vec::new(); // the service's durable log
//! let mut auction = Auction::new(AuctionRules::default()).unwrap();
//! let start = Command::Start {
//!     at: t0,
//!     participants: vec![bidder("A", "100.00"), bidder("B", "90.00")],
//!     label_seed: 0x5eed,
//! };
//! let mut handle = |auction: &mut Auction, command: Command| match auction.decide(&command) {
//!     Decision::Record(event) => {
//!         log.push(serde_json::to_string(&event).unwrap()); // write durably first …
//!         auction.apply(&event).unwrap(); // … then apply …
//!         event.outcome().cloned() // … then acknowledge
//!     }
//!     Decision::AlreadyRecorded { outcome, .. } => Some(outcome),
//!     Decision::Invalid(error) => panic!("{}", error.code()),
//! };
//! handle(&mut auction, start);
//! // Round 1 starts after the 300 s pause; the worst price (A) has the first turn.
//! let wake_up = auction.next_deadline().unwrap();
//! handle(&mut auction, Command::Tick { at: wake_up });
//! assert_eq!(auction.current_turn(), Some(&BidderId::new("A")));
//! let outcome = handle(&mut auction, Command::Bid {
//!     at: secs(310),
//!     bidder: BidderId::new("A"),
//!     price: "89.50".parse().unwrap(),
//!     request_id: Some("click-1".into()),
//! });
//! assert!(outcome.unwrap().is_accepted());
//! assert_eq!(auction.bidder_view(&BidderId::new("A")).unwrap().own_rank, Some(1));
//! ```
//!
//! Module layout: [`rules`] (configuration), [`time`], [`event`] (commands, events, refusal
//! reasons), `engine` (the state machine), [`schedule`] (phases and deadlines), [`view`]
//! (per-viewer projections), [`transcript`], [`result`] (ranking and abnormally-low flag),
//! [`label`] (anonymous "Oferente N" numbering).

#![warn(missing_docs)]

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
