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

/// Runs a scheduled auction to its end without a live service, with simulated bidders, and
/// records it exactly as the live service would (events, start and end effects in one
/// transaction). The demo year uses it for the auctions of its past: each bidder, on its turn,
/// lowers its price by 0.5–3 % below what the rules require, or passes (about one time in
/// four). Its choices come from `next` (the demo's own deterministic generator). No bidder
/// goes below `floor` (its costs: the demo keeps prices near the market's, issue 13); it passes
/// instead. Returns when bidding ended.
pub async fn run_offline(
    db: &Database,
    auction_id: i64,
    floor: Decimal,
    next: &mut impl FnMut() -> u64,
) -> Result<Timestamp, ServiceError> {
    use tianguis_auction::{Auction, Command, Decision};
    let row = {
        let mut conn = db.read().await?;
        repo::find(&mut conn, auction_id)
            .await?
            .ok_or(ServiceError::NotFound)?
    };
    if row.status != repo::status::SCHEDULED || row.last_seq > 0 {
        return Err(ServiceError::IllegalTransition {
            from: row.status,
            action: "run_offline".into(),
        });
    }
    let rules = super::stored_rules(&row).map_err(ServiceError::Internal)?;
    let records = super::stored_participants(&row).map_err(ServiceError::Internal)?;
    let mut auction =
        Auction::new(rules.clone()).map_err(|e| ServiceError::Internal(e.code().into()))?;
    let mut events = Vec::new();
    let mut record = |auction: &mut Auction, command: Command| -> Result<(), ServiceError> {
        if let Decision::Record(event) = auction.decide(&command) {
            auction
                .apply(&event)
                .map_err(|e| ServiceError::Internal(e.code().into()))?;
            events.push(event);
        }
        Ok(())
    };
    let mut participants: Vec<_> = records.iter().map(|p| p.participant.clone()).collect();
    participants.sort_by_key(|p| p.sealed_at);
    let start = tianguis_auction::Timestamp::from_micros(row.starts_at);
    record(
        &mut auction,
        Command::Start {
            at: start,
            participants,
            label_seed: next(),
        },
    )?;
    let mut guard = 0;
    while !auction.is_finished() && guard < 10_000 {
        guard += 1;
        let Some(deadline) = auction.next_deadline() else {
            break;
        };
        let now = auction.last_at().unwrap_or(start);
        if let Some(bidder) = auction.current_turn().cloned() {
            // The bidder thinks for 10–100 s of its turn, then bids or passes.
            let at = tianguis_auction::Timestamp::from_micros(
                (now.as_micros() + (10 + next() % 90) as i64 * 1_000_000)
                    .min(deadline.as_micros() - 1),
            );
            let view = auction.bidder_view(&bidder);
            match view.and_then(|v| v.max_acceptable_price) {
                Some(max) if !next().is_multiple_of(4) && max >= floor => {
                    let cut = Decimal::new(5 + (next() % 26) as i64, 3); // 0.5–3.0 %
                    let mut price = (max * (Decimal::ONE - cut))
                        .round_dp(rules.price_scale)
                        .max(floor);
                    if price <= Decimal::ZERO {
                        price = max;
                    }
                    record(
                        &mut auction,
                        Command::Bid {
                            at,
                            bidder,
                            price,
                            request_id: None,
                        },
                    )?;
                }
                _ => record(
                    &mut auction,
                    Command::Pass {
                        at,
                        bidder,
                        request_id: None,
                    },
                )?,
            }
        } else {
            record(&mut auction, Command::Tick { at: deadline })?;
        }
    }
    let result = auction
        .result()
        .ok_or_else(|| ServiceError::Internal("simulated auction did not end".into()))?;
    let mut rows = Vec::with_capacity(events.len());
    for e in &events {
        rows.push(repo::NewEvent {
            auction_id,
            seq: e.seq.0 as i64,
            at: e.at.as_micros(),
            body: serde_json::to_string(e).map_err(|e| ServiceError::Internal(e.to_string()))?,
        });
    }
    let mut tx = db.begin().await?;
    repo::append_events(&mut tx, &rows).await?;
    super::start_effects(&mut tx, &row).await?;
    super::finish_effects(
        &mut tx,
        super::Finish {
            row: &row,
            result: &result,
            participants: &records,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Timestamp::from_micros(result.finished_at.as_micros()))
}
