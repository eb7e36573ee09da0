//! Public dashboards and red flags (issue 6, "In the platform"), on both databases: after the
//! demo year and an import of real OCDS data, each dashboard's figures equal what the test
//! computes itself from the public bulk file and the imported records with `crates/indicators`;
//! the red-flag page lists every flagged process with explanations and links; filters narrow
//! the figures; the CSV carries every row.

use crate::both;
use crate::support::TestApp;
use serde_json::Value;
use tianguis::service::demo_year;
use tianguis::service::imports::import;
use tianguis_indicators::Lang;
use tianguis_ocds::read::{Input, ReadOptions};

fn trim_number(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

async fn get_text(app: &TestApp, path: &str) -> String {
    reqwest::Client::new()
        .get(app.url(path))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// What a reader can download: the platform's compiled releases (bulk file, plans left out)
/// and every imported process's compiled release.
pub async fn public_compiled_releases(app: &TestApp) -> Vec<Value> {
    let gz = reqwest::get(app.url("/api/ocds/bulk/compiled-releases.jsonl.gz"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut all: Vec<Value> = crate::open_data::gunzip_json_lines(&gz)
        .into_iter()
        .filter(|r| r["tender"]["status"] != "planned")
        .collect();
    let list: Value = app.get_json("/api/ocds/imported?limit=1000").await;
    for p in list["items"].as_array().unwrap() {
        let one: Value = app
            .get_json(&format!(
                "/api/ocds/imported/{}",
                p["ocid"].as_str().unwrap()
            ))
            .await;
        all.push(one["compiledRelease"].clone());
    }
    all
}

async fn dashboards_match_an_independent_computation(app: TestApp) {
    let tz = app.state.config.timezone;
    demo_year::seed(&app.state.db, &app.state.rulebook, tz, 40)
        .await
        .expect("the demo year seeds");
    let sample = "../shared/data/ocds-real/ukraine/sample/releases";
    let inputs: Vec<Input> = std::fs::read_dir(sample)
        .unwrap()
        .map(|e| Input::Path(e.unwrap().path()))
        .collect();
    import(&app.state.db, inputs, ReadOptions::default(), |_| {})
        .await
        .unwrap();

    let all = public_compiled_releases(&app).await;
    let settings =
        tianguis::service::dashboards::RuleInputs::from_rulebook(&app.state.rulebook).settings();
    let analysis = tianguis_indicators::analyze_releases(
        all.iter(),
        &settings,
        &tianguis_indicators::Options::default(),
    )
    .unwrap();
    let report = analysis.report(Lang::En);
    let market = report.market.as_ref().unwrap();
    let mut overall: Vec<_> = market
        .rows
        .iter()
        .filter(|r| r.buyer.is_none() && r.category.is_none())
        .collect();
    overall.sort_by_key(|r| r.year);
    assert!(!overall.is_empty());

    let html = get_text(&app, "/dashboards").await;
    // What the figures count, in words (issue 13), with grouped digits.
    let count = |n: usize| tianguis::format::count(n as i64, tianguis::domain::lang::Lang::En);
    assert!(
        html.contains(&format!("{} in these figures", count(all.len()))),
        "processes count"
    );
    assert!(html.contains(&format!(
        "{} processes with red flags",
        count(report.processes.len())
    )));
    assert!(html.contains("<svg"), "charts are server-rendered SVG");
    for r in &overall {
        // Suppliers and new entrants.
        let expected = format!(
            "<th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            r.year,
            r.suppliers,
            r.new_entrants
                .map(|n| n.to_string())
                .unwrap_or_else(|| "—".into())
        );
        assert!(html.contains(&expected), "{expected}");
        // HHI.
        let hhi = format!(
            "<th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>",
            r.year,
            r.hhi.map(trim_number).unwrap_or_else(|| "—".into())
        );
        assert!(html.contains(&hhi), "{hhi}");
        // Direct purchases by count, in percent.
        let direct = format!(
            "<th scope=\"row\">{}</th><td class=\"num\">{}</td>",
            r.year,
            r.direct_share_by_count
                .map(|x| trim_number((x * 10000.0).round() / 100.0))
                .unwrap_or_else(|| "—".into())
        );
        assert!(html.contains(&direct), "{direct}");
    }

    // The CSV carries every row (roll-ups and breakdowns) plus its header.
    let csv = get_text(&app, "/dashboards.csv").await;
    assert_eq!(csv.lines().count(), market.rows.len() + 1);

    // The red-flag page lists each flagged process with its explanation and a link.
    let flags = get_text(&app, "/red-flags").await;
    assert_eq!(
        flags.matches("class=\"flagged-process\"").count(),
        report.processes.len().min(500)
    );
    if let Some(p) = report.processes.first() {
        assert!(flags.contains(&p.ocid));
        let explanation = p.flags[0]
            .explanation
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#x27;");
        assert!(flags.contains(&explanation) || flags.contains(&p.flags[0].code.to_string()));
    }

    // Flags are shown on the tender page of a flagged process of the platform.
    let mut shown = false;
    for p in &report.processes {
        let tender = {
            let mut conn = app.state.db.read().await.unwrap();
            tianguis::repository::tenders::find_by_ocid(&mut conn, &p.ocid)
                .await
                .unwrap()
        };
        if let Some(t) = tender {
            let page = get_text(&app, &format!("/tenders/{}", t.id)).await;
            assert!(page.contains("id=\"red-flags\""), "{}", p.ocid);
            for f in &p.flags {
                // A translated title, with its code kept small for auditors (issue 13).
                assert!(
                    page.contains(&format!("<code>{}</code>", f.code))
                        && !page.contains(&format!("<strong>{} — ", f.code)),
                    "{} {}",
                    p.ocid,
                    f.code
                );
            }
            shown = true;
            break;
        }
    }
    assert!(shown, "the demo year has flagged processes of its own");

    // A blank year (what a browser sends) means none; a wrong one is refused and says why.
    let blank = reqwest::get(app.url("/api/dashboards?from=&to=&buyer="))
        .await
        .unwrap();
    assert_eq!(blank.status(), reqwest::StatusCode::OK);
    let bad = reqwest::get(app.url("/api/dashboards?from=abc"))
        .await
        .unwrap();
    assert_eq!(bad.status(), reqwest::StatusCode::BAD_REQUEST);
    assert_eq!(
        crate::support::error_code(&bad.text().await.unwrap()).as_deref(),
        Some("request.invalid_query")
    );

    // Filters narrow the figures: the direct purchases alone.
    let direct_only: Vec<Value> = all
        .iter()
        .filter(|r| r["tender"]["procurementMethod"] == "direct")
        .cloned()
        .collect();
    let json: Value = app.get_json("/api/dashboards?method=direct").await;
    assert_eq!(
        json["processes"].as_u64().unwrap() as usize,
        direct_only.len()
    );
    let expected = tianguis_indicators::analyze_releases(
        direct_only.iter(),
        &settings,
        &tianguis_indicators::Options::default(),
    )
    .unwrap()
    .report(Lang::Es);
    assert_eq!(
        json["market"]["rows"],
        serde_json::to_value(&expected.market.as_ref().unwrap().rows).unwrap()
    );
    app.stop().await;
}
both!(dashboards, dashboards_match_an_independent_computation);

/// Issue 13: a direct purchase (compra directa con oferta electrónica) whose bidding period the
/// rulebook allows is not flagged "short submission period" on the platform's pages, which use
/// the rulebook in force; Cardinal's own settings (the CLI's `--format cardinal`) still flag it
/// against their 15 days.
async fn submission_period_follows_the_rulebook(app: TestApp) {
    use crate::esourcing::{As, item, register_opening_keys};
    use serde_json::json;
    register_opening_keys(&app).await;
    let buyer = As::user(&app, "compras").await;
    let now = app.state.now();
    let tz = app.state.config.timezone;
    let members = vec![
        app.user_id("evaluador1").await,
        app.user_id("evaluador2").await,
        app.user_id("evaluador3").await,
    ];
    // Q 40,000, bids due in five days: within Art. 43 b) LCE's band and period.
    let (s, t) = buyer
        .post(
            "/api/tenders",
            json!({
                "title": "Compra directa de amoxicilina para consulta externa",
                "description": "Reposición de existencias.",
                "method": "compra_directa",
                "clarification_deadline": now.plus_seconds(2 * 86_400).to_local_input(tz),
                "bid_deadline": now.plus_seconds(5 * 86_400).to_local_input(tz),
                "items": [{"lot": 1, "catalogue_item_id": item(&app, "MED-0005").await,
                           "quantity": "100000", "unit_price": "0.40"}],
                "requirements": ["Registro sanitario vigente"],
                "committee": members,
                "threshold": 2
            }),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{t}");
    let ocid = t["ocid"].as_str().unwrap().to_owned();
    let (s, t) = buyer.publish(t["id"].as_i64().unwrap()).await;
    assert_eq!(s, reqwest::StatusCode::OK, "{t}");

    let (all, own) = tianguis::service::dashboards::compiled_releases(&app.state.db)
        .await
        .unwrap();
    let flags_of = |processes: &[tianguis_indicators::report::ProcessReport]| -> Vec<String> {
        processes
            .iter()
            .filter(|p| p.ocid == ocid)
            .flat_map(|p| p.flags.iter().map(|f| f.code.to_string()))
            .collect()
    };
    let platform = tianguis::service::dashboards::compute(
        &all,
        own,
        &Default::default(),
        &tianguis::service::dashboards::RuleInputs::from_rulebook(&app.state.rulebook),
    )
    .unwrap();
    let on_platform = flags_of(&platform.report(tianguis::domain::lang::Lang::En).processes);
    assert!(
        !on_platform.contains(&"R003".to_string()),
        "{on_platform:?}"
    );

    let cardinal = tianguis_indicators::analyze_releases(
        all.iter(),
        &tianguis_indicators::Settings::all_cardinal_indicators(),
        &tianguis_indicators::Options::default(),
    )
    .unwrap();
    let with_cardinal = flags_of(&cardinal.report(Lang::En).processes);
    assert!(
        with_cardinal.contains(&"R003".to_string()),
        "{with_cardinal:?}"
    );
}

both!(
    submission_period_follows_the_rulebook_test,
    submission_period_follows_the_rulebook
);
