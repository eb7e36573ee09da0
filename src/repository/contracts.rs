//! Signed contracts, their delivery schedules and amendments.

use super::db::{Queryable, RepoError};
use super::schema_esourcing::{ContractAmendments, ContractMilestones, Contracts};
use sea_query::{Asterisk, Expr, ExprTrait, Order, Query};
use serde::Serialize;

/// A contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ContractRow {
    /// Id.
    pub id: i64,
    /// Tender.
    pub tender_id: i64,
    /// Award it executes.
    pub award_id: i64,
    /// Supplier.
    pub supplier_id: i64,
    /// Contract number (unique).
    pub number: String,
    /// Value (exact text), as signed.
    pub amount: String,
    /// Value in minor units.
    pub amount_minor: i64,
    /// Currency.
    pub currency: String,
    /// Signature instant (µs).
    pub signed_at: i64,
    /// Start (µs).
    pub start_date: i64,
    /// End (µs).
    pub end_date: i64,
    /// Payment terms.
    pub payment_terms: String,
    /// `active`, `completed`, `terminated`.
    pub status: String,
    /// Who recorded it.
    pub created_by: i64,
}

const COLUMNS: [Contracts; 14] = [
    Contracts::Id,
    Contracts::TenderId,
    Contracts::AwardId,
    Contracts::SupplierId,
    Contracts::Number,
    Contracts::Amount,
    Contracts::AmountMinor,
    Contracts::Currency,
    Contracts::SignedAt,
    Contracts::StartDate,
    Contracts::EndDate,
    Contracts::PaymentTerms,
    Contracts::Status,
    Contracts::CreatedBy,
];

/// Records a signed contract.
pub async fn insert(db: &mut impl Queryable, c: &ContractRow) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(Contracts::Table)
                .columns(COLUMNS[1..].to_vec())
                .values_panic([
                    c.tender_id.into(),
                    c.award_id.into(),
                    c.supplier_id.into(),
                    c.number.as_str().into(),
                    c.amount.as_str().into(),
                    c.amount_minor.into(),
                    c.currency.as_str().into(),
                    c.signed_at.into(),
                    c.start_date.into(),
                    c.end_date.into(),
                    c.payment_terms.as_str().into(),
                    c.status.as_str().into(),
                    c.created_by.into(),
                ])
                .returning_col(Contracts::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// One contract.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<ContractRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(Contracts::Table)
                .and_where(Expr::col(Contracts::Id).eq(id))
                .to_owned(),
        )
        .await
}

/// Contracts of a tender.
pub async fn of_tender(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Vec<ContractRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(Contracts::Table)
                .and_where(Expr::col(Contracts::TenderId).eq(tender_id))
                .order_by(Contracts::Id, Order::Asc)
                .to_owned(),
        )
        .await
}

/// Contracts of a supplier.
pub async fn of_supplier(
    db: &mut impl Queryable,
    supplier_id: i64,
) -> Result<Vec<ContractRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(Contracts::Table)
                .and_where(Expr::col(Contracts::SupplierId).eq(supplier_id))
                .order_by(Contracts::Id, Order::Desc)
                .to_owned(),
        )
        .await
}

/// Number of contracts (for numbering).
pub async fn count(db: &mut impl Queryable) -> Result<i64, RepoError> {
    let (n,): (i64,) = db
        .handle()
        .one(
            &Query::select()
                .expr(Expr::col(Asterisk).count())
                .from(Contracts::Table)
                .to_owned(),
        )
        .await?;
    Ok(n)
}

/// Updates value, end date (amendments).
pub async fn amend_terms(
    db: &mut impl Queryable,
    id: i64,
    amount: &str,
    amount_minor: i64,
    end_date: i64,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Contracts::Table)
                .values([
                    (Contracts::Amount, amount.into()),
                    (Contracts::AmountMinor, amount_minor.into()),
                    (Contracts::EndDate, end_date.into()),
                ])
                .and_where(Expr::col(Contracts::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A delivery milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MilestoneRow {
    /// Id.
    pub id: i64,
    /// Contract.
    pub contract_id: i64,
    /// Order.
    pub number: i64,
    /// Item delivered.
    pub tender_item_id: i64,
    /// Quantity (exact text).
    pub quantity: String,
    /// Due (µs).
    pub due_at: i64,
    /// Notes (place of delivery…).
    pub description: String,
}

/// Adds a milestone.
pub async fn insert_milestone(db: &mut impl Queryable, m: &MilestoneRow) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(ContractMilestones::Table)
                .columns([
                    ContractMilestones::ContractId,
                    ContractMilestones::Number,
                    ContractMilestones::TenderItemId,
                    ContractMilestones::Quantity,
                    ContractMilestones::DueAt,
                    ContractMilestones::Description,
                ])
                .values_panic([
                    m.contract_id.into(),
                    m.number.into(),
                    m.tender_item_id.into(),
                    m.quantity.as_str().into(),
                    m.due_at.into(),
                    m.description.as_str().into(),
                ])
                .returning_col(ContractMilestones::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// Milestones of a contract.
pub async fn milestones(
    db: &mut impl Queryable,
    contract_id: i64,
) -> Result<Vec<MilestoneRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([
                    ContractMilestones::Id,
                    ContractMilestones::ContractId,
                    ContractMilestones::Number,
                    ContractMilestones::TenderItemId,
                    ContractMilestones::Quantity,
                    ContractMilestones::DueAt,
                    ContractMilestones::Description,
                ])
                .from(ContractMilestones::Table)
                .and_where(Expr::col(ContractMilestones::ContractId).eq(contract_id))
                .order_by(ContractMilestones::Number, Order::Asc)
                .to_owned(),
        )
        .await
}

/// A contract amendment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ContractAmendmentRow {
    /// Id.
    pub id: i64,
    /// Contract.
    pub contract_id: i64,
    /// Number (1…).
    pub number: i64,
    /// Reason.
    pub reason: String,
    /// Value change (exact text, signed).
    pub value_change: String,
    /// New end (µs), if changed.
    pub new_end_date: Option<i64>,
    /// Author.
    pub created_by: i64,
    /// When (µs).
    pub created_at: i64,
}

/// Records an amendment.
pub async fn insert_amendment(
    db: &mut impl Queryable,
    a: &ContractAmendmentRow,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(ContractAmendments::Table)
                .columns([
                    ContractAmendments::ContractId,
                    ContractAmendments::Number,
                    ContractAmendments::Reason,
                    ContractAmendments::ValueChange,
                    ContractAmendments::NewEndDate,
                    ContractAmendments::CreatedBy,
                    ContractAmendments::CreatedAt,
                ])
                .values_panic([
                    a.contract_id.into(),
                    a.number.into(),
                    a.reason.as_str().into(),
                    a.value_change.as_str().into(),
                    a.new_end_date.into(),
                    a.created_by.into(),
                    a.created_at.into(),
                ])
                .returning_col(ContractAmendments::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// Amendments of a contract.
pub async fn amendments(
    db: &mut impl Queryable,
    contract_id: i64,
) -> Result<Vec<ContractAmendmentRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([
                    ContractAmendments::Id,
                    ContractAmendments::ContractId,
                    ContractAmendments::Number,
                    ContractAmendments::Reason,
                    ContractAmendments::ValueChange,
                    ContractAmendments::NewEndDate,
                    ContractAmendments::CreatedBy,
                    ContractAmendments::CreatedAt,
                ])
                .from(ContractAmendments::Table)
                .and_where(Expr::col(ContractAmendments::ContractId).eq(contract_id))
                .order_by(ContractAmendments::Number, Order::Asc)
                .to_owned(),
        )
        .await
}
