//! What each viewer sees, the published transcript and the result that flows back into the award
//! (issue 4, "Visibility", "Live experience", "After the auction", abnormally-low flag).

mod common;

use common::*;
use tianguis_auction::{Command, Label, Phase, Refusal};

/// Soft close, three bidders; A lowers twice, B once, one refused bid.
fn played() -> Harness {
    let mut h = Harness::started(
        soft_close(600, 120, 1800),
        vec![
            participant("A", "100.00", 3),
            participant("B", "90.00", 2),
            participant("C", "95.00", 1),
        ],
    );
    assert_eq!(h.bid(at(10), "A", "89.00"), ACCEPTED);
    assert_eq!(h.bid(at(20), "B", "89.90"), short_of("89.55"));
    assert_eq!(h.bid(at(30), "B", "88.00"), ACCEPTED);
    assert_eq!(h.bid(at(40), "A", "87.50"), ACCEPTED);
    h
}

#[test]
fn labels_are_a_stable_seeded_permutation_shared_by_every_view() {
    let h = played();
    let mut labels: Vec<u32> = h
        .auction
        .participants()
        .map(|b| h.auction.bidder_view(b).unwrap().label.number())
        .collect();
    let own: Vec<Label> = labels.iter().map(|n| Label(*n)).collect();
    labels.sort();
    assert_eq!(labels, [1, 2, 3]);
    let board = h.auction.public_view().board;
    let a = h.auction.bidder_view(&id("A")).unwrap();
    assert_eq!(
        board[0].label, a.label,
        "A leads and is shown under its own label"
    );
    // Same seed, same labels, independent of what happened.
    let fresh = Harness::started(
        soft_close(600, 120, 1800),
        vec![
            participant("A", "100.00", 3),
            participant("B", "90.00", 2),
            participant("C", "95.00", 1),
        ],
    );
    let fresh_labels: Vec<Label> = fresh
        .auction
        .participants()
        .map(|b| fresh.auction.bidder_view(b).unwrap().label)
        .collect();
    assert_eq!(fresh_labels, own);
}

#[test]
fn bidder_view_shows_own_price_rank_best_and_what_it_may_bid() {
    let h = played();
    let b = h.auction.bidder_view(&id("B")).unwrap();
    assert_eq!(b.own_price, d("88.00"));
    assert_eq!(b.own_rank, Some(2));
    assert_eq!(b.best_price, Some(d("87.50")));
    assert_eq!(b.max_acceptable_price, Some(d("87.56"))); // 88 × 0.995
    assert_eq!(b.accepted_bids, 1);
    assert_eq!(b.participants, 3);
    assert!(matches!(b.phase, Phase::Window { .. }));
    assert_eq!(b.next_deadline, Some(at(600)));
    assert!(h.auction.bidder_view(&id("Z")).is_none());
}

#[test]
fn hidden_best_price_hides_prices_from_bidders_and_the_public_until_the_end() {
    let mut rules = soft_close(600, 120, 1800);
    rules.visibility.best_price = false;
    let mut h = Harness::started(
        rules,
        vec![participant("A", "100.00", 2), participant("B", "90.00", 1)],
    );
    assert_eq!(h.bid(at(10), "A", "80.00"), ACCEPTED);
    let a = h.auction.bidder_view(&id("A")).unwrap();
    assert_eq!(
        (a.own_price, a.own_rank, a.best_price),
        (d("80.00"), Some(1), None)
    );
    let public = h.auction.public_view();
    assert!(!public.prices_visible && public.ranks_visible);
    assert!(public.board.iter().all(|r| r.price.is_none()));
    assert!(public.price_history.is_empty());
    h.tick(at(600));
    let public = h.auction.public_view();
    assert!(public.prices_visible);
    assert_eq!(public.board[0].price, Some(d("80.00")));
    assert_eq!(public.price_history.len(), 3);
    assert_eq!(
        h.auction.bidder_view(&id("B")).unwrap().best_price,
        Some(d("80.00"))
    );
}

#[test]
fn hidden_ranks_are_not_leaked_by_the_board_order() {
    let mut rules = soft_close(600, 120, 1800);
    rules.visibility.own_rank = false;
    let mut h = Harness::started(
        rules,
        vec![participant("A", "100.00", 2), participant("B", "90.00", 1)],
    );
    assert_eq!(h.bid(at(10), "A", "80.00"), ACCEPTED);
    assert_eq!(h.auction.bidder_view(&id("A")).unwrap().own_rank, None);
    let public = h.auction.public_view();
    assert!(!public.ranks_visible);
    let labels: Vec<u32> = public.board.iter().map(|r| r.label.number()).collect();
    assert_eq!(labels, [1, 2], "sorted by label, not by rank");
    assert!(public.board.iter().all(|r| r.rank.is_none()));
}

#[test]
fn names_appear_only_after_the_award() {
    let mut h = played();
    assert!(
        h.auction
            .public_view()
            .board
            .iter()
            .all(|r| r.name.is_none())
    );
    assert!(
        h.auction
            .transcript()
            .entries
            .iter()
            .all(|e| e.bidder.is_none())
    );
    let err = h.run(Command::RevealIdentities { at: at(50) }).unwrap_err();
    assert_eq!(err.code(), "auction.not_finished");
    h.tick(at(600));
    h.run(Command::RevealIdentities { at: at(700) }).unwrap();
    let board = h.auction.public_view().board;
    assert_eq!(board[0].name.as_deref(), Some("A S.A."));
    assert_eq!(board[0].bidder, Some(id("A")));
    let err = h
        .run(Command::RevealIdentities { at: at(701) })
        .unwrap_err();
    assert_eq!(err.code(), "auction.already_revealed");
    h.assert_replays();
}

#[test]
fn public_view_has_a_price_over_time_chart() {
    let h = played();
    let view = h.auction.public_view();
    let prices: Vec<String> = view
        .price_history
        .iter()
        .map(|p| format!("{}@{}", p.price, p.seq.map(|s| s.0).unwrap_or(0)))
        .collect();
    // Three sealed prices (by label), then accepted bids #2, #4, #5.
    assert_eq!(prices.len(), 6);
    assert_eq!(&prices[3..], ["89.00@2", "88.00@4", "87.50@5"]);
    assert_eq!(view.board[0].rank, Some(1));
    assert_eq!(view.board[0].price, Some(d("87.50")));
}

#[test]
fn a_reconnecting_observer_receives_only_the_points_after_its_last_event() {
    let h = played();
    let delta = h.auction.public_view_since(tianguis_auction::Seq(3));
    let points: Vec<String> = delta
        .price_history
        .iter()
        .map(|p| format!("{}@{}", p.price, p.seq.map(|s| s.0).unwrap_or(0)))
        .collect();
    assert_eq!(points, ["88.00@4", "87.50@5"]);
    assert_eq!(delta.board, h.auction.public_view().board);
    let up_to_date = h.auction.public_view_since(h.auction.last_seq());
    assert!(up_to_date.price_history.is_empty());
}

#[test]
fn transcript_lists_every_accepted_and_refused_bid_as_json_and_csv() {
    let mut h = played();
    assert_eq!(h.bid(at(45), "Z", "1.00"), refused(Refusal::NotParticipant));
    h.tick(at(600));
    h.run(Command::RevealIdentities { at: at(601) }).unwrap();
    let transcript = h.auction.transcript();
    assert_eq!(transcript.entries.len(), 5);
    let csv = transcript.to_csv();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "seq,at,action,label,bidder,name,price,status,reason,required_max"
    );
    let a_label = h.auction.bidder_view(&id("A")).unwrap().label;
    let b_label = h.auction.bidder_view(&id("B")).unwrap().label;
    assert_eq!(
        lines[1],
        format!("2,2025-03-04T15:00:10.000000Z,bid,{a_label},A,A S.A.,89.00,accepted,,")
    );
    assert_eq!(
        lines[2],
        format!(
            "3,2025-03-04T15:00:20.000000Z,bid,{b_label},B,B S.A.,89.90,refused,auction.insufficient_decrement,89.55"
        )
    );
    assert_eq!(
        lines[5],
        "6,2025-03-04T15:00:45.000000Z,bid,,Z,,1.00,refused,auction.not_participant,"
    );
    assert_eq!(lines.len(), 7); // header, 5 rows, trailing empty after the last CRLF
    let json: serde_json::Value = serde_json::from_str(&transcript.to_json()).unwrap();
    assert_eq!(
        json["entries"][1]["reason"],
        "auction.insufficient_decrement"
    );
    assert_eq!(json["entries"][1]["required_max"], "89.55");
    assert_eq!(json["entries"][0]["at"], "2025-03-04T15:00:10.000000Z");
    let back: tianguis_auction::Transcript = serde_json::from_str(&transcript.to_json()).unwrap();
    assert_eq!(back, transcript);
}

#[test]
fn result_gives_final_prices_winner_and_reductions() {
    let mut h = played();
    assert!(h.auction.result().is_none());
    h.tick(at(600));
    let result = h.auction.result().unwrap();
    assert!(result.held);
    assert_eq!(result.finished_at, at(600));
    assert_eq!(result.winner, Some(id("A")));
    let summary: Vec<(u32, String, String, String, String)> = result
        .ranking
        .iter()
        .map(|s| {
            (
                s.rank,
                s.bidder.to_string(),
                s.sealed_price.to_string(),
                s.final_price.to_string(),
                s.reduction_percent.to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                1,
                "A".into(),
                "100.00".into(),
                "87.50".into(),
                "12.50".into()
            ),
            (2, "B".into(), "90.00".into(), "88.00".into(), "2.22".into()),
            (3, "C".into(), "95.00".into(), "95.00".into(), "0.00".into()),
        ]
    );
    let check = result.abnormally_low.unwrap();
    assert!(!check.flagged);
    assert_eq!(check.mean_of_other_initial, Some(d("92.5000")));
    assert_eq!(check.below_mean_percent, Some(d("5.41")));
    assert_eq!(check.runner_up_price, Some(d("88.00")));
    assert_eq!(check.below_runner_up_percent, Some(d("0.57")));
    let json = serde_json::to_value(h.auction.result().unwrap()).unwrap();
    assert_eq!(json["ranking"][0]["final_price"], "87.50");
}

#[test]
fn abnormally_low_triggers_at_exactly_the_thresholds() {
    // Others' sealed mean = (100 + 200) / 2 = 150; 40 % below is 90.00 exactly.
    let run = |winner_final: &str| {
        let mut h = Harness::started(
            soft_close(600, 120, 1800),
            vec![
                participant("W", "100.00", 3),
                participant("X", "100.00", 2),
                participant("Y", "200.00", 1),
            ],
        );
        assert_eq!(h.bid(at(10), "X", "95.00"), ACCEPTED);
        assert_eq!(h.bid(at(11), "W", winner_final), ACCEPTED);
        h.tick(at(600));
        h.auction.result().unwrap().abnormally_low.unwrap()
    };
    let at_threshold = run("90.00");
    assert!(at_threshold.below_mean_triggered && at_threshold.flagged);
    assert_eq!(at_threshold.below_mean_percent, Some(d("40.00")));
    assert!(!at_threshold.below_runner_up_triggered); // 90 vs 95: 5.26 %
    let just_above = run("90.01");
    assert!(!just_above.below_mean_triggered && !just_above.flagged);
    assert_eq!(just_above.below_mean_percent, Some(d("39.99")));

    // Runner-up: 30 % below 95.00 is 66.50 exactly.
    let runner = run("66.50");
    assert!(runner.below_runner_up_triggered);
    assert_eq!(runner.below_runner_up_percent, Some(d("30.00")));
    let runner_above = {
        let mut rules = soft_close(600, 120, 1800);
        rules.abnormally_low.below_mean_of_other_initial_percent = d("100");
        let mut h = Harness::started(
            rules,
            vec![participant("W", "100.00", 2), participant("X", "95.00", 1)],
        );
        assert_eq!(h.bid(at(10), "W", "66.51"), ACCEPTED);
        h.tick(at(600));
        h.auction.result().unwrap().abnormally_low.unwrap()
    };
    assert!(!runner_above.flagged);
}

#[test]
fn a_single_participant_has_no_comparison_and_no_flag() {
    let mut rules = soft_close(600, 120, 1800);
    rules.minimum_participants = 1;
    let mut h = Harness::started(rules, vec![participant("A", "100.00", 1)]);
    assert_eq!(h.bid(at(1), "A", "10.00"), ACCEPTED);
    h.tick(at(600));
    let check = h.auction.result().unwrap().abnormally_low.unwrap();
    assert!(!check.flagged);
    assert_eq!(check.mean_of_other_initial, None);
    assert_eq!(check.runner_up_price, None);
}

#[test]
fn timeline_records_every_phase_change() {
    let mut h = Harness::started(
        short_rounds(1),
        vec![participant("A", "100.00", 2), participant("B", "90.00", 1)],
    );
    h.tick(at(10));
    assert_eq!(h.pass(at(15), "A"), ACCEPTED);
    h.tick(at(75));
    let phases: Vec<String> = h
        .auction
        .timeline()
        .iter()
        .map(|c| {
            let v = serde_json::to_value(c).unwrap();
            format!(
                "{}@{}",
                v["phase"].as_str().unwrap(),
                v["at"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        phases,
        [
            "before_first_round@2025-03-04T15:00:00.000000Z",
            "turn@2025-03-04T15:00:10.000000Z",
            "turn@2025-03-04T15:00:15.000000Z",
            "finished@2025-03-04T15:01:15.000000Z",
        ]
    );
    h.assert_replays();
}
