//! Read access to the public registries: buyers, suppliers and the catalogue (open by default,
//! PRODUCT.md principle 1). Issue 3 adds their write workflows.

use super::ServiceError;
use crate::domain::catalogue::{CatalogueItem, ItemKind};
use crate::domain::supplier::{Supplier, SupplierStatus};
use crate::repository::buyers::BuyerRow;
use crate::repository::{Database, Page, buyers, catalogue, suppliers, users};

/// A page of suppliers.
pub async fn suppliers(
    db: &Database,
    search: Option<&str>,
    status: Option<SupplierStatus>,
    offset: i64,
    limit: i64,
) -> Result<Page<Supplier>, ServiceError> {
    let mut conn = db.read().await?;
    Ok(suppliers::list(
        &mut conn,
        search,
        status,
        offset.max(0),
        limit.clamp(1, 200),
    )
    .await?)
}

/// One supplier.
pub async fn supplier(db: &Database, id: i64) -> Result<Supplier, ServiceError> {
    let mut conn = db.read().await?;
    suppliers::find(&mut conn, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// A page of the catalogue.
pub async fn catalogue(
    db: &Database,
    search: Option<&str>,
    kind: Option<ItemKind>,
    offset: i64,
    limit: i64,
) -> Result<Page<CatalogueItem>, ServiceError> {
    let mut conn = db.read().await?;
    Ok(catalogue::list(&mut conn, search, kind, offset.max(0), limit.clamp(1, 200)).await?)
}

/// Every buyer.
pub async fn buyers(db: &Database) -> Result<Vec<BuyerRow>, ServiceError> {
    let mut conn = db.read().await?;
    Ok(buyers::list(&mut conn).await?)
}

/// Headline figures for the home page.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Overview {
    /// Registered suppliers.
    pub suppliers: i64,
    /// Active catalogue items.
    pub catalogue_items: i64,
    /// Buyers.
    pub buyers: i64,
    /// Accounts.
    pub users: i64,
}

/// Headline figures for the home page.
pub async fn overview(db: &Database) -> Result<Overview, ServiceError> {
    let mut conn = db.read().await?;
    Ok(Overview {
        suppliers: suppliers::list(&mut conn, None, None, 0, 1).await?.total,
        catalogue_items: catalogue::list(&mut conn, None, None, 0, 1).await?.total,
        buyers: buyers::list(&mut conn).await?.len() as i64,
        users: users::count(&mut conn).await?,
    })
}
