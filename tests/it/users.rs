//! Account administration by administrators, over the JSON API and the web pages.

use crate::both;
use crate::support::{TestApp, csrf_from, login};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, LOCATION};
use serde_json::json;
use tianguis::service::demo::DEMO_PASSWORD;

async fn api_administration(app: TestApp) {
    let api = reqwest::Client::new();
    let admin = format!("Bearer {}", app.token_for("admin").await);
    // Create.
    let r = api
        .post(app.url("/api/users"))
        .header(AUTHORIZATION, &admin)
        .json(&json!({
            "username": "Luisa.Ortiz",
            "display_name": "Luisa Ortiz",
            "email": "luisa@igss.gob.gt",
            "roles": ["buyer", "evaluator"],
            "password": "Clave-de-prueba-2026"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let user: serde_json::Value = r.json().await.unwrap();
    assert_eq!(user["username"], "luisa.ortiz");
    assert_eq!(user["roles"], json!(["buyer", "evaluator"]));
    let id = user["id"].as_i64().unwrap();
    // The new account can sign in.
    assert_eq!(
        login(&app.client(), &app, "luisa.ortiz", "Clave-de-prueba-2026")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // Duplicate usernames are refused whatever the case.
    let r = api
        .post(app.url("/api/users"))
        .header(AUTHORIZATION, &admin)
        .json(&json!({"username": "LUISA.ORTIZ", "display_name": "Otra", "roles": ["buyer"], "password": "Clave-de-prueba-2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["error"]["details"]["fields"][0]["code"],
        "username_taken"
    );
    // A supplier user needs a supplier and no internal role.
    let r = api
        .post(app.url("/api/users"))
        .header(AUTHORIZATION, &admin)
        .json(&json!({"username": "prov9", "display_name": "P", "roles": ["supplier", "buyer"], "supplier_id": 1, "password": "Clave-de-prueba-2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = api
        .post(app.url("/api/users"))
        .header(AUTHORIZATION, &admin)
        .json(&json!({"username": "prov9", "display_name": "P", "roles": ["supplier"], "supplier_id": 999999, "password": "Clave-de-prueba-2026"}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        body["error"]["details"]["fields"][0]["code"],
        "unknown_supplier"
    );
    // Update roles.
    let r = api
        .put(app.url(&format!("/api/users/{id}")))
        .header(AUTHORIZATION, &admin)
        .json(&json!({"username": "luisa.ortiz", "display_name": "Luisa Ortiz de León", "roles": ["analyst"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let updated: serde_json::Value = r.json().await.unwrap();
    assert_eq!(updated["roles"], json!(["analyst"]));
    assert_eq!(updated["display_name"], "Luisa Ortiz de León");
    // Deactivate; deactivating twice is an illegal transition.
    let deactivate = || {
        api.post(app.url(&format!("/api/users/{id}/deactivate")))
            .header(AUTHORIZATION, &admin)
    };
    assert_eq!(deactivate().send().await.unwrap().status(), StatusCode::OK);
    let r = deactivate().send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "state.illegal_transition");
    // An administrator cannot deactivate or demote themself.
    let me = app.user_id("admin").await;
    let r = api
        .post(app.url(&format!("/api/users/{me}/deactivate")))
        .header(AUTHORIZATION, &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = api
        .put(app.url(&format!("/api/users/{me}")))
        .header(AUTHORIZATION, &admin)
        .json(&json!({"username": "admin", "display_name": "Admin", "roles": ["observer"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Listing and filtering.
    let list: serde_json::Value = api
        .get(app.url("/api/users?role=evaluator&per_page=2"))
        .header(AUTHORIZATION, &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 3);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let inactive: serde_json::Value = api
        .get(app.url("/api/users?active=false"))
        .header(AUTHORIZATION, &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(inactive["items"][0]["username"], "luisa.ortiz");
}
both!(
    administrators_manage_accounts_over_the_api,
    api_administration
);

async fn web_administration(app: TestApp) {
    let client = app.client();
    assert_eq!(
        login(&client, &app, "admin", DEMO_PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let form = client
        .get(app.url("/admin/users/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_from(&form);
    // Invalid: shown again with errors, values kept, password not echoed.
    let r = client
        .post(app.url("/admin/users"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "jo"),
            ("display_name", "Jo"),
            ("password", "secreto-corto"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("El texto es demasiado corto."));
    assert!(html.contains("value=\"jo\""));
    assert!(!html.contains("secreto-corto"));
    // Valid, with two role boxes checked.
    let r = client
        .post(app.url("/admin/users"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "jorge.batz"),
            ("display_name", "Jorge Batz"),
            ("email", ""),
            ("roles", "buyer"),
            ("roles", "evaluator"),
            ("supplier_id", ""),
            ("password", "Clave-de-prueba-2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()[LOCATION].to_str().unwrap().to_string();
    let page = client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Se creó el usuario jorge.batz."));
    assert!(page.contains("value=\"buyer\" checked"));
    assert!(page.contains("value=\"evaluator\" checked"));
    // A supplier user bound to a supplier.
    let csrf = csrf_from(&page);
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let r = client
        .post(app.url(&format!("/admin/users/{id}")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "jorge.batz"),
            ("display_name", "Jorge Batz"),
            ("roles", "supplier"),
            ("supplier_id", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut conn = app.state.db.read().await.unwrap();
    let stored = tianguis::repository::users::find(&mut conn, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.supplier_id, Some(1));
    assert!(stored.has_role(tianguis::domain::role::Role::Supplier));
}
both!(
    administrators_manage_accounts_in_the_browser,
    web_administration
);
