//! Suppliers' product cards (issue 14, point 7).

use super::db::{Queryable, RepoError};
use super::schema_products::ProductCards;
use crate::domain::product_card::{CardFields, CardStatus};
use crate::domain::time::Timestamp;
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use serde::Serialize;

/// A stored product card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductCardRow {
    /// Internal id.
    pub id: i64,
    /// The supplier that offers the product.
    pub supplier_id: i64,
    /// The catalogue item the product is.
    pub catalogue_item_id: i64,
    /// Brand (trade name).
    pub brand: String,
    /// Who makes it.
    pub manufacturer: String,
    /// Health registration number (registro sanitario).
    pub health_registration: String,
    /// Last day the registration is in force: UTC microseconds of that day's start in the
    /// configured zone (shown with `format::date`, as contract dates are).
    pub health_registration_expires: i64,
    /// GTIN-14 (`tianguis_gs1::Gtin`).
    pub gtin: String,
    /// How many of the catalogue item's units one pack holds (exact decimal text).
    pub pack_size: String,
    /// Offered or withdrawn.
    pub status: CardStatus,
    /// When it was created (µs).
    pub created_at: i64,
    /// When it was last changed (µs).
    pub updated_at: Option<i64>,
    /// The supplier's user who created it.
    pub created_by: i64,
}

#[derive(sqlx::FromRow)]
struct StoredCard {
    id: i64,
    supplier_id: i64,
    catalogue_item_id: i64,
    brand: String,
    manufacturer: String,
    health_registration: String,
    health_registration_expires: i64,
    gtin: String,
    pack_size: String,
    status: String,
    created_at: i64,
    updated_at: Option<i64>,
    created_by: i64,
}

impl StoredCard {
    fn into_row(self) -> Result<ProductCardRow, RepoError> {
        let status = CardStatus::from_code(&self.status).ok_or_else(|| {
            RepoError::Corrupt(format!("product card {}: status {}", self.id, self.status))
        })?;
        Ok(ProductCardRow {
            id: self.id,
            supplier_id: self.supplier_id,
            catalogue_item_id: self.catalogue_item_id,
            brand: self.brand,
            manufacturer: self.manufacturer,
            health_registration: self.health_registration,
            health_registration_expires: self.health_registration_expires,
            gtin: self.gtin,
            pack_size: self.pack_size,
            status,
            created_at: self.created_at,
            updated_at: self.updated_at,
            created_by: self.created_by,
        })
    }
}

fn select_cards() -> SelectStatement {
    Query::select()
        .columns([
            ProductCards::Id,
            ProductCards::SupplierId,
            ProductCards::CatalogueItemId,
            ProductCards::Brand,
            ProductCards::Manufacturer,
            ProductCards::HealthRegistration,
            ProductCards::HealthRegistrationExpires,
            ProductCards::Gtin,
            ProductCards::PackSize,
            ProductCards::Status,
            ProductCards::CreatedAt,
            ProductCards::UpdatedAt,
            ProductCards::CreatedBy,
        ])
        .from(ProductCards::Table)
        .to_owned()
}

async fn rows(
    db: &mut impl Queryable,
    q: &SelectStatement,
) -> Result<Vec<ProductCardRow>, RepoError> {
    let stored: Vec<StoredCard> = db.handle().all(q).await?;
    stored.into_iter().map(StoredCard::into_row).collect()
}

/// Creates an active card of `supplier_id`; [`RepoError::UniqueViolation`] when the supplier
/// already has an active card with this GTIN.
pub async fn insert(
    db: &mut impl Queryable,
    supplier_id: i64,
    card: &CardFields,
    created_by: i64,
    now: Timestamp,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(ProductCards::Table)
                .columns([
                    ProductCards::SupplierId,
                    ProductCards::CatalogueItemId,
                    ProductCards::Brand,
                    ProductCards::Manufacturer,
                    ProductCards::HealthRegistration,
                    ProductCards::HealthRegistrationExpires,
                    ProductCards::Gtin,
                    ProductCards::PackSize,
                    ProductCards::Status,
                    ProductCards::CreatedAt,
                    ProductCards::CreatedBy,
                ])
                .values_panic([
                    supplier_id.into(),
                    card.catalogue_item_id.into(),
                    card.brand.as_str().into(),
                    card.manufacturer.as_str().into(),
                    card.health_registration.as_str().into(),
                    card.health_registration_expires.into(),
                    card.gtin.as_str().into(),
                    card.pack_size.as_str().into(),
                    CardStatus::Active.code().into(),
                    now.as_micros().into(),
                    created_by.into(),
                ])
                .returning_col(ProductCards::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// Replaces a card's fields (its supplier and status stay).
pub async fn update(
    db: &mut impl Queryable,
    id: i64,
    card: &CardFields,
    now: Timestamp,
) -> Result<(), RepoError> {
    let changed = db
        .handle()
        .execute(
            &Query::update()
                .table(ProductCards::Table)
                .values([
                    (ProductCards::CatalogueItemId, card.catalogue_item_id.into()),
                    (ProductCards::Brand, card.brand.as_str().into()),
                    (
                        ProductCards::Manufacturer,
                        card.manufacturer.as_str().into(),
                    ),
                    (
                        ProductCards::HealthRegistration,
                        card.health_registration.as_str().into(),
                    ),
                    (
                        ProductCards::HealthRegistrationExpires,
                        card.health_registration_expires.into(),
                    ),
                    (ProductCards::Gtin, card.gtin.as_str().into()),
                    (ProductCards::PackSize, card.pack_size.as_str().into()),
                    (ProductCards::UpdatedAt, now.as_micros().into()),
                ])
                .and_where(Expr::col(ProductCards::Id).eq(id))
                .to_owned(),
        )
        .await?;
    if changed == 0 {
        return Err(RepoError::NotFound);
    }
    Ok(())
}

/// Moves a card from one status to another; false when it was not in `from` (a concurrent
/// change won), so the caller refuses instead of recording a change that did not happen.
pub async fn set_status(
    db: &mut impl Queryable,
    id: i64,
    from: CardStatus,
    to: CardStatus,
    now: Timestamp,
) -> Result<bool, RepoError> {
    let changed = db
        .handle()
        .execute(
            &Query::update()
                .table(ProductCards::Table)
                .values([
                    (ProductCards::Status, to.code().into()),
                    (ProductCards::UpdatedAt, now.as_micros().into()),
                ])
                .and_where(Expr::col(ProductCards::Id).eq(id))
                .and_where(Expr::col(ProductCards::Status).eq(from.code()))
                .to_owned(),
        )
        .await?;
    Ok(changed == 1)
}

/// The card with this id.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<ProductCardRow>, RepoError> {
    let stored: Option<StoredCard> = db
        .handle()
        .optional(
            &select_cards()
                .and_where(Expr::col(ProductCards::Id).eq(id))
                .to_owned(),
        )
        .await?;
    stored.map(StoredCard::into_row).transpose()
}

/// Every card of a supplier, active first, then in [`in_order`].
pub async fn of_supplier(
    db: &mut impl Queryable,
    supplier_id: i64,
) -> Result<Vec<ProductCardRow>, RepoError> {
    let mut list = rows(
        db,
        &select_cards()
            .and_where(Expr::col(ProductCards::SupplierId).eq(supplier_id))
            .order_by(ProductCards::Id, Order::Asc)
            .to_owned(),
    )
    .await?;
    list.sort_by_cached_key(|c| (c.status != CardStatus::Active, in_order(c)));
    Ok(list)
}

/// Which active cards to read: every filter given must hold (`None`: no filter on it).
#[derive(Debug, Clone, Copy, Default)]
pub struct ActiveFilter<'a> {
    /// Only cards of these suppliers.
    pub supplier_ids: Option<&'a [i64]>,
    /// Only cards of these catalogue items.
    pub item_ids: Option<&'a [i64]>,
}

/// The active cards matching the filter, in [`in_order`].
pub async fn active(
    db: &mut impl Queryable,
    filter: ActiveFilter<'_>,
) -> Result<Vec<ProductCardRow>, RepoError> {
    if filter.supplier_ids.is_some_and(<[i64]>::is_empty)
        || filter.item_ids.is_some_and(<[i64]>::is_empty)
    {
        return Ok(Vec::new());
    }
    let mut q = select_cards();
    q.and_where(Expr::col(ProductCards::Status).eq(CardStatus::Active.code()));
    if let Some(ids) = filter.supplier_ids {
        q.and_where(Expr::col(ProductCards::SupplierId).is_in(ids.iter().copied()));
    }
    if let Some(ids) = filter.item_ids {
        q.and_where(Expr::col(ProductCards::CatalogueItemId).is_in(ids.iter().copied()));
    }
    q.order_by(ProductCards::Id, Order::Asc);
    let mut list = rows(db, &q).await?;
    list.sort_by_cached_key(in_order);
    Ok(list)
}

/// The order lists show cards in: by catalogue item, supplier, brand (ignoring case) and id.
/// Sorted here rather than by the engines, whose text collations differ.
fn in_order(c: &ProductCardRow) -> (i64, i64, String, i64) {
    (
        c.catalogue_item_id,
        c.supplier_id,
        c.brand.to_lowercase(),
        c.id,
    )
}

/// Whether a supplier already has an active card with this GTIN (the demo seed's natural key).
pub async fn active_gtin_exists(
    db: &mut impl Queryable,
    supplier_id: i64,
    gtin: &str,
) -> Result<bool, RepoError> {
    Ok(active(
        db,
        ActiveFilter {
            supplier_ids: Some(&[supplier_id]),
            item_ids: None,
        },
    )
    .await?
    .iter()
    .any(|c| c.gtin == gtin))
}
