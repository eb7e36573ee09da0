//! Parity with the reference OCDS toolkit (issue 5: "Output equals the reference OCDS toolkit's
//! (`pip install ocdskit`; `ocdskit compile`) on all of `../shared/data/ocds-real/`, checked by
//! a test that runs when ocdskit is installed (CI installs it)").
//!
//! Runs only when `ocdskit` is on PATH; otherwise prints a warning and passes, except under
//! `CI=true`, where a missing ocdskit fails the test.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use tianguis_ocds::cli::{CompileArgs, OcdsArgs, OcdsCommand, UpgradeArgs, run};

fn pipe(program: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    assert!(output.status.success(), "{program} {args:?} failed");
    output.stdout
}

fn concatenated(files: &[PathBuf]) -> Vec<u8> {
    let mut input = Vec::new();
    for file in files {
        input.extend(std::fs::read(file).expect("read"));
        input.push(b'\n');
    }
    input
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ocdskit_compile.py")
}

/// `ocdskit upgrade 1.0:1.1` (through the wrapper, see `ocdskit_compile.py` on orjson).
fn reference_upgrade(input: &[u8]) -> Vec<u8> {
    let script = script();
    pipe(
        "python3",
        &[script.to_str().expect("utf-8 path"), "-", "--upgrade"],
        input,
    )
}

fn reference_compile(files: &[PathBuf], versioned: bool, root_path: Option<&str>) -> Vec<u8> {
    let upgraded = reference_upgrade(&concatenated(files));
    let script = script();
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/release-schema-patched.json");
    let mut args = vec![
        script.to_str().expect("utf-8 path"),
        schema.to_str().expect("utf-8 path"),
    ];
    if versioned {
        args.push("--versioned");
    }
    if let Some(path) = root_path {
        args.extend(["--root-path", path]);
    }
    pipe("python3", &args, &upgraded)
}

fn ours(command: OcdsCommand) -> Vec<u8> {
    let mut out = Vec::new();
    let mut err = Vec::new();
    run(OcdsArgs { command }, &mut out, &mut err);
    out
}

fn compile_args(files: &[PathBuf], versioned: bool) -> OcdsCommand {
    OcdsCommand::Compile(CompileArgs {
        files: files.iter().map(|f| f.display().to_string()).collect(),
        versioned,
        memory_budget: 512,
        spill_dir: None,
        memory_budget_bytes: None,
    })
}

/// Each output line parsed and re-serialised: equal strings mean equal values *and* key order.
fn normalized(output: &[u8]) -> Vec<String> {
    output
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let value: Value = serde_json::from_slice(l).expect("output line is JSON");
            serde_json::to_string(&value).expect("serialise")
        })
        .collect()
}

fn assert_same(what: &str, ours: &[u8], reference: &[u8]) {
    let (ours, reference) = (normalized(ours), normalized(reference));
    assert!(
        !reference.is_empty(),
        "{what}: the reference produced nothing"
    );
    for (i, (a, b)) in ours.iter().zip(&reference).enumerate() {
        if a != b {
            let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
            let context = |s: &str| {
                s.get(at.saturating_sub(120)..(at + 120).min(s.len()))
                    .unwrap_or("")
                    .to_owned()
            };
            panic!(
                "{what}: line {} differs at byte {at}\n ours: …{}…\n ocdskit: …{}…",
                i + 1,
                context(a),
                context(b)
            );
        }
    }
    assert_eq!(
        ours.len(),
        reference.len(),
        "{what}: number of merged releases"
    );
}

fn is_record_package(path: &Path) -> bool {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .is_some_and(|v| v.get("records").is_some())
}

#[test]
fn compile_equals_ocdskit_on_all_real_data() {
    if !common::tool_available("ocdskit") {
        return;
    }
    let files = common::real_files();
    let (record_packages, others): (Vec<PathBuf>, Vec<PathBuf>) =
        files.into_iter().partition(|f| is_record_package(f));
    assert!(!record_packages.is_empty() && others.len() > 100);

    // Releases, release packages, records (ocdskit reads them as release packages), compiled
    // releases: all together, so that ocids spread over several files are merged across them.
    for versioned in [false, true] {
        let reference = reference_compile(&others, versioned, None);
        assert_same(
            &format!("releases (versioned={versioned})"),
            &ours(compile_args(&others, versioned)),
            &reference,
        );
    }
    // Record packages link to their releases, so both tools compile their compiled releases.
    let reference = reference_compile(
        &record_packages,
        false,
        Some("records.item.compiledRelease"),
    );
    assert_same(
        "record packages",
        &ours(compile_args(&record_packages, false)),
        &reference,
    );
}

#[test]
fn upgrade_equals_ocdskit_on_all_real_data() {
    if !common::tool_available("ocdskit") {
        return;
    }
    let files: Vec<PathBuf> = common::real_files();
    let reference = reference_upgrade(&concatenated(&files));
    let ours = ours(OcdsCommand::Upgrade(UpgradeArgs {
        files: files.iter().map(|f| f.display().to_string()).collect(),
    }));
    assert_same("upgrade", &ours, &reference);
}
