//! `ocds compile`, `ocds validate` and `ocds upgrade` end to end through [`cli::run`], the
//! bounded-memory grouping, and the vendored schema copies.

mod common;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use tianguis_ocds::cli::{CompileArgs, OcdsArgs, OcdsCommand, UpgradeArgs, ValidateArgs, run};
use tianguis_ocds::compile::{CompileOptions, Problem, Summary, compile_to};
use tianguis_ocds::read::Input;
use tianguis_ocds::schema;

fn cli(command: OcdsCommand) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(OcdsArgs { command }, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).expect("utf-8"),
        String::from_utf8(err).expect("utf-8"),
    )
}

fn compile_cmd(files: &[PathBuf], versioned: bool, budget_bytes: Option<usize>) -> OcdsCommand {
    OcdsCommand::Compile(CompileArgs {
        files: files.iter().map(|f| f.display().to_string()).collect(),
        versioned,
        memory_budget: 512,
        spill_dir: None,
        memory_budget_bytes: budget_bytes,
    })
}

/// Compile one input: the output, each problem's code and line (0 for problems without a
/// line), and the summary.
fn compile_reporting_lines(
    input: Input,
    options: &CompileOptions,
) -> (String, Vec<(&'static str, u64)>, Summary) {
    let (mut out, mut problems) = (Vec::new(), Vec::new());
    let summary = compile_to(
        vec![input],
        options,
        &mut out,
        &mut |p| {
            let line = match p {
                Problem::Read(e) => e.location.line,
                _ => 0,
            };
            problems.push((p.code(), line));
        },
        &mut |_| {},
    )
    .expect("compile");
    (String::from_utf8(out).expect("utf-8"), problems, summary)
}

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

#[test]
fn vendored_schema_equals_shared() {
    let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let shared = common::shared().join("ocds");
    let mut files: Vec<String> = schema::VENDORED_FILES
        .iter()
        .map(|f| (*f).to_owned())
        .collect();
    for codelist in schema::CODELISTS {
        let dir = [
            "schema-1.1.5",
            "extensions/bid",
            "extensions/medicines",
            "extensions/techniques",
        ]
        .into_iter()
        .find(|d| ours.join(d).join("codelists").join(codelist.name).exists())
        .map(|d| format!("{d}/codelists"))
        .unwrap_or_else(|| panic!("codelist {} is not vendored", codelist.name));
        files.push(format!("{dir}/{}", codelist.name));
    }
    for file in files {
        let a = std::fs::read(ours.join(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let b = std::fs::read(shared.join(&file))
            .unwrap_or_else(|e| panic!("../shared/ocds/{file}: {e}"));
        assert!(
            a == b,
            "crates/ocds/schema/{file} differs from ../shared/ocds/{file}"
        );
    }
    // and the embedded text is the vendored file
    let patched = std::fs::read_to_string(ours.join("release-schema-patched.json")).expect("read");
    assert_eq!(schema::RELEASE_SCHEMA_PATCHED, patched);
}

#[test]
fn spilling_to_disk_gives_the_same_output_as_memory() {
    let files = common::real_files();
    for versioned in [false, true] {
        let (code_mem, in_memory, err_mem) = cli(compile_cmd(&files, versioned, None));
        let (code_disk, spilled, err_disk) = cli(compile_cmd(&files, versioned, Some(64 << 10)));
        assert_eq!(in_memory, spilled, "versioned={versioned}");
        assert!(!err_mem.contains("spilled"), "{err_mem}");
        assert!(
            err_disk.contains("sorted runs spilled to disk"),
            "{err_disk}"
        );
        // the three empty Paraguay files and the two records with neither embedded nor
        // compiled releases are reported, the rest is compiled
        assert_eq!((code_mem, code_disk), (1, 1));
        assert_eq!(err_mem.matches("[ocds.read.empty]").count(), 3, "{err_mem}");
        assert_eq!(
            err_mem.matches("[ocds.compile.linked_only]").count(),
            2,
            "{err_mem}"
        );
        let ocids: Vec<String> = lines(&in_memory)
            .iter()
            .map(|v| v["ocid"].as_str().expect("ocid").to_owned())
            .collect();
        let mut sorted = ocids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ocids, sorted, "one line per ocid, in ocid order");
        assert!(ocids.len() > 60);
    }
}

#[test]
fn a_small_budget_spills_many_runs_and_keeps_input_order_within_an_ocid() {
    // 3 000 releases of 300 ocids, interleaved; equal dates, so order within an ocid is input
    // order, which the k-way merge must keep across runs.
    let dir = common::scratch();
    let mut text = String::new();
    for i in 0..3000 {
        let release = json!({"ocid": format!("ocds-t-{:03}", (i * 7) % 300), "id": format!("r{i}"), "date": "2024-01-01",
            "tag": ["tender"], "parties": [], "tender": {"title": format!("t{i}")}});
        text.push_str(&release.to_string());
        text.push('\n');
    }
    let input = common::write(dir.path(), "in.jsonl", text.as_bytes());
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let options = CompileOptions {
        memory_budget: 16 << 10,
        spill_dir: Some(dir.path().to_owned()),
        ..CompileOptions::default()
    };
    let summary = compile_to(
        vec![Input::Path(input)],
        &options,
        &mut out,
        &mut |p| problems.push(p.to_string()),
        &mut |_| {},
    )
    .expect("compile");
    assert!(problems.is_empty(), "{problems:?}");
    assert!(summary.spilled_runs > 10, "{summary:?}");
    assert_eq!((summary.releases, summary.written), (3000, 300));
    let out = lines(std::str::from_utf8(&out).expect("utf-8"));
    // ocid k gets releases i with (7i mod 300) = k; the last of them in input order wins
    let first = &out[0];
    assert_eq!(first["ocid"], "ocds-t-000");
    assert_eq!(first["tender"]["title"], "t2700");
}

#[test]
fn merge_errors_spoil_one_ocid_only() {
    let dir = common::scratch();
    let text = concat!(
        r#"{"ocid": "a", "id": "1", "date": "2024-01-01", "tender": {"title": "x"}}"#,
        "\n",
        r#"{"ocid": "a", "id": "2", "date": "2024-01-02", "tender": {"title": {"es": "x"}}}"#,
        "\n",
        r#"{"ocid": "b", "id": "1"}"#,
        "\n",
        r#"{"ocid": "c", "id": "1", "date": "2024-01-01"}"#,
        "\n",
    );
    let input = common::write(dir.path(), "e.jsonl", text.as_bytes());
    let (code, out, err) = cli(compile_cmd(&[input], false, None));
    assert_eq!(code, 1);
    assert_eq!(lines(&out).len(), 1);
    assert!(
        err.contains("ocid a: ") && err.contains("[ocds.merge.inconsistent_type]"),
        "{err}"
    );
    assert!(
        err.contains("ocid b: ") && err.contains("[ocds.merge.missing_date]"),
        "{err}"
    );
}

#[test]
fn upgrade_builds_parties_and_amendments() {
    let dir = common::scratch();
    let release = json!({
        "ocid": "ocds-u-1", "id": "1", "date": "2016-01-01T00:00:00Z", "tag": ["award"], "initiationType": "tender",
        "buyer": {"name": "IGSS", "identifier": {"scheme": "GT-NIT", "id": "123"}},
        "tender": {"id": "t", "procuringEntity": {"name": "IGSS", "identifier": {"scheme": "GT-NIT", "id": "123"}},
                   "amendment": {"date": "2016-01-02T00:00:00Z"}},
        "awards": [{"id": "a", "suppliers": [{"name": "Farmacia", "identifier": {"id": "9"}}]}],
    });
    let input = common::write(dir.path(), "old.json", release.to_string().as_bytes());
    let (code, out, _) = cli(OcdsCommand::Upgrade(UpgradeArgs {
        files: vec![input.display().to_string()],
    }));
    assert_eq!(code, 0);
    let upgraded = &lines(&out)[0];
    let keys: Vec<&str> = upgraded
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys[..6],
        ["ocid", "id", "date", "tag", "initiationType", "parties"]
    );
    let parties = upgraded["parties"].as_array().expect("parties");
    // buyer and procuring entity are the same organization (same name and identifier)
    assert_eq!(parties.len(), 2);
    assert_eq!(parties[0]["roles"], json!(["buyer", "procuringEntity"]));
    assert_eq!(
        upgraded["buyer"],
        json!({"id": parties[0]["id"], "name": "IGSS"})
    );
    assert_eq!(
        upgraded["awards"][0]["suppliers"][0]["id"],
        parties[1]["id"]
    );
    assert_eq!(
        upgraded["tender"]["amendments"],
        json!([{"date": "2016-01-02T00:00:00Z"}])
    );
    assert!(upgraded["tender"].get("amendment").is_none());
    // 1.1 data is left alone
    let again = common::write(dir.path(), "new.json", out.as_bytes());
    let (_, twice, _) = cli(OcdsCommand::Upgrade(UpgradeArgs {
        files: vec![again.display().to_string()],
    }));
    assert_eq!(twice, out);
}

fn valid_release() -> Value {
    json!({
        "ocid": "ocds-v-1", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"], "initiationType": "tender",
        "parties": [{"id": "IGSS", "name": "IGSS", "roles": ["buyer", "procuringEntity"]}],
        "buyer": {"id": "IGSS", "name": "IGSS"},
        "tender": {"id": "t1", "status": "active", "procurementMethod": "open",
                   "value": {"amount": 1000.5, "currency": "GTQ"},
                   "items": [{"id": "1", "description": "Paracetamol", "classification": {"scheme": "UNSPSC", "id": "51142106"}}]},
    })
}

fn validate_cmd(files: &[PathBuf]) -> OcdsCommand {
    OcdsCommand::Validate(ValidateArgs {
        files: files.iter().map(|f| f.display().to_string()).collect(),
        no_warnings: false,
    })
}

#[test]
fn validate_reports_schema_and_codelist_errors_with_locations() {
    let dir = common::scratch();
    let valid = common::write(
        dir.path(),
        "ok.json",
        valid_release().to_string().as_bytes(),
    );
    let (code, out, err) = cli(validate_cmd(&[valid]));
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(
        err.contains("1 items checked, 0 errors, 0 warnings"),
        "{err}"
    );

    let mut bad = valid_release();
    bad["id"] = json!("2");
    bad["tender"]["status"] = json!("bogus"); // closed codelist
    bad["tender"]["items"][0]["classification"]["scheme"] = json!("MYSCHEME"); // open codelist
    bad.as_object_mut()
        .expect("object")
        .remove("initiationType"); // required
    bad["tender"]["value"]["amount"] = json!("1000"); // wrong type
    let package = json!({"uri": "https://example.org", "version": "1.1", "publishedDate": "2024-01-01T00:00:00Z",
        "publisher": {"name": "IGSS"}, "releases": [valid_release(), bad]});
    let text = serde_json::to_string_pretty(&package).expect("json");
    let file = common::write(dir.path(), "bad.json", text.as_bytes());
    let (code, out, err) = cli(validate_cmd(std::slice::from_ref(&file)));
    assert_eq!(code, 1, "{out}{err}");
    let name = file.display().to_string();
    let has = |pointer: &str, code: &str| {
        out.lines().any(|l| {
            l.starts_with(&format!("{name}:1:{pointer}: ")) && l.ends_with(&format!("[{code}]"))
        })
    };
    assert!(
        has("/releases/1/tender/status", "ocds.validate.codelist"),
        "{out}"
    );
    assert!(
        has(
            "/releases/1/tender/items/0/classification/scheme",
            "ocds.validate.open_codelist"
        ),
        "{out}"
    );
    assert!(
        has("/releases/1/tender/value/amount", "ocds.validate.schema"),
        "{out}"
    );
    assert!(out.contains("initiationType"), "{out}");
    // the closed codelist value is reported once, not also as a schema `enum` error
    assert_eq!(
        out.matches("/releases/1/tender/status:").count(),
        1,
        "{out}"
    );
    assert!(
        err.contains("2 items checked, 3 errors, 1 warnings"),
        "{err}"
    );
}

#[test]
fn validate_checks_package_metadata_and_reader_errors() {
    let dir = common::scratch();
    let package = json!({"releases": [valid_release()], "version": "1.1"});
    let no_metadata = common::write(dir.path(), "m.json", package.to_string().as_bytes());
    let broken = common::write(dir.path(), "x.json", b"{\"releases\": [");
    let (code, out, _) = cli(validate_cmd(&[no_metadata, broken]));
    assert_eq!(code, 1);
    assert!(
        out.contains("\"publisher\" is a required property") || out.contains("publisher"),
        "{out}"
    );
    assert!(out.contains("[ocds.invalid_json]"), "{out}");
}

#[test]
fn validate_runs_over_all_real_data() {
    let (code, _, err) = cli(validate_cmd(&common::real_files()));
    // 2016-17 data predates 1.1.5 and the extensions: errors are expected, panics are not
    assert_eq!(code, 1);
    assert!(err.contains("errors"), "{err}");
}

#[test]
fn indexed_json_lines_compile_like_the_general_reader() {
    // A plain JSON-lines file is indexed by offset; the same bytes given in memory go through
    // the general reader. Mixed content: 1.1 releases, a 1.0 release to upgrade, a package
    // line, a broken line, a BOM, CRLF endings, blank lines.
    let text = concat!(
        "\u{feff}",
        r#"{"ocid": "b", "id": "1", "date": "2024-01-02", "parties": [], "tender": {"title": "x"}}"#,
        "\r\n",
        "\n",
        r#"{"ocid": "a", "id": "1", "date": "2024-01-01", "buyer": {"name": "IGSS"}}"#,
        "\n",
        r#"{"uri": "u", "releases": [{"ocid": "b", "id": "2", "date": "2024-01-03", "tender": {"status": "active"}}]}"#,
        "\n",
        r#"{"ocid": "c", "id": "1", "date": "#,
        "\n",
        r#"{"ocid": "a", "id": "2", "date": "2024-01-05", "parties": [{"id": "p"}], "awards": [{"id": "1"}]}"#,
        "\n",
    );
    let dir = common::scratch();
    let path = common::write(dir.path(), "mixed.jsonl", text.as_bytes());
    let run = |input: Input, index_block: usize| {
        let options = CompileOptions {
            index_block,
            ..CompileOptions::default()
        };
        let (out, problems, summary) = compile_reporting_lines(input, &options);
        (out, problems, summary.releases)
    };
    let general = run(
        Input::Bytes {
            name: "mixed.jsonl".into(),
            data: std::sync::Arc::new(text.as_bytes().to_vec()),
        },
        8 << 20,
    );
    // Blocks of a few bytes put block boundaries inside lines, on newlines, on the BOM and on
    // blank lines; every size reads the same lines with the same numbers.
    let mut indexed = run(Input::Path(path.clone()), 8 << 20);
    for block in [1, 2, 3, 5, 17, 64, 100] {
        let small = run(Input::Path(path.clone()), block);
        assert_eq!(small, indexed, "blocks of {block} bytes");
    }
    indexed.1.sort();
    let mut general = general;
    general.1.sort();
    assert_eq!(indexed, general);
    assert_eq!(indexed.1, [("ocds.invalid_json", 5)]);
    assert_eq!(indexed.2, 4);
    let out = lines(&indexed.0);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["ocid"], "a");
    assert_eq!(out[0]["buyer"]["name"], "IGSS");
    assert!(
        out[0]["buyer"]["id"].is_string(),
        "the 1.0 release was upgraded"
    );
    assert_eq!(out[1]["tender"], json!({"title": "x", "status": "active"}));
}

#[test]
fn lines_longer_than_a_read_block_are_indexed_whole() {
    let dir = common::scratch();
    let long = "x".repeat(9 << 20);
    let text = format!(
        "{}\n{}\n",
        json!({"ocid": "a", "id": "1", "date": "2024-01-01", "parties": [], "description": long}),
        json!({"ocid": "b", "id": "1", "date": "2024-01-01", "parties": []}),
    );
    let path = common::write(dir.path(), "long.jsonl", text.as_bytes());
    let (code, out, err) = cli(compile_cmd(&[path], false, None));
    assert_eq!(code, 0, "{err}");
    let out = lines(&out);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["description"].as_str().map(str::len), Some(9 << 20));
}

#[test]
fn hostile_lines_are_judged_alike_by_the_index_scan_and_the_general_reader() {
    // The index scan of plain JSON-lines files validates nothing; the strict parse at merge
    // time must refuse exactly what the general reader refuses, report it at the same line, and
    // merge the good releases of the same ocid as if the bad line were not there.
    let good = |id: u32| {
        format!(
            r#"{{"ocid": "a", "id": "{id}", "date": "2024-01-0{id}", "parties": [], "tender": {{"title": "t{id}", "items": [{{"id": "1", "quantity": {id}}}]}}}}"#
        )
    };
    let bad: Vec<Vec<u8>> = vec![
        br#"{"ocid": "a", "id": "x1", "date": "2024-02-01", "parties": [], "tender": {"title": "\x"}}"#.to_vec(),
        b"{\"ocid\": \"a\", \"id\": \"x2\", \"date\": \"2024-02-01\", \"parties\": [], \"tender\": {\"title\": \"a\tb\"}}".to_vec(),
        br#"{"ocid": "a", "id": "x3", "date": "2024-02-01", "parties": [], "tender": {"value": {"amount": 01}}}"#.to_vec(),
        br#"{"ocid": "a", "id": "x4", "date": "2024-02-01", "parties": [], "tender": {"value": {"amount": 1.}}}"#.to_vec(),
        b"{\"ocid\": \"a\", \"id\": \"x5\", \"date\": \"2024-02-01\", \"parties\": [], \"tender\": {\"title\": \"\xff\xfe\"}}".to_vec(),
        br#"{"ocid": "a", "id": "x6", "date": "2024-02-01", "parties": [], "tender": {"title": "t"}} trailing"#.to_vec(),
        br#"{"ocid": "a", "id": "x7", "date": "2024-02-01", "parties": [], "tender": {"items": [}]}}"#.to_vec(),
        br#"{"ocid": "a", "id": "x8", "date": "2024-02-01", "parties": [], "tender": {"\ud800": 1}}"#.to_vec(),
        br#"{"ocid": "a", "id": "x9", "date": "2024-02-01", "parties": [], "tender": {"title": "t"}, \"x": 1}"#.to_vec(),
        br#"{"ocid": "a", "id": "x10", "date": "2024-02-01", "parties": [], "tender": {"title": "t"}"#.to_vec(),
        br#"{"ocid": "a", "id": "x11", "date": "2024-02-01", "parties": [], "tender": {"amount": tru}}"#.to_vec(),
        br#"{"ocid": "a", "id": "x12", "date": "2024-02-01", "parties": [], "tender": {"amount": -}}"#.to_vec(),
    ];
    // Valid but unusual lines the scan must hand over to the general reader or read alike.
    let odd: Vec<Vec<u8>> = vec![
        br#"{"ocid": "b", "ocid": "a", "id": "d1", "date": "2024-03-01", "parties": []}"#.to_vec(),
        br#"{"ocid": "\u0061", "id": "d2", "date": "2024-03-02", "parties": []}"#.to_vec(),
        br#"{"ocid": "a", "id": 1e3, "date": "2024-03-03", "parties": []}"#.to_vec(),
        br#"{"ocid": "a", "id": "d4", "date": "2024-03-04", "parties": [], "tender": {"title": "}]{[\"\\"}}"#.to_vec(),
        br#"{"ocid": null, "id": "d5", "date": "2024-03-05", "parties": []}"#.to_vec(),
        br#"{"ocid": "a", "id": "d6", "date": "2024-03-06", "releases": null, "parties": [], "tender": {"\u0074itle": "esc"}}"#.to_vec(),
    ];
    let mut text = Vec::new();
    for (i, line) in bad.iter().chain(&odd).enumerate() {
        text.extend_from_slice(good(i as u32 % 9 + 1).as_bytes());
        text.push(b'\n');
        text.extend_from_slice(line);
        text.push(b'\n');
    }
    let dir = common::scratch();
    let path = common::write(dir.path(), "hostile.jsonl", &text);
    let run = |input: Input| {
        let (out, mut problems, summary) =
            compile_reporting_lines(input, &CompileOptions::default());
        problems.sort();
        (out, problems, summary.releases, summary.read_errors)
    };
    let indexed = run(Input::Path(path));
    let general = run(Input::Bytes {
        name: "hostile.jsonl".into(),
        data: std::sync::Arc::new(text.clone()),
    });
    assert_eq!(indexed, general);
    // Every bad line is refused as invalid JSON at its own line (even numbers: each follows a
    // good line), and the release with a null ocid for what it is...
    let mut expected: Vec<(&str, u64)> = (0..bad.len() as u64)
        .map(|i| ("ocds.invalid_json", 2 * i + 2))
        .collect();
    expected.push(("ocds.read.missing_ocid", 2 * (bad.len() as u64 + 4) + 2));
    assert_eq!(indexed.1, expected);
    assert_eq!(indexed.2, 18 + 5, "good lines and the readable odd ones");
    // ... and the good releases of the same ocid are merged without it.
    let out = lines(&indexed.0);
    let a = out.iter().find(|r| r["ocid"] == "a").expect("ocid a");
    assert_eq!(a["tender"]["title"], "esc");
}
