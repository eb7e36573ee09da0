//! Hand-computed cases per flag, with the edges of each definition (issue 14).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::*;
use crate::Lang;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn party(supplier_id: i64, rank: u32) -> PartyFacts {
    PartyFacts {
        supplier_id,
        name: format!("S{supplier_id}"),
        rank,
    }
}

fn lot(id: &str, method: CallOffMethod, parties: Vec<PartyFacts>) -> LotFacts {
    LotFacts {
        id: id.into(),
        method,
        parties,
        items: Vec::new(),
    }
}

fn item(id: &str, estimated: Option<&str>, max: Option<&str>, ordered: &str) -> ItemFacts {
    ItemFacts {
        id: id.into(),
        description: format!("Item {id}"),
        estimated_qty: estimated.map(d),
        max_qty: max.map(d),
        ordered_qty: d(ordered),
    }
}

/// A direct call-off filled by supplier 1.
fn call_off(ocid: &str, lot_id: &str, unit: &str, on: &str, value: &str) -> CallOffFacts {
    CallOffFacts {
        ocid: ocid.into(),
        lot_id: lot_id.into(),
        unit_code: unit.into(),
        placed_on: day(on),
        value: d(value),
        method_used: CallOffMethod::Direct,
        supplier_id: Some(1),
        skips: Vec::new(),
    }
}

/// A cascade call-off on lot L1 filled by `filler` after `skips`.
fn cascade(ocid: &str, on: &str, filler: i64, skips: Vec<(u32, i64, SkipReason)>) -> CallOffFacts {
    CallOffFacts {
        method_used: CallOffMethod::Cascade,
        supplier_id: Some(filler),
        skips: skips
            .into_iter()
            .map(|(rank, supplier_id, reason)| SkipFacts {
                rank,
                supplier_id,
                reason,
            })
            .collect(),
        ..call_off(ocid, "L1", "HGE", on, "1000")
    }
}

fn declined(code: Option<&str>) -> SkipReason {
    SkipReason::Declined {
        code: code.map(str::to_string),
    }
}

/// A 24-month agreement (2025-01-01 to 2026-12-31, maximum 24) with a mini-competition
/// threshold of 100 000 GTQ and nothing else.
fn agreement() -> AgreementFacts {
    AgreementFacts {
        ocid: "ocds-fa-1".into(),
        title: "Medicamentos".into(),
        currency: "GTQ".into(),
        max_duration_months: 24,
        period_start: day("2025-01-01"),
        period_end: day("2026-12-31"),
        extension_exception: None,
        mini_competition_threshold: Some(d("100000")),
        max_value: None,
        ordered_value: Decimal::ZERO,
        lots: Vec::new(),
        call_offs: Vec::new(),
    }
}

fn eval(facts: &AgreementFacts) -> Evaluation {
    evaluate(facts, &FrameworkSettings::default())
}

fn figures(e: &Evaluation, indicator: FrameworkIndicator) -> Vec<Figures> {
    e.flags_of(indicator).map(|f| f.figures.clone()).collect()
}

fn na(e: &Evaluation, indicator: FrameworkIndicator, reason: FrameworkReason) -> u64 {
    e.check(indicator)
        .not_applicable
        .iter()
        .find(|r| r.reason == reason)
        .map_or(0, |r| r.count)
}

// ---------------------------------------------------------------------------- FA01 split

fn split_facts(values: &[(&str, &str)]) -> AgreementFacts {
    AgreementFacts {
        call_offs: values
            .iter()
            .enumerate()
            .map(|(i, (on, value))| call_off(&format!("co-{i}"), "L1", "HGE", on, value))
            .collect(),
        ..agreement()
    }
}

fn split_totals(e: &Evaluation) -> Vec<(usize, Decimal)> {
    figures(e, FrameworkIndicator::SplitCallOffs)
        .into_iter()
        .map(|f| match f {
            Figures::Split(s) => (s.call_offs.len(), s.total),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn split_is_flagged_when_the_total_reaches_the_threshold_exactly() {
    let e = eval(&split_facts(&[
        ("2025-03-01", "60000"),
        ("2025-03-10", "40000"),
    ]));
    assert_eq!(split_totals(&e), vec![(2, d("100000"))]);
    let flag = &e.flags[0];
    assert_eq!(
        flag.subject,
        Subject::UnitOnLot {
            unit_code: "HGE".into(),
            lot_id: "L1".into()
        }
    );
    let Figures::Split(f) = &flag.figures else {
        panic!()
    };
    assert_eq!((f.first, f.last), (day("2025-03-01"), day("2025-03-10")));
    assert_eq!(f.threshold, d("100000"));
    assert_eq!(f.window_days, 30);
    assert_eq!(
        e.check(FrameworkIndicator::SplitCallOffs).status(),
        Status::Flagged
    );
}

#[test]
fn split_just_under_the_threshold_is_not_flagged() {
    let e = eval(&split_facts(&[
        ("2025-03-01", "60000"),
        ("2025-03-10", "39999.99"),
    ]));
    assert!(split_totals(&e).is_empty());
    let check = e.check(FrameworkIndicator::SplitCallOffs);
    assert_eq!((check.evaluated, check.flagged), (2, 0));
    assert_eq!(check.status(), Status::NotFlagged);
}

#[test]
fn a_call_off_at_the_threshold_is_not_part_of_a_split() {
    // 100 000 is not below the threshold (it needed a mini-competition itself); 50 000 alone is
    // no split.
    let e = eval(&split_facts(&[
        ("2025-03-01", "100000"),
        ("2025-03-02", "50000"),
    ]));
    assert!(split_totals(&e).is_empty());
    // Just below it, the two are a split.
    let e = eval(&split_facts(&[
        ("2025-03-01", "99999.99"),
        ("2025-03-02", "50000"),
    ]));
    assert_eq!(split_totals(&e), vec![(2, d("149999.99"))]);
}

#[test]
fn one_call_off_is_never_a_split() {
    let e = eval(&split_facts(&[("2025-03-01", "99999")]));
    assert!(split_totals(&e).is_empty());
    assert_eq!(e.check(FrameworkIndicator::SplitCallOffs).evaluated, 1);
}

#[test]
fn split_window_is_inclusive_of_its_last_day() {
    // 30 days apart: inside the default window; 31: outside.
    let e = eval(&split_facts(&[
        ("2025-03-01", "60000"),
        ("2025-03-31", "60000"),
    ]));
    assert_eq!(split_totals(&e), vec![(2, d("120000"))]);
    let e = eval(&split_facts(&[
        ("2025-03-01", "60000"),
        ("2025-04-01", "60000"),
    ]));
    assert!(split_totals(&e).is_empty());
    // A shorter window from the settings.
    let settings = FrameworkSettings {
        split_window_days: 7,
        ..FrameworkSettings::default()
    };
    let e = evaluate(
        &split_facts(&[("2025-03-01", "60000"), ("2025-03-09", "60000")]),
        &settings,
    );
    assert!(split_totals(&e).is_empty());
}

#[test]
fn split_counts_one_unit_on_one_lot() {
    let mut facts = split_facts(&[("2025-03-01", "60000"), ("2025-03-02", "60000")]);
    facts.call_offs[1].unit_code = "CONS-VN".into();
    assert!(split_totals(&eval(&facts)).is_empty());
    let mut facts = split_facts(&[("2025-03-01", "60000"), ("2025-03-02", "60000")]);
    facts.call_offs[1].lot_id = "L2".into();
    assert!(split_totals(&eval(&facts)).is_empty());
}

#[test]
fn split_reports_maximal_groups_once() {
    // Three within one window: one flag with the three, not three pairs.
    let e = eval(&split_facts(&[
        ("2025-03-01", "40000"),
        ("2025-03-11", "40000"),
        ("2025-03-21", "40000"),
    ]));
    assert_eq!(split_totals(&e), vec![(3, d("120000"))]);
    // A chain: days 0, 20, 40 with a 30-day window makes two overlapping groups.
    let e = eval(&split_facts(&[
        ("2025-03-01", "60000"),
        ("2025-03-21", "60000"),
        ("2025-04-10", "60000"),
    ]));
    assert_eq!(split_totals(&e), vec![(2, d("120000")), (2, d("120000"))]);
    // Same-day call-offs: one group.
    let e = eval(&split_facts(&[
        ("2025-03-01", "50000"),
        ("2025-03-01", "50000"),
    ]));
    assert_eq!(split_totals(&e), vec![(2, d("100000"))]);
}

#[test]
fn split_is_not_applicable_without_a_threshold() {
    let facts = AgreementFacts {
        mini_competition_threshold: None,
        ..split_facts(&[("2025-03-01", "60000"), ("2025-03-02", "60000")])
    };
    let e = eval(&facts);
    assert!(split_totals(&e).is_empty());
    let check = e.check(FrameworkIndicator::SplitCallOffs);
    assert_eq!(check.evaluated, 0);
    assert_eq!(
        check.status(),
        Status::NotApplicable(FrameworkReason::NoMiniCompetitionThreshold)
    );
    assert_eq!(
        na(
            &e,
            FrameworkIndicator::SplitCallOffs,
            FrameworkReason::NoMiniCompetitionThreshold
        ),
        2
    );
    // Without call-offs, that is the reason.
    assert_eq!(
        eval(&agreement())
            .check(FrameworkIndicator::SplitCallOffs)
            .status(),
        Status::NotApplicable(FrameworkReason::NoCallOffs)
    );
}

#[test]
fn split_leaves_out_mini_competitions() {
    let mut facts = split_facts(&[("2025-03-01", "60000"), ("2025-03-02", "60000")]);
    facts.call_offs[0].method_used = CallOffMethod::MiniCompetition;
    let e = eval(&facts);
    assert!(split_totals(&e).is_empty());
    assert_eq!(
        na(
            &e,
            FrameworkIndicator::SplitCallOffs,
            FrameworkReason::MiniCompetitionUsed
        ),
        1
    );
    assert_eq!(e.check(FrameworkIndicator::SplitCallOffs).evaluated, 1);
}

// ------------------------------------------------------------------- FA02/FA03 cascade skips

fn cascade_facts(call_offs: Vec<CallOffFacts>) -> AgreementFacts {
    AgreementFacts {
        lots: vec![lot(
            "L1",
            CallOffMethod::Cascade,
            vec![party(1, 1), party(2, 2), party(3, 3)],
        )],
        call_offs,
        ..agreement()
    }
}

fn skip_reasons(e: &Evaluation) -> Vec<Vec<(u32, UnjustifiedReason)>> {
    figures(e, FrameworkIndicator::SkippedRanks)
        .into_iter()
        .map(|f| match f {
            Figures::SkippedRanks(s) => s
                .skips
                .iter()
                .map(|s| (s.party.rank.unwrap(), s.reason.clone()))
                .collect(),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn valid_decline_codes_are_the_documented_five() {
    for code in VALID_DECLINE_CODES {
        assert!(is_valid_decline_code(code));
        assert!(declined(Some(code)).is_valid());
    }
    for code in ["other", "", "OUT_OF_STOCK", "price"] {
        assert!(!is_valid_decline_code(code), "{code}");
    }
    assert!(!declined(None).is_valid());
    assert!(!SkipReason::NoResponse.is_valid());
}

#[test]
fn a_skip_with_a_valid_decline_is_not_flagged() {
    let e = eval(&cascade_facts(vec![cascade(
        "co-1",
        "2025-03-01",
        2,
        vec![(1, 1, declined(Some("out_of_stock")))],
    )]));
    assert!(skip_reasons(&e).is_empty());
    assert_eq!(
        e.check(FrameworkIndicator::SkippedRanks).status(),
        Status::NotFlagged
    );
    // A skip recorded for the supplier that filled it in the end is not a skip.
    let e = eval(&cascade_facts(vec![cascade(
        "co-1",
        "2025-03-01",
        2,
        vec![
            (1, 1, declined(Some("regulatory"))),
            (2, 2, SkipReason::NoResponse),
        ],
    )]));
    assert!(skip_reasons(&e).is_empty());
}

#[test]
fn silence_other_and_missing_reasons_are_not_valid() {
    let e = eval(&cascade_facts(vec![
        cascade(
            "co-1",
            "2025-03-01",
            2,
            vec![(1, 1, SkipReason::NoResponse)],
        ),
        cascade(
            "co-2",
            "2025-03-02",
            2,
            vec![(1, 1, declined(Some("other")))],
        ),
        cascade("co-3", "2025-03-03", 2, vec![(1, 1, declined(None))]),
        cascade("co-4", "2025-03-04", 2, vec![(1, 1, declined(Some(" ")))]),
        cascade(
            "co-5",
            "2025-03-05",
            2,
            vec![(1, 1, declined(Some("OUT_OF_STOCK")))],
        ),
    ]));
    assert_eq!(
        skip_reasons(&e),
        vec![
            vec![(1, UnjustifiedReason::NoResponse)],
            vec![(
                1,
                UnjustifiedReason::Declined {
                    code: "other".into()
                }
            )],
            vec![(1, UnjustifiedReason::DeclinedWithoutReason)],
            vec![(1, UnjustifiedReason::DeclinedWithoutReason)],
            vec![(
                1,
                UnjustifiedReason::Declined {
                    code: "OUT_OF_STOCK".into()
                }
            )],
        ]
    );
    let first = &e.flags_of(FrameworkIndicator::SkippedRanks).next().unwrap();
    assert_eq!(
        first.subject,
        Subject::CallOff {
            ocid: "co-1".into(),
            lot_id: "L1".into(),
            unit_code: "HGE".into()
        }
    );
    let Figures::SkippedRanks(f) = &first.figures else {
        panic!()
    };
    assert_eq!(
        f.filled_by,
        PartyRef {
            supplier_id: 2,
            name: "S2".into(),
            rank: Some(2)
        }
    );
}

#[test]
fn a_better_rank_passed_over_without_any_record_is_a_skip() {
    // Rank 3 filled it; rank 1 declined validly, rank 2 has no record at all.
    let e = eval(&cascade_facts(vec![cascade(
        "co-1",
        "2025-03-01",
        3,
        vec![(1, 1, declined(Some("force_majeure")))],
    )]));
    assert_eq!(
        skip_reasons(&e),
        vec![vec![(2, UnjustifiedReason::Unrecorded)]]
    );
    // Filled by rank 1: nothing was skipped.
    let e = eval(&cascade_facts(vec![cascade(
        "co-1",
        "2025-03-01",
        1,
        vec![],
    )]));
    assert!(skip_reasons(&e).is_empty());
    assert_eq!(e.check(FrameworkIndicator::SkippedRanks).evaluated, 1);
}

#[test]
fn skips_apply_to_filled_cascade_call_offs_only() {
    let mut unfilled = cascade(
        "co-2",
        "2025-03-02",
        2,
        vec![(1, 1, SkipReason::NoResponse)],
    );
    unfilled.supplier_id = None;
    let direct = CallOffFacts {
        method_used: CallOffMethod::Direct,
        ..cascade(
            "co-3",
            "2025-03-03",
            2,
            vec![(1, 1, SkipReason::NoResponse)],
        )
    };
    let e = eval(&cascade_facts(vec![unfilled, direct]));
    assert!(skip_reasons(&e).is_empty());
    let check = e.check(FrameworkIndicator::SkippedRanks);
    assert_eq!(check.evaluated, 0);
    assert_eq!(
        na(
            &e,
            FrameworkIndicator::SkippedRanks,
            FrameworkReason::NotFilled
        ),
        1
    );
    assert_eq!(
        na(
            &e,
            FrameworkIndicator::SkippedRanks,
            FrameworkReason::NotACascade
        ),
        1
    );
    assert_eq!(
        e.check(FrameworkIndicator::SkipPattern).status(),
        Status::NotApplicable(FrameworkReason::NoCascadeCallOffs)
    );
}

fn silent_rank_one(n: usize) -> Vec<CallOffFacts> {
    (0..n)
        .map(|i| {
            cascade(
                &format!("co-{i}"),
                &format!("2025-03-{:02}", i + 1),
                2,
                vec![(1, 1, SkipReason::NoResponse)],
            )
        })
        .collect()
}

#[test]
fn a_pattern_needs_three_call_offs_after_unjustified_skips() {
    let e = eval(&cascade_facts(silent_rank_one(2)));
    assert_eq!(e.flags_of(FrameworkIndicator::SkipPattern).count(), 0);
    assert_eq!(
        e.check(FrameworkIndicator::SkipPattern).status(),
        Status::NotFlagged
    );

    let mut call_offs = silent_rank_one(3);
    // A call-off rank 1 filled itself does not count for supplier 2.
    call_offs.push(cascade("co-x", "2025-04-01", 1, vec![]));
    let e = eval(&cascade_facts(call_offs));
    let flags: Vec<_> = e.flags_of(FrameworkIndicator::SkipPattern).collect();
    assert_eq!(flags.len(), 1);
    assert_eq!(
        flags[0].subject,
        Subject::Supplier {
            supplier_id: 2,
            name: "S2".into()
        }
    );
    let Figures::SkipPattern(f) = &flags[0].figures else {
        panic!()
    };
    assert_eq!(f.call_offs.len(), 3);
    assert_eq!(f.value, d("3000"));
    assert_eq!(f.minimum, 3);
    assert_eq!(
        f.skipped,
        vec![PartyRef {
            supplier_id: 1,
            name: "S1".into(),
            rank: None
        }]
    );
    // Suppliers 1 and 2 filled cascade call-offs: both evaluated.
    assert_eq!(e.check(FrameworkIndicator::SkipPattern).evaluated, 2);
}

// ------------------------------------------------------------------- FA04 concentration

/// A lot with parties 1 (rank 1) and 2 (rank 2) and call-offs `(supplier, value)`.
fn concentration_facts(method: CallOffMethod, call_offs: &[(i64, &str)]) -> AgreementFacts {
    AgreementFacts {
        lots: vec![lot("L1", method, vec![party(1, 1), party(2, 2)])],
        call_offs: call_offs
            .iter()
            .enumerate()
            .map(|(i, (supplier, value))| CallOffFacts {
                supplier_id: Some(*supplier),
                method_used: method,
                ..call_off(
                    &format!("co-{i}"),
                    "L1",
                    "HGE",
                    &format!("2025-0{}-01", i % 9 + 1),
                    value,
                )
            })
            .collect(),
        mini_competition_threshold: None,
        ..agreement()
    }
}

fn concentration_shares(e: &Evaluation) -> Vec<(i64, Decimal)> {
    figures(e, FrameworkIndicator::Concentration)
        .into_iter()
        .map(|f| match f {
            Figures::Concentration(c) => (c.supplier.supplier_id, c.share),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn concentration_exactly_at_the_share_is_not_flagged() {
    // 400 of 500 = 0.8: not above 0.8.
    let e = eval(&concentration_facts(
        CallOffMethod::MiniCompetition,
        &[(1, "100"), (1, "100"), (1, "100"), (1, "100"), (2, "100")],
    ));
    assert!(concentration_shares(&e).is_empty());
    assert_eq!(
        e.check(FrameworkIndicator::Concentration).status(),
        Status::NotFlagged
    );
    // 400 of 499 = 0.8016: above.
    let e = eval(&concentration_facts(
        CallOffMethod::MiniCompetition,
        &[(1, "100"), (1, "100"), (1, "100"), (1, "100"), (2, "99")],
    ));
    assert_eq!(concentration_shares(&e), vec![(1, d("0.8016"))]);
    let Figures::Concentration(f) = &e.flags[0].figures else {
        panic!()
    };
    assert_eq!(
        (
            f.supplier_value,
            f.total_value,
            f.supplier_call_offs,
            f.call_offs,
            f.parties
        ),
        (d("400"), d("499"), 4, 5, 2)
    );
    assert_eq!(
        e.flags[0].subject,
        Subject::Lot {
            lot_id: "L1".into()
        }
    );
}

#[test]
fn concentration_needs_the_minimum_number_of_call_offs() {
    let e = eval(&concentration_facts(
        CallOffMethod::MiniCompetition,
        &[(1, "100"), (1, "100"), (1, "100"), (1, "100")],
    ));
    assert!(concentration_shares(&e).is_empty());
    assert_eq!(
        e.check(FrameworkIndicator::Concentration).status(),
        Status::NotApplicable(FrameworkReason::TooFewCallOffs)
    );
    let e = eval(&concentration_facts(
        CallOffMethod::MiniCompetition,
        &[(1, "100"); 5],
    ));
    assert_eq!(concentration_shares(&e), vec![(1, d("1"))]);
}

#[test]
fn concentration_is_not_applicable_on_a_single_supplier_lot() {
    let mut facts = concentration_facts(CallOffMethod::MiniCompetition, &[(1, "100"); 6]);
    facts.lots[0].parties = vec![party(1, 1)];
    let e = eval(&facts);
    assert!(concentration_shares(&e).is_empty());
    assert_eq!(
        e.check(FrameworkIndicator::Concentration).status(),
        Status::NotApplicable(FrameworkReason::SingleSupplierLot)
    );
    // The same supplier listed twice is still one supplier.
    facts.lots[0].parties = vec![party(1, 1), party(1, 2)];
    assert_eq!(
        eval(&facts)
            .check(FrameworkIndicator::Concentration)
            .status(),
        Status::NotApplicable(FrameworkReason::SingleSupplierLot)
    );
}

#[test]
fn concentration_on_the_first_rank_is_by_design_in_direct_and_cascade_lots() {
    for method in [CallOffMethod::Direct, CallOffMethod::Cascade] {
        let e = eval(&concentration_facts(method, &[(1, "100"); 5]));
        assert!(concentration_shares(&e).is_empty(), "{method:?}");
        assert_eq!(
            e.check(FrameworkIndicator::Concentration).status(),
            Status::NotFlagged
        );
        // On the second rank it is a flag.
        let e = eval(&concentration_facts(method, &[(2, "100"); 5]));
        assert_eq!(concentration_shares(&e), vec![(2, d("1"))], "{method:?}");
    }
}

#[test]
fn concentration_without_value_is_not_applicable() {
    let e = eval(&concentration_facts(
        CallOffMethod::MiniCompetition,
        &[(1, "0"); 5],
    ));
    assert_eq!(
        e.check(FrameworkIndicator::Concentration).status(),
        Status::NotApplicable(FrameworkReason::NoCallOffValue)
    );
    let e = eval(&agreement());
    assert_eq!(
        e.check(FrameworkIndicator::Concentration).status(),
        Status::NotApplicable(FrameworkReason::NoLots)
    );
}

// ------------------------------------------------------------------- FA05/FA06 use

fn items_facts(items: Vec<ItemFacts>) -> AgreementFacts {
    let mut l = lot("L1", CallOffMethod::Direct, vec![party(1, 1)]);
    l.items = items;
    AgreementFacts {
        lots: vec![l],
        ..agreement()
    }
}

#[test]
fn use_above_the_estimate_is_strictly_above() {
    let e = eval(&items_facts(vec![
        item("a", Some("1000"), None, "1000"),
        item("b", Some("1000"), None, "1000.001"),
        item("c", Some("1000"), None, "1250"),
        item("d", Some("0"), None, "5"),
        item("e", None, None, "5"),
    ]));
    let got: Vec<_> = e
        .flags_of(FrameworkIndicator::AboveEstimate)
        .map(|f| match (&f.subject, &f.figures) {
            (Subject::Item { item_id, .. }, Figures::AboveEstimate(a)) => {
                (item_id.clone(), a.percent_above)
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("b".to_string(), Some(d("0"))),
            ("c".to_string(), Some(d("25"))),
            ("d".to_string(), None),
        ]
    );
    let check = e.check(FrameworkIndicator::AboveEstimate);
    assert_eq!((check.evaluated, check.flagged), (4, 3));
    assert_eq!(
        na(
            &e,
            FrameworkIndicator::AboveEstimate,
            FrameworkReason::NoEstimatedQuantity
        ),
        1
    );
    assert_eq!(
        eval(&agreement())
            .check(FrameworkIndicator::AboveEstimate)
            .status(),
        Status::NotApplicable(FrameworkReason::NoItems)
    );
}

#[test]
fn use_near_the_maximum_is_inclusive_and_says_reached_or_exceeded() {
    let e = eval(&items_facts(vec![
        item("a", None, Some("1000"), "899.99"),
        item("b", None, Some("1000"), "900"),
        item("c", None, Some("1000"), "1000"),
        item("d", None, Some("1000"), "1001"),
        item("e", None, None, "1001"),
        item("f", None, Some("0"), "1"),
    ]));
    let got: Vec<_> = e
        .flags_of(FrameworkIndicator::NearMaximum)
        .map(|f| match (&f.subject, &f.figures) {
            (Subject::Item { item_id, .. }, Figures::NearMaximum(n)) => {
                (item_id.clone(), n.state, n.share)
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("b".to_string(), MaximumState::Near, d("0.9")),
            ("c".to_string(), MaximumState::Reached, d("1")),
            ("d".to_string(), MaximumState::Exceeded, d("1.001")),
        ]
    );
    // Items e and f and the agreement's value have no (positive) maximum.
    assert_eq!(
        na(
            &e,
            FrameworkIndicator::NearMaximum,
            FrameworkReason::NoMaximum
        ),
        3
    );
}

#[test]
fn use_near_the_maximum_value_flags_the_agreement() {
    let facts = AgreementFacts {
        max_value: Some(d("1000000")),
        ordered_value: d("950000"),
        ..agreement()
    };
    let e = eval(&facts);
    let flags: Vec<_> = e.flags_of(FrameworkIndicator::NearMaximum).collect();
    assert_eq!(flags.len(), 1);
    assert_eq!(
        flags[0].subject,
        Subject::Agreement {
            ocid: "ocds-fa-1".into()
        }
    );
    let Figures::NearMaximum(f) = &flags[0].figures else {
        panic!()
    };
    assert_eq!(
        (f.basis, f.state, f.share, f.currency.as_deref()),
        (
            MaximumBasis::Value,
            MaximumState::Near,
            d("0.95"),
            Some("GTQ")
        )
    );
    let facts = AgreementFacts {
        ordered_value: d("899999.99"),
        ..facts
    };
    assert_eq!(
        eval(&facts)
            .flags_of(FrameworkIndicator::NearMaximum)
            .count(),
        0
    );
}

// ------------------------------------------------------------------- FA07 duration

#[test]
fn duration_counts_calendar_months_with_the_last_day_inclusive() {
    assert_eq!(
        duration_in_force(day("2025-01-01"), day("2026-12-31")),
        Some((24, 0))
    );
    assert_eq!(
        duration_in_force(day("2025-01-01"), day("2027-01-01")),
        Some((24, 1))
    );
    assert_eq!(
        duration_in_force(day("2025-01-15"), day("2025-01-15")),
        Some((0, 1))
    );
    // From 31 January, one month ends on the last day of February.
    assert_eq!(
        duration_in_force(day("2024-01-31"), day("2024-02-28")),
        Some((1, 0))
    );
    assert_eq!(
        duration_in_force(day("2024-01-31"), day("2024-02-27")),
        Some((0, 28))
    );
    assert_eq!(
        duration_in_force(day("2025-01-02"), day("2025-01-01")),
        None
    );
    assert!(!exceeds_maximum_duration(
        day("2025-01-01"),
        day("2026-12-31"),
        24
    ));
    assert!(exceeds_maximum_duration(
        day("2025-01-01"),
        day("2027-01-01"),
        24
    ));
}

#[test]
fn an_agreement_exactly_at_the_maximum_is_not_flagged() {
    let e = eval(&agreement());
    assert_eq!(
        e.check(FrameworkIndicator::BeyondMaximumDuration).status(),
        Status::NotFlagged
    );
}

#[test]
fn an_agreement_extended_past_the_maximum_is_flagged_even_with_an_exception() {
    let facts = AgreementFacts {
        period_end: day("2027-03-31"),
        extension_exception: Some("Art. 46 bis".into()),
        ..agreement()
    };
    let e = eval(&facts);
    let flags: Vec<_> = e
        .flags_of(FrameworkIndicator::BeyondMaximumDuration)
        .collect();
    assert_eq!(flags.len(), 1);
    let Figures::Duration(f) = &flags[0].figures else {
        panic!()
    };
    assert_eq!(
        (f.months, f.days, f.max_months, f.exception.as_deref()),
        (27, 0, 24, Some("Art. 46 bis"))
    );
}

#[test]
fn a_period_ending_before_it_starts_is_not_applicable() {
    let facts = AgreementFacts {
        period_end: day("2024-12-31"),
        ..agreement()
    };
    assert_eq!(
        eval(&facts)
            .check(FrameworkIndicator::BeyondMaximumDuration)
            .status(),
        Status::NotApplicable(FrameworkReason::InvalidPeriod)
    );
}

// ------------------------------------------------------------------- explanations

#[test]
fn explanations_carry_the_figures_in_both_languages() {
    let facts = AgreementFacts {
        period_end: day("2027-01-01"),
        ..split_facts(&[("2025-03-01", "60000"), ("2025-03-10", "40000")])
    };
    let e = eval(&facts);
    let split = e
        .flags_of(FrameworkIndicator::SplitCallOffs)
        .next()
        .unwrap();
    assert_eq!(
        split.explain(Lang::Es),
        "2 pedidos derivados de la unidad HGE en el lote L1, colocados entre el 2025-03-01 y el \
         2025-03-10 (ventana de 30 días), suman 100000 GTQ, aunque cada uno queda bajo el umbral \
         de minicompetencia de 100000 GTQ: co-0 (60000 GTQ, 2025-03-01), co-1 (40000 GTQ, \
         2025-03-10)."
    );
    assert_eq!(
        split.explain(Lang::En),
        "2 call-offs by unit HGE on lot L1, placed from 2025-03-01 to 2025-03-10 (a window of 30 \
         days), add up to 100000 GTQ, while each stays below the mini-competition threshold of \
         100000 GTQ: co-0 (60000 GTQ, 2025-03-01), co-1 (40000 GTQ, 2025-03-10)."
    );
    let long = e
        .flags_of(FrameworkIndicator::BeyondMaximumDuration)
        .next()
        .unwrap();
    assert_eq!(
        long.explain(Lang::Es),
        "El contrato abierto está vigente del 2025-01-01 al 2027-01-01, 24 meses y 1 día, más \
         que el máximo de 24 meses del reglamento, sin excepción citada."
    );
    assert_eq!(
        long.explain(Lang::En),
        "The agreement is in force from 2025-01-01 to 2027-01-01, 24 months and 1 day, longer \
         than the rulebook's maximum of 24 months, and no exception was cited."
    );

    let e = eval(&cascade_facts(vec![cascade(
        "co-9",
        "2025-03-01",
        3,
        vec![(1, 1, declined(Some("other")))],
    )]));
    let skip = e.flags_of(FrameworkIndicator::SkippedRanks).next().unwrap();
    assert_eq!(
        skip.explain(Lang::Es),
        "El pedido derivado co-9 (lote L1, 1000 GTQ) fue para S3 (puesto 3) después de saltar 2 \
         puestos mejores sin motivo válido: S1 (puesto 1), rechazó con el motivo «other», que no \
         es un motivo válido; S2 (puesto 2), sin registro de oferta ni de rechazo."
    );
    assert_eq!(
        skip.explain(Lang::En),
        "Call-off co-9 (lot L1, 1000 GTQ) went to S3 (rank 3) after 2 better ranks were skipped \
         without a valid reason: S1 (rank 1), declined with reason “other”, which is not a valid \
         reason; S2 (rank 2), with no record of an offer or a decline."
    );

    let e = eval(&cascade_facts(silent_rank_one(3)));
    let pattern = e.flags_of(FrameworkIndicator::SkipPattern).next().unwrap();
    assert_eq!(
        pattern.explain(Lang::Es),
        "S2 recibió 3 pedidos derivados (3000 GTQ) después de que se saltaran sin motivo válido \
         puestos mejores (S1); 3 o más forman un patrón: co-0 (1000 GTQ, 2025-03-01), co-1 (1000 \
         GTQ, 2025-03-02), co-2 (1000 GTQ, 2025-03-03)."
    );

    let e = eval(&concentration_facts(
        CallOffMethod::MiniCompetition,
        &[(1, "100"), (1, "100"), (1, "100"), (1, "100"), (2, "99")],
    ));
    assert_eq!(
        e.flags[0].explain(Lang::Es),
        "S1 (puesto 1) recibió 80.16 % del valor de los pedidos derivados del lote L1 (400 de 499 \
         GTQ; 4 de 5 pedidos), más del 80 %, en un lote con 2 proveedores que compiten por cada \
         pedido."
    );

    let mut facts = items_facts(vec![
        item("a", Some("1000"), Some("1300"), "1250"),
        item("b", None, Some("1000"), "1000"),
    ]);
    facts.max_value = Some(d("500000"));
    facts.ordered_value = d("460000.50");
    let e = eval(&facts);
    let texts: Vec<String> = e.flags.iter().map(|f| f.explain(Lang::En)).collect();
    assert_eq!(
        texts,
        vec![
            "1250 of item “Item a” (lot L1) have been ordered, more than the estimated quantity \
             of 1000 (25 % more)."
                .to_string(),
            "460000.5 GTQ have been ordered out of a maximum value of 500000 GTQ (92 %); from \
             90 % on, use is near the maximum."
                .to_string(),
            "1250 of item “Item a” (lot L1) have been ordered out of a maximum of 1300 (96.15 %); \
             from 90 % on, use is near the maximum."
                .to_string(),
            "1000 of item “Item b” (lot L1) have been ordered out of a maximum of 1000 (100 %): \
             the maximum has been reached and the agreement has no further effect."
                .to_string(),
        ]
    );
}

#[test]
fn the_report_names_statuses_and_reasons() {
    let e = eval(&split_facts(&[
        ("2025-03-01", "60000"),
        ("2025-03-10", "40000"),
    ]));
    let report = e.report(Lang::En);
    assert_eq!(report.ocid, "ocds-fa-1");
    assert_eq!(report.flags.len(), 1);
    assert_eq!(report.flags[0].code, "FA01");
    assert_eq!(
        report.flags[0].name,
        "Call-offs split below the mini-competition threshold"
    );
    let codes: Vec<_> = report.indicators.iter().map(|i| i.code).collect();
    assert_eq!(
        codes,
        ["FA01", "FA02", "FA03", "FA04", "FA05", "FA06", "FA07"]
    );
    let statuses: Vec<_> = report.indicators.iter().map(|i| i.status).collect();
    assert_eq!(
        statuses,
        [
            "flagged",
            "not_applicable",
            "not_applicable",
            "not_applicable",
            "not_applicable",
            "not_applicable",
            "not_flagged"
        ]
    );
    let fa02 = &report.indicators[1];
    assert_eq!(fa02.not_applicable, 2);
    assert_eq!(fa02.reasons[0].reason, "not_a_cascade");
    assert_eq!(
        fa02.reasons[0].description,
        "the call-off was not placed by cascade"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["flags"][0]["figures"]["kind"], "split");
    assert_eq!(json["flags"][0]["figures"]["total"], "100000");
    assert_eq!(json["flags"][0]["subject"]["kind"], "unit_on_lot");
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["flags"][0]["indicator"], "FA01");
    assert_eq!(
        json["checks"][1]["not_applicable"][0]["reason"],
        "not_a_cascade"
    );
}

#[test]
fn every_indicator_and_reason_has_words_in_both_languages() {
    use crate::explain::{EN_FTL, ES_FTL};
    for source in [ES_FTL, EN_FTL] {
        let resource = fluent_bundle::FluentResource::try_new(source.to_string()).unwrap();
        let ids: std::collections::BTreeSet<String> = resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect();
        for indicator in FrameworkIndicator::ALL {
            assert!(ids.contains(&format!("name-{}", indicator.code())));
            assert!(ids.contains(&format!("flag-{}", indicator.code())));
            assert_eq!(
                serde_json::to_value(indicator).unwrap(),
                indicator.code(),
                "serialised as its code"
            );
        }
        for reason in FrameworkReason::ALL {
            assert!(
                ids.contains(&format!("reason-{}", reason.code())),
                "{reason:?}"
            );
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.code());
        }
    }
    // The OCDS indicators' reasons share the `reason-` prefix: no code may be used twice.
    let ocds: std::collections::BTreeSet<&str> = crate::flags::engine::Reason::ALL
        .iter()
        .map(|r| r.code())
        .collect();
    for reason in FrameworkReason::ALL {
        assert!(!ocds.contains(reason.code()), "{reason:?}");
    }
    for (i, indicator) in FrameworkIndicator::ALL.iter().enumerate() {
        assert_eq!(indicator.index(), i);
    }
}
