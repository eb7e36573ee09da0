//! `tianguis ocds import` (issue 5), on both databases: every file of `../shared/data/ocds-real`
//! imports or is refused with a defensible reason; re-importing changes nothing; broken inputs
//! (truncated JSON, wrong types, duplicate ids, a package with one bad release) are each skipped
//! whole with their code and location while the rest goes in; imported processes are searchable.

use crate::both;
use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use tianguis::repository::Queryable;
use tianguis::service::imports::{ImportReport, import};
use tianguis_ocds::read::{Input, ReadOptions};

fn bytes(name: &str, text: &str) -> Input {
    Input::Bytes {
        name: name.into(),
        data: Arc::new(text.as_bytes().to_vec()),
    }
}

async fn run(app: &TestApp, inputs: Vec<Input>) -> ImportReport {
    import(&app.state.db, inputs, ReadOptions::default(), |_| {})
        .await
        .expect("the import runs")
}

/// (imported releases, imported processes, audit events).
async fn counts(app: &TestApp) -> (i64, i64, i64) {
    let mut conn = app.state.db.read().await.unwrap();
    let mut out = [0i64; 3];
    for (i, table) in ["imported_releases", "imported_processes", "audit_events"]
        .into_iter()
        .enumerate()
    {
        let (n,): (i64,) = conn
            .handle()
            .one(
                &sea_query::Query::select()
                    .expr(sea_query::Expr::cust(format!(
                        "(SELECT COUNT(*) FROM {table})"
                    )))
                    .to_owned(),
            )
            .await
            .unwrap();
        out[i] = n;
    }
    (out[0], out[1], out[2])
}

fn real_files() -> Vec<Input> {
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from("../shared/data/ocds-real")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files.into_iter().map(Input::Path).collect()
}

async fn every_real_file_imports_once(app: TestApp) {
    let first = run(&app, real_files()).await;
    assert!(first.releases_new > 100, "{first:?}");
    assert!(first.processes_changed >= 60, "{first:?}");
    assert!(
        first.upgraded > 0,
        "the 1.0 samples are upgraded: {first:?}"
    );
    // What is refused, and why that is right: empty files carry no data; records that only
    // link to their releases (no embedded release, no compiled release) carry none either.
    for s in &first.skipped {
        assert!(
            matches!(
                s.code.as_str(),
                "ocds.read.empty" | "ocds.import.empty_record"
            ),
            "{s:?}"
        );
    }
    let after_first = counts(&app).await;
    assert_eq!(after_first.0 as u64, first.releases_new);
    assert_eq!(
        after_first.1 as u64, first.processes_changed,
        "one batch: each process once"
    );

    let again = run(&app, real_files()).await;
    assert_eq!(again.releases_new, 0, "{again:?}");
    assert_eq!(again.processes_changed, 0, "{again:?}");
    assert_eq!(again.skipped.len(), first.skipped.len());
    assert_eq!(
        counts(&app).await,
        after_first,
        "re-importing changes nothing"
    );

    // Imported processes are searchable and readable.
    let client = reqwest::Client::new();
    let page: Value = app
        .get_json("/api/ocds/imported?q=ocds-be6bcu&limit=5")
        .await;
    assert!(page["total"].as_i64().unwrap() >= 10, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    let ocid = page["items"][0]["ocid"].as_str().unwrap();
    let one: Value = app.get_json(&format!("/api/ocds/imported/{ocid}")).await;
    assert_eq!(one["compiledRelease"]["ocid"], ocid);
    assert_eq!(one["compiledRelease"]["tag"], json!(["compiled"]));
    // The open-data page searches them too, and escapes what it shows.
    let html = client
        .get(app.url("/open-data?q=ocds-be6bcu"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("href=\"/api/ocds/imported/{ocid}\"")),
        "{ocid}"
    );
    let none = client
        .get(app.url("/open-data?q=%3Cscript%3Ezzz"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!none.contains("<script>zzz"));
    assert!(none.contains("id=\"imported\""));
    let r = client
        .get(app.url("/api/ocds/imported/ocds-nope-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}
both!(real_files, every_real_file_imports_once);

fn release(ocid: &str, id: &str, date: Value) -> Value {
    json!({"ocid": ocid, "id": id, "date": date, "tag": ["tender"], "initiationType": "tender",
           "tender": {"id": "t", "title": format!("Compra {ocid}"), "value": {"amount": 10.5, "currency": "GTQ"}}})
}

async fn broken_inputs_are_skipped_whole(app: TestApp) {
    let before = counts(&app).await;
    let good = |ocid: &str| {
        json!({"uri": "https://example.org/p", "version": "1.1", "publishedDate": "2024-01-01T00:00:00Z",
               "releases": [release(ocid, "r1", json!("2024-01-01T00:00:00Z")),
                            release(ocid, "r2", json!("2024-02-01T00:00:00Z"))]})
        .to_string()
    };
    let duplicate_ids = json!({"version": "1.1", "releases": [
        release("ocds-x-dup", "r1", json!("2024-01-01T00:00:00Z")),
        release("ocds-x-dup", "r1", json!("2024-01-02T00:00:00Z"))]})
    .to_string();
    let one_bad_release = json!({"version": "1.1", "releases": [
        release("ocds-x-bad", "r1", json!("2024-01-01T00:00:00Z")),
        {"id": "r2", "date": "2024-01-02T00:00:00Z", "tag": ["tender"]}]})
    .to_string();
    let wrong_date = json!({"version": "1.1", "releases": [
        release("ocds-x-type", "r1", json!("2024-01-01T00:00:00Z")),
        release("ocds-x-type", "r2", json!(20240102))]})
    .to_string();
    let lines = format!(
        "{}\n{}\n{}\n",
        release("ocds-x-line1", "a", json!("2024-03-01T00:00:00Z")),
        &release("ocds-x-line2", "a", json!("2024-03-01T00:00:00Z")).to_string()[..40],
        release("ocds-x-line3", "a", json!("2024-03-01T00:00:00Z")),
    );
    let truncated = &good("ocds-x-trunc")[..60];
    let report = run(
        &app,
        vec![
            bytes("good.json", &good("ocds-x-good")),
            bytes("duplicate.json", &duplicate_ids),
            bytes("one-bad.json", &one_bad_release),
            bytes("wrong-date.json", &wrong_date),
            bytes("lines.jsonl", &lines),
            bytes("truncated.json", truncated),
            bytes("not-ocds.json", r#"{"hello": "world"}"#),
        ],
    )
    .await;
    let codes: Vec<(String, String)> = report
        .skipped
        .iter()
        .map(|s| {
            (
                s.location.split(':').next().unwrap().to_owned(),
                s.code.clone(),
            )
        })
        .collect();
    for expected in [
        ("duplicate.json", "ocds.read.duplicate_release_id"),
        ("one-bad.json", "ocds.read.missing_ocid"),
        ("wrong-date.json", "ocds.import.wrong_type"),
        ("lines.jsonl", "ocds.invalid_json"),
        ("truncated.json", "ocds.invalid_json"),
        ("not-ocds.json", "ocds.read.unknown_format"),
    ] {
        assert!(
            codes.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} not in {codes:?}"
        );
    }
    assert_eq!(report.skipped.len(), 6, "{:#?}", report.skipped);
    let line = report
        .skipped
        .iter()
        .find(|s| s.location.starts_with("lines.jsonl"))
        .unwrap();
    assert!(line.location.starts_with("lines.jsonl:2"), "{line:?}");
    // Only the good package (2 releases) and lines 1 and 3 went in; nothing of the others.
    assert_eq!(report.releases_new, 4, "{report:?}");
    let after = counts(&app).await;
    assert_eq!(after.0 - before.0, 4);
    assert_eq!(after.1 - before.1, 3);
    let page: Value = app.get_json("/api/ocds/imported?q=ocds-x-").await;
    let ocids: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["ocid"].as_str().unwrap())
        .collect();
    let mut sorted = ocids.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["ocds-x-good", "ocds-x-line1", "ocds-x-line3"]);
    let good: Value = app.get_json("/api/ocds/imported/ocds-x-good").await;
    assert_eq!(good["process"]["release_count"], 2);
    assert_eq!(good["process"]["value"], "10.5");
    assert_eq!(good["process"]["release_date"], "2024-02-01T00:00:00Z");
    app.stop().await;
}
both!(broken_inputs, broken_inputs_are_skipped_whole);
