//! The institution's units (issue 14, point 0): the demo network, the public pages, the
//! administrator's form and API, and the units a user acts for.

use crate::both;
use crate::support::{TestApp, csrf_from, error_code, page_text, session_cookie};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, COOKIE, LOCATION};
use serde_json::{Value, json};

async fn units_json(app: &TestApp, query: &str) -> Vec<Value> {
    app.get_json(&format!("/api/units{query}"))
        .await
        .as_array()
        .unwrap()
        .clone()
}

async fn audit_count(app: &TestApp, action: &str) -> usize {
    let mut conn = app.state.db.read().await.unwrap();
    let filter = tianguis::repository::audit::AuditFilter::default();
    tianguis::repository::audit::list(&mut conn, &filter, 1_000_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == action)
        .count()
}

async fn demo_network(app: TestApp) {
    let all = units_json(&app, "").await;
    let care = all
        .iter()
        .filter(|u| !u["kind"].as_str().unwrap().ends_with("warehouse"))
        .count();
    assert!((25..=30).contains(&care), "{care} hospitals and clinics");
    let central: Vec<&Value> = all
        .iter()
        .filter(|u| u["kind"] == "central_warehouse")
        .collect();
    assert_eq!(central.len(), 1, "one central warehouse");
    assert_eq!(central[0]["parent"], Value::Null);
    let xela = all.iter().find(|u| u["code"] == "HQUE").unwrap();
    assert_eq!(xela["parent"], "ALM-OCC");
    assert_eq!(xela["level_of_care"], 2);
    assert_eq!(xela["department"], "Quetzaltenango");
    // Filters.
    let regional = units_json(&app, "?kind=regional_warehouse").await;
    assert_eq!(regional.len(), 2);
    let zacapa = units_json(&app, "?department=Zacapa").await;
    assert!(zacapa.iter().all(|u| u["department"] == "Zacapa"));
    assert!(zacapa.iter().any(|u| u["code"] == "HZAC"));
    // An unknown kind filters nothing out rather than failing.
    assert_eq!(units_json(&app, "?kind=castle").await.len(), all.len());
    // One unit; an unknown code is a clear 404.
    assert_eq!(app.get_json("/api/units/HGE").await["level_of_care"], 3);
    let r = reqwest::get(app.url("/api/units/NOPE")).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        error_code(&r.text().await.unwrap()).as_deref(),
        Some("resource.not_found")
    );

    // The public page of a unit: its facts, its supplier, the units it supplies; never its
    // members' names.
    let html = page_text(app.url("/units/ALM-OCC"), None).await;
    assert!(html.contains("Almacén Regional de Occidente"));
    assert!(html.contains("href=\"/units/ALM-CENTRAL\""));
    assert!(html.contains("href=\"/units/HQUE\""));
    let html = page_text(app.url("/units/HGE"), None).await;
    assert!(!html.contains("Ana Lucía Pérez"), "members are not public");
    let (admin, _) = app.session_for("admin").await;
    let html = page_text(app.url("/units/HGE"), Some(&session_cookie(&admin))).await;
    assert!(
        html.contains("Ana Lucía Pérez"),
        "the administrator sees members"
    );
    // The list page in English.
    let html = reqwest::Client::new()
        .get(app.url("/units?kind=clinic"))
        .header(COOKIE, "tianguis_lang=en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Network of units"));
    assert!(html.contains("Consultorio de Villa Nueva"));
    assert!(
        !html.contains("Hospital de Escuintla"),
        "filtered to clinics"
    );
}
both!(the_demo_network_of_units, demo_network);

/// Posts the unit form as the administrator; returns the status, the redirect and the body.
async fn post_unit(
    app: &TestApp,
    cookie: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Option<String>, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form_page = client
        .get(app.url("/admin/units/new"))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_from(&form_page);
    let mut body: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
    body.extend_from_slice(fields);
    let r = client
        .post(app.url(action))
        .header(COOKIE, cookie)
        .form(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    (status, location, r.text().await.unwrap())
}

async fn administrator_form(app: TestApp) {
    let (token, _) = app.session_for("admin").await;
    let cookie = session_cookie(&token);
    let before = units_json(&app, "").await.len();
    let created_events = audit_count(&app, "unit.created").await;
    let good = [
        ("code", "CONS-ESC"),
        ("name", "Consultorio de Palín"),
        ("kind", "clinic"),
        ("department", "Escuintla"),
        ("municipality", "Palín"),
        ("level_of_care", "1"),
        ("parent", "ALM-CENTRAL"),
    ];
    // Each problem is shown at its field, with its label, and nothing is stored.
    let cases: &[(&str, &str, &str, &str)] = &[
        ("code", "cons esc", "code", "Código"),
        ("parent", "", "parent", "Almacén que la abastece"),
        ("parent", "HGE", "parent", "Almacén que la abastece"),
        ("level_of_care", "", "level_of_care", "Nivel de atención"),
        ("level_of_care", "9", "level_of_care", "Nivel de atención"),
        ("department", "Atlántida", "department", "Departamento"),
        ("kind", "castle", "kind", "Tipo"),
        ("code", "HGE", "code", "Código"),
    ];
    for (field, value, at, label) in cases {
        let fields: Vec<(&str, &str)> = good
            .iter()
            .map(|(k, v)| if k == field { (*k, *value) } else { (*k, *v) })
            .collect();
        let (status, _, html) = post_unit(&app, &cookie, "/admin/units", &fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value}");
        assert!(
            html.contains(&format!("href=\"#{at}\"")),
            "{field}={value}: the summary links to #{at}"
        );
        assert!(
            html.contains(&format!("id=\"{at}-error\"")),
            "{field}={value}: the message stands at the field"
        );
        assert!(
            html.contains(&format!("href=\"#{at}\">{label}: ")),
            "{field}={value}: the summary names the field {label}"
        );
        assert!(!html.contains("verr-"), "{field}={value}: no raw key");
    }
    assert_eq!(units_json(&app, "").await.len(), before, "nothing stored");
    assert_eq!(audit_count(&app, "unit.created").await, created_events);

    // The good form: post, then redirect to the new unit's page (a reload repeats nothing).
    let (status, location, _) = post_unit(&app, &cookie, "/admin/units", &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/units/CONS-ESC"));
    let html = page_text(app.url("/units/CONS-ESC"), Some(&cookie)).await;
    assert!(html.contains("Consultorio de Palín"));
    assert_eq!(units_json(&app, "").await.len(), before + 1);
    assert_eq!(audit_count(&app, "unit.created").await, created_events + 1);

    // Editing: a warehouse that supplies units cannot become a clinic.
    let mut regional: Vec<(&str, &str)> = vec![
        ("code", "ALM-ORI"),
        ("name", "Almacén Regional de Oriente"),
        ("kind", "clinic"),
        ("department", "Zacapa"),
        ("municipality", "Zacapa"),
        ("level_of_care", "1"),
        ("parent", "ALM-CENTRAL"),
    ];
    let (status, _, html) = post_unit(&app, &cookie, "/admin/units/ALM-ORI", &regional).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"kind-error\""));
    // Renaming it works and is audited.
    regional[1] = ("name", "Almacén Regional de Oriente y Nororiente");
    regional[2] = ("kind", "regional_warehouse");
    regional[5] = ("level_of_care", "");
    let (status, location, _) = post_unit(&app, &cookie, "/admin/units/ALM-ORI", &regional).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/units/ALM-ORI"));
    assert_eq!(
        app.get_json("/api/units/ALM-ORI").await["name"],
        "Almacén Regional de Oriente y Nororiente"
    );
    assert_eq!(audit_count(&app, "unit.updated").await, 1);
    // A second central warehouse is refused.
    let api = reqwest::Client::new();
    let bearer = format!("Bearer {}", app.token_for("admin").await);
    let r = api
        .post(app.url("/api/units"))
        .header(AUTHORIZATION, &bearer)
        .json(
            &json!({"code": "ALM-2", "name": "Otro almacén central", "kind": "central_warehouse",
                      "department": "Guatemala", "municipality": "Mixco"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["details"]["fields"][0]["field"], "kind");
    // Wrong types are a clear error.
    let r = api
        .post(app.url("/api/units"))
        .header(AUTHORIZATION, &bearer)
        .json(&json!({"code": 7, "level_of_care": "tres"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // The JSON API creates too.
    let r = api
        .post(app.url("/api/units"))
        .header(AUTHORIZATION, &bearer)
        .json(
            &json!({"code": "FARM-XELA", "name": "Farmacia de Quetzaltenango", "kind": "pharmacy",
                      "department": "Quetzaltenango", "municipality": "Quetzaltenango",
                      "level_of_care": 1, "parent": "ALM-OCC"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let unit: Value = r.json().await.unwrap();
    assert_eq!(unit["parent"], "ALM-OCC");
}
both!(administrators_keep_the_network, administrator_form);

async fn who_acts_for_units(app: TestApp) {
    let api = reqwest::Client::new();
    let bearer = format!("Bearer {}", app.token_for("admin").await);
    let farmacia = app.user_id("farmacia").await;
    let set = |id: i64, units: Value| {
        api.put(app.url(&format!("/api/users/{id}/units")))
            .header(AUTHORIZATION, &bearer)
            .json(&json!({ "units": units }))
            .send()
    };
    // A unit user must act for at least one unit; unknown codes and supplier users are refused.
    let r = set(farmacia, json!([])).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["error"]["details"]["fields"][0]["code"],
        "at_least_one"
    );
    let r = set(farmacia, json!(["HGE", "NOPE"])).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let supplier = app.user_id("proveedor1").await;
    let r = set(supplier, json!(["HGE"])).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = set(999_999, json!(["HGE"])).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let changes = audit_count(&app, "user.units_changed").await;
    // A change of units is stored and audited.
    let r = set(farmacia, json!(["HGE", "POLI", "HGE"])).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let units: Value = r.json().await.unwrap();
    let codes: Vec<&str> = units
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["HGE", "POLI"]);
    assert_eq!(audit_count(&app, "user.units_changed").await, changes + 1);
    // The unit user's desk lists them.
    let (token, _) = app.session_for("farmacia").await;
    let html = page_text(app.url("/units/mine"), Some(&session_cookie(&token))).await;
    assert!(html.contains("href=\"/units/HGE\""));
    assert!(html.contains("href=\"/units/POLI\""));
    assert!(html.contains("Mis unidades"));
    // The administrator's form on the account page: a refusal at the field, keeping the
    // boxes as ticked; then post-redirect-get.
    let (admin, _) = app.session_for("admin").await;
    let admin = session_cookie(&admin);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = page_text(app.url(&format!("/admin/users/{farmacia}")), Some(&admin)).await;
    assert!(
        page.contains("value=\"POLI\" checked"),
        "stored units are ticked"
    );
    let csrf = csrf_from(&page);
    let post = |fields: Vec<(&'static str, String)>| {
        client
            .post(app.url(&format!("/admin/users/{farmacia}/units")))
            .header(COOKIE, &admin)
            .form(&fields)
            .send()
    };
    let r = post(vec![("_csrf", csrf.clone())]).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#units\""));
    assert!(html.contains("id=\"units-error\""));
    assert!(
        !html.contains("value=\"POLI\" checked"),
        "kept as ticked (none)"
    );
    let r = post(vec![
        ("_csrf", csrf.clone()),
        ("units", "HGE".into()),
        ("units", "CONS-MIX".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers().get(LOCATION).unwrap().to_str().unwrap(),
        format!("/admin/users/{farmacia}")
    );
    let page = page_text(app.url(&format!("/admin/users/{farmacia}")), Some(&admin)).await;
    assert!(page.contains("value=\"CONS-MIX\" checked"));
    assert!(!page.contains("value=\"POLI\" checked"));
    // A person with two units sees both.
    let (token, _) = app.session_for("farmacia2").await;
    let html = page_text(app.url("/units/mine"), Some(&session_cookie(&token))).await;
    assert!(html.contains("Hospital de Quetzaltenango"));
    assert!(html.contains("Hospital de Coatepeque"));
}
both!(who_acts_for_which_units, who_acts_for_units);
