//! Parity with the OCP red-flag calculator (Cardinal 0.0.8): every fixture in
//! `../shared/data/cardinal-fixtures/` must give exactly the expected result.
//!
//! Settings are encoded in the file names (see the fixtures' README), plus the global
//! `no_price_comparison_procurement_methods = NPC` and `[exclusions] procurement_method_details
//! = EXC`. The expected files are the reference's `--no-meta` output.

use std::path::{Path, PathBuf};

use tianguis_indicators::{BlockReader, Options, Settings, analyze};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/cardinal-fixtures")
}

/// The settings file a fixture's name stands for, in the reference's INI format.
fn settings_for(stem: &str) -> String {
    let name = stem.replace('+', "|");
    let mut parts = name.split('-');
    let code = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    let mut ini = String::from(
        "no_price_comparison_procurement_methods = NPC\n[exclusions]\nprocurement_method_details = EXC\n",
    );
    match rest.as_slice() {
        // One part names what the fixture exercises, not a setting (as the reference reads it).
        [] | [_] => ini.push_str(&format!("[{code}]\n")),
        [field, value] => ini.push_str(&format!("[{code}]\n{field} = {value}\n")),
        [field, pairs @ ..] => {
            ini.push_str(&format!("[{code}]\n[{code}.{field}]\n"));
            for pair in pairs.chunks(2) {
                ini.push_str(&format!("{} = {}\n", pair[0], pair[1]));
            }
        }
    }
    ini
}

fn run(path: &Path, settings: &Settings, threads: usize) -> serde_json::Value {
    let reader = BlockReader::open(path).unwrap();
    let options = Options {
        full_report: false,
        threads,
        ..Options::default()
    };
    analyze(reader, settings, &options, None)
        .unwrap()
        .cardinal(true, false)
}

#[test]
fn every_fixture_matches_the_reference_exactly() {
    let mut checked = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    entries.sort();
    for path in entries {
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        let settings = Settings::from_ini(&settings_for(&stem)).unwrap();
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(path.with_extension("expected")).unwrap(),
        )
        .unwrap();
        for threads in [1, 2, 4] {
            let got = run(&path, &settings, threads);
            assert_eq!(got, expected, "fixture {stem} with {threads} threads");
        }
        checked += 1;
    }
    assert_eq!(checked, 15, "all fixtures were found");
}

#[test]
fn fixture_names_decode_to_reference_settings() {
    let ini = settings_for("R003-procurement_method_details-x-5-y-10");
    let s = Settings::from_ini(&ini).unwrap();
    let r003 = s.r003.unwrap();
    assert_eq!(r003.procurement_method_details.unwrap().len(), 2);
    let s = Settings::from_ini(&settings_for("R003-procurement_methods-open+selective")).unwrap();
    assert_eq!(
        s.r003.unwrap().procurement_methods.as_deref(),
        Some("open|selective")
    );
    assert_eq!(s.exclude_procurement_method_details.as_deref(), Some("EXC"));
}
