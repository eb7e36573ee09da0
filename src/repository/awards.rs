//! Awards and complaints (inconformidades).

use super::db::{Queryable, RepoError};
use super::schema_esourcing::{Awards, Complaints, Lots};
use crate::domain::time::Timestamp;
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;

/// Award statuses.
pub mod status {
    /// Decided; the standstill period runs and complaints may be filed.
    pub const STANDSTILL: &str = "standstill";
    /// Final: standstill over, no pending complaint.
    pub const FINAL: &str = "final";
    /// Annulled (a complaint was upheld or the tender cancelled).
    pub const ANNULLED: &str = "annulled";
}

/// An award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AwardRow {
    /// Id.
    pub id: i64,
    /// Tender.
    pub tender_id: i64,
    /// Lot.
    pub lot_id: i64,
    /// Winning bid.
    pub bid_id: i64,
    /// Winning supplier.
    pub supplier_id: i64,
    /// Amount (exact text).
    pub amount: String,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// Currency.
    pub currency: String,
    /// `standstill`, `final` or `annulled`.
    pub status: String,
    /// Decision instant (µs).
    pub decided_at: i64,
    /// End of the standstill period (µs).
    pub standstill_ends_at: i64,
    /// When it became final (µs).
    pub final_at: Option<i64>,
    /// Who decided.
    pub decided_by: i64,
}

const COLUMNS: [Awards; 13] = [
    Awards::Id,
    Awards::TenderId,
    Awards::LotId,
    Awards::BidId,
    Awards::SupplierId,
    Awards::Amount,
    Awards::AmountMinor,
    Awards::Currency,
    Awards::Status,
    Awards::DecidedAt,
    Awards::StandstillEndsAt,
    Awards::FinalAt,
    Awards::DecidedBy,
];

/// Records an award.
pub async fn insert(db: &mut impl Queryable, a: &AwardRow) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(Awards::Table)
                .columns([
                    Awards::TenderId,
                    Awards::LotId,
                    Awards::BidId,
                    Awards::SupplierId,
                    Awards::Amount,
                    Awards::AmountMinor,
                    Awards::Currency,
                    Awards::Status,
                    Awards::DecidedAt,
                    Awards::StandstillEndsAt,
                    Awards::DecidedBy,
                ])
                .values_panic([
                    a.tender_id.into(),
                    a.lot_id.into(),
                    a.bid_id.into(),
                    a.supplier_id.into(),
                    a.amount.as_str().into(),
                    a.amount_minor.into(),
                    a.currency.as_str().into(),
                    a.status.as_str().into(),
                    a.decided_at.into(),
                    a.standstill_ends_at.into(),
                    a.decided_by.into(),
                ])
                .returning_col(Awards::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// One award.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<AwardRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(Awards::Table)
                .and_where(Expr::col(Awards::Id).eq(id))
                .to_owned(),
        )
        .await
}

/// Awards of a tender.
pub async fn of_tender(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Vec<AwardRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(Awards::Table)
                .and_where(Expr::col(Awards::TenderId).eq(tender_id))
                .order_by(Awards::Id, Order::Asc)
                .to_owned(),
        )
        .await
}

/// Moves an award between statuses (returns whether it was in `from`).
pub async fn set_status(
    db: &mut impl Queryable,
    id: i64,
    from: &str,
    to: &str,
    now: Timestamp,
) -> Result<bool, RepoError> {
    let mut q = Query::update()
        .table(Awards::Table)
        .value(Awards::Status, to)
        .and_where(Expr::col(Awards::Id).eq(id))
        .and_where(Expr::col(Awards::Status).eq(from))
        .to_owned();
    if to == status::FINAL {
        q.value(Awards::FinalAt, now.as_micros());
    }
    Ok(db.handle().execute(&q).await? == 1)
}

/// Every award still standing (in standstill or final, not annulled) as (amount, currency,
/// the lot's estimated value): the home page's value awarded and savings against estimates.
pub async fn standing_amounts(
    db: &mut impl Queryable,
) -> Result<Vec<(String, String, String)>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .column((Awards::Table, Awards::Amount))
                .column((Awards::Table, Awards::Currency))
                .column((Lots::Table, Lots::EstimatedValue))
                .from(Awards::Table)
                .inner_join(
                    Lots::Table,
                    Expr::col((Lots::Table, Lots::Id)).equals((Awards::Table, Awards::LotId)),
                )
                .and_where(Expr::col((Awards::Table, Awards::Status)).ne(status::ANNULLED))
                .order_by((Awards::Table, Awards::Id), Order::Asc)
                .to_owned(),
        )
        .await
}

/// Awards whose standstill ended before `now` and that are still in standstill.
pub async fn due_for_finality(
    db: &mut impl Queryable,
    now: Timestamp,
) -> Result<Vec<AwardRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(Awards::Table)
                .and_where(Expr::col(Awards::Status).eq(status::STANDSTILL))
                .and_where(Expr::col(Awards::StandstillEndsAt).lte(now.as_micros()))
                .to_owned(),
        )
        .await
}

/// Complaint statuses.
pub mod complaint_status {
    /// Filed, waiting for the buyer's resolution (suspends the award's finality).
    pub const FILED: &str = "filed";
    /// Upheld: the award is annulled.
    pub const UPHELD: &str = "upheld";
    /// Rejected: the award stands.
    pub const REJECTED: &str = "rejected";
}

/// A complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ComplaintRow {
    /// Id.
    pub id: i64,
    /// Tender.
    pub tender_id: i64,
    /// Contested award.
    pub award_id: i64,
    /// Complaining supplier.
    pub supplier_id: i64,
    /// Filing user.
    pub filed_by: i64,
    /// The complaint.
    pub text: String,
    /// When (µs).
    pub filed_at: i64,
    /// See [`complaint_status`].
    pub status: String,
    /// The buyer's resolution.
    pub resolution: Option<String>,
    /// Who resolved.
    pub resolved_by: Option<i64>,
    /// When resolved (µs).
    pub resolved_at: Option<i64>,
}

const COMPLAINT_COLUMNS: [Complaints; 11] = [
    Complaints::Id,
    Complaints::TenderId,
    Complaints::AwardId,
    Complaints::SupplierId,
    Complaints::FiledBy,
    Complaints::Text,
    Complaints::FiledAt,
    Complaints::Status,
    Complaints::Resolution,
    Complaints::ResolvedBy,
    Complaints::ResolvedAt,
];

/// Files a complaint.
pub async fn file(
    db: &mut impl Queryable,
    tender_id: i64,
    award_id: i64,
    supplier_id: i64,
    by: i64,
    text: &str,
    now: Timestamp,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(Complaints::Table)
                .columns([
                    Complaints::TenderId,
                    Complaints::AwardId,
                    Complaints::SupplierId,
                    Complaints::FiledBy,
                    Complaints::Text,
                    Complaints::FiledAt,
                    Complaints::Status,
                ])
                .values_panic([
                    tender_id.into(),
                    award_id.into(),
                    supplier_id.into(),
                    by.into(),
                    text.into(),
                    now.as_micros().into(),
                    complaint_status::FILED.into(),
                ])
                .returning_col(Complaints::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// Resolves a filed complaint (returns whether it was pending).
pub async fn resolve(
    db: &mut impl Queryable,
    id: i64,
    upheld: bool,
    resolution: &str,
    by: i64,
    now: Timestamp,
) -> Result<bool, RepoError> {
    Ok(db
        .handle()
        .execute(
            &Query::update()
                .table(Complaints::Table)
                .values([
                    (
                        Complaints::Status,
                        if upheld {
                            complaint_status::UPHELD
                        } else {
                            complaint_status::REJECTED
                        }
                        .into(),
                    ),
                    (Complaints::Resolution, resolution.into()),
                    (Complaints::ResolvedBy, by.into()),
                    (Complaints::ResolvedAt, now.as_micros().into()),
                ])
                .and_where(Expr::col(Complaints::Id).eq(id))
                .and_where(Expr::col(Complaints::Status).eq(complaint_status::FILED))
                .to_owned(),
        )
        .await?
        == 1)
}

/// One complaint.
pub async fn complaint(
    db: &mut impl Queryable,
    id: i64,
) -> Result<Option<ComplaintRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns(COMPLAINT_COLUMNS)
                .from(Complaints::Table)
                .and_where(Expr::col(Complaints::Id).eq(id))
                .to_owned(),
        )
        .await
}

/// Complaints of a tender.
pub async fn complaints(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Vec<ComplaintRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(COMPLAINT_COLUMNS)
                .from(Complaints::Table)
                .and_where(Expr::col(Complaints::TenderId).eq(tender_id))
                .order_by(Complaints::Id, Order::Asc)
                .to_owned(),
        )
        .await
}

/// Complaints awaiting a resolution (the buyer's workspace), oldest first.
pub async fn pending_complaints(db: &mut impl Queryable) -> Result<Vec<ComplaintRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(COMPLAINT_COLUMNS)
                .from(Complaints::Table)
                .and_where(Expr::col(Complaints::Status).eq(complaint_status::FILED))
                .order_by(Complaints::FiledAt, Order::Asc)
                .limit(200)
                .to_owned(),
        )
        .await
}

/// Complaints filed by a supplier (its portal), newest first.
pub async fn complaints_of_supplier(
    db: &mut impl Queryable,
    supplier_id: i64,
) -> Result<Vec<ComplaintRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(COMPLAINT_COLUMNS)
                .from(Complaints::Table)
                .and_where(Expr::col(Complaints::SupplierId).eq(supplier_id))
                .order_by(Complaints::Id, Order::Desc)
                .to_owned(),
        )
        .await
}
