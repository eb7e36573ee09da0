//! Browser tests in headless Chromium (Debian's `chromium` and `chromium-driver` packages),
//! driven over WebDriver with fantoccini. Later issues add their own scenarios here using
//! [`Browser`]. Without chromedriver the tests are skipped with a message, unless `CI=true`.

use crate::support::{Backend, TestApp};
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A headless Chromium session and its chromedriver.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn find(candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .find(|p| std::path::Path::new(p).is_file())
        .map(|p| p.to_string())
}

impl Browser {
    /// Starts chromedriver and a fresh headless browser profile; `None` when not installed.
    pub async fn start() -> Option<Browser> {
        let driver_bin = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
        let chrome_bin = find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
        let (Some(driver_bin), Some(chrome_bin)) = (driver_bin, chrome_bin) else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but chromium/chromedriver are not installed");
            }
            eprintln!(
                "\n*** SKIPPING browser tests: install Debian's chromium and chromium-driver ***\n"
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let profile = tempfile::tempdir().ok()?;
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chrome_bin,
                "prefs": {"intl.accept_languages": "es-GT,es"},
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", "--window-size=1200,900", "--lang=es-GT",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("WebDriver session");
        Some(Browser {
            client,
            driver,
            _profile: profile,
        })
    }

    /// Closes the browser and stops chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }

    /// Text of the first element matching a CSS selector.
    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .text()
            .await
            .expect("text")
    }
}

async fn sign_in_switch_language_and_check_pages(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;

    // Spanish by default.
    c.goto(&app.url("/")).await.unwrap();
    assert_eq!(browser.text("h1").await, "Compras públicas abiertas");
    assert_eq!(
        c.find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("lang")
            .await
            .unwrap()
            .as_deref(),
        Some("es")
    );

    // Keyboard: the first Tab reaches the skip link, and it is visible when focused.
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("\u{E004}")
        .await
        .unwrap();
    let focused = c
        .execute("return document.activeElement.className", vec![])
        .await
        .unwrap();
    assert_eq!(focused, serde_json::json!("skip-link"));
    let left = c
        .execute(
            "return document.activeElement.getBoundingClientRect().left",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        left.as_f64().unwrap() >= 0.0,
        "the focused skip link is on screen"
    );

    // Switch to English with the switcher.
    c.find(Locator::Css("button[value=en]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath("//h1[text()='Open public procurement']"))
        .await
        .unwrap();
    assert_eq!(
        c.find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("lang")
            .await
            .unwrap()
            .as_deref(),
        Some("en")
    );

    // Sign in as the administrator.
    c.find(Locator::LinkText("Sign in"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("username")).await.unwrap();
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys("admin")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(tianguis::service::demo::DEMO_PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("form.stack button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css(".flash")).await.unwrap();
    assert!(browser.text(".flash").await.starts_with("Welcome"));
    // Signing in from the home page lands on the role's desk (issue 13): user administration.
    assert_eq!(
        browser.text("h1").await,
        "Users",
        "the administrator's desk"
    );
    assert_eq!(c.current_url().await.unwrap().path(), "/admin/users");
    c.find(Locator::Css("[data-testid=account-link]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath("//h1[text()='My account']"))
        .await
        .unwrap();

    // The administrator's user list, in English, with the demo accounts.
    c.find(Locator::LinkText("Users"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::LinkText("compras"))
        .await
        .unwrap();
    assert_eq!(browser.text("h1").await, "Users");
    let rows = c.find_all(Locator::Css("tbody tr")).await.unwrap();
    assert_eq!(rows.len(), tianguis::service::demo::DEMO_USERS.len());

    // Back to Spanish: remembered in the account.
    c.find(Locator::Css("button[value=es]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath("//h1[text()='Usuarios']"))
        .await
        .unwrap();

    // Sign out.
    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css(".flash")).await.unwrap();
    assert_eq!(browser.text(".flash").await, "Ha cerrado la sesión.");
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sign_in_language_and_pages() {
    sign_in_switch_language_and_check_pages(Backend::Sqlite).await;
}

/// Sets a form control's value by CSS selector (dates and selects are typed differently by
/// every browser locale; the form is still submitted by the browser).
async fn set(c: &Client, css: &str, value: &str) {
    let done = c
        .execute(
            "const e = document.querySelector(arguments[0]); if (!e) return false; \
             if (e.type === 'checkbox' || e.type === 'radio') { e.checked = arguments[1] === 'on'; } \
             else { e.value = arguments[1]; } return true;",
            vec![serde_json::json!(css), serde_json::json!(value)],
        )
        .await
        .unwrap();
    assert_eq!(done, serde_json::json!(true), "no control {css}");
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Waits until the page at a path whose start is `path` shows `text` somewhere.
async fn wait_for(c: &Client, path: &str, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let url = c.current_url().await.unwrap();
        let source = c.source().await.unwrap_or_default();
        if url.path().starts_with(path) && source.contains(text) {
            return source;
        }
        assert!(
            Instant::now() < deadline,
            "waited for {text:?} at {path}; at {url}:\n{}",
            source.chars().take(3000).collect::<String>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn sign_in(c: &Client, app: &TestApp, username: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    set(c, "#username", username).await;
    set(c, "#password", tianguis::service::demo::DEMO_PASSWORD).await;
    click(c, "form.stack button[type=submit]").await;
    wait_for(c, "/", "class=\"flash").await;
}

async fn sign_out(c: &Client) {
    click(c, "form[action='/logout'] button").await;
    wait_for(c, "/", "Ha cerrado la sesión").await;
}

/// One tender from publication to contract, entirely in the browser: the buyer drafts and
/// publishes it, two suppliers bid, the committee opens and evaluates, the buyer awards and
/// signs the contract (issue 3, tests).
async fn tender_from_publication_to_contract(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    let tz = app.state.config.timezone;
    let now = app.state.now();

    // Committee members register their opening keys on their desk.
    for (member, passphrase) in crate::esourcing::PASSPHRASES {
        sign_in(c, &app, member).await;
        c.goto(&app.url("/committee")).await.unwrap();
        set(c, "#passphrase", passphrase).await;
        set(c, "#confirmation", passphrase).await;
        click(c, "form[action='/committee/opening-key'] button").await;
        wait_for(c, "/committee", "data-testid=\"key-fingerprint\"").await;
        sign_out(c).await;
    }

    // The buyer drafts a cotización and publishes it.
    sign_in(c, &app, "compras").await;
    c.goto(&app.url("/tenders/new")).await.unwrap();
    let item = crate::esourcing::item(&app, "MED-0005").await;
    set(c, "#title", "Amoxicilina 500 mg para consulta externa").await;
    set(c, "#description", "Compra anual de amoxicilina.").await;
    set(c, "#method", "cotizacion").await;
    set(
        c,
        "#clarification_deadline",
        &now.plus_seconds(10 * 86_400).to_local_input(tz),
    )
    .await;
    set(
        c,
        "#bid_deadline",
        &now.plus_seconds(20 * 86_400).to_local_input(tz),
    )
    .await;
    set(c, "#lot-1", "1").await;
    set(c, "#cat-1", &item.to_string()).await;
    set(c, "#qty-1", "100000").await;
    set(c, "#price-1", "1.50").await;
    set(c, "#requirements", "Registro sanitario vigente").await;
    c.execute(
        "document.querySelectorAll('input[name=committee]').forEach(e => e.checked = true)",
        vec![],
    )
    .await
    .unwrap();
    set(c, "#threshold", "2").await;
    click(c, "form.tender-form button[type=submit]").await;
    wait_for(c, "/tenders/", "data-testid=\"publish\"").await;
    let tender_path = c.current_url().await.unwrap().path().to_string();
    let id: i64 = tender_path
        .trim_start_matches("/tenders/")
        .parse()
        .expect("the draft's page");
    // Publication requires the bidding conditions: the buyer uploads them first (issue 13).
    let bases = std::env::temp_dir().join(format!("tianguis-bases-{id}.txt"));
    std::fs::write(
        &bases,
        "Bases de la cotización: condiciones, plazos y requisitos.",
    )
    .unwrap();
    c.find(Locator::Css("#doc-file"))
        .await
        .unwrap()
        .send_keys(bases.to_str().unwrap())
        .await
        .unwrap();
    click(c, "form[action*='/documents'] button[type=submit]").await;
    wait_for(c, &tender_path, "tianguis-bases-").await;
    click(c, "[data-testid=publish]").await;
    wait_for(c, &tender_path, "phase-clarification").await;
    sign_out(c).await;

    // Two suppliers bid; each gets a receipt with the sealed bid's hash.
    let mut hashes = Vec::new();
    for (supplier, price) in [("proveedor1", "1.40"), ("proveedor2", "1.30")] {
        sign_in(c, &app, supplier).await;
        c.goto(&app.url(&tender_path)).await.unwrap();
        click(c, "[data-testid=bid-link]").await;
        wait_for(c, "/tenders/", "data-testid=\"submit-bid\"").await;
        c.execute(
            "document.querySelectorAll('input[name^=price_]').forEach(e => e.value = arguments[0]); \
             document.querySelectorAll('input[name=declarations]').forEach(e => e.checked = true);",
            vec![serde_json::json!(price)],
        )
        .await
        .unwrap();
        click(c, "[data-testid=submit-bid]").await;
        wait_for(c, "/bids/", "data-testid=\"receipt-hash\"").await;
        let hash = browser.text("[data-testid=receipt-hash]").await;
        assert_eq!(hash.len(), 64);
        // The receipt is reached by a redirect: a reload shows it again and seals nothing.
        c.refresh().await.unwrap();
        wait_for(c, "/bids/", "data-testid=\"receipt-hash\"").await;
        assert_eq!(browser.text("[data-testid=receipt-hash]").await, hash);
        hashes.push(hash);
        sign_out(c).await;
    }

    let public = app.get_json(&format!("/api/tenders/{id}")).await;
    assert_eq!(
        public["bid_count"], 2,
        "one bid per supplier, reloads included"
    );

    // The deadline passes; two members open the bids together.
    app.state.advance_clock(21 * 86_400);
    sign_in(c, &app, "evaluador1").await;
    c.goto(&app.url("/committee")).await.unwrap();
    click(c, &format!("a[href='/tenders/{id}/opening']")).await;
    wait_for(c, "/tenders/", "data-testid=\"open-bids\"").await;
    let members: Vec<i64> =
        futures::future::join_all(["evaluador1", "evaluador2"].map(|u| app.user_id(u))).await;
    set(
        c,
        &format!("#passphrase_{}", members[0]),
        crate::esourcing::PASSPHRASES[0].1,
    )
    .await;
    set(
        c,
        &format!("#passphrase_{}", members[1]),
        crate::esourcing::PASSPHRASES[1].1,
    )
    .await;
    click(c, "[data-testid=open-bids]").await;
    let opened = wait_for(c, &tender_path, "phase-evaluation").await;
    for hash in &hashes {
        assert!(
            opened.contains(hash.as_str()),
            "the opening record shows each receipt"
        );
    }

    // Each member declares and evaluates independently; one stands aside.
    for member in ["evaluador1", "evaluador2", "evaluador3"] {
        if member != "evaluador1" {
            sign_out(c).await;
            sign_in(c, &app, member).await;
        }
        c.goto(&app.url(&format!("/tenders/{id}/evaluation")))
            .await
            .unwrap();
        if member == "evaluador3" {
            set(c, "input[name=has_conflict][value=true]", "on").await;
            set(
                c,
                "#statement",
                "Soy pariente del representante de un oferente.",
            )
            .await;
        }
        click(c, "[data-testid=declare]").await;
        if member == "evaluador3" {
            wait_for(c, "/tenders/", "notice").await;
            continue;
        }
        wait_for(c, "/tenders/", "data-testid=\"submit-evaluation\"").await;
        // Nothing is pre-judged: every requirement starts unanswered.
        let checked = c
            .execute(
                "return document.querySelectorAll('input[name^=verdict_]:checked').length",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            checked,
            serde_json::json!(0),
            "no verdict is chosen for the member"
        );
        c.execute(
            "document.querySelectorAll('input[name^=score_]').forEach(e => e.value = '85'); \
             document.querySelectorAll('input[name^=verdict_][value=pass]').forEach(e => e.checked = true);",
            vec![],
        )
        .await
        .unwrap();
        click(c, "[data-testid=submit-evaluation]").await;
        wait_for(c, &tender_path, "class=\"flash").await;
    }
    sign_out(c).await;

    // The buyer consolidates, awards, waits out the standstill and signs the contract.
    sign_in(c, &app, "compras").await;
    c.goto(&app.url(&tender_path)).await.unwrap();
    click(c, "[data-testid=complete-evaluation]").await;
    wait_for(c, &tender_path, "data-testid=\"award-lot-1\"").await;
    click(c, "[data-testid=award-lot-1]").await;
    wait_for(c, &tender_path, "phase-awarded").await;
    app.state.advance_clock(6 * 86_400);
    c.goto(&app.url(&tender_path)).await.unwrap();
    click(c, "[data-testid=sign-lot-1]").await;
    wait_for(c, "/awards/", "data-testid=\"sign-contract\"").await;
    let start = app.state.now().plus_seconds(86_400);
    let day = |t: tianguis::domain::time::Timestamp| {
        t.to_local_input(tz).chars().take(10).collect::<String>()
    };
    set(c, "#start", &day(start)).await;
    set(c, "#end", &day(start.plus_seconds(180 * 86_400))).await;
    set(
        c,
        "#payment_terms",
        "Pago a 30 días de la recepción conforme.",
    )
    .await;
    c.execute(
        "document.querySelectorAll('input[name=milestone_due]').forEach(e => e.value = arguments[0])",
        vec![serde_json::json!(day(start.plus_seconds(30 * 86_400)))],
    )
    .await
    .unwrap();
    click(c, "[data-testid=sign-contract]").await;
    let done = wait_for(c, &tender_path, "phase-contracted").await;
    assert!(
        done.contains("130,000.00") || done.contains("130 000,00") || done.contains("130000"),
        "the cheaper equal-quality bid won"
    );
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_tender_from_publication_to_contract() {
    tender_from_publication_to_contract(Backend::Sqlite).await;
}

/// Waits until the element matching `css` contains `text` (the live page updates by itself).
/// The bound is for a page that never updates: three debug-built browsers on a busy 2-core
/// machine took longer than 30 s in a fresh-clone CI run.
async fn wait_text(c: &Client, css: &str, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let found = match c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if found.contains(text) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "waited for {text:?} in {css}; found {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A live auction in three browsers (issue 4, tests): two bidders in separate browser
/// profiles and an anonymous observer. Each bidder sees the other's accepted bid without
/// reloading, the observer's board and chart follow, and when time runs out every page shows
/// the result.
async fn live_auction_in_three_browsers(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let rules = tianguis::service::auctions::synthetic::soft_close_rules(600, 10, 60);
    let auction =
        tianguis::service::auctions::synthetic::seed(&app.state.db, 1, 2, &rules, app.state.now())
            .await
            .unwrap()[0];
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let info: serde_json::Value = reqwest::get(app.url(&format!("/api/auctions/{auction}")))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if info["view"]["phase"]["phase"] == "window" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the auction did not start: {info}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let Some(first) = Browser::start().await else {
        return;
    };
    let second = Browser::start().await.expect("second browser");
    let observer = Browser::start().await.expect("observer browser");
    let (a, b, o) = (&first.client, &second.client, &observer.client);
    sign_in(a, &app, "proveedor1").await;
    sign_in(b, &app, "proveedor2").await;
    let page = app.url(&format!("/auctions/{auction}"));
    for c in [a, b, o] {
        c.goto(&page).await.unwrap();
        wait_text(c, "[data-testid=connection]", "conectado").await;
    }
    // The observer has no bidding panel; bidders see their own anonymous label.
    assert!(o.find(Locator::Css("#bid-panel")).await.is_err());
    wait_text(a, "[data-testid=my-label]", "Oferente").await;
    wait_text(a, "[data-testid=my-price]", "1000000.00").await;

    // Bidder 1 bids with the one-click confirmation.
    set(a, "#bid-price", "999999.00").await;
    click(a, "[data-testid=bid-submit]").await;
    wait_text(a, "[data-testid=bid-confirm]", "999999.00").await;
    click(a, "[data-testid=bid-confirm-yes]").await;
    wait_text(a, "[data-testid=bid-outcome]", "Puja aceptada").await;
    wait_text(a, "[data-testid=my-rank]", "1").await;
    // The other bidder and the observer see it live.
    wait_text(b, "[data-testid=board]", "999999.00").await;
    wait_text(b, "[data-testid=my-rank]", "2").await;
    wait_text(o, "[data-testid=board]", "999999.00").await;

    // Bidder 2 answers; bidder 1 sees it and drops to second place.
    set(b, "#bid-price", "999000.00").await;
    click(b, "[data-testid=bid-submit]").await;
    click(b, "[data-testid=bid-confirm-yes]").await;
    wait_text(b, "[data-testid=bid-outcome]", "Puja aceptada").await;
    wait_text(a, "[data-testid=board]", "999000.00").await;
    wait_text(a, "[data-testid=my-rank]", "2").await;
    wait_text(a, "[data-testid=best-price]", "999000.00").await;
    // A bid that does not lower the own price enough is refused with its reason.
    set(a, "#bid-price", "999999.00").await;
    click(a, "[data-testid=bid-submit]").await;
    click(a, "[data-testid=bid-confirm-yes]").await;
    wait_text(a, "[data-testid=bid-outcome]", "no baja lo suficiente").await;
    // The observer's chart follows: the script fetches the server-drawn chart again after a new
    // price, and the price lines (SVG polylines) are there.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(line) = o.find(Locator::Css("#chart svg polyline")).await
            && line.attr("points").await.unwrap().is_some()
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the observer's chart has no price line"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Time runs out: every page shows the result.
    app.state.advance_clock(4_000);
    for c in [a, b, o] {
        wait_text(c, "[data-testid=auction-result]", "La subasta terminó").await;
    }
    wait_text(o, "[data-testid=board]", "999000.00").await;
    first.close().await;
    second.close().await;
    observer.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_live_auction_two_bidders_and_an_observer() {
    live_auction_in_three_browsers(Backend::Sqlite).await;
}

/// Each dashboard in a real browser (issue 6): the tables beside the charts show the figures
/// the test computes itself with `crates/indicators` from the public bulk file; the filter form
/// narrows them; the red-flag page lists every flagged process.
async fn dashboards_in_a_browser(backend: Backend) {
    let Some(app) = TestApp::start(backend).await else {
        return;
    };
    let tz = app.state.config.timezone;
    tianguis::service::demo_year::seed(&app.state.db, &app.state.rulebook, tz, 30)
        .await
        .unwrap();
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    let all = crate::dashboards::public_compiled_releases(&app).await;
    let settings =
        tianguis::service::dashboards::RuleInputs::from_rulebook(&app.state.rulebook).settings();
    let compute = |releases: Vec<&serde_json::Value>| {
        tianguis_indicators::analyze_releases(
            releases,
            &settings,
            &tianguis_indicators::Options::default(),
        )
        .unwrap()
        .report(tianguis_indicators::Lang::Es)
    };
    let report = compute(all.iter().collect());
    let mut overall: Vec<_> = report
        .market
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .filter(|r| r.buyer.is_none() && r.category.is_none())
        .cloned()
        .collect();
    overall.sort_by_key(|r| r.year);
    assert!(!overall.is_empty(), "the demo year has market rows");

    c.goto(&app.url("/dashboards")).await.unwrap();
    assert_eq!(browser.text("h1").await, "Tableros de mercado");
    // Every chart's table, cell by cell, against the computation (percentages to 2 decimals).
    let num = |v: Option<f64>| {
        v.map(|v| {
            let s = format!("{v:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        })
        .unwrap_or_else(|| "—".into())
    };
    let pct = |v: Option<f64>| num(v.map(|x| (x * 10000.0).round() / 100.0));
    let expected_cells = |id: &str, r: &tianguis_indicators::market::MarketRow| -> Vec<String> {
        match id {
            "dash-suppliers" => vec![
                num(Some(r.suppliers as f64)),
                num(r.new_entrants.map(|n| n as f64)),
            ],
            "dash-concentration" => vec![pct(r.top10_share), pct(r.top4_share)],
            "dash-hhi" => vec![num(r.hhi)],
            "dash-direct" => vec![pct(r.direct_share_by_count), pct(r.direct_share_by_value)],
            "dash-single-bid" => vec![pct(r.single_bid_rate)],
            "dash-bidders" => vec![num(r.average_bidders)],
            _ => vec![
                pct(r.auction_savings.as_ref().and_then(|s| s.rate)),
                pct(r.estimate_savings.as_ref().and_then(|s| s.rate)),
            ],
        }
    };
    for id in [
        "dash-suppliers",
        "dash-concentration",
        "dash-hhi",
        "dash-direct",
        "dash-single-bid",
        "dash-bidders",
        "dash-savings",
    ] {
        let rows = c
            .find_all(Locator::Css(&format!("#{id} tbody tr")))
            .await
            .unwrap();
        assert_eq!(rows.len(), overall.len(), "{id}");
        for (row, expected) in rows.iter().zip(&overall) {
            let text = row.text().await.unwrap();
            let cells: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
            assert_eq!(cells[0], expected.year.to_string(), "{id}");
            assert_eq!(
                cells[1..].to_vec(),
                expected_cells(id, expected),
                "{id} {text}"
            );
        }
    }
    let charts = c
        .find_all(Locator::Css("section.chart-block figure svg.chart-wide"))
        .await
        .unwrap();
    assert_eq!(charts.len(), 7, "every dashboard has its chart");

    // The filter form, submitted by the browser: direct purchases only.
    set(c, "select[name=method]", "direct").await;
    click(c, "form.filters button[type=submit]").await;
    let direct: Vec<&serde_json::Value> = all
        .iter()
        .filter(|r| r["tender"]["procurementMethod"] == "direct")
        .collect();
    let total = tianguis::format::count(direct.len() as i64, tianguis::domain::lang::Lang::Es);
    let source = wait_for(c, "/dashboards", &format!("{total} en estas cifras")).await;
    assert!(source.contains("method=direct"));
    let direct_report = compute(direct.clone());
    let direct_rows = c
        .find_all(Locator::Css("#dash-direct tbody tr"))
        .await
        .unwrap();
    for row in direct_rows {
        let text = row.text().await.unwrap();
        // Every process here is a direct purchase: 100 % by number, wherever there are any.
        assert!(text.split_whitespace().nth(1) == Some("100"), "{text}");
    }
    assert!(direct_report.processes.len() <= report.processes.len());

    // Red flags.
    c.goto(&app.url("/red-flags")).await.unwrap();
    let flagged = c
        .find_all(Locator::Css("li.flagged-process"))
        .await
        .unwrap();
    assert_eq!(flagged.len(), report.processes.len().min(500));
    browser.close().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_dashboards_match_the_computation() {
    dashboards_in_a_browser(Backend::Sqlite).await;
}

/// `/api/docs` fits a phone (issue 13: at 390 px it was wider than the screen): long paths and
/// codes wrap, and the parameter and schema tables reflow to one card per row; a desktop keeps
/// the tables. In both languages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_api_docs_fit_a_phone() {
    let Some(app) = TestApp::start(Backend::Sqlite).await else {
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let c = &browser.client;
    for (width, lang) in [(390, "es"), (390, "en"), (1366, "es")] {
        c.set_window_size(width, 844).await.unwrap();
        c.goto(&app.url("/")).await.unwrap();
        c.execute(
            "document.cookie = 'tianguis_lang=' + arguments[0] + '; path=/'",
            vec![serde_json::json!(lang)],
        )
        .await
        .unwrap();
        c.goto(&app.url("/api/docs")).await.unwrap();
        let fit = c
            .execute(
                "const row = document.querySelector('.api-docs tbody tr'); \
                 return [document.documentElement.lang, \
                         document.documentElement.scrollWidth, window.innerWidth, \
                         getComputedStyle(row).display];",
                vec![],
            )
            .await
            .unwrap();
        let (scroll, inner) = (fit[1].as_i64().unwrap(), fit[2].as_i64().unwrap());
        assert_eq!(fit[0], lang, "{fit}");
        assert!(scroll <= inner, "{lang} at {width} px is {scroll} px wide");
        let row = if width < 640 { "flex" } else { "table-row" };
        assert_eq!(fit[3], row, "{lang} at {width} px: {fit}");
    }
    browser.close().await;
    app.stop().await;
}
