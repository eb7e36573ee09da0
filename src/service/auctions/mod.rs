//! Electronic reverse auctions (*subasta electrónica inversa*, issue 4) as workflows: scheduling
//! them when the evaluation of a tender with an auction method completes, the effects of their
//! start and end on the tender (final prices flow into the award without manual copying), the
//! published transcript, and the live runtime in [`hub`].
//!
//! The rules themselves are the pure `tianguis-auction` crate; this module only stores, routes
//! and publishes.

pub mod hub;
pub mod listing;
pub mod synthetic;

use super::audit::{Publication, commit_with, record, record_for};
use super::events::auctions::{
    AuctionFinished, AuctionPaused, AuctionRescheduled, AuctionResumed,
    AuctionResumptionRescheduled, AuctionScheduled, AuctionStarted, Outage, Start,
};
use super::publication::release::ReleaseEvent;
use super::{Actor, ServiceError};
use crate::domain::role::Role;
use crate::domain::time::Timestamp;
use crate::repository::auctions::{self as repo, AuctionRow, status};
use crate::repository::schema_auction::Auctions;
use crate::repository::schema_esourcing::Awards;
use crate::repository::{Database, Queryable, RepoError, bids, suppliers, tenders};
use sea_query::{Expr, ExprTrait, Query};
use serde::{Deserialize, Serialize};
use tianguis_auction::{Auction, AuctionResult, AuctionRules, BidderId, Event, Participant};

pub use hub::{Ack, AuctionHub, HubConfig, HubError, LiveCommand};

/// A participant as stored with the auction: the engine's participant plus the bid and supplier
/// it stands for. The engine's bidder id is the bid id (one standing bid per supplier and lot).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParticipantRecord {
    /// The sealed bid.
    pub bid_id: i64,
    /// Its supplier.
    pub supplier_id: i64,
    /// What the engine starts from.
    pub participant: Participant,
}

/// How long before its start an auction is announced, unless the buyer reschedules it.
pub const DEFAULT_NOTICE_SECONDS: i64 = 24 * 3600;
/// The shortest notice a buyer may give when rescheduling (bidders must be able to connect).
pub const MINIMUM_NOTICE_SECONDS: i64 = 60;

/// After the evaluation of a tender whose method has an auction: one auction per lot with at
/// least the rulebook's minimum of compliant bids, starting after `notice_seconds`. Lots below
/// the minimum get none — their sealed prices stand (issue 4, "Minimum participants"). Runs in
/// the evaluation's transaction; returns the auctions created.
pub async fn schedule_for_tender(
    tx: &mut impl Queryable,
    rules: &AuctionRules,
    actor: &Actor,
    tender_id: i64,
    notice_seconds: i64,
    now: Timestamp,
) -> Result<Vec<i64>, ServiceError> {
    let rules_json =
        serde_json::to_string(rules).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let opened = bids::of_tender(tx, tender_id, Some(bids::status::OPENED)).await?;
    let ids: Vec<i64> = opened.iter().map(|b| b.id).collect();
    let contents = bids::opened(tx, &ids).await?;
    let starts_at = Timestamp::from_micros(now.as_micros() + notice_seconds * 1_000_000);
    let mut created = Vec::new();
    for lot in tenders::lots(tx, tender_id).await? {
        let mut participants = Vec::new();
        for bid in opened.iter().filter(|b| b.lot_id == lot.id) {
            let Some(content) = contents
                .iter()
                .find(|c| c.bid_id == bid.id && c.compliant == Some(true))
            else {
                continue;
            };
            // Score ranking: the values the sealed bid declared (issue 4, "price ÷ (1 + Σ
            // feature values)"); in price ranking the engine ignores them. Content that does
            // not read would silently change a ranking, so it stops the scheduling.
            let features = serde_json::from_str::<crate::domain::bid::BidContent>(&content.content)
                .map_err(|e| {
                    ServiceError::Internal(format!("opened bid {} unreadable: {e}", bid.id))
                })?
                .features
                .into_iter()
                .map(|f| (f.feature, f.value))
                .collect();
            let name = suppliers::find(tx, bid.supplier_id)
                .await?
                .map(|s| s.legal_name)
                .unwrap_or_default();
            participants.push(ParticipantRecord {
                bid_id: bid.id,
                supplier_id: bid.supplier_id,
                participant: Participant {
                    bidder: BidderId::new(bid.id.to_string()),
                    name,
                    sealed_price: crate::domain::money::stored(&content.total),
                    sealed_at: tianguis_auction::Timestamp::from_micros(bid.submitted_at),
                    features,
                },
            });
        }
        if participants.len() < rules.minimum_participants as usize {
            continue;
        }
        participants.sort_by_key(|p| (p.participant.sealed_at, p.bid_id));
        let json = serde_json::to_string(&participants)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let id = repo::insert(tx, tender_id, lot.id, &rules_json, &json, starts_at, now).await?;
        record(
            tx,
            actor,
            &AuctionScheduled {
                auction_id: id,
                tender_id,
                lot_id: lot.id,
                starts_at,
                participants: participants.len(),
            },
            Publication::None,
        )
        .await?;
        created.push(id);
    }
    Ok(created)
}

/// Moving an auction's start or resumption is the buying authority's decision.
fn require_authority(actor: &Actor) -> Result<(), ServiceError> {
    if actor.has_role(Role::Buyer) || actor.has_role(Role::Administrator) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// A new start or resumption gives bidders at least [`MINIMUM_NOTICE_SECONDS`] to connect;
/// otherwise the validation error of `field`.
fn require_notice(at: Timestamp, now: Timestamp, field: &str) -> Result<(), ServiceError> {
    if at.as_micros() < now.as_micros() + MINIMUM_NOTICE_SECONDS * 1_000_000 {
        return Err(ServiceError::Validation(vec![
            crate::domain::validation::FieldError {
                field: field.into(),
                code: crate::domain::validation::FieldCode::InvalidDate,
            },
        ]));
    }
    Ok(())
}

/// Moves the start of a scheduled auction (buyers), with at least a minute's notice.
pub async fn reschedule(
    db: &Database,
    actor: &Actor,
    auction_id: i64,
    starts_at: Timestamp,
    now: Timestamp,
) -> Result<AuctionRow, ServiceError> {
    require_authority(actor)?;
    let mut tx = db.begin().await?;
    let before = repo::find(&mut tx, auction_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if before.status != status::SCHEDULED || before.last_seq > 0 {
        return Err(ServiceError::IllegalTransition {
            from: before.status,
            action: "reschedule".into(),
        });
    }
    require_notice(starts_at, now, "starts_at")?;
    repo::reschedule(&mut tx, auction_id, starts_at).await?;
    commit_with(
        tx,
        actor,
        &AuctionRescheduled {
            auction_id,
            before: Start {
                starts_at: Timestamp::from_micros(before.starts_at),
            },
            after: Start { starts_at },
        },
        Publication::None,
    )
    .await?;
    let mut conn = db.read().await?;
    repo::find(&mut conn, auction_id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// In the start batch's transaction: the auction is running.
pub(crate) async fn start_effects(
    tx: &mut impl Queryable,
    row: &AuctionRow,
) -> Result<(), ServiceError> {
    repo::set_running(tx, row.id).await?;
    record(
        tx,
        &Actor::System("auction"),
        &AuctionStarted {
            auction_id: row.id,
            tender_id: row.tender_id,
            lot_id: row.lot_id,
        },
        Publication::None,
    )
    .await?;
    Ok(())
}

/// In the batch's transaction: a service outage was recorded in the auction's log.
pub(crate) async fn outage_effects(
    tx: &mut impl Queryable,
    row: &AuctionRow,
    event: &Event,
) -> Result<(), ServiceError> {
    let outage = Outage {
        auction_id: row.id,
        seq: event.seq.0,
        at: event.at,
    };
    let system = Actor::System("auction");
    match event.kind {
        tianguis_auction::EventKind::Paused => {
            record(tx, &system, &AuctionPaused(outage), Publication::None).await?
        }
        _ => record(tx, &system, &AuctionResumed(outage), Publication::None).await?,
    };
    Ok(())
}

/// Who made a decision carried to the auction's owner node, as the audit log names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidedBy {
    /// The user's id.
    pub user_id: Option<i64>,
    /// The audit label (`user:<name>`).
    pub label: String,
}

impl DecidedBy {
    /// The acting user or system, as recorded.
    pub fn of(actor: &Actor) -> DecidedBy {
        DecidedBy {
            user_id: actor.user_id(),
            label: actor.label(),
        }
    }
}

/// In the batch's transaction: the authority moved the resumption of an auction frozen by an
/// outage (issue 4: "the remaining time extended (or rescheduled) for everyone equally").
pub(crate) async fn resumption_effects(
    tx: &mut impl Queryable,
    row: &AuctionRow,
    event: &Event,
    by: Option<&DecidedBy>,
) -> Result<(), ServiceError> {
    let tianguis_auction::EventKind::Rescheduled { resumes_at } = &event.kind else {
        return Ok(());
    };
    let (user_id, label) = match by {
        Some(by) => (by.user_id, by.label.clone()),
        None => (None, Actor::System("auction").label()),
    };
    record_for(
        tx,
        user_id,
        label,
        &AuctionResumptionRescheduled {
            auction_id: row.id,
            seq: event.seq.0,
            at: event.at,
            resumes_at: *resumes_at,
        },
        Publication::None,
    )
    .await?;
    Ok(())
}

/// Moves the moment an auction frozen by a service outage runs again (buyers): the frozen
/// remaining time of every bidder starts counting at `resumes_at`, with at least a minute's
/// notice so every bidder can reconnect. Decided by the auction's owner node like a bid, so
/// the decision is in the auction's log and its audit entry in the same transaction.
pub async fn reschedule_resumption(
    hub: &AuctionHub,
    actor: &Actor,
    auction_id: i64,
    resumes_at: Timestamp,
    now: Timestamp,
) -> Result<Ack, ServiceError> {
    require_authority(actor)?;
    require_notice(resumes_at, now, "resumes_at")?;
    hub.command(
        auction_id,
        LiveCommand::Reschedule {
            resumes_at,
            by: DecidedBy::of(actor),
        },
    )
    .await
    .map_err(ServiceError::Auction)
}

/// What a finished auction changes.
pub(crate) struct Finish<'a> {
    pub row: &'a AuctionRow,
    pub result: &'a AuctionResult,
    pub participants: &'a [ParticipantRecord],
}

/// In the final batch's transaction: store the result and put each bidder's final price and
/// rank on its opened bid, where the award takes them (issue 4: "final prices flow back into
/// the tender's evaluation/award without manual copying"). The public audit event carries
/// labels and prices only: names stay hidden until the award.
pub(crate) async fn finish_effects(
    tx: &mut impl Queryable,
    finish: Finish<'_>,
) -> Result<(), ServiceError> {
    let json = serde_json::to_string(finish.result).unwrap_or_default();
    let at = Timestamp::from_micros(finish.result.finished_at.as_micros());
    repo::set_finished(tx, finish.row.id, &json, at).await?;
    for standing in &finish.result.ranking {
        if let Some(p) = finish
            .participants
            .iter()
            .find(|p| p.participant.bidder == standing.bidder)
        {
            repo::set_auction_total(
                tx,
                p.bid_id,
                &standing.final_price.to_string(),
                i64::from(standing.rank),
            )
            .await?;
        }
    }
    record(
        tx,
        &Actor::System("auction"),
        &AuctionFinished::of(finish.row.id, finish.result),
        Publication::release(finish.row.tender_id, ReleaseEvent::TenderUpdate, at),
    )
    .await?;
    Ok(())
}

/// Finished auctions whose lot has a standing award and whose names are still hidden.
pub(crate) async fn awaiting_reveal(db: &mut impl Queryable) -> Result<Vec<i64>, RepoError> {
    let rows: Vec<(i64,)> = db
        .handle()
        .all(
            &Query::select()
                .column((Auctions::Table, Auctions::Id))
                .from(Auctions::Table)
                .and_where(Expr::col((Auctions::Table, Auctions::Status)).eq(status::FINISHED))
                .and_where(Expr::col((Auctions::Table, Auctions::Revealed)).eq(false))
                .and_where(Expr::exists(
                    Query::select()
                        .expr(Expr::val(1))
                        .from(Awards::Table)
                        .and_where(
                            Expr::col((Awards::Table, Awards::LotId))
                                .equals((Auctions::Table, Auctions::LotId)),
                        )
                        .and_where(Expr::col((Awards::Table, Awards::Status)).ne("annulled"))
                        .to_owned(),
                ))
                .limit(100)
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// An auction as the public sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuctionInfo {
    /// The stored auction.
    pub auction: AuctionRow,
    /// Tender title.
    pub tender_title: String,
    /// Tender reference.
    pub tender_reference: String,
    /// Currency of the prices.
    pub currency: String,
    /// Lot number.
    pub lot_number: i64,
    /// Lot title.
    pub lot_title: String,
    /// Number of participants.
    pub participants: usize,
    /// The rules (format, decrement, visibility).
    #[schema(value_type = Object)]
    pub rules: serde_json::Value,
    /// The current public view (board, price history, phase).
    #[schema(value_type = Object)]
    pub view: serde_json::Value,
    /// The result, once finished (names only after the award).
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
}

/// The rules frozen into a stored auction.
pub(crate) fn stored_rules(row: &AuctionRow) -> Result<AuctionRules, String> {
    serde_json::from_str(&row.rules).map_err(|e| format!("stored rules unreadable: {e}"))
}

/// The participants stored with an auction.
pub(crate) fn stored_participants(row: &AuctionRow) -> Result<Vec<ParticipantRecord>, String> {
    serde_json::from_str(&row.participants)
        .map_err(|e| format!("stored participants unreadable: {e}"))
}

/// Rebuilds an auction from its stored rules and its log as read from the database.
pub(crate) fn rebuild(row: &AuctionRow, log: &[(i64, String)]) -> Result<Auction, String> {
    let events: Vec<Event> = log
        .iter()
        .map(|(_, body)| serde_json::from_str(body))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("stored event unreadable: {e}"))?;
    Auction::replay(stored_rules(row)?, &events).map_err(|e| format!("replay failed: {}", e.code()))
}

/// Replays an auction from its durable log (any node, no lease needed).
pub async fn replay(db: &mut impl Queryable, row: &AuctionRow) -> Result<Auction, ServiceError> {
    let log = repo::events_after(db, row.id, 0).await?;
    rebuild(row, &log).map_err(ServiceError::Internal)
}

/// The public facts of an auction.
pub async fn info(db: &Database, auction_id: i64) -> Result<AuctionInfo, ServiceError> {
    let mut conn = db.read().await?;
    let row = repo::find(&mut conn, auction_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let tender = tenders::find(&mut conn, row.tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let lot = tenders::lots(&mut conn, row.tender_id)
        .await?
        .into_iter()
        .find(|l| l.id == row.lot_id)
        .ok_or(ServiceError::NotFound)?;
    let auction = replay(&mut conn, &row).await?;
    let participants = stored_participants(&row).unwrap_or_default();
    let result = auction
        .result()
        .map(|r| public_result(&r, auction.identities_revealed()));
    Ok(AuctionInfo {
        tender_title: tender.title,
        tender_reference: tender.reference,
        currency: tender.currency,
        lot_number: lot.number,
        lot_title: lot.title,
        participants: participants.len(),
        rules: serde_json::from_str(&row.rules).unwrap_or_default(),
        view: serde_json::to_value(auction.public_view()).unwrap_or_default(),
        result,
        auction: row,
    })
}

/// The result as published: identities only after the award.
fn public_result(result: &AuctionResult, revealed: bool) -> serde_json::Value {
    let mut value = serde_json::to_value(result).unwrap_or_default();
    if !revealed {
        if let Some(ranking) = value["ranking"].as_array_mut() {
            for s in ranking {
                s["bidder"] = serde_json::Value::Null;
                s["name"] = serde_json::Value::Null;
            }
        }
        value["winner"] = serde_json::Value::Null;
    }
    value
}

/// The transcript of a finished auction (every accepted and refused bid with server times;
/// names after the award), published for anyone (issue 4, "After the auction").
pub async fn transcript(
    db: &Database,
    auction_id: i64,
) -> Result<tianguis_auction::Transcript, ServiceError> {
    let mut conn = db.read().await?;
    let row = repo::find(&mut conn, auction_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let auction = replay(&mut conn, &row).await?;
    if !auction.is_finished() {
        return Err(ServiceError::IllegalTransition {
            from: row.status,
            action: "transcript".into(),
        });
    }
    Ok(auction.transcript())
}

/// The auctions of a tender.
pub async fn of_tender(db: &Database, tender_id: i64) -> Result<Vec<AuctionRow>, ServiceError> {
    let mut conn = db.read().await?;
    Ok(repo::of_tender(&mut conn, tender_id).await?)
}

/// Every auction, latest start first, running and scheduled ones ahead (the public list).
pub async fn public_list(db: &Database, limit: u64) -> Result<Vec<AuctionRow>, ServiceError> {
    let mut conn = db.read().await?;
    let mut list = repo::in_status(
        &mut conn,
        &[status::RUNNING, status::SCHEDULED, status::FINISHED],
        limit,
    )
    .await?;
    list.sort_by_key(|a| a.status == status::FINISHED);
    Ok(list)
}

/// The engine's bidder id of the acting supplier in this auction, if it is a participant.
pub async fn bidder_of(
    db: &Database,
    actor: &Actor,
    auction_id: i64,
) -> Result<Option<String>, ServiceError> {
    let Actor::User(user) = actor else {
        return Ok(None);
    };
    let Some(supplier_id) = user.supplier_id else {
        return Ok(None);
    };
    let mut conn = db.read().await?;
    let row = repo::find(&mut conn, auction_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(stored_participants(&row)
        .unwrap_or_default()
        .into_iter()
        .find(|p| p.supplier_id == supplier_id)
        .map(|p| p.participant.bidder.0))
}
