//! The page sweep (issue 13, "Tests"): every page each role can reach, in headless Chromium at
//! 390 and 1366 CSS pixels, in Spanish and in English, must
//! - fit the screen (`scrollWidth <= innerWidth`, WCAG 1.4.10 Reflow; wide tables scroll inside
//!   their own region, which the page component provides),
//! - show no raw message key (`field-prices`, `flash-…`), in text or in labels read aloud,
//! - on English pages, show no Spanish interface text (a heading, label, button, column header,
//!   tag or hint whose words are a Spanish message of the platform),
//! - pass axe-core (the npm package, run inside the page) with no violation of WCAG 2.x A/AA.
//!
//! The pages are found as a user finds them: by following the links of each role's pages from
//! its desk, one page per shape of address (`/tenders/12` and `/tenders/31` are one shape), plus
//! the pages reached by forms. One database is enough for a sweep of pages (the issue's cost
//! note); the other tests cover both engines.

use crate::browser::Browser;
use crate::support::{Backend, TestApp, open_session};
use fantoccini::cookies::Cookie;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;
use tianguis::service::demo_year;

/// Pages reached by forms or typed addresses rather than links.
const START: &[&str] = &[
    "/",
    "/tenders",
    "/tenders?q=paracetamol",
    "/suppliers",
    "/catalogue",
    "/catalogue/items/1",
    "/auctions",
    "/dashboards",
    "/red-flags",
    "/open-data",
    "/audit",
    "/plan",
    "/api/docs",
    "/design",
    "/login",
    "/register",
    "/account",
    "/notifications",
    "/portal",
    // Product cards (issue 14): the firm's list, the new card's form, and a demo card of
    // proveedor1 (the second of `demo_products::DEMO_CARDS`, seeded second on a new database).
    "/portal/products",
    "/portal/products/new",
    "/portal/products/2",
    "/workspace",
    "/committee",
    "/admin/users",
    "/admin/users/new",
    "/tenders/new",
    "/catalogue/proposals",
    "/catalogue/import",
    "/does-not-exist",
];

/// Pages a role visits at most (the crawl is breadth-first, so its desk's pages come first).
const MAX_PAGES: usize = 40;
const WIDTHS: [u32; 2] = [390, 1366];

/// Reference pages whose body is the same for everyone (only the header changes with the role):
/// swept once, for the anonymous visitor. The API reference is the longest page there is, and
/// axe-core takes over a minute on it in a loaded debug session.
const SWEPT_ONCE: &[&str] = &["/api/docs", "/design"];

/// Tenders in the seeded year: enough for every phase (open, in evaluation, awarded,
/// contracted, cancelled, with an auction) to have a page.
const TENDERS: usize = 16;

/// axe-core from tests/browser/node_modules, installed with `npm ci` when missing.
fn axe_source() -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let file = dir.join("node_modules/axe-core/axe.min.js");
    if !file.is_file() {
        let status = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--silent"])
            .current_dir(&dir)
            .status()
            .expect("npm runs (install Node.js and npm)");
        assert!(status.success(), "npm ci in tests/browser failed");
    }
    std::fs::read_to_string(&file).expect("axe-core is installed")
}

/// Every message id of the interface, and the Spanish messages whose English differs (Spanish
/// interface text on an English page is one of those).
fn messages() -> (BTreeSet<String>, BTreeSet<String>) {
    let read = |lang: &str| -> BTreeMap<String, String> {
        let path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("locales/{lang}/main.ftl"));
        let text = std::fs::read_to_string(path).unwrap();
        let mut out = BTreeMap::new();
        for line in text.lines() {
            if let Some((id, value)) = line.split_once(" = ")
                && !id.is_empty()
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && id.starts_with(|c: char| c.is_ascii_lowercase())
            {
                out.insert(id.to_string(), value.trim().to_string());
            }
        }
        out
    };
    let es = read("es");
    let en = read("en");
    // A key that is also a word of the interface's own sentences ("sign-in") is not a raw key.
    let keys: BTreeSet<String> = es
        .keys()
        .chain(en.keys())
        .filter(|k| {
            !es.values()
                .chain(en.values())
                .any(|v| v.contains(k.as_str()))
        })
        .cloned()
        .collect();
    let spanish = es
        .iter()
        .filter(|(id, value)| {
            // Whole phrases only: a single short word (a name, "Total", "NIT") is the same in
            // both languages too often to tell.
            value.chars().count() >= 4
                && !value.contains('{')
                && en.get(*id).is_some_and(|e| e != *value)
                && !en.values().any(|e| e == *value)
        })
        .map(|(_, v)| v.clone())
        .collect();
    (keys, spanish)
}

/// The shape of an address: digits become `N`, and the query keeps its parameters' names
/// (`/tenders?page=2` and `/tenders?page=3` are one shape, `/tenders?q=…` another).
fn shape(path: &str) -> String {
    let path = path.split('#').next().unwrap_or(path);
    let (bare, query) = path.split_once('?').unwrap_or((path, ""));
    let mut out = String::new();
    let mut digits = false;
    for c in bare.chars() {
        if c.is_ascii_digit() {
            if !digits {
                out.push('N');
            }
            digits = true;
        } else {
            digits = false;
            out.push(c);
        }
    }
    let mut names: Vec<&str> = query
        .split('&')
        .filter_map(|p| p.split('=').next())
        .filter(|n| !n.is_empty())
        .collect();
    names.sort();
    names.dedup();
    if !names.is_empty() {
        out.push('?');
        out.push_str(&names.join("&"));
    }
    out
}

/// Links worth visiting: pages of this node, not files, feeds, the API or sign-out.
fn page_links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in html.split("href=\"").skip(1) {
        let Some(href) = part.split('"').next() else {
            continue;
        };
        let href = href.replace("&amp;", "&");
        let path = href.split('#').next().unwrap_or("").to_string();
        let bare = path.split('?').next().unwrap_or("");
        let skip = !path.starts_with('/')
            || path.starts_with("//")
            || (bare.starts_with("/api/") && bare != "/api/docs")
            || bare.starts_with("/assets/")
            || bare.starts_with("/ocds")
            || [
                ".csv", ".json", ".pdf", ".xlsx", ".xml", ".zip", ".svg", ".txt",
            ]
            .iter()
            .any(|ext| bare.ends_with(ext))
            || bare.contains("/documents/")
            || bare.ends_with("/download");
        if !skip {
            out.push(path);
        }
    }
    out
}

/// The pages a role reaches from its start pages, one per address shape.
async fn crawl(app: &TestApp, cookie: Option<&str>) -> Vec<String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut seen_shapes = BTreeSet::new();
    let mut queue: VecDeque<String> = START.iter().map(|s| s.to_string()).collect();
    let mut pages = Vec::new();
    while let Some(path) = queue.pop_front() {
        if pages.len() >= MAX_PAGES {
            break;
        }
        if !seen_shapes.insert(shape(&path)) {
            continue;
        }
        let mut request = client.get(app.url(&path));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        let Ok(response) = request.send().await else {
            continue;
        };
        let status = response.status();
        // A page this role is sent away from (sign-in, forbidden) is not one of its pages;
        // the unknown address is kept to sweep the error page.
        if status.is_redirection() || (status.is_client_error() && path != "/does-not-exist") {
            continue;
        }
        let is_html = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if !is_html {
            continue;
        }
        let html = response.text().await.unwrap_or_default();
        pages.push(path);
        for link in page_links(&html) {
            queue.push_back(link);
        }
    }
    pages
}

/// Reads the page in the browser: its widths, the elements that stick out, its text and the
/// interface's own words.
const INSPECT: &str = r#"
const w = window.innerWidth;
const sw = document.documentElement.scrollWidth;
const out = [];
if (sw > w) {
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right <= w + 1 || r.width === 0) continue;
    let p = el.parentElement, clipped = false;
    while (p && p !== document.body) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') { clipped = true; break; }
      p = p.parentElement;
    }
    if (!clipped) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''} right=${Math.round(r.right)}`);
    if (out.length >= 4) break;
  }
}
const said = [...document.querySelectorAll('[aria-label],[title],[placeholder],[alt]')]
  .flatMap(e => ['aria-label', 'title', 'placeholder', 'alt'].map(a => e.getAttribute(a)).filter(Boolean));
const ui = [...document.querySelectorAll('h1,h2,h3,h4,th,label,legend,button,summary,caption,dt,nav a,.tag,.hint,.field-error,.flash,.banner-title,option')]
  .map(e => e.innerText.trim()).filter(Boolean).concat(said, [document.title]);
return { w, sw, out, text: document.body.innerText + '\n' + said.join('\n'), ui };
"#;

/// Runs axe-core in the page (injected each time: pages share no script state) and returns its
/// violations as "rule: target" lines.
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] })
  .then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)))
  .catch(e => done(['axe failed: ' + e]));
"#;

fn raw_keys(text: &str, keys: &BTreeSet<String>) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "\"'()[]:;,.«»“”".contains(c))
        .filter(|t| t.contains('-') && keys.contains(*t))
        .map(str::to_string)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Sweeps the pages of these roles. The roles are split over four tests so that the suite runs
/// them beside the other tests on a 2-core machine rather than as one long tail.
async fn sweep(roles: &[Option<&str>]) {
    let Some(app) = TestApp::start(Backend::Sqlite).await else {
        return;
    };
    let tz = app.state.config.timezone;
    demo_year::seed(&app.state.db, &app.state.rulebook, tz, TENDERS)
        .await
        .expect("the demo year seeds");
    let Some(browser) = Browser::start().await else {
        return;
    };
    let axe = axe_source();
    let (keys, spanish) = messages();
    let c = &browser.client;
    // axe-core needs seconds on a long page in a debug build's browser session, and minutes on
    // the API reference when the machine is busy: these are bounds on a hung page, not waits.
    c.update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
        Some(std::time::Duration::from_secs(900)),
        Some(std::time::Duration::from_secs(300)),
        None,
    ))
    .await
    .unwrap();
    let mut findings: Vec<String> = Vec::new();
    let mut visited = 0;
    let mut reported = 0;
    // While mending pages, `SWEEP_ROLES=anonymous,compras` and `SWEEP_WIDTHS=390` narrow a run;
    // the suite runs everything.
    let only = |var: &str, name: &str| {
        std::env::var(var)
            .map(|v| v.split(',').any(|x| x == name))
            .unwrap_or(true)
    };
    for role in roles {
        if !only("SWEEP_ROLES", role.unwrap_or("anonymous")) {
            continue;
        }
        let session = match role {
            Some(username) => {
                let id = app.user_id(username).await;
                Some(open_session(&app.state.db, id).await.0)
            }
            None => None,
        };
        let cookie = session
            .as_ref()
            .map(|token| crate::support::session_cookie(token));
        let mut pages = crawl(&app, cookie.as_deref()).await;
        if role.is_some() {
            pages.retain(|p| !SWEPT_ONCE.contains(&p.as_str()));
        }
        let who = role.unwrap_or("anonymous");
        for lang in ["es", "en"] {
            c.goto(&app.url("/healthz")).await.unwrap();
            c.delete_all_cookies().await.unwrap();
            let mut lang_cookie = Cookie::new(tianguis::api::context::LANG_COOKIE, lang);
            lang_cookie.set_path("/");
            lang_cookie.set_domain("127.0.0.1");
            lang_cookie.set_same_site(cookie::SameSite::Lax);
            c.add_cookie(lang_cookie).await.unwrap();
            if let Some(token) = &session {
                let mut s = Cookie::new(tianguis::api::context::SESSION_COOKIE, token.clone());
                s.set_path("/");
                s.set_domain("127.0.0.1");
                s.set_same_site(cookie::SameSite::Lax);
                c.add_cookie(s).await.unwrap();
            }
            for width in WIDTHS {
                if !only("SWEEP_WIDTHS", &width.to_string()) {
                    continue;
                }
                c.set_window_size(width, 900).await.unwrap();
                for path in &pages {
                    let started = std::time::Instant::now();
                    c.goto(&app.url(path)).await.unwrap();
                    visited += 1;
                    let at = format!("{who} {lang} {width}px {path}");
                    let seen = c.execute(INSPECT, vec![]).await.unwrap();
                    let inner = seen["w"].as_i64().unwrap();
                    assert!(
                        (inner - i64::from(width)).abs() <= 20,
                        "the window is {inner} px wide, not {width}"
                    );
                    if seen["sw"].as_i64().unwrap() > inner {
                        findings.push(format!(
                            "{at}: {} px wide on a {inner} px screen: {}",
                            seen["sw"], seen["out"]
                        ));
                    }
                    let found = raw_keys(seen["text"].as_str().unwrap_or(""), &keys);
                    if !found.is_empty() {
                        findings.push(format!("{at}: raw message keys {found:?}"));
                    }
                    if lang == "en" {
                        let untranslated: BTreeSet<&str> = seen["ui"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .filter_map(|v| v.as_str())
                            .filter(|t| spanish.contains(*t))
                            .collect();
                        if !untranslated.is_empty() {
                            findings.push(format!("{at}: Spanish interface text {untranslated:?}"));
                        }
                    }
                    c.execute(&axe, vec![]).await.unwrap();
                    let violations = c.execute_async(AXE_RUN, vec![]).await.unwrap();
                    for v in violations.as_array().unwrap() {
                        findings.push(format!("{at}: axe {}", v.as_str().unwrap_or("")));
                    }
                    for f in &findings[reported..] {
                        eprintln!("FINDING {f}");
                    }
                    reported = findings.len();
                    eprintln!("swept {at} in {:?}", started.elapsed());
                }
            }
        }
    }
    browser.close().await;
    app.stop().await;
    if std::env::var("SWEEP_ROLES").is_err() && std::env::var("SWEEP_WIDTHS").is_err() {
        assert!(visited > 40, "the sweep visited only {visited} pages");
    }
    assert!(
        findings.is_empty(),
        "{} findings in {visited} page views:\n{}",
        findings.len(),
        findings.join("\n")
    );
}

// The roles of the demo institution, by account (`None`: an anonymous visitor).

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_of_the_public_and_the_observer() {
    sweep(&[None, Some("observador")]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_of_the_buyer_and_the_administrator() {
    sweep(&[Some("compras"), Some("admin")]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_of_the_committee_the_analyst_and_a_unit() {
    sweep(&[Some("evaluador1"), Some("analista"), Some("farmacia")]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_of_the_supplier_and_the_warehouse() {
    sweep(&[Some("proveedor1"), Some("bodega")]).await;
}
