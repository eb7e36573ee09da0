//! Forms as people use them (issue 13): a refused submission comes back with every problem in
//! words at its field (translated label, never a key), what was typed kept; a decimal comma is
//! refused, not misread; a successful submission redirects, so a reload repeats nothing.

use crate::both;
use crate::esourcing::{As, register_opening_keys, tender_form};
use crate::support::{TestApp, session_cookie};
use reqwest::StatusCode;
use serde_json::json;

/// Text a person reads must never show a message key.
fn assert_no_keys(html: &str) {
    for key in [">field-", ": field-", "verr-", "rule-", "field-Art"] {
        assert!(
            !html.contains(key),
            "a raw key ({key}) on the page:\n{html}"
        );
    }
}

async fn bid_form_errors(app: TestApp) {
    register_opening_keys(&app).await;
    let buyer = As::user(&app, "compras").await;
    let id = buyer
        .create_published(tender_form(&app, app.state.now()).await)
        .await;
    let (lot, item) = buyer.first_lot_and_item(id).await;

    let (token, csrf) = app.session_for("proveedor1").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let send = |price: &'static str, declarations: &'static [&'static str]| {
        let mut form = reqwest::multipart::Form::new()
            .text("lot_id", lot.to_string())
            .text(format!("price_{item}"), price)
            .text("notes", "Entrega en 15 días");
        for d in declarations {
            form = form.text("declarations", *d);
        }
        client
            .post(app.url(&format!("/tenders/{id}/bid?_csrf={csrf}")))
            .header(reqwest::header::COOKIE, session_cookie(&token))
            .multipart(form)
    };

    // "12,50" with a declaration missing: refused, in words, at the fields, nothing kept lost.
    let r = send("12,50", &["not_barred", "accepts_terms", "integrity"])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert_no_keys(&html);
    assert!(
        html.contains("Use el punto para los decimales"),
        "the decimal comma is explained:\n{html}"
    );
    assert!(
        html.contains(&format!(r##"<a href="#price_{item}">Precio unitario: "##)),
        "the summary links to the field with its label:\n{html}"
    );
    assert!(
        html.contains(&format!(r#"id="price_{item}" name="price_{item}" inputmode="decimal" required size="12" value="12,50" aria-invalid="true""#)),
        "the field is marked and keeps what was typed:\n{html}"
    );
    assert!(
        html.contains(
            r##"<a href="#declaration_tax_compliant">Declaraciones juradas: Estoy al día"##
        ),
        "the missing declaration is named:\n{html}"
    );
    for kept in ["not_barred", "accepts_terms", "integrity"] {
        assert!(
            html.contains(&format!(
                r#"id="declaration_{kept}" name="declarations" value="{kept}" checked"#
            )),
            "ticked declaration {kept} stays ticked"
        );
    }
    let public = app.get_json(&format!("/api/tenders/{id}")).await;
    assert_eq!(public["bid_count"], 0, "a refused bid stores nothing");

    // "Check totals" before sealing: the line and bid totals, computed by the sealing rule and
    // written in the page's money format; nothing is stored, so the same request can be sent
    // again (a reload) without effect.
    let detail = app.get_json(&format!("/api/tenders/{id}")).await;
    let quantity: rust_decimal::Decimal = detail["lots"][0]["items"][0]["item"]["quantity"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let lines = detail["lots"][0]["items"].as_array().unwrap().len();
    assert_eq!(lines, 1, "the test tender's first lot has one item");
    let expected = tianguis::format::money(
        (quantity * rust_decimal::Decimal::new(125050, 2)).round_dp(2),
        "GTQ",
        tianguis::domain::lang::Lang::Es,
    );
    for _ in 0..2 {
        let r = client
            .post(app.url(&format!("/tenders/{id}/bid?_csrf={csrf}")))
            .header(reqwest::header::COOKIE, session_cookie(&token))
            .multipart(
                reqwest::multipart::Form::new()
                    .text("lot_id", lot.to_string())
                    .text(format!("price_{item}"), "1,250.50")
                    .text("declarations", "not_barred")
                    .text("declarations", "accepts_terms")
                    .text("declarations", "integrity")
                    .text("declarations", "tax_compliant")
                    .text("intent", "review"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert_no_keys(&html);
        assert!(html.contains(r#"data-testid="bid-check""#), "{html}");
        assert!(
            html.contains(&format!(
                r#"data-testid="bid-total"><strong>{expected}</strong>"#
            )),
            "the bid total {expected} before sealing:\n{html}"
        );
        assert!(
            html.contains(&format!(r#"data-testid="line-total">{expected}<"#)),
            "the line total"
        );
        assert!(html.contains(r#"value="1,250.50""#), "what was typed stays");
    }
    let public = app.get_json(&format!("/api/tenders/{id}")).await;
    assert_eq!(public["bid_count"], 0, "checking totals seals nothing");

    // A correct bid redirects to its receipt: reloading the receipt seals nothing more.
    let r = send(
        "1,250.50",
        &["not_barred", "accepts_terms", "integrity", "tax_compliant"],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let receipt = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        receipt.starts_with("/bids/") && receipt.ends_with("/receipt"),
        "{receipt}"
    );
    for _ in 0..2 {
        let r = client
            .get(app.url(&receipt))
            .header(reqwest::header::COOKIE, session_cookie(&token))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let html = r.text().await.unwrap();
        assert!(html.contains(r#"data-testid="receipt-hash""#));
        assert_no_keys(&html);
    }
    let public = app.get_json(&format!("/api/tenders/{id}")).await;
    assert_eq!(
        public["bid_count"], 1,
        "one bid, however often the receipt is read"
    );
    let (_, mine) = As::user(&app, "proveedor1").await.get("/api/me/bids").await;
    assert_eq!(
        mine.as_array().map(Vec::len),
        Some(1),
        "\"1,250.50\" was read as a price and sealed once: {mine}"
    );
}
both!(bid_form_errors_are_words_at_their_fields, bid_form_errors);

async fn rule_errors(app: TestApp) {
    let (token, csrf) = app.session_for("compras").await;
    let item = crate::esourcing::item(&app, "MED-0005").await;
    let fields = [
        ("_csrf", csrf.as_str()),
        (
            "title",
            "Adquisición de amoxicilina para el segundo semestre",
        ),
        ("description", "Compra para hospitales de la red."),
        ("method", "baja_cuantia"),
        ("justification", ""),
        ("item_lot", "1"),
        ("item_catalogue", &item.to_string()),
        ("item_quantity", "100000"),
        ("item_price", "1.00"),
        ("lot_titles", "Amoxicilina 500 mg"),
        ("threshold", "2"),
    ];
    let r = reqwest::Client::new()
        .post(app.url("/tenders"))
        .header(reqwest::header::COOKIE, session_cookie(&token))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert_no_keys(&html);
    assert!(
        html.contains("Q 100,000.00"),
        "the value is money, not 100000.00:\n{html}"
    );
    assert!(
        !html.contains("cotizacion, ") && !html.contains(", subasta_electronica_inversa"),
        "methods by name, not code:\n{html}"
    );
    assert!(html.contains("Cotización"), "{html}");
    assert!(
        html.contains(r##"<a href="#method">"##),
        "a value that does not fit is marked at the method:\n{html}"
    );
}
both!(rule_errors_read_as_words, rule_errors);

async fn proposal_review(app: TestApp) {
    let buyer = As::user(&app, "compras").await;
    let (_, found) = buyer.get("/api/catalogue?search=MED-0005").await;
    let current = &found["items"][0];
    let text = |k: &str| current[k].as_str().unwrap_or_default().to_string();
    let (s, p) = buyer
        .post(
            "/api/catalogue/proposals",
            json!({
                "item": {"code": "MED-0005", "kind": text("kind"), "name": text("name"),
                         "strength": "250 mg", "form": text("form"),
                         "presentation": text("presentation"), "unit": text("unit"),
                         "atc_code": text("atc_code"),
                         "level_of_care": current["level_of_care"].to_string()},
                "justification": "Presentación pediátrica según la nueva guía clínica."
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["kind"], "modify");
    let pid = p["id"].as_i64().unwrap();

    // The reviewers hear of it; the proposer does not notify themself.
    let mut conn = app.state.db.read().await.unwrap();
    let admin_notes =
        tianguis::repository::notifications::page(&mut conn, app.user_id("admin").await, 0, 20)
            .await
            .unwrap()
            .items;
    assert!(
        admin_notes
            .iter()
            .any(|n| n.kind == "catalogue-proposal"
                && n.link == format!("/catalogue/proposals/{pid}")),
        "the administrator is told a proposal waits"
    );
    drop(conn);

    // The review shows the entry as it is and as proposed, the change marked, dates in words.
    let (token, _) = app.session_for("admin").await;
    let html = crate::support::page_text(
        app.url(&format!("/catalogue/proposals/{pid}")),
        Some(&session_cookie(&token)),
    )
    .await;
    assert_no_keys(&html);
    assert!(html.contains("class=\"row-before\""), "{html}");
    assert!(
        html.contains("<td class=\"changed\">250 mg</td>"),
        "the changed strength is marked:\n{html}"
    );
    assert!(
        !regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:")
            .unwrap()
            .is_match(&html),
        "no raw UTC timestamps:\n{html}"
    );
}
both!(a_proposal_review_shows_what_changes, proposal_review);
