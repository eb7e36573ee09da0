//! Per-indicator behaviour on small hand-written processes: applicable, not applicable (and
//! why), flagged, and the edges of each definition (issue 6, "Tests").

use serde_json::{Value, json};
use tianguis_indicators::{Analysis, BlockReader, Indicator, Options, Settings, analyze};

fn run(lines: &[Value], ini: &str, full: bool) -> Analysis {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let reader =
        BlockReader::new(Box::new(std::io::Cursor::new(text.into_bytes())), "test").unwrap();
    let settings = Settings::from_ini(ini).unwrap();
    let options = Options {
        full_report: full,
        threads: 2,
        ..Options::default()
    };
    analyze(reader, &settings, &options, None).unwrap()
}

fn flagged(analysis: &Analysis, indicator: Indicator) -> Vec<(String, f64)> {
    analysis
        .outcome
        .processes_flagged
        .iter()
        .flat_map(|p| {
            p.flags
                .iter()
                .filter(move |f| f.indicator == indicator)
                .map(move |f| (p.ocid.to_string(), f.value))
        })
        .collect()
}

fn not_applicable(analysis: &Analysis, indicator: Indicator, reason: &str) -> u64 {
    let report = analysis.report(tianguis_indicators::Lang::En);
    report
        .indicators
        .iter()
        .find(|i| i.code == indicator.code())
        .and_then(|i| i.reasons.iter().find(|r| r.reason == reason))
        .map_or(0, |r| r.count)
}

fn period(start: &str, end: &str) -> Value {
    json!({"startDate": start, "endDate": end})
}

#[test]
fn r003_counts_whole_days_and_uses_per_method_thresholds() {
    let lines = vec![
        json!({"ocid": "short", "tender": {"tenderPeriod": period("2024-01-01T00:00:00Z", "2024-01-15T23:59:59Z")}}),
        json!({"ocid": "exact", "tender": {"tenderPeriod": period("2024-01-01T00:00:00Z", "2024-01-16T00:00:00Z")}}),
        json!({"ocid": "offset", "tender": {"tenderPeriod": period("2024-01-01T00:00:00-06:00", "2024-01-15T20:00:00Z")}}),
        json!({"ocid": "law", "tender": {"procurementMethodDetails": "Cotización", "tenderPeriod": period("2024-01-01T00:00:00Z", "2024-01-08T00:00:00Z")}}),
        json!({"ocid": "nodates", "tender": {}}),
        json!({"ocid": "bad", "tender": {"tenderPeriod": period("2024-01-01", "2024-01-02T00:00:00Z")}}),
    ];
    let a = run(
        &lines,
        "[R003]\n[R003.procurement_method_details]\nCotización = 7\n",
        true,
    );
    let got = flagged(&a, Indicator::R003);
    assert_eq!(
        got,
        vec![("short".to_string(), 1.0), ("offset".to_string(), 1.0)]
    );
    assert_eq!(
        not_applicable(&a, Indicator::R003, "missing_tender_period"),
        1
    );
    assert_eq!(not_applicable(&a, Indicator::R003, "invalid_date"), 1);
    let report = a.report(tianguis_indicators::Lang::Es);
    let short = &report.processes[0].flags[0];
    assert!(
        short.explanation.contains("14 días"),
        "{}",
        short.explanation
    );
}

#[test]
fn r018_needs_a_competitive_method_and_an_integer_count() {
    let lines = vec![
        json!({"ocid": "one", "tender": {"procurementMethod": "open", "numberOfTenderers": 1}}),
        json!({"ocid": "float", "tender": {"procurementMethod": "open", "numberOfTenderers": 1.0}}),
        json!({"ocid": "direct", "tender": {"procurementMethod": "direct", "numberOfTenderers": 1}}),
        json!({"ocid": "two", "tender": {"procurementMethod": "selective", "numberOfTenderers": 2}}),
        json!({"ocid": "none", "tender": {"procurementMethod": "open"}}),
    ];
    let a = run(&lines, "[R018]\n", true);
    assert_eq!(flagged(&a, Indicator::R018), vec![("one".to_string(), 1.0)]);
    assert_eq!(
        not_applicable(&a, Indicator::R018, "procurement_method_not_selected"),
        1
    );
    assert_eq!(
        not_applicable(&a, Indicator::R018, "missing_number_of_tenderers"),
        1
    );
}

fn bid(tenderer: &str, status: &str, amount: f64) -> Value {
    json!({"status": status, "tenderers": [{"id": tenderer}], "value": {"amount": amount, "currency": "GTQ"}})
}

fn awarded(ocid: &str, supplier: &str, bids: Vec<Value>) -> Value {
    json!({"ocid": ocid, "awards": [{"status": "active", "suppliers": [{"id": supplier}]}], "bids": {"details": bids}})
}

#[test]
fn r024_and_r058_use_fixed_thresholds_inclusively() {
    let lines = vec![
        awarded(
            "close",
            "W",
            vec![bid("W", "valid", 100.0), bid("L", "valid", 101.0)],
        ),
        awarded(
            "far",
            "W",
            vec![bid("W", "valid", 100.0), bid("L", "valid", 200.0)],
        ),
        awarded(
            "lost",
            "W",
            vec![bid("W", "valid", 100.0), bid("L", "valid", 90.0)],
        ),
        awarded("alone", "W", vec![bid("W", "valid", 100.0)]),
        json!({"ocid": "pending", "awards": [{"status": "pending", "suppliers": [{"id": "W"}]}], "bids": {"details": [bid("W", "valid", 1.0)]}}),
    ];
    let a = run(
        &lines,
        "[R024]\nthreshold = 0.01\n[R058]\nthreshold = 1\n",
        true,
    );
    assert_eq!(
        flagged(&a, Indicator::R024),
        vec![("close".to_string(), 0.01)]
    );
    assert_eq!(flagged(&a, Indicator::R058), vec![("far".to_string(), 1.0)]);
    assert_eq!(
        not_applicable(&a, Indicator::R024, "lowest_bid_did_not_win"),
        1
    );
    assert_eq!(not_applicable(&a, Indicator::R024, "no_other_valid_bid"), 1);
    assert_eq!(not_applicable(&a, Indicator::R024, "awards_not_final"), 1);
    let cardinal = a.cardinal(false, false);
    assert_eq!(cardinal["Meta"]["R024"], json!({"lower_fence": 0.01}));
    assert_eq!(cardinal["Tenderer"]["W"], json!({"R024": 0.0, "R058": 0.0}));
    assert_eq!(cardinal["Tenderer"]["L"], json!({"R024": 0.0}));
}

#[test]
fn the_main_currency_is_the_first_observed_in_file_order_whatever_the_threads() {
    // The first comparable bid is in EUR: GTQ processes are then not compared.
    let mut lines = vec![
        json!({"ocid": "eur", "awards": [{"status": "active", "suppliers": [{"id": "W"}]}],
        "bids": {"details": [{"status": "valid", "tenderers": [{"id": "W"}], "value": {"amount": 10, "currency": "EUR"}},
                             {"status": "valid", "tenderers": [{"id": "L"}], "value": {"amount": 10, "currency": "EUR"}}]}}),
    ];
    for i in 0..5000 {
        lines.push(awarded(
            &format!("gtq{i}"),
            "W",
            vec![bid("W", "valid", 100.0), bid("L", "valid", 100.0)],
        ));
    }
    for threads in [1, 2, 3] {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let reader =
            BlockReader::new(Box::new(std::io::Cursor::new(text.into_bytes())), "t").unwrap();
        let settings = Settings::from_ini("[R024]\nthreshold = 0.5\n").unwrap();
        let options = Options {
            full_report: false,
            threads,
            ..Options::default()
        };
        let a = analyze(reader, &settings, &options, None).unwrap();
        assert_eq!(a.outcome.currency.as_deref(), Some("EUR"));
        assert_eq!(flagged(&a, Indicator::R024), vec![("eur".to_string(), 0.0)]);
    }
    let a = run(&lines, "currency = GTQ\n[R024]\nthreshold = 0.5\n", false);
    assert_eq!(flagged(&a, Indicator::R024).len(), 5000);
}

#[test]
fn r028_flags_different_tenderers_with_the_same_price() {
    let lines = vec![
        awarded(
            "same",
            "A",
            vec![bid("A", "valid", 5.0), bid("B", "disqualified", 5.0)],
        ),
        awarded(
            "self",
            "A",
            vec![bid("A", "valid", 5.0), bid("A", "valid", 5.0)],
        ),
        awarded(
            "withdrawn",
            "A",
            vec![bid("A", "valid", 5.0), bid("B", "withdrawn", 5.0)],
        ),
        json!({"ocid": "npc", "tender": {"procurementMethodDetails": "NPC"}, "bids": {"details": [bid("A", "valid", 1.0), bid("B", "valid", 1.0)]}}),
    ];
    let a = run(
        &lines,
        "no_price_comparison_procurement_methods = NPC\n[R028]\n",
        true,
    );
    assert_eq!(
        flagged(&a, Indicator::R028),
        vec![("same".to_string(), 1.0)]
    );
    assert_eq!(
        not_applicable(&a, Indicator::R028, "no_price_comparison_method"),
        1
    );
    let cardinal = a.cardinal(true, true);
    assert_eq!(
        cardinal["Maps"]["ocid_tenderer_r028"]["same"],
        json!(["A", "B"])
    );
}

#[test]
fn r030_r035_r036_edges() {
    let late = json!({"ocid": "late", "tender": {"tenderPeriod": {"endDate": "2024-01-10T00:00:00Z"}},
        "awards": [{"status": "active", "suppliers": [{"id": "W"}]}],
        "bids": {"details": [{"status": "valid", "date": "2024-01-10T00:00:01Z", "tenderers": [{"id": "W"}]},
                             {"status": "valid", "date": "2024-01-11T00:00:00Z", "tenderers": [{"id": "L"}]}]}});
    let others_out = awarded(
        "r035",
        "W",
        vec![
            bid("W", "valid", 1.0),
            bid("X", "disqualified", 1.0),
            bid("Y", "disqualified", 2.0),
        ],
    );
    let lowest_out = awarded(
        "r036",
        "W",
        vec![bid("W", "valid", 10.0), bid("X", "disqualified", 9.0)],
    );
    let tie = awarded(
        "tie",
        "W",
        vec![bid("W", "valid", 9.0), bid("X", "disqualified", 9.0)],
    );
    let a = run(
        &[late, others_out, lowest_out, tie],
        "[R030]\n[R035]\nthreshold = 2\n[R036]\n",
        true,
    );
    assert_eq!(
        flagged(&a, Indicator::R030),
        vec![("late".to_string(), 1.0)]
    );
    assert_eq!(
        flagged(&a, Indicator::R035),
        vec![("r035".to_string(), 2.0)]
    );
    // On a tie the first bid counts as the lowest, as in the reference ("r035", "tie").
    assert_eq!(
        flagged(&a, Indicator::R036),
        vec![("r036".to_string(), 1.0)]
    );
}

#[test]
fn r025_r038_r048_are_organisation_level_with_fences() {
    let mut lines = Vec::new();
    for i in 0..8 {
        // T0 loses everything; others win in turn.
        let winner = format!("T{}", 1 + i % 4);
        lines.push(json!({"ocid": format!("p{i}"), "buyer": {"id": "B"}, "tender": {"procuringEntity": {"id": "P"}},
            "awards": [{"status": "active", "suppliers": [{"id": winner}], "items": [{"classification": {"id": format!("{}0000", 10 + i)}}]}],
            "bids": {"details": [bid("T0", "disqualified", 1.0), bid(&winner, "valid", 2.0), bid("T0", "valid", 3.0)]}}));
    }
    let a = run(
        &lines,
        "[R025]\nthreshold = 0.1\npercentile = 50\n[R038]\nthreshold = 0.3\n[R048]\nminimum_contracting_processes = 1\nthreshold = 2\n",
        true,
    );
    let org = |id: &str, indicator: Indicator| {
        a.outcome
            .organisations
            .iter()
            .find(|((_, i), _)| i == id)
            .and_then(|(_, flags)| flags.iter().find(|f| f.indicator == indicator))
            .map(|f| f.value)
    };
    assert_eq!(org("T0", Indicator::R025), Some(0.0));
    assert_eq!(org("T0", Indicator::R038), Some(0.5));
    assert_eq!(org("B", Indicator::R038), Some(1.0 / 3.0));
    // Each winner has two processes in two different 2-digit categories.
    assert_eq!(org("T1", Indicator::R048), Some(2.0));
}

#[test]
fn cancelled_and_excluded_processes_are_skipped() {
    let lines = vec![
        json!({"ocid": "c", "tender": {"status": "cancelled", "procurementMethod": "open", "numberOfTenderers": 1}}),
        json!({"ocid": "x", "tender": {"procurementMethodDetails": "EXC", "procurementMethod": "open", "numberOfTenderers": 1}}),
        json!({"ocid": "k", "tender": {"procurementMethod": "open", "numberOfTenderers": 1}}),
        json!([1, 2]),
        json!({"no": "ocid"}),
    ];
    let a = run(
        &lines,
        "[exclusions]\nprocurement_method_details = EXC\n[R018]\n",
        true,
    );
    assert_eq!(flagged(&a, Indicator::R018), vec![("k".to_string(), 1.0)]);
    let s = a.outcome.skipped;
    assert_eq!(
        (s.cancelled, s.excluded, s.not_an_object, s.missing_ocid),
        (1, 1, 1, 1)
    );
}

#[test]
fn lots_and_related_bids_are_evaluated_in_the_full_report_only() {
    let line = json!({"ocid": "lots",
        "awards": [{"id": "a1", "status": "active", "relatedLots": ["1"], "suppliers": [{"id": "A"}]},
                   {"id": "a2", "status": "active", "relatedBid": "b4", "suppliers": [{"id": "C"}]}],
        "bids": {"details": [
            {"id": "b1", "status": "valid", "relatedLots": ["1"], "tenderers": [{"id": "A"}], "value": {"amount": 100, "currency": "GTQ"}},
            {"id": "b2", "status": "valid", "relatedLots": ["1"], "tenderers": [{"id": "B"}], "value": {"amount": 100.5, "currency": "GTQ"}},
            {"id": "b3", "status": "valid", "relatedLots": ["2"], "tenderers": [{"id": "A"}], "value": {"amount": 500, "currency": "GTQ"}},
            {"id": "b4", "status": "valid", "relatedLots": ["2"], "tenderers": [{"id": "C"}], "value": {"amount": 250, "currency": "GTQ"}}]}});
    let ini = "currency = GTQ\n[R024]\nthreshold = 0.01\n[R058]\nthreshold = 0.9\n";
    let full = run(std::slice::from_ref(&line), ini, true);
    let flags: Vec<(Indicator, Option<String>)> = full.outcome.processes_flagged[0]
        .flags
        .iter()
        .map(|f| (f.indicator, f.lot.as_deref().map(str::to_string)))
        .collect();
    assert_eq!(
        flags,
        vec![
            (Indicator::R024, Some("1".into())),
            (Indicator::R058, Some("2".into()))
        ]
    );
    let parity = run(&[line], ini, false);
    assert!(
        parity.outcome.processes_flagged.is_empty(),
        "the reference skips several awards"
    );
}

#[test]
fn r044_finds_shared_contacts_between_bidders() {
    let line = json!({"ocid": "sim",
        "parties": [
            {"id": "A", "contactPoint": {"email": "Ventas@Example.com", "telephone": "+502 2222-3333"}, "address": {"streetAddress": "6a Avenida 1-23", "locality": "Guatemala"}},
            {"id": "B", "contactPoint": {"email": "ventas@example.com "}, "address": {"streetAddress": "Otra calle"}},
            {"id": "C", "contactPoint": {"telephone": "(502) 2222 3333"}}],
        "bids": {"details": [bid("A", "valid", 1.0), bid("B", "valid", 2.0), bid("C", "valid", 3.0)]}});
    let alone = json!({"ocid": "alone", "bids": {"details": [bid("A", "valid", 1.0)]}});
    let a = run(&[line, alone], "[R044]\n", true);
    assert_eq!(flagged(&a, Indicator::R044), vec![("sim".to_string(), 2.0)]);
    assert_eq!(
        not_applicable(&a, Indicator::R044, "fewer_than_two_bidders"),
        1
    );
    let report = a.report(tianguis_indicators::Lang::En);
    let text = &report.processes[0].flags[0].explanation;
    assert!(
        text.contains("contact e-mail") && text.contains("ventas@example.com"),
        "{text}"
    );
}

#[test]
fn r055_groups_direct_awards_just_below_the_threshold() {
    let direct = |ocid: &str, date: &str, amount: f64| {
        json!({"ocid": ocid, "buyer": {"id": "IGSS"}, "tender": {"procurementMethod": "direct"},
               "awards": [{"status": "active", "date": date, "suppliers": [{"id": "S"}], "value": {"amount": amount, "currency": "GTQ"}}]})
    };
    let lines = vec![
        direct("d1", "2024-03-01T00:00:00Z", 85000.0),
        direct("d2", "2024-03-20T00:00:00Z", 80000.0),
        direct("d3", "2024-06-01T00:00:00Z", 85000.0),
        direct("big", "2024-03-02T00:00:00Z", 95000.0),
        direct("small", "2024-03-03T00:00:00Z", 1000.0),
    ];
    let a = run(
        &lines,
        "currency = GTQ\n[R055]\nthreshold = 90000\nwindow_days = 30\nminimum_count = 2\n",
        true,
    );
    assert_eq!(
        flagged(&a, Indicator::R055),
        vec![("d1".to_string(), 2.0), ("d2".to_string(), 2.0)]
    );
    let report = a.report(tianguis_indicators::Lang::Es);
    let text = &report.processes[0].flags[0].explanation;
    assert!(
        text.contains("165000 GTQ") && text.contains("90000"),
        "{text}"
    );
}

#[test]
fn abnormally_low_price_uses_initial_bids_and_the_runner_up() {
    let auction = |ocid: &str, winner_final: f64| {
        json!({"ocid": ocid, "awards": [{"status": "active", "suppliers": [{"id": "W"}]}],
            "bids": {"details": [
                {"status": "valid", "tenderers": [{"id": "W"}], "initialValue": {"amount": 100, "currency": "GTQ"}, "value": {"amount": winner_final, "currency": "GTQ"}},
                {"status": "valid", "tenderers": [{"id": "X"}], "initialValue": {"amount": 100, "currency": "GTQ"}, "value": {"amount": 90, "currency": "GTQ"}},
                {"status": "valid", "tenderers": [{"id": "Y"}], "initialValue": {"amount": 100, "currency": "GTQ"}, "value": {"amount": 95, "currency": "GTQ"}}]}})
    };
    // 60 = exactly 40 % below the mean (100) of the others' initial bids; 63 = 30 % below 90.
    let a = run(
        &[
            auction("at40", 60.0),
            auction("at30", 63.0),
            auction("fine", 64.0),
        ],
        "[abnormally_low_price]\n",
        true,
    );
    assert_eq!(
        flagged(&a, Indicator::Alp),
        vec![("at40".to_string(), 1.0), ("at30".to_string(), 1.0)]
    );
    let report = a.report(tianguis_indicators::Lang::En);
    let text = &report.processes[0].flags[0].explanation;
    assert!(
        text.contains("40.00 %") && text.contains("33.33 %"),
        "{text}"
    );
}

#[test]
fn streamed_json_report_is_the_built_report() {
    let lines = vec![
        awarded(
            "a",
            "W",
            vec![bid("W", "valid", 100.0), bid("L", "valid", 100.5)],
        ),
        json!({"ocid": "b", "tender": {"procurementMethod": "open", "numberOfTenderers": 1, "tenderPeriod": period("2024-01-01T00:00:00Z", "2024-01-03T00:00:00Z")}}),
    ];
    let a = run(&lines, "[R003]\n[R018]\n[R024]\nthreshold = 0.01\n", true);
    let lang = tianguis_indicators::Lang::En;
    let built = serde_json::to_string(&a.report(lang)).unwrap() + "\n";
    let explainer = tianguis_indicators::explain::Explainer::new(lang);
    let head = tianguis_indicators::report::build_head(
        &a.settings,
        &a.outcome,
        a.market.clone(),
        &explainer,
    );
    let mut streamed = Vec::new();
    tianguis_indicators::report::write_json(&head, &a.outcome, &explainer, None, &mut streamed)
        .unwrap();
    assert_eq!(String::from_utf8(streamed).unwrap(), built);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any line, JSON or not, of any shape: never a panic, every line counted.
    #[test]
    fn arbitrary_lines_never_panic(lines in proptest::collection::vec(
        proptest::string::string_regex(r#"\{("(ocid|tender|bids|details|awards|status|value|amount|currency|tenderers|id|suppliers|items|classification|tenderPeriod|startDate|endDate|numberOfTenderers|parties|relatedLots|relatedBid|initialValue)"|[0-9.e-]{1,6}|"[a-z]{0,3}"|[\[\]{}:,]|true|null| ){0,40}"#).unwrap(),
        1..40,
    )) {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let reader = BlockReader::new(Box::new(std::io::Cursor::new(text.into_bytes())), "fuzz").unwrap();
        let options = Options { threads: 2, ..Options::default() };
        let analysis = analyze(reader, &Settings::all_indicators(), &options, None).unwrap();
        proptest::prop_assert_eq!(analysis.outcome.lines, lines.len() as u64);
        let _ = analysis.report(tianguis_indicators::Lang::Es);
        let _ = analysis.cardinal(false, true);
    }
}

fn ocds_like_value() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let keys = prop::sample::select(vec![
        "ocid",
        "tender",
        "bids",
        "details",
        "awards",
        "status",
        "value",
        "amount",
        "currency",
        "tenderers",
        "id",
        "suppliers",
        "items",
        "classification",
        "tenderPeriod",
        "startDate",
        "endDate",
        "numberOfTenderers",
        "parties",
        "relatedLots",
        "relatedBid",
        "initialValue",
        "buyer",
        "procuringEntity",
        "procurementMethod",
        "date",
        "unit",
        "contactPoint",
        "email",
        "identifier",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..1_000_000).prop_map(Value::from),
        (0.0f64..1e6).prop_map(Value::from),
        prop::sample::select(vec![
            "valid",
            "disqualified",
            "pending",
            "active",
            "open",
            "direct",
            "GTQ",
            "A",
            "B",
            "2024-01-01T00:00:00Z",
            "2024-02-01T00:00:00Z"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::vec((keys.clone(), inner), 0..6).prop_map(|pairs| Value::Object(
                pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Valid JSON of OCDS-like shapes but any types: no panic, the same results with 1 or 3
    /// threads.
    #[test]
    fn arbitrary_releases_are_handled_deterministically(values in proptest::collection::vec(ocds_like_value(), 1..30)) {
        let lines: Vec<Value> = values
            .into_iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::Object(mut map) => {
                    map.entry("ocid").or_insert_with(|| Value::from(format!("o{i}")));
                    Value::Object(map)
                }
                other => other,
            })
            .collect();
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let go = |threads: usize| {
            let reader = BlockReader::new(Box::new(std::io::Cursor::new(text.clone().into_bytes())), "fuzz").unwrap();
            let options = Options { threads, ..Options::default() };
            let analysis = analyze(reader, &Settings::all_indicators(), &options, None).unwrap();
            serde_json::to_string(&analysis.report(tianguis_indicators::Lang::En)).unwrap()
        };
        proptest::prop_assert_eq!(go(1), go(3));
    }
}

#[test]
fn a_repeated_ocid_is_one_entry_in_the_reference_shape() {
    let lines = vec![
        json!({"ocid": "dup", "tender": {"procurementMethod": "open", "numberOfTenderers": 1}}),
        json!({"ocid": "other", "tender": {"procurementMethod": "open", "numberOfTenderers": 1}}),
        json!({"ocid": "dup", "tender": {"tenderPeriod": period("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z")}}),
    ];
    let a = run(&lines, "[R003]\n[R018]\n", false);
    let value = a.cardinal(true, false);
    assert_eq!(
        value,
        json!({"OCID": {"dup": {"R003": 1.0, "R018": 1.0}, "other": {"R018": 1.0}}})
    );
    let mut text = Vec::new();
    tianguis_indicators::cardinal::write(&a.outcome, true, false, &mut text).unwrap();
    assert!(
        String::from_utf8(text)
            .unwrap()
            .starts_with("{\"OCID\":{\"dup\":")
    );
}
