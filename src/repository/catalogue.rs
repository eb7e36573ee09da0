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

/// One item by id (active or not).
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<CatalogueItem>, RepoError> {
    let row: Option<ItemRow> = db
        .handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(CatalogueItems::Table)
                .and_where(Expr::col(CatalogueItems::Id).eq(id))
                .to_owned(),
        )
        .await?;
    row.map(CatalogueItem::try_from).transpose()
}

/// One item by code (active or not).
pub async fn find_by_code(
    db: &mut impl Queryable,
    code: &str,
) -> Result<Option<CatalogueItem>, RepoError> {
    let row: Option<ItemRow> = db
        .handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(CatalogueItems::Table)
                .and_where(Expr::col(CatalogueItems::Code).eq(code))
                .to_owned(),
        )
        .await?;
    row.map(CatalogueItem::try_from).transpose()
}

/// One item by id, if it is on the list (not retired): what new records may name.
pub async fn find_active(
    db: &mut impl Queryable,
    id: i64,
) -> Result<Option<CatalogueItem>, RepoError> {
    let row: Option<ItemRow> = db
        .handle()
        .optional(
            &Query::select()
                .columns(COLUMNS)
                .from(CatalogueItems::Table)
                .and_where(Expr::col(CatalogueItems::Id).eq(id))
                .and_where(Expr::col(CatalogueItems::Active).eq(true))
                .to_owned(),
        )
        .await?;
    row.map(CatalogueItem::try_from).transpose()
}

/// Every active item, by code (exports).
pub async fn all_active(db: &mut impl Queryable) -> Result<Vec<CatalogueItem>, RepoError> {
    let rows: Vec<ItemRow> = db
        .handle()
        .all(
            &Query::select()
                .columns(COLUMNS)
                .from(CatalogueItems::Table)
                .and_where(Expr::col(CatalogueItems::Active).eq(true))
                .order_by(CatalogueItems::Code, Order::Asc)
                .to_owned(),
        )
        .await?;
    rows.into_iter().map(CatalogueItem::try_from).collect()
}

/// Replaces an item's fields (an approved modification).
pub async fn update(
    db: &mut impl Queryable,
    item: &CatalogueItem,
    now: Timestamp,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(CatalogueItems::Table)
                .values([
                    (CatalogueItems::Kind, item.kind.code().into()),
                    (CatalogueItems::Name, item.name.as_str().into()),
                    (CatalogueItems::Strength, item.strength.clone().into()),
                    (CatalogueItems::Form, item.form.clone().into()),
                    (
                        CatalogueItems::Presentation,
                        item.presentation.clone().into(),
                    ),
                    (CatalogueItems::Unit, item.unit.as_str().into()),
                    (CatalogueItems::AtcCode, item.atc_code.clone().into()),
                    (CatalogueItems::UnspscCode, item.unspsc_code.clone().into()),
                    (CatalogueItems::LevelOfCare, item.level_of_care.into()),
                    (CatalogueItems::Active, true.into()),
                    (CatalogueItems::UpdatedAt, now.as_micros().into()),
                ])
                .and_where(Expr::col(CatalogueItems::Id).eq(item.id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Retires an item from the list (kept for history; no longer offered for new tenders).
pub async fn retire(db: &mut impl Queryable, id: i64, now: Timestamp) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(CatalogueItems::Table)
                .values([
                    (CatalogueItems::Active, false.into()),
                    (CatalogueItems::UpdatedAt, now.as_micros().into()),
                ])
                .and_where(Expr::col(CatalogueItems::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// A proposed change to the list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct ProposalRow {
    /// Id.
    pub id: i64,
    /// `add`, `modify`, `retire` or `import`.
    pub kind: String,
    /// The item concerned (modify, retire).
    pub item_id: Option<i64>,
    /// JSON: the proposed item(s).
    pub payload: String,
    /// Why the change is needed.
    pub justification: String,
    /// `proposed`, `approved`, `rejected`.
    pub status: String,
    /// Proposer.
    pub proposed_by: i64,
    /// When (µs).
    pub proposed_at: i64,
    /// Reviewer.
    pub reviewed_by: Option<i64>,
    /// When reviewed (µs).
    pub reviewed_at: Option<i64>,
    /// The committee's decision and its grounds.
    pub decision: Option<String>,
}

fn proposal_columns() -> [super::schema_esourcing::CatalogueProposals; 11] {
    use super::schema_esourcing::CatalogueProposals as P;
    [
        P::Id,
        P::Kind,
        P::ItemId,
        P::Payload,
        P::Justification,
        P::Status,
        P::ProposedBy,
        P::ProposedAt,
        P::ReviewedBy,
        P::ReviewedAt,
        P::Decision,
    ]
}

/// Records a proposal.
pub async fn propose(
    db: &mut impl Queryable,
    kind: &str,
    item_id: Option<i64>,
    payload: &str,
    justification: &str,
    by: i64,
    now: Timestamp,
) -> Result<i64, RepoError> {
    use super::schema_esourcing::CatalogueProposals as P;
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(P::Table)
                .columns([
                    P::Kind,
                    P::ItemId,
                    P::Payload,
                    P::Justification,
                    P::Status,
                    P::ProposedBy,
                    P::ProposedAt,
                ])
                .values_panic([
                    kind.into(),
                    item_id.into(),
                    payload.into(),
                    justification.into(),
                    "proposed".into(),
                    by.into(),
                    now.as_micros().into(),
                ])
                .returning_col(P::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// One proposal.
pub async fn proposal(db: &mut impl Queryable, id: i64) -> Result<Option<ProposalRow>, RepoError> {
    use super::schema_esourcing::CatalogueProposals as P;
    db.handle()
        .optional(
            &Query::select()
                .columns(proposal_columns())
                .from(P::Table)
                .and_where(Expr::col(P::Id).eq(id))
                .to_owned(),
        )
        .await
}

/// Proposals, newest first, optionally in one status.
pub async fn proposals(
    db: &mut impl Queryable,
    status: Option<&str>,
    limit: i64,
) -> Result<Vec<ProposalRow>, RepoError> {
    use super::schema_esourcing::CatalogueProposals as P;
    let mut q = Query::select()
        .columns(proposal_columns())
        .from(P::Table)
        .order_by(P::Id, Order::Desc)
        .limit(limit as u64)
        .to_owned();
    if let Some(s) = status {
        q.and_where(Expr::col(P::Status).eq(s));
    }
    db.handle().all(&q).await
}

/// Records the committee's decision on a pending proposal (returns whether it was pending).
pub async fn decide(
    db: &mut impl Queryable,
    id: i64,
    approved: bool,
    decision: &str,
    by: i64,
    now: Timestamp,
) -> Result<bool, RepoError> {
    use super::schema_esourcing::CatalogueProposals as P;
    Ok(db
        .handle()
        .execute(
            &Query::update()
                .table(P::Table)
                .values([
                    (
                        P::Status,
                        if approved { "approved" } else { "rejected" }.into(),
                    ),
                    (P::Decision, decision.into()),
                    (P::ReviewedBy, by.into()),
                    (P::ReviewedAt, now.as_micros().into()),
                ])
                .and_where(Expr::col(P::Id).eq(id))
                .and_where(Expr::col(P::Status).eq("proposed"))
                .to_owned(),
        )
        .await?
        == 1)
}
