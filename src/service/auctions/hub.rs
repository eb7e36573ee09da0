//! The live auction runtime of one node (issue 4, "Live experience", "Durability and faults").
//!
//! One task — the *engine loop* — owns every auction this node runs. Requests (bids, passes,
//! subscriptions) reach it through a channel; it drains whatever has queued, lets the pure engine
//! decide each command, appends all resulting events in **one** transaction, and only after the
//! commit acknowledges the bidders and broadcasts the new state to the watchers. While one batch
//! commits, the next one queues: that is the batch commit that keeps up with load, and no bidder
//! is ever told "accepted" for an event that is not durable.
//!
//! Ownership between nodes is a lease in the database (`auctions.owner_node`, `lease_until`),
//! renewed every heartbeat. A node that receives a command for an auction it does not own takes
//! the lease if it is free or expired, otherwise forwards the command to the owner over HTTP
//! (signed with the cluster secret). Watchers on any node are served from a local replica: the
//! owner pushes to its own watchers, other nodes replay the log as it grows. When the owner dies,
//! its lease expires and another node takes over, replays the log and lets the engine decide
//! whether the outage is absorbed or everyone's remaining time is restored — a server fault never
//! decides an auction.

use super::{Finish, ParticipantRecord, finish_effects, start_effects};
use crate::domain::time::Timestamp;
use crate::repository::auctions::{self as repo, AuctionRow, NewEvent, status};
use crate::repository::{Database, RepoError};
use crate::service::ServiceError;
use crate::service::audit::{self, Publication};
use crate::service::publication::release::ReleaseEvent;
use rand::Rng;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tianguis_auction::{
    Auction, BidOutcome, BidderId, BidderView, Command, Decision, Event, EventKind, Seq,
};
use tokio::sync::{broadcast, mpsc, oneshot};

/// How a node runs auctions.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// This node's id (stable across restarts of the same node, so it re-takes its own leases
    /// at once; distinct between nodes). `None`: from the address it listens on.
    pub node_id: Option<String>,
    /// Base URL other nodes forward commands to. `None`: `http://` and the listening address.
    pub node_url: Option<String>,
    /// How long a lease holds without renewal: the take-over time after a node dies.
    pub lease: Duration,
    /// How often leases and heartbeats are renewed and due auctions started.
    pub heartbeat: Duration,
    /// How often a replica of an auction owned elsewhere reads the log.
    pub replica_poll: Duration,
    /// Largest batch of requests decided and committed together.
    pub batch_max: usize,
}

impl HubConfig {
    /// Defaults, with the node's identity when configured.
    pub fn for_node(node_id: Option<String>, node_url: Option<String>) -> HubConfig {
        HubConfig {
            node_id,
            node_url,
            lease: Duration::from_secs(5),
            heartbeat: Duration::from_millis(1000),
            replica_poll: Duration::from_millis(100),
            batch_max: 4096,
        }
    }
}

/// Why a live request failed (nothing was recorded).
#[derive(Debug, Clone, thiserror::Error)]
pub enum HubError {
    /// No such auction.
    #[error("auction not found")]
    NotFound,
    /// The engine refused the command as invalid (not started, finished, …): its code.
    #[error("invalid auction command: {0}")]
    Invalid(&'static str),
    /// The auction's owner cannot be reached or storage failed; the client retries with the
    /// same request id.
    #[error("auction service unavailable: {0}")]
    Unavailable(String),
}

/// The acknowledgement of a bid or pass, sent only once its event is durable.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Ack {
    /// Sequence number of the recorded event.
    pub seq: u64,
    /// Server time of the event.
    #[schema(value_type = Option<String>)]
    pub at: Option<Timestamp>,
    /// Accepted, or refused with the rule's reason code (absent for commands without one).
    #[schema(value_type = Option<Object>)]
    pub outcome: Option<BidOutcome>,
    /// The bidder's view right after the event.
    #[schema(value_type = Option<Object>)]
    pub view: Option<BidderView>,
}

/// What a bidder asks for.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveCommand {
    /// A new price.
    Bid {
        /// Bidder id (the bid id as text).
        bidder: String,
        /// Offered price.
        price: Decimal,
        /// Idempotency key.
        request_id: Option<String>,
    },
    /// Give up the current turn.
    Pass {
        /// Bidder id.
        bidder: String,
        /// Idempotency key.
        request_id: Option<String>,
    },
    /// The award was made: show names.
    Reveal,
    /// The authority moves the resumption of an auction frozen by an outage.
    Reschedule {
        /// When the frozen remaining time runs again.
        resumes_at: Timestamp,
        /// Who decided, for the audit entry written with the event.
        by: super::DecidedBy,
    },
}

/// One broadcast after a committed batch, shared by every watcher of the auction.
#[derive(Debug)]
pub struct Update {
    /// Last event included.
    pub seq: u64,
    /// The public board with the price points since the previous update (JSON).
    pub public: Arc<str>,
    /// Each participant's own view (JSON), filled only when bidders watch.
    pub bidders: HashMap<String, Arc<str>>,
    /// The whole frame for anonymous watchers, built once and shared by all of them (the
    /// broadcast's server time stands for every observer).
    pub observer_frame: bytes::Bytes,
}

/// What a new watcher receives first.
#[derive(Debug)]
pub struct Snapshot {
    /// Last event reflected.
    pub seq: u64,
    /// The public view since the event the client last saw (JSON).
    pub public: Arc<str>,
    /// The watcher's own view when it is a participant (JSON).
    pub me: Option<Arc<str>>,
}

/// A new watcher's first state and its feed of updates.
pub type Subscription = (Snapshot, broadcast::Receiver<Arc<Update>>);

enum Job {
    /// From the maintenance task, every heartbeat.
    Maintain {
        lost: Vec<i64>,
        claim: Vec<i64>,
        reveal: Vec<i64>,
    },
    Command {
        auction_id: i64,
        command: LiveCommand,
        reply: oneshot::Sender<Result<Ack, HubError>>,
    },
    Subscribe {
        auction_id: i64,
        after: u64,
        bidder: Option<String>,
        reply: oneshot::Sender<Result<Subscription, HubError>>,
    },
}

/// A handle to this node's auction runtime (cheap to clone).
#[derive(Clone)]
pub struct AuctionHub {
    inner: Arc<Inner>,
}

struct Inner {
    db: Database,
    config: HubConfig,
    clock_offset: Arc<AtomicI64>,
    jobs: mpsc::Sender<Job>,
    receiver: Mutex<Option<mpsc::Receiver<Job>>>,
    /// Auctions this node owns right now (read by request handlers to route).
    owned: Mutex<HashSet<i64>>,
    http: reqwest::Client,
    secret: Mutex<Option<String>>,
    /// Node id and URL, fixed when the engine starts listening.
    identity: std::sync::OnceLock<(String, String)>,
    /// Committed batches and events (for `/metrics` and the benchmark).
    pub(crate) stats: Stats,
}

impl Inner {
    fn node_id(&self) -> &str {
        self.identity
            .get()
            .map_or("unstarted", |(id, _)| id.as_str())
    }

    fn node_url(&self) -> &str {
        self.identity.get().map_or("", |(_, url)| url.as_str())
    }
}

/// Counters of the engine loop.
#[derive(Debug, Default)]
pub struct Stats {
    /// Transactions committed.
    pub batches: std::sync::atomic::AtomicU64,
    /// Events committed.
    pub events: std::sync::atomic::AtomicU64,
    /// Bids accepted.
    pub accepted: std::sync::atomic::AtomicU64,
}

impl AuctionHub {
    /// A runtime for this node; nothing runs until [`AuctionHub::start`].
    pub fn new(db: Database, config: HubConfig, clock_offset: Arc<AtomicI64>) -> AuctionHub {
        let (jobs, receiver) = mpsc::channel(65_536);
        AuctionHub {
            inner: Arc::new(Inner {
                db,
                config,
                clock_offset,
                jobs,
                receiver: Mutex::new(Some(receiver)),
                owned: Mutex::new(HashSet::new()),
                http: reqwest::Client::builder()
                    .timeout(Duration::from_secs(5))
                    .build()
                    .unwrap_or_default(),
                secret: Mutex::new(None),
                identity: std::sync::OnceLock::new(),
                stats: Stats::default(),
            }),
        }
    }

    /// Counters of the engine loop.
    pub fn stats(&self) -> &Stats {
        &self.inner.stats
    }

    /// Starts the engine loop for a node listening on `address` (once; later calls do
    /// nothing). Returns its task.
    pub fn start(&self, address: std::net::SocketAddr) -> Option<tokio::task::JoinHandle<()>> {
        let config = &self.inner.config;
        let _ = self.inner.identity.set((
            config
                .node_id
                .clone()
                .unwrap_or_else(|| format!("node-{address}")),
            config
                .node_url
                .clone()
                .unwrap_or_else(|| format!("http://{address}")),
        ));
        let receiver = self.inner.receiver.lock().ok()?.take()?;
        let inner = self.inner.clone();
        let maintenance = tokio::spawn(maintenance(self.inner.clone()));
        Some(tokio::spawn(async move {
            EngineLoop::new(inner).run(receiver).await;
            maintenance.abort();
        }))
    }

    /// Gives up this node's leases (clean shutdown: another node takes over at once).
    pub async fn release(&self) {
        if let Ok(mut tx) = self.inner.db.begin().await
            && repo::release_leases(&mut tx, self.inner.node_id())
                .await
                .is_ok()
        {
            let _ = tx.commit().await;
        }
    }

    fn now(&self) -> Timestamp {
        now(&self.inner.clock_offset)
    }

    /// The cluster's shared secret (created by the first node), which authenticates forwarded
    /// commands between nodes.
    pub async fn cluster_secret(&self) -> Result<String, HubError> {
        if let Some(s) = self.inner.secret.lock().ok().and_then(|s| s.clone()) {
            return Ok(s);
        }
        let mut tx = self.inner.db.begin().await.map_err(unavailable)?;
        let secret = repo::cluster_setting(&mut tx, "forwarding_secret", || {
            let bytes: [u8; 32] = rand::rng().random();
            hex::encode(bytes)
        })
        .await
        .map_err(unavailable)?;
        tx.commit().await.map_err(unavailable)?;
        if let Ok(mut s) = self.inner.secret.lock() {
            *s = Some(secret.clone());
        }
        Ok(secret)
    }

    /// Runs a command on the node that owns the auction: here when this node owns it or can
    /// take its lease, otherwise forwarded to the owner. Answers only once the event is durable.
    pub async fn command(&self, auction_id: i64, command: LiveCommand) -> Result<Ack, HubError> {
        let owned_here = self
            .inner
            .owned
            .lock()
            .map(|o| o.contains(&auction_id))
            .unwrap_or(false);
        if !owned_here && let Some(url) = self.owner_elsewhere(auction_id).await? {
            return self.forward(&url, auction_id, &command).await;
        }
        self.local_command(auction_id, command).await
    }

    /// Runs a command in this node's engine loop (the target of forwarded commands).
    pub async fn local_command(
        &self,
        auction_id: i64,
        command: LiveCommand,
    ) -> Result<Ack, HubError> {
        let (reply, answer) = oneshot::channel();
        self.inner
            .jobs
            .send(Job::Command {
                auction_id,
                command,
                reply,
            })
            .await
            .map_err(|_| HubError::Unavailable("engine stopped".into()))?;
        answer
            .await
            .map_err(|_| HubError::Unavailable("engine stopped".into()))?
    }

    /// Starts watching an auction: the state since event `after` (0: everything), then every
    /// update. `bidder` adds the participant's own view.
    pub async fn subscribe(
        &self,
        auction_id: i64,
        after: u64,
        bidder: Option<String>,
    ) -> Result<Subscription, HubError> {
        let (reply, answer) = oneshot::channel();
        self.inner
            .jobs
            .send(Job::Subscribe {
                auction_id,
                after,
                bidder,
                reply,
            })
            .await
            .map_err(|_| HubError::Unavailable("engine stopped".into()))?;
        answer
            .await
            .map_err(|_| HubError::Unavailable("engine stopped".into()))?
    }

    /// The URL of the node that holds a live lease on the auction, when it is another node.
    async fn owner_elsewhere(&self, auction_id: i64) -> Result<Option<String>, HubError> {
        let mut conn = self.inner.db.read().await.map_err(unavailable)?;
        let row = repo::find(&mut conn, auction_id)
            .await
            .map_err(unavailable)?
            .ok_or(HubError::NotFound)?;
        let now = self.now().as_micros();
        match (&row.owner_node, row.lease_until) {
            (Some(owner), Some(until)) if owner != self.inner.node_id() && until >= now => {
                let url = repo::node_url(&mut conn, owner)
                    .await
                    .map_err(unavailable)?
                    .ok_or_else(|| HubError::Unavailable(format!("node {owner} unknown")))?;
                Ok(Some(url))
            }
            _ => Ok(None),
        }
    }

    async fn forward(
        &self,
        url: &str,
        auction_id: i64,
        command: &LiveCommand,
    ) -> Result<Ack, HubError> {
        let secret = self.cluster_secret().await?;
        let response = self
            .inner
            .http
            .post(format!(
                "{}/internal/auctions/{auction_id}/commands",
                url.trim_end_matches('/')
            ))
            .header(FORWARD_HEADER, secret)
            .json(command)
            .send()
            .await
            .map_err(|e| HubError::Unavailable(format!("owner unreachable: {e}")))?;
        let status = response.status();
        let body: serde_json::Value = response
            .json()
            .await
            .map_err(|e| HubError::Unavailable(format!("owner answer unreadable: {e}")))?;
        if status.is_success() {
            serde_json::from_value(body)
                .map_err(|e| HubError::Unavailable(format!("owner answer unreadable: {e}")))
        } else {
            Err(match body["code"].as_str() {
                Some("not_found") => HubError::NotFound,
                Some(code) if code.starts_with("auction.") && status.as_u16() == 409 => {
                    HubError::Invalid(static_code(body["details"]["reason"].as_str()))
                }
                _ => HubError::Unavailable(format!("owner answered {status}")),
            })
        }
    }
}

/// The header carrying the cluster secret on forwarded commands.
pub const FORWARD_HEADER: &str = "x-tianguis-cluster";

/// Engine error codes as `'static` (a forwarded refusal keeps the owner's code).
fn static_code(code: Option<&str>) -> &'static str {
    const CODES: [&str; 10] = [
        "auction.not_started",
        "auction.finished",
        "auction.not_finished",
        "auction.already_revealed",
        "auction.duplicate_request",
        "auction.time_went_backwards",
        "auction.already_started",
        "auction.not_paused",
        "auction.already_paused",
        "auction.invalid_reschedule",
    ];
    code.and_then(|c| CODES.iter().find(|k| **k == c).copied())
        .unwrap_or("auction.invalid_command")
}

/// Every heartbeat, off the engine loop (so bids never wait for it): record this node's
/// heartbeat, renew the leases of the auctions it runs and notice lost ones, find auctions that
/// need an owner and finished ones whose award allows revealing names; hand the findings to the
/// engine loop.
async fn maintenance(inner: Arc<Inner>) {
    let mut tick = tokio::time::interval(inner.config.heartbeat);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match maintenance_round(&inner).await {
            Ok(job) => {
                if inner.jobs.send(job).await.is_err() {
                    return;
                }
            }
            Err(e) => tracing::warn!(error = %e, "auction lease maintenance failed; retrying"),
        }
    }
}

async fn maintenance_round(inner: &Inner) -> Result<Job, HubError> {
    let now = now(&inner.clock_offset);
    let node = inner.node_id().to_string();
    let until = Timestamp::from_micros(now.as_micros() + inner.config.lease.as_micros() as i64);
    let held: Vec<i64> = inner
        .owned
        .lock()
        .map(|o| o.iter().copied().collect())
        .unwrap_or_default();
    let mut tx = inner.db.begin().await.map_err(unavailable)?;
    repo::upsert_node(&mut tx, &node, inner.node_url(), now)
        .await
        .map_err(unavailable)?;
    let still: HashSet<i64> = repo::renew_leases(&mut tx, &node, &held, now, until)
        .await
        .map_err(unavailable)?
        .into_iter()
        .collect();
    tx.commit().await.map_err(unavailable)?;
    let lost = held.into_iter().filter(|id| !still.contains(id)).collect();
    let horizon =
        Timestamp::from_micros(now.as_micros() + 2 * inner.config.heartbeat.as_micros() as i64);
    let mut conn = inner.db.read().await.map_err(unavailable)?;
    let claim = repo::claimable(&mut conn, &node, now, horizon, 10_000)
        .await
        .map_err(unavailable)?
        .into_iter()
        .filter(|id| !still.contains(id))
        .collect();
    let reveal = super::awaiting_reveal(&mut conn)
        .await
        .map_err(unavailable)?;
    Ok(Job::Maintain {
        lost,
        claim,
        reveal,
    })
}

fn unavailable(e: RepoError) -> HubError {
    HubError::Unavailable(e.to_string())
}

/// A batch's effects on the tender and the audit log failed: storage, as far as the bidder
/// can tell (the message is the storage error's).
fn effects_failed(e: ServiceError) -> HubError {
    HubError::Unavailable(e.to_string())
}

fn now(offset: &AtomicI64) -> Timestamp {
    Timestamp::from_micros(Timestamp::now().as_micros() + offset.load(Ordering::Relaxed))
}

fn engine_time(t: Timestamp) -> tianguis_auction::Timestamp {
    tianguis_auction::Timestamp::from_micros(t.as_micros())
}

/// One auction held in memory by the engine loop.
struct Slot {
    auction: Auction,
    row: AuctionRow,
    participants: Vec<ParticipantRecord>,
    owned: bool,
    feed: broadcast::Sender<Arc<Update>>,
    /// Last sequence number broadcast.
    broadcast_seq: u64,
}

impl Slot {
    fn load(row: AuctionRow, events: &[(i64, String)], owned: bool) -> Result<Slot, HubError> {
        let participants = super::stored_participants(&row).map_err(HubError::Unavailable)?;
        let auction = super::rebuild(&row, events).map_err(HubError::Unavailable)?;
        let seq = auction.last_seq().0;
        let (feed, _) = broadcast::channel(256);
        Ok(Slot {
            auction,
            row,
            participants,
            owned,
            feed,
            broadcast_seq: seq,
        })
    }

    fn update(&self, now: Timestamp) -> Update {
        let public =
            serde_json::to_string(&self.auction.public_view_since(Seq(self.broadcast_seq)))
                .unwrap_or_default();
        let seq = self.auction.last_seq().0;
        let observer_frame = bytes::Bytes::from(live_frame("update", seq, now, &public, None));
        let mut bidders = HashMap::new();
        if self.feed.receiver_count() > 0 {
            for p in &self.participants {
                let id = BidderId::new(p.participant.bidder.as_str());
                if let Some(view) = self.auction.bidder_view(&id) {
                    bidders.insert(
                        id.0.clone(),
                        Arc::from(serde_json::to_string(&view).unwrap_or_default()),
                    );
                }
            }
        }
        Update {
            seq,
            public: Arc::from(public),
            bidders,
            observer_frame,
        }
    }
}

/// A live frame as sent to clients (`kind` is `snapshot` or `update`, see `api::auctions`):
/// the public board, the watcher's own view if any, and the server time for the countdown.
pub fn live_frame(kind: &str, seq: u64, now: Timestamp, board: &str, me: Option<&str>) -> String {
    let now = serde_json::to_string(&now).unwrap_or_else(|_| "null".into());
    format!(
        r#"{{"type":"{kind}","seq":{seq},"server_now":{now},"board":{board},"me":{}}}"#,
        me.unwrap_or("null")
    )
}

struct Pending {
    auction_id: i64,
    seq: u64,
    at: Option<Timestamp>,
    bidder: Option<String>,
    reply: Option<oneshot::Sender<Result<Ack, HubError>>>,
    /// The recorded outcome (bids and passes), or the earlier one of a retried request.
    outcome: Option<BidOutcome>,
}

struct EngineLoop {
    inner: Arc<Inner>,
    slots: HashMap<i64, Slot>,
}

impl EngineLoop {
    fn new(inner: Arc<Inner>) -> EngineLoop {
        EngineLoop {
            inner,
            slots: HashMap::new(),
        }
    }

    fn now(&self) -> Timestamp {
        now(&self.inner.clock_offset)
    }

    async fn run(mut self, mut receiver: mpsc::Receiver<Job>) {
        let poll = self.inner.config.replica_poll;
        let mut next_poll = tokio::time::Instant::now() + poll;
        loop {
            let deadline = self.next_deadline_instant().min(next_poll);
            let mut jobs = Vec::new();
            tokio::select! {
                job = receiver.recv() => match job {
                    Some(job) => {
                        jobs.push(job);
                        while jobs.len() < self.inner.config.batch_max {
                            match receiver.try_recv() {
                                Ok(job) => jobs.push(job),
                                Err(_) => break,
                            }
                        }
                    }
                    None => return,
                },
                _ = tokio::time::sleep_until(deadline) => {}
            }
            let instant = tokio::time::Instant::now();
            if instant >= next_poll {
                self.poll_replicas().await;
                next_poll = tokio::time::Instant::now() + poll;
            }
            self.process(jobs).await;
        }
    }

    /// The earliest engine deadline among owned auctions, as a tokio instant.
    fn next_deadline_instant(&self) -> tokio::time::Instant {
        let now = self.now().as_micros();
        let earliest = self
            .slots
            .values()
            .filter(|s| s.owned)
            .filter_map(|s| s.auction.next_deadline())
            .map(|d| d.as_micros())
            .min();
        let wait = earliest.map_or(3_600_000_000, |d| (d - now).max(0));
        tokio::time::Instant::now() + Duration::from_micros(wait as u64)
    }

    /// Makes sure the auction is in memory; takes the lease when it is free. Returns whether
    /// this node owns it.
    async fn ensure_slot(&mut self, auction_id: i64, want_owner: bool) -> Result<bool, HubError> {
        if let Some(slot) = self.slots.get(&auction_id)
            && (slot.owned || !want_owner)
        {
            return Ok(slot.owned);
        }
        let now = self.now();
        let node = self.inner.node_id().to_string();
        // Only taking the lease writes; a replica (or an unknown id) needs no write transaction.
        let owned = if want_owner {
            let mut tx = self.inner.db.begin().await.map_err(unavailable)?;
            let taken = repo::take_lease(
                &mut tx,
                auction_id,
                &node,
                now,
                Timestamp::from_micros(now.as_micros() + self.lease_micros()),
            )
            .await
            .map_err(unavailable)?;
            tx.commit().await.map_err(unavailable)?;
            taken
        } else {
            false
        };
        let mut conn = self.inner.db.read().await.map_err(unavailable)?;
        let row = repo::find(&mut conn, auction_id)
            .await
            .map_err(unavailable)?
            .ok_or(HubError::NotFound)?;
        let events = repo::events_after(&mut conn, auction_id, 0)
            .await
            .map_err(unavailable)?;
        drop(conn);
        let mut slot = Slot::load(row, &events, owned)?;
        if let Some(old) = self.slots.remove(&auction_id) {
            // Keep the watchers of a replica that became the owner.
            slot.feed = old.feed;
            slot.broadcast_seq = old.broadcast_seq.min(slot.auction.last_seq().0);
        }
        let heartbeat = slot.row.heartbeat_at;
        self.slots.insert(auction_id, slot);
        if owned {
            self.set_owned(auction_id, true);
            self.recover(auction_id, heartbeat).await?;
        }
        Ok(owned)
    }

    fn lease_micros(&self) -> i64 {
        self.inner.config.lease.as_micros() as i64
    }

    fn set_owned(&self, auction_id: i64, owned: bool) {
        if let Ok(mut set) = self.inner.owned.lock() {
            if owned {
                set.insert(auction_id);
            } else {
                set.remove(&auction_id);
            }
        }
    }

    /// After a restart or take-over of a running auction: tell the engine the service was not
    /// serving from its last heartbeat (or last event) until now; it absorbs a short outage
    /// or restores everyone's remaining time (issue 4).
    async fn recover(&mut self, auction_id: i64, heartbeat: Option<i64>) -> Result<(), HubError> {
        let now = self.now();
        let Some(slot) = self.slots.get(&auction_id) else {
            return Ok(());
        };
        let auction = &slot.auction;
        let Some(last_at) = auction.last_at() else {
            return Ok(());
        };
        if auction.is_finished()
            || matches!(auction.phase(), tianguis_auction::Phase::Paused { .. })
        {
            return Ok(());
        }
        let since = heartbeat.unwrap_or(0).max(last_at.as_micros());
        // Below a second the node merely restarted its lease: nothing to record.
        if now.as_micros() - since < 1_000_000 {
            return Ok(());
        }
        let pause = Command::Pause {
            at: tianguis_auction::Timestamp::from_micros(since),
        };
        let resume_at = engine_time(now).max(tianguis_auction::Timestamp::from_micros(since));
        let resume = Command::Resume { at: resume_at };
        let mut events = Vec::new();
        let slot = self.slots.get_mut(&auction_id).ok_or(HubError::NotFound)?;
        for command in [pause, resume] {
            match slot.auction.decide(&command) {
                Decision::Record(event) => {
                    slot.auction
                        .apply(&event)
                        .map_err(|e| HubError::Invalid(e.code()))?;
                    events.push(event);
                }
                Decision::Invalid(e) => {
                    tracing::warn!(auction_id, code = e.code(), "recovery command refused");
                }
                Decision::AlreadyRecorded { .. } => {}
            }
        }
        if events.is_empty() {
            return Ok(());
        }
        tracing::info!(
            auction_id,
            outage_ms = (now.as_micros() - since) / 1000,
            "auction resumed after an outage"
        );
        let mut batch = Batch::default();
        for e in events {
            batch.push(auction_id, e);
        }
        self.commit(batch, Vec::new()).await
    }

    /// Heartbeat: renew leases, notice lost ones, claim auctions that need an owner, start
    /// those due, reveal names after awards, evict idle replicas.
    /// Applies what the maintenance task found: leases lost to another node, auctions to
    /// claim (due, orphaned, or this node's own before a restart), names to reveal; then starts
    /// the due auctions and lets idle ones leave memory.
    async fn maintain(&mut self, lost: Vec<i64>, claim: Vec<i64>, reveal: Vec<i64>) {
        for id in lost {
            if let Some(slot) = self.slots.get_mut(&id)
                && slot.owned
                && !slot.auction.is_finished()
            {
                tracing::warn!(
                    auction_id = id,
                    "auction lease lost: another node runs it now"
                );
                slot.owned = false;
                self.set_owned(id, false);
            }
        }
        for id in claim {
            if self.slots.get(&id).is_some_and(|s| s.owned) {
                continue;
            }
            if let Err(e) = self.ensure_slot(id, true).await {
                tracing::warn!(auction_id = id, error = %e, "cannot take over the auction");
            }
        }
        if let Err(e) = self.start_due().await {
            tracing::warn!(error = %e, "starting due auctions failed; retrying");
        }
        for id in reveal {
            let (reply, _answer) = oneshot::channel();
            self.process(vec![Job::Command {
                auction_id: id,
                command: LiveCommand::Reveal,
                reply,
            }])
            .await;
        }
        // Replicas nobody watches, and finished auctions nobody watches, leave memory.
        self.slots
            .retain(|_, s| s.feed.receiver_count() > 0 || (s.owned && !s.auction.is_finished()));
        let kept: HashSet<i64> = self.slots.keys().copied().collect();
        if let Ok(mut set) = self.inner.owned.lock() {
            set.retain(|id| kept.contains(id));
        }
    }

    async fn start_due(&mut self) -> Result<(), HubError> {
        let now = self.now();
        let due: Vec<i64> = self
            .slots
            .iter()
            .filter(|(_, s)| {
                s.owned
                    && s.row.status == status::SCHEDULED
                    && s.row.starts_at <= now.as_micros()
                    && s.auction.last_seq().0 == 0
            })
            .map(|(id, _)| *id)
            .collect();
        if due.is_empty() {
            return Ok(());
        }
        let mut batch = Batch::default();
        for id in due {
            let Some(slot) = self.slots.get_mut(&id) else {
                continue;
            };
            let mut participants: Vec<_> = slot
                .participants
                .iter()
                .map(|p| p.participant.clone())
                .collect();
            participants.sort_by_key(|p| p.sealed_at);
            let start = Command::Start {
                at: engine_time(now.max(Timestamp::from_micros(slot.row.starts_at))),
                participants,
                label_seed: rand::rng().random(),
            };
            match slot.auction.decide(&start) {
                Decision::Record(event) => {
                    if slot.auction.apply(&event).is_ok() {
                        batch.push(id, event);
                    }
                }
                Decision::Invalid(e) => {
                    tracing::warn!(auction_id = id, code = e.code(), "auction cannot start")
                }
                Decision::AlreadyRecorded { .. } => {}
            }
        }
        self.commit(batch, Vec::new()).await
    }

    /// Replicas of auctions owned elsewhere read the new part of the log.
    async fn poll_replicas(&mut self) {
        let ids: Vec<(i64, u64)> = self
            .slots
            .iter()
            .filter(|(_, s)| !s.owned && s.feed.receiver_count() > 0)
            .map(|(id, s)| (*id, s.auction.last_seq().0))
            .collect();
        if ids.is_empty() {
            return;
        }
        let Ok(mut conn) = self.inner.db.read().await else {
            return;
        };
        for (id, after) in ids {
            let Ok(events) = repo::events_after(&mut conn, id, after as i64).await else {
                continue;
            };
            if events.is_empty() {
                continue;
            }
            let row = repo::find(&mut conn, id).await.ok().flatten();
            let Some(slot) = self.slots.get_mut(&id) else {
                continue;
            };
            let mut broken = false;
            for (_, body) in &events {
                match serde_json::from_str::<Event>(body) {
                    Ok(event) if slot.auction.apply(&event).is_ok() => {}
                    _ => {
                        broken = true;
                        break;
                    }
                }
            }
            if let Some(row) = row {
                slot.row = row;
            }
            if broken {
                tracing::warn!(auction_id = id, "replica diverged from the log; reloading");
                self.slots.remove(&id);
                continue;
            }
            let update = Arc::new(slot.update(now(&self.inner.clock_offset)));
            slot.broadcast_seq = update.seq;
            let _ = slot.feed.send(update);
        }
    }

    /// Decides a batch of jobs, commits their events together, then answers and broadcasts.
    async fn process(&mut self, jobs: Vec<Job>) {
        let now = self.now();
        let mut batch = Batch::default();
        let mut pending: Vec<Pending> = Vec::new();
        let mut subscribes = Vec::new();
        // Deadlines first: a bid at 10:02:00.000001 must see the turn that ended at 10:02:00.
        self.tick_due(now, &mut batch);
        let mut maintenance = Vec::new();
        for job in jobs {
            match job {
                Job::Maintain {
                    lost,
                    claim,
                    reveal,
                } => maintenance.push((lost, claim, reveal)),
                Job::Subscribe {
                    auction_id,
                    after,
                    bidder,
                    reply,
                } => subscribes.push((auction_id, after, bidder, reply)),
                Job::Command {
                    auction_id,
                    command,
                    reply,
                } => {
                    match self.ensure_slot(auction_id, true).await {
                        Ok(true) => {}
                        Ok(false) => {
                            let _ = reply.send(Err(HubError::Unavailable(
                                "the auction is run by another node".into(),
                            )));
                            continue;
                        }
                        Err(e) => {
                            let _ = reply.send(Err(e));
                            continue;
                        }
                    }
                    let Some(slot) = self.slots.get_mut(&auction_id) else {
                        let _ = reply.send(Err(HubError::NotFound));
                        continue;
                    };
                    let at =
                        engine_time(now).max(slot.auction.last_at().unwrap_or(engine_time(now)));
                    let mut decided_by = None;
                    let (engine_command, bidder) = match command {
                        LiveCommand::Bid {
                            bidder,
                            price,
                            request_id,
                        } => (
                            Command::Bid {
                                at,
                                bidder: BidderId::new(bidder.clone()),
                                price,
                                request_id,
                            },
                            Some(bidder),
                        ),
                        LiveCommand::Pass { bidder, request_id } => (
                            Command::Pass {
                                at,
                                bidder: BidderId::new(bidder.clone()),
                                request_id,
                            },
                            Some(bidder),
                        ),
                        LiveCommand::Reveal => (Command::RevealIdentities { at }, None),
                        LiveCommand::Reschedule { resumes_at, by } => {
                            decided_by = Some(by);
                            (
                                Command::Reschedule {
                                    at,
                                    resumes_at: engine_time(resumes_at),
                                },
                                None,
                            )
                        }
                    };
                    match slot.auction.decide(&engine_command) {
                        Decision::Record(event) => {
                            if let Err(e) = slot.auction.apply(&event) {
                                let _ = reply.send(Err(HubError::Invalid(e.code())));
                                continue;
                            }
                            pending.push(Pending {
                                auction_id,
                                seq: event.seq.0,
                                at: Some(Timestamp::from_micros(event.at.as_micros())),
                                bidder,
                                reply: Some(reply),
                                outcome: event.outcome().cloned(),
                            });
                            if let Some(by) = decided_by {
                                batch.decided_by.push((auction_id, event.seq.0, by));
                            }
                            batch.push(auction_id, event);
                        }
                        Decision::AlreadyRecorded { seq, outcome } => pending.push(Pending {
                            auction_id,
                            seq: seq.0,
                            at: None,
                            bidder,
                            reply: Some(reply),
                            outcome: Some(outcome),
                        }),
                        Decision::Invalid(e) => {
                            let _ = reply.send(Err(HubError::Invalid(e.code())));
                        }
                    }
                }
            }
        }
        if let Err(e) = self.commit(batch, pending).await {
            tracing::warn!(error = %e, "auction batch not committed");
        }
        for (auction_id, after, bidder, reply) in subscribes {
            let result = self.subscribe(auction_id, after, bidder).await;
            let _ = reply.send(result);
        }
        for (lost, claim, reveal) in maintenance {
            Box::pin(self.maintain(lost, claim, reveal)).await;
        }
    }

    /// Every owned auction whose deadline has passed gets its tick.
    fn tick_due(&mut self, now: Timestamp, batch: &mut Batch) {
        let now = engine_time(now);
        for (id, slot) in self.slots.iter_mut().filter(|(_, s)| s.owned) {
            // Several deadlines may have passed (e.g. after a pause): one tick moves through all.
            let Some(deadline) = slot.auction.next_deadline() else {
                continue;
            };
            if deadline > now {
                continue;
            }
            let at = now.max(slot.auction.last_at().unwrap_or(now));
            if let Decision::Record(event) = slot.auction.decide(&Command::Tick { at })
                && slot.auction.apply(&event).is_ok()
            {
                batch.push(*id, event);
            }
        }
    }

    async fn subscribe(
        &mut self,
        auction_id: i64,
        after: u64,
        bidder: Option<String>,
    ) -> Result<Subscription, HubError> {
        self.ensure_slot(auction_id, false).await?;
        let slot = self.slots.get(&auction_id).ok_or(HubError::NotFound)?;
        let receiver = slot.feed.subscribe();
        let public =
            serde_json::to_string(&slot.auction.public_view_since(Seq(after))).unwrap_or_default();
        let me = bidder
            .and_then(|b| slot.auction.bidder_view(&BidderId::new(b)))
            .map(|v| Arc::from(serde_json::to_string(&v).unwrap_or_default()));
        Ok((
            Snapshot {
                seq: slot.auction.last_seq().0,
                public: Arc::from(public),
                me,
            },
            receiver,
        ))
    }

    /// Writes a batch durably (events, start/finish effects, audit), then answers and
    /// broadcasts. On failure every touched auction is reloaded from the log, so memory never
    /// runs ahead of what is durable.
    async fn commit(&mut self, batch: Batch, pending: Vec<Pending>) -> Result<(), HubError> {
        if batch.events.is_empty() {
            self.answer(pending);
            return Ok(());
        }
        let touched: Vec<i64> = batch.auctions();
        let result = self.write(&batch).await;
        match result {
            Ok(()) => {
                self.inner
                    .stats
                    .batches
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                self.inner.stats.events.fetch_add(
                    batch.events.len() as u64,
                    std::sync::atomic::Ordering::Relaxed,
                );
                self.answer(pending);
                for id in touched {
                    if let Some(slot) = self.slots.get_mut(&id) {
                        let update = Arc::new(slot.update(now(&self.inner.clock_offset)));
                        slot.broadcast_seq = update.seq;
                        let _ = slot.feed.send(update);
                    }
                }
                Ok(())
            }
            Err(e) => {
                for p in pending {
                    if let Some(reply) = p.reply {
                        let _ = reply.send(Err(e.clone()));
                    }
                }
                for id in touched {
                    if let Some(slot) = self.slots.remove(&id) {
                        self.set_owned(id, false);
                        // Watchers re-subscribe on the reloaded state.
                        drop(slot);
                    }
                }
                Err(e)
            }
        }
    }

    async fn write(&mut self, batch: &Batch) -> Result<(), HubError> {
        let mut rows = Vec::with_capacity(batch.events.len());
        // Final prices become public with the names (issue 4): a release says so. Written after
        // every audit record of the batch, because the feed's head row must always be locked
        // after the audit log's head row (the order every workflow uses); the other order
        // deadlocks against a concurrent workflow on PostgreSQL.
        let mut revealed: Vec<(i64, i64)> = Vec::new();
        for (auction_id, event) in &batch.events {
            rows.push(NewEvent {
                auction_id: *auction_id,
                seq: event.seq.0 as i64,
                at: event.at.as_micros(),
                body: serde_json::to_string(event)
                    .map_err(|e| HubError::Unavailable(e.to_string()))?,
            });
        }
        // A batch of plain events (bids, passes, ticks: nothing to record beyond the log, no
        // auction finishing) that fits one statement is that statement alone, committed on its
        // own — as durable as a transaction's commit, one round trip instead of three.
        let plain = rows.len() <= repo::EVENT_CHUNK
            && batch.events.iter().all(|(_, event)| {
                matches!(
                    event.kind,
                    EventKind::Bid { .. } | EventKind::Pass { .. } | EventKind::Tick
                )
            })
            && batch.auctions().iter().all(|id| {
                self.slots
                    .get(id)
                    .is_none_or(|slot| !slot.auction.is_finished())
            });
        if plain {
            let mut conn = self.inner.db.write_alone().await.map_err(unavailable)?;
            repo::append_events(&mut conn, &rows)
                .await
                .map_err(unavailable)?;
            return Ok(());
        }
        let mut tx = self.inner.db.begin().await.map_err(unavailable)?;
        repo::append_events(&mut tx, &rows)
            .await
            .map_err(unavailable)?;
        for (auction_id, event) in &batch.events {
            let Some(slot) = self.slots.get(auction_id) else {
                continue;
            };
            match &event.kind {
                EventKind::Started { .. } => {
                    start_effects(&mut tx, &slot.row)
                        .await
                        .map_err(effects_failed)?;
                }
                EventKind::IdentitiesRevealed => {
                    repo::set_revealed(&mut tx, *auction_id)
                        .await
                        .map_err(unavailable)?;
                    revealed.push((slot.row.tender_id, event.at.as_micros()));
                }
                EventKind::Paused | EventKind::Resumed => {
                    super::outage_effects(&mut tx, &slot.row, event)
                        .await
                        .map_err(effects_failed)?;
                }
                EventKind::Rescheduled { .. } => {
                    let by = batch
                        .decided_by
                        .iter()
                        .find(|(id, seq, _)| id == auction_id && *seq == event.seq.0)
                        .map(|(_, _, by)| by);
                    super::resumption_effects(&mut tx, &slot.row, event, by)
                        .await
                        .map_err(effects_failed)?;
                }
                _ => {}
            }
        }
        for auction_id in batch.auctions() {
            let Some(slot) = self.slots.get(&auction_id) else {
                continue;
            };
            if slot.auction.is_finished() && slot.row.status != status::FINISHED {
                let result = slot
                    .auction
                    .result()
                    .ok_or_else(|| HubError::Unavailable("finished without result".into()))?;
                finish_effects(
                    &mut tx,
                    Finish {
                        row: &slot.row,
                        result: &result,
                        participants: &slot.participants,
                    },
                )
                .await
                .map_err(effects_failed)?;
            }
        }
        // The names now shown change the processes' public record; the reveal has no audit
        // event of its own (the award that allows it was recorded), so its releases are the
        // batch's last writes.
        let mut feed = audit::Publishing::new(tx);
        for (tender_id, at) in revealed {
            feed.publish(Publication::release(
                tender_id,
                ReleaseEvent::TenderUpdate,
                Timestamp::from_micros(at),
            ))
            .await
            .map_err(effects_failed)?;
        }
        feed.commit().await.map_err(effects_failed)?;
        for (auction_id, event) in &batch.events {
            if let Some(slot) = self.slots.get_mut(auction_id) {
                if matches!(event.kind, EventKind::Started { .. }) {
                    slot.row.status = status::RUNNING.to_string();
                }
                if slot.auction.is_finished() {
                    slot.row.status = status::FINISHED.to_string();
                }
                if matches!(event.kind, EventKind::IdentitiesRevealed) {
                    slot.row.revealed = true;
                }
            }
        }
        Ok(())
    }

    fn answer(&self, pending: Vec<Pending>) {
        for p in pending {
            let Some(reply) = p.reply else { continue };
            let slot = self.slots.get(&p.auction_id);
            let view = match (&p.bidder, slot) {
                (Some(b), Some(s)) => s.auction.bidder_view(&BidderId::new(b.clone())),
                _ => None,
            };
            let ack = Ack {
                seq: p.seq,
                at: p.at,
                outcome: p.outcome,
                view,
            };
            if ack.outcome.as_ref().is_some_and(BidOutcome::is_accepted) {
                self.inner
                    .stats
                    .accepted
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            let _ = reply.send(Ok(ack));
        }
    }
}

/// Events decided together, in order.
#[derive(Default)]
struct Batch {
    events: Vec<(i64, Event)>,
    /// The authors of the batch's authority decisions: auction, event seq, who.
    decided_by: Vec<(i64, u64, super::DecidedBy)>,
}

impl Batch {
    fn push(&mut self, auction_id: i64, event: Event) {
        self.events.push((auction_id, event));
    }

    fn auctions(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.events.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}
