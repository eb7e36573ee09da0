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

/// The ids of a page's elements.
fn ids(html: &str) -> std::collections::BTreeSet<String> {
    regex::Regex::new(r#"\sid="([^"]+)""#)
        .unwrap()
        .captures_iter(html)
        .map(|c| c[1].to_string())
        .collect()
}

/// The error summary's links, as (target id, text).
fn summary_links(html: &str) -> Vec<(String, String)> {
    let start = html
        .find(r#"id="form-errors""#)
        .unwrap_or_else(|| panic!("no error summary:\n{html}"));
    let summary = &html[start..start + html[start..].find("</div>").unwrap()];
    regex::Regex::new(r##"<a href="#([^"]+)">([^<]*)</a>"##)
        .unwrap()
        .captures_iter(summary)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

/// Every link of the error summary lands on an element of the page, which shows the same
/// message itself (its `{id}-error`, which the control is described by), and the link reads
/// "label: message". Returns the links.
fn assert_links_land(html: &str) -> Vec<(String, String)> {
    assert_no_keys(html);
    let ids = ids(html);
    let links = summary_links(html);
    assert!(!links.is_empty(), "the summary links its problems:\n{html}");
    for (target, text) in &links {
        assert!(
            ids.contains(target),
            "the summary links to #{target}, which is not on the page:\n{html}"
        );
        let message =
            regex::Regex::new(&format!(r#"id="{}-error">([^<]*)<"#, regex::escape(target)))
                .unwrap()
                .captures(html)
                .unwrap_or_else(|| panic!("#{target} does not show its own message:\n{html}"))[1]
                .to_string();
        assert!(
            text.ends_with(&format!(": {message}")) && text.len() > message.len() + 2,
            "the link reads \"label: message\" ({text} / {message})"
        );
        assert!(
            html.contains(&format!(r#"aria-describedby="{target}-error""#))
                || html.contains(&format!(r#" {target}-error""#)),
            "#{target} is described by its message:\n{html}"
        );
    }
    links
}

/// The summary's text for a field: its label, a colon.
fn link_to<'l>(links: &'l [(String, String)], target: &str) -> &'l str {
    links
        .iter()
        .find(|(t, _)| t == target)
        .map(|(_, text)| text.as_str())
        .unwrap_or_else(|| panic!("no link to #{target} in {links:?}"))
}

fn i18n() -> tianguis::i18n::I18n {
    tianguis::i18n::I18n::load().unwrap()
}

const LANGS: [(tianguis::domain::lang::Lang, &str); 2] = [
    (tianguis::domain::lang::Lang::Es, "es"),
    (tianguis::domain::lang::Lang::En, "en-US,en;q=0.9"),
];

/// A browser-like client in one language.
fn browser(accept_language: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT_LANGUAGE,
        accept_language.parse().unwrap(),
    );
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap()
}

/// A refused registration links each problem to its control, table cells included
/// (`contacts[1].email` → `#contacts_1__email`, the second row even when the first was left
/// empty), and says it again at the control, in Spanish and in English.
async fn register_errors(app: TestApp) {
    let t = i18n();
    for (lang, accept) in LANGS {
        let web = browser(accept);
        let page = web
            .get(app.url("/register"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = crate::support::csrf_from(&page);
        let fields: Vec<(&str, &str)> = vec![
            ("_csrf", &csrf),
            ("legal_name", "Farmacia Los Altos, S.A."),
            ("nit", "1234"),
            ("email", "ventas@losaltos.com.gt"),
            ("phone", "+502 7761-0000"),
            ("address", "4a calle 12-30 zona 1"),
            ("department", "Quetzaltenango"),
            ("contact_name", ""),
            ("contact_position", ""),
            ("contact_email", ""),
            ("contact_phone", ""),
            ("contact_name", "Lucía Pérez"),
            ("contact_position", "Ventas"),
            ("contact_email", "no-es-un-correo"),
            ("contact_phone", ""),
            ("owner_name", "Lucía Pérez"),
            ("owner_nationality", "guatemalteca"),
            ("owner_document_id", ""),
            ("owner_share_percent", "cien"),
            ("owner_pep", "no"),
            ("username", "losaltos"),
            ("display_name", "Lucía Pérez"),
            ("password", "corta"),
            ("confirmation", "corta"),
        ];
        let r = web
            .post(app.url("/register"))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!(r#"<html lang="{}">"#, lang.code())));
        let links = assert_links_land(&html);
        for target in [
            "nit",
            "categories",
            "contacts_1__email",
            "owners_0__share_percent",
            "password",
        ] {
            link_to(&links, target);
        }
        assert_eq!(links.len(), 5, "{links:?}");
        let label = |key: &str| t.t(lang, key);
        assert!(
            link_to(&links, "contacts_1__email").starts_with(&format!(
                "{} 2 — {}: ",
                label("register-contact"),
                label("field-email")
            )),
            "{links:?}"
        );
        assert!(
            link_to(&links, "owners_0__share_percent").starts_with(&format!(
                "{} 1 — {}: ",
                label("register-owner"),
                label("field-share-percent")
            )),
            "{links:?}"
        );
        assert!(link_to(&links, "nit").starts_with("NIT: "), "{links:?}");
        assert!(
            link_to(&links, "categories").starts_with(&format!("{}: ", label("field-categories"))),
            "{links:?}"
        );
        // The cell keeps what was typed and is marked; the empty first row is untouched.
        assert!(
            html.contains(r#"id="contacts_1__email" name="contact_email" type="email" maxlength="200" value="no-es-un-correo" aria-invalid="true""#),
            "{html}"
        );
        assert!(!html.contains(r#"id="contacts_0__email-error""#));
        assert!(html.contains(r#"value="Farmacia Los Altos, S.A.""#));
        assert!(
            !html.contains(r#"value="corta""#),
            "passwords are never sent back"
        );
    }
}
both!(register_errors_link_to_their_fields, register_errors);

/// The administrator's user form: every problem linked to its control, with its label, in
/// both languages; a refused password reset on the edit page links to the reset field.
async fn user_form_errors(app: TestApp) {
    let t = i18n();
    let (token, csrf) = app.session_for("admin").await;
    for (lang, accept) in LANGS {
        let web = browser(accept);
        let r = web
            .post(app.url("/admin/users"))
            .header(reqwest::header::COOKIE, session_cookie(&token))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("username", "x"),
                ("display_name", "Ana Gómez"),
                ("email", "no-es-un-correo"),
                ("password", "corta"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!(r#"<html lang="{}">"#, lang.code())));
        let links = assert_links_land(&html);
        assert!(links.len() >= 2, "{links:?}");
        for (target, text) in &links {
            let key = format!("field-{}", target.replace('_', "-"));
            assert!(
                text.starts_with(&format!("{}: ", t.t(lang, &key))),
                "{target} reads {text}"
            );
        }
        assert!(html.contains(r#"value="Ana Gómez""#));
    }
    let user = app.user_id("bodega").await;
    let r = reqwest::Client::new()
        .post(app.url(&format!("/admin/users/{user}/password")))
        .header(reqwest::header::COOKIE, session_cookie(&token))
        .form(&[("_csrf", csrf.as_str()), ("password", "corta")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let links = assert_links_land(&r.text().await.unwrap());
    link_to(&links, "password");
}
both!(user_form_errors_link_to_their_fields, user_form_errors);

/// The tender editor: a refused draft links each problem to its control, an item row's cell
/// by the row the buyer typed in (the first row left empty, `items[1].quantity` → `#qty-2`,
/// "Artículo 2 — Cantidad"), in both languages.
async fn tender_editor_errors(app: TestApp) {
    let t = i18n();
    let (token, csrf) = app.session_for("compras").await;
    let item = crate::esourcing::item(&app, "MED-0005").await.to_string();
    let member = app.user_id("evaluador1").await.to_string();
    for (lang, accept) in LANGS {
        let fields = [
            ("_csrf", csrf.as_str()),
            ("title", "Gasa"),
            ("description", "Compra para hospitales de la red."),
            ("method", "cotizacion"),
            ("bid_deadline", "pronto"),
            ("item_lot", "1"),
            ("item_catalogue", ""),
            ("item_quantity", ""),
            ("item_price", ""),
            ("item_plan", ""),
            ("item_lot", "1"),
            ("item_catalogue", &item),
            ("item_quantity", "12,5"),
            ("item_price", "1.00"),
            ("item_plan", ""),
            ("committee", &member),
            ("threshold", "5"),
        ];
        let r = browser(accept)
            .post(app.url("/tenders"))
            .header(reqwest::header::COOKIE, session_cookie(&token))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!(r#"<html lang="{}">"#, lang.code())));
        let links = assert_links_land(&html);
        for target in ["title", "bid_deadline", "qty-2", "threshold"] {
            link_to(&links, target);
        }
        assert!(
            link_to(&links, "qty-2").starts_with(&format!(
                "{} 2 — {}: ",
                t.t(lang, "field-item"),
                t.t(lang, "field-quantity")
            )),
            "{links:?}"
        );
        assert!(
            link_to(&links, "title").starts_with(&format!("{}: ", t.t(lang, "field-title"))),
            "{links:?}"
        );
        assert!(
            html.contains(r#"id="qty-2" name="item_quantity" inputmode="decimal" size="10" value="12,5" aria-invalid="true""#),
            "the cell keeps what was typed:\n{html}"
        );
    }
}
both!(
    tender_editor_errors_link_to_their_fields,
    tender_editor_errors
);

/// The evaluation grid: a refused cell is linked by its grid name (`reason_{bid}_{req}`,
/// `score_{bid}_{criterion}`) and named by its requirement or criterion and bidder; a grid
/// submitted with a requirement unchecked links to that requirement's choice.
async fn evaluation_errors(app: TestApp) {
    use crate::esourcing::PASSPHRASES;
    register_opening_keys(&app).await;
    let buyer = As::user(&app, "compras").await;
    let id = buyer
        .create_published(tender_form(&app, app.state.now()).await)
        .await;
    let (lot, item) = buyer.first_lot_and_item(id).await;
    let (s, body) = As::user(&app, "proveedor1")
        .await
        .post(
            &format!("/api/tenders/{id}/bids"),
            crate::esourcing::bid(lot, item, "0.90"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    app.state.advance_clock(22 * 86_400);
    let e1 = As::user(&app, "evaluador1").await;
    let (id1, id2) = (
        app.user_id("evaluador1").await,
        app.user_id("evaluador2").await,
    );
    let (s, body) = e1
        .post(
            &format!("/api/tenders/{id}/opening"),
            json!({"passphrases": [{"user_id": id1, "passphrase": PASSPHRASES[0].1},
                                   {"user_id": id2, "passphrase": PASSPHRASES[1].1}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, _) = e1
        .post(
            &format!("/api/tenders/{id}/conflicts"),
            json!({"has_conflict": false}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, detail) = buyer.get(&format!("/api/tenders/{id}")).await;
    let bid = detail["opened_bids"][0]["bid_id"].as_i64().unwrap();
    let supplier = detail["opened_bids"][0]["supplier"]
        .as_str()
        .unwrap()
        .to_string();
    let requirements: Vec<(i64, String)> = detail["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_i64().unwrap(),
                r["code"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(requirements.len() >= 2, "{detail}");
    let quality = detail["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["is_price"] == false)
        .map(|c| c["id"].as_i64().unwrap());
    let (token, csrf) = app.session_for("evaluador1").await;
    let t = i18n();
    for (lang, accept) in LANGS {
        // The first requirement failed without a reason, a score out of range.
        let (r0, code0) = &requirements[0];
        let mut fields = vec![
            ("_csrf".to_string(), csrf.clone()),
            (format!("verdict_{bid}_{r0}"), "fail".into()),
            (format!("reason_{bid}_{r0}"), "".into()),
        ];
        for (r, _) in &requirements[1..] {
            fields.push((format!("verdict_{bid}_{r}"), "pass".into()));
            fields.push((format!("reason_{bid}_{r}"), "".into()));
        }
        if let Some(c) = quality {
            fields.push((format!("score_{bid}_{c}"), "150".into()));
        }
        let post = |fields: Vec<(String, String)>| {
            browser(accept)
                .post(app.url(&format!("/tenders/{id}/evaluation")))
                .header(reqwest::header::COOKIE, session_cookie(&token))
                .form(&fields)
                .send()
        };
        let r = post(fields.clone()).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!(r#"<html lang="{}">"#, lang.code())));
        let links = assert_links_land(&html);
        let reason = link_to(&links, &format!("reason_{bid}_{r0}"));
        assert!(
            reason.starts_with(&format!(
                "{}: {code0} — {supplier}, ",
                t.t(lang, "field-reason")
            )),
            "{reason}"
        );
        if let Some(c) = quality {
            link_to(&links, &format!("score_{bid}_{c}"));
            assert!(html.contains(r#"value="150""#), "the score typed is kept");
        }

        // Submitted with the second requirement unchecked: linked to its choice.
        let (r1, _) = &requirements[1];
        let mut fields: Vec<(String, String)> = fields
            .into_iter()
            .filter(|(k, _)| *k != format!("verdict_{bid}_{r1}"))
            .map(|(k, v)| match k.as_str() {
                k if k == format!("verdict_{bid}_{r0}") => (k.to_string(), "pass".to_string()),
                k if k.starts_with("score_") => (k.to_string(), "80".to_string()),
                _ => (k, v),
            })
            .collect();
        fields.push(("submit".into(), "1".into()));
        let r = post(fields).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        let links = assert_links_land(&html);
        let verdicts = link_to(&links, &format!("verdict_{bid}_{r1}"));
        assert!(
            verdicts.starts_with(&format!("{}: ", t.t(lang, "field-verdicts"))),
            "{verdicts}"
        );
    }
}
both!(evaluation_errors_link_to_their_cells, evaluation_errors);

/// The living example of the components, `/design`, shows its example error the same way.
async fn design_page(app: TestApp) {
    for (_, accept) in LANGS {
        let html = browser(accept)
            .get(app.url("/design"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let links = assert_links_land(&html);
        link_to(&links, "estimated_value");
        assert!(html.contains(r#"value="12,50""#), "what was typed is kept");
    }
}
both!(the_design_page_links_its_example_error, design_page);
