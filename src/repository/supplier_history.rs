//! A supplier's public history (issue 13): its opened bids, awards and contracts, each with its
//! tender. Only opened bids are read (`opened_bids` holds a bid once the committee opened the
//! tender), so a sealed bid never shows, not even that it exists.

use super::db::{Queryable, RepoError};
use super::schema_esourcing::{Awards, Bids, Contracts, Lots, OpenedBids, Tenders};
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use serde::Serialize;

/// Rows of each kind shown (the most recent).
pub const LIMIT: u64 = 100;

/// An opened bid of the supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct HistoryBid {
    /// Tender.
    pub tender_id: i64,
    /// Tender reference.
    pub reference: String,
    /// Tender title.
    pub title: String,
    /// Lot number.
    pub lot_number: i64,
    /// Bid total as opened (exact decimal text).
    pub total: String,
    /// Final auction price, when an auction was held (exact decimal text).
    pub auction_total: Option<String>,
    /// Currency.
    pub currency: String,
    /// Compliant, once evaluated.
    pub compliant: Option<bool>,
    /// Rank among compliant bids, once evaluated.
    pub rank: Option<i64>,
    /// When the tender was opened (µs).
    pub opened_at: Option<i64>,
}

/// An award or contract of the supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct HistoryAward {
    /// Tender.
    pub tender_id: i64,
    /// Tender reference.
    pub reference: String,
    /// Tender title.
    pub title: String,
    /// Lot number (awards) or contract number (contracts).
    pub number: String,
    /// Amount (exact decimal text).
    pub amount: String,
    /// Currency.
    pub currency: String,
    /// Award or contract status.
    pub status: String,
    /// When decided or signed (µs).
    pub at: i64,
}

fn with_tender(q: &mut SelectStatement, tender_col: Expr) {
    q.column((Tenders::Table, Tenders::Reference))
        .column((Tenders::Table, Tenders::Title))
        .inner_join(
            Tenders::Table,
            Expr::col((Tenders::Table, Tenders::Id)).eq(tender_col),
        );
}

/// The supplier's opened bids, most recently opened first.
pub async fn bids(db: &mut impl Queryable, supplier_id: i64) -> Result<Vec<HistoryBid>, RepoError> {
    let mut q = Query::select();
    q.column((Bids::Table, Bids::TenderId))
        .expr_as(
            Expr::col((Lots::Table, Lots::Number)),
            sea_query::Alias::new("lot_number"),
        )
        .columns([
            (OpenedBids::Table, OpenedBids::Total),
            (OpenedBids::Table, OpenedBids::AuctionTotal),
            (OpenedBids::Table, OpenedBids::Compliant),
            (OpenedBids::Table, OpenedBids::Rank),
        ])
        .column((Tenders::Table, Tenders::Currency))
        .column((Tenders::Table, Tenders::OpenedAt))
        .from(Bids::Table)
        .inner_join(
            OpenedBids::Table,
            Expr::col((OpenedBids::Table, OpenedBids::BidId)).equals((Bids::Table, Bids::Id)),
        )
        .inner_join(
            Lots::Table,
            Expr::col((Lots::Table, Lots::Id)).equals((Bids::Table, Bids::LotId)),
        );
    with_tender(&mut q, Expr::col((Bids::Table, Bids::TenderId)));
    q.and_where(Expr::col((Bids::Table, Bids::SupplierId)).eq(supplier_id))
        .order_by((Tenders::Table, Tenders::OpenedAt), Order::Desc)
        .order_by((Bids::Table, Bids::Id), Order::Desc)
        .limit(LIMIT);
    db.handle().all(&q).await
}

/// The supplier's awards, most recent first.
pub async fn awards(
    db: &mut impl Queryable,
    supplier_id: i64,
) -> Result<Vec<HistoryAward>, RepoError> {
    let mut q = Query::select();
    q.column((Awards::Table, Awards::TenderId))
        .expr_as(
            Expr::col((Lots::Table, Lots::Number)).cast_as("TEXT"),
            sea_query::Alias::new("number"),
        )
        .columns([
            (Awards::Table, Awards::Amount),
            (Awards::Table, Awards::Currency),
            (Awards::Table, Awards::Status),
        ])
        .expr_as(
            Expr::col((Awards::Table, Awards::DecidedAt)),
            sea_query::Alias::new("at"),
        )
        .from(Awards::Table)
        .inner_join(
            Lots::Table,
            Expr::col((Lots::Table, Lots::Id)).equals((Awards::Table, Awards::LotId)),
        );
    with_tender(&mut q, Expr::col((Awards::Table, Awards::TenderId)));
    q.and_where(Expr::col((Awards::Table, Awards::SupplierId)).eq(supplier_id))
        .order_by((Awards::Table, Awards::DecidedAt), Order::Desc)
        .order_by((Awards::Table, Awards::Id), Order::Desc)
        .limit(LIMIT);
    db.handle().all(&q).await
}

/// The supplier's contracts, most recently signed first.
pub async fn contracts(
    db: &mut impl Queryable,
    supplier_id: i64,
) -> Result<Vec<HistoryAward>, RepoError> {
    let mut q = Query::select();
    q.column((Contracts::Table, Contracts::TenderId))
        .columns([
            (Contracts::Table, Contracts::Number),
            (Contracts::Table, Contracts::Amount),
            (Contracts::Table, Contracts::Currency),
            (Contracts::Table, Contracts::Status),
        ])
        .expr_as(
            Expr::col((Contracts::Table, Contracts::SignedAt)),
            sea_query::Alias::new("at"),
        )
        .from(Contracts::Table);
    with_tender(&mut q, Expr::col((Contracts::Table, Contracts::TenderId)));
    q.and_where(Expr::col((Contracts::Table, Contracts::SupplierId)).eq(supplier_id))
        .order_by((Contracts::Table, Contracts::SignedAt), Order::Desc)
        .order_by((Contracts::Table, Contracts::Id), Order::Desc)
        .limit(LIMIT);
    db.handle().all(&q).await
}
