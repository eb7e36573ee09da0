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

/// The Guatemalan file with a random slice replaced by random text.
fn damaged_file() -> impl Strategy<Value = String> {
    let text = tianguis_rulebook::EMBEDDED[0].2;
    let len = text.len();
    (0..len, 0usize..40, "[ -~\n]{0,20}").prop_map(move |(start, cut, insert)| {
        let start = (0..=start)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let end = (start + cut).min(len);
        let end = (end..=len)
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(len);
        format!("{}{}{}", &text[..start], insert, &text[end..])
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A damaged file is loaded or refused with a documented code; it never panics.
    #[test]
    fn damaged_files_never_panic(text in damaged_file()) {
        if let Err(e) = Rulebook::from_toml(&text) {
            prop_assert!(e.code().starts_with("rulebook."));
            prop_assert!(e.to_string().starts_with(e.code()));
        }
    }

    /// Any plan — extreme values, instants across chrono's range, unknown categories — gets an
    /// answer, never a panic, and refusals always carry `rule.*` codes and a citation.
    #[test]
    fn arbitrary_plans_never_panic(
        method in prop_oneof![Just("licitacion"), Just("caso_excepcion"), Just("cotizacion"), Just("contrato_abierto"), Just("x")],
        mantissa in any::<i64>(),
        scale in 0u32..=28,
        published in -8_000_000_000_000i64..8_000_000_000_000,
        deadline_offset in proptest::option::of(-100_000_000_000i64..100_000_000_000),
        clar_offset in proptest::option::of(-100_000_000_000i64..100_000_000_000),
        category in proptest::option::of("[0-9a-z]{0,4}"),
        justification in proptest::option::of(".{0,80}"),
    ) {
        let gt = gt();
        let at = chrono::DateTime::from_timestamp(published, 0).unwrap();
        let shift = |s: i64| at.checked_add_signed(Duration::seconds(s));
        let plan = tianguis_rulebook::TenderPlan {
            method: method.into(),
            estimated_value: Decimal::new(mantissa, scale),
            currency: "GTQ".into(),
            published_at: at,
            bid_deadline: deadline_offset.and_then(shift),
            clarification_deadline: clar_offset.and_then(shift),
            justification,
            exception_category: category,
            lots: vec![],
            framework: None,
        };
        if let Err(violations) = gt.check_tender(&plan) {
            for v in violations {
                prop_assert!(v.code().starts_with("rule."));
                prop_assert!(!v.citation.article.is_empty());
            }
        }
        let _ = gt.public_flag(&plan);
    }
}
