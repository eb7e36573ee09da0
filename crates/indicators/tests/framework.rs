//! Properties of the framework-agreement red flags (issue 14) over generated agreements: the
//! split flag's soundness, independence from the order of the facts, consistent counts and
//! explanations without unfilled placeholders.

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use tianguis_indicators::Lang;
use tianguis_indicators::framework::{
    AgreementFacts, CallOffFacts, CallOffMethod, Evaluation, Figures, FrameworkIndicator,
    FrameworkSettings, ItemFacts, LotFacts, PartyFacts, SkipFacts, SkipReason, evaluate,
};

fn money(max_cents: i64) -> impl Strategy<Value = Decimal> {
    (0..=max_cents).prop_map(|c| Decimal::new(c, 2))
}

fn day() -> impl Strategy<Value = NaiveDate> {
    (0u64..150).prop_map(|n| NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(n))
}

fn method() -> impl Strategy<Value = CallOffMethod> {
    prop_oneof![
        Just(CallOffMethod::Direct),
        Just(CallOffMethod::Cascade),
        Just(CallOffMethod::MiniCompetition),
    ]
}

fn skip_reason() -> impl Strategy<Value = SkipReason> {
    prop_oneof![
        Just(SkipReason::NoResponse),
        prop::option::of(prop_oneof![
            Just("out_of_stock".to_string()),
            Just("force_majeure".to_string()),
            Just("other".to_string()),
            Just(String::new()),
        ])
        .prop_map(|code| SkipReason::Declined { code }),
    ]
}

fn lot(index: usize) -> impl Strategy<Value = LotFacts> {
    (
        method(),
        prop::collection::btree_set(1i64..7, 1..4),
        prop::collection::vec(
            (
                prop::option::of(money(100_000)),
                prop::option::of(money(100_000)),
                money(120_000),
            ),
            0..3,
        ),
    )
        .prop_map(move |(method, suppliers, items)| LotFacts {
            id: format!("L{index}"),
            method,
            parties: suppliers
                .into_iter()
                .enumerate()
                .map(|(i, supplier_id)| PartyFacts {
                    supplier_id,
                    name: format!("S{supplier_id}"),
                    rank: i as u32 + 1,
                })
                .collect(),
            items: items
                .into_iter()
                .enumerate()
                .map(|(i, (estimated_qty, max_qty, ordered_qty))| ItemFacts {
                    id: format!("I{i}"),
                    description: format!("Item {i}"),
                    estimated_qty,
                    max_qty,
                    ordered_qty,
                })
                .collect(),
        })
}

fn call_off(index: usize, lots: usize) -> impl Strategy<Value = CallOffFacts> {
    (
        0..lots,
        prop_oneof![Just("HGE"), Just("CONS-VN")],
        day(),
        money(15_000_000),
        method(),
        prop::option::of(1i64..7),
        prop::collection::vec((1u32..5, 1i64..7, skip_reason()), 0..3),
    )
        .prop_map(
            move |(lot, unit, placed_on, value, method_used, supplier_id, skips)| CallOffFacts {
                ocid: format!("co-{index}"),
                lot_id: format!("L{lot}"),
                unit_code: unit.into(),
                placed_on,
                value,
                method_used,
                supplier_id,
                skips: skips
                    .into_iter()
                    .map(|(rank, supplier_id, reason)| SkipFacts {
                        rank,
                        supplier_id,
                        reason,
                    })
                    .collect(),
            },
        )
}

fn agreement() -> impl Strategy<Value = AgreementFacts> {
    (1usize..4, 0usize..14).prop_flat_map(|(lots, call_offs)| {
        (
            (0..lots).map(lot).collect::<Vec<_>>(),
            (0..call_offs)
                .map(|i| call_off(i, lots))
                .collect::<Vec<_>>(),
            prop::option::of(money(10_000_000)),
            prop::option::of(money(50_000_000)),
            money(60_000_000),
            day(),
            0u64..1200,
            1u32..49,
        )
            .prop_map(
                |(lots, call_offs, threshold, max_value, ordered_value, start, days, max)| {
                    AgreementFacts {
                        ocid: "ocds-fa".into(),
                        title: "T".into(),
                        currency: "GTQ".into(),
                        max_duration_months: max,
                        period_start: start,
                        period_end: start + chrono::Days::new(days),
                        extension_exception: None,
                        mini_competition_threshold: threshold,
                        max_value,
                        ordered_value,
                        lots,
                        call_offs,
                    }
                },
            )
    })
}

/// A Fisher–Yates shuffle driven by a seed (xorshift), so the permutation is part of the case.
fn shuffle<T>(items: &mut [T], seed: &mut u64) {
    for i in (1..items.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        let j = (*seed % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

fn shuffled(facts: &AgreementFacts, seed: u64) -> AgreementFacts {
    let mut seed = seed | 1;
    let mut out = facts.clone();
    shuffle(&mut out.lots, &mut seed);
    for lot in &mut out.lots {
        shuffle(&mut lot.parties, &mut seed);
        shuffle(&mut lot.items, &mut seed);
    }
    shuffle(&mut out.call_offs, &mut seed);
    for c in &mut out.call_offs {
        shuffle(&mut c.skips, &mut seed);
    }
    out
}

fn settings() -> impl Strategy<Value = FrameworkSettings> {
    (0i64..45, 1i64..=10, 0usize..7, 1i64..=10, 0usize..5).prop_map(
        |(window, concentration, minimum, near, pattern)| FrameworkSettings {
            split_window_days: window,
            concentration_share: Decimal::new(concentration, 1),
            concentration_minimum_call_offs: minimum,
            near_maximum_share: Decimal::new(near, 1),
            skip_pattern_minimum: pattern,
        },
    )
}

fn split_flags(e: &Evaluation) -> usize {
    e.flags_of(FrameworkIndicator::SplitCallOffs).count()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn splitting_never_flags_when_every_call_off_is_at_or_above_the_threshold(
        mut facts in agreement(),
        threshold in money(10_000_000),
        settings in settings(),
    ) {
        facts.mini_competition_threshold = Some(threshold);
        for c in &mut facts.call_offs {
            if c.value < threshold {
                c.value = threshold;
            }
        }
        prop_assert_eq!(split_flags(&evaluate(&facts, &settings)), 0);
    }

    #[test]
    fn every_split_is_one_unit_on_one_lot_below_the_threshold_within_the_window(
        facts in agreement(),
        settings in settings(),
    ) {
        let e = evaluate(&facts, &settings);
        for flag in e.flags_of(FrameworkIndicator::SplitCallOffs) {
            let Figures::Split(f) = &flag.figures else { panic!("{flag:?}") };
            prop_assert!(f.call_offs.len() >= 2);
            prop_assert!(f.total >= f.threshold);
            prop_assert_eq!(f.total, f.call_offs.iter().map(|c| c.value).sum::<Decimal>());
            prop_assert!((f.last - f.first).num_days() <= settings.split_window_days);
            for r in &f.call_offs {
                prop_assert!(r.value < f.threshold);
                let c = facts.call_offs.iter().find(|c| c.ocid == r.ocid).unwrap();
                prop_assert_ne!(c.method_used, CallOffMethod::MiniCompetition);
                let tianguis_indicators::framework::Subject::UnitOnLot { unit_code, lot_id } =
                    &flag.subject else { panic!("{flag:?}") };
                prop_assert_eq!(&c.unit_code, unit_code);
                prop_assert_eq!(&c.lot_id, lot_id);
            }
        }
    }

    #[test]
    fn flags_do_not_depend_on_the_order_of_the_facts(
        facts in agreement(),
        settings in settings(),
        seed in any::<u64>(),
    ) {
        let e = evaluate(&facts, &settings);
        prop_assert_eq!(&e, &evaluate(&shuffled(&facts, seed), &settings));
        prop_assert_eq!(e.report(Lang::Es), evaluate(&shuffled(&facts, seed), &settings).report(Lang::Es));
    }

    #[test]
    fn counts_agree_and_every_explanation_is_filled_in(
        facts in agreement(),
        settings in settings(),
    ) {
        let e = evaluate(&facts, &settings);
        prop_assert_eq!(e.checks.len(), FrameworkIndicator::ALL.len());
        for check in &e.checks {
            prop_assert_eq!(check.flagged as usize, e.flags_of(check.indicator).count());
            prop_assert!(check.evaluated > 0 || !check.not_applicable.is_empty());
        }
        for lang in [Lang::Es, Lang::En] {
            for flag in &e.report(lang).flags {
                prop_assert!(!flag.explanation.is_empty());
                prop_assert!(!flag.explanation.contains('{'), "{}", flag.explanation);
                prop_assert!(!flag.explanation.starts_with("flag-"), "{}", flag.explanation);
            }
        }
    }
}
