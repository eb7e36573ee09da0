//! Signing in and out, sessions, CSRF, API tokens, rate limits, language choice.

use crate::support::{Backend, TestApp, csrf_from, error_code, login};
use crate::{both, both_backends};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, AUTHORIZATION, LOCATION, SET_COOKIE};
use tianguis::service::demo::DEMO_PASSWORD;

async fn sign_in_and_out(app: TestApp) {
    let client = app.client();
    let response = login(&client, &app, "compras", DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/account");
    let cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("tianguis_session="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");

    let account = client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(account.status(), StatusCode::OK);
    let html = account.text().await.unwrap();
    assert!(html.contains("compras"), "account page shows the user");
    assert!(
        html.contains("Bienvenido(a), Marta Xicará (Compras)."),
        "flash after sign-in"
    );

    let csrf = csrf_from(&html);
    let out = client
        .post(app.url("/logout"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert_eq!(after.headers()[LOCATION], "/login?next=%2Faccount");
}
both!(sign_in_and_out_works, sign_in_and_out);

async fn wrong_credentials_do_not_reveal_which(app: TestApp) {
    let client = app.client();
    let wrong_password = login(&client, &app, "compras", "not-the-password").await;
    assert_eq!(wrong_password.status(), StatusCode::UNAUTHORIZED);
    assert!(
        !wrong_password
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("tianguis_session="))
    );
    let a = wrong_password.text().await.unwrap();
    let unknown_user = login(&client, &app, "nadie", "not-the-password").await;
    assert_eq!(unknown_user.status(), StatusCode::UNAUTHORIZED);
    let b = unknown_user.text().await.unwrap();
    let message = "Usuario o contraseña incorrectos.";
    assert!(a.contains(message) && b.contains(message));
    // Usernames are case-insensitive.
    let upper = login(&app.client(), &app, "COMPRAS", DEMO_PASSWORD).await;
    assert_eq!(upper.status(), StatusCode::SEE_OTHER);
}
both!(wrong_credentials, wrong_credentials_do_not_reveal_which);

async fn rate_limits(backend: Backend) {
    let Some(app) = TestApp::start_with(backend, |c| {
        c.auth.max_failures_per_account = 3;
        c.auth.max_attempts_per_address = 8;
    })
    .await
    else {
        return;
    };
    let client = app.client();
    for _ in 0..3 {
        let r = login(&client, &app, "analista", "wrong-password-1").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // The account is now locked, even for the right password…
    let locked = login(&client, &app, "analista", DEMO_PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().contains_key("retry-after"));
    assert!(locked.text().await.unwrap().contains("Demasiados intentos"));
    // …but other accounts are not.
    let other = login(&app.client(), &app, "bodega", DEMO_PASSWORD).await;
    assert_eq!(other.status(), StatusCode::SEE_OTHER);
    // Per address: 8 attempts in all from 127.0.0.1, whatever the account.
    let mut last = StatusCode::OK;
    for i in 0..6 {
        last = login(&app.client(), &app, &format!("x{i}"), "whatever-wrong")
            .await
            .status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}
both_backends!(sign_in_is_rate_limited, rate_limits);

async fn csrf_is_required(app: TestApp) {
    let client = app.client();
    // No token at all.
    let r = client
        .post(app.url("/login"))
        .form(&[("username", "compras"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        error_code(&r.text().await.unwrap()).as_deref(),
        Some("csrf.invalid")
    );
    // A token that is not this browser's.
    let _ = client.get(app.url("/login")).send().await.unwrap();
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("_csrf", "forged-token-forged-token-forged-token-1234"),
            ("username", "compras"),
            ("password", DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Signed in, a state change without the session's token is refused and changes nothing.
    assert_eq!(
        login(&client, &app, "compras", DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let r = client
        .post(app.url("/logout"))
        .form(&[("x", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let still = client.get(app.url("/account")).send().await.unwrap();
    assert_eq!(still.status(), StatusCode::OK, "still signed in");
    // JSON with the session cookie needs the header too.
    let r = client
        .patch(app.url("/api/me"))
        .json(&serde_json::json!({"locale": "en"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
both!(state_changes_need_the_anti_forgery_token, csrf_is_required);

async fn api_tokens(app: TestApp) {
    let client = app.client();
    assert_eq!(
        login(&client, &app, "analista", DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let page = client
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_from(&page);
    let created = client
        .post(app.url("/account/tokens"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "informe mensual"),
            ("days", "30"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    let html = created.text().await.unwrap();
    let re = regex::Regex::new(r#"id="new-token">(tgs_[A-Za-z0-9_-]+)<"#).unwrap();
    let token = re.captures(&html).expect("token shown once")[1].to_string();

    // The token works for the API, without cookies.
    let api = reqwest::Client::new();
    let me = api
        .get(app.url("/api/me"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["username"], "analista");
    assert_eq!(me["roles"], serde_json::json!(["analyst"]));

    // Only its hash is stored.
    let tokens: serde_json::Value = api
        .get(app.url("/api/tokens"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = tokens[0]["id"].as_i64().unwrap();
    assert!(token.starts_with(tokens[0]["prefix"].as_str().unwrap()));
    assert!(!tokens.to_string().contains(&token));

    // Revoked, it stops working at once; revoking twice is an illegal transition.
    let revoke = api
        .delete(app.url(&format!("/api/tokens/{id}")))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), StatusCode::OK);
    let again = api
        .get(app.url("/api/me"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        error_code(&again.text().await.unwrap()).as_deref(),
        Some("auth.invalid_token")
    );
    // Someone else's token id is "not found".
    let other = app.token_for("bodega").await;
    let r = api
        .delete(app.url(&format!("/api/tokens/{id}")))
        .header(AUTHORIZATION, format!("Bearer {other}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A garbage bearer is refused, not treated as anonymous.
    let r = api
        .get(app.url("/api/suppliers"))
        .header(AUTHORIZATION, "Bearer nonsense")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
both!(personal_api_tokens, api_tokens);

async fn deactivation_ends_sessions(app: TestApp) {
    let victim = app.client();
    assert_eq!(
        login(&victim, &app, "observador", DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let admin = app.token_for("admin").await;
    let id = app.user_id("observador").await;
    let r = reqwest::Client::new()
        .post(app.url(&format!("/api/users/{id}/deactivate")))
        .header(AUTHORIZATION, format!("Bearer {admin}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = victim.get(app.url("/account")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "session ended");
    let again = login(&app.client(), &app, "observador", DEMO_PASSWORD).await;
    assert_eq!(again.status(), StatusCode::FORBIDDEN);
    assert!(again.text().await.unwrap().contains("desactivada"));
}
both!(
    deactivated_accounts_are_signed_out,
    deactivation_ends_sessions
);

async fn language_choice(app: TestApp) {
    // Accept-Language is honoured for visitors.
    let english = app
        .client()
        .get(app.url("/"))
        .header(ACCEPT_LANGUAGE, "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(english.headers()["content-language"], "en");
    assert!(english.text().await.unwrap().contains("<html lang=\"en\">"));

    // The switcher wins over the header, for visitors via a cookie…
    let client = app.client();
    let home = client
        .get(app.url("/suppliers"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Registro de proveedores"));
    let csrf = csrf_from(&home);
    let r = client
        .post(app.url("/lang"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("lang", "en"),
            ("next", "/suppliers"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/suppliers");
    let page = client
        .get(app.url("/suppliers"))
        .header(ACCEPT_LANGUAGE, "es")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Supplier registry"));

    // …and for users in their account, remembered in a later session on another browser.
    let signed = app.client();
    assert_eq!(
        login(&signed, &app, "bodega", DEMO_PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let page = signed
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_from(&page);
    signed
        .post(app.url("/lang"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("lang", "en"),
            ("next", "https://evil.example/"),
        ])
        .send()
        .await
        .map(|r| assert_eq!(r.headers()[LOCATION], "/", "no open redirect"))
        .unwrap();
    let later = app.client();
    assert_eq!(
        login(&later, &app, "bodega", DEMO_PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let page = later
        .get(app.url("/account"))
        .header(ACCEPT_LANGUAGE, "es")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("My account"), "the account's language wins");
}
both!(language_is_chosen_and_remembered, language_choice);

async fn password_change(app: TestApp) {
    let client = app.client();
    assert_eq!(
        login(&client, &app, "evaluador1", DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let other_browser = app.client();
    assert_eq!(
        login(&other_browser, &app, "evaluador1", DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let page = client
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_from(&page);
    let weak = client
        .post(app.url("/account/password"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("current_password", DEMO_PASSWORD),
            ("password", "corta"),
            ("confirmation", "corta"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text().await.unwrap().contains("demasiado débil"));
    let ok = client
        .post(app.url("/account/password"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("current_password", DEMO_PASSWORD),
            ("password", "Nueva-clave-segura-1"),
            ("confirmation", "Nueva-clave-segura-1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        client
            .get(app.url("/account"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        other_browser
            .get(app.url("/account"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::SEE_OTHER,
        "other sessions end"
    );
    assert_eq!(
        login(&app.client(), &app, "evaluador1", DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login(&app.client(), &app, "evaluador1", "Nueva-clave-segura-1")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}
both!(changing_the_password, password_change);
