//! The `indicators` command end to end: formats, gzip input, standard input, malformed lines,
//! settings and reference-price errors with their codes and exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use clap::Parser;
use tianguis_indicators::cli::{IndicatorsArgs, run};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: IndicatorsArgs,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/cardinal-fixtures")
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tianguis-indicators-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn invoke(argv: &[&str], stdin: &[u8]) -> (u8, String, String) {
    let mut all = vec!["indicators"];
    all.extend_from_slice(argv);
    let cli = Cli::try_parse_from(all).unwrap();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = run(
        &cli.args,
        Box::new(std::io::Cursor::new(stdin.to_vec())),
        &mut out,
        &mut err,
    );
    let code = if code == std::process::ExitCode::SUCCESS {
        0
    } else if code == std::process::ExitCode::from(1) {
        1
    } else if code == std::process::ExitCode::from(2) {
        2
    } else {
        255
    };
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

const SETTINGS: &str = "no_price_comparison_procurement_methods = NPC\n[exclusions]\nprocurement_method_details = EXC\n[R024]\n";

#[test]
fn cardinal_format_matches_the_fixture_and_prints_meta() {
    let settings = temp_file("r024.ini", SETTINGS.as_bytes());
    let input = fixtures().join("R024.jsonl");
    let (code, out, _) = invoke(
        &[
            "--format",
            "cardinal",
            "-s",
            settings.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 0);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        value["Meta"]["R024"],
        serde_json::json!({"q1": 66.6667, "q3": 100.0, "lower_fence": 16.6667})
    );
    let (_, no_meta, _) = invoke(
        &[
            "--format",
            "cardinal",
            "--no-meta",
            "-s",
            settings.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
        b"",
    );
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("R024.expected")).unwrap())
            .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&no_meta).unwrap(),
        expected
    );
}

#[test]
fn gzip_from_standard_input_gives_the_same_result() {
    let settings = temp_file("r024b.ini", SETTINGS.as_bytes());
    let plain = std::fs::read(fixtures().join("R024.jsonl")).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&plain).unwrap();
    let gz = encoder.finish().unwrap();
    let (code, from_gzip, _) = invoke(
        &[
            "--format",
            "cardinal",
            "-s",
            settings.to_str().unwrap(),
            "-",
        ],
        &gz,
    );
    assert_eq!(code, 0);
    let (_, from_plain, _) = invoke(
        &[
            "--format",
            "cardinal",
            "-s",
            settings.to_str().unwrap(),
            "-",
        ],
        &plain,
    );
    assert_eq!(from_gzip, from_plain);
}

#[test]
fn malformed_lines_are_reported_with_line_numbers_and_codes() {
    let input = temp_file(
        "bad.jsonl",
        b"{\"ocid\":\"a\",\"tender\":{\"procurementMethod\":\"open\",\"numberOfTenderers\":1}}\n{\"ocid\": \n\n   \n\xff\xfe\n{\"ocid\":\"b\"} trailing\n[1,2]\n",
    );
    let (code, out, err) = invoke(&["--lang", "en", input.to_str().unwrap()], b"");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning[input.invalid_json]: line 2"), "{err}");
    assert!(err.contains("warning[input.invalid_utf8]: line 5"), "{err}");
    assert!(err.contains("warning[input.invalid_json]: line 6"), "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["summary"]["lines"], 7);
    assert_eq!(report["summary"]["malformed_lines"], 3);
    assert_eq!(report["summary"]["skipped"]["not_an_object"], 1);
    let lines: Vec<u64> = report["malformed_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![2, 5, 6]);
    assert_eq!(report["processes"][0]["ocid"], "a");
    assert_eq!(report["processes"][0]["flags"][0]["code"], "R018");
    assert_eq!(
        report["processes"][0]["flags"][0]["name"],
        "Single bid received"
    );
}

#[test]
fn csv_output_has_one_row_per_flag() {
    let input = temp_file(
        "csv.jsonl",
        b"{\"ocid\":\"a,b\",\"tender\":{\"procurementMethod\":\"open\",\"numberOfTenderers\":1}}\n",
    );
    let (code, out, _) = invoke(&["--csv", input.to_str().unwrap()], b"");
    assert_eq!(code, 0);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(
        rows[0],
        "group,id,line,buyer,code,name,value,lot,tenderers,explanation"
    );
    assert!(
        rows[1].starts_with("OCID,\"a,b\",1,,R018,Una sola oferta recibida,1,"),
        "{}",
        rows[1]
    );
    assert_eq!(rows.len(), 2);
}

#[test]
fn bad_settings_and_missing_files_fail_with_codes() {
    let settings = temp_file("bad.ini", b"[R003]\nthreshold = soon\n");
    let input = fixtures().join("R003.jsonl");
    let (code, _, err) = invoke(
        &["-s", settings.to_str().unwrap(), input.to_str().unwrap()],
        b"",
    );
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error[settings.invalid_value]: R003.threshold"),
        "{err}"
    );
    let (code, _, err) = invoke(&["/nonexistent/input.jsonl"], b"");
    assert_eq!(code, 1);
    assert!(err.starts_with("error[input.io]"), "{err}");
    let prices = temp_file("prices.csv", b"code,price\n");
    let (code, _, err) = invoke(
        &[
            "--reference-prices",
            prices.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error[reference_prices.missing_column]"),
        "{err}"
    );
}

#[test]
fn map_adds_the_reference_maps() {
    let settings = temp_file("r028.ini", b"[R028]\n[R038]\n");
    let input = fixtures().join("R028.jsonl");
    let (_, out, _) = invoke(
        &[
            "--format",
            "cardinal",
            "--map",
            "-s",
            settings.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
        b"",
    );
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let maps = value["Maps"].as_object().unwrap();
    let keys: Vec<&str> = maps.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        vec![
            "ocid_buyer_r038",
            "ocid_procuringentity_r038",
            "ocid_tenderer",
            "ocid_tenderer_r024",
            "ocid_tenderer_r028",
            "ocid_tenderer_r030",
            "ocid_tenderer_r035",
            "ocid_tenderer_r058"
        ]
    );
    assert_eq!(
        maps["ocid_tenderer_r028"]["F"],
        serde_json::json!(["D", "V"])
    );
}

#[test]
fn the_binary_reads_standard_input_and_writes_market_csv() {
    let market = std::env::temp_dir().join(format!("tianguis-market-{}.csv", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_tianguis-indicators"))
        .args([
            "--no-progress",
            "--market-csv",
            market.to_str().unwrap(),
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"ocid":"m","date":"2024-05-01T00:00:00Z","buyer":{"id":"B"},"tender":{"procurementMethod":"direct"},"awards":[{"status":"active","suppliers":[{"id":"S"}],"value":{"amount":10,"currency":"GTQ"}}]}
"#)
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["market"]["currency"], "GTQ");
    let csv = std::fs::read_to_string(&market).unwrap();
    assert!(csv.starts_with("year,buyer,category,"), "{csv}");
    assert!(
        csv.contains("\n2024,*,*,1,1,,1,1,10000,0,,1,1,,10,,,,,GTQ\n"),
        "{csv}"
    );
}
