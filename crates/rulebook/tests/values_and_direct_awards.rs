//! Value thresholds (exactly at each threshold, one cent above and below), direct awards
//! (justification, exception category, public flag), lots, currency and framework terms.

mod common;

use common::*;
use rust_decimal::Decimal;
use tianguis_rulebook::{LotPlan, Rulebook, Violation};

fn check_value(book: &Rulebook, method: &str, value: &str) -> Vec<&'static str> {
    let m = book.method(method).unwrap();
    let plan = valid_plan(book, m, money(value), gt_time(2025, 3, 3, 9, 0, 0));
    codes(book.check_tender(&plan))
}

#[test]
fn guatemalan_thresholds_to_the_centavo() {
    let gt = gt();
    let ok: Vec<&str> = vec![];
    // baja cuantía: up to and including Q25,000.00
    assert_eq!(check_value(&gt, "baja_cuantia", "0.01"), ok);
    assert_eq!(check_value(&gt, "baja_cuantia", "24999.99"), ok);
    assert_eq!(check_value(&gt, "baja_cuantia", "25000.00"), ok);
    assert_eq!(
        check_value(&gt, "baja_cuantia", "25000.01"),
        ["rule.value_above_method_max"]
    );
    // compra directa: more than Q25,000.00 up to Q90,000.00
    assert_eq!(
        check_value(&gt, "compra_directa", "25000.00"),
        ["rule.value_below_method_min"]
    );
    assert_eq!(check_value(&gt, "compra_directa", "25000.01"), ok);
    assert_eq!(check_value(&gt, "compra_directa", "90000.00"), ok);
    assert_eq!(
        check_value(&gt, "compra_directa", "90000.01"),
        ["rule.value_above_method_max"]
    );
    // cotización: more than Q90,000.00 up to Q900,000.00
    assert_eq!(
        check_value(&gt, "cotizacion", "89999.99"),
        ["rule.value_below_method_min"]
    );
    assert_eq!(
        check_value(&gt, "cotizacion", "90000.00"),
        ["rule.value_below_method_min"]
    );
    assert_eq!(check_value(&gt, "cotizacion", "90000.01"), ok);
    assert_eq!(check_value(&gt, "cotizacion", "900000.00"), ok);
    assert_eq!(
        check_value(&gt, "cotizacion", "900000.01"),
        ["rule.value_above_method_max"]
    );
    // licitación: more than Q900,000.00, no ceiling
    assert_eq!(
        check_value(&gt, "licitacion", "900000.00"),
        ["rule.value_below_method_min"]
    );
    assert_eq!(check_value(&gt, "licitacion", "900000.01"), ok);
    assert_eq!(check_value(&gt, "licitacion", "999999999999.99"), ok);
}

#[test]
fn un_thresholds_to_the_cent() {
    let un = un();
    let ok: Vec<&str> = vec![];
    assert_eq!(check_value(&un, "small_value", "2499.99"), ok);
    assert_eq!(
        check_value(&un, "small_value", "2500.00"),
        ["rule.value_above_method_max"]
    );
    assert_eq!(
        check_value(&un, "rfq", "2499.99"),
        ["rule.value_below_method_min"]
    );
    assert_eq!(check_value(&un, "rfq", "2500.00"), ok);
    assert_eq!(check_value(&un, "rfq", "24999.99"), ok);
    assert_eq!(
        check_value(&un, "rfq", "25000.00"),
        ["rule.value_above_method_max"]
    );
    assert_eq!(
        check_value(&un, "itb", "24999.99"),
        ["rule.value_below_method_min"]
    );
    assert_eq!(check_value(&un, "itb", "25000.00"), ok);
    assert_eq!(check_value(&un, "rfp", "25000.00"), ok);
    assert_eq!(
        check_value(&un, "rfp", "24999.99"),
        ["rule.value_below_method_min"]
    );
}

#[test]
fn partition_boundaries_of_both_profiles_are_exclusive_on_exactly_one_side() {
    let cent = money("0.01");
    for book in [gt(), un()] {
        let partition: Vec<_> = book.value_partition().collect();
        for pair in partition.windows(2) {
            let (lo, hi) = (pair[0], pair[1]);
            let b = lo.value_range().value.max.unwrap();
            let owner_of_b = if lo.value_range().value.max_inclusive {
                lo
            } else {
                hi
            };
            let suggested = book.suggest_methods(b);
            assert_eq!(
                suggested[0].code(),
                owner_of_b.code(),
                "{} at {b}",
                book.id()
            );
            assert_eq!(book.suggest_methods(b - cent)[0].code(), lo.code());
            assert_eq!(book.suggest_methods(b + cent)[0].code(), hi.code());
        }
    }
}

#[test]
fn a_refused_value_names_the_numbers_the_citation_and_the_right_methods() {
    let gt = gt();
    let m = gt.method("baja_cuantia").unwrap();
    let plan = valid_plan(&gt, m, money("25000.01"), gt_time(2025, 3, 3, 9, 0, 0));
    let refused = gt.check_tender(&plan).unwrap_err();
    assert_eq!(refused.len(), 1);
    match &refused[0].violation {
        Violation::ValueAboveMethodMax {
            value,
            max,
            max_inclusive,
            suggested,
        } => {
            assert_eq!(
                (*value, *max, *max_inclusive),
                (money("25000.01"), money("25000.00"), true)
            );
            // The partition method first, then the framework agreement (no value band).
            assert_eq!(suggested, &["compra_directa", "contrato_abierto"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(refused[0].citation.rulebook, "gt-lce@2025.1");
    assert!(refused[0].citation.article.contains("Art. 43, inciso a)"));
    let json = serde_json::to_value(&refused[0]).unwrap();
    assert_eq!(json["code"], "rule.value_above_method_max");
    assert_eq!(json["max"], "25000.00");
    assert_eq!(json["value"], "25000.01");
    assert!(
        json["citation"]["article"]
            .as_str()
            .unwrap()
            .contains("Q25,000.00")
    );
}

#[test]
fn invalid_values_and_currency() {
    let gt = gt();
    assert_eq!(
        check_value(&gt, "licitacion", "0"),
        ["rule.value_not_positive"]
    );
    assert_eq!(
        check_value(&gt, "licitacion", "-1000000"),
        ["rule.value_not_positive"]
    );
    assert_eq!(
        check_value(&gt, "licitacion", "1000000.001"),
        ["rule.value_too_many_decimals"]
    );
    // Trailing zeros are not extra precision.
    assert!(check_value(&gt, "licitacion", "1000000.000").is_empty());
    let m = gt.method("cotizacion").unwrap();
    let mut plan = valid_plan(&gt, m, money("100000"), gt_time(2025, 3, 3, 9, 0, 0));
    plan.currency = "USD".into();
    assert_eq!(codes(gt.check_tender(&plan)), ["rule.currency_mismatch"]);
    plan.currency = "GTQ".into();
    plan.method = "subasta_holandesa".into();
    assert_eq!(codes(gt.check_tender(&plan)), ["rule.unknown_method"]);
    assert!(gt.suggest_methods(Decimal::ZERO).is_empty());
    assert!(gt.suggest_methods(money("10.005")).is_empty());
}

#[test]
fn a_tender_before_the_rulebook_was_in_force_is_refused() {
    let gt = gt();
    let m = gt.method("cotizacion").unwrap();
    let plan = valid_plan(&gt, m, money("100000"), gt_time(2016, 10, 31, 23, 0, 0));
    assert_eq!(
        codes(gt.check_tender(&plan)),
        ["rule.rulebook_not_in_force"]
    );
    let plan = valid_plan(&gt, m, money("100000"), gt_time(2016, 11, 1, 0, 0, 0));
    assert!(gt.check_tender(&plan).is_ok());
}

#[test]
fn direct_purchase_without_justification_is_refused_with_the_article() {
    let gt = gt();
    let m = gt.method("caso_excepcion").unwrap();
    let mut plan = valid_plan(&gt, m, money("150000"), gt_time(2025, 3, 3, 9, 0, 0));
    plan.justification = None;
    plan.exception_category = None;
    let refused = gt.check_tender(&plan).unwrap_err();
    let got: Vec<_> = refused.iter().map(|v| v.code()).collect();
    assert_eq!(
        got,
        [
            "rule.justification_required",
            "rule.exception_category_required"
        ]
    );
    assert!(refused[0].citation.article.contains("Art. 44"));
    match &refused[1].violation {
        Violation::ExceptionCategoryRequired { allowed } => assert_eq!(allowed.len(), 7),
        other => panic!("{other:?}"),
    }
    // Blank text is no justification.
    plan.justification = Some("   ".into());
    plan.exception_category = Some("44b".into());
    assert_eq!(
        codes(gt.check_tender(&plan)),
        ["rule.justification_required"]
    );
    plan.justification = Some("Urgente".into());
    let refused = gt.check_tender(&plan).unwrap_err();
    assert_eq!(
        refused[0].violation,
        Violation::JustificationTooShort {
            min_chars: 50,
            actual_chars: 7
        }
    );
}

#[test]
fn exception_category_must_be_one_the_method_allows() {
    let gt = gt();
    let m = gt.method("caso_excepcion").unwrap();
    let mut plan = valid_plan(&gt, m, money("150000"), gt_time(2025, 3, 3, 9, 0, 0));
    plan.exception_category = Some("44z".into());
    assert_eq!(
        codes(gt.check_tender(&plan)),
        ["rule.exception_category_not_allowed"]
    );
    plan.exception_category = Some("44b".into());
    assert!(gt.check_tender(&plan).is_ok());
    // Invoking an exception on a competitive method is refused rather than silently stored.
    let lic = gt.method("licitacion").unwrap();
    let mut plan = valid_plan(&gt, lic, money("1500000"), gt_time(2025, 3, 3, 9, 0, 0));
    plan.exception_category = Some("44b".into());
    assert_eq!(
        codes(gt.check_tender(&plan)),
        ["rule.exception_category_not_applicable"]
    );
}

#[test]
fn direct_purchases_are_flagged_publicly() {
    let gt = gt();
    let m = gt.method("caso_excepcion").unwrap();
    let plan = valid_plan(&gt, m, money("150000"), gt_time(2025, 3, 3, 9, 0, 0));
    let flag = gt.public_flag(&plan).unwrap();
    assert_eq!(flag.code, "flag.direct_award");
    assert_eq!(
        flag.exception_category.unwrap().article,
        "Art. 44, inciso a) LCE"
    );
    assert!(flag.justification.unwrap().contains("insulina"));
    // Baja cuantía is direct by amount: justification but no exception category, and flagged.
    let bc = gt.method("baja_cuantia").unwrap();
    assert!(bc.is_flagged_publicly() && !bc.requires_exception());
    let mut plan = valid_plan(&gt, bc, money("1000"), gt_time(2025, 3, 3, 9, 0, 0));
    plan.justification = None;
    assert_eq!(
        codes(gt.check_tender(&plan)),
        ["rule.justification_required"]
    );
    // Competitive methods carry no flag.
    let lic = gt.method("licitacion").unwrap();
    let plan = valid_plan(&gt, lic, money("1500000"), gt_time(2025, 3, 3, 9, 0, 0));
    assert!(gt.public_flag(&plan).is_none());
    // Direct awards are never suggested from a value alone.
    assert!(
        gt.suggest_methods(money("150000"))
            .iter()
            .all(|m| m.code() != "caso_excepcion")
    );
}

#[test]
fn lots_must_add_up_and_be_distinct() {
    let gt = gt();
    let m = gt.method("cotizacion").unwrap();
    let mut plan = valid_plan(&gt, m, money("300000.00"), gt_time(2025, 3, 3, 9, 0, 0));
    let lot = |id: &str, v: &str| LotPlan {
        id: id.into(),
        estimated_value: money(v),
    };
    plan.lots = vec![lot("1", "100000.00"), lot("2", "200000.00")];
    assert!(gt.check_tender(&plan).is_ok());
    plan.lots = vec![lot("1", "100000.00"), lot("2", "199999.99")];
    assert_eq!(codes(gt.check_tender(&plan)), ["rule.lots_do_not_sum"]);
    plan.lots = vec![lot("1", "300000.00"), lot("1", "0")];
    assert_eq!(
        codes(gt.check_tender(&plan)),
        ["rule.duplicate_lot", "rule.lot_value_not_positive"]
    );
}

#[test]
fn framework_agreements_need_terms_within_two_years_and_a_catalogue() {
    let gt = gt();
    let ca = gt.method("contrato_abierto").unwrap();
    let mut plan = valid_plan(&gt, ca, money("5000000"), gt_time(2025, 3, 3, 9, 0, 0));
    assert!(gt.check_tender(&plan).is_ok());
    let terms = plan.framework.unwrap();
    assert_eq!(terms.duration_months, 24);
    plan.framework = Some(tianguis_rulebook::FrameworkPlan {
        duration_months: 25,
        ..terms
    });
    assert_eq!(codes(gt.check_tender(&plan)), ["rule.framework_too_long"]);
    plan.framework = Some(tianguis_rulebook::FrameworkPlan {
        catalogue_items: 0,
        ..terms
    });
    assert_eq!(
        codes(gt.check_tender(&plan)),
        ["rule.framework_catalogue_required"]
    );
    plan.framework = None;
    assert_eq!(
        codes(gt.check_tender(&plan)),
        ["rule.framework_terms_required"]
    );
    let lic = gt.method("licitacion").unwrap();
    let mut plan = valid_plan(&gt, lic, money("5000000"), gt_time(2025, 3, 3, 9, 0, 0));
    plan.framework = Some(terms);
    assert_eq!(
        codes(gt.check_tender(&plan)),
        ["rule.framework_not_applicable"]
    );
}

#[test]
fn tender_plans_round_trip_through_json() {
    let gt = gt();
    let m = gt.method("caso_excepcion").unwrap();
    let plan = valid_plan(&gt, m, money("150000.50"), gt_time(2025, 3, 3, 9, 0, 0));
    let json = serde_json::to_string(&plan).unwrap();
    assert!(json.contains("\"estimated_value\":\"150000.50\""));
    let back: tianguis_rulebook::TenderPlan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, plan);
}
