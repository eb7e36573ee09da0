//! The simulated demo year and each role's desk on top of it: the buyer workspace, the supplier
//! portal (bids, receipts, contracts), the committee workspace, notifications, the plan against
//! what was tendered and awarded, and every seeded tender's public page.

use crate::both;
use crate::esourcing::As;
use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::Value;
use tianguis::service::audit::{self, Verification};
use tianguis::service::demo_year;

const TENDERS: usize = 48;

async fn page(app: &TestApp, who: &str, path: &str) -> (StatusCode, String) {
    let (cookie, _) = app.session_for(who).await;
    let r = reqwest::Client::new()
        .get(app.url(path))
        .header("cookie", crate::support::session_cookie(&cookie))
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn desks(app: TestApp) {
    let tz = app.state.config.timezone;
    let report = demo_year::seed(&app.state.db, &app.state.rulebook, tz, TENDERS)
        .await
        .expect("the demo year seeds");
    assert_eq!(report.tenders, TENDERS);
    assert_eq!(
        report.refused_steps, 0,
        "every step was accepted: {report:?}"
    );
    assert!(report.plan_lines > 100, "{report:?}");
    assert!(report.bids > TENDERS, "{report:?}");
    assert!(report.contracts > TENDERS / 2, "{report:?}");
    let again = demo_year::seed(&app.state.db, &app.state.rulebook, tz, TENDERS)
        .await
        .unwrap();
    assert_eq!(again.tenders, 0, "a second run adds nothing");
    assert!(matches!(
        audit::verify(&app.state.db).await.unwrap(),
        Verification::Intact { .. }
    ));

    // The buyer workspace accounts for every tender not yet finished.
    let buyer = As::user(&app, "compras").await;
    let (s, ws) = buyer.get("/api/me/workspace?phase=evaluation").await;
    assert_eq!(s, StatusCode::OK, "{ws}");
    let in_progress: i64 = ws["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_i64().unwrap())
        .sum();
    let (_, all) = buyer.get("/api/tenders?per_page=1").await;
    let mut finished = 0;
    for phase in ["contracted", "cancelled", "unsuccessful"] {
        let (_, r) = buyer
            .get(&format!("/api/tenders?phase={phase}&per_page=1"))
            .await;
        finished += r["total"].as_i64().unwrap();
    }
    assert!(finished > 0 && in_progress > 0, "{ws}");
    assert_eq!(
        in_progress + finished,
        TENDERS as i64,
        "drafts, open calls and the rest: {ws} {all}"
    );
    // "Open to bids" is both phases that take bids, and the supplier portal links to it.
    let mut taking_bids = 0;
    for phase in ["clarification", "bid_submission"] {
        let (_, r) = buyer
            .get(&format!("/api/tenders?phase={phase}&per_page=1"))
            .await;
        taking_bids += r["total"].as_i64().unwrap();
    }
    let (_, open) = buyer.get("/api/tenders?phase=open&per_page=1").await;
    assert!(taking_bids > 0, "the demo year has tenders taking bids");
    assert_eq!(open["total"].as_i64().unwrap(), taking_bids, "{open}");
    let (_, portal) = page(&app, "proveedor1", "/portal").await;
    assert!(portal.contains("href=\"/tenders?phase=open\""), "{portal}");
    let (s, _) = buyer.get("/api/me/workspace?phase=nonsense").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, html) = page(&app, "compras", "/workspace?phase=draft").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("data-testid=\"tab-evaluation\""));

    // The supplier portal: bids with receipts, contracts; others' receipts stay hidden.
    let mut portal_with_bids = None;
    for who in [
        "proveedor1",
        "proveedor2",
        "proveedor3",
        "proveedor4",
        "ventas01",
        "ventas02",
    ] {
        let (s, portal) = As::user(&app, who).await.get("/api/me/portal").await;
        assert_eq!(s, StatusCode::OK, "{portal}");
        if !portal["bids"].as_array().unwrap().is_empty() {
            portal_with_bids = Some((who, portal));
            break;
        }
    }
    let (who, portal) = portal_with_bids.expect("the busiest firms bid in the demo year");
    let supplier = As::user(&app, who).await;
    let bid = &portal["bids"][0];
    let (s, receipt) = supplier
        .get(&format!("/api/bids/{}/receipt", bid["id"]))
        .await;
    assert_eq!(s, StatusCode::OK, "{receipt}");
    assert_eq!(receipt["receipt_hash"], bid["receipt_hash"]);
    let other = if who == "proveedor1" {
        "ventas03"
    } else {
        "proveedor1"
    };
    let (s, _) = As::user(&app, other)
        .await
        .get(&format!("/api/bids/{}/receipt", bid["id"]))
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another firm's bid is not even acknowledged"
    );
    let (s, html) = page(&app, who, "/portal").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(bid["receipt_hash"].as_str().unwrap()));
    let (s, html) = page(&app, who, &format!("/bids/{}/receipt", bid["id"])).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("data-testid=\"receipt-hash\""));

    // Notifications reach the bidders in their language and can be marked read.
    let (s, notes) = supplier.get("/api/me/notifications").await;
    assert_eq!(s, StatusCode::OK);
    let items = notes["items"].as_array().unwrap();
    assert!(
        !items.is_empty(),
        "a bidder hears about openings and awards"
    );
    assert!(
        items
            .iter()
            .all(|n| !n["message"].as_str().unwrap().starts_with("notification-")),
        "translated: {notes}"
    );
    let (s, marked) = supplier
        .post("/api/me/notifications/read", serde_json::json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(marked["marked"], notes["unread"]);
    let (_, notes) = supplier.get("/api/me/notifications").await;
    assert_eq!(notes["unread"], 0);

    // The committee workspace: the member's key and their tenders with the next step.
    let (s, desk) = As::user(&app, "evaluador1")
        .await
        .get("/api/me/committee")
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(desk["key_fingerprint"].as_str().unwrap().len(), 39);
    let tenders = desk["tenders"].as_array().unwrap();
    assert!(!tenders.is_empty());
    for t in tenders {
        assert!(
            ["open", "declare", "evaluate", "wait", "await_bids", "none"]
                .contains(&t["next_step"].as_str().unwrap()),
            "{t}"
        );
    }
    let (s, html) = page(&app, "evaluador1", "/committee").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("data-testid=\"key-fingerprint\""));

    // Plan against actual: lines executed by tenders show what was awarded.
    let year = {
        let (_, plan) = buyer.get("/api/plan").await;
        plan
    };
    let lines = year.as_array().unwrap();
    assert!(!lines.is_empty());
    assert!(
        lines
            .iter()
            .any(|l| !l["tenders"].as_array().unwrap().is_empty()),
        "tenders execute plan lines"
    );

    // Every public tender page and evaluation report renders.
    let (_, list) = reqwest::get(app.url("/api/tenders?per_page=200"))
        .await
        .map(|r| ((), r))
        .unwrap();
    let list: Value = list.json().await.unwrap();
    let mut reports = 0;
    for t in list["items"].as_array().unwrap() {
        let id = t["id"].as_i64().unwrap();
        let r = reqwest::get(app.url(&format!("/tenders/{id}")))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "tender {id}");
        if t["phase"] == "contracted" && !t["direct_award"].as_bool().unwrap() && reports < 3 {
            let r = reqwest::get(app.url(&format!("/tenders/{id}/evaluation-report.pdf")))
                .await
                .unwrap();
            if r.status() == StatusCode::OK {
                assert_eq!(r.headers()["content-type"], "application/pdf");
                assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
                reports += 1;
            }
        }
    }
    assert!(reports > 0, "competitive contracted tenders have a report");
}
both!(demo_year_and_desks, desks);
