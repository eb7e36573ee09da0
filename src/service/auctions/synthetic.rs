//! Synthetic auctions for the load generator (`tianguis bench auction`) and the crash tests
//! (issue 4). Running a thousand tenders through sealed bids, opening and evaluation would
//! measure the seed, not the auction; this writes scheduled auctions directly — on synthetic
//! tenders from [`crate::service::load_data`], with the demo suppliers `proveedor1…4` as
//! bidders — and everything after that runs through the real live service. Never run it on a
//! production database: the tenders are fictitious.

use super::ParticipantRecord;
use crate::domain::time::Timestamp;
use crate::repository::auctions as repo;
use crate::repository::{Database, tenders, users};
use crate::service::ServiceError;
use rust_decimal::Decimal;
use tianguis_auction::{AuctionRules, BidderId, Participant};

/// The demo accounts that bid in synthetic auctions (one per demo supplier).
pub const BIDDER_ACCOUNTS: [&str; 4] = ["proveedor1", "proveedor2", "proveedor3", "proveedor4"];

/// Soft-close rules for load and fault tests: bidding opens at once and stays open for
/// `window_seconds`, each bid must lower the bidder's own price by at least 0.01, and outages
/// longer than `tolerance_seconds` freeze everyone's time.
pub fn soft_close_rules(
    window_seconds: u32,
    tolerance_seconds: u32,
    resume_notice_seconds: u32,
) -> AuctionRules {
    serde_json::from_value(serde_json::json!({
        "format": {
            "kind": "soft_close",
            "pause_before_window_seconds": 0,
            "window_seconds": window_seconds,
            "extension_seconds": 60,
            "hard_stop_seconds": window_seconds.saturating_mul(2).max(window_seconds + 60),
        },
        "minimum_decrement": {"kind": "absolute", "amount": "0.01", "relative_to": "own_price"},
        "service_faults": {
            "tolerance_seconds": tolerance_seconds,
            "resume_notice_seconds": resume_notice_seconds,
        },
    }))
    .expect("valid synthetic rules")
}

/// Schedules `count` auctions starting at `starts_at`, each with `bidders` (≤ 4) of the demo
/// suppliers starting from 1,000,000.00 plus a few quetzales. Needs the demo institution
/// (`demo::seed`). Returns the auction ids.
pub async fn seed(
    db: &Database,
    count: usize,
    bidders: usize,
    rules: &AuctionRules,
    starts_at: Timestamp,
) -> Result<Vec<i64>, ServiceError> {
    let bidders = bidders.clamp(1, BIDDER_ACCOUNTS.len());
    let mut suppliers = Vec::new();
    {
        let mut conn = db.read().await?;
        for account in BIDDER_ACCOUNTS.iter().take(bidders) {
            let (user, _) = users::find_for_login(&mut conn, account)
                .await?
                .ok_or(ServiceError::NotFound)?;
            suppliers.push((
                user.supplier_id.ok_or(ServiceError::NotFound)?,
                user.display_name,
            ));
        }
    }
    crate::service::load_data::generate(db, count, |_| {}).await?;
    let tender_ids = {
        let mut conn = db.read().await?;
        tenders::newest_ids(&mut conn, count as u64).await?
    };
    let rules_json =
        serde_json::to_string(rules).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let now = Timestamp::now();
    let mut ids = Vec::with_capacity(count);
    let mut tx = db.begin().await?;
    for tender_id in tender_ids {
        let Some(lot) = tenders::lots(&mut tx, tender_id).await?.into_iter().next() else {
            continue;
        };
        let participants: Vec<ParticipantRecord> = suppliers
            .iter()
            .enumerate()
            .map(|(i, (supplier_id, name))| ParticipantRecord {
                bid_id: 0,
                supplier_id: *supplier_id,
                participant: Participant {
                    bidder: BidderId::new(format!("s{supplier_id}")),
                    name: name.clone(),
                    sealed_price: Decimal::new(100_000_000 + 100 * i as i64 * 7, 2),
                    sealed_at: tianguis_auction::Timestamp::from_micros(
                        now.as_micros() - 3_600_000_000 + i as i64,
                    ),
                    features: Default::default(),
                },
            })
            .collect();
        let json = serde_json::to_string(&participants)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        ids.push(
            repo::insert(
                &mut tx,
                tender_id,
                lot.id,
                &rules_json,
                &json,
                starts_at,
                now,
            )
            .await?,
        );
    }
    tx.commit().await?;
    Ok(ids)
}
