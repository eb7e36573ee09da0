//! The annual procurement plan.

use super::db::{Queryable, RepoError};
use super::schema_esourcing::PlanLines;
use crate::domain::time::Timestamp;
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;

/// A plan line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PlanLineRow {
    /// Id.
    pub id: i64,
    /// Buyer.
    pub buyer_id: i64,
    /// Fiscal year.
    pub year: i64,
    /// Quarter (1–4) in which the need arises.
    pub quarter: i64,
    /// Catalogue item.
    pub catalogue_item_id: i64,
    /// Planned quantity (exact text).
    pub quantity: String,
    /// Estimated unit price (exact text).
    pub unit_price: String,
    /// Currency.
    pub currency: String,
    /// Funding source (budget line).
    pub funding_source: String,
    /// Notes.
    pub notes: Option<String>,
    /// Author.
    pub created_by: i64,
    /// When (µs).
    pub created_at: i64,
}

const COLUMNS: [PlanLines; 12] = [
    PlanLines::Id,
    PlanLines::BuyerId,
    PlanLines::Year,
    PlanLines::Quarter,
    PlanLines::CatalogueItemId,
    PlanLines::Quantity,
    PlanLines::UnitPrice,
    PlanLines::Currency,
    PlanLines::FundingSource,
    PlanLines::Notes,
    PlanLines::CreatedBy,
    PlanLines::CreatedAt,
];

/// Adds a line.
pub async fn insert(
    db: &mut impl Queryable,
    l: &PlanLineRow,
    now: Timestamp,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(PlanLines::Table)
                .columns(COLUMNS[1..].to_vec())
                .values_panic([
                    l.buyer_id.into(),
                    l.year.into(),
                    l.quarter.into(),
                    l.catalogue_item_id.into(),
                    l.quantity.as_str().into(),
                    l.unit_price.as_str().into(),
                    l.currency.as_str().into(),
                    l.funding_source.as_str().into(),
                    l.notes.clone().into(),
                    l.created_by.into(),
                    now.as_micros().into(),
                ])
                .returning_col(PlanLines::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// One line.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<PlanLineRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(PlanLines::Table)
                .and_where(Expr::col(PlanLines::Id).eq(id))
                .to_owned(),
        )
        .await
}

/// Lines of a year (all buyers when `buyer_id` is None), by quarter.
pub async fn of_year(
    db: &mut impl Queryable,
    year: i64,
    buyer_id: Option<i64>,
) -> Result<Vec<PlanLineRow>, RepoError> {
    let mut q = Query::select()
        .columns(COLUMNS)
        .from(PlanLines::Table)
        .and_where(Expr::col(PlanLines::Year).eq(year))
        .order_by(PlanLines::Quarter, Order::Asc)
        .order_by(PlanLines::Id, Order::Asc)
        .to_owned();
    if let Some(b) = buyer_id {
        q.and_where(Expr::col(PlanLines::BuyerId).eq(b));
    }
    db.handle().all(&q).await
}

/// Years that have a plan.
pub async fn years(db: &mut impl Queryable) -> Result<Vec<i64>, RepoError> {
    let rows: Vec<(i64,)> = db
        .handle()
        .all(
            &Query::select()
                .distinct()
                .column(PlanLines::Year)
                .from(PlanLines::Table)
                .order_by(PlanLines::Year, Order::Desc)
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
