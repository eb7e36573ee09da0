//! Both embedded profiles load, say what they are, and expose the values of the law with their
//! citations; loading from a path works like `--rulebook FILE`.

mod common;

use common::*;
use std::path::Path;
use tianguis_auction::rules::Format;
use tianguis_rulebook::calendar::HolidayRule;
use tianguis_rulebook::{
    AuctionRules, BelowMinimum, BidCountOutcome, DaysKind, EvaluationKind, OcdsMethod, Rulebook,
};

#[test]
fn guatemala_profile_loads_with_its_identity() {
    let gt = gt();
    assert_eq!(gt.id(), "gt-lce");
    assert_eq!(gt.reference(), "gt-lce@2025.1");
    assert_eq!(gt.jurisdiction(), "GT");
    assert_eq!(gt.currency(), "GTQ");
    assert_eq!(gt.currency_decimals(), 2);
    assert_eq!(gt.timezone().name(), "America/Guatemala");
    assert_eq!(gt.effective_from(), date(2016, 11, 1));
    assert!(gt.legal_basis()[0].name.contains("Decreto 57-92"));
    assert!(gt.legal_basis()[1].name.contains("122-2016"));
    let partition: Vec<_> = gt.value_partition().map(|m| m.code()).collect();
    assert_eq!(
        partition,
        ["baja_cuantia", "compra_directa", "cotizacion", "licitacion"]
    );
    let all: Vec<_> = gt.methods().iter().map(|m| m.code()).collect();
    assert_eq!(
        all,
        [
            "baja_cuantia",
            "compra_directa",
            "cotizacion",
            "licitacion",
            "subasta_electronica_inversa",
            "contrato_abierto",
            "caso_excepcion"
        ]
    );
}

#[test]
fn un_profile_loads_with_its_identity() {
    let un = un();
    assert_eq!(un.reference(), "un-style@2025.1");
    assert_eq!(un.currency(), "USD");
    let partition: Vec<_> = un.value_partition().map(|m| m.code()).collect();
    assert_eq!(partition, ["small_value", "rfq", "itb"]);
    for code in ["rfp", "itb_reverse_auction", "direct_contracting"] {
        assert!(un.method(code).is_some(), "{code}");
    }
}

#[test]
fn guatemalan_bands_are_those_of_the_law() {
    let gt = gt();
    let band = |code: &str| {
        let r = gt.method(code).unwrap().value_range().value;
        (r.min, r.min_inclusive, r.max, r.max_inclusive)
    };
    assert_eq!(
        band("baja_cuantia"),
        (money("0"), false, Some(money("25000.00")), true)
    );
    assert_eq!(
        band("compra_directa"),
        (money("25000.00"), false, Some(money("90000.00")), true)
    );
    assert_eq!(
        band("cotizacion"),
        (money("90000.00"), false, Some(money("900000.00")), true)
    );
    assert_eq!(band("licitacion"), (money("900000.00"), false, None, true));
    assert!(
        gt.method("cotizacion")
            .unwrap()
            .value_range()
            .cite
            .contains("Art. 38")
    );
    assert!(
        gt.method("baja_cuantia")
            .unwrap()
            .value_range()
            .cite
            .contains("Art. 43, inciso a)")
    );
}

#[test]
fn guatemalan_periods_standstill_and_evaluation() {
    let gt = gt();
    let cot = gt.method("cotizacion").unwrap();
    let p = cot.bidding_period().unwrap();
    assert_eq!((p.value.days, p.value.days_kind), (8, DaysKind::Business));
    assert!(p.cite.contains("Art. 39"));
    let lic = gt.method("licitacion").unwrap();
    let p = lic.bidding_period().unwrap();
    assert_eq!((p.value.days, p.value.days_kind), (40, DaysKind::Calendar));
    let s = lic.standstill().unwrap();
    assert_eq!(s.value.period.days, 5);
    assert_eq!(s.value.complaint_name_es, "Inconformidad");
    assert!(s.cite.contains("Art. 35"));
    let e = lic.evaluation();
    assert_eq!(e.value.kind, EvaluationKind::Weighted);
    let weights: Vec<_> = e.value.criteria.iter().map(|c| c.weight).collect();
    assert_eq!(weights, [money("70"), money("20"), money("10")]);
    assert!(lic.sealed_bids() && lic.public_opening());
    assert_eq!(
        lic.minimum_bids().unwrap().value.below_minimum,
        BelowMinimum::RetenderThenDirect
    );
    assert!(
        lic.required_documents()
            .iter()
            .any(|d| d.cite.contains("Art. 18"))
    );
    // Values that could not be confirmed are marked so pages can say so.
    assert!(lic.unconfirmed().iter().any(|s| s == "bidding_period"));
    assert!(gt.method("baja_cuantia").unwrap().unconfirmed().is_empty());
}

#[test]
fn ocds_method_mapping() {
    let gt = gt();
    let m = |code: &str| gt.method(code).unwrap().ocds_method();
    assert_eq!(m("baja_cuantia"), OcdsMethod::Direct);
    assert_eq!(m("licitacion"), OcdsMethod::Open);
    assert_eq!(m("caso_excepcion"), OcdsMethod::Direct);
    assert_eq!(m("caso_excepcion").as_str(), "direct");
    assert_eq!(
        gt.method("licitacion").unwrap().ocds_method_details(),
        "Licitación Pública (Art. 17 LCE)"
    );
    let un = un();
    assert_eq!(un.method("rfq").unwrap().ocds_method(), OcdsMethod::Limited);
    assert_eq!(un.method("itb").unwrap().ocds_method(), OcdsMethod::Open);
    assert_eq!(
        un.method("direct_contracting").unwrap().ocds_method(),
        OcdsMethod::Direct
    );
}

#[test]
fn auctions_are_embedded_auction_rules() {
    let gt = gt();
    let sei = gt
        .method("subasta_electronica_inversa")
        .unwrap()
        .auction()
        .unwrap();
    // The Guatemalan profile writes out issue 4's defaults.
    assert_eq!(sei.value, AuctionRules::default());
    assert!(sei.cite.contains("54 Bis"));
    assert!(gt.method("licitacion").unwrap().auction().is_none());
    let un = un();
    let era = un.method("itb_reverse_auction").unwrap().auction().unwrap();
    assert!(matches!(era.value.format, Format::SoftClose(_)));
    assert!(era.value.validate().is_ok());
}

#[test]
fn exception_categories_of_article_44() {
    let gt = gt();
    let codes: Vec<_> = gt
        .exception_categories()
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(codes, ["44a", "44b", "44c", "44d", "44e", "44f", "44g"]);
    let b = gt.exception_category("44b").unwrap();
    assert_eq!(b.article, "Art. 44, inciso b) LCE");
    assert!(b.name_es.contains("IGSS"));
    let direct = gt.method("caso_excepcion").unwrap().direct_award().unwrap();
    assert_eq!(direct.value.exception_categories.len(), 7);
    assert!(direct.value.justification_required && direct.value.flagged_publicly);
}

#[test]
fn holiday_calendar_of_the_guatemalan_profile() {
    let gt = gt();
    let cal = gt.calendar();
    let days: Vec<_> = cal
        .holidays_in(2025)
        .into_iter()
        .map(|(d, h)| (d, h.name_en.clone()))
        .collect();
    let expected = [
        (date(2025, 1, 1), "New Year's Day"),
        (date(2025, 4, 17), "Holy Thursday"),
        (date(2025, 4, 18), "Good Friday"),
        (date(2025, 4, 19), "Holy Saturday"),
        (date(2025, 5, 1), "Labour Day"),
        (date(2025, 6, 30), "Army Day"),
        (date(2025, 9, 15), "Independence Day"),
        (date(2025, 10, 20), "Revolution Day"),
        (date(2025, 11, 1), "All Saints' Day"),
        (date(2025, 12, 25), "Christmas Day"),
    ];
    let expected: Vec<_> = expected.iter().map(|(d, n)| (*d, n.to_string())).collect();
    assert_eq!(days, expected);
    assert!(
        cal.holidays()
            .iter()
            .any(|h| matches!(h.rule, HolidayRule::EasterOffset { offset: -2 }))
    );
}

#[test]
fn bid_count_below_minimum_says_what_happens() {
    let gt = gt();
    let lic = gt.method("licitacion").unwrap();
    assert_eq!(gt.assess_bid_count(lic, 1), BidCountOutcome::Sufficient);
    match gt.assess_bid_count(lic, 0) {
        BidCountOutcome::BelowMinimum {
            minimum,
            received,
            action,
            citation,
        } => {
            assert_eq!((minimum, received), (1, 0));
            assert_eq!(action, BelowMinimum::RetenderThenDirect);
            assert!(citation.article.contains("Art. 32"));
        }
        other => panic!("{other:?}"),
    }
    let un = un();
    let itb = un.method("itb").unwrap();
    assert!(matches!(
        un.assess_bid_count(itb, 2),
        BidCountOutcome::BelowMinimum {
            action: BelowMinimum::ProceedWithJustification,
            ..
        }
    ));
    assert_eq!(un.assess_bid_count(itb, 3), BidCountOutcome::Sufficient);
    // A method without a minimum (a direct award) is always sufficient.
    assert_eq!(
        un.assess_bid_count(un.method("direct_contracting").unwrap(), 0),
        BidCountOutcome::Sufficient
    );
}

#[test]
fn loading_from_a_path_and_unknown_sources() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("rulebooks/gt.toml");
    let from_file = Rulebook::from_path(&path).unwrap();
    assert_eq!(from_file.reference(), gt().reference());
    assert_eq!(from_file.methods().len(), gt().methods().len());
    let missing = Rulebook::from_path(Path::new("/nonexistent/rulebook.toml")).unwrap_err();
    assert_eq!(missing.code(), "rulebook.io");
    for (short, id, _) in tianguis_rulebook::EMBEDDED {
        assert_eq!(Rulebook::load_embedded(short).unwrap().id(), *id);
        assert_eq!(Rulebook::load_embedded(id).unwrap().id(), *id);
    }
    let unknown = Rulebook::load_embedded("mx").unwrap_err();
    assert_eq!(unknown.code(), "rulebook.unknown_embedded");
}

#[test]
fn every_value_carries_a_citation() {
    for book in [gt(), un()] {
        for m in book.methods() {
            assert!(!m.cite().is_empty());
            assert!(!m.value_range().cite.is_empty());
            assert!(!m.evaluation().cite.is_empty());
            for c in [
                m.bidding_period().map(|p| &p.cite),
                m.clarifications().map(|p| &p.cite),
            ]
            .into_iter()
            .flatten()
            {
                assert!(!c.is_empty());
            }
        }
    }
}

#[test]
fn the_rulebook_serialises_for_pages_and_the_api() {
    let json = serde_json::to_value(gt()).unwrap();
    assert_eq!(json["timezone"], "America/Guatemala");
    assert_eq!(json["value_partition"][3], "licitacion");
    assert_eq!(json["effective_from"], "2016-11-01");
    let cot = &json["methods"][2];
    assert_eq!(cot["code"], "cotizacion");
    assert_eq!(cot["ocds_method"], "open");
    assert_eq!(cot["value_range"]["value"]["max"], "900000.00");
    assert_eq!(cot["bidding_period"]["value"]["days_kind"], "business");
    let sei = &json["methods"][4];
    assert_eq!(
        sei["auction"]["value"]["format"]["kind"],
        "turn_based_rounds"
    );
    assert_eq!(json["calendar"]["weekend"][0], "Sat");
}
