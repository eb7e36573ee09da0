//! Market indicators against hand-computed small examples.

use rust_decimal::Decimal;
use serde_json::{Value, json};
use tianguis_indicators::market::MarketRow;
use tianguis_indicators::{BlockReader, Options, ReferencePrices, Settings, analyze};

fn market(
    lines: &[Value],
    reference: Option<ReferencePrices>,
) -> tianguis_indicators::MarketReport {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let reader =
        BlockReader::new(Box::new(std::io::Cursor::new(text.into_bytes())), "test").unwrap();
    let settings = Settings::from_ini("currency = GTQ\n[market]\ncategory_digits = 4\n").unwrap();
    let options = Options {
        reference_prices: reference,
        ..Options::default()
    };
    analyze(reader, &settings, &options, None)
        .unwrap()
        .market
        .unwrap()
}

fn process(ocid: &str, year: i32, method: &str, awards: &[(&str, i64)], bidders: &[&str]) -> Value {
    json!({
        "ocid": ocid,
        "buyer": {"id": "IGSS"},
        "tender": {"procurementMethod": method, "tenderPeriod": {"startDate": format!("{year}-02-01T00:00:00Z")},
                   "items": [{"classification": {"id": "42131600"}}]},
        "bids": {"details": bidders.iter().map(|b| json!({"status": "valid", "tenderers": [{"id": b}]})).collect::<Vec<_>>()},
        "awards": awards.iter().map(|(s, v)| json!({"status": "active", "suppliers": [{"id": s}], "value": {"amount": v, "currency": "GTQ"}})).collect::<Vec<_>>(),
    })
}

fn row<'a>(
    rows: &'a [MarketRow],
    year: i32,
    buyer: Option<&str>,
    category: Option<&str>,
) -> &'a MarketRow {
    rows.iter()
        .find(|r| {
            r.year == year && r.buyer.as_deref() == buyer && r.category.as_deref() == category
        })
        .unwrap_or_else(|| panic!("no row {year} {buyer:?} {category:?}"))
}

#[test]
fn concentration_competition_and_new_entrants() {
    let lines = vec![
        process("p1", 2023, "open", &[("A", 600)], &["A", "B"]),
        process("p2", 2023, "open", &[("B", 300)], &["B"]),
        process("p3", 2023, "direct", &[("C", 100)], &[]),
        process("p4", 2024, "open", &[("A", 500)], &["A", "D", "E"]),
        process("p5", 2024, "selective", &[("D", 500)], &["D"]),
    ];
    let m = market(&lines, None);
    assert_eq!(m.currency.as_deref(), Some("GTQ"));
    let y23 = row(&m.rows, 2023, None, None);
    // Shares 60 %, 30 %, 10 %: HHI = 3600 + 900 + 100.
    assert_eq!(y23.suppliers, 3);
    assert_eq!(y23.hhi, Some(4600.0));
    assert_eq!(y23.top4_share, Some(1.0));
    assert_eq!(y23.new_entrants, None, "no history before the first year");
    assert_eq!(y23.competitive_processes, 2);
    assert_eq!(y23.single_bid_rate, Some(0.5));
    assert_eq!(y23.direct_share_by_count, Some(0.333333));
    assert_eq!(y23.direct_share_by_value, Some(0.1));
    // Bidders: p1 2, p2 1 (p3 has none) → 1.5.
    assert_eq!(y23.average_bidders, Some(1.5));
    assert_eq!(y23.awarded_value, Decimal::from(1000));
    let y24 = row(&m.rows, 2024, None, None);
    assert_eq!(y24.suppliers, 2);
    assert_eq!(y24.new_entrants, Some(1), "D is new in 2024, A is not");
    assert_eq!(y24.hhi, Some(5000.0));
    assert_eq!(y24.single_bid_rate, Some(0.5));
    assert_eq!(y24.average_bidders, Some(2.0));
    // The category is cut to 4 digits and the buyer row exists too.
    let by_category = row(&m.rows, 2024, Some("IGSS"), Some("4213"));
    assert_eq!(by_category.processes, 2);
}

#[test]
fn auction_and_estimate_savings() {
    let auction = json!({"ocid": "a", "buyer": {"id": "IGSS"}, "date": "2024-01-01T00:00:00Z",
        "tender": {"value": {"amount": 1000, "currency": "GTQ"}},
        "bids": {"details": [
            {"status": "valid", "tenderers": [{"id": "X"}], "initialValue": {"amount": 900, "currency": "GTQ"}, "value": {"amount": 700, "currency": "GTQ"}},
            {"status": "valid", "tenderers": [{"id": "Y"}], "initialValue": {"amount": 950, "currency": "GTQ"}, "value": {"amount": 720, "currency": "GTQ"}},
            {"status": "disqualified", "tenderers": [{"id": "Z"}], "initialValue": {"amount": 100, "currency": "GTQ"}, "value": {"amount": 100, "currency": "GTQ"}}]},
        "awards": [{"status": "active", "suppliers": [{"id": "X"}], "value": {"amount": 700, "currency": "GTQ"}}]});
    let m = market(&[auction], None);
    let all = row(&m.rows, 2024, None, None);
    let a = all.auction_savings.as_ref().unwrap();
    // Best initial 900 (valid bids only), best final 700.
    assert_eq!(
        (a.reference_total, a.final_total, a.savings),
        (Decimal::from(900), Decimal::from(700), Decimal::from(200))
    );
    assert_eq!(a.rate, Some(0.222222));
    let e = all.estimate_savings.as_ref().unwrap();
    assert_eq!(
        (e.reference_total, e.final_total),
        (Decimal::from(1000), Decimal::from(700))
    );
    assert_eq!(e.rate, Some(0.3));
}

#[test]
fn unit_price_benchmarks_and_reference_ratio() {
    let line = |ocid: &str, price: f64| {
        json!({"ocid": ocid, "buyer": {"id": "IGSS"}, "date": "2024-03-01T00:00:00Z",
            "awards": [{"status": "active", "suppliers": [{"id": "S"}],
                "items": [{"classification": {"id": "N02BE01"}, "quantity": 1000, "unit": {"value": {"amount": price, "currency": "GTQ"}}}]}]})
    };
    let lines = vec![
        line("a", 0.20),
        line("b", 0.22),
        line("c", 0.24),
        line("d", 0.26),
        line("e", 2.0),
    ];
    let reference =
        ReferencePrices::from_csv("classification_id,unit_price,currency\nN02BE01,0.25,GTQ\n")
            .unwrap();
    let m = market(&lines, Some(reference));
    let rows = &m.prices.rows;
    assert_eq!(rows.len(), 2, "by buyer and for all buyers");
    let all = rows.iter().find(|r| r.buyer.is_none()).unwrap();
    assert_eq!(all.count, 5);
    assert_eq!(all.median, 0.24);
    assert_eq!((all.min, all.max), (0.20, 2.0));
    assert_eq!(all.reference_price, Some(Decimal::new(25, 2)));
    assert_eq!(all.median_to_reference, Some(0.96));
    assert_eq!(all.outliers.len(), 1);
    assert_eq!(all.outliers[0].ocid, "e");
}

#[test]
fn full_report_is_identical_whatever_the_thread_count() {
    // Enough lines for several blocks, so threads really split the work.
    let mut text = String::new();
    for i in 0..15_000u32 {
        let line = json!({
            "ocid": format!("ocds-x-{i}"),
            "buyer": {"id": format!("B{}", i % 7)},
            "tender": {"procurementMethod": if i % 5 == 0 { "direct" } else { "open" },
                       "tenderPeriod": {"startDate": format!("{}-03-01T00:00:00Z", 2020 + i % 3), "endDate": format!("{}-03-0{}T00:00:00Z", 2020 + i % 3, 2 + i % 7)},
                       "numberOfTenderers": 1 + i % 3, "value": {"amount": 1000 + i, "currency": "GTQ"}},
            "bids": {"details": [
                {"status": "valid", "tenderers": [{"id": format!("S{}", i % 13)}], "value": {"amount": 900 + i % 50, "currency": "GTQ"}, "initialValue": {"amount": 990, "currency": "GTQ"}},
                {"status": if i % 4 == 0 { "disqualified" } else { "valid" }, "tenderers": [{"id": format!("S{}", (i + 1) % 13)}], "value": {"amount": 905 + i % 40, "currency": "GTQ"}}]},
            "awards": [{"status": "active", "suppliers": [{"id": format!("S{}", i % 13)}], "value": {"amount": 900 + i % 50, "currency": "GTQ"},
                        "items": [{"classification": {"id": format!("{}", 42_000_000 + (i % 11) * 1000)}, "unit": {"value": {"amount": 1.0 + f64::from(i % 17) / 10.0, "currency": "GTQ"}}}]}]
        });
        text.push_str(&line.to_string());
        text.push('\n');
    }
    assert!(text.len() > 3 << 20, "several blocks");
    let report = |threads: usize| {
        let reader = BlockReader::new(
            Box::new(std::io::Cursor::new(text.clone().into_bytes())),
            "t",
        )
        .unwrap();
        let options = Options {
            threads,
            ..Options::default()
        };
        let analysis = analyze(reader, &Settings::all_indicators(), &options, None).unwrap();
        serde_json::to_string(&analysis.report(tianguis_indicators::Lang::Es)).unwrap()
    };
    let one = report(1);
    assert_eq!(one, report(2));
    assert_eq!(one, report(3));
}

#[test]
fn releases_in_memory_give_the_same_report_as_a_file() {
    let releases = [
        process("p1", 2023, "open", &[("A", 600)], &["A"]),
        process("p2", 2024, "direct", &[("B", 300)], &[]),
    ];
    let settings = Settings::all_indicators();
    let in_memory =
        tianguis_indicators::analyze_releases(releases.iter(), &settings, &Options::default())
            .unwrap();
    let text: String = releases.iter().map(|l| format!("{l}\n")).collect();
    let reader =
        BlockReader::new(Box::new(std::io::Cursor::new(text.into_bytes())), "file").unwrap();
    let from_file = analyze(reader, &settings, &Options::default(), None).unwrap();
    let lang = tianguis_indicators::Lang::Es;
    assert_eq!(
        serde_json::to_value(in_memory.report(lang)).unwrap(),
        serde_json::to_value(from_file.report(lang)).unwrap()
    );
    let market = in_memory.market.unwrap();
    assert_eq!(
        row(&market.rows, 2024, None, None).direct_share_by_count,
        Some(1.0)
    );
}
