//! The role × route matrix: every route of the route table, called by an anonymous visitor and
//! by a user of each role, is refused exactly to those its declared access excludes.
//!
//! "Refused" means the platform's own refusal — `auth.required` (401, or a redirect to the
//! sign-in page for a browser GET) or `auth.forbidden` (403) — not a validation error of the
//! deliberately empty body. Pages are called with a session cookie and its anti-forgery token,
//! JSON routes with a personal API token, so the check is the access rule and nothing else.

use crate::both;
use crate::support::{TestApp, error_code};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, LOCATION};
use tianguis::api::routes;
use tianguis::domain::role::Role;
use tianguis::service::demo::DEMO_USERS;

fn username_for(role: Role) -> &'static str {
    DEMO_USERS
        .iter()
        .find(|u| u.2 == [role])
        .map(|u| u.0)
        .expect("a demo user holds each role alone")
}

fn is_refusal(status: StatusCode, location: Option<&str>, body: &str) -> bool {
    if status == StatusCode::SEE_OTHER && location.is_some_and(|l| l.starts_with("/login?next=")) {
        return true;
    }
    matches!(
        (status, error_code(body).as_deref()),
        (StatusCode::UNAUTHORIZED, Some("auth.required"))
            | (StatusCode::FORBIDDEN, Some("auth.forbidden"))
    )
}

async fn matrix(app: TestApp) {
    // A target account and token for routes with an id, so side effects never touch the callers.
    let target_user = app.user_id("compras2").await;
    let target_token = {
        let token = app.token_for("compras2").await;
        let api = reqwest::Client::new();
        let list: serde_json::Value = api
            .get(app.url("/api/tokens"))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list[0]["id"].as_i64().unwrap()
    };
    // Product card routes act on another firm's card (`proveedor2`'s), so the supplier who
    // calls them (`proveedor1`) is refused by the card's owner rule, never by the route, and
    // changes nothing.
    let target_card = {
        let api = reqwest::Client::new();
        let token = app.token_for("proveedor2").await;
        let list: serde_json::Value = api
            .get(app.url("/api/me/product-cards"))
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list[0]["id"].as_i64().expect("a demo product card")
    };
    let mut identities: Vec<Option<Role>> = vec![None];
    identities.extend(Role::ALL.into_iter().map(Some));
    let mut failures = Vec::new();
    let mut checked = 0;
    for route in routes() {
        let path = route
            .path
            .replace("{file}", "tianguis.css")
            .replace("{code}", "HGE")
            .replace(
                "{id}",
                &if route.path.contains("tokens") {
                    target_token.to_string()
                } else if route.path.contains("/catalogue/items/") {
                    "1".to_string()
                } else if route.path.contains("/products") || route.path.contains("/product-cards")
                {
                    target_card.to_string()
                } else if route.path.contains("suppliers") {
                    "1".to_string()
                } else {
                    target_user.to_string()
                },
            );
        let is_api = path.starts_with("/api/") && path != "/api/docs";
        for identity in &identities {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let mut request = client.request(route.method.clone(), app.url(&path));
            if let Some(role) = identity {
                let username = username_for(*role);
                if is_api {
                    let token = app.token_for(username).await;
                    request = request.header(AUTHORIZATION, format!("Bearer {token}"));
                } else {
                    let (cookie, csrf) = app.session_for(username).await;
                    request = request
                        .header("cookie", crate::support::session_cookie(&cookie))
                        .header("x-csrf-token", csrf);
                }
            }
            if route.method != reqwest::Method::GET {
                request = if is_api {
                    request.json(&serde_json::json!({}))
                } else {
                    request.form(&[("unused", "")])
                };
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            let location = response
                .headers()
                .get(LOCATION)
                .map(|v| v.to_str().unwrap_or_default().to_string());
            let body = response.text().await.unwrap_or_default();
            let refused = is_refusal(status, location.as_deref(), &body);
            let held = identity.map(|r| [r].into_iter().collect());
            let expected_refused = !route.access.allows(held.as_ref());
            checked += 1;
            if refused != expected_refused {
                failures.push(format!(
                    "{} {} as {:?}: status {status}, refused={refused}, expected refused={expected_refused}",
                    route.method, route.path, identity
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "role × route matrix mismatches:\n{}",
        failures.join("\n")
    );
    assert!(checked >= routes().len() * 8);
}
both!(role_route_matrix, matrix);
