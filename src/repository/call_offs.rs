//! Call-offs placed on framework agreements, their lines (the delivery schedule) and each offer
//! of a cascade (issue 14). An offer's deadline is stored, so a restart neither loses a
//! call-off nor skips a rank before its time: the cascade job reads what is due.

use super::db::{Queryable, RepoError};
use super::schema_agreements::{AgreementParties, CallOffLines, CallOffOffers, CallOffs};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;

/// A call-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CallOffRow {
    /// Id.
    pub id: i64,
    /// Agreement.
    pub agreement_id: i64,
    /// Number (unique), e.g. `PD-2026-00001`.
    pub number: String,
    /// The unit it is for.
    pub unit_id: i64,
    /// See [`crate::domain::agreement::CallOffStatus`].
    pub status: String,
    /// The party it is offered to or confirmed by.
    pub party_id: Option<i64>,
    /// Value at that party's prices (exact text).
    pub value: String,
    /// Value in minor units (what it holds of the value ceiling).
    pub value_minor: i64,
    /// Placement (µs).
    pub placed_at: i64,
    /// Who placed it.
    pub placed_by: i64,
    /// Deadline of the pending offer (µs).
    pub deadline_at: Option<i64>,
    /// When it was confirmed, found unfilled or cancelled (µs).
    pub decided_at: Option<i64>,
}

const COLUMNS: [CallOffs; 12] = [
    CallOffs::Id,
    CallOffs::AgreementId,
    CallOffs::Number,
    CallOffs::UnitId,
    CallOffs::Status,
    CallOffs::PartyId,
    CallOffs::Value,
    CallOffs::ValueMinor,
    CallOffs::PlacedAt,
    CallOffs::PlacedBy,
    CallOffs::DeadlineAt,
    CallOffs::DecidedAt,
];

fn select() -> sea_query::SelectStatement {
    Query::select()
        .columns(COLUMNS.iter().map(|c| (CallOffs::Table, *c)))
        .from(CallOffs::Table)
        .to_owned()
}

/// Stores a new call-off.
pub async fn insert(db: &mut impl Queryable, c: &CallOffRow) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(CallOffs::Table)
                .columns(COLUMNS[1..].to_vec())
                .values_panic([
                    c.agreement_id.into(),
                    c.number.as_str().into(),
                    c.unit_id.into(),
                    c.status.as_str().into(),
                    c.party_id.into(),
                    c.value.as_str().into(),
                    c.value_minor.into(),
                    c.placed_at.into(),
                    c.placed_by.into(),
                    c.deadline_at.into(),
                    c.decided_at.into(),
                ])
                .returning_col(CallOffs::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// One call-off.
pub async fn find(db: &mut impl Queryable, id: i64) -> Result<Option<CallOffRow>, RepoError> {
    db.handle()
        .optional(
            &select()
                .and_where(Expr::col((CallOffs::Table, CallOffs::Id)).eq(id))
                .to_owned(),
        )
        .await
}

/// The call-offs of an agreement, newest first.
pub async fn of_agreement(
    db: &mut impl Queryable,
    agreement_id: i64,
) -> Result<Vec<CallOffRow>, RepoError> {
    db.handle()
        .all(
            &select()
                .and_where(Expr::col((CallOffs::Table, CallOffs::AgreementId)).eq(agreement_id))
                .order_by((CallOffs::Table, CallOffs::Id), Order::Desc)
                .to_owned(),
        )
        .await
}

/// The call-offs of these units, newest first.
pub async fn of_units(
    db: &mut impl Queryable,
    unit_ids: &[i64],
    limit: u64,
) -> Result<Vec<CallOffRow>, RepoError> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    db.handle()
        .all(
            &select()
                .and_where(
                    Expr::col((CallOffs::Table, CallOffs::UnitId)).is_in(unit_ids.iter().copied()),
                )
                .order_by((CallOffs::Table, CallOffs::Id), Order::Desc)
                .limit(limit)
                .to_owned(),
        )
        .await
}

/// The call-offs offered to or confirmed by a supplier, newest first.
pub async fn of_supplier(
    db: &mut impl Queryable,
    supplier_id: i64,
    limit: u64,
) -> Result<Vec<CallOffRow>, RepoError> {
    db.handle()
        .all(
            &select()
                .inner_join(
                    AgreementParties::Table,
                    Expr::col((AgreementParties::Table, AgreementParties::Id))
                        .equals((CallOffs::Table, CallOffs::PartyId)),
                )
                .and_where(
                    Expr::col((AgreementParties::Table, AgreementParties::SupplierId))
                        .eq(supplier_id),
                )
                .order_by((CallOffs::Table, CallOffs::Id), Order::Desc)
                .limit(limit)
                .to_owned(),
        )
        .await
}

/// Offered call-offs whose deadline has passed (the cascade job's work).
pub async fn due(db: &mut impl Queryable, now: i64) -> Result<Vec<CallOffRow>, RepoError> {
    db.handle()
        .all(
            &select()
                .and_where(Expr::col((CallOffs::Table, CallOffs::Status)).eq("offered"))
                .and_where(Expr::col((CallOffs::Table, CallOffs::DeadlineAt)).lte(now))
                .order_by((CallOffs::Table, CallOffs::Id), Order::Asc)
                .to_owned(),
        )
        .await
}

/// Changes a call-off's state, party, value and deadline, only if it is still in `from` with
/// the same party (so two workers cannot both move it).
#[allow(clippy::too_many_arguments)]
pub async fn transition(
    db: &mut impl Queryable,
    id: i64,
    from: (&str, Option<i64>),
    to: &str,
    party_id: Option<i64>,
    value: (&str, i64),
    deadline_at: Option<i64>,
    decided_at: Option<i64>,
) -> Result<bool, RepoError> {
    let mut q = Query::update()
        .table(CallOffs::Table)
        .value(CallOffs::Status, to)
        .value(CallOffs::PartyId, party_id)
        .value(CallOffs::Value, value.0)
        .value(CallOffs::ValueMinor, value.1)
        .value(CallOffs::DeadlineAt, deadline_at)
        .value(CallOffs::DecidedAt, decided_at)
        .and_where(Expr::col(CallOffs::Id).eq(id))
        .and_where(Expr::col(CallOffs::Status).eq(from.0))
        .to_owned();
    match from.1 {
        Some(p) => q.and_where(Expr::col(CallOffs::PartyId).eq(p)),
        None => q.and_where(Expr::col(CallOffs::PartyId).is_null()),
    };
    Ok(db.handle().execute(&q).await? == 1)
}

/// Sets the number of a call-off just inserted (made from its id).
pub async fn set_number(db: &mut impl Queryable, id: i64, number: &str) -> Result<(), RepoError> {
    db.handle()
        .execute(
            &Query::update()
                .table(CallOffs::Table)
                .value(CallOffs::Number, number)
                .and_where(Expr::col(CallOffs::Id).eq(id))
                .to_owned(),
        )
        .await?;
    Ok(())
}

/// Number of call-offs.
pub async fn count(db: &mut impl Queryable) -> Result<i64, RepoError> {
    let (n,): (i64,) = db
        .handle()
        .one(
            &Query::select()
                .expr(Expr::col(CallOffs::Id).count())
                .from(CallOffs::Table)
                .to_owned(),
        )
        .await?;
    Ok(n)
}

/// A line of a call-off: one item delivered on one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LineRow {
    /// Id.
    pub id: i64,
    /// Call-off.
    pub call_off_id: i64,
    /// Agreement item.
    pub agreement_item_id: i64,
    /// Whole units.
    pub quantity: i64,
    /// Delivery date (µs).
    pub delivery_at: i64,
}

/// Adds a line.
pub async fn insert_line(db: &mut impl Queryable, l: &LineRow) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(CallOffLines::Table)
                .columns([
                    CallOffLines::CallOffId,
                    CallOffLines::AgreementItemId,
                    CallOffLines::Quantity,
                    CallOffLines::DeliveryAt,
                ])
                .values_panic([
                    l.call_off_id.into(),
                    l.agreement_item_id.into(),
                    l.quantity.into(),
                    l.delivery_at.into(),
                ])
                .returning_col(CallOffLines::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

fn select_lines() -> sea_query::SelectStatement {
    Query::select()
        .columns([
            (CallOffLines::Table, CallOffLines::Id),
            (CallOffLines::Table, CallOffLines::CallOffId),
            (CallOffLines::Table, CallOffLines::AgreementItemId),
            (CallOffLines::Table, CallOffLines::Quantity),
            (CallOffLines::Table, CallOffLines::DeliveryAt),
        ])
        .from(CallOffLines::Table)
        .to_owned()
}

/// The lines of a call-off.
pub async fn lines(db: &mut impl Queryable, call_off_id: i64) -> Result<Vec<LineRow>, RepoError> {
    db.handle()
        .all(
            &select_lines()
                .and_where(
                    Expr::col((CallOffLines::Table, CallOffLines::CallOffId)).eq(call_off_id),
                )
                .order_by((CallOffLines::Table, CallOffLines::Id), Order::Asc)
                .to_owned(),
        )
        .await
}

/// The lines of every call-off of an agreement in a status that holds quantity.
pub async fn holding_lines_of_agreement(
    db: &mut impl Queryable,
    agreement_id: i64,
) -> Result<Vec<LineRow>, RepoError> {
    db.handle()
        .all(
            &select_lines()
                .inner_join(
                    CallOffs::Table,
                    Expr::col((CallOffs::Table, CallOffs::Id))
                        .equals((CallOffLines::Table, CallOffLines::CallOffId)),
                )
                .and_where(Expr::col((CallOffs::Table, CallOffs::AgreementId)).eq(agreement_id))
                .and_where(
                    Expr::col((CallOffs::Table, CallOffs::Status)).is_in(["offered", "confirmed"]),
                )
                .order_by((CallOffLines::Table, CallOffLines::Id), Order::Asc)
                .to_owned(),
        )
        .await
}

/// One offer of a call-off to one rank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OfferRow {
    /// Id.
    pub id: i64,
    /// Call-off.
    pub call_off_id: i64,
    /// Party.
    pub party_id: i64,
    /// Its rank.
    pub rank: i64,
    /// When offered (µs).
    pub offered_at: i64,
    /// Deadline (µs).
    pub deadline_at: i64,
    /// See [`crate::domain::agreement::OfferOutcome`].
    pub outcome: String,
    /// Decline reason code.
    pub reason: Option<String>,
    /// The supplier's note.
    pub note: String,
    /// When it was decided (µs).
    pub decided_at: Option<i64>,
    /// Who decided (none: the clock).
    pub decided_by: Option<i64>,
}

const OFFER_COLUMNS: [CallOffOffers; 11] = [
    CallOffOffers::Id,
    CallOffOffers::CallOffId,
    CallOffOffers::PartyId,
    CallOffOffers::Rank,
    CallOffOffers::OfferedAt,
    CallOffOffers::DeadlineAt,
    CallOffOffers::Outcome,
    CallOffOffers::Reason,
    CallOffOffers::Note,
    CallOffOffers::DecidedAt,
    CallOffOffers::DecidedBy,
];

/// Records an offer.
pub async fn insert_offer(db: &mut impl Queryable, o: &OfferRow) -> Result<i64, RepoError> {
    let (id,): (i64,) = db
        .handle()
        .one(
            &Query::insert()
                .into_table(CallOffOffers::Table)
                .columns(OFFER_COLUMNS[1..].to_vec())
                .values_panic([
                    o.call_off_id.into(),
                    o.party_id.into(),
                    o.rank.into(),
                    o.offered_at.into(),
                    o.deadline_at.into(),
                    o.outcome.as_str().into(),
                    o.reason.clone().into(),
                    o.note.as_str().into(),
                    o.decided_at.into(),
                    o.decided_by.into(),
                ])
                .returning_col(CallOffOffers::Id)
                .to_owned(),
        )
        .await?;
    Ok(id)
}

/// The offers of a call-off, in order.
pub async fn offers(db: &mut impl Queryable, call_off_id: i64) -> Result<Vec<OfferRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(OFFER_COLUMNS)
                .from(CallOffOffers::Table)
                .and_where(Expr::col(CallOffOffers::CallOffId).eq(call_off_id))
                .order_by(CallOffOffers::Id, Order::Asc)
                .to_owned(),
        )
        .await
}

/// Every offer of an agreement's call-offs (for the red flags).
pub async fn offers_of_agreement(
    db: &mut impl Queryable,
    agreement_id: i64,
) -> Result<Vec<OfferRow>, RepoError> {
    db.handle()
        .all(
            &Query::select()
                .columns(OFFER_COLUMNS.iter().map(|c| (CallOffOffers::Table, *c)))
                .from(CallOffOffers::Table)
                .inner_join(
                    CallOffs::Table,
                    Expr::col((CallOffs::Table, CallOffs::Id))
                        .equals((CallOffOffers::Table, CallOffOffers::CallOffId)),
                )
                .and_where(Expr::col((CallOffs::Table, CallOffs::AgreementId)).eq(agreement_id))
                .order_by((CallOffOffers::Table, CallOffOffers::Id), Order::Asc)
                .to_owned(),
        )
        .await
}

/// Decides a pending offer; false if it was no longer pending.
pub async fn decide_offer(
    db: &mut impl Queryable,
    id: i64,
    outcome: &str,
    reason: Option<&str>,
    note: &str,
    at: i64,
    by: Option<i64>,
) -> Result<bool, RepoError> {
    let n = db
        .handle()
        .execute(
            &Query::update()
                .table(CallOffOffers::Table)
                .value(CallOffOffers::Outcome, outcome)
                .value(CallOffOffers::Reason, reason)
                .value(CallOffOffers::Note, note)
                .value(CallOffOffers::DecidedAt, at)
                .value(CallOffOffers::DecidedBy, by)
                .and_where(Expr::col(CallOffOffers::Id).eq(id))
                .and_where(Expr::col(CallOffOffers::Outcome).eq("pending"))
                .to_owned(),
        )
        .await?;
    Ok(n == 1)
}
