//! The annual procurement plan and plan-vs-actual (issue 3, item 3).
//!
//! Planning avoids the shortages that trigger direct purchases (seed 000). Each line is an
//! item, quantity, estimated unit price, quarter and funding source; tenders are created from
//! lines, and the plan page shows what was tendered and awarded against each line.

use super::audit::{Publication, commit_with};
use super::events::plan::PlanLineCreated;
use super::{Actor, ServiceError};
use crate::domain::bid::BidContent;
use crate::domain::money::{self, parse_positive};
use crate::domain::role::Role;
use crate::domain::tender::TenderStatus;
use crate::domain::time::Timestamp;
use crate::domain::validation::{FieldCode, Validator};
use crate::repository::plan::{self, PlanLineRow};
use crate::repository::{Database, awards, bids, buyers, catalogue, tenders};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A plan line as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct PlanLineForm {
    /// Fiscal year.
    pub year: i64,
    /// Quarter 1–4.
    pub quarter: i64,
    /// Catalogue item.
    pub catalogue_item_id: i64,
    /// Quantity.
    #[serde(default)]
    pub quantity: String,
    /// Estimated unit price.
    #[serde(default)]
    pub unit_price: String,
    /// Funding source.
    #[serde(default)]
    pub funding_source: String,
    /// Notes.
    #[serde(default)]
    pub notes: String,
}

/// Adds a plan line (buyers, analysts, administrators).
pub async fn add_line(
    db: &Database,
    actor: &Actor,
    form: &PlanLineForm,
    now: Timestamp,
) -> Result<PlanLineRow, ServiceError> {
    if ![Role::Buyer, Role::Analyst, Role::Administrator]
        .iter()
        .any(|r| actor.has_role(*r))
    {
        return Err(ServiceError::Forbidden);
    }
    let mut v = Validator::new();
    if !(2000..=2100).contains(&form.year) {
        v.fail("year", FieldCode::InvalidNumber);
    }
    if !(1..=4).contains(&form.quarter) {
        v.fail("quarter", FieldCode::InvalidNumber);
    }
    let quantity = parse_positive(&form.quantity, 3).unwrap_or_else(|e| {
        v.fail("quantity", FieldCode::from(e));
        Decimal::ZERO
    });
    let price = parse_positive(&form.unit_price, 4).unwrap_or_else(|e| {
        v.fail("unit_price", FieldCode::from(e));
        Decimal::ZERO
    });
    let funding = v.text("funding_source", &form.funding_source, 2, 200);
    let notes = v.text("notes", &form.notes, 0, 2000);
    let mut tx = db.begin().await?;
    if catalogue::find(&mut tx, form.catalogue_item_id)
        .await?
        .is_none()
    {
        v.fail("catalogue_item_id", FieldCode::UnknownOption);
    }
    v.finish().map_err(ServiceError::Validation)?;
    let buyer = buyers::list(&mut tx)
        .await?
        .into_iter()
        .next()
        .ok_or(ServiceError::NotFound)?;
    let row = PlanLineRow {
        id: 0,
        buyer_id: buyer.id,
        year: form.year,
        quarter: form.quarter,
        catalogue_item_id: form.catalogue_item_id,
        quantity: quantity.to_string(),
        unit_price: price.to_string(),
        currency: "GTQ".into(),
        funding_source: funding,
        notes: (!notes.is_empty()).then_some(notes),
        created_by: actor.user_id().unwrap_or(0),
        created_at: now.as_micros(),
    };
    let id = plan::insert(&mut tx, &row, now).await?;
    let row = PlanLineRow { id, ..row };
    commit_with(
        tx,
        actor,
        &PlanLineCreated { line: &row },
        Publication::PlanLine {
            line: &row,
            at: now,
        },
    )
    .await?;
    Ok(row)
}

/// One plan line against what happened.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanVsActual {
    /// The line.
    #[schema(value_type = Object)]
    pub line: PlanLineRow,
    /// Catalogue code and name.
    pub item: String,
    /// Planned value (quantity × estimated unit price).
    pub planned_value: String,
    /// Quantity in published tenders (not cancelled).
    pub tendered_quantity: String,
    /// Quantity awarded (live awards).
    pub awarded_quantity: String,
    /// Value awarded (winning unit prices × quantities).
    pub awarded_value: String,
    /// Tenders executing the line.
    pub tenders: Vec<i64>,
}

/// The plan of a year with plan-vs-actual per line.
pub async fn plan_vs_actual(db: &Database, year: i64) -> Result<Vec<PlanVsActual>, ServiceError> {
    let mut conn = db.read().await?;
    let lines = plan::of_year(&mut conn, year, None).await?;
    let ids: Vec<i64> = lines.iter().map(|l| l.id).collect();
    let uses = tenders::items_of_plan_lines(&mut conn, &ids).await?;
    let mut tendered: BTreeMap<i64, Decimal> = BTreeMap::new();
    let mut by_line: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (line, tender, status, quantity) in &uses {
        let s = TenderStatus::from_code(status).unwrap_or(TenderStatus::Draft);
        if s.is_public() && s != TenderStatus::Cancelled {
            *tendered.entry(*line).or_default() += money::stored(quantity);
        }
        by_line.entry(*line).or_default().push(*tender);
    }
    let mut awarded_qty: BTreeMap<i64, Decimal> = BTreeMap::new();
    let mut awarded_val: BTreeMap<i64, Decimal> = BTreeMap::new();
    let tender_ids: std::collections::BTreeSet<i64> = uses.iter().map(|u| u.1).collect();
    for tender_id in tender_ids {
        let items = tenders::items(&mut conn, tender_id).await?;
        for award in awards::of_tender(&mut conn, tender_id)
            .await?
            .into_iter()
            .filter(|a| a.status != awards::status::ANNULLED)
        {
            let content: Option<BidContent> = bids::opened(&mut conn, &[award.bid_id])
                .await?
                .pop()
                .and_then(|o| serde_json::from_str(&o.content).ok());
            for item in items.iter().filter(|i| i.lot_id == award.lot_id) {
                let Some(line) = item.plan_line_id else {
                    continue;
                };
                let q = money::stored(&item.quantity);
                *awarded_qty.entry(line).or_default() += q;
                let price = content
                    .as_ref()
                    .and_then(|c| c.lines.iter().find(|l| l.item_id == item.id))
                    .map(|l| l.unit_price);
                let value = match price {
                    Some(p) => p * q,
                    // A direct award has no unit prices: attribute the award in proportion.
                    None => {
                        money::stored(&award.amount) * q
                            / items
                                .iter()
                                .filter(|i| i.lot_id == award.lot_id)
                                .map(|i| money::stored(&i.quantity))
                                .sum::<Decimal>()
                                .max(Decimal::ONE)
                    }
                };
                *awarded_val.entry(line).or_default() += value;
            }
        }
    }
    let mut out = Vec::new();
    for line in lines {
        let item = catalogue::find(&mut conn, line.catalogue_item_id)
            .await?
            .map(|i| format!("{} {}", i.code, i.name))
            .unwrap_or_default();
        let planned =
            money::round_minor(money::stored(&line.quantity) * money::stored(&line.unit_price));
        out.push(PlanVsActual {
            item,
            planned_value: planned.to_string(),
            tendered_quantity: tendered
                .get(&line.id)
                .copied()
                .unwrap_or_default()
                .to_string(),
            awarded_quantity: awarded_qty
                .get(&line.id)
                .copied()
                .unwrap_or_default()
                .to_string(),
            awarded_value: money::round_minor(
                awarded_val.get(&line.id).copied().unwrap_or_default(),
            )
            .to_string(),
            tenders: by_line.remove(&line.id).unwrap_or_default(),
            line,
        });
    }
    Ok(out)
}

/// Years that have a plan.
pub async fn years(db: &Database) -> Result<Vec<i64>, ServiceError> {
    let mut conn = db.read().await?;
    Ok(plan::years(&mut conn).await?)
}
