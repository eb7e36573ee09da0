//! Framework agreements and call-offs (issue 14), on the agreements the demo year concludes
//! through the real flow (terms, publication, sealed bids, evaluation, award, agreement) and
//! the call-offs its units place: the ceilings hold under concurrent call-offs, refusals have
//! stable codes and change nothing, a supplier cannot answer another firm's call-off, a
//! decline cascades to the next rank with its reason, and the cascade job is idempotent.

use crate::support::TestApp;
use std::collections::BTreeMap;
use tianguis::domain::agreement::{CallOffRefusal, CallOffStatus};
use tianguis::domain::error_code::ErrorCode;
use tianguis::domain::time::Timestamp;
use tianguis::repository::agreements::{self, AgreementRow};
use tianguis::repository::{awards, call_offs, users};
use tianguis::service::call_offs::{
    CartInput, CartLineInput, cancel, confirm, decline, place, run_cascade,
};
use tianguis::service::{Actor, ServiceError};

async fn actor(app: &TestApp, username: &str) -> Actor {
    let mut conn = app.state.db.read().await.unwrap();
    Actor::User(
        users::find_for_login(&mut conn, username)
            .await
            .unwrap()
            .unwrap()
            .0,
    )
}

/// Every agreement's books balance: what each item holds equals the lines of the call-offs
/// that hold quantity, never above its maximum; the value held equals theirs.
async fn books_balance(app: &TestApp, a: &AgreementRow) {
    let mut conn = app.state.db.read().await.unwrap();
    let items = agreements::items(&mut conn, a.id).await.unwrap();
    let lines = call_offs::holding_lines_of_agreement(&mut conn, a.id)
        .await
        .unwrap();
    for item in &items {
        let held: i64 = lines
            .iter()
            .filter(|l| l.agreement_item_id == item.id)
            .map(|l| l.quantity)
            .sum();
        assert_eq!(item.ordered_quantity, held, "{} item {}", a.number, item.id);
        assert!(
            item.ordered_quantity <= item.max_quantity,
            "{} overran",
            a.number
        );
    }
    let fresh = agreements::find(&mut conn, a.id).await.unwrap().unwrap();
    let value: i64 = call_offs::of_agreement(&mut conn, a.id)
        .await
        .unwrap()
        .iter()
        .filter(|c| c.status == "offered" || c.status == "confirmed")
        .map(|c| c.value_minor)
        .sum();
    assert_eq!(fresh.ordered_value_minor, value, "{} value", a.number);
}

fn cart(unit: &str, item_id: i64, quantity: i64, delivery: &str) -> CartInput {
    CartInput {
        unit: unit.into(),
        lines: vec![CartLineInput {
            item_id,
            quantity: quantity.to_string(),
            delivery: delivery.into(),
        }],
    }
}

fn code(e: &ServiceError) -> ErrorCode {
    e.code()
}

/// The checks, run on the demo year the caller seeded.
pub async fn agreements_hold(app: &TestApp) {
    let db = &app.state.db;
    let rulebook = &app.state.rulebook;
    let tz = app.state.config.timezone;
    let all = {
        let mut conn = db.read().await.unwrap();
        agreements::list(&mut conn).await.unwrap()
    };
    assert!(!all.is_empty(), "the demo year concludes agreements");
    let mut call_offs_seen = 0;
    for a in &all {
        let mut conn = db.read().await.unwrap();
        // Rank 1 is the award's supplier; ranks are 1..n.
        let parties = agreements::parties(&mut conn, a.id).await.unwrap();
        let award = awards::of_tender(&mut conn, a.tender_id)
            .await
            .unwrap()
            .into_iter()
            .find(|w| w.lot_id == a.lot_id && w.status == "final")
            .expect("a final award");
        assert_eq!(parties[0].supplier_id, award.supplier_id);
        assert_eq!(
            parties.iter().map(|p| p.rank).collect::<Vec<_>>(),
            (1..=parties.len() as i64).collect::<Vec<_>>()
        );
        assert!(parties.len() as i64 <= a.max_suppliers);
        call_offs_seen += call_offs::of_agreement(&mut conn, a.id)
            .await
            .unwrap()
            .len();
        drop(conn);
        books_balance(app, a).await;
    }
    assert!(call_offs_seen > 0, "the demo units call off");

    let a = all
        .iter()
        .find(|a| a.status == "active")
        .expect("an active agreement")
        .clone();
    let items = {
        let mut conn = db.read().await.unwrap();
        agreements::items(&mut conn, a.id).await.unwrap()
    };
    let item = &items[0];
    let farmacia = actor(app, "farmacia").await;
    let farmacia2 = actor(app, "farmacia2").await;
    let now = Timestamp::now();
    let delivery = now
        .plus_seconds(20 * 86_400)
        .to_datetime()
        .with_timezone(&tz)
        .date_naive()
        .to_string();

    // Refusals: stable codes, nothing written.
    let before = {
        let mut conn = db.read().await.unwrap();
        (
            agreements::items(&mut conn, a.id).await.unwrap(),
            call_offs::count(&mut conn).await.unwrap(),
        )
    };
    let e = place(
        db,
        rulebook,
        tz,
        &farmacia,
        a.id,
        &cart("HGE", 999_999, 1, &delivery),
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(code(&e), ErrorCode::AgreementUnknownItem);
    let e = place(
        db,
        rulebook,
        tz,
        &farmacia,
        a.id,
        &cart("HGE", item.id, 1, "2099-01-01"),
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(code(&e), ErrorCode::AgreementOutsidePeriod);
    let e = place(
        db,
        rulebook,
        tz,
        &farmacia,
        a.id,
        &cart("HQUE", item.id, 1, &delivery),
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(code(&e), ErrorCode::ValidationFailed, "not farmacia's unit");
    let e = place(
        db,
        rulebook,
        tz,
        &farmacia,
        a.id,
        &cart("HGE", item.id, -3, &delivery),
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(code(&e), ErrorCode::ValidationFailed);
    let over = item.max_quantity - item.ordered_quantity + 1;
    let e = place(
        db,
        rulebook,
        tz,
        &farmacia,
        a.id,
        &cart("HGE", item.id, over, &delivery),
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(code(&e), ErrorCode::AgreementCeilingReached);
    assert!(matches!(
        e,
        ServiceError::CallOff(CallOffRefusal::CeilingReached { remaining, .. }) if remaining == over - 1
    ));
    let buyer = actor(app, "compras").await;
    let e = place(
        db,
        rulebook,
        tz,
        &buyer,
        a.id,
        &cart("HGE", item.id, 1, &delivery),
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(code(&e), ErrorCode::AuthNotPermitted);
    {
        let mut conn = db.read().await.unwrap();
        assert_eq!(agreements::items(&mut conn, a.id).await.unwrap(), before.0);
        assert_eq!(call_offs::count(&mut conn).await.unwrap(), before.1);
    }

    // A supplier cannot confirm another firm's call-off; the offered one can.
    let c = place(
        db,
        rulebook,
        tz,
        &farmacia,
        a.id,
        &cart("HGE", item.id, 5, &delivery),
        now,
    )
    .await
    .expect("a call-off within the ceiling");
    assert_eq!(c.status, CallOffStatus::Offered.code());
    assert!(c.number.starts_with("PD-"));
    let parties = {
        let mut conn = db.read().await.unwrap();
        agreements::parties(&mut conn, a.id).await.unwrap()
    };
    let supplier_user = |supplier_id: i64| async move {
        let mut conn = app.state.db.read().await.unwrap();
        let ids = tianguis::repository::suppliers::user_ids(&mut conn, &[supplier_id])
            .await
            .unwrap();
        let u = users::find(&mut conn, ids[0]).await.unwrap().unwrap();
        Actor::User(u)
    };
    let offered_to = parties.iter().find(|p| Some(p.id) == c.party_id).unwrap();
    let other_firm = {
        let mut conn = db.read().await.unwrap();
        users::find_for_login(&mut conn, "proveedor1")
            .await
            .unwrap()
            .unwrap()
            .0
    };
    if other_firm.supplier_id != Some(offered_to.supplier_id) {
        let e = confirm(db, &Actor::User(other_firm), c.id, now)
            .await
            .unwrap_err();
        assert_eq!(code(&e), ErrorCode::AuthNotPermitted);
    }
    let supplier = supplier_user(offered_to.supplier_id).await;
    let confirmed = confirm(db, &supplier, c.id, now).await.unwrap();
    assert_eq!(confirmed.status, "confirmed");
    let e = confirm(db, &supplier, c.id, now).await.unwrap_err();
    assert_eq!(
        code(&e),
        ErrorCode::StateIllegalTransition,
        "confirmed once"
    );
    books_balance(app, &a).await;

    // A decline passes the call-off on (cascade) or leaves it unfilled (direct), with its
    // reason; a cancelled one gives its quantity back.
    let c = place(
        db,
        rulebook,
        tz,
        &farmacia2,
        a.id,
        &cart("HQUE", item.id, 3, &delivery),
        now,
    )
    .await
    .unwrap();
    let first = parties.iter().find(|p| Some(p.id) == c.party_id).unwrap();
    let e = decline(
        db,
        rulebook,
        &supplier_user(first.supplier_id).await,
        c.id,
        "other",
        "",
        now,
    )
    .await
    .unwrap_err();
    assert_eq!(
        code(&e),
        ErrorCode::ValidationFailed,
        "`other` needs a note"
    );
    let after = decline(
        db,
        rulebook,
        &supplier_user(first.supplier_id).await,
        c.id,
        "out_of_stock",
        "",
        now,
    )
    .await
    .unwrap();
    let offers = {
        let mut conn = db.read().await.unwrap();
        call_offs::offers(&mut conn, c.id).await.unwrap()
    };
    assert_eq!(offers[0].outcome, "declined");
    assert_eq!(offers[0].reason.as_deref(), Some("out_of_stock"));
    let active_parties = parties.iter().filter(|p| p.status == "active").count();
    if a.call_off_method == "cascade" && active_parties > 1 {
        assert_eq!(after.status, "offered");
        assert_ne!(after.party_id, c.party_id, "passed to the next rank");
        // Silence until the window closes passes it on again; the job is idempotent.
        let deadline = Timestamp::from_micros(after.deadline_at.unwrap());
        assert_eq!(
            run_cascade(db, rulebook, deadline.plus_seconds(-1))
                .await
                .unwrap(),
            0
        );
        assert_eq!(run_cascade(db, rulebook, deadline).await.unwrap(), 1);
        assert_eq!(run_cascade(db, rulebook, deadline).await.unwrap(), 0);
        let mut conn = db.read().await.unwrap();
        let offers = call_offs::offers(&mut conn, c.id).await.unwrap();
        assert_eq!(offers[1].outcome, "expired");
    } else {
        assert_eq!(after.status, "unfilled");
    }
    books_balance(app, &a).await;
    let c = place(
        db,
        rulebook,
        tz,
        &farmacia,
        a.id,
        &cart("HGE", item.id, 2, &delivery),
        now,
    )
    .await
    .unwrap();
    let e = cancel(db, &farmacia2, c.id, now).await.unwrap_err();
    assert_eq!(
        code(&e),
        ErrorCode::AuthNotPermitted,
        "another unit's call-off"
    );
    assert_eq!(
        cancel(db, &farmacia, c.id, now).await.unwrap().status,
        "cancelled"
    );
    books_balance(app, &a).await;

    // Concurrent call-offs from three units never beat the ceiling: with R left and each
    // asking for q, exactly floor(R / q) succeed and the rest are refused with the code.
    let left = {
        let mut conn = db.read().await.unwrap();
        let i = agreements::items(&mut conn, a.id)
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.id == item.id)
            .unwrap();
        i.max_quantity - i.ordered_quantity
    };
    let q = (left / 7).max(1);
    let mut tasks = Vec::new();
    for n in 0..16 {
        let (who, unit) = match n % 3 {
            0 => (farmacia.clone(), "HGE"),
            1 => (farmacia2.clone(), "HQUE"),
            _ => (farmacia2.clone(), "HCOA"),
        };
        let db = app.state.db.clone();
        let rulebook = app.state.rulebook.clone();
        let input = cart(unit, item.id, q, &delivery);
        tasks.push(tokio::spawn(async move {
            place(&db, &rulebook, tz, &who, a.id, &input, now).await
        }));
    }
    let mut outcomes: BTreeMap<&str, i64> = BTreeMap::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => *outcomes.entry("placed").or_default() += 1,
            Err(e) => {
                assert_eq!(code(&e), ErrorCode::AgreementCeilingReached, "{e:?}");
                *outcomes.entry("refused").or_default() += 1;
            }
        }
    }
    let placed = outcomes.get("placed").copied().unwrap_or(0);
    assert_eq!(
        placed,
        (left / q).min(16),
        "{outcomes:?} with {left} left, {q} each"
    );
    books_balance(app, &a).await;
}
