//! Health, metrics, the OpenAPI document and its docs page, assets, security headers, the demo
//! seed, and translation completeness of every template.

use crate::both;
use crate::support::TestApp;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use std::collections::BTreeSet;
use tianguis::api::routes;
use tianguis::domain::lang::Lang;
use tianguis::i18n::{I18n, SOURCES, keys_of};

async fn health_and_metrics(app: TestApp) {
    let api = reqwest::Client::new();
    let health: serde_json::Value = api
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["database"], app.state.db.backend().name());
    for _ in 0..3 {
        api.get(app.url("/suppliers")).send().await.unwrap();
    }
    api.get(app.url("/suppliers/424242")).send().await.unwrap();
    let metrics = api.get(app.url("/metrics")).send().await.unwrap();
    assert!(
        metrics.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains(
            "tianguis_http_requests_total{method=\"GET\",route=\"/suppliers\",status=\"200\"} 3"
        ),
        "{text}"
    );
    assert!(text.contains(
        "tianguis_http_requests_total{method=\"GET\",route=\"/suppliers/{id}\",status=\"404\"} 1"
    ));
    assert!(text.contains(
        "tianguis_http_request_duration_seconds_bucket{route=\"/suppliers\",le=\"+Inf\"} 3"
    ));
    assert!(text.contains("tianguis_db_pool_connections{pool="));
    assert!(text.contains(&format!("backend=\"{}\"", app.state.db.backend().name())));
    // Once the database is gone, the node says so.
    app.state.db.close().await;
    let r = api.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
}
both!(health_and_metrics_report_the_node, health_and_metrics);

async fn openapi_and_docs(app: TestApp) {
    let api = reqwest::Client::new();
    let doc: serde_json::Value = api
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    // Every JSON route of the route table is documented with its method.
    let mut missing = Vec::new();
    for route in routes() {
        if !route.path.starts_with("/api/")
            || route.path == "/api/docs"
            || route.path == "/api/openapi.json"
        {
            continue;
        }
        let method = route.method.as_str().to_lowercase();
        if doc["paths"][route.path][&method].is_null() {
            missing.push(format!("{} {}", route.method, route.path));
        }
    }
    assert!(missing.is_empty(), "undocumented JSON routes: {missing:?}");
    assert!(!doc["paths"]["/healthz"]["get"].is_null());
    // The docs page lists every operation, translated.
    let es = api
        .get(app.url("/api/docs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let en = api
        .get(app.url("/api/docs"))
        .header(ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(es.contains("Documentación de la API") && es.contains("Listar proveedores"));
    assert!(en.contains("API documentation") && en.contains("List suppliers"));
    for (path, item) in doc["paths"].as_object().unwrap() {
        for op in item.as_object().unwrap().values() {
            let id = op["operationId"].as_str().unwrap();
            assert!(
                es.contains(&format!("id=\"{id}\"")),
                "{path} missing from the docs page"
            );
        }
    }
    assert!(es.contains("schema-UserView"));
    docs_speak_the_page_language(&doc, &es, &en);
}
both!(openapi_document_and_docs_page, openapi_and_docs);

/// Every description of the document: tags, shared answers, operations (their own words,
/// parameters, answers), schemas and their fields; whitespace folded as the page shows it.
fn document_texts(doc: &serde_json::Value) -> Vec<String> {
    let mut texts = Vec::new();
    let mut add = |value: &serde_json::Value| {
        if let Some(text) = value["description"].as_str() {
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if !text.is_empty() {
                texts.push(text);
            }
        }
    };
    let values = |v: &serde_json::Value| v.as_object().cloned().unwrap_or_default();
    doc["tags"].as_array().unwrap().iter().for_each(&mut add);
    values(&doc["components"]["responses"])
        .values()
        .for_each(&mut add);
    for item in values(&doc["paths"]).values() {
        for op in values(item).values() {
            add(op);
            op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .for_each(&mut add);
            values(&op["responses"]).values().for_each(&mut add);
        }
    }
    for schema in values(&doc["components"]["schemas"]).values() {
        add(schema);
        let parts = schema["allOf"].as_array().cloned().unwrap_or_default();
        for part in parts.iter().chain([schema]) {
            values(&part["properties"]).values().for_each(&mut add);
        }
    }
    texts
}

/// What the page shows of a text: only code (`json`, `` `a`, `b` ``) reads the same in both
/// languages.
fn is_code_only(html: &str) -> bool {
    let code = regex::Regex::new(r"<code>.*?</code>").unwrap();
    !code.replace_all(html, "").chars().any(char::is_alphabetic)
}

/// `/api/docs` speaks the page's language (issue 13: the Spanish page listed English parameter
/// descriptions), while `openapi.json` stays in English: on the Spanish page every description
/// differs from its English counterpart, code alone excepted, and none is a description of the
/// document; the English page shows the document's own words; neither shows a message key.
fn docs_speak_the_page_language(doc: &serde_json::Value, es: &str, en: &str) {
    use tianguis::api::openapi::code_spans;
    for (lang, page) in [("es", es), ("en", en)] {
        assert!(page.contains(&format!("<html lang=\"{lang}\">")));
        for key in ["apidoc-", "api-docs-", ">api-"] {
            assert!(
                !page.contains(key),
                "a raw message key ({key}) on the {lang} page"
            );
        }
    }
    let cells = regex::Regex::new(r"(?s)<(p|td|span) data-doc>(.*?)</(?:p|td|span)>").unwrap();
    let texts = |page: &str| -> Vec<String> {
        cells
            .captures_iter(page)
            .map(|c| c[2].to_string())
            .collect()
    };
    let (es_texts, en_texts) = (texts(es), texts(en));
    assert!(
        en_texts.len() > 600,
        "the descriptions are marked ({})",
        en_texts.len()
    );
    assert_eq!(es_texts.len(), en_texts.len(), "the same descriptions");
    let english: BTreeSet<String> = document_texts(doc).iter().map(|t| code_spans(t)).collect();
    let mut untranslated = Vec::new();
    for (es, en) in es_texts.iter().zip(&en_texts) {
        if !is_code_only(en) && (es == en || english.contains(es)) {
            untranslated.push(es.clone());
        }
    }
    assert!(
        untranslated.is_empty(),
        "English on the Spanish page: {untranslated:#?}"
    );
    let shown: BTreeSet<&String> = en_texts.iter().collect();
    let stale: Vec<&String> = english.iter().filter(|t| !shown.contains(t)).collect();
    assert!(
        stale.is_empty(),
        "the English page does not show the document's words (update both main.ftl): {stale:#?}"
    );
}

async fn assets_and_headers(app: TestApp) {
    let api = reqwest::Client::new();
    let css = api
        .get(app.url("/assets/tianguis.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()[CONTENT_TYPE], "text/css; charset=utf-8");
    let etag = css.headers()[ETAG].clone();
    assert!(css.text().await.unwrap().contains(":focus-visible"));
    let again = api
        .get(app.url("/assets/tianguis.css"))
        .header(IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        api.get(app.url("/assets/../Cargo.toml"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let page = api.get(app.url("/")).send().await.unwrap();
    let h = page.headers();
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    let html = page.text().await.unwrap();
    // Nothing is loaded from another host.
    let external = regex::Regex::new(r#"(src|href)="(https?:)?//"#).unwrap();
    assert!(!external.is_match(&html), "external asset in {html}");
    assert!(html.contains("class=\"skip-link\" href=\"#main\""));
}
both!(
    assets_are_embedded_and_pages_are_hardened,
    assets_and_headers
);

async fn demo_seed_is_idempotent(app: TestApp) {
    let again = tianguis::service::demo::seed(&app.state.db).await.unwrap();
    assert_eq!(
        again,
        tianguis::service::demo::SeedReport::default(),
        "nothing created twice"
    );
    let api = reqwest::Client::new();
    let suppliers: serde_json::Value = api
        .get(app.url("/api/suppliers?per_page=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(suppliers["total"], 250);
    let catalogue: serde_json::Value = api
        .get(app.url("/api/catalogue?kind=medicine&search=J01"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        catalogue["total"].as_i64().unwrap() >= 10,
        "antibiotics by ATC code"
    );
    let buyers: serde_json::Value = api
        .get(app.url("/api/buyers"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(buyers.as_array().unwrap().len(), 1);
    // Every listed NIT has a valid check digit.
    let all: serde_json::Value = api
        .get(app.url("/api/suppliers?per_page=200&page=2"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for s in all["items"].as_array().unwrap() {
        let nit = s["nit"].as_str().unwrap();
        assert!(tianguis::domain::nit::Nit::parse(nit).is_ok(), "{nit}");
    }
}
both!(demo_data_is_seeded_once, demo_seed_is_idempotent);

/// Every `ctx.t("…")`/`ctx.t1("…"`/`ctx.tp("…"` key used in a template exists in both languages.
#[test]
fn every_template_key_is_translated() {
    let i18n = I18n::load().unwrap();
    let re = regex::Regex::new(r#"ctx\.(t|t1)\("([a-z0-9-]+)""#).unwrap();
    let prefixed = regex::Regex::new(r#"ctx\.tp\("([a-z0-9-]+)""#).unwrap();
    let mut used = BTreeSet::new();
    let mut prefixes = BTreeSet::new();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/templates")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for c in re.captures_iter(&text) {
            used.insert(c[2].to_string());
        }
        for c in prefixed.captures_iter(&text) {
            prefixes.insert(c[1].to_string());
        }
    }
    assert!(used.len() > 100, "the scan found the keys ({})", used.len());
    for lang in Lang::ALL {
        for key in &used {
            assert!(i18n.has(lang, key), "{key} missing in {lang:?}");
        }
        for prefix in &prefixes {
            assert!(
                keys_of(SOURCES[0].1)
                    .iter()
                    .any(|k| k.starts_with(&format!("{prefix}-"))),
                "no keys for prefix {prefix}"
            );
        }
    }
    // Flash messages and API operation summaries used from code.
    for key in [
        "flash-signed-in",
        "flash-signed-out",
        "flash-password-changed",
        "flash-token-revoked",
        "flash-user-created",
        "flash-user-updated",
        "flash-password-reset",
        "flash-user-activated",
        "flash-user-deactivated",
    ] {
        for lang in Lang::ALL {
            assert!(i18n.has(lang, key), "{key} {lang:?}");
        }
    }
    let doc = tianguis::api::openapi::openapi_document();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let key = format!(
                "api-{}",
                op["operationId"].as_str().unwrap().replace('_', "-")
            );
            for lang in Lang::ALL {
                assert!(i18n.has(lang, &key), "{key} {lang:?}");
            }
        }
    }
}

/// Every code the pages translate by prefix (`ctx.tp`) or build into a key at run time has a
/// message in both languages, and so does every `flash-…` key the handlers use.
#[test]
fn every_code_shown_to_users_is_translated() {
    use tianguis::domain::tender::Phase;
    let i18n = I18n::load().unwrap();
    let mut keys: Vec<String> = Vec::new();
    keys.extend(Phase::ALL.iter().map(|p| format!("phase-{}", p.code())));
    keys.extend(
        tianguis::repository::notifications::KINDS
            .iter()
            .map(|k| format!("notification-{k}")),
    );
    keys.extend(
        tianguis::domain::supplier::CATEGORIES
            .iter()
            .map(|c| format!("category-{}", c.replace(':', "-"))),
    );
    keys.extend(
        tianguis::service::catalogue::FileProblem::ALL
            .iter()
            .map(|p| format!("import-problem-{}", p.code().replace('_', "-"))),
    );
    for (prefix, codes) in [
        (
            "committee-step",
            &["open", "declare", "evaluate", "wait", "none"][..],
        ),
        ("proposal-status", &["proposed", "approved", "rejected"][..]),
        ("proposal-kind", &["add", "modify", "retire", "import"][..]),
        (
            "bid-status",
            &["submitted", "withdrawn", "replaced", "opened"][..],
        ),
        ("supplier-status", &["pending", "verified", "suspended"][..]),
        ("flash-supplier", &["verified", "suspended"][..]),
        ("flash-proposal", &["approved", "rejected", "created"][..]),
        ("complaint-status", &["filed", "upheld", "rejected"][..]),
        ("product-card-status", &["active", "withdrawn"][..]),
        (
            "product-card-registration",
            &["valid", "expiring", "expired"][..],
        ),
    ] {
        keys.extend(codes.iter().map(|c| format!("{prefix}-{c}")));
    }
    let literal = regex::Regex::new(r#""(flash-[a-z0-9-]+[a-z0-9])""#).unwrap();
    // Every source file under src/api, its folders (src/api/chart) included.
    let mut folders = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/api"
    ))];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let text = std::fs::read_to_string(path).unwrap();
            keys.extend(literal.captures_iter(&text).map(|c| c[1].to_string()));
        }
    }
    assert!(keys.len() > 80, "{}", keys.len());
    for lang in Lang::ALL {
        for key in &keys {
            assert!(i18n.has(lang, key), "{key} missing in {lang:?}");
        }
    }
}

/// WCAG 2.1 relative luminance of an `#rrggbb` colour.
fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The stylesheet's text colours meet WCAG AA (4.5:1) on the backgrounds they are used on, and
/// the focus ring stands out (3:1) against both the page and the header.
#[test]
fn colours_meet_wcag_aa_contrast() {
    let css = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/tianguis.css"))
        .unwrap();
    let var = |name: &str| {
        let re = regex::Regex::new(&format!(r"--{name}:\s*(#[0-9a-fA-F]{{6}})")).unwrap();
        re.captures(&css)
            .unwrap_or_else(|| panic!("--{name} not defined"))[1]
            .to_lowercase()
    };
    let white = "#ffffff";
    for text in ["ink", "muted", "brand", "brand-dark", "danger"] {
        for bg in [white.to_string(), var("wash")] {
            let ratio = contrast(&var(text), &bg);
            assert!(ratio >= 4.5, "--{text} on {bg}: {ratio:.2}");
        }
    }
    for bg in ["ok-bg", "warn-bg"] {
        assert!(contrast(&var("ink"), &var(bg)) >= 4.5, "text on --{bg}");
    }
    assert!(contrast(white, &var("brand-dark")) >= 4.5, "header text");
    assert!(contrast(white, &var("brand")) >= 4.5, "button text");
    assert!(
        contrast(&var("focus"), &var("brand-dark")) >= 3.0,
        "focus ring on the header"
    );
    assert!(
        contrast(&var("ink"), white) >= 3.0,
        "focus ring's dark outline on the page"
    );
}
