//! Service faults (issue 4, "Durability and faults": "a server fault never decides an auction"):
//! outages within the tolerance are absorbed, longer ones freeze and restore everyone's remaining
//! time, rescheduling, and the log's integrity checks.

mod common;

use common::*;
use tianguis_auction::{
    Auction, Command, Decision, Event, EventKind, Phase, Refusal, Seq, Timestamp,
};

/// Rounds: A's turn is [10, 70), then C [70, 130), then B. Tolerance 10 s, notice 60 s.
fn rounds_in_a_turn() -> Harness {
    let mut h = Harness::started(
        short_rounds(1),
        vec![
            participant("A", "100.00", 3),
            participant("B", "90.00", 2),
            participant("C", "95.00", 1),
        ],
    );
    h.tick(at(10));
    h
}

fn turn_end(h: &Harness) -> Timestamp {
    match h.auction.phase() {
        Phase::Turn { ends_at, .. } => ends_at,
        other => panic!("not in a turn: {other:?}"),
    }
}

#[test]
fn an_outage_within_tolerance_is_absorbed() {
    let mut h = rounds_in_a_turn();
    h.pause(at(50)).unwrap();
    assert_eq!(h.auction.phase(), Phase::Paused { since: at(50) });
    assert_eq!(h.auction.next_deadline(), None);
    // Exactly the tolerance (10 s) still counts as absorbed.
    h.resume(at(60)).unwrap();
    assert_eq!(h.turn().as_deref(), Some("A"));
    assert_eq!(turn_end(&h), at(70));
    assert_eq!(h.bid(at_us(70, -1), "A", "99.00"), ACCEPTED);
    h.assert_replays();
}

#[test]
fn deadlines_that_passed_during_a_tolerated_outage_take_effect_at_their_time() {
    let mut h = rounds_in_a_turn();
    h.pause(at(65)).unwrap();
    h.resume(at(74)).unwrap();
    // A's turn ended at 70 as scheduled; C's began then.
    assert_eq!(h.turn().as_deref(), Some("C"));
    assert_eq!(turn_end(&h), at(130));
    h.assert_replays();
}

#[test]
fn a_longer_outage_freezes_time_and_restores_everyones_remaining_time() {
    let mut h = rounds_in_a_turn();
    // A has 20 s left when the service dies at 50; it is back at 150 (100 s > 10 s tolerance).
    h.pause(at(50)).unwrap();
    h.resume(at(150)).unwrap();
    assert_eq!(
        h.auction.phase(),
        Phase::Resuming {
            since: at(50),
            resumes_at: at(210)
        }
    );
    assert_eq!(h.auction.next_deadline(), Some(at(210)));
    // During the notice nobody bids, and the turn does not run.
    assert_eq!(h.bid(at(200), "A", "99.00"), refused(Refusal::Paused));
    h.tick(at(210));
    assert_eq!(h.turn().as_deref(), Some("A"));
    // 20 s left, counted from the resumption: 70 + (210 − 50) = 230.
    assert_eq!(turn_end(&h), at(230));
    assert_eq!(h.bid(at_us(230, -1), "A", "99.00"), ACCEPTED);
    assert_eq!(h.turn().as_deref(), Some("C"));
    assert_eq!(turn_end(&h), at_us(290, -1));
    h.assert_replays();
}

#[test]
fn one_microsecond_over_tolerance_is_not_absorbed() {
    let mut h = rounds_in_a_turn();
    h.pause(at(50)).unwrap();
    h.resume(at_us(60, 1)).unwrap();
    assert!(matches!(h.auction.phase(), Phase::Resuming { .. }));
}

#[test]
fn soft_close_window_and_hard_stop_both_move_after_a_long_outage() {
    let mut h = Harness::started(
        soft_close(600, 120, 700),
        vec![participant("A", "100.00", 2), participant("B", "90.00", 1)],
    );
    h.pause(at(590)).unwrap();
    h.resume(at(990)).unwrap(); // 400 s down; resumes at 1050, shift 460 s
    h.tick(at(1050));
    assert_eq!(
        h.auction.phase(),
        Phase::Window {
            ends_at: at(1060),
            hard_stop_at: at(1160),
            extensions: 0
        }
    );
    // Still in the last X: extends, up to the moved hard stop.
    assert_eq!(h.bid(at(1055), "A", "95.00"), ACCEPTED);
    assert!(matches!(h.auction.phase(), Phase::Window { ends_at, .. } if ends_at == at(1160)));
    h.assert_replays();
}

#[test]
fn a_second_outage_during_the_notice_keeps_the_original_freeze() {
    let mut h = rounds_in_a_turn();
    h.pause(at(50)).unwrap();
    h.resume(at(150)).unwrap();
    h.pause(at(180)).unwrap();
    assert_eq!(h.auction.phase(), Phase::Paused { since: at(50) });
    h.resume(at(400)).unwrap();
    h.tick(at(460));
    assert_eq!(turn_end(&h), at(480)); // still 20 s of A's turn left
    h.assert_replays();
}

#[test]
fn the_authority_can_reschedule_the_resumption() {
    let mut h = rounds_in_a_turn();
    h.pause(at(50)).unwrap();
    h.run(Command::Reschedule {
        at: at(100),
        resumes_at: at(3600),
    })
    .unwrap();
    assert_eq!(
        h.auction.phase(),
        Phase::Resuming {
            since: at(50),
            resumes_at: at(3600)
        }
    );
    h.tick(at(3600));
    assert_eq!(turn_end(&h), at(3620));
    let err = h
        .run(Command::Reschedule {
            at: at(3601),
            resumes_at: at(4000),
        })
        .unwrap_err();
    assert_eq!(err.code(), "auction.not_paused");
    h.pause(at(3602)).unwrap();
    let err = h
        .run(Command::Reschedule {
            at: at(3603),
            resumes_at: at(3000),
        })
        .unwrap_err();
    assert_eq!(err.code(), "auction.invalid_reschedule");
    h.assert_replays();
}

#[test]
fn an_outage_during_the_notice_never_brings_the_authoritys_resumption_forward() {
    let mut h = rounds_in_a_turn();
    h.pause(at(50)).unwrap();
    h.resume(at(100)).unwrap();
    h.run(Command::Reschedule {
        at: at(110),
        resumes_at: at(3600),
    })
    .unwrap();
    // The service crashes and comes back during the notice: the later, announced time stands.
    h.pause(at(120)).unwrap();
    h.resume(at(130)).unwrap();
    assert_eq!(
        h.auction.phase(),
        Phase::Resuming {
            since: at(50),
            resumes_at: at(3600)
        }
    );
    // Back only after the announced time: a fresh notice from the return, as after any outage.
    h.pause(at(200)).unwrap();
    h.resume(at(4000)).unwrap();
    let Phase::Resuming { resumes_at, .. } = h.auction.phase() else {
        panic!("frozen until a new notice: {:?}", h.auction.phase());
    };
    assert!(resumes_at > at(4000));
    h.tick(resumes_at);
    assert_eq!(
        turn_end(&h),
        Timestamp::from_micros(resumes_at.as_micros() + 20_000_000)
    );
    h.assert_replays();
}

#[test]
fn invalid_fault_commands_are_rejected_with_codes() {
    let mut h = rounds_in_a_turn();
    assert_eq!(h.resume(at(20)).unwrap_err().code(), "auction.not_paused");
    h.pause(at(20)).unwrap();
    assert_eq!(
        h.pause(at(21)).unwrap_err().code(),
        "auction.already_paused"
    );
    h.resume(at(22)).unwrap();
    h.tick(at(1000));
    assert!(h.auction.is_finished());
    assert_eq!(h.pause(at(1001)).unwrap_err().code(), "auction.finished");
}

#[test]
fn the_log_must_be_contiguous_monotonic_and_untampered() {
    let mut h = rounds_in_a_turn();
    assert_eq!(h.bid(at(20), "A", "99.00"), ACCEPTED);
    let rules = h.rules.clone();

    // Time going backwards is refused before anything is recorded.
    let decision = h.auction.decide(&Command::Tick { at: at(19) });
    assert!(matches!(decision, Decision::Invalid(e) if e.code() == "auction.time_went_backwards"));

    // A gap in the sequence.
    let mut gapped = h.log.clone();
    gapped[2].seq = Seq(9);
    let err = Auction::replay(rules.clone(), &gapped).unwrap_err();
    assert_eq!((err.seq, err.code()), (Seq(9), "auction.sequence_mismatch"));

    // A refused bid turned into an accepted one.
    let mut tampered = h.log.clone();
    tampered.push(Event {
        seq: Seq(tampered.len() as u64 + 1),
        at: at(21),
        kind: EventKind::Bid {
            bidder: id("A"),
            price: d("98.00"),
            request_id: None,
            outcome: ACCEPTED, // it is C's turn now
        },
    });
    let err = Auction::replay(rules.clone(), &tampered).unwrap_err();
    assert_eq!(err.code(), "auction.replay_divergence");

    // A log not starting with Started.
    let err = Auction::replay(rules.clone(), &h.log[1..]).unwrap_err();
    assert_eq!(err.code(), "auction.sequence_mismatch");
    let mut no_start = h.log[1..].to_vec();
    for (i, e) in no_start.iter_mut().enumerate() {
        e.seq = Seq(i as u64 + 1);
    }
    let err = Auction::replay(rules, &no_start).unwrap_err();
    assert_eq!(err.code(), "auction.not_started");
}

#[test]
fn a_retried_request_gets_the_first_outcome_and_is_not_recorded_twice() {
    let mut h = rounds_in_a_turn();
    let bid = Command::Bid {
        at: at(20),
        bidder: id("A"),
        price: d("99.00"),
        request_id: Some("click-1".into()),
    };
    let Decision::Record(first) = h.run(bid.clone()).unwrap() else {
        panic!("recorded")
    };
    let retry = Command::Bid {
        at: at(25),
        bidder: id("A"),
        price: d("99.00"),
        request_id: Some("click-1".into()),
    };
    assert_eq!(
        h.run(retry).unwrap(),
        Decision::AlreadyRecorded {
            seq: first.seq,
            outcome: ACCEPTED
        }
    );
    assert_eq!(h.log.len(), 3);
    // Another bidder may use the same key.
    assert_eq!(
        h.auction.decide(&Command::Pass {
            at: at(26),
            bidder: id("C"),
            request_id: Some("click-1".into()),
        }),
        Decision::Record(Event {
            seq: Seq(4),
            at: at(26),
            kind: EventKind::Pass {
                bidder: id("C"),
                request_id: Some("click-1".into()),
                outcome: ACCEPTED
            }
        })
    );
    // A log that records the same request twice is refused on replay.
    let mut dup = h.log.clone();
    let mut again = first.clone();
    again.seq = Seq(4);
    again.at = at(30);
    dup.push(again);
    let err = Auction::replay(h.rules.clone(), &dup).unwrap_err();
    assert_eq!(err.code(), "auction.duplicate_request");
}

#[test]
fn start_validation_reports_precise_codes() {
    let try_start = |participants| {
        Auction::new(short_rounds(1))
            .unwrap()
            .execute(&Command::Start {
                at: at(0),
                participants,
                label_seed: 1,
            })
            .unwrap_err()
            .code()
    };
    assert_eq!(
        try_start(vec![
            participant("A", "1.00", 1),
            participant("A", "2.00", 1)
        ]),
        "auction.duplicate_participant"
    );
    assert_eq!(
        try_start(vec![participant(" ", "1.00", 1)]),
        "auction.empty_bidder_id"
    );
    assert_eq!(
        try_start(vec![participant("A", "0", 1)]),
        "auction.invalid_sealed_price"
    );
    assert_eq!(
        try_start(vec![participant("A", "1.001", 1)]),
        "auction.invalid_sealed_price"
    );
    assert_eq!(
        try_start(vec![participant("A", "1000000000000.01", 1)]),
        "auction.invalid_sealed_price"
    );
    assert_eq!(
        try_start(vec![with_features(
            participant("A", "1.00", 1),
            &[("q", "-0.1")]
        )]),
        "auction.invalid_features"
    );
    assert_eq!(
        try_start(vec![with_features(
            participant("A", "1.00", 1),
            &[("q", "0.00001")]
        )]),
        "auction.invalid_features"
    );
    assert_eq!(
        try_start(vec![with_features(
            participant("A", "1.00", 1),
            &[("q", "60"), ("r", "40.0001")]
        )]),
        "auction.invalid_features"
    );
    let mut h = rounds_in_a_turn();
    assert_eq!(
        h.run(Command::Start {
            at: at(30),
            participants: vec![],
            label_seed: 0
        })
        .unwrap_err()
        .code(),
        "auction.already_started"
    );
    let fresh = Auction::new(short_rounds(1)).unwrap();
    assert!(matches!(
        fresh.decide(&Command::Tick { at: at(0) }),
        Decision::Invalid(e) if e.code() == "auction.not_started"
    ));
}
