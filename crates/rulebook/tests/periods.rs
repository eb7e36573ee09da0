//! Minimum bidding periods (one day short vs exact), business-day counting across weekends,
//! Holy Week and moved holidays, clarification windows, standstill, time zone of the count.

mod common;

use common::*;
use tianguis_rulebook::{DaysKind, Violation, easter_sunday};

#[test]
fn cotizacion_needs_eight_business_days() {
    let gt = gt();
    let m = gt.method("cotizacion").unwrap();
    // Published Monday 3 March 2025, 09:00 in Guatemala. Business days Tue 4 … Fri 7 (4),
    // Mon 10 … Thu 13 (8): bids may be due from Thursday 13 March.
    let published = gt_time(2025, 3, 3, 9, 0, 0);
    assert_eq!(
        gt.minimum_deadline_date(m, published),
        Some(date(2025, 3, 13))
    );
    assert_eq!(
        gt.minimum_deadline(m, published),
        Some(gt_time(2025, 3, 13, 0, 0, 0))
    );
    assert_eq!(
        gt.minimum_deadline(m, published).unwrap().to_rfc3339(),
        "2025-03-13T06:00:00+00:00"
    );

    let mut plan = valid_plan(&gt, m, money("100000"), published);
    plan.bid_deadline = Some(gt_time(2025, 3, 13, 0, 0, 0));
    assert!(
        gt.check_tender(&plan).is_ok(),
        "exactly eight business days"
    );
    plan.bid_deadline = Some(gt_time(2025, 3, 13, 10, 0, 0));
    assert!(gt.check_tender(&plan).is_ok());
    plan.bid_deadline = Some(gt_time(2025, 3, 12, 23, 59, 59));
    let refused = gt.check_tender(&plan).unwrap_err();
    assert_eq!(refused.len(), 1);
    assert_eq!(
        refused[0].violation,
        Violation::PeriodTooShort {
            required_days: 8,
            days_kind: DaysKind::Business,
            actual_days: 7,
            minimum_deadline: gt_time(2025, 3, 13, 0, 0, 0),
            minimum_deadline_date: date(2025, 3, 13),
        }
    );
    assert!(refused[0].citation.article.contains("Art. 39"));
    let json = serde_json::to_value(&refused[0]).unwrap();
    assert_eq!(json["code"], "rule.period_too_short");
    assert_eq!(json["days_kind"], "business");
    assert_eq!(json["minimum_deadline_date"], "2025-03-13");
}

#[test]
fn licitacion_needs_forty_calendar_days() {
    let gt = gt();
    let m = gt.method("licitacion").unwrap();
    let published = gt_time(2025, 3, 3, 9, 0, 0);
    assert_eq!(
        gt.minimum_deadline_date(m, published),
        Some(date(2025, 4, 12))
    );
    let mut plan = valid_plan(&gt, m, money("2000000"), published);
    assert!(gt.check_tender(&plan).is_ok());
    plan.bid_deadline = Some(gt_time(2025, 4, 11, 23, 59, 59));
    match &gt.check_tender(&plan).unwrap_err()[0].violation {
        Violation::PeriodTooShort {
            required_days: 40,
            actual_days: 39,
            days_kind: DaysKind::Calendar,
            ..
        } => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn business_days_skip_weekends_and_holy_week() {
    let gt = gt();
    let cal = gt.calendar();
    assert_eq!(easter_sunday(2025), Some(date(2025, 4, 20)));
    for holiday in [date(2025, 4, 17), date(2025, 4, 18), date(2025, 4, 19)] {
        assert!(!cal.is_business_day(holiday), "{holiday}");
    }
    assert!(cal.is_business_day(date(2025, 4, 16))); // Holy Wednesday works (only the afternoon is customary)
    assert!(!cal.is_business_day(date(2025, 3, 8))); // Saturday
    // Published Monday 14 April 2025: Tue 15 (1), Wed 16 (2), Thu–Sun holiday/weekend,
    // Mon 21 (3) … Fri 25 (7), Mon 28 (8).
    let m = gt.method("cotizacion").unwrap();
    assert_eq!(
        gt.minimum_deadline_date(m, gt_time(2025, 4, 14, 9, 0, 0)),
        Some(date(2025, 4, 28))
    );
    assert_eq!(
        cal.days_between(date(2025, 4, 14), date(2025, 4, 28), DaysKind::Business),
        8
    );
    assert_eq!(
        cal.days_between(date(2025, 4, 14), date(2025, 4, 28), DaysKind::Calendar),
        14
    );
    assert_eq!(
        cal.add_days(date(2025, 4, 28), 8, DaysKind::Business),
        Some(date(2025, 5, 9))
    ); // skips 1 May
    assert_eq!(
        cal.sub_days(date(2025, 4, 28), 3, DaysKind::Business),
        Some(date(2025, 4, 23))
    );
    assert_eq!(
        cal.sub_days(date(2025, 4, 22), 2, DaysKind::Business),
        Some(date(2025, 4, 16))
    ); // back over Holy Week
    // Published on a Saturday: counting starts on Monday.
    assert_eq!(
        cal.add_days(date(2025, 3, 8), 1, DaysKind::Business),
        Some(date(2025, 3, 10))
    );
    // Across the new year: 31 Dec (half day) counts, 1 Jan does not.
    assert_eq!(
        cal.add_days(date(2025, 12, 30), 2, DaysKind::Business),
        Some(date(2026, 1, 2))
    );
}

#[test]
fn army_day_moves_for_a_long_weekend() {
    let cal = gt().calendar().clone();
    // 2026-06-30 is a Tuesday: enjoyed on Monday 29 June, and Tuesday 30 is a business day.
    assert!(!cal.is_business_day(date(2026, 6, 29)));
    assert!(cal.is_business_day(date(2026, 6, 30)));
    // 2027-06-30 is a Wednesday: enjoyed on Friday 2 July.
    assert!(cal.is_business_day(date(2027, 6, 30)));
    assert!(!cal.is_business_day(date(2027, 7, 2)));
    assert_eq!(
        cal.holiday_on(date(2027, 7, 2)).unwrap().name_es,
        "Día del Ejército"
    );
    // 20 October is not moved (Corte de Constitucionalidad, 2020): 2026-10-20 is a Tuesday.
    assert!(!cal.is_business_day(date(2026, 10, 20)));
    assert!(cal.is_business_day(date(2026, 10, 19)));
}

#[test]
fn days_are_counted_in_guatemala_not_utc() {
    let gt = gt();
    let m = gt.method("cotizacion").unwrap();
    // 23:30 on Monday in Guatemala is already Tuesday in UTC; the count starts from Monday.
    let late_monday = gt_time(2025, 3, 3, 23, 30, 0);
    assert_eq!(late_monday.to_rfc3339(), "2025-03-04T05:30:00+00:00");
    assert_eq!(gt.local_date(late_monday), date(2025, 3, 3));
    assert_eq!(
        gt.minimum_deadline_date(m, late_monday),
        Some(date(2025, 3, 13))
    );
}

#[test]
fn un_rfq_and_itb_periods_in_working_days() {
    let un = un();
    let rfq = un.method("rfq").unwrap();
    // Friday 7 March 2025 → five working days → Friday 14 March.
    assert_eq!(
        un.minimum_deadline_date(rfq, gt_time(2025, 3, 7, 12, 0, 0)),
        Some(date(2025, 3, 14))
    );
    let itb = un.method("itb").unwrap();
    assert_eq!(
        un.minimum_deadline_date(itb, gt_time(2025, 3, 3, 9, 0, 0)),
        Some(date(2025, 3, 31))
    );
    // The UN profile keeps no Guatemalan holidays: Holy Thursday is a working day there.
    assert!(un.calendar().is_business_day(date(2025, 4, 17)));
    // Small-value purchases have no minimum period.
    assert_eq!(
        un.minimum_deadline(
            un.method("small_value").unwrap(),
            gt_time(2025, 3, 3, 9, 0, 0)
        ),
        None
    );
}

#[test]
fn missing_or_inverted_deadlines() {
    let gt = gt();
    let m = gt.method("licitacion").unwrap();
    let published = gt_time(2025, 3, 3, 9, 0, 0);
    let mut plan = valid_plan(&gt, m, money("2000000"), published);
    plan.bid_deadline = None;
    assert_eq!(
        codes(gt.check_tender(&plan)),
        ["rule.bid_deadline_required"]
    );
    plan.bid_deadline = Some(published);
    assert_eq!(
        codes(gt.check_tender(&plan)),
        ["rule.deadline_not_after_publication"]
    );
}

#[test]
fn clarification_window_closes_three_business_days_before_bids() {
    let gt = gt();
    let m = gt.method("licitacion").unwrap();
    let published = gt_time(2025, 3, 3, 9, 0, 0);
    let mut plan = valid_plan(&gt, m, money("2000000"), published);
    plan.bid_deadline = Some(gt_time(2025, 4, 14, 10, 0, 0)); // Monday
    // Fri 11 (1), Thu 10 (2), Wed 9 (3): questions may run until the end of Wednesday 9 April.
    assert_eq!(
        gt.latest_clarification_date(m, plan.bid_deadline.unwrap()),
        Some(date(2025, 4, 9))
    );
    plan.clarification_deadline = Some(gt_time(2025, 4, 9, 23, 59, 59));
    assert!(gt.check_tender(&plan).is_ok());
    plan.clarification_deadline = Some(gt_time(2025, 4, 10, 0, 0, 0));
    let refused = gt.check_tender(&plan).unwrap_err();
    assert_eq!(
        refused[0].violation,
        Violation::ClarificationDeadlineTooLate {
            required_days_before: 3,
            days_kind: DaysKind::Business,
            latest_date: date(2025, 4, 9),
            actual_date: date(2025, 4, 10),
        }
    );
    plan.clarification_deadline = Some(gt_time(2025, 4, 15, 0, 0, 0));
    assert_eq!(
        codes(gt.check_tender(&plan)),
        ["rule.clarification_deadline_out_of_period"]
    );
    plan.clarification_deadline = Some(published);
    assert_eq!(
        codes(gt.check_tender(&plan)),
        ["rule.clarification_deadline_out_of_period"]
    );
    plan.clarification_deadline = None;
    assert_eq!(
        codes(gt.check_tender(&plan)),
        ["rule.clarification_deadline_required"]
    );
}

#[test]
fn standstill_ends_after_its_last_day() {
    let gt = gt();
    let lic = gt.method("licitacion").unwrap();
    // Award notified Monday 3 March 2025: five calendar days, 4–8 March; final from 9 March 00:00.
    assert_eq!(
        gt.standstill_end(lic, gt_time(2025, 3, 3, 15, 0, 0)),
        Some(gt_time(2025, 3, 9, 0, 0, 0))
    );
    assert_eq!(
        gt.standstill_end(
            gt.method("baja_cuantia").unwrap(),
            gt_time(2025, 3, 3, 15, 0, 0)
        ),
        None
    );
}

#[test]
fn a_call_off_window_counts_business_days_from_the_local_day() {
    let gt = gt();
    let f = gt.method("contrato_abierto").unwrap().framework().unwrap();
    assert_eq!(f.value.confirmation_business_days, 2);
    // Offered Thursday 3 April 2025 at 16:00 in Guatemala: Friday 4 and Monday 7 count; the
    // window closes at the start of Tuesday 8 April.
    assert_eq!(
        gt.business_window_end(gt_time(2025, 4, 3, 16, 0, 0), 2),
        Some(gt_time(2025, 4, 8, 0, 0, 0))
    );
    // Offered on Holy Wednesday 16 April 2025: Holy Thursday and Good Friday are holidays,
    // so Monday 21 and Tuesday 22 count; it closes at the start of Wednesday 23 April.
    assert_eq!(
        gt.business_window_end(gt_time(2025, 4, 16, 10, 0, 0), 2),
        Some(gt_time(2025, 4, 23, 0, 0, 0))
    );
}
