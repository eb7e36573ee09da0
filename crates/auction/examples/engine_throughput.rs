//! Engine micro-benchmark: how many bids per second the pure engine decides and applies, how fast
//! a log replays (restart / take-over), and what a public-board projection costs — the engine's
//! share of issue 4's target (5,000 accepted bids/s over 1,000 concurrent auctions on 2 cores).
//!
//! Run: `cargo run --release -p tianguis-auction --example engine_throughput -- [auctions] [bidders] [bids]`
//! (defaults 1000 auctions × 10 bidders, 500,000 bids). Single-threaded; no I/O is measured.

use std::time::Instant;

use rust_decimal::{Decimal, RoundingStrategy};
use tianguis_auction::rules::{Format, SoftCloseFormat};
use tianguis_auction::{
    Auction, AuctionRules, BidderId, Command, Decision, Event, Participant, Timestamp,
};

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numeric argument"))
        .collect();
    let auctions = args.first().copied().unwrap_or(1000);
    let bidders = args.get(1).copied().unwrap_or(10);
    let bids = args.get(2).copied().unwrap_or(500_000);

    // A long soft-close window so every auction stays open for the whole run.
    let rules = AuctionRules {
        format: Format::SoftClose(SoftCloseFormat {
            pause_before_window_seconds: 0,
            window_seconds: 86_400,
            extension_seconds: 120,
            hard_stop_seconds: 86_400,
        }),
        ..AuctionRules::default()
    };
    let t0 = 1_741_100_400_000_000i64;
    let ids: Vec<BidderId> = (0..bidders)
        .map(|b| BidderId::new(format!("supplier-{b}")))
        .collect();
    let mut engines: Vec<Auction> = Vec::with_capacity(auctions);
    let mut logs: Vec<Vec<String>> = vec![Vec::new(); auctions];
    let mut own: Vec<Vec<Decimal>> = Vec::with_capacity(auctions);
    for (a, log) in logs.iter_mut().enumerate() {
        let mut engine = Auction::new(rules.clone()).expect("rules");
        let participants: Vec<Participant> = (0..bidders)
            .map(|b| Participant {
                bidder: ids[b].clone(),
                name: format!("Proveedor {b}"),
                sealed_price: Decimal::new(1_000_000 + (a * 7 + b * 13) as i64 % 5_000, 2),
                sealed_at: Timestamp::from_micros(t0 - 3_600_000_000 + b as i64),
                features: Default::default(),
            })
            .collect();
        own.push(participants.iter().map(|p| p.sealed_price).collect());
        let start = Command::Start {
            at: Timestamp::from_micros(t0),
            participants,
            label_seed: a as u64,
        };
        let Decision::Record(event) = engine.decide(&start) else {
            panic!("start refused")
        };
        engine.apply(&event).expect("apply start");
        log.push(serde_json::to_string(&event).expect("json"));
        engines.push(engine);
    }

    // Bids round-robin over auctions; one in ten is deliberately too high (refused).
    let ninety_nine = Decimal::new(995, 3);
    let mut accepted = 0usize;
    let mut json_bytes = 0usize;
    let started = Instant::now();
    for i in 0..bids {
        let a = i % auctions;
        let b = (i / auctions) % bidders;
        let current = own[a][b];
        let price = if i % 10 == 9 {
            current
        } else {
            (current * ninety_nine).round_dp_with_strategy(2, RoundingStrategy::ToNegativeInfinity)
        };
        let command = Command::Bid {
            at: Timestamp::from_micros(t0 + 1_000_000 + i as i64 * 10),
            bidder: ids[b].clone(),
            price,
            request_id: None,
        };
        let engine = &mut engines[a];
        let Decision::Record(event) = engine.decide(&command) else {
            panic!("bid not recorded")
        };
        // What the service does before acknowledging: serialise the event for the durable log.
        let line = serde_json::to_string(&event).expect("json");
        json_bytes += line.len();
        engine.apply(&event).expect("apply");
        if event.outcome().is_some_and(|o| o.is_accepted()) {
            own[a][b] = price;
            accepted += 1;
        }
        logs[a].push(line);
    }
    let bid_secs = started.elapsed().as_secs_f64();

    // Broadcast cost after one more bid: the public board with the new price point only, and
    // each bidder's own page, as JSON — what the service pushes per accepted bid.
    let rounds = 20;
    let started = Instant::now();
    let mut public_bytes = 0usize;
    for _ in 0..rounds {
        for engine in &engines {
            let since = tianguis_auction::Seq(engine.last_seq().0 - 1);
            public_bytes += serde_json::to_string(&engine.public_view_since(since))
                .expect("json")
                .len();
        }
    }
    let public_secs = started.elapsed().as_secs_f64();
    let public_views = rounds * engines.len();
    let started = Instant::now();
    let mut bidder_bytes = 0usize;
    for _ in 0..rounds {
        for engine in &engines {
            for id in &ids {
                bidder_bytes += serde_json::to_string(&engine.bidder_view(id).expect("view"))
                    .expect("json")
                    .len();
            }
        }
    }
    let bidder_secs = started.elapsed().as_secs_f64();
    let bidder_views = rounds * engines.len() * bidders;
    // Page load: the full public page with the whole price history.
    let started = Instant::now();
    let mut full_bytes = 0usize;
    for engine in &engines {
        full_bytes += serde_json::to_string(&engine.public_view())
            .expect("json")
            .len();
    }
    let full_secs = started.elapsed().as_secs_f64();

    // Restart / take-over: parse every log line and replay.
    let started = Instant::now();
    let mut replayed_events = 0usize;
    for (a, log) in logs.iter().enumerate() {
        let events: Vec<Event> = log
            .iter()
            .map(|l| serde_json::from_str(l).expect("parse"))
            .collect();
        replayed_events += events.len();
        let replayed = Auction::replay(rules.clone(), &events).expect("replay");
        assert_eq!(replayed.last_seq(), engines[a].last_seq());
    }
    let replay_secs = started.elapsed().as_secs_f64();

    println!("auctions {auctions}, bidders per auction {bidders}");
    println!(
        "bids: {bids} decided+serialised+applied in {bid_secs:.3} s = {:.0} bids/s ({:.2} µs/bid), {accepted} accepted, {:.0} B/event",
        bids as f64 / bid_secs,
        bid_secs * 1e6 / bids as f64,
        json_bytes as f64 / bids as f64
    );
    println!(
        "public board update (new point only): {:.0} views/s ({:.1} µs, {} B each)",
        public_views as f64 / public_secs,
        public_secs * 1e6 / public_views as f64,
        public_bytes / public_views
    );
    println!(
        "bidder view: {:.0} views/s ({:.1} µs, {} B each)",
        bidder_views as f64 / bidder_secs,
        bidder_secs * 1e6 / bidder_views as f64,
        bidder_bytes / bidder_views
    );
    println!(
        "full public page ({} bids of history): {:.0} pages/s ({:.0} B each)",
        bids / auctions,
        engines.len() as f64 / full_secs,
        full_bytes as f64 / engines.len() as f64
    );
    println!(
        "replay: {replayed_events} events parsed+applied in {replay_secs:.3} s = {:.0} events/s",
        replayed_events as f64 / replay_secs
    );
}
