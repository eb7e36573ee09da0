//! Turn-based rounds (issue 4, format (a)): order, exclusive turns, boundaries, pauses, decrement,
//! ties and refusal reasons.

mod common;

use common::*;
use tianguis_auction::rules::{DecrementKind, DecrementReference, Ranking};
use tianguis_auction::{AuctionRules, Phase, Refusal};

fn three_bidders(rounds: u32) -> Harness {
    Harness::started(
        short_rounds(rounds),
        vec![
            participant("A", "100.00", 3),
            participant("B", "90.00", 2),
            participant("C", "95.00", 1),
        ],
    )
}

#[test]
fn issue_defaults_give_300s_pause_then_120s_turns_for_three_rounds() {
    let mut h = Harness::started(
        AuctionRules::default(),
        vec![participant("A", "100.00", 2), participant("B", "90.00", 1)],
    );
    assert_eq!(
        h.auction.phase(),
        Phase::BeforeFirstRound { starts_at: at(300) }
    );
    assert_eq!(h.auction.next_deadline(), Some(at(300)));
    // Let every turn expire: 3 rounds × 2 turns × 120 s + 2 pauses × 120 s.
    h.tick(at(300));
    assert_eq!(h.turn().as_deref(), Some("A"));
    assert_eq!(h.auction.next_deadline(), Some(at(420)));
    h.tick(at(540));
    assert!(
        matches!(h.auction.phase(), Phase::BetweenRounds { next_round: 2, starts_at } if starts_at == at(660))
    );
    let end = 300 + 3 * 2 * 120 + 2 * 120;
    h.tick(at_us(end, -1));
    assert!(!h.auction.is_finished());
    h.tick(at(end));
    assert!(h.auction.is_finished());
    assert_eq!(h.auction.phase(), Phase::Finished { at: at(end) });
    assert_eq!(h.auction.next_deadline(), None);
    h.assert_replays();
}

#[test]
fn bidders_go_from_worst_to_best_with_exclusive_turns() {
    let mut h = three_bidders(2);
    assert_eq!(h.bid(at(5), "A", "99.00"), refused(Refusal::NotOpenYet));
    h.tick(at(10));
    assert_eq!(h.turn().as_deref(), Some("A"));
    match h.auction.phase() {
        Phase::Turn {
            round: 1,
            rounds: 2,
            position: 1,
            turns: 3,
            started_at,
            ends_at,
            ..
        } => {
            assert_eq!(started_at, at(10));
            assert_eq!(ends_at, at(70));
        }
        other => panic!("unexpected phase {other:?}"),
    }
    assert_eq!(h.bid(at(11), "C", "94.00"), refused(Refusal::NotYourTurn));
    assert_eq!(h.bid(at(11), "B", "89.00"), refused(Refusal::NotYourTurn));
    // A's turn expires; C (95, second worst) goes next, then B (best).
    h.tick(at(70));
    assert_eq!(h.turn().as_deref(), Some("C"));
    h.tick(at(130));
    assert_eq!(h.turn().as_deref(), Some("B"));
    h.tick(at(190));
    assert!(matches!(
        h.auction.phase(),
        Phase::BetweenRounds { next_round: 2, .. }
    ));
    assert_eq!(
        h.bid(at(200), "A", "90.00"),
        refused(Refusal::BetweenRounds)
    );
    h.assert_replays();
}

#[test]
fn last_microsecond_of_a_turn_is_in_it_and_the_next_is_not() {
    let mut h = three_bidders(1);
    assert_eq!(h.bid(at_us(70, -1), "A", "99.50"), ACCEPTED);

    let mut h = three_bidders(1);
    // At exactly the end, the turn has passed to C.
    assert_eq!(h.bid(at(70), "A", "99.50"), refused(Refusal::NotYourTurn));
    assert_eq!(h.turn().as_deref(), Some("C"));
    assert_eq!(h.bid(at(70), "C", "94.00"), ACCEPTED);
    h.assert_replays();
}

#[test]
fn an_accepted_bid_or_a_pass_ends_the_turn_at_once_but_a_refused_bid_does_not() {
    let mut h = three_bidders(1);
    h.tick(at(10));
    assert_eq!(h.bid(at(20), "A", "99.51"), short_of("99.50"));
    assert_eq!(
        h.turn().as_deref(),
        Some("A"),
        "a refused bid keeps the turn"
    );
    assert_eq!(h.bid(at(25), "A", "99.50"), ACCEPTED);
    assert_eq!(h.turn().as_deref(), Some("C"));
    assert!(
        matches!(h.auction.phase(), Phase::Turn { started_at, ends_at, .. }
        if started_at == at(25) && ends_at == at(85))
    );
    // One bid per turn: A cannot bid again in this round.
    assert_eq!(h.bid(at(26), "A", "99.00"), refused(Refusal::NotYourTurn));
    assert_eq!(h.pass(at(30), "B"), refused(Refusal::NotYourTurn));
    assert_eq!(h.pass(at(30), "C"), ACCEPTED);
    assert_eq!(h.turn().as_deref(), Some("B"));
    assert_eq!(h.pass(at(31), "B"), ACCEPTED);
    // Last turn of the last round passed: finished at the pass.
    assert_eq!(h.auction.phase(), Phase::Finished { at: at(31) });
    assert_eq!(h.bid(at(32), "B", "80.00"), refused(Refusal::Closed));
    h.assert_replays();
}

#[test]
fn each_round_is_reordered_from_worst_to_best_current_price() {
    let mut h = three_bidders(2);
    h.tick(at(10));
    assert_eq!(h.bid(at(10), "A", "80.00"), ACCEPTED); // A is now best
    assert_eq!(h.bid(at(20), "C", "85.00"), ACCEPTED); // C second, B (90) worst
    assert_eq!(h.pass(at(30), "B"), ACCEPTED);
    assert!(
        matches!(h.auction.phase(), Phase::BetweenRounds { next_round: 2, starts_at } if starts_at == at(50))
    );
    // Between rounds the bidder view already shows the next order.
    let b = h.auction.bidder_view(&id("B")).unwrap();
    assert_eq!(b.your_turn_position, Some(1));
    h.tick(at(50));
    assert_eq!(h.turn().as_deref(), Some("B"));
    h.tick(at(110));
    assert_eq!(h.turn().as_deref(), Some("C"));
    h.tick(at(170));
    assert_eq!(h.turn().as_deref(), Some("A"));
    h.assert_replays();
}

#[test]
fn equal_prices_rank_the_earlier_bid_first_and_it_goes_last() {
    // B and C tie on sealed price; B's sealed bid is earlier (2 h before vs 1 h).
    let mut h = Harness::started(
        short_rounds(1),
        vec![
            participant("C", "90.00", 1),
            participant("B", "90.00", 2),
            participant("A", "100.00", 3),
        ],
    );
    assert_eq!(h.ranking(), ["B", "C", "A"]);
    h.tick(at(10));
    assert_eq!(h.turn().as_deref(), Some("A"));
    // A matches the best price with a live bid: still behind both sealed bids.
    assert_eq!(h.bid(at(11), "A", "90.00"), ACCEPTED);
    assert_eq!(h.ranking(), ["B", "C", "A"]);
    // Same sealed time: the earlier position in the Started list wins.
    let h2 = Harness::started(
        short_rounds(1),
        vec![participant("X", "50.00", 1), participant("Y", "50.00", 1)],
    );
    assert_eq!(h2.ranking(), ["X", "Y"]);
    h.assert_replays();
}

#[test]
fn decrement_exactly_at_the_minimum_is_accepted_and_rounding_is_down() {
    let mut h = Harness::started(
        short_rounds(3),
        vec![participant("A", "99.99", 2), participant("B", "50.00", 1)],
    );
    h.tick(at(10));
    // 0.5 % of 99.99 = 0.49995 → 99.49005, rounded down to 99.49 so the bid lowers by ≥ 0.5 %.
    assert_eq!(h.bid(at(11), "A", "99.50"), short_of("99.49"));
    assert_eq!(h.bid(at(12), "A", "99.49"), ACCEPTED);
    h.tick(at(200));
    // Round 2: A (99.49) first; exactly 0.5 % below 100.00 case in another auction.
    let mut h2 = Harness::started(
        short_rounds(1),
        vec![participant("A", "100.00", 2), participant("B", "50.00", 1)],
    );
    h2.tick(at(10));
    assert_eq!(h2.bid(at(11), "A", "99.51"), short_of("99.50"));
    assert_eq!(h2.bid(at(12), "A", "99.50"), ACCEPTED);
    h.assert_replays();
    h2.assert_replays();
}

#[test]
fn price_format_reasons_are_precise() {
    let mut h = three_bidders(1);
    h.tick(at(10));
    assert_eq!(h.bid(at(11), "A", "0"), refused(Refusal::NotPositive));
    assert_eq!(h.bid(at(11), "A", "-5.00"), refused(Refusal::NotPositive));
    assert_eq!(
        h.bid(at(11), "A", "99.001"),
        refused(Refusal::TooManyDecimals { price_scale: 2 })
    );
    // Trailing zeros are not extra precision.
    assert_eq!(h.bid(at(11), "A", "99.000"), ACCEPTED);
    assert_eq!(h.bid(at(12), "Z", "1.00"), refused(Refusal::NotParticipant));
    // The price is published at the currency's scale.
    let a = h.auction.bidder_view(&id("A")).unwrap();
    assert_eq!(a.own_price.to_string(), "99.00");
    h.assert_replays();
}

#[test]
fn absolute_decrement_relative_to_the_best_price() {
    let mut rules = short_rounds(1);
    rules.minimum_decrement.kind = DecrementKind::Absolute;
    rules.minimum_decrement.amount = d("1.00");
    rules.minimum_decrement.relative_to = DecrementReference::Best;
    let mut h = Harness::started(
        rules,
        vec![
            participant("A", "100.00", 3),
            participant("B", "90.00", 2),
            participant("C", "95.00", 1),
        ],
    );
    h.tick(at(10));
    let view = h.auction.bidder_view(&id("A")).unwrap();
    assert_eq!(view.max_acceptable_price, Some(d("89.00")));
    assert_eq!(h.bid(at(11), "A", "89.01"), short_of("89.00"));
    assert_eq!(h.bid(at(12), "A", "89.00"), ACCEPTED);
    // C must now beat A's 89.00; B, the former leader, too.
    assert_eq!(h.bid(at(13), "C", "88.50"), short_of("88.00"));
    assert_eq!(h.pass(at(14), "C"), ACCEPTED);
    assert_eq!(h.bid(at(15), "B", "88.00"), ACCEPTED);
    assert_eq!(h.ranking(), ["B", "A", "C"]);
    h.assert_replays();
}

#[test]
fn score_ranking_adjusts_price_for_features_and_decrements_on_the_best_score() {
    let mut rules = short_rounds(1);
    rules.ranking = Ranking::Score;
    rules.minimum_decrement.relative_to = DecrementReference::Best;
    rules.minimum_decrement.amount = d("1");
    // Scores: A 110 / 1.1 = 100; B 105 / 1 = 105; C 120 / 1.25 = 96.
    let mut h = Harness::started(
        rules,
        vec![
            with_features(participant("A", "110.00", 3), &[("delivery", "0.1")]),
            participant("B", "105.00", 2),
            with_features(
                participant("C", "120.00", 1),
                &[("delivery", "0.15"), ("shelf_life", "0.10")],
            ),
        ],
    );
    assert_eq!(h.ranking(), ["C", "A", "B"]);
    h.tick(at(10));
    assert_eq!(h.turn().as_deref(), Some("B"));
    // B must reach a score ≤ 96 × 0.99 = 95.04 → price ≤ 95.04 (weight 1).
    assert_eq!(h.bid(at(11), "B", "95.05"), short_of("95.04"));
    assert_eq!(h.bid(at(12), "B", "95.04"), ACCEPTED);
    // A must reach a score ≤ 95.04 × 0.99 = 94.0896 → price ≤ 103.49856 → 103.49.
    assert_eq!(h.bid(at(13), "A", "103.50"), short_of("103.49"));
    assert_eq!(h.bid(at(14), "A", "103.49"), ACCEPTED);
    assert_eq!(h.ranking(), ["A", "B", "C"]);
    let a = h.auction.bidder_view(&id("A")).unwrap();
    assert_eq!(a.own_score, Some(d("94.081818")));
    assert_eq!(a.best_price, Some(d("103.49")));
    h.assert_replays();
}

#[test]
fn below_the_minimum_participants_no_auction_is_held_and_sealed_prices_stand() {
    let mut h = Harness::started(short_rounds(3), vec![participant("A", "100.00", 1)]);
    assert!(h.auction.is_finished());
    assert_eq!(h.auction.phase(), Phase::NotHeld { at: at(0) });
    assert_eq!(h.bid(at(20), "A", "90.00"), refused(Refusal::NotHeld));
    let result = h.auction.result().unwrap();
    assert!(!result.held);
    assert_eq!(result.winner, Some(id("A")));
    assert_eq!(result.ranking[0].final_price, d("100.00"));
    // Exactly the minimum holds the auction.
    let h2 = Harness::started(
        short_rounds(3),
        vec![participant("A", "100.00", 1), participant("B", "100.00", 1)],
    );
    assert!(!h2.auction.is_finished());
    h.assert_replays();
}

#[test]
fn zero_pauses_start_turns_immediately() {
    let mut rules = short_rounds(2);
    if let tianguis_auction::rules::Format::TurnBasedRounds(r) = &mut rules.format {
        r.pause_before_first_round_seconds = 0;
        r.pause_between_rounds_seconds = 0;
    }
    let mut h = Harness::started(
        rules,
        vec![participant("A", "100.00", 2), participant("B", "90.00", 1)],
    );
    assert_eq!(h.turn().as_deref(), Some("A"));
    assert_eq!(h.pass(at(1), "A"), ACCEPTED);
    assert_eq!(h.pass(at(2), "B"), ACCEPTED);
    // Round 2 began at once.
    assert!(matches!(h.auction.phase(), Phase::Turn { round: 2, .. }));
    assert_eq!(h.turn().as_deref(), Some("A"));
    h.assert_replays();
}
