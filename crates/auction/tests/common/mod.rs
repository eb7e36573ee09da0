//! Shared helpers for the integration tests: a fixed epoch, short constructors and a harness that
//! decides, applies and keeps the log so every test can also check replay.
#![allow(dead_code)]

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use tianguis_auction::rules::{Format, RoundsFormat, SoftCloseFormat};
use tianguis_auction::{
    Auction, AuctionError, AuctionRules, BidOutcome, BidderId, Command, Decision, Event,
    Participant, Refusal, Timestamp,
};

/// 2025-03-04T15:00:00Z (09:00 in Guatemala).
pub const T0: i64 = 1_741_100_400_000_000;

/// `secs` seconds after T0.
pub fn at(secs: i64) -> Timestamp {
    Timestamp::from_micros(T0 + secs * 1_000_000)
}

/// `secs` seconds plus `micros` microseconds after T0.
pub fn at_us(secs: i64, micros: i64) -> Timestamp {
    Timestamp::from_micros(T0 + secs * 1_000_000 + micros)
}

pub fn d(text: &str) -> Decimal {
    text.parse().expect("test decimal")
}

pub fn id(text: &str) -> BidderId {
    BidderId::new(text)
}

/// A participant whose sealed bid was submitted `hours_before` hours before T0.
pub fn participant(bidder: &str, price: &str, hours_before: i64) -> Participant {
    Participant {
        bidder: id(bidder),
        name: format!("{bidder} S.A."),
        sealed_price: d(price),
        sealed_at: at(-hours_before * 3600),
        features: BTreeMap::new(),
    }
}

pub fn with_features(mut p: Participant, features: &[(&str, &str)]) -> Participant {
    p.features = features
        .iter()
        .map(|(k, v)| (k.to_string(), d(v)))
        .collect();
    p
}

/// Rounds rules with short, readable durations: `rounds` rounds, 60 s turns, 10 s before the
/// first round, 20 s between rounds.
pub fn short_rounds(rounds: u32) -> AuctionRules {
    AuctionRules {
        format: Format::TurnBasedRounds(RoundsFormat {
            rounds,
            turn_seconds: 60,
            pause_before_first_round_seconds: 10,
            pause_between_rounds_seconds: 20,
        }),
        ..AuctionRules::default()
    }
}

/// Soft close opening at once: `window` s window, `extension` s extension, `hard_stop` s hard stop.
pub fn soft_close(window: u32, extension: u32, hard_stop: u32) -> AuctionRules {
    AuctionRules {
        format: Format::SoftClose(SoftCloseFormat {
            pause_before_window_seconds: 0,
            window_seconds: window,
            extension_seconds: extension,
            hard_stop_seconds: hard_stop,
        }),
        ..AuctionRules::default()
    }
}

/// Decides and applies commands, keeping the log.
pub struct Harness {
    pub auction: Auction,
    pub rules: AuctionRules,
    pub log: Vec<Event>,
}

impl Harness {
    pub fn new(rules: AuctionRules) -> Self {
        Harness {
            auction: Auction::new(rules.clone()).expect("valid rules"),
            rules,
            log: Vec::new(),
        }
    }

    /// Start at T0 with these participants and seed 7.
    pub fn started(rules: AuctionRules, participants: Vec<Participant>) -> Self {
        let mut h = Harness::new(rules);
        h.run(Command::Start {
            at: at(0),
            participants,
            label_seed: 7,
        })
        .expect("start");
        h
    }

    pub fn run(&mut self, command: Command) -> Result<Decision, AuctionError> {
        let decision = self.auction.decide(&command);
        match &decision {
            Decision::Record(event) => {
                self.auction.apply(event)?;
                self.log.push(event.clone());
            }
            Decision::Invalid(e) => return Err(e.clone()),
            Decision::AlreadyRecorded { .. } => {}
        }
        Ok(decision)
    }

    pub fn bid(&mut self, when: Timestamp, bidder: &str, price: &str) -> BidOutcome {
        match self
            .run(Command::Bid {
                at: when,
                bidder: id(bidder),
                price: d(price),
                request_id: None,
            })
            .expect("bid is decidable")
        {
            Decision::Record(e) => e.outcome().cloned().expect("bid outcome"),
            other => panic!("unexpected {other:?}"),
        }
    }

    pub fn pass(&mut self, when: Timestamp, bidder: &str) -> BidOutcome {
        match self
            .run(Command::Pass {
                at: when,
                bidder: id(bidder),
                request_id: None,
            })
            .expect("pass is decidable")
        {
            Decision::Record(e) => e.outcome().cloned().expect("pass outcome"),
            other => panic!("unexpected {other:?}"),
        }
    }

    pub fn tick(&mut self, when: Timestamp) {
        self.run(Command::Tick { at: when }).expect("tick");
    }

    pub fn pause(&mut self, when: Timestamp) -> Result<Decision, AuctionError> {
        self.run(Command::Pause { at: when })
    }

    pub fn resume(&mut self, when: Timestamp) -> Result<Decision, AuctionError> {
        self.run(Command::Resume { at: when })
    }

    /// Whose turn it is.
    pub fn turn(&self) -> Option<String> {
        self.auction.current_turn().map(|b| b.as_str().to_owned())
    }

    /// Bidder ids, best first, from the final or provisional public board (after reveal) —
    /// here computed from bidder views' ranks, which are visible by default.
    pub fn ranking(&self) -> Vec<String> {
        let mut ranked: Vec<(u32, String)> = self
            .auction
            .participants()
            .map(|b| {
                let v = self.auction.bidder_view(b).expect("participant");
                (v.own_rank.expect("rank visible"), b.as_str().to_owned())
            })
            .collect();
        ranked.sort();
        ranked.into_iter().map(|(_, b)| b).collect()
    }

    /// Replaying the log from scratch gives an identical state.
    pub fn assert_replays(&self) {
        let replayed = Auction::replay(self.rules.clone(), &self.log).expect("replay");
        assert_eq!(replayed, self.auction);
        let json: Vec<String> = self
            .log
            .iter()
            .map(|e| serde_json::to_string(e).expect("serialise"))
            .collect();
        let parsed: Vec<Event> = json
            .iter()
            .map(|j| serde_json::from_str(j).expect("parse"))
            .collect();
        let replayed = Auction::replay(self.rules.clone(), &parsed).expect("replay from JSON");
        assert_eq!(replayed, self.auction);
    }
}

pub fn refused(reason: Refusal) -> BidOutcome {
    BidOutcome::Refused { reason }
}

pub fn short_of(required_max: &str) -> BidOutcome {
    refused(Refusal::InsufficientDecrement {
        required_max: d(required_max),
    })
}

pub const ACCEPTED: BidOutcome = BidOutcome::Accepted;
