//! Properties over generated values and dates (proptest):
//! - in a profile that partitions the value line, every valid value has exactly one partition
//!   method, `suggest_methods` puts it first, and every suggested method accepts a plan with
//!   that value whose deadlines sit exactly at the minimum;
//! - one second earlier than the minimum deadline is always refused as too short;
//! - business-day arithmetic is consistent: `add_days` lands on a business day, counting back
//!   with `days_between` gives the same number, and `sub_days` inverts it.

mod common;

use chrono::{Duration, NaiveDate};
use common::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use tianguis_rulebook::{DaysKind, Rulebook};

fn books() -> [Rulebook; 2] {
    [gt(), un()]
}

/// Values from one cent to ten thousand million, in cents, biased towards the thresholds.
fn value() -> impl Strategy<Value = Decimal> {
    // US$ 2,500 and 25,000 (UN); Q25,000, Q90,000 and Q900,000 (Guatemala), in cents.
    let thresholds = [250_000i64, 2_500_000, 9_000_000, 90_000_000];
    prop_oneof![
        (1i64..=1_000_000_000_000).prop_map(|c| Decimal::new(c, 2)),
        (0usize..thresholds.len(), -2i64..=2)
            .prop_map(move |(i, d)| Decimal::new(thresholds[i] + d, 2)),
    ]
}

/// Publication instants between 2019 (both profiles in force) and 2035, any second of the day.
fn published() -> impl Strategy<Value = chrono::DateTime<chrono::Utc>> {
    (0i64..(16 * 365 * 86_400)).prop_map(|s| gt_time(2019, 1, 1, 0, 0, 0) + Duration::seconds(s))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn suggested_methods_accept_the_value(value in value(), at in published()) {
        for book in books() {
            let partition: Vec<_> = book.value_partition().collect();
            prop_assert!(!partition.is_empty());
            let owners: Vec<_> = partition.iter().filter(|m| m.value_range().value.contains(value)).collect();
            prop_assert_eq!(owners.len(), 1, "{} {}", book.id(), value);
            let suggested = book.suggest_methods(value);
            prop_assert!(!suggested.is_empty());
            prop_assert_eq!(suggested[0].code(), owners[0].code());
            for method in suggested {
                let plan = valid_plan(&book, method, value, at);
                let result = book.check_tender(&plan);
                prop_assert!(result.is_ok(), "{} {} {} {:?}", book.id(), method.code(), value, result);
            }
        }
    }

    #[test]
    fn one_second_before_the_minimum_deadline_is_too_short(at in published()) {
        for book in books() {
            for method in book.methods().iter().filter(|m| m.bidding_period().is_some()) {
                let value = method.value_range().value.min + Decimal::ONE;
                let mut plan = valid_plan(&book, method, value, at);
                let minimum = plan.bid_deadline.unwrap();
                prop_assert!(book.check_tender(&plan).is_ok());
                plan.bid_deadline = Some(minimum - Duration::seconds(1));
                plan.clarification_deadline = plan.clarification_deadline.map(|c| c.min(minimum - Duration::seconds(2)));
                let codes = codes(book.check_tender(&plan));
                prop_assert!(codes.contains(&"rule.period_too_short"), "{} {:?}", method.code(), codes);
            }
        }
    }

    #[test]
    fn business_day_arithmetic_is_consistent(start in 0i64..(30 * 365), days in 0u32..120) {
        let from = NaiveDate::from_ymd_opt(2010, 1, 1).unwrap() + Duration::days(start);
        for book in books() {
            let cal = book.calendar();
            for kind in [DaysKind::Business, DaysKind::Calendar] {
                let to = cal.add_days(from, days, kind).unwrap();
                prop_assert_eq!(cal.days_between(from, to, kind), days);
                if days > 0 {
                    if kind == DaysKind::Business {
                        prop_assert!(cal.is_business_day(to));
                    }
                    // The day before `to` has one day fewer.
                    prop_assert_eq!(cal.days_between(from, to - Duration::days(1), kind), days - 1);
                    if cal.is_business_day(from) || kind == DaysKind::Calendar {
                        prop_assert_eq!(cal.sub_days(to, days, kind), Some(from));
                    }
                }
            }
        }
    }
}
