//! Charts with real axes (issue 13, foundation point 4 and the "Charts" finding), on both
//! databases: the dashboard and live-auction charts, as served, carry a title and description
//! in the page's language, axis labels with formatted values (money, percentages, local clock
//! times, years) and their series' names; a figure never mixes a share and a count on one axis.

use crate::both;
use crate::support::TestApp;
use regex::Regex;
use std::time::{Duration, Instant};

async fn page(app: &TestApp, path: &str, lang: &str) -> String {
    let response = reqwest::Client::new()
        .get(app.url(path))
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK, "{path}");
    response.text().await.unwrap()
}

/// The texts of an SVG's `<text>` elements, trimmed.
fn texts(svg: &str) -> Vec<String> {
    Regex::new(r"(?s)<text[^>]*>(.*?)</text>")
        .unwrap()
        .captures_iter(svg)
        .map(|c| c[1].trim().to_string())
        .collect()
}

/// Each chart (both variants) of a page, by the id its title derives from.
fn svgs<'a>(html: &'a str, id: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    for suffix in ["n", "w"] {
        let title = format!("<title id=\"{id}-{suffix}-title\">");
        let at = html
            .find(&title)
            .unwrap_or_else(|| panic!("no {title} in the page"));
        let start = html[..at].rfind("<svg").unwrap();
        let end = at + html[at..].find("</svg>").unwrap();
        out.push(&html[start..end]);
    }
    out
}

fn title_of(svg: &str) -> String {
    let start = svg.find("-title\">").unwrap() + 8;
    svg[start..start + svg[start..].find("</title>").unwrap()].to_string()
}

async fn charts_read_in_the_page_language(app: TestApp) {
    let tz = app.state.config.timezone;
    tianguis::service::demo_year::seed(&app.state.db, &app.state.rulebook, tz, 20)
        .await
        .unwrap();
    let years = Regex::new(r"^20\d\d$").unwrap();
    for (lang, percent, suppliers, bars) in [
        (
            "es",
            Regex::new(r"^\d+ %$").unwrap(),
            "Número de proveedores",
            "Gráfica de barras",
        ),
        (
            "en",
            Regex::new(r"^\d+%$").unwrap(),
            "Number of suppliers",
            "Bar chart",
        ),
    ] {
        let html = page(&app, "/dashboards", lang).await;
        assert!(
            !html.contains("aria-label=\"price"),
            "no English aria-label"
        );
        for svg in svgs(&html, "dash-suppliers") {
            assert!(svg.contains("role=\"img\""));
            assert!(svg.contains("aria-labelledby=\"dash-suppliers-"));
            assert!(svg.contains(&format!("{bars} ")), "{lang}: {svg}");
            let t = texts(svg);
            assert!(t.contains(&suppliers.to_string()), "{lang}: {t:?}");
            assert!(t.iter().any(|x| years.is_match(x)), "years: {t:?}");
            // A count axis: ticks are whole numbers from zero, several of them.
            assert!(t.contains(&"0".to_string()), "{t:?}");
            assert!(
                t.iter().filter(|x| x.parse::<u32>().is_ok()).count() >= 3,
                "{t:?}"
            );
        }
        // Shares and counts on separate charts: percentages here, none on the bidders chart.
        for svg in svgs(&html, "dash-single-bid") {
            let t = texts(svg);
            assert!(
                t.iter().filter(|x| percent.is_match(x)).count() >= 2,
                "{lang}: {t:?}"
            );
        }
        for svg in svgs(&html, "dash-bidders") {
            let t = texts(svg);
            assert!(!t.iter().any(|x| x.contains('%')), "{lang}: {t:?}");
        }
        // Two series of shares: both named, once each per variant.
        let [narrow, wide] = svgs(&html, "dash-concentration")[..] else {
            unreachable!()
        };
        for svg in [narrow, wide] {
            let t = texts(svg);
            let top10 = if lang == "es" {
                "10 mayores (%)"
            } else {
                "Top 10 (%)"
            };
            assert_eq!(t.iter().filter(|x| *x == top10).count(), 1, "{lang}: {t:?}");
        }
        let expected = if lang == "es" {
            "Participación de los mayores proveedores (% del valor adjudicado)"
        } else {
            "Share of the largest suppliers (% of awarded value)"
        };
        assert_eq!(title_of(narrow), expected);
    }
    app.stop().await;
}

both!(dashboard_charts, charts_read_in_the_page_language);

async fn auction_chart_has_money_and_clock_axes(app: TestApp) {
    let rules = tianguis::service::auctions::synthetic::soft_close_rules(600, 10, 60);
    let auction =
        tianguis::service::auctions::synthetic::seed(&app.state.db, 1, 2, &rules, app.state.now())
            .await
            .unwrap()[0];
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let info = app.get_json(&format!("/api/auctions/{auction}")).await;
        if info["view"]["phase"]["phase"] == "window" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the auction did not start: {info}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token = app.token_for("proveedor1").await;
    let ack: serde_json::Value = reqwest::Client::new()
        .post(app.url(&format!("/api/auctions/{auction}/bids")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"price": "999990.50"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ack["outcome"]["status"], "accepted", "{ack}");
    let money = Regex::new(r"^Q \d{1,3}(,\d{3})*\.\d{2}$").unwrap();
    let clock = Regex::new(r"^\d{2}:\d{2}(:\d{2})?$").unwrap();
    for (lang, title, bidder, steps) in [
        (
            "es",
            "Precio en el tiempo",
            "Oferente",
            "Gráfica escalonada",
        ),
        ("en", "Price over time", "Bidder", "Step chart"),
    ] {
        // Server-rendered in the page, and alone for the live script: the same chart.
        let html = page(&app, &format!("/auctions/{auction}"), lang).await;
        let fragment = page(&app, &format!("/auctions/{auction}/chart"), lang).await;
        for source in [&html, &fragment] {
            for svg in svgs(source, "auction-chart") {
                assert_eq!(title_of(svg), title);
                assert!(svg.contains(&format!("{steps} ")), "{lang}: {svg}");
                let t = texts(svg);
                assert!(t.iter().filter(|x| money.is_match(x)).count() >= 2, "{t:?}");
                assert!(t.iter().filter(|x| clock.is_match(x)).count() >= 2, "{t:?}");
                // Both bidders named in full beside their lines.
                let names = t.iter().filter(|x| x.starts_with(&format!("{bidder} ")));
                assert_eq!(names.count(), 2, "{lang}: {t:?}");
            }
            // The chart's data table: the bid at its exact price.
            assert!(source.contains("Q 999,990.50"), "{lang}");
        }
        assert!(!html.contains("aria-label=\"price over time\""));
    }
    app.stop().await;
}

both!(auction_chart, auction_chart_has_money_and_clock_axes);
