//! Webhooks (issue 5, point 4): a subscriber registers a URL and receives every new release,
//! in feed order, as an OCDS release package `POST`ed to it and signed with HMAC-SHA256.
//!
//! Delivery is at least once and in order. Each subscription keeps the feed position its
//! receiver acknowledged (a 2xx); a failure keeps the position, is logged where the subscriber
//! can read it, and is retried with exponential backoff (2 s, 4 s, 8 s … capped at one hour) —
//! never dropped. With several nodes, a node claims a due subscription by moving its next
//! attempt forward in one conditional `UPDATE`, so only one node sends each batch.
//!
//! Signature (header `Tianguis-Signature: t=<unix seconds>,v1=<hex>`): HMAC-SHA256 with the
//! subscription's secret over `<t>.<body>`, the scheme Stripe and GitHub users know; receivers
//! check it and reject old `t` to stop replays.

use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::super::audit::{Publication, commit_with};
use super::super::events::webhooks::{
    SubscriptionChange, WebhookDisabled, WebhookEnabled, WebhookSubscribed,
};
use super::super::{Actor, ServiceError};
use crate::domain::time::Timestamp;
use crate::domain::validation::FieldCode;
use crate::repository::webhooks::{self as repo, AttemptRow, SubscriptionRow, status};
use crate::repository::{Database, ocds};

/// Releases per delivery.
pub const BATCH: u64 = 100;
/// First retry delay; doubles per failure.
pub const RETRY_BASE_SECONDS: i64 = 2;
/// Longest retry delay.
pub const RETRY_CAP_SECONDS: i64 = 3600;
/// Full batches one subscription may receive in one delivery round.
const BATCHES_PER_ROUND: usize = 20;
/// How long a node's claim on a delivery lasts (longer than the request timeout).
const CLAIM_SECONDS: i64 = 60;
/// Request timeout.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);
/// Subscriptions one account may hold.
pub const MAX_PER_ACCOUNT: usize = 10;

/// HMAC-SHA256 (RFC 2104), on the SHA-256 the platform already uses.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// The `Tianguis-Signature` header value for a body sent at `unix_seconds`.
pub fn signature(secret: &str, unix_seconds: i64, body: &[u8]) -> String {
    let mut message = format!("{unix_seconds}.").into_bytes();
    message.extend_from_slice(body);
    format!(
        "t={unix_seconds},v1={}",
        hex::encode(hmac_sha256(secret.as_bytes(), &message))
    )
}

/// The delay before the next attempt after `failures` failures in a row.
pub fn backoff_seconds(failures: i64) -> i64 {
    let exponent = failures.clamp(0, 20) as u32;
    (RETRY_BASE_SECONDS << exponent).min(RETRY_CAP_SECONDS)
}

/// A subscription as its owner sees it, with recent attempts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubscriptionView {
    /// The subscription.
    #[serde(flatten)]
    pub subscription: SubscriptionRow,
    /// The feed's newest position (how far behind the receiver is).
    pub feed_seq: i64,
    /// Newest attempts first.
    pub attempts: Vec<AttemptRow>,
}

/// A new subscription and its secret (shown only here).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = WebhookRegistered)]
pub struct Registered {
    /// The subscription.
    #[serde(flatten)]
    pub subscription: SubscriptionRow,
    /// The HMAC key.
    pub secret: String,
}

/// Whether an address is one the platform must not call on a subscriber's behalf: loopback,
/// private (RFC 1918, RFC 4193), link-local, unspecified, broadcast, multicast or CGNAT.
pub fn is_private(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
        }
        std::net::IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(std::net::IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
        }
    }
}

fn check_target(url: &str, allow_private: bool) -> Result<(), ServiceError> {
    check_url(url)?;
    if allow_private {
        return Ok(());
    }
    let parsed =
        url::Url::parse(url).map_err(|_| ServiceError::field("url", FieldCode::InvalidUrl))?;
    let private = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => is_private(ip.into()),
        Some(url::Host::Ipv6(ip)) => is_private(ip.into()),
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        None => true,
    };
    if private {
        Err(ServiceError::field("url", FieldCode::PrivateAddress))
    } else {
        Ok(())
    }
}

fn check_url(url: &str) -> Result<(), ServiceError> {
    let ok = url.len() <= 2000 && crate::domain::validation::is_web_url(url);
    if ok {
        Ok(())
    } else {
        Err(ServiceError::field("url", FieldCode::InvalidUrl))
    }
}

/// Registers a URL to receive every release published from now on.
pub async fn subscribe(
    db: &Database,
    actor: &Actor,
    url: &str,
    allow_private: bool,
) -> Result<Registered, ServiceError> {
    let user_id = actor.user_id().ok_or(ServiceError::Forbidden)?;
    let url = url.trim();
    check_target(url, allow_private)?;
    let mut tx = db.begin().await?;
    if repo::of_user(&mut tx, user_id).await?.len() >= MAX_PER_ACCOUNT {
        return Err(ServiceError::field("url", FieldCode::LimitReached));
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("whsec_{}", hex::encode(bytes));
    let head = ocds::last_seq(&mut tx).await?;
    let now = Timestamp::now().as_micros();
    let id = repo::insert(&mut tx, user_id, url, &secret, head, now).await?;
    let row = repo::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    commit_with(
        tx,
        actor,
        &WebhookSubscribed { subscription: &row },
        Publication::None,
    )
    .await?;
    Ok(Registered {
        subscription: row,
        secret,
    })
}

async fn owned(
    db: &mut impl crate::repository::Queryable,
    actor: &Actor,
    id: i64,
) -> Result<SubscriptionRow, ServiceError> {
    let user_id = actor.user_id().ok_or(ServiceError::Forbidden)?;
    match repo::find(db, id).await? {
        Some(s) if s.user_id == user_id => Ok(s),
        // Someone else's subscription is reported as unknown, not forbidden: ids reveal nothing.
        _ => Err(ServiceError::NotFound),
    }
}

/// The caller's subscriptions.
pub async fn list(db: &Database, actor: &Actor) -> Result<Vec<SubscriptionRow>, ServiceError> {
    let user_id = actor.user_id().ok_or(ServiceError::Forbidden)?;
    let mut conn = db.read().await?;
    Ok(repo::of_user(&mut conn, user_id).await?)
}

/// One of the caller's subscriptions with its delivery state.
pub async fn show(db: &Database, actor: &Actor, id: i64) -> Result<SubscriptionView, ServiceError> {
    let mut conn = db.read().await?;
    let subscription = owned(&mut conn, actor, id).await?;
    Ok(SubscriptionView {
        feed_seq: ocds::last_seq(&mut conn).await?,
        attempts: repo::attempts(&mut conn, id, 50).await?,
        subscription,
    })
}

/// Switches a subscription on (retrying at once) or off.
pub async fn set_active(
    db: &Database,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<SubscriptionRow, ServiceError> {
    let mut tx = db.begin().await?;
    let before = owned(&mut tx, actor, id).await?;
    let new_status = if active {
        status::ACTIVE
    } else {
        status::DISABLED
    };
    repo::set_status(&mut tx, id, new_status, Timestamp::now().as_micros()).await?;
    let after = repo::find(&mut tx, id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let change = SubscriptionChange {
        before: &before,
        after: &after,
    };
    if active {
        commit_with(tx, actor, &WebhookEnabled(change), Publication::None).await?;
    } else {
        commit_with(tx, actor, &WebhookDisabled(change), Publication::None).await?;
    }
    Ok(after)
}

/// One delivery round: every due subscription that is behind the feed gets its next batch.
/// Returns the number of deliveries attempted.
pub async fn deliver_due(
    db: &Database,
    http: &reqwest::Client,
    allow_private: bool,
) -> Result<usize, ServiceError> {
    let now = Timestamp::now().as_micros();
    let due = {
        let mut conn = db.read().await?;
        let head = ocds::last_seq(&mut conn).await?;
        repo::due(&mut conn, now, head).await?
    };
    let mut attempted = 0;
    for mut sub in due {
        // A receiver far behind gets several full batches in one round.
        for _ in 0..BATCHES_PER_ROUND {
            let mut tx = db.begin().await?;
            let won = repo::claim(
                &mut tx,
                sub.id,
                sub.next_attempt_at,
                Timestamp::now().as_micros() + CLAIM_SECONDS * 1_000_000,
            )
            .await?;
            tx.commit().await?;
            if !won {
                break;
            }
            attempted += 1;
            if !deliver_one(db, http, &sub, allow_private).await? {
                break;
            }
            let mut conn = db.read().await?;
            match repo::find(&mut conn, sub.id).await? {
                Some(next) if next.status == status::ACTIVE => sub = next,
                _ => break,
            }
        }
    }
    Ok(attempted)
}

/// Sends the next batch; true when it was accepted and full (more may be waiting).
async fn deliver_one(
    db: &Database,
    http: &reqwest::Client,
    sub: &SubscriptionRow,
    allow_private: bool,
) -> Result<bool, ServiceError> {
    let (rows, settings) = {
        let mut conn = db.read().await?;
        (
            ocds::releases_after(&mut conn, sub.delivered_seq, None, BATCH).await?,
            super::settings(&mut conn).await?,
        )
    };
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(false);
    };
    let full = rows.len() as u64 == BATCH;
    let (first_seq, last_seq) = (first.seq, last.seq);
    let started = Timestamp::now();
    let metadata = super::package_metadata(
        &settings,
        &format!("{}/api/ocds/releases", settings.public_url),
        started,
    );
    let body = super::package_text(
        metadata,
        "releases",
        rows.iter().map(|r| r.json.clone()),
        None,
    );
    let unix = started.as_micros().div_euclid(1_000_000);
    // The name is resolved here and the connection pinned to the checked addresses, so a DNS
    // answer that changes between the check and the call cannot reach a private address.
    let pinned = match pin_public(&sub.url, allow_private).await {
        Ok(client) => client,
        Err(reason) => {
            record_attempt(db, sub, (first_seq, last_seq), started, None, Some(reason)).await?;
            return Ok(false);
        }
    };
    let result = pinned
        .as_ref()
        .unwrap_or(http)
        .post(&sub.url)
        .timeout(TIMEOUT)
        .header("content-type", "application/json")
        .header("user-agent", "Tianguis-Webhooks/1")
        .header(
            "tianguis-signature",
            signature(&sub.secret, unix, body.as_bytes()),
        )
        .header(
            "tianguis-delivery",
            format!("{}-{first_seq}-{last_seq}", sub.id),
        )
        .body(body)
        .send()
        .await;
    let (status_code, error) = match result {
        Ok(resp) if resp.status().is_success() => (Some(resp.status().as_u16() as i64), None),
        Ok(resp) => (
            Some(resp.status().as_u16() as i64),
            Some(format!("HTTP {}", resp.status())),
        ),
        Err(e) => (
            None,
            Some(if e.is_timeout() {
                "timeout".to_string()
            } else if e.is_connect() {
                "connection refused or unreachable".to_string()
            } else {
                "request failed".to_string()
            }),
        ),
    };
    let accepted = error.is_none();
    record_attempt(db, sub, (first_seq, last_seq), started, status_code, error).await?;
    Ok(accepted && full)
}

/// `None` when any address may be called; otherwise a client pinned to the host's public
/// addresses, or why the host may not be called.
async fn pin_public(url: &str, allow_private: bool) -> Result<Option<reqwest::Client>, String> {
    if allow_private {
        return Ok(None);
    }
    let parsed = url::Url::parse(url).map_err(|_| "invalid URL".to_string())?;
    let host = parsed.host_str().ok_or("no host")?.to_owned();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|_| "the host name does not resolve".to_string())?
        .collect();
    if addrs.is_empty() {
        return Err("the host name does not resolve".into());
    }
    if addrs.iter().any(|a| is_private(a.ip())) {
        return Err("the host resolves to a private or local address".into());
    }
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve_to_addrs(&host, &addrs)
        .build()
        .map(Some)
        .map_err(|_| "cannot build the HTTP client".into())
}

/// Logs an attempt, then moves the subscription forward (success) or schedules the retry.
async fn record_attempt(
    db: &Database,
    sub: &SubscriptionRow,
    (first_seq, last_seq): (i64, i64),
    started: Timestamp,
    status_code: Option<i64>,
    error: Option<String>,
) -> Result<(), ServiceError> {
    let finished = Timestamp::now();
    let duration_ms = (finished.as_micros() - started.as_micros()) / 1000;
    let now = finished.as_micros();
    let mut tx = db.begin().await?;
    repo::insert_attempt(
        &mut tx,
        &AttemptRow {
            id: 0,
            subscription_id: sub.id,
            attempted_at: started.as_micros(),
            first_seq,
            last_seq,
            status_code,
            error: error.clone(),
            duration_ms,
        },
    )
    .await?;
    match error {
        None => repo::delivered(&mut tx, sub.id, last_seq, now).await?,
        Some(e) => {
            let next = now + backoff_seconds(sub.failed_attempts) * 1_000_000;
            repo::failed(&mut tx, sub.id, &e, next, now).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231, test cases 1 and 6 (a key longer than the block).
    #[test]
    fn hmac_matches_rfc_4231() {
        assert_eq!(
            hex::encode(hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex::encode(hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn private_targets_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:5432/",
            "http://10.1.2.3/hook",
            "http://192.168.0.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://localhost:8080/",
            "http://api.localhost/",
            "http://100.64.0.1/",
        ] {
            assert!(check_target(url, false).is_err(), "{url}");
            assert!(check_target(url, true).is_ok(), "{url}");
        }
        for url in [
            "https://example.org/hook",
            "http://8.8.8.8/",
            "http://[2001:4860::8888]/",
        ] {
            assert!(check_target(url, false).is_ok(), "{url}");
        }
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff_seconds(0), 2);
        assert_eq!(backoff_seconds(1), 4);
        assert_eq!(backoff_seconds(5), 64);
        assert_eq!(backoff_seconds(30), RETRY_CAP_SECONDS);
    }

    #[test]
    fn signature_covers_time_and_body() {
        let a = signature("k", 100, b"{}");
        assert!(a.starts_with("t=100,v1="));
        assert_ne!(a, signature("k", 101, b"{}"));
        assert_ne!(a, signature("k", 100, b"{ }"));
        assert_ne!(a, signature("j", 100, b"{}"));
    }
}
