//! Tables of the electronic reverse auction (issue 4): one auction per lot, its durable event
//! log, the nodes that may own live auctions, and the cluster's shared secret for forwarding.
//!
//! The log is the auction: `auction_events` holds every event the engine decided, numbered from
//! 1 without gaps, and `(auction_id, seq)` is the primary key — so two nodes that both believe
//! they own an auction can never both commit an event with the same number (the loser's commit
//! fails and it drops the auction). `auction_leases` says which node runs it (`owner_node`,
//! `lease_until`); `heartbeat_at` is the last instant the owner is known to have served,
//! from which a successor computes the outage (issue 4, "Durability and faults").

use super::schema::Step;
use super::schema_esourcing::{Lots, OpenedBids, Tenders};
use sea_query::{ColumnDef, ForeignKey, ForeignKeyAction, Iden, Index, Table};

/// Auctions (one per lot of a tender whose method has an auction).
#[derive(Iden, Clone, Copy, Debug)]
pub enum Auctions {
    /// Table.
    Table,
    /// Id.
    Id,
    /// Tender.
    TenderId,
    /// Lot (unique: one auction per lot).
    LotId,
    /// `scheduled`, `running`, `finished`.
    Status,
    /// The rulebook's auction rules, as JSON (frozen when the auction is created).
    Rules,
    /// The qualified bidders with their sealed prices, as JSON (the `Start` participants).
    Participants,
    /// When the auction starts (UTC µs).
    StartsAt,
    /// When it was created.
    CreatedAt,
    /// When it finished (UTC µs).
    FinishedAt,
    /// The engine's result (JSON) once finished.
    Result,
    /// Whether identities were revealed (after the award).
    Revealed,
    /// The last sequence number committed.
    LastSeq,
}

/// Which node runs each auction: a lease renewed every heartbeat. Kept apart from `auctions`
/// so that renewing a thousand leases never locks the rows the engine writes (on PostgreSQL
/// the two would otherwise deadlock).
#[derive(Iden, Clone, Copy, Debug)]
pub enum AuctionLeases {
    /// Table.
    Table,
    /// Auction (one lease row per auction, created with it).
    AuctionId,
    /// The node that runs it.
    OwnerNode,
    /// Until when the owner's lease holds (UTC µs).
    LeaseUntil,
    /// The last instant the owner is known to have served (UTC µs).
    HeartbeatAt,
}

/// The durable event log of every auction.
#[derive(Iden, Clone, Copy, Debug)]
pub enum AuctionEvents {
    /// Table.
    Table,
    /// Auction.
    AuctionId,
    /// Sequence number (1, 2, 3 … without gaps).
    Seq,
    /// Server time of the event (UTC µs).
    At,
    /// The event as the engine serialises it (JSON).
    Body,
}

/// Application nodes that may own auctions (for forwarding bids to the owner).
#[derive(Iden, Clone, Copy, Debug)]
pub enum AuctionNodes {
    /// Table.
    Table,
    /// Node id.
    NodeId,
    /// Base URL other nodes reach it at.
    Url,
    /// Last heartbeat (UTC µs).
    HeartbeatAt,
}

/// Settings shared by every node of a cluster.
#[derive(Iden, Clone, Copy, Debug)]
pub enum ClusterSettings {
    /// Table.
    Table,
    /// Key.
    Key,
    /// Value.
    Value,
}

/// Migration 4.
pub fn auction() -> Vec<Step> {
    let big = |c: Auctions| ColumnDef::new(c).big_integer().not_null().to_owned();
    let big_null = |c: Auctions| ColumnDef::new(c).big_integer().to_owned();
    let text = |c: Auctions| ColumnDef::new(c).text().not_null().to_owned();
    let text_null = |c: Auctions| ColumnDef::new(c).text().to_owned();
    vec![
        Step::Table(
            Table::create()
                .table(Auctions::Table)
                .col(
                    ColumnDef::new(Auctions::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(big(Auctions::TenderId))
                .col(big(Auctions::LotId).unique_key().to_owned())
                .col(text(Auctions::Status))
                .col(text(Auctions::Rules))
                .col(text(Auctions::Participants))
                .col(big(Auctions::StartsAt))
                .col(big(Auctions::CreatedAt))
                .col(big_null(Auctions::FinishedAt))
                .col(text_null(Auctions::Result))
                .col(
                    ColumnDef::new(Auctions::Revealed)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .col(
                    ColumnDef::new(Auctions::LastSeq)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_auctions_tender")
                        .from(Auctions::Table, Auctions::TenderId)
                        .to(Tenders::Table, Tenders::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_auctions_lot")
                        .from(Auctions::Table, Auctions::LotId)
                        .to(Lots::Table, Lots::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ix_auctions_status")
                .table(Auctions::Table)
                .col(Auctions::Status)
                .col(Auctions::StartsAt)
                .to_owned(),
        ),
        Step::Index(
            Index::create()
                .name("ix_auctions_tender")
                .table(Auctions::Table)
                .col(Auctions::TenderId)
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(AuctionEvents::Table)
                .col(
                    ColumnDef::new(AuctionEvents::AuctionId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(AuctionEvents::Seq).big_integer().not_null())
                .col(ColumnDef::new(AuctionEvents::At).big_integer().not_null())
                .col(ColumnDef::new(AuctionEvents::Body).text().not_null())
                .primary_key(
                    Index::create()
                        .col(AuctionEvents::AuctionId)
                        .col(AuctionEvents::Seq),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_auction_events_auction")
                        .from(AuctionEvents::Table, AuctionEvents::AuctionId)
                        .to(Auctions::Table, Auctions::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(AuctionLeases::Table)
                .col(
                    ColumnDef::new(AuctionLeases::AuctionId)
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(AuctionLeases::OwnerNode).text())
                .col(ColumnDef::new(AuctionLeases::LeaseUntil).big_integer())
                .col(ColumnDef::new(AuctionLeases::HeartbeatAt).big_integer())
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_auction_leases_auction")
                        .from(AuctionLeases::Table, AuctionLeases::AuctionId)
                        .to(Auctions::Table, Auctions::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(AuctionNodes::Table)
                .col(
                    ColumnDef::new(AuctionNodes::NodeId)
                        .text()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(AuctionNodes::Url).text().not_null())
                .col(
                    ColumnDef::new(AuctionNodes::HeartbeatAt)
                        .big_integer()
                        .not_null(),
                )
                .to_owned(),
        ),
        Step::Table(
            Table::create()
                .table(ClusterSettings::Table)
                .col(
                    ColumnDef::new(ClusterSettings::Key)
                        .text()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(ClusterSettings::Value).text().not_null())
                .to_owned(),
        ),
        // The auction's final price of a bid, beside its sealed total: the award takes it
        // (issue 4: "final prices flow back into the tender's evaluation/award").
        Step::Alter(
            Table::alter()
                .table(OpenedBids::Table)
                .add_column(ColumnDef::new(OpenedBids::AuctionTotal).text())
                .to_owned(),
        ),
    ]
}

/// Migration 7: `auctions.last_seq` is no longer stored. Keeping it cost an `UPDATE` of the
/// auctions table in every batch of bids — the one write besides the events themselves — and
/// it is always the highest `seq` of the auction's log, which the primary key of
/// `auction_events` answers at once; reads compute it (`repository::auctions`).
pub fn drop_stored_last_seq() -> Vec<Step> {
    vec![Step::Alter(
        Table::alter()
            .table(Auctions::Table)
            .drop_column(Auctions::LastSeq)
            .to_owned(),
    )]
}
