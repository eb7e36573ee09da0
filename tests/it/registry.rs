//! The supplier registry (self-registration, verification, suspension) and the catalogue's
//! change control (proposals reviewed by the therapeutic committee, CSV/XLSX import with a
//! row-by-row report, export), over the web forms and the JSON API.

use crate::both;
use crate::esourcing::As;
use crate::support::{TestApp, csrf_from, error_code, login};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use tianguis::domain::nit::Nit;

pub(crate) fn registration(nit: &str, username: &str) -> Value {
    json!({
        "legal_name": "Distribuidora Farmacéutica del Altiplano, S.A.",
        "trade_name": "FarmaAltiplano",
        "nit": nit,
        "email": "ventas@farmaaltiplano.com.gt",
        "phone": "+502 7765-4321",
        "address": "4a. calle 12-30 zona 3",
        "municipality": "Quetzaltenango",
        "department": "Quetzaltenango",
        "website": "",
        "categories": ["atc:J", "unspsc:42"],
        "contacts": [{"name": "Lucía Coyoy", "position": "Gerente de ventas", "email": "lucia@farmaaltiplano.com.gt", "phone": "+502 5555-1234"}],
        "owners": [
            {"name": "Pedro Coyoy", "nationality": "guatemalteca", "document_id": "2456 78901 0901", "share_percent": "60", "politically_exposed": false},
            {"name": "Marta Tzul", "nationality": "guatemalteca", "document_id": "1987 65432 0101", "share_percent": "40", "politically_exposed": true}
        ],
        "username": username,
        "display_name": "Lucía Coyoy",
        "password": "altiplano-ventas-2026"
    })
}

pub(crate) async fn supplier_count(app: &TestApp) -> i64 {
    let page: Value = reqwest::get(app.url("/api/suppliers?per_page=1"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["total"].as_i64().unwrap()
}

async fn registry(app: TestApp) {
    let before = supplier_count(&app).await;
    let anonymous = reqwest::Client::new();

    // Bad input changes nothing and names every failing field.
    let mut bad = registration("1234567-0", "farmaaltiplano");
    bad["owners"][1]["share_percent"] = json!("45");
    bad["categories"] = json!(["atc:Z"]);
    let r = anonymous
        .post(app.url("/api/suppliers"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation.failed");
    let fields: Vec<&str> = body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in ["nit", "owners", "categories"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    assert_eq!(supplier_count(&app).await, before, "nothing was created");

    // A valid self-registration over the API: pending, with its first account.
    let nit = Nit::from_body(9_123_457).to_string();
    let r = anonymous
        .post(app.url("/api/suppliers"))
        .json(&registration(&nit, "farmaaltiplano"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["supplier"]["status"], "pending");
    assert_eq!(created["username"], "farmaaltiplano");
    let supplier_id = created["supplier"]["id"].as_i64().unwrap();
    let again = anonymous
        .post(app.url("/api/suppliers"))
        .json(&registration(&nit, "otracuenta"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().await.unwrap().contains("already_registered"));

    // The public profile shows owners and categories, never identity documents.
    let profile: Value = reqwest::get(app.url(&format!("/api/suppliers/{supplier_id}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(profile["owners"].as_array().unwrap().len(), 2);
    assert_eq!(profile["owners"][1]["politically_exposed"], true);
    assert_eq!(profile["categories"], json!(["atc:J", "unspsc:42"]));
    let page = reqwest::get(app.url(&format!("/suppliers/{supplier_id}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Marta Tzul") && page.contains("FarmaAltiplano"));
    assert!(!profile.to_string().contains("2456 78901") && !page.contains("2456 78901"));

    // The new account signs in and finds its portal with the pending notice.
    let browser = app.client();
    let r = login(&browser, &app, "farmaaltiplano", "altiplano-ventas-2026").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let portal = browser
        .get(app.url("/portal"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(portal.contains("Distribuidora Farmacéutica del Altiplano"));
    assert!(
        portal.contains("pendiente de verificación"),
        "pending notice"
    );

    // Administrators verify and suspend (with a reason); others may not.
    let buyer = As::user(&app, "compras").await;
    let (s, body) = buyer
        .post(
            &format!("/api/suppliers/{supplier_id}/status"),
            json!({"status": "verified"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let admin = As::user(&app, "admin").await;
    let (s, body) = admin
        .post(
            &format!("/api/suppliers/{supplier_id}/status"),
            json!({"status": "verified"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "verified");
    let (s, body) = admin
        .post(
            &format!("/api/suppliers/{supplier_id}/status"),
            json!({"status": "verified"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "state.illegal_transition");
    let (s, body) = admin
        .post(
            &format!("/api/suppliers/{supplier_id}/status"),
            json!({"status": "suspended", "reason": "corta"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, body) = admin
        .post(
            &format!("/api/suppliers/{supplier_id}/status"),
            json!({"status": "archived", "reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, body) = admin
        .post(
            &format!("/api/suppliers/{supplier_id}/status"),
            json!({"status": "suspended", "reason": "Inhabilitado por la Contraloría General de Cuentas."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let profile: Value = reqwest::get(app.url(&format!("/api/suppliers/{supplier_id}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(profile["status"], "suspended");
    assert_eq!(
        profile["suspension_reason"],
        "Inhabilitado por la Contraloría General de Cuentas."
    );
    let audit = reqwest::get(app.url("/api/audit?limit=1000"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(audit.contains("supplier.suspended"), "public audit event");

    // The registration web form: errors shown in place, then success to the sign-in page.
    let web = app.client();
    let form = web
        .get(app.url("/register"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_from(&form);
    let nit2 = Nit::from_body(9_223_461).to_string();
    let mut fields: Vec<(&str, String)> = vec![
        ("_csrf", csrf.clone()),
        ("legal_name", "Insumos Médicos de Occidente, S.A.".into()),
        ("nit", nit2.clone()),
        ("email", "ventas@imo.com.gt".into()),
        ("phone", "+502 7761-0000".into()),
        ("address", "Km 205 carretera Interamericana".into()),
        ("department", "Totonicapán".into()),
        ("categories", "unspsc:42".into()),
        ("contact_name", "Rosa Batz".into()),
        ("contact_position", "Ventas".into()),
        ("contact_email", "".into()),
        ("contact_phone", "".into()),
        ("owner_name", "Rosa Batz".into()),
        ("owner_nationality", "guatemalteca".into()),
        ("owner_document_id", "".into()),
        ("owner_share_percent", "100".into()),
        ("owner_pep", "no".into()),
        ("username", "imoccidente".into()),
        ("display_name", "Rosa Batz".into()),
        ("password", "occidente-insumos-1".into()),
        ("confirmation", "otra-cosa-distinta".into()),
    ];
    let r = web
        .post(app.url("/register"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("form-errors") && html.contains("Rosa Batz"));
    fields.retain(|(k, _)| *k != "confirmation");
    fields.push(("confirmation", "occidente-insumos-1".into()));
    let r = web
        .post(app.url("/register"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login");
    assert_eq!(supplier_count(&app).await, before + 2);
}
both!(supplier_registry, registry);

pub(crate) fn csv_part(text: &str, name: &str) -> Part {
    Part::bytes(text.as_bytes().to_vec())
        .file_name(name.to_string())
        .mime_str("text/csv")
        .unwrap()
}

pub(crate) async fn import(
    app: &TestApp,
    who: &str,
    file: Part,
    valid_rows: bool,
) -> (StatusCode, Value) {
    let token = app.token_for(who).await;
    let mut form = Form::new().part("file", file).text(
        "justification",
        "Actualización de la lista básica aprobada por la comisión.",
    );
    if valid_rows {
        form = form.text("import_valid_rows", "true");
    }
    let r = reqwest::Client::new()
        .post(app.url("/api/catalogue/import"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn catalogue_total(app: &TestApp, search: &str) -> i64 {
    let page: Value = reqwest::get(app.url(&format!("/api/catalogue?search={search}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["total"].as_i64().unwrap()
}

async fn catalogue(app: TestApp) {
    let buyer = As::user(&app, "compras").await;
    let admin = As::user(&app, "admin").await;

    // A proposal is only applied once the committee approves it.
    let (s, p) = buyer
        .post(
            "/api/catalogue/proposals",
            json!({
                "item": {"code": "MED-9001", "kind": "medicine", "name": "Dapagliflozina", "strength": "10 mg",
                         "form": "tableta", "presentation": "blíster x 10", "unit": "tableta",
                         "atc_code": "A10BK01", "level_of_care": "2"},
                "justification": "Incorporación por nueva guía de práctica clínica de diabetes."
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["status"], "proposed");
    assert_eq!(p["kind"], "add");
    let pid = p["id"].as_i64().unwrap();
    assert_eq!(
        catalogue_total(&app, "MED-9001").await,
        0,
        "not before review"
    );
    let (s, _) = buyer
        .post(
            &format!("/api/catalogue/proposals/{pid}/review"),
            json!({"approve": true, "decision": "Aprobada."}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "buyers do not review");
    let (s, body) = admin
        .post(
            &format!("/api/catalogue/proposals/{pid}/review"),
            json!({"approve": true, "decision": "Aprobada en sesión 12-2026 de la comisión terapéutica."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "approved");
    assert_eq!(catalogue_total(&app, "MED-9001").await, 1);
    let (s, body) = admin
        .post(
            &format!("/api/catalogue/proposals/{pid}/review"),
            json!({"approve": false, "decision": "Otra vez."}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    // Nobody reviews their own proposal.
    let (s, own) = admin
        .post(
            "/api/catalogue/proposals",
            json!({"retire_item_id": app_item(&app, "MED-9001").await,
                   "justification": "Retiro por alerta sanitaria del fabricante."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{own}");
    let (s, body) = admin
        .post(
            &format!("/api/catalogue/proposals/{}/review", own["id"]),
            json!({"approve": true, "decision": "Aprobada."}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "auth.not_permitted");
    let (s, list) = buyer.get("/api/catalogue/proposals?status=proposed").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == own["id"])
    );
    let (s, _) = buyer.get("/api/catalogue/proposals?status=bogus").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // An import with an error imports nothing unless the valid rows are asked for.
    let csv = "code,kind,name,strength,form,presentation,unit,atc_code,unspsc_code,level_of_care\n\
               MED-9100,medicine,Empagliflozina,10 mg,tableta,blíster x 10,tableta,A10BK03,,2\n\
               MED-9101,medicine,Sin código ATC,5 mg,tableta,,tableta,XX,,1\n\
               MQ-9102,supply,Catéter venoso central,7 Fr,,,unidad,,42221506,3\n\
               MED-9100,medicine,Repetido,10 mg,tableta,,tableta,A10BK03,,2\n";
    let (s, report) = import(&app, "compras", csv_part(csv, "lista.csv"), false).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(report["valid"], 2);
    assert_eq!(report["invalid"], 2);
    assert!(report["proposal_id"].is_null());
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows[1]["row"], 3);
    assert_eq!(rows[1]["errors"][0]["field"], "atc_code");
    assert_eq!(rows[3]["errors"][0]["code"], "duplicate");
    let (_, proposals) = buyer.get("/api/catalogue/proposals").await;
    let count_before = proposals.as_array().unwrap().len();
    let (s, report) = import(&app, "compras", csv_part(csv, "lista.csv"), true).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    let import_id = report["proposal_id"].as_i64().unwrap();
    let (_, proposals) = buyer.get("/api/catalogue/proposals").await;
    assert_eq!(proposals.as_array().unwrap().len(), count_before + 1);
    let (_, imported) = buyer
        .get(&format!("/api/catalogue/proposals/{import_id}"))
        .await;
    assert_eq!(imported["kind"], "import");
    assert_eq!(imported["items"].as_array().unwrap().len(), 2);
    let (s, _) = admin
        .post(
            &format!("/api/catalogue/proposals/{import_id}/review"),
            json!({"approve": true, "decision": "Aprobada la importación de dos artículos."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(catalogue_total(&app, "MQ-9102").await, 1);

    // Whole-file problems are refused with a stable code; nothing is proposed.
    let (s, body) = import(&app, "compras", csv_part("foo;bar\n1;2\n", "x.csv"), true).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "import.invalid_file");
    assert_eq!(body["error"]["details"]["problem"], "missing_columns");
    let xlsx_garbage = Part::bytes(b"PK\x03\x04not really a workbook".to_vec())
        .file_name("x.xlsx")
        .mime_str("application/octet-stream")
        .unwrap();
    let (s, body) = import(&app, "compras", xlsx_garbage, true).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["details"]["problem"], "unreadable");
    let (s, body) = import(&app, "proveedor1", csv_part(csv, "x.csv"), true).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");

    // Export → import round trip: every row valid and recognised as existing.
    for (path, starts) in [
        ("/api/catalogue/export?format=xlsx", &b"PK"[..]),
        ("/catalogue/export.xlsx", &b"PK"[..]),
        (
            "/api/catalogue/export?format=csv",
            &b"\xEF\xBB\xBFcode,kind"[..],
        ),
    ] {
        let r = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("catalogo."),
        );
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(starts), "{path}");
        if path.ends_with("xlsx") {
            let part = Part::bytes(bytes.to_vec())
                .file_name("catalogo.xlsx")
                .mime_str("application/octet-stream")
                .unwrap();
            let (s, report) = import(&app, "analista", part, false).await;
            assert_eq!(s, StatusCode::OK, "{report}");
            assert_eq!(report["invalid"], 0, "{report}");
            assert!(report["valid"].as_u64().unwrap() > 100);
            assert!(
                report["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|r| r["is_new"] == false)
            );
        }
    }
    let r = reqwest::get(app.url("/api/catalogue/export?format=pdf"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // The web import shows the row-by-row report in the reader's language.
    let web = app.client();
    login(
        &web,
        &app,
        "compras",
        tianguis::service::demo::DEMO_PASSWORD,
    )
    .await;
    let form = web
        .get(app.url("/catalogue/import"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_from(&form);
    let r = web
        .post(app.url(&format!("/catalogue/import?_csrf={csrf}")))
        .multipart(
            Form::new()
                .part("file", csv_part(csv, "lista.csv"))
                .text("justification", "Revisión de la lista básica 2027."),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("data-testid=\"import-nothing\""),
        "nothing imported"
    );
    assert!(
        html.contains("Repetido en este archivo"),
        "translated row error"
    );
    let r = web
        .post(app.url(&format!("/catalogue/import?_csrf={csrf}")))
        .multipart(Form::new().text("justification", "Sin archivo adjunto."))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = web
        .post(app.url("/catalogue/import"))
        .multipart(Form::new().part("file", csv_part(csv, "lista.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no anti-forgery token");
    assert_eq!(
        error_code(&r.text().await.unwrap()).as_deref(),
        Some("csrf.invalid")
    );
}
both!(catalogue_change_control, catalogue);

async fn app_item(app: &TestApp, code: &str) -> i64 {
    let page: Value = reqwest::get(app.url(&format!("/api/catalogue?search={code}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    page["items"][0]["id"].as_i64().unwrap()
}
