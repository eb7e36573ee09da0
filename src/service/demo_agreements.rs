//! The demo's framework agreements (issue 14): the demo year's `contrato_abierto` tenders get
//! their terms before publication (24 months, the hospitals and clinics as participating
//! units, a ranked cascade on the first lot, direct call-offs on the others), their awards end
//! in agreements, and the units with demo pharmacists (HGE, HQUE, HCOA) call off every month
//! until the present: most call-offs are confirmed the next day, some are declined for lack
//! of stock and cascade to the next rank, a few wait out the window in silence. The first
//! agreement's first item is ordered fast enough to come near its maximum.

use super::agreements::{LotTermsInput, TermsInput};
use super::call_offs::{CartInput, CartLineInput};
use super::demo_year::Dice;
use super::{Actor, ServiceError, agreements, call_offs};
use crate::domain::agreement::CallOffStatus;
use crate::domain::time::Timestamp;
use crate::domain::unit::UnitKind;
use crate::repository::agreements::{self as repo, AgreementRow};
use crate::repository::tenders::{ItemRow, LotRow};
use crate::repository::units::{self as units_repo, UnitFilter};
use crate::repository::{Database, call_offs as call_offs_repo, users};
use chrono_tz::Tz;
use std::collections::BTreeMap;
use tianguis_rulebook::Rulebook;

const DAY: i64 = 86_400;

/// The units whose demo pharmacists place call-offs, with the pharmacist's username.
const CALLING_UNITS: [(&str, &str); 3] = [
    ("HGE", "farmacia"),
    ("HQUE", "farmacia2"),
    ("HCOA", "farmacia2"),
];

/// The terms of the demo's `n`-th framework tender.
pub(super) async fn terms(
    db: &Database,
    lots: &[LotRow],
    items: &[ItemRow],
) -> Result<TermsInput, ServiceError> {
    let mut conn = db.read().await?;
    let units: Vec<String> = units_repo::list(&mut conn, &UnitFilter::default())
        .await?
        .into_iter()
        .filter(|u| matches!(u.kind, UnitKind::Hospital | UnitKind::Clinic))
        .map(|u| u.code)
        .collect();
    let lots = lots
        .iter()
        .enumerate()
        .map(|(i, l)| {
            (
                l.id,
                LotTermsInput {
                    max_suppliers: if i == 0 { "3" } else { "1" }.into(),
                    call_off_method: if i == 0 { "cascade" } else { "direct" }.into(),
                    max_value: String::new(),
                },
            )
        })
        .collect();
    // The maximum is a quarter above the estimate (the buffer C-23/20 asks to state).
    let items = items
        .iter()
        .map(|i| {
            use rust_decimal::prelude::ToPrimitive;
            let estimate = crate::domain::money::stored(&i.quantity)
                .trunc()
                .to_i64()
                .unwrap_or(1);
            (i.id, ((estimate * 5 + 3) / 4).to_string())
        })
        .collect();
    Ok(TermsInput {
        duration_months: "24".into(),
        units,
        lots,
        items,
    })
}

/// Concludes the agreement of a framework lot and walks its call-offs until `until`.
#[allow(clippy::too_many_arguments)]
pub(super) async fn conclude_and_call_off(
    db: &Database,
    rulebook: &Rulebook,
    tz: Tz,
    buyer: &Actor,
    suppliers: &[(i64, Actor)],
    tender_id: i64,
    lot_id: i64,
    concluded: Timestamp,
    until: Timestamp,
) -> Result<usize, ServiceError> {
    let a = agreements::conclude(db, rulebook, tz, buyer, tender_id, lot_id, "", concluded).await?;
    call_off_months(db, rulebook, tz, suppliers, &a, until).await
}

async fn call_off_months(
    db: &Database,
    rulebook: &Rulebook,
    tz: Tz,
    suppliers: &[(i64, Actor)],
    a: &AgreementRow,
    until: Timestamp,
) -> Result<usize, ServiceError> {
    let mut placers = BTreeMap::new();
    for (_, username) in CALLING_UNITS {
        if let Some((u, _)) = users::find_for_login(&mut db.read().await?, username).await? {
            placers.insert(username, Actor::User(u));
        }
    }
    let items = {
        let mut conn = db.read().await?;
        repo::items(&mut conn, a.id).await?
    };
    let first_agreement = a.number.ends_with("-0001");
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15 ^ a.id as u64);
    let mut placed = 0;
    let mut month = 0;
    loop {
        let at =
            Timestamp::from_micros(a.start_at).plus_seconds((month * 30 + 3) * DAY + 15 * 3600);
        if at.as_micros() > until.as_micros() || at.as_micros() >= a.end_at {
            break;
        }
        for (unit, username) in CALLING_UNITS {
            let Some(placer) = placers.get(username) else {
                continue;
            };
            let fresh = {
                let mut conn = db.read().await?;
                repo::items(&mut conn, a.id).await?
            };
            let lines: Vec<CartLineInput> = items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| {
                    // A month's share of the estimate for one of three units; the first
                    // agreement's first item at four times the pace.
                    let pace = if first_agreement && i == 0 { 4 } else { 1 };
                    let base = (item.estimated_quantity * pace / 72).max(1);
                    let q = base * (90 + (dice.below(21) as i64)) / 100;
                    let left = fresh
                        .iter()
                        .find(|f| f.id == item.id)
                        .map(|f| f.max_quantity - f.ordered_quantity)
                        .unwrap_or(0);
                    let q = q.min(left);
                    (q > 0).then(|| CartLineInput {
                        item_id: item.id,
                        quantity: q.to_string(),
                        delivery: at
                            .plus_seconds(12 * DAY)
                            .to_datetime()
                            .with_timezone(&tz)
                            .date_naive()
                            .to_string(),
                    })
                })
                .collect();
            if lines.is_empty() {
                continue;
            }
            let c = call_offs::place(
                db,
                rulebook,
                tz,
                placer,
                a.id,
                &CartInput {
                    unit: unit.into(),
                    lines,
                },
                at,
            )
            .await?;
            placed += 1;
            answer(db, rulebook, suppliers, c.id, at, until, &mut dice).await?;
        }
        month += 1;
    }
    Ok(placed)
}

/// The suppliers answer a call-off as it reaches them: most confirm the next day, some decline
/// for lack of stock or capacity, a few stay silent until the window closes.
async fn answer(
    db: &Database,
    rulebook: &Rulebook,
    suppliers: &[(i64, Actor)],
    call_off_id: i64,
    placed: Timestamp,
    until: Timestamp,
    dice: &mut Dice,
) -> Result<(), ServiceError> {
    let mut at = placed;
    for _ in 0..6 {
        let (c, offer) = {
            let mut conn = db.read().await?;
            let c = call_offs_repo::find(&mut conn, call_off_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let offer = call_offs_repo::offers(&mut conn, call_off_id)
                .await?
                .into_iter()
                .find(|o| o.outcome == "pending");
            (c, offer)
        };
        let (Some(offer), true) = (offer, c.status == CallOffStatus::Offered.code()) else {
            return Ok(());
        };
        let supplier_id = {
            let mut conn = db.read().await?;
            repo::parties(&mut conn, c.agreement_id)
                .await?
                .into_iter()
                .find(|p| p.id == offer.party_id)
                .map(|p| p.supplier_id)
        };
        let Some((_, supplier)) = suppliers.iter().find(|(id, _)| Some(*id) == supplier_id) else {
            // A party without a demo account: its window closes in silence.
            let closes = Timestamp::from_micros(offer.deadline_at);
            if closes.as_micros() > until.as_micros() {
                return Ok(());
            }
            call_offs::run_cascade(db, rulebook, closes).await?;
            at = closes;
            continue;
        };
        let when = at.plus_seconds(DAY);
        if when.as_micros() > until.as_micros() || when.as_micros() >= offer.deadline_at {
            return Ok(());
        }
        let roll = dice.below(100);
        if roll < 84 {
            call_offs::confirm(db, supplier, call_off_id, when).await?;
            return Ok(());
        } else if roll < 94 {
            let reason = if roll < 90 {
                "out_of_stock"
            } else {
                "production_capacity"
            };
            call_offs::decline(db, rulebook, supplier, call_off_id, reason, "", when).await?;
            at = when;
        } else {
            let closes = Timestamp::from_micros(offer.deadline_at);
            if closes.as_micros() > until.as_micros() {
                return Ok(());
            }
            call_offs::run_cascade(db, rulebook, closes).await?;
            at = closes;
        }
    }
    Ok(())
}
