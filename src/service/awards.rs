//! Awards, the standstill and complaints (inconformidades), and contracts (issue 3, items
//! 10–11).
//!
//! An award notifies every bidder of the lot and opens the standstill period of the method
//! (rulebook). A bidder of the lot other than the winner may file a complaint before it ends;
//! the buyer resolves it: upheld annuls the award (the lot can be awarded again), rejected
//! leaves it standing. The award becomes final when the standstill is over and no complaint is
//! pending; only then can the contract be signed.

use super::audit::{Publication, commit_with, record};
use super::events::awards::{
    AwardDecided, AwardFinal, ComplaintFiled, ComplaintRejected, ComplaintResolution,
    ComplaintUpheld, ContractAmended, ContractSigned, TenderUnsuccessful, UnsuccessfulReason,
};
use super::publication::release::ReleaseEvent;
use super::tenders::acting_supplier;
use super::{Actor, ServiceError};
use crate::domain::money::{self, parse_positive};
use crate::domain::role::Role;
use crate::domain::tender::{Action, TenderStatus, check};
use crate::domain::time::Timestamp;
use crate::domain::validation::{FieldCode, FieldError, Validator};
use crate::repository::awards::{self, AwardRow, ComplaintRow, complaint_status, status};
use crate::repository::bids;
use crate::repository::contracts::{self, ContractAmendmentRow, ContractRow, MilestoneRow};
use crate::repository::{Database, Queryable, evaluation, notifications, suppliers, tenders};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::Deserialize;
use tianguis_rulebook::Rulebook;

/// Buyers and administrators manage awards, contracts and agreements.
pub(super) fn may_manage(actor: &Actor) -> Result<(), ServiceError> {
    if actor.has_role(Role::Buyer) || actor.has_role(Role::Administrator) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Moves the tender to `awarded` once every lot is awarded or unsuccessful.
async fn settle_tender_status(
    db: &mut impl Queryable,
    tender_id: i64,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let tender = tenders::find(db, tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let lots = tenders::lots(db, tender_id).await?;
    let all_awards = awards::of_tender(db, tender_id).await?;
    let live = |lot_id: i64| {
        all_awards
            .iter()
            .any(|a| a.lot_id == lot_id && a.status != status::ANNULLED)
    };
    let settled = lots
        .iter()
        .all(|l| l.status == "unsuccessful" || live(l.id));
    let current = tender.status();
    if settled && matches!(current, TenderStatus::Evaluation | TenderStatus::Auction) {
        tenders::set_status(db, tender_id, current, TenderStatus::Awarded, None, now).await?;
    } else if !settled && current == TenderStatus::Awarded {
        // An award was annulled: the lot goes back to the committee's decision.
        tenders::set_status(
            db,
            tender_id,
            TenderStatus::Awarded,
            TenderStatus::Evaluation,
            None,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Awards a lot to its best-ranked compliant bid not already annulled (buyers), or for direct
/// awards without bids, to the named supplier at the given amount.
pub async fn award(
    db: &Database,
    rulebook: &Rulebook,
    actor: &Actor,
    tender_id: i64,
    lot_id: i64,
    direct: Option<(i64, &str)>,
    now: Timestamp,
) -> Result<AwardRow, ServiceError> {
    may_manage(actor)?;
    let mut tx = db.begin().await?;
    let tender = tenders::find(&mut tx, tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(tender.phase(now), Action::Award).map_err(ServiceError::illegal)?;
    let lot = tenders::lots(&mut tx, tender_id)
        .await?
        .into_iter()
        .find(|l| l.id == lot_id)
        .ok_or(ServiceError::NotFound)?;
    let existing = awards::of_tender(&mut tx, tender_id).await?;
    if existing
        .iter()
        .any(|a| a.lot_id == lot_id && a.status != status::ANNULLED)
        || lot.status == "unsuccessful"
    {
        return Err(ServiceError::IllegalTransition {
            from: lot.status.clone(),
            action: "award".into(),
        });
    }
    // A lot in a reverse auction is awarded on the auction's result, once it is over.
    if crate::repository::auctions::of_tender(&mut tx, tender_id)
        .await?
        .iter()
        .any(|a| a.lot_id == lot_id && a.status != crate::repository::auctions::status::FINISHED)
    {
        return Err(ServiceError::IllegalTransition {
            from: "auction_pending".into(),
            action: "award".into(),
        });
    }
    let opened = bids::of_tender(&mut tx, tender_id, Some(bids::status::OPENED)).await?;
    let (bid_id, supplier_id, amount) = if opened.iter().any(|b| b.lot_id == lot_id) {
        if evaluation::reports(&mut tx, tender_id).await?.is_empty() {
            return Err(ServiceError::IllegalTransition {
                from: "evaluation".into(),
                action: "award".into(),
            });
        }
        let annulled: Vec<i64> = existing
            .iter()
            .filter(|a| a.lot_id == lot_id)
            .map(|a| a.bid_id)
            .collect();
        let ids: Vec<i64> = opened
            .iter()
            .filter(|b| b.lot_id == lot_id)
            .map(|b| b.id)
            .collect();
        let mut ranked: Vec<bids::OpenedBidRow> = bids::opened(&mut tx, &ids)
            .await?
            .into_iter()
            .filter(|o| {
                o.compliant == Some(true) && o.rank.is_some() && !annulled.contains(&o.bid_id)
            })
            .collect();
        ranked.sort_by_key(|o| o.rank);
        let best = ranked.first().ok_or(ServiceError::IllegalTransition {
            from: "no_compliant_bid".into(),
            action: "award".into(),
        })?;
        let bid = opened
            .iter()
            .find(|b| b.id == best.bid_id)
            .ok_or(ServiceError::NotFound)?;
        // The auction's final price where one was held (issue 4), else the sealed total.
        let price = best.auction_total.as_deref().unwrap_or(&best.total);
        (best.bid_id, bid.supplier_id, money::stored(price))
    } else {
        let Some((supplier_id, amount)) = direct else {
            return Err(ServiceError::field("supplier_id", FieldCode::Required));
        };
        let mut v = Validator::new();
        let amount = match parse_positive(amount, 2) {
            Ok(a) => a,
            Err(e) => {
                v.fail("amount", FieldCode::from(e));
                Decimal::ZERO
            }
        };
        match suppliers::find(&mut tx, supplier_id).await? {
            Some(s) if s.status == crate::domain::supplier::SupplierStatus::Verified => {}
            _ => v.fail("supplier_id", FieldCode::UnknownSupplier),
        }
        v.finish().map_err(ServiceError::Validation)?;
        (0, supplier_id, amount)
    };
    let standstill_end = rulebook
        .method(&tender.method_code)
        .and_then(|m| rulebook.standstill_end(m, now.to_datetime()))
        .map(Timestamp::from_datetime)
        .unwrap_or(now);
    let row = AwardRow {
        id: 0,
        tender_id,
        lot_id,
        bid_id,
        supplier_id,
        amount: money::round_minor(amount).to_string(),
        amount_minor: money::to_minor(amount),
        currency: tender.currency.clone(),
        status: status::STANDSTILL.to_string(),
        decided_at: now.as_micros(),
        standstill_ends_at: standstill_end.as_micros(),
        final_at: None,
        decided_by: actor.user_id().unwrap_or(0),
    };
    let award_id = awards::insert(&mut tx, &row).await?;
    tenders::set_lot_status(&mut tx, lot_id, "awarded").await?;
    settle_tender_status(&mut tx, tender_id, now).await?;
    let bidders: Vec<i64> = opened
        .iter()
        .filter(|b| b.lot_id == lot_id)
        .map(|b| b.supplier_id)
        .chain([supplier_id])
        .collect();
    let users = suppliers::user_ids(&mut tx, &bidders).await?;
    let winner = suppliers::find(&mut tx, supplier_id)
        .await?
        .map(|s| s.legal_name)
        .unwrap_or_default();
    notifications::notify(
        &mut tx,
        &users,
        "award-decided",
        &serde_json::json!({"title": tender.title, "lot": lot.number, "supplier": winner}),
        &format!("/tenders/{tender_id}#awards"),
        now,
    )
    .await?;
    let row = AwardRow {
        id: award_id,
        ..row
    };
    commit_with(
        tx,
        actor,
        &AwardDecided {
            award: &row,
            supplier: &winner,
        },
        Publication::release(tender_id, ReleaseEvent::Award, now),
    )
    .await?;
    Ok(row)
}

/// Makes final every award whose standstill is over with no pending complaint. Called by the
/// periodic job and before anything that needs a final award.
pub async fn finalize_due(db: &Database, now: Timestamp) -> Result<usize, ServiceError> {
    let mut tx = db.begin().await?;
    let due = awards::due_for_finality(&mut tx, now).await?;
    let mut done = 0;
    for a in due {
        let pending = awards::complaints(&mut tx, a.tender_id)
            .await?
            .iter()
            .any(|c| c.award_id == a.id && c.status == complaint_status::FILED);
        if pending {
            continue;
        }
        if awards::set_status(&mut tx, a.id, status::STANDSTILL, status::FINAL, now).await? {
            record(
                &mut tx,
                &Actor::System("standstill"),
                &AwardFinal {
                    tender_id: a.tender_id,
                    award_id: a.id,
                    lot_id: a.lot_id,
                },
                Publication::release(a.tender_id, ReleaseEvent::AwardUpdate, now),
            )
            .await?;
            done += 1;
        }
    }
    tx.commit().await?;
    Ok(done)
}

/// A bidder of the lot (not the winner) files a complaint before the standstill ends.
pub async fn file_complaint(
    db: &Database,
    actor: &Actor,
    award_id: i64,
    text: &str,
    now: Timestamp,
) -> Result<ComplaintRow, ServiceError> {
    let mut v = Validator::new();
    let text = v.text("text", text, 20, 8000);
    v.finish().map_err(ServiceError::Validation)?;
    let mut tx = db.begin().await?;
    let supplier_id = acting_supplier(&mut tx, actor).await?;
    let award = awards::find(&mut tx, award_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let tender = tenders::find(&mut tx, award.tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(tender.phase(now), Action::FileComplaint).map_err(ServiceError::illegal)?;
    if award.status != status::STANDSTILL || now.as_micros() >= award.standstill_ends_at {
        return Err(ServiceError::IllegalTransition {
            from: award.status.clone(),
            action: "file_complaint".into(),
        });
    }
    let bid_on_lot = bids::of_tender(&mut tx, award.tender_id, Some(bids::status::OPENED))
        .await?
        .iter()
        .any(|b| b.lot_id == award.lot_id && b.supplier_id == supplier_id);
    if !bid_on_lot || supplier_id == award.supplier_id {
        return Err(ServiceError::Forbidden);
    }
    let by = actor.user_id().unwrap_or(0);
    let id = awards::file(
        &mut tx,
        award.tender_id,
        award_id,
        supplier_id,
        by,
        &text,
        now,
    )
    .await?;
    let complaint = awards::complaint(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let buyers = crate::repository::users::list(
        &mut tx,
        &crate::repository::users::UserFilter {
            role: Some(Role::Buyer),
            active: Some(true),
            ..Default::default()
        },
        0,
        200,
    )
    .await?;
    notifications::notify(
        &mut tx,
        &buyers.items.iter().map(|u| u.id).collect::<Vec<_>>(),
        "complaint-filed",
        &serde_json::json!({"title": tender.title}),
        &format!("/tenders/{}#complaints", award.tender_id),
        now,
    )
    .await?;
    commit_with(
        tx,
        actor,
        &ComplaintFiled {
            complaint: &complaint,
        },
        Publication::None,
    )
    .await?;
    Ok(complaint)
}

/// The buyer resolves a complaint; upheld annuls the award.
pub async fn resolve_complaint(
    db: &Database,
    actor: &Actor,
    complaint_id: i64,
    upheld: bool,
    resolution: &str,
    now: Timestamp,
) -> Result<ComplaintRow, ServiceError> {
    may_manage(actor)?;
    let mut v = Validator::new();
    let resolution = v.text("resolution", resolution, 20, 8000);
    v.finish().map_err(ServiceError::Validation)?;
    let mut tx = db.begin().await?;
    let before = awards::complaint(&mut tx, complaint_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let tender = tenders::find(&mut tx, before.tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(tender.phase(now), Action::ResolveComplaint).map_err(ServiceError::illegal)?;
    let by = actor.user_id().unwrap_or(0);
    if !awards::resolve(&mut tx, complaint_id, upheld, &resolution, by, now).await? {
        return Err(ServiceError::IllegalTransition {
            from: before.status.clone(),
            action: "resolve_complaint".into(),
        });
    }
    if upheld {
        let award = awards::find(&mut tx, before.award_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        awards::set_status(&mut tx, award.id, &award.status, status::ANNULLED, now).await?;
        tenders::set_lot_status(&mut tx, award.lot_id, "active").await?;
        settle_tender_status(&mut tx, before.tender_id, now).await?;
    }
    let after = awards::complaint(&mut tx, complaint_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let users = suppliers::user_ids(&mut tx, &[before.supplier_id]).await?;
    notifications::notify(
        &mut tx,
        &users,
        "complaint-resolved",
        &serde_json::json!({"title": tender.title}),
        &format!("/tenders/{}#complaints", before.tender_id),
        now,
    )
    .await?;
    let resolution = ComplaintResolution {
        before: &before,
        after: &after,
    };
    if upheld {
        // The annulled award changes the process's public record.
        let publication = Publication::release(before.tender_id, ReleaseEvent::AwardUpdate, now);
        commit_with(tx, actor, &ComplaintUpheld(resolution), publication).await?;
    } else {
        commit_with(tx, actor, &ComplaintRejected(resolution), Publication::None).await?;
    }
    Ok(after)
}

/// One delivery milestone as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MilestoneForm {
    /// Tender item delivered.
    pub tender_item_id: i64,
    /// Quantity.
    #[serde(default)]
    pub quantity: String,
    /// Due date (RFC 3339 or local `YYYY-MM-DD`/`YYYY-MM-DDTHH:MM`).
    #[serde(default)]
    pub due: String,
    /// Notes.
    #[serde(default)]
    pub description: String,
}

/// A contract as submitted.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ContractForm {
    /// Contract number (generated when empty).
    #[serde(default)]
    pub number: String,
    /// Start date.
    #[serde(default)]
    pub start: String,
    /// End date.
    #[serde(default)]
    pub end: String,
    /// Payment terms.
    #[serde(default)]
    pub payment_terms: String,
    /// Delivery schedule (at least one milestone).
    #[serde(default)]
    pub milestones: Vec<MilestoneForm>,
}

fn parse_day(text: &str, tz: Tz) -> Option<Timestamp> {
    Timestamp::parse_local(text, tz)
        .or_else(|| Timestamp::parse_local(&format!("{}T00:00", text.trim()), tz))
}

/// Signs the contract of a final award (buyers): delivery schedule and payment terms. The
/// tender is contracted once every live award has its contract.
pub async fn sign_contract(
    db: &Database,
    tz: Tz,
    actor: &Actor,
    award_id: i64,
    form: &ContractForm,
    now: Timestamp,
) -> Result<ContractRow, ServiceError> {
    may_manage(actor)?;
    finalize_due(db, now).await?;
    let mut v = Validator::new();
    let payment_terms = v.text("payment_terms", &form.payment_terms, 10, 4000);
    let start = parse_day(&form.start, tz);
    let end = parse_day(&form.end, tz);
    if start.is_none() {
        v.fail("start", FieldCode::InvalidDate);
    }
    if end.is_none() || end < start {
        v.fail("end", FieldCode::InvalidDate);
    }
    let mut tx = db.begin().await?;
    let award = awards::find(&mut tx, award_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let tender = tenders::find(&mut tx, award.tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(tender.phase(now), Action::SignContract).map_err(ServiceError::illegal)?;
    if award.status != status::FINAL {
        return Err(ServiceError::IllegalTransition {
            from: award.status.clone(),
            action: "sign_contract".into(),
        });
    }
    // A framework lot ends in an agreement, from which units call off (issue 14).
    if crate::repository::agreements::terms(&mut tx, award.tender_id)
        .await?
        .is_some()
    {
        return Err(ServiceError::IllegalTransition {
            from: "framework".into(),
            action: "sign_contract".into(),
        });
    }
    if contracts::of_tender(&mut tx, award.tender_id)
        .await?
        .iter()
        .any(|c| c.award_id == award_id)
    {
        return Err(ServiceError::IllegalTransition {
            from: "contracted".into(),
            action: "sign_contract".into(),
        });
    }
    let items: Vec<i64> = tenders::items(&mut tx, award.tender_id)
        .await?
        .iter()
        .filter(|i| i.lot_id == award.lot_id)
        .map(|i| i.id)
        .collect();
    if form.milestones.is_empty() {
        v.fail("milestones", FieldCode::AtLeastOne);
    }
    let mut milestones = Vec::new();
    for (i, m) in form.milestones.iter().enumerate() {
        if !items.contains(&m.tender_item_id) {
            v.fail(
                &format!("milestones[{i}].tender_item_id"),
                FieldCode::UnknownOption,
            );
        }
        let quantity = parse_positive(&m.quantity, 3);
        if quantity.is_err() {
            v.fail(
                &format!("milestones[{i}].quantity"),
                FieldCode::InvalidNumber,
            );
        }
        let due = parse_day(&m.due, tz);
        if due.is_none() {
            v.fail(&format!("milestones[{i}].due"), FieldCode::InvalidDate);
        }
        milestones.push((m, quantity.unwrap_or_default(), due.unwrap_or(now)));
    }
    v.finish().map_err(ServiceError::Validation)?;
    let number = if form.number.trim().is_empty() {
        format!(
            "CTR-{}-{:05}",
            tender.year,
            contracts::count(&mut tx).await? + 1
        )
    } else {
        form.number.trim().chars().take(60).collect()
    };
    let row = ContractRow {
        id: 0,
        tender_id: award.tender_id,
        award_id,
        supplier_id: award.supplier_id,
        number,
        amount: award.amount.clone(),
        amount_minor: award.amount_minor,
        currency: award.currency.clone(),
        signed_at: now.as_micros(),
        start_date: start.unwrap_or(now).as_micros(),
        end_date: end.unwrap_or(now).as_micros(),
        payment_terms,
        status: "active".into(),
        created_by: actor.user_id().unwrap_or(0),
    };
    let contract_id = contracts::insert(&mut tx, &row)
        .await
        .map_err(|e| match e {
            crate::repository::RepoError::UniqueViolation(_) => {
                ServiceError::field("number", FieldCode::AlreadyRegistered)
            }
            other => other.into(),
        })?;
    for (n, (m, quantity, due)) in milestones.iter().enumerate() {
        contracts::insert_milestone(
            &mut tx,
            &MilestoneRow {
                id: 0,
                contract_id,
                number: n as i64 + 1,
                tender_item_id: m.tender_item_id,
                quantity: quantity.to_string(),
                due_at: due.as_micros(),
                description: m.description.trim().chars().take(500).collect(),
            },
        )
        .await?;
    }
    let live: Vec<i64> = awards::of_tender(&mut tx, award.tender_id)
        .await?
        .iter()
        .filter(|a| a.status != status::ANNULLED)
        .map(|a| a.id)
        .collect();
    let signed: Vec<i64> = contracts::of_tender(&mut tx, award.tender_id)
        .await?
        .iter()
        .map(|c| c.award_id)
        .collect();
    if live.iter().all(|a| signed.contains(a)) {
        tenders::set_status(
            &mut tx,
            award.tender_id,
            TenderStatus::Awarded,
            TenderStatus::Contracted,
            None,
            now,
        )
        .await?;
    }
    let row = ContractRow {
        id: contract_id,
        ..row
    };
    commit_with(
        tx,
        actor,
        &ContractSigned { contract: &row },
        Publication::release(award.tender_id, ReleaseEvent::Contract, now),
    )
    .await?;
    Ok(row)
}

/// Records a contract amendment with its reason and value change (buyers).
pub async fn amend_contract(
    db: &Database,
    tz: Tz,
    actor: &Actor,
    contract_id: i64,
    reason: &str,
    value_change: &str,
    new_end: &str,
    now: Timestamp,
) -> Result<ContractAmendmentRow, ServiceError> {
    may_manage(actor)?;
    let mut v = Validator::new();
    let reason = v.text("reason", reason, 10, 4000);
    let change = match value_change.trim() {
        "" => Decimal::ZERO,
        t => {
            let (neg, digits) = t.strip_prefix('-').map(|d| (true, d)).unwrap_or((false, t));
            match parse_positive(digits, 2) {
                Ok(d) => {
                    if neg {
                        -d
                    } else {
                        d
                    }
                }
                Err(_) => {
                    v.fail("value_change", FieldCode::InvalidNumber);
                    Decimal::ZERO
                }
            }
        }
    };
    let end = match new_end.trim() {
        "" => None,
        t => {
            let e = parse_day(t, tz);
            if e.is_none() {
                v.fail("new_end", FieldCode::InvalidDate);
            }
            e
        }
    };
    v.finish().map_err(ServiceError::Validation)?;
    let mut tx = db.begin().await?;
    let contract = contracts::find(&mut tx, contract_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if contract.status != "active" {
        return Err(ServiceError::IllegalTransition {
            from: contract.status.clone(),
            action: "amend".into(),
        });
    }
    let amount = money::stored(&contract.amount) + change;
    if amount <= Decimal::ZERO {
        return Err(ServiceError::Validation(vec![FieldError {
            field: "value_change".into(),
            code: FieldCode::InvalidNumber,
        }]));
    }
    let number = contracts::amendments(&mut tx, contract_id).await?.len() as i64 + 1;
    let row = ContractAmendmentRow {
        id: 0,
        contract_id,
        number,
        reason,
        value_change: change.to_string(),
        new_end_date: end.map(Timestamp::as_micros),
        created_by: actor.user_id().unwrap_or(0),
        created_at: now.as_micros(),
    };
    let id = contracts::insert_amendment(&mut tx, &row).await?;
    contracts::amend_terms(
        &mut tx,
        contract_id,
        &amount.to_string(),
        money::to_minor(amount),
        end.map(Timestamp::as_micros).unwrap_or(contract.end_date),
    )
    .await?;
    let row = ContractAmendmentRow { id, ..row };
    commit_with(
        tx,
        actor,
        &ContractAmended {
            contract: &contract,
            amendment: &row,
        },
        Publication::release(contract.tender_id, ReleaseEvent::ContractAmendment, now),
    )
    .await?;
    Ok(row)
}

/// Declares a tender unsuccessful with a reason (buyers), e.g. below the minimum of bids.
pub async fn declare_unsuccessful(
    db: &Database,
    actor: &Actor,
    tender_id: i64,
    reason: &str,
    now: Timestamp,
) -> Result<(), ServiceError> {
    may_manage(actor)?;
    let mut v = Validator::new();
    let reason = v.text("reason", reason, 10, 4000);
    v.finish().map_err(ServiceError::Validation)?;
    let mut tx = db.begin().await?;
    let tender = tenders::find(&mut tx, tender_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    check(tender.phase(now), Action::DeclareUnsuccessful).map_err(ServiceError::illegal)?;
    tenders::set_status(
        &mut tx,
        tender_id,
        tender.status(),
        TenderStatus::Unsuccessful,
        Some(&reason),
        now,
    )
    .await?;
    commit_with(
        tx,
        actor,
        &TenderUnsuccessful {
            tender: &tender,
            reason: UnsuccessfulReason { reason: &reason },
        },
        Publication::release(tender_id, ReleaseEvent::TenderUpdate, now),
    )
    .await?;
    Ok(())
}
