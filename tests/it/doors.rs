//! The doors left open (issue 13, "The API's face, and the doors left open"): what an outside
//! API client and a hostile user found, each through the real routes, on both databases.

use crate::esourcing::{As, bid, register_opening_keys, tender_form};
use crate::registry::{csv_part, import, registration, supplier_count};
use crate::support::{Backend, TestApp, error_code, session_cookie};
use crate::{both, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tianguis::domain::nit::Nit;

/// A catalogue item whose name and form are spreadsheet formulas comes out of the CSV export
/// neutralised (`'` first, OWASP), and the level of care stays a number.
async fn csv_export_neutralises_formulas(app: TestApp) {
    let csv = "code,kind,name,strength,form,presentation,unit,atc_code,unspsc_code,level_of_care\n\
               MED-9300,medicine,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",10 mg,@SUM(A1),\"+1, -1\",tableta,A10BK03,,2\n";
    let (s, report) = import(&app, "compras", csv_part(csv, "lista.csv"), false).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(report["invalid"], 0, "{report}");
    let id = report["proposal_id"].as_i64().expect("proposed");
    let (s, body) = As::user(&app, "admin")
        .await
        .post(
            &format!("/api/catalogue/proposals/{id}/review"),
            json!({"approve": true, "decision": "Aprobada."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");

    for path in ["/api/catalogue/export?format=csv", "/catalogue/export.csv"] {
        let text = reqwest::get(app.url(path))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let row = text
            .lines()
            .find(|l| l.starts_with("MED-9300,"))
            .unwrap_or_else(|| panic!("{path}: the item is exported"));
        assert_eq!(
            row,
            "MED-9300,medicine,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",10 mg,'@SUM(A1),\"'+1, -1\",tableta,A10BK03,,2",
            "{path}"
        );
    }
}
both!(
    csv_export_neutralises_formulas_cases,
    csv_export_neutralises_formulas
);

/// Lower limits than the defaults, so a test reaches them in a few requests.
fn tight_limits(config: &mut tianguis::config::Config) {
    config.abuse.registrations_per_address = 2;
    config.abuse.bids_per_tender = 3;
    config.abuse.colleagues_per_firm = 2;
}

fn assert_limited(status: StatusCode, headers: &reqwest::header::HeaderMap, body: &Value) {
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "auth.rate_limited", "{body}");
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
}

async fn post_json(
    url: String,
    token: Option<&str>,
    body: &Value,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new().post(url).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let r = request.send().await.unwrap();
    let (status, headers) = (r.status(), r.headers().clone());
    (status, headers, r.json().await.unwrap_or(Value::Null))
}

/// Self-registration per client address, sealed bids per supplier and tender, colleagues per
/// firm: past the limit the answer is 429 with `Retry-After`, and nothing more is stored.
async fn rate_limits(backend: Backend) {
    let Some(app) = TestApp::start_with(backend, tight_limits).await else {
        return;
    };
    // Registrations: a refused form does not use up the address's allowance.
    let before = supplier_count(&app).await;
    let mut bad = registration(&Nit::from_body(9_200_001).to_string(), "firma0");
    bad["legal_name"] = json!("");
    let (s, _, body) = post_json(app.url("/api/suppliers"), None, &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    for (i, nit) in [9_200_002, 9_200_003].into_iter().enumerate() {
        let r = registration(&Nit::from_body(nit).to_string(), &format!("firma{}", i + 1));
        let (s, _, body) = post_json(app.url("/api/suppliers"), None, &r).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
    let third = registration(&Nit::from_body(9_200_004).to_string(), "firma3");
    let (s, headers, body) = post_json(app.url("/api/suppliers"), None, &third).await;
    assert_limited(s, &headers, &body);
    assert_eq!(
        supplier_count(&app).await,
        before + 2,
        "nothing more stored"
    );

    // Sealed bids: three submissions or replacements per supplier and tender.
    register_opening_keys(&app).await;
    let buyer = As::user(&app, "compras").await;
    let id = buyer
        .create_published(tender_form(&app, app.state.now()).await)
        .await;
    let (lot, item) = buyer.first_lot_and_item(id).await;
    let supplier = app.token_for("proveedor1").await;
    let url = app.url(&format!("/api/tenders/{id}/bids"));
    for price in ["1.10", "1.05", "1.01"] {
        let (s, _, body) = post_json(url.clone(), Some(&supplier), &bid(lot, item, price)).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
    let (s, headers, body) = post_json(url.clone(), Some(&supplier), &bid(lot, item, "0.99")).await;
    assert_limited(s, &headers, &body);
    // The bid form seals through the same limit: the firm's allowance is spent there too.
    let (session, csrf) = app.session_for("proveedor1").await;
    let form = reqwest::multipart::Form::new()
        .text("lot_id", lot.to_string())
        .text(format!("price_{item}"), "0.98");
    let r = reqwest::Client::new()
        .post(app.url(&format!("/tenders/{id}/bid?_csrf={csrf}")))
        .header(reqwest::header::COOKIE, session_cookie(&session))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "the bid form");
    let other = app.token_for("proveedor2").await;
    let (s, _, body) = post_json(url, Some(&other), &bid(lot, item, "1.20")).await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "another supplier keeps its allowance: {body}"
    );
    let mut conn = app.state.db.read().await.unwrap();
    let versions = tianguis::repository::bids::of_tender(&mut conn, id, None)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(
        versions.len(),
        4,
        "three versions of one supplier and one of another"
    );

    // Colleagues: two accounts per firm.
    let url = app.url("/api/me/colleagues");
    let colleague = |n: u32| {
        json!({"username": format!("colega{n}"), "display_name": format!("Colega {n}"),
               "email": format!("colega{n}@example.gt"), "password": "colega-segura-2026"})
    };
    for n in 1..=2 {
        let (s, _, body) = post_json(url.clone(), Some(&supplier), &colleague(n)).await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
    let (s, headers, body) = post_json(url, Some(&supplier), &colleague(3)).await;
    assert_limited(s, &headers, &body);
    // So does the portal's form, which adds through the same limit.
    let status = crate::support::post_form(
        app.url("/portal/colleagues"),
        &session_cookie(&session),
        &[
            ("_csrf", csrf.as_str()),
            ("username", "colega3"),
            ("display_name", "Colega 3"),
            ("email", "colega3@example.gt"),
            ("password", "colega-segura-2026"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the portal's form");
    let mut conn = app.state.db.read().await.unwrap();
    let found = tianguis::repository::users::find_for_login(&mut conn, "colega3")
        .await
        .unwrap();
    assert!(found.is_none(), "the third colleague was not created");
    drop(conn);
    app.stop().await;
}
both_backends!(rate_limits_answer_429_and_store_nothing, rate_limits);

fn cache_control(r: &reqwest::Response) -> String {
    r.headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Signed-in answers (cookie or token) and `/api` answers that are not public data say
/// `no-store`; public data and the static files keep their caching; no HSTS over plain HTTP.
async fn cache_headers(app: TestApp) {
    let anonymous = reqwest::Client::new();
    let get = |path: &str| anonymous.get(app.url(path));
    let r = get("/api/tenders").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_ne!(cache_control(&r), "no-store", "public data may be cached");
    assert!(r.headers().get("strict-transport-security").is_none());
    let r = get("/tenders").send().await.unwrap();
    assert_ne!(cache_control(&r), "no-store");
    let r = get("/api/me").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        cache_control(&r),
        "no-store",
        "an /api answer that is not public data"
    );
    let r = get("/api/tenders")
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(cache_control(&r), "no-store", "a refused token");

    let token = app.token_for("compras").await;
    for path in ["/api/tenders", "/api/me"] {
        let r = get(path).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(cache_control(&r), "no-store", "{path} with a token");
    }
    let (session, _) = app.session_for("compras").await;
    let cookie = session_cookie(&session);
    for path in ["/", "/tenders", "/workspace", "/api/tenders"] {
        let r = get(path).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(cache_control(&r), "no-store", "{path} signed in");
    }
    let r = get("/assets/tianguis.css")
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        cache_control(&r).starts_with("public"),
        "the same bytes for everyone"
    );
}
both!(cache_headers_cases, cache_headers);

/// With `--secure-cookies` every answer tells browsers to keep to HTTPS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_with_secure_cookies() {
    let app = TestApp::start_with(Backend::Sqlite, |c| c.secure_cookies = true)
        .await
        .expect("node");
    for path in ["/", "/api/tenders", "/api/me", "/no-such-page"] {
        let r = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(
            r.headers()["strict-transport-security"],
            "max-age=31536000",
            "{path}"
        );
    }
    app.stop().await;
}

/// A JSON endpoint called without (or with a wrong) Content-Type answers 415, not a forgery
/// error; the anti-forgery check still refuses what it refused before.
async fn media_types(app: TestApp) {
    let body = registration(&Nit::from_body(9_300_001).to_string(), "sintipo").to_string();
    let before = supplier_count(&app).await;
    let client = reqwest::Client::new();
    for content_type in [None, Some("text/plain"), Some("application/xml")] {
        let mut r = client.post(app.url("/api/suppliers")).body(body.clone());
        if let Some(ct) = content_type {
            r = r.header("content-type", ct);
        }
        let r = r.send().await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        let text = r.text().await.unwrap();
        assert_eq!(
            error_code(&text).as_deref(),
            Some("request.unsupported_media_type"),
            "{text}"
        );
    }
    // Still forgeries: an anonymous form without the token, a signed-in JSON or bodiless
    // request without it.
    let r = client
        .post(app.url("/register"))
        .form(&[("legal_name", "Sin token, S.A.")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        error_code(&r.text().await.unwrap()).as_deref(),
        Some("csrf.invalid")
    );
    let (session, _) = app.session_for("proveedor1").await;
    for content_type in [Some("application/json"), None] {
        let mut r = client
            .post(app.url("/api/me/colleagues"))
            .header("cookie", session_cookie(&session))
            .body(json!({"username": "colega9", "display_name": "Colega", "email": "", "password": "colega-segura-2026"}).to_string());
        if let Some(ct) = content_type {
            r = r.header("content-type", ct);
        }
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{content_type:?}");
        assert_eq!(
            error_code(&r.text().await.unwrap()).as_deref(),
            Some("csrf.invalid")
        );
    }
    assert_eq!(supplier_count(&app).await, before, "nothing stored");
}
both!(missing_content_type_is_415, media_types);

/// Names made only of invisible characters or carrying bidirectional controls, and websites
/// that are not http(s) URLs, are refused field by field; nothing is stored.
async fn hostile_strings(app: TestApp) {
    let before = supplier_count(&app).await;
    let mut r = registration(&Nit::from_body(9_300_002).to_string(), "hostil");
    r["legal_name"] = json!("\u{200B}\u{200C}\u{200D}\u{FEFF}");
    r["trade_name"] = json!("Farma\u{202E}latipsoH");
    r["website"] = json!("javascript:alert(document.cookie)");
    r["contacts"][0]["name"] = json!("\u{2066}Lucía\u{2069}");
    r["owners"][0]["name"] = json!("\u{2060}\u{2060}\u{2060}");
    r["display_name"] = json!("\u{200B}\u{200B}");
    let (s, _, body) = post_json(app.url("/api/suppliers"), None, &r).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let mut fields: Vec<(String, String)> = body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().into(),
                f["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    fields.sort();
    let expected = [
        ("contacts[0].name", "invalid_characters"),
        ("display_name", "invalid_characters"),
        ("legal_name", "invalid_characters"),
        ("owners[0].name", "invalid_characters"),
        ("trade_name", "invalid_characters"),
        ("website", "invalid_url"),
    ];
    for (field, code) in expected {
        assert!(
            fields.iter().any(|(f, c)| f == field && c == code),
            "{field}: {code} in {fields:?}"
        );
    }
    assert_eq!(supplier_count(&app).await, before, "nothing stored");

    // An administrator's user form follows the same rule for display names.
    let admin = As::user(&app, "admin").await;
    let (s, body) = admin
        .post(
            "/api/users",
            json!({"username": "invisible", "display_name": "\u{200B}\u{FEFF}", "email": "",
                   "roles": ["observer"], "password": "una-clave-segura-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("display_name"), "{body}");

    // A real name in any script, and an https website, are fine.
    let mut r = registration(&Nit::from_body(9_300_003).to_string(), "legitima");
    r["legal_name"] = json!("Droguería Ñandú, S.A.");
    r["website"] = json!("https://nandu.com.gt");
    let (s, _, body) = post_json(app.url("/api/suppliers"), None, &r).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
}
both!(hostile_strings_are_refused, hostile_strings);

/// The opening form is only for the tender's committee: another evaluator gets 403 and no
/// form, as the API refuses them.
async fn opening_form_for_the_committee_only(app: TestApp) {
    register_opening_keys(&app).await;
    let buyer = As::user(&app, "compras").await;
    let (_, t) = buyer
        .post("/api/tenders", tender_form(&app, app.state.now()).await)
        .await;
    let id = t["id"].as_i64().unwrap();
    let (s, body) = buyer.publish(id).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = As::user(&app, "admin")
        .await
        .post(
            "/api/users",
            json!({"username": "evaluador9", "display_name": "Evaluadora ajena", "email": "",
                   "roles": ["evaluator"], "password": "evaluadora-ajena-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let url = app.url(&format!("/tenders/{id}/opening"));
    let (member, _) = app.session_for("evaluador1").await;
    let r = reqwest::Client::new()
        .get(url.clone())
        .header("cookie", session_cookie(&member))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("data-testid=\"open-bids\"")
    );
    let (outsider, _) = app.session_for("evaluador9").await;
    let r = reqwest::Client::new()
        .get(url)
        .header("cookie", session_cookie(&outsider))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = r.text().await.unwrap();
    assert_eq!(error_code(&html).as_deref(), Some("auth.forbidden"));
    assert!(!html.contains("open-bids") && !html.contains("passphrase_"));
}
both!(
    opening_form_committee_only,
    opening_form_for_the_committee_only
);

/// Where the rulebook keeps the count of sealed bids secret until the opening, neither the API
/// nor the tender page shows it while bids are being taken.
async fn hidden_bid_count(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gt-hidden.toml");
    let gt = std::fs::read_to_string("crates/rulebook/rulebooks/gt.toml").unwrap();
    assert!(gt.contains("public_bid_count_before_opening = true"));
    std::fs::write(
        &path,
        gt.replace(
            "public_bid_count_before_opening = true",
            "public_bid_count_before_opening = false",
        ),
    )
    .unwrap();
    let rulebook = path.display().to_string();
    let Some(app) = TestApp::start_with(backend, |c| c.rulebook = rulebook).await else {
        return;
    };
    register_opening_keys(&app).await;
    let buyer = As::user(&app, "compras").await;
    let id = buyer
        .create_published(tender_form(&app, app.state.now()).await)
        .await;
    let (lot, item) = buyer.first_lot_and_item(id).await;
    let (s, body) = As::user(&app, "proveedor1")
        .await
        .post(&format!("/api/tenders/{id}/bids"), bid(lot, item, "1.10"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let public = app.get_json(&format!("/api/tenders/{id}")).await;
    assert!(public["bid_count"].is_null(), "{}", public["bid_count"]);
    let (_, as_buyer) = buyer.get(&format!("/api/tenders/{id}")).await;
    assert!(as_buyer["bid_count"].is_null());
    let page = reqwest::get(app.url(&format!("/tenders/{id}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("data-testid=\"bid-count\""));
    app.stop().await;
}
both_backends!(bid_count_hidden_by_the_rulebook, hidden_bid_count);

fn release_package(title: &str) -> tianguis_ocds::read::Input {
    let package = json!({
        "uri": "https://example.gt/paquete.json",
        "publishedDate": "2026-01-10T00:00:00Z",
        "version": "1.1",
        "releases": [{
            "ocid": "ocds-zz9999-conflicto-1",
            "id": "ocds-zz9999-conflicto-1-tender",
            "date": "2026-01-10T00:00:00Z",
            "tag": ["tender"],
            "initiationType": "tender",
            "buyer": {"id": "GT-X", "name": "Hospital Regional"},
            "tender": {"id": "T-1", "title": title}
        }]
    });
    tianguis_ocds::read::Input::Bytes {
        name: "paquete.json".into(),
        data: std::sync::Arc::new(package.to_string().into_bytes()),
    }
}

/// A release whose (ocid, id) is already stored with other content is reported as a conflict
/// and the stored one is kept; the same content again is "already present".
async fn import_conflicts(app: TestApp) {
    use tianguis::service::imports::import;
    let run = |title: &'static str| {
        let db = app.state.db.clone();
        async move {
            import(
                &db,
                vec![release_package(title)],
                Default::default(),
                |_| {},
            )
            .await
            .expect("the import runs")
        }
    };
    let first = run("Compra de guantes").await;
    assert_eq!(first.releases_new, 1, "{first:?}");
    let same = run("Compra de guantes").await;
    assert_eq!(
        (same.releases_present, same.conflicts.len()),
        (1, 0),
        "{same:?}"
    );
    let changed = run("Compra de guantes de nitrilo").await;
    assert_eq!(changed.releases_new, 0, "{changed:?}");
    assert_eq!(changed.releases_present, 0, "{changed:?}");
    assert_eq!(changed.conflicts.len(), 1, "{changed:?}");
    assert_eq!(
        changed.conflicts[0].release_id,
        "ocds-zz9999-conflicto-1-tender"
    );
    assert_eq!(changed.conflicts[0].ocid, "ocds-zz9999-conflicto-1");
    let stored = serde_json::to_string(&changed).unwrap();
    assert!(
        stored.contains("\"conflicts\""),
        "the report lists them: {stored}"
    );
    let mut conn = app.state.db.read().await.unwrap();
    let stored = tianguis::repository::imports::releases_of_many(
        &mut conn,
        &["ocds-zz9999-conflicto-1".to_string()],
    )
    .await
    .unwrap();
    let rows = &stored["ocds-zz9999-conflicto-1"];
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].1.contains("Compra de guantes\""),
        "the stored release is kept: {}",
        rows[0].1
    );
}
both!(ocds_import_reports_conflicts, import_conflicts);
