//! `tianguis bench auction`: the load generator of issue 4 ("Scale and speed targets").
//!
//! It builds a fresh database (SQLite file in a temporary directory by default, or the
//! PostgreSQL database given with `--db`), schedules N synthetic soft-close auctions with the
//! demo suppliers as bidders, starts a real node (`tianguis serve`, a separate process) on a
//! local port, and connects real WebSocket clients to it: per auction B bidders (signed in with API tokens) and O
//! anonymous observers. Bidders send bids at a steady total rate; the generator measures
//!
//! - **bid → acknowledgement**: from sending the bid frame to receiving its `ack` (sent only
//!   after the bid is durably committed);
//! - **bid → every observer**: from sending an accepted bid to each observer of that auction
//!   receiving an update that includes its sequence number;
//!
//! and prints accepted bids per second, p50/p99/max of both latencies and the server's commit
//! batches. Client and server share the machine's cores, as they would on a single box; the
//! figures are therefore a floor for a server with its own machine.

use crate::config::Config;
use crate::domain::time::Timestamp;
use crate::service::auctions::synthetic;
use crate::service::{demo, tokens};
use anyhow::Context;
use futures::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Options of `tianguis bench auction`.
#[derive(Debug, Clone, clap::Args)]
pub struct AuctionBenchArgs {
    /// Database (default: a fresh SQLite file in a temporary directory).
    #[arg(long)]
    pub db: Option<String>,
    /// Concurrent auctions.
    #[arg(long, default_value_t = 1000)]
    pub auctions: usize,
    /// Bidders per auction (1–4: the demo suppliers).
    #[arg(long, default_value_t = 4)]
    pub bidders: usize,
    /// Anonymous observers per auction.
    #[arg(long, default_value_t = 6)]
    pub observers: usize,
    /// Target bids per second, all bidders together.
    #[arg(long, default_value_t = 5000)]
    pub rate: u64,
    /// Seconds of measurement (after a warm-up of 5 s).
    #[arg(long, default_value_t = 30)]
    pub duration: u64,
}

/// `tianguis bench …`.
#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Live reverse auctions under load: bids/s and latencies (issue 4).
    Auction(AuctionBenchArgs),
}

/// Runs a benchmark.
pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Auction(args) => auction(args).await,
    }
}

fn raise_file_limit() {
    // Every client and every server socket is a descriptor in this one process.
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed by reference.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

struct Samples {
    /// (sent at, acknowledged at) of accepted bids inside the measurement window.
    acks: Vec<Duration>,
    /// Accepted bids: (auction index, seq) → sent at.
    sent: HashMap<(usize, u64), Instant>,
    /// Observer frames: (auction index, seq, received at).
    frames: Vec<(usize, u64, Instant)>,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

async fn auction(args: AuctionBenchArgs) -> anyhow::Result<()> {
    raise_file_limit();
    let temp = std::env::temp_dir().join(format!("tianguis-bench-{}", std::process::id()));
    let db_url = match &args.db {
        Some(url) => url.clone(),
        None => {
            std::fs::create_dir_all(&temp)?;
            format!("sqlite://{}", temp.join("bench.db").display())
        }
    };
    let backend = if db_url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    eprintln!(
        "preparing {} auctions × {} bidders + {} observers on {backend}…",
        args.auctions, args.bidders, args.observers
    );
    let config = Config {
        db_url: db_url.clone(),
        ..Config::default()
    };
    let db = crate::server::open_database(&config).await?;
    demo::seed(&db).await.context("demo seed")?;
    // Long enough never to end during the run: the soft close never triggers.
    let rules = synthetic::soft_close_rules(3600, 10, 60);
    let ids = synthetic::seed(&db, args.auctions, args.bidders, &rules, Timestamp::now())
        .await
        .context("synthetic auctions")?;
    let mut bearer = Vec::new();
    for account in synthetic::BIDDER_ACCOUNTS.iter().take(args.bidders) {
        let mut conn = db.read().await?;
        let (user, _) = crate::repository::users::find_for_login(&mut conn, account)
            .await?
            .context("demo bidder")?;
        drop(conn);
        bearer.push(tokens::create(&db, &user, "bench", None).await?.token);
    }

    // The node runs as its own process (as in production), with its own descriptors.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut server = std::process::Command::new(std::env::current_exe()?)
        .args(["serve", "--db", &db_url, "--bind", &address.to_string()])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .context("start the node")?;
    let http = reqwest::Client::new();
    let up = Instant::now();
    while http
        .get(format!("http://{address}/healthz"))
        .send()
        .await
        .map(|r| !r.status().is_success())
        .unwrap_or(true)
    {
        if up.elapsed() > Duration::from_secs(60) {
            let _ = server.kill();
            anyhow::bail!("the node did not start");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let counters = |text: String| {
        let read = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{name} ")))
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(0)
        };
        (
            read("tianguis_auction_commits_total"),
            read("tianguis_auction_events_total"),
        )
    };
    // Wait until every auction is running (the node's heartbeat starts them).
    let started = Instant::now();
    loop {
        let running = {
            let mut conn = db.read().await?;
            crate::repository::auctions::in_status(
                &mut conn,
                &[crate::repository::auctions::status::RUNNING],
                u64::MAX >> 1,
            )
            .await?
            .len()
        };
        if running >= ids.len() {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(120),
            "auctions did not start"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    db.close().await;
    eprintln!("{} auctions running; connecting clients…", ids.len());

    let samples = Arc::new(Mutex::new(Samples {
        acks: Vec::new(),
        sent: HashMap::new(),
        frames: Vec::new(),
    }));
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let accepted = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let connect_limit = Arc::new(tokio::sync::Semaphore::new(256));
    let mut tasks = Vec::new();
    let base = format!("ws://{address}");
    let clients = ids.len() * (args.bidders + args.observers);
    let interval =
        Duration::from_secs_f64((ids.len() * args.bidders) as f64 / args.rate.max(1) as f64);
    for (index, id) in ids.iter().enumerate() {
        for o in 0..args.observers {
            let url = format!("{base}/api/auctions/{id}/live");
            let (samples, stop, measuring, limit) = (
                samples.clone(),
                stop.clone(),
                measuring.clone(),
                connect_limit.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let permit = limit.acquire_owned().await;
                let Ok((mut socket, _)) =
                    tokio_tungstenite::connect_async_with_config(&url, Some(client_config()), true)
                        .await
                else {
                    return;
                };
                drop(permit);
                let mut local = Vec::new();
                // Ends when the node is stopped and the socket closes.
                while let Some(Ok(message)) = socket.next().await {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let Message::Text(text) = message else {
                        continue;
                    };
                    let received = Instant::now();
                    if measuring.load(Ordering::Relaxed)
                        && let Some(seq) = frame_seq(&text)
                    {
                        local.push((index, seq, received));
                    }
                }
                let _ = o;
                samples.lock().await.frames.extend(local);
            }));
        }
        for (b, token) in bearer.iter().enumerate() {
            let url = format!("{base}/api/auctions/{id}/live");
            let token = token.clone();
            let (samples, stop, measuring, limit, accepted, refused) = (
                samples.clone(),
                stop.clone(),
                measuring.clone(),
                connect_limit.clone(),
                accepted.clone(),
                refused.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let permit = limit.acquire_owned().await;
                let Ok(mut request) = url.as_str().into_client_request() else {
                    return;
                };
                if let Ok(value) = format!("Bearer {token}").parse() {
                    request.headers_mut().insert("authorization", value);
                }
                let Ok((socket, _)) = tokio_tungstenite::connect_async_with_config(request, Some(client_config()), true).await else {
                    return;
                };
                drop(permit);
                let (mut sink, mut stream) = socket.split();
                // Each bidder lowers its own price by 0.01 per bid, from its sealed price.
                let mut price = rust_decimal::Decimal::new(100_000_000 + 700 * b as i64, 2);
                let step = rust_decimal::Decimal::new(1, 2);
                // Spread the bidders over the interval so the load is steady.
                let offset = interval.mul_f64((index * 7 + b * 13) as f64 % 1000.0 / 1000.0);
                tokio::time::sleep(offset).await;
                let mut ticker = tokio::time::interval(interval);
                ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                let mut outstanding: Option<(String, Instant)> = None;
                let mut n = 0u64;
                let mut acks = Vec::new();
                let mut sent = Vec::new();
                loop {
                    tokio::select! {
                        _ = ticker.tick() => {
                            if stop.load(Ordering::Relaxed) { break; }
                            if outstanding.is_some() { continue; } // one bid in flight per bidder
                            n += 1;
                            price -= step;
                            let request_id = format!("{b}-{n}");
                            let frame = format!(r#"{{"type":"bid","price":"{price}","request_id":"{request_id}"}}"#);
                            outstanding = Some((request_id, Instant::now()));
                            if sink.send(Message::text(frame)).await.is_err() { break; }
                        }
                        message = stream.next() => {
                            let Some(Ok(Message::Text(text))) = message else {
                                if message.is_none() { break; } else { continue; }
                            };
                            if !text.starts_with(r#"{"type":"ack""#) { continue; }
                            let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
                            let Some((_, at)) = outstanding.take() else { continue };
                            let now = Instant::now();
                            if value["ack"]["outcome"]["status"] == "accepted" {
                                if measuring.load(Ordering::Relaxed) {
                                    accepted.fetch_add(1, Ordering::Relaxed);
                                    acks.push(now - at);
                                    if let Some(seq) = value["ack"]["seq"].as_u64() {
                                        sent.push(((index, seq), at));
                                    }
                                }
                            } else {
                                refused.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                }
                let mut s = samples.lock().await;
                s.acks.extend(acks);
                s.sent.extend(sent);
            }));
        }
    }
    // Connections take a while at this scale; then warm up, then measure.
    let connecting = Instant::now();
    tokio::time::sleep(Duration::from_secs(5)).await;
    eprintln!(
        "{clients} clients connecting ({:.1} s); warming up 5 s…",
        connecting.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    let metrics = format!("http://{address}/metrics");
    let (batches0, events0) = counters(http.get(&metrics).send().await?.text().await?);
    let server_pid = server.id().to_string();
    let (server_cpu0, own_cpu0) = (cpu_seconds(&server_pid), cpu_seconds("self"));
    measuring.store(true, Ordering::Relaxed);
    let window = Instant::now();
    tokio::time::sleep(Duration::from_secs(args.duration)).await;
    measuring.store(false, Ordering::Relaxed);
    let elapsed = window.elapsed();
    let server_cpu = (cpu_seconds(&server_pid) - server_cpu0) / elapsed.as_secs_f64();
    let clients_cpu = (cpu_seconds("self") - own_cpu0) / elapsed.as_secs_f64();
    let (batches, events) = {
        let (b, e) = counters(http.get(&metrics).send().await?.text().await?);
        (b - batches0, e - events0)
    };
    stop.store(true, Ordering::Relaxed);
    // Stopping the node closes every socket, which ends the clients' loops.
    let _ = server.kill();
    let _ = server.wait();
    for t in tasks {
        let _ = t.await;
    }
    let s = samples.lock().await;
    let mut acks = s.acks.clone();
    acks.sort_unstable();
    let mut fanout: Vec<Duration> = Vec::new();
    // For each observer frame, the bids it is the first to show to that observer.
    let mut by_auction: HashMap<usize, Vec<(u64, Instant)>> = HashMap::new();
    for ((auction, seq), at) in &s.sent {
        by_auction.entry(*auction).or_default().push((*seq, *at));
    }
    for bids in by_auction.values_mut() {
        bids.sort_unstable_by_key(|(seq, _)| *seq);
    }
    // Per auction, observer frames sorted by seq: every observer receives the same updates,
    // so the frames with the first seq ≥ a bid's seq are that bid's arrival at each observer.
    let mut frames_by_auction: HashMap<usize, Vec<(u64, Instant)>> = HashMap::new();
    for (auction, seq, at) in &s.frames {
        frames_by_auction
            .entry(*auction)
            .or_default()
            .push((*seq, *at));
    }
    for (auction, frames) in frames_by_auction.iter_mut() {
        frames.sort_unstable();
        let Some(bids) = by_auction.get(auction) else {
            continue;
        };
        for (seq, sent_at) in bids {
            let start = frames.partition_point(|(fs, _)| fs < seq);
            let Some(&(first, _)) = frames.get(start) else {
                continue;
            };
            for (_, at) in frames[start..].iter().take_while(|(fs, _)| *fs == first) {
                if *at >= *sent_at {
                    fanout.push(*at - *sent_at);
                }
            }
        }
    }
    fanout.sort_unstable();
    let rate = accepted.load(Ordering::Relaxed) as f64 / elapsed.as_secs_f64();
    println!(
        "| {backend} | {} | {clients} | {} | {:.0} | {} | {} | {} | {} | {} | {:.1} | {:.0} % | {:.0} % |",
        ids.len(),
        args.rate,
        rate,
        ms(percentile(&acks, 50.0)),
        ms(percentile(&acks, 99.0)),
        ms(acks.last().copied().unwrap_or_default()),
        ms(percentile(&fanout, 50.0)),
        ms(percentile(&fanout, 99.0)),
        if batches > 0 {
            events as f64 / batches as f64
        } else {
            0.0
        },
        server_cpu * 100.0,
        clients_cpu * 100.0,
    );
    eprintln!(
        "accepted {} bids in {:.1} s ({} refused), {} commits of {} events, {} observer samples",
        accepted.load(Ordering::Relaxed),
        elapsed.as_secs_f64(),
        refused.load(Ordering::Relaxed),
        batches,
        events,
        fanout.len()
    );
    if args.db.is_none() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    Ok(())
}

/// Small read buffers: the default 128 KiB one is zeroed on every read, which at 10,000
/// sockets costs the generator more CPU than the protocol itself.
fn client_config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(4096)
}

/// CPU seconds (user + system) a process has used so far, from `/proc` (Linux).
fn cpu_seconds(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may contain spaces) start at its closing ")".
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name and state.
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    (ticks(11) + ticks(12)) / hz
}

/// The `seq` of a snapshot or update frame (cheap scan, no full parse).
fn frame_seq(text: &str) -> Option<u64> {
    let rest = text.split_once(r#""seq":"#)?.1;
    let end = rest.find(|c: char| !c.is_ascii_digit())?;
    rest[..end].parse().ok()
}
