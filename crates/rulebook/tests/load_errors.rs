//! Malformed files, wrong types and inconsistent rules are refused with their documented
//! `rulebook.*` code and the place in the file; nothing is loaded.

use tianguis_rulebook::{Rulebook, RulebookError};

/// A small valid rulebook: two methods partition the value line, one weighted evaluation.
const BASE: &str = r#"
id = "test"
version = "1"
jurisdiction = "XX"
name_es = "Prueba"
name_en = "Test"
effective_from = 2020-01-01
currency = "GTQ"
timezone = "America/Guatemala"
value_partition = ["small", "large"]

[[legal_basis]]
name = "Ley de prueba"
url = "https://example.org/ley"

[calendar]
cite = "Art. 1"

[[calendar.holidays]]
date = "01-01"
name_es = "Año Nuevo"
name_en = "New Year"
cite = "Art. 2"

[[exception_categories]]
code = "x1"
article = "Art. 9 a)"
name_es = "Urgencia"
name_en = "Urgency"

[[methods]]
code = "small"
name_es = "Pequeña"
name_en = "Small"
ocds_method = "limited"
ocds_method_details = "Small (Art. 3)"
cite = "Art. 3"

[methods.value_range]
min = "0"
max = "1000.00"
max_inclusive = true
cite = "Art. 3"

[methods.evaluation]
kind = "lowest_price"
cite = "Art. 3"

[[methods]]
code = "large"
name_es = "Grande"
name_en = "Large"
ocds_method = "open"
ocds_method_details = "Large (Art. 4)"
cite = "Art. 4"
sealed_bids = true
public_opening = true

[methods.value_range]
min = "1000.00"
min_inclusive = false
cite = "Art. 4"

[methods.bidding_period]
days = 10
days_kind = "business"
cite = "Art. 5"

[methods.evaluation]
kind = "weighted"
cite = "Art. 6"

[[methods.evaluation.criteria]]
code = "price"
name_es = "Precio"
name_en = "Price"
weight = "60"

[[methods.evaluation.criteria]]
code = "quality"
name_es = "Calidad"
name_en = "Quality"
weight = "40"
"#;

fn with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "test edit target {from:?} not in BASE");
    BASE.replacen(from, to, 1)
}

fn error(text: &str) -> RulebookError {
    match Rulebook::from_toml(text) {
        Ok(_) => panic!("loaded although invalid"),
        Err(e) => {
            // Every message starts with its code, so logs are greppable.
            assert!(e.to_string().starts_with(e.code()), "{e}");
            e
        }
    }
}

#[test]
fn the_base_file_is_valid() {
    let book = Rulebook::from_toml(BASE).unwrap();
    assert_eq!(book.methods().len(), 2);
}

#[test]
fn malformed_toml() {
    let e = error(&with("version = \"1\"", "version = \"1"));
    assert_eq!(e.code(), "rulebook.toml_syntax");
    match e {
        RulebookError::Syntax { line, .. } => assert_eq!(line, 3),
        other => panic!("{other:?}"),
    }
    assert_eq!(error("[[methods]\ncode = 1").code(), "rulebook.toml_syntax");
    assert_eq!(error("").code(), "rulebook.missing_key");
}

#[test]
fn unknown_keys_are_refused_with_their_path() {
    let e = error(&with(
        "kind = \"lowest_price\"",
        "kind = \"lowest_price\"\nweigths = []",
    ));
    assert_eq!(e.code(), "rulebook.unknown_key");
    match e {
        RulebookError::UnknownKey {
            path,
            line,
            message,
        } => {
            assert!(path.starts_with("methods[0].evaluation"), "{path}");
            assert!(message.contains("weigths"), "{message}");
            assert!(line.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        error(&with("id = \"test\"", "id = \"test\"\ncolour = 1")).code(),
        "rulebook.unknown_key"
    );
    // Keys of the embedded auction rules are checked too.
    let e = error(&with(
        "[methods.bidding_period]",
        "[methods.auction]\ncite = \"Art. 7\"\n[methods.auction.rules]\nroundz = 3\n\n[methods.bidding_period]",
    ));
    assert_eq!(e.code(), "rulebook.unknown_key");
}

#[test]
fn wrong_types() {
    // Money must be a string: a TOML number would already be binary floating point.
    let e = error(&with("max = \"1000.00\"", "max = 1000.00"));
    assert_eq!(e.code(), "rulebook.wrong_type");
    match e {
        RulebookError::WrongType { path, message, .. } => {
            assert_eq!(path, "methods[0].value_range.max");
            assert!(message.contains("string"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        error(&with("max = \"1000.00\"", "max = 1000")).code(),
        "rulebook.wrong_type"
    );
    assert_eq!(
        error(&with("days = 10", "days = \"10\"")).code(),
        "rulebook.wrong_type"
    );
    assert_eq!(
        error(&with("weight = \"60\"", "weight = 60")).code(),
        "rulebook.wrong_type"
    );
    assert_eq!(
        error(&with("sealed_bids = true", "sealed_bids = \"yes\"")).code(),
        "rulebook.wrong_type"
    );
    assert_eq!(
        error(&with("days = 10", "days = -10")).code(),
        "rulebook.invalid_value"
    );
    assert_eq!(
        error(&with("ocds_method = \"open\"", "ocds_method = \"closed\"")).code(),
        "rulebook.invalid_value"
    );
    assert_eq!(
        error(&with("days_kind = \"business\"", "days_kind = \"working\"")).code(),
        "rulebook.invalid_value"
    );
}

#[test]
fn missing_keys_and_citations() {
    let e = error(&with("cite = \"Art. 5\"", ""));
    assert_eq!(e.code(), "rulebook.missing_key");
    match e {
        RulebookError::MissingKey { path, message } => {
            assert_eq!(path, "methods[1].bidding_period");
            assert!(message.contains("cite"));
        }
        other => panic!("{other:?}"),
    }
    let e = error(&with("cite = \"Art. 5\"", "cite = \"  \""));
    assert_eq!(
        e,
        RulebookError::MissingCitation {
            path: "methods[1].bidding_period.cite".into()
        }
    );
    assert_eq!(
        error(&with("version = \"1\"", "version = \"\"")).code(),
        "rulebook.empty_field"
    );
}

#[test]
fn money_must_be_exact_and_not_negative() {
    assert_eq!(
        error(&with("max = \"1000.00\"", "max = \"1,000.00\"")).code(),
        "rulebook.invalid_money"
    );
    assert_eq!(
        error(&with("max = \"1000.00\"", "max = \"1e3\"")).code(),
        "rulebook.invalid_money"
    );
    assert_eq!(
        error(&with("max = \"1000.00\"", "max = \"\"")).code(),
        "rulebook.invalid_money"
    );
    let e = error(&with("min = \"0\"", "min = \"-5.00\""));
    assert_eq!(
        e,
        RulebookError::NegativeMoney {
            path: "methods[0].value_range.min".into(),
            value: "-5.00".parse().unwrap()
        }
    );
    assert_eq!(
        error(&with("max = \"1000.00\"", "max = \"1000.005\"")).code(),
        "rulebook.money_too_many_decimals"
    );
    // Trailing zeros beyond the currency's decimals are not extra precision.
    assert!(Rulebook::from_toml(&with("max = \"1000.00\"", "max = \"1000.0000\"")).is_ok());
}

#[test]
fn partition_gaps_and_overlaps() {
    // Both bounds inclusive at 1000.00: 1000.00 would fit two methods.
    let e = error(&with("min_inclusive = false", "min_inclusive = true"));
    assert_eq!(
        e,
        RulebookError::RangeOverlap {
            below: "small".into(),
            above: "large".into()
        }
    );
    // Both exclusive: 1000.00 fits none.
    let e = error(&with("max_inclusive = true", "max_inclusive = false"));
    assert_eq!(
        e,
        RulebookError::RangeGap {
            below: "small".into(),
            above: "large".into()
        }
    );
    assert_eq!(
        error(&with("min = \"1000.00\"", "min = \"1500.00\"")).code(),
        "rulebook.range_gap"
    );
    assert_eq!(
        error(&with("min = \"1000.00\"", "min = \"900.00\"")).code(),
        "rulebook.range_overlap"
    );
    assert_eq!(
        error(&with("min = \"0\"", "min = \"1.00\"")).code(),
        "rulebook.partition_not_from_zero"
    );
    assert_eq!(
        error(&with(
            "value_partition = [\"small\", \"large\"]",
            "value_partition = [\"small\"]"
        ))
        .code(),
        "rulebook.partition_bounded"
    );
    assert_eq!(
        error(&with(
            "value_partition = [\"small\", \"large\"]",
            "value_partition = [\"small\", \"huge\"]"
        ))
        .code(),
        "rulebook.partition_unknown_method"
    );
    assert_eq!(
        error(&with(
            "value_partition = [\"small\", \"large\"]",
            "value_partition = [\"small\", \"small\"]"
        ))
        .code(),
        "rulebook.partition_unknown_method"
    );
    // Without a declared partition, ranges may overlap freely.
    let free = with(
        "value_partition = [\"small\", \"large\"]",
        "value_partition = []",
    )
    .replacen("min = \"1000.00\"", "min = \"500.00\"", 1);
    assert!(Rulebook::from_toml(&free).is_ok());
    assert_eq!(
        error(&with("max = \"1000.00\"", "max = \"0\"")).code(),
        "rulebook.empty_range"
    );
}

#[test]
fn weights_must_sum_to_one_hundred() {
    let e = error(&with("weight = \"40\"", "weight = \"30\""));
    assert_eq!(
        e,
        RulebookError::WeightsNot100 {
            method: "large".into(),
            sum: "90".parse().unwrap()
        }
    );
    assert_eq!(
        error(&with("weight = \"40\"", "weight = \"40.01\"")).code(),
        "rulebook.weights_not_100"
    );
    // 60 + 40.00 is exactly 100.
    assert!(Rulebook::from_toml(&with("weight = \"40\"", "weight = \"40.00\"")).is_ok());
    let e = error(&with("weight = \"60\"", "weight = \"0\"").replacen(
        "weight = \"40\"",
        "weight = \"100\"",
        1,
    ));
    assert_eq!(e.code(), "rulebook.weight_not_positive");
    assert_eq!(
        error(&with("kind = \"weighted\"", "kind = \"lowest_price\"")).code(),
        "rulebook.invalid_criteria"
    );
    assert_eq!(
        error(&with("code = \"quality\"", "code = \"price\"")).code(),
        "rulebook.invalid_criteria"
    );
    assert_eq!(
        error(&with("weight = \"60\"", "weight = \"sixty\"")).code(),
        "rulebook.invalid_money"
    );
}

#[test]
fn header_values() {
    assert_eq!(
        error(&with("America/Guatemala", "America/Atlantis")).code(),
        "rulebook.unknown_timezone"
    );
    assert_eq!(
        error(&with("currency = \"GTQ\"", "currency = \"quetzal\"")).code(),
        "rulebook.invalid_currency"
    );
    assert_eq!(
        error(&with(
            "effective_from = 2020-01-01",
            "effective_from = 2020-01-01T08:00:00"
        ))
        .code(),
        "rulebook.invalid_date"
    );
    assert_eq!(
        error(&with(
            "effective_from = 2020-01-01",
            "effective_from = \"2020-01-01\""
        ))
        .code(),
        "rulebook.wrong_type"
    );
    assert_eq!(
        error(&with(
            "effective_from = 2020-01-01",
            "effective_from = 2020-01-01\neffective_until = 2019-12-31"
        ))
        .code(),
        "rulebook.invalid_effective_period"
    );
}

#[test]
fn holidays() {
    assert_eq!(
        error(&with("date = \"01-01\"", "date = \"02-30\"")).code(),
        "rulebook.invalid_holiday"
    );
    assert_eq!(
        error(&with("date = \"01-01\"", "date = \"1-1\"")).code(),
        "rulebook.invalid_holiday"
    );
    assert_eq!(
        error(&with(
            "date = \"01-01\"",
            "date = \"01-01\"\neaster_offset = -2"
        ))
        .code(),
        "rulebook.invalid_holiday"
    );
    assert_eq!(
        error(&with(
            "date = \"01-01\"",
            "easter_offset = -2\nshift = \"tue_to_mon_wed_thu_to_fri\""
        ))
        .code(),
        "rulebook.invalid_holiday"
    );
    assert_eq!(
        error(&with("date = \"01-01\"", "easter_offset = 400")).code(),
        "rulebook.invalid_holiday"
    );
    assert!(Rulebook::from_toml(&with("date = \"01-01\"", "on = 2021-07-02")).is_ok());
    assert!(Rulebook::from_toml(&with("date = \"01-01\"", "date = \"02-29\"")).is_ok());
}

#[test]
fn method_consistency() {
    let dup = format!(
        "{BASE}\n{}",
        &BASE[BASE.find("[[methods]]\ncode = \"small\"").unwrap()
            ..BASE.find("[[methods]]\ncode = \"large\"").unwrap()]
    );
    assert_eq!(error(&dup).code(), "rulebook.duplicate_method");
    assert_eq!(
        error(&with("days = 10", "days = 0")).code(),
        "rulebook.invalid_period"
    );
    let clar = with(
        "[methods.evaluation]\nkind = \"weighted\"",
        "[methods.clarifications]\ndays_before_deadline = 10\ndays_kind = \"business\"\ncite = \"Art. 8\"\n\n[methods.evaluation]\nkind = \"weighted\"",
    );
    assert_eq!(error(&clar).code(), "rulebook.invalid_period");
    assert!(
        Rulebook::from_toml(&clar.replace("days_before_deadline = 10", "days_before_deadline = 9"))
            .is_ok()
    );
    assert_eq!(
        error(&with("sealed_bids = true", "sealed_bids = false")).code(),
        "rulebook.public_opening_without_sealed_bids"
    );
    assert_eq!(
        error(&with(
            "cite = \"Art. 4\"\nsealed_bids",
            "cite = \"Art. 4\"\nunconfirmed = [\"standstill\"]\nsealed_bids"
        ))
        .code(),
        "rulebook.unknown_unconfirmed_section"
    );
    assert!(
        Rulebook::from_toml(&with(
            "cite = \"Art. 4\"\nsealed_bids",
            "cite = \"Art. 4\"\nunconfirmed = [\"bidding_period\"]\nsealed_bids"
        ))
        .is_ok()
    );
}

#[test]
fn direct_awards_and_exception_categories() {
    let direct = |extra: &str| {
        with(
            "[methods.evaluation]\nkind = \"lowest_price\"",
            &format!(
                "[methods.direct_award]\njustification_required = true\nexception_category_required = true\nflagged_publicly = true\ncite = \"Art. 9\"\n{extra}\n[methods.evaluation]\nkind = \"lowest_price\""
            ),
        )
    };
    assert!(Rulebook::from_toml(&direct("")).is_ok());
    assert_eq!(
        error(&direct("exception_categories = [\"x9\"]")).code(),
        "rulebook.unknown_exception_category"
    );
    let none = direct("").replacen("[[exception_categories]]\ncode = \"x1\"\narticle = \"Art. 9 a)\"\nname_es = \"Urgencia\"\nname_en = \"Urgency\"", "", 1);
    assert_eq!(error(&none).code(), "rulebook.unknown_exception_category");
    let twice = with(
        "[[methods]]\ncode = \"small\"",
        "[[exception_categories]]\ncode = \"x1\"\narticle = \"Art. 9 b)\"\nname_es = \"Otra\"\nname_en = \"Other\"\n\n[[methods]]\ncode = \"small\"",
    );
    assert_eq!(
        error(&twice).code(),
        "rulebook.duplicate_exception_category"
    );
}

#[test]
fn embedded_auction_rules_are_validated_by_the_auction_engine() {
    let auction = |rules: &str| {
        with(
            "[methods.bidding_period]",
            &format!("[methods.auction]\ncite = \"Art. 7\"\n{rules}\n\n[methods.bidding_period]"),
        )
    };
    assert!(
        Rulebook::from_toml(&auction("")).is_ok(),
        "an empty auction section means the issue 4 defaults"
    );
    let e = error(&auction(
        "[methods.auction.rules.format]\nkind = \"turn_based_rounds\"\nrounds = 0",
    ));
    assert_eq!(e.code(), "rulebook.invalid_auction");
    match e {
        RulebookError::InvalidAuction { method, source } => {
            assert_eq!(method, "large");
            assert_eq!(source.code(), "auction.rules.no_rounds");
        }
        other => panic!("{other:?}"),
    }
}

/// A score-ranked auction section with these feature tables.
fn score_auction(features: &str) -> String {
    with(
        "[methods.bidding_period]",
        &format!(
            "[methods.auction]\ncite = \"Art. 7\"\n\n[methods.auction.rules]\nranking = \"score\"\n\n{features}\n\n[methods.bidding_period]"
        ),
    )
}

/// One feature table with options given as (code, value).
fn feature(code: &str, options: &[(&str, &str)]) -> String {
    let mut text = format!(
        "[[methods.auction.features]]\ncode = \"{code}\"\nname_es = \"Plazo\"\nname_en = \"Delivery\"\ncite = \"Art. 8\"\n"
    );
    if options.is_empty() {
        text.push_str("options = []\n");
    }
    for (option, value) in options {
        text.push_str(&format!(
            "\n[[methods.auction.features.options]]\ncode = \"{option}\"\nname_es = \"Opción\"\nname_en = \"Option\"\nvalue = \"{value}\"\n"
        ));
    }
    text
}

#[test]
fn score_ranking_reads_its_non_price_features_exactly() {
    let book = Rulebook::from_toml(&score_auction(&format!(
        "{}\n{}",
        feature(
            "delivery",
            &[("d15", "0.05"), ("d30", "0.02"), ("later", "0")]
        ),
        feature("shelf_life", &[("m24", "0.0500"), ("m12", "0.01")]),
    )))
    .unwrap();
    let method = book.method("large").unwrap();
    let features = method.auction_features();
    assert_eq!(features.len(), 2);
    assert_eq!(features[0].code, "delivery");
    assert_eq!(features[0].option("d30").unwrap().value.to_string(), "0.02");
    assert_eq!(features[1].option("m24").unwrap().value.to_string(), "0.05");
    assert!(features[0].option("d7").is_none());
    assert_eq!(features[0].cite, "Art. 8");
}

#[test]
fn auction_features_must_fit_the_ranking_and_the_engines_bounds() {
    let reason = |text: &str| match error(text) {
        RulebookError::InvalidAuctionFeatures { method, reason } => {
            assert_eq!(method, "large");
            reason
        }
        other => panic!("{other:?}"),
    };
    // Score ranking without features; features with price ranking.
    assert!(reason(&score_auction("")).contains("at least one feature"));
    let price = score_auction(&feature("delivery", &[("d15", "0.05")]))
        .replace("ranking = \"score\"", "ranking = \"price\"");
    assert!(reason(&price).contains("only used in score ranking"));
    // Duplicates, no options, negative or too precise values, and a sum above the engine's.
    let twice = format!(
        "{}\n{}",
        feature("delivery", &[("a", "0")]),
        feature("delivery", &[("b", "0")])
    );
    assert!(reason(&score_auction(&twice)).contains("declared twice"));
    assert!(reason(&score_auction(&feature("delivery", &[]))).contains("no options"));
    let same_option = feature("delivery", &[("a", "0"), ("a", "0.1")]);
    assert!(reason(&score_auction(&same_option)).contains("declared twice"));
    assert!(reason(&score_auction(&feature("delivery", &[("a", "-0.1")]))).contains("negative"));
    assert!(reason(&score_auction(&feature("delivery", &[("a", "0.00001")]))).contains("decimals"));
    let huge = format!(
        "{}\n{}",
        feature("a", &[("x", "60")]),
        feature("b", &[("y", "41")])
    );
    assert!(reason(&score_auction(&huge)).contains("above the engine"));
    // Values are exact strings, and every text is required.
    assert_eq!(
        error(&score_auction(&feature("delivery", &[("a", "0.1e1")]))).code(),
        "rulebook.invalid_money"
    );
    let no_cite = score_auction(&feature("delivery", &[("a", "0")]))
        .replace("cite = \"Art. 8\"", "cite = \"\"");
    assert_eq!(error(&no_cite).code(), "rulebook.missing_citation");
    let unknown = score_auction(&feature("delivery", &[("a", "0")]))
        .replace("value = \"0\"", "value = \"0\"\nweight = \"1\"");
    assert_eq!(error(&unknown).code(), "rulebook.unknown_key");
}
