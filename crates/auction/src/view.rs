//! What each viewer may see (issue 4, "Visibility" and "Live experience").
//!
//! Projections are computed from the state, never stored, so they cannot drift from the log.
//! The rules of disclosure:
//!
//! - a **bidder** sees its own price, its rank (if `visibility.own_rank`), the best price (if
//!   `visibility.best_price`), whose turn it is (anonymously) and every deadline;
//! - the **public** (observers, and therefore also every bidder) sees anonymous labels and the
//!   phase; it sees ranks only if bidders may see their own rank, and prices only if bidders may
//!   see the best price — otherwise a bidder would learn them from the public page;
//! - once bidding is over everything about standings is visible; names appear only after
//!   `RevealIdentities` (the award).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::engine::Auction;
use crate::event::{BidderId, Seq};
use crate::label::Label;
use crate::schedule::{Phase, Stage};
use crate::time::Timestamp;

/// A bidder's own page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidderView {
    /// Last event reflected: the client resumes from here after a reconnection.
    pub seq: Seq,
    /// Server time of that event; with the deadlines it drives the countdown.
    pub server_time: Option<Timestamp>,
    /// The bidder's own anonymous label (to find itself on the public board).
    pub label: Label,
    /// Number of participants.
    pub participants: u32,
    /// The bidder's current price.
    pub own_price: Decimal,
    /// Its score (score ranking only).
    pub own_score: Option<Decimal>,
    /// Its rank, 1 = best (if visible).
    pub own_rank: Option<u32>,
    /// The best current price (if visible).
    pub best_price: Option<Decimal>,
    /// The best current score (score ranking, if visible).
    pub best_score: Option<Decimal>,
    /// The largest price the bidder could bid right now, if it may bid now (so the interface can
    /// pre-fill and validate before the one-click confirmation).
    pub max_acceptable_price: Option<Decimal>,
    /// Where the auction is.
    pub phase: Phase,
    /// Whether the bidder holds the exclusive turn now.
    pub your_turn: bool,
    /// The bidder's position in the current (or, between rounds, the next) round's turn order.
    pub your_turn_position: Option<u32>,
    /// When the schedule next changes.
    pub next_deadline: Option<Timestamp>,
    /// How many of its bids were accepted.
    pub accepted_bids: u32,
    /// Whether bidding is over.
    pub finished: bool,
}

/// One line of the public board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardRow {
    /// Rank, 1 = best (if ranks are visible).
    pub rank: Option<u32>,
    /// Anonymous label.
    pub label: Label,
    /// Current price (if prices are visible).
    pub price: Option<Decimal>,
    /// Current score (score ranking, if prices are visible).
    pub score: Option<Decimal>,
    /// Accepted bids so far.
    pub accepted_bids: u32,
    /// Supplier identifier, after the award.
    pub bidder: Option<BidderId>,
    /// Supplier name, after the award.
    pub name: Option<String>,
}

/// A point of the public price-over-time chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricePoint {
    /// When the price was reached (the start of the auction for sealed prices).
    pub at: Timestamp,
    /// The accepted bid's event, `None` for the sealed starting price.
    pub seq: Option<Seq>,
    /// Whose price.
    pub label: Label,
    /// The price.
    pub price: Decimal,
}

/// The public observer page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicView {
    /// Last event reflected.
    pub seq: Seq,
    /// Server time of that event.
    pub server_time: Option<Timestamp>,
    /// Where the auction is.
    pub phase: Phase,
    /// When the schedule next changes.
    pub next_deadline: Option<Timestamp>,
    /// Whether bidding is over.
    pub finished: bool,
    /// Whether the board shows ranks.
    pub ranks_visible: bool,
    /// Whether the board and chart show prices.
    pub prices_visible: bool,
    /// Whether names are shown.
    pub identities_revealed: bool,
    /// The board: by rank when ranks are visible, else by label.
    pub board: Vec<BoardRow>,
    /// Sealed prices then every accepted bid, in order (empty while prices are hidden).
    pub price_history: Vec<PricePoint>,
}

impl Auction {
    /// The page of `bidder`; `None` if it is not a participant.
    pub fn bidder_view(&self, bidder: &BidderId) -> Option<BidderView> {
        let &idx = self.index.get(bidder)?;
        let entrant = &self.entrants[idx];
        let finished = self.is_finished();
        let show_rank = self.rules.visibility.own_rank || finished;
        let show_best = self.rules.visibility.best_price || finished;
        let leader = self.leader();
        let (your_turn, your_turn_position) = match &self.schedule.stage {
            Stage::Turn {
                order, position, ..
            } => (
                order.get(*position) == Some(&idx) && self.current_turn().is_some(),
                order.iter().position(|i| *i == idx).map(|p| p as u32 + 1),
            ),
            Stage::BeforeRound { .. } => (
                false,
                self.turn_order()
                    .iter()
                    .position(|i| *i == idx)
                    .map(|p| p as u32 + 1),
            ),
            _ => (false, None),
        };
        let may_bid_now = matches!(
            (&self.schedule.stage, self.schedule.fault),
            (Stage::Window { .. }, crate::schedule::Fault::None)
        ) || your_turn;
        let max_acceptable_price = if may_bid_now {
            self.required_max(idx).ok().filter(|p| *p > Decimal::ZERO)
        } else {
            None
        };
        Some(BidderView {
            seq: self.last_seq,
            server_time: self.last_at,
            label: entrant.label,
            participants: self.entrants.len() as u32,
            own_price: entrant.price,
            own_score: self.display_score(idx),
            own_rank: show_rank.then(|| self.rank_of(idx)),
            best_price: leader.filter(|_| show_best).map(|l| self.entrants[l].price),
            best_score: leader
                .filter(|_| show_best)
                .and_then(|l| self.display_score(l)),
            max_acceptable_price,
            phase: self.phase(),
            your_turn,
            your_turn_position,
            next_deadline: self.next_deadline(),
            accepted_bids: entrant.accepted_bids,
            finished,
        })
    }

    /// The public observer page, with the whole price history (page load).
    pub fn public_view(&self) -> PublicView {
        self.public_view_since(Seq(0))
    }

    /// The public observer page with only the price points recorded after event `last_seen`
    /// (`Seq(0)`: everything, sealed prices included). A live client that has seen event
    /// `last_seen` — or reconnects after it — receives this instead of the whole history, which
    /// keeps each broadcast proportional to the number of bidders, not of bids.
    pub fn public_view_since(&self, last_seen: Seq) -> PublicView {
        let finished = self.is_finished();
        let ranks_visible = self.rules.visibility.own_rank || finished;
        let prices_visible = self.rules.visibility.best_price || finished;
        let revealed = self.identities_revealed();
        let order: Vec<usize> = if ranks_visible {
            self.standings()
        } else {
            let mut by_label: Vec<usize> = (0..self.entrants.len()).collect();
            by_label.sort_by_key(|i| self.entrants[*i].label);
            by_label
        };
        let board = order
            .iter()
            .enumerate()
            .map(|(position, &i)| {
                let e = &self.entrants[i];
                BoardRow {
                    // `order` is the ranking itself when ranks are visible.
                    rank: ranks_visible.then_some(position as u32 + 1),
                    label: e.label,
                    price: prices_visible.then_some(e.price),
                    score: if prices_visible {
                        self.display_score(i)
                    } else {
                        None
                    },
                    accepted_bids: e.accepted_bids,
                    bidder: revealed.then(|| e.bidder.clone()),
                    name: revealed.then(|| e.name.clone()),
                }
            })
            .collect();
        let price_history = if prices_visible {
            self.price_history(last_seen)
        } else {
            Vec::new()
        };
        PublicView {
            seq: self.last_seq,
            server_time: self.last_at,
            phase: self.phase(),
            next_deadline: self.next_deadline(),
            finished,
            ranks_visible,
            prices_visible,
            identities_revealed: revealed,
            board,
            price_history,
        }
    }

    fn price_history(&self, last_seen: Seq) -> Vec<PricePoint> {
        let Some(started_at) = self.started_at else {
            return Vec::new();
        };
        let mut points: Vec<PricePoint> = Vec::new();
        if last_seen == Seq(0) {
            points = self
                .entrants
                .iter()
                .map(|e| PricePoint {
                    at: started_at,
                    seq: None,
                    label: e.label,
                    price: e.sealed_price,
                })
                .collect();
            points.sort_by_key(|p| p.label);
        }
        // Attempts are in sequence order.
        let first_new = self.attempts.partition_point(|a| a.seq <= last_seen);
        for attempt in &self.attempts[first_new..] {
            if attempt.outcome.is_accepted()
                && let (Some(price), Some(&idx)) = (attempt.price, self.index.get(&attempt.bidder))
            {
                let mut price = price;
                price.rescale(self.rules.price_scale);
                points.push(PricePoint {
                    at: attempt.at,
                    seq: Some(attempt.seq),
                    label: self.entrants[idx].label,
                    price,
                });
            }
        }
        points
    }
}
