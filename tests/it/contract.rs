//! The API's contract (issue 13, "The API's face"): a property-based client, Schemathesis with
//! every check, explores the OpenAPI document anonymously and with an administrator's API token
//! and must find nothing. Answers the document lists (401, 403, 429 from rate limits, …) are
//! not failures; an undocumented status, a body that breaks its schema, schema-valid input
//! refused with 400 or schema-invalid input accepted are. CI installs Schemathesis (`.ci/run`);
//! without it this test fails rather than skips.

use crate::support::{Backend, TestApp};

/// Fixed, so a failure is reproducible with the same command; `TIANGUIS_CONTRACT_SEED` runs
/// another one (to explore, never in CI).
const SEED: &str = "13";
/// Examples per operation and phase: bounded so the two runs take about two minutes on 2 cores.
const MAX_EXAMPLES: &str = "10";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing() {
    let seed = std::env::var("TIANGUIS_CONTRACT_SEED").unwrap_or_else(|_| SEED.to_string());
    // The demo institution (users, suppliers, catalogue) and no tenders: enough for every
    // operation to answer, and quick to seed.
    let app = TestApp::start(Backend::Sqlite).await.expect("sqlite node");
    let token = app.token_for("admin").await;
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/schemathesis.toml");
    let schema = app.url("/api/openapi.json");
    let scratch = tempfile::tempdir().expect("scratch folder");
    let mut failures = Vec::new();
    for (caller, header) in [
        ("anonymous", None),
        ("API token", Some(format!("Authorization: Bearer {token}"))),
    ] {
        let mut command = tokio::process::Command::new("schemathesis");
        // Its crash cache (`.schemathesis/`) goes to a scratch folder, not the checkout.
        command.current_dir(&scratch);
        command.args(["--config-file", config, "run", &schema]);
        command.args([
            "--checks",
            "all",
            "--seed",
            &seed,
            "--max-examples",
            MAX_EXAMPLES,
        ]);
        command.args([
            "--workers",
            "1",
            "--generation-database",
            "none",
            "--no-color",
        ]);
        // A WebSocket endpoint: an HTTP client can only see its documented 426; the live
        // protocol is tested in `auctions`.
        command.args(["--exclude-path", "/api/auctions/{id}/live"]);
        if let Some(header) = &header {
            // The run must keep its own token: revoking it would leave every later request a
            // 401. Revocation is tested in `auth`; the anonymous run covers the operation.
            command.args(["--header", header, "--exclude-operation-id", "revoke_token"]);
        }
        let output = command.output().await.unwrap_or_else(|e| {
            panic!("schemathesis did not run ({e}): install it with `python3 -m pip install schemathesis`")
        });
        if !output.status.success() {
            failures.push(format!(
                "--- {caller}:\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    app.stop().await;
    assert!(
        failures.is_empty(),
        "Schemathesis found contract failures:\n{}",
        failures.join("\n")
    );
}

/// Every source file of the crate and its workspace crates.
fn rust_sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// One name, one schema. utoipa keys the document's schemas by name and silently keeps one of
/// two types that share it, so `POST /api/tenders/{id}/bids` documented the live-auction bid and
/// `POST /api/suppliers` the webhook's answer (issue 13). Every `ToSchema` type of the sources
/// must have its own name (`#[schema(as = …)]` where two types share an identifier), and every
/// schema of the document must be one of them.
#[test]
fn openapi_schema_names_are_unique() {
    let derive = regex::Regex::new(
        r"#\[derive\([^)]*ToSchema[^)]*\)\]((?:\s*#\[[^\]]*\]|\s*///[^\n]*)*)\s*pub (?:struct|enum) (\w+)",
    )
    .unwrap();
    let renamed = regex::Regex::new(r"#\[schema\([^\]]*\bas\s*=\s*([\w:]+)").unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_sources(&root.join("src"), &mut files);
    rust_sources(&root.join("crates"), &mut files);
    let mut names: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for found in derive.captures_iter(&text) {
            let name = match renamed.captures(&found[1]) {
                Some(r) => r[1].rsplit("::").next().unwrap().to_string(),
                None => found[2].to_string(),
            };
            let place = format!(
                "{} ({})",
                file.strip_prefix(root).unwrap().display(),
                &found[2]
            );
            names.entry(name).or_default().push(place);
        }
    }
    assert!(
        names.len() > 90,
        "the scan found the schemas ({})",
        names.len()
    );
    let shared: Vec<_> = names
        .iter()
        .filter(|(_, places)| places.len() > 1)
        .collect();
    assert!(shared.is_empty(), "schemas sharing a name: {shared:?}");
    let doc = tianguis::api::openapi::openapi_document();
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        assert!(
            names.contains_key(name),
            "{name} is not a ToSchema type of the sources"
        );
    }
}

/// What the shared layers answer is documented on every operation (issue 13: secured
/// operations documented no 401, most no 403 or 415, some no 404 or 422), and values the
/// handlers send as `null` are nullable.
#[test]
fn openapi_documents_the_shared_answers() {
    let doc = tianguis::api::openapi::openapi_document();
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let mut expected = vec!["401"];
            if op.get("security").is_some() {
                expected.push("403");
            }
            if params.iter().any(|p| p["in"] == "path") {
                expected.extend(["400", "404"]);
            }
            if op.get("requestBody").is_some() {
                expected.extend(["400", "403", "413", "415", "422"]);
            }
            for status in expected {
                if !responses.contains_key(status) {
                    missing.push(format!("{method} {path} {status}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undocumented answers: {missing:?}");
    // Operations the route table restricts say so with a security requirement.
    for route in tianguis::api::routes() {
        let method = route.method.as_str().to_lowercase();
        let op = &doc["paths"][route.path][&method];
        if op.is_null() || matches!(route.access, tianguis::domain::role::Access::Public) {
            continue;
        }
        assert!(
            op.get("security").is_some(),
            "{method} {} has no security",
            route.path
        );
    }
    let schemas = &doc["components"]["schemas"];
    for (schema, property) in [
        ("ErrorDetail", "details"),
        ("EventView", "before"),
        ("EventView", "after"),
        ("TenderDetail", "evaluation_progress"),
        ("TenderDetail", "buyer"),
    ] {
        let types = &schemas[schema]["properties"][property]["type"];
        assert!(
            types
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "null")),
            "{schema}.{property} is not nullable: {types}"
        );
    }
}
