//! Tenders from draft to publication and their public life: plan lines to draft, rulebook
//! checks, the sealing-key ceremony at publication, amendments that notify suppliers,
//! clarifications, documents, cancellation, search and the public tender page (issue 3,
//! items 3–6 and 12).

use super::audit::{Publication, commit_with};
use super::events::tenders::{
    Cancellation, ClarificationAnswered, ClarificationAsked, Follower, Published, TenderAmended,
    TenderCancelled, TenderCreated, TenderDocumentAdded, TenderFollowed, TenderPublished,
    TenderUnfollowed, TenderUpdated,
};
use super::publication::release::ReleaseEvent;
use super::{Actor, ServiceError};
use crate::domain::money::{self, parse_positive};
use crate::domain::role::Role;
use crate::domain::search::terms;
use crate::domain::supplier::SupplierStatus;
use crate::domain::tender::{Action, Phase, TenderStatus, check};
use crate::domain::time::Timestamp;
use crate::domain::validation::{FieldCode, FieldError, Validator};
use crate::repository::tenders::{self, AmendmentRow, NewTender, TenderRow, TenderSearch};
use crate::repository::{
    Database, Page, Queryable, bids, buyers, catalogue, clarifications, committee, documents,
    notifications, plan, suppliers, users,
};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use tianguis_rulebook::{EvaluationKind, LotPlan, Rulebook, TenderPlan};

/// Prefix of the platform's OCDS ids (registered prefixes look like `ocds-abc123`); the demo
/// uses a clearly local one.
pub const OCID_PREFIX: &str = "ocds-tgs001";

/// Largest tender document accepted.
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;

/// One item line as submitted.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ItemForm {
    /// Lot number (1…); lots are created from the numbers used.
    #[serde(default = "one")]
    pub lot: i64,
    /// Catalogue item.
    #[serde(default)]
    pub catalogue_item_id: Option<i64>,
    /// Plan line it executes.
    #[serde(default)]
    pub plan_line_id: Option<i64>,
    /// Description (defaults to the catalogue item's name).
    #[serde(default)]
    pub description: String,
    /// Quantity.
    #[serde(default)]
    pub quantity: String,
    /// Unit (defaults to the catalogue item's unit).
    #[serde(default)]
    pub unit: String,
    /// Estimated unit price.
    #[serde(default)]
    pub unit_price: String,
}

fn one() -> i64 {
    1
}

/// A tender as submitted by the buyer (create or update a draft).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TenderForm {
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// The buyer's reference (generated when empty).
    #[serde(default)]
    pub reference: String,
    /// Method code of the rulebook.
    #[serde(default)]
    pub method: String,
    /// Questions deadline (RFC 3339, or local `YYYY-MM-DDTHH:MM`).
    #[serde(default)]
    pub clarification_deadline: String,
    /// Bids deadline (RFC 3339, or local `YYYY-MM-DDTHH:MM`).
    #[serde(default)]
    pub bid_deadline: String,
    /// Justification (direct awards).
    #[serde(default)]
    pub justification: String,
    /// Exception category code (direct awards under an exception).
    #[serde(default)]
    pub exception_category: String,
    /// Item lines.
    #[serde(default)]
    pub items: Vec<ItemForm>,
    /// Lot titles by lot number (1…); missing ones default to "Lote N".
    #[serde(default)]
    pub lot_titles: BTreeMap<i64, String>,
    /// Compliance requirements, one per entry.
    #[serde(default)]
    pub requirements: Vec<String>,
    /// Committee members (user ids of evaluators).
    #[serde(default)]
    pub committee: Vec<i64>,
    /// Members needed to open the bids (default: a majority, at least 2).
    #[serde(default)]
    pub threshold: Option<i64>,
}

fn may_manage(actor: &Actor) -> Result<(), ServiceError> {
    if actor.has_role(Role::Buyer) || actor.has_role(Role::Administrator) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// A checked form, ready to store.
struct Checked {
    tender: NewTender,
    lots: BTreeMap<i64, (String, Vec<CheckedItem>)>,
    requirements: Vec<String>,
    committee: Vec<i64>,
}

struct CheckedItem {
    catalogue_item_id: Option<i64>,
    plan_line_id: Option<i64>,
    description: String,
    quantity: Decimal,
    unit: String,
    unit_price: Decimal,
    estimated_total: Decimal,
}

/// Default threshold for a committee of `n`: a majority, at least 2.
pub fn default_threshold(n: usize) -> i64 {
    ((n / 2 + 1).max(2)) as i64
}

async fn check_form(
    db: &mut impl Queryable,
    rulebook: &Rulebook,
    tz: Tz,
    form: &TenderForm,
    buyer_id: i64,
    year: i64,
) -> Result<Checked, ServiceError> {
    let mut v = Validator::new();
    let title = v.text("title", &form.title, 5, 300);
    let description = v.text("description", &form.description, 0, 8000);
    let method = rulebook.method(form.method.trim());
    if method.is_none() {
        v.fail("method", FieldCode::UnknownOption);
    }
    let parse_deadline = |v: &mut Validator, field: &str, text: &str| -> Option<i64> {
        if text.trim().is_empty() {
            return None;
        }
        match Timestamp::parse_local(text, tz) {
            Some(t) => Some(t.as_micros()),
            None => {
                v.fail(field, FieldCode::InvalidDate);
                None
            }
        }
    };
    let clarification = parse_deadline(
        &mut v,
        "clarification_deadline",
        &form.clarification_deadline,
    );
    let bid_deadline = parse_deadline(&mut v, "bid_deadline", &form.bid_deadline);
    if let (Some(c), Some(b)) = (clarification, bid_deadline)
        && c > b
    {
        v.fail("clarification_deadline", FieldCode::InvalidDate);
    }
    let mut lots: BTreeMap<i64, (String, Vec<CheckedItem>)> = BTreeMap::new();
    // Empty rows are skipped; a field error names the row by its place in the form as sent
    // (`items[3].quantity` is the fourth row even when the second was left empty), so a page
    // can mark the row the person typed in.
    let rows: Vec<(usize, &ItemForm)> = form
        .items
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            i.catalogue_item_id.is_some()
                || !i.description.trim().is_empty()
                || !i.quantity.trim().is_empty()
        })
        .collect();
    if rows.is_empty() {
        v.fail("items", FieldCode::AtLeastOne);
    }
    if rows.len() > 500 {
        v.fail("items", FieldCode::TooLong);
    }
    for &(i, row) in &rows {
        if !(1..=50).contains(&row.lot) {
            v.fail(&format!("items[{i}].lot"), FieldCode::InvalidNumber);
            continue;
        }
        let item = match row.catalogue_item_id {
            Some(id) => match catalogue::find(db, id).await? {
                Some(item) => Some(item),
                None => {
                    v.fail(
                        &format!("items[{i}].catalogue_item_id"),
                        FieldCode::UnknownOption,
                    );
                    None
                }
            },
            None => None,
        };
        if let Some(line_id) = row.plan_line_id {
            match plan::find(db, line_id).await? {
                Some(line) if line.buyer_id == buyer_id => {}
                _ => v.fail(
                    &format!("items[{i}].plan_line_id"),
                    FieldCode::UnknownOption,
                ),
            }
        }
        let description = if row.description.trim().is_empty() {
            item.as_ref()
                .map(|it| {
                    [Some(it.name.clone()), it.strength.clone(), it.form.clone()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default()
        } else {
            row.description.trim().to_string()
        };
        if description.chars().count() < 2 {
            v.fail(&format!("items[{i}].description"), FieldCode::Required);
        } else if description.chars().count() > 500 {
            v.fail(&format!("items[{i}].description"), FieldCode::TooLong);
        }
        let unit = if row.unit.trim().is_empty() {
            item.as_ref().map(|it| it.unit.clone()).unwrap_or_default()
        } else {
            row.unit.trim().chars().take(40).collect()
        };
        if unit.is_empty() {
            v.fail(&format!("items[{i}].unit"), FieldCode::Required);
        }
        let quantity = match parse_positive(&row.quantity, 3) {
            Ok(q) => q,
            Err(e) => {
                v.fail(&format!("items[{i}].quantity"), FieldCode::from(e));
                Decimal::ZERO
            }
        };
        let price = match parse_positive(&row.unit_price, 4) {
            Ok(p) => p,
            Err(e) => {
                v.fail(&format!("items[{i}].unit_price"), FieldCode::from(e));
                Decimal::ZERO
            }
        };
        let title = form
            .lot_titles
            .get(&row.lot)
            .map(|t| t.trim().chars().take(200).collect::<String>())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| format!("Lote {}", row.lot));
        lots.entry(row.lot)
            .or_insert_with(|| (title, Vec::new()))
            .1
            .push(CheckedItem {
                catalogue_item_id: row.catalogue_item_id,
                plan_line_id: row.plan_line_id,
                description,
                quantity,
                unit,
                unit_price: price,
                estimated_total: quantity * price,
            });
    }
    let requirements: Vec<String> = form
        .requirements
        .iter()
        .flat_map(|r| r.lines())
        .map(|r| r.trim().chars().take(500).collect::<String>())
        .filter(|r| !r.is_empty())
        .collect();
    if requirements.len() > 50 {
        v.fail("requirements", FieldCode::TooLong);
    }
    let committee: Vec<i64> = form
        .committee
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for (i, user_id) in committee.iter().enumerate() {
        match users::find(db, *user_id).await? {
            Some(u) if u.active && u.has_role(Role::Evaluator) => {}
            _ => v.fail(&format!("committee[{i}]"), FieldCode::UnknownOption),
        }
    }
    let threshold = form
        .threshold
        .unwrap_or_else(|| default_threshold(committee.len()));
    if !committee.is_empty() && (threshold < 2 || threshold > committee.len() as i64) {
        v.fail("threshold", FieldCode::InvalidNumber);
    }
    let is_direct = method.is_some_and(|m| m.is_flagged_publicly());
    let justification = form.justification.trim().to_string();
    let exception = form.exception_category.trim().to_string();
    if justification.chars().count() > 8000 {
        v.fail("justification", FieldCode::TooLong);
    }
    v.finish().map_err(ServiceError::Validation)?;
    let method = method.ok_or_else(|| ServiceError::field("method", FieldCode::UnknownOption))?;
    let estimated: Decimal = lots
        .values()
        .flat_map(|(_, items)| items.iter().map(|i| i.estimated_total))
        .sum();
    let estimated = money::round_minor(estimated);
    let evaluation = method.evaluation();
    let standstill_days = method
        .standstill()
        .map(|s| s.value.period.days as i64)
        .unwrap_or(0);
    let minimum_bids = method
        .minimum_bids()
        .map(|m| m.value.count as i64)
        .unwrap_or(1);
    Ok(Checked {
        tender: NewTender {
            ocid: String::new(),
            reference: form.reference.trim().chars().take(60).collect(),
            buyer_id,
            title,
            description,
            method_code: method.code().to_string(),
            rulebook_id: rulebook.id().to_string(),
            rulebook_version: rulebook.version().to_string(),
            currency: rulebook.currency().to_string(),
            estimated_value: estimated.to_string(),
            estimated_value_minor: money::to_minor(estimated),
            year,
            is_direct,
            justification: (!justification.is_empty()).then_some(justification),
            exception_category: (!exception.is_empty()).then_some(exception),
            evaluation_method: match evaluation.value.kind {
                EvaluationKind::Weighted => "weighted",
                EvaluationKind::LowestPrice => "lowest_price",
                EvaluationKind::ComplianceOnly => "compliance_only",
            }
            .to_string(),
            has_auction: method.auction().is_some(),
            standstill_days,
            minimum_bids,
            opening_threshold: if committee.is_empty() { 0 } else { threshold },
            clarification_deadline: clarification,
            bid_deadline,
        },
        lots,
        requirements,
        committee,
    })
}

/// The rulebook's view of a tender about to be published (or created) at `at`.
fn plan_of(t: &NewTender, lots: &[(String, Decimal)], at: Timestamp) -> TenderPlan {
    TenderPlan {
        method: t.method_code.clone(),
        estimated_value: money::stored(&t.estimated_value),
        currency: t.currency.clone(),
        published_at: at.to_datetime(),
        bid_deadline: t
            .bid_deadline
            .map(|d| Timestamp::from_micros(d).to_datetime()),
        clarification_deadline: t
            .clarification_deadline
            .map(|d| Timestamp::from_micros(d).to_datetime()),
        justification: t.justification.clone(),
        exception_category: t.exception_category.clone(),
        lots: lots
            .iter()
            .map(|(id, value)| LotPlan {
                id: id.clone(),
                estimated_value: *value,
            })
            .collect(),
        framework: None,
    }
}

fn rule_check(
    rulebook: &Rulebook,
    t: &NewTender,
    lots: &[(String, Decimal)],
    at: Timestamp,
) -> Result<(), ServiceError> {
    let method_has_bidding = rulebook
        .method(&t.method_code)
        .is_some_and(|m| m.bidding_period().is_some());
    let mut plan = plan_of(t, lots, at);
    if !method_has_bidding {
        plan.bid_deadline = None;
        plan.clarification_deadline = None;
    }
    let result = rulebook.check_tender(&plan);
    // A draft without deadlines yet is checked on everything else; deadlines are checked at
    // publication, when the publication instant is known.
    match result {
        Ok(()) => Ok(()),
        Err(violations) => {
            let relevant: Vec<_> = violations
                .into_iter()
                .filter(|v| {
                    t.bid_deadline.is_some()
                        || !matches!(
                            v.code(),
                            "rule.bid_deadline_required" | "rule.clarification_deadline_required"
                        )
                })
                .filter(|v| v.code() != "rule.framework_terms_required")
                .collect();
            if relevant.is_empty() {
                Ok(())
            } else {
                Err(ServiceError::Rules(relevant))
            }
        }
    }
}

async fn store_lots(
    db: &mut impl Queryable,
    tender_id: i64,
    checked: &Checked,
) -> Result<Vec<(String, Decimal)>, ServiceError> {
    let mut lot_values = Vec::new();
    for (number, (title, items)) in &checked.lots {
        let value = money::round_minor(items.iter().map(|i| i.estimated_total).sum());
        let lot_id =
            tenders::insert_lot(db, tender_id, *number, title, "", &value.to_string()).await?;
        for (n, item) in items.iter().enumerate() {
            tenders::insert_item(
                db,
                tender_id,
                lot_id,
                n as i64 + 1,
                item.catalogue_item_id,
                &item.description,
                &item.quantity.to_string(),
                &item.unit,
                item.plan_line_id,
                Some(&item.unit_price.to_string()),
            )
            .await?;
        }
        lot_values.push((number.to_string(), value));
    }
    for r in &checked.requirements {
        let code = format!("R{}", tenders::requirements(db, tender_id).await?.len() + 1);
        tenders::insert_requirement(db, tender_id, &code, r).await?;
    }
    committee::set_members(
        db,
        tender_id,
        &checked
            .committee
            .iter()
            .enumerate()
            .map(|(i, u)| (*u, i == 0))
            .collect::<Vec<_>>(),
    )
    .await?;
    Ok(lot_values)
}

async fn store_criteria(
    db: &mut impl Queryable,
    rulebook: &Rulebook,
    tender_id: i64,
    method_code: &str,
) -> Result<(), ServiceError> {
    if let Some(method) = rulebook.method(method_code)
        && method.evaluation().value.kind == EvaluationKind::Weighted
    {
        for c in &method.evaluation().value.criteria {
            let weight = c.weight.round().to_string().parse::<i64>().unwrap_or(0);
            tenders::insert_criterion(
                db,
                tender_id,
                &c.code,
                &c.name_es,
                weight,
                c.code == "price",
            )
            .await?;
        }
    }
    Ok(())
}

async fn reindex(db: &mut impl Queryable, tender_id: i64) -> Result<(), ServiceError> {
    let t = tenders::find(db, tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let mut text = format!(
        "{} {} {} {} {}",
        t.title,
        t.description,
        t.reference,
        t.ocid,
        t.method_code.replace('_', " ")
    );
    if let Some(b) = buyers::list(db)
        .await?
        .into_iter()
        .find(|b| b.id == t.buyer_id)
    {
        text.push_str(&format!(" {} {}", b.name, b.short_name));
    }
    for item in tenders::items(db, tender_id).await? {
        text.push(' ');
        text.push_str(&item.description);
        if let Some(id) = item.catalogue_item_id
            && let Some(c) = catalogue::find(db, id).await?
        {
            text.push_str(&format!(
                " {} {}",
                c.code,
                c.atc_code.or(c.unspsc_code).unwrap_or_default()
            ));
        }
    }
    tenders::index_terms(db, tender_id, &terms(&text)).await?;
    Ok(())
}

/// Creates a draft tender (buyers). The rulebook is checked on what is known: value against
/// the method, justification and exception of direct awards, and the periods if deadlines are
/// already given (with `now` as a provisional publication instant).
pub async fn create(
    db: &Database,
    rulebook: &Rulebook,
    tz: Tz,
    actor: &Actor,
    form: &TenderForm,
    now: Timestamp,
) -> Result<TenderRow, ServiceError> {
    may_manage(actor)?;
    let mut tx = db.begin().await?;
    let buyer = buyers::list(&mut tx)
        .await?
        .into_iter()
        .next()
        .ok_or(ServiceError::NotFound)?;
    let year = now
        .to_datetime()
        .with_timezone(&tz)
        .format("%Y")
        .to_string()
        .parse()
        .unwrap_or(2026);
    let mut checked = check_form(&mut tx, rulebook, tz, form, buyer.id, year).await?;
    let lot_preview: Vec<(String, Decimal)> = checked
        .lots
        .iter()
        .map(|(n, (_, items))| {
            (
                n.to_string(),
                money::round_minor(items.iter().map(|i| i.estimated_total).sum()),
            )
        })
        .collect();
    rule_check(rulebook, &checked.tender, &lot_preview, now)?;
    let sequence = tenders::count(&mut tx, false).await? + 1;
    let prefix = crate::service::publication::settings(&mut tx)
        .await?
        .ocid_prefix;
    checked.tender.ocid = format!("{prefix}-{year}-{sequence:06}");
    if checked.tender.reference.is_empty() {
        checked.tender.reference = format!("{}-{year}-{sequence:05}", buyer.short_name);
    }
    let by = actor.user_id().unwrap_or(0);
    let id = tenders::insert(&mut tx, &checked.tender, by, now).await?;
    store_lots(&mut tx, id, &checked).await?;
    store_criteria(&mut tx, rulebook, id, &checked.tender.method_code).await?;
    reindex(&mut tx, id).await?;
    let row = tenders::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    commit_with(
        tx,
        actor,
        &TenderCreated { tender: &row },
        Publication::None,
    )
    .await?;
    Ok(row)
}

/// Replaces a draft's content (buyers; drafts only).
pub async fn update(
    db: &Database,
    rulebook: &Rulebook,
    tz: Tz,
    actor: &Actor,
    id: i64,
    form: &TenderForm,
    now: Timestamp,
) -> Result<TenderRow, ServiceError> {
    may_manage(actor)?;
    let mut tx = db.begin().await?;
    let before = tenders::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(before.phase(now), Action::EditDraft).map_err(ServiceError::illegal)?;
    let mut checked = check_form(&mut tx, rulebook, tz, form, before.buyer_id, before.year).await?;
    let lot_preview: Vec<(String, Decimal)> = checked
        .lots
        .iter()
        .map(|(n, (_, items))| {
            (
                n.to_string(),
                money::round_minor(items.iter().map(|i| i.estimated_total).sum()),
            )
        })
        .collect();
    rule_check(rulebook, &checked.tender, &lot_preview, now)?;
    checked.tender.ocid = before.ocid.clone();
    if checked.tender.reference.is_empty() {
        checked.tender.reference = before.reference.clone();
    }
    tenders::update_draft(&mut tx, id, &checked.tender, now).await?;
    tenders::clear_lots(&mut tx, id).await?;
    store_lots(&mut tx, id, &checked).await?;
    store_criteria(&mut tx, rulebook, id, &checked.tender.method_code).await?;
    reindex(&mut tx, id).await?;
    let after = tenders::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    commit_with(
        tx,
        actor,
        &TenderUpdated {
            before: &before,
            after: &after,
        },
        Publication::None,
    )
    .await?;
    Ok(after)
}

/// A draft from plan lines: one lot, one item per line, estimated prices from the plan.
pub async fn from_plan(
    db: &Database,
    rulebook: &Rulebook,
    tz: Tz,
    actor: &Actor,
    title: &str,
    method: &str,
    line_ids: &[i64],
    now: Timestamp,
) -> Result<TenderRow, ServiceError> {
    may_manage(actor)?;
    if line_ids.is_empty() {
        return Err(ServiceError::field("plan_lines", FieldCode::AtLeastOne));
    }
    let mut items = Vec::new();
    {
        let mut conn = db.read().await?;
        for id in line_ids {
            let line = plan::find(&mut conn, *id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            items.push(ItemForm {
                lot: 1,
                catalogue_item_id: Some(line.catalogue_item_id),
                plan_line_id: Some(line.id),
                description: String::new(),
                quantity: line.quantity.clone(),
                unit: String::new(),
                unit_price: line.unit_price.clone(),
            });
        }
    }
    let form = TenderForm {
        title: title.to_string(),
        method: method.to_string(),
        items,
        ..TenderForm::default()
    };
    create(db, rulebook, tz, actor, &form, now).await
}

/// Publishes a draft: checks every rule with the real publication instant, runs the sealing
/// key ceremony for the committee (sealed methods), and makes the tender public. Direct awards
/// without a bidding period go straight to evaluation (there are no bids to wait for).
pub async fn publish(
    db: &Database,
    rulebook: &Rulebook,
    actor: &Actor,
    id: i64,
    now: Timestamp,
) -> Result<TenderRow, ServiceError> {
    may_manage(actor)?;
    let mut tx = db.begin().await?;
    let before = tenders::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(before.phase(now), Action::Publish).map_err(ServiceError::illegal)?;
    let method = rulebook
        .method(&before.method_code)
        .ok_or_else(|| ServiceError::field("method", FieldCode::UnknownOption))?;
    let lots = tenders::lots(&mut tx, id).await?;
    if lots.is_empty() {
        return Err(ServiceError::field("items", FieldCode::AtLeastOne));
    }
    // Suppliers bid on the bidding conditions: a call without them cannot be answered (issue
    // 13; Arts. 18 y 39 LCE publish the bases with the call). Every method needs one.
    if documents::of_owner(&mut tx, "tender", id).await?.is_empty() {
        return Err(ServiceError::DocumentRequired);
    }
    let new = NewTender {
        ocid: before.ocid.clone(),
        reference: before.reference.clone(),
        buyer_id: before.buyer_id,
        title: before.title.clone(),
        description: before.description.clone(),
        method_code: before.method_code.clone(),
        rulebook_id: before.rulebook_id.clone(),
        rulebook_version: before.rulebook_version.clone(),
        currency: before.currency.clone(),
        estimated_value: before.estimated_value.clone(),
        estimated_value_minor: before.estimated_value_minor,
        year: before.year,
        is_direct: before.is_direct,
        justification: before.justification.clone(),
        exception_category: before.exception_category.clone(),
        evaluation_method: before.evaluation_method.clone(),
        has_auction: before.has_auction,
        standstill_days: before.standstill_days,
        minimum_bids: before.minimum_bids,
        opening_threshold: before.opening_threshold,
        clarification_deadline: before.clarification_deadline,
        bid_deadline: before.bid_deadline,
    };
    let lot_values: Vec<(String, Decimal)> = lots
        .iter()
        .map(|l| (l.number.to_string(), money::stored(&l.estimated_value)))
        .collect();
    let with_bidding = method.bidding_period().is_some();
    if with_bidding {
        let mut plan = plan_of(&new, &lot_values, now);
        // A framework is published with its terms (issue 14): they are frozen from now on.
        plan.framework = super::agreements::framework_plan(&mut tx, id).await?;
        if let Err(violations) = rulebook.check_tender(&plan) {
            return Err(ServiceError::Rules(violations));
        }
        if before.bid_deadline.is_none() || before.clarification_deadline.is_none() {
            return Err(ServiceError::field("bid_deadline", FieldCode::Required));
        }
        // Sealed bids need a committee whose members all registered an opening key.
        let members = committee::members(&mut tx, id).await?;
        if members.len() < 2 {
            return Err(ServiceError::field("committee", FieldCode::AtLeastOne));
        }
        let ids: Vec<i64> = members.iter().map(|m| m.user_id).collect();
        let keys = committee::opening_keys(&mut tx, &ids).await?;
        let mut missing = Vec::new();
        let mut committee_keys = Vec::new();
        for (i, member) in members.iter().enumerate() {
            match keys.iter().find(|k| k.user_id == member.user_id) {
                Some(k) => {
                    let public_key = tianguis_sealed::PublicKey::from_base64(&k.public_key)
                        .map_err(|e| ServiceError::Internal(format!("stored opening key: {e}")))?;
                    committee_keys.push(tianguis_sealed::CommitteeMember {
                        member_id: member.user_id.to_string(),
                        public_key,
                    });
                }
                None => missing.push(FieldError {
                    field: format!("committee[{i}]"),
                    code: FieldCode::Required,
                }),
            }
        }
        if !missing.is_empty() {
            return Err(ServiceError::Validation(missing));
        }
        let sealing = tianguis_sealed::TenderSealingKey::generate(
            &id.to_string(),
            before.opening_threshold as usize,
            &committee_keys,
        )
        .map_err(|e| ServiceError::Internal(format!("key ceremony: {}", e.code())))?;
        committee::put_tender_key(
            &mut tx,
            id,
            &sealing.to_base64(),
            before.opening_threshold,
            now,
        )
        .await?;
        if !tenders::set_status(
            &mut tx,
            id,
            TenderStatus::Draft,
            TenderStatus::Published,
            None,
            now,
        )
        .await?
        {
            return Err(ServiceError::illegal(
                crate::domain::tender::IllegalTransition {
                    phase: Phase::Draft,
                    action: Action::Publish,
                },
            ));
        }
        let after = tenders::find(&mut tx, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let fingerprint = sealing.public_key().fingerprint();
        let event = TenderPublished {
            publication: Published::Sealed {
                tender: &after,
                sealing_key_fingerprint: &fingerprint,
                opening_threshold: before.opening_threshold,
                committee: &ids,
            },
        };
        let publication = Publication::release(id, ReleaseEvent::Tender, now);
        commit_with(tx, actor, &event, publication).await?;
        Ok(after)
    } else {
        // No call for bids: publish the notice and go to the (direct) award.
        rule_check(rulebook, &new, &lot_values, now)?;
        tenders::set_status(
            &mut tx,
            id,
            TenderStatus::Draft,
            TenderStatus::Published,
            None,
            now,
        )
        .await?;
        tenders::set_status(
            &mut tx,
            id,
            TenderStatus::Published,
            TenderStatus::Evaluation,
            None,
            now,
        )
        .await?;
        let after = tenders::find(&mut tx, id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let publication = Publication::release(id, ReleaseEvent::Tender, now);
        commit_with(tx, actor, &TenderPublished::direct(&after), publication).await?;
        Ok(after)
    }
}

/// Suppliers' users to notify about a tender: followers and bidders.
async fn interested_users(
    db: &mut impl Queryable,
    tender_id: i64,
) -> Result<Vec<i64>, ServiceError> {
    let mut supplier_ids: BTreeSet<i64> =
        bids::interested(db, tender_id).await?.into_iter().collect();
    for b in bids::of_tender(db, tender_id, None).await? {
        supplier_ids.insert(b.supplier_id);
    }
    Ok(suppliers::user_ids(db, &supplier_ids.into_iter().collect::<Vec<_>>()).await?)
}

/// Amends a published tender before its bid deadline: a description of the change and, if
/// given, later deadlines (never earlier: suppliers plan on them). Every interested supplier is
/// notified.
pub async fn amend(
    db: &Database,
    rulebook: &Rulebook,
    tz: Tz,
    actor: &Actor,
    id: i64,
    description: &str,
    new_clarification: &str,
    new_bid_deadline: &str,
    now: Timestamp,
) -> Result<AmendmentRow, ServiceError> {
    may_manage(actor)?;
    let mut v = Validator::new();
    let description = v.text("description", description, 10, 8000);
    let parse = |v: &mut Validator, field: &str, text: &str| {
        if text.trim().is_empty() {
            None
        } else {
            let t = Timestamp::parse_local(text, tz);
            if t.is_none() {
                v.fail(field, FieldCode::InvalidDate);
            }
            t
        }
    };
    let new_c = parse(&mut v, "clarification_deadline", new_clarification);
    let new_b = parse(&mut v, "bid_deadline", new_bid_deadline);
    v.finish().map_err(ServiceError::Validation)?;
    let mut tx = db.begin().await?;
    let before = tenders::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(before.phase(now), Action::Amend).map_err(ServiceError::illegal)?;
    let old_c = before.clarification_deadline.unwrap_or(0);
    let old_b = before.bid_deadline.unwrap_or(0);
    let c = new_c.map(|t| t.as_micros()).unwrap_or(old_c);
    let b = new_b.map(|t| t.as_micros()).unwrap_or(old_b);
    let mut errors = Vec::new();
    if b < old_b {
        errors.push(FieldError {
            field: "bid_deadline".into(),
            code: FieldCode::InvalidDate,
        });
    }
    if c < old_c || c > b {
        errors.push(FieldError {
            field: "clarification_deadline".into(),
            code: FieldCode::InvalidDate,
        });
    }
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let _ = rulebook;
    tenders::set_deadlines(&mut tx, id, c, b, now).await?;
    let number = tenders::amendments(&mut tx, id).await?.len() as i64 + 1;
    let by = actor.user_id().unwrap_or(0);
    let row = AmendmentRow {
        id: 0,
        tender_id: id,
        number,
        description,
        old_clarification_deadline: Some(old_c),
        new_clarification_deadline: Some(c),
        old_bid_deadline: Some(old_b),
        new_bid_deadline: Some(b),
        created_by: by,
        created_at: now.as_micros(),
    };
    let amendment_id = tenders::insert_amendment(&mut tx, &row).await?;
    let to_notify = interested_users(&mut tx, id).await?;
    notifications::notify(
        &mut tx,
        &to_notify,
        "tender-amended",
        &serde_json::json!({"title": before.title, "number": number}),
        &format!("/tenders/{id}"),
        now,
    )
    .await?;
    reindex(&mut tx, id).await?;
    let row = AmendmentRow {
        id: amendment_id,
        ..row
    };
    commit_with(
        tx,
        actor,
        &TenderAmended {
            before: &before,
            amendment: &row,
        },
        Publication::release(id, ReleaseEvent::TenderAmendment, now),
    )
    .await?;
    Ok(row)
}

/// Cancels a tender with a reason (buyers), at any point before it is contracted.
pub async fn cancel(
    db: &Database,
    actor: &Actor,
    id: i64,
    reason: &str,
    now: Timestamp,
) -> Result<TenderRow, ServiceError> {
    may_manage(actor)?;
    let mut v = Validator::new();
    let reason = v.text("reason", reason, 10, 4000);
    v.finish().map_err(ServiceError::Validation)?;
    let mut tx = db.begin().await?;
    let before = tenders::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(before.phase(now), Action::Cancel).map_err(ServiceError::illegal)?;
    if !tenders::set_status(
        &mut tx,
        id,
        before.status(),
        TenderStatus::Cancelled,
        Some(&reason),
        now,
    )
    .await?
    {
        return Err(ServiceError::IllegalTransition {
            from: before.status.clone(),
            action: "cancel".into(),
        });
    }
    for award in crate::repository::awards::of_tender(&mut tx, id).await? {
        crate::repository::awards::set_status(
            &mut tx,
            award.id,
            &award.status,
            crate::repository::awards::status::ANNULLED,
            now,
        )
        .await?;
    }
    let to_notify = interested_users(&mut tx, id).await?;
    notifications::notify(
        &mut tx,
        &to_notify,
        "tender-cancelled",
        &serde_json::json!({"title": before.title}),
        &format!("/tenders/{id}"),
        now,
    )
    .await?;
    let after = tenders::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    commit_with(
        tx,
        actor,
        &TenderCancelled {
            before: &before,
            after: Cancellation {
                tender: &after,
                reason: &reason,
            },
        },
        Publication::release(id, ReleaseEvent::TenderCancellation, now),
    )
    .await?;
    Ok(after)
}

/// Attaches a document to a tender (content-addressed; the SHA-256 is shown publicly).
/// Drafts and published tenders before the bid deadline accept documents.
pub async fn attach_document(
    db: &Database,
    actor: &Actor,
    id: i64,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
    now: Timestamp,
) -> Result<documents::DocumentRow, ServiceError> {
    may_manage(actor)?;
    let mut v = Validator::new();
    let filename = v.text("file", &sanitize_filename(filename), 1, 200);
    if bytes.is_empty() {
        v.fail("file", FieldCode::Required);
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        v.fail("file", FieldCode::TooLong);
    }
    v.finish().map_err(ServiceError::Validation)?;
    let mut tx = db.begin().await?;
    let tender = tenders::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let phase = tender.phase(now);
    if check(phase, Action::EditDraft).is_err() {
        check(phase, Action::Amend).map_err(ServiceError::illegal)?;
    }
    let sha = hex::encode(Sha256::digest(bytes));
    documents::put_blob(&mut tx, &sha, bytes).await?;
    let by = actor.user_id().unwrap_or(0);
    let content_type = if content_type.trim().is_empty() || content_type.len() > 100 {
        "application/octet-stream".to_string()
    } else {
        content_type.to_string()
    };
    let doc_id = documents::attach(
        &mut tx,
        "tender",
        id,
        &filename,
        &content_type,
        bytes.len() as i64,
        &sha,
        true,
        by,
        now,
    )
    .await?;
    let doc = documents::find(&mut tx, doc_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if tender.status().is_public() {
        let to_notify = interested_users(&mut tx, id).await?;
        notifications::notify(
            &mut tx,
            &to_notify,
            "tender-document",
            &serde_json::json!({"title": tender.title, "file": filename}),
            &format!("/tenders/{id}"),
            now,
        )
        .await?;
    }
    commit_with(
        tx,
        actor,
        &TenderDocumentAdded {
            tender: &tender,
            document: &doc,
        },
        Publication::release(id, ReleaseEvent::TenderUpdate, now),
    )
    .await?;
    Ok(doc)
}

/// A safe file name: the last path component, without control characters.
pub fn sanitize_filename(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .take(200)
        .collect::<String>()
        .trim()
        .to_string()
}

/// A document's bytes, if the viewer may see it (public documents of public tenders, or any
/// document for buyers and administrators).
pub async fn document(
    db: &Database,
    viewer: Option<&crate::domain::user::User>,
    doc_id: i64,
) -> Result<(documents::DocumentRow, Vec<u8>), ServiceError> {
    let mut conn = db.read().await?;
    let doc = documents::find(&mut conn, doc_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let staff = viewer.is_some_and(|u| u.has_role(Role::Buyer) || u.has_role(Role::Administrator));
    let visible = staff
        || (doc.public
            && match doc.owner_type.as_str() {
                "tender" => tenders::find(&mut conn, doc.owner_id)
                    .await?
                    .is_some_and(|t| t.status().is_public()),
                _ => true,
            });
    if !visible {
        return Err(ServiceError::NotFound);
    }
    let bytes = documents::blob(&mut conn, &doc.sha256)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok((doc, bytes))
}

/// The verified supplier a supplier user acts for.
pub async fn acting_supplier(db: &mut impl Queryable, actor: &Actor) -> Result<i64, ServiceError> {
    let Actor::User(user) = actor else {
        return Err(ServiceError::Forbidden);
    };
    let supplier_id = user
        .supplier_id
        .filter(|_| user.has_role(Role::Supplier))
        .ok_or(ServiceError::Forbidden)?;
    let supplier = suppliers::find(db, supplier_id)
        .await?
        .ok_or(ServiceError::Forbidden)?;
    if supplier.status != SupplierStatus::Verified {
        return Err(ServiceError::IllegalTransition {
            from: supplier.status.code().into(),
            action: "bid".into(),
        });
    }
    Ok(supplier_id)
}

/// A supplier asks a question (before the clarification deadline). The asker stays anonymous.
pub async fn ask(
    db: &Database,
    actor: &Actor,
    tender_id: i64,
    question: &str,
    now: Timestamp,
) -> Result<i64, ServiceError> {
    let mut v = Validator::new();
    let question = v.text("question", question, 10, 4000);
    v.finish().map_err(ServiceError::Validation)?;
    let mut tx = db.begin().await?;
    let supplier_id = acting_supplier(&mut tx, actor).await?;
    let tender = tenders::find(&mut tx, tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(tender.phase(now), Action::AskQuestion).map_err(ServiceError::illegal)?;
    let by = actor.user_id().unwrap_or(0);
    let id = clarifications::ask(&mut tx, tender_id, supplier_id, by, &question, now).await?;
    bids::register_interest(&mut tx, tender_id, supplier_id, now).await?;
    commit_with(
        tx,
        actor,
        &ClarificationAsked {
            clarification_id: id,
            tender_id,
            question: &question,
        },
        Publication::None,
    )
    .await?;
    Ok(id)
}

/// The buyer answers a question; question and answer are published to all (asker anonymous)
/// and every interested supplier is notified.
pub async fn answer(
    db: &Database,
    actor: &Actor,
    clarification_id: i64,
    answer: &str,
    now: Timestamp,
) -> Result<(), ServiceError> {
    may_manage(actor)?;
    let mut v = Validator::new();
    let answer = v.text("answer", answer, 2, 8000);
    v.finish().map_err(ServiceError::Validation)?;
    let mut tx = db.begin().await?;
    let q = clarifications::find(&mut tx, clarification_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let tender = tenders::find(&mut tx, q.tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(tender.phase(now), Action::AnswerQuestion).map_err(ServiceError::illegal)?;
    let by = actor.user_id().unwrap_or(0);
    if !clarifications::answer(&mut tx, clarification_id, &answer, by, now).await? {
        return Err(ServiceError::IllegalTransition {
            from: "answered".into(),
            action: "answer".into(),
        });
    }
    let to_notify = interested_users(&mut tx, q.tender_id).await?;
    notifications::notify(
        &mut tx,
        &to_notify,
        "clarification-answered",
        &serde_json::json!({"title": tender.title}),
        &format!("/tenders/{}#clarifications", q.tender_id),
        now,
    )
    .await?;
    commit_with(
        tx,
        actor,
        &ClarificationAnswered {
            tender_id: q.tender_id,
            clarification_id,
            question: &q.question,
            answer: &answer,
        },
        Publication::release(q.tender_id, ReleaseEvent::TenderUpdate, now),
    )
    .await?;
    Ok(())
}

/// A supplier follows a tender (it is then notified of amendments and answers). Following
/// twice changes nothing and records nothing (a reload repeats nothing, issue 13).
pub async fn follow(
    db: &Database,
    actor: &Actor,
    tender_id: i64,
    now: Timestamp,
) -> Result<(), ServiceError> {
    set_following(db, actor, tender_id, true, now).await
}

/// A supplier stops following a tender (issue 13); like [`follow`], audited and idempotent.
pub async fn unfollow(
    db: &Database,
    actor: &Actor,
    tender_id: i64,
    now: Timestamp,
) -> Result<(), ServiceError> {
    set_following(db, actor, tender_id, false, now).await
}

/// Whether the acting supplier follows a tender (`false` for anyone else).
pub async fn is_following(
    db: &Database,
    actor: &Actor,
    tender_id: i64,
) -> Result<bool, ServiceError> {
    let mut conn = db.read().await?;
    let Ok(supplier_id) = acting_supplier(&mut conn, actor).await else {
        return Ok(false);
    };
    Ok(bids::is_interested(&mut conn, tender_id, supplier_id).await?)
}

async fn set_following(
    db: &Database,
    actor: &Actor,
    tender_id: i64,
    follow: bool,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let mut tx = db.begin().await?;
    let supplier_id = acting_supplier(&mut tx, actor).await?;
    let tender = tenders::find(&mut tx, tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if !tender.status().is_public() {
        return Err(ServiceError::NotFound);
    }
    let following = bids::is_interested(&mut tx, tender_id, supplier_id).await?;
    if following == follow {
        return Ok(());
    }
    let follower = Follower { supplier_id };
    if follow {
        bids::register_interest(&mut tx, tender_id, supplier_id, now).await?;
        let event = TenderFollowed {
            tender_id,
            follower,
        };
        commit_with(tx, actor, &event, Publication::None).await?;
    } else {
        bids::remove_interest(&mut tx, tender_id, supplier_id).await?;
        let event = TenderUnfollowed {
            tender_id,
            follower,
        };
        commit_with(tx, actor, &event, Publication::None).await?;
    }
    Ok(())
}

/// Whether a viewer may see a tender (drafts: its buyers and administrators only).
pub fn visible_to(t: &TenderRow, viewer: Option<&crate::domain::user::User>) -> bool {
    t.status().is_public()
        || viewer.is_some_and(|u| u.has_role(Role::Buyer) || u.has_role(Role::Administrator))
}

/// Searches tenders (public ones; buyers may include drafts).
pub async fn search(
    db: &Database,
    s: &TenderSearch,
    now: Timestamp,
    offset: i64,
    limit: i64,
) -> Result<Page<tenders::TenderListRow>, ServiceError> {
    let mut conn = db.read().await?;
    Ok(tenders::search(&mut conn, s, now, offset.max(0), limit.clamp(1, 200)).await?)
}
