//! Open bidding with a soft close (issue 4, format (b)): window boundaries, anti-sniping extension,
//! the hard stop, equal timestamps.

mod common;

use common::*;
use tianguis_auction::rules::{DecrementKind, DecrementReference, Format};
use tianguis_auction::{Phase, Refusal};

fn two_bidders(window: u32, extension: u32, hard_stop: u32) -> Harness {
    Harness::started(
        soft_close(window, extension, hard_stop),
        vec![participant("A", "100.00", 2), participant("B", "90.00", 1)],
    )
}

fn window_end(h: &Harness) -> (tianguis_auction::Timestamp, u32) {
    match h.auction.phase() {
        Phase::Window {
            ends_at,
            extensions,
            ..
        } => (ends_at, extensions),
        other => panic!("not in the window: {other:?}"),
    }
}

#[test]
fn everyone_may_bid_any_number_of_times_within_the_window() {
    let mut h = two_bidders(600, 120, 1800);
    assert_eq!(h.bid(at(1), "A", "95.00"), ACCEPTED);
    assert_eq!(h.bid(at(2), "B", "89.00"), ACCEPTED);
    assert_eq!(h.bid(at(3), "A", "88.00"), ACCEPTED);
    assert_eq!(h.bid(at(4), "A", "87.00"), ACCEPTED);
    assert_eq!(h.pass(at(5), "A"), refused(Refusal::PassNotApplicable));
    assert_eq!(h.ranking(), ["A", "B"]);
    assert_eq!(window_end(&h), (at(600), 0));
    h.assert_replays();
}

#[test]
fn a_pause_before_the_window_refuses_bids_as_not_open_yet() {
    let mut rules = soft_close(600, 120, 1800);
    if let Format::SoftClose(s) = &mut rules.format {
        s.pause_before_window_seconds = 60;
    }
    let mut h = Harness::started(
        rules,
        vec![participant("A", "100.00", 2), participant("B", "90.00", 1)],
    );
    assert_eq!(h.auction.phase(), Phase::BeforeWindow { opens_at: at(60) });
    assert_eq!(
        h.bid(at_us(60, -1), "A", "95.00"),
        refused(Refusal::NotOpenYet)
    );
    assert_eq!(h.bid(at(60), "A", "95.00"), ACCEPTED);
    assert_eq!(window_end(&h), (at(660), 0));
    h.assert_replays();
}

#[test]
fn a_bid_in_the_last_x_extends_the_end_by_x() {
    let mut h = two_bidders(600, 120, 1800);
    // 121 s before the end: not in the last X.
    assert_eq!(h.bid(at(479), "A", "95.00"), ACCEPTED);
    assert_eq!(window_end(&h), (at(600), 0));
    // Exactly X before the end: in the last X.
    assert_eq!(h.bid(at(480), "B", "89.00"), ACCEPTED);
    assert_eq!(window_end(&h), (at(720), 1));
    // Extended by X from the end, not from the bid.
    assert_eq!(h.bid(at(700), "A", "88.00"), ACCEPTED);
    assert_eq!(window_end(&h), (at(840), 2));
    // A refused bid extends nothing.
    assert_eq!(h.bid(at(800), "B", "89.00"), short_of("88.55"));
    assert_eq!(window_end(&h), (at(840), 2));
    // Last microsecond vs the end itself.
    assert_eq!(h.bid(at_us(840, -1), "B", "87.00"), ACCEPTED);
    assert_eq!(window_end(&h), (at(960), 3));
    h.tick(at(960));
    assert_eq!(h.auction.phase(), Phase::Finished { at: at(960) });
    assert_eq!(h.bid(at(960), "A", "80.00"), refused(Refusal::Closed));
    h.assert_replays();
}

#[test]
fn extensions_stop_exactly_at_the_hard_stop() {
    let mut h = two_bidders(600, 120, 700);
    assert_eq!(h.bid(at(590), "A", "95.00"), ACCEPTED);
    // min(600 + 120, 700) = 700.
    assert_eq!(window_end(&h), (at(700), 1));
    assert!(
        matches!(h.auction.phase(), Phase::Window { hard_stop_at, .. } if hard_stop_at == at(700))
    );
    // Already at the hard stop: accepted, but no further extension.
    assert_eq!(h.bid(at_us(700, -1), "B", "89.00"), ACCEPTED);
    assert_eq!(window_end(&h), (at(700), 1));
    assert_eq!(h.bid(at(700), "A", "80.00"), refused(Refusal::Closed));
    assert!(h.auction.is_finished());
    h.assert_replays();
}

#[test]
fn an_extension_landing_exactly_on_the_hard_stop_is_taken_whole() {
    let mut h = two_bidders(600, 120, 720);
    assert_eq!(h.bid(at(500), "A", "95.00"), ACCEPTED);
    assert_eq!(window_end(&h), (at(720), 1));
    h.tick(at_us(720, -1));
    assert!(!h.auction.is_finished());
    h.tick(at(720));
    assert!(h.auction.is_finished());
    h.assert_replays();
}

#[test]
fn equal_timestamps_are_ordered_by_sequence_number() {
    let mut rules = soft_close(600, 120, 1800);
    rules.minimum_decrement.kind = DecrementKind::Absolute;
    rules.minimum_decrement.amount = d("1.00");
    rules.minimum_decrement.relative_to = DecrementReference::Best;
    let mut h = Harness::started(
        rules,
        vec![participant("A", "100.00", 2), participant("B", "100.00", 1)],
    );
    // Same microsecond: A is decided first (lower sequence) and sets the new best.
    assert_eq!(h.bid(at(10), "A", "99.00"), ACCEPTED);
    assert_eq!(h.bid(at(10), "B", "99.00"), short_of("98.00"));
    // Own-price reference: two equal prices at the same instant; the earlier sequence wins.
    let mut h2 = Harness::started(
        soft_close(600, 120, 1800),
        vec![participant("A", "100.00", 1), participant("B", "100.00", 2)],
    );
    assert_eq!(h2.ranking(), ["B", "A"]);
    assert_eq!(h2.bid(at(10), "A", "90.00"), ACCEPTED);
    assert_eq!(h2.bid(at(10), "B", "90.00"), ACCEPTED);
    assert_eq!(h2.ranking(), ["A", "B"]);
    let seqs: Vec<u64> = h2.log.iter().map(|e| e.seq.0).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    h.assert_replays();
    h2.assert_replays();
}
