//! Bad input: malformed and oversized bodies, wrong types, unknown ids, hostile strings.
//! Each gets a clear error with a stable code and a translated message, and changes nothing.

use crate::support::{Backend, TestApp, error_code};
use crate::{both, both_backends};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE};
use tianguis::repository::audit;

/// (last audit sequence number, number of accounts): what "changes nothing" is checked against.
async fn fingerprint(app: &TestApp) -> (i64, i64) {
    let mut conn = app.state.db.read().await.unwrap();
    let (seq, _) = audit::head(&mut conn).await.unwrap();
    let users = tianguis::repository::users::count(&mut conn).await.unwrap();
    (seq, users)
}

async fn json_error(response: reqwest::Response) -> (StatusCode, serde_json::Value) {
    let status = response.status();
    let body: serde_json::Value = response.json().await.expect("JSON error body");
    assert!(body["error"]["code"].is_string(), "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
    assert!(body["error"].get("details").is_some(), "{body}");
    (status, body)
}

async fn malformed_input(backend: Backend) {
    let Some(app) = TestApp::start_with(backend, |c| c.body_limit = 4096).await else {
        return;
    };
    let admin = format!("Bearer {}", app.token_for("admin").await);
    let api = reqwest::Client::new();
    let before = fingerprint(&app).await;
    let post = |body: &'static str| {
        api.post(app.url("/api/users"))
            .header(AUTHORIZATION, &admin)
            .header(CONTENT_TYPE, "application/json")
            .body(body)
    };

    // Truncated JSON.
    let (status, body) = json_error(post("{\"username\": \"ana\"").send().await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "request.invalid_json");
    assert_eq!(
        body["error"]["message"],
        "El cuerpo de la solicitud no es JSON válido o no tiene la forma esperada."
    );
    // Wrong types, and a real fraction where an integer is expected.
    for (sent, reason) in [
        (
            "{\"username\": 12, \"display_name\": [], \"password\": true}",
            "invalid type",
        ),
        (
            "{\"username\": \"x\", \"display_name\": \"X\", \"password\": \"\", \"supplier_id\": 1.5}",
            "invalid type: floating point `1.5`, expected i64",
        ),
    ] {
        let (status, body) = json_error(post(sent).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "request.invalid_json");
        assert!(
            body["error"]["details"]["reason"]
                .as_str()
                .unwrap()
                .contains(reason),
            "{body}"
        );
    }
    // A whole number written with a fraction is the integer JSON Schema says it is (issue 13:
    // `135.0` was refused): the form then fails on its own fields.
    let whole =
        "{\"username\": \"x\", \"display_name\": \"X\", \"password\": \"\", \"supplier_id\": 1e5}";
    let (status, body) = json_error(post(whole).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "validation.failed");
    // Not JSON at all, with the wrong content type.
    let r = api
        .post(app.url("/api/users"))
        .header(AUTHORIZATION, &admin)
        .header(CONTENT_TYPE, "text/plain")
        .body("hola")
        .send()
        .await
        .unwrap();
    let (status, body) = json_error(r).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["error"]["code"], "request.unsupported_media_type");
    // Oversized.
    let big = format!("{{\"username\":\"{}\"}}", "a".repeat(10_000));
    let r = api
        .post(app.url("/api/users"))
        .header(AUTHORIZATION, &admin)
        .header(CONTENT_TYPE, "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    let (status, body) = json_error(r).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"]["code"], "request.too_large");
    // An oversized form is refused too (the anti-forgery check reads it with the same limit).
    let client = app.client();
    let _ = client.get(app.url("/login")).send().await.unwrap();
    let r = client
        .post(app.url("/login"))
        .form(&[("username", "x".repeat(10_000))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(fingerprint(&app).await, before, "nothing changed");
    app.stop().await;
}
both_backends!(malformed_bodies, malformed_input);

async fn ids_and_queries(app: TestApp) {
    let api = reqwest::Client::new();
    let admin = format!("Bearer {}", app.token_for("admin").await);
    // Unknown id.
    let r = api
        .get(app.url("/api/users/999999"))
        .header(AUTHORIZATION, &admin)
        .send()
        .await
        .unwrap();
    let (status, body) = json_error(r).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "resource.not_found");
    // Not an id.
    let r = api.get(app.url("/api/suppliers/abc")).send().await.unwrap();
    let (status, body) = json_error(r).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "request.invalid_path");
    let r = api
        .get(app.url("/api/suppliers/99999999999999999999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Invalid UTF-8 in the query string.
    let r = api
        .get(app.url("/api/suppliers?search=%FF%FE"))
        .send()
        .await
        .unwrap();
    let (status, body) = json_error(r).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "request.invalid_query");
    // Wrong type in the query string.
    let r = api
        .get(app.url("/api/suppliers?page=first"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_error(r).await.1["error"]["code"],
        "request.invalid_query"
    );
    let r = api
        .get(app.url("/api/audit?since=yesterday"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_error(r).await.1["error"]["code"],
        "request.invalid_query"
    );
    // Unknown routes and methods, in the caller's language.
    let r = api
        .get(app.url("/api/nothing-here"))
        .header(ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    let (status, body) = json_error(r).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body["error"]["message"],
        "We could not find what you are looking for."
    );
    let r = api.delete(app.url("/api/suppliers")).send().await.unwrap();
    let (status, body) = json_error(r).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["code"], "request.method_not_allowed");
    // Browsers get a translated page.
    let r = api.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        r.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("No encontramos lo que busca."));
    assert_eq!(error_code(&html).as_deref(), Some("resource.not_found"));
    let r = api
        .get(app.url("/suppliers/0"))
        .header(ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("We could not find"));
}
both!(unknown_ids_and_bad_queries, ids_and_queries);

async fn hostile_strings(app: TestApp) {
    let api = reqwest::Client::new();
    let admin = format!("Bearer {}", app.token_for("admin").await);
    let script = "<script>alert('x')</script> \"; DROP TABLE users; --";
    let created = api
        .post(app.url("/api/users"))
        .header(AUTHORIZATION, &admin)
        .json(&serde_json::json!({
            "username": "robert.tables",
            "display_name": script,
            "roles": ["observer"],
            "password": "Una-clave-bastante-larga"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    // Stored as typed, shown escaped.
    let (cookie, _) = app.session_for("admin").await;
    let page = api
        .get(app.url(&format!("/admin/users/{id}")))
        .header("cookie", crate::support::session_cookie(&cookie))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("<script>alert"), "output is escaped");
    assert!(page.contains("&#60;script&#62;") || page.contains("&lt;script&gt;"));
    let list = api
        .get(app.url("/admin/users?search=%3Cscript%3E"))
        .header("cookie", crate::support::session_cookie(&cookie))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("robert.tables"));
    assert!(!list.contains("<script>alert"));
    // SQL in a search is just text; LIKE wildcards match themselves.
    for search in ["' OR 1=1 --", "%", "_", "\\"] {
        let r: serde_json::Value = api
            .get(app.url("/api/suppliers"))
            .query(&[("search", search)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r["total"], 0, "search {search:?} matched something");
    }
    // Overlong and control-character input is a validation error listing every field.
    let r = api
        .post(app.url("/api/users"))
        .header(AUTHORIZATION, &admin)
        .header(ACCEPT_LANGUAGE, "en")
        .json(&serde_json::json!({
            "username": "x".repeat(5000),
            "display_name": "bell\u{7}",
            "roles": ["observer", "emperor"],
            "password": "Una-clave-bastante-larga"
        }))
        .send()
        .await
        .unwrap();
    let (status, body) = json_error(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "validation.failed");
    let fields: Vec<(String, String)> = body["error"]["details"]["fields"]
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
    assert_eq!(
        fields,
        vec![
            ("username".into(), "too_long".into()),
            ("display_name".into(), "invalid_characters".into()),
            ("roles".into(), "unknown_option".into()),
        ]
    );
    assert_eq!(
        body["error"]["details"]["fields"][0]["message"],
        "The text is too long."
    );
}
both!(hostile_strings_are_harmless, hostile_strings);
