//! The auction section as the lead embeds it in TOML rulebooks: defaults, both formats, and
//! rejection of unknown keys (a misspelt key must not silently fall back to a default).

use rust_decimal::Decimal;
use tianguis_auction::rules::{DecrementKind, DecrementReference, Format, Ranking};
use tianguis_auction::{Auction, AuctionRules};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Rulebook {
    auction: AuctionRules,
}

#[test]
fn an_empty_section_gives_the_issue_defaults() {
    let book: Rulebook = toml::from_str("[auction]\n").unwrap();
    assert_eq!(book.auction, AuctionRules::default());
}

#[test]
fn a_full_soft_close_section_reads_exactly() {
    let text = r#"
[auction]
ranking = "score"
tie_break = "earlier_bid"
minimum_participants = 3
price_scale = 2

[auction.format]
kind = "soft_close"
pause_before_window_seconds = 60
window_seconds = 900
extension_seconds = 180
hard_stop_seconds = 2700

[auction.minimum_decrement]
kind = "absolute"
amount = "25.00"
relative_to = "best"

[auction.abnormally_low]
below_mean_of_other_initial_percent = "35"
below_runner_up_percent = "25.5"

[auction.visibility]
own_rank = true
best_price = true

[auction.service_faults]
tolerance_seconds = 5
resume_notice_seconds = 120
"#;
    let rules = toml::from_str::<Rulebook>(text).unwrap().auction;
    let Format::SoftClose(s) = &rules.format else {
        panic!("soft close")
    };
    assert_eq!(
        (
            s.pause_before_window_seconds,
            s.window_seconds,
            s.extension_seconds,
            s.hard_stop_seconds
        ),
        (60, 900, 180, 2700)
    );
    assert_eq!(rules.ranking, Ranking::Score);
    assert_eq!(rules.minimum_participants, 3);
    assert_eq!(rules.minimum_decrement.kind, DecrementKind::Absolute);
    assert_eq!(rules.minimum_decrement.amount, Decimal::new(2500, 2));
    assert_eq!(
        rules.minimum_decrement.relative_to,
        DecrementReference::Best
    );
    assert_eq!(
        rules.abnormally_low.below_runner_up_percent,
        Decimal::new(255, 1)
    );
    assert_eq!(rules.service_faults.tolerance_seconds, 5);
    Auction::new(rules).unwrap();
}

#[test]
fn rounds_section_fills_missing_fields_with_defaults() {
    let text = r#"
[auction.format]
kind = "turn_based_rounds"
rounds = 5
"#;
    let rules = toml::from_str::<Rulebook>(text).unwrap().auction;
    let Format::TurnBasedRounds(r) = &rules.format else {
        panic!("rounds")
    };
    assert_eq!(
        (r.rounds, r.turn_seconds, r.pause_before_first_round_seconds),
        (5, 120, 300)
    );
}

#[test]
fn unknown_or_misspelt_keys_are_rejected() {
    for text in [
        "[auction]\nminimum_participant = 2\n",
        "[auction.format]\nkind = \"turn_based_rounds\"\nturn_secods = 90\n",
        "[auction.format]\nkind = \"soft_close\"\nrounds = 3\n",
        "[auction.format]\nkind = \"dutch\"\n",
        "[auction.minimum_decrement]\nkind = \"percentage\"\namount = \"1\"\nrelative = \"best\"\n",
        "[auction.visibility]\nbest_prices = false\n",
        "[auction]\nranking = \"quality\"\n",
    ] {
        assert!(
            toml::from_str::<Rulebook>(text).is_err(),
            "should be rejected: {text}"
        );
    }
}

#[test]
fn inconsistent_sections_parse_but_do_not_validate() {
    let text = r#"
[auction.minimum_decrement]
relative_to = "best"
[auction.visibility]
best_price = false
"#;
    let rules = toml::from_str::<Rulebook>(text).unwrap().auction;
    assert_eq!(
        Auction::new(rules).unwrap_err().code(),
        "auction.rules.hidden_best_reference"
    );
}

#[test]
fn decimals_may_be_written_as_strings_or_toml_numbers() {
    let text = "[auction.minimum_decrement]\namount = 0.3333\n[auction.abnormally_low]\nbelow_runner_up_percent = 25\n";
    let rules = toml::from_str::<Rulebook>(text).unwrap().auction;
    // A TOML float is read through its shortest decimal form, not its binary value.
    assert_eq!(rules.minimum_decrement.amount, Decimal::new(3333, 4));
    rules.validate().unwrap();
    assert_eq!(
        rules.abnormally_low.below_runner_up_percent,
        Decimal::from(25)
    );
}
