//! Issue 13, finding things: the tender search (codes, exact matches first, accents, plurals,
//! supplier names, "1 resultado"), following and unfollowing a tender, notifications (newest
//! first, paginated, unread in words, no "S.A.."), suppliers' public history and the auctions
//! list.

use crate::both;
use crate::esourcing::{As, bid, item, register_opening_keys, tender_form};
use crate::support::{TestApp, page_text, post_form, session_cookie};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tianguis::repository::audit::{self, AuditFilter};
use tianguis::service::demo_year;

/// Ids of the tenders a public search returns, in order.
async fn found(app: &TestApp, q: &str) -> (Vec<i64>, i64) {
    let url = format!("/api/tenders?per_page=200&q={}", urlencode(q));
    let page = app.get_json(&url).await;
    let ids = page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    (ids, page["total"].as_i64().unwrap())
}

fn urlencode(q: &str) -> String {
    url::form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

/// Publishes a tender made from the shared two-lot form, with a reference and lot 1's item.
async fn publish(app: &TestApp, reference: &str, lot1_code: &str, description: &str) -> Value {
    let buyer = As::user(app, "compras").await;
    let mut form = tender_form(app, app.state.now()).await;
    form["reference"] = json!(reference);
    form["description"] = json!(description);
    form["items"][0]["catalogue_item_id"] = json!(item(app, lot1_code).await);
    let (s, t) = buyer.post("/api/tenders", form).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let id = t["id"].as_i64().unwrap();
    let (s, t) = buyer.publish(id).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    app.get_json(&format!("/api/tenders/{id}")).await
}

async fn audit_count(app: &TestApp, tender_id: i64, action: &str) -> usize {
    let mut conn = app.state.db.read().await.unwrap();
    let filter = AuditFilter {
        entity_type: Some("tender".into()),
        entity_id: Some(tender_id.to_string()),
        ..AuditFilter::default()
    };
    audit::list(&mut conn, &filter, 10_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == action)
        .count()
}

async fn search_and_follow(app: TestApp) {
    register_opening_keys(&app).await;
    // X's reference contains 0020; Y buys the catalogue item MED-0020.
    let x = publish(
        &app,
        "HOSP-2026-0020",
        "MED-0005",
        "Disposable syringes and gloves for the wards.",
    )
    .await;
    let y = publish(&app, "HOSP-2026-0777", "MED-0020", "Compra anual.").await;
    // Z, published last, has a reference that the exact one is a prefix of.
    let z = publish(&app, "HOSP-2026-00201", "MED-0005", "Compra anual.").await;
    let (x_id, y_id) = (
        x["tender"]["id"].as_i64().unwrap(),
        y["tender"]["id"].as_i64().unwrap(),
    );
    let z_id = z["tender"]["id"].as_i64().unwrap();

    // A code typed with its separators matches that code, not references holding 0020.
    let (ids, _) = found(&app, "MED-0020").await;
    assert_eq!(ids, vec![y_id], "MED-0020 found HOSP-2026-0020");
    // The exact reference, in any case, comes first; newer tenders that merely start with it
    // follow.
    let (ids, _) = found(&app, "hosp-2026-0020").await;
    assert_eq!(ids, vec![x_id, z_id]);
    let (ids, _) = found(&app, "HOSP-2026-00201").await;
    assert_eq!(ids, vec![z_id]);

    // Accents ignored, singular and plural both ways, in Spanish and English.
    for q in [
        "adquisicion",
        "ADQUISICIÓN",
        "jeringa",
        "jeringas",
        "syringe",
        "glove",
        "amoxicilinas",
    ] {
        let (ids, _) = found(&app, q).await;
        assert!(ids.contains(&x_id), "{q} finds X: {ids:?}");
    }
    let (ids, _) = found(&app, "syringes gloves").await;
    assert_eq!(ids, vec![x_id]);
    let (ids, _) = found(&app, "jeringas anual").await;
    assert_eq!(ids, vec![z_id, y_id], "newest first among equals");

    // "1 resultado" / "1 result" on the page.
    let es = page_text(app.url("/tenders?q=HOSP-2026-0777"), None).await;
    assert!(
        es.contains("1 resultado<") || es.contains("1 resultado\n"),
        "{es}"
    );
    assert!(!es.contains("1 resultados"));
    let en = reqwest::Client::new()
        .get(app.url("/tenders?q=HOSP-2026-0777"))
        .header(reqwest::header::ACCEPT_LANGUAGE, "en-US,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        en.contains("1 result<") || en.contains("1 result\n"),
        "{en}"
    );

    // A sealed bid stays secret: its supplier's name does not find the tender, and its
    // public profile does not list it.
    let supplier = As::user(&app, "proveedor1").await;
    let lot1 = x["lots"][0]["lot"]["id"].as_i64().unwrap();
    let item1 = x["lots"][0]["items"][0]["item"]["id"].as_i64().unwrap();
    let (s, body) = supplier
        .post(
            &format!("/api/tenders/{x_id}/bids"),
            bid(lot1, item1, "0.95"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (_, me) = supplier.get("/api/me").await;
    let supplier_id = me["supplier_id"].as_i64().unwrap_or_else(|| panic!("{me}"));
    let profile = app.get_json(&format!("/api/suppliers/{supplier_id}")).await;
    assert_eq!(profile["bids"], json!([]), "{profile}");
    let name = profile["legal_name"].as_str().unwrap().to_string();
    let (ids, _) = found(&app, &name).await;
    assert!(!ids.contains(&x_id), "a sealed bid revealed its bidder");

    // Follow: the page shows the followed state and an unfollow button; repeating either
    // POST (a reload) changes and records nothing. A bidder already follows what it bid on
    // (it must hear of amendments), so a supplier that has not bid follows.
    let (token, _) = app.session_for("proveedor2").await;
    let cookie = session_cookie(&token);
    let page = |app: &TestApp| page_text(app.url(&format!("/tenders/{x_id}")), Some(&cookie));
    let before = page(&app).await;
    assert!(before.contains(&format!("/tenders/{x_id}/follow\"")));
    assert!(!before.contains("data-testid=\"following\""));
    let csrf = crate::support::csrf_from(&before);
    for _ in 0..2 {
        let s = post_form(
            app.url(&format!("/tenders/{x_id}/follow")),
            &cookie,
            &[("_csrf", &csrf)],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
    }
    let following = page(&app).await;
    assert!(
        following.contains("data-testid=\"following\""),
        "{following}"
    );
    assert!(following.contains("Siguiendo") && following.contains("Dejar de seguir"));
    assert!(following.contains(&format!("/tenders/{x_id}/unfollow\"")));
    assert_eq!(audit_count(&app, x_id, "tender.followed").await, 1);
    let follower = As::user(&app, "proveedor2").await;
    let (_, portal) = follower.get("/api/me/portal").await;
    assert!(
        portal.to_string().contains(&format!("\"id\":{x_id}")),
        "{portal}"
    );
    for _ in 0..2 {
        let s = post_form(
            app.url(&format!("/tenders/{x_id}/unfollow")),
            &cookie,
            &[("_csrf", &csrf)],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
    }
    let after = page(&app).await;
    assert!(!after.contains("data-testid=\"following\""));
    assert!(after.contains(&format!("/tenders/{x_id}/follow\"")));
    assert_eq!(audit_count(&app, x_id, "tender.unfollowed").await, 1);
    // The API's matching routes.
    for method in [reqwest::Method::POST, reqwest::Method::DELETE] {
        let (s, body) = supplier
            .send(
                method.clone(),
                &format!("/api/tenders/{y_id}/follow"),
                json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{method} {body}");
    }
    assert_eq!(audit_count(&app, y_id, "tender.followed").await, 1);
    assert_eq!(audit_count(&app, y_id, "tender.unfollowed").await, 1);
    let (s, _) = As::user(&app, "compras")
        .await
        .send(
            reqwest::Method::DELETE,
            &format!("/api/tenders/{y_id}/follow"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "buyers follow nothing");
}
both!(search_codes_plurals_and_following, search_and_follow);

const TENDERS: usize = 30;

async fn history(app: TestApp) {
    let tz = app.state.config.timezone;
    demo_year::seed(&app.state.db, &app.state.rulebook, tz, TENDERS)
        .await
        .expect("the demo year seeds");

    // A contracted tender: its supplier's profile lists the bid, award and contract.
    // A competitive one: a direct purchase has a contract but no sealed bid to list.
    let list = app
        .get_json("/api/tenders?phase=contracted&per_page=200")
        .await;
    let tender_id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["direct_award"] == false)
        .and_then(|t| t["id"].as_i64())
        .unwrap_or_else(|| panic!("{list}"));
    let tender = app.get_json(&format!("/api/tenders/{tender_id}")).await;
    let contract = &tender["contracts"][0];
    let supplier_id = contract["contract"]["supplier_id"].as_i64().unwrap();
    let name = contract["supplier"].as_str().unwrap().to_string();
    let profile = app.get_json(&format!("/api/suppliers/{supplier_id}")).await;
    for kind in ["bids", "awards", "contracts"] {
        assert!(
            profile[kind]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["tender_id"] == tender_id),
            "{kind} of {name}: {profile}"
        );
    }
    let html = page_text(app.url(&format!("/suppliers/{supplier_id}")), None).await;
    assert!(html.contains(&format!("href=\"/tenders/{tender_id}\"")));
    let amount = tianguis::format::money_text(
        contract["contract"]["amount"].as_str().unwrap(),
        contract["contract"]["currency"].as_str().unwrap(),
        tianguis::domain::lang::Lang::Es,
    );
    assert!(html.contains(&amount), "{amount} on the profile");
    // The tender page links its suppliers to their profiles.
    let page = page_text(app.url(&format!("/tenders/{tender_id}")), None).await;
    assert!(page.contains(&format!("href=\"/suppliers/{supplier_id}\"")));

    // The supplier's name (accents and case aside) finds the tender, and the firm.
    let plain = tianguis::domain::search::fold_text(&name);
    let (ids, _) = found(&app, &plain).await;
    assert!(
        ids.contains(&tender_id),
        "{plain} finds {tender_id}: {ids:?}"
    );
    let firms = app
        .get_json(&format!("/api/suppliers?search={}", urlencode(&plain)))
        .await;
    assert!(
        firms["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == supplier_id),
        "{plain}: {firms}"
    );

    // Finished auctions show their tender, lot and savings.
    let auctions = app.get_json("/api/auctions").await;
    let finished = auctions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["status"] == "finished")
        .unwrap_or_else(|| panic!("a finished auction in the demo: {auctions}"));
    let html = page_text(app.url("/auctions"), None).await;
    assert!(html.contains(&format!("href=\"/tenders/{}\"", finished["tender_id"])));
    assert!(html.contains("frente a Q "), "savings against the estimate");

    // Notifications: newest first across pages, unread said in words, no "S.A..".
    let mut reader = None;
    for n in 1..=40 {
        let user = format!("ventas{n:02}");
        let who = As::user(&app, &user).await;
        let (_, first) = who.get("/api/me/notifications?per_page=2").await;
        if first["total"].as_i64().unwrap_or(0) >= 3 {
            reader = Some((user, who));
            break;
        }
    }
    let (user, who) = reader.expect("a sales account with notifications");
    let mut times = Vec::new();
    let mut page_no = 1;
    loop {
        let (s, body) = who
            .get(&format!("/api/me/notifications?per_page=2&page={page_no}"))
            .await;
        assert_eq!(s, StatusCode::OK);
        let items = body["items"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        for n in items {
            let message = n["message"].as_str().unwrap();
            assert!(!message.contains(".."), "{message}");
            times.push(n["created_at"].as_str().unwrap().to_string());
        }
        page_no += 1;
    }
    assert!(times.len() >= 3);
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );
    let (token, _) = app.session_for(&user).await;
    let html = page_text(
        app.url("/notifications?per_page=2"),
        Some(&session_cookie(&token)),
    )
    .await;
    assert!(html.contains("rel=\"next\""), "paginated");
    assert!(html.contains("data-testid=\"unread\"") && html.contains("No leída"));
}
both!(supplier_history_auctions_and_notifications, history);
