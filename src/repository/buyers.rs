//! Procuring entities.

use super::db::{Queryable, RepoError};
use super::schema::Buyers;
use crate::domain::time::Timestamp;
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;

/// A procuring entity (the institution or one of its purchasing units).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct BuyerRow {
    /// Internal id.
    pub id: i64,
    /// Official name.
    pub name: String,
    /// Acronym shown in tables.
    pub short_name: String,
    /// Identifier scheme (org-id.guide list code, e.g. `GT-NIT`).
    pub identifier_scheme: String,
    /// Identifier in that scheme.
    pub identifier: String,
    /// Department (departamento).
    pub department: Option<String>,
}

/// Data of a new buyer.
#[derive(Debug, Clone)]
pub struct NewBuyer<'a> {
    /// See [`BuyerRow::name`].
    pub name: &'a str,
    /// See [`BuyerRow::short_name`].
    pub short_name: &'a str,
    /// See [`BuyerRow::identifier_scheme`].
    pub identifier_scheme: &'a str,
    /// See [`BuyerRow::identifier`].
    pub identifier: &'a str,
    /// See [`BuyerRow::department`].
    pub department: Option<&'a str>,
}

/// Creates a buyer.
pub async fn insert(
    db: &mut impl Queryable,
    b: &NewBuyer<'_>,
    now: Timestamp,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(Buyers::Table)
                .columns([
                    Buyers::Name,
                    Buyers::ShortName,
                    Buyers::IdentifierScheme,
                    Buyers::Identifier,
                    Buyers::Department,
                    Buyers::CreatedAt,
                ])
                .values_panic([
                    b.name.into(),
                    b.short_name.into(),
                    b.identifier_scheme.into(),
                    b.identifier.into(),
                    b.department.into(),
                    now.as_micros().into(),
                ])
                .returning_col(Buyers::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// The buyer with this identifier.
pub async fn find_by_identifier(
    db: &mut impl Queryable,
    identifier: &str,
) -> Result<Option<BuyerRow>, RepoError> {
    db.handle()
        .optional(
            &Query::select()
                .columns([
                    Buyers::Id,
                    Buyers::Name,
                    Buyers::ShortName,
                    Buyers::IdentifierScheme,
                    Buyers::Identifier,
                    Buyers::Department,
                ])
                .from(Buyers::Table)
                .and_where(Expr::col(Buyers::Identifier).eq(identifier))
                .to_owned(),
        )
        .await
}

/// Every buyer, by name.
pub async fn list(db: &mut impl Queryable) -> Result<Vec<BuyerRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([
                    Buyers::Id,
                    Buyers::Name,
                    Buyers::ShortName,
                    Buyers::IdentifierScheme,
                    Buyers::Identifier,
                    Buyers::Department,
                ])
                .from(Buyers::Table)
                .order_by(Buyers::Name, Order::Asc)
                .to_owned(),
        )
        .await
}
