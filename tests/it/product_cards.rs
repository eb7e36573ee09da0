//! Suppliers' product cards (issue 14, point 7): the demo's cards on a catalogue item's page,
//! the supplier portal's form (refusals at the field, post-redirect-get), the JSON API, and
//! the rule that a firm touches only its own cards.

use crate::both;
use crate::esourcing::{As, item};
use crate::support::{TestApp, csrf_from, error_code, page_text, session_cookie};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};
use serde_json::{Value, json};

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

async fn my_cards(supplier: &As) -> Vec<Value> {
    let (s, body) = supplier.get("/api/me/product-cards").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body.as_array().unwrap().clone()
}

async fn demo_cards_on_the_item_page(app: TestApp) {
    let paracetamol = item(&app, "MED-0001").await;
    let cards = app
        .get_json(&format!("/api/catalogue/items/{paracetamol}/product-cards"))
        .await;
    let cards = cards.as_array().unwrap();
    assert_eq!(cards.len(), 3, "three firms offer paracetamol 500 mg");
    for c in cards {
        let gtin = c["gtin"].as_str().unwrap();
        assert_eq!(gtin.len(), 14);
        assert!(tianguis_gs1::Gtin::parse(gtin).is_ok(), "{gtin}");
        assert_eq!(c["unit"], "tableta");
        assert_eq!(c["status"], "active");
    }
    let dolomax = cards.iter().find(|c| c["brand"] == "Dolomax 500").unwrap();
    assert_eq!(dolomax["registration_standing"], "expiring");
    assert!(
        dolomax["health_registration"]
            .as_str()
            .unwrap()
            .starts_with("PF-")
    );
    assert!(
        dolomax["gtin"].as_str().unwrap().starts_with("0890"),
        "India"
    );
    let pacifen = cards.iter().find(|c| c["brand"] == "Pacifen 500").unwrap();
    assert_eq!(pacifen["registration_standing"], "valid");
    assert!(
        pacifen["gtin"].as_str().unwrap().starts_with("0740"),
        "Guatemala"
    );

    // The public page: each supplier linked, the pack in the item's unit, the warning in words.
    let html = page_text(app.url(&format!("/catalogue/items/{paracetamol}")), None).await;
    assert!(html.contains("Productos de los proveedores"));
    assert!(html.contains("Dolomax 500"));
    assert!(html.contains("Suryodaya Pharmaceuticals Ltd. (India)"));
    assert!(html.contains(&format!("href=\"/suppliers/{}\"", dolomax["supplier_id"])));
    assert!(html.contains("100 tableta"));
    assert!(html.contains("El registro vence en menos de 90 días"));
    assert!(html.contains("Vigente hasta el"));
    // In English, with the unit translated.
    let html = reqwest::Client::new()
        .get(app.url(&format!("/catalogue/items/{paracetamol}")))
        .header(COOKIE, "tianguis_lang=en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Suppliers&#39; products") || html.contains("Suppliers' products"));
    assert!(html.contains("Registration expires within 90 days"));
    assert!(html.contains("100 tablet"));
    // The catalogue links each item to its page; an unknown item is a clear 404.
    let list = page_text(app.url("/catalogue?search=MED-0001"), None).await;
    assert!(list.contains(&format!("href=\"/catalogue/items/{paracetamol}\"")));
    let r = reqwest::get(app.url("/api/catalogue/items/999999/product-cards"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = reqwest::get(app.url("/api/catalogue/items/abc/product-cards"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Seeding again adds nothing.
    let again = tianguis::service::demo::seed(&app.state.db).await.unwrap();
    assert_eq!(again.product_cards, 0);
}
both!(
    the_demo_cards_on_a_catalogue_item_page,
    demo_cards_on_the_item_page
);

/// Posts a portal form with a session; the status, the redirect and the body.
async fn post_page(
    app: &TestApp,
    cookie: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Option<String>, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = page_text(app.url("/portal/products/new"), Some(cookie)).await;
    let csrf = csrf_from(&page);
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

async fn portal_pages(app: TestApp) {
    let (token, _) = app.session_for("proveedor1").await;
    let cookie = session_cookie(&token);
    let supplier = As::user(&app, "proveedor1").await;
    let before = my_cards(&supplier).await.len();
    assert_eq!(before, 5, "proveedor1's demo cards");
    let created = audit_count(&app, "product_card.created").await;

    // The list, linked from the portal.
    let portal = page_text(app.url("/portal"), Some(&cookie)).await;
    assert!(portal.contains("href=\"/portal/products\""));
    let list = page_text(app.url("/portal/products"), Some(&cookie)).await;
    assert!(list.contains("Fichas de producto"));
    assert!(list.contains("Dolomax 500"));
    assert!(!list.contains("Pacifen 500"), "another firm's card");

    let metformin = item(&app, "MED-0018").await.to_string();
    let good: Vec<(&str, &str)> = vec![
        ("catalogue_item_id", metformin.as_str()),
        ("brand", "Metforal 850"),
        (
            "manufacturer",
            "Laboratorios Quetzalfarma, S.A. (Guatemala)",
        ),
        ("health_registration", "PF-40112-2025"),
        ("health_registration_expires", "2030-06-30"),
        ("gtin", "7405521000301"),
        ("pack_size", "100"),
    ];
    // Each problem is shown at its field, with its label, and nothing is stored.
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "gtin",
            "7405521000302",
            "GTIN",
            "El último dígito no corresponde",
        ),
        (
            "gtin",
            "74055210003",
            "GTIN",
            "Un GTIN tiene 8, 12, 13 o 14 dígitos",
        ),
        ("gtin", "7405521-00030", "GTIN", "Escriba solo los dígitos"),
        ("gtin", "", "GTIN", "obligatorio"),
        ("pack_size", "0", "Tamaño del empaque", "número"),
        ("pack_size", "12,5", "Tamaño del empaque", "Use el punto"),
        (
            "health_registration_expires",
            "2030-02-30",
            "Registro vigente hasta",
            "fecha",
        ),
        (
            "health_registration",
            "PF#1",
            "Registro sanitario",
            "caracteres",
        ),
        ("brand", "", "Marca", "obligatorio"),
        (
            "catalogue_item_id",
            "",
            "Artículo del catálogo",
            "obligatorio",
        ),
        (
            "catalogue_item_id",
            "999999",
            "Artículo del catálogo",
            "opción",
        ),
    ];
    for (field, value, label, words) in cases {
        let fields: Vec<(&str, &str)> = good
            .iter()
            .map(|(k, v)| if k == field { (*k, *value) } else { (*k, *v) })
            .collect();
        let (status, _, html) = post_page(&app, &cookie, "/portal/products", &fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value}");
        assert!(
            html.contains(&format!("href=\"#{field}\">{label}: ")),
            "{field}={value}: the summary names the field {label} and links to it"
        );
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}={value}: the message stands at the field"
        );
        assert!(html.contains(words), "{field}={value}: {words}");
        assert!(!html.contains("verr-"), "{field}={value}: no raw key");
        if *field != "gtin" {
            assert!(
                html.contains("value=\"7405521000301\""),
                "what was typed is kept"
            );
        }
    }
    // The same refusal in English.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let csrf = csrf_from(&page_text(app.url("/portal/products/new"), Some(&cookie)).await);
    let mut bad: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
    bad.extend(good.iter().map(|(k, v)| {
        if *k == "gtin" {
            (*k, "7405521000302")
        } else {
            (*k, *v)
        }
    }));
    let html = client
        .post(app.url("/portal/products"))
        .header(COOKIE, format!("{cookie}; tianguis_lang=en"))
        .form(&bad)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("href=\"#gtin\">GTIN: The last digit does not match the others"));
    assert_eq!(my_cards(&supplier).await.len(), before, "nothing stored");
    assert_eq!(audit_count(&app, "product_card.created").await, created);

    // The good form: stored, then back to the list (a reload repeats nothing).
    let (status, location, _) = post_page(&app, &cookie, "/portal/products", &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/portal/products"));
    let cards = my_cards(&supplier).await;
    assert_eq!(cards.len(), before + 1);
    assert_eq!(audit_count(&app, "product_card.created").await, created + 1);
    let card = cards.iter().find(|c| c["brand"] == "Metforal 850").unwrap();
    assert_eq!(card["gtin"], "07405521000301", "stored as GTIN-14");
    let id = card["id"].as_i64().unwrap();
    let list = page_text(app.url("/portal/products"), Some(&cookie)).await;
    assert!(list.contains("Metforal 850"));

    // Editing: the form shows what is stored; a change is saved and audited.
    let edit = page_text(app.url(&format!("/portal/products/{id}")), Some(&cookie)).await;
    assert!(edit.contains("value=\"Metforal 850\""));
    assert!(edit.contains("value=\"2030-06-30\""));
    assert!(edit.contains(&format!("<option value=\"{metformin}\" selected>")));
    let mut changed = good.clone();
    changed[1] = ("brand", "Metforal 850 LP");
    changed[6] = ("pack_size", "1,000");
    let (status, location, _) =
        post_page(&app, &cookie, &format!("/portal/products/{id}"), &changed).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/portal/products"));
    let cards = my_cards(&supplier).await;
    let card = cards.iter().find(|c| c["id"] == id).unwrap();
    assert_eq!(card["brand"], "Metforal 850 LP");
    assert_eq!(card["pack_size"], "1000");
    assert_eq!(audit_count(&app, "product_card.updated").await, 1);
    let page = page_text(app.url(&format!("/catalogue/items/{metformin}")), None).await;
    assert!(page.contains("Metforal 850 LP"));
    assert!(page.contains("1,000 tableta"));

    // Withdrawing: no longer on the item's page, still on the firm's list, audited.
    let (status, location, _) = post_page(
        &app,
        &cookie,
        &format!("/portal/products/{id}/withdraw"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/portal/products"));
    let page = page_text(app.url(&format!("/catalogue/items/{metformin}")), None).await;
    assert!(!page.contains("Metforal 850 LP"));
    let list = page_text(app.url("/portal/products"), Some(&cookie)).await;
    assert!(list.contains("Metforal 850 LP") && list.contains("Retirado"));
    assert_eq!(audit_count(&app, "product_card.withdrawn").await, 1);
    // A withdrawn card is not edited.
    let r = client
        .get(app.url(&format!("/portal/products/{id}")))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // An expired registration is stored, and flagged.
    let mut expired = good.clone();
    expired[1] = ("brand", "Metforal Retard");
    expired[4] = ("health_registration_expires", "2021-01-31");
    expired[5] = ("gtin", "7405521000318");
    let (status, _, _) = post_page(&app, &cookie, "/portal/products", &expired).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = page_text(app.url(&format!("/catalogue/items/{metformin}")), None).await;
    assert!(page.contains("Metforal Retard") && page.contains("Registro vencido"));

    // Another firm's card: refused with the owner rule's code, on the page too.
    let (other, _) = app.session_for("proveedor2").await;
    let other = session_cookie(&other);
    let r = client
        .get(app.url(&format!("/portal/products/{id}")))
        .header(COOKIE, &other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        error_code(&r.text().await.unwrap()).as_deref(),
        Some("auth.not_permitted")
    );
}
both!(a_supplier_keeps_its_cards_on_the_portal, portal_pages);

async fn json_api(app: TestApp) {
    let supplier = As::user(&app, "proveedor3").await;
    let before = my_cards(&supplier).await;
    let ceftriaxone = item(&app, "MED-0008").await;
    let good = json!({
        "catalogue_item_id": ceftriaxone,
        "brand": "Ceftrivol 1 g",
        "manufacturer": "Laboratorios Volcán, S.A. de C.V. (El Salvador)",
        "health_registration": "PF-41200-2025",
        "health_registration_expires": "2030-12-31",
        "gtin": "4006381333931",
        "pack_size": "10"
    });
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    // Bad input: a stable code per field, nothing changed.
    let cases = [
        (with("gtin", json!("123")), "gtin", "gtin_length"),
        (
            with("gtin", json!("4006381333932")),
            "gtin",
            "gtin_check_digit",
        ),
        (
            with("gtin", json!("40063813339a1")),
            "gtin",
            "gtin_not_digits",
        ),
        (
            with("pack_size", json!("-1")),
            "pack_size",
            "invalid_number",
        ),
        (
            with("pack_size", json!("12,5")),
            "pack_size",
            "decimal_comma",
        ),
        (
            with("health_registration_expires", json!("31/12/2030")),
            "health_registration_expires",
            "invalid_date",
        ),
        (
            with("catalogue_item_id", json!(999_999)),
            "catalogue_item_id",
            "unknown_option",
        ),
        (
            with("catalogue_item_id", Value::Null),
            "catalogue_item_id",
            "required",
        ),
        (
            with("manufacturer", json!("\u{200B}\u{200C}")),
            "manufacturer",
            "invalid_characters",
        ),
    ];
    for (body, field, code) in cases {
        let (s, answer) = supplier.post("/api/me/product-cards", body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {answer}");
        assert_eq!(answer["error"]["code"], "validation.failed");
        let fields = answer["error"]["details"]["fields"].as_array().unwrap();
        assert!(
            fields
                .iter()
                .any(|f| f["field"] == field && f["code"] == code),
            "{field} {code}: {answer}"
        );
    }
    let (s, _) = supplier
        .post("/api/me/product-cards", json!({"gtin": 4006381333931u64}))
        .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "a number where text is expected"
    );
    assert_eq!(
        my_cards(&supplier).await.len(),
        before.len(),
        "nothing stored"
    );

    // A good card: 201, normalised; the same GTIN twice is refused at the field.
    let (s, card) = supplier.post("/api/me/product-cards", good.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{card}");
    assert_eq!(card["gtin"], "04006381333931");
    assert_eq!(card["health_registration_expires"], "2030-12-31");
    assert_eq!(card["registration_standing"], "valid");
    assert_eq!(card["unit"], "vial");
    assert_eq!(card["supplier_name"], "Distribuidora Los Altos, S.A.");
    let id = card["id"].as_i64().unwrap();
    let (s, answer) = supplier.post("/api/me/product-cards", good.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["error"]["details"]["fields"][0]["field"], "gtin");
    assert_eq!(
        answer["error"]["details"]["fields"][0]["code"],
        "already_registered"
    );

    // Another firm may not change or withdraw it: a stable refusal, nothing changed.
    let other = As::user(&app, "proveedor4").await;
    let path = format!("/api/me/product-cards/{id}");
    let (s, answer) = other
        .send(reqwest::Method::PUT, &path, with("brand", json!("Robada")))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{answer}");
    assert_eq!(answer["error"]["code"], "auth.not_permitted");
    let (s, answer) = other.post(&format!("{path}/withdraw"), json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(answer["error"]["code"], "auth.not_permitted");
    // Other roles never reach the route.
    let (s, answer) = As::user(&app, "compras")
        .await
        .post("/api/me/product-cards", good.clone())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(answer["error"]["code"], "auth.forbidden");

    // The owner changes it (bad input changes nothing), then withdraws it once.
    let (s, _) = supplier
        .send(
            reqwest::Method::PUT,
            &path,
            with("gtin", json!("4006381333932")),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, card) = supplier
        .send(
            reqwest::Method::PUT,
            &path,
            with("health_registration_expires", json!("2020-01-01")),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{card}");
    assert_eq!(card["brand"], "Ceftrivol 1 g");
    assert_eq!(
        card["registration_standing"], "expired",
        "stored, and flagged"
    );
    let (s, card) = supplier.post(&format!("{path}/withdraw"), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(card["status"], "withdrawn");
    let (s, answer) = supplier.post(&format!("{path}/withdraw"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(answer["error"]["code"], "state.illegal_transition");
    let (s, _) = supplier
        .send(reqwest::Method::PUT, &path, good.clone())
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a withdrawn card is not changed");
    // Its GTIN is free again for a new card.
    let (s, card) = supplier.post("/api/me/product-cards", good.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{card}");
    let (s, _) = supplier.get("/api/me/product-cards/abc").await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    let (s, _) = supplier
        .send(
            reqwest::Method::PUT,
            "/api/me/product-cards/abc",
            good.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // The agreements' lookup: active cards of these suppliers for these items.
    let los_altos = card["supplier_id"].as_i64().unwrap();
    let mut conn = app.state.db.read().await.unwrap();
    let found = tianguis::service::product_cards::for_items(
        &mut conn,
        &[los_altos],
        &[ceftriaxone, item(&app, "MED-0001").await],
    )
    .await
    .unwrap();
    let brands: Vec<&str> = found.iter().map(|c| c.brand.as_str()).collect();
    // By catalogue item (paracetamol before ceftriaxone), the withdrawn card left out.
    assert_eq!(brands, ["Termidol 500", "Ceftrivol 1 g"]);
    assert!(found.iter().all(|c| c.supplier_id == los_altos));
    assert!(
        tianguis::service::product_cards::for_items(&mut conn, &[], &[ceftriaxone])
            .await
            .unwrap()
            .is_empty()
    );

    // A suspended firm offers nothing new.
    let admin = As::user(&app, "admin").await;
    let (s, body) = admin
        .post(
            &format!("/api/suppliers/{los_altos}/status"),
            json!({"status": "suspended", "reason": "Documentación vencida en el registro de proveedores."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, answer) = supplier
        .post("/api/me/product-cards", with("gtin", json!("96385074")))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"]["code"], "state.illegal_transition");
}
both!(the_product_card_api, json_api);
