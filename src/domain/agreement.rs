//! Framework agreements (contratos abiertos, long-term agreements) and their call-offs
//! (pedidos derivados), as rules without storage (issue 14).
//!
//! One competition concludes an agreement per lot with one or several ranked suppliers, their
//! unit prices and ceilings; the institution's units then call off what they need during its
//! period. The ceilings follow EU Directive 2014/24 art. 33 as read in C-23/20 (Simonsen &
//! Weel): the estimated *and* the maximum quantity are stated up front, and once the maximum is
//! reached the agreement has no further effect. The cascade follows ProZorro Market: a ranked
//! supplier that does not confirm within the window passes the order to the next.

use crate::domain::error_code::ErrorCode;
use crate::domain::validation::FieldCode;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// How the call-offs of a lot are placed; frozen at publication and shown to everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOffMethod {
    /// To the first-ranked supplier, who confirms or declines; no cascade.
    Direct,
    /// To the first rank; a decline or silence passes it to the next rank.
    Cascade,
    /// Competition reopened among the lot's suppliers for each call-off.
    MiniCompetition,
}

impl CallOffMethod {
    /// Every method, in the order forms show them.
    pub const ALL: [CallOffMethod; 3] = [
        CallOffMethod::Direct,
        CallOffMethod::Cascade,
        CallOffMethod::MiniCompetition,
    ];

    /// Stable code (database, API, OCDS details).
    pub const fn code(self) -> &'static str {
        match self {
            CallOffMethod::Direct => "direct",
            CallOffMethod::Cascade => "cascade",
            CallOffMethod::MiniCompetition => "mini_competition",
        }
    }

    /// Parses a stored or submitted code.
    pub fn from_code(code: &str) -> Option<CallOffMethod> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    /// Translation key of the method's name.
    pub fn label_key(self) -> String {
        format!("call-off-method-{}", self.code().replace('_', "-"))
    }

    /// The OCDS techniques extension's `frameworkAgreement.method`.
    pub const fn ocds_method(self) -> &'static str {
        match self {
            CallOffMethod::Direct | CallOffMethod::Cascade => "withoutReopeningCompetition",
            CallOffMethod::MiniCompetition => "withReopeningCompetition",
        }
    }
}

/// The life of an agreement: pending → active → (suspended) → expired / terminated /
/// exhausted (ProZorro's agreement states, plus the maximum reached of C-23/20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatus {
    /// Concluded, its period not started.
    Pending,
    /// Call-offs may be placed.
    Active,
    /// Temporarily closed to new call-offs (confirmed ones run their course).
    Suspended,
    /// Its period is over.
    Expired,
    /// Ended early.
    Terminated,
    /// Every item reached its maximum (or the value ceiling was reached).
    Exhausted,
}

impl AgreementStatus {
    /// Every status.
    pub const ALL: [AgreementStatus; 6] = [
        AgreementStatus::Pending,
        AgreementStatus::Active,
        AgreementStatus::Suspended,
        AgreementStatus::Expired,
        AgreementStatus::Terminated,
        AgreementStatus::Exhausted,
    ];

    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            AgreementStatus::Pending => "pending",
            AgreementStatus::Active => "active",
            AgreementStatus::Suspended => "suspended",
            AgreementStatus::Expired => "expired",
            AgreementStatus::Terminated => "terminated",
            AgreementStatus::Exhausted => "exhausted",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<AgreementStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Translation key of the status's name.
    pub fn label_key(self) -> String {
        format!("agreement-status-{}", self.code())
    }

    /// Whether the agreement can no longer come back to life.
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            AgreementStatus::Expired | AgreementStatus::Terminated | AgreementStatus::Exhausted
        )
    }

    /// The OCDS agreement-as-contract status.
    pub const fn ocds_status(self) -> &'static str {
        match self {
            AgreementStatus::Pending => "pending",
            AgreementStatus::Active | AgreementStatus::Suspended => "active",
            AgreementStatus::Expired | AgreementStatus::Exhausted => "terminated",
            AgreementStatus::Terminated => "terminated",
        }
    }
}

/// Where a call-off stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOffStatus {
    /// Offered to a ranked supplier, awaiting its confirmation until a stored deadline.
    Offered,
    /// A supplier confirmed it: a contract to deliver.
    Confirmed,
    /// Every rank declined or stayed silent; the buyer is told, with the reasons.
    Unfilled,
    /// Withdrawn by its unit before any supplier confirmed it.
    Cancelled,
}

impl CallOffStatus {
    /// Every status.
    pub const ALL: [CallOffStatus; 4] = [
        CallOffStatus::Offered,
        CallOffStatus::Confirmed,
        CallOffStatus::Unfilled,
        CallOffStatus::Cancelled,
    ];

    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            CallOffStatus::Offered => "offered",
            CallOffStatus::Confirmed => "confirmed",
            CallOffStatus::Unfilled => "unfilled",
            CallOffStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<CallOffStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Translation key of the status's name.
    pub fn label_key(self) -> String {
        format!("call-off-status-{}", self.code())
    }

    /// Whether the call-off still holds its quantities against the ceilings.
    pub const fn holds_quantity(self) -> bool {
        matches!(self, CallOffStatus::Offered | CallOffStatus::Confirmed)
    }
}

/// Why a ranked supplier declines a call-off. The first five are valid reasons to pass an
/// order to the next rank; `Other` is recorded but counts as a skip without a valid reason in
/// the red flags (issue 14), as silence does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    /// No stock of the product to deliver on the dates asked.
    OutOfStock,
    /// The production line cannot make the quantity in time.
    ProductionCapacity,
    /// An event outside the supplier's control.
    ForceMajeure,
    /// The product is no longer made.
    ProductDiscontinued,
    /// A health registration or import permit problem.
    Regulatory,
    /// Anything else (explained in the note).
    Other,
}

impl DeclineReason {
    /// Every reason, in the order forms show them.
    pub const ALL: [DeclineReason; 6] = [
        DeclineReason::OutOfStock,
        DeclineReason::ProductionCapacity,
        DeclineReason::ForceMajeure,
        DeclineReason::ProductDiscontinued,
        DeclineReason::Regulatory,
        DeclineReason::Other,
    ];

    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            DeclineReason::OutOfStock => "out_of_stock",
            DeclineReason::ProductionCapacity => "production_capacity",
            DeclineReason::ForceMajeure => "force_majeure",
            DeclineReason::ProductDiscontinued => "product_discontinued",
            DeclineReason::Regulatory => "regulatory",
            DeclineReason::Other => "other",
        }
    }

    /// Parses a stored or submitted code.
    pub fn from_code(code: &str) -> Option<DeclineReason> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Translation key of the reason.
    pub fn label_key(self) -> String {
        format!("decline-reason-{}", self.code().replace('_', "-"))
    }
}

/// What came of offering a call-off to one rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferOutcome {
    /// Awaiting the supplier until the deadline.
    Pending,
    /// The supplier confirmed.
    Accepted,
    /// The supplier declined, with a coded reason.
    Declined,
    /// The window closed in silence.
    Expired,
    /// The order was withdrawn while this offer was pending.
    Withdrawn,
    /// The ceiling could not take the order at this supplier's prices.
    OverCeiling,
}

impl OfferOutcome {
    /// Every outcome.
    pub const ALL: [OfferOutcome; 6] = [
        OfferOutcome::Pending,
        OfferOutcome::Accepted,
        OfferOutcome::Declined,
        OfferOutcome::Expired,
        OfferOutcome::Withdrawn,
        OfferOutcome::OverCeiling,
    ];

    /// Stable code.
    pub const fn code(self) -> &'static str {
        match self {
            OfferOutcome::Pending => "pending",
            OfferOutcome::Accepted => "accepted",
            OfferOutcome::Declined => "declined",
            OfferOutcome::Expired => "expired",
            OfferOutcome::Withdrawn => "withdrawn",
            OfferOutcome::OverCeiling => "over_ceiling",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<OfferOutcome> {
        Self::ALL.into_iter().find(|o| o.code() == code)
    }

    /// Translation key.
    pub fn label_key(self) -> String {
        format!("offer-outcome-{}", self.code().replace('_', "-"))
    }
}

/// Why a call-off is refused before anything is written. Each has a stable error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallOffRefusal {
    /// The agreement is not active (pending, suspended, expired, terminated, exhausted).
    NotActive(AgreementStatus),
    /// A delivery date, or the placement itself, falls outside the agreement's period.
    OutsidePeriod,
    /// The unit is not one of the agreement's participating units.
    UnitNotParticipant,
    /// An item that is not in this agreement.
    UnknownItem(i64),
    /// The quantity or value left cannot take the order.
    CeilingReached {
        /// The agreement item (0 for the value ceiling).
        item_id: i64,
        /// What is left, in the item's unit (or in minor currency units for the value).
        remaining: i64,
    },
}

impl CallOffRefusal {
    /// The stable code reported to the caller.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            CallOffRefusal::NotActive(_) => ErrorCode::AgreementNotActive,
            CallOffRefusal::OutsidePeriod => ErrorCode::AgreementOutsidePeriod,
            CallOffRefusal::UnitNotParticipant => ErrorCode::AgreementUnitNotParticipant,
            CallOffRefusal::UnknownItem(_) => ErrorCode::AgreementUnknownItem,
            CallOffRefusal::CeilingReached { .. } => ErrorCode::AgreementCeilingReached,
        }
    }

    /// Machine-readable facts for the caller (`details`).
    pub fn details(&self) -> serde_json::Value {
        match self {
            CallOffRefusal::NotActive(s) => serde_json::json!({"status": s.code()}),
            CallOffRefusal::OutsidePeriod | CallOffRefusal::UnitNotParticipant => {
                serde_json::json!({})
            }
            CallOffRefusal::UnknownItem(id) => serde_json::json!({"item_id": id}),
            CallOffRefusal::CeilingReached { item_id, remaining } => {
                serde_json::json!({"item_id": item_id, "remaining": remaining})
            }
        }
    }
}

/// The parts of an agreement a new call-off is checked against.
#[derive(Debug, Clone)]
pub struct CallOffCheck<'a> {
    /// The agreement's status.
    pub status: AgreementStatus,
    /// Period start and end (µs, UTC).
    pub period: (i64, i64),
    /// Whether the placing unit participates.
    pub unit_participates: bool,
    /// The agreement's item ids.
    pub items: &'a [i64],
}

/// One line of a cart: item, quantity, delivery instant (µs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CartLine {
    /// Agreement item.
    pub item_id: i64,
    /// Whole units of the item's unit of issue.
    pub quantity: i64,
    /// Delivery date (µs, UTC midnight of the day in the configured zone).
    pub delivery_at: i64,
}

/// Checks a call-off's placement against the agreement, before the ceilings (which are taken
/// in the database, in the same transaction, so concurrent orders cannot beat them).
pub fn check_call_off(
    a: &CallOffCheck<'_>,
    now: i64,
    lines: &[CartLine],
) -> Result<(), CallOffRefusal> {
    if a.status != AgreementStatus::Active {
        return Err(CallOffRefusal::NotActive(a.status));
    }
    if !a.unit_participates {
        return Err(CallOffRefusal::UnitNotParticipant);
    }
    if now < a.period.0 || now >= a.period.1 {
        return Err(CallOffRefusal::OutsidePeriod);
    }
    for line in lines {
        if !a.items.contains(&line.item_id) {
            return Err(CallOffRefusal::UnknownItem(line.item_id));
        }
        if line.delivery_at < a.period.0 || line.delivery_at >= a.period.1 {
            return Err(CallOffRefusal::OutsidePeriod);
        }
    }
    Ok(())
}

/// Reads a quantity of an agreement — a duration in months, a number of suppliers, a maximum
/// or a call-off quantity — typed by a person: a positive whole number, with the platform's one
/// reading rule for typed numbers (`money::parse_positive`: `1,250` is read, `12,50` refused).
pub fn whole_quantity(text: &str) -> Result<i64, FieldCode> {
    use rust_decimal::prelude::ToPrimitive;
    crate::domain::money::parse_positive(text, 0)
        .map_err(FieldCode::from)?
        .to_i64()
        .ok_or(FieldCode::InvalidNumber)
}

/// Whether `ordered` of `max` has crossed the alert share (`percent`) — the buyers are told once.
pub fn crosses_alert(before: i64, after: i64, max: i64, percent: u32) -> bool {
    let threshold = i128::from(max) * i128::from(percent);
    i128::from(before) * 100 < threshold && i128::from(after) * 100 >= threshold
}

/// A party's unit prices after a reverse auction: the auction gives a lot total, not item
/// prices, so each sealed unit price is scaled by final ÷ sealed total (rounded to 4
/// decimals, the precision bids are made in) — the proportions the supplier bid are kept.
pub fn scaled_unit_price(
    sealed_unit: Decimal,
    sealed_total: Decimal,
    final_total: Decimal,
) -> Decimal {
    if sealed_total.is_zero() {
        return sealed_unit;
    }
    (sealed_unit * final_total / sealed_total).round_dp(4)
}

/// One month of a supplier's expected call-off schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExpectedMonth {
    /// First day of the month.
    pub month: NaiveDate,
    /// Quantity ordered by call-offs delivering in that month (past and already placed).
    pub ordered: i64,
    /// Quantity still expected in that month: what the estimate has left, spread evenly
    /// over the months not yet ordered (zero for months already past).
    pub expected: i64,
}

/// The expected call-off schedule of one item (issue 14, point 6: the reason long-term
/// agreements exist is that industry can plan production). The estimate not yet ordered is
/// spread evenly over the remaining months of the period from `today`'s month on; months
/// before it show only what was ordered. Integer division's remainder goes to the earliest
/// months, so the months add up exactly to the estimate left.
pub fn expected_schedule(
    start: NaiveDate,
    end: NaiveDate,
    estimate: i64,
    ordered_by_month: &[(NaiveDate, i64)],
    today: NaiveDate,
) -> Vec<ExpectedMonth> {
    let first = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let mut months = Vec::new();
    let mut m = first(start);
    while m <= end {
        months.push(m);
        match m.checked_add_months(chrono::Months::new(1)) {
            Some(next) => m = next,
            None => break,
        }
    }
    let ordered_in = |month: NaiveDate| -> i64 {
        ordered_by_month
            .iter()
            .filter(|(d, _)| first(*d) == month)
            .map(|(_, q)| *q)
            .sum()
    };
    let total_ordered: i64 = ordered_by_month.iter().map(|(_, q)| *q).sum();
    let left = (estimate - total_ordered).max(0);
    let this_month = first(today);
    let future: Vec<NaiveDate> = months
        .iter()
        .copied()
        .filter(|m| *m >= this_month)
        .collect();
    let n = future.len() as i64;
    months
        .iter()
        .map(|&month| {
            let expected = if n == 0 || month < this_month {
                0
            } else {
                let idx = future.iter().position(|f| *f == month).unwrap_or(0) as i64;
                left / n + i64::from(idx < left % n)
            };
            ExpectedMonth {
                month,
                ordered: ordered_in(month),
                expected,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn codes_round_trip() {
        for m in CallOffMethod::ALL {
            assert_eq!(CallOffMethod::from_code(m.code()), Some(m));
        }
        for s in AgreementStatus::ALL {
            assert_eq!(AgreementStatus::from_code(s.code()), Some(s));
        }
        for s in CallOffStatus::ALL {
            assert_eq!(CallOffStatus::from_code(s.code()), Some(s));
        }
        for r in DeclineReason::ALL {
            assert_eq!(DeclineReason::from_code(r.code()), Some(r));
        }
        for o in OfferOutcome::ALL {
            assert_eq!(OfferOutcome::from_code(o.code()), Some(o));
        }
        assert_eq!(CallOffMethod::from_code("lottery"), None);
    }

    #[test]
    fn a_call_off_is_checked_against_status_unit_period_and_items() {
        let items = [1, 2];
        let ok = CallOffCheck {
            status: AgreementStatus::Active,
            period: (100, 1000),
            unit_participates: true,
            items: &items,
        };
        let line = |item_id, delivery_at| CartLine {
            item_id,
            quantity: 5,
            delivery_at,
        };
        assert_eq!(check_call_off(&ok, 200, &[line(1, 500)]), Ok(()));
        let suspended = CallOffCheck {
            status: AgreementStatus::Suspended,
            ..ok.clone()
        };
        assert_eq!(
            check_call_off(&suspended, 200, &[line(1, 500)]),
            Err(CallOffRefusal::NotActive(AgreementStatus::Suspended))
        );
        let outsider = CallOffCheck {
            unit_participates: false,
            ..ok.clone()
        };
        assert_eq!(
            check_call_off(&outsider, 200, &[line(1, 500)]),
            Err(CallOffRefusal::UnitNotParticipant)
        );
        assert_eq!(
            check_call_off(&ok, 1000, &[line(1, 500)]),
            Err(CallOffRefusal::OutsidePeriod)
        );
        assert_eq!(
            check_call_off(&ok, 200, &[line(1, 1000)]),
            Err(CallOffRefusal::OutsidePeriod)
        );
        assert_eq!(
            check_call_off(&ok, 200, &[line(3, 500)]),
            Err(CallOffRefusal::UnknownItem(3))
        );
    }

    #[test]
    fn the_alert_fires_once_when_the_share_is_crossed() {
        assert!(crosses_alert(79, 80, 100, 80));
        assert!(crosses_alert(0, 100, 100, 80));
        assert!(!crosses_alert(80, 90, 100, 80));
        assert!(!crosses_alert(10, 79, 100, 80));
        // No overflow at the largest quantities.
        assert!(!crosses_alert(0, 1, i64::MAX, 80));
    }

    #[test]
    fn auction_prices_keep_the_bid_proportions() {
        let total = Decimal::new(1000, 0);
        let final_total = Decimal::new(900, 0);
        assert_eq!(
            scaled_unit_price(Decimal::new(25, 1), total, final_total),
            Decimal::new(225, 2)
        );
        assert_eq!(
            scaled_unit_price(Decimal::ONE, Decimal::ZERO, final_total),
            Decimal::ONE
        );
    }

    #[test]
    fn the_expected_schedule_spreads_what_is_left_over_the_months_to_come() {
        // A 12-month agreement of 1,200 units; 300 ordered in the first two months.
        let s = expected_schedule(
            d(2026, 1, 1),
            d(2026, 12, 31),
            1200,
            &[(d(2026, 1, 15), 100), (d(2026, 2, 3), 200)],
            d(2026, 3, 10),
        );
        assert_eq!(s.len(), 12);
        assert_eq!(s[0].ordered, 100);
        assert_eq!(s[0].expected, 0);
        assert_eq!(s[1].ordered, 200);
        // 900 left over March–December (10 months).
        assert!(s[2..].iter().all(|m| m.expected == 90));
        assert_eq!(s.iter().map(|m| m.expected).sum::<i64>(), 900);
    }

    #[test]
    fn the_remainder_goes_to_the_earliest_months_and_nothing_is_negative() {
        let s = expected_schedule(d(2026, 1, 1), d(2026, 3, 31), 10, &[], d(2026, 1, 1));
        assert_eq!(
            s.iter().map(|m| m.expected).collect::<Vec<_>>(),
            vec![4, 3, 3]
        );
        let over = expected_schedule(
            d(2026, 1, 1),
            d(2026, 3, 31),
            10,
            &[(d(2026, 1, 2), 50)],
            d(2026, 1, 1),
        );
        assert!(over.iter().all(|m| m.expected == 0));
        let after = expected_schedule(d(2026, 1, 1), d(2026, 3, 31), 10, &[], d(2027, 1, 1));
        assert!(after.iter().all(|m| m.expected == 0));
    }
}
