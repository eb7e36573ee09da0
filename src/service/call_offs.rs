//! Call-offs (pedidos derivados) on framework agreements (issue 14): a user of a
//! participating unit places one from the agreement's catalogue; the quantities and value are
//! taken from the ceilings in the same transaction (so concurrent call-offs from many units can
//! never exceed a maximum); the first rank has the rulebook's confirmation window to accept or
//! decline with a coded reason; in a cascade a decline or silence passes it to the next rank,
//! each skip recorded with its reason; if every rank declines the call-off is unfilled and the
//! buyers are told. Deadlines are stored, and the job that expires them is idempotent, so a
//! crash neither loses a call-off nor skips a rank before its time.

use super::agreements::change_status;
use super::audit::{Publication, commit_with};
use super::events::agreements::{
    CallOffCancelled, CallOffConfirmed, CallOffDeclined, CallOffOfferExpired, CallOffPlaced,
    CallOffSnapshot,
};
use super::{Actor, ServiceError};
use crate::domain::agreement::{
    AgreementStatus, CallOffCheck, CallOffMethod, CallOffRefusal, CallOffStatus, CartLine,
    DeclineReason, OfferOutcome, check_call_off, crosses_alert, whole_quantity,
};
use crate::domain::money;
use crate::domain::role::Role;
use crate::domain::time::Timestamp;
use crate::domain::validation::{FieldCode, Validator};
use crate::repository::agreements::{self as agreements_repo, AgreementRow, PartyRow, PriceRow};
use crate::repository::call_offs::{self as repo, CallOffRow, LineRow, OfferRow};
use crate::repository::{Database, Queryable, notifications, suppliers, units, users};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
use tianguis_rulebook::Rulebook;

/// One line of a cart as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct CartLineInput {
    /// Agreement item id.
    pub item_id: i64,
    /// Whole units of the item's unit of issue.
    #[serde(default)]
    pub quantity: String,
    /// Delivery date, `YYYY-MM-DD` in the institution's time zone.
    #[serde(default)]
    pub delivery: String,
}

/// A call-off as typed: the unit it is for and its lines (the delivery schedule).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct CartInput {
    /// Code of the unit placing it (one of the user's units).
    #[serde(default)]
    pub unit: String,
    /// Lines; an item may appear on several lines with different delivery dates.
    #[serde(default)]
    pub lines: Vec<CartLineInput>,
}

/// The largest quantity one line may ask for (a guard against typing errors, not a rule).
const MAX_LINE_QUANTITY: i64 = 100_000_000;

fn day(text: &str, tz: Tz) -> Option<Timestamp> {
    let d = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    super::agreements::day_start(d, tz)
}

impl From<CallOffRefusal> for ServiceError {
    fn from(r: CallOffRefusal) -> ServiceError {
        ServiceError::CallOff(r)
    }
}

/// The value of `lines` at a party's prices, or `None` if the party has no price for one.
fn value_at(lines: &[CartLine], prices: &[PriceRow], party_id: i64) -> Option<Decimal> {
    let mut total = Decimal::ZERO;
    for l in lines {
        let p = prices
            .iter()
            .find(|p| p.party_id == party_id && p.agreement_item_id == l.item_id)?;
        total += money::stored(&p.unit_price) * Decimal::from(l.quantity);
    }
    Some(money::round_minor(total))
}

fn as_cart(lines: &[LineRow]) -> Vec<CartLine> {
    lines
        .iter()
        .map(|l| CartLine {
            item_id: l.agreement_item_id,
            quantity: l.quantity,
            delivery_at: l.delivery_at,
        })
        .collect()
}

async fn snapshot(db: &mut impl Queryable, id: i64) -> Result<CallOffSnapshot, ServiceError> {
    Ok(CallOffSnapshot {
        call_off: repo::find(db, id).await?.ok_or(ServiceError::NotFound)?,
        lines: repo::lines(db, id).await?,
        offers: repo::offers(db, id).await?,
    })
}

async fn buyer_ids(db: &mut impl Queryable) -> Result<Vec<i64>, ServiceError> {
    Ok(users::active_ids_with_role(db, Role::Buyer).await?)
}

/// Offers the call-off to the first active party after `after_rank` that the value ceiling can
/// take at its prices (recording the others as over the ceiling); `None` if there is none.
/// Direct call-offs have only rank 1.
#[allow(clippy::too_many_arguments)]
async fn offer_next(
    tx: &mut impl Queryable,
    rulebook: &Rulebook,
    a: &AgreementRow,
    parties: &[PartyRow],
    prices: &[PriceRow],
    call_off_id: i64,
    lines: &[CartLine],
    after_rank: i64,
    now: Timestamp,
) -> Result<Option<(PartyRow, Decimal, i64)>, ServiceError> {
    let method = CallOffMethod::from_code(&a.call_off_method).unwrap_or(CallOffMethod::Direct);
    let deadline = rulebook
        .business_window_end(
            now.to_datetime(),
            u32::try_from(a.confirmation_days).unwrap_or(2),
        )
        .map(Timestamp::from_datetime)
        .unwrap_or(now)
        .as_micros();
    for p in parties
        .iter()
        .filter(|p| p.status == "active" && p.rank > after_rank)
    {
        if method == CallOffMethod::Direct && p.rank != 1 {
            break;
        }
        let Some(value) = value_at(lines, prices, p.id) else {
            continue;
        };
        let fits = agreements_repo::take_value(tx, a.id, money::to_minor(value)).await?;
        repo::insert_offer(
            tx,
            &OfferRow {
                id: 0,
                call_off_id,
                party_id: p.id,
                rank: p.rank,
                offered_at: now.as_micros(),
                deadline_at: deadline,
                outcome: if fits {
                    OfferOutcome::Pending
                } else {
                    OfferOutcome::OverCeiling
                }
                .code()
                .into(),
                reason: None,
                note: String::new(),
                decided_at: (!fits).then_some(now.as_micros()),
                decided_by: None,
            },
        )
        .await?;
        if fits {
            return Ok(Some((p.clone(), value, deadline)));
        }
    }
    Ok(None)
}

/// Places a call-off (a user of the unit it is for). Refused with a stable code, and nothing
/// written, if the agreement is not active, the date is outside its period, the unit does not
/// participate, an item is not in the agreement, or a ceiling cannot take it.
pub async fn place(
    db: &Database,
    rulebook: &Rulebook,
    tz: Tz,
    actor: &Actor,
    agreement_id: i64,
    input: &CartInput,
    now: Timestamp,
) -> Result<CallOffRow, ServiceError> {
    let Actor::User(user) = actor else {
        return Err(ServiceError::Forbidden);
    };
    if !user.has_role(Role::UnitUser) {
        return Err(ServiceError::Forbidden);
    }
    let mut v = Validator::new();
    let mut lines = Vec::new();
    if input.lines.is_empty() {
        v.fail("lines", FieldCode::AtLeastOne);
    }
    for (i, l) in input.lines.iter().enumerate() {
        let q = match whole_quantity(&l.quantity) {
            Ok(q) if q <= MAX_LINE_QUANTITY => Some(q),
            Ok(_) => {
                v.fail(&format!("lines[{i}].quantity"), FieldCode::InvalidNumber);
                None
            }
            Err(c) => {
                v.fail(&format!("lines[{i}].quantity"), c);
                None
            }
        };
        let d = day(&l.delivery, tz);
        if d.is_none() {
            v.fail(&format!("lines[{i}].delivery"), FieldCode::InvalidDate);
        }
        lines.push(CartLine {
            item_id: l.item_id,
            quantity: q.unwrap_or(0),
            delivery_at: d.map(Timestamp::as_micros).unwrap_or(0),
        });
    }
    let mut tx = db.begin().await?;
    let unit = units::find_by_code(&mut tx, input.unit.trim()).await?;
    let mine = units::of_user(&mut tx, user.id).await?;
    let unit = match unit {
        Some(u) if mine.iter().any(|m| m.id == u.id) => Some(u),
        _ => {
            v.fail("unit", FieldCode::UnknownOption);
            None
        }
    };
    v.finish().map_err(ServiceError::Validation)?;
    let unit = unit.ok_or(ServiceError::NotFound)?;
    let a = agreements_repo::find(&mut tx, agreement_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let status = AgreementStatus::from_code(&a.status)
        .ok_or_else(|| ServiceError::Internal(format!("agreement {} status", a.id)))?;
    let items = agreements_repo::items(&mut tx, a.id).await?;
    let item_ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let unit_ids = agreements_repo::unit_ids(&mut tx, a.id).await?;
    check_call_off(
        &CallOffCheck {
            status,
            period: (a.start_at, a.end_at),
            unit_participates: unit_ids.contains(&unit.id),
            items: &item_ids,
        },
        now.as_micros(),
        &lines,
    )?;
    if a.call_off_method == CallOffMethod::MiniCompetition.code() {
        // Not yet built: a mini-competition reopens competition among the parties.
        return Err(ServiceError::IllegalTransition {
            from: "mini_competition".into(),
            action: "place_call_off".into(),
        });
    }
    // Take each item's quantity: one conditional update per item, so a concurrent call-off
    // that took the last units makes this one fail here, whole.
    let mut per_item: BTreeMap<i64, i64> = BTreeMap::new();
    for l in &lines {
        *per_item.entry(l.item_id).or_default() += l.quantity;
    }
    for (item_id, q) in &per_item {
        if !agreements_repo::take_quantity(&mut tx, *item_id, *q).await? {
            let remaining = items
                .iter()
                .find(|i| i.id == *item_id)
                .map(|i| i.max_quantity - i.ordered_quantity)
                .unwrap_or(0);
            return Err(CallOffRefusal::CeilingReached {
                item_id: *item_id,
                remaining,
            }
            .into());
        }
    }
    let parties = agreements_repo::parties(&mut tx, a.id).await?;
    let prices = agreements_repo::prices(&mut tx, a.id).await?;
    let mut row = CallOffRow {
        id: 0,
        agreement_id: a.id,
        number: String::new(),
        unit_id: unit.id,
        status: CallOffStatus::Offered.code().into(),
        party_id: None,
        value: "0".into(),
        value_minor: 0,
        placed_at: now.as_micros(),
        placed_by: user.id,
        deadline_at: None,
        decided_at: None,
    };
    row.id = repo::insert(&mut tx, &row).await?;
    row.number = format!("PD-{:06}", row.id);
    repo::set_number(&mut tx, row.id, &row.number).await?;
    for l in &lines {
        repo::insert_line(
            &mut tx,
            &LineRow {
                id: 0,
                call_off_id: row.id,
                agreement_item_id: l.item_id,
                quantity: l.quantity,
                delivery_at: l.delivery_at,
            },
        )
        .await?;
    }
    let Some((party, value, deadline)) = offer_next(
        &mut tx, rulebook, &a, &parties, &prices, row.id, &lines, 0, now,
    )
    .await?
    else {
        let left = a.max_value_minor.unwrap_or(0) - a.ordered_value_minor;
        return Err(CallOffRefusal::CeilingReached {
            item_id: 0,
            remaining: left.max(0),
        }
        .into());
    };
    if !repo::transition(
        &mut tx,
        row.id,
        ("offered", None),
        "offered",
        Some(party.id),
        (&value.to_string(), money::to_minor(value)),
        Some(deadline),
        None,
    )
    .await?
    {
        return Err(ServiceError::Internal(
            "call-off moved during placement".into(),
        ));
    }
    // Alerts at the rulebook's share of a maximum, once; the item locks itself at 100 %.
    let buyers = buyer_ids(&mut tx).await?;
    let mut exhausted = true;
    for item in &items {
        let after = item.ordered_quantity + per_item.get(&item.id).copied().unwrap_or(0);
        if after < item.max_quantity {
            exhausted = false;
        }
        let percent = u32::try_from(a.alert_percent).unwrap_or(80);
        if crosses_alert(item.ordered_quantity, after, item.max_quantity, percent)
            && agreements_repo::mark_alerted(&mut tx, item.id).await?
        {
            notifications::notify(
                &mut tx,
                &buyers,
                "agreement-item-alert",
                &serde_json::json!({"number": a.number, "item": item.description, "percent": percent}),
                &format!("/agreements/{}", a.id),
                now,
            )
            .await?;
        }
    }
    let supplier_users = suppliers::user_ids(&mut tx, &[party.supplier_id]).await?;
    notifications::notify(
        &mut tx,
        &supplier_users,
        "call-off-offered",
        &serde_json::json!({"number": row.number, "agreement": a.number}),
        &format!("/call-offs/{}", row.id),
        now,
    )
    .await?;
    if exhausted {
        change_status(
            &mut tx,
            actor,
            &a,
            AgreementStatus::Exhausted,
            "exhausted",
            now,
        )
        .await?;
    }
    let after = snapshot(&mut tx, row.id).await?;
    commit_with(
        tx,
        actor,
        &CallOffPlaced { after: &after },
        Publication::None,
    )
    .await?;
    Ok(after.call_off)
}

/// The pending offer of a call-off, checked to belong to the acting supplier and to be within
/// its window.
async fn pending_offer_of(
    tx: &mut impl Queryable,
    actor: &Actor,
    c: &CallOffRow,
    now: Timestamp,
) -> Result<(OfferRow, PartyRow), ServiceError> {
    let supplier_id = match actor {
        Actor::User(u) if u.has_role(Role::Supplier) => u.supplier_id,
        _ => None,
    }
    .ok_or(ServiceError::Forbidden)?;
    let offer = repo::offers(tx, c.id)
        .await?
        .into_iter()
        .find(|o| o.outcome == OfferOutcome::Pending.code())
        .ok_or_else(|| ServiceError::IllegalTransition {
            from: c.status.clone(),
            action: "answer_call_off".into(),
        })?;
    let party = agreements_repo::parties(tx, c.agreement_id)
        .await?
        .into_iter()
        .find(|p| p.id == offer.party_id)
        .ok_or(ServiceError::NotFound)?;
    // A supplier cannot answer another firm's call-off.
    if party.supplier_id != supplier_id {
        return Err(ServiceError::Forbidden);
    }
    if now.as_micros() >= offer.deadline_at {
        return Err(ServiceError::IllegalTransition {
            from: "offer_expired".into(),
            action: "answer_call_off".into(),
        });
    }
    Ok((offer, party))
}

/// Confirms a call-off offered to the acting supplier: it becomes a contract to deliver.
pub async fn confirm(
    db: &Database,
    actor: &Actor,
    call_off_id: i64,
    now: Timestamp,
) -> Result<CallOffRow, ServiceError> {
    let mut tx = db.begin().await?;
    let before = snapshot(&mut tx, call_off_id).await?;
    let c = &before.call_off;
    let (offer, party) = pending_offer_of(&mut tx, actor, c, now).await?;
    repo::decide_offer(
        &mut tx,
        offer.id,
        OfferOutcome::Accepted.code(),
        None,
        "",
        now.as_micros(),
        actor.user_id(),
    )
    .await?;
    if !repo::transition(
        &mut tx,
        c.id,
        ("offered", Some(party.id)),
        CallOffStatus::Confirmed.code(),
        Some(party.id),
        (&c.value, c.value_minor),
        None,
        Some(now.as_micros()),
    )
    .await?
    {
        return Err(ServiceError::IllegalTransition {
            from: c.status.clone(),
            action: "confirm_call_off".into(),
        });
    }
    let users = units::member_ids(&mut tx, c.unit_id).await?;
    notifications::notify(
        &mut tx,
        &users,
        "call-off-confirmed",
        &serde_json::json!({"number": c.number}),
        &format!("/call-offs/{}", c.id),
        now,
    )
    .await?;
    let after = snapshot(&mut tx, c.id).await?;
    commit_with(
        tx,
        actor,
        &CallOffConfirmed {
            before: &before,
            after: &after,
        },
        Publication::None,
    )
    .await?;
    Ok(after.call_off)
}

/// Gives back what a call-off holds of the ceilings.
async fn release(
    tx: &mut impl Queryable,
    c: &CallOffRow,
    lines: &[LineRow],
) -> Result<(), ServiceError> {
    for l in lines {
        agreements_repo::release_quantity(tx, l.agreement_item_id, l.quantity).await?;
    }
    agreements_repo::release_value(tx, c.agreement_id, c.value_minor).await?;
    Ok(())
}

/// After the offer to `party` ended without a confirmation: offers the call-off to the next
/// rank (cascade) or finds it unfilled, telling the buyers and the unit.
async fn pass_on(
    tx: &mut impl Queryable,
    rulebook: &Rulebook,
    c: &CallOffRow,
    lines: &[LineRow],
    party: &PartyRow,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let a = agreements_repo::find(tx, c.agreement_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let parties = agreements_repo::parties(tx, a.id).await?;
    let prices = agreements_repo::prices(tx, a.id).await?;
    // The value held at the previous supplier's prices is given back before the next one's
    // is taken.
    agreements_repo::release_value(tx, a.id, c.value_minor).await?;
    let cart = as_cart(lines);
    let next = offer_next(
        tx, rulebook, &a, &parties, &prices, c.id, &cart, party.rank, now,
    )
    .await?;
    match next {
        Some((p, value, deadline)) => {
            repo::transition(
                tx,
                c.id,
                ("offered", Some(party.id)),
                "offered",
                Some(p.id),
                (&value.to_string(), money::to_minor(value)),
                Some(deadline),
                None,
            )
            .await?;
            let users = suppliers::user_ids(tx, &[p.supplier_id]).await?;
            notifications::notify(
                tx,
                &users,
                "call-off-offered",
                &serde_json::json!({"number": c.number, "agreement": a.number}),
                &format!("/call-offs/{}", c.id),
                now,
            )
            .await?;
        }
        None => {
            repo::transition(
                tx,
                c.id,
                ("offered", Some(party.id)),
                CallOffStatus::Unfilled.code(),
                Some(party.id),
                ("0", 0),
                None,
                Some(now.as_micros()),
            )
            .await?;
            for l in lines {
                agreements_repo::release_quantity(tx, l.agreement_item_id, l.quantity).await?;
            }
            let mut told = buyer_ids(tx).await?;
            told.extend(units::member_ids(tx, c.unit_id).await?);
            told.sort_unstable();
            told.dedup();
            notifications::notify(
                tx,
                &told,
                "call-off-unfilled",
                &serde_json::json!({"number": c.number, "agreement": a.number}),
                &format!("/call-offs/{}", c.id),
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// Declines a call-off offered to the acting supplier, with a coded reason (and a note, which
/// `other` requires); it passes to the next rank or is found unfilled.
pub async fn decline(
    db: &Database,
    rulebook: &Rulebook,
    actor: &Actor,
    call_off_id: i64,
    reason: &str,
    note: &str,
    now: Timestamp,
) -> Result<CallOffRow, ServiceError> {
    let mut v = Validator::new();
    let reason = DeclineReason::from_code(reason.trim());
    if reason.is_none() {
        v.fail("reason", FieldCode::UnknownOption);
    }
    let note = v.text("note", note, 0, 1000);
    if reason == Some(DeclineReason::Other) && note.is_empty() {
        v.fail("note", FieldCode::Required);
    }
    let mut tx = db.begin().await?;
    let before = snapshot(&mut tx, call_off_id).await?;
    let c = before.call_off.clone();
    let (offer, party) = pending_offer_of(&mut tx, actor, &c, now).await?;
    v.finish().map_err(ServiceError::Validation)?;
    let reason = reason.ok_or(ServiceError::NotFound)?;
    repo::decide_offer(
        &mut tx,
        offer.id,
        OfferOutcome::Declined.code(),
        Some(reason.code()),
        &note,
        now.as_micros(),
        actor.user_id(),
    )
    .await?;
    pass_on(&mut tx, rulebook, &c, &before.lines, &party, now).await?;
    let after = snapshot(&mut tx, c.id).await?;
    commit_with(
        tx,
        actor,
        &CallOffDeclined {
            before: &before,
            after: &after,
        },
        Publication::None,
    )
    .await?;
    Ok(after.call_off)
}

/// Withdraws a call-off no supplier has confirmed yet (a user of its unit).
pub async fn cancel(
    db: &Database,
    actor: &Actor,
    call_off_id: i64,
    now: Timestamp,
) -> Result<CallOffRow, ServiceError> {
    let user_id = actor.user_id().ok_or(ServiceError::Forbidden)?;
    let mut tx = db.begin().await?;
    let before = snapshot(&mut tx, call_off_id).await?;
    let c = before.call_off.clone();
    if !units::of_user(&mut tx, user_id)
        .await?
        .iter()
        .any(|u| u.id == c.unit_id)
    {
        return Err(ServiceError::Forbidden);
    }
    if c.status != CallOffStatus::Offered.code() {
        return Err(ServiceError::IllegalTransition {
            from: c.status.clone(),
            action: "cancel_call_off".into(),
        });
    }
    for o in before.offers.iter().filter(|o| o.outcome == "pending") {
        repo::decide_offer(
            &mut tx,
            o.id,
            OfferOutcome::Withdrawn.code(),
            None,
            "",
            now.as_micros(),
            Some(user_id),
        )
        .await?;
    }
    release(&mut tx, &c, &before.lines).await?;
    repo::transition(
        &mut tx,
        c.id,
        ("offered", c.party_id),
        CallOffStatus::Cancelled.code(),
        c.party_id,
        ("0", 0),
        None,
        Some(now.as_micros()),
    )
    .await?;
    let after = snapshot(&mut tx, c.id).await?;
    commit_with(
        tx,
        actor,
        &CallOffCancelled {
            before: &before,
            after: &after,
        },
        Publication::None,
    )
    .await?;
    Ok(after.call_off)
}

/// Expires every offer whose window has closed and passes each call-off on (the periodic job
/// and the start-up catch-up). Idempotent: an offer is expired once, by a conditional update;
/// a call-off another worker moved is left alone. One transaction per call-off.
pub async fn run_cascade(
    db: &Database,
    rulebook: &Rulebook,
    now: Timestamp,
) -> Result<usize, ServiceError> {
    let due = {
        let mut conn = db.read().await?;
        repo::due(&mut conn, now.as_micros()).await?
    };
    let actor = Actor::System("call-off cascade");
    let mut moved = 0;
    for c in due {
        let mut tx = db.begin().await?;
        let before = snapshot(&mut tx, c.id).await?;
        let Some(offer) = before
            .offers
            .iter()
            .find(|o| o.outcome == "pending" && o.deadline_at <= now.as_micros())
            .cloned()
        else {
            continue;
        };
        if !repo::decide_offer(
            &mut tx,
            offer.id,
            OfferOutcome::Expired.code(),
            None,
            "",
            offer.deadline_at,
            None,
        )
        .await?
        {
            continue;
        }
        let party = agreements_repo::parties(&mut tx, c.agreement_id)
            .await?
            .into_iter()
            .find(|p| p.id == offer.party_id)
            .ok_or(ServiceError::NotFound)?;
        pass_on(
            &mut tx,
            rulebook,
            &before.call_off,
            &before.lines,
            &party,
            now,
        )
        .await?;
        let after = snapshot(&mut tx, c.id).await?;
        commit_with(
            tx,
            &actor,
            &CallOffOfferExpired {
                before: &before,
                after: &after,
            },
            Publication::None,
        )
        .await?;
        moved += 1;
    }
    Ok(moved)
}

/// A call-off's line as pages show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct LineView {
    /// Item description.
    pub description: String,
    /// Unit of issue.
    pub unit: String,
    /// Quantity.
    pub quantity: i64,
    /// Delivery date (µs).
    pub delivery_at: i64,
}

/// An offer as pages show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct OfferView {
    /// Rank offered to.
    pub rank: i64,
    /// Supplier.
    pub supplier: String,
    /// Outcome code.
    pub outcome: String,
    /// Decline reason code.
    pub reason: Option<String>,
    /// The supplier's note.
    pub note: String,
    /// Offered (µs).
    pub offered_at: i64,
    /// Deadline (µs).
    pub deadline_at: i64,
    /// Decided (µs).
    pub decided_at: Option<i64>,
}

/// Everything a call-off's page and API show.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CallOffDetail {
    /// The call-off.
    #[schema(value_type = Object)]
    pub call_off: CallOffRow,
    /// Agreement number.
    pub agreement_number: String,
    /// Currency.
    pub currency: String,
    /// Unit (code, name).
    pub unit: (String, String),
    /// Supplier it is offered to or confirmed by, and its id.
    pub supplier: Option<(i64, String)>,
    /// Lines.
    pub lines: Vec<LineView>,
    /// Offers, in order.
    pub offers: Vec<OfferView>,
}

/// One call-off, whole (public).
pub async fn detail(db: &Database, id: i64) -> Result<CallOffDetail, ServiceError> {
    let mut conn = db.read().await?;
    let c = repo::find(&mut conn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let a = agreements_repo::find(&mut conn, c.agreement_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let parties = agreements_repo::parties(&mut conn, a.id).await?;
    let items = agreements_repo::items(&mut conn, a.id).await?;
    let mut names = BTreeMap::new();
    for p in &parties {
        let name = suppliers::find(&mut conn, p.supplier_id)
            .await?
            .map(|s| s.legal_name)
            .unwrap_or_default();
        names.insert(p.id, (p.supplier_id, name));
    }
    let unit = units::find(&mut conn, c.unit_id)
        .await?
        .map(|u| (u.code, u.name))
        .unwrap_or_default();
    let lines = repo::lines(&mut conn, id)
        .await?
        .into_iter()
        .map(|l| {
            let item = items.iter().find(|i| i.id == l.agreement_item_id);
            LineView {
                description: item.map(|i| i.description.clone()).unwrap_or_default(),
                unit: item.map(|i| i.unit.clone()).unwrap_or_default(),
                quantity: l.quantity,
                delivery_at: l.delivery_at,
            }
        })
        .collect();
    let offers = repo::offers(&mut conn, id)
        .await?
        .into_iter()
        .map(|o| OfferView {
            rank: o.rank,
            supplier: names
                .get(&o.party_id)
                .map(|n| n.1.clone())
                .unwrap_or_default(),
            outcome: o.outcome,
            reason: o.reason,
            note: o.note,
            offered_at: o.offered_at,
            deadline_at: o.deadline_at,
            decided_at: o.decided_at,
        })
        .collect();
    Ok(CallOffDetail {
        supplier: c.party_id.and_then(|p| names.get(&p).cloned()),
        agreement_number: a.number,
        currency: a.currency,
        unit,
        lines,
        offers,
        call_off: c,
    })
}
