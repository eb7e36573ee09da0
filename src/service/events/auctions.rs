//! Events of electronic reverse auctions (`service::auctions`). All public: the auction's
//! schedule, its outages and its result are part of the process's record. Bidders appear by
//! their anonymous labels only; their names stay hidden until the award.

use crate::domain::audit::AuditAction;
use crate::domain::audit_event::{AsAuditEvent, NoSnapshot};
use crate::domain::time::Timestamp;
use rust_decimal::Decimal;
use serde::Serialize;
use tianguis_auction::{AuctionResult, Label};

/// `auction.scheduled`: the evaluation of a lot with enough compliant bids scheduled its
/// auction.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AuctionScheduled {
    /// The auction.
    #[serde(skip)]
    pub auction_id: i64,
    /// Its tender.
    pub tender_id: i64,
    /// Its lot.
    pub lot_id: i64,
    /// When it starts.
    pub starts_at: Timestamp,
    /// How many bidders take part.
    pub participants: usize,
}

impl AsAuditEvent for AuctionScheduled {
    const ACTION: AuditAction = AuditAction::AuctionScheduled;
    const ENTITY_TYPE: &'static str = "auction";
    type Before = NoSnapshot;
    type After = Self;
    fn entity_id(&self) -> Option<String> {
        Some(self.auction_id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&Self> {
        Some(self)
    }
}

/// When an auction starts, as the log shows it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Start {
    /// The start.
    pub starts_at: Timestamp,
}

/// `auction.rescheduled`: a buyer moved the start of an auction that has not started.
#[derive(Debug, Clone, Copy)]
pub struct AuctionRescheduled {
    /// The auction.
    pub auction_id: i64,
    /// The start before.
    pub before: Start,
    /// The start now.
    pub after: Start,
}

impl AsAuditEvent for AuctionRescheduled {
    const ACTION: AuditAction = AuditAction::AuctionRescheduled;
    const ENTITY_TYPE: &'static str = "auction";
    type Before = Start;
    type After = Start;
    fn entity_id(&self) -> Option<String> {
        Some(self.auction_id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&Start> {
        Some(&self.before)
    }
    fn after(&self) -> Option<&Start> {
        Some(&self.after)
    }
}

/// `auction.started`: an auction began taking bids.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AuctionStarted {
    /// The auction.
    #[serde(skip)]
    pub auction_id: i64,
    /// Its tender.
    pub tender_id: i64,
    /// Its lot.
    pub lot_id: i64,
}

impl AsAuditEvent for AuctionStarted {
    const ACTION: AuditAction = AuditAction::AuctionStarted;
    const ENTITY_TYPE: &'static str = "auction";
    type Before = NoSnapshot;
    type After = Self;
    fn entity_id(&self) -> Option<String> {
        Some(self.auction_id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&Self> {
        Some(self)
    }
}

/// Where in an auction's own log an outage event stands.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Outage {
    /// The auction.
    #[serde(skip)]
    pub auction_id: i64,
    /// The event's number in the auction's log.
    pub seq: u64,
    /// Its instant.
    pub at: tianguis_auction::Timestamp,
}

/// `auction.paused`: a service outage froze a running auction (every bidder's remaining time
/// stops alike).
#[derive(Debug, Clone, Copy)]
pub struct AuctionPaused(pub Outage);

/// `auction.resumed`: an auction frozen by an outage runs again.
#[derive(Debug, Clone, Copy)]
pub struct AuctionResumed(pub Outage);

macro_rules! outage {
    ($event:ident, $action:ident) => {
        impl AsAuditEvent for $event {
            const ACTION: AuditAction = AuditAction::$action;
            const ENTITY_TYPE: &'static str = "auction";
            type Before = NoSnapshot;
            type After = Outage;
            fn entity_id(&self) -> Option<String> {
                Some(self.0.auction_id.to_string())
            }
            fn public(&self) -> bool {
                true
            }
            fn before(&self) -> Option<&NoSnapshot> {
                None
            }
            fn after(&self) -> Option<&Outage> {
                Some(&self.0)
            }
        }
    };
}
outage!(AuctionPaused, AuctionPaused);
outage!(AuctionResumed, AuctionResumed);

/// `auction.resumption_rescheduled`: the authority moved the moment an auction frozen by an
/// outage runs again.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AuctionResumptionRescheduled {
    /// The auction.
    #[serde(skip)]
    pub auction_id: i64,
    /// The decision's number in the auction's log.
    pub seq: u64,
    /// Its instant.
    pub at: tianguis_auction::Timestamp,
    /// When the frozen time runs again.
    pub resumes_at: tianguis_auction::Timestamp,
}

impl AsAuditEvent for AuctionResumptionRescheduled {
    const ACTION: AuditAction = AuditAction::AuctionResumptionRescheduled;
    const ENTITY_TYPE: &'static str = "auction";
    type Before = NoSnapshot;
    type After = Self;
    fn entity_id(&self) -> Option<String> {
        Some(self.auction_id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&Self> {
        Some(self)
    }
}

/// A bidder's final standing as the log shows it: by label, not by name.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FinalPrice {
    /// 1 = winner.
    pub rank: u32,
    /// The anonymous label.
    pub label: Label,
    /// The sealed (starting) price.
    pub sealed_price: Decimal,
    /// The final price.
    pub final_price: Decimal,
}

/// `auction.finished`: an auction ended (or was not held), with its ranking.
#[derive(Debug, Clone, Serialize)]
pub struct AuctionFinished {
    /// The auction.
    #[serde(skip)]
    pub auction_id: i64,
    /// Whether it was held (enough bidders connected).
    pub held: bool,
    /// The ranking.
    pub ranking: Vec<FinalPrice>,
    /// Whether the winning price was flagged abnormally low, when it was checked.
    pub abnormally_low: Option<bool>,
}

impl AuctionFinished {
    /// The event of an auction's result.
    pub fn of(auction_id: i64, result: &AuctionResult) -> Self {
        AuctionFinished {
            auction_id,
            held: result.held,
            ranking: result
                .ranking
                .iter()
                .map(|s| FinalPrice {
                    rank: s.rank,
                    label: s.label,
                    sealed_price: s.sealed_price,
                    final_price: s.final_price,
                })
                .collect(),
            abnormally_low: result.abnormally_low.as_ref().map(|a| a.flagged),
        }
    }
}

impl AsAuditEvent for AuctionFinished {
    const ACTION: AuditAction = AuditAction::AuctionFinished;
    const ENTITY_TYPE: &'static str = "auction";
    type Before = NoSnapshot;
    type After = Self;
    fn entity_id(&self) -> Option<String> {
        Some(self.auction_id.to_string())
    }
    fn public(&self) -> bool {
        true
    }
    fn before(&self) -> Option<&NoSnapshot> {
        None
    }
    fn after(&self) -> Option<&Self> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit_event::encode;
    use serde_json::json;
    use tianguis_auction::{AbnormallyLowCheck, BidderId, FinalStanding};

    #[test]
    fn the_json_is_that_of_the_untyped_code() {
        let starts_at = Timestamp::from_micros(1_767_225_600_123_456);
        let e = encode(&AuctionScheduled {
            auction_id: 2,
            tender_id: 3,
            lot_id: 4,
            starts_at,
            participants: 5,
        })
        .unwrap();
        let untyped = json!({
            "tender_id": 3i64,
            "lot_id": 4i64,
            "starts_at": starts_at,
            "participants": vec![0; 5].len(),
        });
        assert_eq!(e.after, Some(untyped.to_string()));
        assert_eq!(
            (e.entity_type, e.entity_id.as_deref(), e.public),
            ("auction", Some("2"), true)
        );

        let later = Timestamp::from_micros(1_767_312_000_000_000);
        let e = encode(&AuctionRescheduled {
            auction_id: 2,
            before: Start { starts_at },
            after: Start { starts_at: later },
        })
        .unwrap();
        assert_eq!(e.before, Some(json!({"starts_at": starts_at}).to_string()));
        assert_eq!(e.after, Some(json!({"starts_at": later}).to_string()));

        let e = encode(&AuctionStarted {
            auction_id: 2,
            tender_id: 3,
            lot_id: 4,
        })
        .unwrap();
        assert_eq!(
            e.after,
            Some(json!({"tender_id": 3i64, "lot_id": 4i64}).to_string())
        );

        let at = tianguis_auction::Timestamp::from_micros(1_767_225_700_000_001);
        let seq = tianguis_auction::Seq(17);
        let outage = Outage {
            auction_id: 2,
            seq: seq.0,
            at,
        };
        let e = encode(&AuctionPaused(outage)).unwrap();
        assert_eq!(e.after, Some(json!({"seq": seq.0, "at": at}).to_string()));
        assert_eq!(
            encode(&AuctionResumed(outage)).unwrap().action.code(),
            "auction.resumed"
        );
        let resumes_at = tianguis_auction::Timestamp::from_micros(1_767_226_000_000_000);
        let e = encode(&AuctionResumptionRescheduled {
            auction_id: 2,
            seq: seq.0,
            at,
            resumes_at,
        })
        .unwrap();
        assert_eq!(
            e.after,
            Some(json!({"seq": seq.0, "at": at, "resumes_at": resumes_at}).to_string())
        );

        let standing = |rank: u32, price: &str| FinalStanding {
            rank,
            bidder: BidderId::new(format!("{rank}")),
            name: "Nombre que no se publica".into(),
            label: Label(rank + 2),
            sealed_price: "1000.00".parse().unwrap(),
            final_price: price.parse().unwrap(),
            score: None,
            accepted_bids: 3,
            reduction_percent: "12.50".parse().unwrap(),
        };
        let result = AuctionResult {
            held: true,
            finished_at: at,
            ranking: vec![standing(1, "875.00"), standing(2, "880.10")],
            winner: Some(BidderId::new("1".to_string())),
            abnormally_low: Some(AbnormallyLowCheck {
                flagged: false,
                winner_price: "875.00".parse().unwrap(),
                mean_of_other_initial: None,
                below_mean_percent: None,
                below_mean_threshold_percent: "40".parse().unwrap(),
                below_mean_triggered: false,
                runner_up_price: None,
                below_runner_up_percent: None,
                below_runner_up_threshold_percent: "30".parse().unwrap(),
                below_runner_up_triggered: false,
            }),
        };
        let summary: Vec<serde_json::Value> = result
            .ranking
            .iter()
            .map(|s| {
                json!({
                    "rank": s.rank,
                    "label": s.label.to_string(),
                    "sealed_price": s.sealed_price,
                    "final_price": s.final_price,
                })
            })
            .collect();
        let untyped = json!({
            "held": result.held,
            "ranking": summary,
            "abnormally_low": result.abnormally_low.as_ref().map(|a| a.flagged),
        });
        let e = encode(&AuctionFinished::of(2, &result)).unwrap();
        assert_eq!(e.after, Some(untyped.to_string()));
        assert!(!e.after.unwrap().contains("Nombre"));
    }
}
