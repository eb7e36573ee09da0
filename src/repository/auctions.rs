//! Auctions, their durable event log, node leases and the cluster secret (issue 4).
//!
//! Everything the live service needs to survive a crash or a node's death lives here: the log
//! (append in batches, read from a sequence number), the lease (take, renew, release — each a
//! single conditional `UPDATE`, atomic on both engines) and the heartbeat that dates an outage.

use super::db::{Queryable, RepoError};
use super::schema_auction::{
    AuctionEvents, AuctionLeases, AuctionNodes, Auctions, ClusterSettings,
};
use super::schema_esourcing::OpenedBids;
use crate::domain::time::Timestamp;
use sea_query::{Alias, Expr, ExprTrait, Func, OnConflict, Order, Query};
use serde::Serialize;

/// Auction statuses.
pub mod status {
    /// Created, waiting for its start time.
    pub const SCHEDULED: &str = "scheduled";
    /// Started (including a pause after a fault): a node must own it.
    pub const RUNNING: &str = "running";
    /// Finished (or not held): the result is stored.
    pub const FINISHED: &str = "finished";
}

/// A stored auction.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuctionRow {
    /// Id.
    pub id: i64,
    /// Tender.
    pub tender_id: i64,
    /// Lot.
    pub lot_id: i64,
    /// `scheduled`, `running` or `finished`.
    pub status: String,
    /// The auction rules (JSON).
    #[serde(skip)]
    pub rules: String,
    /// The `Start` participants (JSON; contains names and sealed prices, opened already).
    #[serde(skip)]
    pub participants: String,
    /// Start time (UTC µs).
    pub starts_at: i64,
    /// Creation time (UTC µs).
    pub created_at: i64,
    /// End time (UTC µs).
    pub finished_at: Option<i64>,
    /// The engine's result (JSON), once finished.
    #[serde(skip)]
    pub result: Option<String>,
    /// Whether identities were revealed.
    pub revealed: bool,
    /// Owning node.
    #[serde(skip)]
    pub owner_node: Option<String>,
    /// Lease end (UTC µs).
    #[serde(skip)]
    pub lease_until: Option<i64>,
    /// Last heartbeat of the owner (UTC µs).
    #[serde(skip)]
    pub heartbeat_at: Option<i64>,
    /// Last committed sequence number (0: no event yet), read from the log.
    pub last_seq: i64,
}

const COLUMNS: [Auctions; 11] = [
    Auctions::Id,
    Auctions::TenderId,
    Auctions::LotId,
    Auctions::Status,
    Auctions::Rules,
    Auctions::Participants,
    Auctions::StartsAt,
    Auctions::CreatedAt,
    Auctions::FinishedAt,
    Auctions::Result,
    Auctions::Revealed,
];

fn select() -> sea_query::SelectStatement {
    let mut q = Query::select();
    for c in COLUMNS {
        q.column((Auctions::Table, c));
    }
    // The highest seq of the log (one probe of the primary key), instead of a stored copy
    // that every batch of bids had to update (migration 7).
    q.expr_as(
        Expr::expr(Func::coalesce([
            Expr::expr(
                Query::select()
                    .expr(Expr::col((AuctionEvents::Table, AuctionEvents::Seq)).max())
                    .from(AuctionEvents::Table)
                    .and_where(
                        Expr::col((AuctionEvents::Table, AuctionEvents::AuctionId))
                            .equals((Auctions::Table, Auctions::Id)),
                    )
                    .to_owned(),
            ),
            Expr::val(0i64),
        ])),
        Alias::new("last_seq"),
    );
    q.columns([
        (AuctionLeases::Table, AuctionLeases::OwnerNode),
        (AuctionLeases::Table, AuctionLeases::LeaseUntil),
        (AuctionLeases::Table, AuctionLeases::HeartbeatAt),
    ])
    .from(Auctions::Table)
    .left_join(
        AuctionLeases::Table,
        Expr::col((AuctionLeases::Table, AuctionLeases::AuctionId))
            .equals((Auctions::Table, Auctions::Id)),
    )
    .to_owned()
}

/// Creates a scheduled auction and returns its id.
pub async fn insert(
    db: &mut impl Queryable,
    tender_id: i64,
    lot_id: i64,
    rules: &str,
    participants: &str,
    starts_at: Timestamp,
    now: Timestamp,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(Auctions::Table)
                .columns([
                    Auctions::TenderId,
                    Auctions::LotId,
                    Auctions::Status,
                    Auctions::Rules,
                    Auctions::Participants,
                    Auctions::StartsAt,
                    Auctions::CreatedAt,
                ])
                .values_panic([
                    tender_id.into(),
                    lot_id.into(),
                    status::SCHEDULED.into(),
                    rules.into(),
                    participants.into(),
                    starts_at.as_micros().into(),
                    now.as_micros().into(),
                ])
                .returning_col(Auctions::Id)
                .to_owned(),
        )
        .await?;
    db.handle()
        .execute(
            &Query::insert()
                .into_table(AuctionLeases::Table)
                .columns([AuctionLeases::AuctionId])
                .values_panic([id.into()])
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// One auction.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<AuctionRow>, RepoError> {
    db.handle()
        .optional(
            &select()
                .and_where(Expr::col(Auctions::Id).eq(id))
                .to_owned(),
        )
        .await
}

/// The auctions of a tender, by lot.
pub async fn of_tender(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Vec<AuctionRow>, RepoError> {
    db.handle()
        .all(
            &select()
                .and_where(Expr::col((Auctions::Table, Auctions::TenderId)).eq(tender_id))
                .order_by((Auctions::Table, Auctions::LotId), Order::Asc)
                .to_owned(),
        )
        .await
}

/// Auctions in the given statuses, latest start first (at most `limit`).
pub async fn in_status(
    db: &mut impl Queryable,
    statuses: &[&str],
    limit: u64,
) -> Result<Vec<AuctionRow>, RepoError> {
    db.handle()
        .all(
            &select()
                .and_where(
                    Expr::col((Auctions::Table, Auctions::Status)).is_in(statuses.iter().copied()),
                )
                .order_by((Auctions::Table, Auctions::StartsAt), Order::Desc)
                .order_by((Auctions::Table, Auctions::Id), Order::Desc)
                .limit(limit)
                .to_owned(),
        )
        .await
}

/// Auctions that need an owner now: running ones, and scheduled ones due before `horizon`,
/// whose lease is free, expired or already ours.
pub async fn claimable(
    db: &mut impl Queryable,
    node: &str,
    now: Timestamp,
    horizon: Timestamp,
    limit: u64,
) -> Result<Vec<i64>, RepoError> {
    let rows: Vec<(i64,)> = db
        .handle()
        .all(
            &Query::select()
                .column((Auctions::Table, Auctions::Id))
                .from(Auctions::Table)
                .inner_join(
                    AuctionLeases::Table,
                    Expr::col((AuctionLeases::Table, AuctionLeases::AuctionId))
                        .equals((Auctions::Table, Auctions::Id)),
                )
                .and_where(
                    Expr::col((Auctions::Table, Auctions::Status))
                        .eq(status::RUNNING)
                        .or(Expr::col((Auctions::Table, Auctions::Status))
                            .eq(status::SCHEDULED)
                            .and(
                                Expr::col((Auctions::Table, Auctions::StartsAt))
                                    .lte(horizon.as_micros()),
                            )),
                )
                .and_where(
                    Expr::col((AuctionLeases::Table, AuctionLeases::OwnerNode))
                        .is_null()
                        .or(Expr::col((AuctionLeases::Table, AuctionLeases::OwnerNode)).eq(node))
                        .or(Expr::col((AuctionLeases::Table, AuctionLeases::LeaseUntil))
                            .lt(now.as_micros())),
                )
                .order_by((Auctions::Table, Auctions::Id), Order::Asc)
                .limit(limit)
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Takes (or keeps) the lease of an auction; true when this node now owns it. Atomic: of two
/// nodes racing for an expired lease, exactly one `UPDATE` matches.
pub async fn take_lease(
    db: &mut impl Queryable,
    id: i64,
    node: &str,
    now: Timestamp,
    until: Timestamp,
) -> Result<bool, RepoError> {
    let changed = db
        .handle()
        .execute(
            &Query::update()
                .table(AuctionLeases::Table)
                .values([
                    (AuctionLeases::OwnerNode, node.into()),
                    (AuctionLeases::LeaseUntil, until.as_micros().into()),
                ])
                .and_where(Expr::col(AuctionLeases::AuctionId).eq(id))
                .and_where(
                    Expr::col(AuctionLeases::OwnerNode)
                        .is_null()
                        .or(Expr::col(AuctionLeases::OwnerNode).eq(node))
                        .or(Expr::col(AuctionLeases::LeaseUntil).lt(now.as_micros())),
                )
                .to_owned(),
        )
        .await?;
    Ok(changed == 1)
}

/// Renews this node's leases on the auctions it runs (`ids`, those in memory) and
/// records their heartbeat; returns the ids it still owns (a missing one was taken over). An
/// auction this node owned before a restart is not renewed here: its old heartbeat dates the
/// outage until the node has replayed it and recorded the pause.
pub async fn renew_leases(
    db: &mut impl Queryable,
    node: &str,
    ids: &[i64],
    now: Timestamp,
    until: Timestamp,
) -> Result<Vec<i64>, RepoError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    db.handle()
        .execute(
            &Query::update()
                .table(AuctionLeases::Table)
                .values([
                    (AuctionLeases::LeaseUntil, until.as_micros().into()),
                    (AuctionLeases::HeartbeatAt, now.as_micros().into()),
                ])
                .and_where(Expr::col(AuctionLeases::OwnerNode).eq(node))
                .and_where(Expr::col(AuctionLeases::AuctionId).is_in(ids.iter().copied()))
                .to_owned(),
        )
        .await?;
    let rows: Vec<(i64,)> = db
        .handle()
        .all(
            &Query::select()
                .column(AuctionLeases::AuctionId)
                .from(AuctionLeases::Table)
                .and_where(Expr::col(AuctionLeases::OwnerNode).eq(node))
                .and_where(Expr::col(AuctionLeases::AuctionId).is_in(ids.iter().copied()))
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Gives up this node's leases (clean shutdown), so another node takes over at once.
pub async fn release_leases(db: &mut impl Queryable, node: &str) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(AuctionLeases::Table)
                .value(AuctionLeases::LeaseUntil, 0i64)
                .and_where(Expr::col(AuctionLeases::OwnerNode).eq(node))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// One event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Auction.
    pub auction_id: i64,
    /// Sequence number.
    pub seq: i64,
    /// Server time (UTC µs).
    pub at: i64,
    /// The event as JSON.
    pub body: String,
}

/// Rows per `INSERT` (well under both engines' parameter limits: 4 × 500 = 2,000).
pub const EVENT_CHUNK: usize = 500;

/// Appends events (any auctions, in order). A duplicate `(auction_id, seq)` fails the whole
/// statement (and its transaction): that is the fence between two nodes that both believe
/// they own an auction. Nothing else is written: an auction's last seq is read from the log.
pub async fn append_events(db: &mut impl Queryable, events: &[NewEvent]) -> Result<(), RepoError> {
    for chunk in events.chunks(EVENT_CHUNK) {
        let mut insert = Query::insert()
            .into_table(AuctionEvents::Table)
            .columns([
                AuctionEvents::AuctionId,
                AuctionEvents::Seq,
                AuctionEvents::At,
                AuctionEvents::Body,
            ])
            .to_owned();
        for e in chunk {
            insert.values_panic([
                e.auction_id.into(),
                e.seq.into(),
                e.at.into(),
                e.body.as_str().into(),
            ]);
        }
        db.handle().execute(&insert).await?;
    }
    Ok(())
}

/// The log of an auction after `after_seq`, in order (as JSON bodies).
pub async fn events_after(
    db: &mut impl Queryable,
    auction_id: i64,
    after_seq: i64,
) -> Result<Vec<(i64, String)>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([AuctionEvents::Seq, AuctionEvents::Body])
                .from(AuctionEvents::Table)
                .and_where(Expr::col(AuctionEvents::AuctionId).eq(auction_id))
                .and_where(Expr::col(AuctionEvents::Seq).gt(after_seq))
                .order_by(AuctionEvents::Seq, Order::Asc)
                .to_owned(),
        )
        .await
}

/// Marks an auction started.
pub async fn set_running(db: &mut impl Queryable, id: i64) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Auctions::Table)
                .value(Auctions::Status, status::RUNNING)
                .and_where(Expr::col(Auctions::Id).eq(id))
                .and_where(Expr::col(Auctions::Status).eq(status::SCHEDULED))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Stores the result of a finished auction.
pub async fn set_finished(
    db: &mut impl Queryable,
    id: i64,
    result: &str,
    at: Timestamp,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Auctions::Table)
                .values([
                    (Auctions::Status, status::FINISHED.into()),
                    (Auctions::Result, result.into()),
                    (Auctions::FinishedAt, at.as_micros().into()),
                ])
                .and_where(Expr::col(Auctions::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Marks identities revealed.
pub async fn set_revealed(db: &mut impl Queryable, id: i64) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Auctions::Table)
                .value(Auctions::Revealed, true)
                .and_where(Expr::col(Auctions::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Moves the start of a scheduled auction.
pub async fn reschedule(
    db: &mut impl Queryable,
    id: i64,
    starts_at: Timestamp,
) -> Result<bool, RepoError> {
    let changed = db
        .handle()
        .execute(
            &Query::update()
                .table(Auctions::Table)
                .value(Auctions::StartsAt, starts_at.as_micros())
                .and_where(Expr::col(Auctions::Id).eq(id))
                .and_where(Expr::col(Auctions::Status).eq(status::SCHEDULED))
                .to_owned(),
        )
        .await?;
    Ok(changed == 1)
}

/// Records a bid's final auction price (the award takes it).
pub async fn set_auction_total(
    db: &mut impl Queryable,
    bid_id: i64,
    total: &str,
    rank: i64,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(OpenedBids::Table)
                .values([
                    (OpenedBids::AuctionTotal, total.into()),
                    (OpenedBids::Rank, rank.into()),
                ])
                .and_where(Expr::col(OpenedBids::BidId).eq(bid_id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Announces (or refreshes) a node and the URL other nodes forward bids to.
pub async fn upsert_node(
    db: &mut impl Queryable,
    node: &str,
    url: &str,
    now: Timestamp,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(AuctionNodes::Table)
                .columns([
                    AuctionNodes::NodeId,
                    AuctionNodes::Url,
                    AuctionNodes::HeartbeatAt,
                ])
                .values_panic([node.into(), url.into(), now.as_micros().into()])
                .on_conflict(
                    OnConflict::column(AuctionNodes::NodeId)
                        .update_columns([AuctionNodes::Url, AuctionNodes::HeartbeatAt])
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The URL of a node.
pub async fn node_url(db: &mut impl Queryable, node: &str) -> Result<Option<String>, RepoError> {
    let row: Option<(String,)> = db
        .handle()
        .optional(
            &Query::select()
                .column(AuctionNodes::Url)
                .from(AuctionNodes::Table)
                .and_where(Expr::col(AuctionNodes::NodeId).eq(node))
                .to_owned(),
        )
        .await?;
    Ok(row.map(|(u,)| u))
}

/// A cluster-wide setting, created with `make` by the first node that asks.
pub async fn cluster_setting(
    db: &mut impl Queryable,
    key: &str,
    make: impl FnOnce() -> String,
) -> Result<String, RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(ClusterSettings::Table)
                .columns([ClusterSettings::Key, ClusterSettings::Value])
                .values_panic([key.into(), make().into()])
                .on_conflict(
                    OnConflict::column(ClusterSettings::Key)
                        .do_nothing()
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
    let (value,): (String,) = db
        .handle()
        .one(
            &Query::select()
                .column(ClusterSettings::Value)
                .from(ClusterSettings::Table)
                .and_where(Expr::col(ClusterSettings::Key).eq(key))
                .to_owned(),
        )
        .await?;
    Ok(value)
}

/// Sets a cluster-wide setting (the value given at start-up wins over the stored one).
pub async fn put_setting(db: &mut impl Queryable, key: &str, value: &str) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(ClusterSettings::Table)
                .columns([ClusterSettings::Key, ClusterSettings::Value])
                .values_panic([key.into(), value.into()])
                .on_conflict(
                    OnConflict::column(ClusterSettings::Key)
                        .update_column(ClusterSettings::Value)
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A cluster-wide setting, if set.
pub async fn get_setting(db: &mut impl Queryable, key: &str) -> Result<Option<String>, RepoError> {
    let row: Option<(String,)> = db
        .handle()
        .optional(
            &Query::select()
                .column(ClusterSettings::Value)
                .from(ClusterSettings::Table)
                .and_where(Expr::col(ClusterSettings::Key).eq(key))
                .to_owned(),
        )
        .await?;
    Ok(row.map(|(v,)| v))
}
