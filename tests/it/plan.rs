//! Plan → tender (issue 13): a tender started from plan lines keeps each line's estimated unit
//! price; the plan form offers only the methods whose value band fits (each option carries the
//! rulebook's band) and, when the value does not fit, shows the error at the method field with
//! its translated label, keeps what the buyer entered and creates nothing.

use crate::both;
use crate::esourcing::{As, item};
use crate::support::{TestApp, session_cookie};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::json;

async fn post_plan_form(
    app: &TestApp,
    cookie: &str,
    fields: &[(&str, String)],
) -> (StatusCode, String) {
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/plan/tender"))
        .header(reqwest::header::COOKIE, cookie)
        .header(reqwest::header::ACCEPT_LANGUAGE, "es")
        .form(fields)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn plan_to_tender(app: TestApp) {
    let buyer = As::user(&app, "compras").await;
    let year: i64 = app
        .state
        .now()
        .to_datetime()
        .format("%Y")
        .to_string()
        .parse()
        .unwrap();
    // Two lines: Q 40,000 and Q 30,000 planned (Q 70,000: a compra directa's band).
    let mut ids = Vec::new();
    for (code, quantity, price) in [("MED-0005", "100000", "0.40"), ("MQ-0005", "40000", "0.75")] {
        let (s, line) = buyer
            .post(
                "/api/plan",
                json!({"year": year, "quarter": 1, "catalogue_item_id": item(&app, code).await,
                       "quantity": quantity, "unit_price": price,
                       "funding_source": "Programa de Enfermedad Común"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{line}");
        ids.push(line["id"].as_i64().unwrap());
    }
    let (token, csrf) = app.session_for("compras").await;
    let cookie = session_cookie(&token);

    // The form's options carry their bands; methods needing an exception are not offered.
    let page =
        crate::support::page_text(app.url(&format!("/plan?year={year}")), Some(&cookie)).await;
    assert!(
        page.contains(r#"<option value="compra_directa" data-min="25000.00" data-max="90000.00" data-min-open"#),
        "{page}"
    );
    assert!(!page.contains(r#"<option value="caso_excepcion""#));

    // A method the value cannot use: refused at the field, with its label, nothing created.
    let before = {
        let mut conn = app.state.db.read().await.unwrap();
        tianguis::repository::tenders::count(&mut conn, false)
            .await
            .unwrap()
    };
    let mut fields = vec![
        ("_csrf", csrf.clone()),
        ("year", year.to_string()),
        (
            "title",
            "Amoxicilina y guantes del primer trimestre".to_string(),
        ),
        ("method", "licitacion".to_string()),
    ];
    for id in &ids {
        fields.push(("lines", id.to_string()));
    }
    let (s, html) = post_plan_form(&app, &cookie, &fields).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains(r##"<a href="#plan-method">Método de compra: "##),
        "{html}"
    );
    assert!(html.contains(r#"id="plan-method-error""#));
    assert!(html.contains(r#"aria-invalid="true""#));
    assert!(!html.contains("field-Art"), "no raw keys");
    assert!(html.contains(r#"value="Amoxicilina y guantes del primer trimestre""#));
    assert!(html.contains(&format!(r#"value="{}" id="line-{}""#, ids[0], ids[0])));
    assert!(html.contains(" checked>"), "the ticked lines stay ticked");
    let after = {
        let mut conn = app.state.db.read().await.unwrap();
        tianguis::repository::tenders::count(&mut conn, false)
            .await
            .unwrap()
    };
    assert_eq!(before, after, "nothing was created");

    // The fitting method: a draft whose items keep the planned unit prices.
    fields[3].1 = "compra_directa".to_string();
    let (s, _) = post_plan_form(&app, &cookie, &fields).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let id = {
        let mut conn = app.state.db.read().await.unwrap();
        tianguis::repository::tenders::newest_ids(&mut conn, 1)
            .await
            .unwrap()[0]
    };
    let (s, detail) = buyer.get(&format!("/api/tenders/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(detail["tender"]["estimated_value"], "70000.00", "{detail}");
    let prices: Vec<Decimal> = detail["lots"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["item"]["unit_price"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(prices, [Decimal::new(40, 2), Decimal::new(75, 2)]);
    // And the draft's form shows them, not the lot's estimate spread.
    let edit =
        crate::support::page_text(app.url(&format!("/tenders/{id}/edit")), Some(&cookie)).await;
    for price in detail["lots"][0]["items"].as_array().unwrap() {
        let shown = format!(
            r#"value="{}""#,
            price["item"]["unit_price"].as_str().unwrap()
        );
        assert!(edit.contains(&shown), "{shown} in {edit}");
    }
}

both!(plan_to_tender_test, plan_to_tender);
