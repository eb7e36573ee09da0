//! The electronic reverse auction end to end (issue 4), on both databases: a *subasta
//! electrónica inversa* tender goes through sealed bids, opening and the compliance check; the
//! lot with enough compliant bidders gets an auction, the other keeps its sealed price; the
//! auction runs turn-based rounds live (refusals with their reasons, an observer on the
//! WebSocket seeing each accepted bid, idempotent retries), finishes by the clock, publishes its
//! transcript, and its final prices become the award — names revealed only then.

use crate::both;
use crate::esourcing::{As, PASSPHRASES, bid, register_opening_keys, tender_form};
use crate::support::{TestApp, page_text, post_form, session_cookie};
use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A subasta tender evaluated by the committee: lot 1 with three compliant bidders (sealed
/// totals 95,000 / 90,000 / 105,000), lot 2 with one. Returns (tender id, lot 1, lot 2).
pub async fn evaluated_subasta(app: &TestApp) -> (i64, i64, i64) {
    let tender = published_subasta(app).await;
    evaluate_subasta(app, &tender, |_| None).await;
    (tender.id, tender.lot1, tender.lot2)
}

/// A published subasta tender: two lots of one item each.
#[derive(Clone, Copy)]
pub struct PublishedSubasta {
    pub id: i64,
    pub lot1: i64,
    pub lot2: i64,
    pub item1: i64,
    pub item2: i64,
}

pub async fn published_subasta(app: &TestApp) -> PublishedSubasta {
    register_opening_keys(app).await;
    let buyer = As::user(app, "compras").await;
    let now = app.state.now();
    let mut form = tender_form(app, now).await;
    form["title"] = json!("Subasta de amoxicilina y jeringas");
    form["method"] = json!("subasta_electronica_inversa");
    form["requirements"] = json!(["Registro sanitario vigente"]);
    let (s, t) = buyer.post("/api/tenders", form).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let id = t["id"].as_i64().unwrap();
    let (s, t) = buyer.publish(id).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let (_, detail) = buyer.get(&format!("/api/tenders/{id}")).await;
    let lots = detail["lots"].as_array().unwrap();
    let (lot1, lot2) = (
        lots[0]["lot"]["id"].as_i64().unwrap(),
        lots[1]["lot"]["id"].as_i64().unwrap(),
    );
    let (item1, item2) = (
        lots[0]["items"][0]["item"]["id"].as_i64().unwrap(),
        lots[1]["items"][0]["item"]["id"].as_i64().unwrap(),
    );
    PublishedSubasta {
        id,
        lot1,
        lot2,
        item1,
        item2,
    }
}

/// Sealed bids on [`published_subasta`] (each supplier's non-price features from `features`),
/// the opening and a compliance check that passes every bid: lot 1 with three compliant
/// bidders (sealed totals 95,000 / 90,000 / 105,000), lot 2 with one.
pub async fn evaluate_subasta(
    app: &TestApp,
    tender: &PublishedSubasta,
    features: impl Fn(&str) -> Option<Value>,
) {
    let PublishedSubasta {
        id,
        lot1,
        lot2,
        item1,
        item2,
    } = *tender;
    let buyer = As::user(app, "compras").await;
    for (who, lot, item, price) in [
        ("proveedor1", lot1, item1, "0.95"),
        ("proveedor2", lot1, item1, "0.90"),
        ("proveedor3", lot1, item1, "1.05"),
        ("proveedor1", lot2, item2, "1.40"),
    ] {
        let mut body = bid(lot, item, price);
        if let Some(declared) = features(who) {
            body["features"] = declared;
        }
        let (s, r) = As::user(app, who)
            .await
            .post(&format!("/api/tenders/{id}/bids"), body)
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
    }
    app.state.advance_clock(21 * 86_400);
    let e1 = As::user(app, "evaluador1").await;
    let e2 = As::user(app, "evaluador2").await;
    let (id1, id2) = (
        app.user_id("evaluador1").await,
        app.user_id("evaluador2").await,
    );
    let (s, record) = e1
        .post(&format!("/api/tenders/{id}/opening"), json!({"passphrases": [{"user_id": id1, "passphrase": PASSPHRASES[0].1}, {"user_id": id2, "passphrase": PASSPHRASES[1].1}]}))
        .await;
    assert_eq!(s, StatusCode::OK, "{record}");
    let (_, detail) = buyer.get(&format!("/api/tenders/{id}")).await;
    let req = detail["requirements"][0]["id"].as_i64().unwrap();
    let bids: Vec<i64> = detail["opened_bids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["bid_id"].as_i64().unwrap())
        .collect();
    let (s, _) = As::user(app, "evaluador3")
        .await
        .post(
            &format!("/api/tenders/{id}/conflicts"),
            json!({"has_conflict": true, "statement": "Conozco a un oferente."}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    for member in [&e1, &e2] {
        let (s, _) = member
            .post(
                &format!("/api/tenders/{id}/conflicts"),
                json!({"has_conflict": false}),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        for b in &bids {
            let (s, body) = member
                .post(
                    &format!("/api/tenders/{id}/verdicts"),
                    json!({"bid_id": b, "requirement_id": req, "passed": true}),
                )
                .await;
            assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
        }
        let (s, _) = member
            .post(&format!("/api/tenders/{id}/evaluation/submit"), json!({}))
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    let (s, results) = e1
        .post(&format!("/api/tenders/{id}/evaluation/complete"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{results}");
}

async fn public(app: &TestApp, path: &str) -> Value {
    reqwest::get(app.url(path))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Polls the public auction until `check` holds (the engine loop runs in the background).
async fn wait_for(
    app: &TestApp,
    auction: i64,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let info = public(app, &format!("/api/auctions/{auction}")).await;
        if check(&info) {
            return info;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {info}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn phase(info: &Value) -> &str {
    info["view"]["phase"]["phase"].as_str().unwrap_or("")
}

async fn live_auction(app: TestApp) {
    let (tender, lot1, lot2) = evaluated_subasta(&app).await;
    let buyer = As::user(&app, "compras").await;
    let (_, t) = buyer.get(&format!("/api/tenders/{tender}")).await;
    assert_eq!(t["phase"], "auction", "{t}");

    // One auction, for the lot with three compliant bidders; lot 2 keeps its sealed price.
    let list = public(&app, "/api/auctions").await;
    let mine: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["tender_id"] == tender)
        .collect();
    assert_eq!(mine.len(), 1, "{list}");
    assert_eq!(mine[0]["lot_id"], lot1);
    assert_eq!(mine[0]["status"], "scheduled");
    let auction = mine[0]["id"].as_i64().unwrap();
    let (s, award2) = buyer
        .post(
            &format!("/api/tenders/{tender}/lots/{lot2}/award"),
            json!({}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "the lot without auction is awarded at once: {award2}"
    );
    let (s, body) = buyer
        .post(
            &format!("/api/tenders/{tender}/lots/{lot1}/award"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["details"]["from"], "auction_pending");

    // Scheduling: only buyers, at least a minute ahead.
    let s1 = As::user(&app, "proveedor1").await;
    let s2 = As::user(&app, "proveedor2").await;
    let s3 = As::user(&app, "proveedor3").await;
    let now = app.state.now();
    // The buyer's form on the auction page, in the configured zone.
    let (token, csrf) = app.session_for("compras").await;
    let cookie = session_cookie(&token);
    let page = app.url(&format!("/auctions/{auction}"));
    let html = page_text(page.clone(), Some(&cookie)).await;
    assert!(html.contains("start-form"), "{html}");
    assert!(!page_text(page, None).await.contains("start-form"));
    let zone = app.state.config.timezone;
    let local = now.plus_seconds(7_200).to_local_input(zone);
    let status = post_form(
        app.url(&format!("/auctions/{auction}/schedule")),
        &cookie,
        &[("_csrf", csrf.as_str()), ("starts_at", local.as_str())],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let moved = public(&app, &format!("/api/auctions/{auction}")).await;
    assert_eq!(
        moved["auction"]["starts_at"].as_i64(),
        Some(
            tianguis::domain::time::Timestamp::parse_local(&local, zone)
                .unwrap()
                .as_micros()
        ),
        "{moved}"
    );
    let soon = now.plus_seconds(61).to_rfc3339();
    let (s, _) = s1
        .send(
            reqwest::Method::PUT,
            &format!("/api/auctions/{auction}/schedule"),
            json!({"starts_at": soon}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = buyer
        .send(
            reqwest::Method::PUT,
            &format!("/api/auctions/{auction}/schedule"),
            json!({"starts_at": now.plus_seconds(5).to_rfc3339()}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, body) = buyer
        .send(
            reqwest::Method::PUT,
            &format!("/api/auctions/{auction}/schedule"),
            json!({"starts_at": soon}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");

    // Before the start a bid is an invalid command, recorded nowhere.
    let (s, body) = s1
        .post(
            &format!("/api/auctions/{auction}/bids"),
            json!({"price": "94000"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "auction.command_invalid");
    assert_eq!(body["error"]["details"]["reason"], "auction.not_started");
    // Not a participant: refused before the engine.
    let (s, _) = As::user(&app, "proveedor4")
        .await
        .post(
            &format!("/api/auctions/{auction}/bids"),
            json!({"price": "1"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Malformed prices change nothing.
    let (s, body) = s1
        .post(
            &format!("/api/auctions/{auction}/bids"),
            json!({"price": "ninety"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    app.state.advance_clock(62);
    let info = wait_for(&app, auction, "the start", |i| {
        phase(i) == "before_first_round"
    })
    .await;
    assert_eq!(info["auction"]["status"], "running");
    // Anonymous board: labels, no names.
    let board = info["view"]["board"].as_array().unwrap();
    assert_eq!(board.len(), 3);
    assert!(
        board
            .iter()
            .all(|r| r["name"].is_null() && r["bidder"].is_null())
    );
    let (_, me3) = s3.get(&format!("/api/auctions/{auction}/me")).await;
    let label3 = me3["label"].as_str().unwrap().to_string();
    assert!(label3.starts_with("Oferente "), "{me3}");
    assert_eq!(me3["own_price"], "105000.00");
    assert_eq!(me3["own_rank"], 3);

    // A bid during the pause is recorded as refused, with its reason.
    let (s, ack) = s3
        .post(
            &format!("/api/auctions/{auction}/bids"),
            json!({"price": "100000.00"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{ack}");
    assert_eq!(ack["outcome"]["status"], "refused");
    assert_eq!(ack["outcome"]["reason"]["code"], "auction.not_open_yet");

    // An observer on the live channel.
    let ws_url = app
        .url(&format!("/api/auctions/{auction}/live"))
        .replace("http://", "ws://");
    let (mut observer, _) = tokio_tungstenite::connect_async(&ws_url)
        .await
        .expect("observer connects");
    let first: Value = next_frame(&mut observer).await;
    assert_eq!(first["type"], "snapshot");
    assert!(first["server_now"].is_string());
    assert_eq!(first["me"], Value::Null);

    // Round 1: worst first (the 105,000 bidder).
    app.state.advance_clock(300);
    let info = wait_for(&app, auction, "round 1", |i| phase(i) == "turn").await;
    assert_eq!(info["view"]["phase"]["label"], label3.as_str(), "{info}");
    let (_, ack) = s1
        .post(
            &format!("/api/auctions/{auction}/bids"),
            json!({"price": "94000.00"}),
        )
        .await;
    assert_eq!(
        ack["outcome"]["reason"]["code"], "auction.not_your_turn",
        "{ack}"
    );
    let (_, ack) = s3
        .post(
            &format!("/api/auctions/{auction}/bids"),
            json!({"price": "104500.00"}),
        )
        .await;
    assert_eq!(
        ack["outcome"]["reason"]["code"], "auction.insufficient_decrement",
        "{ack}"
    );
    assert_eq!(ack["outcome"]["reason"]["required_max"], "104475.00");
    let (_, ack) = s3
        .post(
            &format!("/api/auctions/{auction}/bids"),
            json!({"price": "89000.00", "request_id": "clic-1"}),
        )
        .await;
    assert_eq!(ack["outcome"]["status"], "accepted", "{ack}");
    assert_eq!(ack["view"]["own_rank"], 1);
    let seq = ack["seq"].as_u64().unwrap();
    // A retry with the same request id is the same bid, not a second one.
    let (_, again) = s3
        .post(
            &format!("/api/auctions/{auction}/bids"),
            json!({"price": "89000.00", "request_id": "clic-1"}),
        )
        .await;
    assert_eq!(again["seq"].as_u64(), Some(seq), "{again}");
    // The observer sees the accepted bid.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let frame = next_frame(&mut observer).await;
        if frame["seq"].as_u64() >= Some(seq) {
            let best = &frame["board"]["board"][0];
            assert_eq!(best["label"], label3.as_str(), "{frame}");
            assert_eq!(best["price"], "89000.00");
            assert!(
                frame["board"]["price_history"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["price"] == "89000.00")
            );
            break;
        }
        assert!(Instant::now() < deadline, "observer never saw the bid");
    }
    // A bidder on the WebSocket (token auth) bids through the socket.
    let token = app.token_for("proveedor1").await;
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
            ws_url.as_str(),
        )
        .unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (mut bidder1, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let snap = next_frame(&mut bidder1).await;
    assert_eq!(snap["me"]["your_turn"], true, "{snap}");
    bidder1
        .send(tokio_tungstenite::tungstenite::Message::text(
            json!({"type": "pass", "request_id": "p1"}).to_string(),
        ))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let frame = next_frame(&mut bidder1).await;
        if frame["type"] == "ack" {
            assert_eq!(frame["ack"]["outcome"]["status"], "accepted", "{frame}");
            break;
        }
        assert!(Instant::now() < deadline);
    }
    let (_, ack) = s2
        .post(
            &format!("/api/auctions/{auction}/bids"),
            json!({"price": "88000"}),
        )
        .await;
    assert_eq!(ack["outcome"]["status"], "accepted", "{ack}");

    // The rest of the rounds run out by the clock.
    app.state.advance_clock(3_600);
    let info = wait_for(&app, auction, "the end", |i| {
        i["auction"]["status"] == "finished"
    })
    .await;
    assert_eq!(phase(&info), "finished");
    assert_eq!(
        info["auction"]["last_seq"], info["view"]["seq"],
        "the stored last sequence number follows the log"
    );
    let result = &info["result"];
    assert_eq!(result["held"], true);
    assert_eq!(result["ranking"][0]["final_price"], "88000.00");
    assert!(
        result["winner"].is_null(),
        "names stay hidden until the award: {result}"
    );
    assert!(result["ranking"][0]["name"].is_null());

    // The transcript: every accepted and refused bid, server times, no names yet.
    let csv = reqwest::get(app.url(&format!("/api/auctions/{auction}/transcript?format=csv")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with("seq,at,action,label,bidder,name,price,status,reason,required_max"),
        "{csv}"
    );
    assert!(csv.contains("auction.insufficient_decrement"), "{csv}");
    assert!(csv.contains("auction.not_your_turn"));
    assert!(csv.contains("89000.00"));
    let transcript = public(&app, &format!("/api/auctions/{auction}/transcript")).await;
    let text = transcript.to_string();
    for name in ["Distribuidora", "S.A."] {
        assert!(
            !text.contains(name),
            "a name leaked before the award: {text}"
        );
    }

    // The final price flows into the award.
    let (s, award) = buyer
        .post(
            &format!("/api/tenders/{tender}/lots/{lot1}/award"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{award}");
    assert_eq!(award["amount"], "88000.00", "{award}");
    assert_eq!(
        award["supplier_id"].as_i64(),
        s2.get("/api/me").await.1["supplier_id"].as_i64()
    );
    // After the award the names are revealed.
    let info = wait_for(&app, auction, "the reveal", |i| {
        i["auction"]["revealed"] == true
    })
    .await;
    assert!(info["result"]["ranking"][0]["name"].is_string(), "{info}");
    let board = &info["view"]["board"];
    assert!(
        board
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["name"].is_string())
    );

    // The audit log tells the story.
    let audit = reqwest::get(app.url("/api/audit?limit=1000"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for action in [
        "auction.scheduled",
        "auction.rescheduled",
        "auction.started",
        "auction.finished",
    ] {
        assert!(
            audit.contains(action),
            "{action} missing from the audit log"
        );
    }

    // The pages render for everyone.
    for path in ["/auctions", &format!("/auctions/{auction}")] {
        let r = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    let page = reqwest::get(app.url(&format!("/auctions/{auction}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("class=\"chart chart-narrow\""),
        "server-rendered chart"
    );
    assert!(page.contains("88000.00"));
}

async fn next_frame<S>(socket: &mut S) -> Value
where
    S: StreamExt<
            Item = Result<
                tokio_tungstenite::tungstenite::Message,
                tokio_tungstenite::tungstenite::Error,
            >,
        > + Unpin,
{
    loop {
        let message = tokio::time::timeout(Duration::from_secs(15), socket.next())
            .await
            .expect("a frame within 15 s")
            .expect("socket open")
            .expect("frame");
        if let tokio_tungstenite::tungstenite::Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

both!(auction_runs_live_and_feeds_the_award, live_auction);

/// The Guatemalan rulebook with its subasta ranked by score over two non-price features, as
/// an institution whose rules provide for it would write it (the embedded profiles rank by
/// price: no Guatemalan or UN text we hold provides for score ranking).
fn score_rulebook(dir: &std::path::Path) -> String {
    let text = std::fs::read_to_string("crates/rulebook/rulebooks/gt.toml").unwrap();
    assert_eq!(text.matches("ranking = \"price\"").count(), 1);
    let format = "[methods.auction.rules.format]\nkind = \"turn_based_rounds\"";
    assert_eq!(text.matches(format).count(), 1);
    let features = r#"[[methods.auction.features]]
code = "delivery"
name_es = "Plazo de entrega"
name_en = "Delivery time"
cite = "Bases de la subasta, criterio no precio 1"

[[methods.auction.features.options]]
code = "d15"
name_es = "15 días o menos"
name_en = "15 days or less"
value = "0.05"

[[methods.auction.features.options]]
code = "later"
name_es = "Más de 15 días"
name_en = "More than 15 days"
value = "0"

[[methods.auction.features]]
code = "shelf_life"
name_es = "Vida útil al entregar"
name_en = "Shelf life on delivery"
cite = "Bases de la subasta, criterio no precio 2"

[[methods.auction.features.options]]
code = "m24"
name_es = "24 meses o más"
name_en = "24 months or more"
value = "0.05"

[[methods.auction.features.options]]
code = "m12"
name_es = "Entre 12 y 24 meses"
name_en = "12 to 24 months"
value = "0"

"#;
    let text = text
        .replacen("ranking = \"price\"", "ranking = \"score\"", 1)
        .replacen(format, &format!("{features}{format}"), 1);
    let path = dir.join("score.toml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// Score ranking end to end: the method's features are published with the tender, each bid
/// must declare them (sealed), the opening shows them, and the auction ranks by price ÷ (1 +
/// Σ values) — so the best offer on delivery and shelf life keeps first place, and the award,
/// at a higher price than the cheapest bid.
async fn score_auction(backend: crate::support::Backend) {
    let dir = tempfile::tempdir().unwrap();
    let rulebook = score_rulebook(dir.path());
    let Some(app) = TestApp::start_with(backend, |c| c.rulebook = rulebook).await else {
        return;
    };
    let tender = published_subasta(&app).await;
    let id = tender.id;
    let (_, detail) = As::user(&app, "proveedor1")
        .await
        .get(&format!("/api/tenders/{id}"))
        .await;
    let features = detail["method"]["auction_features"].as_array().unwrap();
    assert_eq!(features.len(), 2, "{detail}");
    assert_eq!(features[0]["options"][0]["value"], "0.05");

    // Every bid declares every feature with one of its options; nothing is stored otherwise.
    let p4 = As::user(&app, "proveedor4").await;
    let plain = bid(tender.lot1, tender.item1, "0.80");
    let (s, body) = p4
        .post(&format!("/api/tenders/{id}/bids"), plain.clone())
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["error"]["details"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["features[delivery]", "features[shelf_life]"],
        "{body}"
    );
    let mut wrong = plain.clone();
    wrong["features"] = json!({"delivery": "d7", "shelf_life": "m24", "warranty": "y2"});
    let (s, body) = p4.post(&format!("/api/tenders/{id}/bids"), wrong).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, mine) = p4.get("/api/me/bids").await;
    assert_eq!(mine.as_array().map(Vec::len), Some(0), "{mine}");
    // The bid form asks for them.
    let (token, _) = app.session_for("proveedor4").await;
    let form = page_text(
        app.url(&format!("/tenders/{id}/bid")),
        Some(&session_cookie(&token)),
    )
    .await;
    assert!(form.contains(r#"name="feature_delivery""#), "{form}");
    assert!(form.contains(r#"<option value="m24""#), "{form}");

    // Sealed totals 95,000 (best features), 90,000 (none) and 105,000 (best features):
    // scores 86,363.64, 90,000 and 95,454.55.
    let best = json!({"delivery": "d15", "shelf_life": "m24"});
    let none = json!({"delivery": "later", "shelf_life": "m12"});
    evaluate_subasta(&app, &tender, |who| {
        Some(if who == "proveedor2" {
            none.clone()
        } else {
            best.clone()
        })
    })
    .await;
    let (_, detail) = As::user(&app, "compras")
        .await
        .get(&format!("/api/tenders/{id}"))
        .await;
    let opened = detail["opened_bids"].as_array().unwrap();
    assert!(
        opened
            .iter()
            .all(|b| b["features"].as_array().map(Vec::len) == Some(2)),
        "{detail}"
    );
    let page = reqwest::get(app.url(&format!("/tenders/{id}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Plazo de entrega: 15 días o menos (0.05)"),
        "{page}"
    );

    let list = public(&app, "/api/auctions").await;
    let auction = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["tender_id"] == id)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let s1 = As::user(&app, "proveedor1").await;
    let s2 = As::user(&app, "proveedor2").await;
    let s3 = As::user(&app, "proveedor3").await;
    app.state.advance_clock(86_400 + 5);
    let info = wait_for(&app, auction, "the start", |i| {
        phase(i) == "before_first_round"
    })
    .await;
    assert_eq!(info["rules"]["ranking"], "score", "{info}");
    let (_, me1) = s1.get(&format!("/api/auctions/{auction}/me")).await;
    let (_, me2) = s2.get(&format!("/api/auctions/{auction}/me")).await;
    assert_eq!(
        me1["own_rank"], 1,
        "the higher price ranks first by score: {me1}"
    );
    assert_eq!(me2["own_rank"], 2, "{me2}");
    assert_eq!(me1["own_score"], "86363.636364", "{me1}");

    // Round 1 goes from the worst score to the best: proveedor3, then proveedor2.
    app.state.advance_clock(300);
    let (_, me3) = s3.get(&format!("/api/auctions/{auction}/me")).await;
    let info = wait_for(&app, auction, "round 1", |i| phase(i) == "turn").await;
    assert_eq!(info["view"]["phase"]["label"], me3["label"], "{info}");
    let (s, ack) = s3
        .post(&format!("/api/auctions/{auction}/pass"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{ack}");
    wait_for(&app, auction, "proveedor2's turn", |i| {
        i["view"]["phase"]["label"] == me2["label"]
    })
    .await;
    // The cheapest price is not enough: 87,000 still scores worse than 86,363.64.
    let (_, ack) = s2
        .post(
            &format!("/api/auctions/{auction}/bids"),
            json!({"price": "87000.00"}),
        )
        .await;
    assert_eq!(ack["outcome"]["status"], "accepted", "{ack}");
    assert_eq!(ack["view"]["own_rank"], 2, "{ack}");

    app.state.advance_clock(3_600);
    let info = wait_for(&app, auction, "the end", |i| {
        i["auction"]["status"] == "finished"
    })
    .await;
    let ranking = &info["result"]["ranking"];
    assert_eq!(ranking[0]["final_price"], "95000.00", "{info}");
    assert_eq!(ranking[0]["score"], "86363.636364", "{info}");
    assert_eq!(ranking[1]["final_price"], "87000.00", "{info}");
    let page = reqwest::get(app.url(&format!("/auctions/{auction}")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Puntaje") && page.contains("86363.636364"),
        "{page}"
    );

    // The award follows the score: proveedor1 at its final price.
    let (s, award) = As::user(&app, "compras")
        .await
        .post(
            &format!("/api/tenders/{id}/lots/{}/award", tender.lot1),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{award}");
    assert_eq!(award["amount"], "95000.00", "{award}");
    assert_eq!(
        award["supplier_id"].as_i64(),
        s1.get("/api/me").await.1["supplier_id"].as_i64()
    );
}

crate::both_backends!(score_ranked_auction_end_to_end, score_auction);
