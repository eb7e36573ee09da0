//! Catalogue items (medicines and supplies).

use super::db::{Queryable, RepoError};
use super::schema::CatalogueItems;
use super::{Page, contains_ci};
use crate::domain::catalogue::{CatalogueItem, ItemKind};
use crate::domain::time::Timestamp;
use sea_query::{Asterisk, Cond, Expr, ExprTrait, Order, Query};

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: i64,
    code: String,
    kind: String,
    name: String,
    strength: Option<String>,
    form: Option<String>,
    presentation: Option<String>,
    unit: String,
    atc_code: Option<String>,
    unspsc_code: Option<String>,
    level_of_care: Option<i64>,
}

impl TryFrom<ItemRow> for CatalogueItem {
    type Error = RepoError;
    fn try_from(r: ItemRow) -> Result<Self, RepoError> {
        Ok(CatalogueItem {
            kind: ItemKind::from_code(&r.kind)
                .ok_or_else(|| RepoError::Corrupt(format!("item kind {:?}", r.kind)))?,
            id: r.id,
            code: r.code,
            name: r.name,
            strength: r.strength,
            form: r.form,
            presentation: r.presentation,
            unit: r.unit,
            atc_code: r.atc_code,
            unspsc_code: r.unspsc_code,
            level_of_care: r.level_of_care,
        })
    }
}

const COLUMNS: [CatalogueItems; 11] = [
    CatalogueItems::Id,
    CatalogueItems::Code,
    CatalogueItems::Kind,
    CatalogueItems::Name,
    CatalogueItems::Strength,
    CatalogueItems::Form,
    CatalogueItems::Presentation,
    CatalogueItems::Unit,
    CatalogueItems::AtcCode,
    CatalogueItems::UnspscCode,
    CatalogueItems::LevelOfCare,
];

/// Adds an item (the id of `item` is ignored); [`RepoError::UniqueViolation`] on a duplicate code.
pub async fn insert(
    db: &mut impl Queryable,
    item: &CatalogueItem,
    now: Timestamp,
) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(CatalogueItems::Table)
                .columns([
                    CatalogueItems::Code,
                    CatalogueItems::Kind,
                    CatalogueItems::Name,
                    CatalogueItems::Strength,
                    CatalogueItems::Form,
                    CatalogueItems::Presentation,
                    CatalogueItems::Unit,
                    CatalogueItems::AtcCode,
                    CatalogueItems::UnspscCode,
                    CatalogueItems::LevelOfCare,
                    CatalogueItems::CreatedAt,
                ])
                .values_panic([
                    item.code.as_str().into(),
                    item.kind.code().into(),
                    item.name.as_str().into(),
                    item.strength.clone().into(),
                    item.form.clone().into(),
                    item.presentation.clone().into(),
                    item.unit.as_str().into(),
                    item.atc_code.clone().into(),
                    item.unspsc_code.clone().into(),
                    item.level_of_care.into(),
                    now.as_micros().into(),
                ])
                .returning_col(CatalogueItems::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// Whether an item with this code exists.
pub async fn exists(db: &mut impl Queryable, code: &str) -> Result<bool, RepoError> {
    let row: Option<(i64,)> = db
        .handle()
        .optional(
            &Query::select()
                .column(CatalogueItems::Id)
                .from(CatalogueItems::Table)
                .and_where(Expr::col(CatalogueItems::Code).eq(code))
                .to_owned(),
        )
        .await?;
    Ok(row.is_some())
}

/// A page of active items by code, optionally filtered by kind and text (name, code, ATC).
pub async fn list(
    db: &mut impl Queryable,
    search: Option<&str>,
    kind: Option<ItemKind>,
    offset: i64,
    limit: i64,
) -> Result<Page<CatalogueItem>, RepoError> {
    let mut cond = Cond::all().add(Expr::col(CatalogueItems::Active).eq(true));
    if let Some(search) = search.filter(|s| !s.is_empty()) {
        cond = cond.add(
            Cond::any()
                .add(contains_ci(CatalogueItems::Name, search))
                .add(contains_ci(CatalogueItems::Code, search))
                .add(contains_ci(CatalogueItems::AtcCode, search))
                .add(contains_ci(CatalogueItems::UnspscCode, search)),
        );
    }
    if let Some(kind) = kind {
        cond = cond.add(Expr::col(CatalogueItems::Kind).eq(kind.code()));
    }
    let (total,): (i64,) = db
        .handle()
        .one(
            &Query::select()
                .expr(Expr::col(Asterisk).count())
                .from(CatalogueItems::Table)
                .cond_where(cond.clone())
                .to_owned(),
        )
        .await?;
    let rows: Vec<ItemRow> = db
        .handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(CatalogueItems::Table)
                .cond_where(cond)
                .order_by(CatalogueItems::Code, Order::Asc)
                .limit(limit as u64)
                .offset(offset as u64)
                .to_owned(),
        )
        .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(CatalogueItem::try_from)
            .collect::<Result<_, _>>()?,
        total,
        offset,
        limit,
    })
}
