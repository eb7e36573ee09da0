//! Run-time configuration of a node, from the command line or `TIANGUIS_*` variables.

use crate::service::auth::AuthPolicy;
use crate::service::rate_limit::AbusePolicy;
use chrono_tz::Tz;
use std::net::SocketAddr;

/// Default database: an SQLite file under `./data/`.
pub const DEFAULT_DB: &str = "sqlite://data/tianguis.db";

/// Everything a running node needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub bind: SocketAddr,
    /// Database address (`sqlite://…` or `postgres://…`).
    pub db_url: String,
    /// Zone in which times are shown (stored times are UTC).
    pub timezone: Tz,
    /// Largest accepted request body in bytes (uploads of later issues set their own).
    pub body_limit: usize,
    /// Mark cookies `Secure` (set when served over HTTPS, e.g. behind a proxy).
    pub secure_cookies: bool,
    /// Sign-in and session policy.
    pub auth: AuthPolicy,
    /// Limits on registrations, sealed bids and colleagues (issue 13).
    pub abuse: AbusePolicy,
    /// Maximum database connections.
    pub db_max_connections: u32,
    /// Seed the demo institution at start-up.
    pub demo: bool,
    /// With `demo`: how many tenders of a simulated year to seed on an empty database
    /// (`serve --demo` uses 300; tests use none and build their own).
    pub demo_tenders: usize,
    /// Procurement rulebook: an embedded profile (`gt`, `un`) or a TOML file path.
    pub rulebook: String,
    /// This node's id among the nodes sharing a database (auction leases, issue 4). `None`:
    /// derived from the listening address, so a restarted node re-takes its own leases at once.
    pub node_id: Option<String>,
    /// The URL other nodes reach this node at to forward auction bids. `None`: `http://` and
    /// the listening address.
    pub node_url: Option<String>,
    /// How long after the evaluation an auction starts unless the buyer reschedules it.
    pub auction_notice_seconds: i64,
    /// Prefix of new ocids (issue 5); `None` keeps the stored one (default `ocds-tgs001`).
    pub ocid_prefix: Option<String>,
    /// Public base URL written into OCDS links; `None` keeps the stored one.
    pub public_url: Option<String>,
    /// Whether webhooks may target loopback and private addresses (tests, closed networks);
    /// off by default so a subscriber cannot make the platform call its own network.
    pub webhook_allow_private: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db_url: DEFAULT_DB.to_string(),
            timezone: chrono_tz::America::Guatemala,
            body_limit: 1024 * 1024,
            secure_cookies: false,
            auth: AuthPolicy::default(),
            abuse: AbusePolicy::default(),
            db_max_connections: 16,
            demo: false,
            demo_tenders: 0,
            rulebook: "gt".to_string(),
            node_id: None,
            node_url: None,
            auction_notice_seconds: crate::service::auctions::DEFAULT_NOTICE_SECONDS,
            ocid_prefix: None,
            public_url: None,
            webhook_allow_private: false,
        }
    }
}
