//! Open data (issue 5), on both databases: every public event of the demo year becomes an
//! OCDS release that validates against the official 1.1.5 schema with the bid, lots and
//! medicines extensions; records and the bulk file agree with what the toolkit compiles from
//! the feed; the cursor feed never skips a release while writers commit concurrently; sealed
//! bids stay out of the feed until the opening; webhooks are signed, retried and show their
//! failures to the subscriber.

use crate::both;
use crate::esourcing::{As, bid, register_opening_keys, tender_form};
use crate::support::{TestApp, error_code};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tianguis::domain::time::Timestamp;
use tianguis::service::audit::{Publication, Publishing};
use tianguis::service::demo_year;
use tianguis::service::publication::{self, release::ReleaseEvent};
use tianguis_ocds::read::{Input, ReadOptions};
use tianguis_ocds::validate::{Severity, Validator, validate};

/// Follows `links.next` from `start` until a page comes back empty; returns every release.
async fn walk_feed(app: &TestApp, start: &str) -> Vec<Value> {
    let client = reqwest::Client::new();
    let mut url = app.url(start);
    let mut all = Vec::new();
    loop {
        let page: Value = client.get(&url).send().await.unwrap().json().await.unwrap();
        let releases = page["releases"].as_array().unwrap().clone();
        let next = page["links"]["next"].as_str().unwrap().to_owned();
        // Links are built on the configured public URL; the test node listens elsewhere.
        url = app.url(
            next.split_once("/api/")
                .map(|(_, p)| format!("/api/{p}"))
                .unwrap()
                .as_str(),
        );
        if releases.is_empty() {
            return all;
        }
        all.extend(releases);
    }
}

/// The JSON lines of a gzip file (the bulk file).
pub fn gunzip_json_lines(gz: &[u8]) -> Vec<Value> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut text)
        .unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn errors_of(package: &Value) -> Vec<String> {
    let validator = Validator::new().unwrap();
    let mut errors = Vec::new();
    validate(
        vec![Input::Bytes {
            name: "feed".into(),
            data: Arc::new(serde_json::to_vec(package).unwrap()),
        }],
        ReadOptions::default(),
        &validator,
        &mut |f| {
            if f.severity == Severity::Error {
                errors.push(f.to_string());
            }
        },
    );
    errors
}

async fn demo_year_publishes_valid_ocds(app: TestApp) {
    let tz = app.state.config.timezone;
    let report = demo_year::seed(&app.state.db, &app.state.rulebook, tz, 30)
        .await
        .expect("the demo year seeds");
    assert_eq!(report.refused_steps, 0, "{report:?}");

    let releases = walk_feed(&app, "/api/ocds/releases?limit=250").await;
    assert!(releases.len() > 100, "{} releases", releases.len());

    // Every release validates (schema + closed codelists), inside a package like the feed's.
    let (s, first_page) = As::user(&app, "compras")
        .await
        .get("/api/ocds/releases?limit=1")
        .await;
    assert_eq!(s, StatusCode::OK);
    let mut package = first_page.clone();
    package["releases"] = Value::Array(releases.clone());
    package.as_object_mut().unwrap().remove("links");
    let errors = errors_of(&package);
    assert!(
        errors.is_empty(),
        "{} errors, first: {:#?}",
        errors.len(),
        &errors[..errors.len().min(10)]
    );
    // The check is not vacuous: a closed-codelist value and a wrong type are caught.
    let mut broken = package.clone();
    broken["releases"][0]["tender"]["status"] = json!("bogus");
    broken["releases"][1]["date"] = json!(12);
    assert_eq!(errors_of(&broken).len(), 2, "{:#?}", errors_of(&broken));
    assert_eq!(first_page["version"], "1.1");
    assert_eq!(first_page["extensions"].as_array().unwrap().len(), 3);

    // Ids are unique; every public event kind of the year appears.
    let ids: BTreeSet<&str> = releases.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), releases.len(), "release ids are unique");
    let tags: BTreeSet<&str> = releases
        .iter()
        .flat_map(|r| {
            r["tag"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
        })
        .collect();
    for tag in ["planning", "tender", "tenderUpdate", "award", "contract"] {
        assert!(tags.contains(tag), "no {tag} release in {tags:?}");
    }
    // Direct purchases publish their justification.
    let direct: Vec<&Value> = releases
        .iter()
        .filter(|r| r["tender"]["procurementMethod"] == "direct")
        .collect();
    assert!(!direct.is_empty());
    assert!(direct.iter().all(|r| {
        r["tender"]["procurementMethodRationale"]
            .as_str()
            .is_some_and(|s| s.len() > 10)
    }));
    // Bids appear only from the opening on, never while the tender is open for bidding.
    for r in &releases {
        if r["tag"][0] == "tender" {
            assert!(
                r.get("bids").is_none(),
                "a call for bids carries no bids: {r}"
            );
        }
    }
    // Medicines carry the extension's fields.
    assert!(releases.iter().any(|r| {
        r["tender"]["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|i| i.get("activeIngredients").is_some()))
    }));

    // Round trip: each record's compiled release is what the toolkit compiles from the feed,
    // and the record package validates too.
    let mut by_ocid: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for r in &releases {
        by_ocid
            .entry(r["ocid"].as_str().unwrap().to_owned())
            .or_default()
            .push(r.clone());
    }
    let client = reqwest::Client::new();
    for (ocid, its) in by_ocid.iter().filter(|(_, v)| v.len() >= 4).take(5) {
        let record: Value = app.get_json(&format!("/api/ocds/records/{ocid}")).await;
        let compiled = tianguis_ocds::merge::compile(its).unwrap();
        assert_eq!(record["records"][0]["compiledRelease"], compiled, "{ocid}");
        assert_eq!(
            record["records"][0]["releases"].as_array().unwrap().len(),
            its.len()
        );
        assert!(record["records"][0]["versionedRelease"]["tender"]["status"].is_array());
        let errors = errors_of(&record);
        assert!(errors.is_empty(), "{ocid}: {errors:#?}");
    }

    // Records are paged; the bulk file holds every compiled release, current.
    let mut paged = 0;
    let mut url = app.url("/api/ocds/records?limit=40");
    loop {
        let page: Value = client.get(&url).send().await.unwrap().json().await.unwrap();
        paged += page["records"].as_array().unwrap().len();
        match page["links"]["next"].as_str() {
            Some(next) => url = app.url(&format!("/api/{}", next.split_once("/api/").unwrap().1)),
            None => break,
        }
    }
    assert_eq!(paged, by_ocid.len());
    let response = client
        .get(app.url("/api/ocds/bulk/compiled-releases.jsonl.gz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let lines = gunzip_json_lines(&response.bytes().await.unwrap());
    assert_eq!(lines.len(), by_ocid.len());
    for line in &lines {
        let ocid = line["ocid"].as_str().unwrap();
        assert_eq!(
            *line,
            tianguis_ocds::merge::compile(&by_ocid[ocid]).unwrap(),
            "{ocid}"
        );
    }
    let unchanged = client
        .get(app.url("/api/ocds/bulk/compiled-releases.jsonl.gz"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

    // `since=` keeps only releases dated from then on, and the cursor carries it.
    let mut dates: Vec<&str> = releases
        .iter()
        .map(|r| r["date"].as_str().unwrap())
        .collect();
    dates.sort_unstable();
    let median = dates[dates.len() / 2];
    let recent = walk_feed(&app, &format!("/api/ocds/releases?limit=50&since={median}")).await;
    let expected = releases
        .iter()
        .filter(|r| r["date"].as_str().unwrap() >= median)
        .count();
    assert_eq!(recent.len(), expected);

    // The open-data page says what is published and where, in both languages; the tender page
    // links its OCDS record.
    for (lang, title) in [("es", "Datos abiertos (OCDS)"), ("en", "Open data (OCDS)")] {
        let html = client
            .get(app.url("/open-data"))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(title), "{lang}");
        assert!(
            html.contains(&format!("<strong>{}</strong>", releases.len())),
            "{lang}"
        );
        assert!(html.contains("ocds-tgs001"));
        assert!(html.contains("/api/ocds/bulk/compiled-releases.jsonl.gz"));
    }
    let some = by_ocid.keys().find(|o| !o.contains("-P")).unwrap();
    let id = {
        let mut conn = app.state.db.read().await.unwrap();
        tianguis::repository::tenders::find_by_ocid(&mut conn, some)
            .await
            .unwrap()
            .expect("the tender of a published ocid")
            .id
    };
    let html = client
        .get(app.url(&format!("/tenders/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("href=\"/api/ocds/records/{some}\"")));

    // Bad requests change nothing and say why.
    for path in [
        "/api/ocds/releases?cursor=%%%",
        "/api/ocds/releases?cursor=a.b",
        "/api/ocds/releases?limit=0",
        "/api/ocds/releases?limit=5000",
        "/api/ocds/releases?since=yesterday",
        "/api/ocds/records?cursor=c+j",
    ] {
        let r = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(
            error_code(&r.text().await.unwrap()).as_deref(),
            Some("request.invalid_query"),
            "{path}"
        );
    }
    // A cursor in the documented alphabet that the list did not issue ("nope", "r:1" for the
    // records, a stray "UD") is well-formed: the documented 422 names the field (issue 13).
    for path in [
        "/api/ocds/releases?cursor=bm9wZQ",
        "/api/ocds/releases?cursor=UD",
        "/api/ocds/records?cursor=cjox",
    ] {
        let r = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "validation.failed", "{path}");
        assert_eq!(body["error"]["details"]["fields"][0]["field"], "cursor");
        assert_eq!(
            body["error"]["details"]["fields"][0]["code"],
            "unknown_cursor"
        );
    }
    for path in ["/api/ocds/releases/nope", "/api/ocds/records/ocds-none-1"] {
        let r = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    app.stop().await;
}
both!(demo_year_ocds, demo_year_publishes_valid_ocds);

/// Writers publish releases for several processes at once, each holding its transaction open
/// a little after taking its position; a reader follows the cursor meanwhile. The reader must
/// see every release exactly once, in feed order.
async fn feed_never_skips_with_concurrent_writers(app: TestApp) {
    register_opening_keys(&app).await;
    let buyer = As::user(&app, "compras").await;
    let now = app.state.now();
    let mut tender_ids = Vec::new();
    for _ in 0..2 {
        let (s, t) = buyer
            .post("/api/tenders", tender_form(&app, now).await)
            .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        let id = t["id"].as_i64().unwrap();
        let (s, t) = buyer.publish(id).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        tender_ids.push(id);
    }
    const WRITERS: usize = 6;
    const EACH: usize = 15;
    let before = walk_feed(&app, "/api/ocds/releases").await.len();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let reader = {
        let (done, seen, base) = (done.clone(), seen.clone(), app.base.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut url = format!("{base}/api/ocds/releases?limit=7");
            let mut quiet_after_done = 0;
            loop {
                let page: Value = client.get(&url).send().await.unwrap().json().await.unwrap();
                let releases = page["releases"].as_array().unwrap();
                seen.lock().unwrap().extend(
                    releases
                        .iter()
                        .map(|r| r["id"].as_str().unwrap().to_owned()),
                );
                let next = page["links"]["next"].as_str().unwrap();
                url = format!("{base}/api/{}", next.split_once("/api/").unwrap().1);
                if releases.is_empty() {
                    if done.load(std::sync::atomic::Ordering::SeqCst) {
                        quiet_after_done += 1;
                        if quiet_after_done > 2 {
                            return;
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(3)).await;
                }
            }
        })
    };
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let db = app.state.db.clone();
        let tender = tender_ids[w % tender_ids.len()];
        writers.push(tokio::spawn(async move {
            for i in 0..EACH {
                let mut feed = Publishing::new(db.begin().await.unwrap());
                feed.publish(Publication::release(
                    tender,
                    ReleaseEvent::TenderUpdate,
                    Timestamp::now(),
                ))
                .await
                .unwrap();
                // Hold the transaction open a varying while: commits would interleave.
                tokio::time::sleep(Duration::from_millis(((w * 7 + i * 3) % 5) as u64)).await;
                feed.commit().await.unwrap();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    tokio::time::timeout(Duration::from_secs(60), reader)
        .await
        .expect("the reader catches up")
        .unwrap();
    let all = walk_feed(&app, "/api/ocds/releases").await;
    assert_eq!(all.len(), before + WRITERS * EACH);
    let seen = seen.lock().unwrap().clone();
    let expected: Vec<String> = all
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        seen, expected,
        "the reader saw every release once, in feed order"
    );
    app.stop().await;
}
both!(concurrent_feed, feed_never_skips_with_concurrent_writers);

/// A sealed-bid tender publishes no bid before the opening; the opening's release names the
/// bidders and prices; the tender release carries the lots and periods.
async fn sealed_bids_enter_the_feed_at_the_opening(app: TestApp) {
    register_opening_keys(&app).await;
    let buyer = As::user(&app, "compras").await;
    let now = app.state.now();
    let (s, t) = buyer
        .post("/api/tenders", tender_form(&app, now).await)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let id = t["id"].as_i64().unwrap();
    let ocid = t["ocid"].as_str().unwrap().to_owned();
    let (s, _) = buyer.publish(id).await;
    assert_eq!(s, StatusCode::OK);
    let (_, detail) = buyer.get(&format!("/api/tenders/{id}")).await;
    let lot = detail["lots"][0]["lot"]["id"].as_i64().unwrap();
    let item = detail["lots"][0]["items"][0]["item"]["id"]
        .as_i64()
        .unwrap();
    let (s, r) = As::user(&app, "proveedor1")
        .await
        .post(&format!("/api/tenders/{id}/bids"), bid(lot, item, "0.95"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let record_before: Value = app.get_json(&format!("/api/ocds/records/{ocid}")).await;
    let compiled = &record_before["records"][0]["compiledRelease"];
    assert_eq!(compiled["tender"]["status"], "active");
    assert!(compiled["tender"]["lots"].as_array().unwrap().len() >= 2);
    assert!(compiled["tender"]["tenderPeriod"]["endDate"].is_string());
    assert!(compiled.get("bids").is_none(), "no bid before the opening");
    assert!(!record_before.to_string().contains("0.95"));

    app.state.advance_clock(21 * 86_400);
    let passphrases = crate::esourcing::PASSPHRASES;
    let (id1, id2) = (
        app.user_id(passphrases[0].0).await,
        app.user_id(passphrases[1].0).await,
    );
    let (s, r) = As::user(&app, passphrases[0].0)
        .await
        .post(
            &format!("/api/tenders/{id}/opening"),
            json!({"passphrases": [
                {"user_id": id1, "passphrase": passphrases[0].1},
                {"user_id": id2, "passphrase": passphrases[1].1},
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let record: Value = app.get_json(&format!("/api/ocds/records/{ocid}")).await;
    let releases = record["records"][0]["releases"].as_array().unwrap();
    assert_eq!(releases[0]["tag"][0], "tender");
    assert_eq!(releases.last().unwrap()["tag"][0], "tenderUpdate");
    let bids = &record["records"][0]["compiledRelease"]["bids"];
    assert_eq!(bids["details"].as_array().unwrap().len(), 1, "{bids}");
    assert_eq!(bids["details"][0]["value"]["amount"], json!(95000));
    assert_eq!(bids["details"][0]["status"], "pending");
    let errors = errors_of(&record);
    assert!(errors.is_empty(), "{errors:#?}");

    // By default a node never calls local or private addresses for a subscriber.
    let analyst = As::user(&app, "analista").await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
    ] {
        refused_registration(&analyst, url, "private_address").await;
    }
    app.stop().await;
}
both!(sealed_feed, sealed_bids_enter_the_feed_at_the_opening);

/// A webhook registration refused with 422 and the field code `code`.
async fn refused_registration(who: &As, url: &str, code: &str) {
    let (s, r) = who.post("/api/ocds/webhooks", json!({"url": url})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {r}");
    assert_eq!(r["error"]["details"]["fields"][0]["code"], code, "{r}");
}

/// What a test receiver got.
#[derive(Default)]
struct Received {
    /// (signature header, body) of every request, failed ones included.
    requests: Vec<(String, String)>,
    /// Requests still to fail with 500.
    fail_next: usize,
}

async fn receiver(state: Arc<Mutex<Received>>) -> String {
    use axum::routing::post;
    let app = axum::Router::new().route(
        "/hook",
        post(
            |axum::extract::State(state): axum::extract::State<Arc<Mutex<Received>>>,
             headers: axum::http::HeaderMap,
             body: String| async move {
                let mut s = state.lock().unwrap();
                let signature = headers
                    .get("tianguis-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                s.requests.push((signature, body));
                if s.fail_next > 0 {
                    s.fail_next -= 1;
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::NO_CONTENT
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app.with_state(state)).await.unwrap();
    });
    format!("http://{addr}/hook")
}

async fn webhooks_are_signed_retried_and_visible(backend: crate::support::Backend) {
    // The receiver listens on loopback, which nodes refuse by default (see below).
    let Some(app) = TestApp::start_with(backend, |c| c.webhook_allow_private = true).await else {
        return;
    };
    let received = Arc::new(Mutex::new(Received {
        fail_next: 2,
        ..Received::default()
    }));
    let url = receiver(received.clone()).await;
    register_opening_keys(&app).await;
    let analyst = As::user(&app, "analista").await;

    // Bad registrations are refused with a reason; anonymous ones need an account.
    for bad in [
        "ftp://example.org/x",
        "not a url",
        "http://user:pw@example.org/",
    ] {
        refused_registration(&analyst, bad, "invalid_url").await;
    }
    let anonymous = reqwest::Client::new()
        .post(app.url("/api/ocds/webhooks"))
        .json(&json!({"url": url}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let (s, registered) = analyst
        .post("/api/ocds/webhooks", json!({"url": url}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{registered}");
    let id = registered["id"].as_i64().unwrap();
    let secret = registered["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let (_, listed) = analyst.get("/api/ocds/webhooks").await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(
        listed[0].get("secret").is_none(),
        "the secret is shown once"
    );
    let (s, _) = As::user(&app, "compras")
        .await
        .get(&format!("/api/ocds/webhooks/{id}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another account cannot see it");

    // A new tender is published: its release must reach the receiver, after two failures.
    let buyer = As::user(&app, "compras").await;
    let (s, t) = buyer
        .post("/api/tenders", tender_form(&app, app.state.now()).await)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let tender = t["id"].as_i64().unwrap();
    let ocid = t["ocid"].as_str().unwrap().to_owned();
    let (s, _) = buyer.publish(tender).await;
    assert_eq!(s, StatusCode::OK);

    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let (_, view) = analyst.get(&format!("/api/ocds/webhooks/{id}")).await;
        if view["delivered_seq"].as_i64() == view["feed_seq"].as_i64()
            && view["feed_seq"].as_i64() > Some(0)
        {
            // Failures stay visible after the success.
            let attempts = view["attempts"].as_array().unwrap();
            assert_eq!(attempts.len(), 3, "{view}");
            assert_eq!(attempts[0]["status_code"], 204);
            assert!(attempts[0]["error"].is_null());
            assert_eq!(attempts[1]["status_code"], 500);
            assert_eq!(attempts[1]["error"], "HTTP 500 Internal Server Error");
            assert_eq!(view["failed_attempts"], 0);
            assert!(view["last_success_at"].is_i64());
            break;
        }
        if view["failed_attempts"].as_i64().unwrap_or(0) > 0 {
            assert!(
                view["last_error"].as_str().unwrap().contains("500"),
                "{view}"
            );
            assert!(view["failing_since"].is_i64());
        }
        assert!(Instant::now() < deadline, "not delivered in time: {view}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let requests = received.lock().unwrap().requests.clone();
    assert_eq!(requests.len(), 3);
    // Every attempt carried the same releases, each correctly signed.
    for (signature, body) in &requests {
        let (t, v1) = signature
            .strip_prefix("t=")
            .and_then(|s| s.split_once(",v1="))
            .expect("signature header");
        let expected =
            publication::webhooks::signature(&secret, t.parse().unwrap(), body.as_bytes());
        assert_eq!(signature, &expected);
        assert_eq!(v1.len(), 64);
        let package: Value = serde_json::from_str(body).unwrap();
        assert_eq!(package["releases"][0]["ocid"], ocid.as_str());
        assert_eq!(package["releases"][0]["tag"][0], "tender");
    }

    // Paused subscriptions receive nothing; resuming delivers what was missed.
    let (s, paused) = analyst
        .send(
            reqwest::Method::PUT,
            &format!("/api/ocds/webhooks/{id}"),
            json!({"active": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{paused}");
    assert_eq!(paused["status"], "disabled");
    let mut feed = Publishing::new(app.state.db.begin().await.unwrap());
    feed.publish(Publication::release(
        tender,
        ReleaseEvent::TenderUpdate,
        Timestamp::now(),
    ))
    .await
    .unwrap();
    feed.commit().await.unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        received.lock().unwrap().requests.len(),
        3,
        "nothing while paused"
    );
    let (s, _) = analyst
        .send(
            reqwest::Method::PUT,
            &format!("/api/ocds/webhooks/{id}"),
            json!({"active": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let deadline = Instant::now() + Duration::from_secs(20);
    while received.lock().unwrap().requests.len() < 4 {
        assert!(Instant::now() < deadline, "resumed delivery did not arrive");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let last: Value = serde_json::from_str(&received.lock().unwrap().requests[3].1).unwrap();
    assert_eq!(last["releases"][0]["tag"][0], "tenderUpdate");
    app.stop().await;
}
crate::both_backends!(webhooks, webhooks_are_signed_retried_and_visible);
