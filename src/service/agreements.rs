//! Framework agreements (issue 14): a buyer sets a framework tender's terms before
//! publication; the ordinary sealed-bid, evaluation, auction and award flow then ends in an
//! agreement per lot — parties ranked by the evaluation, their unit prices, the ceilings, the
//! period and the call-off rules frozen from the rulebook — instead of a one-off contract; the
//! clock starts and ends it.

use super::audit::{Publication, commit_with, record};
use super::awards::may_manage;
use super::events::agreements::{
    AgreementConcluded, AgreementSnapshot, AgreementState, AgreementStatusChanged,
    FrameworkTermsSet,
};
use super::{Actor, ServiceError};
use crate::domain::agreement::{AgreementStatus, CallOffMethod, scaled_unit_price, whole_quantity};
use crate::domain::bid::BidContent;
use crate::domain::money;
use crate::domain::tender::TenderStatus;
use crate::domain::time::Timestamp;
use crate::domain::validation::{FieldCode, Validator};
use crate::repository::agreements::{
    self as repo, AgreementItemRow, AgreementRow, FrameworkItemRow, FrameworkLotRow,
    FrameworkTermsRow, PartyRow, PriceRow, Terms,
};
use crate::repository::{
    Database, Queryable, awards, bids, notifications, suppliers, tenders, units,
};
use crate::service::publication::release::ReleaseEvent;
use chrono::Months;
use chrono_tz::Tz;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;
use std::collections::BTreeMap;
use tianguis_rulebook::{FrameworkPlan, Rulebook};

/// A lot's terms as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct LotTermsInput {
    /// How many suppliers the agreement ranks (1 or more).
    #[serde(default)]
    pub max_suppliers: String,
    /// `direct`, `cascade` or `mini_competition`.
    #[serde(default)]
    pub call_off_method: String,
    /// Maximum value of the lot's call-offs (empty: the items' maxima only).
    #[serde(default)]
    pub max_value: String,
}

/// A framework tender's terms as typed (pages and API).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct TermsInput {
    /// Duration in months (the rulebook's maximum applies).
    #[serde(default)]
    pub duration_months: String,
    /// Codes of the participating units.
    #[serde(default)]
    pub units: Vec<String>,
    /// Per lot id.
    #[serde(default)]
    pub lots: BTreeMap<i64, LotTermsInput>,
    /// Maximum quantity per tender item id.
    #[serde(default)]
    pub items: BTreeMap<i64, String>,
}

/// Whether a tender's method is a framework (its rulebook has framework terms for it).
pub fn is_framework(rulebook: &Rulebook, method_code: &str) -> bool {
    rulebook
        .method(method_code)
        .is_some_and(|m| m.framework().is_some())
}

/// Sets a draft framework tender's terms (buyers). Every lot and item needs its terms; each
/// item's estimate is its quantity, which must be whole, and its maximum at least that. A
/// duration above the rulebook's maximum is refused with the article cited.
pub async fn set_terms(
    db: &Database,
    rulebook: &Rulebook,
    actor: &Actor,
    tender_id: i64,
    input: &TermsInput,
    now: Timestamp,
) -> Result<Terms, ServiceError> {
    may_manage(actor)?;
    let mut tx = db.begin().await?;
    let tender = tenders::find(&mut tx, tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !is_framework(rulebook, &tender.method_code) {
        return Err(ServiceError::IllegalTransition {
            from: tender.method_code.clone(),
            action: "set_framework_terms".into(),
        });
    }
    // Frozen at publication: the call-off rules everyone bid on cannot change afterwards.
    if tender.status() != TenderStatus::Draft {
        return Err(ServiceError::IllegalTransition {
            from: tender.status().code().to_string(),
            action: "set_framework_terms".into(),
        });
    }
    let lots = tenders::lots(&mut tx, tender_id).await?;
    let items = tenders::items(&mut tx, tender_id).await?;
    let mut v = Validator::new();
    let duration = whole_quantity(&input.duration_months)
        .map_err(|c| v.fail("duration_months", c))
        .ok();
    let mut unit_ids = Vec::new();
    for code in &input.units {
        match units::find_by_code(&mut tx, code.trim()).await? {
            Some(u) if !u.inactive => unit_ids.push(u.id),
            _ => v.fail("units", FieldCode::UnknownOption),
        }
    }
    unit_ids.sort_unstable();
    unit_ids.dedup();
    if unit_ids.is_empty() {
        v.fail("units", FieldCode::AtLeastOne);
    }
    let mut lot_rows = Vec::new();
    for lot in &lots {
        let given = input.lots.get(&lot.id).cloned().unwrap_or_default();
        let path = |f: &str| format!("lots[{}].{f}", lot.id);
        let max_suppliers = match whole_quantity(&given.max_suppliers) {
            Ok(n) if n <= 20 => Some(n),
            Ok(_) => {
                v.fail(&path("max_suppliers"), FieldCode::InvalidNumber);
                None
            }
            Err(c) => {
                v.fail(&path("max_suppliers"), c);
                None
            }
        };
        let method = CallOffMethod::from_code(given.call_off_method.trim());
        match method {
            None => v.fail(&path("call_off_method"), FieldCode::UnknownOption),
            // Ranks and competition need more than one supplier.
            Some(CallOffMethod::Cascade | CallOffMethod::MiniCompetition)
                if max_suppliers == Some(1) =>
            {
                v.fail(&path("max_suppliers"), FieldCode::TooShort)
            }
            Some(_) => {}
        }
        let max_value = if given.max_value.trim().is_empty() {
            None
        } else {
            match money::parse_positive(&given.max_value, 2) {
                Ok(d) => Some(money::round_minor(d).to_string()),
                Err(e) => {
                    v.fail(&path("max_value"), FieldCode::from(e));
                    None
                }
            }
        };
        lot_rows.push(FrameworkLotRow {
            lot_id: lot.id,
            tender_id,
            max_suppliers: max_suppliers.unwrap_or(1),
            call_off_method: method.map(CallOffMethod::code).unwrap_or("direct").into(),
            max_value,
        });
    }
    let mut item_rows = Vec::new();
    for item in &items {
        let path = format!("items[{}].max_quantity", item.id);
        let estimate = money::stored(&item.quantity);
        let max = whole_quantity(input.items.get(&item.id).map_or("", String::as_str));
        if estimate.fract() != Decimal::ZERO {
            // Call-offs are in whole units of issue; the estimate must be too.
            v.fail(&path, FieldCode::InvalidNumber);
        }
        match max {
            Ok(m) if Decimal::from(m) >= estimate => {}
            Ok(_) => v.fail(&path, FieldCode::TooShort),
            Err(c) => v.fail(&path, c),
        }
        item_rows.push(FrameworkItemRow {
            item_id: item.id,
            tender_id,
            max_quantity: max.unwrap_or(0),
        });
    }
    v.finish().map_err(ServiceError::Validation)?;
    let duration = duration.unwrap_or(0);
    let method = rulebook
        .method(&tender.method_code)
        .ok_or(ServiceError::NotFound)?;
    if let Some(f) = method.framework()
        && duration > i64::from(f.value.max_duration_months)
    {
        return Err(ServiceError::Rules(vec![rulebook.framework_too_long(
            f,
            u32::try_from(duration).unwrap_or(u32::MAX),
        )]));
    }
    let before = repo::terms(&mut tx, tender_id).await?;
    let terms = Terms {
        terms: FrameworkTermsRow {
            tender_id,
            duration_months: duration,
            updated_at: now.as_micros(),
        },
        unit_ids,
        lots: lot_rows,
        items: item_rows,
    };
    repo::set_terms(&mut tx, &terms).await?;
    commit_with(
        tx,
        actor,
        &FrameworkTermsSet {
            before: before.as_ref(),
            after: &terms,
        },
        Publication::None,
    )
    .await?;
    Ok(terms)
}

/// The rulebook's view of a tender's framework terms (for the publication check).
pub async fn framework_plan(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Option<FrameworkPlan>, ServiceError> {
    Ok(repo::terms(db, tender_id).await?.map(|t| FrameworkPlan {
        duration_months: u32::try_from(t.terms.duration_months).unwrap_or(u32::MAX),
        catalogue_items: u32::try_from(t.items.len()).unwrap_or(u32::MAX),
    }))
}

/// A party as the agreement will rank it: supplier, bid and unit prices per tender item.
struct Ranked {
    supplier_id: i64,
    bid_id: i64,
    prices: BTreeMap<i64, Decimal>,
}

/// The lot's compliant bids in rank order (the evaluation's, after any auction), with each
/// one's unit prices, best first, skipping bids whose award was annulled.
async fn ranked_bids(
    db: &mut impl Queryable,
    tender_id: i64,
    lot_id: i64,
    annulled: &[i64],
) -> Result<Vec<Ranked>, ServiceError> {
    let submitted = bids::of_tender(db, tender_id, Some(bids::status::OPENED)).await?;
    let of_lot: Vec<&bids::BidRow> = submitted.iter().filter(|b| b.lot_id == lot_id).collect();
    let ids: Vec<i64> = of_lot.iter().map(|b| b.id).collect();
    let mut opened: Vec<bids::OpenedBidRow> = bids::opened(db, &ids)
        .await?
        .into_iter()
        .filter(|o| o.compliant == Some(true) && o.rank.is_some() && !annulled.contains(&o.bid_id))
        .collect();
    opened.sort_by_key(|o| o.rank);
    let mut out = Vec::new();
    for o in opened {
        let Some(bid) = of_lot.iter().find(|b| b.id == o.bid_id) else {
            continue;
        };
        let content: BidContent = serde_json::from_str(&o.content)
            .map_err(|e| ServiceError::Internal(format!("bid {} content: {e}", o.bid_id)))?;
        let sealed = money::stored(&o.total);
        let final_total = o.auction_total.as_deref().map(money::stored);
        let prices = content
            .lines
            .iter()
            .map(|l| {
                let p = match final_total {
                    Some(f) => scaled_unit_price(l.unit_price, sealed, f),
                    None => l.unit_price,
                };
                (l.item_id, p)
            })
            .collect();
        out.push(Ranked {
            supplier_id: bid.supplier_id,
            bid_id: o.bid_id,
            prices,
        });
    }
    Ok(out)
}

/// The start of a local day (the instant agreement periods and delivery dates are stored as).
pub(crate) fn day_start(day: chrono::NaiveDate, tz: Tz) -> Option<Timestamp> {
    Timestamp::parse_local(&format!("{day}T00:00"), tz)
}

/// Concludes the agreement of a framework lot whose award is final (buyers): the award's
/// bid is rank 1, the next compliant bids follow up to the lot's number of suppliers, at their
/// own prices. The period starts on `start` (a local day; empty: today) and lasts the terms'
/// months. The call-off rules are frozen from the rulebook as it is now.
pub async fn conclude(
    db: &Database,
    rulebook: &Rulebook,
    tz: Tz,
    actor: &Actor,
    tender_id: i64,
    lot_id: i64,
    start: &str,
    now: Timestamp,
) -> Result<AgreementRow, ServiceError> {
    may_manage(actor)?;
    super::awards::finalize_due(db, now).await?;
    let start_day = if start.trim().is_empty() {
        Some(now.to_datetime().with_timezone(&tz).date_naive())
    } else {
        chrono::NaiveDate::parse_from_str(start.trim(), "%Y-%m-%d").ok()
    };
    let Some(start_day) = start_day else {
        return Err(ServiceError::field("start", FieldCode::InvalidDate));
    };
    let mut tx = db.begin().await?;
    let tender = tenders::find(&mut tx, tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let terms = repo::terms(&mut tx, tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let lot_terms = terms
        .lots
        .iter()
        .find(|l| l.lot_id == lot_id)
        .ok_or(ServiceError::NotFound)?;
    let all_awards = awards::of_tender(&mut tx, tender_id).await?;
    let award = all_awards
        .iter()
        .find(|a| a.lot_id == lot_id && a.status != awards::status::ANNULLED)
        .ok_or(ServiceError::IllegalTransition {
            from: "not_awarded".into(),
            action: "conclude_agreement".into(),
        })?;
    if award.status != awards::status::FINAL {
        return Err(ServiceError::IllegalTransition {
            from: award.status.clone(),
            action: "conclude_agreement".into(),
        });
    }
    if repo::of_tender(&mut tx, tender_id)
        .await?
        .iter()
        .any(|a| a.lot_id == lot_id)
    {
        return Err(ServiceError::IllegalTransition {
            from: "concluded".into(),
            action: "conclude_agreement".into(),
        });
    }
    let annulled: Vec<i64> = all_awards
        .iter()
        .filter(|a| a.lot_id == lot_id && a.status == awards::status::ANNULLED)
        .map(|a| a.bid_id)
        .collect();
    let mut ranked = ranked_bids(&mut tx, tender_id, lot_id, &annulled).await?;
    // The award's bid is rank 1 whatever else happened since.
    if let Some(pos) = ranked.iter().position(|r| r.bid_id == award.bid_id) {
        let winner = ranked.remove(pos);
        ranked.insert(0, winner);
    } else {
        return Err(ServiceError::IllegalTransition {
            from: "no_ranked_bid".into(),
            action: "conclude_agreement".into(),
        });
    }
    ranked.truncate(usize::try_from(lot_terms.max_suppliers).unwrap_or(1).max(1));
    let method = rulebook
        .method(&tender.method_code)
        .and_then(|m| m.framework())
        .ok_or(ServiceError::NotFound)?;
    let start_at = day_start(start_day, tz)
        .ok_or_else(|| ServiceError::field("start", FieldCode::InvalidDate))?;
    let end_day = start_day
        .checked_add_months(Months::new(
            u32::try_from(terms.terms.duration_months).unwrap_or(0),
        ))
        .ok_or_else(|| ServiceError::field("start", FieldCode::InvalidDate))?;
    let end_at = day_start(end_day, tz)
        .ok_or_else(|| ServiceError::field("start", FieldCode::InvalidDate))?;
    let status = if start_at.as_micros() <= now.as_micros() {
        AgreementStatus::Active
    } else {
        AgreementStatus::Pending
    };
    let number = format!("AM-{}-{:04}", tender.year, repo::count(&mut tx).await? + 1);
    let mut row = AgreementRow {
        id: 0,
        tender_id,
        lot_id,
        number,
        status: status.code().into(),
        currency: tender.currency.clone(),
        start_at: start_at.as_micros(),
        end_at: end_at.as_micros(),
        original_end_at: end_at.as_micros(),
        call_off_method: lot_terms.call_off_method.clone(),
        max_suppliers: lot_terms.max_suppliers,
        confirmation_days: i64::from(method.value.confirmation_business_days),
        mini_competition_above: method.value.mini_competition_above.map(|d| d.to_string()),
        price_band_percent: method.value.price_band_percent.to_string(),
        alert_percent: i64::from(method.value.ceiling_alert_percent),
        max_duration_months: i64::from(method.value.max_duration_months),
        max_value_minor: lot_terms
            .max_value
            .as_deref()
            .map(|v| money::to_minor(money::stored(v))),
        ordered_value_minor: 0,
        concluded_at: now.as_micros(),
        concluded_by: actor.user_id().unwrap_or(0),
    };
    row.id = repo::insert(&mut tx, &row).await?;
    for unit_id in &terms.unit_ids {
        repo::insert_unit(&mut tx, row.id, *unit_id).await?;
    }
    let mut parties = Vec::new();
    for (i, r) in ranked.iter().enumerate() {
        let mut p = PartyRow {
            id: 0,
            agreement_id: row.id,
            supplier_id: r.supplier_id,
            rank: i as i64 + 1,
            bid_id: Some(r.bid_id),
            status: "active".into(),
        };
        p.id = repo::insert_party(&mut tx, &p).await?;
        parties.push(p);
    }
    let mut items = Vec::new();
    let mut prices = Vec::new();
    for item in tenders::items(&mut tx, tender_id)
        .await?
        .into_iter()
        .filter(|i| i.lot_id == lot_id)
    {
        let max = terms
            .items
            .iter()
            .find(|t| t.item_id == item.id)
            .map(|t| t.max_quantity)
            .unwrap_or(0);
        let estimate = money::stored(&item.quantity).trunc();
        let mut a = AgreementItemRow {
            id: 0,
            agreement_id: row.id,
            tender_item_id: item.id,
            catalogue_item_id: item.catalogue_item_id,
            description: item.description.clone(),
            unit: item.unit.clone(),
            estimated_quantity: estimate.to_i64().unwrap_or(0),
            max_quantity: max,
            ordered_quantity: 0,
            alerted: false,
        };
        a.id = repo::insert_item(&mut tx, &a).await?;
        for (party, r) in parties.iter().zip(&ranked) {
            if let Some(price) = r.prices.get(&item.id) {
                let p = PriceRow {
                    agreement_item_id: a.id,
                    party_id: party.id,
                    unit_price: price.normalize().to_string(),
                };
                repo::set_price(&mut tx, &p).await?;
                prices.push(p);
            }
        }
        items.push(a);
    }
    // The tender is contracted once every live award has its contract or agreement.
    let live: Vec<i64> = all_awards
        .iter()
        .filter(|a| a.status != awards::status::ANNULLED)
        .map(|a| a.lot_id)
        .collect();
    let concluded: Vec<i64> = repo::of_tender(&mut tx, tender_id)
        .await?
        .iter()
        .map(|a| a.lot_id)
        .collect();
    if tender.status() == TenderStatus::Awarded && live.iter().all(|l| concluded.contains(l)) {
        tenders::set_status(
            &mut tx,
            tender_id,
            TenderStatus::Awarded,
            TenderStatus::Contracted,
            None,
            now,
        )
        .await?;
    }
    let supplier_ids: Vec<i64> = parties.iter().map(|p| p.supplier_id).collect();
    let users = suppliers::user_ids(&mut tx, &supplier_ids).await?;
    notifications::notify(
        &mut tx,
        &users,
        "agreement-concluded",
        &serde_json::json!({"number": row.number, "title": tender.title}),
        &format!("/agreements/{}", row.id),
        now,
    )
    .await?;
    let snapshot = AgreementSnapshot {
        agreement: row.clone(),
        parties,
        items,
        prices,
        unit_ids: terms.unit_ids.clone(),
    };
    commit_with(
        tx,
        actor,
        &AgreementConcluded {
            snapshot: &snapshot,
        },
        Publication::release(tender_id, ReleaseEvent::Contract, now),
    )
    .await?;
    Ok(row)
}

/// Moves an agreement's status in `tx`, recording why; false if it had moved already.
pub(crate) async fn change_status(
    tx: &mut impl Queryable,
    actor: &Actor,
    a: &AgreementRow,
    to: AgreementStatus,
    reason: &str,
    now: Timestamp,
) -> Result<bool, ServiceError> {
    if !repo::set_status(tx, a.id, &a.status, to.code()).await? {
        return Ok(false);
    }
    record(
        tx,
        actor,
        &AgreementStatusChanged {
            agreement_id: a.id,
            before: &AgreementState {
                status: a.status.clone(),
                reason: String::new(),
            },
            after: &AgreementState {
                status: to.code().into(),
                reason: reason.into(),
            },
        },
        Publication::release(a.tender_id, ReleaseEvent::ContractAmendment, now),
    )
    .await?;
    Ok(true)
}

/// Starts agreements whose period began and expires those whose period ended (the periodic
/// job; idempotent: an agreement already moved is left alone). Returns how many moved.
pub async fn run_clock(db: &Database, now: Timestamp) -> Result<usize, ServiceError> {
    let mut tx = db.begin().await?;
    let due = repo::due_for_clock(&mut tx, now.as_micros()).await?;
    let actor = Actor::System("agreements");
    let mut moved = 0;
    for a in &due {
        let to = if a.end_at <= now.as_micros() {
            AgreementStatus::Expired
        } else {
            AgreementStatus::Active
        };
        if change_status(&mut tx, &actor, a, to, "clock", now).await? {
            moved += 1;
        }
    }
    tx.commit().await?;
    Ok(moved)
}

/// A party as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct PartyView {
    /// Party id.
    pub id: i64,
    /// Rank (1 = best).
    pub rank: i64,
    /// Supplier id.
    pub supplier_id: i64,
    /// Supplier's legal name.
    pub supplier: String,
    /// `active` or `withdrawn`.
    pub status: String,
}

/// An item with what is left and each party's price.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ItemView {
    /// Agreement item id (what a call-off line names).
    pub id: i64,
    /// Description.
    pub description: String,
    /// Unit of issue.
    pub unit: String,
    /// Estimated quantity over the period.
    pub estimated_quantity: i64,
    /// Maximum quantity.
    pub max_quantity: i64,
    /// Quantity held by placed and confirmed call-offs.
    pub ordered_quantity: i64,
    /// What is left to call off.
    pub remaining_quantity: i64,
    /// Unit price per party id (exact text), in rank order.
    pub prices: Vec<(i64, String)>,
}

impl ItemView {
    /// Share of the maximum ordered, in whole percent (for the meter).
    pub fn used_percent(&self) -> i64 {
        if self.max_quantity <= 0 {
            return 0;
        }
        (i128::from(self.ordered_quantity) * 100 / i128::from(self.max_quantity)) as i64
    }
}

/// A call-off as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CallOffListRow {
    /// Id.
    pub id: i64,
    /// Number.
    pub number: String,
    /// Unit code.
    pub unit: String,
    /// Status code.
    pub status: String,
    /// Supplier it is offered to or confirmed by.
    pub supplier: String,
    /// Value at that supplier's prices (exact text).
    pub value: String,
    /// Placement (µs).
    pub placed_at: i64,
}

/// Everything an agreement's page and API show.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AgreementDetail {
    /// The agreement.
    #[schema(value_type = Object)]
    pub agreement: AgreementRow,
    /// Title of the framework tender.
    pub tender_title: String,
    /// Its reference.
    pub tender_reference: String,
    /// The lot's number.
    pub lot_number: i64,
    /// The lot's title.
    pub lot_title: String,
    /// Ranked parties.
    pub parties: Vec<PartyView>,
    /// Items.
    pub items: Vec<ItemView>,
    /// Participating units (code, name).
    pub units: Vec<(String, String)>,
    /// Call-offs, newest first.
    pub call_offs: Vec<CallOffListRow>,
}

/// Every agreement with its tender's title, newest first (public).
pub async fn list(db: &Database) -> Result<Vec<(AgreementRow, String)>, ServiceError> {
    let mut conn = db.read().await?;
    let all = repo::list(&mut conn).await?;
    let ids: Vec<i64> = all.iter().map(|a| a.tender_id).collect();
    let tenders = tenders::find_many(&mut conn, &ids).await?;
    Ok(all
        .into_iter()
        .map(|a| {
            let title = tenders
                .iter()
                .find(|t| t.id == a.tender_id)
                .map(|t| t.title.clone())
                .unwrap_or_default();
            (a, title)
        })
        .collect())
}

/// One agreement, whole (public: agreements and call-offs are contracts).
pub async fn detail(db: &Database, id: i64) -> Result<AgreementDetail, ServiceError> {
    let mut conn = db.read().await?;
    let agreement = repo::find(&mut conn, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let tender = tenders::find(&mut conn, agreement.tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let lot = tenders::lots(&mut conn, tender.id)
        .await?
        .into_iter()
        .find(|l| l.id == agreement.lot_id)
        .ok_or(ServiceError::NotFound)?;
    let party_rows = repo::parties(&mut conn, id).await?;
    let mut parties = Vec::new();
    for p in &party_rows {
        let name = suppliers::find(&mut conn, p.supplier_id)
            .await?
            .map(|s| s.legal_name)
            .unwrap_or_default();
        parties.push(PartyView {
            id: p.id,
            rank: p.rank,
            supplier_id: p.supplier_id,
            supplier: name,
            status: p.status.clone(),
        });
    }
    let prices = repo::prices(&mut conn, id).await?;
    let items = repo::items(&mut conn, id)
        .await?
        .into_iter()
        .map(|i| ItemView {
            id: i.id,
            remaining_quantity: i.max_quantity - i.ordered_quantity,
            prices: party_rows
                .iter()
                .filter_map(|p| {
                    prices
                        .iter()
                        .find(|x| x.party_id == p.id && x.agreement_item_id == i.id)
                        .map(|x| (p.id, x.unit_price.clone()))
                })
                .collect(),
            description: i.description,
            unit: i.unit,
            estimated_quantity: i.estimated_quantity,
            max_quantity: i.max_quantity,
            ordered_quantity: i.ordered_quantity,
        })
        .collect();
    // Every call-off is for a participating unit: one lookup per unit, not per call-off.
    let mut unit_codes: BTreeMap<i64, String> = BTreeMap::new();
    let mut units_shown = Vec::new();
    for unit_id in repo::unit_ids(&mut conn, id).await? {
        if let Some(u) = units::find(&mut conn, unit_id).await? {
            unit_codes.insert(u.id, u.code.clone());
            units_shown.push((u.code, u.name));
        }
    }
    let mut call_offs = Vec::new();
    for c in crate::repository::call_offs::of_agreement(&mut conn, id).await? {
        let unit = match unit_codes.get(&c.unit_id) {
            Some(code) => code.clone(),
            None => units::find(&mut conn, c.unit_id)
                .await?
                .map(|u| u.code)
                .unwrap_or_default(),
        };
        let supplier = c
            .party_id
            .and_then(|p| parties.iter().find(|x| x.id == p))
            .map(|p| p.supplier.clone())
            .unwrap_or_default();
        call_offs.push(CallOffListRow {
            id: c.id,
            number: c.number,
            unit,
            status: c.status,
            supplier,
            value: c.value,
            placed_at: c.placed_at,
        });
    }
    Ok(AgreementDetail {
        agreement,
        tender_title: tender.title,
        tender_reference: tender.reference,
        lot_number: lot.number,
        lot_title: lot.title,
        parties,
        items,
        units: units_shown,
        call_offs,
    })
}
