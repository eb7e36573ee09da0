//! Framework terms of tenders and the agreements their awards conclude (issue 14): parties,
//! items with their ceilings, prices and participating units. The ceilings are taken by
//! conditional updates (`… SET ordered = ordered + q WHERE ordered + q <= max`), so two
//! transactions can never both take the last units, on either engine.

use super::db::{Queryable, RepoError};
use super::schema_agreements::{
    AgreementItems, AgreementParties, AgreementPrices, AgreementUnits, Agreements, FrameworkItems,
    FrameworkLots, FrameworkTerms, FrameworkUnits,
};
use sea_query::{Expr, ExprTrait, IntoIden, Order, Query};
use serde::Serialize;

/// A tender's framework terms (frozen at publication).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FrameworkTermsRow {
    /// Tender.
    pub tender_id: i64,
    /// Duration of the agreement, in months.
    pub duration_months: i64,
    /// Last change (µs).
    pub updated_at: i64,
}

/// A lot's framework terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FrameworkLotRow {
    /// Lot.
    pub lot_id: i64,
    /// Tender.
    pub tender_id: i64,
    /// How many suppliers the agreement ranks (1: a single-supplier agreement).
    pub max_suppliers: i64,
    /// `direct`, `cascade`, `mini_competition`.
    pub call_off_method: String,
    /// Maximum value of the lot's call-offs (exact text), if one is set.
    pub max_value: Option<String>,
}

/// An item's maximum quantity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FrameworkItemRow {
    /// Tender item.
    pub item_id: i64,
    /// Tender.
    pub tender_id: i64,
    /// Maximum quantity, whole units of the item's unit.
    pub max_quantity: i64,
}

/// Everything a framework tender's terms say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Terms {
    /// The tender-wide terms.
    pub terms: FrameworkTermsRow,
    /// Participating units.
    pub unit_ids: Vec<i64>,
    /// Per lot.
    pub lots: Vec<FrameworkLotRow>,
    /// Per item.
    pub items: Vec<FrameworkItemRow>,
}

/// Replaces a tender's framework terms.
pub async fn set_terms(db: &mut impl Queryable, t: &Terms) -> Result<(), RepoError> {
    let tender_id = t.terms.tender_id;
    for table in [
        FrameworkTerms::Table.into_iden(),
        FrameworkUnits::Table.into_iden(),
        FrameworkLots::Table.into_iden(),
        FrameworkItems::Table.into_iden(),
    ] {
        db.handle()
            .execute(
                &Query::delete()
                    .from_table(table)
                    .and_where(Expr::col("tender_id").eq(tender_id))
                    .to_owned(),
            )
            .await?;
    }
    db.handle()
        .execute(
            &Query::insert()
                .into_table(FrameworkTerms::Table)
                .columns([
                    FrameworkTerms::TenderId,
                    FrameworkTerms::DurationMonths,
                    FrameworkTerms::UpdatedAt,
                ])
                .values_panic([
                    tender_id.into(),
                    t.terms.duration_months.into(),
                    t.terms.updated_at.into(),
                ])
                .to_owned(),
        )
        .await?;
    for unit_id in &t.unit_ids {
        db.handle()
            .execute(
                &Query::insert()
                    .into_table(FrameworkUnits::Table)
                    .columns([FrameworkUnits::TenderId, FrameworkUnits::UnitId])
                    .values_panic([tender_id.into(), (*unit_id).into()])
                    .to_owned(),
            )
            .await?;
    }
    for l in &t.lots {
        db.handle()
            .execute(
                &Query::insert()
                    .into_table(FrameworkLots::Table)
                    .columns([
                        FrameworkLots::LotId,
                        FrameworkLots::TenderId,
                        FrameworkLots::MaxSuppliers,
                        FrameworkLots::CallOffMethod,
                        FrameworkLots::MaxValue,
                    ])
                    .values_panic([
                        l.lot_id.into(),
                        tender_id.into(),
                        l.max_suppliers.into(),
                        l.call_off_method.as_str().into(),
                        l.max_value.clone().into(),
                    ])
                    .to_owned(),
            )
            .await?;
    }
    for i in &t.items {
        db.handle()
            .execute(
                &Query::insert()
                    .into_table(FrameworkItems::Table)
                    .columns([
                        FrameworkItems::ItemId,
                        FrameworkItems::TenderId,
                        FrameworkItems::MaxQuantity,
                    ])
                    .values_panic([i.item_id.into(), tender_id.into(), i.max_quantity.into()])
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

/// A tender's framework terms, if it has any.
pub async fn terms(db: &mut impl Queryable, tender_id: i64) -> Result<Option<Terms>, RepoError> {
    let Some(terms) = db
        .handle()
        .optional::<FrameworkTermsRow>(
            &Query::select()
                .columns([
                    FrameworkTerms::TenderId,
                    FrameworkTerms::DurationMonths,
                    FrameworkTerms::UpdatedAt,
                ])
                .from(FrameworkTerms::Table)
                .and_where(Expr::col(FrameworkTerms::TenderId).eq(tender_id))
                .to_owned(),
        )
        .await?
    else {
        return Ok(None);
    };
    let units: Vec<(i64,)> = db
        .handle()
        .all(
            &Query::select()
                .column(FrameworkUnits::UnitId)
                .from(FrameworkUnits::Table)
                .and_where(Expr::col(FrameworkUnits::TenderId).eq(tender_id))
                .order_by(FrameworkUnits::UnitId, Order::Asc)
                .to_owned(),
        )
        .await?;
    let lots = db
        .handle()
        .all(
            &Query::select()
                .columns([
                    FrameworkLots::LotId,
                    FrameworkLots::TenderId,
                    FrameworkLots::MaxSuppliers,
                    FrameworkLots::CallOffMethod,
                    FrameworkLots::MaxValue,
                ])
                .from(FrameworkLots::Table)
                .and_where(Expr::col(FrameworkLots::TenderId).eq(tender_id))
                .order_by(FrameworkLots::LotId, Order::Asc)
                .to_owned(),
        )
        .await?;
    let items = db
        .handle()
        .all(
            &Query::select()
                .columns([
                    FrameworkItems::ItemId,
                    FrameworkItems::TenderId,
                    FrameworkItems::MaxQuantity,
                ])
                .from(FrameworkItems::Table)
                .and_where(Expr::col(FrameworkItems::TenderId).eq(tender_id))
                .order_by(FrameworkItems::ItemId, Order::Asc)
                .to_owned(),
        )
        .await?;
    Ok(Some(Terms {
        terms,
        unit_ids: units.into_iter().map(|(u,)| u).collect(),
        lots,
        items,
    }))
}

/// A framework agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AgreementRow {
    /// Id.
    pub id: i64,
    /// The framework tender.
    pub tender_id: i64,
    /// The lot it was concluded for.
    pub lot_id: i64,
    /// Agreement number (unique), e.g. `AM-2026-0001`.
    pub number: String,
    /// See [`crate::domain::agreement::AgreementStatus`].
    pub status: String,
    /// Currency.
    pub currency: String,
    /// Period start (µs).
    pub start_at: i64,
    /// Period end, exclusive (µs); moved by an approved extension.
    pub end_at: i64,
    /// The end as concluded (µs).
    pub original_end_at: i64,
    /// Call-off method code.
    pub call_off_method: String,
    /// Number of suppliers ranked.
    pub max_suppliers: i64,
    /// Confirmation window, business days (rulebook, frozen).
    pub confirmation_days: i64,
    /// Mini-competition threshold (exact text), frozen from the rulebook.
    pub mini_competition_above: Option<String>,
    /// Price band of index-linked amendments, percent (exact text).
    pub price_band_percent: String,
    /// Alert share of a maximum, percent.
    pub alert_percent: i64,
    /// The rulebook's maximum duration, months (frozen).
    pub max_duration_months: i64,
    /// Value ceiling in minor units, if one was set.
    pub max_value_minor: Option<i64>,
    /// Value of call-offs holding the ceiling, minor units.
    pub ordered_value_minor: i64,
    /// Conclusion instant (µs).
    pub concluded_at: i64,
    /// Who concluded it.
    pub concluded_by: i64,
}

const AGREEMENT_COLUMNS: [Agreements; 21] = [
    Agreements::Id,
    Agreements::TenderId,
    Agreements::LotId,
    Agreements::Number,
    Agreements::Status,
    Agreements::Currency,
    Agreements::StartAt,
    Agreements::EndAt,
    Agreements::OriginalEndAt,
    Agreements::CallOffMethod,
    Agreements::MaxSuppliers,
    Agreements::ConfirmationDays,
    Agreements::MiniCompetitionAbove,
    Agreements::PriceBandPercent,
    Agreements::AlertPercent,
    Agreements::MaxDurationMonths,
    Agreements::MaxValueMinor,
    Agreements::OrderedValueMinor,
    Agreements::ConcludedAt,
    Agreements::ConcludedBy,
    Agreements::Id,
];

fn select_agreements() -> sea_query::SelectStatement {
    Query::select()
        .columns(
            AGREEMENT_COLUMNS[..20]
                .iter()
                .map(|c| (Agreements::Table, *c)),
        )
        .from(Agreements::Table)
        .to_owned()
}

/// Stores a concluded agreement.
pub async fn insert(db: &mut impl Queryable, a: &AgreementRow) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(Agreements::Table)
                .columns(AGREEMENT_COLUMNS[1..20].to_vec())
                .values_panic([
                    a.tender_id.into(),
                    a.lot_id.into(),
                    a.number.as_str().into(),
                    a.status.as_str().into(),
                    a.currency.as_str().into(),
                    a.start_at.into(),
                    a.end_at.into(),
                    a.original_end_at.into(),
                    a.call_off_method.as_str().into(),
                    a.max_suppliers.into(),
                    a.confirmation_days.into(),
                    a.mini_competition_above.clone().into(),
                    a.price_band_percent.as_str().into(),
                    a.alert_percent.into(),
                    a.max_duration_months.into(),
                    a.max_value_minor.into(),
                    a.ordered_value_minor.into(),
                    a.concluded_at.into(),
                    a.concluded_by.into(),
                ])
                .returning_col(Agreements::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// One agreement.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<AgreementRow>, RepoError> {
    db.handle()
        .optional(
            &select_agreements()
                .and_where(Expr::col((Agreements::Table, Agreements::Id)).eq(id))
                .to_owned(),
        )
        .await
}

/// Every agreement, newest first.
pub async fn list(db: &mut impl Queryable) -> Result<Vec<AgreementRow>, RepoError> {
    db.handle()
        .all(
            &select_agreements()
                .order_by((Agreements::Table, Agreements::Id), Order::Desc)
                .to_owned(),
        )
        .await
}

/// The agreements of a tender.
pub async fn of_tender(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Vec<AgreementRow>, RepoError> {
    db.handle()
        .all(
            &select_agreements()
                .and_where(Expr::col((Agreements::Table, Agreements::TenderId)).eq(tender_id))
                .order_by((Agreements::Table, Agreements::Id), Order::Asc)
                .to_owned(),
        )
        .await
}

/// The agreements a supplier is a party of.
pub async fn of_supplier(
    db: &mut impl Queryable,
    supplier_id: i64,
) -> Result<Vec<AgreementRow>, RepoError> {
    db.handle()
        .all(
            &select_agreements()
                .and_where(
                    Expr::col((Agreements::Table, Agreements::Id)).in_subquery(
                        Query::select()
                            .column(AgreementParties::AgreementId)
                            .from(AgreementParties::Table)
                            .and_where(Expr::col(AgreementParties::SupplierId).eq(supplier_id))
                            .to_owned(),
                    ),
                )
                .order_by((Agreements::Table, Agreements::Id), Order::Desc)
                .to_owned(),
        )
        .await
}

/// The agreements any of these units may call off from.
pub async fn of_units(
    db: &mut impl Queryable,
    unit_ids: &[i64],
) -> Result<Vec<AgreementRow>, RepoError> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    db.handle()
        .all(
            &select_agreements()
                .and_where(
                    Expr::col((Agreements::Table, Agreements::Id)).in_subquery(
                        Query::select()
                            .column(AgreementUnits::AgreementId)
                            .from(AgreementUnits::Table)
                            .and_where(
                                Expr::col(AgreementUnits::UnitId).is_in(unit_ids.iter().copied()),
                            )
                            .to_owned(),
                    ),
                )
                .order_by((Agreements::Table, Agreements::Id), Order::Desc)
                .to_owned(),
        )
        .await
}

/// Agreements whose status may change with the clock (pending ones to start, active or
/// suspended ones to expire).
pub async fn due_for_clock(
    db: &mut impl Queryable,
    now: i64,
) -> Result<Vec<AgreementRow>, RepoError> {
    db.handle()
        .all(
            &select_agreements()
                .cond_where(
                    sea_query::Cond::any()
                        .add(
                            Expr::col((Agreements::Table, Agreements::Status))
                                .eq("pending")
                                .and(Expr::col((Agreements::Table, Agreements::StartAt)).lte(now)),
                        )
                        .add(
                            Expr::col((Agreements::Table, Agreements::Status))
                                .is_in(["active", "suspended"])
                                .and(Expr::col((Agreements::Table, Agreements::EndAt)).lte(now)),
                        ),
                )
                .to_owned(),
        )
        .await
}

/// Moves an agreement from `from` to `to`; false if it was no longer in `from`.
pub async fn set_status(
    db: &mut impl Queryable,
    id: i64,
    from: &str,
    to: &str,
) -> Result<bool, RepoError> {
    let n = db
        .handle()
        .execute(
            &Query::update()
                .table(Agreements::Table)
                .value(Agreements::Status, to)
                .and_where(Expr::col(Agreements::Id).eq(id))
                .and_where(Expr::col(Agreements::Status).eq(from))
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

/// Moves the end of the period (an approved extension).
pub async fn set_end(db: &mut impl Queryable, id: i64, end_at: i64) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Agreements::Table)
                .value(Agreements::EndAt, end_at)
                .and_where(Expr::col(Agreements::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Takes `minor` from the value ceiling if it fits (always, without a ceiling); false if not.
pub async fn take_value(db: &mut impl Queryable, id: i64, minor: i64) -> Result<bool, RepoError> {
    let n = db
        .handle()
        .execute(
            &Query::update()
                .table(Agreements::Table)
                .value(
                    Agreements::OrderedValueMinor,
                    Expr::col(Agreements::OrderedValueMinor).add(minor),
                )
                .and_where(Expr::col(Agreements::Id).eq(id))
                .cond_where(
                    sea_query::Cond::any()
                        .add(Expr::col(Agreements::MaxValueMinor).is_null())
                        .add(
                            Expr::col(Agreements::OrderedValueMinor)
                                .add(minor)
                                .lte(Expr::col(Agreements::MaxValueMinor)),
                        ),
                )
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

/// Gives back value a call-off no longer holds.
pub async fn release_value(db: &mut impl Queryable, id: i64, minor: i64) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(Agreements::Table)
                .value(
                    Agreements::OrderedValueMinor,
                    Expr::col(Agreements::OrderedValueMinor).sub(minor),
                )
                .and_where(Expr::col(Agreements::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Adds a participating unit.
pub async fn insert_unit(
    db: &mut impl Queryable,
    agreement_id: i64,
    unit_id: i64,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::insert()
                .into_table(AgreementUnits::Table)
                .columns([AgreementUnits::AgreementId, AgreementUnits::UnitId])
                .values_panic([agreement_id.into(), unit_id.into()])
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// The participating units' ids.
pub async fn unit_ids(db: &mut impl Queryable, agreement_id: i64) -> Result<Vec<i64>, RepoError> {
    let rows: Vec<(i64,)> = db
        .handle()
        .all(
            &Query::select()
                .column(AgreementUnits::UnitId)
                .from(AgreementUnits::Table)
                .and_where(Expr::col(AgreementUnits::AgreementId).eq(agreement_id))
                .order_by(AgreementUnits::UnitId, Order::Asc)
                .to_owned(),
        )
        .await?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

/// A supplier of an agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PartyRow {
    /// Id.
    pub id: i64,
    /// Agreement.
    pub agreement_id: i64,
    /// Supplier.
    pub supplier_id: i64,
    /// Rank (1 = best).
    pub rank: i64,
    /// The bid it was ranked on.
    pub bid_id: Option<i64>,
    /// `active` or `withdrawn`.
    pub status: String,
}

const PARTY_COLUMNS: [AgreementParties; 6] = [
    AgreementParties::Id,
    AgreementParties::AgreementId,
    AgreementParties::SupplierId,
    AgreementParties::Rank,
    AgreementParties::BidId,
    AgreementParties::Status,
];

/// Adds a party.
pub async fn insert_party(db: &mut impl Queryable, p: &PartyRow) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(AgreementParties::Table)
                .columns(PARTY_COLUMNS[1..].to_vec())
                .values_panic([
                    p.agreement_id.into(),
                    p.supplier_id.into(),
                    p.rank.into(),
                    p.bid_id.into(),
                    p.status.as_str().into(),
                ])
                .returning_col(AgreementParties::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// The parties of an agreement, by rank.
pub async fn parties(
    db: &mut impl Queryable,
    agreement_id: i64,
) -> Result<Vec<PartyRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(PARTY_COLUMNS)
                .from(AgreementParties::Table)
                .and_where(Expr::col(AgreementParties::AgreementId).eq(agreement_id))
                .order_by(AgreementParties::Rank, Order::Asc)
                .to_owned(),
        )
        .await
}

/// Withdraws a party (an approved `party_withdrawal` amendment).
pub async fn withdraw_party(db: &mut impl Queryable, party_id: i64) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(AgreementParties::Table)
                .value(AgreementParties::Status, "withdrawn")
                .and_where(Expr::col(AgreementParties::Id).eq(party_id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// An item that can be called off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AgreementItemRow {
    /// Id.
    pub id: i64,
    /// Agreement.
    pub agreement_id: i64,
    /// The tender item.
    pub tender_item_id: i64,
    /// Catalogue item, when the tender item has one.
    pub catalogue_item_id: Option<i64>,
    /// Description.
    pub description: String,
    /// Unit of issue.
    pub unit: String,
    /// Estimated quantity over the period.
    pub estimated_quantity: i64,
    /// Maximum quantity; at it the item is locked.
    pub max_quantity: i64,
    /// Quantity held by call-offs.
    pub ordered_quantity: i64,
    /// Whether buyers were alerted of the alert share.
    pub alerted: bool,
}

const ITEM_COLUMNS: [AgreementItems; 10] = [
    AgreementItems::Id,
    AgreementItems::AgreementId,
    AgreementItems::TenderItemId,
    AgreementItems::CatalogueItemId,
    AgreementItems::Description,
    AgreementItems::Unit,
    AgreementItems::EstimatedQuantity,
    AgreementItems::MaxQuantity,
    AgreementItems::OrderedQuantity,
    AgreementItems::Alerted,
];

/// Adds an item.
pub async fn insert_item(db: &mut impl Queryable, i: &AgreementItemRow) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(AgreementItems::Table)
                .columns(ITEM_COLUMNS[1..].to_vec())
                .values_panic([
                    i.agreement_id.into(),
                    i.tender_item_id.into(),
                    i.catalogue_item_id.into(),
                    i.description.as_str().into(),
                    i.unit.as_str().into(),
                    i.estimated_quantity.into(),
                    i.max_quantity.into(),
                    i.ordered_quantity.into(),
                    i.alerted.into(),
                ])
                .returning_col(AgreementItems::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// The items of an agreement.
pub async fn items(
    db: &mut impl Queryable,
    agreement_id: i64,
) -> Result<Vec<AgreementItemRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(ITEM_COLUMNS)
                .from(AgreementItems::Table)
                .and_where(Expr::col(AgreementItems::AgreementId).eq(agreement_id))
                .order_by(AgreementItems::Id, Order::Asc)
                .to_owned(),
        )
        .await
}

/// Takes `quantity` of an item if what is left allows it; false if not. The check and the
/// take are one statement, so concurrent call-offs cannot both pass a stale check.
pub async fn take_quantity(
    db: &mut impl Queryable,
    item_id: i64,
    quantity: i64,
) -> Result<bool, RepoError> {
    let n = db
        .handle()
        .execute(
            &Query::update()
                .table(AgreementItems::Table)
                .value(
                    AgreementItems::OrderedQuantity,
                    Expr::col(AgreementItems::OrderedQuantity).add(quantity),
                )
                .and_where(Expr::col(AgreementItems::Id).eq(item_id))
                .and_where(
                    Expr::col(AgreementItems::OrderedQuantity)
                        .add(quantity)
                        .lte(Expr::col(AgreementItems::MaxQuantity)),
                )
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

/// Gives back quantity a call-off no longer holds.
pub async fn release_quantity(
    db: &mut impl Queryable,
    item_id: i64,
    quantity: i64,
) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(AgreementItems::Table)
                .value(
                    AgreementItems::OrderedQuantity,
                    Expr::col(AgreementItems::OrderedQuantity).sub(quantity),
                )
                .and_where(Expr::col(AgreementItems::Id).eq(item_id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Marks an item's alert as sent; false if it already was (so it is sent once).
pub async fn mark_alerted(db: &mut impl Queryable, item_id: i64) -> Result<bool, RepoError> {
    let n = db
        .handle()
        .execute(
            &Query::update()
                .table(AgreementItems::Table)
                .value(AgreementItems::Alerted, true)
                .and_where(Expr::col(AgreementItems::Id).eq(item_id))
                .and_where(Expr::col(AgreementItems::Alerted).eq(false))
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}

/// A party's unit price for an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PriceRow {
    /// Agreement item.
    pub agreement_item_id: i64,
    /// Party.
    pub party_id: i64,
    /// Unit price (exact text).
    pub unit_price: String,
}

/// Sets a party's unit price for an item (insert or replace: amendments change prices).
pub async fn set_price(db: &mut impl Queryable, p: &PriceRow) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::delete()
                .from_table(AgreementPrices::Table)
                .and_where(Expr::col(AgreementPrices::AgreementItemId).eq(p.agreement_item_id))
                .and_where(Expr::col(AgreementPrices::PartyId).eq(p.party_id))
                .to_owned(),
        )
        .await?;
    db.handle()
        .execute(
            &Query::insert()
                .into_table(AgreementPrices::Table)
                .columns([
                    AgreementPrices::AgreementItemId,
                    AgreementPrices::PartyId,
                    AgreementPrices::UnitPrice,
                ])
                .values_panic([
                    p.agreement_item_id.into(),
                    p.party_id.into(),
                    p.unit_price.as_str().into(),
                ])
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Every price of an agreement.
pub async fn prices(
    db: &mut impl Queryable,
    agreement_id: i64,
) -> Result<Vec<PriceRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns([
                    (AgreementPrices::Table, AgreementPrices::AgreementItemId),
                    (AgreementPrices::Table, AgreementPrices::PartyId),
                    (AgreementPrices::Table, AgreementPrices::UnitPrice),
                ])
                .from(AgreementPrices::Table)
                .inner_join(
                    AgreementItems::Table,
                    Expr::col((AgreementItems::Table, AgreementItems::Id))
                        .equals((AgreementPrices::Table, AgreementPrices::AgreementItemId)),
                )
                .and_where(
                    Expr::col((AgreementItems::Table, AgreementItems::AgreementId))
                        .eq(agreement_id),
                )
                .order_by(
                    (AgreementPrices::Table, AgreementPrices::AgreementItemId),
                    Order::Asc,
                )
                .order_by(
                    (AgreementPrices::Table, AgreementPrices::PartyId),
                    Order::Asc,
                )
                .to_owned(),
        )
        .await
}

/// Number of agreements (for numbering).
pub async fn count(db: &mut impl Queryable) -> Result<i64, RepoError> {
    let (n,): (i64,) = db
        .handle()
        .one(
            &Query::select()
                .expr(Expr::col(Agreements::Id).count())
                .from(Agreements::Table)
                .to_owned(),
        )
        .await?;
    Ok(n)
}
