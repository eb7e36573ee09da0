//! Issue 13, the platform's face: the home page (search, closing soon with countdowns, live and
//! upcoming auctions, key figures), each role's desk after signing in, the tender page's
//! countdown, the public audit log in words with links, red flags with titles, buyers and
//! values, the same counts on every page with what they count in words, and English pages
//! without Spanish code-list words.

use crate::both;
use crate::esourcing::{As, register_opening_keys, tender_form};
use crate::support::{TestApp, csrf_from, page_text, session_cookie};
use regex::Regex;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, COOKIE, LOCATION};
use serde_json::{Value, json};
use tianguis::domain::audit::AuditAction;
use tianguis::domain::lang::Lang;
use tianguis::domain::role::{Role, landing};
use tianguis::domain::time::Timestamp;
use tianguis::i18n::I18n;
use tianguis::service::demo::{DEMO_PASSWORD, DEMO_USERS};
use tianguis::service::demo_year;

const DAY: i64 = 86_400;

/// A page in English (the language negotiated from the browser's header).
async fn english(app: &TestApp, path: &str) -> String {
    reqwest::Client::new()
        .get(app.url(path))
        .header(ACCEPT_LANGUAGE, "en-US,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The text of the first element carrying `data-testid="{id}"` (tags inside removed).
fn testid(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("data-testid=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id} in {html}"));
    let open = html[..at].rfind('<').unwrap();
    let tag: String = html[open + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let body = &html[at..];
    let body = &body[body.find('>').unwrap() + 1..];
    let inner = &body[..body.find(&format!("</{tag}>")).unwrap()];
    Regex::new("<[^>]+>")
        .unwrap()
        .replace_all(inner, "")
        .trim()
        .to_string()
}

/// Publishes the shared two-lot form as `reference`, with its bid deadline `days` (and 12
/// hours) from now; returns the tender id.
async fn publish(app: &TestApp, reference: &str, title: &str, days: i64) -> i64 {
    let buyer = As::user(app, "compras").await;
    let now = app.state.now();
    let zone = app.state.config.timezone;
    let mut form = tender_form(app, now).await;
    form["reference"] = json!(reference);
    form["title"] = json!(title);
    form["clarification_deadline"] =
        json!(now.plus_seconds((days - 10) * DAY).to_local_input(zone));
    form["bid_deadline"] = json!(
        now.plus_seconds(days * DAY + 12 * 3_600)
            .to_local_input(zone)
    );
    let (s, t) = buyer.post("/api/tenders", form).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let id = t["id"].as_i64().unwrap();
    let (s, t) = buyer.publish(id).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    id
}

/// The bid deadline of a tender as the `<time datetime>` attribute carries it.
async fn deadline_attribute(app: &TestApp, id: i64) -> String {
    let t = app.get_json(&format!("/api/tenders/{id}")).await;
    let deadline = t["tender"]["bid_deadline"]
        .as_i64()
        .unwrap_or_else(|| panic!("{t}"));
    tianguis::format::machine_time(Timestamp::from_micros(deadline))
}

async fn home_and_countdowns(app: TestApp) {
    register_opening_keys(&app).await;
    let later = publish(
        &app,
        "IGSS-2026-0101",
        "Guantes de examen, segundo semestre",
        30,
    )
    .await;
    let sooner = publish(
        &app,
        "IGSS-2026-0100",
        "Amoxicilina para la red hospitalaria",
        20,
    )
    .await;

    // The home page starts with a search that goes to the tender search.
    let home = page_text(app.url("/"), None).await;
    let search = home
        .find("data-testid=\"home-search\"")
        .expect("a search form");
    assert!(search < home.find("data-testid=\"closing-soon\"").unwrap());
    assert!(
        home.contains(r#"<form method="get" action="/tenders""#),
        "{home}"
    );
    assert!(home.contains(r#"name="q" type="search""#), "{home}");
    let found = app.get_json("/api/tenders?q=amoxicilina").await;
    assert!(
        found["total"].as_i64().unwrap() >= 1,
        "the search it points to finds"
    );

    // Closing soon: nearest deadline first, with reference, buyer, value and a countdown that
    // is a time (UTC in the attribute, local on the page) and words computed on the server.
    let closing = &home[home.find("data-testid=\"closing-soon\"").unwrap()..];
    let (a, b) = (
        closing.find("IGSS-2026-0100").unwrap(),
        closing.find("IGSS-2026-0101").unwrap(),
    );
    assert!(a < b, "nearest first");
    assert!(closing.contains(&format!("href=\"/tenders/{sooner}\"")));
    assert!(closing.contains(&format!("href=\"/tenders/{later}\"")));
    assert!(closing.contains("ISSG"), "the buyer");
    assert!(closing.contains("Q 175,000.00"), "the value, formatted");
    let datetime = deadline_attribute(&app, sooner).await;
    assert!(datetime.ends_with('Z'), "{datetime}");
    assert!(
        closing.contains(&format!("<time datetime=\"{datetime}\"")),
        "{datetime}: {closing}"
    );
    let countdowns: Vec<String> = Regex::new(r#"data-testid="countdown">([^<]+)<"#)
        .unwrap()
        .captures_iter(closing)
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(countdowns[..2], ["en 20 días", "en 30 días"], "{closing}");
    let en = english(&app, "/").await;
    assert!(en.contains("Closing soon"));
    assert!(en.contains(">in 20 days<"), "{en}");

    // The key figures: the same count as the tender search, in words.
    let total = app.get_json("/api/tenders?per_page=1").await["total"]
        .as_i64()
        .unwrap();
    assert_eq!(testid(&home, "process-count"), total.to_string());
    assert!(home.contains("Borradores excluidos"));

    // The tender page counts down to the deadline while bids are taken, in both languages.
    let page = page_text(app.url(&format!("/tenders/{sooner}")), None).await;
    assert!(page.contains(&format!("<time datetime=\"{datetime}\">")));
    assert_eq!(testid(&page, "countdown"), "Cierra en 20 días");
    let page = english(&app, &format!("/tenders/{sooner}")).await;
    assert_eq!(testid(&page, "countdown"), "Closes in 20 days");
    // Past the questions period, bids are still taken: still counting down, in hours at the
    // end.
    app.state.advance_clock(20 * DAY + 2 * 3_600 - 1_800);
    let page = page_text(app.url(&format!("/tenders/{sooner}")), None).await;
    assert_eq!(testid(&page, "countdown"), "Cierra en 10 horas");
    // Once closed, no countdown, and the home page lists only what still takes bids.
    app.state.advance_clock(11 * 3_600);
    let page = page_text(app.url(&format!("/tenders/{sooner}")), None).await;
    assert!(!page.contains("data-testid=\"countdown\""));
    let home = page_text(app.url("/"), None).await;
    let closing = &home[home.find("data-testid=\"closing-soon\"").unwrap()..];
    assert!(!closing.contains("IGSS-2026-0100"));
    assert!(closing.contains("IGSS-2026-0101"));
}
both!(
    home_page_search_closing_soon_and_countdowns,
    home_and_countdowns
);

/// Signs in through the form with `next` (None: no field at all); the redirect's target.
async fn sign_in(app: &TestApp, username: &str, next: Option<&str>) -> (String, String) {
    let client = app.client();
    let page = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_from(&page);
    let mut form = vec![
        ("_csrf", csrf.as_str()),
        ("username", username),
        ("password", DEMO_PASSWORD),
    ];
    if let Some(next) = next {
        form.push(("next", next));
    }
    let r = client
        .post(app.url("/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{username}");
    let to = r.headers()[LOCATION].to_str().unwrap().to_string();
    let desk = client.get(app.url(&to)).send().await.unwrap();
    assert_eq!(desk.status(), StatusCode::OK, "{username} at {to}");
    let html = desk.text().await.unwrap();
    (to, html)
}

async fn desks_after_sign_in(app: TestApp) {
    let expected = |roles: &[Role]| match roles {
        [Role::Supplier] => "/portal",
        [Role::Buyer] => "/workspace",
        [Role::Evaluator] => "/committee",
        [Role::Administrator] => "/admin/users",
        [Role::Warehouse] => "/tenders?phase=contracted",
        [Role::UnitUser] => "/units/mine",
        [Role::Analyst] => "/dashboards",
        [Role::Observer] => "/audit",
        other => panic!("a demo account with roles {other:?}"),
    };
    let mut seen = std::collections::BTreeSet::new();
    for (username, display_name, roles, _) in DEMO_USERS {
        // With no `next`, or the home page (the sign-in link's default), each role lands on
        // its desk, greeted there. A role's first account tries both; the others one, so the
        // sign-ins stay under the per-address limit.
        let nexts: &[Option<&str>] = if seen.is_superset(&roles.iter().copied().collect()) {
            &[None]
        } else {
            &[None, Some("/")]
        };
        for &next in nexts {
            let (to, html) = sign_in(&app, username, next).await;
            assert_eq!(to, expected(roles), "{username} ({next:?})");
            assert!(
                html.contains("class=\"flash"),
                "{username}: greeted at {to}"
            );
            let escaped = display_name.replace('\'', "&#x27;");
            assert!(html.contains(&escaped), "{username} is signed in at {to}");
        }
        seen.extend(roles.iter().copied());
    }
    assert_eq!(seen.len(), Role::ALL.len(), "every role has a demo account");
    // An explicit page is honoured.
    let (to, _) = sign_in(&app, "compras", Some("/suppliers")).await;
    assert_eq!(to, "/suppliers");
    // Several roles: the first desk in the stated order.
    let admin = {
        let mut conn = app.state.db.read().await.unwrap();
        tianguis::repository::users::find(&mut conn, app.user_id("admin").await)
            .await
            .unwrap()
            .unwrap()
    };
    let form = tianguis::service::users::UserForm {
        username: "multirol".into(),
        display_name: "Persona con varios roles".into(),
        email: None,
        roles: vec![
            "observer".into(),
            "administrator".into(),
            "evaluator".into(),
        ],
        supplier_id: None,
    };
    let actor = tianguis::service::Actor::User(admin);
    let user = tianguis::service::users::create(&app.state.db, &actor, &form, DEMO_PASSWORD)
        .await
        .unwrap();
    assert_eq!(landing(&user.roles), "/committee");
    let (to, _) = sign_in(&app, "multirol", None).await;
    assert_eq!(to, "/committee");
    // Already signed in, the sign-in page sends the user to their desk too.
    let (token, _) = app.session_for("proveedor1").await;
    let r = app
        .client()
        .get(app.url("/login"))
        .header(COOKIE, session_cookie(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()[LOCATION], "/portal");
}
both!(each_role_lands_on_its_desk, desks_after_sign_in);

/// Pages through the public log, newest first, until a page shows `needle`.
async fn walk_log(app: &TestApp, in_english: bool, needle: &str) {
    let older = Regex::new(r#"href="/audit\?before=(\d+)""#).unwrap();
    let mut path = "/audit".to_string();
    for _ in 0..40 {
        let html = if in_english {
            english(app, &path).await
        } else {
            page_text(app.url(&path), None).await
        };
        if html.contains(needle) {
            return;
        }
        let before = older
            .captures(&html)
            .unwrap_or_else(|| panic!("{needle} is in the log"))[1]
            .to_string();
        path = format!("/audit?before={before}");
    }
    panic!("{needle} is in the log");
}

async fn audit_in_words(app: TestApp) {
    register_opening_keys(&app).await;
    let id = publish(&app, "IGSS-2026-0042", "Vendas elásticas", 20).await;

    // The public log says what happened, who did it and links the record.
    let es = page_text(app.url("/audit"), None).await;
    let link = format!("<a href=\"/tenders/{id}\">IGSS-2026-0042</a>");
    assert!(
        es.contains(&format!("Compras publicó el proceso {link}.")),
        "{es}"
    );
    let en = english(&app, "/audit").await;
    assert!(
        en.contains(&format!("Procurement published tender {link}.")),
        "{en}"
    );
    // The system's own acts, and links to suppliers and catalogue items (the demo seed, on
    // older pages of the log).
    walk_log(
        &app,
        false,
        "El sistema registró al proveedor <a href=\"/suppliers/",
    )
    .await;
    walk_log(&app, true, "The system added <a href=\"/catalogue?search=").await;
    // Machine codes stay available to auditors, but only as codes.
    assert!(es.contains("<code>tender.published</code>"));
    assert!(es.contains("<code>user:compras</code>"));
    let sentences: Vec<String> = Regex::new(r#"(?s)class="audit-sentence">(.*?)</span>"#)
        .unwrap()
        .captures_iter(&es)
        .map(|c| c[1].to_string())
        .collect();
    assert!(sentences.len() > 10, "{es}");
    let code = Regex::new(r"\b[a-z_]+\.[a-z_]+\b").unwrap();
    for s in &sentences {
        assert!(!s.contains("audit-event-"), "a key: {s}");
        assert!(!code.is_match(s), "a machine code: {s}");
        assert!(!s.contains("system:") && !s.contains("user:"), "{s}");
    }
    // The administrator's full log reads the same way, private events included.
    let (token, _) = app.session_for("admin").await;
    let full = page_text(app.url("/admin/audit"), Some(&session_cookie(&token))).await;
    assert!(
        full.contains("Compras creó el borrador del proceso"),
        "{full}"
    );

    // Every event kind the code records has a sentence in both languages.
    let i18n = I18n::load().unwrap();
    for action in AuditAction::ALL {
        for lang in Lang::ALL {
            assert!(i18n.has(lang, &action.message_key()), "{action} {lang:?}");
        }
    }
}
both!(audit_log_in_words, audit_in_words);

/// The first number in a text, without its grouping commas.
fn first_number(text: &str) -> i64 {
    let m = Regex::new(r"\d[\d,]*").unwrap().find(text).unwrap();
    m.as_str().replace(',', "").parse().unwrap()
}

async fn counts_and_red_flags(app: TestApp) {
    let tz = app.state.config.timezone;
    let report = demo_year::seed(&app.state.db, &app.state.rulebook, tz, 24)
        .await
        .expect("the demo year seeds");
    assert_eq!(report.refused_steps, 0, "{report:?}");

    // One number of processes published, on every page, each saying what it counts.
    let published = app.get_json("/api/tenders?per_page=1").await["total"]
        .as_i64()
        .unwrap();
    let drafts = {
        let mut conn = app.state.db.read().await.unwrap();
        tianguis::repository::tenders::count(&mut conn, false)
            .await
            .unwrap()
    } - published;
    assert!(published > 0 && drafts >= 0);
    let home = page_text(app.url("/"), None).await;
    assert_eq!(first_number(&testid(&home, "process-count")), published);
    let tenders = page_text(app.url("/tenders"), None).await;
    let counted = testid(&tenders, "result-count");
    assert_eq!(first_number(&counted), published, "{counted}");
    assert!(counted.contains("sin borradores"), "{counted}");
    let dashboards = page_text(app.url("/dashboards"), None).await;
    let counted = testid(&dashboards, "dash-counted");
    assert_eq!(first_number(&counted), published, "{counted}");
    assert!(counted.contains("publicados en Tianguis (sin borradores) y 0 importados"));
    // The method filter names OCDS methods in words, not codes.
    for code in ["open", "selective", "limited", "direct"] {
        assert!(!dashboards.contains(&format!(">{code}</option>")), "{code}");
    }
    assert!(dashboards.contains(">Directo</option>") || dashboards.contains(">Abierto</option>"));
    let api = app.get_json("/api/dashboards").await;
    assert_eq!(
        api["processes"].as_i64().unwrap() - api["imported"].as_i64().unwrap(),
        published,
        "{}",
        api["processes"]
    );
    let open_data = page_text(app.url("/open-data"), None).await;
    let records = testid(&open_data, "opendata-records");
    assert!(
        records.contains(&format!("{published} procesos de compra publicados")),
        "{records}"
    );
    let plan_lines = report.plan_lines as i64;
    assert!(
        records.contains(&format!("y {plan_lines} procesos de planificación")),
        "{records}"
    );
    assert_eq!(first_number(&records), published + plan_lines, "{records}");
    let releases = testid(&open_data, "opendata-releases");
    assert!(first_number(&releases) > published + plan_lines);
    assert!(
        releases.contains("una por cada cambio de un proceso"),
        "{releases}"
    );
    let en = english(&app, "/open-data").await;
    assert!(en.contains("OCDS releases published: one per change of a process"));

    // The value awarded and the savings on the home page, recomputed from every tender's
    // public record: standing awards (not annulled) and their lots' estimates.
    let mut awarded = rust_decimal::Decimal::ZERO;
    let mut estimated = rust_decimal::Decimal::ZERO;
    let mut awarded_with_estimate = rust_decimal::Decimal::ZERO;
    let all = app.get_json("/api/tenders?per_page=200").await;
    for t in all["items"].as_array().unwrap() {
        let d = app.get_json(&format!("/api/tenders/{}", t["id"])).await;
        for a in d["awards"].as_array().unwrap() {
            let a = &a["award"];
            if a["status"] == "annulled" {
                continue;
            }
            let amount: rust_decimal::Decimal = a["amount"].as_str().unwrap().parse().unwrap();
            awarded += amount;
            let lot = d["lots"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["lot"]["id"] == a["lot_id"])
                .unwrap();
            let estimate = lot["lot"]["estimated_value"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap_or_default();
            if estimate > rust_decimal::Decimal::ZERO {
                estimated += estimate;
                awarded_with_estimate += amount;
            }
        }
    }
    assert!(
        awarded > rust_decimal::Decimal::ZERO,
        "the demo year awards"
    );
    assert_eq!(
        testid(&home, "awarded-value"),
        tianguis::format::money(awarded, "GTQ", Lang::Es)
    );
    if estimated > rust_decimal::Decimal::ZERO {
        let gap = (estimated - awarded_with_estimate).abs();
        assert_eq!(
            testid(&home, "savings"),
            tianguis::format::money(gap, "GTQ", Lang::Es)
        );
    }

    // Red flags: each process with its title, buyer and value, and a link; each flag by its
    // translated title, the code kept small.
    let flags = page_text(app.url("/red-flags"), None).await;
    let flagged = flags.matches("data-testid=\"flagged-process\"").count();
    let counted = testid(&flags, "flags-count");
    assert_eq!(first_number(&counted), flagged as i64, "{counted}");
    let dash_flagged = api["flagged_processes"].as_i64().unwrap();
    assert_eq!(flagged as i64, dash_flagged);
    let items = Regex::new(r#"(?s)data-testid="flagged-process">(.*?)</li>\s*</ul>"#).unwrap();
    let title_re =
        Regex::new(r#"<h2 class="flagged-title"><a href="/tenders/(\d+)">([^<]+)</a>"#).unwrap();
    let value_re = Regex::new(r#"data-testid="flagged-value">Q [\d,]+\.\d\d<"#).unwrap();
    let code_re = Regex::new(r"<strong>R\d\d\d").unwrap();
    assert!(flagged > 0, "the demo year has flagged processes");
    assert_eq!(items.captures_iter(&flags).count(), flagged);
    for item in items.captures_iter(&flags) {
        let item = &item[1];
        let title = title_re
            .captures(item)
            .unwrap_or_else(|| panic!("a title linked to its tender: {item}"));
        assert!(
            !title[2].starts_with("ocds-"),
            "a title, not an ocid: {item}"
        );
        assert!(
            item.contains("Instituto de Seguridad Social de Guatemala"),
            "{item}"
        );
        assert!(value_re.is_match(item), "{item}");
        assert!(!code_re.is_match(item), "{item}");
        assert!(!item.contains("proceso competitivo (open)"), "{item}");
    }
    let en_flags = english(&app, "/red-flags").await;
    assert!(!en_flags.contains("(open)"), "the method in words");

    // Every event the demo year recorded is one the log knows and translates.
    let events = {
        let mut conn = app.state.db.read().await.unwrap();
        tianguis::repository::audit::list(
            &mut conn,
            &tianguis::repository::audit::AuditFilter::default(),
            100_000,
        )
        .await
        .unwrap()
    };
    let mut kinds = std::collections::BTreeSet::new();
    for e in &events {
        assert!(AuditAction::from_code(&e.action).is_some(), "{}", e.action);
        kinds.insert(e.action.clone());
    }
    assert!(kinds.len() > 15, "{kinds:?}");

    // Live and upcoming auctions on the home page, each linking its auction.
    let auctions: Value = app.get_json("/api/auctions").await;
    let home_auctions = &home[home.find("data-testid=\"home-auctions\"").unwrap()..];
    let mut listed = 0;
    for a in auctions.as_array().unwrap() {
        if a["status"] == "running" || a["status"] == "scheduled" {
            listed += 1;
            if listed <= 5 {
                assert!(
                    home_auctions.contains(&format!("href=\"/auctions/{}\"", a["id"])),
                    "{a}"
                );
            }
        }
    }
    eprintln!("{listed} live or upcoming auctions");
    if listed == 0 {
        assert!(home_auctions.contains("No hay subastas en curso ni programadas"));
    }
}
both!(
    counts_agree_across_pages_and_red_flags_read,
    counts_and_red_flags
);

async fn english_code_lists(app: TestApp) {
    register_opening_keys(&app).await;
    let id = publish(&app, "IGSS-2026-0300", "Amoxicilina y jeringas", 20).await;
    let i18n = I18n::load().unwrap();
    let t = app.get_json(&format!("/api/tenders/{id}")).await;
    let units: Vec<String> = t["lots"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["items"].as_array().unwrap().clone())
        .map(|i| i["item"]["unit"].as_str().unwrap().to_string())
        .collect();
    assert!(!units.is_empty(), "{t}");
    let es = page_text(app.url(&format!("/tenders/{id}")), None).await;
    let en = english(&app, &format!("/tenders/{id}")).await;
    for unit in &units {
        let key = format!("unit-{}", tianguis::api::page::term_slug(unit));
        assert!(i18n.has(Lang::En, &key), "{unit} has an English name");
        let english_unit = i18n.t(Lang::En, &key);
        assert!(
            es.contains(&format!("<td>{unit}</td>")),
            "as entered in Spanish"
        );
        if &english_unit != unit {
            assert!(
                !en.contains(&format!("<td>{unit}</td>")),
                "{unit} in English"
            );
            assert!(en.contains(&format!("<td>{english_unit}</td>")), "{en}");
        }
    }
    // The criteria come from the rulebook's code list.
    assert!(es.contains("Calidad: 20 %"), "{es}");
    assert!(en.contains("Quality: 20 %"), "{en}");
    assert!(!en.contains("Calidad") && !en.contains("Tiempo de entrega"));
    // The data itself stays as entered.
    assert!(en.contains("Amoxicilina y jeringas"));

    // The catalogue: units and dosage forms in the page's language.
    let es = page_text(app.url("/catalogue?kind=medicine"), None).await;
    let en = english(&app, "/catalogue?kind=medicine").await;
    assert!(es.contains("<td>tableta</td>"), "{es}");
    assert!(en.contains("<td>tablet</td>"), "{en}");
    assert!(!en.contains("<td>tableta</td>") && !en.contains("<td>cápsula</td>"));

    // The supplier's bid form too.
    let (token, _) = app.session_for("proveedor1").await;
    let form = reqwest::Client::new()
        .get(app.url(&format!("/tenders/{id}/bid")))
        .header(COOKIE, session_cookie(&token))
        .header(ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for unit in &units {
        let english_unit = i18n.t(
            Lang::En,
            &format!("unit-{}", tianguis::api::page::term_slug(unit)),
        );
        if &english_unit != unit {
            assert!(!form.contains(&format!("<td>{unit}</td>")), "{form}");
        }
    }
}
both!(english_pages_use_english_code_lists, english_code_lists);

async fn home_auctions(app: TestApp) {
    let (tender, lot1, _) = crate::auctions::evaluated_subasta(&app).await;
    let list = app.get_json("/api/auctions").await;
    let auction = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["tender_id"] == tender && a["lot_id"] == lot1)
        .unwrap_or_else(|| panic!("{list}"))
        .clone();
    assert_eq!(auction["status"], "scheduled");
    let id = auction["id"].as_i64().unwrap();
    let starts = Timestamp::from_micros(auction["starts_at"].as_i64().unwrap());

    // The home page lists it with its tender and lot, its start as a time and a countdown.
    let home = page_text(app.url("/"), None).await;
    let section = &home[home.find("data-testid=\"home-auctions\"").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(
        section.contains(&format!("href=\"/auctions/{id}\"")),
        "{section}"
    );
    assert!(
        section.contains("Subasta de amoxicilina y jeringas"),
        "{section}"
    );
    assert!(section.contains("Programada"), "{section}");
    let datetime = tianguis::format::machine_time(starts);
    assert!(
        section.contains(&format!("<time datetime=\"{datetime}\">")),
        "{section}"
    );
    assert!(section.contains("<strong>en "), "a countdown: {section}");
    let en = english(&app, "/").await;
    assert!(en.contains("Live and upcoming auctions"));
    assert!(en.contains("Scheduled"), "{en}");
}
both!(home_lists_live_and_upcoming_auctions, home_auctions);

/// The pages of this issue's part do not scroll sideways on a 390-pixel phone (WCAG 1.4.10):
/// the home page, a tender taking bids, the audit log and the red flags, in both languages.
async fn phone_width(backend: crate::support::Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let tz = app.state.config.timezone;
    demo_year::seed(&app.state.db, &app.state.rulebook, tz, 12)
        .await
        .unwrap();
    register_opening_keys(&app).await;
    let id = publish(&app, "IGSS-2026-0777", "Soluciones para infusión", 20).await;
    let Some(browser) = crate::browser::Browser::start().await else {
        return;
    };
    let c = &browser.client;
    c.set_window_size(390, 844).await.unwrap();
    for path in [
        "/".to_string(),
        format!("/tenders/{id}"),
        "/audit".to_string(),
        "/red-flags".to_string(),
        "/open-data".to_string(),
    ] {
        for lang in ["es", "en"] {
            c.goto(&app.url(&path)).await.unwrap();
            if !c
                .source()
                .await
                .unwrap()
                .contains(&format!("<html lang=\"{lang}\">"))
            {
                c.execute(
                    &format!(
                        "document.querySelector('form.lang-switch button[value={lang}]').click()"
                    ),
                    vec![],
                )
                .await
                .unwrap();
                // The switch answers with a redirect that sets the language: wait for it.
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
                loop {
                    c.goto(&app.url(&path)).await.unwrap();
                    let html = c.source().await.unwrap();
                    if html.contains(&format!("<html lang=\"{lang}\">")) {
                        break;
                    }
                    assert!(std::time::Instant::now() < deadline, "switched to {lang}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
            let widths = c
                .execute(
                    "return [document.documentElement.scrollWidth, window.innerWidth]",
                    vec![],
                )
                .await
                .unwrap();
            let (page, window) = (widths[0].as_i64().unwrap(), widths[1].as_i64().unwrap());
            let culprits = c
                .execute(
                    "return [...document.querySelectorAll('body *')].filter(e => !e.closest('.table-wrap') || e.classList.contains('table-wrap')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).filter(e => ![...e.children].some(k => k.getBoundingClientRect().right > window.innerWidth + 1)).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + (e.textContent || '').slice(0, 60))",
                    vec![],
                )
                .await
                .unwrap();
            assert!(
                page <= window,
                "{path} ({lang}) is {page} px wide at {window}: {culprits}"
            );
        }
    }
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_pages_fit_a_phone() {
    phone_width(crate::support::Backend::Sqlite).await;
}
