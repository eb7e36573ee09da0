//! The public list of auctions (issue 13: "Subasta 7 · Finalizada" told nothing): each with
//! its tender, lot, status and start, and once finished the savings of the winning final price
//! against the lot's estimate.

use super::public_list;
use crate::domain::money::stored;
use crate::repository::auctions::{AuctionRow, status};
use crate::repository::tenders::{LotRow, TenderRow};
use crate::repository::{Database, bids, tenders};
use crate::service::ServiceError;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// An auction with what a reader needs to recognise it.
#[derive(Debug, Clone)]
pub struct AuctionListing {
    /// The auction.
    pub auction: AuctionRow,
    /// Its tender.
    pub tender: TenderRow,
    /// Its lot.
    pub lot: LotRow,
    /// The winner's final price, once finished with a winner (the rank-1 bid's auction total,
    /// written onto the bids when the auction ends).
    pub final_total: Option<Decimal>,
}

/// Savings of an auction against the lot's estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Savings {
    /// Estimate − final price (negative when the final price is above the estimate).
    pub amount: Decimal,
    /// The same as a percentage of the estimate, one decimal.
    pub percent: Decimal,
}

impl AuctionListing {
    /// The savings against the lot's estimate, for finished auctions with a final price.
    pub fn savings(&self) -> Option<Savings> {
        let final_total = self.final_total?;
        let estimate = stored(&self.lot.estimated_value);
        if self.auction.status != status::FINISHED || estimate <= Decimal::ZERO {
            return None;
        }
        let amount = estimate - final_total;
        Some(Savings {
            amount,
            percent: (amount * Decimal::ONE_HUNDRED / estimate).round_dp(1),
        })
    }
}

/// The public list (running and scheduled first, then finished), each with its tender and lot.
pub async fn listing(db: &Database, limit: u64) -> Result<Vec<AuctionListing>, ServiceError> {
    let list = public_list(db, limit).await?;
    described(db, list).await
}

/// The auctions running now, then those scheduled, soonest first (the home page).
pub async fn live_and_upcoming(
    db: &Database,
    limit: u64,
) -> Result<Vec<AuctionListing>, ServiceError> {
    let mut list = {
        let mut conn = db.read().await?;
        crate::repository::auctions::in_status(
            &mut conn,
            &[status::RUNNING, status::SCHEDULED],
            500,
        )
        .await?
    };
    list.sort_by_key(|a| (a.status != status::RUNNING, a.starts_at, a.id));
    list.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    described(db, list).await
}

/// Each auction with its tender and lot, and once finished its winner's final price.
async fn described(
    db: &Database,
    list: Vec<AuctionRow>,
) -> Result<Vec<AuctionListing>, ServiceError> {
    let mut conn = db.read().await?;
    let mut tenders_by_id: HashMap<i64, (TenderRow, Vec<LotRow>)> = HashMap::new();
    let mut winners: HashMap<i64, HashMap<i64, Decimal>> = HashMap::new();
    let mut out = Vec::with_capacity(list.len());
    for auction in list {
        if let Entry::Vacant(slot) = tenders_by_id.entry(auction.tender_id) {
            let Some(tender) = tenders::find(&mut conn, auction.tender_id).await? else {
                continue;
            };
            slot.insert((tender, tenders::lots(&mut conn, auction.tender_id).await?));
        }
        let Some((tender, lots)) = tenders_by_id.get(&auction.tender_id) else {
            continue;
        };
        let Some(lot) = lots.iter().find(|l| l.id == auction.lot_id) else {
            continue;
        };
        let final_total = if auction.status == status::FINISHED {
            if let Entry::Vacant(slot) = winners.entry(auction.tender_id) {
                let of_tender = bids::of_tender(&mut conn, auction.tender_id, None).await?;
                let ids: Vec<i64> = of_tender.iter().map(|b| b.id).collect();
                let lot_of: HashMap<i64, i64> =
                    of_tender.iter().map(|b| (b.id, b.lot_id)).collect();
                let by_lot = bids::opened(&mut conn, &ids)
                    .await?
                    .into_iter()
                    .filter(|o| o.rank == Some(1))
                    .filter_map(|o| {
                        let total = o.auction_total.as_deref().map(stored)?;
                        Some((*lot_of.get(&o.bid_id)?, total))
                    })
                    .collect();
                slot.insert(by_lot);
            }
            winners
                .get(&auction.tender_id)
                .and_then(|w| w.get(&auction.lot_id))
                .copied()
        } else {
            None
        };
        out.push(AuctionListing {
            tender: tender.clone(),
            lot: lot.clone(),
            final_total,
            auction,
        });
    }
    Ok(out)
}
