//! The reader: format detection, locations, and whole-unit refusal of broken input (issue 5:
//! "A malformed file or package is reported with its location and skipped whole — never
//! half-imported — and the rest continue").

mod common;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use tianguis_ocds::read::{Input, Item, Kind, ReadError, ReadOptions, Reader};

fn read(inputs: Vec<Input>, budget: usize) -> (Vec<Item>, Vec<ReadError>) {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for result in Reader::new(
        inputs,
        ReadOptions {
            memory_budget: budget,
        },
    ) {
        match result {
            Ok(item) => items.push(item),
            Err(e) => errors.push(e),
        }
    }
    (items, errors)
}

fn bytes(name: &str, text: &str) -> Input {
    Input::Bytes {
        name: name.to_owned(),
        data: Arc::new(text.as_bytes().to_vec()),
    }
}

/// Both reading strategies: in memory, and two passes over the file with a tiny budget.
fn both(dir: &Path, name: &str, text: &str) -> [(Vec<Item>, Vec<ReadError>); 2] {
    let path = common::write(dir, name, text.as_bytes());
    [
        read(vec![Input::Path(path.clone())], 64 << 20),
        read(vec![Input::Path(path)], 16),
    ]
}

const PACKAGE: &str = r#"{
  "uri": "https://example.org/p.json",
  "version": "1.1",
  "publisher": {"name": "IGSS"},
  "releases": [
    {"ocid": "ocds-a-1", "id": "r1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"]},
    {"ocid": "ocds-a-1", "id": "r2", "date": "2024-02-01T00:00:00Z", "tag": ["award"]},
    {"ocid": "ocds-a-2", "id": "r1", "date": "2024-02-01T00:00:00Z", "tag": ["compiled"]}
  ],
  "publishedDate": "2024-03-01T00:00:00Z"
}
"#;

#[test]
fn every_real_file_reads_or_is_refused_precisely() {
    let mut read_files = 0;
    for file in common::real_files() {
        let (items, errors) = read(vec![Input::Path(file.clone())], 64 << 20);
        let empty = std::fs::metadata(&file)
            .map(|m| m.len() == 0)
            .unwrap_or(false);
        if empty {
            // Three Paraguay record files were published empty: refused as such.
            assert!(items.is_empty(), "{}", file.display());
            assert_eq!(errors.len(), 1, "{}", file.display());
            assert_eq!(errors[0].code(), "ocds.read.empty");
        } else {
            assert!(errors.is_empty(), "{}: {errors:?}", file.display());
            assert!(!items.is_empty(), "{}", file.display());
            read_files += 1;
        }
        for item in &items {
            assert!(!item.ocid().is_empty());
            assert_eq!(&*item.location.file, file.display().to_string());
        }
    }
    assert!(read_files > 180);
}

#[test]
fn packages_stream_with_metadata_and_locations() {
    let dir = common::scratch();
    for (items, errors) in both(dir.path(), "p.json", PACKAGE) {
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(items.len(), 3);
        let pointers: Vec<&str> = items.iter().map(|i| i.location.pointer.as_str()).collect();
        assert_eq!(pointers, ["/releases/0", "/releases/1", "/releases/2"]);
        assert_eq!(items[2].kind, Kind::CompiledRelease);
        let package = items[0].package.as_ref().expect("package");
        assert!(
            items
                .iter()
                .all(|i| i.package.as_ref().is_some_and(|p| Arc::ptr_eq(p, package)))
        );
        assert_eq!(package.kind, Kind::ReleasePackage);
        assert_eq!(package.uri(), Some("https://example.org/p.json"));
        assert_eq!(package.version(), Some("1.1"));
        // metadata after the releases array is known before the first release is yielded
        assert!(package.metadata.contains_key("publishedDate"));
        assert!(!package.metadata.contains_key("releases"));
        assert_eq!(items[0].location.line, 1);
    }
}

#[test]
fn truncated_json_yields_nothing_from_the_file() {
    let dir = common::scratch();
    let truncated = &PACKAGE[..PACKAGE.len() / 2 + 40];
    for (items, errors) in both(dir.path(), "t.json", truncated) {
        assert!(items.is_empty(), "nothing half-read");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code(), "ocds.invalid_json");
        assert!(errors[0].location.line > 1, "{}", errors[0]);
    }
}

#[test]
fn a_package_with_one_bad_release_yields_nothing() {
    let dir = common::scratch();
    let cases = [
        (
            r#""id": "r2", "#,
            r#""#,
            "ocds.read.missing_id",
            "/releases/1",
        ),
        (
            r#"{"ocid": "ocds-a-1", "id": "r2""#,
            r#"{"ocid": 7, "id": "r2""#,
            "ocds.read.wrong_type",
            "/releases/1/ocid",
        ),
        (
            r#""id": "r2""#,
            r#""id": "r1""#,
            "ocds.read.duplicate_release_id",
            "/releases/1",
        ),
        (
            r#"{"ocid": "ocds-a-2""#,
            r#""text", {"ocid": "ocds-a-2""#,
            "ocds.read.wrong_type",
            "/releases/2",
        ),
        (
            r#""ocid": "ocds-a-2", "#,
            r#""#,
            "ocds.read.missing_ocid",
            "/releases/2",
        ),
    ];
    for (from, to, code, pointer) in cases {
        let broken = PACKAGE.replacen(from, to, 1);
        for (items, errors) in both(dir.path(), "b.json", &broken) {
            assert!(items.is_empty(), "{code}: nothing from a broken package");
            assert_eq!(errors.len(), 1, "{code}: {errors:?}");
            assert_eq!(errors[0].code(), code, "{}", errors[0]);
            assert_eq!(errors[0].location.pointer, pointer, "{}", errors[0]);
        }
    }
    let not_an_array = PACKAGE
        .replacen(r#""releases": ["#, r#""releases": {"x": ["#, 1)
        .replacen("]\n  ,", "]},", 1);
    let not_an_array = not_an_array.replacen("}\n  ],", "}\n  ]},", 1);
    for (items, errors) in both(dir.path(), "w.json", &not_an_array) {
        assert!(items.is_empty());
        assert_eq!(errors[0].code(), "ocds.read.wrong_type", "{}", errors[0]);
        assert_eq!(errors[0].location.pointer, "/releases");
    }
}

#[test]
fn json_lines_skip_only_the_broken_line() {
    let text = concat!(
        r#"{"ocid": "o-1", "id": "1", "date": "2024-01-01", "tag": ["tender"]}"#,
        "\n",
        "\n",
        r#"{"ocid": "o-2", "id": "1", "date": "2024-01-01""#,
        "\n",
        r#"{"releases": [{"ocid": "o-3", "id": "1"}, {"ocid": "o-3", "id": "1"}]}"#,
        "\n",
        r#"[{"ocid": "o-4", "id": "1"}, {"ocid": "o-5", "id": "1", "date": ["versioned"]}]"#,
        "\n",
        r#"{"ocid": "o-6", "id": "1", "releases": [{"url": "u", "date": "d"}], "compiledRelease": {"ocid": "o-6"}}"#,
        "\n",
    );
    let (items, errors) = read(vec![bytes("lines.jsonl", text)], 64 << 20);
    let got: Vec<(&str, u64, &str)> = items
        .iter()
        .map(|i| (i.ocid(), i.location.line, i.location.pointer.as_str()))
        .collect();
    assert_eq!(got, [("o-1", 1, ""), ("o-4", 5, "/0"), ("o-6", 6, "")]);
    assert_eq!(items[2].kind, Kind::Record);
    let got: Vec<(&str, u64)> = errors.iter().map(|e| (e.code(), e.location.line)).collect();
    assert_eq!(
        got,
        [
            ("ocds.invalid_json", 3),
            ("ocds.read.duplicate_release_id", 4),
            ("ocds.read.versioned_release", 5)
        ]
    );
    assert_eq!(errors[2].location.pointer, "/1");
}

#[test]
fn gzip_arrays_and_record_packages_are_detected() {
    let dir = common::scratch();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(PACKAGE.as_bytes()).expect("gzip");
    let gz = common::write(dir.path(), "p.json.data", &gz.finish().expect("gzip"));
    let array = common::write(
        dir.path(),
        "a.json",
        br#"[
  {"ocid": "o-1", "id": "1", "date": "2024-01-01"},
  {"ocid": "o-2", "id": "1", "date": "2024-01-01"}
]"#,
    );
    let records = common::write(
        dir.path(),
        "r.json",
        br#"{"uri": "u", "records": [
  {"ocid": "o-1", "releases": [{"url": "u#1", "date": "d", "tag": ["tender"]}], "compiledRelease": {"ocid": "o-1"}},
  {"ocid": "o-2", "releases": [{"ocid": "o-2", "id": "1", "date": "d"}]}
]}"#,
    );
    for budget in [64 << 20, 8] {
        let (items, errors) = read(
            vec![
                Input::Path(gz.clone()),
                Input::Path(array.clone()),
                Input::Path(records.clone()),
            ],
            budget,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let got: Vec<(Kind, &str)> = items
            .iter()
            .map(|i| (i.kind, i.location.pointer.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (Kind::Release, "/releases/0"),
                (Kind::Release, "/releases/1"),
                (Kind::CompiledRelease, "/releases/2"),
                (Kind::Release, "/0"),
                (Kind::Release, "/1"),
                (Kind::Record, "/records/0"),
                (Kind::Record, "/records/1"),
            ]
        );
        assert_eq!(
            items[6].package.as_ref().map(|p| p.kind),
            Some(Kind::RecordPackage)
        );
    }
}

#[test]
fn duplicate_records_and_unknown_shapes_are_refused() {
    let (items, errors) = read(
        vec![
            bytes(
                "d.json",
                r#"{"records": [{"ocid": "o", "releases": []}, {"ocid": "o", "releases": []}]}"#,
            ),
            bytes("u.json", r#"{"hello": "world"}"#),
            bytes("s.json", "\"just a string\"\n"),
            bytes("e.json", "\n  \n"),
        ],
        64 << 20,
    );
    assert!(items.is_empty());
    let codes: Vec<&str> = errors.iter().map(ReadError::code).collect();
    assert_eq!(
        codes,
        [
            "ocds.read.duplicate_ocid",
            "ocds.read.unknown_format",
            "ocds.read.unknown_format",
            "ocds.read.empty"
        ]
    );
    let missing = read(vec![Input::Path("/nonexistent/x.json".into())], 1024).1;
    assert_eq!(missing[0].code(), "ocds.read.io");
}
